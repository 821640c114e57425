"""The figures of an accountability report: periods, counts against an independent SQL recount,
suppression, no identity; the lists each side sees."""

import json
import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from ancrage.clients.models import Client
from ancrage.core.choices import Role
from ancrage.funding.models import FollowedOrganization, ReportingCadence
from ancrage.reporting import selectors
from ancrage.reporting.models import ReportState
from tests import factories
from tests.reporting.conftest import (
    Q1,
    Q2,
    Q3,
    YEAR_END,
    YEAR_START,
    group_session,
    make_agreement,
    make_client,
    make_program,
    report_in,
    serve,
)

pytestmark = pytest.mark.django_db

MONTREAL = ZoneInfo("America/Toronto")  # the project's TIME_ZONE: same offsets as Montréal
STATUSES = ["permanent-resident", "refugee", "asylum-seeker", "temporary-worker", None]
AGES = ["18-24", "25-34", "35-44", "45-54", "65+", ""]
GENDERS = ["woman", "man", "another", ""]
BOROUGHS = ["lasalle", "montreal-nord", "anjou", None]
LANGUAGE_SETS = [("fr",), ("ar", "fr"), ("es",), (), ("en", "es", "fr")]
SERVICES = ["housing", "documents-permits", "french-courses", "first-steps"]


# --- Periods --------------------------------------------------------------------------------------


def test_quarters_are_aligned_on_the_agreement_start(org_a, program):
    agreement = make_agreement(
        org_a, program, starts_on=date(2025, 4, 1), ends_on=date(2027, 3, 31)
    )
    periods = selectors.periods_of(agreement)
    assert len(periods) == 8
    assert [(p.start, p.end) for p in periods[:4]] == [Q1, Q2, Q3, (date(2026, 1, 1), YEAR_END)]
    assert periods[4].start == date(2026, 4, 1) and periods[4].number == 1
    assert periods[4].year_start == date(2026, 4, 1)
    assert periods[1].label == {
        "fr": "T2 2025-2026 (juillet à septembre 2025)",
        "en": "Q2 2025-2026 (July to September 2025)",
    }
    assert periods[3].label["fr"] == "T4 2025-2026 (janvier à mars 2026)"


def test_a_mid_month_start_and_a_short_last_period(org_a, program):
    agreement = make_agreement(
        org_a, program, starts_on=date(2025, 1, 31), ends_on=date(2025, 8, 15)
    )
    periods = selectors.periods_of(agreement)
    assert [(p.start, p.end) for p in periods] == [
        (date(2025, 1, 31), date(2025, 4, 29)),
        (date(2025, 4, 30), date(2025, 7, 30)),
        (date(2025, 7, 31), date(2025, 8, 15)),
    ]
    # Periods tile the agreement: no day missed, none counted twice.
    for before, after in zip(periods, periods[1:], strict=False):
        assert after.start == before.end + timedelta(days=1)
    assert periods[2].label["en"] == "Q3 2025-2026 (July to August 2025)"


def test_annual_reporting_has_one_period_a_year(org_a, program):
    agreement = make_agreement(
        org_a,
        program,
        starts_on=date(2025, 1, 1),
        ends_on=date(2026, 12, 31),
        cadence=ReportingCadence.ANNUAL,
    )
    periods = selectors.periods_of(agreement)
    assert [(p.start, p.end) for p in periods] == [
        (date(2025, 1, 1), date(2025, 12, 31)),
        (date(2026, 1, 1), date(2026, 12, 31)),
    ]
    assert periods[0].label == {
        "fr": "Année 2025 (janvier à décembre 2025)",
        "en": "Year 2025 (January to December 2025)",
    }


def test_figures_refuse_dates_that_are_not_a_period(agreement):
    with pytest.raises(ValueError):
        selectors.report_figures(agreement, date(2025, 4, 1), date(2025, 5, 31))


# --- The data of the recount ------------------------------------------------------------------------


@pytest.fixture
def city(org_a, org_b, agreement, program, funder):
    """Varied data around organization A's agreement: eligible and unfunded services in and out
    of the period, other programs, another organization, sessions with head counts."""
    rng = random.Random(20251001)
    other_program = make_program(funder, "pili-test")
    days = [
        date(2025, 3, 31),  # before the agreement
        Q1[0],
        date(2025, 5, 15),
        Q1[1],
        Q2[0],
        date(2025, 8, 8),
        date(2025, 8, 9),
        Q2[1],
        Q3[0],  # after the period reported
        date(2026, 4, 1),  # after the agreement
    ]
    clients = []
    for number in range(60):
        arrived = None if number % 9 == 0 else Q2[1] - timedelta(days=rng.randint(0, 8 * 365))
        clients.append(
            make_client(
                org_a,
                status=rng.choice(STATUSES),
                age_band=rng.choice(AGES),
                gender=rng.choice(GENDERS),
                borough=rng.choice(BOROUGHS),
                arrived=arrived,
                languages=rng.choice(LANGUAGE_SETS),
            )
        )
    for client in clients:
        for _ in range(rng.randint(0, 6)):
            on = rng.choice(days)
            kind = rng.random()
            service = rng.choice(SERVICES)
            minutes = rng.choice([15, 30, 45, 60, 90])
            if kind < 0.55:
                serve(client, on, program=program, minutes=minutes, service=service)
            elif kind < 0.65:
                serve(client, on, program=other_program, minutes=minutes, service=service)
            elif kind < 0.9:
                serve(client, on, minutes=minutes, service=service)  # unfunded
            else:  # not charged, but a program covered them: not "unfunded work"
                serve(client, on, covered_by=["pili-test"], minutes=minutes, service=service)
    # Another organization's clients, charged to the same program: never counted for A.
    for _ in range(8):
        stranger = make_client(org_b)
        serve(stranger, Q2[0], program=program)
        serve(stranger, Q2[0])
    charged = factories.ActivityFactory(organization=org_a, program=program)
    plain = factories.ActivityFactory(organization=org_a)
    elsewhere = factories.ActivityFactory(organization=org_b, program=program)
    group_session(charged, Q1[0], total=14)
    group_session(charged, Q1[1], total=9, hour=23)  # 23:00 on the last day of Q1
    group_session(charged, Q2[0], total=11, hour=0)  # 00:00 on the first day of Q2
    group_session(charged, date(2025, 8, 8), total=21)
    group_session(charged, date(2025, 8, 15), total=0)  # held, head count not recorded
    group_session(charged, date(2025, 8, 22), total=30, cancelled=True)
    group_session(charged, Q2[1], total=7, hour=23)
    group_session(plain, date(2025, 8, 8), total=40)
    group_session(elsewhere, date(2025, 8, 8), total=50)
    return {"clients": clients}


# --- The independent recount (raw SQL, written from the counting rule, not from the selectors) --


def _rows(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _one(sql, params):
    return _rows(sql, params)[0][0] or 0


def _eligibility(value):
    return json.loads(value) if isinstance(value, str) else value


def _local_midnight(day):
    """Midnight in Montréal, as the database stores instants (SQLite: naive UTC text)."""
    moment = datetime.combine(day, time.min, tzinfo=MONTREAL)
    if connection.vendor == "sqlite":
        return moment.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
    return moment


def recount(organization_id, program_id, start, end):
    """Every count of the report for one window, from the tables themselves."""
    records = """
        FROM clients_servicerecord r JOIN clients_client c ON c.id = r.client_id
        WHERE c.organization_id = %s AND r.served_on >= %s AND r.served_on <= %s
    """
    base = [organization_id, start, end]
    charged = base + [program_id]
    counts = {
        "clients": _one(f"SELECT COUNT(DISTINCT r.client_id) {records}", base),
        "eligible_clients": _one(
            f"SELECT COUNT(DISTINCT r.client_id) {records} AND r.program_id = %s", charged
        ),
        "services": _one(f"SELECT COUNT(*) {records} AND r.program_id = %s", charged),
        "minutes": _one(f"SELECT SUM(r.minutes) {records} AND r.program_id = %s", charged),
    }
    # Unfunded: no program charged and the day's snapshot names no covering program.
    unfunded = [
        (client_id, kind)
        for client_id, kind, snapshot in _rows(
            f"SELECT r.client_id, r.service_type_id, r.eligibility {records} "
            "AND r.program_id IS NULL",
            base,
        )
        if not _eligibility(snapshot).get("covered_by")
    ]
    counts["unfunded_clients"] = len({client_id for client_id, _kind in unfunded})
    counts["unfunded_services"] = len(unfunded)
    sessions = """
        FROM activities_session s JOIN activities_activity a ON a.id = s.activity_id
        LEFT JOIN activities_attendance t ON t.session_id = s.id
        WHERE a.organization_id = %s AND a.program_id = %s AND s.status <> 'cancelled'
          AND s.starts_at >= %s AND s.starts_at < %s
    """
    window = [
        organization_id,
        program_id,
        _local_midnight(start),
        _local_midnight(end + timedelta(days=1)),
    ]
    counts["sessions"] = _one(f"SELECT COUNT(*) {sessions}", window)
    counts["participants"] = _one(f"SELECT SUM(t.total) {sessions}", window)
    return counts


def recount_tables(organization_id, program_id, start, end):
    """The profile tables: the period's eligible clients by each trait, services by type."""
    eligible = """
        FROM clients_client c WHERE c.organization_id = %s AND c.id IN (
            SELECT r.client_id FROM clients_servicerecord r
            WHERE r.program_id = %s AND r.served_on >= %s AND r.served_on <= %s)
    """
    params = [organization_id, program_id, start, end]

    def grouped(select, extra=""):
        return {
            (key if key not in (None, "") else "unknown"): n
            for key, n in _rows(f"SELECT {select}, COUNT(*) {eligible} {extra} GROUP BY 1", params)
        }

    def years_ago(n):
        return end.replace(year=end.year - n)

    arrival = "COALESCE(c.arrived_quebec_on, c.arrived_canada_on)"
    tables = {
        "immigration_status": grouped(
            "(SELECT s.code FROM core_immigrationstatus s WHERE s.id = c.immigration_status_id)"
        ),
        "age_band": grouped("c.age_band"),
        "gender": grouped("c.gender"),
        "borough": grouped("(SELECT b.code FROM core_borough b WHERE b.id = c.borough_id)"),
    }
    bands = _rows(
        f"""SELECT CASE WHEN {arrival} IS NULL THEN 'unknown'
                   WHEN {arrival} > %s THEN '0-1' WHEN {arrival} > %s THEN '1-2'
                   WHEN {arrival} > %s THEN '2-3' WHEN {arrival} >= %s THEN '3-5'
                   ELSE '5+' END, COUNT(*) {eligible} GROUP BY 1""",
        [years_ago(1), years_ago(2), years_ago(3), years_ago(5), *params],
    )
    tables["years_since_arrival"] = dict(bands)
    tables["language"] = dict(
        _rows(
            f"""SELECT l.code, COUNT(DISTINCT cl.client_id) FROM clients_client_languages cl
               JOIN core_language l ON l.id = cl.language_id
               WHERE cl.client_id IN (SELECT c.id {eligible}) GROUP BY l.code""",  # noqa: S608
            params,
        )
    )
    by_type = """SELECT t.code, COUNT(*), r.eligibility, r.program_id
        FROM clients_servicerecord r JOIN clients_client c ON c.id = r.client_id
        JOIN clients_servicetype t ON t.id = r.service_type_id
        WHERE c.organization_id = %s AND r.served_on >= %s AND r.served_on <= %s
        GROUP BY t.code, r.eligibility, r.program_id"""
    services, unfunded = {}, {}
    for code, n, snapshot, charged_to in _rows(by_type, [organization_id, start, end]):
        if charged_to == program_id:
            services[code] = services.get(code, 0) + n
        elif charged_to is None and not _eligibility(snapshot).get("covered_by"):
            unfunded[code] = unfunded.get(code, 0) + n
    tables["services_by_type"] = services
    tables["unfunded"] = unfunded
    return tables


def _published_cells(table):
    return {row["key"]: cells[0] for row, cells in zip(table["rows"], table["cells"], strict=True)}


@pytest.mark.parametrize("threshold", [1, 5])
def test_every_count_equals_an_independent_sql_recount(threshold, city, agreement, program, org_a):
    program.small_cell_threshold = threshold
    program.save()
    agreement.refresh_from_db()
    figures = selectors.report_figures(agreement, *Q2)
    compared = hidden = 0

    def check(published, expected):
        nonlocal compared, hidden
        if published is None:
            assert threshold > 1, "nothing is hidden with a threshold of 1"
            hidden += 1
        else:
            assert published == expected
            compared += 1

    period = recount(org_a.pk, program.pk, *Q2)
    to_date = recount(org_a.pk, program.pk, YEAR_START, Q2[1])
    assert period["eligible_clients"] > 10 and period["unfunded_services"] > 5  # varied data
    for entry in figures["headline"]:
        check(entry["period"], period[entry["metric"]])
        check(entry["to_date"], to_date[entry["metric"]])

    targets = {(t["metric"], t["target_start"], t["target_end"]): t for t in figures["targets"]}
    assert set(targets) == {
        ("eligible_clients", "2025-04-01", "2026-03-31"),
        ("services", "2025-04-01", "2026-03-31"),
        ("sessions", "2025-04-01", "2026-03-31"),
        ("participants", "2025-04-01", "2026-03-31"),
    }  # the Q1 target ended before this period
    for (metric, _start, _end), target in targets.items():
        check(target["actual"], to_date[metric])
        if target["actual"] is not None:
            assert target["gap"] == to_date[metric] - target["target"]
            assert target["share"] == round(to_date[metric] / target["target"], 4)

    assert [entry["period"]["start"] for entry in figures["trend"]] == ["2025-04-01", "2025-07-01"]
    for entry, window in zip(figures["trend"], [Q1, Q2], strict=True):
        expected = recount(org_a.pk, program.pk, *window)
        for metric in ("eligible_clients", "services", "participants"):
            check(entry[metric], expected[metric])

    expected_tables = recount_tables(org_a.pk, program.pk, *Q2)
    for table in figures["tables"]:
        expected = expected_tables[table["key"]]
        published = _published_cells(table)
        # Every counted category has its row; rows beyond them count zero.
        assert {key for key, n in expected.items() if n} <= set(published)
        for key, value in published.items():
            check(value, expected.get(key, 0))
        if table["key"] != "language":
            check(table["total"], sum(expected.values()))
    assert compared > 80
    if threshold == 1:
        assert hidden == 0 and figures["suppression"]["hidden_cells"] == 0
    else:
        assert hidden > 0 and figures["suppression"]["hidden_cells"] > 0


def test_small_counts_are_hidden_with_the_program_threshold(agreement, program, org_a):
    """Three eligible people: below 5, so every count of them is hidden, and so are minutes."""
    for client in [make_client(org_a) for _ in range(3)]:
        serve(client, Q2[0], program=program)
    figures = selectors.report_figures(agreement, *Q2)
    headline = {entry["metric"]: entry for entry in figures["headline"]}
    assert headline["eligible_clients"]["period"] is None
    assert headline["services"]["period"] is None
    assert headline["minutes"]["period"] is None
    assert headline["unfunded_clients"]["period"] == 0  # zeros reveal nobody
    status = next(t for t in figures["tables"] if t["key"] == "immigration_status")
    assert status["total"] is None
    assert figures["threshold"] == 5
    reasons = {entry["reason"] for entry in figures["suppression"]["log"]}
    assert "primary" in reasons

    program.small_cell_threshold = 3
    program.save()
    agreement.refresh_from_db()
    figures = selectors.report_figures(agreement, *Q2)
    headline = {entry["metric"]: entry for entry in figures["headline"]}
    assert headline["eligible_clients"]["period"] == 3


def test_a_hidden_period_cannot_be_recomputed_from_the_year_and_the_trend(
    agreement, program, org_a
):
    """Services add up over a year: with Q1 and the year to date shown, a hidden Q2 would be
    their difference — so one of them is hidden too."""
    people = [make_client(org_a) for _ in range(8)]
    for client in people:
        serve(client, Q1[0], program=program)
    serve(people[0], Q2[0], program=program)
    figures = selectors.report_figures(agreement, *Q2)
    headline = {entry["metric"]: entry for entry in figures["headline"]}
    trend = {entry["period"]["start"]: entry for entry in figures["trend"]}
    assert headline["services"]["period"] is None
    assert trend["2025-07-01"]["services"] is None
    assert trend["2025-04-01"]["services"] is None or headline["services"]["to_date"] is None


def test_the_figures_hold_no_identity(city, agreement):
    figures = selectors.report_figures(agreement, *Q2)
    text = json.dumps(figures, ensure_ascii=False)
    codes = Client.objects.values_list("code", flat=True)
    assert not any(code in text for code in codes)
    id_paths = []

    def walk(value, path):
        if isinstance(value, dict):
            for key, inner in value.items():
                assert key not in {"client", "clients_ids", "code_client", "born_on", "names"}
                if key == "id" or key.endswith("_id"):
                    id_paths.append(path + (key,))
                walk(inner, path + (key,))
        elif isinstance(value, list):
            for inner in value:
                walk(inner, path)

    walk(figures, ())
    # The only ids: the organization's, the funder's and the agreement's.
    assert sorted(id_paths) == [("agreement", "id"), ("funder", "id"), ("organization", "id")]
    assert set(figures) == {
        "schema",
        "organization",
        "funder",
        "program",
        "agreement",
        "period",
        "threshold",
        "computed_at",
        "headline",
        "targets",
        "trend",
        "tables",
        "suppression",
    }
    json.loads(text)  # JSON-ready


def test_the_shape_follows_the_contract(city, agreement):
    figures = selectors.report_figures(agreement, *Q2)
    assert figures["schema"] == 1
    assert [e["metric"] for e in figures["headline"]] == [
        "clients",
        "eligible_clients",
        "services",
        "minutes",
        "sessions",
        "participants",
        "unfunded_clients",
        "unfunded_services",
    ]
    assert [t["key"] for t in figures["tables"]] == [
        "immigration_status",
        "age_band",
        "gender",
        "borough",
        "years_since_arrival",
        "language",
        "services_by_type",
        "unfunded",
    ]
    for table in figures["tables"]:
        assert set(table["title"]) == {"fr", "en"}
        assert len(table["cells"]) == len(table["rows"])
        for row in table["rows"]:
            assert set(row["label"]) == {"fr", "en"}
    language = next(t for t in figures["tables"] if t["key"] == "language")
    assert language["total"] is None and language["note"]
    assert figures["period"]["label"]["fr"] == "T2 2025-2026 (juillet à septembre 2025)"
    assert figures["program"]["name"] == {"fr": "Programme pasi-test", "en": "Program pasi-test"}


def test_the_figures_take_a_few_queries_whatever_the_number_of_clients(
    city, agreement, django_assert_max_num_queries
):
    with django_assert_max_num_queries(16):
        selectors.report_figures(agreement, *Q2)


# --- Lists -----------------------------------------------------------------------------------------


def test_the_organization_sees_its_periods_begun_and_their_reports(agreement, preparer, org_b):
    report = report_in(agreement, Q2, ReportState.SUBMITTED)
    make_agreement(org_b, agreement.program)
    overview = selectors.report_overview(preparer, today=date(2025, 8, 1))
    assert [item.agreement for item in overview] == [agreement]
    lines = overview[0].lines
    assert [line.period.start for line in lines] == [Q2[0], Q1[0]]  # newest first, Q3 not begun
    assert lines[0].report == report and not lines[0].can_open
    assert lines[1].report is None and lines[1].can_open
    liaison = factories.member(agreement.organization, Role.LIAISON_OFFICER)
    reading = selectors.report_overview(liaison, today=date(2025, 8, 1))
    assert not reading[0].lines[1].can_open  # reads, may not prepare
    worker = factories.member(agreement.organization, Role.INTAKE_WORKER)
    assert selectors.report_overview(worker) == []


def test_an_advisor_receives_the_reports_sent_to_their_funder_followed_first(
    agreement, advisor, funder, other_funder, program, org_b
):
    draft = report_in(agreement, Q1)
    sent = report_in(agreement, Q2, ReportState.SUBMITTED)
    b_agreement = make_agreement(org_b, program)
    b_sent = report_in(b_agreement, Q2, ReportState.ACKNOWLEDGED)
    b_returned = report_in(b_agreement, Q1, ReportState.RETURNED)
    foreign = make_agreement(org_b, make_program(other_funder, "centraide-test"))
    report_in(foreign, Q1, ReportState.SUBMITTED)

    received = list(selectors.reports_received(advisor))
    assert draft not in received
    assert set(received) == {sent, b_sent, b_returned}
    assert received[0] == sent  # organization A is followed
    assert list(selectors.reports_received(advisor, followed_only=True)) == [sent]
    assert set(selectors.reports_received(advisor, organization_id=org_b.pk)) == {
        b_sent,
        b_returned,
    }
    assert list(selectors.reports_received(advisor, state=ReportState.RETURNED)) == [b_returned]
    assert list(selectors.reports_received(advisor, program_id=foreign.program_id)) == []

    stranger = factories.member(other_funder, Role.FUNDER_ADVISOR)
    assert [r.agreement.program.funder for r in selectors.reports_received(stranger)] == [
        other_funder
    ]
    assert list(selectors.reports_received(factories.member(org_b, Role.DIRECTOR))) == []
    # Following an organization for another funder does not open its reports.
    FollowedOrganization.objects.create(funder=other_funder, advisor=stranger, organization=org_b)
    assert b_sent not in selectors.reports_received(stranger)

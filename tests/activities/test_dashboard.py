"""The program dashboard: its totals equal an independent SQL recount, on SQLite and PostgreSQL."""

import csv
import io
from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from ancrage.activities import selectors, services
from ancrage.activities.models import Activity, ActivityType
from ancrage.core.choices import OrganizationKind, Role
from ancrage.core.models import Borough
from ancrage.network.models import PartnershipKind, Site
from tests import factories

pytestmark = pytest.mark.django_db

URL = reverse("activities:program")


def local(days_ago: int, hour: int = 10) -> datetime:
    day = timezone.localdate() - timedelta(days=days_ago)
    return timezone.make_aware(datetime.combine(day, time(hour)))


def activity(organization, *, borough_code, site=None, venue_kind="library", type_code, **extra):
    return services.activity_create(
        actor=None,
        organization=organization,
        title={"fr": f"Activité {type_code}", "en": f"Activity {type_code}"},
        activity_type=ActivityType.objects.get(code=type_code),
        category=extra.pop("category", Activity.Category.MIXED),
        venue_kind=venue_kind,
        format=Activity.Format.DROP_IN,
        site=site,
        borough=factories.borough(borough_code),
        **extra,
    )


def attend(session, newcomers, immigrants=0, others=0, **profile):
    return services.attendance_record(
        actor=None,
        session=session,
        counts={"newcomers": newcomers, "immigrants": immigrants, "others": others, **profile},
    )


@pytest.fixture
def world():
    """Org A (a library in LaSalle, working in two boroughs) and org B (Montréal-Nord)."""
    org_a = factories.OrganizationFactory(name="Bibliothèques A", kind=OrganizationKind.LIBRARY)
    org_b = factories.OrganizationFactory(
        name="Organisme B", borough=factories.borough("montreal-nord")
    )
    branch = factories.SiteFactory(
        organization=org_a, name="Bibliothèque L'Octogone", kind=Site.Kind.LIBRARY_BRANCH
    )
    officer = factories.member(org_a, Role.LIAISON_OFFICER, first_name="Awa", last_name="Diallo")

    # A weekly Job Café in the library: 6 sessions of 2 hours, all past, one partner.
    job_cafe = activity(
        org_a,
        borough_code="lasalle",
        site=branch,
        type_code="job-cafe",
        category=Activity.Category.SPECIALIZED,
        officer=officer,
        partners={org_b: [PartnershipKind.RECRUITING]},
    )
    series = services.series_schedule(
        actor=None,
        activity=job_cafe,
        rrule="FREQ=WEEKLY;COUNT=6",
        first_start=local(50),
        duration_minutes=120,
    )
    for number, session in enumerate(series):
        attend(session, newcomers=5 + number, immigrants=3, others=2, women=6, library_non_users=4)

    # Storytime in a daycare of Ahuntsic-Cartierville (outside): one held, one cancelled.
    storytime = activity(
        org_a,
        borough_code="ahuntsic-cartierville",
        venue_kind=Activity.VenueKind.DAYCARE,
        type_code="storytime",
        officer=officer,
    )
    held = services.session_schedule(
        actor=None, activity=storytime, starts_at=local(30), ends_at=local(30, 11)
    )
    attend(held, newcomers=4, others=8, children=9, families=3)
    cancelled = services.session_schedule(
        actor=None, activity=storytime, starts_at=local(20), ends_at=local(20, 11)
    )
    services.session_cancel(actor=None, session=cancelled)
    # Next week's session: not held yet.
    services.session_schedule(
        actor=None, activity=storytime, starts_at=local(-7), ends_at=local(-7, 11)
    )
    # Last year's storytime: the previous period.
    old = services.session_schedule(
        actor=None, activity=storytime, starts_at=local(400), ends_at=local(400, 11)
    )
    attend(old, newcomers=2, others=3)

    # Org B's own Coffee and Chat: only the network-wide dashboard counts it.
    chat = activity(org_b, borough_code="montreal-nord", type_code="coffee-and-chat")
    chat_session = services.session_schedule(
        actor=None, activity=chat, starts_at=local(10), ends_at=local(10, 12)
    )
    attend(chat_session, newcomers=70, immigrants=7)

    services.outreach_record(
        actor=None,
        organization=org_a,
        officer=officer,
        met_on=timezone.localdate() - timedelta(days=12),
        venue_kind=Activity.VenueKind.LAUNDROMAT,
        place="Buanderie du boulevard",
        borough=factories.borough("lasalle"),
        people_met=15,
        came_to_library_later=4,
    )
    city = factories.OrganizationFactory(name="Ville", kind=OrganizationKind.CITY_SERVICE)
    return {
        "org_a": org_a,
        "org_b": org_b,
        "officer": officer,
        "coordinator": factories.member(city, Role.COORDINATOR),
        "director_a": factories.member(org_a, Role.DIRECTOR),
        "intake_a": factories.member(org_a, Role.INTAKE_WORKER),
    }


def period():
    start, end = selectors.default_period()
    return {"start": start.isoformat(), "end": end.isoformat()}


def recount(organization_ids=None, group_by_borough=False, start=None):
    """The same numbers, straight from the tables."""
    start = start or selectors.default_period()[0]
    start_at = timezone.make_aware(datetime.combine(start, time.min))
    end_at = timezone.now()
    adapt = connection.ops.adapt_datetimefield_value
    where = ["s.status = %s", "s.starts_at >= %s", "s.starts_at < %s"]
    params = ["scheduled", adapt(start_at), adapt(end_at)]
    if organization_ids is not None:
        where.append(f"act.organization_id IN ({', '.join(['%s'] * len(organization_ids))})")
        params += list(organization_ids)
    group = "act.borough_id" if group_by_borough else "1"
    # Only fixed fragments and placeholders are put together here.
    sql = " ".join(
        [
            "SELECT",
            group + ",",
            "COUNT(s.id), COALESCE(SUM(a.total), 0), COALESCE(SUM(a.newcomers), 0)",
            "FROM activities_session s",
            "JOIN activities_activity act ON act.id = s.activity_id",
            "LEFT JOIN activities_attendance a ON a.session_id = s.id",
            "WHERE",
            " AND ".join(where),
            "GROUP BY",
            group,
        ]
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if group_by_borough:
        names = {b.pk: b.name for b in Borough.objects.all()}
        return {names[row[0]]: (row[1], row[2], row[3]) for row in rows}
    return rows[0][1:] if rows else (0, 0, 0)


def breakdown(report, key):
    return dict(next(b for b in report.breakdowns if b.key == key).rows)


def test_city_totals_equal_a_raw_sql_recount(world, client_of):
    response = client_of(world["coordinator"]).get(URL, period())
    assert response.status_code == 200
    report = response.context["report"]
    figures = report.figures
    sessions, attendances, newcomers = recount()
    assert (figures.sessions, figures.attendances, figures.newcomers) == (
        sessions,
        attendances,
        newcomers,
    )
    # Known by construction: 6 + 1 + 1 sessions, the cancelled and future ones left out.
    assert figures.sessions == 8
    assert figures.attendances == (6 * 10 + 15) + 12 + 77
    assert figures.hours == 6 * 2 + 1 + 2
    assert figures.women == 36 and figures.children == 9 and figures.families == 3
    assert figures.library_non_users == 24
    assert (figures.people_met, figures.came_to_library_later) == (15, 4)
    assert figures.partners == 1

    by_borough = breakdown(report, "borough")
    expected = recount(group_by_borough=True)
    assert len(expected) == 3
    assert {label: (v[0], v[2], v[3]) for label, v in by_borough.items()} == expected

    # The comparison with the year before: one session of 5 attendances.
    attendances_row = next(c for c in report.comparisons if c.current == figures.attendances)
    assert attendances_row.previous == 5
    assert attendances_row.difference == figures.attendances - 5

    by_setting = breakdown(report, "setting")
    outside = by_setting[str(dict(selectors.SETTINGS)[selectors.OUT])]
    assert outside[2] == 12  # the daycare storytime
    by_month = breakdown(report, "month")
    assert len(by_month) in (12, 13)
    assert sum(values[2] for values in by_month.values()) == figures.attendances
    by_officer = breakdown(report, "officer")
    assert by_officer["Awa Diallo"][2] == 75 + 12

    content = response.content.decode()
    assert "<meter" in content and "<script" not in content
    assert str(figures.sessions) in content


def test_a_short_period_counts_the_same_way(world, client_of):
    # Short periods read the sessions through the date index, long ones through the table.
    start = timezone.localdate() - timedelta(days=25)
    report = (
        client_of(world["coordinator"])
        .get(URL, {"start": start.isoformat(), "end": timezone.localdate().isoformat()})
        .context["report"]
    )
    sessions, attendances, newcomers = recount(start=start)
    assert (report.figures.sessions, report.figures.attendances) == (sessions, attendances)
    assert report.figures.newcomers == newcomers
    assert report.figures.attendances == 14 + 15 + 77  # two Job Cafés and the Coffee and Chat
    assert len(breakdown(report, "month")) in (1, 2)


def test_filters_narrow_the_recount(world, client_of):
    client = client_of(world["coordinator"])
    lasalle = factories.borough("lasalle")
    report = client.get(URL, {**period(), "borough": lasalle.pk}).context["report"]
    assert report.figures.attendances == 75 and report.figures.sessions == 6
    report = client.get(URL, {**period(), "setting": "out"}).context["report"]
    assert report.figures.attendances == 12
    report = client.get(URL, {**period(), "setting": "in"}).context["report"]
    assert report.figures.attendances == 75 + 77
    storytime = ActivityType.objects.get(code="storytime")
    report = client.get(URL, {**period(), "activity_type": storytime.pk}).context["report"]
    assert report.figures.sessions == 1
    report = client.get(URL, {**period(), "category": "specialized"}).context["report"]
    assert report.figures.sessions == 6
    report = client.get(URL, {**period(), "organization": world["org_b"].pk}).context["report"]
    assert report.figures.attendances == 77 and report.figures.people_met == 0
    # No parameter at all: the last 12 months.
    default = client.get(URL)
    assert default.status_code == 200
    assert default.context["report"].figures.attendances == 75 + 12 + 77


def test_an_organization_never_sees_another_ones_numbers(world, client_of):
    org_a, org_b = world["org_a"], world["org_b"]
    response = client_of(world["director_a"]).get(URL, period())
    assert response.status_code == 200
    figures = response.context["report"].figures
    sessions, attendances, newcomers = recount([org_a.pk])
    assert (figures.sessions, figures.attendances, figures.newcomers) == (
        sessions,
        attendances,
        newcomers,
    )
    assert figures.attendances == 75 + 12
    assert "Montréal-Nord" not in breakdown(response.context["report"], "borough")
    # Org B is not among the choices: asking for it is an error, not its numbers.
    forged = client_of(world["director_a"]).get(URL, {**period(), "organization": org_b.pk})
    assert forged.status_code == 400
    assert forged.context["report"] is None
    assert "77" not in forged.content.decode()
    for url in ("activities:program_csv", "activities:program_xlsx"):
        assert (
            client_of(world["director_a"])
            .get(reverse(url), {**period(), "organization": org_b.pk})
            .status_code
            == 400
        )

    # An intake worker of org A has no access to the dashboard at all.
    for url in ("activities:program", "activities:program_csv", "activities:program_xlsx"):
        assert client_of(world["intake_a"]).get(reverse(url), period()).status_code == 403


def test_anonymous_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_csv_export_parses_and_matches(world, client_of):
    client = client_of(world["coordinator"])
    response = client.get(reverse("activities:program_csv"), period())
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    report = client.get(URL, period()).context["report"]
    assert rows[1] == [selectors_note()]
    figures = {row[0]: row[1:] for row in rows if len(row) == 5}
    attendances_label = dict(selectors.figure_labels())["attendances"]
    assert int(figures[attendances_label][0]) == report.figures.attendances
    borough_title = next(b.title for b in report.breakdowns if b.key == "borough")
    start = rows.index([borough_title]) + 2
    section = {}
    for row in rows[start:]:
        if not row:
            break
        section[row[0]] = (int(row[1]), int(row[3]), int(row[4]))
    assert section == recount(group_by_borough=True)


def selectors_note():
    from ancrage.activities.views.dashboard import counts_note

    return counts_note()


def test_xlsx_export_opens_and_matches(world, client_of):
    client = client_of(world["coordinator"])
    response = client.get(reverse("activities:program_xlsx"), period())
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    report = client.get(URL, period()).context["report"]
    summary = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert summary[1][0] == selectors_note()
    attendances_label = dict(selectors.figure_labels())["attendances"]
    assert next(r for r in summary if r[0] == attendances_label)[1] == report.figures.attendances
    assert len(workbook.worksheets) == 1 + len(report.breakdowns)
    borough_sheet = workbook.worksheets[1]
    rows = list(borough_sheet.iter_rows(values_only=True))
    assert rows[1][0] == selectors_note()
    section = {row[0]: (row[1], row[3], row[4]) for row in rows[3:]}
    assert section == recount(group_by_borough=True)


@pytest.mark.parametrize(
    "bad",
    [
        {"organization": "999999"},
        {"organization": "9" * 10_000},
        {"borough": "abc"},
        {"borough": "-1"},
        {"activity_type": "1.5"},
        {"category": "x" * 10_000},
        {"setting": "sideways"},
        {"start": "2026-12-31", "end": "2026-01-01"},
        {"start": "x" * 10_000},
        {"start": "0001-01-01", "end": "9999-12-31"},
        {"start": "1990-01-01", "end": "2026-01-01"},
    ],
)
def test_bad_filters_show_the_page_with_an_error(world, client_of, bad):
    client = client_of(world["coordinator"])
    response = client.get(URL, {**period(), **bad})
    assert response.status_code == 400
    assert response.context["report"] is None
    assert 'role="alert"' in response.content.decode()
    csv_response = client.get(reverse("activities:program_csv"), {**period(), **bad})
    assert csv_response.status_code == 400


def test_no_program_capability_is_forbidden(world, client_of):
    funder = factories.OrganizationFactory(kind=OrganizationKind.FUNDER)
    advisor = factories.member(funder, Role.FUNDER_ADVISOR)
    assert client_of(advisor).get(URL).status_code == 403


def test_officer_sees_own_organization_in_english(world, client_of):
    client = client_of(world["officer"])
    response = client.get(URL, period(), headers={"accept-language": "en"})
    assert response.status_code == 200
    assert response.context["report"].figures.attendances == 75 + 12

"""Quarterly accountability reports at city scale, against one raw GROUP BY over the same rows.

Data (in the throwaway database of `ancrage bench`), PostgreSQL: 100 organizations, 1,000,000
clients (10,000 each: immigration status, age band, gender, borough, arrival date, one or two
languages), 10,000,000 service records over three years (2023-04-01 to 2026-03-31; a fifth of the
people are asylum seekers no program covers, whose services are unfunded; the others' services
are charged to PASI (75 %), to PILI (15 %) or to nothing (10 %)), 6 activities per organization (4
charged to PASI) with a session a week for three years and their attendance (93,600 sessions),
and per organization one three-year PASI agreement (quarterly reporting) with a target per
quarter for eligible clients, services, sessions and participants, and one per year for eligible
clients. On SQLite clients and service records are divided by 20 (`--scale` multiplies them);
the figures say which. No identities: reports never read the vault.

How the data is made fast: rows are written by `INSERT … SELECT` over a series (PostgreSQL
`generate_series`, SQLite a recursive CTE); on PostgreSQL foreign-key triggers are off during the
bulk inserts when the role may do it (`session_replication_role = replica`: the rows are generated
consistent); indexes are maintained as in production; `VACUUM ANALYZE` follows on PostgreSQL
(the state autovacuum leaves tables in), `ANALYZE` on SQLite.

Measured, for the report of the agreement's 11th quarter (2025-10-01 to 2025-12-31: trend over 11
quarters, year to date over 9 months, the quarter's and the year's targets):
- one organization's report, `reporting.selectors.report_figures` (every query, the suppression
  of every table, the dict), p50 / p95 over 20 organizations after 2 warm-up reports; target
  ≤ 1 s. Floor: one raw GROUP BY over the same rows (the organization's service records from the
  agreement's start to the end of the quarter: count, distinct clients, minutes by program).
- all organizations' reports for the quarter, one after the other; target ≤ 60 s. Floor: the same
  raw GROUP BY over every organization's rows at once (by organization and program).
- the PDF of one report, `reporting.exports.render(figures, format="pdf")`, p50 / max of 5 after
  one warm-up; target ≤ 3 s. Floor: WeasyPrint turning a one-line HTML page into a PDF (the
  engine's fixed cost). The XLSX and CSV of the same report are timed too.
Check: each measured report's eligible clients of the quarter (when shown) equal the raw count.
"""

# The SQL below is assembled from this module's constants and integers, never from input.
# ruff: noqa: S608

import contextlib
import io
import json
import os
import statistics
import time
from datetime import date

from django.db import DatabaseError, connection
from pypdf import PdfReader

from ancrage.activities.models import Activity, ActivityType, Attendance, Session
from ancrage.clients.models import AgeBand, Client, Gender, ServiceRecord, ServiceType
from ancrage.core.choices import OrganizationKind
from ancrage.core.models import Borough, ImmigrationStatus, Language
from ancrage.funding.models import Agreement, AgreementTarget, FundingProgram, TargetMetric
from ancrage.network.models import Organization

ORGANIZATIONS = 100
CLIENTS = 1_000_000
RECORDS_PER_CLIENT = 10
SQLITE_DIVISOR = 20
DATA_START = "2023-04-01"
DAYS = 1_096  # 2023-04-01 … 2026-03-31
AGREEMENT = (date(2023, 4, 1), date(2026, 3, 31))
QUARTER = (date(2025, 10, 1), date(2025, 12, 31))  # the agreement's 11th quarter
ACTIVITIES = 6  # per organization; the first 4 charged to PASI
CHARGED_ACTIVITIES = 4
WEEKS = 156
UNFUNDED_IN_TEN = 2  # in ten clients of each organization: asylum seekers, no program covers
MEASURED = 20
WARM_UP = 2
PDF_RUNS = 5
RECORD_CHUNK = 1_000_000
COMMON_LANGUAGES = ("es", "ar", "zh-hans", "ht", "fa", "pt", "ru", "vi", "tl", "uk", "en", "ur")


def _pg() -> bool:
    return connection.vendor == "postgresql"


def _series(n: int) -> str:
    """A CTE `s(n)` of 0 … n-1, put before INSERT (both databases accept `WITH … INSERT`)."""
    if _pg():
        return f"WITH s(n) AS (SELECT generate_series(0::bigint, {n - 1}))"
    return f"WITH RECURSIVE s(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM s WHERE n < {n - 1})"


def _day(base: str, days_sql: str) -> str:
    if _pg():
        return f"(DATE '{base}' + ({days_sql})::int)"
    return f"date('{base}', '+' || ({days_sql}) || ' days')"


def _moment(base_utc: str, days_sql: str) -> str:
    """A timestamp `days_sql` days after `base_utc` (Django's storage on each database)."""
    if _pg():
        return f"(TIMESTAMPTZ '{base_utc}+00' + make_interval(days => ({days_sql})::int))"
    return f"strftime('%Y-%m-%d %H:%M:%S', '{base_utc}', '+' || ({days_sql}) || ' days')"


def _mix(column: str, multiplier: int, modulo: int) -> str:
    """A pseudo-random pick in 0 … modulo-1 from an integer column (no overflow: < 2^63)."""
    return f"(({column} * {multiplier}) % {modulo})"


def _case(index_sql: str, values: list) -> str:
    """values[index_sql] as SQL (values are ids or this module's constant strings)."""
    whens = " ".join(
        f"WHEN {i} THEN {v if isinstance(v, int) else repr(v)}" for i, v in enumerate(values)
    )
    return f"(CASE {index_sql} {whens} END)"


def _execute(sql: str, params=None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)  # None: no placeholders, "%" is the modulo


def _rows(sql: str, params=None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _triggers(on: bool) -> None:
    """Foreign-key triggers off while generated (consistent) rows are bulk-written."""
    if not _pg():
        return
    # Not a superuser: the triggers stay, generation is only slower.
    with contextlib.suppress(DatabaseError):
        _execute(f"SET session_replication_role = {'origin' if on else 'replica'}")


# --- Data ---------------------------------------------------------------------------------------


def _reference() -> dict:
    boroughs = list(Borough.objects.order_by("pk").values_list("pk", flat=True))
    statuses = dict(ImmigrationStatus.objects.values_list("code", "pk"))
    languages = dict(Language.objects.values_list("code", "pk"))
    mifi = Organization.objects.create(
        name="Ministère de l'Immigration, de la Francisation et de l'Intégration",
        kind=OrganizationKind.FUNDER,
        borough_id=boroughs[0],
    )
    pasi = FundingProgram.objects.create(
        funder=mifi,
        code="pasi-stream-1",
        names={
            "fr": "PASI — Volet 1 : accompagnement des personnes immigrantes",
            "en": "PASI — Stream 1: support for immigrants",
        },
    )
    pili = FundingProgram.objects.create(
        funder=mifi,
        code="pili",
        names={"fr": "PILI — Francisation", "en": "PILI — French courses"},
    )
    return {
        "boroughs": boroughs,
        "statuses": statuses,
        "languages": languages,
        "pasi": pasi,
        "pili": pili,
        "types": list(
            ServiceType.objects.filter(organization__isnull=True).values_list("pk", flat=True)
        ),
        "activity_type": ActivityType.objects.order_by("pk").values_list("pk", flat=True)[0],
    }


def _organizations(ref: dict) -> list[Organization]:
    boroughs = ref["boroughs"]
    organizations = Organization.objects.bulk_create(
        Organization(
            name=f"Organisme d'accueil {i}",
            kind=OrganizationKind.COMMUNITY_ORGANIZATION,
            borough_id=boroughs[i % len(boroughs)],
        )
        for i in range(ORGANIZATIONS)
    )
    _execute("CREATE TEMP TABLE bench_org (idx int PRIMARY KEY, org int, borough int)")
    with connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO bench_org VALUES (%s, %s, %s)",
            [(i, o.pk, o.borough_id) for i, o in enumerate(organizations)],
        )
    return organizations


def _clients(ref: dict, clients: int) -> int:
    """Client n belongs to organization n % 100; a fifth are asylum seekers (by id)."""
    statuses = ref["statuses"]
    others = [statuses[c] for c in statuses if c != "asylum-seeker"]
    # More permanent residents and refugees than the rest, as in an intake office.
    weighted = [others[0]] * 4 + [others[1]] * 2 + others
    # n % 100 is the organization: each attribute is drawn from q = n / 100 instead.
    q = f"(n / {ORGANIZATIONS})"
    status = _case(_mix(q, 7_919, len(weighted)), weighted)
    ages = [value for value, _label in AgeBand.choices][3:] + [""]  # adults, and some unknown
    genders = [Gender.WOMAN, Gender.WOMAN, Gender.MAN, Gender.MAN, Gender.ANOTHER, ""]
    boroughs = ref["boroughs"]
    arrival = _day("2014-01-01", _mix(q, 7_919, 4_300))
    _execute(
        f"""{_series(clients)}
        INSERT INTO clients_client (organization_id, code, immigration_status_id, status_since,
            arrived_canada_on, arrived_quebec_on, age_band, gender, french_level, borough_id,
            household, household_size, library_user, document_language, version, created_at,
            updated_at)
        SELECT o.org, 'B' || n, {status}, NULL, {arrival}, {arrival},
            {_case(_mix(q, 104_729, len(ages)), ages)},
            {_case(_mix(q, 1_299_709, len(genders)), [str(g) for g in genders])}, '',
            CASE WHEN {q} % 3 = 0 THEN o.borough
                ELSE {_case(_mix(q, 15_485_863, len(boroughs)), boroughs)} END,
            '', NULL, NULL, '', 1, {_moment("2023-03-01 12:00:00", "n % 1000")},
            {_moment("2023-03-01 12:00:00", "n % 1000")}
        FROM s CROSS JOIN bench_org o WHERE o.idx = s.n % {ORGANIZATIONS}"""
    )
    first_id, last_id, count = _rows("SELECT MIN(id), MAX(id), COUNT(*) FROM clients_client")[0]
    assert last_id - first_id + 1 == count == clients, (first_id, last_id, count)
    # By id, not by n (the insert need not keep the series' order): the records below pick
    # their client's id and know from it whether a program covers the person.
    _execute(
        f"""UPDATE clients_client SET immigration_status_id = {statuses["asylum-seeker"]}
        WHERE ((id - {first_id}) / {ORGANIZATIONS}) % 10 < {UNFUNDED_IN_TEN}"""
    )
    # One language each (a common one), French too for every other person.
    languages = ref["languages"]
    common = [languages[c] for c in COMMON_LANGUAGES if c in languages]
    _execute(
        f"""INSERT INTO clients_client_languages (client_id, language_id)
        SELECT id, {_case(_mix(f"(id / {ORGANIZATIONS})", 7_919, len(common)), common)}
        FROM clients_client"""
    )
    _execute(
        f"""INSERT INTO clients_client_languages (client_id, language_id)
        SELECT id, {languages["fr"]} FROM clients_client WHERE (id / {ORGANIZATIONS}) % 2 = 0"""
    )
    return first_id


def _records(ref: dict, first_id: int, clients: int, records: int) -> None:
    """Record n: client k = n·7919 mod clients, a day of the three years, a service type."""
    pasi, pili = ref["pasi"], ref["pili"]
    covered = {
        "pasi": {"status": "eligible", "covered_by": [pasi.code]},
        "pili": {"status": "eligible", "covered_by": [pili.code]},
        "none": {"status": "unfunded", "covered_by": []},
    }
    cast = "CAST({} AS jsonb)" if _pg() else "{}"
    snapshot = {key: "'" + json.dumps(value) + "'" for key, value in covered.items()}
    _execute("CREATE TEMP TABLE bench_type (idx int PRIMARY KEY, id int)")
    with connection.cursor() as cursor:
        cursor.executemany("INSERT INTO bench_type VALUES (%s, %s)", list(enumerate(ref["types"])))
    types = len(ref["types"])
    for start in range(0, records, RECORD_CHUNK):
        size = min(RECORD_CHUNK, records - start)
        k = _mix(f"(n + {start})", 7_919, clients)
        # The client is first_id + k: an asylum seeker when (k / 100) % 10 < 2 (see `_clients`;
        # k % 100 is the organization, so each has its fifth of asylum seekers).
        unfunded = f"(({k} / {ORGANIZATIONS}) % 10 < {UNFUNDED_IN_TEN})"
        # All the records of one organization share n % 100: day, type, program and minutes
        # are drawn from m = n / 100 instead, which runs over all its records.
        m = f"((n + {start}) / {ORGANIZATIONS})"
        roll = f"(({m} * 7) % 20)"
        program = (
            f"CASE WHEN {unfunded} THEN NULL WHEN {roll} < 15 THEN {pasi.pk} "
            f"WHEN {roll} < 18 THEN {pili.pk} ELSE NULL END"
        )
        eligibility = cast.format(
            f"CASE WHEN {unfunded} THEN {snapshot['none']} WHEN {roll} < 15 THEN "
            f"{snapshot['pasi']} WHEN {roll} < 18 THEN {snapshot['pili']} "
            f"ELSE {snapshot['pasi']} END"
        )
        day = _mix(m, 37, DAYS)
        _execute(
            f"""{_series(size)}
            INSERT INTO clients_servicerecord (client_id, service_type_id, served_on, minutes,
                worker_id, program_id, eligibility, session_id, note, created_at)
            SELECT {first_id} + {k}, t.id, {_day(DATA_START, day)}, 15 * (1 + {m} % 8), NULL,
                {program}, {eligibility}, NULL, '', {_moment("2023-04-01 12:00:00", day)}
            FROM s CROSS JOIN bench_type t WHERE t.idx = ({m} * 3) % {types}"""
        )
    _execute("DROP TABLE bench_type")


def _activities(ref: dict, organizations: list[Organization]) -> None:
    activities = Activity.objects.bulk_create(
        Activity(
            organization=organization,
            title={"fr": f"Atelier {a}", "en": f"Workshop {a}"},
            activity_type_id=ref["activity_type"],
            category=Activity.Category.MIXED,
            venue_kind=Activity.VenueKind.COMMUNITY_ORGANIZATION,
            borough_id=organization.borough_id,
            format=Activity.Format.OPEN,
            program=ref["pasi"] if a < CHARGED_ACTIVITIES else None,
        )
        for organization in organizations
        for a in range(ACTIVITIES)
    )
    _execute("CREATE TEMP TABLE bench_activity (idx int PRIMARY KEY, id int)")
    with connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO bench_activity VALUES (%s, %s)",
            [(i, a.pk) for i, a in enumerate(activities)],
        )
    count = len(activities)
    days = f"(n / {count}) * 7 + a.idx % 5"
    # The first Monday of the agreement, 18:00 in Montréal (22:00 UTC), two hours.
    _execute(
        f"""{_series(count * WEEKS)}
        INSERT INTO activities_session (activity_id, starts_at, ends_at, original_start, status)
        SELECT a.id, {_moment("2023-04-03 22:00:00", days)},
            {_moment("2023-04-04 00:00:00", days)}, NULL,
            CASE WHEN n % 23 = 0 THEN 'cancelled' ELSE 'scheduled' END
        FROM s CROSS JOIN bench_activity a WHERE a.idx = n % {count}"""
    )
    _execute(
        """INSERT INTO activities_attendance (session_id, newcomers, immigrants, others, women,
            children, families, library_non_users, total, waiting_list, recorded_by_id,
            recorded_at)
        SELECT id, 6 + id % 9, 3 + id % 5, id % 3, 4 + id % 5, id % 4, id % 3, 0,
            (6 + id % 9) + (3 + id % 5) + (id % 3), 0, NULL, ends_at
        FROM activities_session WHERE status <> 'cancelled'"""
    )
    _execute("DROP TABLE bench_activity")


def _agreements(ref: dict, organizations: list[Organization], clients: int) -> list[Agreement]:
    """A three-year PASI agreement each, targets near what the data gives (some met, some not)."""
    starts_on, ends_on = AGREEMENT
    agreements = Agreement.objects.bulk_create(
        Agreement(
            organization=organization,
            program=ref["pasi"],
            reference=f"PASI-2023-{i:04d}",
            starts_on=starts_on,
            ends_on=ends_on,
        )
        for i, organization in enumerate(organizations)
    )
    per_org = clients // ORGANIZATIONS
    quarterly = {
        TargetMetric.ELIGIBLE_CLIENTS: per_org * 45 // 100,
        TargetMetric.SERVICES: per_org * 55 // 100,
        TargetMetric.SESSIONS: 50,
        TargetMetric.PARTICIPANTS: 600,
    }
    targets = []
    for i, agreement in enumerate(agreements):
        for year in range(3):
            year_start = date(starts_on.year + year, 4, 1)
            targets.append(
                AgreementTarget(
                    agreement=agreement,
                    metric=TargetMetric.ELIGIBLE_CLIENTS,
                    period_start=year_start,
                    period_end=date(year_start.year + 1, 3, 31),
                    value=per_org * 75 // 100 + i,
                )
            )
            for quarter in range(4):
                month = 4 + 3 * quarter
                first = date(year_start.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)
                after = date(first.year + (first.month + 2) // 12, (first.month + 2) % 12 + 1, 1)
                last = date.fromordinal(after.toordinal() - 1)
                targets += [
                    AgreementTarget(
                        agreement=agreement,
                        metric=metric,
                        period_start=first,
                        period_end=last,
                        value=value + (i % 7),
                    )
                    for metric, value in quarterly.items()
                ]
    AgreementTarget.objects.bulk_create(targets)
    return agreements


def _populate(clients: int, records: int) -> dict:
    timings = {}
    started = time.perf_counter()
    ref = _reference()
    organizations = _organizations(ref)
    _triggers(on=False)
    try:
        first_id = _clients(ref, clients)
        timings["clients_seconds"] = round(time.perf_counter() - started, 1)
        started = time.perf_counter()
        _records(ref, first_id, clients, records)
        timings["records_seconds"] = round(time.perf_counter() - started, 1)
        started = time.perf_counter()
        _activities(ref, organizations)
        timings["sessions_seconds"] = round(time.perf_counter() - started, 1)
    finally:
        _triggers(on=True)
    _execute("DROP TABLE bench_org")
    agreements = _agreements(ref, organizations, clients)
    return {"agreements": agreements, "ref": ref, "timings": timings}


# --- Measures -----------------------------------------------------------------------------------

FLOOR_ONE = """SELECT sr.program_id, COUNT(*), COUNT(DISTINCT sr.client_id), SUM(sr.minutes)
    FROM clients_servicerecord sr JOIN clients_client c ON c.id = sr.client_id
    WHERE c.organization_id = %s AND sr.served_on BETWEEN %s AND %s
    GROUP BY sr.program_id"""
FLOOR_ALL = """SELECT c.organization_id, sr.program_id, COUNT(*), COUNT(DISTINCT sr.client_id),
        SUM(sr.minutes)
    FROM clients_servicerecord sr JOIN clients_client c ON c.id = sr.client_id
    WHERE sr.served_on BETWEEN %s AND %s
    GROUP BY c.organization_id, sr.program_id"""
ELIGIBLE_IN_QUARTER = """SELECT COUNT(DISTINCT sr.client_id)
    FROM clients_servicerecord sr JOIN clients_client c ON c.id = sr.client_id
    WHERE c.organization_id = %s AND sr.program_id = %s AND sr.served_on BETWEEN %s AND %s"""


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * len(ordered)) - 1)]
    return round(statistics.median(ordered) * 1000, 1), round(p95 * 1000, 1)


def _timed(fn, items) -> tuple[list[float], list[float], list]:
    """Wall-clock and this thread's processor seconds of each call, and the results."""
    wall, cpu, results = [], [], []
    for item in items:
        started, started_cpu = time.perf_counter(), time.thread_time()
        results.append(fn(item))
        wall.append(time.perf_counter() - started)
        cpu.append(time.thread_time() - started_cpu)
    return wall, cpu, results


def _headline(figures: dict, metric: str) -> int | None:
    return next(h["period"] for h in figures["headline"] if h["metric"] == metric)


def run(*, scale: int = 1) -> dict:
    from ancrage.reporting import exports
    from ancrage.reporting.selectors import report_figures

    divisor = 1 if _pg() else SQLITE_DIVISOR
    clients = CLIENTS * scale // divisor
    records = clients * RECORDS_PER_CLIENT
    started = time.perf_counter()
    data = _populate(clients, records)
    populate_seconds = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    # A table as autovacuum leaves it (hint bits set, visibility map): the first read after a
    # bulk load would otherwise write every page it touches.
    _execute("VACUUM ANALYZE" if _pg() else "ANALYZE")
    analyze_seconds = round(time.perf_counter() - started, 1)

    agreements = data["agreements"]
    start, end = QUARTER
    span = (AGREEMENT[0], end)  # the rows a report reads: its trend starts with the agreement
    figures: dict = {
        "scale_note": "full city scale"
        if divisor == 1
        else f"SQLite: clients and service records divided by {divisor} "
        "(city scale is measured on PostgreSQL)",
        "organizations": ORGANIZATIONS,
        "clients": Client.objects.count(),
        "service_records": ServiceRecord.objects.count(),
        "sessions": Session.objects.count(),
        "attendance_rows": Attendance.objects.count(),
        "agreements": len(agreements),
        "targets": AgreementTarget.objects.count(),
        **data["timings"],
        "populate_seconds": populate_seconds,
        "vacuum_analyze_seconds": analyze_seconds,
        "quarter": f"{start.isoformat()} → {end.isoformat()}",
    }
    figures["rows_read_by_one_report_avg"] = round(
        sum(row[2] for row in _rows(FLOOR_ALL, [*span])) / ORGANIZATIONS
    )

    # One organization's report: 20 organizations spread over the hundred.
    measured = agreements[:: len(agreements) // MEASURED][:MEASURED]
    for agreement in agreements[-WARM_UP:]:
        report_figures(agreement, start, end)
    wall, cpu, reports = _timed(lambda a: report_figures(a, start, end), measured)
    floor_wall, _cpu, _r = _timed(lambda a: _rows(FLOOR_ONE, [a.organization_id, *span]), measured)
    figures["report_one_n"] = len(measured)
    figures["report_one_p50_ms"], figures["report_one_p95_ms"] = _percentiles(wall)
    figures["report_one_cpu_p50_ms"], figures["report_one_cpu_p95_ms"] = _percentiles(cpu)
    figures["report_one_floor_p50_ms"], figures["report_one_floor_p95_ms"] = _percentiles(
        floor_wall
    )
    figures["report_one_ratio_p50"] = round(
        figures["report_one_p50_ms"] / figures["report_one_floor_p50_ms"], 1
    )
    figures["report_one_target_ms"] = 1000
    checked = 0
    program = data["ref"]["pasi"].pk
    for agreement, report in zip(measured, reports, strict=True):
        shown = _headline(report, "eligible_clients")
        (raw,) = _rows(ELIGIBLE_IN_QUARTER, [agreement.organization_id, program, start, end])[0]
        if shown is not None:
            assert shown == raw, (agreement.pk, shown, raw)
            checked += 1
    figures["reports_checked_against_raw_count"] = checked
    figures["hidden_cells_in_one_report_avg"] = round(
        statistics.mean(r["suppression"]["hidden_cells"] for r in reports), 1
    )

    # Every organization's report for the quarter, one after the other.
    started, started_cpu = time.perf_counter(), time.thread_time()
    for agreement in agreements:
        report_figures(agreement, start, end)
    figures["report_all_seconds"] = round(time.perf_counter() - started, 2)
    figures["report_all_cpu_seconds"] = round(time.thread_time() - started_cpu, 2)
    started = time.perf_counter()
    _rows(FLOOR_ALL, [*span])
    figures["report_all_floor_seconds"] = round(time.perf_counter() - started, 2)
    figures["report_all_ratio"] = round(
        figures["report_all_seconds"] / max(figures["report_all_floor_seconds"], 0.01), 1
    )
    figures["report_all_target_seconds"] = 60

    # The files of one report.
    report = reports[len(reports) // 2]
    exports.render(report, format="pdf", language="fr-ca")  # loads WeasyPrint and the fonts
    wall, cpu, pdfs = _timed(
        lambda language: exports.render(report, format="pdf", language=language),
        ["fr-ca", "en", "fr-ca", "en", "fr-ca"][:PDF_RUNS],
    )
    from weasyprint import HTML

    floor_wall, _cpu, _r = _timed(
        lambda _i: HTML(string="<p>Rapport</p>").write_pdf(), range(PDF_RUNS)
    )
    figures["pdf_runs"] = len(wall)
    figures["pdf_p50_ms"] = round(statistics.median(wall) * 1000)
    figures["pdf_max_ms"] = round(max(wall) * 1000)
    figures["pdf_cpu_p50_ms"] = round(statistics.median(cpu) * 1000)
    figures["pdf_pages"] = len(PdfReader(io.BytesIO(pdfs[0])).pages)
    figures["pdf_bytes"] = len(pdfs[0])
    figures["pdf_floor_p50_ms"] = round(statistics.median(floor_wall) * 1000)
    figures["pdf_ratio_p50"] = round(figures["pdf_p50_ms"] / max(figures["pdf_floor_p50_ms"], 1), 1)
    figures["pdf_target_ms"] = 3000
    for file_format in ("xlsx", "csv"):
        wall, _cpu, _r = _timed(
            lambda _i, f=file_format: exports.render(report, format=f, language="fr-ca"), range(3)
        )
        figures[f"{file_format}_p50_ms"] = round(statistics.median(wall) * 1000, 1)
    figures["load_average_1min_at_end"] = round(os.getloadavg()[0], 2)
    figures["cpu_count"] = os.cpu_count()
    return figures

"""Quarterly accountability reports at city scale, against one raw GROUP BY over the same rows.

Data (in the throwaway database of `ancrage bench`): the city generator (`ancrage.demo.city`, as
`ancrage seed-demo --scale city`) at factor 1 on PostgreSQL: 100 intake organizations,
1,000,000 clients (10,000 each: immigration status, age band, gender, borough, arrival date, one
or two languages), 10,000,000 service records over three years (2023-04-01 to 2026-03-31; a fifth
of the people are asylum seekers no program covers, whose services are unfunded; the others'
services are charged to PASI (75 %), to PILI (15 %) or to nothing (10 %)), 40 activities per
organization (4 in 10 charged to PASI) with a session every other day and the attendance of the
held ones, and per organization one three-year PASI agreement (quarterly reporting) with a
target per quarter for eligible clients, services, sessions and participants, and one per year
for eligible clients. On SQLite the factor is 0.05 (`--scale` multiplies it); the figures say
which. The generator's time is part of the figures (`generate_*`); `VACUUM ANALYZE` follows on
PostgreSQL (the state autovacuum leaves tables in).

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

import io
import os
import statistics
import time
from datetime import date

from pypdf import PdfReader

from ancrage.activities.models import Attendance, Session
from ancrage.clients.models import Client, ServiceRecord
from ancrage.demo import city
from ancrage.funding.models import AgreementTarget

SQLITE_FACTOR = city.SQLITE_MAX_FACTOR
AGREEMENT = city.AGREEMENT
QUARTER = (date(2025, 10, 1), date(2025, 12, 31))  # the agreement's 11th quarter
MEASURED = 20
WARM_UP = 2
PDF_RUNS = 5
_rows = city.rows


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

    factor = (1.0 if city.pg() else SQLITE_FACTOR) * scale
    started = time.perf_counter()
    generated = city.generate(factor=factor)
    populate_seconds = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    # A table as autovacuum leaves it (hint bits set, visibility map): the first read after a
    # bulk load would otherwise write every page it touches.
    if city.pg():
        city.execute("VACUUM ANALYZE")
    analyze_seconds = round(time.perf_counter() - started, 1)

    agreements = generated.agreements
    organizations = len(generated.organizations)
    start, end = QUARTER
    span = (AGREEMENT[0], end)  # the rows a report reads: its trend starts with the agreement
    figures: dict = {
        "scale_note": f"city generator at factor {factor}"
        + ("" if city.pg() else " (SQLite; the full city is measured on PostgreSQL)"),
        "organizations": organizations,
        "clients": Client.objects.count(),
        "service_records": ServiceRecord.objects.count(),
        "sessions": Session.objects.count(),
        "attendance_rows": Attendance.objects.count(),
        "agreements": len(agreements),
        "targets": AgreementTarget.objects.count(),
        **{f"generate_{k}": v for k, v in generated.timings.items()},
        "generate_seconds": populate_seconds,
        "vacuum_analyze_seconds": analyze_seconds,
        "quarter": f"{start.isoformat()} → {end.isoformat()}",
    }
    figures["rows_read_by_one_report_avg"] = round(
        sum(row[2] for row in _rows(FLOOR_ALL, [*span])) / organizations
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
    program = generated.pasi.pk
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

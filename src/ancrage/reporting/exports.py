"""The files of an accountability report — PDF, XLSX, CSV — rendered only from its figures.

The figures are the dict of `reporting.selectors.report_figures` (schema 1, described in the
selector), frozen in `AccountabilityReport.figures` at submission. Rendering reads nothing else:
no database, no clock, no network. So the same figures give the same bytes, whenever and wherever
they are rendered: the PDF's dates and the workbook's dates (and its zip entries') are the
figures' `computed_at`. What a funder downloads a year later is what was sent.

Every count in the figures already went through `core.privacy.suppress`; a hidden one is None and
is shown "x", with the footnote saying why. Nothing here ever holds an identity.
"""

import csv
import io
import re
import zipfile
from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

FORMATS = ("pdf", "xlsx", "csv")
LANGUAGES = ("fr-ca", "en")
SCHEMA = 1
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
HIDDEN = "x"
# The footnote's words are part of the figures' contract (the funder reads them verbatim), so
# they are held in both languages here, as the figures hold their own texts.
FOOTNOTE = {
    "fr": (
        "x : donnée masquée (moins de {threshold} personnes, ou pour qu'un autre nombre "
        "masqué ne puisse pas être recalculé)"
    ),
    "en": (
        "x: hidden (fewer than {threshold} people, or so that another hidden number cannot "
        "be worked out)"
    ),
}
UNFUNDED_TABLE = "unfunded"
# A spreadsheet evaluates a cell that starts with one of these: such a text gets an apostrophe.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


# --- Entry points ------------------------------------------------------------------------------


def render(figures: Mapping[str, Any], *, format: str, language: str) -> bytes:
    """The report as a file in `format` ("pdf", "xlsx", "csv") and `language` ("fr-ca", "en")."""
    _check(figures, format, language)
    with translation.override(language):
        if format == "pdf":
            return _pdf(figures, language)
        if format == "xlsx":
            return _xlsx(figures, language)
        return _csv(figures, language)


def filename(figures: Mapping[str, Any], format: str, language: str) -> str:
    """e.g. rapport-pasi-stream-1-2026-T2-fr.pdf: ASCII, no spaces, the same for the same figures."""
    _check(figures, format, language)
    french = _fr(language)
    program = _ascii_slug(str(figures.get("program", {}).get("code", ""))) or "programme"
    stem = "rapport" if french else "report"
    return f"{stem}-{program}-{_period_slug(figures, french)}-{_base(language)}.{format}"


def document_html(figures: Mapping[str, Any], *, language: str) -> str:
    """The HTML the PDF is made from (autoescaped: names are text, never markup)."""
    _check(figures, "pdf", language)
    with translation.override(language):
        return _html(figures, language)


def _check(figures: Mapping[str, Any], format: str, language: str) -> None:
    if format not in FORMATS:
        raise ValueError(f"Unknown format {format!r}: one of {', '.join(FORMATS)}.")
    if language not in LANGUAGES:
        raise ValueError(f"Unknown language {language!r}: one of {', '.join(LANGUAGES)}.")
    if not isinstance(figures, Mapping) or figures.get("schema") != SCHEMA:
        raise ValueError(f"These are not the figures of a report (schema {SCHEMA} expected).")


# --- Words and numbers -------------------------------------------------------------------------


def _base(language: str) -> str:
    return "fr" if _fr(language) else "en"


def _fr(language: str) -> bool:
    return language.lower().startswith("fr")


def _text(pair: Any, language: str) -> str:
    """A {"fr": …, "en": …} text in the language, else the other one; a plain string as is."""
    if pair is None:
        return ""
    if isinstance(pair, str):
        return pair
    wanted = _base(language)
    for code in (wanted, "fr", "en"):
        if pair.get(code):
            return str(pair[code])
    return next((str(v) for v in pair.values() if v), "")


def _count(value: Any, language: str) -> str:
    """1 234 (fr, no-break space) / 1,234 (en); a hidden count is "x"."""
    if value is None:
        return HIDDEN
    text = f"{value:,}"
    return text.replace(",", "\u00a0") if _fr(language) else text


def _gap(value: Any, language: str) -> str:
    if value is None:
        return HIDDEN
    return ("+" if value > 0 else "") + _count(value, language)


def _share(value: Any, language: str) -> str:
    if value is None:
        return "—"
    percent = f"{round(value * 100):,}"
    return percent.replace(",", "\u00a0") + "\u00a0%" if _fr(language) else percent + "%"


def _date(value: str | None) -> str:
    return _long_date(date.fromisoformat(value)) if value else ""


def _long_date(day: date) -> str:
    """1er avril 2026 / April 1, 2026 (month names from Django's own catalogue)."""
    if not _fr(translation.get_language() or ""):
        return date_format(day, "F j, Y")
    text = date_format(day, "j F Y")
    return "1er" + text[1:] if day.day == 1 else text


def _moment(value: str, language: str) -> str:
    """5 octobre 2026, 14 h 03 / October 5, 2026, 14:03 (the local time the figures give)."""
    moment = datetime.fromisoformat(value)
    clock = f"{moment.hour} h {moment.minute:02d}" if _fr(language) else f"{moment:%H:%M}"
    return f"{_long_date(moment.date())}, {clock}"


def _footnote(figures: Mapping[str, Any], language: str) -> str:
    return FOOTNOTE[_base(language)].format(threshold=figures.get("threshold", 5))


def _metric_labels(figures: Mapping[str, Any], language: str) -> dict[str, str]:
    """Each measure's name, as the headline and the targets give it (fallback: our words)."""
    labels = {
        "clients": _("People served"),
        "eligible_clients": _("Eligible clients served"),
        "services": _("Services given"),
        "minutes": _("Minutes of service"),
        "sessions": _("Group sessions held"),
        "participants": _("Participants in group sessions"),
        "unfunded_clients": _("People served without funding"),
        "unfunded_services": _("Services given without funding"),
    }
    for entry in [*figures.get("targets", []), *figures.get("headline", [])]:
        if entry.get("label"):
            labels[entry["metric"]] = _text(entry["label"], language)
    return labels


def _trend_metrics(figures: Mapping[str, Any]) -> list[str]:
    metrics: list[str] = []
    for point in figures.get("trend", []):
        metrics += [key for key in point if key != "period" and key not in metrics]
    return metrics


def _short_period(period: Mapping[str, Any], language: str) -> str:
    """ "T2 2026-2027" out of "T2 2026-2027 (juillet à septembre 2026)"; else the first day."""
    label = _text(period.get("label"), language)
    return label.split(" (")[0] if label else str(period.get("start", ""))


# --- Tables as rows (shared by the three formats) ----------------------------------------------


def _has_totals(values: Any) -> bool:
    return isinstance(values, list) and len(values) > 0


def _margins(table: Mapping[str, Any]) -> bool:
    """Whether the table publishes totals: not when it says so ("margins": False, or no totals,
    e.g. languages, where a person counts in several rows), nor when every total is None — what
    `core.privacy.suppress(..., margins=False)` gives."""
    if table.get("margins") is False:
        return False
    totals = [*(table.get("row_totals") or []), *(table.get("column_totals") or [])]
    return any(v is not None for v in [*totals, table.get("total")])


def _table_view(table: Mapping[str, Any], language: str) -> dict[str, Any]:
    """One table with its labels in the language and its cells as counts (None = hidden)."""
    columns = [_text(c.get("label"), language) for c in table.get("columns", [])]
    margins = _margins(table)
    # One column: its row totals are the cells again.
    row_totals = table.get("row_totals") if margins and len(columns) > 1 else None
    column_totals = table.get("column_totals") if margins else None
    with_row_totals = _has_totals(row_totals)
    with_column_totals = _has_totals(column_totals)
    rows = []
    for i, row in enumerate(table.get("rows", [])):
        cells = list(table.get("cells", [])[i]) if i < len(table.get("cells", [])) else []
        rows.append(
            {
                "label": _text(row.get("label"), language),
                "cells": cells,
                "total": row_totals[i] if with_row_totals else None,
            }
        )
    totals = list(column_totals) if with_column_totals else []
    hidden = any(v is None for row in rows for v in row["cells"])
    hidden = hidden or (with_row_totals and any(r["total"] is None for r in rows))
    hidden = hidden or any(v is None for v in totals)
    if with_row_totals or with_column_totals:
        hidden = hidden or table.get("total") is None
    return {
        "key": table.get("key", ""),
        "title": _text(table.get("title"), language),
        "columns": columns,
        "rows": rows,
        "with_row_totals": with_row_totals,
        "with_column_totals": with_column_totals,
        "column_totals": totals,
        "total": table.get("total"),
        "note": _text(table.get("note"), language),
        "hidden": hidden,
    }


def _tables(figures: Mapping[str, Any], language: str) -> list[dict[str, Any]]:
    return [_table_view(t, language) for t in figures.get("tables", [])]


# --- PDF ---------------------------------------------------------------------------------------


def _no_fetch(url: str, *args: Any, **kwargs: Any) -> dict:
    # The document is self-contained: WeasyPrint never fetches anything (no file, no network).
    raise ValueError(f"External resource refused: {url[:80]}")


def _pdf(figures: Mapping[str, Any], language: str) -> bytes:
    from weasyprint import HTML  # imported on use: it takes half a second to load

    html = _html(figures, language)
    # The document's dates are in its <meta name="dcterms.*"> (computed_at, never now), and the
    # file identifier is WeasyPrint's hash of the content: same figures, same bytes.
    return HTML(string=html, url_fetcher=_no_fetch).write_pdf(pdf_identifier=True)


def _html(figures: Mapping[str, Any], language: str) -> str:
    labels = _metric_labels(figures, language)
    tables = [_pdf_table(t, language) for t in _tables(figures, language)]
    suppression = figures.get("suppression") or {}
    threshold = figures.get("threshold", suppression.get("threshold", 5))
    hidden_cells = int(suppression.get("hidden_cells") or 0)
    agreement = figures.get("agreement", {})
    period = figures.get("period", {})
    targets = [
        {
            "label": _text(t.get("label"), language) or labels.get(t["metric"], t["metric"]),
            "from": _date(t.get("target_start")),
            "to": _date(t.get("target_end")),
            "target": _count(t.get("target"), language),
            "actual": _count(t.get("actual"), language),
            "gap": _gap(t.get("gap"), language),
            "share": HIDDEN if t.get("actual") is None else _share(t.get("share"), language),
            "hidden": t.get("actual") is None or t.get("gap") is None,
        }
        for t in figures.get("targets", [])
    ]
    metrics = _trend_metrics(figures)
    trend = [
        {
            "label": _text(p["period"].get("label"), language),
            "values": [_count(p.get(m), language) for m in metrics],
        }
        for p in figures.get("trend", [])
    ]
    headline = [
        {
            "label": _text(h.get("label"), language) or labels.get(h["metric"], h["metric"]),
            "period": _count(h.get("period"), language),
            "to_date": _count(h.get("to_date"), language),
        }
        for h in figures.get("headline", [])
    ]
    program = figures.get("program", {})
    computed_at = figures.get("computed_at", "")
    context = {
        "language": "fr-CA" if _fr(language) else "en",
        "organization": figures.get("organization", {}).get("name", ""),
        "funder": figures.get("funder", {}).get("name", ""),
        "program": _text(program.get("name"), language),
        "program_code": program.get("code", ""),
        "reference": agreement.get("reference", ""),
        "agreement_from": _date(agreement.get("starts_on")),
        "agreement_to": _date(agreement.get("ends_on")),
        "period_label": _text(period.get("label"), language),
        "period_from": _date(period.get("start")),
        "period_to": _date(period.get("end")),
        "computed_at": _moment(computed_at, language) if computed_at else "",
        "computed_at_iso": computed_at,
        "headline": headline,
        "targets": targets,
        "targets_hidden": any(t["hidden"] for t in targets),
        "targets_chart": _targets_chart(figures, labels, language),
        "trend_metrics": [labels.get(m, m) for m in metrics],
        "trend": trend,
        "trend_hidden": any(HIDDEN in p["values"] for p in trend),
        "trend_chart": _trend_chart(figures, labels, metrics, language),
        "profile_tables": [t for t in tables if t["key"] != UNFUNDED_TABLE],
        "unfunded": next((t for t in tables if t["key"] == UNFUNDED_TABLE), None),
        "threshold": threshold,
        "hidden_cells": hidden_cells,
        "hidden_sentence": ngettext(
            "%(count)s number is hidden in this report.",
            "%(count)s numbers are hidden in this report.",
            hidden_cells,
        )
        % {"count": _count(hidden_cells, language)},
        "footnote": _footnote(figures, language),
    }
    return render_to_string("reporting/pdf/report.html", context)


def _pdf_table(view: dict[str, Any], language: str) -> dict[str, Any]:
    """The table's numbers as the page shows them."""
    return {
        **view,
        "rows": [
            {
                "label": row["label"],
                "cells": [_count(v, language) for v in row["cells"]],
                "total": _count(row["total"], language),
            }
            for row in view["rows"]
        ],
        "column_totals": [_count(v, language) for v in view["column_totals"]],
        "total": _count(view["total"], language),
    }


# Charts are drawn here as SVG (no plotting library): every text in them is escaped.

CHART_FONT = 'font-family="DejaVu Sans, sans-serif"'
BAR = "#2f6f8f"
TARGET = "#c7d7e0"
INK = "#222"


def _targets_chart(figures: Mapping[str, Any], labels: dict[str, str], language: str) -> SafeString:
    """Each target as a bar of its share reached, with the target's 100 % marked."""
    targets = figures.get("targets", [])
    if not targets:
        return mark_safe("")  # noqa: S308 — an empty string
    width, left, bar_width, row_height = 660, 0, 430, 40
    shares = [t["share"] for t in targets if t.get("share") is not None]
    scale = max(1.0, min(1.5, max(shares, default=1.0)))  # beyond 150 %, the bar is cut
    full = bar_width / scale
    height = row_height * len(targets) + 18
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-hidden="true" {CHART_FONT}>'
    ]
    for i, t in enumerate(targets):
        y = i * row_height
        label = _text(t.get("label"), language) or labels.get(t["metric"], t["metric"])
        parts.append(
            f'<text x="{left}" y="{y + 12}" font-size="11" fill="{INK}">{escape(label)}</text>'
        )
        parts.append(
            f'<rect x="{left}" y="{y + 17}" width="{full:.1f}" height="14" fill="{TARGET}"/>'
        )
        share = t.get("share")
        if share is not None:
            drawn = min(share, scale) * full
            parts.append(
                f'<rect x="{left}" y="{y + 17}" width="{drawn:.1f}" height="14" fill="{BAR}"/>'
            )
        parts.append(
            f'<line x1="{left + full:.1f}" y1="{y + 14}" x2="{left + full:.1f}" y2="{y + 34}" '
            f'stroke="{INK}" stroke-width="1.5"/>'
        )
        value = (
            f"{_count(t.get('actual'), language)} / {_count(t.get('target'), language)}"
            f" ({HIDDEN if t.get('actual') is None else _share(share, language)})"
        )
        parts.append(
            f'<text x="{left + bar_width + 8}" y="{y + 29}" font-size="11" fill="{INK}">'
            f"{escape(value)}</text>"
        )
    axis_y = row_height * len(targets) + 12
    parts.append(
        f'<text x="{left + full:.1f}" y="{axis_y}" font-size="9" text-anchor="middle" '
        f'fill="{INK}">{escape(_share(1.0, language))}</text>'
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 — built above, every text escaped


def _trend_chart(
    figures: Mapping[str, Any], labels: dict[str, str], metrics: list[str], language: str
) -> SafeString:
    """One small bar chart per measure (each with its own scale), a bar per period."""
    trend = figures.get("trend", [])
    if not trend or not metrics:
        return mark_safe("")  # noqa: S308 — an empty string
    panel, gap, height, top, bottom = 210, 15, 170, 34, 34
    width = panel * len(metrics) + gap * (len(metrics) - 1)
    plot = height - top - bottom
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-hidden="true" {CHART_FONT}>'
    ]
    slot = (panel - 10) / len(trend)
    bar = min(26.0, slot * 0.7)
    for k, metric in enumerate(metrics):
        x0 = k * (panel + gap)
        values = [p.get(metric) for p in trend]
        highest = max((v for v in values if v is not None), default=0) or 1
        parts.append(
            f'<text x="{x0}" y="12" font-size="11" font-weight="bold" fill="{INK}">'
            f"{escape(labels.get(metric, metric))}</text>"
        )
        base = top + plot
        parts.append(
            f'<line x1="{x0}" y1="{base}" x2="{x0 + panel}" y2="{base}" stroke="{INK}" '
            'stroke-width="1"/>'
        )
        for i, (point, value) in enumerate(zip(trend, values, strict=True)):
            cx = x0 + 5 + slot * i + slot / 2
            if value is not None:
                h = plot * value / highest
                parts.append(
                    f'<rect x="{cx - bar / 2:.1f}" y="{base - h:.1f}" width="{bar:.1f}" '
                    f'height="{h:.1f}" fill="{BAR}"/>'
                )
                y = base - h - 3
            else:
                y = base - 3
            parts.append(
                f'<text x="{cx:.1f}" y="{y:.1f}" font-size="9" text-anchor="middle" '
                f'fill="{INK}">{escape(_count(value, language))}</text>'
            )
            short = _short_period(point.get("period", {}), language)
            head, _sep, tail = short.partition(" ")
            lines = [head] if len(trend) > 8 else [head, tail]
            for j, line in enumerate(x for x in lines if x):
                parts.append(
                    f'<text x="{cx:.1f}" y="{base + 12 + 10 * j}" font-size="8" '
                    f'text-anchor="middle" fill="{INK}">{escape(line)}</text>'
                )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 — built above, every text escaped


# --- XLSX --------------------------------------------------------------------------------------


def _xlsx(figures: Mapping[str, Any], language: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.writer.excel import ExcelWriter

    bold = Font(bold=True)
    workbook = Workbook()
    moment = _computed_at(figures)
    workbook.properties.created = moment
    workbook.properties.modified = moment
    workbook.properties.creator = "Ancrage"
    workbook.properties.title = _report_title(figures, language)
    workbook.properties.language = "fr-CA" if _fr(language) else "en"
    names: set[str] = set()

    def sheet(title: str):
        name = _sheet_name(title, names)
        if len(names) == 1:  # the first: the workbook's own sheet
            workbook.active.title = name
            return workbook.active
        return workbook.create_sheet(name)

    def put(ws, row: int, column: int, value: Any, **style: Any):
        cell = ws.cell(row=row, column=column)
        _set(cell, value)
        for key, item in style.items():
            setattr(cell, key, item)
        return cell

    def heading(ws, row: int, values: list[Any]) -> None:
        for j, value in enumerate(values, start=1):
            put(ws, row, j, value, font=bold)

    # Summary: who, what, when, then the headline figures.
    ws = sheet(_("Summary"))
    for i, (key, value) in enumerate(_context_rows(figures, language), start=1):
        put(ws, i, 1, key, font=bold)
        put(ws, i, 2, value)
    row = ws.max_row + 2
    heading(ws, row, [_("Measure"), _("This period"), _("Agreement year to date")])
    for entry in _headline_rows(figures, language):
        row += 1
        for j, value in enumerate(entry, start=1):
            put(ws, row, j, value)
    ws.column_dimensions["A"].width = 40
    ws.column_dimensions["B"].width = 50
    ws.column_dimensions["C"].width = 24

    # Targets, against what was done, with the gap.
    if figures.get("targets"):
        ws = sheet(_("Targets"))
        heading(ws, 1, _target_headers())
        for i, entry in enumerate(_target_rows(figures, language), start=2):
            for j, value in enumerate(entry, start=1):
                cell = put(ws, i, j, value)
                if j in (2, 3) and isinstance(value, date):
                    cell.number_format = "yyyy-mm-dd"
                if j == 7 and isinstance(value, float):
                    cell.number_format = "0%"
        ws.column_dimensions["A"].width = 40

    # Trend over the agreement's periods.
    metrics = _trend_metrics(figures)
    if figures.get("trend"):
        labels = _metric_labels(figures, language)
        ws = sheet(_("Trend"))
        heading(ws, 1, [_("Period"), _("From"), _("To"), *[labels.get(m, m) for m in metrics]])
        for i, point in enumerate(figures["trend"], start=2):
            period = point.get("period", {})
            values = [_text(period.get("label"), language), _day(period.get("start"))]
            values += [_day(period.get("end")), *[_cell(point.get(m)) for m in metrics]]
            for j, value in enumerate(values, start=1):
                cell = put(ws, i, j, value)
                if isinstance(value, date):
                    cell.number_format = "yyyy-mm-dd"
        ws.column_dimensions["A"].width = 40

    # One sheet per table.
    for view in _tables(figures, language):
        ws = sheet(view["title"] or view["key"])
        put(ws, 1, 1, view["title"], font=bold)
        heading(ws, 3, ["", *view["columns"], *([_("Total")] if view["with_row_totals"] else [])])
        row = 3
        for entry in view["rows"]:
            row += 1
            values = [entry["label"], *[_cell(v) for v in entry["cells"]]]
            if view["with_row_totals"]:
                values.append(_cell(entry["total"]))
            for j, value in enumerate(values, start=1):
                put(ws, row, j, value)
        if view["with_column_totals"]:
            row += 1
            values = [_("Total"), *[_cell(v) for v in view["column_totals"]]]
            if view["with_row_totals"]:
                values.append(_cell(view["total"]))
            for j, value in enumerate(values, start=1):
                put(ws, row, j, value, font=bold)
        if view["note"]:
            row += 2
            put(ws, row, 1, view["note"])
        if view["hidden"]:
            row += 1 if view["note"] else 2
            put(ws, row, 1, _footnote(figures, language))
        ws.column_dimensions["A"].width = 40

    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        ExcelWriter(workbook, zipped).write_data()  # not save(): it would date the file "now"
    return _dated_zip(archive.getvalue(), moment)


def _set(cell: Any, value: Any) -> None:
    """A text is always a text: openpyxl would take "=…" for a formula."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, str):
        cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell.data_type = "s"
    else:
        cell.value = value


def _cell(value: Any) -> Any:
    return HIDDEN if value is None else value


def _day(value: str | None) -> date | str:
    return date.fromisoformat(value) if value else ""


def _computed_at(figures: Mapping[str, Any]) -> datetime:
    """computed_at as naive UTC (what openpyxl's and zip's dates hold)."""
    value = figures.get("computed_at") or "1980-01-01T00:00:00+00:00"
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.replace(microsecond=0)


def _dated_zip(data: bytes, moment: datetime) -> bytes:
    """The same archive with every entry dated `moment` (zip would write the clock's time)."""
    stamp = (max(moment.year, 1980), *moment.timetuple()[1:6])
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()


def _sheet_name(title: str, taken: set[str]) -> str:
    """A worksheet name: ≤ 31 characters, none of []:*?/\\, unique."""
    name = re.sub(r"[\[\]:*?/\\]", " ", title).strip().strip("'") or "Sheet"
    name = name[:31]
    candidate, n = name, 2
    while candidate.lower() in {t.lower() for t in taken}:
        suffix = f" ({n})"
        candidate = name[: 31 - len(suffix)] + suffix
        n += 1
    taken.add(candidate)
    return candidate


# --- Rows shared by XLSX and CSV ---------------------------------------------------------------


def _report_title(figures: Mapping[str, Any], language: str) -> str:
    return (
        _("Accountability report") + " — " + _text(figures.get("program", {}).get("name"), language)
    )


def _context_rows(figures: Mapping[str, Any], language: str) -> list[tuple[str, Any]]:
    agreement = figures.get("agreement", {})
    period = figures.get("period", {})
    suppression = figures.get("suppression") or {}
    return [
        (_("Report"), _report_title(figures, language)),
        (_("Organization"), figures.get("organization", {}).get("name", "")),
        (_("Funder"), figures.get("funder", {}).get("name", "")),
        (_("Program"), _text(figures.get("program", {}).get("name"), language)),
        (_("Agreement"), agreement.get("reference", "")),
        (_("Agreement from"), agreement.get("starts_on", "")),
        (_("Agreement to"), agreement.get("ends_on", "")),
        (_("Period"), _text(period.get("label"), language)),
        (_("Period from"), period.get("start", "")),
        (_("Period to"), period.get("end", "")),
        (_("Smallest count shown"), figures.get("threshold", suppression.get("threshold", 5))),
        (_("Numbers hidden"), int(suppression.get("hidden_cells") or 0)),
        (_("Computed at"), figures.get("computed_at", "")),
        (HIDDEN, _footnote(figures, language)),
    ]


def _headline_rows(figures: Mapping[str, Any], language: str) -> list[list[Any]]:
    labels = _metric_labels(figures, language)
    return [
        [
            _text(h.get("label"), language) or labels.get(h["metric"], h["metric"]),
            _cell(h.get("period")),
            _cell(h.get("to_date")),
        ]
        for h in figures.get("headline", [])
    ]


def _target_headers() -> list[str]:
    return [_("Measure"), _("From"), _("To"), _("Target"), _("Actual"), _("Gap"), _("Share")]


def _target_rows(figures: Mapping[str, Any], language: str) -> list[list[Any]]:
    labels = _metric_labels(figures, language)
    return [
        [
            _text(t.get("label"), language) or labels.get(t["metric"], t["metric"]),
            _day(t.get("target_start")),
            _day(t.get("target_end")),
            _cell(t.get("target")),
            _cell(t.get("actual")),
            _cell(t.get("gap")),
            HIDDEN if t.get("share") is None and t.get("actual") is None else t.get("share"),
        ]
        for t in figures.get("targets", [])
    ]


# --- CSV ---------------------------------------------------------------------------------------


def _csv(figures: Mapping[str, Any], language: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_("table"), _("row"), _("column"), _("value")])
    for record in _long_rows(figures, language):
        writer.writerow([_safe(v) for v in record])
    # The byte order mark tells Excel (as set up in Québec) that the file is UTF-8.
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _safe(value: Any) -> Any:
    """A text a spreadsheet would evaluate gets a leading apostrophe; numbers stay numbers."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".")
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _long_rows(figures: Mapping[str, Any], language: str) -> Iterator[tuple[str, str, str, Any]]:
    """(table, row, column, value): every figure of the report on its own line."""
    report = _("Report")
    for key, value in _context_rows(figures, language):
        yield report, key, "", value
    headline = _("Headline figures")
    for label, period, to_date in _headline_rows(figures, language):
        yield headline, label, _("This period"), period
        yield headline, label, _("Agreement year to date"), to_date
    headers = _target_headers()
    targets = _("Targets")
    for entry in _target_rows(figures, language):
        for header, value in zip(headers[1:], entry[1:], strict=True):
            yield targets, entry[0], header, value.isoformat() if isinstance(value, date) else value
    labels = _metric_labels(figures, language)
    trend = _("Trend")
    for point in figures.get("trend", []):
        label = _text(point.get("period", {}).get("label"), language)
        for metric in _trend_metrics(figures):
            yield trend, label, labels.get(metric, metric), _cell(point.get(metric))
    for view in _tables(figures, language):
        for entry in view["rows"]:
            for column, value in zip(view["columns"], entry["cells"], strict=False):
                yield view["title"], entry["label"], column, _cell(value)
            if view["with_row_totals"]:
                yield view["title"], entry["label"], _("Total"), _cell(entry["total"])
        if view["with_column_totals"]:
            for column, value in zip(view["columns"], view["column_totals"], strict=False):
                yield view["title"], _("Total"), column, _cell(value)
        if view["with_row_totals"] or view["with_column_totals"]:
            yield view["title"], _("Total"), _("Total"), _cell(view["total"])


# --- File names --------------------------------------------------------------------------------


def _ascii_slug(text: str) -> str:
    from django.utils.text import slugify

    return re.sub(r"[^a-z0-9-]", "", slugify(text).encode("ascii", "ignore").decode())


def _period_slug(figures: Mapping[str, Any], french: bool) -> str:
    """2026-T2 (fr) / 2026-Q2 (en) for a quarter of the agreement year, 2026-2027 for a year,
    else the two dates."""
    period = figures.get("period", {})
    start, end = period.get("start"), period.get("end")
    if not start or not end:
        return "periode" if french else "period"
    first, last = date.fromisoformat(start), date.fromisoformat(end)
    starts_on = figures.get("agreement", {}).get("starts_on")
    origin = date.fromisoformat(starts_on) if starts_on else date(first.year, 4, 1)
    offset = (first.year - origin.year) * 12 + first.month - origin.month
    for months, kind in ((3, "quarter"), (12, "year")):
        aligned = first.day == origin.day == 1 and offset >= 0 and offset % months == 0
        if aligned and _months_after(first, months) == last.toordinal() + 1:
            year = origin.year + offset // 12
            if kind == "year":
                return f"{year}-{year + 1}"
            quarter = (offset % 12) // 3 + 1
            return f"{year}-{'T' if french else 'Q'}{quarter}"
    return f"{first.isoformat()}-{last.isoformat()}"


def _months_after(day: date, months: int) -> int:
    """The ordinal of the first day `months` months after `day` (a first of the month)."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1).toordinal()

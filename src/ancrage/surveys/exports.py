"""A survey's results and its anonymous answers as CSV and XLSX files.

The results are those of `results.survey_results`: every count already went through
`core.privacy.suppress`, a hidden one is written "x" with the footnote saying why. The answers
are those of `results.raw_answers` (one line per response, no link to a person), for staff who
may read free text. A text cell that a spreadsheet would run as a formula (it starts with
= + - @, a tab or a carriage return) gets a leading apostrophe; CSV files start with a UTF-8
byte-order mark so that spreadsheet programs read the accents right.
"""

import csv
import io
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from ancrage.surveys.results import RawAnswers, ResultTable, SurveyResults

HIDDEN = "x"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FORMATS = tuple(CONTENT_TYPES)


def safe(value: Any) -> Any:
    """Text that a spreadsheet would evaluate is kept as text; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _count(value: int | None) -> int | str:
    return HIDDEN if value is None else value


def footnote(threshold: int) -> str:
    return _(
        "x: hidden (fewer than %(threshold)s answers, or so that another hidden number cannot "
        "be worked out)."
    ) % {"threshold": threshold}


def score_label() -> str:
    return _("Recommendation score (percentage of promoters minus percentage of detractors)")


def _table_lines(title: str, heading: str, table: ResultTable) -> list[list[Any]]:
    totals = table.has_totals and table.broken_down
    lines: list[list[Any]] = [
        [title],
        [heading, *(label for _key, label in table.columns), *([_("Total")] if totals else [])],
    ]
    for row in table.rows:
        lines.append([row.label, *map(_count, row.cells), *([_count(row.total)] if totals else [])])
    if table.has_totals:
        lines.append(
            [
                _("Total"),
                *map(_count, table.column_totals),
                *([_count(table.total)] if totals else []),
            ]
        )
    return lines


def result_lines(results: SurveyResults) -> list[list[Any]]:
    """The results as lines of cells, the same for both formats."""
    lines: list[list[Any]] = [
        [_("Results of the survey: %(name)s") % {"name": results.survey}],
        [_("Answers kept"), results.filters_text],
        [_("Responses"), _count(results.response_count)],
        [footnote(results.threshold)],
        [],
        *_table_lines(_("Responses by language"), _("Language"), results.responses),
    ]
    for number, item in enumerate(results.questions, start=1):
        lines.append([])
        title = f"{number}. {item.text}"
        if item.table is not None:
            lines += _table_lines(title, _("Answer"), item.table)
        else:
            lines.append([title])
        if item.respondents is not None:
            lines += _table_lines(_("People who answered"), "", item.respondents)[1:]
        if item.mean:
            lines.append([_("Mean"), item.mean])
            lines.append([_("Median"), item.median])
        if item.score:
            lines.append([score_label(), item.score])
        if item.stats_note:
            lines.append([item.stats_note])
    return lines


def answer_lines(answers: RawAnswers) -> list[list[Any]]:
    heading = [_("Response"), _("Language"), _("Channel"), _("Day")]
    heading += [f"{question.name}: {question.text}" for question in answers.questions]
    return [heading, *answers.lines]


def to_csv(lines: Iterable[list[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for line in lines:
        writer.writerow([safe(value) for value in line])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(lines: Iterable[list[Any]], *, title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "".join(" " if c in "[]:*?/\\" else c for c in title)[:31].strip() or "Sheet"
    for line in lines:
        # openpyxl reads a string starting with "=" as a formula: the apostrophe keeps it text.
        sheet.append([safe(value) for value in line])
    sheet["A1"].font = Font(bold=True)
    sheet.column_dimensions["A"].width = 50
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def results_file(results: SurveyResults, format: str) -> bytes:
    lines = result_lines(results)
    return to_csv(lines) if format == "csv" else to_xlsx(lines, title=_("Results"))


def answers_file(answers: RawAnswers, format: str) -> bytes:
    lines = answer_lines(answers)
    return to_csv(lines) if format == "csv" else to_xlsx(lines, title=_("Answers"))


def filename(results_or_answers: str, survey_pk: int, format: str) -> str:
    stem = "survey-results" if results_or_answers == "results" else "survey-answers"
    return f"{stem}-{survey_pk}.{format}"

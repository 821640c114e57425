"""What a survey's respondents said, as staff and the annual report may read it.

Every count leaves through `core.privacy.suppress` with the survey's `small_cell_threshold`: a
question's answers per choice × language (or × month, × quarter) are one table, with its totals
when one person is counted once (one choice, a scale, 0–10, a number); a multiple-choice table
has no totals (a person ticks several) and its number of respondents is a table of its own. A
hidden count is `None` here and "x" on the pages and in the files.

Figures computed from the answers follow the counts they come from: the mean and median of a
scale or of 0–10 are shown only when none of the question's counts per answer is hidden (they
would let a reader work them out), the recommendation score only when the three groups are
shown, the mean and median of a number only when the number of answers is shown.

Rows are read through `core.tenancy.scoped`: `surveys.manage` for the results,
`surveys.free_text` for what people wrote in their own words (each reading is audited), and
`reporting.view` for the annual report's highlights.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NamedTuple

from django.conf import settings
from django.db.models import Case, CharField, Count, Max, Min, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from ancrage.core import tenancy
from ancrage.core.audit import audit_record
from ancrage.core.models import Language
from ancrage.core.privacy import DEFAULT_THRESHOLD, suppress
from ancrage.core.translated import base_language, pick
from ancrage.network.models import Organization
from ancrage.surveys.models import (
    Answer,
    Question,
    QuestionKind,
    Survey,
    SurveyAction,
    SurveyResponse,
)

ALL = "all"  # the one column of a table that is not broken down
BY_LANGUAGE = "language"
BY_MONTH = "month"
BY_QUARTER = "quarter"
BREAKDOWNS = [
    ("", gettext_lazy("All answers together")),
    (BY_LANGUAGE, gettext_lazy("By language")),
    (BY_MONTH, gettext_lazy("By month")),
    (BY_QUARTER, gettext_lazy("By quarter")),
]
# Rows of the recommendation question: the usual groups of the 0–10 scale.
DETRACTORS, PASSIVES, PROMOTERS = "detractors", "passives", "promoters"
RECOMMEND_GROUPS = [
    (DETRACTORS, gettext_lazy("0 to 6 (would not recommend)"), range(0, 7)),
    (PASSIVES, gettext_lazy("7 or 8"), range(7, 9)),
    (PROMOTERS, gettext_lazy("9 or 10 (would recommend)"), range(9, 11)),
]
LIKERT_LABELS = {
    1: gettext_lazy("Strongly disagree"),
    2: gettext_lazy("Disagree"),
    3: gettext_lazy("Neither agree nor disagree"),
    4: gettext_lazy("Agree"),
    5: gettext_lazy("Strongly agree"),
}
ANSWERED = "answered"
RESPONDENTS = "respondents"
# Periods offered in the filters: at most ten years of months.
MAX_PERIODS = 120
FREE_TEXT_SHOWN = 500
HIGHLIGHTS_MAX = 5


# --- Periods: a month "2026-05" or a quarter "2026-Q2" --------------------------------------------


def month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def quarter_key(day: date) -> str:
    return f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}"


def period_bounds(key: str) -> tuple[date, date]:
    """First day and the day after the last of a month or quarter key; ValueError if malformed."""
    if not isinstance(key, str) or len(key) not in (7,):
        raise ValueError(key)
    year_text, sep, rest = key.partition("-")
    if sep != "-" or not year_text.isdigit() or len(year_text) != 4:
        raise ValueError(key)
    year = int(year_text)
    if not 2000 <= year <= 2100:
        raise ValueError(key)
    if rest.startswith("Q") and rest[1:].isdigit() and 1 <= int(rest[1:]) <= 4:
        first_month = (int(rest[1:]) - 1) * 3 + 1
        start = date(year, first_month, 1)
        end = date(year + 1, 1, 1) if first_month == 10 else date(year, first_month + 3, 1)
        return start, end
    if rest.isdigit() and len(rest) == 2 and 1 <= int(rest) <= 12:
        month = int(rest)
        start = date(year, month, 1)
        return start, date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    raise ValueError(key)


def period_label(key: str) -> str:
    start, _end = period_bounds(key)
    if "Q" in key:
        return _("Q%(quarter)s %(year)s") % {"quarter": key[-1], "year": start.year}
    return date_format(start, "YEAR_MONTH_FORMAT")


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _months_between(first: date, last: date) -> list[date]:
    months, day = [], date(first.year, first.month, 1)
    while day <= last and len(months) < MAX_PERIODS:
        months.append(day)
        day = date(day.year + 1, 1, 1) if day.month == 12 else date(day.year, day.month + 1, 1)
    return months


# --- Languages -------------------------------------------------------------------------------------


def language_names(codes: Iterable[str]) -> dict[str, str]:
    """Code → name in the reader's language (the reference list), else as its speakers write it."""
    codes = [code for code in codes if code]
    public = {base_language(code): name for code, name in settings.LANGUAGES}
    known = {
        item.code: item.name
        for item in Language.objects.filter(code__in={base_language(c) for c in codes})
    }
    return {
        code: known.get(base_language(code)) or public.get(base_language(code)) or code
        for code in codes
    }


def _language_order(code: str) -> tuple[int, str]:
    order = [base_language(c) for c, _name in settings.LANGUAGES]
    base = base_language(code)
    return (order.index(base) if base in order else len(order), code)


# --- Filters ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResultFilters:
    """Which responses (one language, one month or quarter) and the columns of the tables."""

    language: str = ""
    period: str = ""
    columns: str = ""

    def response_q(self, prefix: str = "") -> Q:
        condition = Q()
        if self.language:
            condition &= Q(**{f"{prefix}language": self.language})
        if self.period:
            start, end = period_bounds(self.period)
            condition &= Q(
                **{
                    f"{prefix}submitted_at__gte": _aware(start),
                    f"{prefix}submitted_at__lt": _aware(end),
                }
            )
        return condition

    def describe(self, names: Mapping[str, str]) -> str:
        parts = [
            names.get(self.language, self.language) if self.language else _("all languages"),
            period_label(self.period) if self.period else _("all periods"),
        ]
        return ", ".join(parts)


@dataclass(frozen=True)
class FilterChoices:
    languages: list[tuple[str, str]]
    periods: list[tuple[str, str]]


def filter_choices(*, user: Any, survey: Survey) -> FilterChoices:
    """The languages answered in and the months and quarters with answers, to choose from."""
    responses = tenancy.scoped(SurveyResponse, user, tenancy.MANAGE_SURVEYS).filter(survey=survey)
    codes = set(responses.order_by().values_list("language", flat=True).distinct())
    codes |= {c for c in survey.questionnaire.languages or [] if isinstance(c, str)}
    names = language_names(codes)
    languages = sorted(names.items(), key=lambda pair: _language_order(pair[0]))
    span = responses.aggregate(first=Min("submitted_at"), last=Max("submitted_at"))
    periods: list[tuple[str, str]] = []
    if span["first"] is not None:
        months = _months_between(
            timezone.localdate(span["first"]), timezone.localdate(span["last"])
        )
        quarters = list(dict.fromkeys(quarter_key(m) for m in months))
        periods = [(q, period_label(q)) for q in quarters] + [
            (month_key(m), period_label(month_key(m))) for m in months
        ]
    return FilterChoices(languages=languages, periods=periods)


# --- Suppressed tables -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ResultRow:
    key: str
    label: str
    cells: tuple[int | None, ...]
    total: int | None  # None: hidden, or not published (no margins)


CHART_WIDTH = 600


@dataclass(frozen=True)
class Bar:
    label: str
    count: int | None
    length: int  # in a chart CHART_WIDTH wide: the longest bar fills it


@dataclass(frozen=True)
class ResultTable:
    """One table as published: a hidden count is None."""

    key: str
    columns: tuple[tuple[str, str], ...]  # (key, label)
    rows: tuple[ResultRow, ...]
    column_totals: tuple[int | None, ...]
    total: int | None
    has_totals: bool
    threshold: int

    @property
    def broken_down(self) -> bool:
        return len(self.columns) > 1

    @property
    def totals_column(self) -> bool:
        """A column of row totals: only when there are several columns to add up."""
        return self.has_totals and self.broken_down

    @property
    def any_hidden(self) -> bool:
        cells_hidden = any(None in row.cells for row in self.rows)
        totals_hidden = self.has_totals and (
            self.total is None
            or None in self.column_totals
            or any(row.total is None for row in self.rows)
        )
        return cells_hidden or totals_hidden

    def row(self, key: str) -> ResultRow:
        return next(row for row in self.rows if row.key == key)

    def shown_total(self, key: str) -> int | None:
        """The row's figure over every column, when it is published (or a sum of shown cells)."""
        row = self.row(key)
        if self.has_totals:
            return row.total
        if None in row.cells:
            return None
        return sum(row.cells)  # type: ignore[arg-type]

    def bars(self) -> list[Bar]:
        values = [(row.label, self.shown_total(row.key)) for row in self.rows]
        longest = max((v for _label, v in values if v), default=0)
        return [
            Bar(
                label,
                value,
                max(2, round(CHART_WIDTH * value / longest)) if value and longest else 0,
            )
            for label, value in values
        ]


def _table(
    key: str,
    counts: Mapping[tuple[str, str], int],
    rows: Sequence[tuple[str, str]],
    columns: Sequence[tuple[str, str]],
    *,
    threshold: int,
    margins: bool,
) -> ResultTable:
    row_keys = [k for k, _label in rows]
    column_keys = [k for k, _label in columns]
    published = suppress(
        {cell: n for cell, n in counts.items() if n},
        rows=row_keys,
        columns=column_keys,
        threshold=threshold,
        margins=margins,
    )
    return ResultTable(
        key=key,
        columns=tuple((k, str(label)) for k, label in columns),
        rows=tuple(
            ResultRow(
                k,
                str(label),
                tuple(published.cell(k, c) for c in column_keys),
                published.row_total(k) if margins else None,
            )
            for k, label in rows
        ),
        column_totals=tuple(published.column_total(c) for c in column_keys)
        if margins
        else tuple(None for _c in column_keys),
        total=published.total if margins else None,
        has_totals=margins,
        threshold=threshold,
    )


# --- Results of one survey -------------------------------------------------------------------------


@dataclass
class QuestionResult:
    question: Question
    text: str
    kind: str
    table: ResultTable | None
    respondents: ResultTable | None = None  # multiple choice: people who answered
    mean: str = ""
    median: str = ""
    score: str = ""  # recommendation: % promoters − % detractors, when shown
    stats_note: str = ""
    text_count: int | None = None  # free text: written answers, through suppress
    chart: list[Bar] = field(default_factory=list)

    @property
    def is_text(self) -> bool:
        return self.kind == QuestionKind.TEXT


@dataclass
class SurveyResults:
    survey: Survey
    filters: ResultFilters
    threshold: int
    responses: ResultTable  # responses per language (× columns); its total is their number
    questions: list[QuestionResult]
    language_names: dict[str, str]
    may_read_text: bool = False

    @property
    def response_count(self) -> int | None:
        return self.responses.total

    @property
    def any_hidden(self) -> bool:
        tables = [self.responses]
        for item in self.questions:
            tables += [t for t in (item.table, item.respondents) if t is not None]
        return any(t.any_hidden for t in tables) or any(
            item.is_text and item.text_count is None for item in self.questions
        )

    @property
    def filters_text(self) -> str:
        return self.filters.describe(self.language_names)


def _periods_of(responses: QuerySet, filters: ResultFilters) -> list[tuple[str, date, date]]:
    """The months or quarters (key, first day, day after) that the kept responses fall in."""
    span = responses.aggregate(first=Min("submitted_at"), last=Max("submitted_at"))
    if span["first"] is None:
        return []
    months = _months_between(timezone.localdate(span["first"]), timezone.localdate(span["last"]))
    key = month_key if filters.columns == BY_MONTH else quarter_key
    keys = list(dict.fromkeys(key(m) for m in months))
    return [(k, *period_bounds(k)) for k in keys]


def _period_case(periods: list[tuple[str, date, date]], field: str) -> Case:
    """The period of each row as comparisons of the timestamp with the periods' bounds in
    Montréal time: the same on both databases, and no time zone function per row on SQLite."""
    return Case(
        *(
            When(**{f"{field}__gte": _aware(start), f"{field}__lt": _aware(end)}, then=Value(k))
            for k, start, end in periods
        ),
        default=Value(""),
        output_field=CharField(),
    )


def _grouped(
    rows: QuerySet,
    filters: ResultFilters,
    prefix: str,
    fields: Sequence[str],
    periods: list[tuple[str, date, date]],
    **aggregates: Any,
) -> list[dict[str, Any]]:
    """GROUP BY `fields` and what the columns need (the language, the month or quarter)."""
    extra: dict[str, Any] = {}
    names = list(fields)
    if filters.columns == BY_LANGUAGE and f"{prefix}language" not in names:
        names.append(f"{prefix}language")
    elif filters.columns in (BY_MONTH, BY_QUARTER):
        extra["period"] = _period_case(periods, f"{prefix}submitted_at")
    found = []
    for row in rows.order_by().values(*names, **extra).annotate(**aggregates):
        if filters.columns == BY_LANGUAGE:
            row["column"] = row[f"{prefix}language"]
        elif filters.columns in (BY_MONTH, BY_QUARTER):
            if not row["period"]:  # beyond the ten years of periods a page shows
                continue
            row["column"] = row["period"]
        else:
            row["column"] = ALL
        found.append(row)
    return found


def _columns(
    filters: ResultFilters, present: Iterable[str], names: Mapping[str, str]
) -> list[tuple[str, str]]:
    keys = sorted(set(present))
    if filters.columns == BY_LANGUAGE and keys:
        return [(k, names.get(k, k)) for k in sorted(keys, key=_language_order)]
    if filters.columns in (BY_MONTH, BY_QUARTER) and keys:
        return [(k, period_label(k)) for k in keys]
    return [(ALL, _("Answers"))]


def _scale_points(question: Question) -> list[int] | None:
    """The points of a scale: 1 to 5 for agreement, 0 to 10 for a recommendation (as asked)."""
    if question.kind == QuestionKind.RECOMMEND:
        return list(range(0, 11))
    if question.kind == QuestionKind.LIKERT:
        return list(range(1, 6))
    return None


def _likert_label(value: int, choice_labels: Mapping[str, str]) -> str:
    return choice_labels.get(str(value)) or f"{value} – {LIKERT_LABELS[value]}"


def _decimal(value: Decimal) -> str:
    value = value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    places = 0 if value == value.to_integral_value() else 1
    return number_format(value, places, force_grouping=True)


def _mean_median(distribution: Mapping[int, int]) -> tuple[str, str]:
    total = sum(distribution.values())
    if not total:
        return "", ""
    mean = Decimal(sum(v * n for v, n in distribution.items())) / Decimal(total)
    ordered = sorted(distribution.items())

    def nth(position: int) -> int:
        seen = 0
        for value, n in ordered:
            seen += n
            if position < seen:
                return value
        return ordered[-1][0]

    middle = (Decimal(nth((total - 1) // 2)) + Decimal(nth(total // 2))) / 2
    return _decimal(mean), _decimal(middle)


def _stats_hidden_note() -> str:
    return _(
        "The mean and the median are not shown: a count of this question is hidden, and they "
        "would let it be worked out."
    )


def survey_results(
    *, user: Any, survey: Survey, filters: ResultFilters = ResultFilters()
) -> SurveyResults:
    """Every question's results for the responses the filters keep, through `suppress`."""
    threshold = survey.small_cell_threshold or DEFAULT_THRESHOLD
    responses = (
        tenancy.scoped(SurveyResponse, user, tenancy.MANAGE_SURVEYS)
        .filter(survey=survey)
        .filter(filters.response_q())
    )
    answers = (
        tenancy.scoped(Answer, user, tenancy.MANAGE_SURVEYS)
        .filter(response__survey=survey)
        .filter(filters.response_q("response__"))
    )
    periods = _periods_of(responses, filters) if filters.columns in (BY_MONTH, BY_QUARTER) else []
    by_response = _grouped(responses, filters, "", ["language"], periods, n=Count("pk"))
    codes = {row["language"] for row in by_response}
    if filters.language:
        codes.add(filters.language)
    names = language_names(codes)
    columns = _columns(filters, (row["column"] for row in by_response), names)
    column_keys = {k for k, _label in columns}

    response_counts: dict[tuple[str, str], int] = defaultdict(int)
    for row in by_response:
        response_counts[(row["language"], row["column"])] += row["n"]
    language_rows = [(code, names[code]) for code in sorted(codes, key=_language_order)]
    responses_table = _table(
        "responses", response_counts, language_rows, columns, threshold=threshold, margins=True
    )

    # One GROUP BY for the counts of every question, one for the people who answered each.
    counts = _grouped(
        answers,
        filters,
        "response__",
        ["question_id", "choice_id", "number"],
        periods,
        n=Count("pk"),
        written=Count("pk", filter=~Q(text="")),
    )
    answered = _grouped(
        answers,
        filters,
        "response__",
        ["question_id"],
        periods,
        n=Count("response_id", distinct=True),
    )
    answered_by: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in answered:
        answered_by[row["question_id"]][row["column"]] += row["n"]
    counts_by: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in counts:
        if row["column"] in column_keys:
            counts_by[row["question_id"]].append(row)

    questions = list(
        survey.questionnaire.questions.prefetch_related("choices").order_by("position")
    )
    results = [
        _question_result(
            question,
            counts_by.get(question.pk, []),
            answered_by.get(question.pk, {}),
            columns,
            threshold,
        )
        for question in questions
    ]
    return SurveyResults(
        survey=survey,
        filters=filters,
        threshold=threshold,
        responses=responses_table,
        questions=results,
        language_names=names,
        may_read_text=tenancy.has_capability(user, tenancy.READ_FREE_TEXT, survey.organization_id),
    )


def _question_result(
    question: Question,
    rows: list[dict[str, Any]],
    answered: Mapping[str, int],
    columns: list[tuple[str, str]],
    threshold: int,
) -> QuestionResult:
    kind = question.kind
    result = QuestionResult(question=question, text=question.text, kind=kind, table=None)
    choices = list(question.choices.all())
    choice_labels = {c.value: c.label for c in choices}
    value_of_choice = {c.pk: int(c.value) for c in choices if c.value.lstrip("-").isdigit()}
    cells: dict[tuple[str, str], int] = defaultdict(int)
    distribution: dict[int, int] = defaultdict(int)
    points = (
        _scale_points(question) if kind in (QuestionKind.LIKERT, QuestionKind.RECOMMEND) else None
    )

    for row in rows:
        column, n = row["column"], row["n"]
        number = row["number"]
        if number is None and row["choice_id"] in value_of_choice and points is not None:
            number = value_of_choice[row["choice_id"]]  # a scale recorded as its choices
        if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            if row["choice_id"] is not None:
                cells[(str(row["choice_id"]), column)] += n
        elif kind == QuestionKind.TEXT:
            cells[(ANSWERED, column)] += row["written"]
        elif number is not None:
            distribution[number] += n
            if kind == QuestionKind.RECOMMEND:
                group = next((key for key, _l, span in RECOMMEND_GROUPS if number in span), None)
                if group:
                    cells[(group, column)] += n
            elif points is not None and kind == QuestionKind.LIKERT:
                if number in points:
                    cells[(str(number), column)] += n
            else:
                cells[(ANSWERED, column)] += n

    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        table_rows = [(str(c.pk), c.label) for c in choices]
        multiple = kind == QuestionKind.MULTIPLE
        result.table = _table(
            f"q{question.pk}", cells, table_rows, columns, threshold=threshold, margins=not multiple
        )
        if multiple:
            result.respondents = _table(
                f"q{question.pk}-people",
                {(RESPONDENTS, c): n for c, n in answered.items() if c in dict(columns)},
                [(RESPONDENTS, _("People who answered"))],
                columns,
                threshold=threshold,
                margins=True,
            )
    elif kind == QuestionKind.RECOMMEND:
        result.table = _table(
            f"q{question.pk}",
            cells,
            [(key, label) for key, label, _span in RECOMMEND_GROUPS],
            columns,
            threshold=threshold,
            margins=True,
        )
        _scale_figures(result, distribution)
        groups = {key: result.table.row(key).total for key, _l, _s in RECOMMEND_GROUPS}
        if None not in groups.values() and result.table.total:
            score = round(
                Decimal(100 * (groups[PROMOTERS] - groups[DETRACTORS]))  # type: ignore[operator]
                / Decimal(result.table.total)
            )
            result.score = f"{'+' if score > 0 else '−' if score < 0 else ''}{abs(score)}"
    elif kind == QuestionKind.LIKERT and points is not None:
        result.table = _table(
            f"q{question.pk}",
            cells,
            [(str(v), _likert_label(v, choice_labels)) for v in points],
            columns,
            threshold=threshold,
            margins=True,
        )
        _scale_figures(result, distribution)
    else:
        label = _("Written answers") if kind == QuestionKind.TEXT else _("Answers")
        result.table = _table(
            f"q{question.pk}",
            cells,
            [(ANSWERED, label)],
            columns,
            threshold=threshold,
            margins=True,
        )
        if kind == QuestionKind.TEXT:
            result.text_count = result.table.total
        elif result.table.total:
            result.mean, result.median = _mean_median(distribution)
    if result.table is not None and kind in (
        QuestionKind.SINGLE,
        QuestionKind.MULTIPLE,
        QuestionKind.LIKERT,
        QuestionKind.RECOMMEND,
    ):
        bars = result.table.bars()
        if any(bar.count != 0 for bar in bars):  # no chart of nothing
            result.chart = bars
    return result


def _scale_figures(result: QuestionResult, distribution: Mapping[int, int]) -> None:
    table = result.table
    assert table is not None
    if not table.total:
        return
    if any(row.total is None for row in table.rows):
        result.stats_note = _stats_hidden_note()
        return
    result.mean, result.median = _mean_median(distribution)


# --- Free text: authorized staff only, every reading audited ---------------------------------------


@dataclass(frozen=True)
class WrittenAnswer:
    question_id: int
    language: str
    text: str


def free_text_answers(
    *,
    user: Any,
    survey: Survey,
    filters: ResultFilters = ResultFilters(),
    limit: int | None = FREE_TEXT_SHOWN,
    reason: str = "results page",
) -> dict[int, list[WrittenAnswer]]:
    """What people wrote, per question (newest first); empty for anyone without
    `surveys.free_text` in the survey's organization. Audited when anything is read."""
    rows = (
        tenancy.scoped(Answer, user, tenancy.READ_FREE_TEXT)
        .filter(response__survey=survey, question__kind=QuestionKind.TEXT)
        .filter(filters.response_q("response__"))
        .exclude(text="")
        .order_by("question__position", "-response__submitted_at", "-pk")
        .values_list("question_id", "response__language", "text")
    )
    found: dict[int, list[WrittenAnswer]] = defaultdict(list)
    read = 0
    for question_id, language, text in rows.iterator():
        if limit is not None and len(found[question_id]) >= limit:
            continue
        found[question_id].append(WrittenAnswer(question_id, language, text))
        read += 1
    if read:
        audit_record(
            actor=user,
            action="view",
            target=survey,
            organization_id=survey.organization_id,
            reason=f"free-text answers: {reason}",
            details={"answers": read, "language": filters.language, "period": filters.period},
        )
    return dict(found)


# --- Raw anonymous answers (for the export) --------------------------------------------------------


@dataclass(frozen=True)
class RawAnswers:
    questions: list[Question]
    # One line per response: number, language, channel, day, then one value per question.
    lines: list[list[Any]]


def raw_answers(
    *, user: Any, survey: Survey, filters: ResultFilters = ResultFilters()
) -> RawAnswers:
    """Every response the filters keep, one line each, without any link to a person (no id, no
    client, the day only). Read with `surveys.free_text`: the lines hold what people wrote."""
    questions = list(
        survey.questionnaire.questions.prefetch_related("choices").order_by("position")
    )
    responses = list(
        tenancy.scoped(SurveyResponse, user, tenancy.READ_FREE_TEXT)
        .filter(survey=survey)
        .filter(filters.response_q())
        .order_by("submitted_at", "pk")
        .values_list("pk", "language", "channel", "submitted_at")
    )
    labels = {c.pk: c.label for q in questions for c in q.choices.all()}
    values: dict[tuple[int, int], list[Any]] = defaultdict(list)
    answers = (
        tenancy.scoped(Answer, user, tenancy.READ_FREE_TEXT)
        .filter(response__survey=survey)
        .filter(filters.response_q("response__"))
        .order_by("response_id", "question_id", "choice__position", "pk")
        .values_list("response_id", "question_id", "choice_id", "number", "text")
    )
    for response_id, question_id, choice_id, number, text in answers.iterator():
        if choice_id is not None:
            values[(response_id, question_id)].append(labels.get(choice_id, ""))
        elif number is not None:
            values[(response_id, question_id)].append(number)
        elif text:
            values[(response_id, question_id)].append(text)
    channels = dict(SurveyResponse._meta.get_field("channel").choices)
    lines = []
    for position, (pk, language, channel, submitted_at) in enumerate(responses, start=1):
        line: list[Any] = [
            position,
            language,
            str(channels.get(channel, channel)),
            timezone.localdate(submitted_at).isoformat(),
        ]
        for question in questions:
            found = values.get((pk, question.pk), [])
            if len(found) == 1:
                line.append(found[0])
            else:
                line.append("; ".join(str(v) for v in found))
        lines.append(line)
    if lines:
        audit_record(
            actor=user,
            action="export",
            target=survey,
            organization_id=survey.organization_id,
            reason="anonymous answers",
            details={
                "responses": len(lines),
                "language": filters.language,
                "period": filters.period,
            },
        )
    return RawAnswers(questions=questions, lines=lines)


# --- The annual report's "what people said" -------------------------------------------------------


class Highlight(NamedTuple):
    """(question, answer, respondents) as `reporting.annual.what_people_said` reads it."""

    question: str
    answer: str
    respondents: int


def _percent(part: int, whole: int) -> str:
    value = int((Decimal(100 * part) / Decimal(whole)).quantize(Decimal(1), ROUND_HALF_UP))
    space = "\u00a0" if base_language(get_language()) == "fr" else ""
    return f"{value}{space}%"


def _shown(counts: Mapping[str, int], threshold: int) -> dict[str, int] | None:
    """The counts as a one-column table with its total, or None if any of them is hidden."""
    keys = list(counts)
    if not keys:
        return None
    table = suppress(
        {(k, "n"): v for k, v in counts.items() if v},
        rows=keys,
        columns=["n"],
        threshold=threshold,
        margins=True,
    )
    if table.total is None or any(table.cell(k, "n") is None for k in keys):
        return None
    return {**{k: table.cell(k, "n") for k in keys}, "total": table.total}  # type: ignore[dict-item]


def annual_highlights(
    *,
    user: Any,
    organization: Organization,
    start: date,
    end: date,
    threshold: int | None = None,
) -> list[Highlight]:
    """A few results of the year's surveys in plain words, then the year's public "you said, we
    did" actions, in the reader's language. `end` is the last day, included.

    A result is said only when the counts it rests on are all shown at the larger of the survey's
    threshold and the report's; `respondents` is the raw number of people who answered (the
    report suppresses it). For an action, `respondents` is the number of responses in the year
    to the survey it answers, or to all of the organization's surveys when it answers none.
    """
    before, after = _aware(start), _aware(end + timedelta(days=1))
    surveys = list(
        tenancy.scoped(Survey, user, tenancy.VIEW_REPORTS)
        .filter(organization=organization)
        .select_related("questionnaire")
        .order_by("opens_at", "pk")
    )
    answers = tenancy.scoped(Answer, user, tenancy.VIEW_REPORTS).filter(
        response__survey__in=surveys,
        response__submitted_at__gte=before,
        response__submitted_at__lt=after,
    )
    wanted = [QuestionKind.LIKERT, QuestionKind.RECOMMEND, QuestionKind.SINGLE]
    grouped: dict[int, dict[tuple[int | None, int | None], int]] = defaultdict(
        lambda: defaultdict(int)
    )
    for question_id, choice_id, number, n in (
        answers.filter(question__kind__in=wanted)
        .order_by()
        .values_list("question_id", "choice_id", "number")
        .annotate(n=Count("pk"))
    ):
        grouped[question_id][(choice_id, number)] += n
    found: list[Highlight] = []
    questions = Question.objects.filter(pk__in=grouped).prefetch_related("choices")
    by_survey = {s.questionnaire_id: s for s in surveys}
    for question in sorted(questions, key=lambda q: (q.questionnaire_id, q.position)):
        survey = by_survey.get(question.questionnaire_id)
        if survey is None:
            continue
        level = max(survey.small_cell_threshold, threshold or DEFAULT_THRESHOLD)
        said = _highlight(question, grouped[question.pk], level)
        if said is not None:
            found.append(said)
        if len(found) >= HIGHLIGHTS_MAX:
            break
    found += _action_highlights(user, organization, start, end, before, after)
    return found


def _highlight(
    question: Question, counts: Mapping[tuple[int | None, int | None], int], threshold: int
) -> Highlight | None:
    text = question.text
    choices = list(question.choices.all())
    if question.kind == QuestionKind.SINGLE:
        labels = {c.pk: c.label for c in choices}
        by_choice: dict[str, int] = defaultdict(int)
        for (choice_id, _number), n in counts.items():
            if choice_id in labels:
                by_choice[str(choice_id)] += n
        shown = _shown(by_choice, threshold)
        if not shown or not shown["total"]:
            return None
        top = max((k for k in shown if k != "total"), key=lambda k: (shown[k], -int(k)))
        return Highlight(
            text,
            _("Most chosen answer: %(answer)s (%(percent)s).")
            % {"answer": labels[int(top)], "percent": _percent(shown[top], shown["total"])},
            shown["total"],
        )
    # A scale is recorded as a number, or as choices whose values are its numbers.
    value_of_choice = {c.pk: int(c.value) for c in choices if c.value.lstrip("-").isdigit()}
    numbers: dict[int, int] = defaultdict(int)
    for (choice_id, number), n in counts.items():
        value = number if number is not None else value_of_choice.get(choice_id)  # type: ignore[arg-type]
        if value is not None:
            numbers[value] += n
    if question.kind == QuestionKind.RECOMMEND:
        split = {
            key: sum(v for k, v in numbers.items() if k in span)
            for key, _label, span in RECOMMEND_GROUPS
        }
        shown = _shown(split, threshold)
        if not shown or not shown["total"]:
            return None
        return Highlight(
            text,
            _("%(percent)s would recommend us (9 or 10 out of 10).")
            % {"percent": _percent(shown[PROMOTERS], shown["total"])},
            shown["total"],
        )
    points = _scale_points(question)
    if points is None:
        return None
    top = points[-2:]  # "agree" and "strongly agree" on a 1–5 scale
    split = {
        "agree": sum(v for k, v in numbers.items() if k in top),
        "other": sum(v for k, v in numbers.items() if k in points and k not in top),
    }
    shown = _shown(split, threshold)
    if not shown or not shown["total"]:
        return None
    return Highlight(
        text,
        _("%(percent)s agree or strongly agree.")
        % {"percent": _percent(shown["agree"], shown["total"])},
        shown["total"],
    )


def _action_highlights(
    user: Any, organization: Organization, start: date, end: date, before: datetime, after: datetime
) -> list[Highlight]:
    actions = list(
        tenancy.scoped(SurveyAction, user, tenancy.VIEW_REPORTS)
        .filter(organization=organization, is_public=True, done_on__gte=start, done_on__lte=end)
        .order_by("done_on", "pk")
    )
    if not actions:
        return []
    responses = (
        tenancy.scoped(SurveyResponse, user, tenancy.VIEW_REPORTS)
        .filter(survey__organization=organization, submitted_at__gte=before, submitted_at__lt=after)
        .order_by()
    )
    per_survey = dict(responses.values_list("survey_id").annotate(n=Count("pk")))
    everyone = sum(per_survey.values())
    return [
        Highlight(
            _("You said: %(said)s") % {"said": pick(action.said)},
            _("We did: %(did)s") % {"did": pick(action.did)},
            per_survey.get(action.survey_id, 0) if action.survey_id else everyone,
        )
        for action in actions
    ]


# --- "You said, we did" to read -------------------------------------------------------------------


@dataclass(frozen=True)
class ShownText:
    """A text in the reader's language, or in the language it fell back to (`lang` says which)."""

    text: str
    lang: str
    is_fallback: bool

    @property
    def dir(self) -> str:
        return "rtl" if self.lang in ("ar", "fa", "he", "ur") else "ltr"


def shown_text(texts: Mapping[str, str] | None, language: str | None = None) -> ShownText:
    wanted = base_language(language or get_language())
    texts = texts or {}
    for code in (wanted, "fr", "en", *texts):
        value = texts.get(code)
        if value:
            return ShownText(value, code, code != wanted)
    return ShownText("", wanted, False)


@dataclass(frozen=True)
class PublicAction:
    said: ShownText
    did: ShownText
    done_on: date
    survey_name: str


def public_actions(*, organization: Organization) -> list[PublicAction]:
    """The organization's public actions, newest first, in the reader's language (no login)."""
    actions = (
        SurveyAction.objects.filter(organization=organization, is_public=True)
        .select_related("survey")
        .order_by("-done_on", "-pk")
    )
    return [
        PublicAction(
            said=shown_text(action.said),
            did=shown_text(action.did),
            done_on=action.done_on,
            survey_name=str(action.survey) if action.survey_id else "",
        )
        for action in actions
    ]


def staff_actions(*, user: Any, organization: Organization) -> QuerySet[SurveyAction]:
    """Every action of the organization, public or not, for staff who manage surveys."""
    return (
        tenancy.scoped(SurveyAction, user, tenancy.MANAGE_SURVEYS)
        .filter(organization=organization)
        .select_related("survey", "created_by")
        .order_by("-done_on", "-pk")
    )


def surveys_of(*, user: Any, organization: Organization) -> QuerySet[Survey]:
    """The organization's surveys an action may answer."""
    return (
        tenancy.scoped(Survey, user, tenancy.MANAGE_SURVEYS)
        .filter(organization=organization)
        .select_related("questionnaire")
        .order_by("-opens_at", "-pk")
    )

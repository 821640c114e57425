"""XLSForm interchange (KoboToolbox, ODK): a questionnaire to an XLSForm workbook, and back.

Both directions follow one mapping, so that an exported questionnaire re-imports unchanged:

- `survey` sheet, one row per question, in order: `type`, `name`, `label::<Name> (<code>)` and
  `hint::<Name> (<code>)` per language (XLSForm's "Name (code)" convention: "French (fr)",
  "Arabic (ar)"; Simplified Chinese is written "(zh)", the language subtag pyxform checks, and
  read back as "zh-hans"), `required`, `relevant`, `constraint`, `appearance`.
  Names of questions and choices are lowercase slugs (read in any case, stored in lowercase).
  Kinds: single → `select_one <list>`; multiple → `select_multiple <list>`; likert →
  `select_one agreement_1_5` with `appearance` "likert": Ancrage's agreement scale, answers 1 to
  5 worded in every language (on import, a likert list of 1 to 5 worded otherwise — satisfaction,
  frequency — is kept word for word as a single choice); number → `integer`, min/max as `constraint` (". >= 1 and . <= 9"); text → `text`;
  recommend → `integer` with `constraint` ". >= 0 and . <= 10", marked by the bind attribute
  `bind::ancrage:kind` = "recommend" (a bind attribute is invisible to respondents and kept by
  pyxform in the XForm; a name convention would change the question's name). The plain-language
  flag is `bind::ancrage:plain-language` = "yes". Lists are named `<question>_choices`.
- Skip logic (`show_if`) ↔ `relevant`: equals `${q} = 'v'`, not_equals `${q} != 'v'`, in
  `selected(${q}, 'a') or selected(${q}, 'b')`, at_least `${q} >= 3`, at_most `${q} <= 3`, answered
  `string-length(${q}) > 0`. A quoted value is a text, an unquoted one a number. On import, a few
  exact equivalents are read too (`${q} > 3` on a whole number is at_least 4; `${q} = 'a' or
  ${q} = 'b'` is in; `${q} != ''` is answered); anything else is refused, naming the row.
- The introduction and the thank-you message are `note` rows before the first and after the last
  question; the title is `form_title` of the `settings` sheet (with `form_id` = the code and
  `default_language`); titles in every language and the questionnaire's kind, which XLSForm cannot
  hold, are in a sheet of our own, `ancrage`, that pyxform and KoboToolbox ignore.
- Import only: rows that record the device or the time (start, end, deviceid…) are left out and
  groups flattened (both said on the import page and in the audit event); every other type, and
  a column that changes what a form does (calculation, choice_filter, default…), is refused.

Spreadsheet formulas: a text that starts with = + - @ (or a tab) is written as a text cell
marked "quote prefix" (what a spreadsheet records when a person types an apostrophe first), so
no spreadsheet evaluates it and the text itself is unchanged. On import, a formula cell is
refused, and so is an unmarked text cell that starts with one of those signs: a spreadsheet
would run it, and it is how `=HYPERLINK(…)` injections arrive. Nothing is ever evaluated.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ancrage.core import tenancy
from ancrage.core.audit import audit_record
from ancrage.core.reference_data import LANGUAGES as LANGUAGE_NAMES
from ancrage.core.translated import base_language
from ancrage.network.models import Organization
from ancrage.surveys import logic, selectors
from ancrage.surveys.models import (
    Choice,
    Question,
    QuestionKind,
    Questionnaire,
    QuestionnaireKind,
)
from ancrage.surveys.services import (
    CHOICES_MAX,
    HINT_MAX,
    INTRODUCTION_MAX,
    LABEL_MAX,
    QUESTION_MAX,
    QUESTIONS_MAX,
    TITLE_MAX,
)

MAX_BYTES = 2 * 1024 * 1024
# A 2 MB archive can unpack to far more: the workbook is refused beyond this, before parsing.
MAX_UNPACKED = 40 * 1024 * 1024
MAX_ROWS = 3000  # per sheet, blank rows included
MAX_COLUMNS = 200
MAX_ERRORS = 50
NAME_MAX = 60

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SCALE_LIST = "agreement_1_5"
SCALE_VALUES = ("1", "2", "3", "4", "5")
SCALE_LABELS = (
    gettext_lazy("Strongly disagree"),
    gettext_lazy("Disagree"),
    gettext_lazy("Neither agree nor disagree"),
    gettext_lazy("Agree"),
    gettext_lazy("Strongly agree"),
)
RECOMMEND_BOUNDS = (0, 10)
NAMESPACE = 'ancrage="urn:ancrage:xlsform:1"'
KIND_COLUMN = "bind::ancrage:kind"
PLAIN_COLUMN = "bind::ancrage:plain-language"
OWN_SHEET = "ancrage"
MIME_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Names of questions and choices as the questionnaires' pages write them (lowercase slugs), that
# XLSForm also accepts as XML names (a letter first). Read in any case, stored in lowercase.
NAME_RE = re.compile(r"[a-z](?:[a-z0-9_-]*[a-z0-9])?")
VALUE_RE = re.compile(r"[a-z0-9](?:[a-z0-9_-]*[a-z0-9])?")


def _name_rule() -> str:
    """Said the same way on import and export."""
    return _(
        "a name begins with a letter, holds only letters, digits, - or _, and ends with a "
        "letter or digit (%(max)d characters at most)."
    )


def _value_rule() -> str:
    return _(
        "a choice name holds only letters, digits, - or _, begins and ends with a letter or "
        "digit (%(max)d characters at most)."
    )


# Rows that describe the device or the moment, not a question: Ancrage records only when an
# answer was submitted, never the device or the person, so these rows are left out.
METADATA_TYPES = frozenset(
    {
        "start",
        "end",
        "today",
        "deviceid",
        "phonenumber",
        "username",
        "email",
        "simserial",
        "subscriberid",
        "audit",
        "instanceid",
    }
)
GROUP_STARTS = frozenset({"begin_group", "begin group"})
GROUP_ENDS = frozenset({"end_group", "end group"})
# Columns that change what a form does: ignoring them would change the questionnaire silently.
REFUSED_COLUMNS = frozenset(
    {"choice_filter", "calculation", "calculate", "default", "read_only", "readonly", "trigger"}
)


def _unsupported_reason(kind: str) -> str:
    """Why a type of row cannot be imported, in words a form's author can act on."""
    kind = kind if kind in {"begin repeat", "end repeat"} else kind.split(" ")[0]
    if kind in {"calculate", "hidden"}:
        return _("computed or hidden values are not supported: Ancrage only asks questions.")
    if kind in {"geopoint", "geotrace", "geoshape", "start-geopoint"}:
        return _("locations are not supported: Ancrage never records where a respondent is.")
    if kind in {"image", "audio", "video", "file", "background-audio", "barcode"}:
        return _("files, photos and sounds are not supported: respondents answer with words.")
    if kind in {"date", "time", "datetime"}:
        return _("dates and times are not supported: ask a number or a free text instead.")
    if kind == "decimal":
        return _("decimal numbers are not supported: Ancrage asks whole numbers (integer).")
    if kind in {"begin_repeat", "begin repeat", "end_repeat", "end repeat"}:
        return _("repeated groups are not supported.")
    if kind == "range":
        return _("a range is not supported: use an integer with a constraint.")
    return _(
        "this type of question is not supported. Ancrage asks: select_one, select_multiple, "
        "select_one of 1 to 5 with the likert appearance, integer, text, and notes before or "
        "after the questions."
    )


# --- Languages --------------------------------------------------------------------------------

_XLSFORM_CODE = {"zh-hans": "zh"}  # pyxform checks the IANA language subtag; CLDR reads zh as Hans
_CODE_ALIASES = {"zh": "zh-hans", "zh-cn": "zh-hans", "zh-sg": "zh-hans", "zh-hans-cn": "zh-hans"}
_HEADER_CODE_RE = re.compile(r"(.*?)\s*\(\s*([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*)\s*\)\s*")


def offered_languages() -> list[str]:
    """The languages a questionnaire may speak: those of the public pages."""
    return [base_language(code) for code, _name in settings.LANGUAGES]


def _english_name(code: str) -> str:
    for entry in LANGUAGE_NAMES:
        if entry[0] == code:
            return entry[2]
    return code


def language_header(code: str) -> str:
    """'fr' → 'French (fr)': XLSForm's "Name (code)" convention."""
    return f"{_english_name(code)} ({_XLSFORM_CODE.get(code, code)})"


def language_of_header(text: str) -> str | None:
    """'French (fr)', 'Français (fr-CA)', 'French' → 'fr'; None when not a language offered."""
    offered = offered_languages()
    match = _HEADER_CODE_RE.fullmatch(text)
    if match:
        tag = match.group(2).lower().replace("_", "-")
        code = _CODE_ALIASES.get(tag) or base_language(tag)
        return code if code in offered else None
    wanted = text.strip().casefold()
    for entry in LANGUAGE_NAMES:
        if entry[0] in offered and wanted in {n.casefold() for n in entry[1:4]}:
            return entry[0]
    return None


def _in_language(code: str, text: Any) -> str:
    with translation.override("fr-ca" if code == "fr" else code):
        return str(text)


def scale_labels(languages: Iterable[str]) -> list[dict[str, str]]:
    """The five answers of the standard agreement scale, in each language."""
    return [{code: _in_language(code, label) for code in languages} for label in SCALE_LABELS]


# --- Errors -----------------------------------------------------------------------------------


def _where(sheet: str, row: int | None = None, column: str | None = None) -> str:
    if row is not None and column:
        return _("sheet “%(sheet)s”, row %(row)d, column “%(column)s”") % {
            "sheet": sheet,
            "row": row,
            "column": column,
        }
    if row is not None:
        return _("sheet “%(sheet)s”, row %(row)d") % {"sheet": sheet, "row": row}
    if column:
        return _("sheet “%(sheet)s”, column “%(column)s”") % {"sheet": sheet, "column": column}
    return _("sheet “%(sheet)s”") % {"sheet": sheet}


class _Problems:
    """Every problem of a file, each with where it is; raised together at the end."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def add(self, where: str, problem: str) -> None:
        self.messages.append(_("%(where)s: %(problem)s") % {"where": where, "problem": problem})

    def general(self, problem: str) -> None:
        self.messages.append(problem)

    def __bool__(self) -> bool:
        return bool(self.messages)

    def error(self, field_name: str | None = "file") -> ValidationError:
        shown = self.messages[:MAX_ERRORS]
        if len(self.messages) > MAX_ERRORS:
            shown.append(
                _("… and %(count)d more problems.") % {"count": len(self.messages) - MAX_ERRORS}
            )
        return ValidationError({field_name: shown} if field_name else shown)


# --- Export -----------------------------------------------------------------------------------


def _languages_of(questionnaire: Questionnaire) -> list[str]:
    languages = [base_language(code) for code in questionnaire.languages or []]
    if not languages:  # a questionnaire that never said: the languages its questions speak
        seen = set(questionnaire.titles)
        for question in questionnaire.questions.all():
            seen.update(question.texts)
        languages = [code for code in offered_languages() if code in seen] or ["fr"]
    return list(dict.fromkeys(languages))


def _literal(value: Any) -> str | None:
    """An XPath literal: texts quoted, numbers bare; None when XPath 1.0 cannot write it."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        if "'" not in value:
            return f"'{value}'"
        if '"' not in value:
            return f'"{value}"'
    return None


def relevant_of(show_if: Mapping[str, Any]) -> str | None:
    """The XLSForm `relevant` expression of a question's skip rule (None: cannot be written)."""
    name, operator, value = show_if.get("question"), show_if.get("operator"), show_if.get("value")
    if not isinstance(name, str) or not NAME_RE.fullmatch(name):
        return None
    ref = f"${{{name}}}"
    if operator == "answered":
        return f"string-length({ref}) > 0"
    if operator == "in":
        values = value if isinstance(value, list) else None
        literals = [_literal(v) for v in values or []]
        if not literals or None in literals:
            return None
        return " or ".join(f"selected({ref}, {literal})" for literal in literals)
    symbol = {"equals": "=", "not_equals": "!=", "at_least": ">=", "at_most": "<="}.get(operator)
    literal = _literal(value)
    if symbol is None or literal is None:
        return None
    return f"{ref} {symbol} {literal}"


def _constraint_of(question: Question) -> str:
    if question.kind == QuestionKind.RECOMMEND:
        low, high = RECOMMEND_BOUNDS
        return f". >= {low} and . <= {high}"
    if question.kind == QuestionKind.NUMBER:
        parts = []
        if question.min_value is not None:
            parts.append(f". >= {question.min_value}")
        if question.max_value is not None:
            parts.append(f". <= {question.max_value}")
        return " and ".join(parts)
    return ""


def _put(sheet: Any, row: int, column: int, value: Any) -> None:
    """A text stays a text: written as a string cell (openpyxl would take "=…" for a formula),
    and one a spreadsheet would evaluate is marked with the quote prefix."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if value is None or value == "":
        return
    cell = sheet.cell(row=row, column=column)
    if isinstance(value, str):
        text = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell.value = text
        cell.data_type = "s"
        if text.startswith(FORMULA_STARTS):
            cell.quotePrefix = True
    else:
        cell.value = value


class _Writer:
    """Rows appended to a worksheet, every text through `_put` (openpyxl's own append would
    write "=…" as a formula)."""

    def __init__(self, sheet: Any) -> None:
        self.sheet = sheet
        self.row = 0

    def append(self, values: list[Any]) -> None:
        self.row += 1
        for column, value in enumerate(values, start=1):
            _put(self.sheet, self.row, column, value)


def _export_problems(questions: list[Question]) -> _Problems:
    problems = _Problems()
    earlier: set[str] = set()
    for question in questions:
        where = _("question “%(name)s”") % {"name": question.name}
        if not NAME_RE.fullmatch(question.name or "") or len(question.name) > NAME_MAX:
            problems.add(where, _name_rule() % {"max": NAME_MAX})
        if question.kind not in QuestionKind.values:
            problems.add(where, _("unknown kind “%(kind)s”.") % {"kind": question.kind})
        if question.show_if:
            target = question.show_if.get("question")
            if relevant_of(question.show_if) is None:
                problems.add(where, _("its skip rule cannot be written as an XLSForm expression."))
            elif target not in earlier:
                problems.add(
                    where,
                    _("its skip rule depends on “%(name)s”, which is not an earlier question.")
                    % {"name": target},
                )
        if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE) and not list(
            question.choices.all()
        ):
            problems.add(where, _("a choice question needs at least one choice."))
        for choice in question.choices.all():
            if not VALUE_RE.fullmatch(choice.value or ""):
                problems.add(
                    _("%(where)s, choice “%(value)s”") % {"where": where, "value": choice.value},
                    _value_rule() % {"max": NAME_MAX},
                )
        earlier.add(question.name)
    return problems


def _note_name(wanted: str, taken: set[str]) -> str:
    name = wanted
    while name in taken:
        name += "_note"
    return name


def questionnaire_to_xlsform(questionnaire: Questionnaire) -> bytes:
    """The questionnaire as an XLSForm workbook (.xlsx) that pyxform converts, every language
    in its own columns. Raises ValidationError when the questionnaire cannot be written."""
    from openpyxl import Workbook

    questions = list(questionnaire.questions.order_by("position", "pk").prefetch_related("choices"))
    problems = _export_problems(questions)
    if problems:
        raise problems.error(field_name=None)
    languages = _languages_of(questionnaire)
    headers = [language_header(code) for code in languages]

    workbook = Workbook()
    moment = questionnaire.updated_at.astimezone(UTC).replace(tzinfo=None, microsecond=0)
    workbook.properties.created = moment
    workbook.properties.modified = moment
    workbook.properties.creator = "Ancrage"
    workbook.properties.title = questionnaire.title

    survey_sheet = workbook.active
    survey_sheet.title = "survey"
    survey = _Writer(survey_sheet)
    survey.append(
        [
            "type",
            "name",
            *[f"label::{h}" for h in headers],
            *[f"hint::{h}" for h in headers],
            "required",
            "relevant",
            "constraint",
            "appearance",
            KIND_COLUMN,
            PLAIN_COLUMN,
        ],
    )
    choices_sheet = workbook.create_sheet("choices")
    choices = _Writer(choices_sheet)
    choices.append(["list_name", "name", *[f"label::{h}" for h in headers]])

    def note(name: str, texts: Mapping[str, str]) -> None:
        blanks = [None] * len(languages)
        survey.append(["note", name, *[texts.get(c, "") for c in languages], *blanks])

    def choice_rows(list_name: str, rows: Iterable[tuple[str, Mapping[str, str]]]) -> None:
        for value, labels in rows:
            choices.append([list_name, value, *[labels.get(c, "") for c in languages]])

    names = {q.name for q in questions}
    if any((questionnaire.introductions or {}).values()):
        note(_note_name("introduction", names), questionnaire.introductions)
    scale_written = False
    for question in questions:
        offered = list(question.choices.all())
        list_name = f"{question.name}_choices"
        appearance = ""
        if question.kind == QuestionKind.LIKERT:  # the standard scale: likert has no choices
            appearance = "likert"
            kind = f"select_one {SCALE_LIST}"
            if not scale_written:
                choice_rows(SCALE_LIST, zip(SCALE_VALUES, scale_labels(languages), strict=True))
                scale_written = True
        elif question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            verb = "select_one" if question.kind == QuestionKind.SINGLE else "select_multiple"
            kind = f"{verb} {list_name}"
            choice_rows(list_name, ((c.value, c.labels) for c in offered))
        elif question.kind in (QuestionKind.NUMBER, QuestionKind.RECOMMEND):
            kind = "integer"
        else:
            kind = "text"
        survey.append(
            [
                kind,
                question.name,
                *[(question.texts or {}).get(c, "") for c in languages],
                *[(question.hints or {}).get(c, "") for c in languages],
                "yes" if question.required else "no",
                relevant_of(question.show_if) if question.show_if else "",
                _constraint_of(question),
                appearance,
                "recommend" if question.kind == QuestionKind.RECOMMEND else "",
                "yes" if question.plain_language else "",
            ],
        )
    if any((questionnaire.thanks or {}).values()):
        note(_note_name("thanks", names), questionnaire.thanks)

    default = languages[0]
    setting = _Writer(workbook.create_sheet("settings"))
    setting.append(["form_title", "form_id", "default_language", "version", "namespaces"])
    setting.append(
        [
            (questionnaire.titles or {}).get(default) or questionnaire.code,
            questionnaire.code,
            language_header(default),
            str(questionnaire.version),
            NAMESPACE,
        ],
    )
    own_sheet = workbook.create_sheet(OWN_SHEET)
    own = _Writer(own_sheet)
    own.append(["field", "value", *[f"label::{h}" for h in headers]])
    own.append(["kind", questionnaire.kind])
    own.append(["title", "", *[(questionnaire.titles or {}).get(c, "") for c in languages]])
    for sheet in (survey_sheet, choices_sheet, own_sheet):
        sheet.freeze_panes = "A2"
        for letter in ("A", "B"):
            sheet.column_dimensions[letter].width = 24
    return _workbook_bytes(workbook, moment)


def _workbook_bytes(workbook: Any, moment: datetime) -> bytes:
    """The workbook's bytes, the same for the same questionnaire: every part dated by the
    questionnaire's last change (openpyxl's save() and zip would write the clock's time)."""
    from openpyxl.writer.excel import ExcelWriter

    written = io.BytesIO()
    with zipfile.ZipFile(written, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(workbook, archive).write_data()
    stamp = (max(moment.year, 1980), *moment.timetuple()[1:6])
    dated = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(written.getvalue())) as source,
        zipfile.ZipFile(dated, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            target.writestr(entry, source.read(info.filename))
    return dated.getvalue()


def export_filename(questionnaire: Questionnaire) -> str:
    return f"{slugify(questionnaire.code) or 'questionnaire'}.xlsx"


# --- Reading a workbook -----------------------------------------------------------------------


@dataclass
class _Row:
    number: int
    cells: dict[str, str]  # header → text (stripped of nothing: texts are kept as typed)


@dataclass
class _Sheet:
    title: str
    headers: list[str]  # as written, in order
    rows: list[_Row]


def _text_of(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value)


def _read_sheet(worksheet: Any, problems: _Problems) -> _Sheet:
    """Every cell as text. Formulas, and texts a spreadsheet would run, are problems."""
    title = worksheet.title
    headers: list[str] = []
    rows: list[_Row] = []
    for number, cells in enumerate(
        worksheet.iter_rows(min_row=1, max_row=MAX_ROWS + 1, max_col=MAX_COLUMNS), start=1
    ):
        texts: list[str] = []
        for index, cell in enumerate(cells):
            value = getattr(cell, "value", None)
            text = _text_of(value)
            header = headers[index] if number > 1 and index < len(headers) else ""
            column = header or getattr(cell, "column_letter", "") or str(index + 1)
            if getattr(cell, "data_type", None) == "f" or not isinstance(
                value, str | int | float | bool | datetime | date | time | type(None)
            ):
                problems.add(
                    _where(title, number, column),
                    _(
                        "this cell holds a spreadsheet formula; formulas are never run nor "
                        "kept: type the text itself."
                    ),
                )
                # The text stays in the row (never stored: the whole file is refused), so
                # that the cell is not also reported as empty.
                text = text or "="
            elif isinstance(value, str) and text.startswith(FORMULA_STARTS):
                style = getattr(cell, "style_array", None)
                if not (style is not None and style.quotePrefix):
                    problems.add(
                        _where(title, number, column),
                        _(
                            "the text starts with %(sign)s, which a spreadsheet would run as a "
                            "formula. If it is meant as text, mark it as text (type an "
                            "apostrophe ' before it)."
                        )
                        % {"sign": repr(text[:1])},
                    )
            texts.append(text)
        if number == 1:
            headers = [t.strip() for t in texts]
            continue
        if number > MAX_ROWS:
            if any(t.strip() for t in texts):
                problems.add(
                    _where(title, number),
                    _("a sheet holds at most %(count)d rows.") % {"count": MAX_ROWS},
                )
            break
        if not any(t.strip() for t in texts):
            continue
        cells_by_header: dict[str, str] = {}
        for header, text in zip(headers, texts, strict=False):
            if header and text:
                cells_by_header.setdefault(header, text)
        rows.append(_Row(number, cells_by_header))
    return _Sheet(title, headers, rows)


def _open_workbook(content: bytes, problems: _Problems) -> Any | None:
    """The workbook, after checking it is an .xlsx of reasonable size once unpacked."""
    from openpyxl import load_workbook

    not_xlsx = _("The file is not an Excel workbook (.xlsx).")
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        infos = archive.infolist()
        if sum(info.file_size for info in infos) > MAX_UNPACKED:
            problems.general(_("The workbook is too large once unpacked."))
            return None
        if "[Content_Types].xml" not in archive.namelist():
            problems.general(not_xlsx)
            return None
        types = archive.read("[Content_Types].xml")
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, EOFError):
        problems.general(not_xlsx)
        return None
    if b"macroEnabled" in types:
        problems.general(_("Macro-enabled workbooks (.xlsm) are refused: save it as .xlsx."))
        return None
    if b"spreadsheetml.sheet.main+xml" not in types:
        problems.general(not_xlsx)
        return None
    try:
        return load_workbook(io.BytesIO(content), read_only=True, data_only=False, keep_links=False)
    except Exception:  # openpyxl raises many kinds for damaged files: all mean "unreadable"
        problems.general(not_xlsx)
        return None


# --- Import: the file to plain data -----------------------------------------------------------


@dataclass
class ChoiceData:
    value: str
    labels: dict[str, str]


@dataclass
class QuestionData:
    name: str
    kind: str
    texts: dict[str, str]
    hints: dict[str, str] = field(default_factory=dict)
    required: bool = False
    plain_language: bool = False
    min_value: int | None = None
    max_value: int | None = None
    show_if: dict[str, Any] = field(default_factory=dict)
    choices: list[ChoiceData] = field(default_factory=list)


@dataclass
class QuestionnaireData:
    code: str
    kind: str
    titles: dict[str, str]
    introductions: dict[str, str]
    thanks: dict[str, str]
    languages: list[str]
    questions: list[QuestionData]
    skipped: list[str]  # names of the metadata rows left out


@dataclass
class _Column:
    header: str
    base: str  # "label", "hint", "type"…
    language: str | None


def _columns(sheet: _Sheet, default: str | None, problems: _Problems) -> list[_Column]:
    """The sheet's columns, label:: and hint:: ones with their language code."""
    columns: list[_Column] = []
    seen: dict[tuple[str, str | None], str] = {}
    for header in sheet.headers:
        if not header:
            continue
        base, _sep, rest = header.partition("::")
        base = base.strip().lower()
        language = None
        if base not in {"label", "hint"}:
            base = header.strip().lower()
            base = {"list name": "list_name", "begin group": "begin_group"}.get(base, base)
        else:
            if rest:
                language = language_of_header(rest.strip())
                if language is None:
                    problems.add(
                        _where(sheet.title, 1, header),
                        _(
                            "this language is not one Ancrage offers, or its code is missing: "
                            "write it as Name (code), e.g. French (fr). Offered: %(codes)s."
                        )
                        % {"codes": ", ".join(offered_languages())},
                    )
                    continue
            elif default:
                language = default
            else:
                problems.add(
                    _where(sheet.title, 1, header),
                    _(
                        "this column does not say its language: name it e.g. "
                        "label::French (fr), or give default_language in the settings sheet."
                    ),
                )
                continue
        key = (base, language)
        if key in seen and base in {"label", "hint", "type", "name", "list_name"}:
            problems.add(
                _where(sheet.title, 1, header),
                _("the same column as “%(other)s”.") % {"other": seen[key]},
            )
            continue
        seen[key] = header
        columns.append(_Column(header, base, language))
    return columns


def _texts(row: _Row, columns: list[_Column], base: str) -> dict[str, str]:
    """Texts per language, trimmed as the questionnaires' pages store them; empty ones left out."""
    texts = {}
    for column in columns:
        text = row.cells.get(column.header, "").replace("\x00", "").strip()
        if column.base == base and column.language and text:
            texts[column.language] = text
    return texts


def _cell(row: _Row, columns: list[_Column], *bases: str) -> tuple[str, str]:
    """(text, header) of the first column named one of `bases`."""
    for c in columns:
        if c.base in bases and row.cells.get(c.header, "").strip():
            return row.cells[c.header].strip(), c.header
    return "", bases[0]


@dataclass
class _ChoiceRow:
    number: int
    value: str
    labels: dict[str, str]


@dataclass
class _Pending:
    """A survey row read, with what can only be checked once the whole sheet is read."""

    number: int
    data: QuestionData
    list_name: str = ""
    appearance: str = ""
    relevant: tuple[str, str] = ("", "")  # (expression, column)
    constraint: tuple[str, str] = ("", "")


_REF = r"\$\{\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*\}"
_LIT = r"'[^']*'|\"[^\"]*\"|-?\d+(?:\.\d+)?"
_SELECTED = re.compile(rf"selected\(\s*{_REF}\s*,\s*({_LIT})\s*\)")
_EQUALS = re.compile(rf"{_REF}\s*=\s*({_LIT})")
_COMPARE = re.compile(rf"{_REF}\s*(!=|>=|<=|=|>|<)\s*({_LIT})")
_ANSWERED = (
    re.compile(rf"string-length\(\s*{_REF}\s*\)\s*(?:>\s*0|!=\s*0|>=\s*1)"),
    re.compile(rf"count-selected\(\s*{_REF}\s*\)\s*(?:>\s*0|>=\s*1)"),
    re.compile(rf"{_REF}\s*!=\s*(?:''|\"\")"),
)
_OR = re.compile(r"\s+or\s+")
_BOUND = re.compile(r"\.\s*(>=|<=|>|<)\s*(-?\d+)")
_AND = re.compile(r"\s+and\s+")


def _value_of(literal: str) -> Any:
    if literal[:1] in {"'", '"'}:
        return literal[1:-1]
    return float(literal) if "." in literal else int(literal)


def _alternatives(expression: str) -> list[tuple[str, Any]] | None:
    """`selected(${q}, 'a') or ${q} = 'b' or …` → [(q, 'a'), (q, 'b')]; None if not that."""
    found: list[tuple[str, Any]] = []
    position = 0
    while True:
        match = _SELECTED.match(expression, position) or _EQUALS.match(expression, position)
        if match is None:
            return None
        found.append((match.group(1), _value_of(match.group(2))))
        position = match.end()
        if position == len(expression):
            return found
        separator = _OR.match(expression, position)
        if separator is None:
            return None
        position = separator.end()


def show_if_of(expression: str) -> dict[str, Any] | None:
    """A `relevant` expression → a skip rule, only when the meaning is exactly the same."""
    expression = expression.strip()
    for pattern in _ANSWERED:
        if match := pattern.fullmatch(expression):
            return {"question": match.group(1), "operator": "answered"}
    alternatives = _alternatives(expression)
    if alternatives and len({name for name, _v in alternatives}) == 1:
        name = alternatives[0][0]
        values = [value for _n, value in alternatives]
        if len(values) == 1 and _EQUALS.fullmatch(expression):
            return {"question": name, "operator": "equals", "value": values[0]}
        if len(values) > 1 or _SELECTED.fullmatch(expression):
            return {"question": name, "operator": "in", "value": values}
    if match := _COMPARE.fullmatch(expression):
        name, symbol, value = match.group(1), match.group(2), _value_of(match.group(3))
        operator = {"!=": "not_equals", ">=": "at_least", "<=": "at_most"}.get(symbol)
        if operator:
            return {"question": name, "operator": operator, "value": value}
        if isinstance(value, int):  # on whole numbers, > n is ≥ n + 1 and < n is ≤ n − 1
            if symbol == ">":
                return {"question": name, "operator": "at_least", "value": value + 1}
            if symbol == "<":
                return {"question": name, "operator": "at_most", "value": value - 1}
    return None


def _bounds(expression: str) -> tuple[int | None, int | None] | None:
    """'. >= 0 and . <= 10' → (0, 10); None when it is not only bounds."""
    low = high = None
    for part in _AND.split(expression.strip()):
        match = _BOUND.fullmatch(part.strip())
        if match is None:
            return None
        symbol, number = match.group(1), int(match.group(2))
        if symbol in {">=", ">"}:
            value = number + (symbol == ">")
            low = value if low is None else max(low, value)
        else:
            value = number - (symbol == "<")
            high = value if high is None else min(high, value)
    return low, high


def _yes_no(text: str) -> bool | None:
    from pyxform.aliases import yes_no

    if not text.strip():
        return False
    return yes_no.get(text.strip())


def _sheet_named(workbook: Any, name: str) -> Any | None:
    for worksheet in workbook.worksheets:
        if worksheet.title.strip().lower() == name:
            return worksheet
    return None


def _settings_of(workbook: Any, problems: _Problems) -> tuple[dict[str, str], str | None]:
    worksheet = _sheet_named(workbook, "settings")
    if worksheet is None:
        return {}, None
    sheet = _read_sheet(worksheet, problems)
    values: dict[str, str] = {}
    if sheet.rows:
        first = sheet.rows[0]
        values = {h.strip().lower(): v.strip() for h, v in first.cells.items()}
    default = None
    if values.get("default_language"):
        default = language_of_header(values["default_language"])
        if default is None:
            problems.add(
                _where(sheet.title, sheet.rows[0].number, "default_language"),
                _("this language is not one Ancrage offers (%(codes)s).")
                % {"codes": ", ".join(offered_languages())},
            )
    return values, default


def _choice_lists(
    workbook: Any, default: str | None, problems: _Problems
) -> tuple[dict[str, list[_ChoiceRow]], list[_Column], str]:
    worksheet = _sheet_named(workbook, "choices")
    if worksheet is None:
        return {}, [], "choices"
    sheet = _read_sheet(worksheet, problems)
    columns = _columns(sheet, default, problems)
    lists: dict[str, list[_ChoiceRow]] = {}
    for row in sheet.rows:
        list_name, list_header = _cell(row, columns, "list_name")
        value, value_header = _cell(row, columns, "name", "value")
        if not list_name and not value:
            continue
        if not list_name:
            problems.add(
                _where(sheet.title, row.number, list_header), _("the list name is missing.")
            )
            continue
        if not value:
            problems.add(_where(sheet.title, row.number, value_header), _("the name is missing."))
            continue
        value = value.lower()  # answers and skip rules compare lowercase names
        if not VALUE_RE.fullmatch(value) or len(value) > NAME_MAX:
            problems.add(
                _where(sheet.title, row.number, value_header),
                _value_rule() % {"max": NAME_MAX},
            )
            continue
        entries = lists.setdefault(list_name, [])
        if any(entry.value == value for entry in entries):
            problems.add(
                _where(sheet.title, row.number, value_header),
                _("the name “%(name)s” appears twice in the list “%(list)s”.")
                % {"name": value, "list": list_name},
            )
            continue
        entries.append(_ChoiceRow(row.number, value, _texts(row, columns, "label")))
    return lists, columns, sheet.title


_SELECT_RE = re.compile(
    r"(select_one|select one|select1|select_multiple|select multiple|select all that apply)"
    r"\s+(\S+)(\s+or_other)?",
    re.IGNORECASE,
)


def _survey_row(
    row: _Row, columns: list[_Column], sheet: str, problems: _Problems
) -> tuple[str, _Pending | None]:
    """('question' | 'note' | 'skip' | 'group', the row read)."""
    written, type_header = _cell(row, columns, "type")
    written = re.sub(r"\s+", " ", written)  # the list's name keeps its case, as in pyxform
    kind_text = written.lower()
    if not kind_text:
        problems.add(_where(sheet, row.number, "type"), _("the type is missing."))
        return "error", None
    head = kind_text.split(" ")[0]
    if head in METADATA_TYPES:
        return "skip", None
    relevant = _cell(row, columns, "relevant", "relevance")
    if kind_text in GROUP_STARTS or head in {"begin_group"}:
        if relevant[0]:
            problems.add(
                _where(sheet, row.number, relevant[1]),
                _(
                    "a group that is shown only on a condition cannot be imported: put the "
                    "condition on each of its questions."
                ),
            )
        return "group", None
    if kind_text in GROUP_ENDS or head == "end_group":
        return "group", None
    for base in REFUSED_COLUMNS:
        value, header = _cell(row, columns, base)
        if value:
            problems.add(
                _where(sheet, row.number, header),
                _("this column changes what the form does and is not supported; empty it."),
            )
    name, name_header = _cell(row, columns, "name")
    name = name.lower()  # skip rules refer to it in lowercase too
    data = QuestionData(
        name=name,
        kind="",
        texts=_texts(row, columns, "label"),
        hints=_texts(row, columns, "hint"),
    )
    pending = _Pending(row.number, data, relevant=relevant)
    if kind_text == "note":
        return "note", pending
    select = _SELECT_RE.fullmatch(written)
    if select:
        if select.group(3):
            problems.add(
                _where(sheet, row.number, type_header),
                _("“or_other” is not supported: add an “other” choice and a text question."),
            )
        verb = select.group(1).lower()
        several = "multiple" in verb or "all" in verb
        data.kind = QuestionKind.MULTIPLE if several else QuestionKind.SINGLE
        pending.list_name = select.group(2)
    elif kind_text in {"integer", "int"}:
        data.kind = QuestionKind.NUMBER
    elif kind_text in {"text", "string"}:
        data.kind = QuestionKind.TEXT
    else:
        problems.add(
            _where(sheet, row.number, type_header),
            _("the type “%(type)s”: %(reason)s")
            % {"type": kind_text, "reason": _unsupported_reason(kind_text)},
        )
        return "error", None
    if not name:
        problems.add(_where(sheet, row.number, name_header), _("the name is missing."))
    elif not NAME_RE.fullmatch(name) or len(name) > NAME_MAX:
        problems.add(
            _where(sheet, row.number, name_header),
            _name_rule() % {"max": NAME_MAX},
        )
    required, required_header = _cell(row, columns, "required")
    flag = _yes_no(required)
    if flag is None:
        problems.add(
            _where(sheet, row.number, required_header),
            _("write yes or no: a condition on “required” is not supported."),
        )
    data.required = bool(flag)
    plain, plain_header = _cell(row, columns, PLAIN_COLUMN)
    if _yes_no(plain) is None:
        problems.add(_where(sheet, row.number, plain_header), _("write yes or no."))
    data.plain_language = bool(_yes_no(plain))
    pending.appearance = _cell(row, columns, "appearance")[0].lower()
    pending.constraint = _cell(row, columns, "constraint")
    marked, marked_header = _cell(row, columns, KIND_COLUMN)
    if marked:
        if marked != QuestionKind.RECOMMEND or data.kind != QuestionKind.NUMBER:
            problems.add(
                _where(sheet, row.number, marked_header),
                _("only an integer question may be marked “recommend”."),
            )
        else:
            data.kind = QuestionKind.RECOMMEND
    return "question", pending


def _own_sheet(
    workbook: Any, default: str | None, problems: _Problems
) -> tuple[str, dict[str, str]]:
    """(kind, titles per language) from the sheet Ancrage adds; a file from elsewhere has none."""
    worksheet = _sheet_named(workbook, OWN_SHEET)
    if worksheet is None:
        return QuestionnaireKind.OTHER, {}
    sheet = _read_sheet(worksheet, problems)
    columns = _columns(sheet, default, problems)
    kind, titles = QuestionnaireKind.OTHER, {}
    for row in sheet.rows:
        name = _cell(row, columns, "field")[0].lower()
        if name == "kind":
            value, header = _cell(row, columns, "value")
            if value and value not in QuestionnaireKind.values:
                problems.add(
                    _where(sheet.title, row.number, header),
                    _("unknown kind of questionnaire “%(kind)s”.") % {"kind": value},
                )
            elif value:
                kind = value
        elif name == "title":
            titles = _texts(row, columns, "label")
    return kind, titles


def _label_header(columns: list[_Column], language: str) -> str | None:
    for column in columns:
        if column.base == "label" and column.language == language:
            return column.header
    return None


def _check_labels(
    sheet: str,
    number: int,
    labels: Mapping[str, str],
    languages: list[str],
    columns: list[_Column],
    problems: _Problems,
    limit: int,
) -> None:
    """A label in every language the form declares, none longer than the pages allow."""
    for code in languages:
        header = _label_header(columns, code)
        if header is not None and not labels.get(code, "").strip():
            problems.add(
                _where(sheet, number, header),
                _("the label is missing in %(language)s, a language the form declares.")
                % {"language": language_header(code)},
            )
        elif len(labels.get(code, "")) > limit:
            problems.add(
                _where(sheet, number, header),
                _("this text holds at most %(max)d characters.") % {"max": limit},
            )


def _check_hints(
    sheet: str, number: int, hints: Mapping[str, str], columns: list[_Column], problems: _Problems
) -> None:
    for column in columns:
        if column.base == "hint" and len(hints.get(column.language or "", "")) > HINT_MAX:
            problems.add(
                _where(sheet, number, column.header),
                _("this text holds at most %(max)d characters.") % {"max": HINT_MAX},
            )


def _missing_columns(
    sheet: str, columns: list[_Column], languages: list[str], problems: _Problems
) -> None:
    for code in languages:
        if _label_header(columns, code) is None:
            problems.add(
                _where(sheet, column=f"label::{language_header(code)}"),
                _("this column is missing: the form declares %(language)s.")
                % {"language": language_header(code)},
            )


def _finish_choices(
    pending: _Pending,
    lists: dict[str, list[_ChoiceRow]],
    languages: list[str],
    survey: str,
    choices_sheet: str,
    choice_columns: list[_Column],
    problems: _Problems,
    checked: set[str],
) -> None:
    data = pending.data
    entries = lists.get(pending.list_name)
    if not entries:
        problems.add(
            _where(survey, pending.number, "type"),
            _("the list of choices “%(list)s” is missing from the “choices” sheet.")
            % {"list": pending.list_name},
        )
        return
    if pending.list_name not in checked:  # a list shared by several questions: checked once
        checked.add(pending.list_name)
        for entry in entries:
            _check_labels(
                choices_sheet,
                entry.number,
                entry.labels,
                languages,
                choice_columns,
                problems,
                LABEL_MAX,
            )
    values = tuple(entry.value for entry in entries)
    if (
        data.kind == QuestionKind.SINGLE
        and "likert" in pending.appearance.split()
        and values == SCALE_VALUES
    ):
        standard = scale_labels(languages)
        if pending.list_name == SCALE_LIST or all(
            {c: entry.labels.get(c, "") for c in languages} == labels
            for entry, labels in zip(entries, standard, strict=True)
        ):
            # Ancrage's agreement scale, which has no choices of its own: its wording is the
            # standard one, in every language.
            data.kind = QuestionKind.LIKERT
            return
        # Another five-point scale, worded its own way (satisfaction…): kept word for word as
        # one choice among five.
    if len(entries) > CHOICES_MAX:
        problems.add(
            _where(survey, pending.number, "type"),
            _("a question has at most %(count)d choices.") % {"count": CHOICES_MAX},
        )
    data.choices = [ChoiceData(entry.value, dict(entry.labels)) for entry in entries]


def _finish_constraint(pending: _Pending, survey: str, problems: _Problems) -> None:
    data = pending.data
    expression, header = pending.constraint
    if not expression:
        return
    where = _where(survey, pending.number, header)
    if data.kind not in (QuestionKind.NUMBER, QuestionKind.RECOMMEND):
        problems.add(
            where,
            _(
                "a constraint is supported only on integer questions, as bounds "
                "(. >= 1 and . <= 9)."
            ),
        )
        return
    bounds = _bounds(expression)
    if bounds is None:
        problems.add(
            where,
            _("only bounds can be imported, e.g. . >= 1 and . <= 9; this constraint cannot."),
        )
        return
    low, high = bounds
    if data.kind == QuestionKind.RECOMMEND:
        if bounds != RECOMMEND_BOUNDS:
            problems.add(where, _("a 0 to 10 recommendation keeps the bounds 0 and 10."))
        return
    if any(v is not None and abs(v) > logic.NUMBER_LIMIT for v in bounds):
        problems.add(where, _("this number is too large."))
    elif low is not None and high is not None and low > high:
        problems.add(where, _("the smallest number is larger than the largest."))
    else:
        data.min_value, data.max_value = low, high


def _finish_relevant(
    pending: _Pending,
    earlier: Mapping[str, QuestionData],
    broken: set[str],
    survey: str,
    problems: _Problems,
) -> None:
    """The `relevant` expression as a skip rule, checked by the rules every questionnaire
    follows (`logic.clean_show_if`: an earlier question, a value it can take)."""
    expression, header = pending.relevant
    if not expression:
        return
    where = _where(survey, pending.number, header)
    rule = show_if_of(expression)
    if rule is None:
        problems.add(
            where,
            _(
                "this condition cannot be imported exactly. Ancrage's skip rules are one "
                "condition on one earlier question: ${q} = 'v', ${q} != 'v', selected(${q}, 'v') "
                "(or several joined by or), ${q} >= 3, ${q} <= 3, string-length(${q}) > 0."
            ),
        )
        return
    rule["question"] = rule["question"].lower()
    if rule["question"] in broken:
        return  # its own problem is reported; the file is refused anyway
    target = earlier.get(rule["question"])
    if target is None:
        problems.add(
            where,
            _("the condition depends on “%(name)s”, which is not an earlier question.")
            % {"name": rule["question"]},
        )
        return
    if target.kind in logic.CHOICE_KINDS and "value" in rule:  # choice names are lowercase
        values = rule["value"] if isinstance(rule["value"], list) else [rule["value"]]
        values = [str(v).lower() for v in values]
        rule["value"] = values if rule["operator"] == "in" else values[0]
    specs = [
        logic.QuestionSpec(
            name=q.name,
            kind=q.kind,
            choices=tuple(c.value for c in q.choices),
            min_value=q.min_value,
            max_value=q.max_value,
        )
        for q in earlier.values()
    ]
    try:
        pending.data.show_if = logic.clean_show_if(rule, specs)
    except ValidationError as error:
        problems.add(where, error.messages[0])


def xlsform_read(content: bytes) -> QuestionnaireData:
    """An XLSForm workbook → a questionnaire as plain data. Raises ValidationError listing every
    problem with its sheet, row and column; reads nothing from, writes nothing to the database."""
    problems = _Problems()
    workbook = _open_workbook(content, problems)
    if workbook is None:
        raise problems.error()
    try:
        data = _read(workbook, problems)
    finally:
        workbook.close()
    if problems or data is None:
        raise problems.error()
    return data


def _read(workbook: Any, problems: _Problems) -> QuestionnaireData | None:
    values, default = _settings_of(workbook, problems)
    worksheet = _sheet_named(workbook, "survey")
    if worksheet is None:
        problems.general(_("The workbook has no “survey” sheet: it is not an XLSForm."))
        return None
    survey = _read_sheet(worksheet, problems)
    columns = _columns(survey, default, problems)
    if not any(c.base == "type" for c in columns):
        problems.add(_where(survey.title, 1, "type"), _("the column “type” is missing."))
        return None
    lists, choice_columns, choices_sheet = _choice_lists(workbook, default, problems)
    kind, titles = _own_sheet(workbook, default, problems)
    languages = list(dict.fromkeys(c.language for c in [*columns, *choice_columns] if c.language))
    if not languages:
        problems.add(
            _where(survey.title, 1),
            _("no label column: name them by language, e.g. label::French (fr)."),
        )
        return None
    title_language = default if default in languages else languages[0]
    if "fr" not in languages:
        problems.add(
            _where(survey.title, 1),
            _(
                "a questionnaire is always offered in French: add the columns "
                "label::French (fr) (and in the choices sheet)."
            ),
        )
    languages = selectors.ordered_languages(languages)  # French first, as everywhere
    _missing_columns(survey.title, columns, languages, problems)

    rows: list[tuple[str, _Pending | None]] = []
    # Questions with a problem of their own: a condition on one of them is not reported again.
    broken: set[str] = set()
    for row in survey.rows:
        before = len(problems.messages)
        rows.append(_survey_row(row, columns, survey.title, problems))
        if len(problems.messages) > before:
            broken.add(_cell(row, columns, "name")[0].lower())
    kinds = [kind_of_row for kind_of_row, _p in rows]
    questions_at = [i for i, k in enumerate(kinds) if k == "question"]
    first = questions_at[0] if questions_at else len(rows)
    last = questions_at[-1] if questions_at else -1
    introductions: dict[str, str] = {}
    thanks: dict[str, str] = {}
    names: dict[str, int] = {}
    earlier: dict[str, QuestionData] = {}
    questions: list[QuestionData] = []
    checked_lists: set[str] = set()
    uses_choices = False
    for index, (row_kind, pending) in enumerate(rows):
        if pending is None:
            continue
        data = pending.data
        if data.name:
            if data.name in names:
                problems.add(
                    _where(survey.title, pending.number, "name"),
                    _("the name “%(name)s” is already used on row %(row)d.")
                    % {"name": data.name, "row": names[data.name]},
                )
            else:
                names[data.name] = pending.number
        limit = INTRODUCTION_MAX if row_kind == "note" else QUESTION_MAX
        _check_labels(survey.title, pending.number, data.texts, languages, columns, problems, limit)
        _check_hints(survey.title, pending.number, data.hints, columns, problems)
        if row_kind == "note":
            if pending.relevant[0]:
                problems.add(
                    _where(survey.title, pending.number, pending.relevant[1]),
                    _("a note shown only on a condition is not supported."),
                )
            if first <= index <= last:
                problems.add(
                    _where(survey.title, pending.number, "type"),
                    _(
                        "a note between questions is not supported: Ancrage shows an "
                        "introduction before the questions and a thank-you after them."
                    ),
                )
            target = introductions if index < first else thanks
            for code, text in data.texts.items():
                target[code] = f"{target[code]}\n\n{text}" if code in target else text
            continue
        before = len(problems.messages)
        if pending.list_name:
            uses_choices = True
            _finish_choices(
                pending,
                lists,
                languages,
                survey.title,
                choices_sheet,
                choice_columns,
                problems,
                checked_lists,
            )
        _finish_constraint(pending, survey.title, problems)
        if len(problems.messages) > before:
            broken.add(data.name)
        _finish_relevant(pending, earlier, broken, survey.title, problems)
        if data.name:
            earlier.setdefault(data.name, data)
        questions.append(data)
    if uses_choices and lists:
        _missing_columns(choices_sheet, choice_columns, languages, problems)
    if not questions:
        problems.add(_where(survey.title), _("the form has no question Ancrage can ask."))
    if len(questions) > QUESTIONS_MAX:
        problems.add(
            _where(survey.title),
            _("a questionnaire holds at most %(count)d questions.") % {"count": QUESTIONS_MAX},
        )
    for texts in (introductions, thanks):
        if any(len(text) > INTRODUCTION_MAX for text in texts.values()):
            problems.add(
                _where(survey.title, column="note"),
                _("the notes before or after the questions hold at most %(max)d characters.")
                % {"max": INTRODUCTION_MAX},
            )
    form_title = values.get("form_title", "")
    if form_title:
        titles[title_language] = form_title
        # The one title of a form from elsewhere also names it in French until translated.
        titles.setdefault("fr", form_title)
    if any(len(text) > TITLE_MAX for text in titles.values()):
        problems.add(
            _where("settings", column="form_title"),
            _("a title holds at most %(max)d characters.") % {"max": TITLE_MAX},
        )
    code = (
        slugify(values.get("form_id", ""))[:NAME_MAX]
        or slugify(values.get("form_title", ""))[:NAME_MAX]
    )
    skipped = [
        _cell(row, columns, "name")[0] or _cell(row, columns, "type")[0]
        for row, (row_kind, _p) in zip(survey.rows, rows, strict=True)
        if row_kind == "skip"
    ]
    return QuestionnaireData(
        code=code.strip("-") or "xlsform",
        kind=kind,
        titles=titles or {"fr": values.get("form_id") or code or "XLSForm"},
        introductions=introductions,
        thanks=thanks,
        languages=languages,
        questions=questions,
        skipped=skipped,
    )


# --- Import: the write ------------------------------------------------------------------------


def _content_of(file: Any) -> bytes:
    """The uploaded bytes, after the checks any upload gets: an .xlsx, 2 MB at most."""
    problems = _Problems()
    name = str(getattr(file, "name", "") or "")
    if not name.lower().endswith(".xlsx"):
        problems.general(_("Only .xlsx files are accepted."))
        raise problems.error()
    size = getattr(file, "size", None)
    if size is not None and size > MAX_BYTES:
        content = b""
    else:
        if hasattr(file, "seek"):
            file.seek(0)
        content = file.read(MAX_BYTES + 1)
    if size is not None and size > MAX_BYTES or len(content) > MAX_BYTES:
        problems.general(
            _("The file is larger than %(size)d MB.") % {"size": MAX_BYTES // (1024 * 1024)}
        )
        raise problems.error()
    if not content:
        problems.general(_("The file is empty."))
        raise problems.error()
    return content


def _free_code(organization: Organization, wanted: str) -> str:
    """The form's code, or with -2, -3… when the organization already has a questionnaire
    with it (importing the same file twice makes two questionnaires, never a failure)."""
    taken = set(
        Questionnaire.objects.filter(
            organization=organization, code__startswith=wanted[: NAME_MAX - 4]
        ).values_list("code", flat=True)
    )
    code, number = wanted, 2
    while code in taken:
        suffix = f"-{number}"
        code = wanted[: NAME_MAX - len(suffix)] + suffix
        number += 1
    return code


def _is_person(actor: Any) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False)


@transaction.atomic
def questionnaire_import(*, actor: Any, organization: Organization, file: Any) -> Questionnaire:
    """A new questionnaire of the organization from an XLSForm file (KoboToolbox, ODK, or
    exported by Ancrage), with all its translations. All or nothing: any problem in the file
    raises ValidationError({"file": [every problem, with sheet, row and column]})."""
    if actor is not None and not tenancy.has_capability(
        actor, tenancy.MANAGE_SURVEYS, organization.pk
    ):
        raise PermissionDenied
    form = xlsform_read(_content_of(file))
    questionnaire = Questionnaire.objects.create(
        organization=organization,
        code=_free_code(organization, form.code),
        kind=form.kind,
        titles=form.titles,
        introductions=form.introductions,
        thanks=form.thanks,
        languages=form.languages,
        created_by=actor if _is_person(actor) else None,
    )
    questions = Question.objects.bulk_create(
        Question(
            questionnaire=questionnaire,
            position=position,
            name=data.name,
            kind=data.kind,
            texts=data.texts,
            hints=data.hints,
            required=data.required,
            plain_language=data.plain_language,
            min_value=data.min_value,
            max_value=data.max_value,
            show_if=data.show_if,
        )
        for position, data in enumerate(form.questions, start=1)
    )
    Choice.objects.bulk_create(
        Choice(question=question, position=position, value=choice.value, labels=choice.labels)
        for question, data in zip(questions, form.questions, strict=True)
        for position, choice in enumerate(data.choices, start=1)
    )
    audit_record(
        actor=actor,
        action="create",
        target=questionnaire,
        organization_id=organization.pk,
        reason="XLSForm import",
        details={
            "file": str(getattr(file, "name", ""))[:200],
            "questions": len(questions),
            "languages": form.languages,
            "rows_left_out": form.skipped,
        },
    )
    return questionnaire

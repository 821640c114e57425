"""Skip logic and answers, as pure functions over questions (no database writes here).

A question's `show_if` is data: {"question": name, "operator": …, "value": …}. It may only name an
*earlier* question, so that a questionnaire is always asked top to bottom and a condition is
decided before the question it hides. An unanswered (or hidden) question satisfies no condition:
a question that depends on it is not asked either.

Answers travel as a dict keyed by question name: a choice value (single), a list of choice values
(multiple), an int (likert, recommend, number) or a string (text). `parse_answer` reads what a
form sent; `check_answers` decides, for a whole answer set, what is stored and what is missing.
Messages are written for the person answering and speak the active language.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ancrage.surveys.models import TEXT_MAX, QuestionKind

OPERATORS = ("equals", "not_equals", "in", "at_least", "at_most", "answered")
NUMERIC = {QuestionKind.LIKERT, QuestionKind.RECOMMEND, QuestionKind.NUMBER}
CHOICE_KINDS = {QuestionKind.SINGLE, QuestionKind.MULTIPLE}
# An integer column holds ±2³¹ on PostgreSQL; numbers beyond a billion are typing mistakes.
NUMBER_LIMIT = 1_000_000_000
SCALES = {QuestionKind.LIKERT: (1, 5), QuestionKind.RECOMMEND: (0, 10)}
IN_MAX = 50
# Questions per page: small steps on a phone, and a page ends where a later question depends
# on an answer given on it (the server decides what to ask next).
PAGE_SIZE = 4


@dataclass(frozen=True)
class QuestionSpec:
    """What the logic needs of a question: a model instance or a plain description."""

    name: str
    kind: str
    required: bool = False
    show_if: Mapping[str, Any] = field(default_factory=dict)
    choices: tuple[str, ...] = ()
    min_value: int | None = None
    max_value: int | None = None


def spec_of(question: Any) -> QuestionSpec:
    """A `Question` (with its choices prefetched, ideally) as a `QuestionSpec`."""
    if isinstance(question, QuestionSpec):
        return question
    choices: tuple[str, ...] = ()
    if question.kind in CHOICE_KINDS and question.pk:
        choices = tuple(c.value for c in question.choices.all())
    return QuestionSpec(
        name=question.name,
        kind=question.kind,
        required=question.required,
        show_if=question.show_if or {},
        choices=choices,
        min_value=question.min_value,
        max_value=question.max_value,
    )


def bounds(question: QuestionSpec) -> tuple[int, int]:
    if question.kind in SCALES:
        return SCALES[question.kind]
    low = question.min_value if question.min_value is not None else -NUMBER_LIMIT
    high = question.max_value if question.max_value is not None else NUMBER_LIMIT
    return low, high


# --- Skip rules -------------------------------------------------------------------------------


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit() and len(value) < 12:
        return int(value.strip())
    return None


def clean_show_if(show_if: Any, earlier: Sequence[QuestionSpec]) -> dict[str, Any]:
    """The rule in its stored form, or a ValidationError saying what is wrong with it.

    `earlier` are the questions before this one, in order: a rule may only name one of them.
    """
    if show_if in (None, {}, ""):
        return {}
    if not isinstance(show_if, Mapping):
        raise ValidationError(_("The skip rule is not valid."))
    by_name = {q.name: q for q in earlier}
    target = by_name.get(show_if.get("question"))
    if target is None:
        raise ValidationError(_("A question may only depend on a question asked before it."))
    operator = show_if.get("operator")
    if operator not in OPERATORS:
        raise ValidationError(_("Choose how the answer is compared."))
    rule: dict[str, Any] = {"question": target.name, "operator": operator}
    if operator == "answered":
        return rule
    value = show_if.get("value")
    if target.kind == QuestionKind.TEXT:
        raise ValidationError(_("A free-text question can only be used with “has been answered”."))
    if operator in ("at_least", "at_most") and target.kind not in NUMERIC:
        raise ValidationError(_("“At least” and “at most” only compare numbers and scales."))
    values = value if operator == "in" else [value]
    if operator == "in" and (not isinstance(value, list) or not 0 < len(value) <= IN_MAX):
        raise ValidationError(_("Give one or more values to compare with."))
    cleaned: list[Any] = []
    for item in values:
        if target.kind in CHOICE_KINDS:
            if not isinstance(item, str) or item not in target.choices:
                raise ValidationError(
                    _("“%(value)s” is not one of the choices of the question %(name)s.")
                    % {"value": str(item)[:60], "name": target.name}
                )
            cleaned.append(item)
        else:
            number = _as_int(item)
            low, high = bounds(target)
            if number is None or not low <= number <= high:
                raise ValidationError(
                    _("Give a whole number between %(low)s and %(high)s.")
                    % {"low": low, "high": high}
                )
            cleaned.append(number)
    rule["value"] = cleaned if operator == "in" else cleaned[0]
    return rule


def depends_on(show_if: Mapping[str, Any] | None) -> str | None:
    return (show_if or {}).get("question") or None


def condition_met(show_if: Mapping[str, Any] | None, answers: Mapping[str, Any]) -> bool:
    """Whether a question with this rule is asked, given the answers so far."""
    if not show_if:
        return True
    answer = answers.get(show_if.get("question", ""))
    if answer in (None, "", []):
        return False
    operator, value = show_if.get("operator"), show_if.get("value")
    given = answer if isinstance(answer, list) else [answer]
    if operator == "answered":
        return True
    if operator == "equals":
        return value in given
    if operator == "not_equals":
        return value not in given
    if operator == "in":
        return any(item in (value or []) for item in given)
    if operator in ("at_least", "at_most") and isinstance(answer, int):
        return answer >= value if operator == "at_least" else answer <= value
    return False


def visible(questions: Iterable[Any], answers: Mapping[str, Any]) -> list[Any]:
    """The questions asked, in order: answers of hidden questions do not count."""
    shown: list[Any] = []
    kept: dict[str, Any] = {}
    for question in questions:
        spec = spec_of(question)
        if condition_met(spec.show_if, kept):
            shown.append(question)
            if spec.name in answers:
                kept[spec.name] = answers[spec.name]
    return shown


def pages(questions: Sequence[Any]) -> list[list[Any]]:
    """Split the questionnaire into small steps; a question whose rule names a question of the
    current step starts the next one, so its condition is known when it is shown."""
    result: list[list[Any]] = []
    current: list[Any] = []
    names: set[str] = set()
    for question in questions:
        spec = spec_of(question)
        if current and (len(current) >= PAGE_SIZE or depends_on(spec.show_if) in names):
            result.append(current)
            current, names = [], set()
        current.append(question)
        names.add(spec.name)
    if current:
        result.append(current)
    return result


# --- Answers ----------------------------------------------------------------------------------


def parse_answer(question: Any, raw: Sequence[str]) -> Any:
    """What a form sent for one question (the list of values of its input), as a stored value;
    None when left empty. A ValidationError says what to correct, in the person's language."""
    spec = spec_of(question)
    values = [v.replace("\x00", "").strip() for v in raw if isinstance(v, str)]
    values = [v for v in values if v]
    if not values:
        return None
    if spec.kind == QuestionKind.TEXT:
        text = "\n".join(values)
        if len(text) > TEXT_MAX:
            raise ValidationError(
                ngettext(
                    "Your answer is too long: %(count)d character at most.",
                    "Your answer is too long: %(count)d characters at most.",
                    TEXT_MAX,
                )
                % {"count": TEXT_MAX}
                + " "
                + _("You wrote %(length)d. Please shorten it.") % {"length": len(text)}
            )
        return text
    if spec.kind == QuestionKind.MULTIPLE:
        chosen = list(dict.fromkeys(values))
        if any(v not in spec.choices for v in chosen) or len(chosen) > len(spec.choices):
            raise ValidationError(_("Choose among the answers offered."))
        return [v for v in spec.choices if v in chosen]
    if spec.kind == QuestionKind.SINGLE:
        if len(values) != 1 or values[0] not in spec.choices:
            raise ValidationError(_("Choose one of the answers offered."))
        return values[0]
    number = _as_int(values[0]) if len(values) == 1 else None
    low, high = bounds(spec)
    if number is None or not low <= number <= high:
        if spec.kind in SCALES:
            raise ValidationError(_("Choose one of the answers offered."))
        raise ValidationError(
            _("Write a whole number between %(low)s and %(high)s.") % {"low": low, "high": high}
        )
    return number


def required_message() -> str:
    return _("Please answer this question.")


def check_answers(
    questions: Sequence[Any], answers: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    """(answers kept, errors by question name) for a whole answer set.

    Answers to questions not asked are dropped; a required question that is asked must be
    answered; every value is checked again as if typed (a forged value is an error).
    """
    kept: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for question in questions:
        spec = spec_of(question)
        if not condition_met(spec.show_if, kept):
            continue
        value = answers.get(spec.name)
        if value in (None, "", []):
            if spec.required:
                errors[spec.name] = required_message()
            continue
        raw = value if isinstance(value, list) else [value]
        try:
            parsed = parse_answer(spec, [str(v) for v in raw])
        except ValidationError as error:
            errors[spec.name] = error.messages[0]
            continue
        if parsed is None:
            if spec.required:
                errors[spec.name] = required_message()
            continue
        kept[spec.name] = parsed
    return kept, errors

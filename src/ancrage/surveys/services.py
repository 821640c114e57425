"""Every write to questionnaires, their questions and choices, surveys and responses — checked,
in one transaction, audited (except the anonymous responses themselves).

Callers pass objects fetched through `core.tenancy` (the questionnaire, question or survey the
actor may manage); these functions check the rest. A ValidationError changes nothing.
Ready questionnaires of the library (no organization) are never edited here: an organization
copies one, then edits its copy.
"""

import secrets
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from ancrage.core.audit import audit_record
from ancrage.network.models import Organization
from ancrage.surveys import logic, selectors
from ancrage.surveys.models import (
    TEXT_MAX,
    Answer,
    Channel,
    Choice,
    Question,
    QuestionKind,
    Questionnaire,
    QuestionnaireKind,
    Survey,
    SurveyResponse,
)

TITLE_MAX = 200
QUESTION_MAX = 500
HINT_MAX = 500
INTRODUCTION_MAX = 2000
LABEL_MAX = 200
NAME_MAX = 60
QUESTIONS_MAX = 100
CHOICES_MAX = 40
POSITION_MAX = 30_000
# Dates further out than these are typing mistakes (2205 for 2025).
EARLIEST = datetime(2000, 1, 1)
LATEST = datetime(2100, 12, 31)


# --- Checks shared by the writes --------------------------------------------------------------


def _texts(
    value: Any, field: str, limit: int, *, languages: list[str], french: bool
) -> dict[str, str]:
    """Texts per language, trimmed, empty ones dropped; French required when `french`."""
    if value is None:
        value = {}
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise ValidationError({field: _("Give the text per language.")})
    allowed = set(selectors.content_languages())
    texts = {k: v.replace("\x00", "").strip() for k, v in value.items() if v and v.strip()}
    unknown = set(texts) - allowed
    if unknown:
        raise ValidationError(
            {field: _("Unknown language: %(codes)s.") % {"codes": ", ".join(sorted(unknown))[:80]}}
        )
    if french and not texts.get("fr"):
        raise ValidationError({field: _("Write it in French first.")})
    for text in texts.values():
        if len(text) > limit:
            raise ValidationError(
                {
                    field: _("This text is too long (%(length)d characters; at most %(limit)d).")
                    % {"length": len(text), "limit": limit}
                }
            )
    return texts


def _languages(value: Any) -> list[str]:
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise ValidationError({"languages": _("Choose the languages offered.")})
    unknown = set(value) - set(selectors.content_languages())
    if unknown:
        raise ValidationError(
            {
                "languages": _("Unknown language: %(codes)s.")
                % {"codes": ", ".join(sorted(unknown))[:80]}
            }
        )
    if "fr" not in value:
        raise ValidationError({"languages": _("French is always offered.")})
    return selectors.ordered_languages(value)


def _editable(questionnaire: Questionnaire) -> None:
    if questionnaire.organization_id is None:
        raise ValidationError(
            _("A ready questionnaire of the library cannot be changed: copy it first.")
        )


def _check_version(questionnaire: Questionnaire, version: int | None) -> None:
    if version is not None and version != questionnaire.version:
        raise ValidationError(
            _(
                "Someone else changed this questionnaire since you opened the page. "
                "Reload it and make your changes again."
            )
        )


def _touch(questionnaire: Questionnaire) -> None:
    """Any change of content bumps the version, so a page opened before it is refused."""
    Questionnaire.objects.filter(pk=questionnaire.pk).update(version=F("version") + 1)
    questionnaire.refresh_from_db(fields=["version", "updated_at"])


def _code(value: Any, field: str = "code") -> str:
    code = slugify(str(value or ""))[:NAME_MAX]
    if not code or code != str(value or "").strip().lower():
        raise ValidationError(
            {
                field: _("Use lowercase letters, digits and hyphens only, e.g. %(example)s.")
                % {"example": "satisfaction-2025"}
            }
        )
    return code


def _name(value: Any) -> str:
    name = str(value or "").strip().lower()
    if (
        not name
        or len(name) > NAME_MAX
        or slugify(name).replace("-", "_") != name.replace("-", "_")
    ):
        raise ValidationError(
            {
                "name": _(
                    "Use lowercase letters, digits, hyphens and underscores only, e.g. %(example)s."
                )
                % {"example": "welcome_rating"}
            }
        )
    return name


def _no_responses(questionnaire: Questionnaire, what: str) -> None:
    if selectors.has_responses(questionnaire):
        raise ValidationError(
            _(
                "People have already answered this questionnaire, so %(what)s is not possible: "
                "their answers refer to it. Copy the questionnaire and change the copy."
            )
            % {"what": what}
        )


def _specs(questions: list[Question]) -> list[logic.QuestionSpec]:
    return [logic.spec_of(q) for q in questions]


def _check_rules(questions: list[Any]) -> None:
    """Every skip rule of the questionnaire, in its order, still holds."""
    specs = [logic.spec_of(q) for q in questions]
    for index, spec in enumerate(specs):
        try:
            logic.clean_show_if(spec.show_if, specs[:index])
        except ValidationError as error:
            raise ValidationError(
                {
                    "show_if": _("The skip rule of question %(name)s would no longer hold: %(why)s")
                    % {"name": spec.name, "why": error.messages[0]}
                }
            ) from error


def _bounds(kind: str, min_value: Any, max_value: Any) -> tuple[int | None, int | None]:
    if kind != QuestionKind.NUMBER:
        return None, None
    for value, field in ((min_value, "min_value"), (max_value, "max_value")):
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or abs(value) > logic.NUMBER_LIMIT
        ):
            raise ValidationError(
                {
                    field: _("Give a whole number between %(low)s and %(high)s.")
                    % {"low": -logic.NUMBER_LIMIT, "high": logic.NUMBER_LIMIT}
                }
            )
    if min_value is not None and max_value is not None and min_value > max_value:
        raise ValidationError({"max_value": _("The largest number is smaller than the smallest.")})
    return min_value, max_value


# --- Questionnaires ---------------------------------------------------------------------------


def _free_code(organization: Organization, wanted: str) -> str:
    taken = set(
        Questionnaire.objects.filter(
            organization=organization, code__startswith=wanted[:50]
        ).values_list("code", flat=True)
    )
    if wanted not in taken:
        return wanted
    number = 2
    while f"{wanted[:50]}-{number}" in taken:
        number += 1
    return f"{wanted[:50]}-{number}"


@transaction.atomic
def questionnaire_copy(
    *,
    actor: Any,
    source: Questionnaire,
    organization: Organization,
    code: str | None = None,
    titles: dict[str, str] | None = None,
) -> Questionnaire:
    """A copy of a ready questionnaire (or of one of the organization's own) that the
    organization may edit; answers given to the source stay with the source."""
    if source.organization_id not in (None, organization.pk):
        raise ValidationError(_("Copy a ready questionnaire or one of your organization's."))
    if code:
        wanted = _code(code)
        if Questionnaire.objects.filter(organization=organization, code=wanted).exists():
            raise ValidationError({"code": _("Another questionnaire already uses this code.")})
    else:
        wanted = _free_code(organization, source.code)
    copy = Questionnaire.objects.create(
        organization=organization,
        code=wanted,
        kind=source.kind,
        titles=_texts(
            titles or source.titles, "titles", TITLE_MAX, languages=source.languages, french=True
        ),
        introductions=dict(source.introductions),
        thanks=dict(source.thanks),
        languages=list(source.languages),
        copied_from=source,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    choices = []
    for question in selectors.with_questions(source):
        original_choices = list(question.choices.all())
        question.pk = None
        question.questionnaire = copy
        question.save(force_insert=True)
        choices += [
            Choice(question=question, position=c.position, value=c.value, labels=dict(c.labels))
            for c in original_choices
        ]
    Choice.objects.bulk_create(choices)
    audit_record(
        actor=actor,
        action="create",
        target=copy,
        organization_id=organization.pk,
        details={"copied_from": source.pk},
    )
    return copy


@transaction.atomic
def questionnaire_update(
    *,
    actor: Any,
    questionnaire: Questionnaire,
    version: int | None,
    titles: dict[str, str],
    introductions: dict[str, str] | None = None,
    thanks: dict[str, str] | None = None,
    languages: list[str],
    kind: str | None = None,
) -> Questionnaire:
    """Titles, introduction, thank-you message (French and English here; the other languages on
    their translation pages) and the languages offered."""
    _editable(questionnaire)
    questionnaire = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    _check_version(questionnaire, version)
    offered = _languages(languages)
    if kind is not None and kind not in QuestionnaireKind.values:
        raise ValidationError({"kind": _("Choose a valid kind.")})
    # Texts of other languages written on the translation pages are kept.
    merged = {}
    for field, given, limit, french in (
        ("titles", titles, TITLE_MAX, True),
        ("introductions", introductions, INTRODUCTION_MAX, False),
        ("thanks", thanks, INTRODUCTION_MAX, False),
    ):
        current = dict(getattr(questionnaire, field))
        for code, text in (given or {}).items():
            current[code] = text
        merged[field] = _texts(current, field, limit, languages=offered, french=french)
    for field, texts in merged.items():
        setattr(questionnaire, field, texts)
    questionnaire.languages = offered
    if kind is not None:
        questionnaire.kind = kind
    questionnaire.version += 1
    questionnaire.save()
    audit_record(
        actor=actor,
        action="change",
        target=questionnaire,
        organization_id=questionnaire.organization_id,
    )
    return questionnaire


@transaction.atomic
def translations_set(
    *,
    actor: Any,
    questionnaire: Questionnaire,
    version: int | None,
    language: str,
    texts: dict[str, Any],
) -> Questionnaire:
    """Every text of the questionnaire in one language, from its translation page.

    `texts`: {"title", "introduction", "thanks": str, "questions": {name: {"text", "hint"}},
    "choices": {question name: {value: label}}}. An empty text removes that translation.
    """
    _editable(questionnaire)
    questionnaire = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    _check_version(questionnaire, version)
    if language not in selectors.content_languages():
        raise ValidationError(_("Unknown language: %(codes)s.") % {"codes": str(language)[:20]})
    if language == "fr":
        raise ValidationError(_("French is written on the questionnaire's own pages."))

    def put(holder: dict, field: str, value: Any, limit: int) -> dict:
        result = dict(holder)
        text = str(value or "").replace("\x00", "").strip()
        if len(text) > limit:
            raise ValidationError(
                {
                    field: _("This text is too long (%(length)d characters; at most %(limit)d).")
                    % {"length": len(text), "limit": limit}
                }
            )
        if text:
            result[language] = text
        else:
            result.pop(language, None)
        return result

    questionnaire.titles = put(questionnaire.titles, "title", texts.get("title"), TITLE_MAX)
    questionnaire.introductions = put(
        questionnaire.introductions, "introduction", texts.get("introduction"), INTRODUCTION_MAX
    )
    questionnaire.thanks = put(
        questionnaire.thanks, "thanks", texts.get("thanks"), INTRODUCTION_MAX
    )
    given_questions = texts.get("questions") or {}
    given_choices = texts.get("choices") or {}
    for question in selectors.with_questions(questionnaire):
        entry = given_questions.get(question.name) or {}
        question.texts = put(question.texts, f"q-{question.name}", entry.get("text"), QUESTION_MAX)
        question.hints = put(question.hints, f"h-{question.name}", entry.get("hint"), HINT_MAX)
        question.save(update_fields=["texts", "hints"])
        labels = given_choices.get(question.name) or {}
        for choice in question.choices.all():
            choice.labels = put(
                choice.labels,
                f"c-{question.name}-{choice.value}",
                labels.get(choice.value),
                LABEL_MAX,
            )
            choice.save(update_fields=["labels"])
    questionnaire.version += 1
    questionnaire.save()
    audit_record(
        actor=actor,
        action="change",
        target=questionnaire,
        organization_id=questionnaire.organization_id,
        details={"translation": language},
    )
    return questionnaire


# --- Questions --------------------------------------------------------------------------------


def _question_values(
    *,
    questionnaire: Questionnaire,
    kind: str,
    texts: dict[str, str],
    hints: dict[str, str] | None,
    min_value: Any,
    max_value: Any,
) -> dict[str, Any]:
    if kind not in QuestionKind.values:
        raise ValidationError({"kind": _("Choose a valid kind of question.")})
    languages = questionnaire.languages
    low, high = _bounds(kind, min_value, max_value)
    return {
        "kind": kind,
        "texts": _texts(texts, "texts", QUESTION_MAX, languages=languages, french=True),
        "hints": _texts(hints, "hints", HINT_MAX, languages=languages, french=False),
        "min_value": low,
        "max_value": high,
    }


@transaction.atomic
def question_add(
    *,
    actor: Any,
    questionnaire: Questionnaire,
    name: str,
    kind: str,
    texts: dict[str, str],
    hints: dict[str, str] | None = None,
    required: bool = False,
    plain_language: bool = False,
    min_value: int | None = None,
    max_value: int | None = None,
    show_if: dict[str, Any] | None = None,
    choices: list[tuple[str, dict[str, str]]] | None = None,
) -> Question:
    """A new question at the end of the questionnaire (move it afterwards)."""
    _editable(questionnaire)
    questionnaire = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    clean_name = _name(name)
    existing = selectors.with_questions(questionnaire)
    if len(existing) >= QUESTIONS_MAX:
        raise ValidationError(
            _("A questionnaire has at most %(n)d questions.") % {"n": QUESTIONS_MAX}
        )
    if any(q.name == clean_name for q in existing):
        raise ValidationError({"name": _("Another question already uses this name.")})
    values = _question_values(
        questionnaire=questionnaire,
        kind=kind,
        texts=texts,
        hints=hints,
        min_value=min_value,
        max_value=max_value,
    )
    try:
        rule = logic.clean_show_if(show_if, _specs(existing))
    except ValidationError as error:
        raise ValidationError({"show_if": error.messages}) from error
    question = Question.objects.create(
        questionnaire=questionnaire,
        position=(existing[-1].position + 1) if existing else 1,
        name=clean_name,
        required=bool(required),
        plain_language=bool(plain_language),
        show_if=rule,
        **values,
    )
    for value, labels in choices or []:
        if kind in logic.CHOICE_KINDS:
            _choice_create(question, value, labels)
    _touch(questionnaire)
    audit_record(
        actor=actor, action="create", target=question, organization_id=questionnaire.organization_id
    )
    return question


@transaction.atomic
def question_update(
    *,
    actor: Any,
    question: Question,
    version: int | None,
    kind: str,
    texts: dict[str, str],
    hints: dict[str, str] | None = None,
    required: bool = False,
    plain_language: bool = False,
    min_value: int | None = None,
    max_value: int | None = None,
    show_if: dict[str, Any] | None = None,
) -> Question:
    """Change a question. Its kind stays once people have answered; texts of the languages not
    given (the translations) are kept."""
    questionnaire = question.questionnaire
    _editable(questionnaire)
    questionnaire = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    _check_version(questionnaire, version)
    question = Question.objects.get(pk=question.pk)
    if kind != question.kind:
        _no_responses(questionnaire, _("changing the kind of a question"))
    merged_texts = {**question.texts, **(texts or {})}
    merged_hints = {**question.hints, **(hints or {})}
    values = _question_values(
        questionnaire=questionnaire,
        kind=kind,
        texts=merged_texts,
        hints=merged_hints,
        min_value=min_value,
        max_value=max_value,
    )
    questions = selectors.with_questions(questionnaire)
    index = next(i for i, q in enumerate(questions) if q.pk == question.pk)
    try:
        rule = logic.clean_show_if(show_if, _specs(questions[:index]))
    except ValidationError as error:
        raise ValidationError({"show_if": error.messages}) from error
    for field, value in values.items():
        setattr(question, field, value)
    question.required = bool(required)
    question.plain_language = bool(plain_language)
    question.show_if = rule
    if kind not in logic.CHOICE_KINDS:
        question.choices.all().delete()
    question.save()
    # The questions after it may depend on its kind or choices.
    _check_rules(selectors.with_questions(questionnaire))
    _touch(questionnaire)
    question.questionnaire = questionnaire
    audit_record(
        actor=actor, action="change", target=question, organization_id=questionnaire.organization_id
    )
    return question


def _place(questions: list[Question]) -> None:
    """Number the questions 1, 2, 3… in the given order (through free positions, as positions
    are unique)."""
    top = max((q.position for q in questions), default=0)
    for offset, question in enumerate(questions, start=1):
        Question.objects.filter(pk=question.pk).update(position=top + offset)
    for number, question in enumerate(questions, start=1):
        Question.objects.filter(pk=question.pk).update(position=number)
        question.position = number


@transaction.atomic
def question_move(*, actor: Any, question: Question, direction: str) -> Question:
    """Up or down by one; refused when a skip rule would then point at a later question."""
    questionnaire = question.questionnaire
    _editable(questionnaire)
    questionnaire = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    if direction not in ("up", "down"):
        raise ValidationError(_("Move it up or down."))
    questions = selectors.with_questions(questionnaire)
    index = next(i for i, q in enumerate(questions) if q.pk == question.pk)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(questions):
        return question
    questions[index], questions[other] = questions[other], questions[index]
    try:
        _check_rules(questions)
    except ValidationError as error:
        raise ValidationError(
            _("This move would make a question depend on a later one. Change its skip rule first.")
        ) from error
    _place(questions)
    _touch(questionnaire)
    audit_record(
        actor=actor,
        action="change",
        target=question,
        organization_id=questionnaire.organization_id,
        details={"moved": direction},
    )
    return question


@transaction.atomic
def question_remove(*, actor: Any, question: Question) -> None:
    questionnaire = question.questionnaire
    _editable(questionnaire)
    questionnaire = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    _no_responses(questionnaire, _("removing a question"))
    questions = selectors.with_questions(questionnaire)
    dependents = [q.name for q in questions if logic.depends_on(q.show_if) == question.name]
    if dependents:
        raise ValidationError(
            _("Questions %(names)s are asked depending on this one: change their skip rule first.")
            % {"names": ", ".join(dependents)}
        )
    audit_record(
        actor=actor,
        action="delete",
        target=question,
        organization_id=questionnaire.organization_id,
        details={"name": question.name},
    )
    Question.objects.filter(pk=question.pk).delete()
    _place([q for q in questions if q.pk != question.pk])
    _touch(questionnaire)


# --- Choices ----------------------------------------------------------------------------------


def _choice_create(question: Question, value: Any, labels: dict[str, str]) -> Choice:
    if question.kind not in logic.CHOICE_KINDS:
        raise ValidationError(_("Only questions with choices have choices."))
    clean_value = _name(value) if value else ""
    if not clean_value:
        raise ValidationError({"value": _("Give the choice a short name.")})
    existing = list(question.choices.all())
    if len(existing) >= CHOICES_MAX:
        raise ValidationError(_("A question has at most %(n)d choices.") % {"n": CHOICES_MAX})
    if any(c.value == clean_value for c in existing):
        raise ValidationError(
            {"value": _("Another choice of this question already uses this name.")}
        )
    return Choice.objects.create(
        question=question,
        position=max((c.position for c in existing), default=0) + 1,
        value=clean_value,
        labels=_texts(
            labels, "labels", LABEL_MAX, languages=question.questionnaire.languages, french=True
        ),
    )


@transaction.atomic
def choice_add(*, actor: Any, question: Question, value: str, labels: dict[str, str]) -> Choice:
    _editable(question.questionnaire)
    Questionnaire.objects.select_for_update().get(pk=question.questionnaire_id)
    choice = _choice_create(question, value, labels)
    _touch(question.questionnaire)
    audit_record(
        actor=actor,
        action="create",
        target=choice,
        organization_id=question.questionnaire.organization_id,
    )
    return choice


@transaction.atomic
def choice_update(*, actor: Any, choice: Choice, labels: dict[str, str]) -> Choice:
    """Change a choice's wording (its value, which answers and skip rules refer to, stays)."""
    questionnaire = choice.question.questionnaire
    _editable(questionnaire)
    Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    choice.labels = _texts(
        {**choice.labels, **(labels or {})},
        "labels",
        LABEL_MAX,
        languages=questionnaire.languages,
        french=True,
    )
    choice.save(update_fields=["labels"])
    _touch(questionnaire)
    audit_record(
        actor=actor, action="change", target=choice, organization_id=questionnaire.organization_id
    )
    return choice


@transaction.atomic
def choice_move(*, actor: Any, choice: Choice, direction: str) -> Choice:
    questionnaire = choice.question.questionnaire
    _editable(questionnaire)
    Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    choices = list(choice.question.choices.order_by("position"))
    index = next(i for i, c in enumerate(choices) if c.pk == choice.pk)
    other = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down"):
        raise ValidationError(_("Move it up or down."))
    if 0 <= other < len(choices):
        choices[index], choices[other] = choices[other], choices[index]
        for number, item in enumerate(choices, start=1):
            Choice.objects.filter(pk=item.pk).update(position=number)
        _touch(questionnaire)
    audit_record(
        actor=actor, action="change", target=choice, organization_id=questionnaire.organization_id
    )
    return choice


@transaction.atomic
def choice_remove(*, actor: Any, choice: Choice) -> None:
    question = choice.question
    questionnaire = question.questionnaire
    _editable(questionnaire)
    Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    _no_responses(questionnaire, _("removing a choice"))
    for other in selectors.with_questions(questionnaire):
        rule = other.show_if or {}
        values = rule.get("value") if isinstance(rule.get("value"), list) else [rule.get("value")]
        if rule.get("question") == question.name and choice.value in values:
            raise ValidationError(
                _(
                    "Question %(name)s is asked depending on this choice: change its skip rule first."
                )
                % {"name": other.name}
            )
    audit_record(
        actor=actor,
        action="delete",
        target=choice,
        organization_id=questionnaire.organization_id,
        details={"value": choice.value},
    )
    choice.delete()
    _touch(questionnaire)


# --- Surveys ----------------------------------------------------------------------------------


def _survey_values(
    *,
    questionnaire: Questionnaire,
    names: dict[str, str] | None,
    opens_at: Any,
    closes_at: Any,
    session: Any,
    service_type: Any,
    small_cell_threshold: Any,
    check_translations: bool = True,
) -> dict[str, Any]:
    if questionnaire.organization_id is None:
        raise ValidationError(_("Copy the ready questionnaire into your organization first."))
    questions = selectors.with_questions(questionnaire)
    if not questions:
        raise ValidationError(_("Add at least one question before collecting answers."))
    missing = (
        selectors.missing_translations(questionnaire, questions=questions)
        if check_translations
        else []
    )
    if missing:
        shown = "; ".join(f"{m.language}: {m.what}" for m in missing[:8])
        more = len(missing) - 8
        raise ValidationError(
            _(
                "The questionnaire is not translated in every language offered, so the survey "
                "cannot open. Missing: %(missing)s"
            )
            % {"missing": shown + (f" (+{more})" if more > 0 else "")}
        )
    for value, field in ((opens_at, "opens_at"), (closes_at, "closes_at")):
        if value is None and field == "closes_at":
            continue
        if not isinstance(value, datetime) or not EARLIEST.year <= value.year <= LATEST.year:
            raise ValidationError(
                {
                    field: _("Enter a date between %(earliest)s and %(latest)s.")
                    % {"earliest": EARLIEST.year, "latest": LATEST.year}
                }
            )
    # A date typed without a time zone is Montréal's.
    if timezone.is_naive(opens_at):
        opens_at = timezone.make_aware(opens_at)
    if closes_at is not None and timezone.is_naive(closes_at):
        closes_at = timezone.make_aware(closes_at)
    if closes_at is not None and closes_at <= opens_at:
        raise ValidationError({"closes_at": _("The survey must close after it opens.")})
    organization_id = questionnaire.organization_id
    if session is not None and session.activity.organization_id != organization_id:
        raise ValidationError({"session": _("Choose a session of your organization.")})
    if service_type is not None and service_type.organization_id not in (None, organization_id):
        raise ValidationError({"service_type": _("Choose a service of your organization.")})
    if (
        isinstance(small_cell_threshold, bool)
        or not isinstance(small_cell_threshold, int)
        or not 1 <= small_cell_threshold <= 100
    ):
        raise ValidationError({"small_cell_threshold": _("Give a whole number from 1 to 100.")})
    clean_names = _texts(
        names or {}, "names", TITLE_MAX, languages=questionnaire.languages, french=False
    )
    return {
        "names": clean_names,
        "opens_at": opens_at,
        "closes_at": closes_at,
        "session": session,
        "service_type": service_type,
        "small_cell_threshold": small_cell_threshold,
    }


@transaction.atomic
def survey_create(
    *,
    actor: Any,
    questionnaire: Questionnaire,
    opens_at: datetime,
    closes_at: datetime | None = None,
    names: dict[str, str] | None = None,
    session: Any = None,
    service_type: Any = None,
    small_cell_threshold: int = 5,
) -> Survey:
    """A collection of answers to the questionnaire, with its own anonymous link."""
    values = _survey_values(
        questionnaire=questionnaire,
        names=names,
        opens_at=opens_at,
        closes_at=closes_at,
        session=session,
        service_type=service_type,
        small_cell_threshold=small_cell_threshold,
    )
    survey = Survey.objects.create(
        organization_id=questionnaire.organization_id,
        questionnaire=questionnaire,
        # 96 random bits: unguessable, short enough for a QR code and a poster.
        token=secrets.token_urlsafe(12),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        **values,
    )
    audit_record(
        actor=actor, action="create", target=survey, organization_id=survey.organization_id
    )
    return survey


@transaction.atomic
def survey_update(
    *,
    actor: Any,
    survey: Survey,
    opens_at: datetime,
    closes_at: datetime | None = None,
    names: dict[str, str] | None = None,
    session: Any = None,
    service_type: Any = None,
    small_cell_threshold: int = 5,
) -> Survey:
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    # An open survey whose questionnaire gained an untranslated text may still have its closing
    # date changed (that language is simply not offered meanwhile); opening needs everything.
    still_open = (
        selectors.survey_state(survey) == selectors.SurveyState.OPEN and opens_at == survey.opens_at
    )
    values = _survey_values(
        check_translations=not still_open,
        questionnaire=survey.questionnaire,
        names={**survey.names, **(names or {})},
        opens_at=opens_at,
        closes_at=closes_at,
        session=session,
        service_type=service_type,
        small_cell_threshold=small_cell_threshold,
    )
    for field, value in values.items():
        setattr(survey, field, value)
    survey.save()
    audit_record(
        actor=actor, action="change", target=survey, organization_id=survey.organization_id
    )
    return survey


@transaction.atomic
def survey_close(*, actor: Any, survey: Survey, now: datetime | None = None) -> Survey:
    """Stop collecting now (the link then says the survey is closed)."""
    now = now or timezone.now()
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.closes_at is not None and survey.closes_at <= now:
        return survey
    survey.closes_at = max(now, survey.opens_at + timedelta(seconds=1))
    survey.save(update_fields=["closes_at"])
    audit_record(
        actor=actor, action="change", target=survey, organization_id=survey.organization_id
    )
    return survey


# --- Responses --------------------------------------------------------------------------------


class SurveyUnavailable(ValidationError):
    """The survey is not open (not yet, or no longer): nothing is stored."""


@transaction.atomic
def response_submit(
    *,
    survey: Survey,
    language: str,
    answers: dict[str, Any],
    channel: str = Channel.LINK,
    client: Any = None,
    now: datetime | None = None,
) -> SurveyResponse:
    """Store one person's answers, anonymously.

    Answers are checked again here whatever the pages did: hidden questions' answers are
    dropped, required questions must be answered (errors by question name), values must be
    those offered. `client` only with the person's consent (the caller checks it).
    """
    if selectors.survey_state(survey, now) != selectors.SurveyState.OPEN:
        raise SurveyUnavailable(_("This survey is not open."))
    if channel not in Channel.values:
        raise ValidationError(_("Unknown channel."))
    questions = selectors.with_questions(survey.questionnaire)
    if language not in selectors.complete_languages(survey.questionnaire, questions):
        raise ValidationError(_("This survey is not offered in that language."))
    if not isinstance(answers, dict):
        raise ValidationError(_("Give the answers per question."))
    kept, errors = logic.check_answers(questions, answers)
    if errors:
        raise ValidationError(errors)
    response = SurveyResponse.objects.create(
        survey=survey, language=language, channel=channel, client=client
    )
    rows = []
    for question in questions:
        if question.name not in kept:
            continue
        value = kept[question.name]
        if question.kind in logic.CHOICE_KINDS:
            by_value = {c.value: c for c in question.choices.all()}
            for item in value if isinstance(value, list) else [value]:
                rows.append(Answer(response=response, question=question, choice=by_value[item]))
        elif question.kind == QuestionKind.TEXT:
            rows.append(Answer(response=response, question=question, text=value[:TEXT_MAX]))
        else:
            rows.append(Answer(response=response, question=question, number=value))
    Answer.objects.bulk_create(rows)
    return response

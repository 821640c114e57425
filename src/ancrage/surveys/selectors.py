"""Reads of questionnaires and surveys: the library, an organization's questionnaires and surveys,
what is left to translate, whether a survey is open, which languages a respondent may choose.

Results (counts, charts, exports) are read in `results.py`.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ancrage.core import tenancy
from ancrage.core.translated import base_language
from ancrage.surveys.logic import CHOICE_KINDS
from ancrage.surveys.models import Choice, Question, Questionnaire, Survey, SurveyResponse

RIGHT_TO_LEFT = {"ar", "fa"}


def content_languages() -> list[str]:
    """The languages a questionnaire may be offered in, as content codes ("fr", "zh-hans"), in
    the order of the site's languages: French first."""
    return [base_language(code) for code, _name in settings.LANGUAGES]


def interface_language(code: str) -> str:
    """The interface language of a content code: "fr" → "fr-ca"; the others are the same."""
    for interface, _name in settings.LANGUAGES:
        if base_language(interface) == code:
            return interface
    return settings.LANGUAGE_CODE


def language_name(code: str) -> str:
    """The name of a language in that language (an autonym: a reader finds their own)."""
    return dict(settings.LANGUAGES).get(interface_language(code), code)


def ordered_languages(codes: Iterable[str]) -> list[str]:
    wanted = set(codes)
    return [code for code in content_languages() if code in wanted]


def library() -> QuerySet[Questionnaire]:
    """The ready questionnaires every organization may copy."""
    return Questionnaire.objects.filter(organization__isnull=True).annotate(
        question_count=Count("questions")
    )


def with_questions(questionnaire: Questionnaire) -> list[Question]:
    """The questionnaire's questions in order, their choices fetched in the same go."""
    return list(
        questionnaire.questions.order_by("position").prefetch_related(
            Prefetch("choices", queryset=Choice.objects.order_by("position"))
        )
    )


def questionnaires_of(user: Any) -> QuerySet[Questionnaire]:
    return (
        tenancy.scoped(Questionnaire, user, tenancy.MANAGE_SURVEYS)
        .select_related("organization", "copied_from")
        .annotate(question_count=Count("questions", distinct=True))
        .order_by("organization__name", "code")
    )


def surveys_of(user: Any, questionnaire: Questionnaire | None = None) -> QuerySet[Survey]:
    surveys = tenancy.scoped(Survey, user, tenancy.MANAGE_SURVEYS)
    if questionnaire is not None:
        surveys = surveys.filter(questionnaire=questionnaire)
    return surveys.select_related("organization", "questionnaire").annotate(
        response_count=Count("responses")
    )


def has_responses(questionnaire: Questionnaire) -> bool:
    """A questionnaire answered at least once keeps its questions and their kinds: the answers
    already given refer to them."""
    return SurveyResponse.objects.filter(survey__questionnaire=questionnaire).exists()


@dataclass(frozen=True)
class Missing:
    language: str
    what: str


def missing_translations(
    questionnaire: Questionnaire,
    languages: Iterable[str] | None = None,
    questions: list[Question] | None = None,
) -> list[Missing]:
    """Every text the questionnaire lacks in one of its offered languages: the title, each
    question, each choice; a hint, introduction or thank-you message when French has one."""
    codes = list(languages if languages is not None else questionnaire.languages)
    questions = questions if questions is not None else with_questions(questionnaire)
    missing: list[Missing] = []

    def check(texts: dict | None, what: str, *, optional: bool = False) -> None:
        texts = texts or {}
        if optional and not (texts.get("fr") or "").strip():
            return
        for code in codes:
            if not (texts.get(code) or "").strip():
                missing.append(Missing(code, what))

    check(questionnaire.titles, _("the title"))
    check(questionnaire.introductions, _("the introduction"), optional=True)
    check(questionnaire.thanks, _("the thank-you message"), optional=True)
    for question in questions:
        check(question.texts, _("question %(name)s") % {"name": question.name})
        check(
            question.hints,
            _("the hint of question %(name)s") % {"name": question.name},
            optional=True,
        )
        if question.kind in CHOICE_KINDS:
            for choice in question.choices.all():
                check(
                    choice.labels,
                    _("the choice %(value)s of question %(name)s")
                    % {"value": choice.value, "name": question.name},
                )
    return missing


def complete_languages(
    questionnaire: Questionnaire, questions: list[Question] | None = None
) -> list[str]:
    """Offered languages in which everything is written: the only ones a respondent may choose
    (a questionnaire edited after its survey opened may lack a translation for a while)."""
    offered = ordered_languages(questionnaire.languages)
    gaps = {m.language for m in missing_translations(questionnaire, offered, questions)}
    return [code for code in offered if code not in gaps]


class SurveyState:
    SCHEDULED = "scheduled"
    OPEN = "open"
    CLOSED = "closed"


def survey_state(survey: Survey, now: datetime | None = None) -> str:
    now = now or timezone.now()
    if now < survey.opens_at:
        return SurveyState.SCHEDULED
    if survey.closes_at is not None and now >= survey.closes_at:
        return SurveyState.CLOSED
    return SurveyState.OPEN


def survey_by_token(token: str) -> Survey | None:
    """The survey of an anonymous link; None for an unknown or malformed code."""
    if not token or len(token) > 40:
        return None
    return (
        Survey.objects.select_related("organization", "questionnaire").filter(token=token).first()
    )


def sessions_for_surveys(user: Any, organization_id: int, include: int | None = None) -> QuerySet:
    """Activity sessions a survey of the organization may be about: those of the last and next
    six months (and the one already chosen), recent first."""
    from datetime import timedelta

    from django.db.models import Q

    from ancrage.activities.models import Session

    now = timezone.now()
    window = Q(starts_at__gte=now - timedelta(days=183), starts_at__lte=now + timedelta(days=183))
    if include:
        window |= Q(pk=include)
    return (
        tenancy.scoped(Session, user, tenancy.MANAGE_SURVEYS)
        .filter(window, activity__organization_id=organization_id)
        .select_related("activity")
        .order_by("-starts_at")
    )


def service_types_for_surveys(organization_id: int) -> QuerySet:
    """The department's service types and the organization's own."""
    from django.db.models import Q

    from ancrage.clients.models import ServiceType

    return ServiceType.objects.filter(
        Q(organization__isnull=True) | Q(organization_id=organization_id), is_active=True
    )


def response_counts(survey: Survey) -> dict[str, int]:
    """Responses per language and channel (staff's survey page; the results pages suppress)."""
    rows = (
        SurveyResponse.objects.filter(survey=survey)
        .values_list("language", "channel")
        .annotate(n=Count("pk"))
    )
    counts: dict[str, int] = {"total": 0}
    for language, channel, n in rows:
        counts["total"] += n
        counts[f"language:{language}"] = counts.get(f"language:{language}", 0) + n
        counts[f"channel:{channel}"] = counts.get(f"channel:{channel}", 0) + n
    return counts

"""Demo surveys: the library, and three surveys with a few hundred synthetic answers in several
languages, so the results pages have something to show.

- the anchor organization asks "service satisfaction" (open, answers over the last four months,
  through the link);
- the borough's libraries ask "activity feedback" about an activity session (mostly at a kiosk);
- the anchor organization's needs survey of last year (closed).

Every answer goes through `services.response_submit` (skip logic and checks as for a person);
only the submission time is then spread over the survey's period. Deterministic for a seed;
running it again adds nothing (`seed_surveys` skips an organization that already has the copy).
"""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TextIO

from django.db import transaction
from django.utils import timezone

from ancrage.core.choices import Role
from ancrage.network.models import Membership, Organization
from ancrage.surveys import library, logic, selectors, services
from ancrage.surveys.models import Channel, QuestionKind, Questionnaire, Survey, SurveyResponse

# Share of answers per language: French first, then the languages most spoken by newcomers in
# Saint-Michel and Parc-Extension.
LANGUAGE_WEIGHTS = {
    "fr": 34,
    "es": 16,
    "ar": 15,
    "fa": 7,
    "en": 7,
    "ht": 6,
    "zh-hans": 4,
    "pt": 3,
    "ru": 2,
    "uk": 3,
    "vi": 2,
    "tl": 1,
}

COMMENTS = {
    "fr": [
        "Plus d'heures le soir, s'il vous plaît.",
        "Merci pour votre patience.",
        "L'attente était longue.",
        "Des ateliers sur le logement, ce serait bien.",
    ],
    "en": ["More evening hours would help.", "Thank you for your patience.", "The wait was long."],
    "es": ["Más horarios por la tarde.", "Gracias por su paciencia.", "La espera fue larga."],
    "ar": ["نرجو ساعات مسائية أكثر.", "شكرًا على صبركم.", "كان الانتظار طويلًا."],
    "fa": ["ساعات عصر بیشتر لطفاً.", "از صبر شما ممنونم."],
    "zh-hans": ["希望晚上也开放。", "谢谢你们的耐心。"],
    "ht": ["Plis lè nan aswè tanpri.", "Mèsi pou pasyans nou."],
    "pt": ["Mais horários à noite.", "Obrigado pela paciência."],
    "ru": ["Больше вечерних часов, пожалуйста.", "Спасибо за терпение."],
    "uk": ["Більше вечірніх годин, будь ласка.", "Дякую за терпіння."],
    "vi": ["Xin mở cửa thêm buổi tối.", "Cảm ơn sự kiên nhẫn của các bạn."],
    "tl": ["Sana may oras din sa gabi.", "Salamat sa inyong pasensya."],
}

LIKERT_WEIGHTS = (4, 8, 18, 35, 35)
RECOMMEND_WEIGHTS = (1, 1, 1, 2, 2, 4, 6, 10, 20, 22, 31)


@dataclass
class DemoSurvey:
    organization: str
    code: str
    names: dict[str, str]
    opened_days_ago: int
    closes_in_days: int | None  # negative: closed that many days ago
    responses: int
    kiosk_share: float = 0.0
    about_a_session: bool = False


def _plan() -> list[DemoSurvey]:
    from ancrage.demo.montreal import ANCHOR_NAME, LIAISON_DEMO_BOROUGH, library_organization_name

    libraries = library_organization_name(LIAISON_DEMO_BOROUGH)
    return [
        DemoSurvey(
            ANCHOR_NAME,
            "service-satisfaction",
            {"fr": "Satisfaction — automne et hiver", "en": "Satisfaction — fall and winter"},
            opened_days_ago=120,
            closes_in_days=60,
            responses=320,
            kiosk_share=0.2,
        ),
        DemoSurvey(
            libraries,
            "activity-feedback",
            {"fr": "Avis sur le café-jasette", "en": "Feedback on Coffee and Chat"},
            opened_days_ago=60,
            closes_in_days=30,
            responses=180,
            kiosk_share=0.6,
            about_a_session=True,
        ),
        DemoSurvey(
            ANCHOR_NAME,
            "needs-survey",
            {"fr": "Besoins des familles — l'an dernier", "en": "Families' needs — last year"},
            opened_days_ago=300,
            closes_in_days=-200,
            responses=150,
        ),
    ]


def _answers(rng: random.Random, questions: list[Any], language: str) -> dict[str, Any]:
    """Plausible answers to every question; the service drops those a skip rule hides."""
    answers: dict[str, Any] = {}
    for question in questions:
        kind = question.kind
        if not question.required and rng.random() < 0.08:
            continue  # some people skip what is optional
        if kind == QuestionKind.LIKERT:
            answers[question.name] = rng.choices(range(1, 6), weights=LIKERT_WEIGHTS)[0]
        elif kind == QuestionKind.RECOMMEND:
            answers[question.name] = rng.choices(range(11), weights=RECOMMEND_WEIGHTS)[0]
        elif kind == QuestionKind.NUMBER:
            low, high = logic.bounds(logic.spec_of(question))
            answers[question.name] = rng.randint(low, min(high, low + max(3, (high - low) // 12)))
        elif kind in logic.CHOICE_KINDS:
            values = [c.value for c in question.choices.all()]
            weights = [len(values) - i for i in range(len(values))]
            if kind == QuestionKind.SINGLE:
                # Newcomers who answer in another language more often could not speak theirs.
                if question.name == "language_ok" and language not in ("fr", "en"):
                    weights = [5, 3, 2][: len(values)] + weights[3:]
                answers[question.name] = rng.choices(values, weights=weights)[0]
            else:
                count = rng.choice((1, 1, 2, 2, 3))
                answers[question.name] = sorted(
                    set(rng.choices(values, weights=weights, k=count)), key=values.index
                )
        elif kind == QuestionKind.TEXT:
            if question.name == "language_wanted":
                answers[question.name] = selectors.language_name(language)
            elif rng.random() < 0.3:
                answers[question.name] = rng.choice(COMMENTS[language])
    return answers


def _actor(organization: Organization) -> Any:
    membership = (
        Membership.objects.current()
        .filter(organization=organization, role__in=[Role.DIRECTOR, Role.COORDINATOR])
        .select_related("user")
        .first()
    )
    return membership.user if membership else None


def _session_of(organization: Organization, now: datetime) -> Any:
    from ancrage.activities.models import Session

    return (
        Session.objects.filter(activity__organization=organization, starts_at__lte=now)
        .order_by("-starts_at")
        .first()
    )


@transaction.atomic
def seed_surveys(
    *, seed: int = 2025, stdout: TextIO | None = None, now: datetime | None = None
) -> dict[str, int]:
    """Load the library, then the demo surveys of the organizations present (none: the library
    only). Returns the number of answers stored per survey code."""
    library.seed_library()
    now = now or timezone.now()
    rng = random.Random(seed)
    languages = list(LANGUAGE_WEIGHTS)
    weights = list(LANGUAGE_WEIGHTS.values())
    stored: dict[str, int] = {}
    for plan in _plan():
        organization = Organization.objects.filter(name=plan.organization).first()
        if (
            organization is None
            or Questionnaire.objects.filter(organization=organization, code=plan.code).exists()
        ):
            continue
        actor = _actor(organization)
        source = Questionnaire.objects.get(organization=None, code=plan.code)
        questionnaire = services.questionnaire_copy(
            actor=actor, source=source, organization=organization
        )
        opens_at = (now - timedelta(days=plan.opened_days_ago)).replace(
            minute=0, second=0, microsecond=0
        )
        closes_at = now + timedelta(days=plan.closes_in_days) if plan.closes_in_days else None
        survey = services.survey_create(
            actor=actor,
            questionnaire=questionnaire,
            names=plan.names,
            opens_at=opens_at,
            closes_at=closes_at,
            session=_session_of(organization, now) if plan.about_a_session else None,
        )
        stored[plan.code] = _respond(rng, survey, plan, languages, weights, now)
        if stdout is not None:
            stdout.write(f"  {stored[plan.code]} answers to {survey} ({organization.name})\n")
    return stored


def _respond(
    rng: random.Random,
    survey: Survey,
    plan: DemoSurvey,
    languages: list[str],
    weights: list[int],
    now: datetime,
) -> int:
    questions = selectors.with_questions(survey.questionnaire)
    last = min(now, survey.closes_at) if survey.closes_at else now
    span = max(1, int((last - survey.opens_at).total_seconds()) - 60)
    times: list[tuple[int, datetime]] = []
    for _number in range(plan.responses):
        language = rng.choices(languages, weights=weights)[0]
        when = survey.opens_at + timedelta(seconds=rng.randrange(span))
        # Opening hours: between 9:00 and 20:00, Montréal time.
        when = timezone.localtime(when).replace(hour=rng.randint(9, 19))
        when = min(max(when, survey.opens_at + timedelta(seconds=1)), last - timedelta(seconds=1))
        response = services.response_submit(
            survey=survey,
            language=language,
            answers=_answers(rng, questions, language),
            channel=Channel.KIOSK if rng.random() < plan.kiosk_share else Channel.LINK,
            now=when,
        )
        times.append((response.pk, when))
    for pk, when in times:
        SurveyResponse.objects.filter(pk=pk).update(submitted_at=when)
    return len(times)

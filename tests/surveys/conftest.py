"""Fixtures of the surveys tests, for every surveys test module (results, XLSForm, round tables
may import them): an organization's copy of a ready questionnaire, an open survey of it, and
answers given through the service as a respondent would.

    from tests.surveys.conftest import answered, open_survey, questionnaire_copy
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from ancrage.core.choices import Role
from ancrage.surveys import library, services
from ancrage.surveys.models import Questionnaire, Survey
from tests import factories

# Answers of the ready questionnaire "service satisfaction" (library.SERVICE_SATISFACTION).
SATISFIED = {
    "service_used": "housing",
    "welcome": 5,
    "understood": 4,
    "language_ok": "yes",
    "needs_met": 5,
    "visits": 3,
    "heard_from": ["friends", "library"],
    "recommend": 9,
    "improve": "Plus d'heures le soir.",
}


def ready(code: str = "service-satisfaction") -> Questionnaire:
    """A ready questionnaire of the library (loaded if needed)."""
    library.seed_library()
    return Questionnaire.objects.get(organization=None, code=code)


def questionnaire_copy(
    organization, code: str = "service-satisfaction", actor=None
) -> Questionnaire:
    """The organization's own copy of a ready questionnaire, in the twelve languages."""
    actor = actor or factories.member(organization, Role.DIRECTOR)
    return services.questionnaire_copy(actor=actor, source=ready(code), organization=organization)


def open_survey(organization=None, questionnaire=None, *, actor=None, **fields) -> Survey:
    """A survey opened an hour ago, closing in a month."""
    organization = organization or (
        questionnaire.organization if questionnaire else factories.OrganizationFactory()
    )
    questionnaire = questionnaire or questionnaire_copy(organization)
    actor = actor or factories.member(organization, Role.DIRECTOR)
    now = timezone.now()
    values = {"opens_at": now - timedelta(hours=1), "closes_at": now + timedelta(days=30)}
    values.update(fields)
    return services.survey_create(actor=actor, questionnaire=questionnaire, **values)


def answered(
    survey: Survey, answers: dict | None = None, *, language: str = "fr", channel: str = "link"
):
    """One response stored through the service (as the respondent pages do)."""
    return services.response_submit(
        survey=survey, language=language, channel=channel, answers=dict(answers or SATISFIED)
    )


@pytest.fixture
def survey_org(db):
    return factories.OrganizationFactory(name="Carrefour d'accueil Saint-Michel")


@pytest.fixture
def survey_manager(survey_org):
    return factories.member(survey_org, Role.COORDINATOR)


@pytest.fixture
def own_questionnaire(survey_org, survey_manager):
    return questionnaire_copy(survey_org, actor=survey_manager)


@pytest.fixture
def survey(survey_org, own_questionnaire, survey_manager):
    return open_survey(survey_org, own_questionnaire, actor=survey_manager)

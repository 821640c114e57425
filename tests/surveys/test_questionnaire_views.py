"""Staff pages of questionnaires and surveys: the library, copying, editing, translating, the
survey's links, QR codes and poster; other organizations' ids are 404."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ancrage.core.choices import Role
from ancrage.surveys.models import Choice, Question, Questionnaire, Survey
from tests import factories
from tests.surveys.conftest import answered, open_survey, questionnaire_copy, ready

pytestmark = pytest.mark.django_db


def test_every_page_opens_for_a_manager(survey, survey_manager, client_of):
    browser = client_of(survey_manager)
    questionnaire = survey.questionnaire
    question = questionnaire.questions.get(name="language_ok")
    choice = question.choices.get(value="partly")
    urls = [
        reverse("surveys:home"),
        reverse("surveys:library_questionnaire", args=[ready().pk]),
        reverse("surveys:questionnaire", args=[questionnaire.pk]),
        reverse("surveys:questionnaire_edit", args=[questionnaire.pk]),
        reverse("surveys:questionnaire_copy", args=[questionnaire.pk]),
        reverse("surveys:questionnaire_translate", args=[questionnaire.pk, "ar"]),
        reverse("surveys:question_add", args=[questionnaire.pk]),
        reverse("surveys:question_edit", args=[question.pk]),
        reverse("surveys:question_move", args=[question.pk]),
        reverse("surveys:question_remove", args=[question.pk]),
        reverse("surveys:choice_add", args=[question.pk]),
        reverse("surveys:choice_edit", args=[choice.pk]),
        reverse("surveys:choice_move", args=[choice.pk]),
        reverse("surveys:choice_remove", args=[choice.pk]),
        reverse("surveys:survey_create", args=[questionnaire.pk]),
        reverse("surveys:survey", args=[survey.pk]),
        reverse("surveys:survey_edit", args=[survey.pk]),
        reverse("surveys:survey_close", args=[survey.pk]),
        reverse("surveys:survey_poster", args=[survey.pk]),
    ]
    for url in urls:
        response = browser.get(url)
        assert response.status_code == 200, url

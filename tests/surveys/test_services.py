"""Writes to questionnaires, questions, choices, surveys and responses: what they accept, what
they refuse (and then change nothing), what they audit."""

from datetime import datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from ancrage.clients.models import ServiceType
from ancrage.core.models import AuditEvent
from ancrage.surveys import selectors, services
from ancrage.surveys.models import Answer, Choice, Questionnaire, Survey, SurveyResponse
from tests import factories
from tests.surveys.conftest import SATISFIED, answered, open_survey, ready

pytestmark = pytest.mark.django_db


def refused(call, *args, **kwargs) -> str:
    """The messages of the ValidationError the call raises, in English."""
    with translation.override("en"), pytest.raises(ValidationError) as error:
        call(*args, **kwargs)
    return " ".join(error.value.messages)


def snapshot(questionnaire):
    questionnaire.refresh_from_db()
    return (
        questionnaire.version,
        questionnaire.titles,
        list(questionnaire.questions.values_list("name", "position", "kind", "texts", "show_if")),
        list(
            Choice.objects.filter(question__questionnaire=questionnaire).values_list(
                "value", "labels"
            )
        ),
    )


# --- Questionnaires ---------------------------------------------------------------------------


def test_copy_of_a_ready_questionnaire_takes_every_question_choice_and_language(
    survey_org, survey_manager
):
    source = ready("needs-survey")
    copy = services.questionnaire_copy(actor=survey_manager, source=source, organization=survey_org)
    assert copy.organization == survey_org and copy.copied_from == source
    assert copy.code == "needs-survey" and copy.languages == source.languages
    assert list(copy.questions.values_list("name", "kind", "show_if", "texts")) == list(
        source.questions.values_list("name", "kind", "show_if", "texts")
    )
    assert (
        Choice.objects.filter(question__questionnaire=copy).count()
        == Choice.objects.filter(question__questionnaire=source).count()
    )
    again = services.questionnaire_copy(
        actor=survey_manager, source=source, organization=survey_org
    )
    assert again.code == "needs-survey-2"
    assert AuditEvent.objects.filter(
        action="create", target_type="surveys.questionnaire", target_id=str(copy.pk)
    ).exists()


def test_copy_of_another_organizations_questionnaire_is_refused(survey_org, own_questionnaire):
    other = factories.OrganizationFactory()
    before = Questionnaire.objects.count()
    assert "Copy a ready questionnaire" in refused(
        services.questionnaire_copy, actor=None, source=own_questionnaire, organization=other
    )
    assert "lowercase letters" in refused(
        services.questionnaire_copy,
        actor=None,
        source=ready(),
        organization=survey_org,
        code="Pas un code!",
    )
    assert Questionnaire.objects.count() == before


def test_update_keeps_other_languages_and_refuses_bad_input(own_questionnaire, survey_manager):
    updated = services.questionnaire_update(
        actor=survey_manager,
        questionnaire=own_questionnaire,
        version=own_questionnaire.version,
        titles={"fr": "<b>Votre avis</b>", "en": "Your opinion"},
        languages=["es", "fr", "ar"],
    )
    assert updated.titles["fr"] == "<b>Votre avis</b>"  # stored as text, escaped when shown
    assert updated.titles["ar"] == ready().titles["ar"]  # translations kept
    assert updated.languages == ["fr", "es", "ar"]  # French first, in the site's order
    before = snapshot(updated)
    base = {"actor": survey_manager, "questionnaire": updated, "version": updated.version}
    assert "French" in refused(
        services.questionnaire_update, **base, titles={"fr": " "}, languages=["fr"]
    )
    assert "French is always offered" in refused(
        services.questionnaire_update, **base, titles={"fr": "x"}, languages=["en"]
    )
    assert "Unknown language" in refused(
        services.questionnaire_update, **base, titles={"fr": "x"}, languages=["fr", "xx"]
    )
    assert "too long" in refused(
        services.questionnaire_update, **base, titles={"fr": "x" * 10_000}, languages=["fr"]
    )
    assert "Someone else changed" in refused(
        services.questionnaire_update,
        actor=survey_manager,
        questionnaire=updated,
        version=updated.version - 1,
        titles={"fr": "x"},
        languages=["fr"],
    )
    assert snapshot(updated) == before


def test_library_questionnaires_are_never_edited(survey_manager):
    source = ready()
    before = snapshot(source)
    assert "copy it first" in refused(
        services.question_add,
        actor=survey_manager,
        questionnaire=source,
        name="x",
        kind="text",
        texts={"fr": "x"},
    )
    assert "copy it first" in refused(
        services.translations_set,
        actor=survey_manager,
        questionnaire=source,
        version=None,
        language="es",
        texts={},
    )
    assert "Copy the ready questionnaire" in refused(
        services.survey_create, actor=survey_manager, questionnaire=source, opens_at=timezone.now()
    )
    assert snapshot(source) == before


def test_translation_of_one_language(own_questionnaire, survey_manager):
    question = own_questionnaire.questions.get(name="welcome")
    services.translations_set(
        actor=survey_manager,
        questionnaire=own_questionnaire,
        version=own_questionnaire.version,
        language="ar",
        texts={
            "title": "عنوان جديد",
            "questions": {"welcome": {"text": "", "hint": ""}},
            "choices": {"language_ok": {"yes": "نعم!"}},
        },
    )
    question.refresh_from_db()
    own_questionnaire.refresh_from_db()
    assert own_questionnaire.titles["ar"] == "عنوان جديد"
    assert "ar" not in question.texts  # emptied: that translation is gone
    assert (
        Choice.objects.get(question__questionnaire=own_questionnaire, value="yes").labels["ar"]
        == "نعم!"
    )
    assert "ar" in {m.language for m in selectors.missing_translations(own_questionnaire)}
    assert "ar" not in selectors.complete_languages(own_questionnaire)
    before = snapshot(own_questionnaire)
    assert "too long" in refused(
        services.translations_set,
        actor=survey_manager,
        questionnaire=own_questionnaire,
        version=own_questionnaire.version,
        language="es",
        texts={"title": "x" * 5000},
    )
    assert "Unknown language" in refused(
        services.translations_set,
        actor=survey_manager,
        questionnaire=own_questionnaire,
        version=own_questionnaire.version,
        language="klingon",
        texts={},
    )
    assert snapshot(own_questionnaire) == before


# --- Questions and skip rules -----------------------------------------------------------------


def add(questionnaire, actor, **fields):
    values = {"name": "extra", "kind": "text", "texts": {"fr": "Autre chose?"}}
    values.update(fields)
    return services.question_add(actor=actor, questionnaire=questionnaire, **values)


def test_question_added_at_the_end_with_a_rule_on_an_earlier_question(
    own_questionnaire, survey_manager
):
    question = add(
        own_questionnaire,
        survey_manager,
        name="why_low",
        texts={"fr": "<script>alert('x')</script> Pourquoi?"},
        show_if={"question": "welcome", "operator": "at_most", "value": "2"},
        required=True,
    )
    assert question.position == own_questionnaire.questions.count()
    assert question.show_if == {"question": "welcome", "operator": "at_most", "value": 2}
    assert question.texts["fr"].startswith("<script>")  # text, never markup
    choice_question = add(
        own_questionnaire,
        survey_manager,
        name="channel",
        kind="single",
        choices=[("phone", {"fr": "Téléphone"}), ("visit", {"fr": "Visite"})],
    )
    assert list(choice_question.choices.values_list("value", flat=True)) == ["phone", "visit"]


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"show_if": {"question": "nobody", "operator": "answered"}}, "asked before"),
        (
            {"show_if": {"question": "language_ok", "operator": "equals", "value": "maybe"}},
            "not one of the choices",
        ),
        ({"show_if": {"question": "welcome", "operator": "equals", "value": 7}}, "between 1 and 5"),
        ({"name": "welcome"}, "already uses this name"),
        ({"name": "Bad Name!"}, "lowercase"),
        ({"kind": "essay"}, "valid kind"),
        ({"texts": {"en": "English only"}}, "French first"),
        ({"texts": {"fr": "x" * 10_000}}, "too long"),
        ({"kind": "number", "min_value": 10, "max_value": 1}, "smaller"),
        ({"kind": "number", "min_value": 10**12}, "whole number"),
    ],
)
def test_bad_questions_are_refused_and_change_nothing(
    own_questionnaire, survey_manager, fields, message
):
    before = snapshot(own_questionnaire)
    assert message in refused(add, own_questionnaire, survey_manager, **fields)
    assert snapshot(own_questionnaire) == before


def test_moves_keep_every_rule_pointing_backwards(own_questionnaire, survey_manager):
    # language_wanted depends on language_ok, just before it.
    dependent = own_questionnaire.questions.get(name="language_wanted")
    before = snapshot(own_questionnaire)
    assert "later one" in refused(
        services.question_move, actor=survey_manager, question=dependent, direction="up"
    )
    assert snapshot(own_questionnaire) == before
    welcome = own_questionnaire.questions.get(name="welcome")
    services.question_move(actor=survey_manager, question=welcome, direction="up")
    assert list(own_questionnaire.questions.order_by("position").values_list("name", flat=True))[
        :2
    ] == [
        "welcome",
        "service_used",
    ]
    assert list(
        own_questionnaire.questions.order_by("position").values_list("position", flat=True)
    ) == list(range(1, own_questionnaire.questions.count() + 1))


def test_a_question_others_depend_on_keeps_its_place_kind_and_choices(
    own_questionnaire, survey_manager
):
    target = own_questionnaire.questions.get(name="language_ok")
    before = snapshot(own_questionnaire)
    assert "skip rule" in refused(services.question_remove, actor=survey_manager, question=target)
    assert "skip rule" in refused(
        services.question_update,
        actor=survey_manager,
        question=target,
        version=None,
        kind="text",
        texts={"fr": "Langue?"},
    )
    assert "skip rule" in refused(
        services.choice_remove, actor=survey_manager, choice=target.choices.get(value="partly")
    )
    assert snapshot(own_questionnaire) == before
    services.choice_remove(actor=survey_manager, choice=target.choices.get(value="yes"))
    assert not target.choices.filter(value="yes").exists()


def test_remove_renumbers(own_questionnaire, survey_manager):
    services.question_remove(
        actor=survey_manager, question=own_questionnaire.questions.get(name="understood")
    )
    assert list(
        own_questionnaire.questions.order_by("position").values_list("position", flat=True)
    ) == list(range(1, own_questionnaire.questions.count() + 1))
    assert AuditEvent.objects.filter(action="delete", target_type="surveys.question").exists()


def test_answered_questionnaire_keeps_its_questions_and_kinds(survey, survey_manager):
    answered(survey)
    questionnaire = survey.questionnaire
    before = snapshot(questionnaire)
    improve = questionnaire.questions.get(name="improve")
    message = refused(services.question_remove, actor=survey_manager, question=improve)
    assert "already answered" in message and "Copy the questionnaire" in message
    assert "already answered" in refused(
        services.question_update,
        actor=survey_manager,
        question=improve,
        version=None,
        kind="number",
        texts={"fr": "x"},
    )
    assert "already answered" in refused(
        services.choice_remove,
        actor=survey_manager,
        choice=Choice.objects.get(question__questionnaire=questionnaire, value="government"),
    )
    assert snapshot(questionnaire) == before
    # Rewording stays possible; so does copying to change it freely.
    services.question_update(
        actor=survey_manager,
        question=improve,
        version=None,
        kind="text",
        texts={"fr": "Une idée pour nous?"},
    )
    copy = services.questionnaire_copy(
        actor=survey_manager, source=questionnaire, organization=survey.organization
    )
    services.question_remove(actor=survey_manager, question=copy.questions.get(name="improve"))


# --- Surveys ----------------------------------------------------------------------------------


def test_survey_gets_an_unguessable_link(own_questionnaire, survey_manager):
    first = open_survey(questionnaire=own_questionnaire, actor=survey_manager)
    second = open_survey(questionnaire=own_questionnaire, actor=survey_manager)
    assert len(first.token) >= 16 and first.token != second.token
    assert first.organization == own_questionnaire.organization
    assert selectors.survey_state(first) == "open"


def test_a_survey_cannot_open_with_missing_translations(own_questionnaire, survey_manager):
    add(
        own_questionnaire,
        survey_manager,
        name="new_one",
        texts={"fr": "Nouvelle question", "en": "New"},
    )
    message = refused(open_survey, questionnaire=own_questionnaire, actor=survey_manager)
    assert "not translated in every language" in message and "new_one" in message
    assert Survey.objects.count() == 0
    # Offering fewer languages, or translating, opens it.
    services.questionnaire_update(
        actor=survey_manager,
        questionnaire=own_questionnaire,
        version=None,
        titles={"fr": own_questionnaire.titles["fr"]},
        languages=["fr", "en"],
    )
    own_questionnaire.refresh_from_db()
    assert open_survey(questionnaire=own_questionnaire, actor=survey_manager).pk


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"closes_at": "past"}, "close after it opens"),
        ({"opens_at": datetime(2205, 1, 1)}, "between 2000 and 2100"),
        ({"opens_at": "2025-01-01"}, "between 2000 and 2100"),
        ({"small_cell_threshold": 0}, "from 1 to 100"),
        ({"small_cell_threshold": True}, "from 1 to 100"),
        ({"names": {"fr": "x" * 500}}, "too long"),
    ],
)
def test_bad_survey_dates_and_settings_are_refused(
    own_questionnaire, survey_manager, fields, message
):
    now = timezone.now()
    values = {"opens_at": now, "closes_at": now + timedelta(days=1)}
    values.update(fields)
    if values["closes_at"] == "past":
        values["closes_at"] = now - timedelta(days=1)
    assert message in refused(
        services.survey_create, actor=survey_manager, questionnaire=own_questionnaire, **values
    )
    assert Survey.objects.count() == 0


def test_survey_about_a_session_or_service_of_the_organization_only(
    own_questionnaire, survey_manager
):
    other = factories.OrganizationFactory()
    foreign_session = factories.SessionFactory(
        activity=factories.ActivityFactory(organization=other)
    )
    foreign_type = ServiceType.objects.create(
        organization=other, code="secret", names={"fr": "Secret"}
    )
    assert "session of your organization" in refused(
        open_survey, questionnaire=own_questionnaire, actor=survey_manager, session=foreign_session
    )
    assert "service of your organization" in refused(
        open_survey,
        questionnaire=own_questionnaire,
        actor=survey_manager,
        service_type=foreign_type,
    )
    own_session = factories.SessionFactory(
        activity=factories.ActivityFactory(organization=own_questionnaire.organization)
    )
    shared = ServiceType.objects.create(code="shared-x", names={"fr": "Partagé"})
    survey = open_survey(
        questionnaire=own_questionnaire,
        actor=survey_manager,
        session=own_session,
        service_type=shared,
    )
    assert survey.session == own_session and survey.service_type == shared


def test_close_now(survey, survey_manager):
    services.survey_close(actor=survey_manager, survey=survey)
    survey.refresh_from_db()
    assert selectors.survey_state(survey) == "closed"


# --- Responses --------------------------------------------------------------------------------


def test_response_is_anonymous_and_keeps_only_what_was_asked(survey):
    response = answered(survey, {**SATISFIED, "language_wanted": "Tigrinya"}, language="ar")
    assert response.language == "ar" and response.client is None and response.channel == "link"
    names = set(Answer.objects.filter(response=response).values_list("question__name", flat=True))
    assert "language_wanted" not in names  # language_ok is "yes": not asked, not kept
    assert Answer.objects.filter(response=response, question__name="heard_from").count() == 2
    assert Answer.objects.get(response=response, question__name="recommend").number == 9


def test_html_is_stored_as_text(survey):
    response = answered(survey, {**SATISFIED, "improve": "<script>alert(1)</script>"})
    assert (
        Answer.objects.get(response=response, question__name="improve").text
        == "<script>alert(1)</script>"
    )


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"welcome": None}, "welcome"),
        ({"service_used": "forged"}, "service_used"),
        ({"recommend": 11}, "recommend"),
        ({"visits": -3}, "visits"),
        ({"improve": "x" * 10_000}, "improve"),
        ({"language_ok": "no", "language_wanted": "y" * 4001}, "language_wanted"),
    ],
)
def test_bad_answers_store_nothing(survey, changes, field):
    answers = {**SATISFIED, **changes}
    with pytest.raises(ValidationError) as error:
        answered(survey, {k: v for k, v in answers.items() if v is not None})
    assert field in error.value.message_dict
    assert SurveyResponse.objects.count() == 0 and Answer.objects.count() == 0


def test_closed_or_not_open_survey_stores_nothing(survey_org, own_questionnaire):
    now = timezone.now()
    later = open_survey(
        questionnaire=own_questionnaire, opens_at=now + timedelta(days=1), closes_at=None
    )
    over = open_survey(
        questionnaire=own_questionnaire,
        opens_at=now - timedelta(days=9),
        closes_at=now - timedelta(days=1),
    )
    for survey in (later, over):
        with pytest.raises(services.SurveyUnavailable):
            answered(survey)
    assert SurveyResponse.objects.count() == 0


def test_a_language_not_offered_or_incomplete_is_refused(survey, survey_manager):
    with pytest.raises(ValidationError):
        answered(survey, language="de")
    services.translations_set(
        actor=survey_manager,
        questionnaire=survey.questionnaire,
        version=None,
        language="vi",
        texts={"title": ""},
    )
    with pytest.raises(ValidationError):
        answered(survey, language="vi")
    assert SurveyResponse.objects.count() == 0


def test_an_open_survey_may_change_its_closing_date_while_a_new_text_waits_for_translation(
    survey, survey_manager
):
    add(survey.questionnaire, survey_manager, name="late_one", texts={"fr": "Tard?"})
    later = survey.closes_at + timedelta(days=7)
    services.survey_update(
        actor=survey_manager, survey=survey, opens_at=survey.opens_at, closes_at=later
    )
    survey.refresh_from_db()
    assert survey.closes_at == later
    assert selectors.complete_languages(survey.questionnaire) == ["fr"]
    # Moving its opening is opening again: everything must be translated.
    assert "not translated" in refused(
        services.survey_update,
        actor=survey_manager,
        survey=survey,
        opens_at=survey.opens_at - timedelta(hours=1),
        closes_at=later,
    )

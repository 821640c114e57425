"""The library of ready questionnaires: complete in twelve languages, every kind of question,
valid skip rules, plain language, loaded idempotently; and the demo surveys built from it."""

import pytest
from django.conf import settings

from ancrage.core.translated import base_language
from ancrage.surveys import demo, library, logic, selectors
from ancrage.surveys.models import Answer, Choice, Question, QuestionKind, Questionnaire, Survey
from tests import factories

pytestmark = pytest.mark.django_db


def test_three_ready_questionnaires_in_every_public_language():
    loaded = library.seed_library()
    assert {q.code for q in loaded} == {"service-satisfaction", "activity-feedback", "needs-survey"}
    public = [base_language(code) for code, _name in settings.LANGUAGES]
    assert len(public) == 12
    for questionnaire in loaded:
        assert questionnaire.organization is None
        assert questionnaire.languages == public
        assert selectors.missing_translations(questionnaire) == []
        assert selectors.complete_languages(questionnaire) == public


@pytest.mark.parametrize("data", library.LIBRARY, ids=lambda d: d["code"])
def test_each_uses_every_kind_and_a_valid_skip_rule(data):
    questions = data["questions"]
    assert 6 <= len(questions) <= 10
    assert {q["kind"] for q in questions} == set(QuestionKind.values)
    assert all(q["plain_language"] for q in questions)
    assert any(q["required"] for q in questions)
    specs = [
        logic.QuestionSpec(
            name=q["name"],
            kind=q["kind"],
            show_if=q["show_if"],
            choices=tuple(v for v, _labels in q["choices"]),
            min_value=q["min_value"],
            max_value=q["max_value"],
        )
        for q in questions
    ]
    rules = [index for index, spec in enumerate(specs) if spec.show_if]
    assert rules, "at least one skip rule"
    for index, spec in enumerate(specs):
        assert logic.clean_show_if(spec.show_if, specs[:index]) == spec.show_if
    for question in questions:
        assert (question["kind"] in logic.CHOICE_KINDS) == bool(question["choices"])
        for _value, labels in question["choices"]:
            assert set(labels) == set(library.LANGS)


def test_texts_are_short_and_not_the_french_copied():
    for data in library.LIBRARY:
        for question in data["questions"]:
            texts = question["texts"]
            assert all(len(text) <= 120 for text in texts.values()), question["name"]
            # A translation identical to the French is a forgotten one (proper names aside).
            same = [code for code, text in texts.items() if code != "fr" and text == texts["fr"]]
            assert same == [], (question["name"], same)


def test_loading_twice_changes_nothing():
    library.seed_library()
    counts = (Questionnaire.objects.count(), Question.objects.count(), Choice.objects.count())
    positions = list(Question.objects.order_by("pk").values_list("position", flat=True))
    library.seed_library()
    assert (
        Questionnaire.objects.count(),
        Question.objects.count(),
        Choice.objects.count(),
    ) == counts
    assert list(Question.objects.order_by("pk").values_list("position", flat=True)) == positions


def test_demo_surveys_hold_answers_in_several_languages():
    from ancrage.demo.montreal import ANCHOR_NAME, LIAISON_DEMO_BOROUGH, library_organization_name

    anchor = factories.OrganizationFactory(name=ANCHOR_NAME)
    libraries = factories.OrganizationFactory(
        name=library_organization_name(LIAISON_DEMO_BOROUGH), kind="library"
    )
    factories.member(anchor, "director")
    factories.SessionFactory(activity=factories.ActivityFactory(organization=libraries))
    stored = demo.seed_surveys(seed=7)
    assert stored == {"service-satisfaction": 320, "activity-feedback": 180, "needs-survey": 150}
    satisfaction = Survey.objects.get(
        organization=anchor, questionnaire__code="service-satisfaction"
    )
    languages = set(satisfaction.responses.values_list("language", flat=True))
    assert {"fr", "es", "ar", "fa"} <= languages and len(languages) >= 8
    # Answers respect the skip rules: "which language would help" only after "partly" or "no".
    wanted = Answer.objects.filter(
        response__survey=satisfaction, question__name="language_wanted"
    ).values_list("response_id", flat=True)
    for response_id in wanted:
        assert Answer.objects.get(
            response_id=response_id, question__name="language_ok"
        ).choice.value in ("partly", "no")
    feedback = Survey.objects.get(organization=libraries)
    assert feedback.session is not None
    assert feedback.responses.filter(channel="kiosk").exists()
    needs = Survey.objects.get(organization=anchor, questionnaire__code="needs-survey")
    assert selectors.survey_state(needs) == "closed"
    assert all(needs.opens_at < r.submitted_at < needs.closes_at for r in needs.responses.all())
    # Idempotent.
    assert demo.seed_surveys(seed=7) == {}
    assert Survey.objects.count() == 3

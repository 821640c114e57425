"""Skip logic and answer checks, as pure functions: no database."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from ancrage.surveys import logic
from ancrage.surveys.logic import QuestionSpec

SERVICE = QuestionSpec("service", "single", required=True, choices=("housing", "job", "other"))
NEEDS = QuestionSpec("needs", "multiple", choices=("housing", "job", "french"))
WELCOME = QuestionSpec("welcome", "likert", required=True)
RECOMMEND = QuestionSpec("recommend", "recommend")
PEOPLE = QuestionSpec("people", "number", min_value=1, max_value=20)
COMMENT = QuestionSpec("comment", "text")
EARLIER = [SERVICE, NEEDS, WELCOME, RECOMMEND, PEOPLE, COMMENT]


@pytest.mark.parametrize(
    "rule, expected",
    [
        ({}, {}),
        (None, {}),
        (
            {"question": "service", "operator": "equals", "value": "housing"},
            {"question": "service", "operator": "equals", "value": "housing"},
        ),
        (
            {"question": "needs", "operator": "in", "value": ["job", "french"]},
            {"question": "needs", "operator": "in", "value": ["job", "french"]},
        ),
        (
            {"question": "welcome", "operator": "at_most", "value": "2"},
            {"question": "welcome", "operator": "at_most", "value": 2},
        ),
        (
            {"question": "comment", "operator": "answered", "value": "ignored"},
            {"question": "comment", "operator": "answered"},
        ),
    ],
)
def test_valid_rules_are_stored_clean(rule, expected):
    assert logic.clean_show_if(rule, EARLIER) == expected


@pytest.mark.parametrize(
    "rule, message",
    [
        ({"question": "later", "operator": "equals", "value": "x"}, "asked before"),
        ({"question": "service", "operator": "like", "value": "x"}, "compared"),
        ({"question": "service", "operator": "equals", "value": "nope"}, "not one of the choices"),
        ({"question": "service", "operator": "at_least", "value": 2}, "only compare numbers"),
        ({"question": "welcome", "operator": "equals", "value": 9}, "between 1 and 5"),
        ({"question": "recommend", "operator": "at_least", "value": "ten"}, "between 0 and 10"),
        ({"question": "people", "operator": "equals", "value": 21}, "between 1 and 20"),
        ({"question": "comment", "operator": "equals", "value": "x"}, "has been answered"),
        ({"question": "needs", "operator": "in", "value": []}, "one or more"),
        ({"question": "needs", "operator": "in", "value": "housing"}, "one or more"),
        ({"question": "welcome", "operator": "equals", "value": True}, "between 1 and 5"),
        ("<script>", "not valid"),
        (["service"], "not valid"),
    ],
)
def test_invalid_rules_say_why(rule, message):
    with translation.override("en"), pytest.raises(ValidationError) as error:
        logic.clean_show_if(rule, EARLIER)
    assert message in error.value.messages[0]


def test_a_rule_may_not_name_the_question_itself_or_a_later_one():
    with pytest.raises(ValidationError):
        logic.clean_show_if({"question": "welcome", "operator": "answered"}, EARLIER[:2])


def test_conditions_and_unanswered_questions():
    equals = {"question": "service", "operator": "equals", "value": "housing"}
    assert logic.condition_met(equals, {"service": "housing"})
    assert not logic.condition_met(equals, {"service": "job"})
    assert not logic.condition_met(equals, {})  # unanswered: no condition holds
    not_equals = {"question": "service", "operator": "not_equals", "value": "housing"}
    assert logic.condition_met(not_equals, {"service": "job"})
    assert not logic.condition_met(not_equals, {})
    one_of = {"question": "needs", "operator": "in", "value": ["job", "french"]}
    assert logic.condition_met(one_of, {"needs": ["housing", "french"]})
    assert not logic.condition_met(one_of, {"needs": ["housing"]})
    ticked = {"question": "needs", "operator": "equals", "value": "housing"}
    assert logic.condition_met(ticked, {"needs": ["job", "housing"]})
    low = {"question": "welcome", "operator": "at_most", "value": 2}
    assert logic.condition_met(low, {"welcome": 2}) and not logic.condition_met(low, {"welcome": 3})
    high = {"question": "recommend", "operator": "at_least", "value": 9}
    assert logic.condition_met(high, {"recommend": 10}) and not logic.condition_met(
        high, {"recommend": 0}
    )
    assert logic.condition_met({"question": "comment", "operator": "answered"}, {"comment": "x"})


def test_a_hidden_question_hides_the_ones_that_depend_on_it():
    housing = QuestionSpec(
        "housing_now",
        "single",
        choices=("shelter", "apartment"),
        show_if={"question": "service", "operator": "equals", "value": "housing"},
    )
    shelter = QuestionSpec(
        "shelter_since",
        "number",
        show_if={"question": "housing_now", "operator": "equals", "value": "shelter"},
    )
    questions = [SERVICE, housing, shelter]
    # An answer left over from a question now hidden does not count.
    answers = {"service": "job", "housing_now": "shelter"}
    assert [q.name for q in logic.visible(questions, answers)] == ["service"]
    kept, errors = logic.check_answers(questions, {**answers, "shelter_since": 3})
    assert kept == {"service": "job"} and errors == {}
    answers = {"service": "housing", "housing_now": "shelter", "shelter_since": 3}
    assert logic.check_answers(questions, answers) == (answers, {})


def test_pages_are_small_and_break_before_a_question_that_depends_on_the_same_page():
    dependent = QuestionSpec(
        "why", "text", show_if={"question": "welcome", "operator": "at_most", "value": 2}
    )
    steps = logic.pages([SERVICE, WELCOME, dependent, RECOMMEND, PEOPLE, COMMENT, NEEDS])
    names = [[q.name for q in step] for step in steps]
    assert names == [["service", "welcome"], ["why", "recommend", "people", "comment"], ["needs"]]
    assert all(len(step) <= logic.PAGE_SIZE for step in steps)


@pytest.mark.parametrize(
    "question, raw, expected",
    [
        (SERVICE, ["housing"], "housing"),
        (SERVICE, [""], None),
        (SERVICE, [], None),
        (NEEDS, ["french", "housing", "french"], ["housing", "french"]),
        (WELCOME, ["4"], 4),
        (RECOMMEND, ["0"], 0),
        (PEOPLE, [" 20 "], 20),
        (COMMENT, ["  <script>alert(1)</script>  "], "<script>alert(1)</script>"),
        (COMMENT, ["a\x00b"], "ab"),
    ],
)
def test_answers_parsed(question, raw, expected):
    assert logic.parse_answer(question, raw) == expected


@pytest.mark.parametrize(
    "question, raw",
    [
        (SERVICE, ["<b>housing</b>"]),
        (SERVICE, ["housing", "job"]),
        (NEEDS, ["housing", "nope"]),
        (WELCOME, ["6"]),
        (WELCOME, ["4.5"]),
        (RECOMMEND, ["-1"]),
        (PEOPLE, ["0"]),
        (PEOPLE, ["99999999999999999999"]),
        (PEOPLE, ["deux"]),
        (COMMENT, ["x" * 10_000]),
    ],
)
def test_bad_answers_are_refused(question, raw):
    with pytest.raises(ValidationError):
        logic.parse_answer(question, raw)


def test_a_long_text_is_refused_with_its_length_in_the_persons_language():
    with translation.override("es"):
        message = _message(COMMENT, ["x" * 10_000])
    assert "10000" in message and "4000" in message
    with translation.override("en"):
        assert "too long" in _message(COMMENT, ["x" * 4001])
    assert logic.parse_answer(COMMENT, ["x" * 4000]) == "x" * 4000


def _message(question, raw):
    with pytest.raises(ValidationError) as error:
        logic.parse_answer(question, raw)
    return error.value.messages[0]


def test_required_questions_asked_must_be_answered():
    dependent = QuestionSpec(
        "why",
        "text",
        required=True,
        show_if={"question": "welcome", "operator": "at_most", "value": 2},
    )
    questions = [SERVICE, WELCOME, dependent]
    kept, errors = logic.check_answers(questions, {"welcome": 5})
    assert set(errors) == {"service"}
    kept, errors = logic.check_answers(questions, {"service": "job", "welcome": 1})
    assert set(errors) == {"why"}
    kept, errors = logic.check_answers(questions, {"service": "job", "welcome": 1, "why": "slow"})
    assert errors == {} and kept["why"] == "slow"
    kept, errors = logic.check_answers(questions, {"service": "forged", "welcome": "5"})
    assert set(errors) == {"service"} and kept == {"welcome": 5}

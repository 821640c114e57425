"""The recommendation state machine, exhaustively: every state × action × role, against a table
written here independently of `surveys.recommendations` (a change to either shows up as a
failure); then the rules of each step: dates, answers, waiting time, versions."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ancrage.core.choices import OrganizationKind, Role
from ancrage.core.models import AuditEvent
from ancrage.surveys import recommendations as workflow
from ancrage.surveys import roundtables
from ancrage.surveys.models import Recommendation, RecommendationEvent, RecommendationState
from tests import factories
from tests.surveys.test_roundtables import (
    ADOPTED,
    ANSWERED,
    SENT,
    TODAY,
    days_ago,
    make_table,
    recommendation_in,
)

pytestmark = pytest.mark.django_db

STATES = list(RecommendationState.values)
ACTIONS = [
    "adopt",
    "send",
    "acknowledge",
    "accept",
    "partly_accept",
    "reject",
    "declare_no_answer",
]
# who: (where, role). "table" is the round table's own organization, "institution" the one the
# recommendation is addressed to, "member" an organization sitting at the table, "city" a city
# service (network-wide readers), "other" an organization with nothing to do with it.
PEOPLE = {
    "table_director": ("table", Role.DIRECTOR),
    "table_coordinator": ("table", Role.COORDINATOR),
    "table_administrator": ("table", Role.ADMINISTRATOR),
    "table_worker": ("table", Role.COMMUNITY_WORKER),
    "table_steward": ("table", Role.DATA_STEWARD),
    "institution_director": ("institution", Role.DIRECTOR),
    "institution_coordinator": ("institution", Role.COORDINATOR),
    "institution_advisor": ("institution", Role.FUNDER_ADVISOR),
    "institution_intake": ("institution", Role.INTAKE_WORKER),
    "member_director": ("member", Role.DIRECTOR),
    "city_coordinator": ("city", Role.COORDINATOR),
    "other_director": ("other", Role.DIRECTOR),
}
TABLE = {"table_director", "table_coordinator", "table_administrator"}
INSTITUTION = {"institution_director", "institution_coordinator"}
BOTH = TABLE | INSTITUTION

# (state, action) -> who may take it, and the state it leads to.
ALLOWED = {
    ("drafted", "adopt"): (TABLE, "adopted"),
    ("adopted", "send"): (TABLE, "sent"),
    ("sent", "acknowledge"): (BOTH, "acknowledged"),
    ("sent", "accept"): (BOTH, "accepted"),
    ("sent", "partly_accept"): (BOTH, "partly_accepted"),
    ("sent", "reject"): (BOTH, "rejected"),
    ("acknowledged", "accept"): (BOTH, "accepted"),
    ("acknowledged", "partly_accept"): (BOTH, "partly_accepted"),
    ("acknowledged", "reject"): (BOTH, "rejected"),
    # A late answer is still recorded after the table declared that none came.
    ("no_answer", "accept"): (BOTH, "accepted"),
    ("no_answer", "partly_accept"): (BOTH, "partly_accepted"),
    ("no_answer", "reject"): (BOTH, "rejected"),
    ("sent", "declare_no_answer"): (TABLE, "no_answer"),
    ("acknowledged", "declare_no_answer"): (TABLE, "no_answer"),
}
# The date each dated step records, and the field it goes to.
DATED = {"adopt": "adopted_on", "send": "sent_on", "accept": "answered_on"}
DATED |= {"partly_accept": "answered_on", "reject": "answered_on"}
ON = days_ago(5)
ANSWER = "Le Ministère accepte et en fera l'annonce au prochain budget."
NOTE = "Reçu par courriel."


@pytest.fixture
def places(db):
    table = make_table()
    member = factories.OrganizationFactory(name="Organisme membre")
    from ancrage.surveys.models import TableMember

    TableMember.objects.create(table=table, member=member)
    return {
        "table": table,
        "institution": factories.OrganizationFactory(
            name="Ministère (test)", kind=OrganizationKind.FUNDER
        ),
        "member": member,
        "city": factories.OrganizationFactory(kind=OrganizationKind.CITY_SERVICE),
        "other": factories.OrganizationFactory(name="Organisme sans lien"),
    }


def take(actor, recommendation, action, **overrides):
    arguments = {
        "actor": actor,
        "recommendation": recommendation,
        "step": action,
        "version": recommendation.version,
        "on": ON,
        "answer": ANSWER,
        "note": NOTE,
        "today": TODAY,
    } | overrides
    return roundtables.recommendation_step(**arguments)


def snapshot(recommendation):
    row = Recommendation.objects.get(pk=recommendation.pk)
    return (
        row.state,
        row.version,
        row.adopted_on,
        row.sent_on,
        row.answered_on,
        row.answer,
    )


@pytest.mark.parametrize("who", sorted(PEOPLE))
@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("state", STATES)
def test_every_state_action_and_role(state, action, who, places):
    where, role = PEOPLE[who]
    actor = factories.member(places[where], role)
    recommendation = recommendation_in(places["table"], places["institution"], state)
    before = snapshot(recommendation)
    allowed, target = ALLOWED.get((state, action), (set(), None))

    if who in allowed:
        take(actor, recommendation, action)
        recommendation.refresh_from_db()
        assert recommendation.state == target
        assert recommendation.version == 2
        if action in DATED:
            assert getattr(recommendation, DATED[action]) == ON
        if action in ("accept", "partly_accept", "reject"):
            assert recommendation.answer == ANSWER
        event = RecommendationEvent.objects.get(recommendation=recommendation)
        assert (event.action, event.from_state, event.to_state, event.actor, event.note) == (
            action,
            state,
            target,
            actor,
            NOTE,
        )
        audit = AuditEvent.objects.get(target_type="surveys.recommendation")
        assert audit.actor_id == actor.pk and audit.details["step"] == action
        expected_side = places["table"] if who in TABLE else places["institution"]
        assert audit.organization_id == expected_side.pk
    else:
        with pytest.raises((PermissionDenied, ValidationError)) as refused:
            take(actor, recommendation, action)
        if isinstance(refused.value, ValidationError):
            # Someone of the right side at the wrong moment is told why, in words.
            messages = " ".join(refused.value.messages)
            assert "is not possible" in messages or "n'est pas possible" in messages
            side_ok = any(who in people for (_s, a), (people, _t) in ALLOWED.items() if a == action)
            assert side_ok
        else:
            side_ok = any(who in people for (_s, a), (people, _t) in ALLOWED.items() if a == action)
            assert not side_ok, "the right side at the wrong moment gets a reason, not a 403"
        assert snapshot(recommendation) == before
        assert not RecommendationEvent.objects.exists()
        assert not AuditEvent.objects.filter(target_type="surveys.recommendation").exists()


def test_the_table_here_matches_the_declared_workflow():
    declared = {(state, step.name): step.target for step in workflow.STEPS for state in step.source}
    assert declared == {key: target for key, (_who, target) in ALLOWED.items()}
    sides = {(state, step.name): step.actors for step in workflow.STEPS for state in step.source}
    for key, (people, _target) in ALLOWED.items():
        expected = (
            {"table", "institution"}
            if people == BOTH
            else ({"table"} if people == TABLE else {"institution"})
        )
        assert sides[key] == expected, key
    assert {s.name: s.dated for s in workflow.STEPS if s.dated} == DATED


def test_every_state_but_the_answers_leads_somewhere():
    """No dead end but the answers: a recommendation is followed until one comes."""
    sources = {state for (state, _action) in ALLOWED}
    assert set(STATES) - sources == {"accepted", "partly_accepted", "rejected"}


# --- The rules of each step ----------------------------------------------------------------------


@pytest.fixture
def table(places):
    return places["table"]


@pytest.fixture
def institution(places):
    return places["institution"]


@pytest.fixture
def coordinator(table):
    return factories.member(table, Role.COORDINATOR)


@pytest.mark.parametrize("action", ["accept", "partly_accept", "reject"])
@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"on": None}, "on"),
        ({"answer": ""}, "answer"),
        ({"answer": "   "}, "answer"),
        ({"answer": "x" * 4001}, "answer"),
        ({"on": TODAY + timedelta(days=1)}, "on"),
        ({"on": days_ago(SENT + 1)}, "on"),  # before it was sent
    ],
)
def test_an_answer_needs_its_date_and_its_text(
    action, overrides, field, table, institution, coordinator
):
    recommendation = recommendation_in(table, institution, "acknowledged")
    before = snapshot(recommendation)
    with pytest.raises(ValidationError) as refused:
        take(coordinator, recommendation, action, **overrides)
    assert field in refused.value.message_dict
    assert snapshot(recommendation) == before
    assert not RecommendationEvent.objects.exists()


@pytest.mark.parametrize(
    ("state", "action", "bad_on"),
    [
        ("drafted", "adopt", TODAY + timedelta(days=1)),
        ("drafted", "adopt", days_ago(0).replace(year=2500)),
        ("drafted", "adopt", days_ago(0).replace(year=1)),
        ("drafted", "adopt", None),
        ("adopted", "send", days_ago(ADOPTED + 1)),  # sent before it was adopted
        ("adopted", "send", TODAY + timedelta(days=30)),
        ("adopted", "send", None),
    ],
)
def test_dates_are_neither_in_the_future_nor_before_the_previous_step(
    state, action, bad_on, table, institution, coordinator
):
    recommendation = recommendation_in(table, institution, state)
    before = snapshot(recommendation)
    with pytest.raises(ValidationError) as refused:
        take(coordinator, recommendation, action, on=bad_on)
    assert "on" in refused.value.message_dict
    assert snapshot(recommendation) == before


def test_a_step_on_the_same_day_as_the_previous_is_fine(table, institution, coordinator):
    recommendation = recommendation_in(table, institution, "adopted")
    take(coordinator, recommendation, "send", on=days_ago(ADOPTED))
    assert recommendation.sent_on == days_ago(ADOPTED)


def test_no_answer_is_declared_only_after_the_waiting_time(table, institution, coordinator):
    recent = recommendation_in(table, institution, "sent", sent_on=days_ago(59))
    with pytest.raises(ValidationError) as refused:
        take(coordinator, recent, "declare_no_answer")
    assert refused.value.code == "too_early"
    assert snapshot(recent)[0] == "sent"
    due = recommendation_in(table, institution, "acknowledged", sent_on=days_ago(60))
    take(coordinator, due, "declare_no_answer")
    assert due.state == "no_answer" and due.answered_on is None


def test_a_stale_step_is_refused(table, institution, coordinator):
    recommendation = recommendation_in(table, institution, "sent")
    with pytest.raises(ValidationError) as stale:
        take(coordinator, recommendation, "acknowledge", version=0)
    assert stale.value.code == "stale"
    with pytest.raises(ValidationError):
        take(coordinator, recommendation, "acknowledge", version=None)
    assert snapshot(recommendation)[:2] == ("sent", 1)


def test_a_second_click_on_the_same_step_is_refused(table, institution, coordinator):
    recommendation = recommendation_in(table, institution, "sent")
    seen = recommendation.version
    take(coordinator, recommendation, "acknowledge", version=seen)
    with pytest.raises(ValidationError):
        take(coordinator, recommendation, "acknowledge", version=seen)
    assert RecommendationEvent.objects.count() == 1


@pytest.mark.parametrize("step", ["delete", "send_back", "", "x" * 10_000])
def test_an_unknown_step_is_refused(step, table, institution, coordinator):
    recommendation = recommendation_in(table, institution, "sent")
    with pytest.raises(ValidationError):
        take(coordinator, recommendation, step)
    assert snapshot(recommendation)[:2] == ("sent", 1)


def test_a_note_too_long_or_with_nul_is_refused(table, institution, coordinator):
    recommendation = recommendation_in(table, institution, "sent")
    for note in ("n" * 4001, "a\x00b"):
        with pytest.raises(ValidationError) as refused:
            take(coordinator, recommendation, "acknowledge", note=note)
        assert "note" in refused.value.message_dict
    assert snapshot(recommendation)[:2] == ("sent", 1)


def test_the_institution_records_its_own_answer(table, institution):
    speaker = factories.member(institution, Role.DIRECTOR)
    recommendation = recommendation_in(table, institution, "sent")
    take(speaker, recommendation, "acknowledge")
    take(speaker, recommendation, "partly_accept", on=days_ago(1))
    assert recommendation.state == "partly_accepted"
    assert recommendation.answered_on == days_ago(1) and recommendation.answer == ANSWER
    sides = list(
        AuditEvent.objects.filter(target_type="surveys.recommendation").values_list(
            "organization_id", flat=True
        )
    )
    assert sides == [institution.pk, institution.pk]


def test_days_waiting_stop_at_the_answer(table, institution, coordinator):
    recommendation = recommendation_in(table, institution, "sent")
    assert workflow.days_waiting(recommendation, TODAY) == SENT
    take(coordinator, recommendation, "accept", on=days_ago(ANSWERED))
    assert workflow.days_waiting(recommendation, TODAY) == SENT - ANSWERED
    assert workflow.days_waiting(recommendation, TODAY + timedelta(days=400)) == SENT - ANSWERED


def test_steps_offered_to_each_side():
    table, institution = frozenset({"table"}), frozenset({"institution"})
    names = lambda state, actors: [s.name for s in workflow.allowed_steps(state, actors)]  # noqa: E731
    assert names("drafted", institution) == []
    assert names("sent", institution) == ["acknowledge", "accept", "partly_accept", "reject"]
    assert names("sent", table) == [
        "acknowledge",
        "accept",
        "partly_accept",
        "reject",
        "declare_no_answer",
    ]
    assert names("accepted", table | institution) == []

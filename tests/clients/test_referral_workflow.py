"""The referral state machine, exhaustively: every state × step × role, against a table written
here independently of `clients.workflow` (a change to either shows up as a failure)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ancrage.clients import referrals, workflow
from ancrage.clients.models import Referral, ReferralEvent, ReferralState
from ancrage.core.choices import Role
from tests import factories
from tests.clients.conftest import register

pytestmark = pytest.mark.django_db

STATES = list(ReferralState.values)
STEPS = ["accept", "decline", "complete", "withdraw"]
# who: (side, role); "third" is an organization the referral does not concern.
PEOPLE = {
    "sender_worker": ("from", Role.INTAKE_WORKER),
    "sender_coordinator": ("from", Role.COORDINATOR),
    "sender_director": ("from", Role.DIRECTOR),
    "sender_steward": ("from", Role.DATA_STEWARD),
    "sender_liaison": ("from", Role.LIAISON_OFFICER),
    "receiver_worker": ("to", Role.COMMUNITY_WORKER),
    "receiver_director": ("to", Role.DIRECTOR),
    "receiver_steward": ("to", Role.DATA_STEWARD),
    "receiver_administrator": ("to", Role.ADMINISTRATOR),
    "third_director": ("third", Role.DIRECTOR),
}
RECEIVING = {"receiver_worker", "receiver_director"}
SENDING = {"sender_worker", "sender_coordinator", "sender_director"}

# (state, step) -> who may take it, and the state it leads to.
ALLOWED = {
    ("sent", "accept"): (RECEIVING, "accepted"),
    ("sent", "decline"): (RECEIVING, "declined"),
    ("accepted", "complete"): (RECEIVING, "completed"),
    ("sent", "withdraw"): (SENDING, "withdrawn"),
    ("accepted", "withdraw"): ({"sender_director"}, "withdrawn"),
}


@pytest.fixture
def sides(org_a, org_b):
    return {"from": org_a, "to": org_b, "third": factories.OrganizationFactory()}


@pytest.fixture
def referred(org_a, org_b):
    return register(org_a)


def referral_in(state, client, org_b):
    return Referral.objects.create(
        client=client,
        from_organization_id=client.organization_id,
        to_organization=org_b,
        reason="Recherche de logement urgente.",
        basis="consent",
        state=state,
    )


@pytest.mark.parametrize("who", sorted(PEOPLE))
@pytest.mark.parametrize("step", STEPS)
@pytest.mark.parametrize("state", STATES)
def test_every_state_step_and_role(state, step, who, sides, referred, org_b):
    side, role = PEOPLE[who]
    actor = factories.member(sides[side], role)
    referral = referral_in(state, referred, org_b)
    allowed, target = ALLOWED.get((state, step), (set(), None))

    if who in allowed:
        referrals.referral_step(
            actor=actor, referral=referral, step=step, comment="Une raison suffisante."
        )
        referral.refresh_from_db()
        assert referral.state == target
        event = ReferralEvent.objects.get(referral=referral)
        assert (event.action, event.from_state, event.to_state, event.actor) == (
            step,
            state,
            target,
            actor,
        )
        expected_side = org_b if who in RECEIVING else sides["from"]
        assert event.organization == expected_side
    else:
        with pytest.raises((PermissionDenied, ValidationError)):
            referrals.referral_step(
                actor=actor, referral=referral, step=step, comment="Une raison suffisante."
            )
        referral.refresh_from_db()
        assert referral.state == state
        assert not ReferralEvent.objects.exists()


def test_the_table_here_matches_the_declared_workflow():
    declared = {
        (state, step.name): step.target
        for step in workflow.STEPS
        if step.name != "send"
        for state in step.source
    }
    assert declared == {key: target for key, (_who, target) in ALLOWED.items()}


@pytest.mark.parametrize("step", ["decline"])
def test_a_decline_says_why(step, referred, org_b):
    referral = referral_in("sent", referred, org_b)
    worker = factories.member(org_b, Role.INTAKE_WORKER)
    with pytest.raises(ValidationError) as refused:
        referrals.referral_step(actor=worker, referral=referral, step=step, comment="")
    assert "comment" in refused.value.message_dict
    referral.refresh_from_db()
    assert referral.state == "sent"


def test_an_unknown_step_is_refused(referred, org_b):
    referral = referral_in("sent", referred, org_b)
    worker = factories.member(org_b, Role.INTAKE_WORKER)
    for step in ("send", "delete", "x" * 10_000):
        with pytest.raises(ValidationError):
            referrals.referral_step(actor=worker, referral=referral, step=step)

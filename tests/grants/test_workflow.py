"""The application state machine, exhaustively: every state × step × role × moment (call open, or
deadline passed), against a table written here independently of `grants.workflow`."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from ancrage.core.choices import Role
from ancrage.core.models import AuditEvent
from ancrage.grants import services, workflow
from ancrage.grants.models import ApplicationState, CoApplicant
from tests import factories
from tests.grants.conftest import make_application, make_call

pytestmark = pytest.mark.django_db

STATES = list(ApplicationState.values)
STEPS = ["submit", "withdraw", "fund", "decline"]
MOMENTS = ["open", "after_deadline"]
# who: (organization, role)
PEOPLE = {
    "applicant_director": ("applicant", Role.DIRECTOR),
    "applicant_coordinator": ("applicant", Role.COORDINATOR),
    "applicant_intake": ("applicant", Role.INTAKE_WORKER),
    "applicant_administrator": ("applicant", Role.ADMINISTRATOR),
    "funder_coordinator": ("funder", Role.COORDINATOR),
    "funder_administrator": ("funder", Role.ADMINISTRATOR),
    "funder_advisor": ("funder", Role.FUNDER_ADVISOR),
    "funder_reviewer": ("funder", Role.GRANT_REVIEWER),
    "co_applicant_director": ("co_applicant", Role.DIRECTOR),
    "third_director": ("third", Role.DIRECTOR),
}
APPLYING = {"applicant_director", "applicant_coordinator"}
MANAGING = {"funder_coordinator", "funder_administrator"}

# (state, step) -> (who may take it, when, the state it leads to)
ALLOWED = {
    ("draft", "submit"): (APPLYING, {"open"}, "submitted"),
    ("draft", "withdraw"): (APPLYING, {"open", "after_deadline"}, "withdrawn"),
    ("submitted", "withdraw"): (APPLYING, {"open", "after_deadline"}, "withdrawn"),
    ("submitted", "fund"): (MANAGING, {"after_deadline"}, "funded"),
    ("submitted", "decline"): (MANAGING, {"after_deadline"}, "declined"),
}


@pytest.fixture
def organizations(db):
    return {
        "applicant": factories.OrganizationFactory(name="Demandeur"),
        "funder": factories.OrganizationFactory(name="Bailleur", kind="city_service"),
        "co_applicant": factories.OrganizationFactory(name="Codemandeur"),
        "third": factories.OrganizationFactory(name="Tiers"),
    }


def application_in(state, moment, organizations):
    now = timezone.now()
    closes = now + timedelta(days=10) if moment == "open" else now - timedelta(hours=1)
    call = make_call(organizations["funder"], opens_at=now - timedelta(days=30), closes_at=closes)
    application = make_application(call, organizations["applicant"], state=state)
    CoApplicant.objects.create(
        application=application, organization=organizations["co_applicant"], confirmed_at=now
    )
    return application


@pytest.mark.parametrize("moment", MOMENTS)
@pytest.mark.parametrize("who", sorted(PEOPLE))
@pytest.mark.parametrize("step", STEPS)
@pytest.mark.parametrize("state", STATES)
def test_every_state_step_role_and_moment(state, step, who, moment, organizations):
    side, role = PEOPLE[who]
    actor = factories.member(organizations[side], role)
    application = application_in(state, moment, organizations)
    allowed, moments, target = ALLOWED.get((state, step), (set(), set(), None))
    version = application.version
    audited = AuditEvent.objects.count()

    if who in allowed and moment in moments:
        services.application_step(actor=actor, application=application, step=step, version=version)
        application.refresh_from_db()
        assert application.state == target
        assert application.version == version + 1
        event = AuditEvent.objects.order_by("-pk").first()
        assert event.details["state"] == [state, target]
        expected = organizations["funder" if who in MANAGING else "applicant"]
        assert event.organization_id == expected.pk
        if step == "submit":
            assert application.submitted_at is not None
    else:
        with pytest.raises((PermissionDenied, ValidationError)):
            services.application_step(
                actor=actor, application=application, step=step, version=version
            )
        application.refresh_from_db()
        assert application.state == state
        assert application.version == version
        assert AuditEvent.objects.count() == audited


def test_the_table_here_matches_the_declared_workflow():
    declared = {
        (state, step.name): (step.target, step.when)
        for step in workflow.STEPS
        for state in step.source
    }
    when = {"open": workflow.WHILE_OPEN, "after_deadline": workflow.AFTER_DEADLINE}
    expected = {}
    for key, (_who, moments, target) in ALLOWED.items():
        expected[key] = (
            target,
            when[next(iter(moments))] if len(moments) == 1 else workflow.ANY_TIME,
        )
    assert declared == expected


def test_only_a_draft_is_editable_and_the_funder_never_sees_one():
    assert {"draft"} == workflow.EDITABLE_STATES
    assert "draft" not in workflow.SENT_STATES


def test_a_submit_at_the_deadline_passes_and_one_second_later_is_refused(organizations):
    application = application_in("draft", "open", organizations)
    director = factories.member(organizations["applicant"], Role.DIRECTOR)
    deadline = application.call.closes_at
    with pytest.raises(ValidationError) as refused:
        services.application_submit(
            actor=director,
            application=application,
            version=application.version,
            now=deadline + timedelta(seconds=1),
        )
    assert "deadline has passed" in " ".join(refused.value.messages).lower() or (
        "date limite" in " ".join(refused.value.messages).lower()
    )
    application.refresh_from_db()
    assert application.state == "draft"
    services.application_submit(
        actor=director, application=application, version=application.version, now=deadline
    )
    application.refresh_from_db()
    assert application.state == "submitted"
    assert application.submitted_at == deadline


def test_a_decision_before_the_deadline_is_refused(organizations):
    application = application_in("submitted", "open", organizations)
    manager = factories.member(organizations["funder"], Role.COORDINATOR)
    with pytest.raises(ValidationError) as refused:
        services.application_step(actor=manager, application=application, step="fund")
    assert refused.value.code == "too_early"


def test_an_unknown_step_is_refused(organizations):
    application = application_in("draft", "open", organizations)
    director = factories.member(organizations["applicant"], Role.DIRECTOR)
    with pytest.raises(ValidationError):
        services.application_step(
            actor=director, application=application, step="approve", version=1
        )


def test_a_stale_version_is_refused(organizations):
    application = application_in("draft", "open", organizations)
    director = factories.member(organizations["applicant"], Role.DIRECTOR)
    with pytest.raises(ValidationError) as refused:
        services.application_submit(
            actor=director, application=application, version=application.version - 1
        )
    assert refused.value.code == "stale"
    application.refresh_from_db()
    assert application.state == "draft"


def test_allowed_steps_follow_the_moment(organizations):
    application = application_in("draft", "open", organizations)
    names = [
        s.name
        for s in workflow.allowed_steps(application, frozenset({"applicant"}), timezone.now())
    ]
    assert names == ["submit", "withdraw"]
    later = application.call.closes_at + timedelta(seconds=1)
    names = [s.name for s in workflow.allowed_steps(application, frozenset({"applicant"}), later)]
    assert names == ["withdraw"]

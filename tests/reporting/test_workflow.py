"""The report state machine, exhaustively: every state × action × role, against a table written
here independently of `reporting.workflow` (a change to either shows up as a failure)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ancrage.core.choices import Role
from ancrage.core.models import AuditEvent
from ancrage.reporting import services, workflow
from ancrage.reporting.models import AccountabilityReport, ReportEvent, ReportFile, ReportState
from tests import factories
from tests.reporting.conftest import Q1, report_in

pytestmark = pytest.mark.django_db

STATES = list(ReportState.values)
ACTIONS = ["submit", "acknowledge", "return"]
# who: (where, role). "org" is the agreement's organization, "funder" the program's funder,
# "other_org" another organization, "other_funder" another funder.
PEOPLE = {
    "org_director": ("org", Role.DIRECTOR),
    "org_coordinator": ("org", Role.COORDINATOR),
    "org_steward": ("org", Role.DATA_STEWARD),
    "org_liaison": ("org", Role.LIAISON_OFFICER),
    "org_administrator": ("org", Role.ADMINISTRATOR),
    "org_intake": ("org", Role.INTAKE_WORKER),
    "funder_advisor": ("funder", Role.FUNDER_ADVISOR),
    "funder_administrator": ("funder", Role.ADMINISTRATOR),
    "other_funder_advisor": ("other_funder", Role.FUNDER_ADVISOR),
    "other_org_director": ("other_org", Role.DIRECTOR),
}
PREPARING = {"org_director", "org_coordinator", "org_steward"}
ADVISING = {"funder_advisor"}

# (state, action) -> who may take it, and the state it leads to.
ALLOWED = {
    ("draft", "submit"): (PREPARING, "submitted"),
    ("returned", "submit"): (PREPARING, "submitted"),
    ("submitted", "acknowledge"): (ADVISING, "acknowledged"),
    ("submitted", "return"): (ADVISING, "returned"),
}
COMMENT = "Les cibles du trimestre ne sont pas expliquées."


@pytest.fixture
def places(org_a, org_b, funder, other_funder):
    return {"org": org_a, "funder": funder, "other_funder": other_funder, "other_org": org_b}


@pytest.mark.parametrize("who", sorted(PEOPLE))
@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("state", STATES)
def test_every_state_action_and_role(state, action, who, places, agreement):
    where, role = PEOPLE[who]
    actor = factories.member(places[where], role)
    report = report_in(agreement, Q1, state)
    allowed, target = ALLOWED.get((state, action), (set(), None))

    if who in allowed:
        services.report_step(
            actor=actor, report=report, step=action, version=report.version, comment=COMMENT
        )
        report.refresh_from_db()
        assert report.state == target
        assert report.version == 2
        event = ReportEvent.objects.get(report=report)
        assert (event.action, event.from_state, event.to_state, event.actor) == (
            action,
            state,
            target,
            actor,
        )
        assert event.comment == COMMENT
        audit = AuditEvent.objects.get(target_type="reporting.accountabilityreport")
        assert audit.actor_id == actor.pk and audit.details["step"] == action
        expected_side = places["org"] if who in PREPARING else places["funder"]
        assert audit.organization_id == expected_side.pk
        if action == "submit":
            assert report.files.count() == 6 and report.figures["schema"] == 1
    else:
        with pytest.raises((PermissionDenied, ValidationError)) as refused:
            services.report_step(
                actor=actor, report=report, step=action, version=report.version, comment=COMMENT
            )
        if isinstance(refused.value, ValidationError):
            # Someone of the right side, at the wrong moment: told why in words.
            assert "is not possible" in " ".join(refused.value.messages) or (
                "n'est pas possible" in " ".join(refused.value.messages)
            )
        else:
            side_ok = any(who in people for (_s, a), (people, _t) in ALLOWED.items() if a == action)
            assert not side_ok, "the right side at the wrong moment gets a reason, not a 403"
        unchanged = AccountabilityReport.objects.get(pk=report.pk)
        assert (unchanged.state, unchanged.version, unchanged.figures) == (state, 1, {})
        assert not ReportEvent.objects.exists()
        assert not ReportFile.objects.exists()
        assert not AuditEvent.objects.filter(target_type="reporting.accountabilityreport").exists()


def test_the_table_here_matches_the_declared_workflow():
    declared = {(state, step.name): step.target for step in workflow.STEPS for state in step.source}
    assert declared == {key: target for key, (_who, target) in ALLOWED.items()}
    sides = {(state, step.name): step.actors for step in workflow.STEPS for state in step.source}
    for key, (people, _target) in ALLOWED.items():
        expected = {"organization"} if people == PREPARING else {"funder"}
        assert sides[key] == expected


def test_only_a_return_requires_a_comment():
    required = {step.name for step in workflow.STEPS if step.comment_required}
    assert required == {"return"}


def test_an_unknown_action_is_refused(agreement, preparer):
    report = report_in(agreement)
    with pytest.raises(ValidationError):
        services.report_step(actor=preparer, report=report, step="delete", version=1)
    report.refresh_from_db()
    assert report.state == ReportState.DRAFT and report.version == 1

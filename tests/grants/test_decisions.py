"""The committee's allocation runs and decisions: stored runs (feasible or explained), adoption
(awards, funded and declined applications, the call decided), stale runs refused."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from ancrage.core.choices import Role
from ancrage.core.models import AuditEvent
from ancrage.grants import decisions
from ancrage.grants.models import (
    AllocationRun,
    ApplicationState,
    Award,
    CallState,
    CallYear,
    Score,
)
from tests import factories
from tests.grants.conftest import make_application, make_call
from tests.grants.review_helpers import completed_review, messages_of

pytestmark = pytest.mark.django_db

YEAR = (("Projet", Decimal("60000.00")),)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def closed_call(funder_org, call_manager):
    now = timezone.now()
    return make_call(
        funder_org,
        state=CallState.CLOSED,
        opens_at=now - timedelta(days=60),
        closes_at=now - timedelta(days=1),
        envelopes={2025: Decimal("150000.00"), 2026: Decimal("150000.00")},
    )


@pytest.fixture
def scored(closed_call, funder_org):
    """Three reviewed applications of 60,000 $ a year (scores 100, 80, 40) and one without a
    review; the envelope funds two."""
    reviewer = factories.member(funder_org, Role.GRANT_REVIEWER)
    budget = {2025: YEAR, 2026: YEAR}
    apps = {}
    for name, scores in (("Alpha", [5] * 4), ("Bravo", [4] * 4), ("Charlie", [2] * 4)):
        apps[name] = make_application(
            closed_call,
            factories.OrganizationFactory(name=f"Organisme {name}"),
            title=name,
            budget=budget,
        )
        completed_review(apps[name], reviewer, scores)
    return apps


def run(call, actor, **options):
    return decisions.allocation_run(actor=actor, call=call, **options)


def test_a_run_recommends_the_best_projects_within_every_years_envelope(
    closed_call, call_manager, scored
):
    found = run(closed_call, call_manager)
    assert found.feasible and found.explanation == ""
    assert found.result["amounts"] == {
        str(scored["Alpha"].pk): {"2025": "60000.00", "2026": "60000.00"},
        str(scored["Bravo"].pk): {"2025": "60000.00", "2026": "60000.00"},
    }
    assert found.total_score == Decimal("180")
    assert found.result["greedy"]["funded"] == 2
    assert AuditEvent.objects.filter(target_type="grants.allocationrun", action="create").exists()
    # Nothing decided yet.
    assert not Award.objects.exists()
    assert {a.state for a in closed_call.applications.all()} == {ApplicationState.SUBMITTED}


def test_partial_funding_fills_the_envelope(closed_call, call_manager, scored):
    found = run(closed_call, call_manager, partial=True, floor_percent="25")
    charlie = str(scored["Charlie"].pk)
    assert found.result["amounts"][charlie] == {"2025": "30000.00", "2026": "30000.00"}
    assert found.result["shares"][charlie] == "0.500000"
    years, _lines = decisions.comparison(closed_call, found)
    assert [(y.year, y.recommended, y.remaining) for y in years] == [
        (2025, Decimal("150000.00"), Decimal("0.00")),
        (2026, Decimal("150000.00"), Decimal("0.00")),
    ]


def test_an_infeasible_run_is_kept_with_why_and_changes_nothing(closed_call, call_manager, scored):
    pins = [scored[n].pk for n in ("Alpha", "Bravo", "Charlie")]
    found = run(closed_call, call_manager, pinned=pins)
    assert not found.feasible and found.total_score is None
    assert found.explanation.startswith(
        "The pinned projects need $180,000.00 in 2025 but the envelope is $150,000.00"
    )
    assert decisions.reasons_of(found) == found.explanation
    with translation.override("fr-ca"):
        assert "180\u00a0000,00\u00a0$" in decisions.reasons_of(found)
    with pytest.raises(ValidationError) as error:
        decisions.run_adopt(actor=call_manager, run=found)
    assert messages_of(error) == ["This run found no allocation: there is nothing to adopt."]
    assert not Award.objects.exists()
    assert {a.state for a in closed_call.applications.all()} == {ApplicationState.SUBMITTED}


@pytest.mark.parametrize(
    ("options", "field", "message"),
    [
        ({"floor_percent": "150"}, "floor_percent", "Give a percentage from 0 to 100, e.g. 50."),
        ({"floor_percent": "12.345"}, "floor_percent", "Give a percentage from 0 to 100, e.g. 50."),
        ({"floor_percent": "nan"}, "floor_percent", "Give a percentage from 0 to 100, e.g. 50."),
        ({"cap": "-5"}, "cap", "Enter an amount in dollars, to the cent, e.g. 250000."),
        ({"cap": "10.001"}, "cap", "Enter an amount in dollars, to the cent, e.g. 250000."),
        ({"pinned": [999999]}, "pinned", "Choose among the call's submitted applications."),
        ({"excluded": ["abc"]}, "excluded", "Choose among the call's submitted applications."),
    ],
)
def test_bad_options_change_nothing(closed_call, call_manager, scored, options, field, message):
    with pytest.raises(ValidationError) as error:
        run(closed_call, call_manager, **options)
    assert error.value.message_dict == {field: [message]}
    assert not AllocationRun.objects.exists()


def test_pins_must_be_reviewed_and_not_excluded(closed_call, call_manager, scored):
    waiting = make_application(closed_call, factories.OrganizationFactory(), title="Delta")
    with pytest.raises(ValidationError) as error:
        run(closed_call, call_manager, pinned=[waiting.pk])
    assert messages_of(error) == ["Only applications with a completed review can be pinned."]
    alpha = scored["Alpha"].pk
    with pytest.raises(ValidationError) as error:
        run(closed_call, call_manager, pinned=[alpha], excluded=[alpha])
    assert messages_of(error) == ["An application cannot be both pinned and excluded."]
    assert not AllocationRun.objects.exists()


def test_only_the_funders_managers_run_and_adopt(closed_call, scored, applicant, funder_org):
    reviewer = factories.member(funder_org, Role.GRANT_REVIEWER)
    for actor in (applicant, reviewer):
        with pytest.raises(PermissionDenied):
            run(closed_call, actor)
    manager = factories.member(funder_org, Role.DIRECTOR)
    found = run(closed_call, manager)
    with pytest.raises(PermissionDenied):
        decisions.run_adopt(actor=reviewer, run=found)


def test_adopting_a_run_funds_and_declines_and_decides_the_call(closed_call, call_manager, scored):
    found = run(closed_call, call_manager)
    decisions.run_adopt(actor=call_manager, run=found)
    found.refresh_from_db()
    closed_call.refresh_from_db()
    assert found.is_decision and closed_call.state == CallState.DECIDED
    states = {a.title: a.state for a in closed_call.applications.all()}
    assert states == {"Alpha": "funded", "Bravo": "funded", "Charlie": "declined"}
    assert sorted(Award.objects.values_list("application__title", "year", "amount")) == [
        ("Alpha", 2025, Decimal("60000.00")),
        ("Alpha", 2026, Decimal("60000.00")),
        ("Bravo", 2025, Decimal("60000.00")),
        ("Bravo", 2026, Decimal("60000.00")),
    ]
    years, lines = decisions.comparison(closed_call, found)
    assert [(y.allocated, y.remaining) for y in years] == [
        (Decimal("120000.00"), Decimal("30000.00")),
        (Decimal("120000.00"), Decimal("30000.00")),
    ]
    assert [line.application.title for line in lines][:2] == ["Alpha", "Bravo"]
    # Once decided: no second decision, from this run or another.
    with pytest.raises(ValidationError) as error:
        decisions.run_adopt(actor=call_manager, run=found)
    assert messages_of(error) == ["This run is already the decision."]
    other = run(closed_call, call_manager, partial=True)
    assert decisions.stale_reason(other) == "Another run was already adopted as the decision."
    with pytest.raises(ValidationError):
        decisions.run_adopt(actor=call_manager, run=other)
    assert Award.objects.count() == 4


def test_a_stale_run_is_refused(closed_call, call_manager, scored, funder_org):
    found = run(closed_call, call_manager)
    # A score changes after the run: what the run weighed is no longer true.
    Score.objects.filter(assignment__application=scored["Charlie"]).update(score=5)
    assert "changed since this run" in decisions.stale_reason(found)
    with pytest.raises(ValidationError) as error:
        decisions.run_adopt(actor=call_manager, run=found)
    assert "run the allocation again before adopting it" in messages_of(error)[0]
    # So does an envelope.
    again = run(closed_call, call_manager)
    assert decisions.stale_reason(again) == ""
    CallYear.objects.filter(call=closed_call, year=2026).update(envelope=Decimal("100000.00"))
    assert decisions.stale_reason(again)
    assert not Award.objects.exists()
    assert {a.state for a in closed_call.applications.all()} == {ApplicationState.SUBMITTED}


def test_the_decision_waits_for_every_review_and_for_the_call_to_be_closed(
    closed_call, call_manager, scored, funder_org
):
    waiting = make_application(closed_call, factories.OrganizationFactory(), title="Delta")
    found = run(closed_call, call_manager)
    assert found.result["unreviewed"] == [waiting.pk]
    with pytest.raises(ValidationError) as error:
        decisions.run_adopt(actor=call_manager, run=found)
    assert messages_of(error) == [
        "Every submitted application needs a completed review before the decision; not yet: "
        "“Delta”."
    ]
    open_call = make_call(funder_org, code="ouvert")
    application = make_application(open_call, factories.OrganizationFactory())
    completed_review(application, factories.member(funder_org, Role.GRANT_REVIEWER), [3] * 4)
    early = run(open_call, call_manager)
    with pytest.raises(ValidationError) as error:
        decisions.run_adopt(actor=call_manager, run=early)
    assert messages_of(error) == ["Close the call (after its deadline) before adopting a decision."]
    assert not Award.objects.exists()

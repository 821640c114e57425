"""The demo calls: "An Inclusive Montréal" with about sixty applications in various states whose
budgets add up, and a borough's call open today; deterministic and idempotent."""

from decimal import Decimal

import pytest

from ancrage.core.choices import OrganizationKind
from ancrage.grants import selectors
from ancrage.grants.demo import (
    BOROUGH_CODE,
    MAIN_CODE,
    PREVIOUS_CODE,
    reset_grants,
    seed_grants,
)
from ancrage.grants.models import Application, CallState, GrantCall
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def network(db):
    boroughs = ["lasalle", "montreal-nord", "anjou", "lachine"]
    organizations = [
        factories.OrganizationFactory(
            name=f"Organisme démo {i}", borough=factories.borough(boroughs[i % len(boroughs)])
        )
        for i in range(20)
    ]
    factories.OrganizationFactory(
        name="Bureau d'intégration des nouveaux arrivants à Montréal",
        acronym="BINAM",
        kind=OrganizationKind.CITY_SERVICE,
    )
    return organizations


def test_the_inclusive_montreal_call_and_its_applications(network):
    summary = seed_grants(seed=7)
    call = GrantCall.objects.get(code=MAIN_CODE)
    assert call.funder.acronym == "BINAM"
    assert call.state == CallState.CLOSED
    envelope = selectors.envelope_of(call)
    assert sum(envelope.values()) == Decimal("3750000")
    assert len(envelope) == 3
    assert call.objectives.count() == 5
    assert sum(call.criteria.values_list("weight", flat=True)) == 100
    assert 4 <= call.criteria.count() <= 5
    counts = selectors.application_counts(call)
    assert sum(counts.values()) == 60
    assert counts["submitted"] >= 45 and counts["draft"] >= 3 and counts["withdrawn"] >= 3
    others = Application.objects.filter(call__code__in=(BOROUGH_CODE, PREVIOUS_CODE)).count()
    assert summary.applications == 60 + others

    for application in call.applications.all():
        table = selectors.budget_table(application)
        assert all(row.adds_up for row in table), application.title
        assert sum(row.requested for row in table) <= call.max_per_organization
        assert application.logic_model.exists()
        assert application.objectives.exists()
        if application.state == "submitted":
            assert application.submitted_at <= call.closes_at
            assert all(p.agreed for p in application.partners.all())
            assert all(c.confirmed_at for c in application.co_applicants.all())
    requested = sum(selectors.requested_totals(call).values())
    assert 2 * sum(envelope.values()) < requested < 5 * sum(envelope.values())


def test_a_borough_call_is_open_today(network):
    seed_grants(seed=7)
    call = GrantCall.objects.get(code=BOROUGH_CODE)
    assert list(selectors.open_calls()) == [call]
    assert [b.code for b in call.eligible_boroughs.all()] == ["lasalle"]
    assert all(a.state == "draft" for a in call.applications.all())
    for application in call.applications.all():
        assert sum(selectors.requested_of(application).values()) <= call.max_per_organization


def test_seeding_twice_changes_nothing_and_the_same_seed_gives_the_same_data(network):
    seed_grants(seed=7)
    first = sorted(map(str, Application.objects.values_list("title", "requested")))
    again = seed_grants(seed=7)
    assert again.applications == 0
    assert sorted(map(str, Application.objects.values_list("title", "requested"))) == first
    reset_grants()
    assert not GrantCall.objects.exists()
    seed_grants(seed=7)
    assert sorted(map(str, Application.objects.values_list("title", "requested"))) == first


def test_without_organizations_nothing_breaks(db):
    summary = seed_grants(seed=7)
    assert summary.applications == 0


@pytest.fixture
def reviewed_network(network):
    """The demo network with two grant reviewers at BINAM, BINAM in partnership with one
    organization (its reviewers may not review it), and activities run by a few organizations."""
    from ancrage.core.choices import Role
    from ancrage.network.models import Organization

    binam = Organization.objects.get(acronym="BINAM")
    reviewers = [factories.member(binam, Role.GRANT_REVIEWER) for _ in range(2)]
    factories.PartnershipFactory(organization=binam, partner=network[0])
    for organization in network[:8]:
        activity = factories.ActivityFactory(organization=organization)
        session = factories.SessionFactory(activity=activity)
        from ancrage.activities.models import Attendance

        Attendance.objects.create(session=session, newcomers=9, total=9)
    return reviewers


def test_the_closed_call_is_reviewed_without_conflicts_of_interest(reviewed_network, network):
    from ancrage.grants import decisions
    from ancrage.grants.models import ReviewAssignment

    summary = seed_grants(seed=7)
    call = GrantCall.objects.get(code=MAIN_CODE)
    assert summary.reviews > 0
    submitted = call.applications.filter(state="submitted")
    reviewed = ReviewAssignment.objects.filter(application__call=call, completed_at__isnull=False)
    assert not reviewed.filter(application__organization=network[0]).exists()
    others = submitted.exclude(organization=network[0])
    assert set(reviewed.values_list("application_id", flat=True)) == set(
        others.values_list("pk", flat=True)
    )
    for assignment in reviewed:
        assert assignment.scores.count() == call.criteria.count()
        assert all(0 <= s.score <= s.criterion.scale_max for s in assignment.scores.all())
    # The allocation page has candidates to weigh.
    assert len(decisions.candidates_of(call).candidates) == others.count()


def test_the_previous_round_has_projects_under_way(reviewed_network, network):
    from django.utils import timezone

    from ancrage.grants import projects

    seed_grants(seed=7)
    call = GrantCall.objects.get(code=PREVIOUS_CODE)
    assert call.state == CallState.DECIDED
    funded = list(call.applications.filter(state="funded"))
    assert len(funded) >= 3
    assert decisions_adopted(call) == 1
    for project in funded:
        money = projects.money_of(project)
        assert money.scheduled == money.allocated > 0
        assert project.progress_reports.exists()
    reports = [r for p in funded for r in p.progress_reports.all()]
    assert any(r.submitted_at for r in reports)
    assert any(projects.is_late(r) for r in reports)
    assert any(i.paid_on for p in funded for i in p.instalments.all())
    assert all(
        i.paid_on <= timezone.localdate() for p in funded for i in p.instalments.all() if i.paid_on
    )
    assert sum(p.project_activities.count() for p in funded) >= 1
    assert all(
        link.activity.organization_id == link.application.organization_id
        for p in funded
        for link in p.project_activities.select_related("activity", "application")
    )
    figures = projects.programme_figures(call)
    assert figures.projects == len(funded)
    reset_grants()
    assert not GrantCall.objects.exists()


def decisions_adopted(call):
    return call.allocation_runs.filter(is_decision=True).count()

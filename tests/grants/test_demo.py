"""The demo calls: "An Inclusive Montréal" with about sixty applications in various states whose
budgets add up, and a borough's call open today; deterministic and idempotent."""

from decimal import Decimal

import pytest

from ancrage.core.choices import OrganizationKind
from ancrage.grants import selectors
from ancrage.grants.demo import BOROUGH_CODE, MAIN_CODE, reset_grants, seed_grants
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
    assert summary.applications == 60 + Application.objects.filter(call__code=BOROUGH_CODE).count()

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

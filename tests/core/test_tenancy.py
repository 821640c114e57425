import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from ancrage.core import tenancy
from ancrage.core.choices import OrganizationKind, Role
from ancrage.network.models import Membership, Organization, Partnership, Site
from tests import factories

pytestmark = pytest.mark.django_db


def test_member_sees_only_own_organization_rows(org_a, org_b):
    site_a = factories.SiteFactory(organization=org_a)
    factories.SiteFactory(organization=org_b)
    worker = factories.member(org_a, Role.INTAKE_WORKER)

    assert list(tenancy.scoped(Organization, worker)) == [org_a]
    assert list(tenancy.scoped(Site, worker)) == [site_a]
    assert set(tenancy.scoped(Membership, worker).values_list("organization", flat=True)) == {
        org_a.pk
    }


def test_anonymous_and_non_member_see_nothing(org_a, django_user_model):
    from django.contrib.auth.models import AnonymousUser

    factories.SiteFactory(organization=org_a)
    outsider = factories.UserFactory()
    for user in (AnonymousUser(), outsider, None):
        assert not tenancy.scoped(Organization, user).exists()
        assert not tenancy.scoped(Site, user).exists()


def test_change_needs_a_role_that_grants_it(org_a):
    worker = factories.member(org_a, Role.INTAKE_WORKER)
    director = factories.member(org_a, Role.DIRECTOR)
    assert not tenancy.scoped(Organization, worker, tenancy.CHANGE).exists()
    assert list(tenancy.scoped(Organization, director, tenancy.CHANGE)) == [org_a]


def test_partner_reads_but_never_changes_a_partnership_naming_it(org_a, org_b):
    partnership = factories.PartnershipFactory(organization=org_a, partner=org_b)
    director_b = factories.member(org_b, Role.DIRECTOR)
    assert list(tenancy.scoped(Partnership, director_b)) == [partnership]
    assert not tenancy.scoped(Partnership, director_b, tenancy.CHANGE).exists()


def test_ended_membership_loses_access(org_a):
    worker = factories.UserFactory()
    import datetime

    factories.MembershipFactory(
        user=worker,
        organization=org_a,
        role=Role.DIRECTOR,
        started_on=datetime.date(2020, 1, 1),
        ended_on=datetime.date(2021, 1, 1),
    )
    assert not tenancy.scoped(Organization, worker).exists()


def test_inactive_user_loses_access(org_a):
    worker = factories.member(org_a, Role.DIRECTOR)
    worker.is_active = False
    worker.save()
    assert not tenancy.scoped(Organization, worker).exists()


def test_city_coordinator_sees_the_whole_network_but_edits_only_own(org_a, org_b):
    city = factories.OrganizationFactory(
        name="Service de la diversité sociale", kind=OrganizationKind.CITY_SERVICE
    )
    coordinator = factories.member(city, Role.COORDINATOR)
    assert set(tenancy.scoped(Organization, coordinator)) == {org_a, org_b, city}
    assert list(tenancy.scoped(Organization, coordinator, tenancy.CHANGE)) == [city]
    assert tenancy.has_capability(coordinator, tenancy.CREATE_ORGANIZATION)


def test_coordinator_of_a_community_organization_is_not_network_wide(org_a, org_b):
    coordinator = factories.member(org_a, Role.COORDINATOR)
    assert list(tenancy.scoped(Organization, coordinator)) == [org_a]
    assert not tenancy.has_capability(coordinator, tenancy.CREATE_ORGANIZATION)


def test_object_for_distinguishes_hidden_from_forbidden(org_a, org_b):
    worker = factories.member(org_a, Role.INTAKE_WORKER)
    assert tenancy.object_for(Organization, worker, tenancy.VIEW, pk=org_a.pk) == org_a
    with pytest.raises(PermissionDenied):
        tenancy.object_for(Organization, worker, tenancy.CHANGE, pk=org_a.pk)
    with pytest.raises(Http404):
        tenancy.object_for(Organization, worker, tenancy.CHANGE, pk=org_b.pk)
    with pytest.raises(Http404):
        tenancy.object_for(Organization, worker, tenancy.VIEW, pk=2**70)


def test_unscoped_model_and_unknown_capability_are_refused(org_a):
    director = factories.member(org_a, Role.DIRECTOR)
    from ancrage.core.models import Borough

    with pytest.raises(TypeError):
        tenancy.scoped(Borough, director)
    with pytest.raises(ValueError):
        tenancy.scoped(Organization, director, "network.fly")


def test_role_table_is_complete():
    """Every capability names only real roles, and every role can at least view its organization."""
    for capability, roles in tenancy.ROLE_CAPABILITIES.items():
        assert capability in tenancy.CAPABILITIES
        assert roles <= set(Role)
    assert tenancy.ROLE_CAPABILITIES[tenancy.VIEW] == set(Role)
    for (role, kind), capabilities in tenancy.NETWORK_WIDE.items():
        assert role in Role.values and kind in OrganizationKind.values
        assert capabilities <= set(tenancy.CAPABILITIES)
        # Network-wide roles never change other organizations' records.
        assert tenancy.CHANGE not in capabilities and tenancy.MANAGE_MEMBERS not in capabilities


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("capability", tenancy.CAPABILITIES)
def test_every_role_and_capability_in_own_organization(org_a, role, capability):
    """The role table, exhaustively: a role grants a capability in its organization iff declared."""
    user = factories.member(org_a, role)
    expected = role in tenancy.ROLE_CAPABILITIES[capability]
    assert tenancy.has_capability(user, capability, org_a.pk) is expected

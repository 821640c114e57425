import datetime

import pytest
from django.core.exceptions import ValidationError

from ancrage.core.choices import OrganizationKind, Role
from ancrage.core.models import AuditEvent
from ancrage.network import services
from ancrage.network.models import Membership, Organization, Partnership, PartnershipKind
from tests import factories

pytestmark = pytest.mark.django_db


def test_organization_create_is_audited_and_normalizes_the_name(director_a):
    organization = services.organization_create(
        actor=director_a,
        name="  Carrefour   d'accueil  ",
        kind=OrganizationKind.COMMUNITY_ORGANIZATION,
        borough=factories.borough("anjou"),
        boroughs_served=[factories.borough("anjou"), factories.borough("lasalle")],
    )
    assert organization.name == "Carrefour d'accueil"
    assert organization.boroughs_served.count() == 2
    assert AuditEvent.objects.filter(
        action="create", target_id=str(organization.pk), actor_id=director_a.pk
    ).exists()


def test_duplicate_name_in_the_same_borough_is_refused_case_insensitively(org_a, director_a):
    with pytest.raises(ValidationError) as error:
        services.organization_create(
            actor=director_a,
            name="organisme a",
            kind=OrganizationKind.COMMUNITY_ORGANIZATION,
            borough=org_a.borough,
        )
    assert "existe déjà" in str(error.value.message_dict["name"])
    assert Organization.objects.filter(name__iexact="organisme a").count() == 1


def test_same_name_in_another_borough_is_allowed(org_a, director_a):
    other = services.organization_create(
        actor=director_a,
        name="Organisme A",
        kind=OrganizationKind.COMMUNITY_ORGANIZATION,
        borough=factories.borough("verdun"),
    )
    assert other.pk != org_a.pk


def test_rename_into_an_existing_name_is_refused(org_a, org_b, director_a):
    with pytest.raises(ValidationError):
        services.organization_update(actor=director_a, organization=org_b, name="ORGANISME A")
    org_b.refresh_from_db()
    assert org_b.name == "Organisme B"


def test_organization_update_records_what_changed(org_a, director_a):
    services.organization_update(actor=director_a, organization=org_a, mission="Nouvelle mission")
    event = AuditEvent.objects.filter(action="change", target_id=str(org_a.pk)).get()
    assert event.details["fields"]["mission"][1] == "Nouvelle mission"


def test_organization_update_refuses_unknown_fields(org_a, director_a):
    with pytest.raises(TypeError):
        services.organization_update(actor=director_a, organization=org_a, is_synthetic=True)


def test_site_names_are_unique_within_an_organization(org_a, director_a):
    data = {
        "name": "Point de service Lapierre",
        "kind": "point_of_service",
        "borough": factories.borough("lasalle"),
        "street_address": "1 rue Lapierre",
    }
    services.site_create(actor=director_a, organization=org_a, **data)
    with pytest.raises(ValidationError):
        services.site_create(
            actor=director_a, organization=org_a, **{**data, "name": "point de service lapierre"}
        )
    assert org_a.sites.count() == 1


def test_membership_add_creates_an_account_without_password(org_a, director_a):
    membership, created = services.membership_add(
        actor=director_a,
        organization=org_a,
        email="Nouvelle.Personne@Example.org",
        role=Role.INTAKE_WORKER,
        first_name="Amina",
        last_name="Diallo",
    )
    assert created
    assert membership.user.username == "nouvelle.personne@example.org"
    assert not membership.user.has_usable_password()
    again, created_again = services.membership_add(
        actor=director_a,
        organization=org_a,
        email="nouvelle.personne@example.org",
        role=Role.COMMUNITY_WORKER,
    )
    assert not created_again and again.user == membership.user


def test_membership_add_refuses_the_same_open_role_twice(org_a, director_a):
    with pytest.raises(ValidationError):
        services.membership_add(
            actor=director_a, organization=org_a, email=director_a.email, role=Role.DIRECTOR
        )


def test_membership_cannot_be_assigned_another_organizations_site(org_a, org_b, director_a):
    foreign_site = factories.SiteFactory(organization=org_b)
    with pytest.raises(ValidationError):
        services.membership_add(
            actor=director_a,
            organization=org_a,
            email="x@example.org",
            role=Role.LIAISON_OFFICER,
            sites=[foreign_site],
        )
    assert not Membership.objects.filter(user__email="x@example.org").exists()


def test_ending_a_membership_removes_access(org_a, director_a):
    worker = factories.member(org_a, Role.INTAKE_WORKER)
    membership = worker.memberships.get()
    yesterday = datetime.date.today() - datetime.timedelta(days=1)
    membership.started_on = yesterday - datetime.timedelta(days=30)
    membership.save()
    services.membership_update(
        actor=director_a, membership=membership, role=Role.INTAKE_WORKER, ended_on=yesterday
    )
    assert not Membership.objects.current().filter(user=worker).exists()


def test_a_director_cannot_end_their_own_membership(org_a, director_a):
    membership = director_a.memberships.get()
    with pytest.raises(ValidationError):
        services.membership_update(
            actor=director_a,
            membership=membership,
            role=Role.DIRECTOR,
            ended_on=datetime.date.today(),
        )


def test_partnership_rules(org_a, org_b, director_a):
    with pytest.raises(ValidationError):
        services.partnership_create(
            actor=director_a, organization=org_a, partner=org_a, kinds=["reference"]
        )
    with pytest.raises(ValidationError):
        services.partnership_create(actor=director_a, organization=org_a, partner=org_b, kinds=[])
    with pytest.raises(ValidationError):
        services.partnership_create(
            actor=director_a, organization=org_a, partner=org_b, kinds=["bribery"]
        )
    partnership = services.partnership_create(
        actor=director_a,
        organization=org_a,
        partner=org_b,
        kinds=["reference", "training", "reference"],
    )
    assert partnership.kinds == ["reference", "training"]
    with pytest.raises(ValidationError):
        services.partnership_create(
            actor=director_a, organization=org_a, partner=org_b, kinds=["training"]
        )
    assert Partnership.objects.count() == 1


def test_partnership_scope_follows_the_program_definitions(director_a):
    library = factories.OrganizationFactory(kind=OrganizationKind.LIBRARY)
    recreation = factories.OrganizationFactory(kind=OrganizationKind.CITY_SERVICE)
    clinic = factories.OrganizationFactory(kind=OrganizationKind.HEALTH_INSTITUTION)
    food_bank = factories.OrganizationFactory(kind=OrganizationKind.COMMUNITY_ORGANIZATION)
    internal = factories.PartnershipFactory(organization=library, partner=recreation)
    institutional = factories.PartnershipFactory(
        organization=library, partner=clinic, kinds=[PartnershipKind.RECRUITING]
    )
    community = factories.PartnershipFactory(organization=library, partner=food_bank)
    assert internal.is_internal and internal.sector_label == ""
    assert not institutional.is_internal and institutional.sector_label == "Institutionnel"
    assert community.sector_label == "Communautaire"

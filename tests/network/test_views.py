import pytest
from django.core import mail
from django.urls import reverse

from ancrage.core.choices import OrganizationKind, Role
from ancrage.core.models import AuditEvent
from ancrage.network.models import Membership, Organization, Site
from tests import factories

pytestmark = pytest.mark.django_db


def site_form(**overrides):
    data = {
        "name": "Point de service Bélanger",
        "kind": "point_of_service",
        "borough": factories.borough("villeray-saint-michel-parc-extension").pk,
        "street_address": "7000 rue Bélanger",
        "postal_code": "h2a1b2",
        "is_active": "on",
    }
    data.update(overrides)
    return data


def test_director_adds_a_site_and_postal_code_is_normalized(org_a, director_a, client_of):
    response = client_of(director_a).post(
        reverse("network:site_create", args=[org_a.pk]), site_form()
    )
    assert response.status_code == 302
    site = org_a.sites.get()
    assert site.postal_code == "H2A 1B2"
    assert AuditEvent.objects.filter(
        action="create", target_type="network.site", target_id=str(site.pk)
    ).exists()


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"name": ""}, "name"),
        ({"postal_code": "12345"}, "postal_code"),
        ({"borough": "999999"}, "borough"),
        ({"kind": "castle"}, "kind"),
        ({"name": "x" * 10_000}, "name"),
    ],
)
def test_invalid_site_form_redisplays_with_the_error_and_saves_nothing(
    org_a, director_a, client_of, overrides, field
):
    response = client_of(director_a).post(
        reverse("network:site_create", args=[org_a.pk]), site_form(**overrides)
    )
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert f'id="id_{field}_errors"' in response.content.decode()
    assert not Site.objects.exists()


def test_script_in_a_name_is_stored_as_text_and_escaped(org_a, director_a, client_of):
    client = client_of(director_a)
    client.post(
        reverse("network:site_create", args=[org_a.pk]), site_form(name="<script>alert(1)</script>")
    )
    page = client.get(reverse("network:organization_detail", args=[org_a.pk])).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_duplicate_organization_name_in_a_borough_is_refused_with_a_clear_message(org_a, client_of):
    city = factories.OrganizationFactory(
        name="Service de la diversité sociale", kind=OrganizationKind.CITY_SERVICE
    )
    coordinator = factories.member(city, Role.COORDINATOR)
    response = client_of(coordinator).post(
        reverse("network:organization_create"),
        {"name": "ORGANISME A", "kind": "community_organization", "borough": org_a.borough.pk},
    )
    assert response.status_code == 200
    assert "name" in response.context["form"].errors
    assert Organization.objects.filter(name__iexact="organisme a").count() == 1


def test_coordinator_registers_a_new_organization(client_of):
    city = factories.OrganizationFactory(name="BINAM", kind=OrganizationKind.CITY_SERVICE)
    coordinator = factories.member(city, Role.COORDINATOR)
    response = client_of(coordinator).post(
        reverse("network:organization_create"),
        {
            "name": "Maison d'accueil Lachine",
            "kind": "community_organization",
            "borough": factories.borough("lachine").pk,
            "boroughs_served": [factories.borough("lachine").pk, factories.borough("lasalle").pk],
            "website": "accueil.example.org",
        },
    )
    organization = Organization.objects.get(name="Maison d'accueil Lachine")
    assert response["Location"] == reverse("network:organization_detail", args=[organization.pk])
    assert organization.website == "https://accueil.example.org"
    assert organization.boroughs_served.count() == 2


def test_intake_worker_cannot_create_organizations_or_edit_their_own(org_a, client_of):
    worker = client_of(factories.member(org_a, Role.INTAKE_WORKER))
    assert worker.get(reverse("network:organization_create")).status_code == 403
    assert (
        worker.post(
            reverse("network:organization_edit", args=[org_a.pk]),
            {"name": "Autre", "kind": "funder"},
        ).status_code
        == 403
    )
    org_a.refresh_from_db()
    assert org_a.name == "Organisme A"


def test_director_adds_a_member_who_receives_an_invitation(org_a, director_a, client_of):
    response = client_of(director_a).post(
        reverse("network:membership_add", args=[org_a.pk]),
        {
            "email": "nouvelle@example.org",
            "first_name": "Nour",
            "last_name": "Haddad",
            "role": Role.INTAKE_WORKER,
        },
    )
    assert response.status_code == 302
    assert Membership.objects.filter(
        user__email="nouvelle@example.org", organization=org_a
    ).exists()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["nouvelle@example.org"]


def test_director_ends_a_membership_and_the_person_loses_access(org_a, director_a, client_of):
    import datetime

    worker = factories.member(org_a, Role.INTAKE_WORKER)
    membership = worker.memberships.get()
    membership.started_on = datetime.date(2024, 1, 1)
    membership.save()
    yesterday = datetime.date.today() - datetime.timedelta(days=1)
    client_of(director_a).post(
        reverse("network:membership_edit", args=[membership.pk]),
        {"role": Role.INTAKE_WORKER, "ended_on": yesterday.isoformat()},
    )
    assert (
        client_of(worker).get(reverse("network:organization_detail", args=[org_a.pk])).status_code
        == 404
    )


def test_partnership_form_and_its_listing_on_both_sides(org_a, org_b, director_a, client_of):
    client_of(director_a).post(
        reverse("network:partnership_create", args=[org_a.pk]),
        {
            "partner": org_b.pk,
            "kinds": ["reference", "activities"],
            "description": "Ateliers communs",
        },
    )
    director_b = factories.member(org_b, Role.DIRECTOR)
    page_b = (
        client_of(director_b)
        .get(reverse("network:organization_detail", args=[org_b.pk]))
        .content.decode()
    )
    assert "Organisme A" in page_b


def test_viewing_an_organization_page_with_its_staff_is_audited(org_a, director_a, client_of):
    client_of(director_a).get(reverse("network:organization_detail", args=[org_a.pk]))
    assert AuditEvent.objects.filter(
        action="view", actor_id=director_a.pk, target_id=str(org_a.pk)
    ).exists()


def test_dashboard_differs_by_role(client_of):
    city = factories.OrganizationFactory(
        name="Service de la diversité sociale", kind=OrganizationKind.CITY_SERVICE
    )
    coordinator_home = client_of(factories.member(city, Role.COORDINATOR)).get(reverse("home"))
    assert coordinator_home.context["dashboard"].network is not None
    library = factories.OrganizationFactory(
        name="Bibliothèques de LaSalle", kind=OrganizationKind.LIBRARY
    )
    branch = factories.SiteFactory(
        organization=library, name="Bibliothèque L'Octogone", kind=Site.Kind.LIBRARY_BRANCH
    )
    officer = factories.member(library, Role.LIAISON_OFFICER)
    officer.memberships.get().sites.add(branch)
    officer_home = client_of(officer).get(reverse("home"))
    assert officer_home.context["dashboard"].network is None
    assert "Bibliothèque L&#x27;Octogone" in officer_home.content.decode()


def test_organization_list_filters(client_of):
    city = factories.OrganizationFactory(name="BINAM", kind=OrganizationKind.CITY_SERVICE)
    coordinator = client_of(factories.member(city, Role.COORDINATOR))
    factories.OrganizationFactory(name="Carrefour Anjou", borough=factories.borough("anjou"))
    factories.OrganizationFactory(name="Carrefour Verdun", borough=factories.borough("verdun"))
    response = coordinator.get(
        reverse("network:organization_list"),
        {"q": "carrefour", "borough": factories.borough("anjou").pk},
    )
    names = [o.name for o in response.context["page"]]
    assert names == ["Carrefour Anjou"]
    bad = coordinator.get(
        reverse("network:organization_list"), {"borough": "not-a-number", "page": "-3"}
    )
    assert bad.status_code == 200


def test_invited_member_chooses_a_password_from_the_link_and_signs_in(
    org_a, director_a, client_of, client
):
    import re

    client_of(director_a).post(
        reverse("network:membership_add", args=[org_a.pk]),
        {
            "email": "invitee@example.org",
            "first_name": "Thi",
            "last_name": "Nguyen",
            "role": Role.COMMUNITY_WORKER,
        },
    )
    link = re.search(r"https?://testserver(/\S+)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200 and form_page.context["validlink"]
    new_password = "une phrase facile à retenir"
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
    )
    assert done.status_code == 302
    signed_in = client.post(
        reverse("login"), {"username": "invitee@example.org", "password": new_password}
    )
    assert signed_in.status_code == 302 and client.session["_auth_user_id"]
    client.post(reverse("logout"))
    assert client.get(link, follow=True).context["validlink"] is False  # the link works once

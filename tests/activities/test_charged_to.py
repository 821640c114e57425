"""An activity charged to a funding program: only to a program the organization holds an agreement
under, so that its sessions and participants count in that agreement's reports."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from ancrage.activities import services
from ancrage.activities.models import Activity
from ancrage.core.choices import OrganizationKind, Role
from tests import factories
from tests.activities.test_staff_views import activity_post
from tests.funding.conftest import make_program
from tests.funding.test_agreements import agreement_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def programs(db):
    city = factories.OrganizationFactory(name="Ville (test)", kind=OrganizationKind.CITY_SERVICE)
    return {
        "liaison": make_program(city, "liaison-t"),
        "youth": make_program(city, "youth-t"),
    }


@pytest.fixture
def funded(org_a, programs):
    return agreement_of(org_a, programs["liaison"], date(2025, 4, 1), date(2027, 3, 31))


@pytest.fixture
def officer(org_a):
    return factories.member(org_a, Role.LIAISON_OFFICER)


def test_the_form_offers_the_programs_of_the_organization_s_agreements(
    funded, programs, org_a, officer, client_of
):
    client = client_of(officer)
    url = reverse("activities:manage_activity_create", args=[org_a.pk])
    page = client.get(url)
    assert list(page.context["form"].fields["program"].queryset) == [programs["liaison"]]
    response = client.post(url, activity_post(program=str(programs["liaison"].pk)))
    assert response.status_code == 302
    activity = Activity.objects.get()
    assert activity.program == programs["liaison"]
    edit = client.get(reverse("activities:manage_activity_edit", args=[activity.pk]))
    assert edit.context["form"].initial["program"] == programs["liaison"]
    # Edited without touching the program: it stays.
    client.post(
        reverse("activities:manage_activity_edit", args=[activity.pk]),
        activity_post(program=str(programs["liaison"].pk), title_fr="Autre titre"),
    )
    activity.refresh_from_db()
    assert activity.program == programs["liaison"] and activity.title["fr"] == "Autre titre"


@pytest.mark.parametrize("forged", ["youth", "999999999", "2" * 30, "abc"])
def test_a_program_without_agreement_or_forged_is_a_form_error(
    funded, programs, org_a, officer, client_of, forged
):
    value = str(programs["youth"].pk) if forged == "youth" else forged
    response = client_of(officer).post(
        reverse("activities:manage_activity_create", args=[org_a.pk]),
        activity_post(program=value),
    )
    assert response.status_code == 200 and response.context["form"].errors["program"]
    assert not Activity.objects.exists()


def test_the_service_refuses_a_program_the_organization_has_no_agreement_under(
    funded, programs, org_a, org_b
):
    activity = factories.ActivityFactory(organization=org_a)
    with pytest.raises(ValidationError) as error:
        services.activity_update(actor=None, activity=activity, program=programs["youth"])
    assert "program" in error.value.message_dict
    # B's agreement does not count for A either.
    agreement_of(org_b, programs["youth"], date(2025, 4, 1), date(2027, 3, 31))
    with pytest.raises(ValidationError):
        services.activity_update(actor=None, activity=activity, program=programs["youth"])
    activity.refresh_from_db()
    assert activity.program is None
    services.activity_update(actor=None, activity=activity, program=programs["liaison"])
    activity.refresh_from_db()
    assert activity.program == programs["liaison"]
    services.activity_update(actor=None, activity=activity, program=None)
    activity.refresh_from_db()
    assert activity.program is None

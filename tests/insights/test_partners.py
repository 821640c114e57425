"""Partnership suggestions: complementary organizations in the same boroughs, not yet partners."""

import pytest
from django.urls import reverse

from ancrage.insights.partners import partner_suggestions
from tests import factories

pytestmark = pytest.mark.django_db


def _org(code: str, name: str):
    organization = factories.OrganizationFactory(name=name, borough=factories.borough(code))
    factories.SiteFactory(organization=organization, borough=factories.borough(code))
    return organization


@pytest.fixture
def lasalle(db):
    ours = _org("lasalle", "Carrefour LaSalle")
    factories.published_service(ours, needs=["housing"], audiences=["newcomers"])
    jobs = _org("lasalle", "Emploi LaSalle")
    factories.published_service(jobs, needs=["employment", "housing"], audiences=["newcomers"])
    more = _org("lasalle", "Tout LaSalle")
    factories.published_service(more, needs=["employment"], audiences=["newcomers"])
    factories.published_service(more, needs=["food-security"], audiences=["newcomers"])
    same = _org("lasalle", "Logement LaSalle")  # covers nothing we do not
    factories.published_service(same, needs=["housing"], audiences=["newcomers"])
    far = _org("ile-bizard-sainte-genevieve", "Emploi de l'Île")
    factories.published_service(far, needs=["employment"], audiences=["newcomers"])
    return ours, jobs, more


def test_complementary_organizations_in_its_boroughs_ranked_with_reasons(lasalle):
    ours, jobs, more = lasalle
    suggestions = partner_suggestions(ours)
    assert [s.organization for s in suggestions] == [more, jobs]
    assert suggestions[0].needs == ["employment", "food-security"]
    assert suggestions[1].needs == ["employment"]
    assert suggestions[1].boroughs == ["lasalle"] and suggestions[1].audiences == ["newcomers"]


def test_existing_partners_are_not_suggested(lasalle):
    ours, jobs, more = lasalle
    factories.PartnershipFactory(organization=more, partner=ours)
    assert [s.organization for s in partner_suggestions(ours)] == [jobs]


def test_the_page_is_for_the_organizations_staff_only(lasalle, client_of):
    ours, jobs, _more = lasalle
    client = client_of(factories.member(ours, "director"))
    page = client.get(reverse("insights:partners", args=[ours.pk]))
    assert page.status_code == 200
    assert "Emploi LaSalle" in page.content.decode()
    assert client.get(reverse("insights:partners", args=[jobs.pk])).status_code == 404
    assert client.get(reverse("insights:partners", args=[10**9])).status_code == 404

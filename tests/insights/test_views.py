"""The review queue and an organization's page of suggestions about itself."""

import pytest
from django.urls import reverse

from ancrage.core.choices import OrganizationKind
from ancrage.insights import services
from ancrage.insights.models import OverlapSuggestion, SuggestionState
from tests import factories
from tests.insights.test_overlap import ENGLISH, FRENCH, _org_with_site, _service

pytestmark = pytest.mark.django_db


@pytest.fixture
def suggestion(db):
    _service(_org_with_site("lasalle", "Carrefour LaSalle"), FRENCH)
    _service(_org_with_site("lasalle", "LaSalle Welcome Centre"), ENGLISH)
    services.overlap_refresh_all()
    return OverlapSuggestion.objects.select_related("organization_a", "organization_b").get()


@pytest.fixture
def coordinator(db):
    city = factories.OrganizationFactory(kind=OrganizationKind.CITY_SERVICE, name="Ville")
    return factories.member(city, "coordinator")


def test_the_coordinator_sees_the_queue_and_confirms_a_duplicate(
    suggestion, coordinator, client_of
):
    client = client_of(coordinator)
    page = client.get(reverse("insights:queue"))
    assert page.status_code == 200
    assert "Clinique d&#x27;impôts" in page.content.decode()
    response = client.post(
        reverse("insights:suggestion", args=[suggestion.pk]), {"state": "duplicate"}
    )
    assert response.status_code == 302
    suggestion.refresh_from_db()
    assert suggestion.state == SuggestionState.DUPLICATE
    assert suggestion.decided_by == coordinator


def test_complementary_offers_a_partnership(suggestion, coordinator, client_of):
    client = client_of(coordinator)
    response = client.post(
        reverse("insights:suggestion", args=[suggestion.pk]),
        {"state": "complementary"},
        follow=True,
    )
    partnership = reverse("network:partnership_create", args=[suggestion.organization_a_id])
    assert partnership in response.content.decode()


def test_a_forged_decision_changes_nothing(suggestion, coordinator, client_of):
    client = client_of(coordinator)
    client.post(reverse("insights:suggestion", args=[suggestion.pk]), {"state": "<script>"})
    suggestion.refresh_from_db()
    assert suggestion.state == SuggestionState.NEW


def test_staff_of_an_organization_cannot_open_the_queue(suggestion, client_of):
    director = factories.member(suggestion.organization_a, "director")
    client = client_of(director)
    assert client.get(reverse("insights:queue")).status_code == 403
    assert client.get(reverse("insights:suggestion", args=[suggestion.pk])).status_code == 403


def test_an_organization_sees_its_suggestions_with_the_other_side_public_only(
    suggestion, client_of
):
    director = factories.member(suggestion.organization_a, "director")
    client = client_of(director)
    listing = client.get(
        reverse("insights:organization_suggestions", args=[suggestion.organization_a_id])
    )
    assert listing.status_code == 200
    assert suggestion.organization_b.name in listing.content.decode()
    detail = client.get(
        reverse(
            "insights:organization_suggestion", args=[suggestion.organization_a_id, suggestion.pk]
        )
    )
    assert detail.status_code == 200


def test_another_organizations_suggestion_is_404(suggestion, client_of):
    stranger = factories.OrganizationFactory(name="Ailleurs")
    director = factories.member(stranger, "director")
    client = client_of(director)
    assert (
        client.get(
            reverse("insights:organization_suggestion", args=[stranger.pk, suggestion.pk])
        ).status_code
        == 404
    )
    assert (
        client.get(
            reverse(
                "insights:organization_suggestion",
                args=[suggestion.organization_a_id, suggestion.pk],
            )
        ).status_code
        == 404
    )


def test_dismissed_suggestions_are_not_shown_to_the_organization(
    suggestion, coordinator, client_of
):
    services.suggestion_decide(actor=coordinator, suggestion=suggestion, state="dismissed")
    director = factories.member(suggestion.organization_b, "director")
    page = client_of(director).get(
        reverse("insights:organization_suggestions", args=[suggestion.organization_b_id])
    )
    assert suggestion.organization_a.name not in page.content.decode()

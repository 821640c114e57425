"""Schemathesis against the served OpenAPI document of the HSDS API, through the WSGI app.

Every operation gets generated requests (valid and invalid parameters, odd path segments) and
every answer is checked: never a server error, a documented status code and content type, a body
that matches the document's schema (HSDS 3.0 objects, HSDA pages, `{"detail"}` errors).
"""

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def wsgi_in_the_test_transaction():
    """The WSGI handler closes the database connection after each request (as a server should);
    inside a test's transaction that would end it. Django's test client does the same as this."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def directory(db, wsgi_in_the_test_transaction):
    """A small directory to read (two organizations, a place, services with every kind of
    term), and the document as the API serves it."""
    cache.clear()  # the rate limit's counts
    organization = factories.OrganizationFactory(name="Centre d'accueil <b>Ĉ</b>")
    site = factories.SiteFactory(organization=organization, postal_code="H2X 1Y4")
    factories.published_service(
        organization,
        names={"fr": "Aide au logement", "en": "Housing help"},
        audiences=["newcomers"],
        immigration_statuses=["refugee"],
        languages=["fr", "ar"],
        needs=["housing"],
        locations=[{"site": str(site.hsds_id)}],
        schedules=[{"freq": "WEEKLY", "byday": "MO", "opens_at": "09:00", "closes_at": "12:00"}],
    )
    factories.published_service(factories.OrganizationFactory(name="Maison des familles"))


# Loaded through the WSGI app as a client would (serving the document reads no database).
schema = schemathesis.openapi.from_wsgi("/hsds/openapi.json", get_wsgi_application())


@schema.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_keeps_to_its_document(case, directory):
    case.call_and_validate()


def test_the_document_is_served_at_both_addresses(client):
    hsds = client.get("/hsds/openapi.json").json()
    assert client.get("/api/openapi.json").json() == hsds
    assert hsds["openapi"].startswith("3.1")
    service = hsds["components"]["schemas"]["service"]
    assert {"id", "name", "status"} <= set(service["required"])
    assert service["properties"]["organization"] == {"$ref": "#/components/schemas/organization"}

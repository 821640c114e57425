"""The HSDS API and the export/import on the demo's directory (`ancrage.demo.directory`).

The demo's organizations and sites (the demo plan) and its directory are written once for the
module, in a transaction rolled back at the end, as in tests/directory/test_cross_language.py.
"""

import pytest
from django.db import transaction

from ancrage.api.hsds.exporter import hsds_export
from ancrage.api.hsds.importer import hsds_import
from ancrage.core.models import Borough
from ancrage.demo.directory import seed_directory
from ancrage.demo.montreal import DEFAULT_SEED, build_plan
from ancrage.directory import search
from ancrage.directory.models import Service
from ancrage.network.models import Organization, Site

from .hsds_validation import assert_valid

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo_directory(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            boroughs = {b.code: b for b in Borough.objects.all()}
            for spec in build_plan(DEFAULT_SEED).organizations:
                organization = Organization.objects.create(
                    name=spec.name,
                    kind=spec.kind,
                    borough=boroughs.get(spec.borough) if spec.borough else None,
                    mission=spec.mission,
                    acronym=spec.acronym,
                    email=spec.email,
                    phone=spec.phone,
                    is_synthetic=True,
                )
                Site.objects.bulk_create(
                    Site(
                        organization=organization,
                        name=site.name,
                        kind=site.kind,
                        borough=boroughs[site.borough],
                        street_address=site.street_address,
                        postal_code=site.postal_code,
                    )
                    for site in spec.sites
                )
            yield seed_directory(seed=DEFAULT_SEED)
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            search.forget_index()


def _get(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return response.json()


def _all(client, url, schemas, schema, registry=None):
    """Every item of a paginated list, each page checked against the Page shape."""
    items, number = [], 1
    while True:
        page = _get(client, f"{url}{'&' if '?' in url else '?'}per_page=100&page={number}")
        assert_valid(page, schemas["page"])
        for item in page["contents"]:
            assert_valid(item, schema, registry)
        items += page["contents"]
        if page["last_page"]:
            assert len(items) == page["total_items"]
            return items
        number += 1


def test_every_endpoint_validates_for_the_demo_directory(client, demo_directory, hsds_schemas):
    schemas = hsds_schemas
    core, registry = schemas["core"], schemas["registry"]
    services = _all(client, "/hsds/services?full=true", schemas, schemas["service"])
    assert len(services) == Service.objects.filter(is_published=True).count() > 100
    for service in services[::10]:
        assert _get(client, f"/hsds/services/{service['id']}") == service
    assert _get(client, "/hsds/services?minimal=true")["total_items"] == len(services)

    organizations = _all(
        client, "/hsds/organizations?full_service=true", schemas, schemas["organization"]
    )
    assert sum(len(o["services"]) for o in organizations) == len(services)
    for organization in organizations[::10]:
        detail = _get(client, f"/hsds/organizations/{organization['id']}")
        assert_valid(detail, schemas["organization"])

    links = _all(client, "/hsds/service_at_locations", schemas, schemas["service_at_location"])
    for link in links[::15]:
        detail = _get(client, f"/hsds/service_at_locations/{link['id']}?lang=en")
        assert_valid(detail, schemas["service_at_location"])

    _all(client, "/hsds/taxonomies", schemas, core["taxonomy.json"], registry)
    _all(client, "/hsds/taxonomy_terms", schemas, core["taxonomy_term.json"], registry)


@pytest.mark.parametrize("format", ["zip", "json"])
def test_the_demo_directory_round_trips(demo_directory, tmp_path, format):
    first = hsds_export(format=format)
    path = tmp_path / f"demo.{format}"
    path.write_bytes(first)
    Organization.objects.all().delete()

    report = hsds_import(path=path)

    assert report.ok, "\n".join(map(str, report.problems[:20]))
    assert report.created["services"] > 100
    assert hsds_export(format=format) == first

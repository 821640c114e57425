"""Coverage gaps: the matrix against a recount, the page, its CSV."""

import csv
import io

import pytest
from django.urls import reverse

from ancrage.core.choices import OrganizationKind
from ancrage.directory.models import Service, TaxonomyTerm
from ancrage.insights import coverage, services
from ancrage.insights.models import CoverageDemand
from tests import factories

pytestmark = pytest.mark.django_db


def _org(code: str, name: str):
    organization = factories.OrganizationFactory(name=name, borough=factories.borough(code))
    factories.SiteFactory(organization=organization, borough=factories.borough(code))
    return organization


@pytest.fixture
def city(db):
    services.seed_insights()
    lasalle = _org("lasalle", "Carrefour LaSalle")
    verdun = _org("verdun", "Verdun Accueil")
    factories.published_service(lasalle, needs=["housing"], languages=["fr", "es"])
    factories.published_service(lasalle, needs=["housing", "employment"], languages=["en"])
    factories.published_service(verdun, needs=["employment"], languages=["fr"])
    hidden = factories.published_service(verdun, needs=["housing"])
    Service.objects.filter(pk=hidden.pk).update(is_published=False)
    activity = factories.ActivityFactory(organization=verdun, borough=factories.borough("verdun"))
    activity.needs.set(TaxonomyTerm.objects.filter(code="employment"))
    for _ in range(6):
        factories.SessionFactory(activity=activity)
    return lasalle, verdun


def test_seed_is_synthetic_and_keeps_a_coordinators_edit(db):
    assert services.seed_insights() == 19
    row = CoverageDemand.objects.get(borough__code="lasalle")
    assert "Synthetic" in row.source
    row.newcomer_population = 1234
    row.save()
    assert services.seed_insights() == 0
    row.refresh_from_db()
    assert row.newcomer_population == 1234


def test_the_matrix_equals_a_recount(city):
    cells = {(c.borough, c.need): c for c in coverage.coverage_cells()}
    for (borough, need), cell in cells.items():
        public = Service.objects.filter(
            is_published=True, needs__code=need, locations__location__borough__code=borough
        ).exclude(status="defunct")
        assert cell.services == public.distinct().count(), (borough, need)
    assert cells[("lasalle", "housing")].services == 2
    assert cells[("lasalle", "housing")].languages == {"fr", "es", "en"}
    assert cells[("verdun", "housing")].services == 0  # the unpublished one does not count
    assert cells[("verdun", "employment")].sessions_per_month == 2.0  # 6 sessions in 3 months
    assert cells[("lasalle", "employment")].supply_per_thousand == round(1000 / 9_800, 2)
    ranked = coverage.coverage_cells()
    assert [c.supply_per_thousand for c in ranked] == sorted(c.supply_per_thousand for c in ranked)


def test_languages_spoken_without_an_offer_come_first(city):
    rows = coverage.language_gaps()
    lasalle = {r["language"]: r for r in rows if r["borough"].startswith("LaSalle")}
    assert lasalle["es"]["offered"] and not lasalle["zh"]["offered"]
    assert lasalle["zh"]["speakers"] == 980
    assert not rows[0]["offered"]


def test_csv_escapes_formulas():
    assert coverage.csv_safe("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert coverage.csv_safe("-2") == "'-2"
    assert coverage.csv_safe("@x") == "'@x" and coverage.csv_safe("+1") == "'+1"
    assert coverage.csv_safe("Verdun") == "Verdun"


@pytest.fixture
def coordinator(db):
    city = factories.OrganizationFactory(kind=OrganizationKind.CITY_SERVICE, name="Ville")
    return factories.member(city, "coordinator")


def test_the_coordinator_sees_the_heat_map_and_downloads_the_csv(city, coordinator, client_of):
    client = client_of(coordinator)
    page = client.get(reverse("insights:coverage"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and 'class="heat-' in html
    assert "style=" not in html.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert "<script" not in html.split("<svg", 1)[1].split("</svg>", 1)[0]
    export = client.get(reverse("insights:coverage_csv"))
    rows = list(csv.reader(io.StringIO(export.content.decode())))
    assert len(rows) == 1 + CoverageDemand.objects.count() * len(
        {c.need for c in coverage.coverage_cells()}
    )


def test_organization_staff_may_not_see_the_city_coverage(city, client_of):
    staff = factories.member(city[0], "director")
    client = client_of(staff)
    assert client.get(reverse("insights:coverage")).status_code == 403
    assert client.get(reverse("insights:coverage_csv")).status_code == 403

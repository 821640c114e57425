"""The HSDS 3.0 API under /hsds/: shapes (official schemas), filters, languages, bad input."""

import datetime
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ancrage.api.hsds.vocabularies import AUDIENCES, ELIGIBILITY, IMMIGRATION_STATUSES
from ancrage.directory.models import Service, TaxonomyTerm
from tests import factories
from tests.factories import published_service

from .hsds_validation import assert_valid

pytestmark = pytest.mark.django_db

NEEDS_TAXONOMY_ID = "6a1f3c52-9d0e-4f1b-8a77-2f5e0c4b9d10"


def _json(client, url, status=200, **headers):
    response = client.get(url, **headers)
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def _page(client, url, schemas, item_schema=None, registry=None):
    page = _json(client, url)
    assert_valid(page, schemas["page"])
    assert set(page) == {
        "total_items",
        "total_pages",
        "page_number",
        "size",
        "first_page",
        "last_page",
        "empty",
        "contents",
    }
    assert page["size"] == len(page["contents"])
    for item in page["contents"]:
        if item_schema is not None:
            assert_valid(item, item_schema, registry)
    return page


# --- Every endpoint against the official schemas ------------------------------------------------


@pytest.mark.parametrize("lang", ["fr", "en", "ar"])
def test_every_endpoint_answers_in_the_official_shapes(client, rich_directory, hsds_schemas, lang):
    schemas = hsds_schemas
    core, registry = schemas["core"], schemas["registry"]
    q = f"lang={lang}"

    root = _json(client, f"/hsds/?{q}")
    assert root["version"].startswith("3.0")
    assert root["openapi_url"].endswith("/hsds/openapi.json")

    for flags in ("", "&full=true"):
        services = _page(client, f"/hsds/services?{q}{flags}", schemas, schemas["service"])
        assert services["total_items"] == 2
    for service in services["contents"]:
        detail = _json(client, f"/hsds/services/{service['id']}?{q}")
        assert_valid(detail, schemas["service"])
        assert detail == service  # full=true lists the same objects as the detail

    for flags in ("", "&full=true", "&full_service=true"):
        organizations = _page(
            client, f"/hsds/organizations?{q}{flags}", schemas, schemas["organization"]
        )
        assert organizations["total_items"] == 2
    for organization in organizations["contents"]:
        for flags in ("", "&full_service=true"):
            detail = _json(client, f"/hsds/organizations/{organization['id']}?{q}{flags}")
            assert_valid(detail, schemas["organization"])

    for flags in ("", "&full=true"):
        links = _page(
            client,
            f"/hsds/service_at_locations?{q}{flags}",
            schemas,
            schemas["service_at_location"],
        )
        assert links["total_items"] == 3
    for link in links["contents"]:
        detail = _json(client, f"/hsds/service_at_locations/{link['id']}?{q}")
        assert_valid(detail, schemas["service_at_location"])
        assert detail["service"]["id"] == link["service_id"]

    taxonomies = _page(client, f"/hsds/taxonomies?{q}", schemas, core["taxonomy.json"], registry)
    for taxonomy in taxonomies["contents"]:
        detail = _json(client, f"/hsds/taxonomies/{taxonomy['id']}?{q}")
        assert_valid(detail, core["taxonomy.json"], registry)
    terms = _page(
        client,
        f"/hsds/taxonomy_terms?{q}&per_page=100",
        schemas,
        core["taxonomy_term.json"],
        registry,
    )
    assert terms["total_items"] == len(terms["contents"]) > 16
    for term in terms["contents"][::5]:
        detail = _json(client, f"/hsds/taxonomy_terms/{term['id']}?{q}")
        assert_valid(detail, core["taxonomy_term.json"], registry)
        assert detail == term


def test_the_openapi_description_is_served(client):
    document = _json(client, "/hsds/openapi.json")
    assert {"/hsds/services", "/hsds/services/{id}", "/hsds/taxonomy_terms"} <= set(
        document["paths"]
    )


# --- What a service says ------------------------------------------------------------------------


def test_a_service_carries_every_mapped_field(client, rich_directory):
    full = rich_directory["full"]
    service = _json(client, f"/hsds/services/{full.id}")
    assert service["name"] == "Aide au logement"
    assert service["alternate_name"] == "LOG-1"
    assert service["status"] == "inactive"
    assert (service["minimum_age"], service["maximum_age"]) == (18, 64)
    assert service["assured_date"] == "2025-03-01"
    assert service["assurer_email"] == "verif@cac.example.org"
    assert service["application_process"] == "Appelez-nous"
    assert service["fees_description"] == "10 $ par séance"
    assert service["interpretation_services"] == "Interprètes sur demande"
    assert service["organization"]["name"] == "Centre d'accueil Ĉ"
    assert service["organization"]["alternate_name"] == "CAC"
    assert service["program"]["name"] == "Programme d'accueil"
    assert [p["number"] for p in service["phones"]] == ["514 555-0110"]
    assert service["funding"][0]["source"] == "Ville de Montréal"
    assert service["cost_options"][0]["currency"] == "CAD"
    assert "amount" not in service["cost_options"][0]  # not free, amount not known
    assert sorted(lang["code"] for lang in service["languages"]) == ["ar", "en", "es", "fr"]
    # Every translation is carried along.
    translations = service["x-ancrage-translations"]
    assert translations["name"] == {
        "ar": "المساعدة في السكن",
        "en": "Housing help",
        "fr": "Aide au logement",
    }
    # Places, with their addresses in Montréal and the borough as region.
    places = {link["location"]["name"]: link for link in service["service_at_locations"]}
    assert places["Bureau LaSalle"]["description"] == "Au 2e étage"
    address = places["Bureau Villeray"]["location"]["addresses"][0]
    assert address["region"] == "Villeray–Saint-Michel–Parc-Extension"
    assert (address["city"], address["state_province"], address["country"]) == (
        "Montréal",
        "QC",
        "CA",
    )
    assert places["Bureau LaSalle"]["location"]["accessibility"][0]["description"] == (
        "Entrée sans marche"
    )
    # Hours: the service's, and those of one place (nested under it too).
    assert len(service["schedules"]) == 3
    [monthly] = places["Bureau Villeray"]["schedules"]
    assert (monthly["freq"], monthly["interval"], monthly["byday"]) == ("MONTHLY", 2, "2TU")
    assert (monthly["opens_at"], monthly["closes_at"]) == ("13:00:00", "16:00:00")
    assert monthly["description"] == "Sur rendez-vous"
    contacts = {c["name"]: c for c in service["contacts"]}
    assert contacts["Accueil"]["phones"][0]["number"] == "514 555-0120"
    assert contacts["Amina Haddad"]["title"] == "Intervenante"
    # Structured eligibility as attributes.
    by_taxonomy: dict[str, list] = {}
    for attribute in service["attributes"]:
        term = attribute["taxonomy_term"]
        assert attribute["taxonomy_term_id"] == term["id"]
        by_taxonomy.setdefault(term["taxonomy"], []).append((term["code"], attribute.get("value")))
    assert sorted(by_taxonomy["ancrage-needs"]) == [
        ("housing", None),
        ("settlement-support", None),
    ]
    assert sorted(by_taxonomy["ancrage-audiences"]) == [("families", None), ("newcomers", None)]
    assert sorted(by_taxonomy["ancrage-immigration-statuses"]) == [
        ("asylum-seeker", None),
        ("refugee", None),
    ]
    assert by_taxonomy["ancrage-eligibility"] == [("max-years-since-arrival", "5")]


def test_a_free_service_has_a_zero_cost_option(client, rich_directory):
    service = _json(client, f"/hsds/services/{rich_directory['plain'].id}")
    assert service["cost_options"][0]["amount"] == 0


def test_minimal_lists_ids_and_modification_times(client, rich_directory):
    page = _json(client, "/hsds/services?minimal=true")
    assert page["total_items"] == 2
    for item in page["contents"]:
        assert set(item) == {"id", "last_modified"}
        datetime.datetime.fromisoformat(item["last_modified"])


# --- Languages ----------------------------------------------------------------------------------


def test_text_is_in_the_readers_language_french_by_default(client, rich_directory):
    url = f"/hsds/services/{rich_directory['full'].id}"
    response = client.get(url)
    assert response.json()["name"] == "Aide au logement"
    assert response["Content-Language"] == "fr"
    assert _json(client, f"{url}?lang=en")["name"] == "Housing help"
    assert _json(client, f"{url}?lang=AR")["name"] == "المساعدة في السكن"
    assert _json(client, url, HTTP_ACCEPT_LANGUAGE="en-CA,en;q=0.9")["name"] == "Housing help"
    # A content language with no text falls back to French.
    assert _json(client, f"{url}?lang=uk")["name"] == "Aide au logement"
    # Languages the directory is not written in are skipped in Accept-Language.
    assert _json(client, url, HTTP_ACCEPT_LANGUAGE="de, en;q=0.5")["name"] == "Housing help"


def test_content_in_another_language_of_ancrage_list_can_be_asked_for(client, rich_directory):
    url = f"/hsds/services/{rich_directory['plain'].id}"
    assert _json(client, f"{url}?lang=ur")["name"] == "والدین کا کیفے"
    assert _json(client, f"{url}?lang=de")["name"] == "Café des parents"


def test_an_unknown_language_code_is_refused_clearly(client, rich_directory):
    body = _json(client, "/hsds/services?lang=xx-unknown", status=400)
    assert "lang" in body["detail"] and "fr" in body["detail"]


# --- Filters ------------------------------------------------------------------------------------


def _ids(client, url):
    return {item["id"] for item in _json(client, url)["contents"]}


def test_search_matches_names_and_descriptions_in_every_language(client, rich_directory):
    full, plain = str(rich_directory["full"].id), str(rich_directory["plain"].id)
    assert _ids(client, "/hsds/services?search=LOGEMENT") == {full, plain}  # fr description
    assert _ids(client, "/hsds/services?search=housing help") == {full}  # en, two words
    assert _ids(client, "/hsds/services?search=السكن") == {full}  # ar
    assert _ids(client, "/hsds/services?search=Parents") == {plain}
    assert _ids(client, "/hsds/services?search=Maison des familles") == {plain}  # organization
    assert _ids(client, "/hsds/services?search=Brouillon") == set()  # not published
    assert _ids(client, "/hsds/organizations?search=IMMIGRANTES") == {
        str(rich_directory["org"].hsds_id)
    }


def test_filters_by_organization_term_taxonomy_and_date(client, rich_directory):
    full, plain = str(rich_directory["full"].id), str(rich_directory["plain"].id)
    org = rich_directory["org"]
    assert _ids(client, f"/hsds/services?organization_id={org.hsds_id}") == {full}
    housing = TaxonomyTerm.objects.get(code="housing").id
    family = TaxonomyTerm.objects.get(code="childhood-family").id
    assert _ids(client, f"/hsds/services?taxonomy_term_id={housing}") == {full}
    assert _ids(client, f"/hsds/services?taxonomy_term_id={family}") == {plain}
    assert _ids(client, f"/hsds/services?taxonomy_term_id={AUDIENCES.term_id('families')}") == {
        full
    }
    refugee = IMMIGRATION_STATUSES.term_id("refugee")
    assert _ids(client, f"/hsds/services?taxonomy_term_id={refugee}") == {full}
    years = ELIGIBILITY.term_id("max-years-since-arrival")
    assert _ids(client, f"/hsds/services?taxonomy_term_id={years}") == {full}
    assert _ids(client, f"/hsds/services?taxonomy_id={NEEDS_TAXONOMY_ID}") == {full, plain}
    assert _ids(client, f"/hsds/services?taxonomy_id={AUDIENCES.id}") == {full}
    assert _ids(client, f"/hsds/services?taxonomy_id={uuid.uuid4()}") == set()
    assert _ids(client, f"/hsds/services?organization_id={uuid.uuid4()}") == set()

    Service.objects.filter(pk=rich_directory["plain"].pk).update(
        last_modified=timezone.now() - datetime.timedelta(days=30)
    )
    since = (timezone.now() - datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert _ids(client, f"/hsds/services?modified_after={since}") == {full}
    assert _ids(client, "/hsds/services?modified_after=2000-01-01") == {full, plain}

    links = _json(client, f"/hsds/service_at_locations?organization_id={org.hsds_id}")
    assert links["total_items"] == 2
    postcode = _json(client, "/hsds/service_at_locations?postcode=h2r")
    assert [link["location_id"] for link in postcode["contents"]] == [
        str(org.sites.get(name="Bureau Villeray").hsds_id)
    ]
    terms = _json(client, f"/hsds/taxonomy_terms?taxonomy_id={AUDIENCES.id}&per_page=100")
    assert {t["taxonomy"] for t in terms["contents"]} == {"ancrage-audiences"}
    assert _json(client, "/hsds/taxonomy_terms?search=logement")["contents"][0]["code"] == (
        "housing"
    )


def test_what_is_not_published_is_not_in_the_directory(client, rich_directory):
    hidden = rich_directory["hidden"]
    _json(client, f"/hsds/services/{hidden.id}", status=404)
    assert str(hidden.id) not in _ids(client, "/hsds/services?per_page=100")
    organizations = {o["name"] for o in _json(client, "/hsds/organizations")["contents"]}
    assert organizations == {"Centre d'accueil Ĉ", "Maison des familles"}
    lonely = factories.OrganizationFactory(name="Seul")
    _json(client, f"/hsds/organizations/{lonely.hsds_id}", status=404)
    detail = _json(client, f"/hsds/organizations/{hidden.organization.hsds_id}?full_service=true")
    assert [s["name"] for s in detail["services"]] == ["Café des parents"]


# --- Pagination ---------------------------------------------------------------------------------


def test_pages(client, db):
    organization = factories.OrganizationFactory()
    for _ in range(5):
        published_service(organization)
    first = _json(client, "/hsds/services?per_page=2")
    assert (first["total_items"], first["total_pages"], first["size"]) == (5, 3, 2)
    assert first["first_page"] and not first["last_page"] and not first["empty"]
    last = _json(client, "/hsds/services?per_page=2&page=3")
    assert last["last_page"] and not last["first_page"] and last["size"] == 1
    beyond = _json(client, "/hsds/services?per_page=2&page=9")
    assert beyond["empty"] and beyond["contents"] == [] and beyond["page_number"] == 9
    huge = _json(client, f"/hsds/services?page={10**30}")
    assert huge["empty"]
    seen = set()
    for number in (1, 2, 3):
        seen |= _ids(client, f"/hsds/services?per_page=2&page={number}")
    assert len(seen) == 5


def test_an_empty_directory_is_an_empty_page(client, db):
    page = _json(client, "/hsds/services")
    assert page == {
        "total_items": 0,
        "total_pages": 0,
        "page_number": 1,
        "size": 0,
        "first_page": True,
        "last_page": True,
        "empty": True,
        "contents": [],
    }


# --- Bad input ----------------------------------------------------------------------------------

LONG = "x" * 10_000


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("page=-1", "page"),
        ("page=0", "page"),
        ("page=abc", "page"),
        ("page=1.5", "page"),
        ("per_page=0", "per_page"),
        ("per_page=101", "per_page"),
        ("per_page=100000", "per_page"),
        ("per_page=-5", "per_page"),
        (f"search={LONG}", "search"),
        ("search=caf%00e", "search"),
        ("organization_id=not-a-uuid", "organization_id"),
        ("organization_id=1%27%20OR%201%3D1", "organization_id"),
        ("taxonomy_term_id=%3Cscript%3E", "taxonomy_term_id"),
        ("taxonomy_id=12345", "taxonomy_id"),
        ("modified_after=yesterday", "modified_after"),
        ("modified_after=2025-13-45", "modified_after"),
        ("modified_after=9999-12-31T23:59:59-23:59", "modified_after"),
        ("minimal=maybe", "minimal"),
        ("full=2", "full"),
        ("format=xml", "format"),
        (f"lang={LONG}", "lang"),
    ],
)
def test_bad_parameters_get_a_clear_400(client, rich_directory, query, parameter):
    body = _json(client, f"/hsds/services?{query}", status=400)
    assert parameter in body["detail"]


@pytest.mark.parametrize(
    "url",
    [
        "/hsds/service_at_locations?proximity=500",
        "/hsds/service_at_locations?postcode=%F0%9F%98%80",
        "/hsds/service_at_locations?postcode=H2X1Y4Z9",
        "/hsds/organizations?per_page=100000",
        "/hsds/organizations?full_service=perhaps",
        "/hsds/taxonomies?page=-1",
        "/hsds/taxonomy_terms?taxonomy_id=abc",
        "/hsds/taxonomy_terms?parent_id=abc",
        "/hsds/taxonomy_terms?top_only=sometimes",
    ],
)
def test_bad_parameters_of_other_endpoints_get_a_400(client, rich_directory, url):
    assert _json(client, url, status=400)["detail"]


@pytest.mark.parametrize(
    "search",
    [
        "'; DROP TABLE directory_service; --",
        "1' OR '1'='1",
        "<script>alert(1)</script>",
        "%_%",
        "😀🏠",
        "مرحبا بكم",  # right-to-left
        "שלום",
        "‮evil‬",
        "\\",
    ],
)
def test_hostile_searches_get_a_normal_answer(client, rich_directory, search):
    for endpoint in ("services", "organizations", "service_at_locations", "taxonomy_terms"):
        page = _json(client, f"/hsds/{endpoint}", data={"search": search})
        assert page["total_items"] == 0
    assert Service.objects.count() == 3


@pytest.mark.parametrize(
    "path",
    [
        "services/{unknown}",
        "services/not-a-uuid",
        "services/%3Cscript%3E",
        "services/" + "9" * 5000,
        "organizations/{unknown}",
        "organizations/1",
        "service_at_locations/{unknown}",
        "service_at_locations/%27%20OR%201=1",
        "taxonomies/{unknown}",
        "taxonomy_terms/{unknown}",
        "taxonomy_terms/zz",
    ],
)
def test_unknown_or_malformed_ids_are_a_404_in_json(client, rich_directory, path):
    body = _json(client, "/hsds/" + path.format(unknown=uuid.uuid4()), status=404)
    assert body["detail"]


@pytest.mark.parametrize("path", ["services/", "nothing", "services/x/y", "%3Cscript%3E"])
def test_unknown_endpoints_are_a_404_in_json(client, db, path):
    assert "openapi.json" in _json(client, f"/hsds/{path}", status=404)["detail"]


def test_the_api_is_read_only(client, rich_directory):
    for method in (client.post, client.put, client.delete, client.patch):
        response = method(f"/hsds/services/{rich_directory['full'].id}")
        assert response.status_code == 405


# --- Bounded queries ----------------------------------------------------------------------------


def _directory_of(count: int) -> None:
    organization = factories.OrganizationFactory()
    for number in range(count):
        published_service(
            organization,
            names={"fr": f"Service {number}", "en": f"Service {number}"},
            audiences=["newcomers", "women"],
            immigration_statuses=["refugee"],
            languages=["fr", "en", "ar"],
            needs=["housing", "employment"],
            max_years_since_arrival=5,
        )


URLS = (
    "/hsds/services?full=true&per_page=100",
    "/hsds/services?per_page=100",
    "/hsds/services?minimal=true",
    "/hsds/organizations?full_service=true",
    "/hsds/organizations?full=true",
    "/hsds/service_at_locations?full=true&per_page=100",
    "/hsds/service_at_locations?per_page=100",
)


@pytest.mark.parametrize("url", URLS)
def test_queries_do_not_grow_with_the_number_of_services(
    client, db, url, django_assert_max_num_queries
):
    _directory_of(1)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    _directory_of(19)
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200
    assert sum(1 for _ in response.json()["contents"]) >= 1

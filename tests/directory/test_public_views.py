"""The public directory pages, as an anonymous visitor uses them: no login, no JavaScript."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from ancrage.directory import search
from ancrage.directory.models import Service
from tests.factories import OrganizationFactory, SiteFactory, borough, published_service

pytestmark = pytest.mark.django_db

SEARCH = "/services/"


@pytest.fixture(autouse=True)
def _fresh_index():
    search.forget_index()
    yield
    search.forget_index()


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def directory(db):
    org = OrganizationFactory(name="Comité logement de Verdun", phone="514 555-0101")
    site = SiteFactory(
        organization=org,
        name="Siège social",
        borough=borough("verdun"),
        street_address="4100, rue Wellington",
        postal_code="H4G 1V7",
    )
    housing = published_service(
        org,
        names={
            "fr": "Aide à la recherche de logement",
            "en": "Help finding housing",
            "ar": "المساعدة في البحث عن سكن",
        },
        descriptions={
            "fr": "Nous vous aidons à chercher un appartement et à comprendre le bail.",
            "en": "We help you look for an apartment and understand the lease.",
        },
        eligibility_descriptions={"fr": "Locataires du quartier.", "en": "Local tenants."},
        application_processes={"fr": "Téléphonez.", "en": "Call us."},
        alternate_name="CLV-12",
        phone="514 555-0101",
        email="info@clv.example",
        minimum_age=18,
        languages=["fr", "en", "ar"],
        audiences=["newcomers", "families"],
        immigration_statuses=["refugee", "asylum-seeker"],
        locations=[{"site": str(site.hsds_id)}],
        schedules=[
            {
                "freq": "WEEKLY",
                "byday": "MO,WE",
                "opens_at": "09:00",
                "closes_at": "17:00",
                "site": str(site.hsds_id),
            }
        ],
    )
    Service.objects.filter(pk=housing.pk).update(assured_date=timezone.localdate())
    food = published_service(
        OrganizationFactory(name="Banque alimentaire de LaSalle"),
        names={"fr": "Dépannage alimentaire", "en": "Emergency food bank"},
        descriptions={"fr": "Un panier d'épicerie gratuit par semaine."},
        needs=["food-security"],
        is_free=False,
        fees_descriptions={"fr": "2 $ par panier."},
    )
    Service.objects.filter(pk=food.pk).update(
        assured_date=timezone.localdate() - timedelta(days=400)
    )
    return {"housing": housing, "food": food}


def test_anyone_can_search_without_signing_in(client, directory):
    response = client.get(SEARCH)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Aide à la recherche de logement" in html
    assert "Dépannage alimentaire" in html
    assert '<form method="get"' in html  # a plain form: no JavaScript needed


def test_results_say_why_they_matched_and_link_to_the_service(english, directory):
    response = english.get(SEARCH, {"q": "logement"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "1 service found" in html
    assert "name contains “logement”" in html
    assert reverse("directory:service", args=[directory["housing"].pk]) in html
    assert "Dépannage alimentaire" not in html


def test_the_address_of_a_search_is_shareable(english, directory):
    response = english.get(SEARCH, {"q": "", "borough": "verdun", "language": "ar"})
    html = response.content.decode()
    assert "Help finding housing" in html
    assert "Emergency food bank" not in html
    assert "in Verdun" in html and "given in Arabic" in html
    assert 'value="verdun" selected' in html  # the form shows the filters it applied


def test_content_in_the_readers_language_is_marked_with_its_language(english, directory):
    html = english.get(SEARCH).content.decode()
    assert 'lang="en" dir="auto">Help finding housing<' in html
    # Written only in French: shown in French, and said so to screen readers and translators.
    assert 'lang="fr" dir="auto">Un panier d&#x27;épicerie gratuit par semaine.<' in html


def test_stale_services_say_plainly_they_were_verified_more_than_a_year_ago(english, directory):
    html = english.get(SEARCH).content.decode()
    assert "more than a year ago" in html
    page = english.get(reverse("directory:service", args=[directory["food"].pk]))
    assert "more than a year ago: call before you go" in page.content.decode()


def test_service_page_says_where_when_who_and_how(english, directory):
    response = english.get(reverse("directory:service", args=[directory["housing"].pk]))
    assert response.status_code == 200
    html = response.content.decode()
    for expected in (
        "Help finding housing",
        "Comité logement de Verdun",
        "4100, rue Wellington",
        "H4G 1V7",
        "Verdun",
        "Monday, Wednesday: 9 a.m. – 5 p.m.",
        "Arabic",
        "Local tenants.",
        "Ages 18 and up",
        "Immigration status:",
        "Call us.",
        'href="tel:+15145550101"',
        "CLV-12",
        "Last verified on",
        "Free of charge.",
    ):
        assert expected in html, expected
    assert "more than a year ago" not in html


def test_service_page_in_french_reads_hours_the_french_way(client, directory):
    html = client.get(reverse("directory:service", args=[directory["housing"].pk])).content
    assert "9\xa0h\xa000 – 17\xa0h\xa000".encode() in html


def test_fees_are_shown(english, directory):
    html = english.get(reverse("directory:service", args=[directory["food"].pk])).content.decode()
    assert "2 $ par panier." in html
    assert "Free of charge." not in html


def test_hidden_services_have_no_public_page(client, directory):
    housing = directory["housing"]
    url = reverse("directory:service", args=[housing.pk])
    Service.objects.filter(pk=housing.pk).update(status="defunct")
    assert client.get(url).status_code == 404
    Service.objects.filter(pk=housing.pk).update(status="active", is_published=False)
    assert client.get(url).status_code == 404
    assert client.get("/services/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert client.get("/services/not-a-uuid/").status_code == 404


def test_pages_are_read_only(client, directory):
    assert client.post(SEARCH, {"q": "x"}).status_code == 405
    url = reverse("directory:service", args=[directory["housing"].pk])
    assert client.post(url).status_code == 405


def test_print_stylesheet_is_linked():
    css = Path(settings.BASE_DIR, "src/ancrage/directory/static/directory/public.css")
    assert "@media print" in css.read_text()
    assert "margin-left" not in css.read_text()  # logical properties: right-to-left works


# --- Bad input: a normal answer or a 400 that says why; never a 500 --------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {"q": "logement " * 1200},  # 10,000 characters
        {"q": "x" * 10_000},
        {"q": "'; DROP TABLE directory_service; --"},
        {"q": "' OR '1'='1"},
        {"q": "<script>alert('x')</script><b>gras</b>"},
        {"q": "🏠🍲 logement 😀"},
        {"q": "سكن للعائلات"},  # right to left
        {"q": "מגורים"},
        {"q": "\u202eevil\u202c"},
        {"q": "%_\\"},
        {"page": "-1"},
        {"page": "abc"},
        {"page": "99999999999999999999999"},
        {"per_page": "100000"},
        {"per_page": "-5"},
        {"per_page": "abc"},
        {"free": "maybe", "open_now": "1"},
    ],
)
def test_odd_input_gets_a_normal_answer(client, directory, params):
    response = client.get(SEARCH, params)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert" not in html
    assert "<b>gras</b>" not in html


def test_a_long_query_is_shortened_and_says_so(english, directory):
    html = english.get(SEARCH, {"q": "logement " * 1200}).content.decode()
    assert "only its first 200 characters were used" in html
    assert "Help finding housing" in html


def test_a_huge_page_size_is_capped(client, directory):
    org = OrganizationFactory()
    for i in range(60):
        published_service(org, names={"fr": f"Atelier {i:02d}", "en": f"Workshop {i:02d}"})
    html = client.get(SEARCH, {"per_page": "100000"}).content.decode()
    assert html.count('class="result"') == search.PER_PAGE_MAX


@pytest.mark.parametrize(
    "params",
    [
        {"language": "xx"},  # an unknown language code
        {"language": "<script>"},
        {"borough": "atlantis"},
        {"need": "' OR 1=1 --"},
        {"audience": "x" * 10_000},
    ],
)
def test_an_unknown_filter_is_a_400_that_says_which(english, directory, params):
    response = english.get(SEARCH, params)
    assert response.status_code == 400
    html = response.content.decode()
    assert "is not one of the choices offered" in html
    assert 'role="alert"' in html
    assert "<script>" not in html


def test_unknown_interface_language_falls_back_to_french(client, directory):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx-evil"
    response = client.get(SEARCH, {"q": "logement"})
    assert response.status_code == 200
    assert 'lang="fr-ca"' in response.content.decode()

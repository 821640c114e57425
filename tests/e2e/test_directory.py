"""The public directory on a phone: search, filter and open a service in French, English and Arabic."""

import re

from playwright.sync_api import expect

from ancrage.directory import search
from tests import factories
from tests.e2e.conftest import axe_check


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def directory():
    org = factories.OrganizationFactory(name="Comité logement de Verdun", phone="514 555-0101")
    verdun = factories.SiteFactory(
        organization=org,
        name="Siège social",
        borough=factories.borough("verdun"),
        street_address="4100, rue Wellington",
    )
    lasalle = factories.SiteFactory(
        organization=factories.OrganizationFactory(name="Carrefour LaSalle"),
        borough=factories.borough("lasalle"),
        street_address="1200, boulevard Newman",
    )
    factories.published_service(
        org,
        names={
            "fr": "Aide à la recherche de logement",
            "en": "Help finding housing",
            "ar": "المساعدة في البحث عن سكن",
        },
        descriptions={
            "fr": "Nous vous aidons à chercher un appartement et à comprendre le bail.",
            "en": "We help you look for an apartment and understand the lease.",
            "ar": "نساعدك في البحث عن شقة وفهم عقد الإيجار.",
        },
        languages=["fr", "en", "ar"],
        needs=["housing"],
        locations=[{"site": str(verdun.hsds_id)}],
        schedules=[
            {
                "freq": "WEEKLY",
                "byday": "MO,WE",
                "opens_at": "09:00",
                "closes_at": "17:00",
                "site": str(verdun.hsds_id),
            }
        ],
    )
    factories.published_service(
        lasalle.organization,
        names={"fr": "Logements abordables : la liste", "en": "Affordable housing list"},
        descriptions={
            "fr": "La liste des logements abordables du quartier, mise à jour chaque semaine.",
            "en": "The list of affordable apartments in the area, updated every week.",
        },
        languages=["fr", "es"],
        needs=["housing"],
        locations=[{"site": str(lasalle.hsds_id)}],
    )
    factories.published_service(
        lasalle.organization,
        names={"fr": "Dépannage alimentaire", "en": "Emergency food bank"},
        descriptions={"fr": "Un panier d'épicerie gratuit par semaine."},
        needs=["food-security"],
        locations=[{"site": str(lasalle.hsds_id)}],
    )
    search.forget_index()


def results(page):
    return page.locator("ol.results")


def search_for(page, words: str, screenshot, step: str) -> None:
    page.fill("#id_q", words)
    with page.expect_navigation():
        page.locator(".search-row button[type=submit]").click()
    screenshot(page, step)


def filter_by_language(page, code: str, screenshot, step: str) -> None:
    filters = page.locator("details.directory-filters")
    if filters.get_attribute("open") is None:
        filters.locator("summary").click()
    page.select_option("#id_language", code)
    with page.expect_navigation():
        filters.locator("button[type=submit]").click()
    screenshot(page, step)


def switch_language(page, name: str) -> None:
    switch = page.locator("form.language-switch")
    button = switch.get_by_role("button", name=name, exact=True)
    if not button.is_visible():
        switch.locator("details.more-languages summary").click()
    with page.expect_navigation():
        button.click()


def test_phone_visitor_searches_filters_and_opens_a_service_in_three_languages(
    phone_page, visit, screenshot
):
    page = phone_page
    directory()

    # French, the default: a word of the name finds both housing services, not the food bank.
    response = visit(page, "/services/", "directory-fr")
    assert response.status == 200
    axe_check(page)
    search_for(page, "logement", screenshot, "search-fr")
    expect(results(page).get_by_text("Aide à la recherche de logement")).to_be_visible()
    expect(results(page).get_by_text("Logements abordables : la liste")).to_be_visible()
    expect(results(page).get_by_text("Dépannage alimentaire")).to_have_count(0)
    assert "q=logement" in page.url  # shareable
    assert no_horizontal_scroll(page)
    axe_check(page)

    filter_by_language(page, "ar", screenshot, "filter-fr")
    assert "language=ar" in page.url and "q=logement" in page.url
    expect(results(page).locator("li.result")).to_have_count(1)
    expect(results(page).locator(".why")).to_contain_text("logement")
    axe_check(page)

    with page.expect_navigation():
        results(page).get_by_role("link", name="Aide à la recherche de logement").click()
    screenshot(page, "service-fr")
    expect(page.locator("main h1")).to_have_text("Aide à la recherche de logement")
    expect(page.locator("main")).to_contain_text("4100, rue Wellington")
    expect(page.locator("main")).to_contain_text("9\xa0h\xa000")
    assert no_horizontal_scroll(page)
    axe_check(page)

    # English: the same page, then a search in English.
    switch_language(page, "English")
    screenshot(page, "service-en")
    assert page.locator("html").get_attribute("lang") == "en"
    expect(page.locator("main h1")).to_have_text("Help finding housing")
    visit(page, "/services/", "directory-en")
    search_for(page, "housing", screenshot, "search-en")
    expect(results(page).get_by_text("Help finding housing")).to_be_visible()
    expect(results(page).get_by_text("Affordable housing list")).to_be_visible()
    filter_by_language(page, "es", screenshot, "filter-en")
    expect(results(page).locator("li.result")).to_have_count(1)
    expect(results(page).get_by_text("Affordable housing list")).to_be_visible()
    expect(results(page).locator(".why")).to_contain_text("Spanish")
    with page.expect_navigation():
        results(page).get_by_role("link", name="Affordable housing list").click()
    expect(page.locator("main h1")).to_have_text("Affordable housing list")
    assert no_horizontal_scroll(page)
    axe_check(page)

    # Arabic: right to left, Arabic content where the service has it.
    visit(page, "/services/", "directory-before-ar")
    switch_language(page, "العربية")
    screenshot(page, "directory-ar")
    html = page.locator("html")
    assert html.get_attribute("lang") == "ar"
    assert html.get_attribute("dir") == "rtl"
    search_for(page, "سكن", screenshot, "search-ar")  # "housing", as the need is named in Arabic
    expect(results(page).get_by_text("المساعدة في البحث عن سكن")).to_be_visible()
    filter_by_language(page, "ar", screenshot, "filter-ar")
    expect(results(page).locator("li.result")).to_have_count(1)
    assert no_horizontal_scroll(page)
    axe_check(page)
    with page.expect_navigation():
        results(page).get_by_role("link", name="المساعدة في البحث عن سكن").click()
    screenshot(page, "service-ar")
    expect(page.locator("main h1")).to_have_text("المساعدة في البحث عن سكن")
    assert page.locator("main h1").get_attribute("lang") == "ar"
    # Text flows from the right: the heading starts at the right edge of the page.
    box = page.locator("main h1").bounding_box()
    assert box is not None and box["x"] + box["width"] > page.viewport_size["width"] - 40
    assert no_horizontal_scroll(page)
    axe_check(page)
    assert not page.e2e_errors, page.e2e_errors


def test_errors_and_empty_results_pass_axe(page, visit):
    directory()
    response = visit(page, "/services/?language=xx&q=<b>x</b>", "directory-error")
    assert response.status == 400
    expect(page.locator("#search-errors")).to_be_visible()
    axe_check(page)
    visit(page, "/services/?q=zzqx+vrrk", "directory-nothing")
    expect(page.locator(".no-results")).to_be_visible()
    axe_check(page)
    assert re.search(r"q=zzqx", page.url)

"""Journeys a person would notice, in a real Chromium: language, keyboard, a director's day,
isolation between organizations, phones, and accessibility (axe-core)."""

import re

import pytest
from playwright.sync_api import expect

from ancrage.core.choices import Role
from ancrage.network.models import Site
from tests import factories
from tests.e2e.conftest import (
    authenticator_code,
    axe_violations,
    format_violations,
    french,
    on_second_step,
    sign_in,
)

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WELCOME = "One place for the organizations that welcome newcomers"
LOGIN_PATH = "/accounts/login/"


def heading(page) -> str:
    return page.locator("main h1").first.inner_text().strip()


def html_lang(page) -> str:
    return page.locator("html").get_attribute("lang") or ""


def assert_styled(page) -> None:
    """Every stylesheet of the page loaded and has rules (an unstyled site is noticed at once)."""
    sheets = page.evaluate(
        "() => [...document.styleSheets].map(s => [s.href, (() => { try { return s.cssRules.length }"
        " catch (e) { return 0 } })()])"
    )
    assert sheets, "the page links no stylesheet"
    empty = [href for href, rules in sheets if not rules]
    assert not empty, f"stylesheet(s) not served or empty: {empty}"


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


@pytest.fixture
def director(org_a):
    return factories.member(org_a, Role.DIRECTOR, first_name="Awa", last_name="Diallo")


@pytest.fixture
def populated_org_a(org_a, director):
    """Organization A with something in each table of its page."""
    factories.SiteFactory(organization=org_a, name="Bibliothèque Saul-Bellow")
    factories.member(org_a, Role.INTAKE_WORKER, first_name="Jun", last_name="Park")
    factories.PartnershipFactory(
        organization=org_a, partner=factories.OrganizationFactory(name="Carrefour C")
    )
    return org_a


def test_home_is_french_first_and_switches_to_english(page, visit, screenshot):
    visit(page, "/", "home-fr")

    assert_styled(page)
    assert html_lang(page).lower().startswith("fr")
    expected = french(WELCOME)
    assert expected != WELCOME, (
        "the welcome heading has no French translation (locale/fr_CA .po/.mo)"
    )
    assert heading(page) == expected
    english = page.locator("form.language-switch").get_by_role("button", name="English")
    expect(english).to_be_visible()
    expect(english).to_have_attribute("lang", "en")

    with page.expect_navigation():
        english.click()
    screenshot(page, "home-en")

    assert html_lang(page) == "en"
    assert heading(page) == WELCOME
    french_switch = page.locator("form.language-switch").get_by_role("button", name="Français")
    expect(french_switch).to_be_visible()
    expect(
        page.locator("form.language-switch").get_by_role("button", name="English")
    ).to_have_count(0)


def test_keyboard_only_skip_link_and_sign_in(page, visit, screenshot, director):
    visit(page, "/", "home")

    page.keyboard.press("Tab")
    skip = page.locator("a.skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_have_text(french("Skip to main content"))
    expect(skip).to_be_in_viewport()  # visible when focused
    screenshot(page, "skip-link-focused")

    page.keyboard.press("Enter")
    expect(page.locator("main#content")).to_be_focused()

    # The next stop after the skip is the sign-in call to action of the welcome text.
    page.keyboard.press("Tab")
    expect(page.locator("main a[href$='/accounts/login/']")).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{LOGIN_PATH}")
    expect(page.locator("#id_username")).to_be_focused()  # autofocus
    screenshot(page, "login")

    page.keyboard.type(director.username)
    page.keyboard.press("Tab")
    expect(page.locator("#id_password")).to_be_focused()
    page.keyboard.type(factories.PASSWORD)
    with page.expect_navigation():  # wait for the sign-in POST, not the page already loaded
        page.keyboard.press("Enter")
    # A director reads identities: the second step, its code field focused.
    assert on_second_step(page)
    expect(page.locator("#id_code")).to_be_focused()
    page.keyboard.type(authenticator_code(page, director.username))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    screenshot(page, "dashboard")

    assert LOGIN_PATH not in page.url
    assert director.first_name in heading(page)
    expect(page.locator("main").get_by_role("link", name="Organisme A")).to_be_visible()


def test_director_adds_a_site_and_sees_form_errors(page, live_server, screenshot, org_a, director):
    sign_in(page, live_server, director.username, factories.PASSWORD)
    screenshot(page, "dashboard")

    with page.expect_navigation():
        page.locator("main").get_by_role("link", name=org_a.name).click()
    expect(page.locator("main h1")).to_contain_text(org_a.name)
    screenshot(page, "organization")

    with page.expect_navigation():
        page.locator("main").get_by_role("link", name=french("Add a site")).click()
    screenshot(page, "site-form")
    page.fill("#id_name", "Bibliothèque du Mile End")
    page.select_option("#id_borough", label="Le Plateau-Mont-Royal")
    page.fill("#id_street_address", "5434, avenue du Parc")
    page.fill("#id_postal_code", "h2x1y4")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    screenshot(page, "site-added")

    assert page.url.rstrip("/").endswith(f"/network/organizations/{org_a.pk}")
    expect(page.locator(".messages")).to_contain_text(french("Site added."))
    row = page.locator("main tr", has_text="Bibliothèque du Mile End")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("5434, avenue du Parc H2X 1Y4")
    expect(row).to_contain_text("Le Plateau-Mont-Royal")
    site = Site.objects.get(organization=org_a, name="Bibliothèque du Mile End")
    assert site.postal_code == "H2X 1Y4"
    assert site.borough.code == "plateau-mont-royal"

    # An empty name: the form comes back with the error next to the field, nothing saved.
    count = Site.objects.count()
    with page.expect_navigation():
        page.locator("main").get_by_role("link", name=french("Add a site")).click()
    page.fill("#id_street_address", "1, rue Sans-Nom")
    page.fill("#id_postal_code", "H2X 1Y4")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    screenshot(page, "site-form-errors")

    assert page.url.rstrip("/").endswith(f"/network/organizations/{org_a.pk}/sites/new")
    name_field = page.locator(".field", has=page.locator("#id_name"))
    expect(name_field).to_have_class(re.compile(r"\bhas-error\b"))
    required = french("This field is required.")
    expect(name_field.locator(".errorlist")).to_have_text(required)
    # …and tied to it for screen readers: invalid, described by the error.
    name_input = page.locator("#id_name")
    expect(name_input).to_have_attribute("aria-invalid", "true")
    expect(name_input).to_have_accessible_description(re.compile(re.escape(required)))
    with_error = page.locator(".field.has-error")
    expect(with_error).to_have_count(1)
    expect(page.locator("#id_street_address")).to_have_value("1, rue Sans-Nom")  # input kept
    assert Site.objects.count() == count
    assert not Site.objects.filter(street_address="1, rue Sans-Nom").exists()


def test_director_cannot_see_another_organization(page, visit, live_server, org_a, org_b, director):
    factories.SiteFactory(
        organization=org_b, name="Halte secrète de B", street_address="9 rue Cachée"
    )
    org_b.mission = "Mission confidentielle de B"
    org_b.save()
    sign_in(page, live_server, director.username, factories.PASSWORD)

    for step, path in [
        ("organization-b", f"/network/organizations/{org_b.pk}/"),
        ("organization-b-edit", f"/network/organizations/{org_b.pk}/edit/"),
        ("organization-b-new-site", f"/network/organizations/{org_b.pk}/sites/new/"),
    ]:
        response = visit(page, path, step)
        assert response is not None and response.status == 404, path
        assert heading(page) == french("Page not found")
        content = page.content()
        for secret in (
            org_b.name,
            "Halte secrète de B",
            "9 rue Cachée",
            "Mission confidentielle de B",
        ):
            assert secret not in content, f"{secret!r} leaked on {path}"


def test_phone_has_no_horizontal_scroll(
    phone_page, visit, live_server, screenshot, populated_org_a, director
):
    page = phone_page
    visit(page, "/", "home")
    assert_styled(page)
    assert no_horizontal_scroll(page), "the home page scrolls sideways on a phone"

    sign_in(page, live_server, director.username, factories.PASSWORD)
    screenshot(page, "dashboard")
    assert director.first_name in heading(page)
    assert no_horizontal_scroll(page), "the dashboard scrolls sideways on a phone"

    visit(page, f"/network/organizations/{populated_org_a.pk}/", "organization")
    assert no_horizontal_scroll(page), "the organization page scrolls sideways on a phone"


def test_pages_have_no_serious_accessibility_violation(
    page, visit, live_server, screenshot, populated_org_a, director
):
    found: list[str] = []

    def check(step: str) -> None:
        violations = axe_violations(page)
        if violations:
            found.append(format_violations(violations, where=f"{step} ({page.url}) "))

    visit(page, "/", "home-anonymous")
    check("home")
    visit(page, LOGIN_PATH, "login")
    check("login")

    sign_in(page, live_server, director.username, factories.PASSWORD)
    screenshot(page, "dashboard")
    check("dashboard")
    visit(page, "/network/organizations/", "organization-list")
    check("organization list")
    visit(page, f"/network/organizations/{populated_org_a.pk}/", "organization-detail")
    check("organization detail")

    visit(page, f"/network/organizations/{populated_org_a.pk}/sites/new/", "site-form")
    page.fill("#id_postal_code", "not a code")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    screenshot(page, "site-form-errors")
    expect(page.locator(".field.has-error").first).to_be_visible()
    check("site form with errors")

    assert not found, "axe-core found serious/critical violations:\n" + "\n".join(found)
    assert not page.e2e_errors, f"JavaScript errors: {page.e2e_errors}"

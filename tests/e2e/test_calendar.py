"""The public calendar on a phone: an anonymous visitor filters by borough and reads in English."""

from playwright.sync_api import expect

from ancrage.activities.models import Activity
from ancrage.core.models import Borough
from tests import factories
from tests.activities.test_calendar import make_activity, schedule
from tests.e2e.conftest import axe_check


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def test_phone_visitor_filters_by_borough_and_switches_to_english(phone_page, visit, screenshot):
    page = phone_page
    org = factories.OrganizationFactory(name="Bibliothèques de Lachine")
    library = factories.SiteFactory(
        organization=org,
        name="Bibliothèque Saul-Bellow",
        borough=factories.borough("lachine"),
        street_address="3100 rue Saint-Antoine",
    )
    job = make_activity(
        org,
        title_fr="Café-emploi à Lachine",
        title_en="Job Café in Lachine",
        site=library,
        languages=("fr", "en"),
        format=Activity.Format.REGISTRATION,
        capacity=12,
    )
    schedule(job, 1)
    elsewhere = make_activity(
        factories.OrganizationFactory(name="Carrefour LaSalle"),
        title_fr="Café-jasette à LaSalle",
        title_en="Coffee and Chat in LaSalle",
        borough="lasalle",
        type_code="coffee-and-chat",
    )
    cancelled = schedule(elsewhere, 2)
    cancelled.status = "cancelled"
    cancelled.save()
    schedule(elsewhere, 3)

    response = visit(page, "/activities/", "calendar-fr")
    assert response.status == 200
    main = page.locator("main .cards")  # the sessions, not the filter form
    expect(main.get_by_text("Café-emploi à Lachine")).to_be_visible()
    expect(main.get_by_text("Café-jasette à LaSalle").first).to_be_visible()
    assert no_horizontal_scroll(page)
    axe_check(page)

    lachine = Borough.objects.get(code="lachine")
    filters = page.locator("details.calendar-filters")
    expect(filters).not_to_have_attribute("open", "")  # closed: the sessions come first on a phone
    filters.locator("summary").click()
    page.select_option("#id_borough", str(lachine.pk))
    with page.expect_navigation():
        page.locator("form[role=search] button[type=submit]").click()
    screenshot(page, "calendar-lachine")
    expect(filters).to_have_attribute("open", "")  # open while a filter is on
    assert f"borough={lachine.pk}" in page.url
    expect(main.get_by_text("Café-emploi à Lachine")).to_be_visible()
    expect(main.get_by_text("Bibliothèque Saul-Bellow")).to_be_visible()
    expect(main.get_by_text("Café-jasette à LaSalle")).to_have_count(0)

    with page.expect_navigation():
        page.locator("form.language-switch").get_by_role("button", name="English").click()
    screenshot(page, "calendar-lachine-en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert f"borough={lachine.pk}" in page.url  # the filter survives the switch
    expect(main.get_by_text("Job Café in Lachine")).to_be_visible()
    expect(main.get_by_text("Café-emploi à Lachine")).to_have_count(0)
    assert no_horizontal_scroll(page)
    axe_check(page)
    assert not page.e2e_errors, page.e2e_errors


def test_calendar_with_cancelled_sessions_and_errors_passes_axe(page, visit):
    org = factories.OrganizationFactory(name="Carrefour LaSalle")
    activity = make_activity(org, title_fr="Heure du conte", title_en="Storytime")
    session = schedule(activity, 1)
    session.status = "cancelled"
    session.save()
    schedule(activity, 2)
    visit(page, f"/activities/?organization={org.pk}", "calendar-organization")
    expect(page.locator("main s").first).to_be_visible()
    expect(page.locator("a[href$='calendar.ics']")).to_be_visible()
    axe_check(page)
    visit(page, "/activities/?date_from=2026-13-45&borough=abc", "calendar-errors")
    expect(page.locator("#filter-errors")).to_be_visible()
    axe_check(page)

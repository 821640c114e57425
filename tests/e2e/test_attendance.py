"""A Liaison Officer counts who came, with the keyboard only, in a real Chromium."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from ancrage.activities.models import Attendance
from ancrage.core.choices import Role
from tests import factories
from tests.e2e.conftest import axe_check, french, sign_in

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

MAX_INTERACTIONS = 15


class Keyboard:
    """Presses and typed values, counted: typing "12" in a field is one interaction."""

    def __init__(self, page):
        self.page = page
        self.count = 0

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)
        self.count += 1

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)
        self.count += 1


@pytest.fixture
def officer(org_a):
    return factories.member(org_a, Role.LIAISON_OFFICER, first_name="Nadia", last_name="Haddad")


@pytest.fixture
def two_sessions(org_a):
    """Two past sessions of a Coffee and Chat at the library, with no attendance yet."""
    activity = factories.ActivityFactory(
        organization=org_a, title={"fr": "Café-jasette", "en": "Coffee and Chat"}, capacity=30
    )
    now = timezone.localtime()
    first = factories.SessionFactory(
        activity=activity, starts_at=(now - timedelta(days=8)).replace(hour=10, minute=0)
    )
    second = factories.SessionFactory(
        activity=activity, starts_at=(now - timedelta(days=1)).replace(hour=10, minute=0)
    )
    return first, second


def test_twenty_people_recorded_with_the_keyboard_in_at_most_15_interactions(
    page, visit, live_server, screenshot, officer, two_sessions
):
    first, second = two_sessions
    sign_in(page, live_server, officer.username, factories.PASSWORD)
    visit(page, f"/activities/manage/sessions/{first.pk}/attendance/", "grid")
    expect(page.locator("#id_newcomers")).to_be_focused()  # autofocus: no click needed

    keys = Keyboard(page)
    for value in ("12", "5", "3", "11"):  # newcomers, immigrants, others, women
        keys.type(value)
        keys.press("Tab")
    keys.type("4")  # children
    expect(page.locator("#id_children")).to_be_focused()
    expect(page.locator("#live-total")).to_have_text("20")  # live total, before saving
    screenshot(page, "grid-filled")
    with page.expect_navigation():
        keys.press("Enter")
    screenshot(page, "saved")

    assert keys.count <= MAX_INTERACTIONS, f"{keys.count} interactions"
    print(f"\nattendance of a 20-person session: {keys.count} interactions")
    attendance = Attendance.objects.get(session=first)
    assert (attendance.total, attendance.newcomers, attendance.immigrants, attendance.others) == (
        20,
        12,
        5,
        3,
    )
    assert (attendance.women, attendance.children, attendance.families) == (11, 4, 0)
    assert attendance.recorded_by_id == officer.pk

    # Straight on to the next session that is missing its attendance, ready to type.
    assert page.url.endswith(f"/activities/manage/sessions/{second.pk}/attendance/")
    expect(page.locator(".messages")).to_contain_text("20")
    expect(page.locator("#id_newcomers")).to_be_focused()


def test_grid_errors_are_shown_next_to_the_field(
    page, visit, live_server, screenshot, officer, two_sessions
):
    first, _second = two_sessions
    sign_in(page, live_server, officer.username, factories.PASSWORD)
    visit(page, f"/activities/manage/sessions/{first.pk}/attendance/", "grid")
    page.keyboard.type("3")
    for _ in range(3):
        page.keyboard.press("Tab")
    page.keyboard.type("5")  # five women among three people
    with page.expect_navigation():
        page.keyboard.press("Enter")
    screenshot(page, "grid-errors")

    women = page.locator(".count-field", has=page.locator("#id_women"))
    expect(women.locator(".errorlist")).to_be_visible()
    expect(page.locator("#id_women")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_newcomers")).to_have_value("3")  # input kept
    assert not Attendance.objects.exists()
    axe_check(page)


def test_grid_and_activity_form_are_accessible(
    page, visit, live_server, screenshot, org_a, officer, two_sessions
):
    first, _second = two_sessions
    sign_in(page, live_server, officer.username, factories.PASSWORD)

    visit(page, f"/activities/manage/sessions/{first.pk}/attendance/", "grid")
    axe_check(page)

    visit(page, f"/activities/manage/organizations/{org_a.pk}/new/", "activity-form")
    expect(page.locator("main h1")).to_contain_text(org_a.name)
    axe_check(page)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    screenshot(page, "activity-form-errors")
    expect(page.locator(".field.has-error").first).to_be_visible()
    axe_check(page)

    visit(page, "/activities/manage/", "manage-list")
    expect(
        page.locator("main").get_by_role("link", name=french("Record attendance")).first
    ).to_be_visible()
    axe_check(page)

    visit(page, f"/activities/manage/{first.activity_id}/", "activity-detail")
    axe_check(page)

    visit(page, f"/activities/manage/organizations/{org_a.pk}/outreach/", "outreach")
    axe_check(page)
    assert not page.e2e_errors, f"JavaScript errors: {page.e2e_errors}"


def test_grid_fits_a_tablet_with_big_inputs(
    browser, live_server, screenshot, officer, two_sessions
):
    first, _second = two_sessions
    context = browser.new_context(viewport={"width": 768, "height": 1024}, locale="fr-CA")
    try:
        page = context.new_page()
        sign_in(page, live_server, officer.username, factories.PASSWORD)
        page.goto(f"{live_server.url}/activities/manage/sessions/{first.pk}/attendance/")
        screenshot(page, "tablet-grid")
        assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
        box = page.locator("#id_newcomers").bounding_box()
        assert box is not None and box["height"] >= 44  # a comfortable touch target
        # Two or more inputs side by side: a grid, not one long column.
        tops = {
            round(page.locator(f"#id_{name}").bounding_box()["y"]) for name in ("women", "children")
        }
        assert len(tops) == 1
    finally:
        context.close()

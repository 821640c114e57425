"""The second step of signing in, in a real Chromium: linking an app, then its codes, by keyboard.

An intake worker reads identities: after the password, the page to link an authenticator app
(QR code and the key to type by hand), then at each sign-in the app's code. axe-core on both
pages, with and without an error. A liaison officer reads no identity: the password alone.
"""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from ancrage.core.choices import Role
from tests import factories
from tests.e2e.conftest import authenticator_code, axe_check, french, on_second_step

pytestmark = pytest.mark.e2e


def password(page, live_server, user, next_page: str = "/clients/") -> None:
    page.goto(live_server.url + f"/accounts/login/?next={next_page}")
    expect(page.locator("#id_username")).to_be_focused()
    page.keyboard.type(user.username)
    page.keyboard.press("Tab")
    page.keyboard.type(factories.PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def sign_out(page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=french("Sign out")).click()


def test_an_intake_worker_links_an_app_then_signs_in_with_its_code(
    page, live_server, screenshot, org_a
):
    worker = factories.member(org_a, Role.INTAKE_WORKER)
    password(page, live_server, worker)
    assert on_second_step(page)
    expect(page.locator("main h1")).to_have_text(french("Link an authenticator app"))
    expect(page.locator("figure.qr-code svg")).to_be_visible()
    expect(page.locator("#id_code")).to_be_focused()
    screenshot(page, "link-app")
    axe_check(page)

    page.keyboard.type("12 34")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("#id_code")).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".errorlist")).to_contain_text(
        french("Type the six digits the app shows, without letters.")
    )
    screenshot(page, "link-app-error")
    axe_check(page)

    page.fill("#id_code", authenticator_code(page, worker.username))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/clients/")  # where the person was going
    expect(page.locator("body")).to_contain_text(
        french("Your authenticator app is linked to your account.")
    )
    assert TOTPDevice.objects.get(user=worker).confirmed

    sign_out(page)
    password(page, live_server, worker)
    assert on_second_step(page)
    expect(page.locator("main h1")).to_have_text(french("Second step of signing in"))
    assert page.locator("figure.qr-code").count() == 0
    screenshot(page, "code")
    axe_check(page)
    page.keyboard.type(authenticator_code(page, worker.username))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/clients/")
    assert not page.e2e_errors, page.e2e_errors


def test_a_liaison_officer_signs_in_with_the_password_alone(page, live_server, org_a):
    officer = factories.member(org_a, Role.LIAISON_OFFICER)
    password(page, live_server, officer, next_page="/")
    assert not on_second_step(page)
    expect(page.locator("main h1")).to_contain_text(officer.first_name)
    assert not TOTPDevice.objects.filter(user=officer).exists()

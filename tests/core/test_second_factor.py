"""The second step of signing in (django-otp TOTP) for staff who can read identities."""

from base64 import b32decode
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from ancrage.core.choices import Role
from ancrage.core.models import AuditEvent
from ancrage.core.second_factor import current_code
from tests import factories

pytestmark = pytest.mark.django_db

SECOND_STEP = "/accounts/second-factor/"


@pytest.fixture(autouse=True)
def english(client, settings):
    """The pages in English (French is the default), to read their messages here."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def password_step(client, user, next_page: str = ""):
    data = {"username": user.username, "password": factories.PASSWORD}
    if next_page:
        data["next"] = next_page
    return client.post(reverse("login"), data)


def shown_key(html: str) -> bytes:
    secret = html.split('<code class="secret">')[1].split("</code>")[0].replace(" ", "")
    return b32decode(secret + "=" * (-len(secret) % 8))


def code_for(key: bytes, offset_steps: int = 0) -> str:
    totp = TOTP(key)
    totp.time = totp.time + offset_steps * 30
    return f"{totp.token():06d}"


def test_staff_who_read_no_identity_sign_in_with_the_password_alone(client, org_a, settings):
    for role in (Role.LIAISON_OFFICER, Role.COORDINATOR, Role.FUNDER_ADVISOR):
        user = factories.member(org_a, role)
        client.logout()
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        password_step(client, user)
        home = client.get(reverse("home"))
        assert home.status_code == 200, role
        assert not TOTPDevice.objects.filter(user=user).exists()


@pytest.mark.parametrize("role", [Role.INTAKE_WORKER, Role.COMMUNITY_WORKER, Role.DIRECTOR])
def test_identity_readers_reach_no_staff_page_before_the_code(client, org_a, role):
    user = factories.member(org_a, role)
    password_step(client, user)
    for page in (reverse("clients:client_list"), reverse("home")):
        response = client.get(page)
        assert response.status_code == 302
        assert response["Location"].startswith(SECOND_STEP)
        assert f"next={page}" in response["Location"].replace("%2F", "/")
    # Public pages and signing out stay open.
    assert client.get(reverse("directory:search")).status_code == 200
    assert client.post(reverse("logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_a_superuser_needs_the_code_too(client):
    admin = factories.UserFactory(is_superuser=True, is_staff=True)
    password_step(client, admin)
    assert client.get(reverse("clients:client_list"))["Location"].startswith(SECOND_STEP)


def test_linking_an_app_then_signing_in_with_its_codes(client, org_a, settings):
    worker = factories.member(org_a, Role.INTAKE_WORKER)
    password_step(client, worker)
    clients_page = reverse("clients:client_list")
    page = client.get(SECOND_STEP, {"next": clients_page}).content.decode()
    assert "Link an authenticator app" in page and "<svg" in page
    key = shown_key(page)
    # The same key until it is confirmed: reloading the page does not change the app's account.
    assert shown_key(client.get(SECOND_STEP).content.decode()) == key

    wrong = client.post(SECOND_STEP, {"code": code_for(key, offset_steps=10), "next": clients_page})
    assert wrong.status_code == 200
    assert "This code is not the one expected" in wrong.content.decode()
    assert not TOTPDevice.objects.get(user=worker).confirmed
    assert client.get(clients_page).status_code == 302

    TOTPDevice.objects.filter(user=worker).update(throttling_failure_timestamp=None)
    right = client.post(SECOND_STEP, {"code": code_for(key), "next": clients_page})
    assert right.status_code == 302 and right["Location"] == clients_page
    assert client.get(clients_page).status_code == 200
    device = TOTPDevice.objects.get(user=worker)
    assert device.confirmed
    linked = AuditEvent.objects.get(actor_id=worker.pk, reason="second factor linked")
    assert linked.target_id == str(device.pk)

    # Next sign-in: the code of the linked app, no QR code; a code is good once.
    used = code_for(key)
    client.logout()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # logging out forgets the cookies
    password_step(client, worker)
    page = client.get(SECOND_STEP).content.decode()
    assert "Second step of signing in" in page and "<svg" not in page
    again = client.post(SECOND_STEP, {"code": used})
    assert again.status_code == 200 and client.get(clients_page).status_code == 302
    TOTPDevice.objects.filter(user=worker).update(throttling_failure_timestamp=None)
    device.refresh_from_db()
    assert client.post(SECOND_STEP, {"code": current_code(device)})["Location"] == reverse("home")
    assert client.get(clients_page).status_code == 200
    assert (
        AuditEvent.objects.filter(actor_id=worker.pk, reason="second factor verified").count() == 1
    )


def test_wrong_codes_slow_the_next_tries_down(client, org_a):
    worker = factories.member(org_a, Role.INTAKE_WORKER)
    device = TOTPDevice.objects.create(user=worker, name="Ancrage", confirmed=True)
    password_step(client, worker)
    client.post(SECOND_STEP, {"code": "000000" if current_code(device) != "000000" else "111111"})
    # At once, even the right code waits: 1, 2, 4 … seconds after successive failures.
    throttled = client.post(SECOND_STEP, {"code": current_code(device)})
    assert "Too many wrong codes" in throttled.content.decode()
    assert client.get(reverse("clients:client_list")).status_code == 302
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - timedelta(seconds=5)
    )
    assert client.post(SECOND_STEP, {"code": current_code(device)}).status_code == 302
    assert client.get(reverse("clients:client_list")).status_code == 200


@pytest.mark.parametrize(
    "code", ["", "12345", "1234567", "abcdef", "<script>alert(1)</script>", "١٢٣٤٥٦", "x" * 10_000]
)
def test_a_malformed_code_is_a_clear_error_and_counts_nothing(client, org_a, code):
    worker = factories.member(org_a, Role.INTAKE_WORKER)
    device = TOTPDevice.objects.create(user=worker, name="Ancrage", confirmed=True)
    password_step(client, worker)
    response = client.post(SECOND_STEP, {"code": code})
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()
    assert "<script>alert" not in response.content.decode()
    device.refresh_from_db()
    assert device.throttling_failure_count == 0
    assert client.get(reverse("clients:client_list")).status_code == 302


def test_the_way_back_never_leaves_the_site(client, org_a):
    worker = factories.member(org_a, Role.INTAKE_WORKER)
    device = TOTPDevice.objects.create(user=worker, name="Ancrage", confirmed=True)
    password_step(client, worker)
    response = client.post(
        SECOND_STEP, {"code": current_code(device), "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("home")


def test_the_code_is_shown_only_in_the_demonstration(client, org_a, settings):
    worker = factories.member(org_a, Role.INTAKE_WORKER)
    password_step(client, worker)
    shown = "so the code is shown here"
    assert shown not in client.get(SECOND_STEP).content.decode()
    settings.ANCRAGE_DEMO_BANNER = True
    page = client.get(SECOND_STEP).content.decode()
    device = TOTPDevice.objects.get(user=worker)
    assert f"<strong>{current_code(device)}</strong>" in page
    settings.PRODUCTION = True
    assert shown not in client.get(SECOND_STEP).content.decode()


def test_the_second_step_asks_for_the_password_first(client):
    response = client.get(SECOND_STEP)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))

import importlib

import pytest
from django.urls import reverse

from ancrage.core.choices import Role
from tests import factories

pytestmark = pytest.mark.django_db


def test_passwords_are_hashed_with_argon2_in_the_real_settings():
    real = importlib.import_module("ancrage.settings")
    assert real.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_sign_in_with_the_login_form(client, org_a):
    # A liaison officer reads no identity: the password alone (tests/core/test_second_factor.py).
    user = factories.member(org_a, Role.LIAISON_OFFICER)
    response = client.post(
        reverse("login"), {"username": user.username, "password": factories.PASSWORD}
    )
    assert response.status_code == 302 and response["Location"] == reverse("home")
    home = client.get(reverse("home"))
    assert org_a.name in home.content.decode()


def test_repeated_failures_lock_the_account_even_with_the_right_password(client, org_a, settings):
    user = factories.member(org_a, Role.INTAKE_WORKER)
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(
            reverse("login"), {"username": user.username, "password": "wrong-password"}
        )
        assert response.status_code in (200, 429)
    locked = client.post(
        reverse("login"), {"username": user.username, "password": factories.PASSWORD}
    )
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    assert "15" in locked.content.decode()  # the page says for how long


def test_session_cookie_is_http_only_and_not_sent_cross_site(client, org_a):
    user = factories.member(org_a, Role.INTAKE_WORKER)
    client.post(reverse("login"), {"username": user.username, "password": factories.PASSWORD})
    cookie = client.cookies["sessionid"]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"


def test_sign_out_needs_a_post(client, org_a):
    user = factories.member(org_a, Role.INTAKE_WORKER)
    client.force_login(user)
    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout")).status_code == 302
    assert "_auth_user_id" not in client.session

"""Requests per address and per minute: the public API and the login form (429, Retry-After)."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_counts():
    cache.clear()
    yield
    cache.clear()


def test_the_api_answers_429_past_the_limit(client, settings):
    settings.ANCRAGE_API_RATE_LIMIT = 3
    for _request in range(3):
        assert client.get("/hsds/taxonomies").status_code == 200
    refused = client.get("/hsds/services")
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert "detail" in refused.json()
    # Another address still gets its answers.
    assert client.get("/hsds/taxonomies", REMOTE_ADDR="192.0.2.7").status_code == 200


def test_the_limit_reads_the_proxy_header_when_told_to(client, settings):
    settings.ANCRAGE_API_RATE_LIMIT = 1
    settings.ANCRAGE_CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    assert client.get("/hsds/", HTTP_X_REAL_IP="198.51.100.1").status_code == 200
    assert client.get("/hsds/", HTTP_X_REAL_IP="198.51.100.2").status_code == 200
    assert client.get("/hsds/", HTTP_X_REAL_IP="198.51.100.1").status_code == 429


def test_no_limit_when_turned_off(client, settings):
    settings.ANCRAGE_API_RATE_LIMIT = 0
    for _request in range(20):
        assert client.get("/hsds/").status_code == 200


def test_staff_pages_are_not_limited_by_the_api_limit(client, settings, director_a):
    settings.ANCRAGE_API_RATE_LIMIT = 1
    factories.sign_in(client, director_a)
    for _request in range(3):
        assert client.get(reverse("home")).status_code == 200


def test_one_address_cannot_try_many_accounts(client, settings, org_a):
    """django-axes locks an account after repeated failures; the per-address limit also stops
    trying one password on many accounts."""
    settings.ANCRAGE_LOGIN_RATE_LIMIT = 4
    for number in range(4):
        response = client.post(
            reverse("login"), {"username": f"personne{number}", "password": "Motdepasse123!"}
        )
        assert response.status_code == 200  # the form again, with its error
    user = factories.member(org_a)
    refused = client.post(
        reverse("login"), {"username": user.username, "password": factories.PASSWORD}
    )
    assert refused.status_code == 429 and int(refused["Retry-After"]) >= 1
    assert "_auth_user_id" not in client.session
    # Reading the login page is not an attempt.
    assert client.get(reverse("login")).status_code == 200


def test_login_lock_out_is_on(settings):
    assert settings.AXES_FAILURE_LIMIT <= 10
    assert "axes.middleware.AxesMiddleware" in settings.MIDDLEWARE

"""CSRF: a POST without the token is refused on every URL of the project, and changes nothing.

Django's CsrfViewMiddleware checks the token before any view runs; these tests make sure no view
slipped out of it (`csrf_exempt`), whatever the URL and for the very person allowed to use it.
"""

import re

import pytest
from django.test import Client
from django.urls import resolve, reverse

from tests import factories

from .conftest import all_row_counts, url_patterns

pytestmark = pytest.mark.django_db

# Views without CSRF protection, each with its reason. The HSDS API is read-only (GET only; any
# other method answers 405), public, and reads no session or cookie: there is nothing to forge.
CSRF_EXEMPT = {
    "hsds:root",
    "hsds:services",
    "hsds:service",
    "hsds:organizations",
    "hsds:organization",
    "hsds:service_at_locations",
    "hsds:service_at_location",
    "hsds:taxonomies",
    "hsds:taxonomy",
    "hsds:taxonomy_terms",
    "hsds:taxonomy_term",
}

HOSTILE_FORM = {
    "name": "Forgé",
    "title": "Forgé",
    "email": "forge@example.org",
    "role": "director",
    "version": "1",
    "text": "Forgé",
    "language": "en",
    "next": "/",
}


def test_only_the_declared_views_are_csrf_exempt():
    exempt = {name for name, p in url_patterns() if getattr(p.callback, "csrf_exempt", False)}
    assert exempt == CSRF_EXEMPT


def _exempt(url: str) -> bool:
    """By the view that answers the URL (hsds:api-root and hsds:root share /hsds/)."""
    match = resolve(url)
    return f"{match.namespace}:{match.url_name}" in CSRF_EXEMPT


def _refused_for_csrf(response) -> bool:
    return response.status_code == 403 and b"CSRF" in response.content


def test_a_post_without_token_is_refused_everywhere(world):
    """Every URL, posted by the person who may use it (or anonymously for public pages)."""
    clients = {}
    for reachable in world["urls"]:
        if reachable.user not in clients:  # signed in first: it links their authenticator app
            clients[reachable.user] = Client(enforce_csrf_checks=True)
            factories.sign_in(clients[reachable.user], reachable.user)
    before = all_row_counts()
    failures = []
    for reachable in world["urls"]:
        if _exempt(reachable.url):
            continue
        client = clients[reachable.user]
        response = client.post(reachable.url, HOSTILE_FORM)
        if not _refused_for_csrf(response):
            failures.append((reachable.name, reachable.url, response.status_code))
    assert failures == []
    assert all_row_counts() == before
    # Anonymous visitors too: public forms (survey answers, kiosk, login, password reset).
    anonymous = Client(enforce_csrf_checks=True)
    for reachable in world["urls"]:
        if not _exempt(reachable.url):
            assert _refused_for_csrf(anonymous.post(reachable.url, HOSTILE_FORM)), reachable.url
    assert all_row_counts() == before


def test_a_wrong_token_is_refused_too(world):
    client = Client(enforce_csrf_checks=True)
    factories.sign_in(client, world["director"])
    client.get(reverse("network:organization_create"))  # sets the CSRF cookie
    before = all_row_counts()
    response = client.post(
        reverse("network:organization_create"),
        {**HOSTILE_FORM, "csrfmiddlewaretoken": "x" * 64},
    )
    assert _refused_for_csrf(response)
    assert all_row_counts() == before


def test_the_check_is_not_vacuous_the_token_lets_a_form_through(world):
    """With the token of a rendered form, the same client gets past the CSRF check."""
    client = Client(enforce_csrf_checks=True)
    factories.sign_in(client, world["director"])
    page = client.get(reverse("network:organization_create")).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = client.post(
        reverse("set_language"), {"language": "en", "next": "/", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302


def test_the_read_only_api_refuses_writes(world):
    client = Client(enforce_csrf_checks=True)
    before = all_row_counts()
    for reachable in world["urls"]:
        if _exempt(reachable.url):
            for method in ("post", "put", "patch", "delete"):
                response = getattr(client, method)(reachable.url, {"name": "x"})
                assert response.status_code == 405, (reachable.url, method)
    assert all_row_counts() == before

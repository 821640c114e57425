"""The hostile-input corpus through the HSDS API: every query parameter and every path segment."""

from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.test import Client

from ancrage.api.openapi import document

from . import corpus

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_counts():
    cache.clear()


def _operations():
    for path, operations in document()["paths"].items():
        parameters = [p["name"] for p in operations["get"]["parameters"] if p["in"] == "query"]
        yield path, parameters


def _check(response, url):
    assert response.status_code < 500, url
    assert response["Content-Type"].startswith("application/json"), url
    body = response.json()
    if response.status_code >= 400:
        assert body["detail"], url


def test_every_query_parameter_takes_the_corpus(client):
    for path, parameters in _operations():
        concrete = path.replace("{id}", "0")
        for position, name in enumerate(parameters):
            for value in corpus.API_VALUES[position % 3 :: 3]:
                url = f"{concrete}?{name}={quote(value, safe='%')}"
                _check(client.get(url), url)


def test_every_path_segment_takes_the_corpus(client):
    details = [path for path, _parameters in _operations() if "{id}" in path]
    for path in details:
        for value in corpus.API_VALUES:
            url = path.replace("{id}", quote(value, safe="%"))
            response = client.get(url)
            _check(response, url)
            assert response.status_code in (400, 404), url


def test_bad_bytes_and_bodies_answer_in_json(client):
    raw = Client()
    for url in ("/hsds/services?search=%FF%FE", "/hsds/services?lang=%C0%AF", "/hsds/%FF"):
        _check(raw.get(url), url)
    for body in (corpus.MALFORMED_JSON, corpus.NESTED_JSON, corpus.HUGE_JSON):
        response = raw.generic("GET", "/hsds/services", body, content_type="application/json")
        _check(response, "GET with a body")
        assert raw.generic("POST", "/hsds/services", body, "application/json").status_code == 405


def test_repeated_and_mixed_parameters(client):
    for url in (
        "/hsds/services?page=1&page=abc",
        "/hsds/services?per_page=1&per_page=" + corpus.LONG_NUMBER,
        "/hsds/services?minimal=maybe",
        "/hsds/services?full=" + quote(corpus.SCRIPT),
        "/hsds/organizations?full_service=%00",
        "/hsds/taxonomy_terms?top_only=" + corpus.NEGATIVE,
    ):
        _check(client.get(url), url)

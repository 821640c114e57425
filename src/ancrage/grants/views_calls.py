"""Calls for projects: the funder's pages to prepare and publish a call, the public page of open calls."""

from django.http import HttpResponse
from django.urls import path


def _stub(request, **kwargs):
    return HttpResponse("")


urlpatterns: list = [
    path("open/", _stub, name="public_calls"),
    path("open/<slug:code>/", _stub, name="public_call"),
]

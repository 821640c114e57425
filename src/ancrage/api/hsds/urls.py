"""HSDS 3.0 API under /hsds/ (see `api.py`); the root URLconf includes it as namespace "hsds"."""

from django.http import HttpRequest, JsonResponse
from django.urls import path, re_path, reverse
from django.utils.translation import gettext as _

from ancrage.api.openapi import openapi_json

from .api import api

app_name = "hsds"


def unknown_endpoint(request: HttpRequest) -> JsonResponse:
    """Anything else under /hsds/ answers in JSON too, pointing to the API's description."""
    return JsonResponse(
        {
            "detail": _("No such endpoint; the API is described at %(url)s.")
            % {"url": request.build_absolute_uri(reverse("hsds:openapi-json"))}
        },
        status=404,
        json_dumps_params={"ensure_ascii": False},
    )


urlpatterns = [
    path("openapi.json", openapi_json, name="openapi-json"),
    *api.urls[0],
    re_path(r"^.*$", unknown_endpoint),
]

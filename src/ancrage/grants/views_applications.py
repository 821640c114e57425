"""Applications: the organization's project, logic model, budget, partners and co-applicants; submission; the overlap check."""

from django.http import HttpResponse
from django.urls import path


def _stub(request, **kwargs):
    return HttpResponse("")


urlpatterns: list = [path("applications/", _stub, name="my_applications")]

"""Funding URLs (staff only)."""

from ancrage.funding.views import urlpatterns as urlpatterns

app_name = "funding"

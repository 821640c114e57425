"""Reporting URLs (staff only)."""

from ancrage.reporting.views import urlpatterns as urlpatterns

app_name = "reporting"

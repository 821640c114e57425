"""Funding URLs (staff only)."""

app_name = "funding"

urlpatterns: list = []

"""Clients URLs (staff only)."""

app_name = "clients"

urlpatterns: list = []

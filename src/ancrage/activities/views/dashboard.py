"""Placeholder module replaced by the dashboard pages."""

urlpatterns: list = []

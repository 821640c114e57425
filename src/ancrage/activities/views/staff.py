"""Placeholder module replaced by the staff pages."""

urlpatterns: list = []

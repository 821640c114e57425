"""Placeholder module replaced by the public pages."""

urlpatterns: list = []

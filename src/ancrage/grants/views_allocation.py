"""Allocation: optimizer runs with pins and exclusions, requested vs recommended vs allocated, decisions and letters."""

urlpatterns: list = []

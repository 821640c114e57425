"""Calls for projects: the funder's pages to prepare and publish a call, the public page of open calls."""

urlpatterns: list = []

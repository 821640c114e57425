"""Funded projects: progress reports, instalments, activities, the city's view of what the call funded."""

urlpatterns: list = []

"""Insights URLs (staff only)."""

app_name = "insights"
urlpatterns: list = []

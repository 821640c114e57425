"""Insights URLs (staff only)."""

from django.urls import path

from . import views

app_name = "insights"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("coverage/", views.coverage, name="coverage"),
    path("coverage.csv", views.coverage_csv, name="coverage_csv"),
    path("suggestions/<int:pk>/", views.suggestion_detail, name="suggestion"),
    path(
        "organizations/<int:organization_pk>/",
        views.organization_suggestions,
        name="organization_suggestions",
    ),
    path(
        "organizations/<int:organization_pk>/partners/",
        views.partners,
        name="partners",
    ),
    path(
        "organizations/<int:organization_pk>/<int:pk>/",
        views.organization_suggestion,
        name="organization_suggestion",
    ),
]

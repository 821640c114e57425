"""Grants URLs: calls, applications, review, allocation, funded projects."""

from ancrage.grants import (
    views_allocation,
    views_applications,
    views_calls,
    views_projects,
    views_review,
)

app_name = "grants"
urlpatterns = (
    views_calls.urlpatterns
    + views_applications.urlpatterns
    + views_review.urlpatterns
    + views_allocation.urlpatterns
    + views_projects.urlpatterns
)

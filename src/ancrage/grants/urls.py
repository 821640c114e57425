"""Grants URLs: calls, applications, review, allocation."""

from ancrage.grants import (
    views_allocation,
    views_applications,
    views_calls,
    views_review,
)

app_name = "grants"
urlpatterns = (
    views_calls.urlpatterns
    + views_applications.urlpatterns
    + views_review.urlpatterns
    + views_allocation.urlpatterns
)

"""Pages of a funder's partnership advisor: organizations followed, reports received, visits."""

urlpatterns: list = []

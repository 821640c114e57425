"""Staff pages: an organization describes its services; the city reviews edits."""

urlpatterns: list = []

"""Public directory pages (no login): search at /services/ and one page per service."""

urlpatterns: list = []

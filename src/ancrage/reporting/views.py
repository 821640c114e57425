"""Pages of accountability and annual reports."""

urlpatterns: list = []

"""HSDS 3.0 API under /hsds/."""

app_name = "hsds"

urlpatterns: list = []

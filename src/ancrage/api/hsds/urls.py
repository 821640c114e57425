"""HSDS 3.0 API under /hsds/ (see `api.py`); the root URLconf includes it as namespace "hsds"."""

from .api import api

app_name = "hsds"

urlpatterns = api.urls[0]

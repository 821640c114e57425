"""Directory URLs: each view module declares its own `urlpatterns`, gathered here."""

from ancrage.directory.views import public, staff

app_name = "directory"

urlpatterns = [*public.urlpatterns, *staff.urlpatterns]

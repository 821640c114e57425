"""Activities URLs: each view module declares its own `urlpatterns`, gathered here."""

from ancrage.activities.views import dashboard, public, staff

app_name = "activities"

urlpatterns = [*public.urlpatterns, *staff.urlpatterns, *dashboard.urlpatterns]

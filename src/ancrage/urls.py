from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import set_language

from ancrage.api.openapi import openapi_json
from ancrage.core.views import healthz, second_factor_page
from ancrage.network.views import home

admin.site.site_header = "Ancrage"
admin.site.site_title = "Ancrage"

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("i18n/setlang/", set_language, name="set_language"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/second-factor/", second_factor_page, name="second_factor"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("network/", include("ancrage.network.urls")),
    path("activities/", include("ancrage.activities.urls")),
    path("services/", include("ancrage.directory.urls")),
    path("hsds/", include("ancrage.api.hsds.urls")),
    path("api/openapi.json", openapi_json, name="openapi"),
    path("clients/", include("ancrage.clients.urls")),
    path("funding/", include("ancrage.funding.urls")),
    path("reports/", include("ancrage.reporting.urls")),
    path("surveys/", include("ancrage.surveys.urls")),
    path("grants/", include("ancrage.grants.urls")),
    path("insights/", include("ancrage.insights.urls")),
    path("admin/", admin.site.urls),
]

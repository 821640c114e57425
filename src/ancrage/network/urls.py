from django.urls import path

from ancrage.network import views

app_name = "network"

urlpatterns = [
    path("organizations/", views.organization_list, name="organization_list"),
    path("organizations/new/", views.organization_create, name="organization_create"),
    path("organizations/<int:pk>/", views.organization_detail, name="organization_detail"),
    path("organizations/<int:pk>/edit/", views.organization_edit, name="organization_edit"),
    path("organizations/<int:organization_pk>/sites/new/", views.site_create, name="site_create"),
    path(
        "organizations/<int:organization_pk>/members/new/",
        views.membership_add,
        name="membership_add",
    ),
    path(
        "organizations/<int:organization_pk>/partnerships/new/",
        views.partnership_create,
        name="partnership_create",
    ),
    path("sites/<int:pk>/edit/", views.site_edit, name="site_edit"),
    path("memberships/<int:pk>/edit/", views.membership_edit, name="membership_edit"),
    path("partnerships/<int:pk>/edit/", views.partnership_edit, name="partnership_edit"),
]

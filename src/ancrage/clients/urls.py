"""Clients URLs (staff only)."""

from django.urls import path

from ancrage.clients import views

app_name = "clients"

urlpatterns = [
    path("", views.client_list, name="client_list"),
    path("export.csv", views.client_export, name="client_export"),
    path("organizations/<int:organization_pk>/new/", views.client_create, name="client_create"),
    path("<int:pk>/", views.client_detail, name="client_detail"),
    path("<int:pk>/edit/", views.client_edit, name="client_edit"),
    path("<int:pk>/identity/", views.identity_edit, name="identity_edit"),
    path("<int:pk>/consents/", views.consents, name="consents"),
    path("<int:pk>/consents/override/", views.consent_override, name="consent_override"),
    path("<int:pk>/consents/form/", views.consent_form, name="consent_form"),
]

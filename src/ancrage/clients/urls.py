"""Clients URLs (staff only)."""

from django.urls import path

from ancrage.clients import views, views_privacy, views_records

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
    path("<int:pk>/services/new/", views_records.service_create, name="service_create"),
    path("<int:pk>/needs/new/", views_records.needs_create, name="needs_create"),
    path("<int:pk>/referrals/new/", views_records.referral_create, name="referral_create"),
    path("referrals/", views_records.referral_list, name="referral_list"),
    path("referrals/<int:pk>/", views_records.referral_detail, name="referral_detail"),
    path("group-services/", views_records.group_sessions, name="group_sessions"),
    path("sessions/<int:pk>/services/", views_records.group_services, name="group_services"),
    path(
        "organizations/<int:organization_pk>/service-types/",
        views_records.service_types,
        name="service_types",
    ),
    # Privacy duties (Law 25): the organization's page, one person's copy and requests.
    path(
        "organizations/<int:organization_pk>/privacy/", views_privacy.privacy_home, name="privacy"
    ),
    path(
        "organizations/<int:organization_pk>/privacy/retention/",
        views_privacy.retention_edit,
        name="privacy_retention",
    ),
    path(
        "organizations/<int:organization_pk>/privacy/incidents/new/",
        views_privacy.incident_create,
        name="privacy_incident_create",
    ),
    path("privacy/incidents/<int:pk>/", views_privacy.incident_edit, name="privacy_incident_edit"),
    path("<int:pk>/privacy/", views_privacy.privacy_client, name="privacy_client"),
    path("<int:pk>/privacy/export.json", views_privacy.export_json, name="privacy_export_json"),
    path("<int:pk>/privacy/export.pdf", views_privacy.export_pdf, name="privacy_export_pdf"),
]

"""Privacy duties (Law 25): a person's export, requests, retention and de-identification, the
incident register; who may reach them."""

import json
from datetime import timedelta

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from ancrage.clients import privacy, selectors, services, views_privacy
from ancrage.clients.models import Client, ConsentRecord, Identity, IdentityToken
from ancrage.core.choices import Role
from ancrage.core.models import AuditEvent, Deidentification, PrivacyIncident, PrivacyRequest
from tests import factories
from tests.clients.conftest import FAMILY, GIVEN, register

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def give_consent(person, actor, decided_on=None):
    return services.consent_record(
        actor=actor,
        client=person,
        purpose="services",
        state="given",
        decided_on=decided_on or TODAY,
        method="signed",
    )


# --- The export ---------------------------------------------------------------------------------


def test_relations_are_found_in_the_registry_not_named():
    """Every model with a relation to Client is walked (service records, referrals… included
    automatically), the hidden ones too; the languages' automatic table is not."""
    expected = {
        (model, f.name)
        for model in apps.get_models()
        for f in model._meta.get_fields()
        if f.is_relation
        and f.concrete
        and f.related_model is Client
        and not model._meta.auto_created
    }
    found = {(r.model, r.field_name) for r in privacy.client_relations()}
    assert found == expected
    assert (IdentityToken, "client") in found and (Identity, "client") in found


def test_export_holds_profile_identity_consents_related_rows_and_access_log(person, intake_a):
    give_consent(person, intake_a)
    selectors.identity_read(actor=intake_a, client=person, reason="profile")

    data = privacy.client_export(actor=intake_a, client=person)

    assert data["code"] == person.code
    assert data["profile"][0]["age_band"] == "35-44"
    assert data["profile"][0]["borough"] == "LaSalle"
    identity = data["clients_identity"][0]
    assert identity["given_names"] == GIVEN and identity["family_names"] == FAMILY
    assert identity["date_of_birth"] == "1988-03-14"
    assert data["clients_consentrecord"][0]["purpose"] == "services"
    # Every related model with rows has its section (whatever app adds it), never the index.
    for relation in privacy.client_relations():
        key = relation.label.replace(".", "_")
        has_rows = relation.rows(person).exists()
        assert (key in data) == (has_rows and relation.model is not IdentityToken), key
    log = data["access_log"]
    assert any(e["who"] == intake_a.username and e["action"] == "view" for e in log)
    assert any(e["action"] == "create" and e["record"] == "clients.client" for e in log)
    json.dumps(data)  # plain JSON


def test_export_is_audited_as_an_export_of_the_vault(person, intake_a):
    privacy.client_export(actor=intake_a, client=person)
    event = AuditEvent.objects.get(action="export", target_type="clients.identity")
    assert event.target_id == str(person.pk) and event.actor_id == intake_a.pk
    assert event.organization_id == person.organization_id


def test_export_pages_json_and_pdf(person, org_a, client_of):
    director = factories.member(org_a, Role.DIRECTOR)
    browser = client_of(director)
    response = browser.get(reverse("clients:privacy_export_json", args=[person.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert json.loads(response.content)["clients_identity"][0]["given_names"] == GIVEN

    for language in ("en", "fr-ca"):
        response = browser.get(
            reverse("clients:privacy_export_pdf", args=[person.pk]) + f"?language={language}"
        )
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF") and response["Content-Language"] == language
    assert AuditEvent.objects.filter(action="export", target_id=str(person.pk)).count() == 3
    # A forged language falls back to the person's document language: no error.
    forged = "?language=<script>" + "x" * 5000
    url = reverse("clients:privacy_export_pdf", args=[person.pk]) + forged
    assert browser.get(url).status_code == 200
    assert browser.post(url).status_code == 405


@pytest.mark.parametrize(("language", "label"), [("fr-ca", "Prénoms"), ("en", "Given names")])
def test_the_document_speaks_the_persons_language(language, label, person, intake_a):
    html = views_privacy.export_document(actor=intake_a, client=person, language=language)
    assert f'lang="{language}"' in html
    assert label in html and GIVEN in html and intake_a.username in html


@pytest.mark.parametrize(
    "role", [Role.DATA_STEWARD, Role.COORDINATOR, Role.FUNDER_ADVISOR, Role.LIAISON_OFFICER]
)
def test_roles_without_identity_access_get_nothing(role, person, org_a, client_of):
    browser = client_of(factories.member(org_a, role))
    for name in ("privacy_client", "privacy_export_json", "privacy_export_pdf"):
        response = browser.get(reverse(f"clients:{name}", args=[person.pk]))
        assert response.status_code in (403, 404)
        assert GIVEN not in response.content.decode(errors="replace")
    assert not AuditEvent.objects.filter(action="export").exists()


def test_other_organization_gets_404(person, org_b, client_of):
    browser = client_of(factories.member(org_b, Role.DIRECTOR))
    for name in ("privacy_client", "privacy_export_json", "privacy_export_pdf"):
        assert browser.get(reverse(f"clients:{name}", args=[person.pk])).status_code == 404
    assert browser.get(reverse("clients:privacy", args=[person.organization_id])).status_code == 404


def test_superuser_without_membership_cannot_export(person, client_of):
    admin = factories.UserFactory(is_superuser=True, is_staff=True)
    response = client_of(admin).get(reverse("clients:privacy_export_json", args=[person.pk]))
    assert response.status_code == 403


def test_lookup_by_code_opens_the_person_and_requests_are_recorded(person, intake_a, client_of):
    browser = client_of(intake_a)
    home = reverse("clients:privacy", args=[person.organization_id])
    assert browser.get(home + "?code=" + person.code.lower()).url == reverse(
        "clients:privacy_client", args=[person.pk]
    )
    assert browser.get(home + "?code=ZZZZZZ").context["not_found"]
    assert browser.get(home + "?code=" + "<b>" * 5000).status_code == 200
    page = reverse("clients:privacy_client", args=[person.pk])
    assert browser.get(page).status_code == 200
    response = browser.post(
        page, {"kind": "rectification", "received_on": (TODAY + timedelta(days=1)).isoformat()}
    )
    assert response.status_code == 200  # a future date: form error, nothing saved
    assert not PrivacyRequest.objects.exists()
    response = browser.post(page, {"kind": "rectification", "received_on": TODAY.isoformat()})
    assert response.status_code == 302
    recorded = PrivacyRequest.objects.get(client_id=person.pk)
    assert recorded.completed_on is None
    browser.post(page, {"complete": str(recorded.pk)})
    recorded.refresh_from_db()
    assert recorded.completed_on == TODAY
    assert "privacy_requests" in privacy.client_export(actor=intake_a, client=person)


# --- Retention ----------------------------------------------------------------------------------


def _age(person, days_ago: int) -> None:
    """Pretend the client's file was last touched `days_ago` days ago (registration and every
    dated row), as if years had passed."""
    moment = timezone.now() - timedelta(days=days_ago)
    Client.objects.filter(pk=person.pk).update(created_at=moment, updated_at=moment)
    Identity.objects.filter(client=person).update(updated_at=moment)
    ConsentRecord.objects.filter(client=person).update(recorded_at=moment, decided_on=moment.date())


def _raw_identity(person) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT given_names, family_names, date_of_birth, note FROM clients_identity "
            "WHERE client_id = %s",
            [person.pk],
        )
        return cursor.fetchall()


def _raw_tokens(person) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM clients_identitytoken WHERE client_id = %s", [person.pk]
        )
        return cursor.fetchone()[0]


def test_retention_job_deidentifies_the_inactive_and_spares_the_active(org_a, intake_a):
    old = register(org_a, intake_a)
    give_consent(old, intake_a)
    recent = register(org_a, intake_a, given_names="Amadou", family_names="Traoré")
    _age(old, days_ago=8 * 365)
    _age(recent, days_ago=6 * 365)
    old_cipher = _raw_identity(old)[0]

    call_command("privacy-retention", "--dry-run")
    assert not Deidentification.objects.exists() and _raw_identity(old)[0] == old_cipher

    call_command("privacy-retention")

    # The vault row stays (pages read it) but none of its old ciphertext does, and every
    # field decrypts to nothing; the blind index is gone.
    row = _raw_identity(old)[0]
    assert not set(row) & set(old_cipher)
    identity = Identity.objects.get(client=old)
    assert all(getattr(identity, f) == "" for f in Identity.FIELDS)
    assert _raw_tokens(old) == 0
    found = selectors.client_lookup(user=intake_a, query=FAMILY[:5])
    assert old.pk not in {c.pk for c in found}
    # The profile stays for statistics, the consents too.
    old.refresh_from_db()
    assert old.age_band == "35-44" and old.consents.count() == 1
    record = Deidentification.objects.get(client_id=old.pk)
    assert record.client_code == old.code and record.by is None and record.inactive_years == 7
    event = AuditEvent.objects.get(action="delete", target_id=str(old.pk))
    assert event.reason == "retention policy" and event.actor_id is None
    # The active one is untouched.
    assert Identity.objects.get(client=recent).given_names == "Amadou"
    assert _raw_tokens(recent) > 0

    # Idempotent: a second run changes and audits nothing more.
    before = AuditEvent.objects.count()
    assert privacy.retention_run() == []
    assert AuditEvent.objects.count() == before
    assert Deidentification.objects.count() == 1


def test_retention_period_set_by_a_director_and_today_option(org_a, intake_a, client_of):
    person = register(org_a, intake_a)
    director = factories.member(org_a, Role.DIRECTOR)
    browser = client_of(director)
    url = reverse("clients:privacy_retention", args=[org_a.pk])
    assert browser.post(url, {"inactive_years": "0"}).status_code == 200
    assert browser.post(url, {"inactive_years": "99999999999999999999"}).status_code == 200
    assert browser.post(url, {"inactive_years": "2"}).status_code == 302
    assert privacy.retention_years(org_a.pk) == 2
    assert client_of(intake_a).get(url).status_code == 403

    assert privacy.retention_run(today=TODAY + timedelta(days=365), dry_run=True) == []
    found = privacy.retention_run(today=TODAY + timedelta(days=3 * 365))
    assert [i.client.pk for i in found] == [person.pk]


def test_activity_in_any_related_row_counts(org_a, intake_a):
    person = register(org_a, intake_a)
    _age(person, days_ago=9 * 365)
    give_consent(person, intake_a, decided_on=TODAY - timedelta(days=30))
    assert privacy.retention_run(dry_run=True) == []


# --- Incident register --------------------------------------------------------------------------


def incident_post(**overrides):
    data = {
        "discovered_on": (TODAY - timedelta(days=3)).isoformat(),
        "occurred_on": (TODAY - timedelta(days=10)).isoformat(),
        "description": "Un ordinateur portable non chiffré a été volé.",
        "people_affected": "12",
        "serious_injury_risk": "yes",
        "reported_on": TODAY.isoformat(),
        "people_notified_on": "",
        "measures": "Chiffrement de tous les postes.",
    }
    data.update(overrides)
    return data


def test_director_records_and_edits_an_incident(org_a, director_a, client_of):
    browser = client_of(director_a)
    create = reverse("clients:privacy_incident_create", args=[org_a.pk])
    assert browser.post(create, incident_post()).status_code == 302
    incident = PrivacyIncident.objects.get()
    assert incident.serious_injury_risk and incident.recorded_by == director_a
    edit = reverse("clients:privacy_incident_edit", args=[incident.pk])
    assert browser.post(edit, incident_post(people_affected="14")).status_code == 302
    incident.refresh_from_db()
    assert incident.people_affected == 14
    events = AuditEvent.objects.filter(target_type="core.privacyincident").order_by("pk")
    assert [e.action for e in events] == ["create", "change"]
    assert events[1].details == {"fields": ["people_affected"]}
    page = browser.get(reverse("clients:privacy", args=[org_a.pk])).content.decode()
    assert "Un ordinateur portable" in page


@pytest.mark.parametrize(
    "bad",
    [
        {"discovered_on": (TODAY + timedelta(days=1)).isoformat()},
        {"occurred_on": (TODAY + timedelta(days=1)).isoformat()},
        {"reported_on": (TODAY - timedelta(days=5)).isoformat()},  # before discovery
        {"people_notified_on": (TODAY - timedelta(days=5)).isoformat()},
        {"occurred_on": (TODAY - timedelta(days=1)).isoformat()},  # after discovery
        {"description": "x" * 1_000_000},
        {"description": "   "},
        {"measures": "<script>" * 1000},
        {"people_affected": "-1"},
        {"people_affected": "99999999999999999999999"},
        {"serious_injury_risk": "maybe"},
        {"discovered_on": "2024-02-30"},
    ],
)
def test_incident_validation(bad, org_a, director_a, client_of):
    response = client_of(director_a).post(
        reverse("clients:privacy_incident_create", args=[org_a.pk]), incident_post(**bad)
    )
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert not PrivacyIncident.objects.exists()


def test_incident_service_refuses_a_huge_description_too(org_a, director_a):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        privacy.incident_record(
            actor=director_a,
            organization=org_a,
            discovered_on=TODAY,
            description="x" * 1_000_000,
            people_affected=1,
            serious_injury_risk=False,
        )


def test_incident_register_is_the_directors_and_isolated(org_a, org_b, client_of):
    incident = privacy.incident_record(
        actor=factories.member(org_b, Role.DIRECTOR),
        organization=org_b,
        discovered_on=TODAY,
        description="Secret de B",
        people_affected=1,
        serious_injury_risk=False,
    )
    edit = reverse("clients:privacy_incident_edit", args=[incident.pk])
    director_a = client_of(factories.member(org_a, Role.DIRECTOR))
    assert director_a.get(edit).status_code == 404
    assert director_a.post(edit, incident_post()).status_code == 404
    intake_b = client_of(factories.member(org_b, Role.INTAKE_WORKER))
    assert intake_b.get(edit).status_code == 403
    page = intake_b.get(reverse("clients:privacy", args=[org_b.pk]))
    assert page.status_code == 200 and "Secret de B" not in page.content.decode()
    steward_b = client_of(factories.member(org_b, Role.DATA_STEWARD))
    assert steward_b.get(reverse("clients:privacy", args=[org_b.pk])).status_code == 403
    incident.refresh_from_db()
    assert incident.description == "Secret de B"


def test_deidentified_client_pages_still_open(org_a, intake_a, client_of):
    person = register(org_a, intake_a)
    _age(person, days_ago=8 * 365)
    privacy.retention_run()
    browser = client_of(intake_a)
    for url in (
        reverse("clients:client_detail", args=[person.pk]),
        reverse("clients:privacy_client", args=[person.pk]),
        reverse("clients:privacy_export_json", args=[person.pk]),
    ):
        response = browser.get(url)
        assert response.status_code == 200
        assert GIVEN not in response.content.decode()


def test_the_client_page_leads_to_the_persons_privacy_page_for_identity_roles_only(
    person, intake_a, org_a, client_of
):
    privacy = reverse("clients:privacy_client", args=[person.pk])
    detail = reverse("clients:client_detail", args=[person.pk])
    assert privacy in client_of(intake_a).get(detail).content.decode()
    steward = factories.member(org_a, Role.DATA_STEWARD)
    assert privacy not in client_of(steward).get(detail).content.decode()

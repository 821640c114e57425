"""Registration, duplicates, edits with a version check, newcomers, consent rules."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from ancrage.clients import selectors, services
from ancrage.clients.models import Client, ConsentRecord, Identity, newcomer_since
from ancrage.core.choices import Role
from ancrage.core.models import AuditEvent
from tests import factories
from tests.clients.conftest import FAMILY, GIVEN, identity, profile, register

pytestmark = pytest.mark.django_db

TODAY = date(2025, 6, 15)


def errors(exc: ValidationError) -> dict:
    return exc.value.message_dict


# --- Registration ---------------------------------------------------------------------------------


def test_registration_gives_a_code_and_audits_profile_and_vault(org_a, intake_a):
    client = register(org_a, intake_a)
    assert len(client.code) == services.CODE_LENGTH
    assert set(client.code) <= set(services.CODE_ALPHABET)
    assert client.identity.full_name == f"{GIVEN} {FAMILY}"
    events = AuditEvent.objects.filter(action="create", organization_id=org_a.pk)
    assert set(events.values_list("target_type", flat=True)) == {
        "clients.client",
        "clients.identity",
    }
    vault_event = events.get(target_type="clients.identity")
    assert "given_names" in vault_event.details["fields"]
    assert GIVEN not in str(vault_event.details)


def test_registration_needs_the_identity_capability(org_a):
    for role in (Role.DATA_STEWARD, Role.COORDINATOR, Role.FUNDER_ADVISOR):
        with pytest.raises(PermissionDenied):
            register(org_a, factories.member(org_a, role))
    assert not Client.objects.exists()


def test_a_superuser_without_membership_cannot_read_identities(person):
    admin = factories.UserFactory(is_superuser=True, is_staff=True)
    assert selectors.clients_for(admin).exists()  # platform administration sees profiles
    with pytest.raises(PermissionDenied):
        selectors.identity_read(actor=admin, client=person, reason="curiosity")


def test_age_band_is_taken_from_the_date_of_birth_when_not_given(org_a):
    client = register(org_a, profile_values={"age_band": ""}, born_on=date(2015, 1, 1))
    assert client.age_band == "6-12"


# --- Duplicates -----------------------------------------------------------------------------------


def test_same_birth_date_and_a_name_in_common_is_a_possible_duplicate(org_a, person):
    with pytest.raises(services.PossibleDuplicate) as caught:
        register(org_a, confirm_distinct=False, given_names="Zephyrine", family_names="Oyelaran")
    assert caught.value.candidates == [person]
    assert person.code in caught.value.messages[0]
    assert Client.objects.count() == 1  # nothing saved


def test_same_file_number_is_a_possible_duplicate(org_a, person):
    with pytest.raises(services.PossibleDuplicate):
        register(
            org_a,
            confirm_distinct=False,
            given_names="Autre",
            family_names="Personne",
            born_on=date(1970, 1, 1),
            uci_number="12345678",  # the same UCI written without its dash
        )


def test_without_a_birth_date_every_name_word_must_match(org_a, person):
    with pytest.raises(services.PossibleDuplicate):
        register(
            org_a,
            confirm_distinct=False,
            born_on=None,
            uci_number="",
            other_file_number="",
            health_insurance_number="",
        )
    other = register(
        org_a,
        confirm_distinct=False,
        born_on=None,
        family_names="Tremblay",
        uci_number="",
        other_file_number="",
        health_insurance_number="",
    )
    assert other.pk != person.pk


def test_another_person_is_not_a_duplicate_and_confirmation_registers_anyway(org_a, person):
    register(
        org_a,
        confirm_distinct=False,
        given_names="Jean",
        family_names="Dupont",
        preferred_name="",
        born_on=date(1988, 3, 14),
        uci_number="",
        health_insurance_number="",
        other_file_number="",
    )
    twin = register(org_a, confirm_distinct=True)
    assert twin.pk != person.pk
    event = AuditEvent.objects.get(target_type="clients.client", target_id=str(twin.pk))
    assert event.details["possible_duplicates"] == [person.code]


def test_duplicates_are_searched_within_the_organization_only(org_a, org_b, person):
    assert register(org_b, confirm_distinct=False).organization == org_b


# --- Bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("profile_values", "identity_values", "field"),
    [
        ({"arrived_quebec_on": date.today() + timedelta(days=1)}, {}, "arrived_quebec_on"),
        ({"arrived_canada_on": date(1980, 1, 1)}, {}, "arrived_canada_on"),  # before birth
        ({"status_since": date(1850, 1, 1)}, {}, "status_since"),
        (
            {"arrived_canada_on": date(2023, 1, 1), "arrived_quebec_on": date(2022, 1, 1)},
            {},
            "arrived_quebec_on",
        ),
        ({"household_size": 0}, {}, "household_size"),
        ({"age_band": "teen"}, {}, "age_band"),
        ({"document_language": "xx"}, {}, "document_language"),
        ({}, {"born_on": date.today() + timedelta(days=3)}, "born_on"),
        ({}, {"given_names": "", "family_names": "  "}, "family_names"),
        ({}, {"email": "not an address"}, "email"),
        ({}, {"phone": "call me maybe"}, "phone"),
        ({}, {"note": "x" * 1_048_576}, "note"),
        ({}, {"family_names": "y" * 151}, "family_names"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_saved(org_a, profile_values, identity_values, field):
    with pytest.raises(ValidationError) as caught:
        register(org_a, profile_values=profile_values, **identity_values)
    assert field in errors(caught)
    assert not Client.objects.exists() and not Identity.objects.exists()


def test_an_inactive_status_is_refused(org_a):
    from ancrage.core.models import ImmigrationStatus

    retired = ImmigrationStatus.objects.create(
        code="retired", names={"fr": "Ancien"}, is_active=False
    )
    with pytest.raises(ValidationError) as caught:
        register(org_a, profile_values={"immigration_status": retired})
    assert "immigration_status" in errors(caught)


# --- Edits and concurrency -------------------------------------------------------------------------


def test_two_edits_from_the_same_version_the_second_is_refused(person, intake_a):
    first_opened = person.version
    second = factories.member(person.organization, Role.COMMUNITY_WORKER)
    services.client_update(
        actor=intake_a,
        client=Client.objects.get(pk=person.pk),
        version=first_opened,
        **profile(french_level="advanced"),
    )
    with pytest.raises(services.StaleEdit):
        services.client_update(
            actor=second,
            client=Client.objects.get(pk=person.pk),
            version=first_opened,
            **profile(french_level="none", household_size=5),
        )
    person.refresh_from_db()
    assert (person.french_level, person.household_size) == ("advanced", 3)
    assert person.version == first_opened + 1


def test_two_identity_edits_from_the_same_version_the_second_is_refused(person, intake_a):
    opened = Identity.objects.get(client=person).version
    services.identity_update(
        actor=intake_a, client=person, version=opened, **identity(phone="514 555-0100")
    )
    with pytest.raises(services.StaleEdit):
        services.identity_update(
            actor=intake_a, client=person, version=opened, **identity(phone="438 555-0111")
        )
    stored = Identity.objects.get(client=person)
    assert stored.phone == "514 555-0100" and stored.version == opened + 1


def test_identity_edit_reindexes_and_audits_field_names_only(person, intake_a):
    services.identity_update(
        actor=intake_a, client=person, version=1, **identity(family_names="Nakamura")
    )
    assert selectors.client_lookup(user=intake_a, query="naka") == [person]
    assert selectors.client_lookup(user=intake_a, query="oyel") == []
    event = AuditEvent.objects.filter(action="change", target_type="clients.identity").get()
    assert event.details == {"fields": ["family_names"]}


def test_profile_dates_are_checked_against_the_birth_date_with_an_audited_read(person, intake_a):
    before = AuditEvent.objects.filter(action="view", target_type="clients.identity").count()
    with pytest.raises(ValidationError) as caught:
        services.client_update(
            actor=intake_a,
            client=person,
            version=person.version,
            **profile(arrived_canada_on=date(1987, 1, 1), arrived_quebec_on=date(1987, 1, 1)),
        )
    assert "arrived_canada_on" in errors(caught)
    read = AuditEvent.objects.filter(action="view", target_type="clients.identity")
    assert read.count() == before + 1
    assert read.first().details == {"fields": ["date_of_birth"], "shown": False}


def test_identity_birth_date_after_an_arrival_is_refused(person, intake_a):
    with pytest.raises(ValidationError) as caught:
        services.identity_update(
            actor=intake_a, client=person, version=1, **identity(born_on=date(2023, 1, 1))
        )
    assert "born_on" in errors(caught)


# --- Newcomers ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arrived", "on", "expected"),
    [
        (date(2020, 6, 15), date(2025, 6, 15), True),  # five years to the day
        (date(2020, 6, 14), date(2025, 6, 15), False),
        (date(2025, 6, 16), date(2025, 6, 15), False),  # not arrived yet
        (date(2020, 2, 29), date(2025, 2, 28), True),
        (date(2020, 2, 29), date(2025, 3, 1), False),
        (date(2019, 2, 28), date(2024, 2, 29), False),
        (date(2019, 3, 1), date(2024, 2, 29), True),
    ],
)
def test_newcomer_is_five_years_or_less_since_arrival_in_quebec(org_a, arrived, on, expected):
    client = register(
        org_a,
        profile_values={
            "arrived_canada_on": None,
            "arrived_quebec_on": arrived,
            "status_since": None,
        },
        born_on=date(1980, 1, 1),
    )
    assert client.is_newcomer(on) is expected
    assert newcomer_since(on) <= on
    in_selector = selectors.newcomers(Client.objects.filter(pk=client.pk), on=on).exists()
    assert in_selector is expected


def test_arrival_in_canada_counts_when_arrival_in_quebec_is_unknown(org_a):
    client = register(
        org_a, profile_values={"arrived_canada_on": date(2023, 1, 1), "arrived_quebec_on": None}
    )
    assert client.is_newcomer(TODAY)


# --- Consent --------------------------------------------------------------------------------------


@pytest.fixture
def partner(db):
    return factories.OrganizationFactory(name="Partenaire logement")


def consent(person, actor, **values):
    defaults = {
        "purpose": "services",
        "state": "given",
        "decided_on": TODAY - timedelta(days=10),
        "method": "signed",
        "today": TODAY,
    }
    defaults.update(values)
    return services.consent_record(actor=actor, client=person, **defaults)


def test_consent_given_is_valid_until_it_expires(person, intake_a):
    consent(person, intake_a, expires_on=TODAY + timedelta(days=30))
    assert selectors.consent_valid(person, "services", on=TODAY)
    assert selectors.consent_valid(person, "services", on=TODAY + timedelta(days=30))
    assert not selectors.consent_valid(person, "services", on=TODAY + timedelta(days=31))
    assert not selectors.consent_valid(person, "services", on=TODAY - timedelta(days=11))
    assert not selectors.consent_valid(person, "survey_contact", on=TODAY)


def test_withdrawn_or_refused_consent_is_not_valid_and_history_stays(person, intake_a):
    consent(person, intake_a)
    consent(person, intake_a, state="withdrawn", decided_on=TODAY - timedelta(days=2))
    assert not selectors.consent_valid(person, "services", on=TODAY)
    assert selectors.consent_valid(person, "services", on=TODAY - timedelta(days=5))
    consent(person, intake_a, purpose="survey_contact", state="refused")
    assert not selectors.consent_valid(person, "survey_contact", on=TODAY)
    assert ConsentRecord.objects.filter(client=person).count() == 3
    assert AuditEvent.objects.filter(target_type="clients.consentrecord").count() == 3


def test_referral_consent_names_an_organization_and_holds_for_it_only(person, intake_a, partner):
    with pytest.raises(ValidationError) as caught:
        consent(person, intake_a, purpose="referral")
    assert "counterpart" in errors(caught)
    consent(person, intake_a, purpose="referral", counterpart=partner)
    other = factories.OrganizationFactory(name="Autre organisme")
    assert selectors.consent_valid(person, "referral", partner, on=TODAY)
    assert not selectors.consent_valid(person, "referral", other, on=TODAY)
    assert not selectors.consent_valid(person, "referral", on=TODAY)
    assert not selectors.consent_valid(person, "sharing", partner, on=TODAY)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"purpose": "services", "counterpart": "partner"}, "counterpart"),
        ({"purpose": "referral", "counterpart": "own"}, "counterpart"),
        ({"purpose": "referral", "counterpart": "deleted"}, "counterpart"),
        ({"purpose": "mind_reading"}, "purpose"),
        ({"state": "maybe"}, "state"),
        ({"decided_on": TODAY + timedelta(days=1)}, "decided_on"),
        ({"expires_on": TODAY - timedelta(days=20)}, "expires_on"),
        ({"state": "refused", "expires_on": TODAY + timedelta(days=20)}, "expires_on"),
        ({"state": "withdrawn"}, "state"),  # nothing given to withdraw
        ({"language": "klingon"}, "language"),
    ],
)
def test_bad_consents_are_refused(person, intake_a, partner, values, field):
    values = dict(values)
    if "counterpart" in values:
        values["counterpart"] = {
            "partner": partner,
            "own": person.organization,
            "deleted": factories.OrganizationFactory.build(pk=999_999_999),
        }[values["counterpart"]]
    with pytest.raises(ValidationError) as caught:
        consent(person, intake_a, **values)
    assert field in errors(caught)
    assert not ConsentRecord.objects.exists()


def test_referral_needs_consent_or_a_director_override_with_reason(person, intake_a, partner):
    with pytest.raises(ValidationError):
        services.consent_require(person, "referral", partner)
    with pytest.raises(PermissionDenied):
        services.consent_override(
            actor=intake_a,
            client=person,
            purpose="referral",
            counterpart=partner,
            reason="Urgence: risque pour la sécurité de l'enfant.",
            expires_on=timezone.localdate(),
        )
    director = factories.member(person.organization, Role.DIRECTOR)
    services.consent_override(
        actor=director,
        client=person,
        purpose="referral",
        counterpart=partner,
        reason="Urgence: risque pour la sécurité de l'enfant.",
        expires_on=timezone.localdate() + timedelta(days=3),
    )
    assert services.consent_require(person, "referral", partner) == "override"
    assert selectors.consent_permits(person, "sharing", partner) is None
    event = AuditEvent.objects.get(target_type="clients.consentoverride")
    assert event.reason.startswith("Urgence") and event.actor_id == director.pk
    consent(person, intake_a, purpose="referral", counterpart=partner, today=None)
    assert services.consent_require(person, "referral", partner) == "consent"


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"reason": "   "}, "reason"),
        ({"reason": "ok"}, "reason"),
        ({"expires_on": "in 40 days"}, "expires_on"),
        ({"expires_on": "yesterday"}, "expires_on"),
        ({"purpose": "services", "counterpart": None}, "purpose"),
        ({"counterpart": None}, "counterpart"),
    ],
)
def test_bad_overrides_are_refused(person, partner, values, field):
    director = factories.member(person.organization, Role.DIRECTOR)
    today = timezone.localdate()
    arguments = {
        "purpose": "sharing",
        "counterpart": partner,
        "reason": "Le partenaire doit agir aujourd'hui.",
        "expires_on": today + timedelta(days=2),
    }
    arguments.update(values)
    arguments["expires_on"] = {
        "in 40 days": today + timedelta(days=40),
        "yesterday": today - timedelta(days=1),
    }.get(arguments["expires_on"], arguments["expires_on"])
    with pytest.raises(ValidationError) as caught:
        services.consent_override(actor=director, client=person, **arguments)
    assert field in errors(caught)

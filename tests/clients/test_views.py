"""Clients pages: who sees names, audited reads, lookup, registration, edits, consents, print."""

import io
from datetime import date, timedelta

import pytest
from django.urls import URLPattern, get_resolver, reverse
from django.utils import timezone
from pypdf import PdfReader

from ancrage.clients import selectors
from ancrage.clients.models import Client, ConsentOverride, ConsentRecord, Identity
from ancrage.core.choices import OrganizationKind, Role
from ancrage.core.models import AuditEvent, ImmigrationStatus
from tests import factories
from tests.clients.conftest import FAMILY, GIVEN, register

pytestmark = pytest.mark.django_db

NAME_PARTS = (GIVEN, FAMILY, "Oyelaran", "Zéphy", "zephyrine@example.org", "1988-03-14")


def vault_reads(client=None):
    events = AuditEvent.objects.filter(action="view", target_type="clients.identity")
    return events.filter(target_id=str(client.pk)) if client else events


def shows_a_name(response) -> bool:
    if response.get("Content-Type", "").startswith("application/pdf"):
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    else:
        text = response.content.decode()
    return any(part in text for part in NAME_PARTS)


def pages_of(person):
    """Every clients page that concerns the person, plus the list, a lookup and the export."""
    return [
        reverse("clients:client_list"),
        reverse("clients:client_list") + "?q=oyel",
        reverse("clients:client_list") + "?q=zeph",  # (what was typed is echoed back)
        reverse("clients:client_list") + f"?q={person.code}",
        reverse("clients:client_export"),
        reverse("clients:client_create", args=[person.organization_id]),
        reverse("clients:client_detail", args=[person.pk]),
        reverse("clients:client_edit", args=[person.pk]),
        reverse("clients:identity_edit", args=[person.pk]),
        reverse("clients:consents", args=[person.pk]),
        reverse("clients:consent_override", args=[person.pk]),
        reverse("clients:consent_form", args=[person.pk]),
        reverse("clients:consent_form", args=[person.pk]) + "?language=en",
        reverse("clients:service_create", args=[person.pk]),
        reverse("clients:needs_create", args=[person.pk]),
        reverse("clients:referral_create", args=[person.pk]),
        reverse("clients:referral_list"),
        reverse("clients:group_sessions"),
        reverse("clients:privacy", args=[person.organization_id]),
        reverse("clients:privacy_client", args=[person.pk]),
        reverse("clients:privacy_export_json", args=[person.pk]),
        reverse("clients:privacy_export_pdf", args=[person.pk]),
        reverse("home"),
        reverse("network:organization_detail", args=[person.organization_id]),
        # The API: the only JSON API is the public directory's; it never carries a client.
        reverse("hsds:root"),
        reverse("hsds:services"),
        reverse("hsds:organizations"),
    ]


def registration_post(**overrides):
    data = {
        "given_names": "Amadou",
        "family_names": "Traoré",
        "born_on": "1979-11-02",
        "phone": "514 555-0123",
        "email": "",
        "address": "",
        "immigration_status": str(ImmigrationStatus.objects.get(code="refugee").pk),
        "arrived_canada_on": "2023-02-01",
        "arrived_quebec_on": "2023-02-01",
        "age_band": "45-54",
        "gender": "man",
        "french_level": "intermediate",
        "household": "alone",
        "library_user": "no",
        "document_language": "fr-ca",
    }
    data.update(overrides)
    return data


# --- Who sees names ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who",
    [
        "data_steward",
        "coordinator",
        "funder_advisor",
        "liaison_officer",
        "grant_reviewer",
        "administrator",
        "city_coordinator",
        "city_administrator",
        "other_org_intake_worker",
        "other_org_director",
        "outsider",
    ],
)
def test_roles_without_vault_access_never_see_a_name(who, person, org_b, client_of):
    organization = person.organization
    if who.startswith("city_"):
        city = factories.OrganizationFactory(
            name="Service de la diversité sociale", kind=OrganizationKind.CITY_SERVICE
        )
        user = factories.member(city, who.removeprefix("city_"))
    elif who.startswith("other_org_"):
        register(
            org_b,
            factories.member(org_b, Role.INTAKE_WORKER),
            given_names="Autre",
            family_names="Personne",
            preferred_name="",
            email="autre@example.org",
            born_on=date(1970, 1, 1),
        )
        user = factories.member(org_b, who.removeprefix("other_org_"))
    elif who == "outsider":
        user = factories.UserFactory()
    else:
        user = factories.member(organization, who)
    browser = client_of(user)
    before = vault_reads(person).count()
    for url in pages_of(person):
        for response in (browser.get(url), browser.post(url, registration_post())):
            assert response.status_code in (200, 302, 403, 404, 405), (url, response.status_code)
            assert not shows_a_name(response), (who, url)
    assert vault_reads(person).count() == before
    assert Client.objects.count() == (2 if who.startswith("other_org_") else 1)


def test_data_steward_reads_profiles_and_codes_but_not_names(person, client_of):
    steward = factories.member(person.organization, Role.DATA_STEWARD)
    browser = client_of(steward)
    listing = browser.get(reverse("clients:client_list"))
    assert person.code in listing.content.decode()
    detail = browser.get(reverse("clients:client_detail", args=[person.pk]))
    assert detail.status_code == 200
    assert "35 à 44 ans" in detail.content.decode() or "35 to 44" in detail.content.decode()
    assert browser.get(reverse("clients:identity_edit", args=[person.pk])).status_code == 403
    # A name search finds nothing for them: a code shown for a name would reveal the name.
    found = browser.get(reverse("clients:client_list") + "?q=oyel")
    assert person.code not in found.content.decode()
    export = browser.get(reverse("clients:client_export"))
    assert person.code in export.content.decode() and not shows_a_name(export)


@pytest.mark.parametrize("role", [Role.INTAKE_WORKER, Role.COMMUNITY_WORKER, Role.DIRECTOR])
def test_roles_with_vault_access_see_the_identity_and_each_read_is_audited(role, person, client_of):
    user = factories.member(person.organization, role)
    browser = client_of(user)
    for url, reason in (
        (reverse("clients:client_detail", args=[person.pk]), "profile"),
        (reverse("clients:identity_edit", args=[person.pk]), "identity edit"),
        (reverse("clients:consent_form", args=[person.pk]), "consent form"),
        (reverse("clients:client_list"), "client list"),
        (reverse("clients:client_list") + "?q=oyel", "lookup"),
    ):
        before = vault_reads(person).count()
        response = browser.get(url)
        assert response.status_code == 200
        assert GIVEN in response.content.decode()
        assert vault_reads(person).count() == before + 1, url
        event = vault_reads(person).first()
        assert (event.actor_id, event.reason, event.organization_id) == (
            user.pk,
            reason,
            person.organization_id,
        )


def test_export_never_holds_identity_even_for_vault_roles(person, intake_a, client_of):
    response = client_of(intake_a).get(reverse("clients:client_export"))
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode()
    assert person.code in text and not shows_a_name(text_response(text))
    assert AuditEvent.objects.filter(action="export").count() == 1
    assert not vault_reads().exists()


class text_response:  # noqa: N801 - a tiny stand-in so shows_a_name reads plain text too
    def __init__(self, text):
        self.content = text.encode()

    def get(self, header, default=""):
        return default


# --- Forged and foreign ids ------------------------------------------------------------------

OBJECT_URLS = {
    "clients:client_create": lambda c: {"organization_pk": c.organization_id},
    "clients:client_detail": lambda c: {"pk": c.pk},
    "clients:client_edit": lambda c: {"pk": c.pk},
    "clients:identity_edit": lambda c: {"pk": c.pk},
    "clients:consents": lambda c: {"pk": c.pk},
    "clients:consent_override": lambda c: {"pk": c.pk},
    "clients:consent_form": lambda c: {"pk": c.pk},
    "clients:service_create": lambda c: {"pk": c.pk},
    "clients:needs_create": lambda c: {"pk": c.pk},
    "clients:referral_create": lambda c: {"pk": c.pk},
}
# Pages of another object than a client, checked in their own test files.
CHECKED_ELSEWHERE = {
    "clients:referral_detail",  # tests/clients/test_referrals.py
    "clients:group_services",  # tests/clients/test_service_records.py
    # tests/clients/test_privacy.py, and the isolation matrix for foreign and forged ids
    "clients:privacy",
    "clients:privacy_retention",
    "clients:privacy_incident_create",
    "clients:privacy_incident_edit",
    "clients:privacy_client",
    "clients:privacy_export_json",
    "clients:privacy_export_pdf",
    "clients:service_types",  # tests/clients/test_service_types.py
}


def test_every_clients_url_with_an_id_is_checked_here():
    resolver = get_resolver().namespace_dict["clients"][1]
    names = {
        f"clients:{entry.name}"
        for entry in resolver.url_patterns
        if isinstance(entry, URLPattern) and entry.pattern.converters
    }
    assert names - CHECKED_ELSEWHERE == set(OBJECT_URLS)


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("url_name", sorted(OBJECT_URLS))
def test_members_of_another_organization_get_404_and_change_nothing(
    role, url_name, org_b, client_of
):
    victim = register(org_b)
    user = factories.member(factories.OrganizationFactory(), role)
    url = reverse(url_name, kwargs=OBJECT_URLS[url_name](victim))
    browser = client_of(user)
    for response in (browser.get(url), browser.post(url, registration_post())):
        assert response.status_code == 404, (url, response.status_code)
        assert not shows_a_name(response)
    assert Client.objects.count() == 1
    assert not ConsentRecord.objects.exists() and not ConsentOverride.objects.exists()


@pytest.mark.parametrize("url_name", sorted(OBJECT_URLS))
def test_forged_ids_are_404(url_name, org_a, client_of):
    browser = client_of(factories.member(org_a, Role.DIRECTOR))
    kwargs_name = "organization_pk" if url_name == "clients:client_create" else "pk"
    for forged in (999_999_999, 2**63 + 5, 2**80):
        assert browser.get(reverse(url_name, kwargs={kwargs_name: forged})).status_code == 404


@pytest.mark.parametrize("url_name", sorted(OBJECT_URLS))
def test_the_owning_director_reaches_every_page(url_name, person, client_of):
    director = factories.member(person.organization, Role.DIRECTOR)
    url = reverse(url_name, kwargs=OBJECT_URLS[url_name](person))
    assert client_of(director).get(url).status_code == 200


def test_anonymous_visitors_are_sent_to_sign_in(person, client):
    for url in [u for u in pages_of(person) if u.startswith("/clients/")]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


# --- Lookup ----------------------------------------------------------------------------------


def lookup(browser, query):
    return browser.get(reverse("clients:client_list"), {"q": query})


def test_a_full_code_opens_the_file_and_a_partial_code_lists_it(person, intake_a, client_of):
    browser = client_of(intake_a)
    response = lookup(browser, person.code.lower())
    assert response.status_code == 302
    assert response["Location"] == reverse("clients:client_detail", args=[person.pk])
    listed = lookup(browser, person.code[:3])
    assert listed.status_code == 200 and person.code in listed.content.decode()


@pytest.mark.parametrize("query", ["oye", "OYE", "kowa", "zép", "zeph", "Zephy", "oyelarankow"])
def test_a_few_letters_of_a_name_find_the_client(query, person, intake_a, client_of):
    response = lookup(client_of(intake_a), query)
    assert response.status_code == 200
    assert person.code in response.content.decode()
    assert GIVEN in response.content.decode()


def test_every_word_typed_must_match(person, intake_a, client_of):
    browser = client_of(intake_a)
    assert person.code in lookup(browser, "zeph oyel").content.decode()
    assert person.code not in lookup(browser, "zeph tremb").content.decode()
    assert person.code not in lookup(browser, "yel").content.decode()  # prefixes, not substrings


def test_lookup_stays_within_the_organization(person, org_b, client_of):
    theirs = register(org_b)  # same person, registered by B too
    worker_b = factories.member(org_b, Role.INTAKE_WORKER)
    mine, foreign = (reverse("clients:client_detail", args=[c.pk]) for c in (theirs, person))
    text = lookup(client_of(worker_b), "oyel").content.decode()
    assert mine in text and foreign not in text
    assert foreign not in lookup(client_of(worker_b), person.code).content.decode()


def test_letters_that_could_start_a_code_find_both_the_code_and_the_name(
    person, org_a, intake_a, client_of
):
    other = register(org_a, intake_a, given_names="Amina", family_names="Diallo")
    Client.objects.filter(pk=other.pk).update(code="ZEPH23")  # a code starting like her name
    text = lookup(client_of(intake_a), "zeph").content.decode()
    assert "ZEPH23" in text and person.code in text


@pytest.mark.parametrize(
    ("typed", "is_code"),
    [("K7M", True), ("k7m-2p9", True), ("k7m2p9", True), ("Li", False), ("Olena", False),
     ("Wu", True), ("", False), ("K7M2P9Q", False)],
)  # fmt: skip
def test_only_what_could_be_a_code_is_searched_as_one(typed, is_code):
    assert selectors.could_be_code(selectors.normalize_code(typed)) is is_code


def test_short_names_are_found_whole(org_a, intake_a, client_of):
    li = register(org_a, intake_a, given_names="Wei", family_names="Li", preferred_name="")
    text = lookup(client_of(intake_a), "li wei").content.decode()
    assert li.code in text


def test_lookup_survives_hostile_queries(person, intake_a, client_of):
    browser = client_of(intake_a)
    for query in ("<script>alert(1)</script>", "%", "'; DROP TABLE clients_client; --", "é" * 5000):
        response = lookup(browser, query)
        assert response.status_code == 200
        assert "<script>alert(1)</script>" not in response.content.decode()
    assert Client.objects.count() == 1


# --- Registration ------------------------------------------------------------------------------


def test_register_then_duplicate_warning_then_confirmation(org_a, intake_a, client_of):
    browser = client_of(intake_a)
    url = reverse("clients:client_create", args=[org_a.pk])
    first = browser.post(url, registration_post())
    assert first.status_code == 302
    created = Client.objects.get()
    assert first["Location"] == reverse("clients:client_detail", args=[created.pk])

    again = browser.post(url, registration_post(given_names="Amadou B."))
    assert again.status_code == 200
    page = again.content.decode()
    assert created.code in page and 'name="confirm_distinct"' in page
    assert 'type="checkbox"' in page
    assert Client.objects.count() == 1

    confirmed = browser.post(url, registration_post(given_names="Amadou B.", confirm_distinct="on"))
    assert confirmed.status_code == 302
    assert Client.objects.count() == 2


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        (
            {"arrived_quebec_on": (date.today() + timedelta(days=2)).isoformat()},
            "arrived_quebec_on",
        ),
        ({"arrived_canada_on": "1970-01-01"}, "arrived_canada_on"),  # before birth
        ({"immigration_status": "999999"}, "immigration_status"),
        ({"immigration_status": "reine-d-angleterre"}, "immigration_status"),
        ({"immigration_status": str(2**70)}, "immigration_status"),
        ({"languages": ["999999"]}, "languages"),
        ({"languages": [str(2**70)]}, "languages"),
        ({"borough": "-1"}, "borough"),
        ({"note": "n" * 1_048_576}, "note"),
        ({"given_names": "a" * 10_000}, "given_names"),
        ({"born_on": "1979-13-45"}, "born_on"),
        ({"born_on": "99999-01-01"}, "born_on"),
        ({"household_size": "-3"}, "household_size"),
        ({"gender": "robot"}, "gender"),
        ({"given_names": "", "family_names": ""}, "family_names"),
    ],
)
def test_bad_registrations_show_the_error_next_to_the_field(
    overrides, field, org_a, intake_a, client_of
):
    response = client_of(intake_a).post(
        reverse("clients:client_create", args=[org_a.pk]), registration_post(**overrides)
    )
    assert response.status_code == 200
    assert response.context["form"].errors.get(field), response.context["form"].errors
    assert not Client.objects.exists() and not Identity.objects.exists()


def test_script_tags_are_stored_as_text_and_shown_escaped(org_a, intake_a, client_of):
    browser = client_of(intake_a)
    browser.post(
        reverse("clients:client_create", args=[org_a.pk]),
        registration_post(family_names="<script>alert('x')</script>"),
    )
    created = Client.objects.get()
    page = browser.get(reverse("clients:client_detail", args=[created.pk])).content.decode()
    assert "<script>alert(" not in page and "&lt;script&gt;" in page


def test_only_vault_roles_may_register(org_a, client_of):
    url = reverse("clients:client_create", args=[org_a.pk])
    for role in (Role.DATA_STEWARD, Role.COORDINATOR, Role.FUNDER_ADVISOR):
        browser = client_of(factories.member(org_a, role))
        assert browser.get(url).status_code == 403
        assert browser.post(url, registration_post()).status_code == 403
    assert not Client.objects.exists()


# --- Edits and concurrency -----------------------------------------------------------------------


def profile_post(person, **overrides):
    data = {
        "version": str(person.version),
        "immigration_status": str(person.immigration_status_id),
        "arrived_canada_on": "2022-04-02",
        "arrived_quebec_on": "2022-04-02",
        "age_band": "35-44",
        "gender": "woman",
        "french_level": "beginner",
        "household": "single_parent",
        "household_size": "3",
        "library_user": "yes",
        "document_language": "es",
    }
    data.update(overrides)
    return data


def test_second_save_from_the_same_version_is_refused_with_a_clear_message(person, client_of):
    first = client_of(factories.member(person.organization, Role.INTAKE_WORKER))
    second = client_of(factories.member(person.organization, Role.COORDINATOR))
    url = reverse("clients:client_edit", args=[person.pk])
    # Both open the page at the same version…
    assert first.get(url).status_code == 200 and second.get(url).status_code == 200
    saved = first.post(url, profile_post(person, french_level="advanced"))
    assert saved.status_code == 302
    refused = second.post(url, profile_post(person, french_level="none", household_size="6"))
    assert refused.status_code == 200
    assert "Someone else saved this client" in refused.content.decode() or (
        "quelqu" in refused.content.decode().lower()
    )
    person.refresh_from_db()
    assert (person.french_level, person.household_size, person.version) == ("advanced", 3, 2)


def test_identity_edit_is_versioned_too(person, intake_a, client_of):
    browser = client_of(intake_a)
    url = reverse("clients:identity_edit", args=[person.pk])
    data = {
        "version": "1",
        "given_names": GIVEN,
        "family_names": FAMILY,
        "born_on": "1988-03-14",
        "phone": "514 555-0100",
    }
    assert browser.post(url, data).status_code == 302
    stale = browser.post(url, {**data, "phone": "514 555-0111"})
    assert stale.status_code == 200 and stale.context["form"].non_field_errors()
    assert Identity.objects.get(client=person).phone == "514 555-0100"


def test_a_tampered_version_is_a_clear_error(person, intake_a, client_of):
    url = reverse("clients:client_edit", args=[person.pk])
    for version in ("", "abc", "-1", str(2**80)):
        response = client_of(intake_a).post(url, profile_post(person, version=version))
        assert response.status_code == 200
        assert response.context["form"].non_field_errors()
    person.refresh_from_db()
    assert person.version == 1


def test_profile_edit_refuses_future_arrival(person, intake_a, client_of):
    future = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client_of(intake_a).post(
        reverse("clients:client_edit", args=[person.pk]),
        profile_post(person, arrived_quebec_on=future),
    )
    assert response.context["form"].errors["arrived_quebec_on"]
    person.refresh_from_db()
    assert person.arrived_quebec_on == date(2022, 4, 2)


def test_data_steward_cannot_edit(person, client_of):
    steward = client_of(factories.member(person.organization, Role.DATA_STEWARD))
    url = reverse("clients:client_edit", args=[person.pk])
    assert steward.get(url).status_code == 403
    assert steward.post(url, profile_post(person, french_level="none")).status_code == 403


# --- Consents ------------------------------------------------------------------------------------


def consent_post(**overrides):
    data = {
        "purpose": "services",
        "state": "given",
        "decided_on": timezone.localdate().isoformat(),
        "given_by": "person",
        "method": "signed",
        "language": "es",
    }
    data.update(overrides)
    return data


def test_consents_are_recorded_and_listed(person, intake_a, client_of):
    partner = factories.OrganizationFactory(name="Maison d'accueil partenaire")
    browser = client_of(intake_a)
    url = reverse("clients:consents", args=[person.pk])
    assert browser.post(url, consent_post()).status_code == 302
    assert (
        browser.post(url, consent_post(purpose="referral", counterpart=str(partner.pk))).status_code
        == 302
    )
    page = browser.get(url).content.decode()
    assert "Maison d&#x27;accueil partenaire" in page or "Maison d'accueil partenaire" in page
    assert ConsentRecord.objects.filter(client=person).count() == 2


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"purpose": "referral", "counterpart": "999999999"}, "counterpart"),
        ({"purpose": "referral", "counterpart": "abc"}, "counterpart"),
        ({"purpose": "referral"}, "counterpart"),
        ({"state": "withdrawn"}, "state"),
        ({"decided_on": "2999-01-01"}, "decided_on"),
        ({"purpose": "telepathy"}, "purpose"),
    ],
)
def test_bad_consents_show_the_error_and_save_nothing(
    overrides, field, person, intake_a, client_of
):
    response = client_of(intake_a).post(
        reverse("clients:consents", args=[person.pk]), consent_post(**overrides)
    )
    assert response.status_code == 200
    assert response.context["form"].errors.get(field)
    assert not ConsentRecord.objects.exists()


def test_consent_for_the_own_organization_is_refused(person, intake_a, client_of):
    response = client_of(intake_a).post(
        reverse("clients:consents", args=[person.pk]),
        consent_post(purpose="sharing", counterpart=str(person.organization_id)),
    )
    assert response.context["form"].errors.get("counterpart")


def test_data_steward_reads_consents_but_cannot_record(person, client_of):
    steward = client_of(factories.member(person.organization, Role.DATA_STEWARD))
    url = reverse("clients:consents", args=[person.pk])
    assert steward.get(url).status_code == 200
    assert steward.post(url, consent_post()).status_code == 403
    assert not ConsentRecord.objects.exists()


def test_only_a_director_overrides_with_a_reason(person, intake_a, client_of):
    partner = factories.OrganizationFactory(name="Partenaire")
    url = reverse("clients:consent_override", args=[person.pk])
    data = {
        "purpose": "referral",
        "counterpart": str(partner.pk),
        "reason": "Situation d'urgence, la personne ne peut signer aujourd'hui.",
        "expires_on": (timezone.localdate() + timedelta(days=2)).isoformat(),
    }
    assert client_of(intake_a).post(url, data).status_code == 403
    director = client_of(factories.member(person.organization, Role.DIRECTOR))
    missing = director.post(url, {**data, "reason": ""})
    assert missing.context["form"].errors.get("reason")
    assert director.post(url, data).status_code == 302
    override = ConsentOverride.objects.get()
    assert override.reason.startswith("Situation")
    assert AuditEvent.objects.get(target_type="clients.consentoverride").reason.startswith(
        "Situation"
    )


# --- Printable consent form -----------------------------------------------------------------------


def test_consent_form_in_the_persons_language(person, intake_a, client_of):
    browser = client_of(intake_a)
    url = reverse("clients:consent_form", args=[person.pk])
    default = browser.get(url)  # the profile's language for documents: Spanish
    assert '<html lang="es" dir="ltr">' in default.content.decode()
    english = browser.get(url, {"language": "en"}).content.decode()
    assert '<html lang="en"' in english and "I agree" in english
    arabic = browser.get(url, {"language": "ar"}).content.decode()
    assert '<html lang="ar" dir="rtl">' in arabic
    assert "clients/consent.css" in english


def test_consent_form_names_the_organization_and_counterpart(person, intake_a, client_of):
    partner = factories.OrganizationFactory(name="Centre de francisation Nord")
    response = client_of(intake_a).get(
        reverse("clients:consent_form", args=[person.pk]),
        {"language": "en", "counterpart": str(partner.pk)},
    )
    text = response.content.decode()
    assert "Centre de francisation Nord" in text and person.organization.name in text
    assert GIVEN in text


def test_consent_form_ignores_bad_options(person, intake_a, client_of):
    response = client_of(intake_a).get(
        reverse("clients:consent_form", args=[person.pk]),
        {"language": "xx", "counterpart": str(2**70)},
    )
    assert response.status_code == 200
    assert '<html lang="es"' in response.content.decode()


def test_navigation_offers_clients_to_client_roles_only(person, client_of):
    url = reverse("clients:client_list")
    worker = client_of(factories.member(person.organization, Role.COMMUNITY_WORKER))
    advisor = client_of(factories.member(person.organization, Role.FUNDER_ADVISOR))
    assert f'href="{url}"' in worker.get(reverse("home")).content.decode()
    assert f'href="{url}"' not in advisor.get(reverse("home")).content.decode()
    assert advisor.get(url).status_code == 403


def test_lookup_is_ready_for_the_keyboard(person, intake_a, client_of):
    """The search box has the focus on arrival, its help is announced, Enter submits the form."""
    page = client_of(intake_a).get(reverse("clients:client_list")).content.decode()
    assert 'type="search"' in page and "autofocus" in page
    assert 'aria-describedby="id_q_helptext"' in page
    assert 'role="search"' in page and 'method="get"' in page
    register_page = client_of(intake_a).get(
        reverse("clients:client_create", args=[person.organization_id])
    )
    assert 'name="given_names"' in register_page.content.decode()
    assert register_page.context["form"].fields["given_names"].widget.attrs["autofocus"]


@pytest.mark.parametrize("url_name", sorted(OBJECT_URLS))
def test_every_page_has_a_short_plain_title(url_name, person, client_of):
    import re

    director = factories.member(person.organization, Role.DIRECTOR)
    html = client_of(director).get(reverse(url_name, kwargs=OBJECT_URLS[url_name](person))).content
    title = re.search(rb"<title>(.*?)</title>", html, re.S).group(1).decode()
    assert "<" not in title and len(title) < 150, title
    assert html.count(b"<main") == 1

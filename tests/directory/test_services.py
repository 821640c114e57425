"""Writes to the directory: a service is born a draft, edits are revisions, publishing verifies."""

import uuid
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from ancrage.core.choices import OrganizationKind, Role
from ancrage.core.models import AuditEvent
from ancrage.directory import services
from ancrage.directory.content import service_content
from ancrage.directory.models import (
    Program,
    ReviewRequirement,
    RevisionState,
    Schedule,
    Service,
    ServiceRevision,
)
from tests import factories

pytestmark = pytest.mark.django_db


def valid_content(organization, **overrides):
    """A complete, valid content dict for a new service of `organization` (one of its sites)."""
    site = organization.sites.first() or factories.SiteFactory(organization=organization)
    content = {
        "names": {"fr": "Francisation du soir", "en": "Evening French classes"},
        "descriptions": {
            "fr": "Cours de français pour adultes, le soir.",
            "en": "French classes for adults, in the evening.",
        },
        "eligibility_descriptions": {"fr": "Adultes", "en": "Adults"},
        "status": "active",
        "is_free": True,
        "audiences": ["newcomers"],
        "languages": ["fr"],
        "needs": ["french-courses"],
        "minimum_age": 16,
        "locations": [{"site": str(site.hsds_id)}],
        "schedules": [
            {
                "freq": "WEEKLY",
                "byday": "TU,TH",
                "opens_at": "18:00",
                "closes_at": "21:00",
                "site": str(site.hsds_id),
            }
        ],
        "contacts": [{"name": "Accueil", "email": "accueil@example.org"}],
    }
    content.update(overrides)
    return content


@pytest.fixture
def editor(org_a):
    return factories.member(org_a, Role.COMMUNITY_WORKER, email="editrice@example.org")


@pytest.fixture
def city():
    return factories.OrganizationFactory(
        name="Ville — diversité sociale", kind=OrganizationKind.CITY_SERVICE
    )


@pytest.fixture
def coordinator(city):
    return factories.member(city, Role.COORDINATOR, email="coordo@example.org")


def errors_of(excinfo) -> dict:
    return excinfo.value.message_dict


# --- Creating a service ---------------------------------------------------------------------


def test_create_makes_an_unpublished_service_and_a_draft(org_a, editor):
    revision = services.service_create(
        organization=org_a, actor=editor, content=valid_content(org_a)
    )
    service = revision.service
    assert not service.is_published
    assert service.names == {}  # nothing public until published
    assert revision.number == 1 and revision.state == RevisionState.DRAFT
    assert revision.author == editor
    assert revision.content["names"]["fr"] == "Francisation du soir"
    assert AuditEvent.objects.filter(target_id=str(service.pk), action="create").exists()


def test_create_refuses_someone_without_the_capability(org_a, org_b):
    steward = factories.member(org_a, Role.DATA_STEWARD)
    outsider = factories.member(org_b, Role.DIRECTOR)
    for person in (steward, outsider):
        with pytest.raises(PermissionDenied):
            services.service_create(organization=org_a, actor=person, content=valid_content(org_a))
    assert not Service.objects.exists()


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"names": {"fr": "Seulement en français"}}, "names"),
        ({"descriptions": {"en": "Only English"}}, "descriptions"),
        ({"names": {"fr": "x" * 201, "en": "ok"}}, "names"),
        ({"descriptions": {"fr": "ok", "en": "ok", "xx": "langue inconnue"}}, "descriptions"),
        ({"minimum_age": 30, "maximum_age": 18}, "maximum_age"),
        ({"minimum_age": -1}, "minimum_age"),
        ({"maximum_age": 10**12}, "maximum_age"),
        ({"max_years_since_arrival": "cinq"}, "max_years_since_arrival"),
        ({"status": "ouvert"}, "status"),
        ({"url": "javascript:alert(1)"}, "url"),
        ({"email": "pas-un-courriel"}, "email"),
        ({"phone": "5" * 31}, "phone"),
        ({"audiences": ["inconnu"]}, "audiences"),
        ({"languages": ["klingon"]}, "languages"),
        ({"needs": ["teleportation"]}, "needs"),
        ({"program": str(uuid.uuid4())}, "program"),
        ({"locations": [{"site": str(uuid.uuid4())}]}, "locations"),
        ({"locations": [{"site": "pas-un-uuid"}]}, "locations"),
        ({"contacts": [{"name": ""}]}, "contacts"),
        ({"contacts": [{"name": "x" * 121}]}, "contacts"),
        ({"names": {"fr": "nul\x00", "en": "ok"}}, "names"),
    ],
)
def test_create_refuses_bad_content_and_saves_nothing(org_a, editor, overrides, field):
    with pytest.raises(ValidationError) as excinfo:
        services.service_create(
            organization=org_a, actor=editor, content=valid_content(org_a, **overrides)
        )
    assert field in errors_of(excinfo)
    assert not Service.objects.exists() and not ServiceRevision.objects.exists()


@pytest.mark.parametrize(
    "schedule",
    [
        {"freq": "DAILY", "byday": "MO"},
        {"freq": "WEEKLY", "byday": ""},
        {"freq": "WEEKLY", "byday": "XX"},
        {"freq": "WEEKLY", "byday": "2TU"},  # an ordinal is for monthly hours
        {"freq": "WEEKLY", "byday": "MO", "opens_at": "17:00", "closes_at": "09:00"},
        {"freq": "WEEKLY", "byday": "MO", "opens_at": "25:00", "closes_at": "26:00"},
        {"freq": "WEEKLY", "byday": "MO", "interval": 0},
        {"freq": "WEEKLY", "byday": "MO", "site": str(uuid.uuid4())},
        {"freq": "MONTHLY", "bymonthday": "32"},
        {"freq": "WEEKLY", "byday": "MO", "valid_from": "2026-05-01", "valid_to": "2026-01-01"},
    ],
)
def test_bad_opening_hours_are_refused(org_a, editor, schedule):
    with pytest.raises(ValidationError) as excinfo:
        services.service_create(
            organization=org_a, actor=editor, content=valid_content(org_a, schedules=[schedule])
        )
    assert "schedules" in errors_of(excinfo)


def test_monthly_hours_with_an_ordinal_are_accepted(org_a, editor):
    revision = services.service_create(
        organization=org_a,
        actor=editor,
        content=valid_content(
            org_a,
            schedules=[
                {"freq": "MONTHLY", "byday": "2tu", "opens_at": "10:00", "closes_at": "12:00"}
            ],
        ),
    )
    assert revision.content["schedules"][0]["byday"] == "2TU"


def test_another_organizations_site_is_refused(org_a, org_b, editor):
    foreign = factories.SiteFactory(organization=org_b)
    with pytest.raises(ValidationError) as excinfo:
        services.service_create(
            organization=org_a,
            actor=editor,
            content=valid_content(org_a, locations=[{"site": str(foreign.hsds_id)}], schedules=[]),
        )
    assert "locations" in errors_of(excinfo)


def test_unknown_fields_and_malformed_content_are_refused(org_a, editor):
    with pytest.raises(ValidationError):
        services.service_create(
            organization=org_a, actor=editor, content=valid_content(org_a, is_published=True)
        )
    with pytest.raises(ValidationError):
        services.service_create(organization=org_a, actor=editor, content=["not", "a", "dict"])


# --- Editing ----------------------------------------------------------------------------------


def test_publishing_applies_the_content_and_verifies(org_a, editor):
    revision = services.service_create(
        organization=org_a, actor=editor, content=valid_content(org_a)
    )
    services.revision_transition(revision=revision, actor=editor, name="publish")
    service = Service.objects.get()
    revision.refresh_from_db()
    assert service.is_published
    assert service.names["en"] == "Evening French classes"
    assert service.assured_date == timezone.localdate()
    assert service.assurer_email == "editrice@example.org"
    assert revision.state == RevisionState.PUBLISHED and revision.decided_by == editor
    assert service.schedules.get().opens_at.hour == 18
    # The revision keeps exactly what was published, ids of the new hours included.
    assert revision.content == service_content(service)


def test_an_edit_starts_from_the_public_content_and_one_at_a_time(org_a, editor):
    service = factories.published_service(org_a)
    draft = services.revision_start(service=service, actor=editor)
    assert draft.state == RevisionState.DRAFT
    assert draft.content == service_content(service)
    with pytest.raises(ValidationError):
        services.revision_start(service=service, actor=editor)
    assert service.revisions.count() == 1


def test_the_database_refuses_a_second_open_edit_too(org_a):
    from django.db import IntegrityError, transaction

    service = factories.published_service(org_a)
    ServiceRevision.objects.create(service=service, number=1, content={})
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceRevision.objects.create(
            service=service, number=2, content={}, state=RevisionState.SUBMITTED
        )


def test_saving_a_draft_leaves_the_public_page_alone(org_a, editor):
    service = factories.published_service(org_a)
    draft = services.revision_start(service=service, actor=editor)
    content = {**draft.content, "names": {"fr": "Nouveau nom", "en": "New name"}}
    services.revision_save(revision=draft, actor=editor, content=content)
    draft.refresh_from_db()
    service.refresh_from_db()
    assert draft.content["names"]["fr"] == "Nouveau nom"
    assert service.names["fr"] == "Aide à la recherche de logement"
    event = AuditEvent.objects.filter(target_id=str(draft.pk)).latest("at")
    assert event.details["fields"] == ["names"]


def test_saving_bad_content_changes_nothing(org_a, editor):
    service = factories.published_service(org_a)
    draft = services.revision_start(service=service, actor=editor)
    before = dict(draft.content)
    with pytest.raises(ValidationError):
        services.revision_save(
            revision=draft, actor=editor, content={**before, "names": {"fr": "x" * 5000}}
        )
    draft.refresh_from_db()
    assert draft.content == before


def test_only_drafts_and_returned_edits_can_be_saved(org_a, editor):
    service = factories.published_service(org_a)
    draft = services.revision_start(service=service, actor=editor)
    services.revision_transition(revision=draft, actor=editor, name="withdraw")
    with pytest.raises(ValidationError):
        services.revision_save(revision=draft, actor=editor, content=draft.content)


def test_ids_of_places_hours_and_contacts_survive_an_edit(org_a, editor):
    service = factories.published_service(org_a)
    before = service_content(service)
    draft = services.revision_start(service=service, actor=editor)
    content = {**draft.content, "phone": "514-555-0199"}
    services.revision_save(revision=draft, actor=editor, content=content)
    services.revision_transition(revision=draft, actor=editor, name="publish")
    after = service_content(service)
    assert after["schedules"][0]["id"] == before["schedules"][0]["id"]
    assert after["contacts"][0]["id"] == before["contacts"][0]["id"]
    assert after["locations"][0]["id"] == before["locations"][0]["id"]


def test_a_forged_id_cannot_move_another_services_hours(org_a, org_b, editor):
    victim = factories.published_service(org_b)
    victim_hours = victim.schedules.get()
    service = factories.published_service(org_a)
    draft = services.revision_start(service=service, actor=editor)
    forged = {**draft.content["schedules"][0], "id": str(victim_hours.pk)}
    services.revision_save(
        revision=draft, actor=editor, content={**draft.content, "schedules": [forged]}
    )
    services.revision_transition(revision=draft, actor=editor, name="publish")
    victim_hours.refresh_from_db()
    assert victim_hours.service_id == victim.pk
    assert service.schedules.count() == 1 and service.schedules.get().pk != victim_hours.pk


def test_publishing_re_checks_the_content(org_a, org_b, editor):
    """A site moved to another organization since the draft was written: nothing is published."""
    service = factories.published_service(org_a)
    draft = services.revision_start(service=service, actor=editor)
    site = org_a.sites.get()
    site.organization = org_b
    site.save()
    with pytest.raises(ValidationError):
        services.revision_transition(revision=draft, actor=editor, name="publish")
    draft.refresh_from_db()
    assert draft.state == RevisionState.DRAFT


def test_a_never_published_service_restarts_from_its_last_draft(org_a, editor):
    revision = services.service_create(
        organization=org_a, actor=editor, content=valid_content(org_a)
    )
    services.revision_transition(revision=revision, actor=editor, name="withdraw")
    again = services.revision_start(service=revision.service, actor=editor)
    assert again.number == 2
    assert again.content["names"]["fr"] == "Francisation du soir"


# --- Review -----------------------------------------------------------------------------------


def test_review_cycle(org_a, editor, coordinator):
    services.review_require(organization=org_a, actor=coordinator, reason="Nouvel organisme")
    service = factories.published_service(org_a)
    draft = services.revision_start(service=service, actor=editor)
    services.revision_save(
        revision=draft,
        actor=editor,
        content={**draft.content, "names": {"fr": "Logement d'abord", "en": "Housing first"}},
    )
    with pytest.raises(ValidationError):
        services.revision_transition(revision=draft, actor=editor, name="publish")
    services.revision_transition(revision=draft, actor=editor, name="submit")

    with pytest.raises(ValidationError) as excinfo:
        services.revision_transition(revision=draft, actor=coordinator, name="return")
    assert "comment" in errors_of(excinfo)
    services.revision_transition(
        revision=draft, actor=coordinator, name="return", comment="Précisez les heures."
    )
    draft.refresh_from_db()
    assert draft.state == RevisionState.RETURNED and draft.comment == "Précisez les heures."
    services.revision_save(revision=draft, actor=editor, content=draft.content)
    services.revision_transition(revision=draft, actor=editor, name="submit")
    services.revision_transition(revision=draft, actor=coordinator, name="approve")

    service.refresh_from_db()
    assert service.names["fr"] == "Logement d'abord"
    assert service.assurer_email == "coordo@example.org"


def test_a_coordinator_reviews_but_does_not_edit_another_organization(org_a, coordinator):
    service = factories.published_service(org_a)
    with pytest.raises(PermissionDenied):
        services.revision_start(service=service, actor=coordinator)
    with pytest.raises(PermissionDenied):
        services.service_verify(service=service, actor=coordinator)


def test_nobody_approves_their_own_edit(city, coordinator):
    """A coordinator edits the city's own service; another coordinator must approve it."""
    services.review_require(organization=city, actor=coordinator)
    service = factories.published_service(city)
    draft = services.revision_start(service=service, actor=coordinator)
    services.revision_transition(revision=draft, actor=coordinator, name="submit")
    with pytest.raises(PermissionDenied):
        services.revision_transition(revision=draft, actor=coordinator, name="approve")
    colleague = factories.member(city, Role.COORDINATOR)
    services.revision_transition(revision=draft, actor=colleague, name="approve")
    draft.refresh_from_db()
    assert draft.state == RevisionState.PUBLISHED


def test_review_requirement_is_for_coordinators_only(org_a, editor, coordinator):
    director = factories.member(org_a, Role.DIRECTOR)
    for person in (editor, director):
        with pytest.raises(PermissionDenied):
            services.review_require(organization=org_a, actor=person)
    requirement = services.review_require(organization=org_a, actor=coordinator, reason="Essai")
    assert requirement.required_by == coordinator
    with pytest.raises(PermissionDenied):
        services.review_lift(organization=org_a, actor=director)
    with pytest.raises(ValidationError):
        services.review_require(organization=org_a, actor=coordinator, reason="x" * 501)
    services.review_lift(organization=org_a, actor=coordinator)
    assert not ReviewRequirement.objects.exists()
    with pytest.raises(ValidationError):
        services.review_lift(organization=org_a, actor=coordinator)
    actions = list(
        AuditEvent.objects.filter(target_type="directory.reviewrequirement")
        .order_by("at", "pk")
        .values_list("action", flat=True)
    )
    assert actions == ["create", "delete"]


def test_an_edit_waiting_when_the_review_is_lifted_can_be_published(org_a, editor, coordinator):
    services.review_require(organization=org_a, actor=coordinator)
    service = factories.published_service(org_a)
    draft = services.revision_start(service=service, actor=editor)
    services.revision_transition(revision=draft, actor=editor, name="submit")
    services.review_lift(organization=org_a, actor=coordinator)
    services.revision_transition(revision=draft, actor=editor, name="publish")
    draft.refresh_from_db()
    assert draft.state == RevisionState.PUBLISHED


# --- Verification -------------------------------------------------------------------------------


def test_verify_stamps_the_date_without_an_edit(org_a, editor):
    service = factories.published_service(org_a)
    Service.objects.filter(pk=service.pk).update(assured_date=date(2020, 1, 1))
    modified = Service.objects.get(pk=service.pk).last_modified
    services.service_verify(service=service, actor=editor)
    service.refresh_from_db()
    assert service.assured_date == timezone.localdate()
    assert service.assurer_email == "editrice@example.org"
    assert service.last_modified == modified  # checking is not changing
    assert not service.revisions.exists()
    assert AuditEvent.objects.filter(
        target_id=str(service.pk), details__has_key="verified"
    ).exists()


def test_an_unpublished_service_cannot_be_verified(org_a, editor):
    revision = services.service_create(
        organization=org_a, actor=editor, content=valid_content(org_a)
    )
    with pytest.raises(ValidationError):
        services.service_verify(service=revision.service, actor=editor)


# --- Programs ---------------------------------------------------------------------------------


def test_programs(org_a, org_b, editor):
    program = services.program_create(
        organization=org_a,
        actor=editor,
        names={"fr": "Accueil et intégration", "en": "Welcome and integration"},
    )
    with pytest.raises(ValidationError):
        services.program_create(organization=org_a, actor=editor, names={"fr": "Seul"})
    with pytest.raises(PermissionDenied):
        services.program_create(organization=org_b, actor=editor, names={"fr": "B", "en": "B"})
    services.program_update(
        program=program, actor=editor, names={"fr": "Accueil", "en": "Welcome"}, alternate_name="AI"
    )
    program.refresh_from_db()
    assert program.names == {"fr": "Accueil", "en": "Welcome"} and program.alternate_name == "AI"

    revision = services.service_create(
        organization=org_a, actor=editor, content=valid_content(org_a, program=str(program.pk))
    )
    services.revision_transition(revision=revision, actor=editor, name="publish")
    assert Service.objects.get().program == program
    foreign = Program.objects.create(organization=org_b, names={"fr": "B", "en": "B"})
    with pytest.raises(ValidationError):
        services.service_create(
            organization=org_a, actor=editor, content=valid_content(org_a, program=str(foreign.pk))
        )


def test_every_write_is_audited(org_a, editor):
    start = AuditEvent.objects.count()
    revision = services.service_create(
        organization=org_a, actor=editor, content=valid_content(org_a)
    )
    services.revision_save(revision=revision, actor=editor, content=revision.content)
    services.revision_transition(revision=revision, actor=editor, name="publish")
    services.service_verify(service=revision.service, actor=editor)
    # create, save, publish (service + revision), verify
    assert AuditEvent.objects.count() - start == 5
    assert Schedule.objects.count() == 1
    assert timezone.localdate() - Service.objects.get().assured_date < timedelta(days=1)

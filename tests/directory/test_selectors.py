"""Reads of the directory's staff pages: freshness, my services, the review queue, the history."""

from datetime import date

import pytest
from django.utils import timezone, translation

from ancrage.core.choices import OrganizationKind, Role
from ancrage.directory import selectors, services
from ancrage.directory.content import service_content
from ancrage.directory.models import RevisionState, Service, ServiceRevision
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(org_a):
    return factories.member(org_a, Role.COMMUNITY_WORKER)


@pytest.fixture
def coordinator(db):
    city = factories.OrganizationFactory(kind=OrganizationKind.CITY_SERVICE)
    return factories.member(city, Role.COORDINATOR)


# --- Freshness ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "assured, stale",
    [
        (None, True),
        (date(2025, 3, 15), False),  # exactly twelve months: still fresh
        (date(2025, 3, 14), True),
        (date(2026, 3, 1), False),
    ],
)
def test_stale_after_twelve_months(org_a, assured, stale):
    service = factories.published_service(org_a)
    service.assured_date = assured
    assert selectors.is_stale(service, today=date(2026, 3, 15)) is stale


def test_a_service_never_published_is_not_stale(org_a, editor):
    from tests.directory.test_services import valid_content

    revision = services.service_create(
        organization=org_a, actor=editor, content=valid_content(org_a)
    )
    assert not selectors.is_stale(revision.service)
    assert selectors.stale_count(editor) == 0


def test_stale_before_handles_leap_days():
    assert selectors.stale_before(date(2028, 2, 29)) == date(2027, 2, 28)


# --- My services --------------------------------------------------------------------------------


def test_staff_services_are_those_of_my_organizations(org_a, org_b, editor):
    mine = factories.published_service(org_a)
    factories.published_service(org_b)
    old = factories.published_service(org_a)
    Service.objects.filter(pk=mine.pk).update(assured_date=timezone.localdate())
    Service.objects.filter(pk=old.pk).update(assured_date=date(2015, 1, 1))
    assert set(selectors.staff_services(editor)) == {mine, old}
    assert list(selectors.staff_services(editor, stale_only=True)) == [old]
    assert selectors.stale_count(editor) == 1
    steward = factories.member(org_a, Role.DATA_STEWARD)
    assert not selectors.staff_services(steward).exists()


def test_rows_name_the_draft_of_a_new_service_and_the_edit_under_way(org_a, editor):
    from tests.directory.test_services import valid_content

    new = services.service_create(organization=org_a, actor=editor, content=valid_content(org_a))
    published = factories.published_service(org_a)
    edit = services.revision_start(service=published, actor=editor)
    rows = {row.service: row for row in selectors.staff_service_rows([new.service, published])}
    assert rows[new.service].name == "Francisation du soir"
    assert rows[new.service].open_revision == new
    assert rows[published].name == "Aide à la recherche de logement"
    assert rows[published].open_revision == edit
    assert not rows[published].under_review


# --- Review -----------------------------------------------------------------------------------


def test_review_queue_lists_submitted_edits_for_coordinators_only(
    org_a, org_b, editor, coordinator
):
    services.review_require(organization=org_a, actor=coordinator)
    first = factories.published_service(org_a)
    second = factories.published_service(org_a)
    waiting = services.revision_start(service=first, actor=editor)
    services.revision_transition(revision=waiting, actor=editor, name="submit")
    services.revision_start(service=second, actor=editor)  # a draft: not in the queue
    assert list(selectors.review_queue(coordinator)) == [waiting]
    assert not selectors.review_queue(editor).exists()
    assert [r.organization for r in selectors.organizations_under_review(coordinator)] == [org_a]
    assert not selectors.organizations_under_review(editor).exists()


def test_revision_actions_follow_the_workflow(org_a, editor, coordinator):
    service = factories.published_service(org_a)
    draft = services.revision_start(service=service, actor=editor)
    assert [t.name for t in selectors.revision_actions(draft, editor)] == ["publish", "withdraw"]
    assert selectors.revision_actions(draft, coordinator) == []
    services.review_require(organization=org_a, actor=coordinator)
    assert [t.name for t in selectors.revision_actions(draft, editor)] == ["submit", "withdraw"]


# --- Changes in plain words ---------------------------------------------------------------------


def test_changes_are_told_field_by_field(org_a):
    service = factories.published_service(org_a, phone="514-555-0100")
    before = service_content(service)
    other_site = factories.SiteFactory(organization=org_a, name="Maison de quartier")
    after = {
        **before,
        "names": {**before["names"], "fr": "Logement d'abord", "ar": "السكن أولاً"},
        "languages": ["ar", "fr"],
        "phone": "",
        "is_free": False,
        "locations": [*before["locations"], {"site": str(other_site.hsds_id)}],
        "schedules": [{**before["schedules"][0], "closes_at": "16:00"}],
    }
    with translation.override("en"):
        changes = {c.label: c for c in selectors.content_changes(before, after, org_a)}
    assert changes["Name (French)"].before == "Aide à la recherche de logement"
    assert changes["Name (French)"].after == "Logement d'abord"
    assert changes["Name (Arabic)"].before == "—"
    languages = changes["Languages the service is given in"]
    assert languages.added == ("Arabic",) and languages.removed == ("English",)
    assert (changes["Phone"].before, changes["Phone"].after) == ("514-555-0100", "—")
    assert (changes["Free of charge"].before, changes["Free of charge"].after) == ("yes", "no")
    assert changes["Places"].added == ("Maison de quartier",) and changes["Places"].removed == ()
    hours = changes["Opening hours"]
    assert hours.added == ("Every week: Monday, Wednesday, 09:00–16:00",)
    assert hours.removed == ("Every week: Monday, Wednesday, 09:00–17:00",)
    assert not selectors.content_changes(before, before, org_a)


def test_ids_alone_are_no_change(org_a):
    service = factories.published_service(org_a)
    before = service_content(service)
    without_ids = {
        **before,
        "schedules": [{k: v for k, v in s.items() if k != "id"} for s in before["schedules"]],
        "contacts": [{k: v for k, v in c.items() if k != "id"} for c in before["contacts"]],
    }
    assert selectors.content_changes(before, without_ids, org_a) == []


def test_schedule_words():
    with translation.override("en"):
        assert (
            selectors.schedule_words(
                {"freq": "WEEKLY", "byday": "MO,WE", "opens_at": "09:00", "closes_at": "17:00"}
            )
            == "Every week: Monday, Wednesday, 09:00–17:00"
        )
        assert selectors.schedule_words({"freq": "MONTHLY", "byday": "-1FR"}).startswith(
            "Every month: last Friday"
        )


# --- History ------------------------------------------------------------------------------------


def test_history_newest_first_with_steps_and_changes(org_a, editor, coordinator):
    service = factories.published_service(org_a)
    first = services.revision_start(service=service, actor=editor)
    services.revision_transition(revision=first, actor=editor, name="publish")
    services.review_require(organization=org_a, actor=coordinator)
    second = services.revision_start(service=service, actor=editor)
    services.revision_save(
        revision=second,
        actor=editor,
        content={**second.content, "names": {"fr": "Nouveau", "en": "New"}},
    )
    services.revision_transition(revision=second, actor=editor, name="submit")
    services.revision_transition(
        revision=second, actor=coordinator, name="return", comment="Le nom est trop court."
    )

    with translation.override("en"):
        history = selectors.service_history(service)
    assert [entry.revision.number for entry in history] == [2, 1]
    latest = history[0]
    assert latest.revision.state == RevisionState.RETURNED
    assert [step.what for step in latest.steps] == [
        "edit started",
        "draft saved",
        "submitted for review",
        "returned with comments",
    ]
    assert latest.steps[-1].comment == "Le nom est trop court."
    assert latest.steps[-1].who == coordinator.username
    assert {change.label for change in latest.changes} == {"Name (French)", "Name (English)"}
    assert history[1].is_first


def test_changes_since_published(org_a, editor):
    from tests.directory.test_services import valid_content

    new = services.service_create(organization=org_a, actor=editor, content=valid_content(org_a))
    assert selectors.changes_since_published(new) is None
    published = factories.published_service(org_a)
    edit = services.revision_start(service=published, actor=editor)
    assert selectors.changes_since_published(edit) == []


def test_content_view_reads_codes_as_names(org_a):
    service = factories.published_service(
        org_a, minimum_age=18, maximum_age=65, needs=["housing"], languages=["fr", "ar"]
    )
    with translation.override("en"):
        view = selectors.content_view(service_content(service), org_a)
    facts = dict(view.facts)
    assert view.name == "Help finding housing"
    assert facts["Age"] == "18 to 65 years old"
    assert facts["Languages the service is given in"] == "French, Arabic"
    assert facts["Needs addressed"] == "Housing"
    assert view.places == [org_a.sites.get().name]
    assert view.missing_required == []
    assert ServiceRevision.objects.count() == 0


def test_history_reads_names_once_however_long(org_a, editor, django_assert_max_num_queries):
    service = factories.published_service(org_a)
    for number in range(6):
        draft = services.revision_start(service=service, actor=editor)
        content = {**draft.content, "languages": ["fr", "en", "ar"][: number % 3 + 1]}
        services.revision_save(revision=draft, actor=editor, content=content)
        services.revision_transition(revision=draft, actor=editor, name="publish")
    with django_assert_max_num_queries(8):
        history = selectors.service_history(service)
    assert len(history) == 6

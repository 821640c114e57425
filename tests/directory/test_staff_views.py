"""Staff pages of the directory: an organization describes its services, the city reviews edits.

Forms parse, services decide; errors sit next to their fields and change nothing; another
organization's service is a 404 on every staff URL.
"""

import uuid
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from ancrage.core.choices import OrganizationKind, Role
from ancrage.directory import services
from ancrage.directory.models import (
    Program,
    ReviewRequirement,
    RevisionState,
    Service,
    ServiceRevision,
)
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(org_a):
    return factories.SiteFactory(organization=org_a, name="Bibliothèque du Boisé")


@pytest.fixture
def editor(org_a):
    return factories.member(org_a, Role.COMMUNITY_WORKER, email="editrice@example.org")


@pytest.fixture
def client(editor, client_of):
    return client_of(editor)


@pytest.fixture
def city(db):
    return factories.OrganizationFactory(
        name="Service de la diversité sociale", kind=OrganizationKind.CITY_SERVICE
    )


@pytest.fixture
def coordinator(city):
    return factories.member(city, Role.COORDINATOR, email="coordo@example.org")


def form_data(site=None, **overrides):
    """What the service form posts: French and English texts, one row of hours, one contact."""
    data = {
        "name_fr": "Francisation du soir",
        "name_en": "Evening French classes",
        "description_fr": "Cours de français pour adultes.",
        "description_en": "French classes for adults.",
        "eligibility_fr": "Adultes",
        "name_es": "Clases de francés por la tarde",
        "status": "active",
        "is_free": "on",
        "needs": ["french-courses"],
        "audiences": ["newcomers"],
        "languages": ["fr", "es"],
        "minimum_age": "16",
        "maximum_age": "",
        "places": [str(site.hsds_id)] if site else [],
        "hours-TOTAL_FORMS": "2",
        "hours-INITIAL_FORMS": "0",
        "hours-MIN_NUM_FORMS": "0",
        "hours-MAX_NUM_FORMS": "30",
        "hours-0-freq": "WEEKLY",
        "hours-0-days": ["TU", "TH"],
        "hours-0-opens_at": "18:00",
        "hours-0-closes_at": "21:00",
        "hours-0-site": str(site.hsds_id) if site else "",
        "hours-1-freq": "WEEKLY",
        "contacts-TOTAL_FORMS": "2",
        "contacts-INITIAL_FORMS": "0",
        "contacts-MIN_NUM_FORMS": "0",
        "contacts-MAX_NUM_FORMS": "20",
        "contacts-0-name": "Accueil",
        "contacts-0-email": "accueil@example.org",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def errors_of(response, field):
    return [str(e) for e in response.context["form"].errors.get(field, [])]


def create_url(organization):
    return reverse("directory:manage_service_create", args=[organization.pk])


# --- List ---------------------------------------------------------------------------------------


def test_list_shows_my_services_flags_stale_ones_and_hides_others(client, org_a, org_b):
    fresh = factories.published_service(org_a, names={"fr": "Frais", "en": "Fresh"})
    stale = factories.published_service(org_a, names={"fr": "Ancien", "en": "Old"})
    Service.objects.filter(pk=fresh.pk).update(assured_date=timezone.localdate())
    Service.objects.filter(pk=stale.pk).update(assured_date=date(2020, 1, 1))
    factories.published_service(org_b, names={"fr": "Secret de B", "en": "B's secret"})

    response = client.get(reverse("directory:manage_list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Frais" in html and "Ancien" in html and "Secret de B" not in html
    assert response.context["stale_count"] == 1
    assert [row.is_stale for row in response.context["rows"]].count(True) == 1

    only_stale = client.get(reverse("directory:manage_list") + "?stale=1")
    assert [row.service for row in only_stale.context["rows"]] == [stale]


@pytest.mark.parametrize("page", ["-1", "0", "abc", "99999999999999999999", "x" * 10_000])
def test_list_survives_bad_pages(client, org_a, page):
    factories.published_service(org_a)
    assert client.get(reverse("directory:manage_list"), {"page": page}).status_code == 200


def test_list_needs_a_capability(client_of, org_a, client):
    steward = factories.member(org_a, Role.DATA_STEWARD)
    assert client_of(steward).get(reverse("directory:manage_list")).status_code == 403
    anonymous = client.__class__().get(reverse("directory:manage_list"))
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("login"))


def test_navigation_offers_services_to_editors_and_reviewers(client, client_of, coordinator, org_a):
    url = reverse("directory:manage_list")
    assert f'href="{url}"' in client.get(reverse("home")).content.decode()
    assert f'href="{url}"' in client_of(coordinator).get(reverse("home")).content.decode()
    steward = factories.member(org_a, Role.DATA_STEWARD)
    assert f'href="{url}"' not in client_of(steward).get(reverse("home")).content.decode()


# --- Creating and publishing --------------------------------------------------------------------


def test_create_then_publish(client, org_a, site, editor):
    page = client.get(create_url(org_a))
    html = page.content.decode()
    assert page.status_code == 200
    assert "<details" in html  # the other languages are folded away
    assert 'name="name_zh_hans"' in html and 'name="hours-0-days"' in html

    response = client.post(create_url(org_a), form_data(site))
    revision = ServiceRevision.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("directory:manage_revision", args=[revision.pk])
    service = revision.service
    assert not service.is_published and revision.state == RevisionState.DRAFT
    content = revision.content
    assert content["names"] == {
        "fr": "Francisation du soir",
        "en": "Evening French classes",
        "es": "Clases de francés por la tarde",
    }
    assert content["schedules"][0]["byday"] == "TU,TH"
    assert content["schedules"][0]["site"] == str(site.hsds_id)
    assert content["minimum_age"] == 16 and content["maximum_age"] is None
    assert content["contacts"] == [
        {"name": "Accueil", "title": "", "email": "accueil@example.org", "phone": ""}
    ]

    preview = client.get(response["Location"])
    html = preview.content.decode()
    assert "Francisation du soir" in html
    assert [a.name for a in preview.context["actions"]] == ["publish", "withdraw"]

    published = client.post(response["Location"], {"transition": "publish", "comment": ""})
    assert published.status_code == 302
    assert published["Location"] == reverse("directory:manage_service", args=[service.pk])
    service.refresh_from_db()
    assert service.is_published and service.assured_date == timezone.localdate()
    assert service.assurer_email == "editrice@example.org"
    assert service.schedules.get().opens_at.hour == 18
    detail = client.get(published["Location"]).content.decode()
    assert "Francisation du soir" in detail and "Bibliothèque du Boisé" in detail


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"name_en": ""}, "name_en"),
        ({"description_fr": "   "}, "description_fr"),
        ({"name_fr": "x" * 10_000}, "name_fr"),
        ({"description_ar": "x" * 2_000_000}, "description_ar"),
        ({"minimum_age": "40", "maximum_age": "18"}, "maximum_age"),
        ({"minimum_age": "-3"}, "minimum_age"),
        ({"minimum_age": "9" * 10_000}, "minimum_age"),
        ({"status": "closed"}, "status"),
        ({"needs": ["teleportation"]}, "needs"),
        ({"languages": ["1' OR 1=1"]}, "languages"),
        ({"program": str(uuid.uuid4())}, "program"),
        ({"places": [str(uuid.uuid4())]}, "places"),
        ({"places": ["x" * 10_000]}, "places"),
        ({"url": "javascript:alert(1)"}, "url"),
        ({"email": "pas un courriel"}, "email"),
        ({"phone": "5" * 31}, "phone"),
    ],
)
def test_bad_input_is_a_form_error_and_saves_nothing(client, org_a, site, overrides, field):
    response = client.post(create_url(org_a), form_data(site, **overrides))
    assert response.status_code == 200
    assert errors_of(response, field)
    assert not Service.objects.exists() and not ServiceRevision.objects.exists()


def test_a_site_of_another_organization_is_refused(client, org_a, org_b, site):
    foreign = factories.SiteFactory(organization=org_b, name="Site de B")
    response = client.post(
        create_url(org_a),
        form_data(site, places=[str(foreign.hsds_id)], **{"hours-0-site": str(foreign.hsds_id)}),
    )
    assert errors_of(response, "places")
    assert not Service.objects.exists()


def test_a_program_of_another_organization_is_refused(client, org_a, org_b, site):
    foreign = Program.objects.create(organization=org_b, names={"fr": "B", "en": "B"})
    response = client.post(create_url(org_a), form_data(site, program=str(foreign.pk)))
    assert errors_of(response, "program")
    assert not Service.objects.exists()


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"hours-0-opens_at": "21:00", "hours-0-closes_at": "18:00"}, "closes_at"),
        ({"hours-0-closes_at": ""}, "closes_at"),
        ({"hours-0-days": []}, "days"),
        ({"hours-0-days": ["XX"]}, "days"),
        ({"hours-0-opens_at": "25:99"}, "opens_at"),
        ({"hours-0-week_of_month": "2"}, "week_of_month"),  # weekly hours have no week
        ({"places": []}, "site"),  # hours at a place not among the places
        ({"hours-0-site": str(uuid.uuid4())}, "site"),
    ],
)
def test_bad_hours_are_errors_on_their_row(client, org_a, site, overrides, field):
    response = client.post(create_url(org_a), form_data(site, **overrides))
    assert response.status_code == 200
    assert response.context["form"].hours[0].errors.get(field)
    assert not Service.objects.exists()


def test_monthly_hours(client, org_a, site):
    client.post(
        create_url(org_a),
        form_data(
            site,
            **{"hours-0-freq": "MONTHLY", "hours-0-week_of_month": "-1", "hours-0-days": ["FR"]},
        ),
    )
    assert ServiceRevision.objects.get().content["schedules"][0]["byday"] == "-1FR"


@pytest.mark.parametrize("total", ["100000", "-1", "abc"])
def test_forged_formset_counts_are_errors(client, org_a, site, total):
    response = client.post(create_url(org_a), form_data(site, **{"hours-TOTAL_FORMS": total}))
    assert response.status_code == 200
    assert not Service.objects.exists()


def test_a_contact_needs_a_name(client, org_a, site):
    response = client.post(
        create_url(org_a), form_data(site, **{"contacts-0-name": "", "contacts-0-phone": "514"})
    )
    assert response.context["form"].contacts[0].errors.get("name")
    assert not Service.objects.exists()


def test_a_ten_megabyte_field_is_refused_and_saves_nothing(client, org_a, site):
    response = client.post(create_url(org_a), form_data(site, description_fr="x" * 10_000_000))
    assert response.status_code == 400
    assert not Service.objects.exists()


def test_scripts_are_shown_as_text(client, org_a, site):
    client.post(create_url(org_a), form_data(site, name_fr="<script>alert(1)</script>"))
    revision = ServiceRevision.objects.get()
    html = client.get(reverse("directory:manage_revision", args=[revision.pk])).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# --- Editing a published service -------------------------------------------------------------


def test_edit_change_publish_and_read_the_history(client, org_a, site, editor):
    service = factories.published_service(org_a)
    service_url = reverse("directory:manage_service", args=[service.pk])
    assert client.get(service_url).status_code == 200

    started = client.post(reverse("directory:manage_service_edit", args=[service.pk]))
    revision = ServiceRevision.objects.get()
    assert started["Location"] == reverse("directory:manage_revision_edit", args=[revision.pk])
    form_page = client.get(started["Location"])
    assert form_page.context["form"]["name_fr"].value() == "Aide à la recherche de logement"
    assert form_page.context["form"].hours[0]["days"].value() == ["MO", "WE"]

    data = form_data(
        site,
        name_fr="Aide au logement",
        name_en="Housing help",
        languages=["fr", "en", "ar"],
        **{
            "hours-INITIAL_FORMS": "1",
            "hours-0-id": str(service.schedules.get().pk),
            "hours-0-days": ["MO", "WE"],
            "hours-0-opens_at": "09:00",
            "hours-0-closes_at": "16:00",
        },
    )
    saved = client.post(started["Location"], data)
    assert saved.status_code == 302
    service.refresh_from_db()
    assert service.names["fr"] == "Aide à la recherche de logement"  # still the public text

    preview = client.get(reverse("directory:manage_revision", args=[revision.pk]))
    labels = [change.label for change in preview.context["changes"]]
    assert any(label.startswith("Nom") for label in labels)
    assert "Aide au logement" in preview.content.decode()

    schedule_id = service.schedules.get().pk
    client.post(reverse("directory:manage_revision", args=[revision.pk]), {"transition": "publish"})
    service.refresh_from_db()
    assert service.names["fr"] == "Aide au logement"
    assert service.schedules.get().pk == schedule_id  # the same hours, changed, keep their id
    assert service.schedules.get().closes_at.hour == 16

    past = client.get(reverse("directory:manage_revision", args=[revision.pk]))
    assert past.status_code == 200 and past.context["actions"] == []
    assert reverse("directory:manage_service_history", args=[service.pk]) in past.content.decode()

    history = client.get(reverse("directory:manage_service_history", args=[service.pk]))
    entries = history.context["entries"]
    assert [entry.revision.number for entry in entries] == [1]
    html = history.content.decode()
    assert "Aide au logement" in html and str(editor) in html


def test_one_edit_at_a_time(client, org_a):
    service = factories.published_service(org_a)
    url = reverse("directory:manage_service_edit", args=[service.pk])
    client.post(url)
    again = client.post(url)
    assert again.status_code == 200
    assert again.context["error"]
    assert ServiceRevision.objects.count() == 1


def test_a_submitted_edit_cannot_be_changed(client, org_a, editor):
    service = factories.published_service(org_a)
    revision = services.revision_start(service=service, actor=editor)
    ServiceRevision.objects.filter(pk=revision.pk).update(state=RevisionState.SUBMITTED)
    url = reverse("directory:manage_revision_edit", args=[revision.pk])
    assert client.get(url)["Location"] == reverse("directory:manage_revision", args=[revision.pk])
    before = ServiceRevision.objects.get(pk=revision.pk).content
    client.post(url, form_data(name_fr="Piraté"))
    assert ServiceRevision.objects.get(pk=revision.pk).content == before


def test_bad_edits_change_nothing(client, org_a, editor):
    service = factories.published_service(org_a)
    revision = services.revision_start(service=service, actor=editor)
    url = reverse("directory:manage_revision_edit", args=[revision.pk])
    before = ServiceRevision.objects.get(pk=revision.pk).content
    response = client.post(url, form_data(name_en="", description_fr="y" * 5000))
    assert errors_of(response, "name_en") and errors_of(response, "description_fr")
    assert ServiceRevision.objects.get(pk=revision.pk).content == before


@pytest.mark.parametrize("transition", ["", "approve", "delete", "x" * 10_000])
def test_bad_or_forbidden_transitions(client, org_a, editor, transition):
    service = factories.published_service(org_a)
    revision = services.revision_start(service=service, actor=editor)
    response = client.post(
        reverse("directory:manage_revision", args=[revision.pk]), {"transition": transition}
    )
    assert response.status_code in (200, 403)
    revision.refresh_from_db()
    assert revision.state == RevisionState.DRAFT


def test_withdraw(client, org_a, editor):
    service = factories.published_service(org_a)
    revision = services.revision_start(service=service, actor=editor)
    response = client.post(
        reverse("directory:manage_revision", args=[revision.pk]), {"transition": "withdraw"}
    )
    assert response["Location"] == reverse("directory:manage_service", args=[service.pk])
    revision.refresh_from_db()
    assert revision.state == RevisionState.WITHDRAWN


def test_verify(client, org_a):
    service = factories.published_service(org_a)
    Service.objects.filter(pk=service.pk).update(assured_date=date(2020, 1, 1))
    url = reverse("directory:manage_service_verify", args=[service.pk])
    assert client.get(url).status_code == 200
    response = client.post(url)
    assert response["Location"] == reverse("directory:manage_service", args=[service.pk])
    service.refresh_from_db()
    assert service.assured_date == timezone.localdate()
    listing = client.get(reverse("directory:manage_list"))
    assert listing.context["stale_count"] == 0


# --- Programs -----------------------------------------------------------------------------------


def test_programs_pages(client, org_a):
    url = reverse("directory:manage_program_create", args=[org_a.pk])
    assert client.post(url, {"name_fr": "Accueil", "name_en": ""}).status_code == 200
    assert not Program.objects.exists()
    client.post(url, {"name_fr": "Accueil", "name_en": "Welcome"})
    program = Program.objects.get()
    edit = reverse("directory:manage_program_edit", args=[program.pk])
    assert client.get(edit).context["form"]["name_fr"].value() == "Accueil"
    client.post(edit, {"name_fr": "Accueil et intégration", "name_en": "Welcome"})
    program.refresh_from_db()
    assert program.names["fr"] == "Accueil et intégration"


# --- Review by the city -------------------------------------------------------------------------


def test_review_cycle_through_the_pages(client, client_of, org_a, site, editor, coordinator):
    coordinator_client = client_of(coordinator)
    queue_url = reverse("directory:manage_review_queue")
    required = coordinator_client.post(
        queue_url, {"organization": str(org_a.pk), "reason": "Nouveau"}
    )
    assert required.status_code == 302
    assert ReviewRequirement.objects.get().organization == org_a

    client.post(create_url(org_a), form_data(site))
    revision = ServiceRevision.objects.get()
    revision_url = reverse("directory:manage_revision", args=[revision.pk])
    page = client.get(revision_url)
    assert [a.name for a in page.context["actions"]] == ["submit", "withdraw"]
    refused = client.post(revision_url, {"transition": "publish"})
    assert refused.status_code == 200 and refused.context["form"].errors
    client.post(revision_url, {"transition": "submit"})

    queue = coordinator_client.get(queue_url)
    assert list(queue.context["queue"]) == [revision]
    decision_page = coordinator_client.get(revision_url)
    assert [a.name for a in decision_page.context["actions"]] == ["approve", "return"]

    no_comment = coordinator_client.post(revision_url, {"transition": "return", "comment": ""})
    assert no_comment.context["form"].errors.get("comment")
    revision.refresh_from_db()
    assert revision.state == RevisionState.SUBMITTED

    coordinator_client.post(revision_url, {"transition": "return", "comment": "Ajoutez l'adresse."})
    revision.refresh_from_db()
    assert revision.state == RevisionState.RETURNED
    edit = client.get(reverse("directory:manage_revision_edit", args=[revision.pk]))
    assert "Ajoutez l&#x27;adresse." in edit.content.decode()
    client.post(revision_url, {"transition": "submit"})
    coordinator_client.post(revision_url, {"transition": "approve"})
    service = Service.objects.get()
    assert service.is_published and service.assurer_email == "coordo@example.org"

    history = client.get(reverse("directory:manage_service_history", args=[service.pk]))
    html = history.content.decode()
    assert "Ajoutez l&#x27;adresse." in html


def test_a_coordinator_reads_and_reviews_but_does_not_edit(client_of, org_a, coordinator, editor):
    service = factories.published_service(org_a)
    revision = services.revision_start(service=service, actor=editor)
    coordinator_client = client_of(coordinator)
    for name in ("manage_service", "manage_service_history"):
        url = reverse(f"directory:{name}", args=[service.pk])
        assert coordinator_client.get(url).status_code == 200
    assert (
        coordinator_client.get(reverse("directory:manage_revision", args=[revision.pk])).status_code
        == 200
    )
    for name, arg in (
        ("manage_service_edit", service.pk),
        ("manage_service_verify", service.pk),
        ("manage_revision_edit", revision.pk),
        ("manage_service_create", org_a.pk),
        ("manage_program_create", org_a.pk),
    ):
        url = reverse(f"directory:{name}", args=[arg])
        assert coordinator_client.get(url).status_code == 403
        assert coordinator_client.post(url, form_data()).status_code == 403
    # The draft is not submitted: nothing to decide, and publishing is the organization's.
    response = coordinator_client.post(
        reverse("directory:manage_revision", args=[revision.pk]), {"transition": "publish"}
    )
    assert response.status_code == 403
    before = revision.content
    revision.refresh_from_db()
    assert revision.state == RevisionState.DRAFT and revision.content == before


def test_review_settings(client_of, org_a, coordinator, director_a):
    url = reverse("directory:manage_review_settings", args=[org_a.pk])
    coordinator_client = client_of(coordinator)
    assert coordinator_client.get(url).status_code == 200
    coordinator_client.post(url, {"decision": "require", "reason": "Premiers pas"})
    assert ReviewRequirement.objects.get().reason == "Premiers pas"
    assert client_of(director_a).post(url, {"decision": "lift"}).status_code == 403
    assert ReviewRequirement.objects.exists()
    bad = coordinator_client.post(url, {"decision": "lift", "reason": "x" * 10_000})
    assert bad.status_code == 200 and ReviewRequirement.objects.exists()
    coordinator_client.post(url, {"decision": "lift", "reason": ""})
    assert not ReviewRequirement.objects.exists()


def test_review_pages_are_for_coordinators(client, org_a):
    assert client.get(reverse("directory:manage_review_queue")).status_code == 403
    assert (
        client.get(reverse("directory:manage_review_settings", args=[org_a.pk])).status_code == 403
    )


@pytest.mark.parametrize("organization", ["999999999", "abc", "9" * 30, ""])
def test_requiring_review_of_a_forged_organization_is_a_form_error(
    client_of, coordinator, organization
):
    response = client_of(coordinator).post(
        reverse("directory:manage_review_queue"), {"organization": organization}
    )
    assert response.status_code == 200
    assert response.context["require_form"].errors.get("organization")
    assert not ReviewRequirement.objects.exists()


# --- Isolation ----------------------------------------------------------------------------------


def _staff_urls(service, revision, program, organization):
    return [
        reverse("directory:manage_service", args=[service.pk]),
        reverse("directory:manage_service_edit", args=[service.pk]),
        reverse("directory:manage_service_verify", args=[service.pk]),
        reverse("directory:manage_service_history", args=[service.pk]),
        reverse("directory:manage_revision", args=[revision.pk]),
        reverse("directory:manage_revision_edit", args=[revision.pk]),
        reverse("directory:manage_program_edit", args=[program.pk]),
        reverse("directory:manage_service_create", args=[organization.pk]),
        reverse("directory:manage_program_create", args=[organization.pk]),
        reverse("directory:manage_review_settings", args=[organization.pk]),
    ]


@pytest.fixture
def b_objects(org_b):
    editor_b = factories.member(org_b, Role.COMMUNITY_WORKER)
    service = factories.published_service(org_b, names={"fr": "Secret de B", "en": "B secret"})
    revision = services.revision_start(service=service, actor=editor_b)
    program = Program.objects.create(organization=org_b, names={"fr": "Prog B", "en": "Prog B"})
    return service, revision, program, org_b


@pytest.mark.parametrize("role", [Role.DIRECTOR, Role.COMMUNITY_WORKER, Role.ADMINISTRATOR])
def test_another_organization_gets_404_on_every_staff_url(client_of, org_a, b_objects, role):
    client = client_of(factories.member(org_a, role))
    service, revision, _program, _org = b_objects
    for url in _staff_urls(*b_objects):
        for response in (
            client.get(url),
            client.post(url, {**form_data(name_fr="Piraté"), "transition": "publish"}),
        ):
            assert response.status_code == 404, url
            assert "Secret de B" not in response.content.decode()
    revision.refresh_from_db()
    service.refresh_from_db()
    assert revision.state == RevisionState.DRAFT and service.names["fr"] == "Secret de B"
    assert ServiceRevision.objects.count() == 1


def test_forged_ids_are_404(client):
    for url in (
        reverse("directory:manage_service", args=[uuid.uuid4()]),
        reverse("directory:manage_service_edit", args=[uuid.uuid4()]),
        reverse("directory:manage_program_edit", args=[uuid.uuid4()]),
        reverse("directory:manage_revision", args=[999_999_999]),
        reverse("directory:manage_revision", args=[2**63 + 5]),
        reverse("directory:manage_revision_edit", args=[2**70]),
        reverse("directory:manage_revision", args=[0]),
        reverse("directory:manage_service_create", args=[2**63 + 5]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.get("/services/manage/not-a-uuid/").status_code == 404


def test_non_members_are_sent_to_sign_in(b_objects):
    from django.test import Client

    anonymous = Client()
    for url in [reverse("directory:manage_list"), *_staff_urls(*b_objects)]:
        response = anonymous.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
        assert anonymous.post(url, {"transition": "publish"}).status_code == 302
    revision = b_objects[1]
    revision.refresh_from_db()
    assert revision.state == RevisionState.DRAFT


# --- Admin --------------------------------------------------------------------------------------


def test_the_admin_shows_the_directory_read_only(client_of, org_a, editor):
    admin = factories.UserFactory(is_staff=True, is_superuser=True)
    client = client_of(admin)
    service = factories.published_service(org_a)
    revision = services.revision_start(service=service, actor=editor)
    program = Program.objects.create(organization=org_a, names={"fr": "P", "en": "P"})
    for name in ("service", "servicerevision", "program", "reviewrequirement", "taxonomy"):
        assert client.get(reverse(f"admin:directory_{name}_changelist")).status_code == 200
    for name, pk in (
        ("service", service.pk),
        ("servicerevision", revision.pk),
        ("program", program.pk),
    ):
        assert client.get(reverse(f"admin:directory_{name}_change", args=[pk])).status_code == 200
    assert client.get(reverse("admin:directory_service_add")).status_code == 403
    found = client.get(reverse("admin:directory_service_changelist"), {"q": "logement"})
    assert found.status_code == 200 and found.context["cl"].result_count == 1
    names = service.names
    client.post(reverse("admin:directory_service_change", args=[service.pk]), {"status": "defunct"})
    service.refresh_from_db()
    assert service.names == names and service.status == "active"

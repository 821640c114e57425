"""Staff pages of activities: forms parse, services decide, errors sit next to their fields."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ancrage.activities.models import (
    Activity,
    ActivityType,
    Attendance,
    OutreachContact,
    Recurrence,
    Session,
)
from ancrage.core.choices import Role
from ancrage.core.models import Audience, AuditEvent, Language
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(org_a):
    return factories.member(org_a, Role.LIAISON_OFFICER)


@pytest.fixture
def client(officer, client_of):
    return client_of(officer)


@pytest.fixture
def activity(org_a):
    return factories.ActivityFactory(organization=org_a)


def days_ago(days, hour=18):
    moment = timezone.localtime() - timedelta(days=days)
    return moment.replace(hour=hour, minute=0, second=0, microsecond=0)


def errors_of(response, field):
    return [str(e) for e in response.context["form"].errors.get(field, [])]


# --- List ---------------------------------------------------------------------------------------


def test_list_shows_upcoming_first_and_links_missing_attendance(client, activity, org_b):
    past = factories.SessionFactory(activity=activity)
    counted = factories.SessionFactory(activity=activity, starts_at=days_ago(3))
    Attendance.objects.create(session=counted, others=2, total=2)
    soon = timezone.now() + timedelta(days=2)
    factories.SessionFactory(activity=activity, starts_at=soon, ends_at=soon + timedelta(hours=1))
    foreign = factories.ActivityFactory(
        organization=org_b, title={"fr": "Secret de B", "en": "B's secret"}
    )
    factories.SessionFactory(activity=foreign)

    response = client.get(reverse("activities:manage_list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Secret de B" not in html
    assert html.index('id="upcoming-title"') < html.index('id="missing-title"')
    assert reverse("activities:manage_attendance", args=[past.pk]) in html
    assert reverse("activities:manage_attendance", args=[counted.pk]) not in html
    assert list(response.context["missing"]) == [past]


def test_list_needs_the_capability(client_of, org_a):
    data_steward = factories.member(org_a, Role.DATA_STEWARD)
    assert client_of(data_steward).get(reverse("activities:manage_list")).status_code == 403


# --- Activity form ------------------------------------------------------------------------------


def activity_post(**overrides):
    data = {
        "title_fr": "Café-jasette du lavoir",
        "title_en": "Laundromat Coffee and Chat",
        "description_fr": "On jase en attendant son linge.",
        "description_en": "",
        "activity_type": str(ActivityType.objects.get(code="coffee-and-chat").pk),
        "category": "mixed",
        "site": "",
        "venue_kind": "laundromat",
        "venue_name": "Buanderie Sauvé",
        "venue_address": "4000, boulevard Henri-Bourassa",
        "borough": str(factories.borough("montreal-nord").pk),
        "audiences": [str(a.pk) for a in Audience.objects.all()[:2]],
        "languages": [str(lang.pk) for lang in Language.objects.all()[:2]],
        "format": "drop_in",
        "capacity": "",
        "interpreter_present": "on",
        "is_public": "on",
    }
    data.update(overrides)
    return data


def test_create_activity(client, org_a, org_b, officer):
    partnership = factories.PartnershipFactory(
        organization=org_a, partner=org_b, kinds=["reference", "activities"]
    )
    url = reverse("activities:manage_activity_create", args=[org_a.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert org_b.name in page.content.decode()  # partners offered from the partnerships

    response = client.post(url, activity_post(partnerships=[str(partnership.pk)]))
    activity = Activity.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("activities:manage_activity", args=[activity.pk])
    assert activity.title == {"fr": "Café-jasette du lavoir", "en": "Laundromat Coffee and Chat"}
    assert activity.description == {"fr": "On jase en attendant son linge."}
    assert activity.borough.code == "montreal-nord" and activity.is_outside
    assert activity.interpreter_present and not activity.community_leader_present
    assert activity.audiences.count() == 2 and activity.languages.count() == 2
    assert activity.officer == officer and activity.organization == org_a
    link = activity.partner_links.get()
    assert link.partner == org_b and link.kinds == ["reference", "activities"]
    detail = client.get(response["Location"])
    assert detail.status_code == 200
    assert "Café-jasette du lavoir" in detail.content.decode()


def test_activity_errors_are_next_to_their_fields(client, org_a, org_b):
    url = reverse("activities:manage_activity_create", args=[org_a.pk])
    response = client.post(url, activity_post(title_en=""))
    assert response.status_code == 200
    assert errors_of(response, "title_en")  # the missing language, not the French one
    assert not errors_of(response, "title_fr")
    assert 'id="id_title_en_error"' in response.content.decode()

    foreign_site = factories.SiteFactory(organization=org_b)
    response = client.post(url, activity_post(site=str(foreign_site.pk), venue_kind="library"))
    assert errors_of(response, "site")  # not offered: the form refuses it

    response = client.post(url, activity_post(format="registration", capacity=""))
    assert errors_of(response, "capacity")
    assert not Activity.objects.exists()


def test_edit_activity(client, org_a, org_b, officer):
    activity = factories.ActivityFactory(
        organization=org_a,
        title={"fr": "Café-jasette", "en": "Coffee and Chat"},
        description={"fr": "Ancienne description."},
    )
    audience = Audience.objects.first()
    activity.audiences.set([audience])
    partnership = factories.PartnershipFactory(
        organization=org_a, partner=org_b, kinds=["reference"]
    )
    url = reverse("activities:manage_activity_edit", args=[activity.pk])
    detail = client.get(reverse("activities:manage_activity", args=[activity.pk]))
    assert url in detail.content.decode()  # linked from the activity

    page = client.get(url)
    assert page.status_code == 200
    form = page.context["form"]
    assert form["title_fr"].value() == "Café-jasette"  # prefilled
    assert form["description_fr"].value() == "Ancienne description."
    assert form["venue_kind"].value() == "library"
    assert [int(pk) for pk in form["audiences"].value()] == [audience.pk]

    response = client.post(url, activity_post(partnerships=[str(partnership.pk)]))
    assert response.status_code == 302
    assert response["Location"] == reverse("activities:manage_activity", args=[activity.pk])
    activity.refresh_from_db()
    assert activity.title == {"fr": "Café-jasette du lavoir", "en": "Laundromat Coffee and Chat"}
    assert activity.venue_kind == "laundromat" and activity.borough.code == "montreal-nord"
    assert activity.audiences.count() == 2 and activity.organization == org_a
    assert activity.partner_links.get().partner == org_b
    event = AuditEvent.objects.get(
        action="change", target_type="activities.activity", target_id=str(activity.pk)
    )
    assert event.actor_id == officer.pk and "title" in event.details["fields"]


def test_invalid_edit_shows_the_errors_and_changes_nothing(client, org_a, org_b, activity):
    url = reverse("activities:manage_activity_edit", args=[activity.pk])
    before = Activity.objects.values().get(pk=activity.pk)

    response = client.post(url, activity_post(title_en=""))
    assert response.status_code == 200
    assert errors_of(response, "title_en")
    assert 'id="id_title_en_error"' in response.content.decode()
    assert activity.name in response.content.decode()  # the page names the activity as it is

    response = client.post(url, activity_post(format="registration", capacity=""))
    assert errors_of(response, "capacity")

    foreign_site = factories.SiteFactory(organization=org_b)
    response = client.post(url, activity_post(site=str(foreign_site.pk), venue_kind="library"))
    assert response.status_code == 200
    assert errors_of(response, "site")  # not offered: the form refuses it
    assert Activity.objects.values().get(pk=activity.pk) == before
    assert not AuditEvent.objects.filter(action="change").exists()


def test_editing_keeps_a_retired_site_and_activity_type(client, org_a):
    site = factories.SiteFactory(organization=org_a, is_active=False)
    activity = factories.ActivityFactory(organization=org_a, site=site, borough=site.borough)
    ActivityType.objects.filter(pk=activity.activity_type_id).update(is_active=False)
    url = reverse("activities:manage_activity_edit", args=[activity.pk])
    data = activity_post(
        site=str(site.pk), venue_kind="library", activity_type=str(activity.activity_type_id)
    )
    assert client.post(url, data).status_code == 302
    activity.refresh_from_db()
    assert activity.site == site and activity.title["en"] == "Laundromat Coffee and Chat"


# --- Sessions -----------------------------------------------------------------------------------


def test_add_one_session(client, activity):
    url = reverse("activities:manage_session_new", args=[activity.pk])
    response = client.post(url, {"day": "2027-03-02", "start_time": "10:00", "end_time": "11:30"})
    assert response.status_code == 302
    session = activity.sessions.get()
    assert timezone.localtime(session.starts_at).strftime("%Y-%m-%d %H:%M") == "2027-03-02 10:00"
    assert session.hours == 1.5

    response = client.post(url, {"day": "2027-03-02", "start_time": "10:00", "end_time": "09:00"})
    assert response.status_code == 200 and errors_of(response, "end_time")
    assert activity.sessions.count() == 1


def test_create_a_series(client, activity):
    url = reverse("activities:manage_series_new", args=[activity.pk])
    response = client.post(
        url,
        {
            "weekdays": ["TU", "TH"],
            "start_date": "2026-10-20",
            "start_time": "18:00",
            "duration_minutes": "90",
            "count": "6",
        },
    )
    assert response.status_code == 302
    assert Recurrence.objects.get(activity=activity).rrule == "FREQ=WEEKLY;BYDAY=TU,TH;COUNT=6"
    starts = [timezone.localtime(s.starts_at) for s in activity.sessions.order_by("starts_at")]
    assert [s.strftime("%m-%d") for s in starts] == [
        "10-20",
        "10-22",
        "10-27",
        "10-29",
        "11-03",
        "11-05",
    ]
    assert {s.strftime("%H:%M") for s in starts} == {"18:00"}
    # The detail page no longer offers a second series.
    detail = client.get(reverse("activities:manage_activity", args=[activity.pk]))
    assert detail.context["series_form"] is None


def test_series_until_a_date_and_series_without_end(client, activity):
    url = reverse("activities:manage_series_new", args=[activity.pk])
    base = {"weekdays": ["MO"], "start_date": "2027-01-04", "start_time": "09:30"}
    response = client.post(url, {**base, "duration_minutes": "60"})
    assert response.status_code == 200
    assert errors_of(response, "count")  # neither a number nor a last date
    assert not activity.sessions.exists()

    response = client.post(url, {**base, "duration_minutes": "60", "until": "2027-01-25"})
    assert response.status_code == 302
    assert activity.sessions.count() == 4


def test_cancel_and_move_a_session(client, activity):
    start = timezone.now() + timedelta(days=7)
    session = factories.SessionFactory(
        activity=activity, starts_at=start, ends_at=start + timedelta(hours=1)
    )
    cancel = reverse("activities:manage_session_cancel", args=[session.pk])
    assert client.get(cancel).status_code == 200  # a confirmation page
    assert client.post(cancel).status_code == 302
    session.refresh_from_db()
    assert session.status == Session.Status.CANCELLED

    other = factories.SessionFactory(
        activity=activity, starts_at=start, ends_at=start + timedelta(hours=1)
    )
    move = reverse("activities:manage_session_move", args=[other.pk])
    assert client.get(move).context["form"].initial["day"] == timezone.localtime(start).date()
    response = client.post(move, {"day": "2027-05-04", "start_time": "13:00", "end_time": "14:00"})
    assert response.status_code == 302
    other.refresh_from_db()
    assert timezone.localtime(other.starts_at).strftime("%Y-%m-%d %H:%M") == "2027-05-04 13:00"


# --- Attendance grid ----------------------------------------------------------------------------

TWENTY = {"newcomers": "12", "immigrants": "5", "others": "3", "women": "11", "children": "4"}


def test_grid_is_made_for_the_keyboard(client, activity):
    session = factories.SessionFactory(activity=activity)
    html = client.get(reverse("activities:manage_attendance", args=[session.pk])).content.decode()
    names = [
        "newcomers",
        "immigrants",
        "others",
        "women",
        "children",
        "families",
        "library_non_users",
        "waiting_list",
    ]
    positions = [html.index(f'name="{name}"') for name in names]
    assert positions == sorted(positions)  # natural tab order
    assert html.count('inputmode="numeric"') == len(names)
    assert html.count("autofocus") == 1
    assert html.index("autofocus") > html.index('name="newcomers"') > html.index("autofocus") - 300
    assert "tabindex=" not in html.split("<main", 1)[1].replace('tabindex="-1"', "")
    assert 'type="submit"' in html


def test_grid_saves_and_goes_to_the_next_missing_session(client, activity, org_b):
    first = factories.SessionFactory(activity=activity, starts_at=days_ago(9))
    later = factories.SessionFactory(activity=activity, starts_at=days_ago(2))
    factories.SessionFactory(activity=factories.ActivityFactory(organization=org_b))

    response = client.post(reverse("activities:manage_attendance", args=[first.pk]), TWENTY)
    assert response.status_code == 302
    assert response["Location"] == reverse("activities:manage_attendance", args=[later.pk])
    attendance = Attendance.objects.get(session=first)
    assert (attendance.total, attendance.women, attendance.families) == (20, 11, 0)

    page = client.get(response["Location"])
    assert "20" in str(list(page.context["messages"])[0])

    response = client.post(
        reverse("activities:manage_attendance", args=[later.pk]), {"others": "4"}
    )
    assert response["Location"] == reverse("activities:manage_list")  # none left in A
    page = client.get(reverse("activities:manage_attendance", args=[later.pk]))
    assert page.context["form"].initial["others"] == 4
    assert 'id="live-total"' in page.content.decode()


@pytest.mark.parametrize(
    ("post", "field"),
    [
        ({"newcomers": "-2"}, "newcomers"),
        ({"newcomers": "douze"}, "newcomers"),
        ({"immigrants": "1.5"}, "immigrants"),
        ({"newcomers": "3", "women": "4"}, "women"),
    ],
)
def test_grid_errors_are_next_to_the_field_and_nothing_is_saved(client, activity, post, field):
    session = factories.SessionFactory(activity=activity)
    response = client.post(reverse("activities:manage_attendance", args=[session.pk]), post)
    assert response.status_code == 200
    assert errors_of(response, field)
    html = response.content.decode()
    assert f'id="id_{field}_error"' in html
    assert 'aria-invalid="true"' in html
    assert not Attendance.objects.exists()


def test_grid_refuses_over_capacity_future_and_cancelled(client, org_a):
    activity = factories.ActivityFactory(organization=org_a, capacity=10, format="registration")
    session = factories.SessionFactory(activity=activity)
    response = client.post(reverse("activities:manage_attendance", args=[session.pk]), TWENTY)
    assert errors_of(response, "newcomers")

    soon = timezone.now() + timedelta(days=1)
    future = factories.SessionFactory(
        activity=activity, starts_at=soon, ends_at=soon + timedelta(hours=1)
    )
    cancelled = factories.SessionFactory(activity=activity, status=Session.Status.CANCELLED)
    for other in (future, cancelled):
        response = client.post(
            reverse("activities:manage_attendance", args=[other.pk]), {"others": "2"}
        )
        assert response.status_code == 200
        assert response.context["form"].non_field_errors()
    assert not Attendance.objects.exists()


# --- Outreach -----------------------------------------------------------------------------------


def test_outreach_log(client, org_a, officer):
    url = reverse("activities:manage_outreach_create", args=[org_a.pk])
    assert client.get(url).status_code == 200
    data = {
        "met_on": timezone.localdate().isoformat(),
        "venue_kind": "laundromat",
        "place": "Buanderie Sauvé",
        "borough": str(factories.borough("montreal-nord").pk),
        "people_met": "14",
        "came_to_library_later": "",
        "notes": "",
    }
    assert client.post(url, data).status_code == 302
    contact = OutreachContact.objects.get()
    assert (contact.people_met, contact.came_to_library_later) == (14, 0)
    assert contact.officer == officer

    response = client.post(url, {**data, "came_to_library_later": "15"})
    assert response.status_code == 200 and errors_of(response, "came_to_library_later")
    assert OutreachContact.objects.count() == 1
    assert "Buanderie Sauvé" in response.content.decode()


# --- Isolation ----------------------------------------------------------------------------------


def test_other_organizations_ids_are_404(client, org_b):
    foreign = factories.ActivityFactory(organization=org_b)
    session = factories.SessionFactory(activity=foreign)
    urls = [
        reverse("activities:manage_activity_create", args=[org_b.pk]),
        reverse("activities:manage_outreach_create", args=[org_b.pk]),
        reverse("activities:manage_activity", args=[foreign.pk]),
        reverse("activities:manage_activity_edit", args=[foreign.pk]),
        reverse("activities:manage_session_new", args=[foreign.pk]),
        reverse("activities:manage_series_new", args=[foreign.pk]),
        reverse("activities:manage_attendance", args=[session.pk]),
        reverse("activities:manage_session_cancel", args=[session.pk]),
        reverse("activities:manage_session_move", args=[session.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
        assert client.post(url, TWENTY).status_code == 404, url
    assert not Attendance.objects.exists()
    assert Session.objects.get(pk=session.pk).status == Session.Status.SCHEDULED


def test_member_without_the_capability_gets_403(client_of, org_a, activity):
    data_steward = factories.member(org_a, Role.DATA_STEWARD)
    session = factories.SessionFactory(activity=activity)
    response = client_of(data_steward).post(
        reverse("activities:manage_attendance", args=[session.pk]), TWENTY
    )
    assert response.status_code == 403
    assert not Attendance.objects.exists()
    edit = reverse("activities:manage_activity_edit", args=[activity.pk])
    assert client_of(data_steward).get(edit).status_code == 403
    assert client_of(data_steward).post(edit, activity_post()).status_code == 403
    assert Activity.objects.get(pk=activity.pk).title == activity.title


def test_sessions_of_the_same_activity_at_two_branches_are_told_apart(client, org_a):
    """An officer running the same Coffee and Chat in four libraries sees where each session is."""
    title = {"fr": "Café-jasette", "en": "Coffee and Chat"}
    for name in ("Bibliothèque Le Prévost", "Bibliothèque de Saint-Michel"):
        site = factories.SiteFactory(organization=org_a, name=name)
        activity = factories.ActivityFactory(organization=org_a, title=title, site=site)
        soon = timezone.now() + timedelta(days=2)
        factories.SessionFactory(
            activity=activity, starts_at=soon, ends_at=soon + timedelta(hours=1)
        )
        factories.SessionFactory(activity=activity)  # past, attendance missing
    page = client.get(reverse("activities:manage_list")).content.decode()
    upcoming, missing = page.split('id="missing-title"')[0], page.split('id="missing-title"')[1]
    for section in (upcoming, missing):
        assert "Bibliothèque Le Prévost" in section and "Bibliothèque de Saint-Michel" in section


@pytest.mark.parametrize("field", ["audiences", "languages", "needs", "partnerships"])
@pytest.mark.parametrize(
    "forged", [str(2**70), "-1", "abc", "00000000-0000-0000-0000-000000000000"]
)
def test_forged_choices_are_a_form_error_not_a_crash(client, org_a, field, forged):
    url = reverse("activities:manage_activity_create", args=[org_a.pk])
    response = client.post(url, activity_post(**{field: [forged]}))
    assert response.status_code == 200
    assert errors_of(response, field)
    assert not Activity.objects.exists()


def test_needs_addressed_are_chosen_from_the_directory_taxonomy(client, org_a):
    from ancrage.directory.needs import needs_terms

    employment = needs_terms().get(code="employment")
    url = reverse("activities:manage_activity_create", args=[org_a.pk])
    assert "Emploi et recherche d&#x27;emploi" in client.get(url).content.decode()
    response = client.post(url, activity_post(needs=[str(employment.pk)]))
    assert response.status_code == 302
    assert list(Activity.objects.get().needs.all()) == [employment]

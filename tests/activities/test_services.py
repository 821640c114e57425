"""The write services of activities: every refusal leaves the database as it was."""

import time as clock
from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from ancrage.activities import services
from ancrage.activities.models import (
    Activity,
    ActivityType,
    Attendance,
    OutreachContact,
    Recurrence,
    Session,
)
from ancrage.core.choices import Role
from ancrage.core.models import AuditEvent
from tests import factories

pytestmark = pytest.mark.django_db


def local(year, month, day, hour=18, minute=0):
    return timezone.make_aware(datetime(year, month, day, hour, minute))


@pytest.fixture
def officer(org_a):
    return factories.member(org_a, Role.LIAISON_OFFICER)


@pytest.fixture
def activity(org_a):
    return factories.ActivityFactory(organization=org_a)


@pytest.fixture
def past_session(activity):
    return factories.SessionFactory(activity=activity)


def create_activity(officer, organization, **overrides):
    arguments = {
        "actor": officer,
        "organization": organization,
        "title": {"fr": "Café-jasette", "en": "Coffee and Chat"},
        "activity_type": ActivityType.objects.get(code="coffee-and-chat"),
        "category": Activity.Category.MIXED,
        "venue_kind": Activity.VenueKind.LAUNDROMAT,
        "venue_name": "Buanderie Sauvé",
        "borough": factories.borough("montreal-nord"),
        "format": Activity.Format.DROP_IN,
    }
    arguments.update(overrides)
    return services.activity_create(**arguments)


# --- Activities ---------------------------------------------------------------------------------


def test_activity_create_stores_both_languages_and_audits(officer, org_a):
    activity = create_activity(officer, org_a)
    assert activity.title == {"fr": "Café-jasette", "en": "Coffee and Chat"}
    assert activity.borough.code == "montreal-nord"
    assert activity.is_outside
    assert AuditEvent.objects.filter(
        action="create", target_type="activities.activity", target_id=str(activity.pk)
    ).exists()


def test_title_missing_english_is_refused(officer, org_a):
    with pytest.raises(ValidationError) as error:
        create_activity(officer, org_a, title={"fr": "Café-jasette", "en": "  "})
    assert "title" in error.value.message_dict
    assert not Activity.objects.exists()


def test_site_of_another_organization_is_refused(officer, org_a, org_b):
    foreign_site = factories.SiteFactory(organization=org_b)
    with pytest.raises(ValidationError) as error:
        create_activity(officer, org_a, site=foreign_site, venue_kind="library")
    assert "site" in error.value.message_dict
    assert not Activity.objects.exists()


def test_site_gives_its_borough(officer, org_a):
    site = factories.SiteFactory(organization=org_a, borough=factories.borough("lasalle"))
    activity = create_activity(officer, org_a, site=site, venue_kind="library", borough=None)
    assert activity.borough.code == "lasalle"
    assert not activity.is_outside


def test_partners_are_linked_with_their_kinds(officer, org_a, org_b):
    activity = create_activity(officer, org_a, partners={org_b: ["reference", "activities"]})
    link = activity.partner_links.get()
    assert link.partner == org_b and link.kinds == ["reference", "activities"]


def test_activity_update_changes_the_fields_given_and_audits_them(officer, org_a, org_b):
    org_c = factories.OrganizationFactory(name="Organisme C")
    activity = create_activity(officer, org_a, partners={org_b: ["reference"]})
    site = factories.SiteFactory(organization=org_a, borough=factories.borough("lasalle"))
    services.activity_update(
        actor=officer,
        activity=activity,
        title={"fr": " Café-jasette du parc ", "en": "Coffee and Chat in the park"},
        site=site,
        venue_kind=Activity.VenueKind.LIBRARY,
        format=Activity.Format.REGISTRATION,
        capacity=12,
        partners={org_c: ["activities", "activities"]},
    )
    activity.refresh_from_db()
    assert activity.title == {"fr": "Café-jasette du parc", "en": "Coffee and Chat in the park"}
    assert activity.site == site and activity.borough.code == "lasalle"  # the site's borough
    assert activity.capacity == 12 and activity.organization == org_a
    assert activity.venue_name == "Buanderie Sauvé"  # not given: unchanged
    link = activity.partner_links.get()  # replaced, not added
    assert link.partner == org_c and link.kinds == ["activities"]
    event = AuditEvent.objects.get(
        action="change", target_type="activities.activity", target_id=str(activity.pk)
    )
    assert event.organization_id == org_a.pk
    assert set(event.details["fields"]) == {
        "title",
        "site",
        "venue_kind",
        "borough",
        "format",
        "capacity",
        "partners",
    }


def test_activity_update_keeps_partners_when_not_given(officer, org_a, org_b):
    activity = create_activity(officer, org_a, partners={org_b: ["reference"]})
    services.activity_update(actor=officer, activity=activity, partners=None, capacity=5)
    assert activity.partner_links.get().partner == org_b
    services.activity_update(actor=officer, activity=activity, partners={})
    assert not activity.partner_links.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        (lambda a, b: {"title": {"fr": "Café-jasette", "en": ""}}, "title"),
        (lambda a, b: {"format": Activity.Format.REGISTRATION, "capacity": None}, "capacity"),
        (lambda a, b: {"venue_kind": "spaceship"}, "venue_kind"),
        (lambda a, b: {"category": "spaceship", "partners": {}}, "category"),
        (lambda a, b: {"partners": {a: ["reference"]}}, "partners"),
        (lambda a, b: {"partners": {b: ["friendship"]}}, "partners"),
    ],
)
def test_invalid_activity_update_changes_nothing(officer, org_a, org_b, overrides, field):
    activity = create_activity(officer, org_a, partners={org_b: ["reference"]})
    overrides = overrides(org_a, org_b)
    with pytest.raises(ValidationError) as error:
        services.activity_update(actor=officer, activity=activity, **overrides)
    assert field in error.value.message_dict
    assert activity.title == {"fr": "Café-jasette", "en": "Coffee and Chat"}
    stored = Activity.objects.get(pk=activity.pk)
    assert stored.title == activity.title and stored.format == Activity.Format.DROP_IN
    assert stored.partner_links.get().kinds == ["reference"]
    assert not AuditEvent.objects.filter(action="change").exists()


def test_activity_update_refuses_a_site_of_another_organization(officer, org_a, org_b):
    activity = create_activity(officer, org_a)
    foreign_site = factories.SiteFactory(organization=org_b)
    with pytest.raises(ValidationError) as error:
        services.activity_update(
            actor=officer, activity=activity, site=foreign_site, venue_kind="library"
        )
    assert "site" in error.value.message_dict
    assert Activity.objects.get(pk=activity.pk).site is None


def test_activity_update_cannot_move_the_activity_to_another_organization(officer, org_a, org_b):
    activity = create_activity(officer, org_a)
    with pytest.raises(TypeError):
        services.activity_update(actor=officer, activity=activity, organization=org_b)
    assert Activity.objects.get(pk=activity.pk).organization == org_a


# --- Sessions and series ------------------------------------------------------------------------


def test_one_off_session(officer, activity):
    session = services.session_schedule(
        actor=officer,
        activity=activity,
        starts_at=local(2026, 3, 3, 10),
        ends_at=local(2026, 3, 3, 12),
    )
    assert session.status == Session.Status.SCHEDULED and session.hours == 2


def test_session_ending_before_it_starts_is_refused(officer, activity):
    with pytest.raises(ValidationError):
        services.session_schedule(
            actor=officer,
            activity=activity,
            starts_at=local(2026, 3, 3, 12),
            ends_at=local(2026, 3, 3, 10),
        )
    assert not Session.objects.exists()


def test_series_keeps_local_time_across_the_dst_change(officer, activity):
    # Montréal leaves daylight saving time on Sunday 1 November 2026.
    sessions = services.series_schedule(
        actor=officer,
        activity=activity,
        rrule="FREQ=WEEKLY;BYDAY=TU;COUNT=4",
        first_start=local(2026, 10, 20, 18),
        duration_minutes=90,
    )
    assert len(sessions) == 4 == activity.sessions.count()
    starts = [timezone.localtime(s.starts_at) for s in activity.sessions.order_by("starts_at")]
    assert [s.date() for s in starts] == [
        date(2026, 10, 20),
        date(2026, 10, 27),
        date(2026, 11, 3),
        date(2026, 11, 10),
    ]
    assert {(s.hour, s.minute) for s in starts} == {(18, 0)}
    # …which is a different UTC hour after the change.
    assert [s.astimezone(UTC).hour for s in starts] == [22, 22, 23, 23]
    for session in activity.sessions.all():
        assert session.ends_at - session.starts_at == timedelta(minutes=90)
        assert session.original_start == session.starts_at
    assert Recurrence.objects.get(activity=activity).rrule == "FREQ=WEEKLY;BYDAY=TU;COUNT=4"


def test_series_until_a_date(officer, activity):
    sessions = services.series_schedule(
        actor=officer,
        activity=activity,
        rrule="FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20260131T235959",
        first_start=local(2026, 1, 5, 9, 30),
        duration_minutes=60,
    )
    assert len(sessions) == 8  # 5, 7, 12, 14, 19, 21, 26, 28 January


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=WEEKLY;BYDAY=TU",  # never ends
        "FREQ=DAILY",
    ],
)
def test_rule_without_end_is_refused(officer, activity, rule):
    with pytest.raises(ValidationError) as error:
        services.series_schedule(
            actor=officer,
            activity=activity,
            rrule=rule,
            first_start=local(2026, 1, 5),
            duration_minutes=60,
        )
    assert "rrule" in error.value.message_dict
    assert not Session.objects.exists() and not Recurrence.objects.exists()


def test_rule_of_100000_occurrences_is_refused_quickly(officer, activity):
    started = clock.monotonic()
    for rule in ("FREQ=DAILY;COUNT=100000", "FREQ=WEEKLY;UNTIL=99991231T000000"):
        with pytest.raises(ValidationError) as error:
            services.series_schedule(
                actor=officer,
                activity=activity,
                rrule=rule,
                first_start=local(2026, 1, 5),
                duration_minutes=60,
            )
        assert "rrule" in error.value.message_dict
    assert clock.monotonic() - started < 2
    assert not Session.objects.exists() and not Recurrence.objects.exists()


@pytest.mark.parametrize(
    "rule",
    [
        "not a rule",
        "FREQ=FORTNIGHTLY;COUNT=3",
        "FREQ=WEEKLY;BYDAY=XX;COUNT=3",
        "FREQ=WEEKLY;COUNT=-1",
        "FREQ=SECONDLY;COUNT=3",  # sessions repeat by the day at the finest
        "FREQ=WEEKLY;COUNT=3\nDTSTART:20200101T000000",
        "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30;COUNT=2",  # never happens: refused without searching
        "FREQ=WEEKLY;COUNT=0",
    ],
)
def test_bad_rule_is_refused(officer, activity, rule):
    started = clock.monotonic()
    with pytest.raises(ValidationError) as error:
        services.series_schedule(
            actor=officer,
            activity=activity,
            rrule=rule,
            first_start=local(2026, 1, 5),
            duration_minutes=60,
        )
    assert "rrule" in error.value.message_dict
    assert clock.monotonic() - started < 1
    assert not Session.objects.exists() and not Recurrence.objects.exists()


def test_bad_duration_and_second_series_are_refused(officer, activity):
    arguments = {
        "actor": officer,
        "activity": activity,
        "rrule": "FREQ=WEEKLY;COUNT=2",
        "first_start": local(2026, 1, 5),
    }
    with pytest.raises(ValidationError):
        services.series_schedule(**arguments, duration_minutes=0)
    services.series_schedule(**arguments, duration_minutes=60)
    with pytest.raises(ValidationError):
        services.series_schedule(**arguments, duration_minutes=60)
    assert activity.sessions.count() == 2


def test_cancel_and_move(officer, activity):
    first, second = services.series_schedule(
        actor=officer,
        activity=activity,
        rrule="FREQ=WEEKLY;COUNT=2",
        first_start=local(2027, 1, 5),
        duration_minutes=60,
    )
    services.session_cancel(actor=officer, session=first)
    first.refresh_from_db()
    assert first.status == Session.Status.CANCELLED

    services.session_move(
        actor=officer,
        session=second,
        starts_at=local(2027, 1, 13, 19),
        ends_at=local(2027, 1, 13, 20),
    )
    second.refresh_from_db()
    assert timezone.localtime(second.starts_at) == local(2027, 1, 13, 19)
    assert second.original_start == local(2027, 1, 12)  # what the rule produced is kept

    with pytest.raises(ValidationError):  # a cancelled session does not move
        services.session_move(
            actor=officer, session=first, starts_at=local(2027, 2, 1), ends_at=local(2027, 2, 1, 19)
        )


def test_session_with_attendance_is_not_cancelled_nor_moved_to_the_future(officer, past_session):
    services.attendance_record(actor=officer, session=past_session, counts={"others": 3})
    with pytest.raises(ValidationError):
        services.session_cancel(actor=officer, session=Session.objects.get(pk=past_session.pk))
    before = Session.objects.get(pk=past_session.pk).starts_at
    tomorrow = timezone.now() + timedelta(days=1)
    with pytest.raises(ValidationError):
        services.session_move(
            actor=officer,
            session=Session.objects.get(pk=past_session.pk),
            starts_at=tomorrow,
            ends_at=tomorrow + timedelta(hours=1),
        )
    session = Session.objects.get(pk=past_session.pk)
    assert session.status == Session.Status.SCHEDULED and session.starts_at == before


# --- Attendance ---------------------------------------------------------------------------------

TWENTY = {"newcomers": 12, "immigrants": 5, "others": 3, "women": 11, "children": 4}


def test_total_is_the_sum_of_origins(officer, past_session):
    attendance = services.attendance_record(actor=officer, session=past_session, counts=TWENTY)
    assert attendance.total == 20
    assert attendance.recorded_by == officer
    assert attendance.families == 0  # missing counts are 0
    # Correcting replaces, it does not add a second row.
    corrected = services.attendance_record(
        actor=officer, session=past_session, counts={**TWENTY, "others": 4}
    )
    assert corrected.total == 21 and Attendance.objects.count() == 1


@pytest.mark.parametrize(
    ("counts", "field"),
    [
        ({"newcomers": -1}, "newcomers"),
        ({"newcomers": "12"}, "newcomers"),
        ({"others": 2.5}, "others"),
        ({"others": True}, "others"),
        ({"others": 10_001}, "others"),
        ({"newcomers": 3, "women": 4}, "women"),  # a profile count larger than the total
        ({"newcomers": 1, "children": 2}, "children"),
    ],
)
def test_bad_counts_are_refused_and_nothing_is_saved(officer, past_session, counts, field):
    with pytest.raises(ValidationError) as error:
        services.attendance_record(actor=officer, session=past_session, counts=counts)
    assert field in error.value.message_dict
    assert not Attendance.objects.exists()


def test_unknown_count_is_refused(officer, past_session):
    with pytest.raises(ValidationError):
        services.attendance_record(actor=officer, session=past_session, counts={"pets": 2})
    assert not Attendance.objects.exists()


def test_over_capacity_is_refused(officer, org_a):
    activity = factories.ActivityFactory(organization=org_a, capacity=15, format="registration")
    session = factories.SessionFactory(activity=activity)
    with pytest.raises(ValidationError) as error:
        services.attendance_record(actor=officer, session=session, counts=TWENTY)
    assert "newcomers" in error.value.message_dict
    assert not Attendance.objects.exists()
    services.attendance_record(
        actor=officer, session=session, counts={"newcomers": 15, "waiting_list": 5}
    )


def test_future_and_cancelled_sessions_take_no_attendance(officer, activity):
    tomorrow = timezone.now() + timedelta(days=1)
    future = factories.SessionFactory(
        activity=activity, starts_at=tomorrow, ends_at=tomorrow + timedelta(hours=1)
    )
    cancelled = factories.SessionFactory(activity=activity, status=Session.Status.CANCELLED)
    for session in (future, cancelled):
        with pytest.raises(ValidationError):
            services.attendance_record(actor=officer, session=session, counts=TWENTY)
    assert not Attendance.objects.exists()


# --- Outreach -----------------------------------------------------------------------------------


def outreach(actor, organization, **overrides):
    arguments = {
        "actor": actor,
        "organization": organization,
        "met_on": timezone.localdate(),
        "venue_kind": "laundromat",
        "place": "Buanderie Sauvé",
        "borough": factories.borough("montreal-nord"),
        "people_met": 12,
        "came_to_library_later": 3,
    }
    arguments.update(overrides)
    return services.outreach_record(**arguments)


def test_outreach_is_recorded(officer, org_a):
    contact = outreach(officer, org_a, officer=officer)
    assert contact.people_met == 12 and contact.came_to_library_later == 3


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"came_to_library_later": 13}, "came_to_library_later"),
        ({"came_to_library_later": -1}, "came_to_library_later"),
        ({"people_met": 0}, "people_met"),
        ({"met_on": date.today() + timedelta(days=3)}, "met_on"),
        ({"venue_kind": "moon"}, "venue_kind"),
    ],
)
def test_bad_outreach_is_refused(officer, org_a, overrides, field):
    with pytest.raises(ValidationError) as error:
        outreach(officer, org_a, **overrides)
    assert field in error.value.message_dict
    assert not OutreachContact.objects.exists()


def test_local_helper_is_montreal_time():
    assert str(timezone.get_current_timezone()) == "America/Toronto"
    assert local(2026, 7, 1).utcoffset() == timedelta(hours=-4)
    assert time(18) == local(2026, 12, 1).time()


def test_activities_record_the_needs_they_address_in_the_directory_taxonomy(officer, org_a):
    from ancrage.directory.needs import needs_terms

    employment = needs_terms().get(code="employment")
    french = needs_terms().get(code="french-courses")
    activity = create_activity(officer, org_a, needs=[employment])
    assert list(activity.needs.all()) == [employment]
    services.activity_update(actor=officer, activity=activity, needs=[french])
    assert list(activity.needs.all()) == [french]
    change = AuditEvent.objects.filter(action="change").latest("at")
    assert change.details["fields"]["needs"] == [
        "Emploi et recherche d'emploi",
        "Cours de français",
    ]

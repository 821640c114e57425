"""The iCalendar feeds (RFC 5545): they parse, and round-trip series with their exceptions."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrulestr
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from ancrage.activities import services
from ancrage.activities.models import Session
from tests import factories
from tests.activities.test_calendar import at, make_activity, schedule

TORONTO = ZoneInfo("America/Toronto")


def org_feed_url(organization_pk, **params) -> str:
    url = reverse("activities:organization_feed", kwargs={"organization_pk": organization_pk})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def site_feed_url(site_pk) -> str:
    return reverse("activities:site_feed", kwargs={"site_pk": site_pk})


def fetch(client, url: str) -> Calendar:
    response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def events(calendar: Calendar) -> list:
    return list(calendar.walk("VEVENT"))


def next_dst_change(after: datetime) -> datetime:
    """The first local midnight after which Toronto's UTC offset differs."""
    day = timezone.localtime(after).date()
    offset = datetime.combine(day, time(12), TORONTO).utcoffset()
    while True:
        day += timedelta(days=1)
        if datetime.combine(day, time(12), TORONTO).utcoffset() != offset:
            return datetime.combine(day, time(0), TORONTO)


def first_tuesday_before_dst(weeks_before: int = 4) -> datetime:
    """A Tuesday 18:00 (local) from tomorrow on, a few weeks before the next DST change."""
    change = next_dst_change(timezone.now())
    start = max(
        change - timedelta(weeks=weeks_before),
        timezone.now().astimezone(TORONTO) + timedelta(days=1),
    )
    day = start.date()
    while day.weekday() != 1:
        day += timedelta(days=1)
    return datetime.combine(day, time(18), TORONTO)


def exdates(event) -> set[datetime]:
    found = event.get("EXDATE")
    if found is None:
        return set()
    found = found if isinstance(found, list) else [found]
    return {item.dt for group in found for item in group.dts}


def expand(calendar: Calendar, uid: str) -> list[datetime]:
    """Expand a series as a calendar application would: RRULE − EXDATE, then RECURRENCE-ID overrides."""
    series = [e for e in events(calendar) if str(e["UID"]) == uid]
    (master,) = [e for e in series if "RECURRENCE-ID" not in e]
    dtstart = master.decoded("DTSTART")
    rule = master["RRULE"].to_ical().decode()
    occurrences = list(rrulestr(rule, dtstart=dtstart))
    overrides = {
        e.decoded("RECURRENCE-ID"): e.decoded("DTSTART") for e in series if e is not master
    }
    assert set(overrides) <= set(occurrences), "an override names no occurrence of the rule"
    skipped = exdates(master)
    return sorted(overrides.get(o, o) for o in occurrences if o not in skipped)


def scheduled_starts(activity) -> list[datetime]:
    return sorted(
        Session.objects.filter(activity=activity, status=Session.Status.SCHEDULED).values_list(
            "starts_at", flat=True
        )
    )


@pytest.fixture
def series(org_a):
    activity = make_activity(
        org_a, title_fr="Conversation en français", title_en="French conversation"
    )
    first = first_tuesday_before_dst()
    sessions = services.series_schedule(
        actor=None,
        activity=activity,
        rrule="FREQ=WEEKLY;BYDAY=TU;COUNT=10",
        first_start=first,
        duration_minutes=90,
    )
    sessions = list(Session.objects.filter(activity=activity).order_by("starts_at"))
    services.session_cancel(actor=None, session=sessions[2])
    moved = sessions[6]
    new_start = moved.starts_at + timedelta(days=1, hours=1)
    services.session_move(
        actor=None,
        session=moved,
        starts_at=new_start,
        ends_at=new_start + timedelta(minutes=90),
    )
    return activity


def test_series_round_trips_with_cancelled_and_moved_occurrences(client, series):
    calendar = fetch(client, org_feed_url(series.organization_id))
    uid = f"activity-{series.pk}@ancrage"
    assert expand(calendar, uid) == scheduled_starts(series)
    assert len(scheduled_starts(series)) == 9
    series_events = [e for e in events(calendar) if str(e["UID"]) == uid]
    assert len(series_events) == 2  # the master and the moved occurrence, nothing per session
    (master,) = [e for e in series_events if "RECURRENCE-ID" not in e]
    assert master["RRULE"].to_ical() == b"FREQ=WEEKLY;COUNT=10;BYDAY=TU"
    assert len(exdates(master)) == 1
    assert master.decoded("DTSTART") == series.recurrence.first_start


def test_series_keeps_local_time_across_daylight_saving_change(client, series):
    calendar = fetch(client, org_feed_url(series.organization_id))
    (master,) = [
        e
        for e in events(calendar)
        if str(e["UID"]) == f"activity-{series.pk}@ancrage" and "RECURRENCE-ID" not in e
    ]
    assert master["DTSTART"].params["TZID"] == "America/Toronto"
    occurrences = list(
        rrulestr(master["RRULE"].to_ical().decode(), dtstart=master.decoded("DTSTART"))
    )
    assert {o.astimezone(TORONTO).time() for o in occurrences} == {time(18)}
    assert len({o.utcoffset() for o in occurrences}) == 2, "the series should cross a DST change"
    timezones = [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")]
    assert timezones == ["America/Toronto"]
    # The database agrees: every non-moved session starts at 18:00 local time.
    local_times = {timezone.localtime(s).time() for s in scheduled_starts(series)}
    assert local_times == {time(18), time(19)}


def test_series_with_until_round_trips(client, org_a):
    activity = make_activity(org_a)
    first = first_tuesday_before_dst(2)
    until = (first + timedelta(weeks=6)).date()
    services.series_schedule(
        actor=None,
        activity=activity,
        rrule=f"FREQ=WEEKLY;BYDAY=TU,TH;UNTIL={until:%Y%m%d}T235959",
        first_start=first,
        duration_minutes=60,
    )
    calendar = fetch(client, org_feed_url(org_a.pk))
    (master,) = events(calendar)
    assert master["RRULE"]["UNTIL"][0].tzinfo is not None  # UTC, as RFC 5545 requires
    assert expand(calendar, f"activity-{activity.pk}@ancrage") == scheduled_starts(activity)


def test_feed_headers_and_one_off_sessions(client, org_a):
    activity = make_activity(org_a, title_fr="Heure du conte", title_en="Storytime")
    kept = schedule(activity, 3)
    cancelled = schedule(activity, 5)
    services.session_cancel(actor=None, session=cancelled)
    calendar = fetch(client, org_feed_url(org_a.pk))
    assert str(calendar["VERSION"]) == "2.0"
    assert "Ancrage" in str(calendar["PRODID"])
    by_uid = {str(e["UID"]): e for e in events(calendar)}
    assert set(by_uid) == {f"session-{kept.pk}@ancrage", f"session-{cancelled.pk}@ancrage"}
    event = by_uid[f"session-{kept.pk}@ancrage"]
    assert str(event["SUMMARY"]) == "Heure du conte"
    assert event.decoded("DTSTART") == kept.starts_at
    assert event.decoded("DTEND") == kept.ends_at
    assert "DTSTAMP" in event
    assert "Laverie du coin" in str(event["LOCATION"])
    assert "Organisme A" in str(event["DESCRIPTION"])
    assert str(by_uid[f"session-{cancelled.pk}@ancrage"]["STATUS"]) == "CANCELLED"
    # Stable identifiers from one download to the next.
    again = {str(e["UID"]) for e in events(fetch(client, org_feed_url(org_a.pk)))}
    assert again == set(by_uid)


def test_english_feed(client, org_a):
    activity = make_activity(org_a, title_fr="Heure du conte", title_en="Storytime")
    schedule(activity, 3)
    (event,) = events(fetch(client, org_feed_url(org_a.pk, lang="en")))
    assert str(event["SUMMARY"]) == "Storytime"
    assert "Organization: Organisme A" in str(event["DESCRIPTION"])
    (event,) = events(fetch(client, org_feed_url(org_a.pk, lang="xx")))
    assert str(event["SUMMARY"]) == "Heure du conte"


def test_private_activities_and_officers_never_in_feeds(client, org_a):
    officer = factories.UserFactory(first_name="Ophélie", last_name="Agente-Secrète")
    public = make_activity(org_a, officer=officer)
    schedule(public, 2)
    private = make_activity(org_a, title_fr="Comité secret", title_en="Secret", is_public=False)
    schedule(private, 2)
    response = client.get(org_feed_url(org_a.pk))
    assert b"Comit" not in response.content and b"Secret" not in response.content
    assert b"Agente" not in response.content
    assert len(events(Calendar.from_ical(response.content))) == 1


def test_site_feed_holds_only_that_site(client, org_a):
    library = factories.SiteFactory(organization=org_a, name="Bibliothèque de Lachine")
    at_library = make_activity(org_a, site=library, title_fr="À la bibliothèque")
    elsewhere = make_activity(org_a, title_fr="Ailleurs")
    schedule(at_library, 2)
    schedule(elsewhere, 2)
    calendar = fetch(client, site_feed_url(library.pk))
    (event,) = events(calendar)
    assert str(event["SUMMARY"]) == "À la bibliothèque"
    assert "Bibliothèque de Lachine" in str(event["LOCATION"])
    assert "Bibliothèque de Lachine" in str(calendar["X-WR-CALNAME"])


def test_unknown_or_non_public_organization_or_site_is_404(client, org_a, org_b):
    private = make_activity(org_b, is_public=False)
    schedule(private, 2)
    closed = factories.SiteFactory(organization=org_a, is_active=False)
    quiet_site = factories.SiteFactory(organization=org_b)
    schedule(make_activity(org_a), 2)
    assert client.get(org_feed_url(org_a.pk)).status_code == 200
    for url in (
        org_feed_url(org_b.pk),  # only private activities
        org_feed_url(987654),
        org_feed_url(99999999999999999999999),
        site_feed_url(closed.pk),
        site_feed_url(quiet_site.pk),  # its organization has nothing public
        site_feed_url(99999999999999999999999),
        "/activities/organizations/abc/calendar.ics",
    ):
        assert client.get(url).status_code == 404, url


def test_feed_leaves_out_old_one_off_sessions(client, org_a):
    activity = make_activity(org_a)
    old = at(-200)
    Session.objects.create(activity=activity, starts_at=old, ends_at=old + timedelta(hours=1))
    recent = schedule(activity, 1)
    uids = {str(e["UID"]) for e in events(fetch(client, org_feed_url(org_a.pk)))}
    assert uids == {f"session-{recent.pk}@ancrage"}


def test_extra_date_of_a_series_is_an_event_of_its_own(client, series):
    extra = services.session_schedule(
        actor=None,
        activity=series,
        starts_at=series.recurrence.first_start + timedelta(days=2),
        ends_at=series.recurrence.first_start + timedelta(days=2, hours=1),
    )
    calendar = fetch(client, org_feed_url(series.organization_id))
    by_uid = {str(e["UID"]): e for e in events(calendar)}
    assert by_uid[f"session-{extra.pk}@ancrage"].decoded("DTSTART") == extra.starts_at
    expanded = expand(calendar, f"activity-{series.pk}@ancrage") + [extra.starts_at]
    assert sorted(expanded) == scheduled_starts(series)

"""The public calendar: what anyone may see of public activities, and their iCalendar feeds.

Only activities with `is_public=True` are ever read here, and only what a newcomer needs to come:
title, type, place, borough, languages, format, organization. Never the person in charge.

The feeds follow RFC 5545: one VEVENT per one-off session; a series (`Recurrence`) is one master
VEVENT (DTSTART = first start, RRULE, EXDATE for cancelled or removed occurrences) plus one VEVENT
with RECURRENCE-ID for each moved occurrence. Times carry TZID=America/Toronto and the calendar
holds the matching VTIMEZONE, so the local time stays constant across daylight-saving changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils import formats, timezone, translation
from django.utils.translation import gettext_lazy as _
from icalendar import Calendar, Event, vRecur

from ancrage.activities.models import Activity, ActivityType, Recurrence, Session
from ancrage.core.forms import IdChoiceField, valid_id
from ancrage.core.models import Audience, Borough, Language
from ancrage.core.translated import pick
from ancrage.network.models import Organization, Site

DEFAULT_DAYS = 30
MAX_DAYS = 366
HORIZON_DAYS = 2 * 366  # series last at most two years
PAGE_SIZE = 50
FEED_LANGUAGES = ("fr", "en")
FEED_PAST_DAYS = 90
UID_DOMAIN = "ancrage"
PRODID = "-//Ancrage//Calendrier public//FR"


# ---------------------------------------------------------------------------------------------
# Who is public


def public_activities() -> QuerySet[Activity]:
    return Activity.objects.filter(is_public=True)


def public_organizations() -> QuerySet[Organization]:
    """Organizations with at least one public activity: the others are not named in public."""
    return Organization.objects.filter(
        Exists(public_activities().filter(organization=OuterRef("pk")))
    ).order_by("name")


def public_sites() -> QuerySet[Site]:
    """Open sites (library branches, points of service) hosting at least one public activity."""
    return (
        Site.objects.filter(is_active=True)
        .filter(Exists(public_activities().filter(site=OuterRef("pk"))))
        .select_related("organization")
        .order_by("name")
    )


def public_organization(pk: Any) -> Organization | None:
    pk = valid_id(pk)
    return None if pk is None else public_organizations().filter(pk=pk).first()


def public_site(pk: Any) -> Site | None:
    """A site whose feed is public: open, and its organization has public activities."""
    pk = valid_id(pk)
    if pk is None:
        return None
    return (
        Site.objects.filter(pk=pk, is_active=True)
        .filter(Exists(public_activities().filter(organization=OuterRef("organization"))))
        .select_related("organization", "borough")
        .first()
    )


# ---------------------------------------------------------------------------------------------
# The filter form


class SiteChoiceField(IdChoiceField):
    def label_from_instance(self, obj: Site) -> str:
        return f"{obj.name} ({obj.organization.name})"


DATE_FORMATS = ["%Y-%m-%d"]


class CalendarFilterForm(forms.Form):
    borough = IdChoiceField(
        label=_("Borough"),
        required=False,
        queryset=Borough.objects.none(),
        empty_label=_("All boroughs"),
    )
    language = IdChoiceField(
        label=_("Language"),
        required=False,
        queryset=Language.objects.none(),
        empty_label=_("All languages"),
    )
    audience = IdChoiceField(
        label=_("Audience"),
        required=False,
        queryset=Audience.objects.none(),
        empty_label=_("All audiences"),
    )
    activity_type = IdChoiceField(
        label=_("Type of activity"),
        required=False,
        queryset=ActivityType.objects.none(),
        empty_label=_("All types"),
    )
    organization = IdChoiceField(
        label=_("Organization"),
        required=False,
        queryset=Organization.objects.none(),
        empty_label=_("All organizations"),
    )
    site = SiteChoiceField(
        label=_("Library or site"),
        required=False,
        queryset=Site.objects.none(),
        empty_label=_("All places"),
    )
    date_from = forms.DateField(
        label=_("From"),
        required=False,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Format: YYYY-MM-DD"),
    )
    date_to = forms.DateField(
        label=_("To"),
        required=False,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Format: YYYY-MM-DD"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["borough"].queryset = Borough.objects.filter(is_active=True)
        self.fields["language"].queryset = Language.objects.filter(is_active=True)
        self.fields["audience"].queryset = Audience.objects.filter(is_active=True)
        self.fields["activity_type"].queryset = ActivityType.objects.filter(is_active=True)
        self.fields["organization"].queryset = public_organizations()
        self.fields["site"].queryset = public_sites()

    def _check_horizon(self, value: date | None) -> date | None:
        if value is not None and value > timezone.localdate() + timedelta(days=HORIZON_DAYS):
            raise ValidationError(_("Choose a date within the next two years."))
        return value

    def clean_date_from(self) -> date | None:
        value = self.cleaned_data.get("date_from")
        if value is not None and value < timezone.localdate():
            raise ValidationError(_("The calendar shows sessions from today on."))
        return self._check_horizon(value)

    def clean_date_to(self) -> date | None:
        value = self.cleaned_data.get("date_to")
        if value is not None and value < timezone.localdate():
            raise ValidationError(_("The calendar shows sessions from today on."))
        return self._check_horizon(value)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if end and not start and "date_from" not in self.errors:
            start = timezone.localdate()
        if start and end:
            if end < start:
                raise ValidationError(_("The end date comes before the start date."))
            if (end - start).days > MAX_DAYS:
                raise ValidationError(
                    _("Choose a period of at most %(days)d days.") % {"days": MAX_DAYS}
                )
        return data


def period(filters: dict[str, Any]) -> tuple[date, date]:
    """The days shown: from today (or the start chosen) for 30 days (or to the end chosen)."""
    today = timezone.localdate()
    start = filters.get("date_from") or today
    end = filters.get("date_to") or start + timedelta(days=DEFAULT_DAYS)
    if end < today:
        end = today
    return start, min(end, start + timedelta(days=MAX_DAYS))


# ---------------------------------------------------------------------------------------------
# The sessions shown


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def calendar_sessions(
    *,
    date_from: date,
    date_to: date,
    borough: Borough | None = None,
    language: Language | None = None,
    audience: Audience | None = None,
    activity_type: ActivityType | None = None,
    organization: Organization | None = None,
    site: Site | None = None,
) -> QuerySet[Session]:
    """Sessions of public activities between two days (inclusive), scheduled or cancelled."""
    sessions = Session.objects.filter(
        activity__is_public=True,
        starts_at__gte=_local_midnight(date_from),
        starts_at__lt=_local_midnight(date_to + timedelta(days=1)),
    )
    if date_from <= timezone.localdate():
        sessions = sessions.filter(ends_at__gt=timezone.now())  # today: not over yet
    if borough is not None:
        sessions = sessions.filter(activity__borough=borough)
    if activity_type is not None:
        sessions = sessions.filter(activity__activity_type=activity_type)
    if organization is not None:
        sessions = sessions.filter(activity__organization=organization)
    if site is not None:
        sessions = sessions.filter(activity__site=site)
    if language is not None:
        sessions = sessions.filter(
            Exists(
                Activity.languages.through.objects.filter(
                    activity_id=OuterRef("activity_id"), language=language
                )
            )
        )
    if audience is not None:
        sessions = sessions.filter(
            Exists(
                Activity.audiences.through.objects.filter(
                    activity_id=OuterRef("activity_id"), audience=audience
                )
            )
        )
    return sessions.select_related(
        "activity__organization",
        "activity__activity_type",
        "activity__site",
        "activity__borough",
    ).order_by("starts_at", "activity_id", "pk")


@dataclass
class Entry:
    """One line of the calendar, with nothing personal in it."""

    pk: int
    starts_at: datetime
    ends_at: datetime
    title: str
    title_language: str
    activity_type: str
    place: str
    address: str
    venue_kind: str
    borough: str
    languages: list[str]
    format: str
    capacity: int | None
    organization: str
    cancelled: bool

    @property
    def day(self) -> date:
        return self.starts_at.date()

    @property
    def start_time(self) -> str:
        return clock(self.starts_at)

    @property
    def end_time(self) -> str:
        return clock(self.ends_at)


def clock(moment: datetime) -> str:
    """'18 h 30' in French ("H h i" of Django's fr_CA formats shows the 12-hour clock), else local."""
    if translation.get_language().startswith("fr"):
        return f"{moment.hour}\xa0h\xa0{moment.minute:02d}"
    return formats.time_format(moment)


def _title_language(texts: dict[str, str], text: str) -> str:
    return next((code for code, value in texts.items() if value == text), "fr")


def entries_for(sessions: list[Session]) -> list[Entry]:
    """What the page shows of each session, in the reader's language."""
    activity_ids = {s.activity_id for s in sessions}
    languages: dict[int, list[str]] = {}
    for activity in Activity.objects.filter(pk__in=activity_ids).prefetch_related(
        Prefetch("languages", queryset=Language.objects.order_by("sort_order", "code"))
    ):
        languages[activity.pk] = [language.name for language in activity.languages.all()]
    entries = []
    for session in sessions:
        activity = session.activity
        title = pick(activity.title)
        if activity.site_id is not None:
            place, address = activity.site.name, activity.site.street_address
        else:
            place, address = activity.venue_name, activity.venue_address
        entries.append(
            Entry(
                pk=session.pk,
                starts_at=timezone.localtime(session.starts_at),
                ends_at=timezone.localtime(session.ends_at),
                title=title,
                title_language=_title_language(activity.title, title),
                activity_type=activity.activity_type.name,
                place=place,
                address=address,
                venue_kind=activity.get_venue_kind_display(),
                borough=activity.borough.name,
                languages=languages.get(activity.pk, []),
                format=activity.get_format_display(),
                capacity=activity.capacity
                if activity.format == Activity.Format.REGISTRATION
                else None,
                organization=activity.organization.name,
                cancelled=session.status == Session.Status.CANCELLED,
            )
        )
    return entries


def group_by_day(entries: list[Entry]) -> list[tuple[date, list[Entry]]]:
    days: list[tuple[date, list[Entry]]] = []
    for entry in entries:
        if days and days[-1][0] == entry.day:
            days[-1][1].append(entry)
        else:
            days.append((entry.day, [entry]))
    return days


# ---------------------------------------------------------------------------------------------
# iCalendar (RFC 5545)


def feed_language(value: str | None) -> str:
    return value if value in FEED_LANGUAGES else "fr"


def _tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _local(moment: datetime) -> datetime:
    return moment.astimezone(_tz())


def _location(activity: Activity) -> str:
    if activity.site_id is not None:
        site = activity.site
        parts = [site.name, site.street_address, site.postal_code]
    else:
        parts = [activity.venue_name, activity.venue_address]
    parts.append(activity.borough.name)
    parts.append("Montréal")
    return ", ".join(p for p in parts if p)


def _line(label: str, value: str) -> str:
    # French puts a space before the colon.
    return _("%(label)s: %(value)s") % {"label": label, "value": value}


def _description(activity: Activity, language: str) -> str:
    lines = []
    text = pick(activity.description, language)
    if text:
        lines.extend([text, ""])
    lines.append(_line(_("Type of activity"), pick(activity.activity_type.names, language)))
    lines.append(_line(_("Organization"), activity.organization.name))
    format_line = str(activity.get_format_display())
    if activity.format == Activity.Format.REGISTRATION and activity.capacity:
        format_line += " — " + _("%(count)d places") % {"count": activity.capacity}
    lines.append(_line(_("Format"), format_line))
    names = [pick(item.names, language) for item in activity.languages.all()]
    if names:
        lines.append(_line(_("Languages"), ", ".join(names)))
    return "\n".join(lines)


def _event(activity: Activity, uid: str, language: str, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("summary", pick(activity.title, language))
    event.add("location", _location(activity))
    event.add("description", _description(activity, language))
    event.add("categories", [pick(activity.activity_type.names, language)])
    event.add("last-modified", activity.updated_at.astimezone(ZoneInfo("UTC")))
    return event


def activity_uid(activity: Activity) -> str:
    return f"activity-{activity.pk}@{UID_DOMAIN}"


def session_uid(session: Session) -> str:
    return f"session-{session.pk}@{UID_DOMAIN}"


def _rule(recurrence: Recurrence) -> vRecur:
    """The stored rule, with UNTIL in UTC as RFC 5545 requires when DTSTART has a TZID."""
    rule = vRecur.from_ical(recurrence.rrule.strip().removeprefix("RRULE:"))
    until = rule.get("UNTIL")
    if until:
        value = until[0] if isinstance(until, list) else until
        if not isinstance(value, datetime):
            value = datetime.combine(value, time.min)
        if value.tzinfo is None:
            value = value.replace(tzinfo=_tz())
        rule["UNTIL"] = [value.astimezone(ZoneInfo("UTC"))]
    return rule


def _series_events(
    activity: Activity, sessions: list[Session], language: str, stamp: datetime
) -> list[Event]:
    from ancrage.activities.services import expand_rrule

    recurrence = activity.recurrence
    first = _local(recurrence.first_start)
    master = _event(activity, activity_uid(activity), language, stamp)
    master.add("dtstart", first)
    master.add("dtend", first + timedelta(minutes=recurrence.duration_minutes))
    master.add("rrule", _rule(recurrence))
    events = [master]
    try:
        occurrences = expand_rrule(recurrence.rrule, recurrence.first_start)
    except ValidationError:
        occurrences = []
    kept: set[datetime] = set()
    for session in sessions:
        if session.original_start is None:
            # An extra date added to the series: an event of its own.
            events.append(_single_event(activity, session, language, stamp))
            continue
        if session.status != Session.Status.SCHEDULED:
            continue
        kept.add(session.original_start)
        length = session.ends_at - session.starts_at
        if session.original_start != session.starts_at or length != timedelta(
            minutes=recurrence.duration_minutes
        ):
            override = _event(activity, activity_uid(activity), language, stamp)
            override.add("recurrence-id", _local(session.original_start))
            override.add("dtstart", _local(session.starts_at))
            override.add("dtend", _local(session.ends_at))
            events.append(override)
    excluded = [_local(moment) for moment in occurrences if moment not in kept]
    if excluded:
        master.add("exdate", excluded)
    return events


def _single_event(activity: Activity, session: Session, language: str, stamp: datetime) -> Event:
    event = _event(activity, session_uid(session), language, stamp)
    event.add("dtstart", _local(session.starts_at))
    event.add("dtend", _local(session.ends_at))
    if session.status == Session.Status.CANCELLED:
        event.add("status", "CANCELLED")
    return event


def feed_activities(**where: Any) -> QuerySet[Activity]:
    """Public activities with a session ending after 90 days ago, ready for the feed."""
    since = timezone.now() - timedelta(days=FEED_PAST_DAYS)
    return (
        public_activities()
        .filter(**where)
        .filter(Exists(Session.objects.filter(activity=OuterRef("pk"), ends_at__gte=since)))
        .select_related("organization", "activity_type", "site", "borough", "recurrence")
        .prefetch_related(
            Prefetch("languages", queryset=Language.objects.order_by("sort_order", "code")),
            Prefetch("sessions", queryset=Session.objects.order_by("starts_at", "pk")),
        )
        .order_by("pk")
    )


def build_calendar(activities: QuerySet[Activity], *, name: str, language: str) -> bytes:
    """An RFC 5545 calendar of these activities, in French or English."""
    language = feed_language(language)
    stamp = timezone.now().astimezone(ZoneInfo("UTC")).replace(microsecond=0)
    since = timezone.now() - timedelta(days=FEED_PAST_DAYS)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    with translation.override(language):
        for activity in activities:
            sessions = list(activity.sessions.all())
            try:
                activity.recurrence  # noqa: B018
            except Recurrence.DoesNotExist:
                has_series = False
            else:
                has_series = True
            if has_series:
                events = _series_events(activity, sessions, language, stamp)
            else:
                events = [
                    _single_event(activity, session, language, stamp)
                    for session in sessions
                    if session.ends_at >= since
                ]
            for event in events:
                calendar.add_component(event)
    # The VTIMEZONE covers the feed's span (its past 90 days, series of at most two years).
    today = timezone.localdate()
    calendar.add_missing_timezones(
        first_date=date(today.year - 3, 1, 1), last_date=date(today.year + 4, 1, 1)
    )
    return calendar.to_ical()


def organization_calendar(organization: Organization, language: str) -> bytes:
    return build_calendar(
        feed_activities(organization=organization), name=organization.name, language=language
    )


def site_calendar(site: Site, language: str) -> bytes:
    return build_calendar(
        feed_activities(site=site),
        name=f"{site.name} ({site.organization.name})",
        language=language,
    )

"""Every write to activities: the activity, its sessions (one-off or recurring), attendance, outreach.

Callers pass objects fetched through `core.tenancy` (so they may act on them); these functions
check what scoping cannot: that a site, partner or session belongs where it should, that counts
add up, that a recurrence ends.
"""

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from dateutil.rrule import rrulestr
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ancrage.activities.models import (
    Activity,
    ActivityPartner,
    ActivityType,
    Attendance,
    OutreachContact,
    Recurrence,
    Session,
)
from ancrage.core.audit import audit_record
from ancrage.core.models import Audience, Borough, Language
from ancrage.core.translated import missing_languages
from ancrage.directory.models import TaxonomyTerm
from ancrage.funding.models import Agreement, FundingProgram
from ancrage.network.models import Organization, PartnershipKind, Site

# A series longer than this is almost certainly a mistake (a daily rule with no end).
MAX_OCCURRENCES = 400
MAX_SERIES_DAYS = 2 * 366
MAX_SESSION_HOURS = 24


def _check_texts(title: dict[str, str], description: dict[str, str]) -> None:
    missing = missing_languages(title)
    if missing:
        raise ValidationError(
            {
                "title": _("Give the title in French and in English (missing: %(codes)s).")
                % {"codes": ", ".join(missing)}
            }
        )
    for field, texts in (("title", title), ("description", description)):
        if any(len(value or "") > (200 if field == "title" else 4000) for value in texts.values()):
            raise ValidationError({field: _("This text is too long.")})


def _place(organization: Organization, site: Site | None, venue_kind: str, borough: Borough | None):
    if site is not None and site.organization_id != organization.pk:
        raise ValidationError({"site": _("Choose a site of this organization.")})
    if venue_kind not in Activity.VenueKind.values:
        raise ValidationError({"venue_kind": _("Choose a valid kind of place.")})
    borough = site.borough if site is not None else borough
    if borough is None:
        raise ValidationError({"borough": _("Say in which borough the activity takes place.")})
    return borough


def _check_partners(organization: Organization, partners: dict[Organization, list[str]]) -> None:
    for partner, kinds in partners.items():
        if partner.pk == organization.pk:
            raise ValidationError({"partners": _("An organization cannot be its own partner.")})
        if not kinds or any(kind not in PartnershipKind.values for kind in kinds):
            raise ValidationError({"partners": _("Choose valid kinds of partnership.")})


def _check_program(organization: Organization, program: FundingProgram | None) -> None:
    """An activity is charged only to a program the organization holds an agreement under: its
    sessions and participants then count in that agreement's reports."""
    if program is None:
        return
    if not Agreement.objects.filter(organization=organization, program=program).exists():
        raise ValidationError(
            {
                "program": _(
                    "Your organization has no agreement under %(name)s: record the agreement "
                    "first, or leave the activity not charged to a program."
                )
                % {"name": program.name}
            }
        )


def _activity_values(
    organization: Organization,
    values: dict[str, Any],
    partners: dict[Organization, list[str]] | None,
) -> dict[str, Any]:
    """The checks an activity passes when created or edited, on its complete set of values
    (and on its partners, unless None: an edit that leaves them as they are).

    Returns the values to store: texts trimmed, the borough taken from the site when there is one.
    """
    title, description = values["title"], values["description"] or {}
    _check_texts(title, description)
    if partners is not None:
        _check_partners(organization, partners)
    _check_program(organization, values.get("program"))
    if values["format"] == Activity.Format.REGISTRATION and not values["capacity"]:
        raise ValidationError({"capacity": _("An activity with registration needs a capacity.")})
    return {
        **values,
        "title": {k: v.strip() for k, v in title.items() if v and v.strip()},
        "description": {k: v.strip() for k, v in description.items() if v and v.strip()},
        "venue_name": (values["venue_name"] or "").strip(),
        "venue_address": (values["venue_address"] or "").strip(),
        "borough": _place(organization, values["site"], values["venue_kind"], values["borough"]),
    }


def _link_partners(activity: Activity, partners: dict[Organization, list[str]]) -> None:
    ActivityPartner.objects.bulk_create(
        ActivityPartner(activity=activity, partner=partner, kinds=list(dict.fromkeys(kinds)))
        for partner, kinds in partners.items()
    )


def _overlap_refresh_after_commit(activity: Activity) -> None:
    """The city's overlap suggestions follow an activity's creation or edit, after the commit
    (`transaction.on_commit`): a failing refresh never blocks the activity's own write."""
    from ancrage.insights.services import overlap_refresh_on_commit

    overlap_refresh_on_commit(item=activity)


@transaction.atomic
def activity_create(
    *,
    actor: Any,
    organization: Organization,
    title: dict[str, str],
    activity_type: ActivityType,
    category: str,
    venue_kind: str,
    format: str,
    description: dict[str, str] | None = None,
    site: Site | None = None,
    venue_name: str = "",
    venue_address: str = "",
    borough: Borough | None = None,
    audiences: Iterable[Audience] = (),
    languages: Iterable[Language] = (),
    needs: Iterable[TaxonomyTerm] = (),
    capacity: int | None = None,
    interpreter_present: bool = False,
    community_leader_present: bool = False,
    officer: Any = None,
    is_public: bool = True,
    partners: dict[Organization, list[str]] | None = None,
    program: FundingProgram | None = None,
) -> Activity:
    partners = partners or {}
    values = _activity_values(
        organization,
        {
            "title": title,
            "description": description,
            "activity_type": activity_type,
            "category": category,
            "site": site,
            "venue_kind": venue_kind,
            "venue_name": venue_name,
            "venue_address": venue_address,
            "borough": borough,
            "format": format,
            "capacity": capacity,
            "interpreter_present": interpreter_present,
            "community_leader_present": community_leader_present,
            "officer": officer,
            "is_public": is_public,
            "program": program,
        },
        partners,
    )
    activity = Activity(organization=organization, **values)
    activity.full_clean()
    activity.save()
    activity.audiences.set(audiences)
    activity.languages.set(languages)
    activity.needs.set(needs)
    _link_partners(activity, partners)
    audit_record(actor=actor, action="create", target=activity, organization_id=organization.pk)
    _overlap_refresh_after_commit(activity)
    return activity


# What an edit may change; the organization is not among them.
ACTIVITY_FIELDS = (
    "title",
    "description",
    "activity_type",
    "category",
    "site",
    "venue_kind",
    "venue_name",
    "venue_address",
    "borough",
    "format",
    "capacity",
    "interpreter_present",
    "community_leader_present",
    "officer",
    "is_public",
    "program",
)


@transaction.atomic
def activity_update(
    *,
    actor: Any,
    activity: Activity,
    audiences: Iterable[Audience] | None = None,
    languages: Iterable[Language] | None = None,
    needs: Iterable[TaxonomyTerm] | None = None,
    partners: dict[Organization, list[str]] | None = None,
    **fields: Any,
) -> Activity:
    """Correct an activity: the fields given change, the others stay; partners given replace them.

    The same checks as `activity_create`, on the activity as it will be. Its sessions are untouched.
    """
    unknown = set(fields) - set(ACTIVITY_FIELDS)
    if unknown:
        raise TypeError(f"Not editable: {sorted(unknown)}")
    organization = activity.organization
    current = {field: getattr(activity, field) for field in ACTIVITY_FIELDS}
    values = _activity_values(organization, {**current, **fields}, partners)
    changes = {
        field: [str(current[field]), str(value)]
        for field, value in values.items()
        if value != current[field]
    }
    for field, value in values.items():
        setattr(activity, field, value)
    try:
        activity.full_clean()
    except ValidationError:
        for field, value in current.items():  # the caller may show the activity as it was
            setattr(activity, field, value)
        raise
    for name, chosen, related in (
        ("audiences", audiences, activity.audiences),
        ("languages", languages, activity.languages),
        ("needs", needs, activity.needs),
    ):
        if chosen is None:
            continue
        chosen = list(chosen)
        before = sorted(str(item) for item in related.all())
        after = sorted(str(item) for item in chosen)
        if before != after:
            changes[name] = [", ".join(before), ", ".join(after)]
        related.set(chosen)
    if partners is not None:
        before = {
            str(link.partner): link.kinds
            for link in activity.partner_links.select_related("partner")
        }
        after = {str(partner): list(dict.fromkeys(kinds)) for partner, kinds in partners.items()}
        if before != after:
            changes["partners"] = [before, after]
        activity.partner_links.all().delete()
        _link_partners(activity, partners)
    activity.save()
    audit_record(
        actor=actor,
        action="change",
        target=activity,
        organization_id=organization.pk,
        details={"fields": changes},
    )
    _overlap_refresh_after_commit(activity)
    return activity


def _check_times(starts_at: datetime, ends_at: datetime) -> None:
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("The end must come after the start.")})
    if ends_at - starts_at > timedelta(hours=MAX_SESSION_HOURS):
        raise ValidationError({"ends_at": _("A session lasts at most 24 hours.")})


@transaction.atomic
def session_schedule(
    *, actor: Any, activity: Activity, starts_at: datetime, ends_at: datetime
) -> Session:
    """Add one session (a one-off activity, or an extra date of a series)."""
    _check_times(starts_at, ends_at)
    session = Session.objects.create(activity=activity, starts_at=starts_at, ends_at=ends_at)
    audit_record(
        actor=actor, action="create", target=session, organization_id=activity.organization_id
    )
    return session


# Sessions repeat by the day at the finest. Finer frequencies, and rule parts a person planning
# activities does not need, are refused: dateutil only stops a rule whose filters never match in
# the year 9999, and an hourly or secondly one takes minutes to get there.
RRULE_FREQUENCIES = {"DAILY", "WEEKLY", "MONTHLY", "YEARLY"}
RRULE_PARTS = {
    "FREQ",
    "INTERVAL",
    "COUNT",
    "UNTIL",
    "BYDAY",
    "BYMONTHDAY",
    "BYMONTH",
    "BYSETPOS",
    "WKST",
}
DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)  # February of a leap year


def _rule_parts(rule: str) -> dict[str, str]:
    invalid = ValidationError({"rrule": _("This recurrence rule is not valid.")})
    parts: dict[str, str] = {}
    for item in rule.split(";"):
        name, sep, value = item.partition("=")
        name = name.strip().upper()
        if not sep or not value.strip() or name in parts:
            raise invalid
        parts[name] = value.strip().upper()
    if set(parts) - RRULE_PARTS or parts.get("FREQ") not in RRULE_FREQUENCIES:
        raise invalid
    if "BYMONTHDAY" in parts and "BYMONTH" in parts:
        try:
            days = [int(d) for d in parts["BYMONTHDAY"].split(",")]
            months = [int(m) for m in parts["BYMONTH"].split(",")]
        except ValueError as exc:
            raise invalid from exc
        if not all(1 <= m <= 12 for m in months):
            raise invalid
        if not any(d < 0 or d <= DAYS_IN_MONTH[m - 1] for d in days for m in months):
            raise ValidationError({"rrule": _("This rule produces no session.")})
    return parts


def expand_rrule(rule: str, first_start: datetime) -> list[datetime]:
    """The occurrences of an RRULE, refused when the series never ends or is unreasonably long."""
    rule = rule.strip()
    if rule.upper().startswith("RRULE:"):
        rule = rule[6:]
    if len(rule) > 500 or "\n" in rule:
        raise ValidationError({"rrule": _("This recurrence rule is not valid.")})
    parts = _rule_parts(rule)
    if "COUNT" not in parts and "UNTIL" not in parts:
        raise ValidationError(
            {"rrule": _("A series must end: give a number of sessions or an end date.")}
        )
    local_start = timezone.localtime(first_start).replace(tzinfo=None)
    try:
        rule_set = rrulestr(rule, dtstart=local_start, ignoretz=True)
    except (ValueError, TypeError) as exc:
        raise ValidationError({"rrule": _("This recurrence rule is not valid.")}) from exc
    horizon = local_start + timedelta(days=MAX_SERIES_DAYS)
    occurrences = []
    for occurrence in rule_set:
        if len(occurrences) >= MAX_OCCURRENCES or occurrence > horizon:
            raise ValidationError(
                {
                    "rrule": _("A series may have at most %(count)d sessions over two years.")
                    % {"count": MAX_OCCURRENCES}
                }
            )
        occurrences.append(timezone.make_aware(occurrence))
    if not occurrences:
        raise ValidationError({"rrule": _("This rule produces no session.")})
    return occurrences


@transaction.atomic
def series_schedule(
    *, actor: Any, activity: Activity, rrule: str, first_start: datetime, duration_minutes: int
) -> list[Session]:
    """Create every session of a recurring activity from its RFC 5545 rule."""
    if Recurrence.objects.filter(activity=activity).exists():
        raise ValidationError({"rrule": _("This activity already has a series.")})
    if not 0 < duration_minutes <= MAX_SESSION_HOURS * 60:
        raise ValidationError(
            {"duration_minutes": _("A session lasts between 1 minute and 24 hours.")}
        )
    occurrences = expand_rrule(rrule, first_start)
    length = timedelta(minutes=duration_minutes)
    Recurrence.objects.create(
        activity=activity,
        rrule=rrule.strip().removeprefix("RRULE:"),
        first_start=first_start,
        duration_minutes=duration_minutes,
    )
    sessions = Session.objects.bulk_create(
        Session(activity=activity, starts_at=start, ends_at=start + length, original_start=start)
        for start in occurrences
    )
    audit_record(
        actor=actor,
        action="create",
        target=activity,
        organization_id=activity.organization_id,
        details={"sessions": len(sessions), "rrule": rrule},
    )
    return sessions


@transaction.atomic
def session_cancel(*, actor: Any, session: Session) -> Session:
    if hasattr(session, "attendance"):
        raise ValidationError(
            _("Attendance was recorded for this session: it cannot be cancelled.")
        )
    session.status = Session.Status.CANCELLED
    session.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action="change",
        target=session,
        organization_id=session.activity.organization_id,
        details={"status": "cancelled"},
    )
    return session


@transaction.atomic
def session_move(
    *, actor: Any, session: Session, starts_at: datetime, ends_at: datetime
) -> Session:
    _check_times(starts_at, ends_at)
    if session.status == Session.Status.CANCELLED:
        raise ValidationError(_("This session is cancelled."))
    if starts_at > timezone.now() and Attendance.objects.filter(session=session).exists():
        raise ValidationError(
            {
                "starts_at": _(
                    "Attendance was recorded for this session: it cannot move to the future."
                )
            }
        )
    before = session.starts_at
    session.starts_at, session.ends_at = starts_at, ends_at
    session.save(update_fields=["starts_at", "ends_at"])
    audit_record(
        actor=actor,
        action="change",
        target=session,
        organization_id=session.activity.organization_id,
        details={"moved_from": before.isoformat()},
    )
    return session


ATTENDANCE_FIELDS = (*Attendance.ORIGIN_FIELDS, *Attendance.PROFILE_FIELDS, "waiting_list")
MAX_HEAD_COUNT = 10_000


@transaction.atomic
def attendance_record(*, actor: Any, session: Session, counts: dict[str, int]) -> Attendance:
    """Record (or correct) the head count of a session. The total is the sum of the origin groups."""
    unknown = set(counts) - set(ATTENDANCE_FIELDS)
    if unknown:
        raise ValidationError(
            _("Unknown counts: %(names)s") % {"names": ", ".join(sorted(unknown))}
        )
    values = {}
    for field in ATTENDANCE_FIELDS:
        value = counts.get(field, 0)
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or value < 0
            or value > MAX_HEAD_COUNT
        ):
            raise ValidationError({field: _("Enter a whole number between 0 and 10,000.")})
        values[field] = value
    total = sum(values[f] for f in Attendance.ORIGIN_FIELDS)
    for field in Attendance.PROFILE_FIELDS:
        if values[field] > total:
            raise ValidationError(
                {
                    field: _("Cannot exceed the number of participants (%(total)d).")
                    % {"total": total}
                }
            )
    if session.status == Session.Status.CANCELLED:
        raise ValidationError(_("This session was cancelled: no attendance can be recorded."))
    if session.starts_at > timezone.now():
        raise ValidationError(_("This session has not started yet."))
    capacity = session.activity.capacity
    if capacity and total > capacity:
        raise ValidationError(
            {
                "newcomers": _(
                    "More participants (%(total)d) than places (%(capacity)d): put the others on the waiting list."
                )
                % {"total": total, "capacity": capacity}
            }
        )
    attendance, created = Attendance.objects.update_or_create(
        session=session,
        defaults={
            **values,
            "total": total,
            "recorded_by": actor if getattr(actor, "pk", None) else None,
        },
    )
    audit_record(
        actor=actor,
        action="create" if created else "change",
        target=attendance,
        organization_id=session.activity.organization_id,
        details={"total": total},
    )
    return attendance


@transaction.atomic
def outreach_record(
    *,
    actor: Any,
    organization: Organization,
    met_on: date,
    venue_kind: str,
    place: str,
    borough: Borough,
    people_met: int,
    came_to_library_later: int = 0,
    notes: str = "",
    officer: Any = None,
) -> OutreachContact:
    if met_on > timezone.localdate():
        raise ValidationError({"met_on": _("This date is in the future.")})
    if people_met < 1:
        raise ValidationError({"people_met": _("Enter at least one person.")})
    if not 0 <= came_to_library_later <= people_met:
        raise ValidationError(
            {"came_to_library_later": _("Cannot exceed the number of people met.")}
        )
    contact = OutreachContact(
        organization=organization,
        officer=officer,
        met_on=met_on,
        venue_kind=venue_kind,
        place=place.strip(),
        borough=borough,
        people_met=people_met,
        came_to_library_later=came_to_library_later,
        notes=notes.strip(),
    )
    contact.full_clean()
    contact.save()
    audit_record(actor=actor, action="create", target=contact, organization_id=organization.pk)
    return contact

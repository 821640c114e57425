"""Round tables: their member organizations, meetings and minutes, and recommendations followed
until the institution answers (or does not).

Writes (`table_member_*`, `meeting_*`, `recommendation_*`) are keyword-only, checked, one
transaction, audited. Reads go through `core.tenancy`: the table's page is for the people of the
table's organization (and the city's network-wide readers); an institution reads what was sent to
it (`Recommendation.TENANT_READERS`); the public reads the tracker. What the table has not sent
yet (drafts, adopted but not sent), and minutes not marked public, stay with the table's own
people (`inside`).

Steps of a recommendation are declared in `recommendations.py`.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ancrage.core import tenancy
from ancrage.core.audit import audit_record
from ancrage.core.choices import OrganizationKind, Role
from ancrage.core.mail import mail_in_their_languages
from ancrage.network.models import Membership, Organization
from ancrage.surveys import recommendations as workflow
from ancrage.surveys.models import (
    TEXT_MAX,
    Meeting,
    Recommendation,
    RecommendationEvent,
    RecommendationState,
    TableMember,
    TableRole,
)

DATE_FLOOR = date(1950, 1, 1)  # nothing recorded here happened before; 0001-01-01 is a typo
MEETING_AHEAD_DAYS = 366  # a meeting may be planned up to a year ahead
MINUTES_MAX_BYTES = 50_000  # 50 kB of plain text
MEETING_TITLE_MAX = 200
PLACE_MAX = 200
RECOMMENDATION_TITLE_MAX = 300
NOTE_MAX = TEXT_MAX
REMIND_MIN_DAYS = 1
REMIND_MAX_DAYS = 365
REMIND_DEFAULT_DAYS = 60
# Who is reminded of recommendations left without an answer: the table's coordinators (its
# directors when it has none).
REMINDED_ROLES = (Role.COORDINATOR, Role.DIRECTOR)

STATE_ORDER = list(RecommendationState.values)


# --- Checks shared by the writes ---------------------------------------------------------------


def _require_table(table: Organization) -> None:
    if table.kind != OrganizationKind.ROUND_TABLE:
        raise ValidationError(_("This organization is not a round table."), code="not_a_table")


def _require_runner(actor: Any, table: Organization) -> None:
    if not tenancy.has_capability(actor, tenancy.RUN_ROUND_TABLE, table.pk):
        raise PermissionDenied
    _require_table(table)


def _text(
    value: Any, *, field: str, limit: int, required: bool = False, multiline: bool = True
) -> str:
    """A plain text as typed: stripped, bounded, without NUL; shown escaped wherever it appears."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError({field: _("Enter a text.")})
    value = value.strip()
    if "\x00" in value:
        raise ValidationError({field: _("This text contains a character that is not allowed.")})
    if not multiline:
        value = " ".join(value.split())
    if len(value) > limit:
        raise ValidationError(
            {field: _("This text is too long (%(limit)d characters at most).") % {"limit": limit}}
        )
    if required and not value:
        raise ValidationError({field: _("This field is required.")})
    return value


def _minutes(value: Any) -> str:
    value = _text(value, field="minutes", limit=10**9)
    size = len(value.encode("utf-8"))
    if size > MINUTES_MAX_BYTES:
        raise ValidationError(
            {
                "minutes": _(
                    "The minutes are too long: %(limit)d kB of text at most, these are %(size)d kB."
                    " Keep the decisions and attach the rest elsewhere."
                )
                % {"limit": MINUTES_MAX_BYTES // 1000, "size": -(-size // 1000)}
            }
        )
    return value


def _day(
    value: Any, *, field: str, today: date, required: bool = True, ahead: int = 0
) -> date | None:
    """A date that is not in the future (or at most `ahead` days ahead) nor implausibly old."""
    if value is None:
        if required:
            raise ValidationError({field: _("Give the date.")})
        return None
    if not isinstance(value, date):
        raise ValidationError({field: _("Enter a valid date.")})
    if value > today + timedelta(days=ahead):
        message = (
            _("This date is in the future.")
            if not ahead
            else _("This date is too far in the future.")
        )
        raise ValidationError({field: message})
    if value < DATE_FLOOR:
        raise ValidationError(
            {field: _("This date is before %(year)d.") % {"year": DATE_FLOOR.year}}
        )
    return value


def _remind_days(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError({"remind_after_days": _("Enter a whole number of days.")})
    if not REMIND_MIN_DAYS <= value <= REMIND_MAX_DAYS:
        raise ValidationError(
            {
                "remind_after_days": _("Between %(low)d and %(high)d days.")
                % {"low": REMIND_MIN_DAYS, "high": REMIND_MAX_DAYS}
            }
        )
    return value


# --- Selectors -----------------------------------------------------------------------------------


def inside(user: Any, table: Organization) -> bool:
    """True for the people of the table's own organization (and superusers): they see its drafts
    and internal minutes. The city's network-wide readers and the institutions do not."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return Membership.objects.current().filter(user_id=user.pk, organization_id=table.pk).exists()


def tables_for(user: Any) -> QuerySet[Organization]:
    """The round tables the user may open."""
    return tenancy.scoped(Organization, user, tenancy.VIEW).filter(
        kind=OrganizationKind.ROUND_TABLE
    )


def seats_of(user: Any) -> QuerySet[TableMember]:
    """The seats of the user's organizations at round tables (read through `TENANT_READERS`)."""
    own = _own_organization_ids(user)
    return (
        tenancy.scoped(TableMember, user, tenancy.VIEW)
        .filter(member_id__in=own)
        .select_related("table", "member")
        .order_by("table__name", "member__name")
    )


def table_for(user: Any, pk: Any, capability: str = tenancy.VIEW) -> Organization:
    """The round table a page is about, or 404 (403: visible, not allowed)."""
    return tenancy.object_for(
        Organization, user, capability, pk=pk, kind=OrganizationKind.ROUND_TABLE
    )


def public_table(pk: Any) -> Organization:
    """A round table for the public tracker (any table: its public recommendations only)."""
    if not isinstance(pk, int) or not 0 < pk <= tenancy.BIGINT_MAX:
        raise Http404
    found = Organization.objects.filter(pk=pk, kind=OrganizationKind.ROUND_TABLE).first()
    if found is None:
        raise Http404
    return found


@dataclass
class Members:
    current: list[TableMember]
    former: list[TableMember]

    @property
    def count(self) -> int:
        return len(self.current)


def members_of(table: Organization, *, today: date | None = None) -> Members:
    """The table's member organizations, those still sitting first."""
    today = today or timezone.localdate()
    rows = list(
        TableMember.objects.filter(table=table)
        .select_related("member")
        .order_by("member__name", "pk")
    )
    current = [m for m in rows if m.left_on is None or m.left_on >= today]
    former = [m for m in rows if m.left_on is not None and m.left_on < today]
    # Chairs and secretariat first: who to call.
    rank = {
        TableRole.CHAIR: 0,
        TableRole.SECRETARIAT: 1,
        TableRole.MEMBER: 2,
        TableRole.OBSERVER: 3,
    }
    current.sort(key=lambda m: rank.get(m.role, 9))
    return Members(current, former)


def member_choices(table: Organization) -> QuerySet[Organization]:
    """Organizations that may join: any of the network (names are public), but not the table
    itself nor one already sitting there."""
    return (
        Organization.objects.exclude(pk=table.pk)
        .exclude(tables_joined__table=table)
        .order_by("name")
    )


def addressee_choices(table: Organization) -> QuerySet[Organization]:
    """Whom a recommendation may be addressed to: any organization of the network but the table."""
    return Organization.objects.exclude(pk=table.pk).order_by("name")


def meetings_of(user: Any, table: Organization) -> QuerySet[Meeting]:
    return tenancy.scoped(Meeting, user, tenancy.VIEW).filter(table=table)


def meeting_for(user: Any, pk: Any, capability: str = tenancy.VIEW) -> Meeting:
    return tenancy.object_for(Meeting, user, capability, pk=pk)


def minutes_visible(user: Any, meeting: Meeting) -> bool:
    return meeting.minutes_public or inside(user, meeting.table)


@dataclass
class Line:
    """A recommendation as listed: with its days waiting and whether it is overdue."""

    recommendation: Recommendation
    days_waiting: int | None
    overdue: bool


def _line(recommendation: Recommendation, today: date) -> Line:
    waiting = workflow.days_waiting(recommendation, today)
    overdue = recommendation.state in workflow.UNANSWERED and workflow.waited_enough(
        recommendation, today
    )
    return Line(recommendation, waiting, overdue)


def recommendations_of(
    user: Any, table: Organization, *, today: date | None = None
) -> list[tuple[str, str, list[Line]]]:
    """The table's recommendations the user may read, by state (in the order of their life):
    [(state, label, lines)], states without any left out."""
    today = today or timezone.localdate()
    rows = (
        tenancy.scoped(Recommendation, user, tenancy.VIEW)
        .filter(table=table)
        .select_related("addressed_to", "meeting")
        .order_by("sent_on", "adopted_on", "pk")
    )
    if not inside(user, table):
        rows = rows.filter(state__in=workflow.INSTITUTION_STATES)
    return _by_state(rows, today)


def _by_state(rows: Any, today: date) -> list[tuple[str, str, list[Line]]]:
    grouped: dict[str, list[Line]] = {}
    for recommendation in rows:
        grouped.setdefault(recommendation.state, []).append(_line(recommendation, today))
    labels = dict(RecommendationState.choices)
    return [(state, labels[state], grouped[state]) for state in STATE_ORDER if state in grouped]


def recommendation_for(user: Any, pk: Any, capability: str = tenancy.VIEW) -> Recommendation:
    """One recommendation, or 404: the institution never sees one not yet sent to it."""
    found = tenancy.object_for(Recommendation, user, capability, pk=pk)
    if found.state in workflow.INTERNAL_STATES and not inside(user, found.table):
        raise Http404
    return found


def _own_organization_ids(user: Any) -> list[int]:
    if user is None or not user.is_authenticated:
        return []
    return list(
        Membership.objects.current()
        .filter(user_id=user.pk)
        .values_list("organization_id", flat=True)
    )


def received_by(user: Any, *, today: date | None = None) -> list[tuple[str, str, list[Line]]]:
    """Recommendations sent to the user's own organizations, by state."""
    today = today or timezone.localdate()
    rows = (
        tenancy.scoped(Recommendation, user, tenancy.VIEW)
        .filter(
            addressed_to_id__in=_own_organization_ids(user),
            state__in=workflow.INSTITUTION_STATES,
        )
        .select_related("addressed_to", "table")
        .order_by("sent_on", "pk")
    )
    return _by_state(rows, today)


def public_recommendations(
    table: Organization, *, today: date | None = None
) -> list[tuple[str, str, list[Line]]]:
    """What the public tracker shows: the recommendations the table made public, once sent."""
    today = today or timezone.localdate()
    rows = (
        Recommendation.objects.filter(table=table, is_public=True, state__in=workflow.PUBLIC_STATES)
        .select_related("addressed_to")
        .order_by("sent_on", "pk")
    )
    return _by_state(rows, today)


def public_meetings(table: Organization) -> QuerySet[Meeting]:
    return Meeting.objects.filter(table=table, minutes_public=True).exclude(minutes="")


# --- Members -------------------------------------------------------------------------------------


def _check_member_dates(
    joined_on: date | None, left_on: date | None, today: date
) -> tuple[date | None, date | None]:
    joined_on = _day(joined_on, field="joined_on", today=today, required=False)
    left_on = _day(left_on, field="left_on", today=today, required=False)
    if joined_on and left_on and left_on < joined_on:
        raise ValidationError({"left_on": _("An organization cannot leave before it joined.")})
    return joined_on, left_on


def _check_role(role: str) -> str:
    if role not in TableRole.values:
        raise ValidationError({"role": _("Choose a role from the list.")})
    return role


@transaction.atomic
def table_member_add(
    *,
    actor: Any,
    table: Organization,
    member: Organization,
    role: str = TableRole.MEMBER,
    joined_on: date | None = None,
    today: date | None = None,
) -> TableMember:
    """Seat an organization of the network at the table (once)."""
    _require_runner(actor, table)
    today = today or timezone.localdate()
    if member.pk == table.pk:
        raise ValidationError({"member": _("A round table cannot be its own member.")})
    joined_on, _left = _check_member_dates(joined_on, None, today)
    role = _check_role(role)
    already = _("This organization is already a member of the table.")
    if TableMember.objects.filter(table=table, member=member).exists():
        raise ValidationError({"member": already}, code="exists")
    try:
        with transaction.atomic():
            seat = TableMember.objects.create(
                table=table, member=member, role=role, joined_on=joined_on
            )
    except IntegrityError as error:  # added at the same moment by someone else
        raise ValidationError({"member": already}, code="exists") from error
    audit_record(
        actor=actor,
        action="create",
        target=seat,
        organization_id=table.pk,
        details={"member": member.pk, "role": role},
    )
    return seat


@transaction.atomic
def table_member_update(
    *,
    actor: Any,
    seat: TableMember,
    role: str,
    joined_on: date | None = None,
    left_on: date | None = None,
    today: date | None = None,
) -> TableMember:
    """Change a member's role or dates (an organization that leaves keeps its history)."""
    _require_runner(actor, seat.table)
    today = today or timezone.localdate()
    joined_on, left_on = _check_member_dates(joined_on, left_on, today)
    role = _check_role(role)
    changes = {
        name: [str(getattr(seat, name) or ""), str(value or "")]
        for name, value in (("role", role), ("joined_on", joined_on), ("left_on", left_on))
        if getattr(seat, name) != value
    }
    seat.role, seat.joined_on, seat.left_on = role, joined_on, left_on
    seat.save(update_fields=["role", "joined_on", "left_on"])
    audit_record(
        actor=actor,
        action="change",
        target=seat,
        organization_id=seat.table_id,
        details={"fields": changes},
    )
    return seat


@transaction.atomic
def table_member_remove(*, actor: Any, seat: TableMember) -> None:
    """Remove a seat entered by mistake (one that left is given a leaving date instead)."""
    _require_runner(actor, seat.table)
    audit_record(
        actor=actor,
        action="delete",
        target=seat,
        organization_id=seat.table_id,
        details={"member": seat.member_id, "role": seat.role},
    )
    seat.delete()


# --- Meetings ------------------------------------------------------------------------------------


def _meeting_fields(
    *, held_on: Any, title: Any, place: Any, minutes: Any, minutes_public: Any, today: date
) -> dict[str, Any]:
    return {
        "held_on": _day(held_on, field="held_on", today=today, ahead=MEETING_AHEAD_DAYS),
        "title": _text(
            title, field="title", limit=MEETING_TITLE_MAX, required=True, multiline=False
        ),
        "place": _text(place, field="place", limit=PLACE_MAX, multiline=False),
        "minutes": _minutes(minutes),
        "minutes_public": bool(minutes_public),
    }


@transaction.atomic
def meeting_record(
    *,
    actor: Any,
    table: Organization,
    held_on: date,
    title: str,
    place: str = "",
    minutes: str = "",
    minutes_public: bool = False,
    today: date | None = None,
) -> Meeting:
    """Record a meeting of the table (planned, or held with its minutes)."""
    _require_runner(actor, table)
    fields = _meeting_fields(
        held_on=held_on,
        title=title,
        place=place,
        minutes=minutes,
        minutes_public=minutes_public,
        today=today or timezone.localdate(),
    )
    meeting = Meeting.objects.create(table=table, **fields)
    audit_record(
        actor=actor,
        action="create",
        target=meeting,
        organization_id=table.pk,
        details={"held_on": meeting.held_on.isoformat(), "minutes": len(meeting.minutes)},
    )
    return meeting


@transaction.atomic
def meeting_update(
    *,
    actor: Any,
    meeting: Meeting,
    held_on: date,
    title: str,
    place: str = "",
    minutes: str = "",
    minutes_public: bool = False,
    today: date | None = None,
) -> Meeting:
    """Correct a meeting, or add its minutes once held."""
    _require_runner(actor, meeting.table)
    fields = _meeting_fields(
        held_on=held_on,
        title=title,
        place=place,
        minutes=minutes,
        minutes_public=minutes_public,
        today=today or timezone.localdate(),
    )
    changed = [name for name, value in fields.items() if getattr(meeting, name) != value]
    for name, value in fields.items():
        setattr(meeting, name, value)
    meeting.save()
    audit_record(
        actor=actor,
        action="change",
        target=meeting,
        organization_id=meeting.table_id,
        details={"fields": changed},
    )
    return meeting


# --- Recommendations -----------------------------------------------------------------------------


def _check_addressee(table: Organization, addressed_to: Any) -> Organization:
    if not isinstance(addressed_to, Organization) or addressed_to.pk is None:
        raise ValidationError({"addressed_to": _("Choose the institution from the list.")})
    if addressed_to.pk == table.pk:
        raise ValidationError(
            {"addressed_to": _("A table does not address a recommendation to itself.")}
        )
    return addressed_to


def _check_meeting(table: Organization, meeting: Meeting | None) -> Meeting | None:
    if meeting is not None and meeting.table_id != table.pk:
        raise ValidationError({"meeting": _("This meeting is not one of this table's meetings.")})
    return meeting


def _content(
    table: Organization,
    *,
    title: Any,
    text: Any,
    addressed_to: Any,
    meeting: Meeting | None,
    remind_after_days: Any,
    is_public: Any,
) -> dict[str, Any]:
    return {
        "title": _text(
            title, field="title", limit=RECOMMENDATION_TITLE_MAX, required=True, multiline=False
        ),
        "text": _text(text, field="text", limit=TEXT_MAX, required=True),
        "addressed_to": _check_addressee(table, addressed_to),
        "meeting": _check_meeting(table, meeting),
        "remind_after_days": _remind_days(remind_after_days),
        "is_public": bool(is_public),
    }


def _event(
    recommendation: Recommendation, *, action: str, source: str, actor: Any, note: str = ""
) -> RecommendationEvent:
    return RecommendationEvent.objects.create(
        recommendation=recommendation,
        action=action,
        from_state=source,
        to_state=recommendation.state,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        note=note,
    )


@transaction.atomic
def recommendation_draft(
    *,
    actor: Any,
    table: Organization,
    title: str,
    text: str,
    addressed_to: Organization,
    meeting: Meeting | None = None,
    remind_after_days: int = REMIND_DEFAULT_DAYS,
    is_public: bool = True,
) -> Recommendation:
    """Write a recommendation of the table, as a draft until the table adopts it."""
    _require_runner(actor, table)
    content = _content(
        table,
        title=title,
        text=text,
        addressed_to=addressed_to,
        meeting=meeting,
        remind_after_days=remind_after_days,
        is_public=is_public,
    )
    recommendation = Recommendation.objects.create(table=table, **content)
    _event(recommendation, action="draft", source=RecommendationState.DRAFTED, actor=actor)
    audit_record(
        actor=actor,
        action="create",
        target=recommendation,
        organization_id=table.pk,
        details={"addressed_to": recommendation.addressed_to_id},
    )
    return recommendation


def _check_version(current: Recommendation, version: Any) -> None:
    if version is None or version != current.version:
        raise ValidationError(
            _(
                "This recommendation changed since you opened it (someone else acted on it). "
                "Reload the page and check it before trying again."
            ),
            code="stale",
        )


def recommendation_update(
    *,
    actor: Any,
    recommendation: Recommendation,
    version: int | None,
    title: str,
    text: str,
    addressed_to: Organization,
    meeting: Meeting | None = None,
    remind_after_days: int = REMIND_DEFAULT_DAYS,
    is_public: bool = True,
) -> Recommendation:
    """Edit a recommendation. A draft's whole content; once adopted, what the table adopted stays
    as it is, and only the reminder delay and the public flag may change."""
    with transaction.atomic():
        current = (
            Recommendation.objects.select_for_update()
            .select_related("table")
            .get(pk=recommendation.pk)
        )
        _require_runner(actor, current.table)
        _check_version(current, version)
        content = _content(
            current.table,
            title=title,
            text=text,
            addressed_to=addressed_to,
            meeting=meeting,
            remind_after_days=remind_after_days,
            is_public=is_public,
        )
        if current.state not in workflow.EDITABLE_STATES:
            frozen = {
                name: value
                for name, value in content.items()
                if name not in {"remind_after_days", "is_public"}
                and getattr(current, name) != value
            }
            if frozen:
                raise ValidationError(
                    {
                        name: _(
                            "The table adopted this recommendation: its content no longer changes."
                        )
                        for name in frozen
                    },
                    code="adopted",
                )
        changed = [name for name, value in content.items() if getattr(current, name) != value]
        for name, value in content.items():
            setattr(current, name, value)
        current.version += 1
        current.save()
        audit_record(
            actor=actor,
            action="change",
            target=current,
            organization_id=current.table_id,
            details={"fields": changed, "version": current.version},
        )
    recommendation.refresh_from_db()
    return recommendation


def _checked_step(*, actor: Any, current: Recommendation, name: str) -> tuple[workflow.Step, str]:
    actors = workflow.actors_for(actor, current)
    if not actors:
        raise PermissionDenied
    found = workflow.step_for(name, current.state, actors)
    if found is None:
        label = next(
            (s.label for s in workflow.STEPS if s.name == name and s.actors & actors), None
        )
        if label is None:
            raise PermissionDenied
        raise ValidationError(
            _("This recommendation is “%(state)s”: “%(step)s” is not possible.")
            % {"state": current.get_state_display(), "step": label},
            code="wrong_state",
        )
    side = next(side for side in workflow.ACTORS if side in found.actors & actors)
    return found, side


def recommendation_step(
    *,
    actor: Any,
    recommendation: Recommendation,
    step: str,
    version: int | None,
    on: date | None = None,
    answer: str = "",
    note: str = "",
    today: date | None = None,
) -> Recommendation:
    """Take a step of the recommendation's life (see `recommendations.py`): its date `on` for a
    dated step, the institution's `answer` for an answer."""
    if step not in workflow.STEP_NAMES:
        raise ValidationError(_("Unknown step."), code="unknown_step")
    today = today or timezone.localdate()
    with transaction.atomic():
        current = (
            Recommendation.objects.select_for_update()
            .select_related("table", "addressed_to")
            .get(pk=recommendation.pk)
        )
        found, side = _checked_step(actor=actor, current=current, name=step)
        _check_version(current, version)
        note = _text(note, field="note", limit=NOTE_MAX)
        details: dict[str, Any] = {"step": step, "from": current.state, "to": found.target}
        if found.dated:
            day = _day(on, field="on", today=today)
            previous = workflow.NOT_BEFORE[found.dated]
            earlier = getattr(current, previous) if previous else None
            if day is not None and earlier is not None and day < earlier:
                raise ValidationError(
                    {
                        "on": _("This date is before the previous step (%(date)s).")
                        % {"date": earlier.isoformat()}
                    },
                    code="before_previous",
                )
            setattr(current, found.dated, day)
            details[found.dated] = day.isoformat() if day else None
        if found.answer:
            current.answer = _text(answer, field="answer", limit=TEXT_MAX, required=True)
        if found.after_waiting and not workflow.waited_enough(current, today):
            due = current.sent_on + timedelta(days=current.remind_after_days)
            raise ValidationError(
                _(
                    "The institution still has time to answer: no answer can be declared "
                    "before %(date)s."
                )
                % {"date": due.isoformat()},
                code="too_early",
            )
        source = current.state
        current.state = found.target
        current.version += 1
        current.save()
        _event(current, action=step, source=source, actor=actor, note=note)
        audit_record(
            actor=actor,
            action="change",
            target=current,
            organization_id=workflow.side_organization(current, side),
            details=details | {"version": current.version, "side": side},
        )
    recommendation.refresh_from_db()
    return recommendation


# --- Reminders -----------------------------------------------------------------------------------


def _reminder_due(recommendation: Recommendation, today: date) -> bool:
    if recommendation.state not in workflow.UNANSWERED or recommendation.answered_on is not None:
        return False
    if not workflow.waited_enough(recommendation, today):
        return False
    last = recommendation.last_reminded_on
    return last is None or (today - last).days >= recommendation.remind_after_days


def reminders_due(today: date) -> list[Recommendation]:
    """Recommendations sent, still without an answer after their `remind_after_days`, and not
    reminded within the last period."""
    candidates = (
        Recommendation.objects.filter(
            state__in=workflow.UNANSWERED,
            answered_on__isnull=True,
            sent_on__isnull=False,
            sent_on__lte=today - timedelta(days=REMIND_MIN_DAYS),
        )
        .select_related("table", "addressed_to")
        .order_by("table_id", "sent_on", "pk")
    )
    return [r for r in candidates if _reminder_due(r, today)]


def reminder_recipients(table_id: int) -> list[Any]:
    """The table's coordinators with an e-mail; its directors when it has no coordinator."""
    people = (
        Membership.objects.current()
        .filter(organization_id=table_id, role__in=REMINDED_ROLES)
        .exclude(user__email="")
        .select_related("user")
        .order_by("user__email")
    )
    by_role: dict[str, dict[int, Any]] = {}
    for membership in people:
        by_role.setdefault(membership.role, {})[membership.user.pk] = membership.user
    for role in REMINDED_ROLES:
        if by_role.get(role):
            return list(by_role[role].values())
    return []


def _reminder_message(
    table: Organization, waiting: list[Recommendation], today: date
) -> tuple[str, str]:
    subject = _("Recommendations without an answer: %(count)d (%(table)s)") % {
        "count": len(waiting),
        "table": table.name,
    }
    lines = [
        _("These recommendations of %(table)s are still waiting for an answer:")
        % {"table": table.name},
        "",
    ]
    for recommendation in waiting:
        lines.append(
            _("- %(title)s, to %(institution)s, sent on %(date)s: %(days)d days waiting")
            % {
                "title": recommendation.title,
                "institution": recommendation.addressed_to.name,
                "date": recommendation.sent_on.isoformat(),
                "days": workflow.days_waiting(recommendation, today) or 0,
            }
        )
        lines.append("  " + reverse("surveys:recommendation_detail", args=[recommendation.pk]))
    lines += [
        "",
        _(
            "Follow up with the institution, then record its answer, or that no answer came, "
            "on each recommendation's page."
        ),
    ]
    return subject, "\n".join(lines)


def recommendations_remind(*, today: date | None = None) -> list[Recommendation]:
    """E-mail each table's coordinators about its recommendations waiting for an answer, in each
    one's language; once per period (`last_reminded_on`), whatever the number of runs. A table
    with nobody to tell waits for the next run. Returns the recommendations reminded."""
    today = today or timezone.localdate()
    by_table: dict[int, list[int]] = {}
    for recommendation in reminders_due(today):
        by_table.setdefault(recommendation.table_id, []).append(recommendation.pk)
    reminded: list[Recommendation] = []
    for table_id, pks in by_table.items():
        people = reminder_recipients(table_id)
        if not people:
            continue
        # Locked and checked again: a second run at the same time finds them reminded.
        with transaction.atomic():
            waiting = [
                r
                for r in Recommendation.objects.select_for_update()
                .filter(pk__in=pks)
                .select_related("table", "addressed_to")
                .order_by("sent_on", "pk")
                if _reminder_due(r, today)
            ]
            if not waiting:
                continue
            table = waiting[0].table
            Recommendation.objects.filter(pk__in=[r.pk for r in waiting]).update(
                last_reminded_on=today
            )
            # A mail failure rolls the reminder dates back: tomorrow's run tries again.
            mail_in_their_languages(
                people,
                lambda: _reminder_message(table, waiting, today),  # noqa: B023
            )
            for recommendation in waiting:
                audit_record(
                    actor=None,
                    action="change",
                    target=recommendation,
                    organization_id=table_id,
                    reason="recommendation reminder",
                    details={
                        "reminded_on": today.isoformat(),
                        "days_waiting": workflow.days_waiting(recommendation, today),
                        "recipients": len(people),
                    },
                )
                recommendation.last_reminded_on = today
            reminded.extend(waiting)
    return reminded

"""Reads of the directory's staff pages: my services and their freshness, the review queue,
a service's history in plain words, and a revision's content ready to show.

Every list goes through `core.tenancy.scoped`; nothing here writes.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ancrage.core.models import Audience, AuditEvent, ImmigrationStatus, Language
from ancrage.core.tenancy import EDIT_SERVICES, REVIEW_SERVICES, has_capability, scoped
from ancrage.core.translated import pick
from ancrage.network.models import Organization, Site

from .content import service_content
from .models import (
    CONTENT_LANGUAGES,
    NEEDS_TAXONOMY_NAME,
    Program,
    ReviewRequirement,
    RevisionState,
    Schedule,
    Service,
    ServiceRevision,
    ServiceStatus,
    TaxonomyTerm,
)
from .workflow import EDITOR, OPEN_STATES, REVIEWER, Transition, allowed_transitions

# A service nobody confirmed for this long is flagged to its staff (and shown as such).
STALE_AFTER_MONTHS = 12
HISTORY_SHOWN = 100


# --- Who may do what -----------------------------------------------------------------------------


def actors_for(user: Any, organization_id: int) -> frozenset[str]:
    """The workflow roles (`workflow.EDITOR`, `workflow.REVIEWER`) of a user for one organization."""
    actors = set()
    if has_capability(user, EDIT_SERVICES, organization_id):
        actors.add(EDITOR)
    if has_capability(user, REVIEW_SERVICES, organization_id):
        actors.add(REVIEWER)
    return frozenset(actors)


def review_required(organization_id: int) -> bool:
    return ReviewRequirement.objects.filter(organization_id=organization_id).exists()


def revision_actions(revision: ServiceRevision, user: Any) -> list[Transition]:
    """The transitions the user may take on this revision now, in the table's order."""
    organization_id = revision.service.organization_id
    return allowed_transitions(
        revision.state,
        actors_for(user, organization_id),
        review_required(organization_id),
        is_author=revision.author_id is not None and revision.author_id == user.pk,
    )


# --- Freshness -----------------------------------------------------------------------------------


def stale_before(today: datetime.date | None = None) -> datetime.date:
    """Services last verified before this day need verifying again."""
    return (today or timezone.localdate()) - relativedelta(months=STALE_AFTER_MONTHS)


def is_stale(service: Service, today: datetime.date | None = None) -> bool:
    """Published and not verified in the last 12 months (or never)."""
    return service.is_published and (
        service.assured_date is None or service.assured_date < stale_before(today)
    )


def _stale_condition(today: datetime.date | None = None) -> Q:
    return Q(is_published=True) & (
        Q(assured_date__isnull=True) | Q(assured_date__lt=stale_before(today))
    )


# --- My services -----------------------------------------------------------------------------


def staff_services(user: Any, *, stale_only: bool = False) -> QuerySet[Service]:
    """The services the user may edit, by organization, newest first."""
    services = scoped(Service, user, EDIT_SERVICES).select_related("organization", "program")
    if stale_only:
        services = services.filter(_stale_condition())
    return services.order_by("organization__name", "organization_id", "-created_at", "id")


def stale_count(user: Any) -> int:
    return scoped(Service, user, EDIT_SERVICES).filter(_stale_condition()).count()


@dataclass
class StaffServiceRow:
    service: Service
    name: str
    open_revision: ServiceRevision | None
    is_stale: bool
    under_review: bool


def staff_service_rows(services: Iterable[Service]) -> list[StaffServiceRow]:
    """Each service with its edit under way (if any), its freshness and its review status."""
    services = list(services)
    ids = [s.pk for s in services]
    open_revisions = {
        revision.service_id: revision
        for revision in ServiceRevision.objects.filter(
            service_id__in=ids, state__in=OPEN_STATES
        ).select_related("author")
    }
    reviewed = set(
        ReviewRequirement.objects.filter(
            organization_id__in={s.organization_id for s in services}
        ).values_list("organization_id", flat=True)
    )
    today = timezone.localdate()
    rows = []
    for service in services:
        revision = open_revisions.get(service.pk)
        # A service never published has no public name yet: its draft's.
        name = service.name or (pick(revision.content.get("names")) if revision else "")
        rows.append(
            StaffServiceRow(
                service=service,
                name=name or _("(unnamed service)"),
                open_revision=revision,
                is_stale=is_stale(service, today),
                under_review=service.organization_id in reviewed,
            )
        )
    return rows


def editable_organizations(user: Any) -> QuerySet[Organization]:
    return scoped(Organization, user, EDIT_SERVICES).prefetch_related("programs").order_by("name")


def organization_programs(organization: Organization) -> QuerySet[Program]:
    return organization.programs.all().order_by("id")


def open_revision(service: Service) -> ServiceRevision | None:
    return service.revisions.filter(state__in=OPEN_STATES).select_related("author").first()


def service_display_name(service: Service) -> str:
    if service.name:
        return service.name
    last = service.revisions.order_by("-number").first()
    return (pick(last.content.get("names")) if last else "") or _("(unnamed service)")


# --- Review (city coordinators) ------------------------------------------------------------


def review_queue(user: Any) -> QuerySet[ServiceRevision]:
    """Edits waiting for a review, the longest waiting first."""
    return (
        scoped(ServiceRevision, user, REVIEW_SERVICES)
        .filter(state=RevisionState.SUBMITTED)
        .select_related("service", "service__organization", "author", "decided_by")
        .order_by("decided_at", "created_at", "pk")
    )


def organizations_under_review(user: Any) -> QuerySet[ReviewRequirement]:
    return (
        scoped(ReviewRequirement, user, REVIEW_SERVICES)
        .select_related("organization", "required_by")
        .order_by("organization__name")
    )


# --- Showing content -----------------------------------------------------------------------


class _Names:
    """Names of the codes and ids a content refers to, read once per page."""

    def __init__(self, organization: Organization) -> None:
        self.organization = organization
        self._cache: dict[str, dict[str, str]] = {}

    def _table(self, kind: str) -> dict[str, str]:
        if kind not in self._cache:
            if kind == "languages":
                rows = {lang.code: lang.name for lang in Language.objects.all()}
            elif kind == "audiences":
                rows = {a.code: a.name for a in Audience.objects.all()}
            elif kind == "immigration_statuses":
                rows = {s.code: s.name for s in ImmigrationStatus.objects.all()}
            elif kind == "needs":
                rows = {
                    t.code: t.name
                    for t in TaxonomyTerm.objects.filter(taxonomy__name=NEEDS_TAXONOMY_NAME)
                }
            elif kind == "sites":
                rows = {
                    str(site.hsds_id): site.name
                    for site in Site.objects.filter(organization=self.organization)
                }
            elif kind == "programs":
                rows = {str(p.id): p.name for p in self.organization.programs.all()}
            else:
                raise KeyError(kind)
            self._cache[kind] = rows
        return self._cache[kind]

    def name(self, kind: str, code: Any) -> str:
        if code is None:
            return ""
        return self._table(kind).get(str(code), str(code))

    def names(self, kind: str, codes: Iterable[Any]) -> list[str]:
        """Names in the list's own order (French first among languages), unknown codes last."""
        table, wanted = self._table(kind), [str(code) for code in codes or []]
        known = [name for code, name in table.items() if code in set(wanted)]
        return known + [code for code in wanted if code not in table]


def _weekday(code: str) -> str:
    names = {
        "MO": _("Monday"),
        "TU": _("Tuesday"),
        "WE": _("Wednesday"),
        "TH": _("Thursday"),
        "FR": _("Friday"),
        "SA": _("Saturday"),
        "SU": _("Sunday"),
    }
    return names.get(code, code)


def _ordinal(ordinal: str) -> str:
    names = {
        "1": _("1st"),
        "+1": _("1st"),
        "2": _("2nd"),
        "+2": _("2nd"),
        "3": _("3rd"),
        "+3": _("3rd"),
        "4": _("4th"),
        "+4": _("4th"),
        "5": _("5th"),
        "+5": _("5th"),
        "-1": _("last"),
    }
    return names.get(ordinal, ordinal)


def schedule_words(item: dict[str, Any], names: "_Names | None" = None) -> str:
    """Opening hours in words: "Every week: Monday, Wednesday, 09:00–17:00 (Branch X)"."""
    days = []
    for part in filter(None, (item.get("byday") or "").split(",")):
        code, ordinal = part[-2:], part[:-2]
        days.append(f"{_ordinal(ordinal)} {_weekday(code)}" if ordinal else _weekday(code))
    if item.get("bymonthday"):
        days.append(_("day %(days)s of the month") % {"days": item["bymonthday"]})
    interval = item.get("interval") or 1
    if item.get("freq") == Schedule.Frequency.MONTHLY:
        every = (
            _("Every month") if interval == 1 else _("Every %(count)d months") % {"count": interval}
        )
    else:
        every = (
            _("Every week") if interval == 1 else _("Every %(count)d weeks") % {"count": interval}
        )
    text = f"{every}: {', '.join(days)}"
    if item.get("opens_at") and item.get("closes_at"):
        text += f", {item['opens_at']}–{item['closes_at']}"
    if item.get("site") and names is not None:
        text += f" ({names.name('sites', item['site'])})"
    return text


def contact_words(item: dict[str, Any]) -> str:
    parts = [item.get("name") or ""]
    for key in ("title", "email", "phone"):
        if item.get(key):
            parts.append(item[key])
    return ", ".join(p for p in parts if p)


@dataclass
class ContentView:
    """A content dict made readable: texts in the reader's language, codes as names."""

    name: str
    description: str
    eligibility: str
    application: str
    fees: str
    languages_written: list[str]
    missing_required: list[str]
    facts: list[tuple[str, str]] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    hours: list[str] = field(default_factory=list)
    contacts: list[str] = field(default_factory=list)


def content_view(content: dict[str, Any], organization: Organization) -> ContentView:
    names = _Names(organization)
    written = [code for code in CONTENT_LANGUAGES if (content.get("names") or {}).get(code)]
    age = ""
    low, high = content.get("minimum_age"), content.get("maximum_age")
    if low is not None and high is not None:
        age = _("%(low)d to %(high)d years old") % {"low": low, "high": high}
    elif low is not None:
        age = _("%(low)d years old or more") % {"low": low}
    elif high is not None:
        age = _("up to %(high)d years old") % {"high": high}
    status = content.get("status") or ServiceStatus.ACTIVE
    facts = [
        (_("Status"), str(ServiceStatus(status).label) if status in ServiceStatus.values else ""),
        (_("Program"), names.name("programs", content.get("program"))),
        (_("Needs addressed"), ", ".join(names.names("needs", content.get("needs")))),
        (_("Audiences"), ", ".join(names.names("audiences", content.get("audiences")))),
        (
            _("Immigration statuses accepted"),
            ", ".join(names.names("immigration_statuses", content.get("immigration_statuses")))
            or _("Any status"),
        ),
        (_("Age"), age),
        (
            _("Years since arrival"),
            _("at most %(years)d") % {"years": content["max_years_since_arrival"]}
            if content.get("max_years_since_arrival") is not None
            else "",
        ),
        (
            _("Languages the service is given in"),
            ", ".join(names.names("languages", content.get("languages"))),
        ),
        (_("Cost"), _("Free of charge") if content.get("is_free", True) else _("Fees apply")),
        (_("Interpretation"), content.get("interpretation_services") or ""),
        (_("Web page"), content.get("url") or ""),
        (_("Email"), content.get("email") or ""),
        (_("Phone"), content.get("phone") or ""),
        (_("Funded by"), content.get("funding_source") or ""),
        (_("Other name or code"), content.get("alternate_name") or ""),
    ]
    return ContentView(
        name=pick(content.get("names")),
        description=pick(content.get("descriptions")),
        eligibility=pick(content.get("eligibility_descriptions")),
        application=pick(content.get("application_processes")),
        fees=pick(content.get("fees_descriptions")),
        languages_written=names.names("languages", written),
        missing_required=[
            names.name("languages", code)
            for code in ("fr", "en")
            if not (content.get("names") or {}).get(code)
            or not (content.get("descriptions") or {}).get(code)
        ],
        facts=[(label, value) for label, value in facts if value],
        places=names.names("sites", [p.get("site") for p in content.get("locations") or []]),
        hours=[schedule_words(s, names) for s in content.get("schedules") or []],
        contacts=[contact_words(c) for c in content.get("contacts") or []],
    )


# --- What changed, in plain words --------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    label: str
    before: str = ""
    after: str = ""
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()


def _text_labels() -> dict[str, str]:
    return {
        "names": _("Name"),
        "descriptions": _("Description"),
        "eligibility_descriptions": _("Who it is for"),
        "application_processes": _("How to apply"),
        "fees_descriptions": _("Fees"),
    }


def _plain_labels() -> dict[str, str]:
    return {
        "alternate_name": _("Other name or code"),
        "url": _("Web page"),
        "email": _("Email"),
        "phone": _("Phone"),
        "status": _("Status"),
        "is_free": _("Free of charge"),
        "interpretation_services": _("Interpretation"),
        "minimum_age": _("Minimum age"),
        "maximum_age": _("Maximum age"),
        "max_years_since_arrival": _("At most this many years since arrival"),
        "funding_source": _("Funded by"),
        "program": _("Program"),
    }


def _plain(field: str, value: Any, names: _Names) -> str:
    if value is None or value == "":
        return "—"
    if field == "is_free":
        return _("yes") if value else _("no")
    if field == "status":
        return str(ServiceStatus(value).label) if value in ServiceStatus.values else str(value)
    if field == "program":
        return names.name("programs", value)
    return str(value)


def _without_ids(items: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in item.items() if k != "id"} for item in items or []]


def content_changes(
    before: dict[str, Any],
    after: dict[str, Any],
    organization: Organization,
    names: _Names | None = None,
) -> list[Change]:
    """What differs from `before` to `after`, field by field, in words a person reads."""
    names = names or _Names(organization)
    changes: list[Change] = []
    for field_name, label in _text_labels().items():
        old, new = before.get(field_name) or {}, after.get(field_name) or {}
        for code in CONTENT_LANGUAGES:
            if (old.get(code) or "") != (new.get(code) or ""):
                changes.append(
                    Change(
                        f"{label} ({names.name('languages', code)})",
                        before=old.get(code) or "—",
                        after=new.get(code) or "—",
                    )
                )
    for field_name, label in _plain_labels().items():
        old, new = before.get(field_name), after.get(field_name)
        if (old if old != "" else None) != (new if new != "" else None):
            changes.append(
                Change(
                    label,
                    before=_plain(field_name, old, names),
                    after=_plain(field_name, new, names),
                )
            )
    for field_name, kind, label in (
        ("needs", "needs", _("Needs addressed")),
        ("audiences", "audiences", _("Audiences")),
        ("immigration_statuses", "immigration_statuses", _("Immigration statuses accepted")),
        ("languages", "languages", _("Languages the service is given in")),
    ):
        old, new = set(before.get(field_name) or []), set(after.get(field_name) or [])
        if old != new:
            changes.append(
                Change(
                    label,
                    added=tuple(names.names(kind, sorted(new - old))),
                    removed=tuple(names.names(kind, sorted(old - new))),
                )
            )
    old_places = {p.get("site") for p in before.get("locations") or []}
    new_places = {p.get("site") for p in after.get("locations") or []}
    if old_places != new_places:
        changes.append(
            Change(
                _("Places"),
                added=tuple(names.names("sites", sorted(new_places - old_places))),
                removed=tuple(names.names("sites", sorted(old_places - new_places))),
            )
        )
    for field_name, label, words in (
        ("schedules", _("Opening hours"), lambda item: schedule_words(item, names)),
        ("contacts", _("Contacts"), contact_words),
    ):
        old_items = [words(item) for item in _without_ids(before.get(field_name))]
        new_items = [words(item) for item in _without_ids(after.get(field_name))]
        if old_items != new_items:
            changes.append(
                Change(
                    label,
                    added=tuple(item for item in new_items if item not in old_items),
                    removed=tuple(item for item in old_items if item not in new_items),
                    # Same rows in another order, or a change words do not show (a note):
                    after=_("changed") if set(old_items) == set(new_items) else "",
                )
            )
    return changes


# --- History -------------------------------------------------------------------------------


@dataclass
class Step:
    at: datetime.datetime
    who: str
    what: str
    comment: str = ""


@dataclass
class HistoryEntry:
    revision: ServiceRevision
    changes: list[Change]
    is_first: bool
    steps: list[Step]


def _step_words(event: AuditEvent) -> str:
    transition = (event.details or {}).get("transition")
    words = {
        "publish": _("published"),
        "submit": _("submitted for review"),
        "approve": _("approved and published"),
        "return": _("returned with comments"),
        "withdraw": _("withdrawn"),
    }
    if transition:
        return words.get(transition, transition)
    if event.action == AuditEvent.Action.CREATE:
        return _("edit started")
    return _("draft saved")


def service_history(service: Service) -> list[HistoryEntry]:
    """The revisions of a service, newest first: who, when, each step, and what changed."""
    revisions = list(service.revisions.select_related("author", "decided_by").order_by("number"))
    events: dict[str, list[Step]] = {}
    for event in AuditEvent.objects.filter(
        target_type=ServiceRevision._meta.label_lower,
        target_id__in=[str(r.pk) for r in revisions],
    ).order_by("at", "pk"):
        events.setdefault(event.target_id, []).append(
            Step(
                at=event.at,
                who=event.actor_label,
                what=_step_words(event),
                comment=(event.details or {}).get("comment") or "",
            )
        )
    entries = []
    previous: ServiceRevision | None = None
    names = _Names(service.organization)  # read once for the whole history
    for revision in revisions:
        entries.append(
            HistoryEntry(
                revision=revision,
                changes=content_changes(
                    previous.content, revision.content, service.organization, names
                )
                if previous is not None
                else [],
                is_first=previous is None,
                steps=events.get(str(revision.pk), []),
            )
        )
        previous = revision
    return list(reversed(entries))[:HISTORY_SHOWN]


def verifications(service: Service) -> QuerySet[AuditEvent]:
    """ "Still accurate" confirmations of the service, newest first."""
    return AuditEvent.objects.filter(
        target_type=Service._meta.label_lower,
        target_id=str(service.pk),
        details__has_key="verified",
    ).order_by("-at")[:20]


def changes_since_published(revision: ServiceRevision) -> list[Change] | None:
    """What an edit changes on the public page; None when the service was never published."""
    service = revision.service
    if not service.is_published:
        return None
    return content_changes(service_content(service), revision.content, service.organization)

"""Every write to the directory. Staff edits go through revisions (see `workflow.py`).

The staff of an organization describe its services: a new service or an edit is a draft revision,
published at once or submitted to the city's review when a coordinator asked for it
(`ReviewRequirement`). Publishing copies the revision onto the service (`content.apply_content`)
and counts as verifying it; "still accurate" verifies without an edit.

Callers pass objects fetched through `core.tenancy`; the capability is checked here again
(PermissionDenied), and so is the content (ValidationError naming the content field), whoever
calls: the staff form, a script or the shell.
"""

import datetime
import re
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import IntegrityError, models, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from ancrage.core.audit import audit_record
from ancrage.core.models import Audience, ImmigrationStatus, Language
from ancrage.core.tenancy import EDIT_SERVICES, REVIEW_SERVICES, has_capability
from ancrage.core.translated import missing_languages
from ancrage.network.models import Organization, Site

from .content import PLAIN_FIELDS, TRANSLATED_FIELDS, apply_content, service_content
from .models import (
    CONTENT_LANGUAGES,
    NEEDS_TAXONOMY_NAME,
    REQUIRED_CONTENT_LANGUAGES,
    Contact,
    Program,
    ReviewRequirement,
    RevisionState,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceRevision,
    ServiceStatus,
    TaxonomyTerm,
)
from .selectors import actors_for, review_required
from .workflow import EDITABLE_STATES, OPEN_STATES, transition_named

# --- The rules a service's content follows ---------------------------------------------------

# Longest text per language, per translated field.
TEXT_LIMITS = {
    "names": 200,
    "descriptions": 4000,
    "eligibility_descriptions": 2000,
    "application_processes": 2000,
    "fees_descriptions": 1000,
}
# Written in French and English before anything is saved.
REQUIRED_TEXTS = ("names", "descriptions")
PLAIN_LIMITS = {
    "alternate_name": 200,
    "url": 200,
    "email": 254,
    "phone": 30,
    "interpretation_services": 300,
    "funding_source": 300,
}
NOTE_LIMIT = 500  # notes for a place or for opening hours, per language
COMMENT_LIMIT = 2000
REASON_LIMIT = 500
MAX_AGE = 120
MAX_YEARS_SINCE_ARRIVAL = 100
MAX_CODES = 100
MAX_PLACES = 50
MAX_SCHEDULES = 30
MAX_CONTACTS = 20
MAX_INTERVAL = 52
CONTACT_LIMITS = {"name": 120, "title": 120, "email": 254, "phone": 30}

WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
# "MO" every week; for monthly hours an ordinal may come first: "2TU", "-1FR" (last Friday).
BYDAY_ITEM = re.compile(r"^(?P<ordinal>[+-]?[1-5])?(?P<day>MO|TU|WE|TH|FR|SA|SU)$")
MONTHDAY_ITEM = re.compile(r"^-?(?:[1-9]|[12][0-9]|3[01])$")

CONTENT_KEYS = frozenset(
    {
        *TRANSLATED_FIELDS,
        *PLAIN_FIELDS,
        "program",
        "audiences",
        "immigration_statuses",
        "languages",
        "needs",
        "locations",
        "schedules",
        "contacts",
    }
)


class _Errors:
    """Collects every problem of a content at once, by content field, then raises them together."""

    def __init__(self) -> None:
        self.by_field: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.by_field.setdefault(field, []).append(message)

    def raise_if_any(self) -> None:
        if self.by_field:
            raise ValidationError(self.by_field)


def _text(value: Any, limit: int) -> str | None:
    """The trimmed text, or None when it is not text, too long, or holds a NUL character."""
    if value is None:
        return ""
    if not isinstance(value, str) or "\x00" in value:
        return None
    value = value.strip()
    return value if len(value) <= limit else None


def _texts(value: Any, limit: int) -> dict[str, str] | None:
    """A {language: text} object, French first, empty languages dropped; None when malformed."""
    if value is None:
        return {}
    if not isinstance(value, dict) or not set(value) <= set(CONTENT_LANGUAGES):
        return None
    texts = {}
    for code in CONTENT_LANGUAGES:
        text = _text(value.get(code), limit)
        if text is None:
            return None
        if text:
            texts[code] = text
    return texts


def _whole_number(value: Any, highest: int) -> int | None | bool:
    """The number, None when absent, False when it is not a whole number from 0 to `highest`."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= highest:
        return False
    return value


def _codes(value: Any, model: type[models.Model], errors: _Errors, field: str, **filters) -> list:
    if value is None:
        return []
    if (
        not isinstance(value, list | tuple)
        or len(value) > MAX_CODES
        or not all(isinstance(code, str) and len(code) <= 60 for code in value)
    ):
        errors.add(field, _("Choose from the list."))
        return []
    wanted = set(value)
    known = set(
        model.objects.filter(code__in=wanted, **filters).values_list("code", flat=True)  # type: ignore[attr-defined]
    )
    if wanted - known:
        errors.add(field, _("Choose from the list."))
    return sorted(known)


def _uuid(value: Any) -> uuid.UUID | None:
    if isinstance(value, uuid.UUID):
        return value
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def _own_id(
    value: Any, model: type[models.Model], service: Service | None, known: set[str]
) -> str | None:
    """Keep an item's id when it is this service's row (or a new id no row has); else a new row.

    A forged id naming another service's hours must not move them here.
    """
    item_id = _uuid(value)
    if item_id is None:
        return None
    if str(item_id) in known:
        return str(item_id)
    if service is None or model.objects.filter(id=item_id).exists():
        return None
    return str(item_id)


def _known_ids(service: Service | None, related: str) -> set[str]:
    if service is None or service.pk is None:
        return set()
    return {str(pk) for pk in getattr(service, related).values_list("id", flat=True)}


def _time(value: Any) -> datetime.time | None | bool:
    if value in (None, ""):
        return None
    if not isinstance(value, str) or len(value) > 8:
        return False
    try:
        return datetime.time.fromisoformat(value)
    except ValueError:
        return False


def _date(value: Any) -> datetime.date | None | bool:
    if value in (None, ""):
        return None
    if not isinstance(value, str) or len(value) > 10:
        return False
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        return False


def _check_plain(content: dict[str, Any], errors: _Errors, clean: dict[str, Any]) -> None:
    for field, limit in PLAIN_LIMITS.items():
        value = _text(content.get(field), limit)
        if value is None:
            errors.add(field, _("At most %(limit)d characters, as text.") % {"limit": limit})
            continue
        clean[field] = value
    if clean.get("url"):
        try:
            URLValidator(schemes=["http", "https"])(clean["url"])
        except ValidationError:
            errors.add("url", _("Give a web address starting with https:// or http://."))
    if clean.get("email"):
        try:
            EmailValidator()(clean["email"])
        except ValidationError:
            errors.add("email", _("Give a valid email address."))

    status = content.get("status") or ServiceStatus.ACTIVE
    if status not in ServiceStatus.values:
        errors.add("status", _("Choose from the list."))
    clean["status"] = status
    is_free = content.get("is_free", True)
    if not isinstance(is_free, bool):
        errors.add("is_free", _("Say whether the service is free."))
    clean["is_free"] = bool(is_free)

    for field, highest in (
        ("minimum_age", MAX_AGE),
        ("maximum_age", MAX_AGE),
        ("max_years_since_arrival", MAX_YEARS_SINCE_ARRIVAL),
    ):
        number = _whole_number(content.get(field), highest)
        if number is False:
            errors.add(field, _("A whole number from 0 to %(highest)d.") % {"highest": highest})
            number = None
        clean[field] = number
    low, high = clean["minimum_age"], clean["maximum_age"]
    if low is not None and high is not None and low > high:
        errors.add("maximum_age", _("The maximum age cannot be below the minimum age."))


def _check_places(
    organization: Organization,
    content: dict[str, Any],
    errors: _Errors,
    service: Service | None,
) -> list[dict[str, Any]]:
    items = content.get("locations") or []
    if not isinstance(items, list) or len(items) > MAX_PLACES:
        errors.add("locations", _("Choose at most %(count)d places.") % {"count": MAX_PLACES})
        return []
    wanted = [_uuid(item.get("site")) if isinstance(item, dict) else None for item in items]
    sites = {
        str(site.hsds_id)
        for site in Site.objects.filter(
            organization=organization, hsds_id__in=[w for w in wanted if w]
        )
    }
    known = _known_ids(service, "locations")
    clean, seen = [], set()
    for item, site_id in zip(items, wanted, strict=True):
        site = str(site_id) if site_id else None
        if site is None or site not in sites:
            errors.add("locations", _("Choose places of this organization."))
            continue
        if site in seen:
            continue
        seen.add(site)
        notes = _texts(item.get("descriptions"), NOTE_LIMIT)
        if notes is None:
            errors.add("locations", _("The notes for a place are too long."))
            notes = {}
        entry: dict[str, Any] = {"site": site, "descriptions": notes}
        item_id = _own_id(item.get("id"), ServiceAtLocation, service, known)
        if item_id:
            entry["id"] = item_id
        clean.append(entry)
    return clean


def _check_byday(value: Any, freq: str) -> str | None:
    if value in (None, ""):
        return ""
    if not isinstance(value, str) or len(value) > 40:
        return None
    days = []
    for part in value.split(","):
        match = BYDAY_ITEM.match(part.strip().upper())
        # "the 2nd Tuesday" makes sense in a month, not in a week.
        if match is None or (match["ordinal"] and freq == Schedule.Frequency.WEEKLY):
            return None
        days.append(part.strip().upper())
    return ",".join(dict.fromkeys(days))


def _check_monthdays(value: Any) -> str | None:
    if value in (None, ""):
        return ""
    if not isinstance(value, str) or len(value) > 40:
        return None
    parts = [part.strip() for part in value.split(",")]
    if not all(MONTHDAY_ITEM.match(part) for part in parts):
        return None
    return ",".join(dict.fromkeys(parts))


def _check_schedules(
    content: dict[str, Any], places: list[dict[str, Any]], errors: _Errors, service: Service | None
) -> list[dict[str, Any]]:
    items = content.get("schedules") or []
    if not isinstance(items, list) or len(items) > MAX_SCHEDULES:
        errors.add(
            "schedules", _("At most %(count)d rows of opening hours.") % {"count": MAX_SCHEDULES}
        )
        return []
    chosen_sites = {place["site"] for place in places}
    known = _known_ids(service, "schedules")
    clean = []
    for item in items:
        if not isinstance(item, dict):
            errors.add("schedules", _("Opening hours are malformed."))
            continue
        freq = item.get("freq")
        if freq not in Schedule.Frequency.values:
            errors.add("schedules", _("Say whether the hours repeat every week or every month."))
            continue
        byday = _check_byday(item.get("byday"), freq)
        monthdays = _check_monthdays(item.get("bymonthday"))
        if byday is None or monthdays is None or not (byday or monthdays):
            errors.add("schedules", _("Choose the days the service is open."))
            continue
        opens, closes = _time(item.get("opens_at")), _time(item.get("closes_at"))
        if opens is False or closes is False:
            errors.add("schedules", _("Give times as hours and minutes, e.g. 09:30."))
            continue
        if opens is not None and closes is not None and opens >= closes:
            errors.add("schedules", _("The closing time must come after the opening time."))
            continue
        starts, ends = _date(item.get("valid_from")), _date(item.get("valid_to"))
        if starts is False or ends is False or (starts and ends and starts > ends):
            errors.add("schedules", _("The period of these hours is not valid."))
            continue
        interval = item.get("interval")
        interval = 1 if interval is None else interval
        if isinstance(interval, bool) or not isinstance(interval, int):
            interval = 0
        if not 1 <= interval <= MAX_INTERVAL:
            errors.add("schedules", _("The hours repeat every 1 to 52 weeks or months."))
            continue
        site = item.get("site") or None
        if site is not None and (_uuid(site) is None or str(_uuid(site)) not in chosen_sites):
            errors.add("schedules", _("Hours for a place need that place among the places."))
            continue
        notes = _texts(item.get("descriptions"), NOTE_LIMIT)
        if notes is None:
            errors.add("schedules", _("The notes for these hours are too long."))
            continue
        entry = {
            "freq": freq,
            "interval": interval,
            "byday": byday,
            "bymonthday": monthdays,
            "opens_at": opens.strftime("%H:%M") if opens else None,
            "closes_at": closes.strftime("%H:%M") if closes else None,
            "valid_from": starts.isoformat() if starts else None,
            "valid_to": ends.isoformat() if ends else None,
            "site": str(_uuid(site)) if site else None,
            "descriptions": notes,
        }
        item_id = _own_id(item.get("id"), Schedule, service, known)
        if item_id:
            entry = {"id": item_id, **entry}
        clean.append(entry)
    return clean


def _check_contacts(
    content: dict[str, Any], errors: _Errors, service: Service | None
) -> list[dict[str, Any]]:
    items = content.get("contacts") or []
    if not isinstance(items, list) or len(items) > MAX_CONTACTS:
        errors.add("contacts", _("At most %(count)d contacts.") % {"count": MAX_CONTACTS})
        return []
    known = _known_ids(service, "contacts")
    clean = []
    for item in items:
        if not isinstance(item, dict):
            errors.add("contacts", _("A contact is malformed."))
            continue
        entry: dict[str, Any] = {}
        for field, limit in CONTACT_LIMITS.items():
            value = _text(item.get(field), limit)
            if value is None:
                errors.add("contacts", _("A contact's details are too long."))
                value = ""
            entry[field] = value
        if not entry["name"]:
            errors.add("contacts", _("Give each contact a name (a person or a desk)."))
            continue
        if entry["email"]:
            try:
                EmailValidator()(entry["email"])
            except ValidationError:
                errors.add("contacts", _("Give a valid email address."))
                continue
        item_id = _own_id(item.get("id"), Contact, service, known)
        clean.append({"id": item_id, **entry} if item_id else entry)
    return clean


def content_checked(
    *, organization: Organization, content: Any, service: Service | None = None
) -> dict[str, Any]:
    """The content as it will be stored, or a ValidationError naming every bad content field.

    Places must be the organization's own sites, codes must exist, hours must close after they
    open; ids of places, hours and contacts are kept only when they are this service's.
    """
    if not isinstance(content, dict):
        raise ValidationError(_("The content of a service is malformed."))
    unknown = set(content) - CONTENT_KEYS
    if unknown:
        raise ValidationError(
            _("Unknown fields: %(names)s.") % {"names": ", ".join(sorted(unknown)[:10])}
        )
    errors = _Errors()
    clean: dict[str, Any] = {}
    for field in TRANSLATED_FIELDS:
        texts = _texts(content.get(field), TEXT_LIMITS[field])
        if texts is None:
            errors.add(
                field,
                _("At most %(limit)d characters in each language.") % {"limit": TEXT_LIMITS[field]},
            )
            continue
        if field in REQUIRED_TEXTS:
            missing = missing_languages(texts, REQUIRED_CONTENT_LANGUAGES)
            if missing:
                errors.add(
                    field,
                    _("Write it in French and in English (missing: %(languages)s).")
                    % {"languages": ", ".join(missing)},
                )
        clean[field] = texts
    _check_plain(content, errors, clean)

    program = content.get("program") or None
    if program is not None:
        program_id = _uuid(program)
        if (
            program_id is None
            or not Program.objects.filter(id=program_id, organization=organization).exists()
        ):
            errors.add("program", _("Choose a program of this organization."))
            program_id = None
        program = str(program_id) if program_id else None
    clean["program"] = program

    clean["audiences"] = _codes(content.get("audiences"), Audience, errors, "audiences")
    clean["immigration_statuses"] = _codes(
        content.get("immigration_statuses"), ImmigrationStatus, errors, "immigration_statuses"
    )
    clean["languages"] = _codes(content.get("languages"), Language, errors, "languages")
    clean["needs"] = _codes(
        content.get("needs"), TaxonomyTerm, errors, "needs", taxonomy__name=NEEDS_TAXONOMY_NAME
    )
    clean["locations"] = _check_places(organization, content, errors, service)
    clean["schedules"] = _check_schedules(content, clean["locations"], errors, service)
    clean["contacts"] = _check_contacts(content, errors, service)
    errors.raise_if_any()
    return clean


# --- Permissions -------------------------------------------------------------------------------


def _require(actor: Any, capability: str, organization_id: int) -> None:
    if not has_capability(actor, capability, organization_id):
        raise PermissionDenied


def _person(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _next_number(service: Service) -> int:
    return (service.revisions.aggregate(last=Max("number"))["last"] or 0) + 1


# --- Programs ----------------------------------------------------------------------------------


def _program_values(
    names: dict[str, str], descriptions: dict[str, str] | None, alternate_name: str
) -> dict[str, Any]:
    errors = _Errors()
    clean_names = _texts(names, TEXT_LIMITS["names"])
    clean_descriptions = _texts(descriptions, TEXT_LIMITS["descriptions"])
    if clean_names is None:
        errors.add("names", _("At most %(limit)d characters in each language.") % {"limit": 200})
    elif missing_languages(clean_names, REQUIRED_CONTENT_LANGUAGES):
        errors.add("names", _("Write it in French and in English."))
    if clean_descriptions is None:
        errors.add(
            "descriptions", _("At most %(limit)d characters in each language.") % {"limit": 4000}
        )
    other = _text(alternate_name, 200)
    if other is None:
        errors.add("alternate_name", _("At most %(limit)d characters, as text.") % {"limit": 200})
    errors.raise_if_any()
    return {"names": clean_names, "descriptions": clean_descriptions, "alternate_name": other}


@transaction.atomic
def program_create(
    *,
    organization: Organization,
    actor: Any,
    names: dict[str, str],
    descriptions: dict[str, str] | None = None,
    alternate_name: str = "",
) -> Program:
    """A set of the organization's services under one name (HSDS program), public at once."""
    _require(actor, EDIT_SERVICES, organization.pk)
    program = Program.objects.create(
        organization=organization, **_program_values(names, descriptions, alternate_name)
    )
    audit_record(actor=actor, action="create", target=program, organization_id=organization.pk)
    return program


@transaction.atomic
def program_update(
    *,
    program: Program,
    actor: Any,
    names: dict[str, str],
    descriptions: dict[str, str] | None = None,
    alternate_name: str = "",
) -> Program:
    _require(actor, EDIT_SERVICES, program.organization_id)
    values = _program_values(names, descriptions, alternate_name)
    changed = sorted(field for field, value in values.items() if getattr(program, field) != value)
    for field, value in values.items():
        setattr(program, field, value)
    program.save()
    audit_record(
        actor=actor,
        action="change",
        target=program,
        organization_id=program.organization_id,
        details={"fields": changed},
    )
    return program


# --- Services and their edits ------------------------------------------------------------------


@transaction.atomic
def service_publish_content(
    *, service: Service, content: dict[str, Any], actor: Any, comment: str = ""
) -> ServiceRevision:
    """Publish `content` on `service` at once and keep it in the history as a published revision.

    Used where no draft/review applies: the demo data, and imports from other systems (whose own
    process already reviewed them). Any edit under way is withdrawn: it was written against the
    content this one replaces.
    """
    now = timezone.now()
    service.revisions.filter(state__in=OPEN_STATES).update(
        state=RevisionState.WITHDRAWN, decided_at=now
    )
    number = _next_number(service)
    person = _person(actor)
    revision = ServiceRevision.objects.create(
        service=service,
        number=number,
        state=RevisionState.PUBLISHED,
        content=content,
        author=person,
        decided_by=person,
        decided_at=now,
        comment=comment,
    )
    service.is_published = True
    apply_content(service, content)
    _overlap_refresh_after_commit(service)
    audit_record(
        actor=actor,
        action="change" if number > 1 else "create",
        target=service,
        organization_id=service.organization_id,
        details={"revision": number, "comment": comment},
    )
    return revision


@transaction.atomic
def service_create(
    *, organization: Organization, actor: Any, content: dict[str, Any]
) -> ServiceRevision:
    """A new service of the organization, not public yet: its first draft, ready to publish.

    Returns the draft revision (the service is `revision.service`).
    """
    _require(actor, EDIT_SERVICES, organization.pk)
    clean = content_checked(organization=organization, content=content)
    service = Service.objects.create(organization=organization, is_published=False)
    revision = ServiceRevision.objects.create(
        service=service, number=1, state=RevisionState.DRAFT, content=clean, author=_person(actor)
    )
    audit_record(
        actor=actor,
        action="create",
        target=service,
        organization_id=organization.pk,
        details={"revision": 1},
    )
    return revision


def _starting_content(service: Service) -> dict[str, Any]:
    """What a new edit starts from: the public content, or the last draft of a never-published one."""
    if not service.is_published:
        last = service.revisions.order_by("-number").first()
        if last is not None:
            return dict(last.content)
    return service_content(service)


@transaction.atomic
def revision_start(*, service: Service, actor: Any) -> ServiceRevision:
    """Open an edit of the service, starting from its current content. One edit at a time."""
    _require(actor, EDIT_SERVICES, service.organization_id)
    service = Service.objects.select_for_update().get(pk=service.pk)
    already = _("An edit of this service is already under way: continue it or withdraw it first.")
    if service.revisions.filter(state__in=OPEN_STATES).exists():
        raise ValidationError(already)
    try:
        # The constraint `service_one_open_revision` settles a race the check above cannot see.
        with transaction.atomic():
            revision = ServiceRevision.objects.create(
                service=service,
                number=_next_number(service),
                state=RevisionState.DRAFT,
                content=_starting_content(service),
                author=_person(actor),
            )
    except IntegrityError as error:
        raise ValidationError(already) from error
    audit_record(
        actor=actor,
        action="create",
        target=revision,
        organization_id=service.organization_id,
        details={"service": str(service.pk), "revision": revision.number},
    )
    return revision


@transaction.atomic
def revision_save(
    *, revision: ServiceRevision, actor: Any, content: dict[str, Any]
) -> ServiceRevision:
    """Replace the content of an edit still being written (draft, or returned by the review)."""
    service = revision.service
    _require(actor, EDIT_SERVICES, service.organization_id)
    ServiceRevision.objects.select_for_update().filter(pk=revision.pk).exists()
    revision.refresh_from_db()
    if revision.state not in EDITABLE_STATES:
        raise ValidationError(
            _("This edit can no longer be changed (%(state)s).")
            % {"state": revision.get_state_display()}
        )
    clean = content_checked(organization=service.organization, content=content, service=service)
    changed = sorted(key for key in clean if clean[key] != revision.content.get(key))
    revision.content = clean
    revision.save(update_fields=["content"])
    audit_record(
        actor=actor,
        action="change",
        target=revision,
        organization_id=service.organization_id,
        details={"service": str(service.pk), "revision": revision.number, "fields": changed},
    )
    return revision


def _overlap_refresh_after_commit(service: Service) -> None:
    """The city's overlap suggestions follow a publication (a discontinued status included).

    Insights reads every app and the directory knows nothing of it but this call: run after the
    commit (`transaction.on_commit`), so a failing refresh never blocks a publication.
    """
    from ancrage.insights.services import overlap_refresh_on_commit

    overlap_refresh_on_commit(item=service)


def _publish(service: Service, revision: ServiceRevision, actor: Any) -> None:
    """Make the revision what the public sees; publishing is verifying."""
    try:
        content = content_checked(
            organization=service.organization, content=revision.content, service=service
        )
    except ValidationError as error:
        raise ValidationError(
            _("This edit cannot be published as it is: %(problems)s Correct it first.")
            % {"problems": " ".join(error.messages)}
        ) from error
    service.is_published = True
    service.assured_date = timezone.localdate()
    service.assurer_email = getattr(actor, "email", "") or ""
    apply_content(service, content)
    # The revision keeps exactly what was published, with the ids of new places, hours, contacts.
    revision.content = service_content(service)
    _overlap_refresh_after_commit(service)
    audit_record(
        actor=actor,
        action="change",
        target=service,
        organization_id=service.organization_id,
        details={"published_revision": revision.number},
    )


@transaction.atomic
def revision_transition(
    *, revision: ServiceRevision, actor: Any, name: str, comment: str = ""
) -> ServiceRevision:
    """Move an edit along `workflow.TRANSITIONS`: publish, submit, approve, return, withdraw.

    PermissionDenied when the actor may not take this transition at all; ValidationError when
    the edit is not in a state (or the organization not under the review) that allows it.
    """
    try:
        transition = transition_named(name)
    except KeyError:
        raise ValidationError(_("Unknown action.")) from None
    # Lock the rows, then bring the caller's objects up to date: they see the outcome.
    Service.objects.select_for_update().filter(pk=revision.service_id).exists()
    ServiceRevision.objects.select_for_update().filter(pk=revision.pk).exists()
    revision.refresh_from_db()
    service = revision.service
    service.refresh_from_db()
    if not transition.actors & actors_for(actor, service.organization_id):
        raise PermissionDenied
    is_author = revision.author_id is not None and revision.author_id == getattr(actor, "pk", None)
    if transition.not_by_author and is_author:
        raise PermissionDenied(_("Someone else reviews the edits you wrote."))
    if revision.state not in transition.source:
        raise ValidationError(
            _("This edit is %(state)s: it cannot be moved that way.")
            % {"state": revision.get_state_display().lower()}
        )
    under_review = review_required(service.organization_id)
    if transition.when_review_required not in (None, under_review):
        raise ValidationError(
            _("Edits of this organization are reviewed before publication: submit it.")
            if under_review
            else _("Edits of this organization are not reviewed any more: publish it.")
        )
    comment = (comment or "").strip()
    if len(comment) > COMMENT_LIMIT or "\x00" in comment:
        raise ValidationError(
            {"comment": _("At most %(limit)d characters.") % {"limit": COMMENT_LIMIT}}
        )
    if transition.comment_required and not comment:
        raise ValidationError({"comment": _("Say what should be changed.")})

    previous = revision.state
    if transition.target == RevisionState.PUBLISHED:
        _publish(service, revision, actor)
    revision.state = transition.target
    revision.decided_by = _person(actor)
    revision.decided_at = timezone.now()
    revision.comment = comment
    revision.save()
    audit_record(
        actor=actor,
        action="change",
        target=revision,
        organization_id=service.organization_id,
        details={
            "service": str(service.pk),
            "revision": revision.number,
            "transition": transition.name,
            "from": previous,
            "to": transition.target,
            "comment": comment,
        },
    )
    return revision


@transaction.atomic
def service_verify(*, service: Service, actor: Any) -> Service:
    """ "Still accurate": the public content was checked today, without an edit."""
    _require(actor, EDIT_SERVICES, service.organization_id)
    if not service.is_published:
        raise ValidationError(_("Publish the service first: publishing verifies it."))
    today, email = timezone.localdate(), getattr(actor, "email", "") or ""
    # An update, not save(): checking is not changing, the HSDS `last_modified` stays.
    Service.objects.filter(pk=service.pk).update(assured_date=today, assurer_email=email)
    service.assured_date, service.assurer_email = today, email
    audit_record(
        actor=actor,
        action="change",
        target=service,
        organization_id=service.organization_id,
        details={"verified": today.isoformat()},
    )
    return service


# --- Review requirement (city coordinators) ----------------------------------------------------


@transaction.atomic
def review_require(
    *, organization: Organization, actor: Any, reason: str = ""
) -> ReviewRequirement:
    """From now on, this organization's edits wait for a city coordinator's approval."""
    _require(actor, REVIEW_SERVICES, organization.pk)
    clean_reason = _text(reason, REASON_LIMIT)
    if clean_reason is None:
        raise ValidationError(
            {"reason": _("At most %(limit)d characters.") % {"limit": REASON_LIMIT}}
        )
    requirement, created = ReviewRequirement.objects.update_or_create(
        organization=organization,
        defaults={"required_by": _person(actor), "reason": clean_reason},
    )
    audit_record(
        actor=actor,
        action="create" if created else "change",
        target=requirement,
        organization_id=organization.pk,
        reason=clean_reason,
    )
    return requirement


@transaction.atomic
def review_lift(*, organization: Organization, actor: Any, reason: str = "") -> None:
    """The organization publishes its edits itself again; edits waiting may be published by it."""
    _require(actor, REVIEW_SERVICES, organization.pk)
    clean_reason = _text(reason, REASON_LIMIT)
    if clean_reason is None:
        raise ValidationError(
            {"reason": _("At most %(limit)d characters.") % {"limit": REASON_LIMIT}}
        )
    requirement = ReviewRequirement.objects.filter(organization=organization).first()
    if requirement is None:
        raise ValidationError(_("The edits of this organization are not under review."))
    audit_record(
        actor=actor,
        action="delete",
        target=requirement,
        organization_id=organization.pk,
        reason=clean_reason,
    )
    requirement.delete()

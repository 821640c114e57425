"""Privacy duties toward the people an organization serves (Québec's Law 25): a copy of
everything held about one person, the requests they make, the retention policy and the job that
de-identifies inactive clients, and the register of confidentiality incidents.

What is held about a person is found, not listed: every model with a foreign key (or one-to-one,
or many-to-many) to `Client` is walked, so rows added by later features (service records,
referrals…) are exported and count as activity without this module naming them.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Max, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ancrage.clients import selectors
from ancrage.clients.fields import EncryptedTextField
from ancrage.clients.models import Client, Identity, IdentityToken
from ancrage.core import tenancy
from ancrage.core.audit import audit_record
from ancrage.core.models import (
    DEFAULT_INACTIVE_YEARS,
    AuditEvent,
    Deidentification,
    PrivacyIncident,
    PrivacyRequest,
    RetentionPolicy,
)
from ancrage.network.models import Organization

EXPORT_FORMAT = "ancrage-privacy-export/1"
INACTIVE_YEARS_MIN = 1
INACTIVE_YEARS_MAX = 30
INCIDENT_TEXT_MAX = 5000
PEOPLE_AFFECTED_MAX = 10_000_000

# Not exported: the blind index holds keyed digests of the identity (already exported in clear
# above it), meaningless to the person and useful only to someone attacking the index.
NOT_EXPORTED: frozenset[type[models.Model]] = frozenset({IdentityToken})
# Bookkeeping, not information about the person: an edit counter.
INTERNAL_FIELDS = frozenset({"version"})


# --- What points at a client ---------------------------------------------------------------------


@dataclass(frozen=True)
class Relation:
    model: type[models.Model]
    field_name: str  # the field of `model` that points at Client

    @property
    def label(self) -> str:
        return self.model._meta.label_lower

    def rows(self, client: Client) -> QuerySet[Any]:
        return self.model._default_manager.filter(**{self.field_name: client}).order_by("pk")


def client_relations() -> list[Relation]:
    """Every model pointing at Client, the vault first, then consents, then the rest by name.

    `get_fields(include_hidden=True)` rather than `related_objects`: relations declared with
    `related_name="+"` (the blind index among them) are hidden from the latter. Automatic
    many-to-many tables (the client's languages) are left out: the profile shows them.
    """
    relations = {
        Relation(rel.related_model, rel.field.name)
        for rel in Client._meta.get_fields(include_hidden=True)
        if rel.auto_created
        and not rel.concrete
        and rel.related_model is not None
        and not rel.related_model._meta.auto_created
    }
    first = {"clients.identity": 0, "clients.consentrecord": 1, "clients.consentoverride": 2}
    return sorted(relations, key=lambda r: (first.get(r.label, 9), r.label, r.field_name))


# --- The export ----------------------------------------------------------------------------------


@dataclass
class Item:
    name: str
    label: Any  # lazy: read in the language of the document
    value: Any  # JSON value
    text: str  # as the document shows it


@dataclass
class Section:
    key: str
    title: Any
    rows: list[list[Item]] = field(default_factory=list)


@dataclass
class Dossier:
    """Everything held about one person, in sections; `as_json()` is the download."""

    client: Client
    generated_at: datetime
    sections: list[Section]
    access_log: list[dict[str, Any]]

    def as_json(self) -> dict[str, Any]:
        return {
            "format": EXPORT_FORMAT,
            "generated_at": self.generated_at.isoformat(),
            "organization": {
                "id": self.client.organization_id,
                "name": self.client.organization.name,
            },
            "code": self.client.code,
            **{
                section.key: [{item.name: item.value for item in row} for row in section.rows]
                for section in self.sections
            },
            "access_log": [
                {key: _json(value) for key, value in event.items()} for event in self.access_log
            ],
        }


def _json(value: Any) -> Any:
    if isinstance(value, datetime):
        return (
            timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()
        )
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (Decimal, UUID)):
        return str(value)
    if isinstance(value, models.Model):
        return str(value)
    return value


def _text(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime):
        return f"{timezone.localtime(value) if timezone.is_aware(value) else value:%Y-%m-%d %H:%M}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return ", ".join(_text(v) for v in value) or "—"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_text(v)}" for k, v in value.items()) or "—"
    return str(value)


def _items(obj: models.Model, *, skip: str | None = None) -> list[Item]:
    """Every concrete field of a row (decrypted where encrypted), then its many-to-many ones."""
    items = []
    for f in obj._meta.concrete_fields:
        if f.name in INTERNAL_FIELDS or f.name == skip:
            continue
        if f.is_relation:
            related = getattr(obj, f.name)
            value, shown = (str(related), str(related)) if related is not None else (None, None)
        else:
            value = getattr(obj, f.attname)
            shown = getattr(obj, f"get_{f.name}_display")() if f.choices else value
        items.append(Item(f.name, f.verbose_name, _json(value), _text(shown)))
    for f in obj._meta.many_to_many:
        names = sorted(str(o) for o in getattr(obj, f.name).all())
        items.append(Item(f.name, f.verbose_name, names, _text(names)))
    return items


def _labelled(name: str, label: Any, value: Any) -> Item:
    return Item(name, label, _json(value), _text(value))


def _record_label(target_type: str) -> str:
    try:
        return str(apps.get_model(target_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return target_type


def _access_log(client: Client, related: dict[str, list[str]]) -> list[dict[str, Any]]:
    """Who viewed, changed or exported the person's records, when and why (the person has the
    right to know who accessed their file)."""
    targets = Q(target_type="clients.client", target_id=str(client.pk))
    for label, pks in related.items():
        targets |= Q(target_type=label, target_id__in=pks)
    return [
        {
            "at": event.at,
            "who": event.actor_label or _("the system"),
            "action": event.action,
            "action_label": event.get_action_display(),
            "record": event.target_type,
            "record_label": _record_label(event.target_type),
            "reason": event.reason,
        }
        for event in AuditEvent.objects.filter(targets).order_by("at", "pk")
    ]


def client_dossier(
    *, actor: Any, client: Client, request: HttpRequest | None = None, file_format: str = "json"
) -> Dossier:
    """Everything held about `client`, for the person who asked (through their organization).

    Only for someone who may read the client's identity; the copy is audited as an export of
    the vault, after the access log was read (the export shows the accesses before it).
    """
    if not selectors.can_read_identity(actor, client):
        raise PermissionDenied
    profile = Section("profile", gettext_lazy("Profile"), [_items(client)])
    sections = [profile]
    related: dict[str, list[str]] = {}
    for relation in client_relations():
        if relation.model in NOT_EXPORTED:
            continue
        rows = list(relation.rows(client))
        if not rows:
            continue
        related.setdefault(relation.label, []).extend(str(row.pk) for row in rows)
        sections.append(
            Section(
                relation.label.replace(".", "_"),
                relation.model._meta.verbose_name_plural,
                [_items(row, skip=relation.field_name) for row in rows],
            )
        )
    requests = PrivacyRequest.objects.filter(client_id=client.pk).order_by("received_on", "pk")
    if requests:
        sections.append(
            Section(
                "privacy_requests",
                PrivacyRequest._meta.verbose_name_plural,
                [
                    [
                        _labelled("kind", gettext_lazy("request"), r.get_kind_display()),
                        _labelled("received_on", gettext_lazy("received on"), r.received_on),
                        _labelled("completed_on", gettext_lazy("done on"), r.completed_on),
                    ]
                    for r in requests
                ],
            )
        )
    dossier = Dossier(client, timezone.now(), sections, _access_log(client, related))
    audit_record(
        actor=actor,
        action="export",
        target=Identity(client=client, pk=client.pk),
        organization_id=client.organization_id,
        reason="privacy export",
        details={"format": file_format, "sections": [s.key for s in sections]},
        request=request,
    )
    return dossier


def client_export(*, actor: Any, client: Client, request: HttpRequest | None = None) -> dict:
    """Everything held about one person, as JSON values (audited as an export)."""
    return client_dossier(actor=actor, client=client, request=request).as_json()


# --- Requests of the person ---------------------------------------------------------------------


def _request_date_errors(received_on: date, completed_on: date | None, today: date) -> dict:
    errors = {}
    if received_on > today:
        errors["received_on"] = _("This date is in the future.")
    if completed_on is not None:
        if completed_on > today:
            errors["completed_on"] = _("This date is in the future.")
        elif completed_on < received_on:
            errors["completed_on"] = _("A request cannot be done before it was received.")
    return errors


def privacy_request_record(
    *,
    actor: Any,
    client: Client,
    kind: str,
    received_on: date,
    completed_on: date | None = None,
    today: date | None = None,
) -> PrivacyRequest:
    """Note a person's request for a copy or a rectification of their information."""
    if not selectors.can_read_identity(actor, client):
        raise PermissionDenied
    if kind not in PrivacyRequest.Kind.values:
        raise ValidationError({"kind": _("Choose a value from the list.")})
    errors = _request_date_errors(received_on, completed_on, today or timezone.localdate())
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        recorded = PrivacyRequest.objects.create(
            organization_id=client.organization_id,
            client_id=client.pk,
            client_code=client.code,
            kind=kind,
            received_on=received_on,
            completed_on=completed_on,
            recorded_by=actor,
        )
        audit_record(
            actor=actor,
            action="create",
            target=recorded,
            organization_id=client.organization_id,
            details={"client": client.pk, "kind": kind},
        )
    return recorded


def privacy_request_complete(
    *, actor: Any, privacy_request: PrivacyRequest, on: date | None = None
) -> PrivacyRequest:
    on = on or timezone.localdate()
    errors = _request_date_errors(privacy_request.received_on, on, timezone.localdate())
    if errors:
        raise ValidationError(list(errors.values()))
    with transaction.atomic():
        privacy_request.completed_on = on
        privacy_request.save(update_fields=["completed_on"])
        audit_record(
            actor=actor,
            action="change",
            target=privacy_request,
            organization_id=privacy_request.organization_id,
            details={"fields": ["completed_on"]},
        )
    return privacy_request


# --- Retention ----------------------------------------------------------------------------------


def retention_years(organization_id: int) -> int:
    policy = RetentionPolicy.objects.filter(organization_id=organization_id).first()
    return policy.inactive_years if policy else DEFAULT_INACTIVE_YEARS


def retention_policy_set(
    *, actor: Any, organization: Organization, inactive_years: int
) -> RetentionPolicy:
    if not INACTIVE_YEARS_MIN <= inactive_years <= INACTIVE_YEARS_MAX:
        raise ValidationError(
            {
                "inactive_years": _("Give a number of years between %(min)d and %(max)d.")
                % {"min": INACTIVE_YEARS_MIN, "max": INACTIVE_YEARS_MAX}
            }
        )
    with transaction.atomic():
        policy, _created = RetentionPolicy.objects.update_or_create(
            organization=organization,
            defaults={"inactive_years": inactive_years, "updated_by": actor},
        )
        audit_record(
            actor=actor,
            action="change",
            target=policy,
            organization_id=organization.pk,
            details={"inactive_years": inactive_years},
        )
    return policy


def years_before(on: date, years: int) -> date:
    try:
        return on.replace(year=on.year - years)
    except ValueError:  # 29 February
        return on.replace(year=on.year - years, month=3, day=1)


def _as_date(value: date | datetime) -> date:
    if isinstance(value, datetime):
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    return value


def last_activity(clients: QuerySet[Client]) -> dict[int, date]:
    """The latest date of each client's file: registration, profile update, and every date of
    every row pointing at them (consents, identity edits, service records…). A date in the
    future (an expiry, a planned follow-up) counts: the file still has a purpose until then."""
    latest: dict[int, date] = {}

    def keep(client_id: int, value: date | datetime | None) -> None:
        if value is not None:
            day = _as_date(value)
            if client_id not in latest or day > latest[client_id]:
                latest[client_id] = day

    for client_id, created, updated in clients.values_list("pk", "created_at", "updated_at"):
        keep(client_id, created)
        keep(client_id, updated)
    for relation in client_relations():
        dates = [
            f.name
            for f in relation.model._meta.concrete_fields
            if isinstance(f, (models.DateField, models.DateTimeField))
        ]
        if not dates:
            continue
        through = f"{relation.field_name}__in"
        rows = (
            relation.model._default_manager.filter(**{through: clients})
            .values(relation.field_name)
            .annotate(**{f"latest_{name}": Max(name) for name in dates})
            .order_by()
        )
        for row in rows:
            for name in dates:
                keep(row[relation.field_name], row[f"latest_{name}"])
    return latest


@dataclass(frozen=True)
class Inactive:
    client: Client
    last_activity_on: date
    inactive_years: int


def inactive_clients(*, today: date, organization: Organization | None = None) -> list[Inactive]:
    """Clients with no activity for their organization's retention period, not yet
    de-identified (or active again since they were)."""
    found: list[Inactive] = []
    organizations = Client.objects.values_list("organization_id", flat=True).distinct().order_by()
    if organization is not None:
        organizations = organizations.filter(organization=organization)
    for organization_id in sorted(set(organizations)):
        years = retention_years(organization_id)
        cutoff = years_before(today, years)
        clients = Client.objects.filter(organization_id=organization_id)
        done = dict(
            Deidentification.objects.filter(organization_id=organization_id).values_list(
                "client_id", "last_activity_on"
            )
        )
        latest = last_activity(clients)
        stale = [pk for pk, day in latest.items() if day <= cutoff and done.get(pk) != day]
        for client in clients.filter(pk__in=stale).select_related("organization").order_by("pk"):
            found.append(Inactive(client, latest[client.pk], years))
    return found


def _encrypted_fields(model: type[models.Model]) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]


@transaction.atomic
def client_deidentify(
    *, client: Client, last_activity_on: date, inactive_years: int, today: date, actor: Any = None
) -> Deidentification:
    """Erase the person's identity and keep the pseudonymous profile for statistics.

    The vault row stays, every field blanked, rather than being deleted: the client pages read
    it for every client (a missing row would break them); an encrypted empty string names no
    one. The blind index is deleted, and so is every other encrypted (free) text of every row
    pointing at the client — service notes and the like, whatever app they belong to.
    """
    erased: dict[str, int] = {}
    for relation in client_relations():
        fields = _encrypted_fields(relation.model)
        if relation.model is IdentityToken:
            erased[relation.label] = relation.rows(client).delete()[0]
        elif fields:
            erased[relation.label] = relation.rows(client).update(**dict.fromkeys(fields, ""))
    record, _created = Deidentification.objects.update_or_create(
        client_id=client.pk,
        defaults={
            "organization_id": client.organization_id,
            "client_code": client.code,
            "on": today,
            "last_activity_on": last_activity_on,
            "inactive_years": inactive_years,
            "by": actor,
        },
    )
    audit_record(
        actor=actor,
        action="delete",
        target=Identity(client=client, pk=client.pk),
        organization_id=client.organization_id,
        reason="retention policy",
        details={
            "last_activity_on": last_activity_on.isoformat(),
            "inactive_years": inactive_years,
            "rows": erased,
        },
    )
    return record


def retention_run(*, today: date | None = None, dry_run: bool = False) -> list[Inactive]:
    """The scheduled job: de-identify every client inactive for their organization's period.
    Idempotent (de-identified clients are skipped unless active again). Returns who was (or,
    with `dry_run`, would be) de-identified."""
    today = today or timezone.localdate()
    found = inactive_clients(today=today)
    if not dry_run:
        for inactive in found:
            client_deidentify(
                client=inactive.client,
                last_activity_on=inactive.last_activity_on,
                inactive_years=inactive.inactive_years,
                today=today,
            )
    return found


def deidentifications(organization: Organization) -> QuerySet[Deidentification]:
    return Deidentification.objects.filter(organization=organization).select_related("by")


# --- The incident register ----------------------------------------------------------------------

INCIDENT_FIELDS = (
    "discovered_on",
    "occurred_on",
    "description",
    "people_affected",
    "serious_injury_risk",
    "reported_on",
    "people_notified_on",
    "measures",
)


def _incident_errors(values: dict[str, Any], today: date) -> dict[str, str]:
    errors: dict[str, str] = {}
    for name in ("description", "measures"):
        text = values.get(name) or ""
        if len(text) > INCIDENT_TEXT_MAX:
            errors[name] = _("This text is too long (%(limit)d characters at most).") % {
                "limit": INCIDENT_TEXT_MAX
            }
        elif "\x00" in text:
            errors[name] = _("This text contains a character that is not allowed.")
    if not (values.get("description") or "").strip() and "description" not in errors:
        errors["description"] = _("Describe what happened.")
    people = values.get("people_affected")
    if people is None or not 0 <= people <= PEOPLE_AFFECTED_MAX:
        errors["people_affected"] = _("Give a number of people between 0 and %(max)d.") % {
            "max": PEOPLE_AFFECTED_MAX
        }
    discovered = values.get("discovered_on")
    for name in ("discovered_on", "occurred_on", "reported_on", "people_notified_on"):
        day = values.get(name)
        if day is not None and day > today:
            errors[name] = _("This date is in the future.")
    if discovered is None:
        errors.setdefault("discovered_on", _("Give the date the incident was discovered."))
        return errors
    occurred = values.get("occurred_on")
    if occurred is not None and occurred > discovered and "occurred_on" not in errors:
        errors["occurred_on"] = _("An incident cannot occur after it was discovered.")
    for name in ("reported_on", "people_notified_on"):
        day = values.get(name)
        if day is not None and day < discovered and name not in errors:
            errors[name] = _("This date is before the incident was discovered.")
    return errors


def _incident_values(values: dict[str, Any]) -> dict[str, Any]:
    unknown = set(values) - set(INCIDENT_FIELDS)
    if unknown:
        raise TypeError(f"Not incident fields: {sorted(unknown)}")
    cleaned = dict(values)
    for name in ("description", "measures"):
        cleaned[name] = (cleaned.get(name) or "").strip()
    cleaned["serious_injury_risk"] = bool(cleaned.get("serious_injury_risk"))
    return cleaned


def _require_privacy(actor: Any, organization_id: int) -> None:
    if not tenancy.has_capability(actor, tenancy.MANAGE_PRIVACY, organization_id):
        raise PermissionDenied


def incident_record(
    *, actor: Any, organization: Organization, today: date | None = None, **values: Any
) -> PrivacyIncident:
    _require_privacy(actor, organization.pk)
    values = _incident_values(values)
    errors = _incident_errors(values, today or timezone.localdate())
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        incident = PrivacyIncident.objects.create(
            organization=organization, recorded_by=actor, **values
        )
        audit_record(actor=actor, action="create", target=incident, organization_id=organization.pk)
    return incident


def incident_update(
    *, actor: Any, incident: PrivacyIncident, today: date | None = None, **values: Any
) -> PrivacyIncident:
    _require_privacy(actor, incident.organization_id)
    values = _incident_values(values)
    errors = _incident_errors(values, today or timezone.localdate())
    if errors:
        raise ValidationError(errors)
    changed = [name for name in values if values[name] != getattr(incident, name)]
    with transaction.atomic():
        for name, value in values.items():
            setattr(incident, name, value)
        incident.save()
        # The names of the fields changed, never their content.
        audit_record(
            actor=actor,
            action="change",
            target=incident,
            organization_id=incident.organization_id,
            details={"fields": changed},
        )
    return incident


def incidents(organization: Organization) -> QuerySet[PrivacyIncident]:
    return PrivacyIncident.objects.filter(organization=organization).select_related("recorded_by")


def pending_requests(organization: Organization) -> QuerySet[PrivacyRequest]:
    return PrivacyRequest.objects.filter(organization=organization, completed_on__isnull=True)

"""Needs assessments and service records: what a person came for and what they received.

A service record keeps the eligibility verdict of the program it is charged to, as it stood on
the service date (status, summary, reasons, rule version): a later change of the rules or of the
profile never rewrites what was reported. Ineligible people are still served: the service is
charged to another program that covers them, or recorded unfunded (the organization's own funds).
"""

import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from ancrage.activities.models import Session
from ancrage.clients import selectors
from ancrage.clients.models import (
    NOTE_MAX,
    AgeBand,
    Client,
    NeedsAssessment,
    ServiceRecord,
    ServiceType,
)
from ancrage.core import tenancy
from ancrage.core.audit import audit_record
from ancrage.directory.models import TaxonomyTerm
from ancrage.directory.needs import needs_terms
from ancrage.funding.conditions import MAX_AGE
from ancrage.funding.eligibility import EligibilityResult, PersonFacts
from ancrage.funding.models import FundingProgram
from ancrage.funding.selectors import eligibility_for
from ancrage.network.models import Organization

MINUTES_MAX = 12 * 60
DEFAULT_MINUTES = 60
EARLIEST_SERVICE = date(2000, 1, 1)
UNFUNDED = "unfunded"
GROUP_MAX = 200

# --- Reads --------------------------------------------------------------------------------------


def service_types_for(organization_id: int) -> QuerySet[ServiceType]:
    """The department's service offer, then the organization's own types, in use (a type out of
    use leaves the entry forms; the records that name it keep it)."""
    return ServiceType.objects.filter(
        Q(organization__isnull=True) | Q(organization_id=organization_id), is_active=True
    ).order_by(F("organization_id").asc(nulls_first=True), "sort_order", "code")


def department_offer() -> QuerySet[ServiceType]:
    """The department's service offer in use, shared by every organization (read-only for them)."""
    return ServiceType.objects.filter(organization__isnull=True, is_active=True).order_by(
        "sort_order", "code"
    )


@dataclass(frozen=True)
class OwnServiceType:
    service_type: ServiceType
    recorded: int  # services recorded under it: such a type is never deleted

    @property
    def removable(self) -> bool:
        return self.recorded == 0


def own_service_types(organization_id: int) -> list[OwnServiceType]:
    """The organization's own types, in use or not, with how many services each has recorded."""
    types = list(
        ServiceType.objects.filter(organization_id=organization_id).order_by(
            "-is_active", "sort_order", "code"
        )
    )
    counts = dict(
        ServiceRecord.objects.filter(service_type__in=[t.pk for t in types])
        .values_list("service_type")
        .annotate(recorded=Count("pk"))
        .values_list("service_type", "recorded")
    )
    return [OwnServiceType(t, counts.get(t.pk, 0)) for t in types]


def _age_range(band: str) -> tuple[int, int] | None:
    if band not in AgeBand.values:
        return None
    low, _dash, high = band.replace("+", "-").partition("-")
    return int(low), int(high) if high else MAX_AGE


def person_facts(*, actor: Any, client: Client) -> PersonFacts:
    """What the profile says of the person, for the eligibility rules. The date of birth is read
    (audited, never shown) only for those who may read identities; others go by the age band."""
    birth = None
    if selectors.can_read_identity(actor, client):
        birth = selectors.date_of_birth_for_checks(actor=actor, client=client)
    borough = client.borough.code if client.borough_id else None
    return PersonFacts(
        status_code=client.immigration_status.code if client.immigration_status_id else None,
        status_since=client.status_since,
        arrived_canada=client.arrived_canada_on,
        arrived_quebec=client.arrived_quebec_on,
        birth_date=birth,
        age_range=None if birth else _age_range(client.age_band),
        lives_in_quebec=True if borough else None,
        lives_in_montreal=True if borough else None,
        borough_code=borough,
    )


@dataclass(frozen=True)
class Eligibility:
    """Every program's verdict for one person on one day, best covering program first."""

    results: list[EligibilityResult]
    problem: str = ""  # the profile has impossible facts: nothing could be evaluated

    @property
    def covering(self) -> list[FundingProgram]:
        return [r.program for r in self.results if r.eligible and r.program is not None]

    @property
    def best(self) -> FundingProgram | None:
        covering = self.covering
        return covering[0] if covering else None

    def for_program(self, program: FundingProgram) -> EligibilityResult | None:
        return next((r for r in self.results if r.program and r.program.pk == program.pk), None)


def _messages(error: ValidationError) -> str:
    return " ".join(error.messages)


def eligibility_on(*, actor: Any, client: Client, on: date) -> Eligibility:
    """Every active program's verdict for the client on `on` (eligible ones first)."""
    try:
        results = eligibility_for(person_facts(actor=actor, client=client), on)
    except ValidationError as error:
        return Eligibility([], problem=_messages(error))
    return Eligibility(sorted(results, key=lambda r: not r.eligible))


def snapshot(result: EligibilityResult | None, *, on: date, covering: list[str]) -> dict:
    """The verdict as stored with the record."""
    if result is None:
        return {
            "status": UNFUNDED,
            "summary": _("Unfunded (the organization's own funds)."),
            "reasons": [],
            "rule_version": None,
            "evaluated_on": on.isoformat(),
            "covered_by": covering,
        }
    return {
        "status": result.status,
        "summary": result.summary,
        "reasons": list(result.reasons),
        "rule_version": result.rule_version.pk if result.rule_version else None,
        "evaluated_on": on.isoformat(),
        "covered_by": covering,
    }


def service_history(client: Client) -> QuerySet[ServiceRecord]:
    return client.services.select_related(
        "service_type", "program", "worker", "session__activity"
    ).order_by("-served_on", "-pk")


def assessments_of(client: Client) -> QuerySet[NeedsAssessment]:
    return client.assessments.select_related("worker").prefetch_related("needs")


def group_sessions_for(user: Any, *, today: date | None = None) -> QuerySet[Session]:
    """Recent and today's sessions of the organizations where `user` records services."""
    today = today or timezone.localdate()
    return (
        tenancy.scoped(Session, user, tenancy.CHANGE_CLIENTS)
        .filter(
            status=Session.Status.SCHEDULED,
            starts_at__date__gte=today - timedelta(days=60),
            starts_at__date__lte=today,
        )
        .select_related("activity__organization")
        .order_by("-starts_at")
    )


# --- Checks -------------------------------------------------------------------------------------


def _check_note(note: str, errors: dict[str, str]) -> str:
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        errors["note"] = _("This text is too long (%(limit)d characters at most).") % {
            "limit": NOTE_MAX
        }
    elif "\x00" in note:
        errors["note"] = _("This text contains a character that is not allowed.")
    return note


def _check_day(on: date, field: str, errors: dict[str, str], today: date) -> None:
    if on > today:
        errors[field] = _("This date is in the future.")
    elif on < EARLIEST_SERVICE:
        errors[field] = _("Check this date: it is too far in the past.")


def _require_change(actor: Any, client: Client) -> None:
    if not tenancy.has_capability(actor, tenancy.CHANGE_CLIENTS, client.organization_id):
        raise PermissionDenied


# --- Service records ----------------------------------------------------------------------------


def _service_errors(
    *,
    organization_id: int,
    service_type: ServiceType,
    on: date,
    minutes: int,
    session: Session | None,
    today: date,
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not service_types_for(organization_id).filter(pk=service_type.pk).exists():
        errors["service_type"] = _("Choose a service from the list.")
    _check_day(on, "on", errors, today)
    if not isinstance(minutes, int) or not 1 <= minutes <= MINUTES_MAX:
        errors["minutes"] = _("Give a duration between 1 and %(max)d minutes.") % {
            "max": MINUTES_MAX
        }
    if session is not None and (
        session.activity.organization_id != organization_id
        or session.status != Session.Status.SCHEDULED
    ):
        errors["session"] = _("Choose a session of your organization's activities.")
    return errors


def _funding(
    *, actor: Any, client: Client, on: date, program: FundingProgram | None
) -> dict[str, Any]:
    """The eligibility snapshot for the program charged, or a ValidationError that says why the
    program does not cover the person (and offers to record it unfunded)."""
    found = eligibility_on(actor=actor, client=client, on=on)
    if found.problem:
        raise ValidationError(
            _("The client's profile has dates that do not agree: %(problem)s Correct the profile.")
            % {"problem": found.problem}
        )
    covering = [p.code for p in found.covering]
    if program is None:
        return snapshot(None, on=on, covering=covering)
    result = found.for_program(program)
    if result is None or not result.eligible:
        summary = result.summary if result else _("Not eligible: no rule in force that day.")
        raise ValidationError(
            {
                "program": _(
                    "%(program)s does not cover this person on %(day)s. %(summary)s Record the "
                    "service under another program or as unfunded."
                )
                % {"program": program.name, "day": on.isoformat(), "summary": summary}
            }
        )
    return snapshot(result, on=on, covering=covering)


@transaction.atomic
def service_record(
    *,
    actor: Any,
    client: Client,
    service_type: ServiceType,
    on: date,
    minutes: int,
    program: FundingProgram | None = None,
    session: Session | None = None,
    note: str = "",
    today: date | None = None,
) -> ServiceRecord:
    """Record one service given to the client, with the eligibility verdict of the program it is
    charged to (None: unfunded) on the service date."""
    _require_change(actor, client)
    today = today or timezone.localdate()
    errors = _service_errors(
        organization_id=client.organization_id,
        service_type=service_type,
        on=on,
        minutes=minutes,
        session=session,
        today=today,
    )
    note = _check_note(note, errors)
    if errors:
        raise ValidationError(errors)
    eligibility = _funding(actor=actor, client=client, on=on, program=program)
    record = ServiceRecord.objects.create(
        client=client,
        service_type=service_type,
        served_on=on,
        minutes=minutes,
        worker=actor,
        program=program,
        eligibility=eligibility,
        session=session,
        note=note,
    )
    audit_record(
        actor=actor,
        action="create",
        target=record,
        organization_id=client.organization_id,
        details={"client": client.pk, "program": program.code if program else None},
    )
    return record


@transaction.atomic
def service_record_group(
    *,
    actor: Any,
    session: Session,
    clients: list[Client],
    service_type: ServiceType,
    minutes: int,
    note: str = "",
    today: date | None = None,
) -> list[ServiceRecord]:
    """One service per participant of a group session, each charged to the first program that
    covers them that day (unfunded otherwise). All or nothing."""
    organization_id = session.activity.organization_id
    if not tenancy.has_capability(actor, tenancy.CHANGE_CLIENTS, organization_id):
        raise PermissionDenied
    today = today or timezone.localdate()
    on = timezone.localdate(session.starts_at)
    errors = _service_errors(
        organization_id=organization_id,
        service_type=service_type,
        on=on,
        minutes=minutes,
        session=session,
        today=today,
    )
    if "on" in errors:
        errors["session"] = _("This session has not taken place yet.")
        del errors["on"]
    note = _check_note(note, errors)
    if not clients:
        errors["clients"] = _("Choose at least one participant.")
    elif len(clients) > GROUP_MAX:
        errors["clients"] = _("At most %(max)d participants at once.") % {"max": GROUP_MAX}
    elif any(c.organization_id != organization_id for c in clients):
        errors["clients"] = _("Every participant must be a client of the organization.")
    if errors:
        raise ValidationError(errors)
    records = []
    for client in {c.pk: c for c in clients}.values():
        found = eligibility_on(actor=actor, client=client, on=on)
        best = found.best
        result = found.for_program(best) if best else None
        records.append(
            ServiceRecord(
                client=client,
                service_type=service_type,
                served_on=on,
                minutes=minutes,
                worker=actor,
                program=best,
                eligibility=snapshot(result, on=on, covering=[p.code for p in found.covering]),
                session=session,
                note=note,
            )
        )
    ServiceRecord.objects.bulk_create(records)
    audit_record(
        actor=actor,
        action="create",
        target=session,
        organization_id=organization_id,
        reason="group service records",
        details={"clients": [r.client_id for r in records], "type": service_type.code},
    )
    return records


# --- Needs assessment ---------------------------------------------------------------------------


@transaction.atomic
def needs_assess(
    *,
    actor: Any,
    client: Client,
    on: date,
    needs: list[TaxonomyTerm],
    note: str = "",
    today: date | None = None,
) -> NeedsAssessment:
    """Record what the person came for, in the directory's needs (so referrals and the
    directory speak the same words)."""
    _require_change(actor, client)
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    _check_day(on, "on", errors, today)
    note = _check_note(note, errors)
    allowed = set(needs_terms().values_list("pk", flat=True))
    if not needs:
        errors["needs"] = _("Choose at least one need.")
    elif any(term.pk not in allowed for term in needs):
        errors["needs"] = _("Choose needs from the list.")
    if errors:
        raise ValidationError(errors)
    assessment = NeedsAssessment.objects.create(
        client=client, assessed_on=on, worker=actor, note=note
    )
    assessment.needs.set(needs)
    audit_record(
        actor=actor,
        action="create",
        target=assessment,
        organization_id=client.organization_id,
        details={"client": client.pk, "needs": sorted(t.code for t in needs)},
    )
    return assessment


# --- Service types: the organization's own ------------------------------------------------------

SERVICE_TYPE_NAME_MAX = 120
SERVICE_TYPE_LANGUAGES = ("fr", "en")  # both required: staff pages speak French and English
SORT_STEP = 10
SORT_MAX = 32767  # PositiveSmallIntegerField


def name_key(text: str) -> str:
    """How two names are compared: without case, accents or repeated spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


def _require_manage(actor: Any, organization_id: int | None) -> None:
    """The organization's director or coordinator; the department's shared types (no
    organization) are never changed from here."""
    if organization_id is None or not tenancy.has_capability(
        actor, tenancy.CHANGE, organization_id
    ):
        raise PermissionDenied


def _clean_names(
    names: dict[str, str], *, organization_id: int, exclude_pk: int | None = None
) -> dict[str, str]:
    """French and English names, trimmed and checked; errors keyed `name_fr` / `name_en`."""
    errors: dict[str, str] = {}
    clean: dict[str, str] = {}
    for language in SERVICE_TYPE_LANGUAGES:
        field = f"name_{language}"
        value = names.get(language) if isinstance(names, dict) else None
        text = " ".join(value.split()) if isinstance(value, str) else ""
        if not text:
            errors[field] = _("Give the name in this language.")
        elif len(text) > SERVICE_TYPE_NAME_MAX:
            errors[field] = _("This name is too long (%(limit)d characters at most).") % {
                "limit": SERVICE_TYPE_NAME_MAX
            }
        elif any(unicodedata.category(c) == "Cc" for c in text):
            errors[field] = _("This name contains a character that is not allowed.")
        else:
            clean[language] = text
    if clean:
        taken = ServiceType.objects.filter(
            Q(organization__isnull=True) | Q(organization_id=organization_id)
        ).exclude(pk=exclude_pk)
        owners: dict[str, tuple[ServiceType, str]] = {}
        for other in taken:
            for existing in (other.names or {}).values():
                if isinstance(existing, str) and existing.strip():
                    owners.setdefault(name_key(existing), (other, existing))
        for language, text in clean.items():
            found = owners.get(name_key(text))
            if found is None:
                continue
            other, existing = found
            if other.organization_id is None:
                message = _("The department's service offer already has “%(name)s”: use it.")
            elif other.is_active:
                message = _("Your organization already has a service type named “%(name)s”.")
            else:
                message = _(
                    "Your organization already has a service type named “%(name)s”, out of "
                    "use: put it back in use instead."
                )
            errors[f"name_{language}"] = message % {"name": existing}
    if errors:
        raise ValidationError(errors)
    return clean


def _unique_code(names: dict[str, str], organization_id: int) -> str:
    """A slug of the name, unique within the organization and apart from the shared codes."""
    base = (slugify(names["fr"]) or slugify(names["en"]) or "type")[:36].strip("-") or "type"
    taken = set(
        ServiceType.objects.filter(
            Q(organization__isnull=True) | Q(organization_id=organization_id),
            code__startswith=base,
        ).values_list("code", flat=True)
    )
    code, number = base, 2
    while code in taken:
        code, number = f"{base}-{number}", number + 1
    return code


def _lock(organization_id: int) -> None:
    # One change of an organization's types at a time: the name and code checks stay true.
    Organization.objects.select_for_update().filter(pk=organization_id).first()


@transaction.atomic
def service_type_add(
    *, actor: Any, organization: Organization, names: dict[str, str]
) -> ServiceType:
    """Add one of the organization's own service types, in use, after the department's offer."""
    _require_manage(actor, organization.pk)
    _lock(organization.pk)
    clean = _clean_names(names, organization_id=organization.pk)
    last = (
        ServiceType.objects.filter(organization_id=organization.pk)
        .order_by("-sort_order")
        .values_list("sort_order", flat=True)
        .first()
    )
    service_type = ServiceType.objects.create(
        organization=organization,
        code=_unique_code(clean, organization.pk),
        names=clean,
        sort_order=min(SORT_MAX, (last or 0) + SORT_STEP),
        is_active=True,
    )
    audit_record(
        actor=actor,
        action="create",
        target=service_type,
        organization_id=organization.pk,
        details={"code": service_type.code, "names": clean},
    )
    return service_type


@transaction.atomic
def service_type_rename(
    *, actor: Any, service_type: ServiceType, names: dict[str, str]
) -> ServiceType:
    """New French and English names; the code stays (records and exports keep pointing at it)."""
    _require_manage(actor, service_type.organization_id)
    _lock(service_type.organization_id)
    clean = _clean_names(
        names, organization_id=service_type.organization_id, exclude_pk=service_type.pk
    )
    before = dict(service_type.names or {})
    service_type.names = {**before, **clean}
    service_type.save(update_fields=["names"])
    audit_record(
        actor=actor,
        action="change",
        target=service_type,
        organization_id=service_type.organization_id,
        details={"code": service_type.code, "before": before, "after": service_type.names},
    )
    return service_type


@transaction.atomic
def service_type_set_in_use(*, actor: Any, service_type: ServiceType, in_use: bool) -> ServiceType:
    """Take a type out of the entry forms, or bring it back; its records keep naming it."""
    _require_manage(actor, service_type.organization_id)
    if service_type.is_active != in_use:
        service_type.is_active = in_use
        service_type.save(update_fields=["is_active"])
        audit_record(
            actor=actor,
            action="change",
            target=service_type,
            organization_id=service_type.organization_id,
            details={"code": service_type.code, "in_use": in_use},
        )
    return service_type


@transaction.atomic
def service_type_remove(*, actor: Any, service_type: ServiceType) -> None:
    """Delete a type added by mistake. A type with recorded services is never deleted: it is
    taken out of use instead."""
    _require_manage(actor, service_type.organization_id)
    _lock(service_type.organization_id)
    if ServiceRecord.objects.filter(service_type_id=service_type.pk).exists():
        raise ValidationError(
            _(
                "Services have been recorded under “%(name)s”: it cannot be deleted. Take it "
                "out of use instead."
            )
            % {"name": service_type.name}
        )
    audit_record(
        actor=actor,
        action="delete",
        target=service_type,
        organization_id=service_type.organization_id,
        details={"code": service_type.code, "names": service_type.names},
    )
    service_type.delete()

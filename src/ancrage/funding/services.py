"""Every write to funding: programs and their eligibility rules, agreements with their amounts
and targets, renewal alerts, advisors' follows and visits — checked, in one transaction, audited.

Callers pass objects fetched through `core.tenancy` (the funder, program, organization or
agreement the actor may act on); these functions check the rest. A ValidationError changes
nothing.
"""

from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from ancrage.core import tenancy
from ancrage.core.audit import audit_record
from ancrage.core.choices import Role
from ancrage.core.mail import mail_in_their_languages
from ancrage.core.translated import missing_languages
from ancrage.funding.conditions import conditions_check
from ancrage.funding.models import (
    AdvisorVisit,
    Agreement,
    AgreementAmount,
    AgreementTarget,
    EligibilityRule,
    FollowedOrganization,
    FundingKind,
    FundingProgram,
    RenewalAlert,
    ReportingCadence,
    TargetMetric,
)
from ancrage.network.models import Membership, Organization

NAME_MAX = 200
DESCRIPTION_MAX = 4000
NOTE_MAX = 500
# Rules further out than this are typing mistakes (2205 for 2025), not policy.
EARLIEST = date(1990, 1, 1)
LATEST = date(2100, 12, 31)


def _texts(value: Any, field: str, limit: int, *, required: bool) -> dict[str, str]:
    if value is None:
        value = {}
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise ValidationError({field: _("Give the text per language.")})
    texts = {k: v.strip() for k, v in value.items() if v and v.strip()}
    if required:
        missing = missing_languages(texts)
        if missing:
            raise ValidationError(
                {
                    field: _("Give the name in French and in English (missing: %(codes)s).")
                    % {"codes": ", ".join(missing)}
                }
            )
    if any(len(text) > limit for text in texts.values()):
        raise ValidationError({field: _("This text is too long.")})
    return texts


@transaction.atomic
def program_create(
    *,
    actor: Any,
    funder: Organization,
    code: str,
    names: dict[str, str],
    description: dict[str, str] | None = None,
    kind: str = FundingKind.SERVICE_AGREEMENT,
    is_active: bool = True,
) -> FundingProgram:
    """A new funding program of `funder`, with no rule yet (so it covers nobody until one is added)."""
    clean_code = (code or "").strip().lower()
    if not clean_code or slugify(clean_code) != clean_code or len(clean_code) > 40:
        raise ValidationError(
            {
                "code": _(
                    "Use lowercase letters, digits and hyphens only (at most 40), e.g. pasi-stream-1."
                )
            }
        )
    if FundingProgram.objects.filter(code=clean_code).exists():
        raise ValidationError({"code": _("Another program already uses this code.")})
    if kind not in FundingKind.values:
        raise ValidationError({"kind": _("Choose a valid kind of funding.")})
    program = FundingProgram(
        funder=funder,
        code=clean_code,
        names=_texts(names, "names", NAME_MAX, required=True),
        description=_texts(description, "description", DESCRIPTION_MAX, required=False),
        kind=kind,
        is_active=is_active,
    )
    program.full_clean()
    program.save()
    audit_record(actor=actor, action="create", target=program, organization_id=funder.pk)
    return program


def _overlap(start_a: date, end_a: date | None, start_b: date, end_b: date | None) -> bool:
    return (end_b is None or start_a <= end_b) and (end_a is None or start_b <= end_a)


def _check_day(value: Any, field: str) -> date:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise ValidationError({field: _("Enter a valid date.")})
    if not EARLIEST <= value <= LATEST:
        raise ValidationError(
            {
                field: _("Choose a date between %(earliest)s and %(latest)s.")
                % {"earliest": EARLIEST.isoformat(), "latest": LATEST.isoformat()}
            }
        )
    return value


@transaction.atomic
def rule_version_create(
    *,
    actor: Any,
    program: FundingProgram,
    valid_from: date,
    conditions: Any,
    valid_to: date | None = None,
    note: str = "",
) -> EligibilityRule:
    """A new version of the program's eligibility rule, in force from `valid_from`.

    The version still open ("until further notice") and started earlier is closed the day before;
    any other overlap with an existing version is refused, as are malformed conditions and a
    period that ends before it starts.
    """
    valid_from = _check_day(valid_from, "valid_from")
    if valid_to is not None:
        valid_to = _check_day(valid_to, "valid_to")
        if valid_to < valid_from:
            raise ValidationError({"valid_to": _("The end date comes before the start date.")})
    checked = conditions_check(conditions)
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationError({"note": _("This text is too long.")})

    # Lock the program row: two administrators adding versions at once cannot both pass the
    # overlap check (PostgreSQL; SQLite serializes writes anyway).
    FundingProgram.objects.select_for_update().filter(pk=program.pk).first()
    versions = list(program.rules.order_by("valid_from"))
    to_close = next((v for v in versions if v.valid_to is None and v.valid_from < valid_from), None)
    for version in versions:
        end = valid_from - timedelta(days=1) if version is to_close else version.valid_to
        if _overlap(version.valid_from, end, valid_from, valid_to):
            raise ValidationError(
                {
                    "valid_from": _(
                        "This period overlaps the version in force %(period)s. Choose dates "
                        "outside it."
                    )
                    % {"period": version.period}
                }
            )
    if to_close is not None:
        to_close.valid_to = valid_from - timedelta(days=1)
        to_close.save(update_fields=["valid_to"])
        audit_record(
            actor=actor,
            action="change",
            target=to_close,
            organization_id=program.funder_id,
            reason="closed by a new version",
            details={"valid_to": to_close.valid_to.isoformat()},
        )
    rule = EligibilityRule(
        program=program,
        valid_from=valid_from,
        valid_to=valid_to,
        conditions=checked,
        note=note,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    rule.full_clean()
    rule.save()
    audit_record(
        actor=actor,
        action="create",
        target=rule,
        organization_id=program.funder_id,
        details={
            "program": program.code,
            "valid_from": valid_from.isoformat(),
            "valid_to": valid_to.isoformat() if valid_to else None,
            "conditions": checked,
        },
    )
    return rule


# --- Agreements, amounts, targets --------------------------------------------------------------

REFERENCE_MAX = 60
RESTRICTIONS_MAX = 4000
VISIT_TEXT_MAX = 4000
# Beyond these, a typing mistake (an extra zero or two), not a real agreement.
AMOUNT_MAX = Decimal("100000000")  # 100 M$
TARGET_MAX = 1_000_000
CENT = Decimal("0.01")
AGREEMENT_FIELDS = (
    "program",
    "reference",
    "starts_on",
    "ends_on",
    "cadence",
    "renewal_on",
    "recurring",
    "restrictions",
)


class StaleAgreement(ValidationError):
    """Someone saved the agreement since this edit started: this save is refused."""

    def __init__(self) -> None:
        super().__init__(
            _(
                "Someone else saved this agreement after you opened the page; your changes were "
                "not saved, so that theirs are not lost. Open the page again to see the current "
                "version, then make your changes again."
            ),
            code="stale",
        )


def _is_person(actor: Any) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False)


def _require(actor: Any, capability: str, organization_id: int) -> None:
    """A person acts only where they hold the capability; `actor=None` is the system (demo, jobs)."""
    if actor is not None and not tenancy.has_capability(actor, capability, organization_id):
        raise PermissionDenied


def _text(value: Any, field: str, limit: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError({field: _("Enter text.")})
    value = value.strip()
    if len(value) > limit:
        raise ValidationError(
            {
                field: _("This text is too long: at most %(limit)d characters (it has %(count)d).")
                % {"limit": limit, "count": len(value)}
            }
        )
    return value


def _period(start: Any, end: Any, start_field: str, end_field: str) -> tuple[date, date]:
    start = _check_day(start, start_field)
    end = _check_day(end, end_field)
    if end < start:
        raise ValidationError({end_field: _("The end date comes before the start date.")})
    return start, end


def _inside(agreement: Agreement, start: date, end: date, field: str) -> None:
    if start < agreement.starts_on or end > agreement.ends_on:
        raise ValidationError(
            {
                field: _(
                    "This period falls outside the agreement (%(period)s). Choose dates within it."
                )
                % {"period": agreement.period}
            }
        )


def _checked_agreement(
    organization: Organization, values: dict[str, Any], *, program_chosen: bool = True
) -> dict[str, Any]:
    """The checks an agreement passes when entered or edited, on its complete set of values
    (`program_chosen`: the program is new to it, not the one it already had)."""
    program = values["program"]
    if not isinstance(program, FundingProgram):
        raise ValidationError({"program": _("Choose a funding program.")})
    if program.funder_id == organization.pk:
        raise ValidationError(
            {"program": _("An organization cannot hold an agreement under its own program.")}
        )
    starts_on, ends_on = _period(values["starts_on"], values["ends_on"], "starts_on", "ends_on")
    renewal_on = values["renewal_on"]
    if renewal_on is not None:
        renewal_on = _check_day(renewal_on, "renewal_on")
        if not starts_on <= renewal_on <= ends_on:
            raise ValidationError(
                {
                    "renewal_on": _(
                        "The renewal decision date falls within the agreement, between its start "
                        "and its end."
                    )
                }
            )
    if values["cadence"] not in ReportingCadence.values:
        raise ValidationError({"cadence": _("Choose how often reports are due.")})
    if program_chosen and not program.is_active and ends_on >= timezone.localdate():
        raise ValidationError(
            {
                "program": _(
                    "%(name)s is no longer offered: record only agreements under it that have "
                    "already ended."
                )
                % {"name": program.name}
            }
        )
    return {
        **values,
        "reference": _text(values["reference"], "reference", REFERENCE_MAX),
        "restrictions": _text(values["restrictions"], "restrictions", RESTRICTIONS_MAX),
        "starts_on": starts_on,
        "ends_on": ends_on,
        "renewal_on": renewal_on,
        "recurring": bool(values["recurring"]),
    }


def _refuse_overlap(
    organization: Organization, values: dict[str, Any], exclude: int | None
) -> None:
    # The organization's row is locked first: two people entering the same agreement at once
    # cannot both pass the check (PostgreSQL; SQLite serializes writes anyway).
    Organization.objects.select_for_update().filter(pk=organization.pk).first()
    clash = (
        Agreement.objects.filter(
            organization=organization,
            program=values["program"],
            starts_on__lte=values["ends_on"],
            ends_on__gte=values["starts_on"],
        )
        .exclude(pk=exclude)
        .order_by("starts_on")
        .first()
    )
    if clash is not None:
        raise ValidationError(
            {
                "starts_on": _(
                    "This organization already has an agreement under %(program)s for "
                    "%(period)s. Agreements under one program cannot overlap: change the dates, "
                    "or edit the existing agreement."
                )
                % {"program": clash.program.name, "period": clash.period}
            }
        )


def _audit_details(values: dict[str, Any]) -> dict[str, Any]:
    return {
        key: (
            value.isoformat()
            if isinstance(value, date)
            else value.code
            if isinstance(value, FundingProgram)
            else value
        )
        for key, value in values.items()
    }


@transaction.atomic
def agreement_create(
    *,
    actor: Any,
    organization: Organization,
    program: FundingProgram,
    starts_on: date,
    ends_on: date,
    reference: str = "",
    cadence: str = ReportingCadence.QUARTERLY,
    renewal_on: date | None = None,
    recurring: bool = False,
    restrictions: str = "",
) -> Agreement:
    """A funding agreement entered by the organization that holds it (never by another)."""
    _require(actor, tenancy.MANAGE_AGREEMENTS, organization.pk)
    values = _checked_agreement(
        organization,
        {
            "program": program,
            "reference": reference,
            "starts_on": starts_on,
            "ends_on": ends_on,
            "cadence": cadence,
            "renewal_on": renewal_on,
            "recurring": recurring,
            "restrictions": restrictions,
        },
    )
    _refuse_overlap(organization, values, exclude=None)
    agreement = Agreement(
        organization=organization,
        created_by=actor if _is_person(actor) else None,
        **values,
    )
    # `created_by` is empty for agreements entered by the system (the demo, imports).
    agreement.full_clean(exclude=["created_by"])
    agreement.save()
    audit_record(
        actor=actor,
        action="create",
        target=agreement,
        organization_id=organization.pk,
        details=_audit_details(values),
    )
    return agreement


@transaction.atomic
def agreement_update(*, actor: Any, agreement: Agreement, version: int, **fields: Any) -> Agreement:
    """Correct an agreement as edited from `version` (refused if someone saved it since).

    The same checks as `agreement_create`, on the agreement as it will be; its amounts and targets
    must still fall within its new period.
    """
    unknown = set(fields) - set(AGREEMENT_FIELDS)
    if unknown:
        raise TypeError(f"Not editable: {sorted(unknown)}")
    organization = agreement.organization
    _require(actor, tenancy.MANAGE_AGREEMENTS, organization.pk)
    current = Agreement.objects.select_for_update().filter(pk=agreement.pk).first()
    if current is None or current.version != version:
        raise StaleAgreement()
    before = {field: getattr(current, field) for field in AGREEMENT_FIELDS}
    values = _checked_agreement(
        organization,
        {**before, **fields},
        program_chosen=fields.get("program", before["program"]) != before["program"],
    )
    _refuse_overlap(organization, values, exclude=agreement.pk)
    outside = Q(period_start__lt=values["starts_on"]) | Q(period_end__gt=values["ends_on"])
    if current.amounts.filter(outside).exists() or current.targets.filter(outside).exists():
        raise ValidationError(
            {
                "starts_on": _(
                    "Some amounts or targets of this agreement fall outside these dates. Change "
                    "or remove them first."
                )
            }
        )
    changes = {
        field: [_audit_details({"v": before[field]})["v"], _audit_details({"v": value})["v"]]
        for field, value in values.items()
        if value != before[field]
    }
    Agreement.objects.filter(pk=agreement.pk).update(
        **values, version=F("version") + 1, updated_at=timezone.now()
    )
    agreement.refresh_from_db()
    audit_record(
        actor=actor,
        action="change",
        target=agreement,
        organization_id=organization.pk,
        details={"fields": changes},
    )
    return agreement


def _check_amount(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (Decimal, int, str, float)):
        raise ValidationError({"amount": _("Enter an amount in dollars, e.g. 12500.50.")})
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValidationError({"amount": _("Enter an amount in dollars, e.g. 12500.50.")}) from None
    if not amount.is_finite():
        raise ValidationError({"amount": _("Enter an amount in dollars, e.g. 12500.50.")})
    if amount < 0:
        raise ValidationError({"amount": _("An amount cannot be negative.")})
    if amount != amount.quantize(CENT):
        raise ValidationError({"amount": _("Give the amount to the cent: at most 2 decimals.")})
    if amount > AMOUNT_MAX:
        raise ValidationError(
            {
                "amount": _(
                    "This amount is over 100 million dollars: check that no zero was typed too "
                    "many."
                )
            }
        )
    return amount.quantize(CENT)


@transaction.atomic
def amount_set(
    *,
    actor: Any,
    agreement: Agreement,
    period_start: date,
    period_end: date,
    amount: Decimal | int | str,
) -> AgreementAmount:
    """What the agreement pays for a period within it (usually a fiscal year, April to March).

    The same period again replaces its amount; a period that overlaps another one partly is
    refused (the money would be counted twice).
    """
    _require(actor, tenancy.MANAGE_AGREEMENTS, agreement.organization_id)
    start, end = _period(period_start, period_end, "period_start", "period_end")
    _inside(agreement, start, end, "period_start")
    value = _check_amount(amount)
    Agreement.objects.select_for_update().filter(pk=agreement.pk).first()
    existing = None
    for other in agreement.amounts.filter(period_start__lte=end, period_end__gte=start):
        if (other.period_start, other.period_end) == (start, end):
            existing = other
            continue
        raise ValidationError(
            {
                "period_start": _(
                    "This period overlaps the amount already entered for %(start)s → %(end)s. "
                    "Change that amount, or choose a period that does not overlap it."
                )
                % {"start": other.period_start.isoformat(), "end": other.period_end.isoformat()}
            }
        )
    if existing is not None:
        previous = existing.amount
        existing.amount = value
        existing.full_clean()
        existing.save(update_fields=["amount"])
        audit_record(
            actor=actor,
            action="change",
            target=existing,
            organization_id=agreement.organization_id,
            details={"amount": [str(previous), str(value)]},
        )
        return existing
    created = AgreementAmount(agreement=agreement, period_start=start, period_end=end, amount=value)
    created.full_clean()
    created.save()
    audit_record(
        actor=actor,
        action="create",
        target=created,
        organization_id=agreement.organization_id,
        details={"period": [start.isoformat(), end.isoformat()], "amount": str(value)},
    )
    return created


@transaction.atomic
def amount_remove(*, actor: Any, amount: AgreementAmount) -> None:
    organization_id = amount.agreement.organization_id
    _require(actor, tenancy.MANAGE_AGREEMENTS, organization_id)
    audit_record(
        actor=actor,
        action="delete",
        target=amount,
        organization_id=organization_id,
        details={"period": [amount.period_start.isoformat(), amount.period_end.isoformat()]},
    )
    amount.delete()


def _check_target_value(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError({"value": _("Enter a whole number.")})
    if value < 0:
        raise ValidationError({"value": _("A target cannot be negative.")})
    if value > TARGET_MAX:
        raise ValidationError(
            {"value": _("This target is over a million: check that no zero was typed too many.")}
        )
    return value


@transaction.atomic
def target_set(
    *,
    actor: Any,
    agreement: Agreement,
    metric: str,
    period_start: date,
    period_end: date,
    value: int,
) -> AgreementTarget:
    """A number to reach within a period of the agreement (a quarter or a year).

    The same measure and period again replace the number. A quarterly target may sit inside a
    yearly one; two periods of the same measure that overlap only partly are refused.
    """
    _require(actor, tenancy.MANAGE_AGREEMENTS, agreement.organization_id)
    if metric not in TargetMetric.values:
        raise ValidationError({"metric": _("Choose what is counted.")})
    start, end = _period(period_start, period_end, "period_start", "period_end")
    _inside(agreement, start, end, "period_start")
    number = _check_target_value(value)
    Agreement.objects.select_for_update().filter(pk=agreement.pk).first()
    existing = None
    for other in agreement.targets.filter(
        metric=metric, period_start__lte=end, period_end__gte=start
    ):
        if (other.period_start, other.period_end) == (start, end):
            existing = other
            continue
        nested = (other.period_start <= start and end <= other.period_end) or (
            start <= other.period_start and other.period_end <= end
        )
        if not nested:
            raise ValidationError(
                {
                    "period_start": _(
                        "This period overlaps only part of the target already set for "
                        "%(start)s → %(end)s. Use the same quarters or years."
                    )
                    % {
                        "start": other.period_start.isoformat(),
                        "end": other.period_end.isoformat(),
                    }
                }
            )
    if existing is not None:
        previous = existing.value
        existing.value = number
        existing.save(update_fields=["value"])
        audit_record(
            actor=actor,
            action="change",
            target=existing,
            organization_id=agreement.organization_id,
            details={"value": [previous, number]},
        )
        return existing
    target = AgreementTarget(
        agreement=agreement, metric=metric, period_start=start, period_end=end, value=number
    )
    target.full_clean()
    target.save()
    audit_record(
        actor=actor,
        action="create",
        target=target,
        organization_id=agreement.organization_id,
        details={
            "metric": metric,
            "period": [start.isoformat(), end.isoformat()],
            "value": number,
        },
    )
    return target


@transaction.atomic
def target_remove(*, actor: Any, target: AgreementTarget) -> None:
    organization_id = target.agreement.organization_id
    _require(actor, tenancy.MANAGE_AGREEMENTS, organization_id)
    audit_record(
        actor=actor,
        action="delete",
        target=target,
        organization_id=organization_id,
        details={"metric": target.metric, "period": [target.period_start.isoformat()]},
    )
    target.delete()


# --- Renewal alerts ------------------------------------------------------------------------------

RENEWAL_STEPS = (180, 90, 30)
RENEWAL_ROLES = (Role.DIRECTOR, Role.COORDINATOR)


def renewal_step(days_left: int) -> int | None:
    """The most urgent alert step a renewal `days_left` away has reached (None: too early, or
    passed)."""
    if days_left < 0:
        return None
    reached = [step for step in RENEWAL_STEPS if days_left <= step]
    return min(reached) if reached else None


def renewal_recipients(organization_id: int) -> list[Any]:
    """The people who answer for the organization's agreements: its directors and coordinators."""
    return list(
        {
            m.user.pk: m.user
            for m in Membership.objects.current()
            .filter(organization_id=organization_id, role__in=RENEWAL_ROLES)
            .exclude(user__email="")
            .select_related("user")
            .order_by("user__email")
        }.values()
    )


def _renewal_message(agreement: Agreement, days_left: int) -> tuple[str, str]:
    subject = _("Agreement renewal in %(days)d days: %(program)s") % {
        "days": days_left,
        "program": agreement.program.name,
    }
    lines = [
        _(
            "The agreement of %(organization)s under %(program)s (%(funder)s) comes up for "
            "renewal on %(date)s, in %(days)d days."
        )
        % {
            "organization": agreement.organization.name,
            "program": agreement.program.name,
            "funder": agreement.program.funder.name,
            "date": agreement.renewal_date.isoformat(),
            "days": days_left,
        },
        _("Agreement period: %(period)s.") % {"period": agreement.period},
    ]
    if agreement.reference:
        lines.append(_("Funder's reference: %(reference)s.") % {"reference": agreement.reference})
    lines += [
        "",
        _(
            "Prepare the renewal now so that no position or activity it pays is left waiting. "
            "The agreement in Ancrage: %(path)s"
        )
        % {"path": reverse("funding:agreement_detail", kwargs={"pk": agreement.pk})},
    ]
    return subject, "\n".join(lines)


def renewal_alerts_due(today: date) -> list[tuple[Agreement, int]]:
    """(agreement, step) for every agreement whose renewal has reached a step (180, 90, 30 days)
    not yet alerted for that renewal date. An alert for a more urgent step covers the earlier ones:
    an agreement entered 20 days before its renewal gets one alert, not three."""
    horizon = today + timedelta(days=max(RENEWAL_STEPS))
    candidates = (
        Agreement.objects.filter(
            Q(renewal_on__isnull=False, renewal_on__range=(today, horizon))
            | Q(renewal_on__isnull=True, ends_on__range=(today, horizon))
        )
        .select_related("organization", "program", "program__funder")
        .prefetch_related("alerts")
        .order_by("pk")
    )
    due = []
    for agreement in candidates:
        renewal = agreement.renewal_date
        step = renewal_step((renewal - today).days)
        if step is None:
            continue
        sent = any(
            alert.renewal_date == renewal and alert.days_before <= step
            for alert in agreement.alerts.all()
        )
        if not sent:
            due.append((agreement, step))
    return due


def renewal_alerts_send(*, today: date | None = None) -> list[RenewalAlert]:
    """E-mail each due renewal alert to the organization's directors and coordinators, in each
    one's language, and record it: once per agreement, renewal date and step, whatever the number
    of runs. An agreement whose organization has nobody to tell waits for the next run."""
    today = today or timezone.localdate()
    sent = []
    for agreement, step in renewal_alerts_due(today):
        people = renewal_recipients(agreement.organization_id)
        if not people:
            continue
        days_left = (agreement.renewal_date - today).days
        try:
            # The alert row first: a second run at the same time stops at the unique constraint;
            # a mail failure rolls the row back, so tomorrow's run tries again.
            with transaction.atomic():
                alert = RenewalAlert.objects.create(
                    agreement=agreement,
                    days_before=step,
                    renewal_date=agreement.renewal_date,
                    recipients=[person.email for person in people],
                )
                mail_in_their_languages(
                    people,
                    lambda: _renewal_message(agreement, days_left),  # noqa: B023
                )
                audit_record(
                    actor=None,
                    action="create",
                    target=alert,
                    organization_id=agreement.organization_id,
                    reason="renewal alert",
                    details={
                        "agreement": agreement.pk,
                        "days_before": step,
                        "renewal_date": agreement.renewal_date.isoformat(),
                        "recipients": len(people),
                    },
                )
        except IntegrityError:
            continue
        sent.append(alert)
    return sent


# --- A funder's advisor: organizations followed, visits ----------------------------------------


def _advised(actor: Any, funder: Organization, organization: Organization) -> None:
    """The advisor acts for their own funder, about an organization that has an agreement with it."""
    if not tenancy.has_capability(actor, tenancy.ADVISE, funder.pk):
        raise PermissionDenied
    if not Agreement.objects.filter(organization=organization, program__funder=funder).exists():
        raise ValidationError(
            {
                "organization": _(
                    "%(name)s has no agreement with %(funder)s: an advisor follows only the "
                    "organizations their funder funds."
                )
                % {"name": organization.name, "funder": funder.name}
            }
        )


@transaction.atomic
def organization_follow(
    *, actor: Any, funder: Organization, organization: Organization
) -> FollowedOrganization:
    """The advisor follows the organization for their funder (again: nothing changes)."""
    _advised(actor, funder, organization)
    follow, created = FollowedOrganization.objects.get_or_create(
        funder=funder, advisor=actor, organization=organization
    )
    if created:
        audit_record(actor=actor, action="create", target=follow, organization_id=funder.pk)
    return follow


@transaction.atomic
def organization_unfollow(*, actor: Any, follow: FollowedOrganization) -> None:
    """The advisor stops following an organization; the visits recorded stay."""
    if follow.advisor_id != actor.pk or not tenancy.has_capability(
        actor, tenancy.ADVISE, follow.funder_id
    ):
        raise PermissionDenied
    audit_record(actor=actor, action="delete", target=follow, organization_id=follow.funder_id)
    follow.delete()


@transaction.atomic
def visit_record(
    *,
    actor: Any,
    funder: Organization,
    organization: Organization,
    visited_on: date,
    open_questions: str = "",
    follow_ups: str = "",
    follow_up_by: date | None = None,
    today: date | None = None,
) -> AdvisorVisit:
    """A visit (or call) of the funder's advisor to an organization it funds: what is still open."""
    _advised(actor, funder, organization)
    today = today or timezone.localdate()
    visited_on = _check_day(visited_on, "visited_on")
    if visited_on > today:
        raise ValidationError(
            {"visited_on": _("Record a visit once it has taken place: this date is in the future.")}
        )
    if follow_up_by is not None:
        follow_up_by = _check_day(follow_up_by, "follow_up_by")
        if follow_up_by < visited_on:
            raise ValidationError({"follow_up_by": _("The follow-up date comes before the visit.")})
    questions = _text(open_questions, "open_questions", VISIT_TEXT_MAX)
    actions = _text(follow_ups, "follow_ups", VISIT_TEXT_MAX)
    if not (questions or actions):
        raise ValidationError(
            {"open_questions": _("Write the open questions or the follow-ups of this visit.")}
        )
    if follow_up_by is not None and not actions:
        raise ValidationError({"follow_ups": _("Say what is to be followed up by that date.")})
    visit = AdvisorVisit(
        funder=funder,
        organization=organization,
        advisor=actor if _is_person(actor) else None,
        visited_on=visited_on,
        open_questions=questions,
        follow_ups=actions,
        follow_up_by=follow_up_by,
    )
    visit.full_clean()
    visit.save()
    audit_record(
        actor=actor,
        action="create",
        target=visit,
        organization_id=funder.pk,
        details={"organization": organization.pk, "visited_on": visited_on.isoformat()},
    )
    return visit

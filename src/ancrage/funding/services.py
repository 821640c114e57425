"""Every write to funding programs and their eligibility rules: checked, in one transaction, audited.

Callers pass objects fetched through `core.tenancy` (the funder or program the actor may
manage); these functions check the rest. A ValidationError changes nothing.
"""

from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from ancrage.core.audit import audit_record
from ancrage.core.translated import missing_languages
from ancrage.funding.conditions import conditions_check
from ancrage.funding.models import EligibilityRule, FundingKind, FundingProgram
from ancrage.network.models import Organization

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

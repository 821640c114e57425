"""Every write to calls for projects and applications — checked, in one transaction, audited.

Calls: a funder prepares a call (draft), sets its yearly envelopes, objectives and weighted
criteria, publishes it (announced to every eligible organization: `announcements`), closes it
after the deadline. Applications: an organization's director or coordinator writes a draft (edits
carry the version the person saw: a lost update is refused), its budget, logic model, partners,
co-applicants (each confirms from its own organization) and required documents, then submits it
before the deadline — `submission_problems` lists everything that stops it, all at once.

Callers pass objects fetched through `core.tenancy`; these functions check the rest. A
ValidationError changes nothing.
"""

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from ancrage.core import tenancy
from ancrage.core.audit import audit_record
from ancrage.core.choices import OrganizationKind
from ancrage.core.models import Audience, Borough
from ancrage.core.translated import pick
from ancrage.grants import selectors, workflow
from ancrage.grants.models import (
    TEXT_MAX,
    Application,
    ApplicationDocument,
    BudgetLine,
    CallObjective,
    CallState,
    CallYear,
    CoApplicant,
    Criterion,
    GrantCall,
    LogicModelRow,
    ProjectPartner,
)
from ancrage.network.models import Organization

CENT = Decimal("0.01")
AMOUNT_MAX = Decimal("100000000")  # 100 M$: more is a typing error
TITLE_MAX = 200
LINE_MAX = 200
SHORT_MAX = 500
ROWS_MAX = 100  # budget lines, logic model rows, partners, objectives, criteria per call
YEARS_MAX = 10
YEAR_RANGE = (2000, 2100)
DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
DOCUMENT_TYPES = frozenset(
    {
        "application/pdf",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "image/png",
        "image/jpeg",
    }
)
CALL_LANGUAGES = ("fr", "en")

# Anything that looks like an HTML tag (`<script`, `</b>`, `<!--`): texts are plain text.
_MARKUP = re.compile(r"<\s*[/!?]?\s*[a-zA-Z]")


# --- Checks shared by every write -----------------------------------------------------------


def _text(value: Any, field: str, *, limit: int, required: bool = True) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError({field: _("Enter text.")})
    value = value.strip()
    if len(value) > limit:
        raise ValidationError(
            {field: _("This text is too long (%(limit)d characters at most).") % {"limit": limit}}
        )
    if "\x00" in value:
        raise ValidationError({field: _("This text contains a character that is not allowed.")})
    if _MARKUP.search(value):
        raise ValidationError(
            {field: _("Write plain text: HTML tags such as <script> are not accepted.")}
        )
    if required and not value:
        raise ValidationError({field: _("This field is required.")})
    return value


def _texts(
    values: Mapping[str, Any] | None, field: str, *, limit: int, required: bool = True
) -> dict[str, str]:
    """A text per language ({"fr": …, "en": …}); French or English at least when required."""
    if values is None:
        values = {}
    if not isinstance(values, Mapping) or len(values) > 20:
        raise ValidationError({field: _("Enter text.")})
    cleaned = {}
    for language, text in values.items():
        if not isinstance(language, str) or not re.fullmatch(r"[a-z]{2,3}(-[a-z]{2,4})?", language):
            raise ValidationError({field: _("Enter text.")})
        text = _text(text, field, limit=limit, required=False)
        if text:
            cleaned[language] = text
    if required and not any(cleaned.get(code) for code in CALL_LANGUAGES):
        raise ValidationError({field: _("Write it in French or in English at least.")})
    return cleaned


def money(value: Any, field: str = "amount") -> Decimal:
    """An amount in dollars: not negative, to the cent, below 100 M$."""
    invalid = _("Enter an amount in dollars, e.g. 12500.50.")
    if isinstance(value, bool) or not isinstance(value, (Decimal, int, str)):
        raise ValidationError({field: invalid})
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValidationError({field: invalid}) from None
    if not amount.is_finite():
        raise ValidationError({field: invalid})
    if amount < 0:
        raise ValidationError({field: _("An amount cannot be negative.")})
    if amount != amount.quantize(CENT):
        raise ValidationError({field: _("Give the amount to the cent: at most 2 decimals.")})
    if amount > AMOUNT_MAX:
        raise ValidationError(
            {
                field: _(
                    "This amount is over 100 million dollars: check that no zero was typed too "
                    "many."
                )
            }
        )
    return amount.quantize(CENT)


def _year(value: Any, field: str = "year") -> int:
    if isinstance(value, bool):
        raise ValidationError({field: _("Enter a year, e.g. 2025.")})
    try:
        year = int(value)
    except (TypeError, ValueError):
        raise ValidationError({field: _("Enter a year, e.g. 2025.")}) from None
    if not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
        raise ValidationError({field: _("Enter a year, e.g. 2025.")})
    return year


def _count(items: Sequence[Any], field: str, limit: int = ROWS_MAX) -> None:
    if len(items) > limit:
        raise ValidationError(
            {field: _("At most %(limit)d rows.") % {"limit": limit}}, code="too_many"
        )


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


# --- Calls ----------------------------------------------------------------------------------


def _may_manage(actor: Any, call_or_funder: GrantCall | Organization) -> None:
    funder_id = (
        call_or_funder.funder_id if isinstance(call_or_funder, GrantCall) else call_or_funder.pk
    )
    if not tenancy.has_capability(actor, tenancy.MANAGE_CALLS, funder_id):
        raise PermissionDenied


def _locked_call(call: GrantCall) -> GrantCall:
    return GrantCall.objects.select_for_update().get(pk=call.pk)


def _in_draft(call: GrantCall) -> None:
    if call.state != CallState.DRAFT:
        raise ValidationError(
            _("This call is published: its envelopes, objectives and criteria are fixed."),
            code="published",
        )


def _call_fields(
    *,
    titles: Mapping[str, Any],
    descriptions: Mapping[str, Any] | None,
    opens_at: datetime,
    closes_at: datetime,
    eligible_kinds: Iterable[str],
    eligible_boroughs: Iterable[Borough],
    documents_required: Sequence[Mapping[str, Any]],
    max_per_organization: Any,
) -> dict[str, Any]:
    if not isinstance(opens_at, datetime) or not isinstance(closes_at, datetime):
        raise ValidationError({"opens_at": _("Enter a date and a time.")})
    if timezone.is_naive(opens_at) or timezone.is_naive(closes_at):
        raise ValidationError({"opens_at": _("Enter a date and a time.")})
    if closes_at <= opens_at:
        raise ValidationError({"closes_at": _("The deadline comes after the opening.")})
    kinds = list(dict.fromkeys(eligible_kinds or ()))
    unknown = [kind for kind in kinds if kind not in OrganizationKind.values]
    if unknown:
        raise ValidationError({"eligible_kinds": _("Choose kinds of organization from the list.")})
    documents = list(documents_required or ())
    _count(documents, "documents_required", 30)
    cleaned_documents = [
        _texts(texts, "documents_required", limit=SHORT_MAX) for texts in documents
    ]
    cap = None
    if max_per_organization not in (None, ""):
        cap = money(max_per_organization, "max_per_organization")
        if cap == 0:
            raise ValidationError(
                {"max_per_organization": _("Leave it empty for no limit, or give an amount.")}
            )
    return {
        "titles": _texts(titles, "titles", limit=TITLE_MAX),
        "descriptions": _texts(descriptions, "descriptions", limit=TEXT_MAX, required=False),
        "opens_at": opens_at,
        "closes_at": closes_at,
        "eligible_kinds": kinds,
        "documents_required": cleaned_documents,
        "max_per_organization": cap,
        "boroughs": list(eligible_boroughs or ()),
    }


@transaction.atomic
def call_create(
    *,
    actor: Any,
    funder: Organization,
    code: str,
    titles: Mapping[str, Any],
    opens_at: datetime,
    closes_at: datetime,
    descriptions: Mapping[str, Any] | None = None,
    eligible_kinds: Iterable[str] = (),
    eligible_boroughs: Iterable[Borough] = (),
    documents_required: Sequence[Mapping[str, Any]] = (),
    max_per_organization: Any = None,
) -> GrantCall:
    """A call being prepared (draft): nobody sees it outside the funder until it is published."""
    _may_manage(actor, funder)
    code = _text(code, "code", limit=60)
    if slugify(code) != code:
        raise ValidationError(
            {"code": _("Lowercase letters, digits and hyphens only, e.g. montreal-inclusive-2025.")}
        )
    fields = _call_fields(
        titles=titles,
        descriptions=descriptions,
        opens_at=opens_at,
        closes_at=closes_at,
        eligible_kinds=eligible_kinds,
        eligible_boroughs=eligible_boroughs,
        documents_required=documents_required,
        max_per_organization=max_per_organization,
    )
    boroughs = fields.pop("boroughs")
    taken = _("Another call already has this code.")
    if GrantCall.objects.filter(code=code).exists():
        raise ValidationError({"code": taken})
    try:
        with transaction.atomic():
            call = GrantCall.objects.create(funder=funder, code=code, created_by=actor, **fields)
    except IntegrityError as error:
        raise ValidationError({"code": taken}) from error
    call.eligible_boroughs.set(boroughs)
    audit_record(actor=actor, action="create", target=call, organization_id=funder.pk)
    return call


@transaction.atomic
def call_update(
    *,
    actor: Any,
    call: GrantCall,
    titles: Mapping[str, Any],
    opens_at: datetime,
    closes_at: datetime,
    descriptions: Mapping[str, Any] | None = None,
    eligible_kinds: Iterable[str] = (),
    eligible_boroughs: Iterable[Borough] = (),
    documents_required: Sequence[Mapping[str, Any]] = (),
    max_per_organization: Any = None,
    now: datetime | None = None,
) -> GrantCall:
    """Change a call. Once published, only its texts change and its deadline may move later:
    the rules organizations apply under stay what was announced."""
    _may_manage(actor, call)
    current = _locked_call(call)
    fields = _call_fields(
        titles=titles,
        descriptions=descriptions,
        opens_at=opens_at,
        closes_at=closes_at,
        eligible_kinds=eligible_kinds,
        eligible_boroughs=eligible_boroughs,
        documents_required=documents_required,
        max_per_organization=max_per_organization,
    )
    boroughs = fields.pop("boroughs")
    if current.state in (CallState.CLOSED, CallState.DECIDED):
        raise ValidationError(_("This call is closed: it can no longer be changed."))
    if current.state == CallState.PUBLISHED:
        fixed = {
            "opens_at": fields["opens_at"] != current.opens_at,
            "eligible_kinds": fields["eligible_kinds"] != current.eligible_kinds,
            "documents_required": fields["documents_required"] != current.documents_required,
            "max_per_organization": fields["max_per_organization"] != current.max_per_organization,
            "eligible_boroughs": {b.pk for b in boroughs}
            != set(current.eligible_boroughs.values_list("pk", flat=True)),
        }
        changed = [name for name, differs in fixed.items() if differs]
        if changed:
            raise ValidationError(
                {name: _("The call is published: this can no longer change.") for name in changed}
            )
        if fields["closes_at"] < current.closes_at:
            raise ValidationError(
                {"closes_at": _("The call is published: its deadline may only move later.")}
            )
        if fields["closes_at"] != current.closes_at and fields["closes_at"] <= _now(now):
            raise ValidationError({"closes_at": _("The new deadline must be in the future.")})
    for name, value in fields.items():
        setattr(current, name, value)
    current.save()
    current.eligible_boroughs.set(boroughs)
    audit_record(actor=actor, action="change", target=current, organization_id=current.funder_id)
    return current


@transaction.atomic
def call_years_set(*, actor: Any, call: GrantCall, envelopes: Mapping[Any, Any]) -> GrantCall:
    """The envelope of each year of the call (replaces them all)."""
    _may_manage(actor, call)
    current = _locked_call(call)
    _in_draft(current)
    _count(list(envelopes), "envelopes", YEARS_MAX)
    cleaned = {
        _year(year, "envelopes"): money(amount, "envelopes") for year, amount in envelopes.items()
    }
    if len(cleaned) != len(envelopes):
        raise ValidationError({"envelopes": _("Each year once.")})
    current.years.all().delete()
    CallYear.objects.bulk_create(
        CallYear(call=current, year=year, envelope=amount)
        for year, amount in sorted(cleaned.items())
    )
    audit_record(
        actor=actor,
        action="change",
        target=current,
        organization_id=current.funder_id,
        details={"envelopes": {str(y): str(a) for y, a in sorted(cleaned.items())}},
    )
    return current


@transaction.atomic
def call_objectives_set(
    *, actor: Any, call: GrantCall, objectives: Sequence[Mapping[str, Any]]
) -> GrantCall:
    """The call's objectives, in order (replaces them all): [{"code"?, "names": {fr, en}}]."""
    _may_manage(actor, call)
    current = _locked_call(call)
    _in_draft(current)
    _count(objectives, "objectives", 20)
    rows = []
    for position, objective in enumerate(objectives):
        names = _texts(objective.get("names"), "objectives", limit=SHORT_MAX)
        code = _text(
            objective.get("code") or slugify(pick(names, "fr"))[:60], "objectives", limit=60
        )
        if slugify(code) != code:
            raise ValidationError({"objectives": _("Lowercase letters, digits and hyphens only.")})
        rows.append(CallObjective(call=current, code=code, names=names, position=position))
    if len({row.code for row in rows}) != len(rows):
        raise ValidationError({"objectives": _("Two objectives have the same name.")})
    current.objectives.all().delete()
    CallObjective.objects.bulk_create(rows)
    audit_record(actor=actor, action="change", target=current, organization_id=current.funder_id)
    return current


def _weights_problem(weights: Sequence[int]) -> str | None:
    total = sum(weights)
    if not weights:
        return _("Give the call at least one criterion.")
    if total != 100:
        return _(
            "The weights of the criteria add up to %(total)d%%: they must add up to 100%%."
        ) % {"total": total}
    return None


@transaction.atomic
def call_criteria_set(
    *, actor: Any, call: GrantCall, criteria: Sequence[Mapping[str, Any]]
) -> GrantCall:
    """The criteria reviewers score, with their weights (adding up to 100) and scales.

    [{"code"?, "names": {…}, "descriptions": {…}, "weight": int, "scale_max": int}]"""
    _may_manage(actor, call)
    current = _locked_call(call)
    _in_draft(current)
    _count(criteria, "criteria", 20)
    rows = []
    for position, criterion in enumerate(criteria):
        names = _texts(criterion.get("names"), "criteria", limit=SHORT_MAX)
        descriptions = _texts(
            criterion.get("descriptions"), "criteria", limit=TEXT_MAX, required=False
        )
        code = _text(criterion.get("code") or slugify(pick(names, "fr"))[:60], "criteria", limit=60)
        weight, scale = criterion.get("weight"), criterion.get("scale_max", 5)
        if isinstance(weight, bool) or not isinstance(weight, int) or not 1 <= weight <= 100:
            raise ValidationError({"criteria": _("A weight is a whole number from 1 to 100.")})
        if isinstance(scale, bool) or not isinstance(scale, int) or not 1 <= scale <= 100:
            raise ValidationError(
                {"criteria": _("The highest score is a whole number from 1 to 100.")}
            )
        rows.append(
            Criterion(
                call=current,
                code=code,
                names=names,
                descriptions=descriptions,
                weight=weight,
                scale_max=scale,
                position=position,
            )
        )
    if len({row.code for row in rows}) != len(rows):
        raise ValidationError({"criteria": _("Two criteria have the same name.")})
    problem = _weights_problem([row.weight for row in rows])
    if problem:
        raise ValidationError({"criteria": problem}, code="weights")
    current.criteria.all().delete()
    Criterion.objects.bulk_create(rows)
    audit_record(actor=actor, action="change", target=current, organization_id=current.funder_id)
    return current


def publication_problems(call: GrantCall, now: datetime | None = None) -> list[str]:
    """What stops the call from being published, in the funder's words (empty: ready)."""
    now = _now(now)
    problems = []
    years = list(call.years.all())
    if not years:
        problems.append(_("Give the call the envelope of at least one year."))
    elif any(year.envelope < 0 for year in years):
        problems.append(_("An envelope cannot be negative."))
    elif sum(year.envelope for year in years) <= 0:
        problems.append(_("The envelopes add up to nothing: give at least one year an amount."))
    if not call.objectives.exists():
        problems.append(_("Give the call at least one objective."))
    problem = _weights_problem(list(call.criteria.values_list("weight", flat=True)))
    if problem:
        problems.append(problem)
    if call.closes_at <= now:
        problems.append(_("The deadline has passed: move it later before publishing."))
    if not any(call.titles.get(code) for code in CALL_LANGUAGES):
        problems.append(_("Give the call a title in French or in English."))
    return problems


def call_publish(*, actor: Any, call: GrantCall, now: datetime | None = None) -> GrantCall:
    """Publish the call (public page) and announce it to every eligible organization.

    The publication commits first; the announcements follow, each organization in its own
    transaction (a mail failure leaves that organization to the next run, never unpublishes)."""
    from ancrage.grants import announcements

    now = _now(now)
    with transaction.atomic():
        _may_manage(actor, call)
        current = _locked_call(call)
        if current.state != CallState.DRAFT:
            raise ValidationError(_("This call is already published."), code="wrong_state")
        problems = publication_problems(current, now)
        if problems:
            raise ValidationError(problems, code="not_ready")
        current.state = CallState.PUBLISHED
        current.save(update_fields=["state"])
        audit_record(
            actor=actor,
            action="change",
            target=current,
            organization_id=current.funder_id,
            details={"state": [CallState.DRAFT, CallState.PUBLISHED]},
        )
    announcements.announce_call(current)
    return current


def _call_step(
    *, actor: Any, call: GrantCall, source: str, target: str, now: datetime | None, check: Any
) -> GrantCall:
    with transaction.atomic():
        _may_manage(actor, call)
        current = _locked_call(call)
        if current.state != source:
            raise ValidationError(
                _("This call is %(state)s: this step is not possible.")
                % {"state": current.get_state_display().lower()},
                code="wrong_state",
            )
        check(current, _now(now))
        current.state = target
        current.save(update_fields=["state"])
        audit_record(
            actor=actor,
            action="change",
            target=current,
            organization_id=current.funder_id,
            details={"state": [source, target]},
        )
    return current


def _after_deadline(call: GrantCall, now: datetime) -> None:
    if now <= call.closes_at:
        raise ValidationError(
            _("The deadline has not passed: organizations may still apply."), code="too_early"
        )


def call_close(*, actor: Any, call: GrantCall, now: datetime | None = None) -> GrantCall:
    """Close the call once its deadline has passed: the applications go to review."""
    return _call_step(
        actor=actor,
        call=call,
        source=CallState.PUBLISHED,
        target=CallState.CLOSED,
        now=now,
        check=_after_deadline,
    )


def call_decide(*, actor: Any, call: GrantCall, now: datetime | None = None) -> GrantCall:
    """Mark a closed call decided (the committee adopted its allocation)."""
    return _call_step(
        actor=actor,
        call=call,
        source=CallState.CLOSED,
        target=CallState.DECIDED,
        now=now,
        check=lambda _call, _now: None,
    )


# --- Applications: writing a draft ---------------------------------------------------------


def _may_apply(actor: Any, organization_id: int) -> None:
    if not tenancy.has_capability(actor, tenancy.APPLY_GRANTS, organization_id):
        raise PermissionDenied


def _locked_draft(*, actor: Any, application: Application, version: int | None) -> Application:
    """The application, locked, if the actor may edit it, it is a draft, and nobody changed it
    since the person loaded it (`version`)."""
    _may_apply(actor, application.organization_id)
    current = (
        Application.objects.select_for_update()
        .select_related("call", "organization")
        .get(pk=application.pk)
    )
    if current.state not in workflow.EDITABLE_STATES:
        raise ValidationError(
            _("This application is %(state)s: it can no longer be changed.")
            % {"state": current.get_state_display().lower()},
            code="not_draft",
        )
    _check_version(current, version)
    return current


def _check_version(current: Application, version: int | None) -> None:
    if version is None or version != current.version:
        raise ValidationError(
            _(
                "This application changed since you opened it (someone else saved it). "
                "Reload the page and check it before trying again."
            ),
            code="stale",
        )


def _bump(current: Application, *fields: str) -> None:
    current.version += 1
    current.save(update_fields=["version", "updated_at", *fields])


def _objectives(call: GrantCall, objectives: Iterable[Any]) -> list[CallObjective]:
    chosen = list(objectives or ())
    ids = {getattr(o, "pk", o) for o in chosen}
    found = list(
        CallObjective.objects.filter(call=call, pk__in=[i for i in ids if isinstance(i, int)])
    )
    if len(found) != len(ids):
        raise ValidationError({"objectives": _("Choose objectives of this call.")})
    return found


def _target_groups(codes: Iterable[Any]) -> list[str]:
    codes = list(dict.fromkeys(codes or ()))
    known = set(
        Audience.objects.filter(code__in=[c for c in codes if isinstance(c, str)]).values_list(
            "code", flat=True
        )
    )
    if any(code not in known for code in codes):
        raise ValidationError({"target_groups": _("Choose the groups from the list.")})
    return codes


def _boroughs(boroughs: Iterable[Any]) -> list[Borough]:
    chosen = list(boroughs or ())
    if any(not isinstance(b, Borough) for b in chosen):
        raise ValidationError({"boroughs": _("Choose boroughs from the list.")})
    return chosen


def _minimum_viable(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        share = Decimal(str(value))
    except InvalidOperation:
        share = Decimal("-1")
    if not share.is_finite() or not 0 <= share <= 100 or share != share.quantize(CENT):
        raise ValidationError({"minimum_viable": _("Give a percentage from 0 to 100, e.g. 70.")})
    return share


def _project_fields(
    call: GrantCall,
    *,
    title: Any,
    summary: Any,
    objectives: Iterable[Any],
    target_groups: Iterable[Any],
    boroughs: Iterable[Any],
    minimum_viable: Any,
) -> dict[str, Any]:
    return {
        "title": _text(title, "title", limit=TITLE_MAX),
        "summary": _text(summary, "summary", limit=TEXT_MAX),
        "objectives": _objectives(call, objectives),
        "target_groups": _target_groups(target_groups),
        "boroughs": _boroughs(boroughs),
        "minimum_viable": _minimum_viable(minimum_viable),
    }


@transaction.atomic
def application_create(
    *,
    actor: Any,
    call: GrantCall,
    organization: Organization,
    title: str,
    summary: str,
    objectives: Iterable[Any] = (),
    target_groups: Iterable[str] = (),
    boroughs: Iterable[Borough] = (),
    minimum_viable: Any = None,
    now: datetime | None = None,
) -> Application:
    """Start an application (a draft) to a call that takes applications now, for an eligible
    organization."""
    _may_apply(actor, organization.pk)
    if not workflow.takes_applications(call, _now(now)):
        raise ValidationError(
            _("This call does not take applications now (deadline: %(deadline)s).")
            % {"deadline": timezone.localtime(call.closes_at).strftime("%Y-%m-%d %H:%M")},
            code="closed",
        )
    problems = selectors.eligibility_problems(call, organization)
    if problems:
        raise ValidationError(problems, code="ineligible")
    fields = _project_fields(
        call,
        title=title,
        summary=summary,
        objectives=objectives,
        target_groups=target_groups,
        boroughs=boroughs,
        minimum_viable=minimum_viable,
    )
    chosen_objectives, chosen_boroughs = fields.pop("objectives"), fields.pop("boroughs")
    application = Application.objects.create(
        call=call, organization=organization, created_by=actor, **fields
    )
    application.objectives.set(chosen_objectives)
    application.boroughs.set(chosen_boroughs)
    audit_record(actor=actor, action="create", target=application, organization_id=organization.pk)
    return application


@transaction.atomic
def application_update(
    *,
    actor: Any,
    application: Application,
    version: int | None,
    title: str,
    summary: str,
    objectives: Iterable[Any] = (),
    target_groups: Iterable[str] = (),
    boroughs: Iterable[Borough] = (),
    minimum_viable: Any = None,
) -> Application:
    """The project's description, objectives, groups and boroughs."""
    current = _locked_draft(actor=actor, application=application, version=version)
    fields = _project_fields(
        current.call,
        title=title,
        summary=summary,
        objectives=objectives,
        target_groups=target_groups,
        boroughs=boroughs,
        minimum_viable=minimum_viable,
    )
    current.objectives.set(fields.pop("objectives"))
    current.boroughs.set(fields.pop("boroughs"))
    for name, value in fields.items():
        setattr(current, name, value)
    _bump(current, *fields)
    audit_record(
        actor=actor, action="change", target=current, organization_id=current.organization_id
    )
    return current


@transaction.atomic
def application_budget_set(
    *,
    actor: Any,
    application: Application,
    version: int | None,
    requested: Mapping[Any, Any],
    lines: Sequence[Mapping[str, Any]],
) -> Application:
    """The amount requested each year and the budget lines (replaces them all).

    `requested`: {year: amount}; `lines`: [{"year", "label", "amount"}]. Lines that do not yet add
    up to the request are kept (a draft is work in progress) and shown; submitting refuses them.
    """
    current = _locked_draft(actor=actor, application=application, version=version)
    call_years = set(current.call.years.values_list("year", flat=True))
    _count(list(requested), "requested", YEARS_MAX)
    _count(lines, "lines", ROWS_MAX)
    cleaned_requested = {}
    for year, amount in requested.items():
        year = _year(year, "requested")
        if year not in call_years:
            raise ValidationError(
                {"requested": _("%(year)s is not a year of this call.") % {"year": year}}
            )
        cleaned_requested[year] = money(amount, "requested")
    rows = []
    for line in lines:
        year = _year(line.get("year"), "lines")
        if year not in call_years:
            raise ValidationError(
                {"lines": _("%(year)s is not a year of this call.") % {"year": year}}
            )
        rows.append(
            BudgetLine(
                application=current,
                year=year,
                label=_text(line.get("label"), "lines", limit=LINE_MAX),
                amount=money(line.get("amount"), "lines"),
            )
        )
    current.requested = {
        str(year): str(amount) for year, amount in sorted(cleaned_requested.items()) if amount
    }
    current.budget.all().delete()
    BudgetLine.objects.bulk_create(rows)
    _bump(current, "requested")
    audit_record(
        actor=actor,
        action="change",
        target=current,
        organization_id=current.organization_id,
        details={"requested": current.requested, "lines": len(rows)},
    )
    return current


@transaction.atomic
def application_logic_model_set(
    *, actor: Any, application: Application, version: int | None, rows: Sequence[Mapping[str, Any]]
) -> Application:
    """The logic model: activity → output → outcome → indicator with its target, row by row."""
    current = _locked_draft(actor=actor, application=application, version=version)
    _count(rows, "rows", 50)
    built = []
    for position, row in enumerate(rows, start=1):
        target = row.get("target")
        if isinstance(target, bool) or not isinstance(target, int) or not 0 <= target <= 10_000_000:
            raise ValidationError({"rows": _("A target is a whole number, 0 or more.")})
        built.append(
            LogicModelRow(
                application=current,
                position=position,
                activity=_text(row.get("activity"), "rows", limit=SHORT_MAX),
                output=_text(row.get("output"), "rows", limit=SHORT_MAX),
                outcome=_text(row.get("outcome"), "rows", limit=SHORT_MAX),
                indicator=_text(row.get("indicator"), "rows", limit=300),
                target=target,
            )
        )
    current.logic_model.all().delete()
    LogicModelRow.objects.bulk_create(built)
    _bump(current)
    audit_record(
        actor=actor, action="change", target=current, organization_id=current.organization_id
    )
    return current


@transaction.atomic
def application_partners_set(
    *,
    actor: Any,
    application: Application,
    version: int | None,
    partners: Sequence[Mapping[str, Any]],
) -> Application:
    """The project's partners: an organization of Ancrage or a name, its role, and whether it
    agreed to take part (replaces them all)."""
    current = _locked_draft(actor=actor, application=application, version=version)
    _count(partners, "partners", 50)
    built = []
    for partner in partners:
        organization = partner.get("organization")
        if organization is not None and not isinstance(organization, Organization):
            raise ValidationError({"partners": _("Choose organizations from the list.")})
        name = _text(partner.get("name"), "partners", limit=200, required=organization is None)
        if organization is not None and organization.pk == current.organization_id:
            raise ValidationError({"partners": _("The applicant is not its own partner.")})
        built.append(
            ProjectPartner(
                application=current,
                organization=organization,
                name=name,
                role=_text(partner.get("role"), "partners", limit=300),
                agreed=bool(partner.get("agreed")),
            )
        )
    current.partners.all().delete()
    ProjectPartner.objects.bulk_create(built)
    _bump(current)
    audit_record(
        actor=actor, action="change", target=current, organization_id=current.organization_id
    )
    return current


@transaction.atomic
def co_applicant_add(
    *, actor: Any, application: Application, version: int | None, organization: Organization
) -> CoApplicant:
    """Name another organization carrying the project; it confirms from its own page."""
    current = _locked_draft(actor=actor, application=application, version=version)
    if not isinstance(organization, Organization):
        raise ValidationError({"organization": _("Choose an organization from the list.")})
    if organization.pk == current.organization_id:
        raise ValidationError({"organization": _("The applicant is not its own co-applicant.")})
    if current.co_applicants.filter(organization=organization).exists():
        raise ValidationError({"organization": _("This organization is already a co-applicant.")})
    if current.co_applicants.count() >= 20:
        raise ValidationError({"organization": _("At most %(limit)d rows.") % {"limit": 20}})
    co_applicant = CoApplicant.objects.create(application=current, organization=organization)
    _bump(current)
    audit_record(
        actor=actor,
        action="create",
        target=co_applicant,
        organization_id=current.organization_id,
        details={"co_applicant": organization.pk},
    )
    return co_applicant


@transaction.atomic
def co_applicant_remove(
    *, actor: Any, co_applicant: CoApplicant, version: int | None
) -> Application:
    current = _locked_draft(actor=actor, application=co_applicant.application, version=version)
    audit_record(
        actor=actor,
        action="delete",
        target=co_applicant,
        organization_id=current.organization_id,
        details={"co_applicant": co_applicant.organization_id},
    )
    co_applicant.delete()
    _bump(current)
    return current


@transaction.atomic
def co_applicant_confirm(
    *, actor: Any, co_applicant: CoApplicant, now: datetime | None = None
) -> CoApplicant:
    """The co-applicant organization confirms its part — only someone who may apply for *that*
    organization, while the application is a draft."""
    _may_apply(actor, co_applicant.organization_id)
    current = (
        CoApplicant.objects.select_for_update()
        .select_related("application")
        .get(pk=co_applicant.pk)
    )
    if current.application.state not in workflow.EDITABLE_STATES:
        raise ValidationError(
            _("This application is %(state)s: it can no longer be changed.")
            % {"state": current.application.get_state_display().lower()},
            code="not_draft",
        )
    if current.confirmed_at is None:
        current.confirmed_at = _now(now)
        current.save(update_fields=["confirmed_at"])
        audit_record(
            actor=actor,
            action="change",
            target=current,
            organization_id=current.organization_id,
            details={"confirmed": current.application_id},
        )
    return current


def _document_requirement(call: GrantCall, requirement: Any) -> int:
    if isinstance(requirement, bool) or not isinstance(requirement, int):
        raise ValidationError({"requirement": _("Choose a document the call requires.")})
    if not 0 <= requirement < len(call.documents_required or []):
        raise ValidationError({"requirement": _("Choose a document the call requires.")})
    return requirement


@transaction.atomic
def application_document_attach(
    *,
    actor: Any,
    application: Application,
    version: int | None,
    requirement: int,
    name: str,
    content_type: str,
    content: bytes,
) -> ApplicationDocument:
    """Attach (or replace) the document answering one of the call's requirements."""
    current = _locked_draft(actor=actor, application=application, version=version)
    requirement = _document_requirement(current.call, requirement)
    name = _text((name or "").rsplit("/", 1)[-1], "file", limit=200)
    if content_type not in DOCUMENT_TYPES:
        raise ValidationError(
            {"file": _("Send a PDF, a Word, Excel or OpenDocument file, or an image.")}
        )
    if not isinstance(content, bytes) or not content:
        raise ValidationError({"file": _("The file is empty.")})
    if len(content) > DOCUMENT_MAX_BYTES:
        raise ValidationError({"file": _("The file is larger than 10 MB.")})
    current.documents.filter(requirement=requirement).delete()
    document = ApplicationDocument.objects.create(
        application=current,
        requirement=requirement,
        name=name,
        content_type=content_type,
        content=content,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=actor,
    )
    _bump(current)
    audit_record(
        actor=actor,
        action="create",
        target=document,
        organization_id=current.organization_id,
        details={"requirement": requirement, "sha256": document.sha256},
    )
    return document


@transaction.atomic
def application_document_remove(
    *, actor: Any, document: ApplicationDocument, version: int | None
) -> Application:
    current = _locked_draft(actor=actor, application=document.application, version=version)
    audit_record(
        actor=actor, action="delete", target=document, organization_id=current.organization_id
    )
    document.delete()
    _bump(current)
    return current


# --- Applications: the steps ----------------------------------------------------------------


def submission_problems(application: Application, now: datetime | None = None) -> list[str]:
    """Everything that stops the application from being submitted now, in the applicant's words
    (empty: it may be submitted). Read by the submit step and shown as a checklist."""
    now = _now(now)
    call = application.call
    problems: list[str] = []
    if call.state != CallState.PUBLISHED or now < call.opens_at:
        problems.append(_("This call does not take applications now."))
    elif now > call.closes_at:
        problems.append(
            _("The deadline has passed (%(deadline)s): the application can no longer be submitted.")
            % {"deadline": timezone.localtime(call.closes_at).strftime("%Y-%m-%d %H:%M")}
        )
    problems += selectors.eligibility_problems(call, application.organization)
    eligible = set(call.eligible_boroughs.values_list("pk", flat=True))
    project_boroughs = list(application.boroughs.all())
    if eligible and any(b.pk not in eligible for b in project_boroughs):
        problems.append(_("The project takes place in a borough this call does not cover."))
    if not application.objectives.exists():
        problems.append(_("Choose at least one objective of the call the project addresses."))
    if not application.target_groups:
        problems.append(_("Say which groups the project is for."))
    if not project_boroughs:
        problems.append(_("Say in which boroughs the project takes place."))
    if not application.logic_model.exists():
        problems.append(_("Fill in the logic model: at least one activity with its indicator."))
    problems += _budget_problems(application)
    required = call.documents_required or []
    attached = set(application.documents.values_list("requirement", flat=True))
    for position, texts in enumerate(required):
        if position not in attached:
            problems.append(_("Missing document: %(name)s.") % {"name": pick(texts)})
    waiting = [
        co.organization.name
        for co in application.co_applicants.select_related("organization")
        if co.confirmed_at is None
    ]
    if waiting:
        problems.append(
            _("Co-applicants have not confirmed yet: %(names)s.") % {"names": ", ".join(waiting)}
        )
    not_agreed = [
        partner.name or partner.organization.name
        for partner in application.partners.select_related("organization")
        if not partner.agreed
    ]
    if not_agreed:
        problems.append(
            _(
                "Partners who have not agreed to take part: %(names)s. Remove them or confirm their agreement."
            )
            % {"names": ", ".join(not_agreed)}
        )
    return problems


def _budget_problems(application: Application) -> list[str]:
    problems = []
    requested = selectors.requested_of(application)
    lines = selectors.budget_totals(application)
    call_years = set(application.call.years.values_list("year", flat=True))
    if not any(requested.values()):
        problems.append(_("Say how much the project requests, for at least one year."))
    for year in sorted(set(requested) | set(lines)):
        asked, total = requested.get(year, Decimal("0")), lines.get(year, Decimal("0"))
        if year not in call_years:
            problems.append(_("%(year)s is not a year of this call.") % {"year": year})
        elif asked != total:
            problems.append(
                _(
                    "Budget %(year)s: the lines add up to %(total)s $ but the request is "
                    "%(requested)s $ (difference: %(difference)s $)."
                )
                % {
                    "year": year,
                    "total": f"{total:,.2f}".replace(",", " "),
                    "requested": f"{asked:,.2f}".replace(",", " "),
                    "difference": f"{total - asked:+,.2f}".replace(",", " "),
                }
            )
    cap = application.call.max_per_organization
    asked_total = sum(requested.values(), Decimal("0"))
    if cap is not None and asked_total > cap:
        problems.append(
            _(
                "The request (%(total)s $) is over the most one organization may receive (%(cap)s $)."
            )
            % {
                "total": f"{asked_total:,.2f}".replace(",", " "),
                "cap": f"{cap:,.2f}".replace(",", " "),
            }
        )
    return problems


def _checked_step(actor: Any, current: Application, name: str, now: datetime) -> workflow.Step:
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
            _("This application is %(state)s: “%(step)s” is not possible.")
            % {"state": current.get_state_display().lower(), "step": label},
            code="wrong_state",
        )
    if not workflow.in_time(found, current.call, now):
        if found.when == workflow.WHILE_OPEN:
            raise ValidationError(
                _(
                    "The deadline has passed (%(deadline)s): the application can no longer be submitted."
                )
                % {
                    "deadline": timezone.localtime(current.call.closes_at).strftime(
                        "%Y-%m-%d %H:%M"
                    )
                }
                if now > current.call.closes_at
                else _("This call does not take applications now."),
                code="deadline",
            )
        raise ValidationError(
            _("Decisions come after the deadline, once every application is in."),
            code="too_early",
        )
    return found


@transaction.atomic
def application_step(
    *,
    actor: Any,
    application: Application,
    step: str,
    version: int | None = None,
    now: datetime | None = None,
) -> Application:
    """Take a step of the workflow (submit, withdraw, fund, decline), with its checks.

    The applicant's steps carry the version the person saw; the funder's decisions do not (they
    come from the committee's allocation, after the deadline, when nothing changes any more)."""
    if step not in workflow.STEP_NAMES:
        raise ValidationError(_("Unknown step."), code="unknown_step")
    now = _now(now)
    current = (
        Application.objects.select_for_update()
        .select_related("call", "organization")
        .get(pk=application.pk)
    )
    found = _checked_step(actor, current, step, now)
    if workflow.APPLICANT in found.actors:
        _check_version(current, version)
    if found.name == "submit":
        problems = submission_problems(current, now)
        if problems:
            raise ValidationError(problems, code="not_ready")
        current.submitted_at = now
    source = current.state
    current.state = found.target
    current.version += 1
    current.save(update_fields=["state", "submitted_at", "version", "updated_at"])
    side = next(
        side
        for side in workflow.ACTORS
        if side in found.actors & workflow.actors_for(actor, current)
    )
    audit_record(
        actor=actor,
        action="change",
        target=current,
        organization_id=workflow.side_organization(current, side),
        details={"step": found.name, "state": [source, found.target]},
    )
    return current


def application_submit(
    *, actor: Any, application: Application, version: int | None, now: datetime | None = None
) -> Application:
    """Submit before the deadline (server time), with every check of `submission_problems`."""
    return application_step(
        actor=actor, application=application, step="submit", version=version, now=now
    )


def application_withdraw(
    *, actor: Any, application: Application, version: int | None, now: datetime | None = None
) -> Application:
    return application_step(
        actor=actor, application=application, step="withdraw", version=version, now=now
    )

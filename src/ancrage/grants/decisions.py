"""The committee's allocation: runs of the optimizer, the one it adopts, what each year looks like.

A run reads the call's submitted applications that have at least one completed review (their
average weighted score, amount requested per year, objectives, minimum viable share), the
envelope of every year and the committee's options, pins and exclusions; it calls
`allocation.allocate` (and `allocation.greedy`, shown beside it for comparison) and is stored as an
`AllocationRun`, feasible or not: an infeasible run says why and changes nothing else.

Adopting a run makes it the decision: `Award`s per application and year, each submitted
application funded or declined through the applications' workflow, the call decided. A run is
adopted only as it was computed: if an application, a score or an envelope changed since (its
fingerprint differs), or another run was adopted, it is stale and refused.
"""

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from ancrage.core import tenancy
from ancrage.core.audit import audit_record
from ancrage.grants import allocation, review
from ancrage.grants.models import (
    AllocationRun,
    Application,
    ApplicationState,
    Award,
    CallState,
    GrantCall,
)

ZERO = Decimal("0")
CENT = Decimal("0.01")
MONEY_MAX = Decimal("100000000")


@dataclass
class Candidates:
    candidates: list[allocation.Candidate]
    unreviewed: list[Application]  # submitted, no completed review yet: not candidates
    applications: dict[int, Application]


def candidates_of(call: GrantCall) -> Candidates:
    """The submitted applications as the optimizer sees them (those with a completed review)."""
    submitted = list(
        call.applications.filter(state=ApplicationState.SUBMITTED)
        .select_related("organization")
        .prefetch_related("objectives")
        .order_by("pk")
    )
    standings = {s.application.pk: s for s in review.standings(call, submitted)}
    candidates, unreviewed = [], []
    for application in submitted:
        standing = standings[application.pk]
        if standing.average is None:
            unreviewed.append(application)
            continue
        candidates.append(
            allocation.Candidate(
                id=application.pk,
                organization_id=application.organization_id,
                objectives=frozenset(o.pk for o in application.objectives.all()),
                score=standing.average,
                requested_by_year=standing.requested,
                minimum_share=(application.minimum_viable / 100)
                if application.minimum_viable is not None
                else None,
                label=application.title,
                organization_label=application.organization.name,
            )
        )
    return Candidates(candidates, unreviewed, {a.pk: a for a in submitted})


def envelopes_of(call: GrantCall) -> dict[int, Decimal]:
    return {y.year: y.envelope for y in call.years.order_by("year")}


def fingerprint(call: GrantCall, found: Candidates, envelopes: dict[int, Decimal]) -> str:
    """What a run depends on, hashed: a change to any of it makes the run stale."""
    data = {
        "envelopes": {str(y): str(a) for y, a in sorted(envelopes.items())},
        "objectives": sorted(call.objectives.values_list("pk", flat=True)),
        "submitted": sorted(found.applications),
        "candidates": [
            [
                c.id,
                c.organization_id,
                sorted(c.objectives),
                str(c.score),
                {str(y): str(a) for y, a in sorted(c.requested_by_year.items())},
                str(c.minimum_share),
            ]
            for c in found.candidates
        ],
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


# --- Running --------------------------------------------------------------------------------------


def _may_manage(actor: Any, call: GrantCall) -> None:
    if not tenancy.has_capability(actor, tenancy.MANAGE_CALLS, call.funder_id):
        raise PermissionDenied


def _percent(value: Any) -> Decimal:
    invalid = _("Give a percentage from 0 to 100, e.g. 50.")
    if isinstance(value, bool):
        raise ValidationError({"floor_percent": invalid})
    try:
        number = Decimal(str(value if value is not None else 0).strip())
    except InvalidOperation:
        raise ValidationError({"floor_percent": invalid}) from None
    if not number.is_finite() or not 0 <= number <= 100 or number != number.quantize(CENT):
        raise ValidationError({"floor_percent": invalid})
    return number


def _cap(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    invalid = _("Enter an amount in dollars, to the cent, e.g. 250000.")
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValidationError({"cap": invalid}) from None
    if not amount.is_finite() or amount != amount.quantize(CENT) or not 0 <= amount <= MONEY_MAX:
        raise ValidationError({"cap": invalid})
    return amount.quantize(CENT)


def _ids(values: Any, field: str, allowed: set[int], reviewed: set[int]) -> set[int]:
    ids = set()
    for value in values or ():
        try:
            pk = int(value)
        except (TypeError, ValueError):
            raise ValidationError(
                {field: _("Choose among the call's submitted applications.")}
            ) from None
        if pk not in allowed:
            raise ValidationError({field: _("Choose among the call's submitted applications.")})
        ids.add(pk)
    if field == "pinned" and ids - reviewed:
        raise ValidationError(
            {field: _("Only applications with a completed review can be pinned.")}
        )
    return ids


@transaction.atomic
def allocation_run(
    *,
    actor: Any,
    call: GrantCall,
    partial: bool = False,
    floor_percent: Any = 0,
    one_per_objective: bool = False,
    cap: Any = None,
    pinned: Any = (),
    excluded: Any = (),
) -> AllocationRun:
    """Run the optimizer on the call's reviewed applications and store the run (feasible or
    not). Pins and exclusions are application ids; the cap is per organization, over every year."""
    _may_manage(actor, call)
    found = candidates_of(call)
    floor = _percent(floor_percent)
    cap_amount = _cap(cap)
    reviewed = {c.id for c in found.candidates}
    pins = _ids(pinned, "pinned", set(found.applications), reviewed)
    exclusions = _ids(excluded, "excluded", set(found.applications), reviewed)
    if pins & exclusions:
        raise ValidationError(
            {"excluded": _("An application cannot be both pinned and excluded.")},
            code="pinned_and_excluded",
        )
    envelopes = envelopes_of(call)
    if not envelopes:
        raise ValidationError(_("The call has no envelope yet."), code="no_envelope")
    objectives = {o.pk: str(o) for o in call.objectives.all()}
    options = allocation.Options(
        partial=bool(partial),
        floor_share=floor / 100,
        one_per_objective=bool(one_per_objective),
        cap_per_organization=cap_amount,
        pinned=frozenset(pins),
        excluded=frozenset(exclusions & reviewed),
        objectives=objectives,
    )
    result = allocation.allocate(found.candidates, envelopes, options)
    comparison = allocation.greedy(found.candidates, envelopes, options)
    run = AllocationRun.objects.create(
        call=call,
        options={
            "partial": options.partial,
            "floor_percent": str(floor),
            "one_per_objective": options.one_per_objective,
            "cap": str(cap_amount) if cap_amount is not None else None,
        },
        pinned=sorted(pins),
        excluded=sorted(exclusions),
        feasible=result.feasible,
        explanation=result.explanation,
        result={
            "amounts": {
                str(pk): {str(y): str(a) for y, a in years.items()}
                for pk, years in result.amounts.items()
            },
            "shares": {str(pk): str(s) for pk, s in result.shares.items()},
            "scores": {str(c.id): str(c.score) for c in found.candidates},
            "reasons": allocation.reasons_to_json(result.reasons),
            "optimal": result.optimal,
            "seconds": round(result.seconds, 3),
            "fingerprint": fingerprint(call, found, envelopes),
            "unreviewed": [a.pk for a in found.unreviewed],
            "greedy": {
                "feasible": comparison.feasible,
                "total_score": str(comparison.total_score.quantize(Decimal("0.0001"))),
                "funded": len(comparison.amounts),
                "allocated": {str(y): str(a) for y, a in comparison.allocated_by_year().items()},
            },
        },
        total_score=result.total_score.quantize(Decimal("0.0001")) if result.feasible else None,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action="create",
        target=run,
        organization_id=call.funder_id,
        details={"feasible": run.feasible, "funded": len(result.amounts)},
    )
    return run


# --- Adopting -------------------------------------------------------------------------------------


def stale_reason(run: AllocationRun) -> str:
    """Why the run can no longer be adopted as it stands ("" if it can)."""
    call = run.call
    if AllocationRun.objects.filter(call=call, is_decision=True).exclude(pk=run.pk).exists():
        return _("Another run was already adopted as the decision.")
    if run.is_decision:
        return ""
    found = candidates_of(call)
    if fingerprint(call, found, envelopes_of(call)) != (run.result or {}).get("fingerprint"):
        return _(
            "The applications, their scores or the envelopes changed since this run: run the "
            "allocation again before adopting it."
        )
    return ""


@transaction.atomic
def run_adopt(*, actor: Any, run: AllocationRun, now: datetime | None = None) -> AllocationRun:
    """Adopt a feasible, current run as the committee's decision."""
    from ancrage.grants import services  # the applications' workflow and the call's steps

    call = GrantCall.objects.select_for_update().get(pk=run.call_id)
    _may_manage(actor, call)
    current = AllocationRun.objects.select_for_update().get(pk=run.pk)
    if current.is_decision:
        raise ValidationError(_("This run is already the decision."), code="decided")
    if not current.feasible:
        raise ValidationError(
            _("This run found no allocation: there is nothing to adopt."), code="infeasible"
        )
    if call.state != CallState.CLOSED:
        raise ValidationError(
            _("Close the call (after its deadline) before adopting a decision.")
            if call.state == CallState.PUBLISHED
            else _("This call is %(state)s: no decision can be adopted.")
            % {"state": call.get_state_display().lower()},
            code="wrong_state",
        )
    stale = stale_reason(current)
    if stale:
        raise ValidationError(stale, code="stale")
    found = candidates_of(call)
    if found.unreviewed:
        raise ValidationError(
            _(
                "Every submitted application needs a completed review before the decision; "
                "not yet: %(titles)s."
            )
            % {"titles": ", ".join(f"“{a.title}”" for a in found.unreviewed[:10])},
            code="unreviewed",
        )
    amounts = (current.result or {}).get("amounts", {})
    awards = []
    for pk, application in sorted(found.applications.items()):
        years = amounts.get(str(pk))
        step = "fund" if years else "decline"
        services.application_step(actor=actor, application=application, step=step, now=now)
        for year, amount in sorted((years or {}).items()):
            if Decimal(amount) > 0:
                awards.append(
                    Award(application=application, run=current, year=int(year), amount=amount)
                )
    Award.objects.bulk_create(awards)
    current.is_decision = True
    # When it was adopted: the date of the decision letters (the run may be older).
    current.result = {**(current.result or {}), "adopted_at": (now or timezone.now()).isoformat()}
    current.save(update_fields=["is_decision", "result"])
    services.call_decide(actor=actor, call=call, now=now)
    audit_record(
        actor=actor,
        action="change",
        target=current,
        organization_id=call.funder_id,
        details={"is_decision": True, "funded": len(amounts), "awards": len(awards)},
    )
    return current


# --- Reads for the pages --------------------------------------------------------------------------


def runs_of(call: GrantCall) -> QuerySet[AllocationRun]:
    return call.allocation_runs.select_related("created_by").order_by("-created_at", "-pk")


def decision_of(call: GrantCall) -> AllocationRun | None:
    return call.allocation_runs.filter(is_decision=True).first()


def awards_of(call: GrantCall) -> dict[int, dict[int, Decimal]]:
    found: dict[int, dict[int, Decimal]] = {}
    for application_id, year, amount in Award.objects.filter(application__call=call).values_list(
        "application_id", "year", "amount"
    ):
        found.setdefault(application_id, {})[year] = amount
    return found


@dataclass
class YearLine:
    year: int
    envelope: Decimal
    requested: Decimal
    recommended: Decimal | None  # the run shown (None: no run, or infeasible)
    allocated: Decimal  # the decision's awards
    remaining: Decimal  # envelope − allocated (or − recommended, before a decision)


@dataclass
class ApplicationLine:
    application: Application
    score: Decimal | None
    requested: list[tuple[int, Decimal]]  # (year, amount), the years with an amount
    recommended: list[tuple[int, Decimal]]
    allocated: list[tuple[int, Decimal]]
    share: Decimal | None
    pinned: bool
    excluded: bool
    reviewed: bool
    requested_total: Decimal = ZERO
    recommended_total: Decimal = ZERO
    allocated_total: Decimal = ZERO
    objectives: list[str] = field(default_factory=list)


def _money_of(values: dict[str, str]) -> dict[int, Decimal]:
    return {int(y): Decimal(a) for y, a in (values or {}).items()}


def comparison(
    call: GrantCall, run: AllocationRun | None
) -> tuple[list[YearLine], list[ApplicationLine]]:
    """Requested, recommended (the run), allocated (the decision) and remaining, per year and per
    application, side by side."""
    envelopes = envelopes_of(call)
    applications = list(
        call.applications.filter(
            state__in=(
                ApplicationState.SUBMITTED,
                ApplicationState.FUNDED,
                ApplicationState.DECLINED,
            )
        )
        .select_related("organization")
        .prefetch_related("objectives")
        .order_by("pk")
    )
    requested = {a.pk: review.requested_of(a) for a in applications}
    result = (run.result or {}) if run is not None else {}
    recommended = {int(pk): _money_of(v) for pk, v in result.get("amounts", {}).items()}
    shares = {int(pk): Decimal(s) for pk, s in result.get("shares", {}).items()}
    scores = {int(pk): Decimal(s) for pk, s in result.get("scores", {}).items()}
    if run is None:
        scores = {pk: s for pk, s in review.scores_of(call).items() if s is not None}
    allocated = awards_of(call)
    years = sorted(set(envelopes) | {y for r in requested.values() for y in r})
    feasible = run is not None and run.feasible
    year_lines = []
    for year in years:
        envelope = envelopes.get(year, ZERO)
        given = sum((a.get(year, ZERO) for a in allocated.values()), ZERO)
        proposed = (
            sum((r.get(year, ZERO) for r in recommended.values()), ZERO) if feasible else None
        )
        year_lines.append(
            YearLine(
                year=year,
                envelope=envelope,
                requested=sum((r.get(year, ZERO) for r in requested.values()), ZERO),
                recommended=proposed,
                allocated=given,
                remaining=envelope - (given if allocated or proposed is None else proposed),
            )
        )
    pinned = set((run.pinned or []) if run else [])
    excluded = set((run.excluded or []) if run else [])
    lines = []
    for application in applications:
        mine = requested[application.pk]
        proposed = recommended.get(application.pk, {})
        given = allocated.get(application.pk, {})
        lines.append(
            ApplicationLine(
                application=application,
                score=scores.get(application.pk),
                requested=[(y, mine[y]) for y in years if y in mine],
                recommended=[(y, proposed[y]) for y in years if y in proposed and feasible],
                allocated=[(y, given[y]) for y in years if y in given],
                share=shares.get(application.pk),
                pinned=application.pk in pinned,
                excluded=application.pk in excluded,
                reviewed=application.pk in scores,
                requested_total=sum(mine.values(), ZERO),
                recommended_total=sum(proposed.values(), ZERO),
                allocated_total=sum(given.values(), ZERO),
                objectives=[str(o) for o in application.objectives.all()],
            )
        )
    lines.sort(
        key=lambda line: (
            -(line.allocated_total or 0),
            -(line.recommended_total or 0),
            line.score is None,
            -(line.score or 0),
            line.application.title,
        )
    )
    return year_lines, lines


def reasons_of(run: AllocationRun) -> str:
    """The run's explanation in the reader's language (stored as structured reasons)."""
    reasons = allocation.reasons_from_json((run.result or {}).get("reasons"))
    if not reasons:
        return run.explanation
    try:
        return allocation.explain(reasons)
    except (KeyError, TypeError, ValueError):
        return run.explanation


def award_total(application: Application) -> Decimal:
    return application.awards.aggregate(total=Sum("amount"))["total"] or ZERO

"""Budget-constrained allocation of a call's envelope: which projects, and how much each year.

Pure: dataclasses in, dataclasses out; no database. The committee's options become one
mixed-integer program solved by HiGHS (`scipy.optimize.milp`):

    maximize    Σ score_i × share_i
    subject to  Σ share_i × requested_iy ≤ envelope_y              every year y
                Σ share_i × requested_i ≤ cap                      every organization (all years)
                at least one funded candidate of objective o      every objective, when asked
                pinned funded, excluded not
    full funding:     share_i ∈ {0, 1}
    partial funding:  share_i = 0 or floor_i ≤ share_i ≤ 1 (semi-continuous; floor_i: the
                      largest of the committee's floor, the project's own minimum viable share
                      and 1 %; the same share every year of the project)

A funded candidate's share is at least its floor, so "one per objective" reads
Σ share_i / floor_i ≥ 1. With partial funding and many candidates, those that no optimal
allocation can fund are ruled out first by reduced costs (`_ruled_out`): HiGHS then proves the
optimum on the few dozen that matter.

Money is counted in integer cents. The solver works in floating point, so its answer is checked
again exactly (share × request before rounding down to the cent, shares to a millionth): a share
over an envelope by the solver's tolerance is shaved; otherwise the year is tightened by that much
and the program solved again.

When no allocation satisfies the options, the reasons are found by checking the causes one by one
(pins against each year's envelope and the cap, each objective against the candidates that could
cover it, then a smallest set of requirements that conflict) and said in words.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
from django.utils.formats import number_format
from django.utils.translation import get_language, gettext, ngettext
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse import coo_array, vstack

CENT = Decimal("0.01")
SHARE_QUANTUM = Decimal("0.000001")  # shares are kept to a millionth
TIME_LIMIT = 30.0  # seconds; a run that stops there says so
REL_GAP = 1e-9  # optimal, not "within 0.01 %" (HiGHS's default)
REPAIRS = 5
TOLERANCE = 2e-6  # above HiGHS's MIP feasibility tolerance (1e-6), relative to a row's bound
# Partial funding: a funded project receives at least this share, whatever the floor (funded
# with nothing is not funded).
MIN_SHARE = Decimal("0.01")
# Partial funding, from this many candidates: those no optimum can fund are ruled out first (see
# `_ruled_out`; HiGHS proves a binary program's optimum fast enough alone).
PRUNE_FROM = 60
QUICK_GAP = 1e-3


@dataclass(frozen=True)
class Candidate:
    """A submitted application as the optimizer sees it."""

    id: Hashable
    organization_id: Hashable
    objectives: frozenset
    score: Decimal
    requested_by_year: Mapping[int, Decimal]
    minimum_share: Decimal | None = None  # the smallest viable share of the request, 0..1
    label: str = ""
    organization_label: str = ""


@dataclass(frozen=True)
class Options:
    partial: bool = False
    floor_share: Decimal = Decimal("0")  # partial funding: no project below this share
    one_per_objective: bool = False
    cap_per_organization: Decimal | None = None  # over every year of the call
    pinned: frozenset = frozenset()
    excluded: frozenset = frozenset()
    # The objectives of the call (key → name), each needing a funded project when asked; empty:
    # every objective some candidate addresses.
    objectives: Mapping[Hashable, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Reason:
    """One cause of infeasibility (or a note on a feasible result), said by `explain`."""

    code: str
    params: dict[str, Any]


@dataclass
class Allocation:
    amounts: dict[Hashable, dict[int, Decimal]]  # funded candidates only, every year requested
    shares: dict[Hashable, Decimal]
    total_score: Decimal
    feasible: bool
    explanation: str
    reasons: list[Reason] = field(default_factory=list)
    optimal: bool = True
    seconds: float = 0.0

    def allocated_by_year(self) -> dict[int, Decimal]:
        totals: dict[int, Decimal] = defaultdict(Decimal)
        for years in self.amounts.values():
            for year, amount in years.items():
                totals[year] += amount
        return dict(sorted(totals.items()))


# --- Money --------------------------------------------------------------------------------------


def to_cents(amount: Decimal | int | str) -> int:
    value = Decimal(amount)
    cents = (value * 100).to_integral_value(rounding=ROUND_HALF_UP)
    if cents != value * 100:
        raise ValueError(f"{amount} has more than two decimals")
    return int(cents)


def from_cents(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(CENT)


def money(amount: Decimal | int, language: str | None = None) -> str:
    """ "1 234,50 $" in French, "$1,234.50" in English (as Québec writes them)."""
    text = number_format(Decimal(amount).quantize(CENT), 2, force_grouping=True)
    language = (language or get_language() or "fr").lower()
    return f"{text}\u00a0$" if language.startswith("fr") else f"${text}"


# --- The problem in integers --------------------------------------------------------------------


@dataclass
class _Problem:
    candidates: list[Candidate]
    index: dict[Hashable, int]
    years: list[int]
    envelope: dict[int, int]  # cents
    requested: np.ndarray  # n × years, cents (int64)
    totals: np.ndarray  # n, cents over every year
    floor: list[Decimal]  # share floor of each candidate (partial), 1 (full)
    options: Options
    objectives: dict[Hashable, str]
    cap: int | None


def _problem(
    candidates: Iterable[Candidate], envelopes: Mapping[int, Decimal], options: Options
) -> _Problem:
    candidates = list(candidates)
    index: dict[Hashable, int] = {}
    for position, candidate in enumerate(candidates):
        if candidate.id in index:
            raise ValueError(f"Candidate {candidate.id!r} appears twice")
        index[candidate.id] = position
        if Decimal(candidate.score) < 0:
            raise ValueError(f"Candidate {candidate.id!r} has a negative score")
        if candidate.minimum_share is not None and not 0 <= candidate.minimum_share <= 1:
            raise ValueError(f"Candidate {candidate.id!r}: the minimum share is not within 0..1")
    if not 0 <= options.floor_share <= 1:
        raise ValueError("The floor share is not within 0..1")
    years = sorted(set(envelopes) | {y for c in candidates for y in c.requested_by_year})
    envelope = {year: to_cents(envelopes.get(year, 0)) for year in years}
    if any(value < 0 for value in envelope.values()):
        raise ValueError("An envelope is negative")
    requested = np.zeros((len(candidates), len(years)), dtype=np.int64)
    for i, candidate in enumerate(candidates):
        for j, year in enumerate(years):
            cents = to_cents(candidate.requested_by_year.get(year, 0))
            if cents < 0:
                raise ValueError(f"Candidate {candidate.id!r} requests a negative amount")
            requested[i, j] = cents
    floor = [
        max(Decimal(options.floor_share), Decimal(c.minimum_share or 0), MIN_SHARE)
        if options.partial
        else Decimal(1)
        for c in candidates
    ]
    objectives = dict(options.objectives)
    if options.one_per_objective and not objectives:
        objectives = {o: str(o) for c in candidates for o in sorted(c.objectives, key=str)}
    cap = None
    if options.cap_per_organization is not None:
        cap = to_cents(options.cap_per_organization)
        if cap < 0:
            raise ValueError("The cap per organization is negative")
    return _Problem(
        candidates=candidates,
        index=index,
        years=years,
        envelope=envelope,
        requested=requested,
        totals=requested.sum(axis=1),
        floor=floor,
        options=options,
        objectives=objectives if options.one_per_objective else {},
        cap=cap,
    )


def _minimum(problem: _Problem, i: int) -> list[Decimal]:
    """The least a funded candidate needs each year, in cents (exact, maybe fractional): its
    floor share of each year's request."""
    share = problem.floor[i]
    return [share * int(r) for r in problem.requested[i]]


def _cents_up(value: Decimal) -> int:
    return int(value.to_integral_value(ROUND_CEILING))


# --- The mixed-integer program ------------------------------------------------------------------


@dataclass
class _Requirements:
    """Which of the optional requirements a solve includes (the infeasibility search drops some)."""

    pins: frozenset[int]
    objectives: tuple[Hashable, ...]
    cap: bool


def _all_requirements(problem: _Problem) -> _Requirements:
    return _Requirements(
        pins=frozenset(problem.index[p] for p in problem.options.pinned if p in problem.index),
        objectives=tuple(problem.objectives),
        cap=problem.cap is not None,
    )


@dataclass
class _Model:
    """The program as arrays: minimize cost · shares, lower ≤ matrix · shares ≤ upper."""

    cost: np.ndarray
    integrality: np.ndarray
    lb: np.ndarray
    ub: np.ndarray
    matrix: Any  # scipy sparse, rows × candidates
    lower: np.ndarray
    upper: np.ndarray


def _model(
    problem: _Problem,
    requirements: _Requirements,
    *,
    objective: bool = True,
    tighten: Mapping[int, int] | None = None,
) -> _Model:
    """One variable per candidate, its share.

    Full funding: the share is binary. Partial funding: the share is semi-continuous, 0 or
    between the candidate's floor and 1 (HiGHS handles it natively: no "funded" binary to link);
    a pinned candidate's share is continuous from its floor. With partial funding, money rows are
    divided by their bound (envelope, cap) so that every row reads in shares of 1: better
    conditioned, faster. With full funding they stay in cents: sums of whole requests are
    checked by the solver to the cent."""
    n, partial = len(problem.candidates), problem.options.partial
    floors = [float(f) for f in problem.floor]
    rows: list[int] = []
    cols: list[int] = []
    values: list[float] = []
    lower: list[float] = []
    upper: list[float] = []

    def row(entries: Iterable[tuple[int, float]], lo: float, hi: float) -> None:
        number = len(lower)
        for col, value in entries:
            rows.append(number)
            cols.append(col)
            values.append(value)
        lower.append(lo)
        upper.append(hi)

    def money_row(entries: list[tuple[int, int]], bound: int) -> None:
        scale = float(max(bound, 1)) if partial else 1.0
        row(((i, cents / scale) for i, cents in entries), -np.inf, bound / scale)

    tighten = tighten or {}
    for j, year in enumerate(problem.years):
        column = problem.requested[:, j]
        entries = [(int(i), int(column[i])) for i in np.flatnonzero(column)]
        money_row(entries, problem.envelope[year] - tighten.get(j, 0))
    if requirements.cap and problem.cap is not None:
        by_organization: dict[Hashable, list[int]] = defaultdict(list)
        for i, candidate in enumerate(problem.candidates):
            by_organization[candidate.organization_id].append(i)
        for members in by_organization.values():
            if sum(int(problem.totals[i]) for i in members) > problem.cap:
                entries = [(i, int(problem.totals[i])) for i in members]
                money_row(entries, problem.cap - tighten.get(-1, 0))
    for key in requirements.objectives:
        # A funded candidate has a share of at least its floor: share / floor ≥ 1 when funded.
        entries = [
            (i, 1.0 / floors[i] if partial else 1.0)
            for i, c in enumerate(problem.candidates)
            if key in c.objectives
        ]
        row(entries, 1.0, np.inf)
    lb = np.array(floors) if partial else np.zeros(n)
    ub = np.ones(n)
    integrality = np.full(n, 2 if partial else 1)
    for i in {problem.index[e] for e in problem.options.excluded if e in problem.index}:
        lb[i] = ub[i] = 0.0
    for i in requirements.pins:
        lb[i] = floors[i] if partial else 1.0
        integrality[i] = 0 if partial else 1
    cost = np.zeros(n)
    if objective:
        cost[:] = [-float(c.score) for c in problem.candidates]
    return _Model(
        cost=cost,
        integrality=integrality,
        lb=lb,
        ub=ub,
        matrix=coo_array((values, (rows, cols)), shape=(len(lower), n)).tocsr(),
        lower=np.array(lower),
        upper=np.array(upper),
    )


def _solve(
    problem: _Problem,
    requirements: _Requirements,
    *,
    objective: bool = True,
    tighten: Mapping[int, int] | None = None,
    time_limit: float = TIME_LIMIT,
    rel_gap: float = REL_GAP,
    ruled_out: frozenset[int] = frozenset(),
) -> tuple[int, np.ndarray | None]:
    """(HiGHS status, shares). `ruled_out`: candidates proven unfunded in every optimum."""
    if not problem.candidates:  # nothing to choose from: only objectives can fail
        return (2 if requirements.objectives else 0), np.zeros(0)
    model = _model(problem, requirements, objective=objective, tighten=tighten)
    for i in ruled_out:
        model.lb[i] = model.ub[i] = 0.0
    constraints = (
        [LinearConstraint(model.matrix, model.lower, model.upper)] if len(model.lower) else []
    )
    result = milp(
        model.cost,
        integrality=model.integrality,
        bounds=Bounds(model.lb, model.ub),
        constraints=constraints,
        options={"time_limit": time_limit, "mip_rel_gap": rel_gap, "presolve": True},
    )
    return result.status, result.x


def _ruled_out(
    problem: _Problem, requirements: _Requirements, *, time_limit: float
) -> frozenset[int]:
    """Candidates that no optimal allocation funds, proven by reduced costs: with a good
    allocation found quickly (within 0.1 %) scoring `incumbent`, and the linear relaxation's
    bound and reduced costs, funding candidate i (share ≥ its floor) scores at most
    bound − reduced cost × floor; below the incumbent, i is out. Solving what is left is
    fast: most of 500 applications never come close to the envelope's margin."""
    status, x = _solve(problem, requirements, time_limit=time_limit, rel_gap=QUICK_GAP)
    if x is None or status not in (0, 1):
        return frozenset()
    shares, _amounts = _read(problem, x)
    if _excess(problem, shares):
        return frozenset()
    incumbent = float(
        sum((Decimal(problem.candidates[i].score) * s for i, s in shares.items()), Decimal(0))
    )
    model = _model(problem, requirements)
    relaxed_lb = np.where(model.integrality == 2, 0.0, model.lb)  # semi-continuous: 0 allowed
    upper_rows = np.isfinite(model.upper)
    lower_rows = np.isfinite(model.lower)
    a_ub = vstack([model.matrix[upper_rows], -model.matrix[lower_rows]]).tocsr()
    b_ub = np.concatenate([model.upper[upper_rows], -model.lower[lower_rows]])
    relaxed = linprog(
        model.cost,
        A_ub=a_ub if a_ub.shape[0] else None,
        b_ub=b_ub if a_ub.shape[0] else None,
        bounds=np.column_stack([relaxed_lb, model.ub]),
        method="highs",
    )
    if relaxed.status != 0:
        return frozenset()
    bound = -relaxed.fun
    margin = 1e-6 * max(1.0, abs(incumbent))
    reduced = relaxed.lower.marginals
    out = set()
    for i in range(len(problem.candidates)):
        if i in requirements.pins or model.ub[i] == 0.0 or relaxed.x[i] > 1e-9:
            continue
        if bound - reduced[i] * float(problem.floor[i]) < incumbent - margin:
            out.add(i)
    return frozenset(out)


def _feasible(problem: _Problem, requirements: _Requirements) -> bool:
    status, x = _solve(problem, requirements, objective=False)
    return status == 0 or (status == 1 and x is not None)


def _read(problem: _Problem, x: np.ndarray) -> tuple[dict[int, Decimal], np.ndarray]:
    """Shares (exact) and amounts (cents) from the solver's floating-point answer: a candidate
    is funded when its share is past half its floor (the solver's 0 may be 1e-12)."""
    shares: dict[int, Decimal] = {}
    for i, value in enumerate(x):
        floor = problem.floor[i]
        if value < float(floor) / 2:
            continue
        if problem.options.partial:
            # Down to the millionth, unless the solver meant the millionth just above
            # (0.7499999999 is 0.75); checked exactly afterwards.
            exact = Decimal(repr(float(min(max(value, 0.0), 1.0))))
            share = exact.quantize(SHARE_QUANTUM)
            if share - exact > Decimal("1e-9"):
                share = exact.quantize(SHARE_QUANTUM, ROUND_DOWN)
            shares[i] = min(max(share, floor), Decimal(1))
        else:
            shares[i] = Decimal(1)
    return shares, _amounts(problem, shares)


def _amounts(problem: _Problem, shares: Mapping[int, Decimal]) -> np.ndarray:
    """Share × request, rounded down to the cent."""
    amounts = np.zeros_like(problem.requested)
    for i, share in shares.items():
        amounts[i] = [
            int((share * int(r)).to_integral_value(ROUND_DOWN)) for r in problem.requested[i]
        ]
    return amounts


def _shave(problem: _Problem, shares: dict[int, Decimal]) -> bool:
    """Partial funding: take back what the solver's tolerance put over a year's envelope or the
    cap (a fraction of a cent to a few cents) from the shares above their floor, least score
    lost first. False if the shares have no such room (then the program is solved again)."""
    for _round in range(len(shares) + 1):
        over = _excess(problem, shares)
        if not over:
            return True
        key = next(iter(over))
        if key == -1:
            totals: dict[Hashable, Decimal] = defaultdict(Decimal)
            for i, share in shares.items():
                totals[problem.candidates[i].organization_id] += share * int(problem.totals[i])
            organization = max(totals, key=lambda o: totals[o])
            weights = {
                i: int(problem.totals[i])
                for i in shares
                if problem.candidates[i].organization_id == organization
            }
            excess = totals[organization] - problem.cap  # type: ignore[operator]
        else:
            weights = {i: int(problem.requested[i, key]) for i in shares}
            year = problem.years[key]
            excess = (
                sum((s * int(problem.requested[i, key]) for i, s in shares.items()), Decimal(0))
                - problem.envelope[year]
            )
        room = {
            i: w
            for i, w in weights.items()
            if w and shares[i] - problem.floor[i] >= excess / w + SHARE_QUANTUM
        }
        if not room:
            return False
        i = min(room, key=lambda k: (Decimal(problem.candidates[k].score) / room[k], k))
        cut = (excess / room[i]).quantize(SHARE_QUANTUM, ROUND_CEILING)
        shares[i] -= cut
    return False


def _excess(problem: _Problem, shares: Mapping[int, Decimal]) -> dict[int, int]:
    """Cents over each year's envelope (-1: over the cap), checked exactly: share × request
    before rounding down to the cent, as the program states it."""
    over = {}
    for j, year in enumerate(problem.years):
        spent = sum((s * int(problem.requested[i, j]) for i, s in shares.items()), Decimal(0))
        if spent > problem.envelope[year]:
            over[j] = _cents_up(spent - problem.envelope[year])
    if problem.cap is not None:
        by_organization: dict[Hashable, Decimal] = defaultdict(Decimal)
        for i, share in shares.items():
            organization = problem.candidates[i].organization_id
            by_organization[organization] += share * int(problem.totals[i])
        worst = max(by_organization.values(), default=Decimal(0)) - problem.cap
        if worst > 0:
            over[-1] = _cents_up(worst)
    return over


def _result(
    problem: _Problem, shares: dict[int, Decimal], amounts: np.ndarray, **extra: Any
) -> Allocation:
    candidates = problem.candidates
    return Allocation(
        amounts={
            candidates[i].id: {
                year: from_cents(int(amounts[i, j]))
                for j, year in enumerate(problem.years)
                if problem.requested[i, j]
            }
            for i in sorted(shares)
        },
        shares={candidates[i].id: shares[i] for i in sorted(shares)},
        total_score=sum(
            (Decimal(candidates[i].score) * share for i, share in shares.items()), Decimal(0)
        ),
        **extra,
    )


def allocate(
    candidates: Iterable[Candidate],
    envelopes: Mapping[int, Decimal],
    options: Options,
    *,
    time_limit: float = TIME_LIMIT,
) -> Allocation:
    """The allocation that maximizes the weighted score funded under `options`, or why none fits."""
    started = time.perf_counter()
    problem = _problem(candidates, envelopes, options)
    requirements = _all_requirements(problem)
    reasons = _obvious_conflicts(problem)
    if reasons:
        return _infeasible(problem, reasons, started)
    ruled_out = (
        _ruled_out(problem, requirements, time_limit=time_limit)
        if options.partial and len(problem.candidates) >= PRUNE_FROM
        else frozenset()
    )
    tighten: dict[int, int] = {}
    for _attempt in range(REPAIRS):
        status, x = _solve(
            problem, requirements, tighten=tighten, time_limit=time_limit, ruled_out=ruled_out
        )
        if status == 2:
            return _infeasible(problem, _conflicts(problem), started)
        if x is None:
            reason = Reason("time_limit", {"seconds": time_limit})
            return _infeasible(problem, [reason], started)
        shares, amounts = _read(problem, x)
        over = _excess(problem, shares)
        if over and options.partial and _shave(problem, shares):
            amounts = _amounts(problem, shares)
            over = {}
        if not over:
            reasons = [] if status == 0 else [Reason("not_proven", {"seconds": time_limit})]
            return _result(
                problem,
                shares,
                amounts,
                feasible=True,
                explanation=explain(reasons),
                reasons=reasons,
                optimal=status == 0,
                seconds=time.perf_counter() - started,
            )
        # A solver's tolerance, not a choice: ask again for that much less (and at least what
        # its relative tolerance could hide, or it would accept the same answer again).
        for key, cents in over.items():
            bound = problem.cap if key == -1 else problem.envelope[problem.years[key]]
            hidden = math.ceil(TOLERANCE * (bound or 0))
            tighten[key] = tighten.get(key, 0) + max(cents, hidden)
    raise RuntimeError("The solver's answer kept exceeding an envelope by a rounding tolerance")


def _infeasible(problem: _Problem, reasons: list[Reason], started: float) -> Allocation:
    return Allocation(
        amounts={},
        shares={},
        total_score=Decimal(0),
        feasible=False,
        explanation=explain(reasons),
        reasons=reasons,
        optimal=False,
        seconds=time.perf_counter() - started,
    )


# --- Why nothing fits ---------------------------------------------------------------------------


def _labels(problem: _Problem, indices: Iterable[int]) -> list[str]:
    return [problem.candidates[i].label or str(problem.candidates[i].id) for i in sorted(indices)]


def _obvious_conflicts(problem: _Problem) -> list[Reason]:
    """Causes read straight off the data: contradictory pins, pins over an envelope or the cap,
    an objective no candidate can cover."""
    options = problem.options
    reasons: list[Reason] = []
    unknown = [p for p in options.pinned if p not in problem.index]
    if unknown:
        reasons.append(Reason("pinned_unknown", {"projects": sorted(map(str, unknown))}))
    both = [problem.index[p] for p in options.pinned & options.excluded if p in problem.index]
    if both:
        reasons.append(Reason("pinned_and_excluded", {"projects": _labels(problem, both)}))
    pins = sorted(problem.index[p] for p in options.pinned if p in problem.index)
    minimum = {i: _minimum(problem, i) for i in range(len(problem.candidates))}
    pinned_need = [
        sum((minimum[i][j] for i in pins), Decimal(0)) for j in range(len(problem.years))
    ]
    for j, year in enumerate(problem.years):
        if pinned_need[j] > problem.envelope[year]:
            reasons.append(
                Reason(
                    "pinned_over_envelope",
                    {
                        "year": year,
                        "need": str(from_cents(_cents_up(pinned_need[j]))),
                        "envelope": str(from_cents(problem.envelope[year])),
                        "projects": _labels(problem, (i for i in pins if minimum[i][j])),
                        "partial": options.partial,
                    },
                )
            )
    by_organization: dict[Hashable, list[int]] = defaultdict(list)
    for i in pins:
        by_organization[problem.candidates[i].organization_id].append(i)
    if problem.cap is not None:
        for members in by_organization.values():
            need = sum((sum(minimum[i], Decimal(0)) for i in members), Decimal(0))
            if need > problem.cap:
                candidate = problem.candidates[members[0]]
                reasons.append(
                    Reason(
                        "pinned_over_cap",
                        {
                            "organization": candidate.organization_label
                            or str(candidate.organization_id),
                            "need": str(from_cents(_cents_up(need))),
                            "cap": str(from_cents(problem.cap)),
                            "projects": _labels(problem, members),
                        },
                    )
                )
    if reasons:
        return reasons
    left = {j: problem.envelope[year] - pinned_need[j] for j, year in enumerate(problem.years)}
    excluded = {problem.index[e] for e in options.excluded if e in problem.index}
    for key, name in problem.objectives.items():
        addressing = [i for i, c in enumerate(problem.candidates) if key in c.objectives]
        if not addressing:
            reasons.append(Reason("objective_without_candidate", {"objective": name}))
            continue
        if any(i in pins for i in addressing):
            continue
        open_ = [i for i in addressing if i not in excluded]
        if not open_:
            reasons.append(
                Reason(
                    "objective_all_excluded",
                    {"objective": name, "projects": _labels(problem, addressing)},
                )
            )
            continue

        def fits(i: int) -> bool:
            if any(minimum[i][j] > left[j] for j in left):
                return False
            if problem.cap is None:
                return True
            same = by_organization.get(problem.candidates[i].organization_id, [])
            return sum((sum(minimum[k], Decimal(0)) for k in [*same, i]), Decimal(0)) <= problem.cap

        if not any(fits(i) for i in open_):
            cheapest = min(open_, key=lambda i: sum(minimum[i], Decimal(0)))
            year_index = max(left, key=lambda j: minimum[cheapest][j] - left[j])
            reasons.append(
                Reason(
                    "objective_nothing_fits",
                    {
                        "objective": name,
                        "project": _labels(problem, [cheapest])[0],
                        "year": problem.years[year_index],
                        "need": str(from_cents(_cents_up(minimum[cheapest][year_index]))),
                        "left": str(from_cents(max(int(left[year_index]), 0))),
                        "pinned": bool(pins),
                        "cap": problem.cap is not None
                        and all(minimum[cheapest][j] <= left[j] for j in left),
                    },
                )
            )
    return reasons


def _conflicts(problem: _Problem) -> list[Reason]:
    """A smallest set of requirements (pins, objectives, the cap) that cannot hold together:
    drop each in turn and keep it only if the rest becomes feasible without it."""
    kept = _all_requirements(problem)
    for pin in sorted(kept.pins):
        trial = _Requirements(kept.pins - {pin}, kept.objectives, kept.cap)
        if not _feasible(problem, trial):
            kept = trial
    for key in list(kept.objectives):
        trial = _Requirements(kept.pins, tuple(o for o in kept.objectives if o != key), kept.cap)
        if not _feasible(problem, trial):
            kept = trial
    if kept.cap and not _feasible(problem, _Requirements(kept.pins, kept.objectives, False)):
        kept = _Requirements(kept.pins, kept.objectives, False)
    return [
        Reason(
            "conflict",
            {
                "projects": _labels(problem, kept.pins),
                "objectives": [problem.objectives[o] for o in kept.objectives],
                "cap": str(from_cents(problem.cap)) if kept.cap and problem.cap else "",
                "years": [str(y) for y in problem.years],
            },
        )
    ]


def _list(names: Iterable[str]) -> str:
    names = [f"« {n} »" if (get_language() or "fr").startswith("fr") else f"“{n}”" for n in names]
    if len(names) <= 1:
        return "".join(names)
    return gettext("%(items)s and %(last)s") % {"items": ", ".join(names[:-1]), "last": names[-1]}


def describe(reason: Reason) -> str:
    """One reason in the active language."""
    p = reason.params
    if reason.code == "pinned_unknown":
        return gettext(
            "Some pinned projects are not candidates (withdrawn, or not submitted): %(projects)s."
        ) % {"projects": ", ".join(p["projects"])}
    if reason.code == "pinned_and_excluded":
        return ngettext(
            "%(projects)s is both pinned and excluded.",
            "%(projects)s are both pinned and excluded.",
            len(p["projects"]),
        ) % {"projects": _list(p["projects"])}
    if reason.code == "pinned_over_envelope":
        text = (
            gettext(
                "At their floor share, the pinned projects need %(need)s in %(year)s but the "
                "envelope is %(envelope)s (%(projects)s)."
            )
            if p.get("partial")
            else gettext(
                "The pinned projects need %(need)s in %(year)s but the envelope is %(envelope)s "
                "(%(projects)s)."
            )
        )
        return text % {
            "need": money(Decimal(p["need"])),
            "year": p["year"],
            "envelope": money(Decimal(p["envelope"])),
            "projects": _list(p["projects"]),
        }
    if reason.code == "pinned_over_cap":
        return gettext(
            "The pinned projects of %(organization)s need %(need)s in all, over the cap of "
            "%(cap)s per organization (%(projects)s)."
        ) % {
            "organization": p["organization"],
            "need": money(Decimal(p["need"])),
            "cap": money(Decimal(p["cap"])),
            "projects": _list(p["projects"]),
        }
    if reason.code == "objective_without_candidate":
        return gettext("Objective %(objective)s has no candidate: no project addresses it.") % {
            "objective": _list([p["objective"]])
        }
    if reason.code == "objective_all_excluded":
        return gettext(
            "Objective %(objective)s has no candidate left: every project that addresses it is "
            "excluded (%(projects)s)."
        ) % {"objective": _list([p["objective"]]), "projects": _list(p["projects"])}
    if reason.code == "objective_nothing_fits":
        if p.get("cap"):
            text = gettext(
                "Objective %(objective)s has no candidate that fits: even the least costly, "
                "%(project)s, would put its organization over the cap per organization."
            )
        elif p.get("pinned"):
            text = gettext(
                "Objective %(objective)s has no candidate that fits: even the least costly, "
                "%(project)s, needs %(need)s in %(year)s, and the pinned projects leave "
                "%(left)s of that year's envelope."
            )
        else:
            text = gettext(
                "Objective %(objective)s has no candidate that fits: even the least costly, "
                "%(project)s, needs %(need)s in %(year)s, and that year's envelope is %(left)s."
            )
        return text % {
            "objective": _list([p["objective"]]),
            "project": _list([p["project"]]),
            "need": money(Decimal(p["need"])),
            "year": p["year"],
            "left": money(Decimal(p["left"])),
        }
    if reason.code == "conflict":
        parts = []
        if p["projects"]:
            parts.append(
                gettext("funding the pinned %(projects)s") % {"projects": _list(p["projects"])}
            )
        if p["objectives"]:
            parts.append(
                gettext("at least one project for %(objectives)s")
                % {"objectives": _list(p["objectives"])}
            )
        if p["cap"]:
            parts.append(
                gettext("the cap of %(cap)s per organization") % {"cap": money(Decimal(p["cap"]))}
            )
        return gettext(
            "No allocation fits the envelopes of %(years)s with, together: %(requirements)s. "
            "Each is possible alone; unpin a project, relax the objectives or the cap, or allow "
            "partial funding."
        ) % {"years": ", ".join(p["years"]), "requirements": "; ".join(parts)}
    if reason.code == "greedy_pins":
        return gettext("Taking projects by score per dollar leaves no room for %(projects)s.") % {
            "projects": _list(p["projects"])
        }
    if reason.code == "greedy_uncovered":
        return gettext(
            "Taking projects by score per dollar left %(objectives)s without a project."
        ) % {"objectives": _list(p["objectives"])}
    if reason.code == "time_limit":
        return gettext(
            "The optimizer found no allocation within %(seconds)s seconds: try again with fewer "
            "requirements."
        ) % {"seconds": number_format(p["seconds"], 0)}
    if reason.code == "not_proven":
        return gettext(
            "The best allocation found within %(seconds)s seconds is shown; the optimizer had "
            "not yet proven that none is better."
        ) % {"seconds": number_format(p["seconds"], 0)}
    raise ValueError(f"Unknown reason {reason.code!r}")


def explain(reasons: Iterable[Reason]) -> str:
    return "\n".join(describe(reason) for reason in reasons)


def reasons_to_json(reasons: Iterable[Reason]) -> list[dict[str, Any]]:
    return [{"code": r.code, "params": r.params} for r in reasons]


def reasons_from_json(data: Any) -> list[Reason]:
    if not isinstance(data, list):
        return []
    return [
        Reason(str(item["code"]), dict(item.get("params") or {}))
        for item in data
        if isinstance(item, dict) and "code" in item
    ]


# --- Greedy, for comparison ---------------------------------------------------------------------


def greedy(
    candidates: Iterable[Candidate], envelopes: Mapping[int, Decimal], options: Options
) -> Allocation:
    """Score per dollar, best first: pins, then the best candidate of each objective not yet
    covered, then the rest; each at its full request if it fits, else (partial funding) at the
    largest share that fits above its floor. What a committee would do by hand."""
    started = time.perf_counter()
    problem = _problem(candidates, envelopes, options)
    reasons = _obvious_conflicts(problem)
    if reasons:
        return _infeasible(problem, reasons, started)
    n = len(problem.candidates)
    # What is left, exactly (share × request before rounding down, as `allocate` counts it).
    left = [Decimal(problem.envelope[y]) for y in problem.years]
    cap_left: dict[Hashable, Decimal | None] = defaultdict(
        lambda: Decimal(problem.cap) if problem.cap is not None else None
    )
    excluded = {problem.index[e] for e in options.excluded if e in problem.index}
    shares: dict[int, Decimal] = {}
    amounts = np.zeros_like(problem.requested)

    def ratio(i: int) -> float:
        total = int(problem.totals[i])
        return math.inf if total == 0 else float(problem.candidates[i].score) / total

    order = sorted(range(n), key=lambda i: (-ratio(i), str(problem.candidates[i].id)))

    def take(i: int) -> bool:
        if i in shares or i in excluded:
            return i in shares
        requested = [int(r) for r in problem.requested[i]]
        organization = problem.candidates[i].organization_id
        fractions = [left[j] / r for j, r in enumerate(requested) if r]
        room = cap_left[organization]
        if room is not None and problem.totals[i]:
            fractions.append(room / int(problem.totals[i]))
        share = min([Decimal(1), *fractions]).quantize(SHARE_QUANTUM, ROUND_DOWN)
        if share < problem.floor[i] or share <= 0 or (not options.partial and share < 1):
            return False
        shares[i] = share
        amounts[i] = [int((share * r).to_integral_value(ROUND_DOWN)) for r in requested]
        for j, r in enumerate(requested):
            left[j] -= share * r
        if room is not None:
            cap_left[organization] = room - share * int(problem.totals[i])
        return True

    missed = [i for i in sorted(problem.index[p] for p in options.pinned) if not take(i)]
    if missed:
        reason = Reason("greedy_pins", {"projects": _labels(problem, missed)})
        return _infeasible(problem, [reason], started)
    uncovered = []
    for key, name in problem.objectives.items():
        if any(key in problem.candidates[i].objectives for i in shares):
            continue
        if not any(take(i) for i in order if key in problem.candidates[i].objectives):
            uncovered.append(name)
    for i in order:
        take(i)
    if uncovered:
        reason = Reason("greedy_uncovered", {"objectives": uncovered})
        return _infeasible(problem, [reason], started)
    return _result(
        problem,
        shares,
        amounts,
        feasible=True,
        explanation="",
        optimal=False,
        seconds=time.perf_counter() - started,
    )

"""The allocation optimizer: optimal on small cases (checked by brute force over every subset,
and over a grid of shares for partial funding), feasible on large generated ones, and saying why
when nothing fits."""

import itertools
import random
from collections import defaultdict
from decimal import ROUND_DOWN, Decimal
from fractions import Fraction

import numpy as np
import pytest
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from ancrage.grants import allocation as allocation_module
from ancrage.grants.allocation import Candidate, Options, allocate, greedy, to_cents

YEARS = (2026, 2027, 2028)
OBJECTIVES = ("a", "b", "c")


# --- Checking an allocation in exact integers -----------------------------------------------------


def floor_of(candidate: Candidate, options: Options) -> Decimal:
    if not options.partial:
        return Decimal(1)
    return max(options.floor_share, candidate.minimum_share or Decimal(0), Decimal("0.01"))


def assert_respects(allocation, candidates, envelopes, options) -> None:
    """Every year's envelope, the cap, pins, exclusions, objectives, floors and equal shares."""
    assert allocation.feasible, allocation.explanation
    by_id = {c.id: c for c in candidates}
    spent: dict[int, int] = defaultdict(int)
    exact: dict[int, Decimal] = defaultdict(Decimal)  # share × request, before rounding down
    by_organization: dict[int, int] = defaultdict(int)
    for cid, years in allocation.amounts.items():
        candidate = by_id[cid]
        share = allocation.shares[cid]
        assert floor_of(candidate, options) <= share <= 1
        if not options.partial:
            assert share == 1
        for year, requested in candidate.requested_by_year.items():
            if not requested:
                continue
            expected = int((share * to_cents(requested)).to_integral_value(ROUND_DOWN))
            assert to_cents(years[year]) == expected  # the same share every year
            spent[year] += expected
            exact[year] += share * to_cents(requested)
            by_organization[candidate.organization_id] += expected
    for year, envelope in envelopes.items():
        assert spent[year] <= to_cents(envelope), f"{year}: {spent[year]} > {envelope}"
        assert exact[year] <= to_cents(envelope)
    for year in spent:
        assert year in envelopes or spent[year] == 0
    if options.cap_per_organization is not None:
        assert max(by_organization.values(), default=0) <= to_cents(options.cap_per_organization)
    assert options.pinned <= set(allocation.amounts)
    assert not options.excluded & set(allocation.amounts)
    if options.one_per_objective:
        wanted = set(options.objectives) or {o for c in candidates for o in c.objectives}
        covered = {o for cid in allocation.amounts for o in by_id[cid].objectives}
        assert wanted <= covered
    total = sum((Decimal(by_id[c].score) * s for c, s in allocation.shares.items()), Decimal(0))
    assert allocation.total_score == total


# --- Brute force ----------------------------------------------------------------------------------


def brute_force_full(candidates, envelopes, options) -> Decimal | None:
    """The best total score over every subset that fits (None: no subset does)."""
    best = None
    for size in range(len(candidates) + 1):
        for subset in itertools.combinations(candidates, size):
            ids = {c.id for c in subset}
            if not options.pinned <= ids or ids & options.excluded:
                continue
            if options.one_per_objective:
                wanted = set(options.objectives) or {o for c in candidates for o in c.objectives}
                if not wanted <= {o for c in subset for o in c.objectives}:
                    continue
            if any(
                sum(to_cents(c.requested_by_year.get(y, 0)) for c in subset) > to_cents(e)
                for y, e in envelopes.items()
            ):
                continue
            if options.cap_per_organization is not None:
                totals: dict[int, int] = defaultdict(int)
                for c in subset:
                    totals[c.organization_id] += sum(map(to_cents, c.requested_by_year.values()))
                if max(totals.values(), default=0) > to_cents(options.cap_per_organization):
                    continue
            score = sum((Decimal(c.score) for c in subset), Decimal(0))
            if best is None or score > best:
                best = score
    return best


def _subsets_partial(candidates, options):
    for size in range(len(candidates) + 1):
        for subset in itertools.combinations(candidates, size):
            ids = {c.id for c in subset}
            if not options.pinned <= ids or ids & options.excluded:
                continue
            if options.one_per_objective:
                wanted = set(options.objectives) or {o for c in candidates for o in c.objectives}
                if not wanted <= {o for c in subset for o in c.objectives}:
                    continue
            yield subset


def _rows(subset, envelopes, options):
    """Money rows of the share problem of one subset: A @ shares ≤ b (cents)."""
    a, b = [], []
    for year, envelope in envelopes.items():
        a.append([to_cents(c.requested_by_year.get(year, 0)) for c in subset])
        b.append(to_cents(envelope))
    if options.cap_per_organization is not None:
        for organization in {c.organization_id for c in subset}:
            a.append(
                [
                    sum(map(to_cents, c.requested_by_year.values()))
                    if c.organization_id == organization
                    else 0
                    for c in subset
                ]
            )
            b.append(to_cents(options.cap_per_organization))
    return a, b


def brute_force_partial(candidates, envelopes, options) -> float | None:
    """The best total over every subset; for each subset, the best shares by an exact LP."""
    best = None
    for subset in _subsets_partial(candidates, options):
        if not subset:
            best = max(best or 0.0, 0.0)
            continue
        a, b = _rows(subset, envelopes, options)
        bounds = [(float(floor_of(c, options)), 1.0) for c in subset]
        result = linprog(
            [-float(c.score) for c in subset], A_ub=a, b_ub=b, bounds=bounds, method="highs"
        )
        if result.status == 0:
            value = -result.fun
            best = value if best is None else max(best, value)
    return best


def grid_partial(candidates, envelopes, options, steps: int = 4) -> Fraction | None:
    """The best total over every subset and every share on a grid (floor … 1): a lower bound."""
    best = None
    for subset in _subsets_partial(candidates, options):
        grids = []
        for c in subset:
            low = Fraction(floor_of(c, options))
            grids.append(sorted({low + (1 - low) * Fraction(k, steps) for k in range(steps + 1)}))
        a, b = _rows(subset, envelopes, options)
        for shares in itertools.product(*grids):
            if all(
                sum(Fraction(x) * s for x, s in zip(row, shares, strict=True)) <= limit
                for row, limit in zip(a, b, strict=True)
            ):
                value = sum(
                    (Fraction(c.score) * s for c, s in zip(subset, shares, strict=True)),
                    Fraction(0),
                )
                best = value if best is None else max(best, value)
    return best


# --- Small random cases ---------------------------------------------------------------------------

money = st.integers(min_value=0, max_value=200_000).map(lambda c: Decimal(c) / 100)


@st.composite
def small_cases(draw, partial: bool):
    years = YEARS[: draw(st.integers(1, 3))]
    n = draw(st.integers(1, 7 if not partial else 5))
    candidates = []
    for i in range(n):
        candidates.append(
            Candidate(
                id=i,
                organization_id=draw(st.integers(0, 2)),
                objectives=frozenset(draw(st.sets(st.sampled_from(OBJECTIVES), max_size=2))),
                score=Decimal(draw(st.integers(0, 10_000))) / 100,
                requested_by_year={y: draw(money) for y in years},
                minimum_share=draw(
                    st.none() | st.sampled_from([Decimal("0.25"), Decimal("0.5"), Decimal("0.8")])
                ),
                label=f"Projet {i}",
            )
        )
    envelopes = {y: Decimal(draw(st.integers(0, 500_000))) / 100 for y in years}
    ids = list(range(n))
    pinned = frozenset(draw(st.sets(st.sampled_from(ids), max_size=2)))
    excluded = frozenset(draw(st.sets(st.sampled_from(ids), max_size=2))) - pinned
    cap = draw(st.none() | st.integers(0, 600_000).map(lambda c: Decimal(c) / 100))
    one = draw(st.booleans())
    objectives = (
        {o: o for o in draw(st.sets(st.sampled_from(OBJECTIVES), min_size=1))} if one else {}
    )
    options = Options(
        partial=partial,
        floor_share=draw(st.sampled_from([Decimal(0), Decimal("0.5")])),
        one_per_objective=one,
        cap_per_organization=cap,
        pinned=pinned,
        excluded=excluded,
        objectives=objectives,
    )
    return candidates, envelopes, options


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_cases(partial=False))
def test_full_funding_is_optimal_against_every_subset(case):
    candidates, envelopes, options = case
    best = brute_force_full(candidates, envelopes, options)
    with translation.override("en"):
        allocation = allocate(candidates, envelopes, options)
    if best is None:
        assert not allocation.feasible
        assert allocation.amounts == {}
        assert allocation.explanation.strip()
        return
    assert_respects(allocation, candidates, envelopes, options)
    assert allocation.optimal
    assert allocation.total_score == best
    # Requested amounts are funded in full, to the cent.
    for cid, years in allocation.amounts.items():
        assert years == {y: a for y, a in candidates[cid].requested_by_year.items() if a}
    comparison = greedy(candidates, envelopes, options)
    if comparison.feasible:
        assert_respects(comparison, candidates, envelopes, options)
        assert comparison.total_score <= allocation.total_score


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_cases(partial=True))
def test_partial_funding_is_optimal_against_every_subset_and_a_grid_of_shares(case):
    candidates, envelopes, options = case
    exact = brute_force_partial(candidates, envelopes, options)
    on_grid = grid_partial(candidates, envelopes, options)
    with translation.override("en"):
        allocation = allocate(candidates, envelopes, options)
    if exact is None:
        assert on_grid is None
        assert not allocation.feasible
        assert allocation.explanation.strip()
        return
    assert_respects(allocation, candidates, envelopes, options)
    # Shares are kept to a millionth (rounded down): the total may be below the exact optimum
    # by at most that much of each score.
    slack = sum(Decimal(c.score) for c in candidates) * Decimal("0.000001") + Decimal("0.0001")
    assert abs(float(allocation.total_score) - exact) <= float(slack)
    assert on_grid is None or Fraction(allocation.total_score) >= on_grid - Fraction(slack)
    comparison = greedy(candidates, envelopes, options)
    if comparison.feasible:
        assert_respects(comparison, candidates, envelopes, options)
        assert comparison.total_score <= allocation.total_score + slack


# --- Large generated cases ------------------------------------------------------------------------


def generated(n: int, seed: int):
    rng = random.Random(seed)
    objectives = {f"o{k}": f"Objectif {k}" for k in range(6)}
    candidates = []
    for i in range(n):
        base = rng.randint(20, 300) * 1000
        candidates.append(
            Candidate(
                id=i,
                organization_id=rng.randint(0, n // 3),
                objectives=frozenset(rng.sample(sorted(objectives), rng.randint(1, 3))),
                score=Decimal(rng.randint(3000, 9800)) / 100,
                requested_by_year={
                    y: (Decimal(base) * Decimal(rng.uniform(0.7, 1.3))).quantize(Decimal("0.01"))
                    for y in YEARS
                    if rng.random() > 0.1
                },
                minimum_share=rng.choice([None, Decimal("0.5"), Decimal("0.6"), Decimal("0.75")]),
                label=f"Projet {i}",
            )
        )
    envelopes = dict.fromkeys(YEARS, Decimal("1250000.00"))
    return candidates, envelopes, objectives


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("partial", [False, True])
def test_500_generated_applications_every_constraint_holds(seed, partial):
    candidates, envelopes, objectives = generated(500, seed)
    rng = random.Random(seed)
    modest = [c.id for c in candidates if sum(c.requested_by_year.values()) < 300_000]
    pinned = frozenset(rng.sample(modest, 3))
    excluded = frozenset(rng.sample(sorted(set(range(500)) - pinned), 20))
    options = Options(
        partial=partial,
        floor_share=Decimal("0.5"),
        one_per_objective=True,
        cap_per_organization=Decimal("600000.00"),
        pinned=pinned,
        excluded=excluded,
        objectives=objectives,
    )
    allocation = allocate(candidates, envelopes, options)
    assert_respects(allocation, candidates, envelopes, options)
    assert allocation.optimal
    comparison = greedy(candidates, envelopes, options)
    assert_respects(comparison, candidates, envelopes, options)
    assert comparison.total_score <= allocation.total_score
    # The envelope is nearly used: what is left each year is less than the smallest floor.
    spent = allocation.allocated_by_year()
    assert all(spent[y] <= envelopes[y] for y in YEARS)


@pytest.mark.parametrize("seed", [4, 5, 6, 7])
def test_ruling_out_candidates_by_reduced_costs_keeps_the_optimum(seed, monkeypatch):
    """With many candidates and partial funding, those no optimum can fund are ruled out before
    the exact solve: the optimum is the same as the plain program's."""
    candidates, envelopes, objectives = generated(150, seed)
    envelopes = dict.fromkeys(YEARS, Decimal("600000.00"))
    options = Options(
        partial=True,
        floor_share=Decimal("0.4"),
        one_per_objective=True,
        cap_per_organization=Decimal("450000.00"),
        objectives=objectives,
    )
    pruned = allocate(candidates, envelopes, options)
    monkeypatch.setattr(allocation_module, "PRUNE_FROM", 10**9)
    plain = allocate(candidates, envelopes, options)
    assert_respects(pruned, candidates, envelopes, options)
    assert pruned.optimal and plain.optimal
    assert abs(pruned.total_score - plain.total_score) <= plain.total_score * Decimal("1e-6")


def test_a_large_case_with_generous_envelopes_funds_everyone_in_full():
    candidates, _, _ = generated(200, 7)
    envelopes = {
        y: sum((c.requested_by_year.get(y, Decimal(0)) for c in candidates), Decimal(0))
        for y in YEARS
    }
    allocation = allocate(candidates, envelopes, Options(partial=True))
    assert len(allocation.amounts) == 200
    assert set(allocation.shares.values()) == {Decimal(1)}
    assert allocation.allocated_by_year() == envelopes


# --- Infeasible: the reasons, in words ------------------------------------------------------------


def project(i, organization=1, objectives=("a",), score="50", **years):
    return Candidate(
        id=i,
        organization_id=organization,
        objectives=frozenset(objectives),
        score=Decimal(score),
        requested_by_year={int(y[1:]): Decimal(v) for y, v in years.items()},
        label=f"Projet {i}",
        organization_label=f"Organisme {organization}",
    )


ENVELOPES = {2026: Decimal("100000"), 2027: Decimal("100000")}


def explained(candidates, options, envelopes=ENVELOPES):
    with translation.override("en"):
        allocation = allocate(candidates, envelopes, options)
    assert not allocation.feasible
    assert allocation.amounts == {} and allocation.total_score == 0
    return allocation.explanation


def test_pins_over_a_years_envelope_say_how_much_they_need():
    candidates = [project(1, y2026="70000", y2027="10000"), project(2, y2026="40000")]
    text = explained(candidates, Options(pinned=frozenset({1, 2})))
    assert text == (
        "The pinned projects need $110,000.00 in 2026 but the envelope is $100,000.00 "
        "(“Projet 1” and “Projet 2”)."
    )


def test_pins_at_their_floor_share_over_the_envelope():
    candidates = [project(1, y2026="150000"), project(2, y2026="90000")]
    options = Options(partial=True, floor_share=Decimal("0.5"), pinned=frozenset({1, 2}))
    text = explained(candidates, options)
    assert "At their floor share, the pinned projects need $120,000.00 in 2026" in text
    with translation.override("fr-ca"):
        french = allocate(candidates, ENVELOPES, options).explanation
    assert "120\u00a0000,00\u00a0$" in french and "« Projet 1 »" in french


def test_a_project_pinned_and_excluded():
    text = explained([project(1, y2026="10")], Options(pinned={1}, excluded={1}))
    assert text == "“Projet 1” is both pinned and excluded."


def test_pins_of_one_organization_over_the_cap():
    candidates = [project(1, y2026="30000", y2027="30000"), project(2, y2026="20000")]
    options = Options(pinned=frozenset({1, 2}), cap_per_organization=Decimal("75000"))
    text = explained(candidates, options)
    assert text.startswith(
        "The pinned projects of Organisme 1 need $80,000.00 in all, over the cap of $75,000.00"
    )


def test_an_objective_no_project_addresses():
    options = Options(one_per_objective=True, objectives={"a": "Emploi", "z": "Logement"})
    text = explained([project(1, y2026="10")], options)
    assert text == "Objective “Logement” has no candidate: no project addresses it."


def test_an_objective_whose_projects_are_all_excluded():
    candidates = [project(1, objectives=("a", "b"), y2026="10"), project(2, y2026="10")]
    options = Options(
        one_per_objective=True, objectives={"a": "Emploi", "b": "Droits"}, excluded={1}
    )
    text = explained(candidates, options)
    assert text.startswith("Objective “Droits” has no candidate left: every project")


def test_an_objective_whose_least_costly_project_does_not_fit():
    candidates = [
        project(1, objectives=("b",), y2026="150000"),
        project(2, objectives=("b",), y2026="120000"),
        project(3, y2026="10"),
    ]
    options = Options(one_per_objective=True, objectives={"a": "Emploi", "b": "Droits"})
    text = explained(candidates, options)
    assert text == (
        "Objective “Droits” has no candidate that fits: even the least costly, “Projet 2”, "
        "needs $120,000.00 in 2026, and that year's envelope is $100,000.00."
    )


def test_an_objective_that_does_not_fit_beside_the_pins():
    candidates = [project(1, y2026="80000"), project(2, objectives=("b",), y2026="30000")]
    options = Options(one_per_objective=True, objectives={"b": "Droits"}, pinned={1})
    text = explained(candidates, options)
    assert "the pinned projects leave $20,000.00 of that year's envelope" in text


def test_objectives_that_fit_alone_but_not_together_are_named():
    candidates = [
        project(1, objectives=("a",), y2026="60000"),
        project(2, objectives=("b",), y2026="60000"),
        project(3, objectives=("c",), y2026="10"),
    ]
    options = Options(
        one_per_objective=True, objectives={"a": "Emploi", "b": "Droits", "c": "Femmes"}
    )
    text = explained(candidates, options)
    assert text.startswith("No allocation fits the envelopes of 2026, 2027 with, together: ")
    assert "at least one project for “Emploi” and “Droits”" in text
    assert "Femmes" not in text  # not part of the conflict
    # Partial funding at half resolves it: both objectives at 50 %.
    partial = Options(
        partial=True,
        floor_share=Decimal("0.5"),
        one_per_objective=True,
        objectives=options.objectives,
    )
    allocation = allocate(candidates, ENVELOPES, partial)
    assert_respects(allocation, candidates, ENVELOPES, partial)


def test_a_pin_and_an_objective_that_conflict_through_the_cap():
    candidates = [
        project(1, organization=1, objectives=("a",), y2026="40000"),
        project(2, organization=1, objectives=("b",), y2026="40000"),
    ]
    options = Options(
        one_per_objective=True,
        objectives={"b": "Droits"},
        pinned={1},
        cap_per_organization=Decimal("50000"),
    )
    text = explained(candidates, options)
    assert "would put its organization over the cap per organization" in text


# --- Details --------------------------------------------------------------------------------------


def test_partial_funding_gives_the_same_share_every_year_and_respects_the_projects_floor():
    candidates = [
        project(1, score="90", y2026="80000", y2027="40000"),
        Candidate(
            id=2,
            organization_id=2,
            objectives=frozenset(),
            score=Decimal("40"),
            requested_by_year={2026: Decimal("50000"), 2027: Decimal("50000")},
            minimum_share=Decimal("0.8"),
        ),
    ]
    options = Options(partial=True, floor_share=Decimal("0.25"))
    allocation = allocate(candidates, ENVELOPES, options)
    assert_respects(allocation, candidates, ENVELOPES, options)
    # Project 2 alone would get what project 1 leaves (40 %), below its viable 80 %: the best is
    # project 2 at 80 % (40,000 $ in 2026) and project 1 on the rest of 2026 (75 %), the same
    # share in 2027.
    assert allocation.shares == {1: Decimal("0.75"), 2: Decimal("0.8")}
    assert allocation.amounts[1] == {2026: Decimal("60000.00"), 2027: Decimal("30000.00")}


def test_nothing_to_allocate():
    allocation = allocate([], ENVELOPES, Options(one_per_objective=False))
    assert allocation.feasible and allocation.amounts == {} and allocation.total_score == 0


def test_amounts_are_counted_in_cents_without_drift():
    # 3 × 33,333.33 $ fit exactly in 99,999.99 $; floats would round 0.1 + 0.2 wrong.
    candidates = [project(i, organization=i, y2026="33333.33") for i in range(3)]
    envelopes = {2026: Decimal("99999.99")}
    allocation = allocate(candidates, envelopes, Options())
    assert len(allocation.amounts) == 3
    assert allocation.allocated_by_year() == {2026: Decimal("99999.99")}
    tight = allocate(candidates, {2026: Decimal("99999.98")}, Options())
    assert len(tight.amounts) == 2


@pytest.mark.parametrize(
    ("candidates", "envelopes", "options"),
    [
        ([project(1, y2026="10.001")], ENVELOPES, Options()),
        ([project(1, y2026="-10")], ENVELOPES, Options()),
        ([project(1, y2026="10")], {2026: Decimal("-1")}, Options()),
        ([project(1, score="-1", y2026="10")], ENVELOPES, Options()),
        ([project(1, y2026="10"), project(1, y2026="10")], ENVELOPES, Options()),
        ([project(1, y2026="10")], ENVELOPES, Options(floor_share=Decimal("1.5"))),
    ],
)
def test_bad_input_is_refused(candidates, envelopes, options):
    with pytest.raises(ValueError):
        allocate(candidates, envelopes, options)


def test_a_year_requested_without_an_envelope_cannot_be_funded():
    candidates = [project(1, y2029="10"), project(2, y2026="10")]
    allocation = allocate(candidates, ENVELOPES, Options())
    assert set(allocation.amounts) == {2}


def test_greedy_by_score_per_dollar_can_miss_the_optimum():
    # The best ratio (project 1) blocks the two others that together score more.
    candidates = [
        project(1, score="60", y2026="60000"),
        project(2, score="45", y2026="50000"),
        project(3, score="45", y2026="50000"),
    ]
    optimal = allocate(candidates, ENVELOPES, Options())
    quick = greedy(candidates, ENVELOPES, Options())
    assert set(optimal.amounts) == {2, 3} and optimal.total_score == 90
    assert set(quick.amounts) == {1} and quick.total_score == 60
    assert np.isclose(float(optimal.total_score / quick.total_score), 1.5)

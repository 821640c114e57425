"""Small-cell suppression: the rules, and an attacker who tries to work out every hidden number.

The attacker reads only what is published (`as_dict()`: None = hidden) and, for each hidden
number, computes exactly (fractions, two-phase simplex) the smallest and largest value it can
take over real numbers >= `lower` for the hidden cells, subject to every published equation:
row totals, column totals, grand total, published cells. A hidden number is safe when its smallest
value is below its largest. `lower=0` is the plain attacker; `lower=1` also uses the published
rule that zeros are never hidden (so every hidden count is >= 1), which suppress protects against
too. Integer reasoning gains nothing over this: the equations form a network matrix, so the bounds
are integers.
"""

import json
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ancrage.core.privacy import DEFAULT_THRESHOLD, SuppressedTable, suppress

# ---------------------------------------------------------------- the attacker: exact simplex


def _pivot(tableau: list[list[Fraction]], basis: list[int], r: int, c: int) -> None:
    pivot_row = tableau[r]
    if pivot_row[c] != 1:
        pivot_row = [x / pivot_row[c] for x in pivot_row]
        tableau[r] = pivot_row
    for k, row in enumerate(tableau):
        if k != r and row[c] != 0:
            factor = row[c]
            tableau[k] = [a - factor * b for a, b in zip(row, pivot_row, strict=True)]
    basis[r] = c


def _maximize(tableau: list[list[Fraction]], basis: list[int], objective: list[int]):
    """Maximize objective·y over {tableau, y >= 0} from a feasible basis (Bland's rule: no cycling).

    Returns the optimum, or None when unbounded. `tableau` is modified in place.
    """
    n = len(objective)
    while True:
        entering = None
        for j in range(n):
            if j in basis:
                continue
            reduced = objective[j] - sum(
                objective[basis[k]] * tableau[k][j] for k in range(len(basis))
            )
            if reduced > 0:
                entering = j
                break
        if entering is None:
            return sum(objective[basis[k]] * tableau[k][-1] for k in range(len(basis)))
        # smallest ratio, ties to the smallest basic variable (Bland)
        candidates = [
            (row[-1] / row[entering], basis[k], k)
            for k, row in enumerate(tableau)
            if row[entering] > 0
        ]
        if not candidates:
            return None
        leaving = min(candidates)[2]
        _pivot(tableau, basis, leaving, entering)


def _feasible_basis(n: int, equations: list[tuple[list[int], Fraction]]):
    """Phase 1: a feasible basis of {sum of y[v] for v in vars = rhs, y >= 0} (n variables)."""
    m = len(equations)
    tableau = []
    for k, (variables, rhs) in enumerate(equations):
        sign = -1 if rhs < 0 else 1
        row = [Fraction(0)] * (n + m + 1)
        for v in variables:
            row[v] = Fraction(sign)
        row[n + k] = Fraction(1)
        row[-1] = Fraction(sign * rhs)
        tableau.append(row)
    basis = list(range(n, n + m))
    optimum = _maximize(tableau, basis, [0] * n + [-1] * m)
    assert optimum == 0, "the published table is inconsistent"
    for k in reversed(range(m)):  # drive artificial variables out, drop redundant equations
        if basis[k] >= n:
            column = next((j for j in range(n) if tableau[k][j] != 0), None)
            if column is None:
                del tableau[k], basis[k]
            else:
                _pivot(tableau, basis, k, column)
    return [row[:n] + row[-1:] for row in tableau], basis


def attack(published: dict, lower: int = 0) -> dict[tuple, tuple[Fraction, Fraction | None]]:
    """Range (min, max; None = unbounded) of every hidden number of a published table."""
    cells = published["cells"]
    n_rows, n_columns = len(cells), len(published["columns"])
    variables = {}
    for i in range(n_rows):
        for j in range(n_columns):
            if cells[i][j] is None:
                variables[(i, j)] = len(variables)

    def linear(positions):
        """(hidden variables, constant) of the sum of cells at positions, with y = x - lower."""
        hidden = [variables[p] for p in positions if p in variables]
        constant = sum(cells[i][j] for i, j in positions if (i, j) not in variables)
        return hidden, constant + lower * len(hidden)

    row_cells = [[(i, j) for j in range(n_columns)] for i in range(n_rows)]
    column_cells = [[(i, j) for i in range(n_rows)] for j in range(n_columns)]
    all_cells = [p for line in row_cells for p in line]
    sums = [(row_cells[i], published["row_totals"][i], ("row", i)) for i in range(n_rows)]
    sums += [
        (column_cells[j], published["column_totals"][j], ("column", j)) for j in range(n_columns)
    ]
    sums += [(all_cells, published["total"], ("total",))]

    equations = []
    for positions, total, _name in sums:
        if total is None:
            continue
        hidden, constant = linear(positions)
        if hidden:
            equations.append((hidden, Fraction(total - constant)))
        else:
            assert total == constant, "published numbers disagree"
    n = len(variables)
    tableau, basis = _feasible_basis(n, equations)

    targets = [([p], ("cell", *p)) for p in variables]
    targets += [(positions, name) for positions, total, name in sums if total is None]
    ranges = {}
    for positions, name in targets:
        hidden, constant = linear(positions)
        objective = [0] * n
        for v in hidden:
            objective[v] = 1
        high = _maximize([row[:] for row in tableau], basis[:], objective)
        low = -_maximize([row[:] for row in tableau], basis[:], [-c for c in objective])
        ranges[name] = (low + constant, None if high is None else high + constant)
    return ranges


def derivable(published: dict, lower: int) -> list[tuple]:
    """Hidden numbers the attacker pins down to one value."""
    return [name for name, (low, high) in attack(published, lower).items() if low == high]


# ---------------------------------------------------------------- the attacker can win


def test_attacker_finds_a_lone_hidden_cell_in_a_row_with_its_total():
    published = {
        "rows": ["a", "b"],
        "columns": ["x", "y"],
        "cells": [[None, 7], [6, 8]],
        "row_totals": [10, 14],
        "column_totals": [9, 15],
        "total": 24,
    }
    assert attack(published) == {("cell", 0, 0): (3, 3)}


def test_attacker_finds_a_total_that_the_shown_cells_add_up_to():
    published = {
        "rows": ["a", "b"],
        "columns": ["x"],
        "cells": [[3], [None]],
        "row_totals": [None, None],
        "column_totals": [None],
        "total": None,
    }
    assert attack(published)[("row", 0)] == (3, 3)
    assert attack(published)[("cell", 1, 0)] == (0, None)


def test_attacker_finds_a_cell_joining_two_hidden_blocks_though_no_hidden_cell_is_alone():
    # Every row and column holding a hidden cell holds two or three: a "no lone cell" rule is
    # satisfied, yet the cell joining the two blocks (b, z) is the difference of published sums.
    truth = [[2, 3, 9, 9], [4, 2, 1, 9], [9, 9, 2, 3], [9, 9, 4, 2]]
    hide = {(0, 0), (0, 1), (1, 0), (1, 1), (1, 2), (2, 2), (2, 3), (3, 2), (3, 3)}
    published = {
        "rows": ["a", "b", "c", "d"],
        "columns": ["w", "x", "z", "t"],
        "cells": [
            [None if (i, j) in hide else v for j, v in enumerate(r)] for i, r in enumerate(truth)
        ],
        "row_totals": [sum(r) for r in truth],
        "column_totals": [sum(c) for c in zip(*truth, strict=True)],
        "total": sum(map(sum, truth)),
    }
    assert derivable(published, lower=0) == [("cell", 1, 2)]
    assert attack(published)[("cell", 1, 2)] == (1, 1)
    assert attack(published)[("cell", 0, 0)] == (0, 5)


def test_attacker_knowing_hidden_counts_are_at_least_one_pins_a_rectangle_of_ones():
    truth = [[1, 1, 8], [1, 1, 9], [7, 6, 5]]
    published = {
        "rows": ["a", "b", "c"],
        "columns": ["x", "y", "z"],
        "cells": [[None, None, 8], [None, None, 9], [7, 6, 5]],
        "row_totals": [10, 11, 18],
        "column_totals": [9, 8, 22],
        "total": 39,
    }
    assert derivable(published, lower=0) == []
    assert attack(published, lower=1)[("cell", 0, 0)] == (1, 1)
    # suppress does not publish that pattern: it hides more
    table = _suppress_matrix(truth, threshold=5)
    assert table.cell("r0", "c0") is None
    assert derivable(table.as_dict(), lower=1) == []
    assert len(table.hidden) > 4


# ---------------------------------------------------------------- random tables


def _suppress_matrix(matrix, threshold=DEFAULT_THRESHOLD, margins=True) -> SuppressedTable:
    rows = [f"r{i}" for i in range(len(matrix))]
    columns = [f"c{j}" for j in range(len(matrix[0]))]
    counts = {(rows[i], columns[j]): v for i, line in enumerate(matrix) for j, v in enumerate(line)}
    return suppress(counts, rows=rows, columns=columns, threshold=threshold, margins=margins)


counts = st.one_of(st.just(0), st.integers(1, 4), st.integers(1, 12), st.integers(0, 40))


@st.composite
def matrices(draw):
    n_rows, n_columns = draw(st.integers(1, 6)), draw(st.integers(1, 5))
    line = st.lists(counts, min_size=n_columns, max_size=n_columns)
    return draw(st.lists(line, min_size=n_rows, max_size=n_rows))


@pytest.mark.parametrize("threshold", [3, 5, 10])
@settings(deadline=None, max_examples=250, suppress_health_check=[HealthCheck.too_slow])
@given(matrix=matrices())
def test_no_hidden_number_can_be_worked_out_from_what_is_published(threshold, matrix):
    published = _suppress_matrix(matrix, threshold).as_dict()
    assert derivable(published, lower=0) == []
    assert derivable(published, lower=1) == []


@pytest.mark.parametrize("threshold", [3, 5, 10])
@settings(deadline=None, max_examples=150)
@given(matrix=matrices(), margins=st.booleans())
def test_small_counts_are_hidden_zeros_shown_and_nothing_shown_is_wrong(threshold, matrix, margins):
    table = _suppress_matrix(matrix, threshold, margins)
    n_rows, n_columns = len(matrix), len(matrix[0])
    for i in range(n_rows):
        for j in range(n_columns):
            value, shown = matrix[i][j], table.cells[i][j]
            assert shown in (None, value)
            if 0 < value < threshold:
                assert shown is None
            if value == 0:
                assert shown == 0
    truth_totals = [sum(line) for line in matrix] + [sum(c) for c in zip(*matrix, strict=True)]
    truth_totals.append(sum(map(sum, matrix)))
    shown_totals = [*table.row_totals, *table.column_totals, table.total]
    for truth, shown in zip(truth_totals, shown_totals, strict=True):
        if not margins:
            assert shown is None
        else:
            assert shown in (None, truth)
            if 0 < truth < threshold:
                assert shown is None
            if truth == 0:
                assert shown == 0
    hidden_positions = {
        (i, j) for i in range(n_rows) for j in range(n_columns) if table.cells[i][j] is None
    }
    assert table.hidden == {(f"r{i}", f"c{j}") for i, j in hidden_positions}
    if not margins:  # nothing relates the cells: only the small ones are hidden
        assert all(0 < matrix[i][j] < threshold for i, j in hidden_positions)
    # same input, same output — whatever the order of the mapping
    again = _suppress_matrix(matrix, threshold, margins)
    shuffled = dict(
        reversed(
            list(
                {
                    (f"r{i}", f"c{j}"): v for i, r in enumerate(matrix) for j, v in enumerate(r)
                }.items()
            )
        )
    )
    reordered = suppress(
        shuffled,
        rows=list(table.rows),
        columns=list(table.columns),
        threshold=threshold,
        margins=margins,
    )
    assert again.as_dict() == table.as_dict() == reordered.as_dict()
    assert json.loads(json.dumps(table.as_dict())) == table.as_dict()


# ---------------------------------------------------------------- examples


def test_nothing_is_hidden_when_every_count_reaches_the_threshold():
    table = _suppress_matrix([[5, 12, 0], [7, 5, 30]])
    assert table.hidden == frozenset()
    assert table.cells == ((5, 12, 0), (7, 5, 30))
    assert (table.row_totals, table.column_totals, table.total) == ((17, 42), (12, 17, 30), 59)
    assert table.log == []


def test_a_lone_figure_below_the_threshold_is_hidden_with_its_totals():
    table = suppress({("people", "q1"): 3}, rows=["people"], columns=["q1"])
    assert table.cell("people", "q1") is None
    assert table.row_total("people") is None
    assert table.column_total("q1") is None
    assert table.total is None
    assert table.hidden == {("people", "q1")}
    assert [entry["reason"] for entry in table.log] == ["primary", "margin", "margin", "margin"]


def test_zero_is_shown_and_the_default_threshold_is_five():
    assert DEFAULT_THRESHOLD == 5
    assert suppress({}, rows=["people"], columns=["q1"]).as_dict()["cells"] == [[0]]
    assert suppress({("a", "n"): 4}, rows=["a"], columns=["n"]).total is None
    assert suppress({("a", "n"): 5}, rows=["a"], columns=["n"]).total == 5
    assert suppress({("a", "n"): 4}, rows=["a"], columns=["n"], threshold=3).total == 4


def test_a_list_hides_its_small_line_and_the_next_smallest_so_the_total_stays():
    rows = ["permanent_resident", "refugee", "student", "worker", "citizen"]
    counts = dict(zip([(r, "clients") for r in rows], [12, 3, 8, 0, 20], strict=True))
    table = suppress(counts, rows=rows, columns=["clients"])
    assert [line[0] for line in table.cells] == [12, None, None, 0, 20]
    assert table.row_totals == (12, None, None, 0, 20)
    assert table.column_total("clients") == 43 and table.total == 43
    assert table.log == [
        {"cell": ["refugee", "clients"], "kind": "cell", "reason": "primary"},
        {"cell": ["refugee", "total"], "kind": "row_total", "reason": "margin"},
        {"cell": ["student", "clients"], "kind": "cell", "reason": "complementary"},
        {"cell": ["student", "total"], "kind": "row_total", "reason": "complementary"},
    ]


def test_without_margins_only_small_counts_are_hidden():
    rows = ["permanent_resident", "refugee", "student", "worker", "citizen"]
    counts = dict(zip([(r, "clients") for r in rows], [12, 3, 8, 0, 20], strict=True))
    table = suppress(counts, rows=rows, columns=["clients"], margins=False)
    assert [line[0] for line in table.cells] == [12, None, 8, 0, 20]
    assert (
        table.row_totals == (None,) * 5 and table.column_totals == (None,) and table.total is None
    )
    assert table.log == [{"cell": ["refugee", "clients"], "kind": "cell", "reason": "primary"}]
    assert table.as_dict()["margins"] is False


def test_complementary_cells_are_the_smallest_that_protect_and_never_a_zero():
    rows, columns = ["a", "b", "c"], ["x", "y", "z"]

    def run(matrix):
        counts = {(r, c): matrix[i][j] for i, r in enumerate(rows) for j, c in enumerate(columns)}
        return suppress(counts, rows=rows, columns=columns)

    table = run([[20, 2, 15], [11, 30, 9], [40, 12, 25]])
    assert table.cells == ((20, None, None), (11, 30, 9), (40, None, None))
    assert (table.row_totals, table.column_totals, table.total) == ((37, 50, 77), (71, 44, 49), 164)
    assert [e["reason"] for e in table.log] == ["primary"] + ["complementary"] * 3

    # b·y would be the cheapest partner of a·y, but it is 0: hiding it would protect nothing
    table = run([[20, 3, 0], [11, 0, 9], [40, 12, 25]])
    assert table.cells == ((None, None, 0), (11, 0, 9), (None, None, 25))
    assert derivable(table.as_dict(), lower=1) == []


def test_a_total_below_the_threshold_is_hidden_and_cannot_be_added_up():
    # row b adds up to 4: its cells are small too, and enough else is hidden that 4 stays hidden
    table = _suppress_matrix([[10, 9, 8], [0, 4, 0], [7, 12, 6]])
    assert table.row_totals[1] is None and table.cells[1] == (0, None, 0)
    assert ("row", 1) in attack(table.as_dict())
    assert derivable(table.as_dict(), lower=1) == []


def test_two_ones_with_a_published_sum_are_not_left_alone():
    # hiding only the two 1s of row a would show their sum (2): both would be known to be 1
    table = _suppress_matrix([[1, 1, 10, 10], [9, 8, 7, 6]])
    assert table.cells[0][:2] == (None, None)
    assert derivable(table.as_dict(), lower=1) == []


def test_the_published_table_is_json_ready_and_holds_no_hidden_value():
    table = _suppress_matrix([[4, 61], [53, 55]])
    data = json.loads(json.dumps(table.as_dict()))
    assert data == table.as_dict()
    assert data["cells"] == [[None, None], [None, None]]
    assert data["row_totals"] == [65, 108] and data["column_totals"] == [57, 116]
    for hidden_value in ("4", "61", "53", "55"):
        assert hidden_value not in json.dumps(data) and hidden_value not in repr(table)
    table.log.clear()  # a copy: the table's own log is untouched
    assert len(table.log) == 4


def test_missing_keys_count_zero_and_unknown_lookups_are_key_errors():
    table = suppress({("a", "x"): 7}, rows=["a", "b"], columns=["x"])
    assert table.cell("b", "x") == 0
    with pytest.raises(KeyError):
        table.cell("z", "x")
    with pytest.raises(KeyError):
        table.row_total("z")
    with pytest.raises(KeyError):
        table.column_total("z")


@pytest.mark.parametrize(
    ("counts", "rows", "columns", "threshold", "message"),
    [
        ({("a", "x"): -1}, ["a"], ["x"], 5, "negative"),
        ({("a", "x"): 2.0}, ["a"], ["x"], 5, "integer"),
        ({("a", "x"): True}, ["a"], ["x"], 5, "integer"),
        ({("a", "x"): "3"}, ["a"], ["x"], 5, "integer"),
        ({("a", "x"): None}, ["a"], ["x"], 5, "integer"),
        ({("z", "x"): 1}, ["a"], ["x"], 5, "Unknown row 'z'"),
        ({("a", "z"): 1}, ["a"], ["x"], 5, "Unknown column 'z'"),
        ({"a": 1}, ["a"], ["x"], 5, "pairs"),
        ({("a", "x", "y"): 1}, ["a"], ["x"], 5, "pairs"),
        ({}, ["a", "a"], ["x"], 5, "Duplicate key 'a' in rows"),
        ({}, ["a"], ["x", "x"], 5, "Duplicate key 'x' in columns"),
        ({}, "ab", ["x"], 5, "rows must be a list"),
        ({}, [1], ["x"], 5, "strings"),
        ({}, ["a"], ["x"], 0, "threshold"),
        ({}, ["a"], ["x"], -3, "threshold"),
        ({}, ["a"], ["x"], 2.5, "threshold"),
        ({}, ["a"], ["x"], True, "threshold"),
        ([(("a", "x"), 1)], ["a"], ["x"], 5, "mapping"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(counts, rows, columns, threshold, message):
    with pytest.raises(ValueError, match=message):
        suppress(counts, rows=rows, columns=columns, threshold=threshold)


def test_margins_must_be_a_boolean():
    with pytest.raises(ValueError, match="margins"):
        suppress({}, rows=["a"], columns=["x"], margins="no")


def test_a_large_table_is_protected():
    # 12 x 8 with many small counts: the attacker still finds nothing (sizes up to 40 x 20 are
    # measured in the report, not here: no timing in tests)
    values = [0, 1, 2, 3, 4, 6, 9, 15, 0, 25, 2, 7, 1]
    matrix = [[values[(3 * i + 5 * j + i * j) % len(values)] for j in range(8)] for i in range(12)]
    table = _suppress_matrix(matrix, threshold=5)
    assert table.hidden
    assert derivable(table.as_dict(), lower=0) == []
    assert derivable(table.as_dict(), lower=1) == []

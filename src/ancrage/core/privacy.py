"""Small-cell suppression: the one function every aggregate passes before it leaves an organization.

`suppress` hides every count with 0 < count < threshold (interior cells and totals: "primary"),
then hides more published numbers ("complementary") until no hidden number can be worked out from
what is published. Zeros are always shown: they reveal nobody, and since a zero is never hidden,
a reader knows every hidden count is at least 1 — the protection takes that into account.

How "cannot be worked out" is checked. Write the table with its totals as one bigger table whose
every row and column sums to zero: interior counts n[r][c], row totals as -R[r] in an extra
column, column totals as -C[c] in an extra row, the grand total T in the corner. Every relation
a reader can use between published numbers is a sum of those zero row/column sums. Hidden entries
are the edges of a bipartite graph (row nodes × column nodes); changing them around a cycle
(+e, -e, +e, ...) keeps every sum, so a hidden entry on such a cycle can take more than one
value, and an entry on no cycle is fixed by the published sums. A hidden count of exactly 1 can
only go up (the reader knows it is >= 1), so its edge may be crossed in one direction only; a
hidden count above 1 and a hidden total may move both ways. An entry is therefore protected when
a directed cycle passes through it. Complementary cells are the cheapest published entries that
close such a cycle (shortest path, cost = the count hidden), so small counts are hidden first and
zeros never. The constraint matrix is a network matrix, so the bounds a reader could compute are
integers: no integer reasoning gets more out of the table than real-number reasoning does.
"""

from __future__ import annotations

import copy
import heapq
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

DEFAULT_THRESHOLD = 5

PRIMARY = "primary"
MARGIN = "margin"
COMPLEMENTARY = "complementary"
TOTAL_LABEL = "total"


@dataclass(frozen=True)
class SuppressedTable:
    """A table as it may be published: a hidden number is None. Holds no hidden value."""

    rows: tuple[str, ...]
    columns: tuple[str, ...]
    threshold: int
    margins: bool
    cells: tuple[tuple[int | None, ...], ...]
    row_totals: tuple[int | None, ...]
    column_totals: tuple[int | None, ...]
    total: int | None
    hidden: frozenset[tuple[str, str]]
    _log: tuple[dict[str, Any], ...] = field(repr=False)
    _row_index: dict[str, int] = field(repr=False, compare=False)
    _column_index: dict[str, int] = field(repr=False, compare=False)

    def _position(self, row: str, column: str) -> tuple[int, int]:
        try:
            return self._row_index[row], self._column_index[column]
        except KeyError:
            raise KeyError(f"No cell ({row!r}, {column!r}) in this table") from None

    def cell(self, row: str, column: str) -> int | None:
        i, j = self._position(row, column)
        return self.cells[i][j]

    def row_total(self, row: str) -> int | None:
        if row not in self._row_index:
            raise KeyError(f"No row {row!r} in this table")
        return self.row_totals[self._row_index[row]]

    def column_total(self, column: str) -> int | None:
        if column not in self._column_index:
            raise KeyError(f"No column {column!r} in this table")
        return self.column_totals[self._column_index[column]]

    @property
    def log(self) -> list[dict[str, Any]]:
        return copy.deepcopy(list(self._log))

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": list(self.rows),
            "columns": list(self.columns),
            "cells": [list(line) for line in self.cells],
            "row_totals": list(self.row_totals),
            "column_totals": list(self.column_totals),
            "total": self.total,
            "threshold": self.threshold,
            "margins": self.margins,
            "log": self.log,
        }


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _keys(name: str, keys: Sequence[str]) -> tuple[str, ...]:
    if isinstance(keys, str | bytes) or not isinstance(keys, Sequence):
        raise ValueError(f"{name} must be a list of keys, got {type(keys).__name__}")
    keys = tuple(keys)
    for key in keys:
        if not isinstance(key, str):
            raise ValueError(f"{name} keys must be strings, got {key!r}")
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            raise ValueError(f"Duplicate key {key!r} in {name}")
        seen.add(key)
    return keys


def _matrix(
    counts: Mapping[tuple[str, str], int], rows: tuple[str, ...], columns: tuple[str, ...]
) -> list[list[int]]:
    if not isinstance(counts, Mapping):
        raise ValueError(
            f"counts must be a mapping (row, column) -> count, got {type(counts).__name__}"
        )
    row_index = {key: i for i, key in enumerate(rows)}
    column_index = {key: j for j, key in enumerate(columns)}
    matrix = [[0] * len(columns) for _ in rows]
    for key, value in counts.items():
        if not (isinstance(key, tuple) and len(key) == 2):
            raise ValueError(f"counts keys must be (row, column) pairs, got {key!r}")
        row, column = key
        if row not in row_index:
            raise ValueError(f"Unknown row {row!r} in counts (not in rows)")
        if column not in column_index:
            raise ValueError(f"Unknown column {column!r} in counts (not in columns)")
        if not _is_int(value):
            raise ValueError(f"Count for {key!r} must be an integer, got {value!r}")
        if value < 0:
            raise ValueError(f"Count for {key!r} is negative: {value}")
        matrix[row_index[row]][column_index[column]] = value
    return matrix


class _Graph:
    """The table with its totals as a bipartite graph; node i <= R is a row, R+1+j a column."""

    def __init__(self, matrix: list[list[int]], n_columns: int) -> None:
        n_rows = len(matrix)
        self.n_rows, self.n_columns = n_rows, n_columns
        # value[i][j]: interior counts, then the row totals (column n_columns), the column totals
        # (row n_rows) and the grand total in the corner — all as non-negative numbers.
        value = [[*line, sum(line)] for line in matrix]
        column_totals = [sum(matrix[i][j] for i in range(n_rows)) for j in range(n_columns)]
        value.append([*column_totals, sum(column_totals)])
        self.value = value
        self.hidden = [[False] * (n_columns + 1) for _ in range(n_rows + 1)]
        # A hidden interior count of 1 is known to be >= 1: it can only be thought larger, so its
        # edge is crossed one way only (row -> column). Everything else moves both ways.
        self.two_way = [
            [not (i < n_rows and j < n_columns and value[i][j] == 1) for j in range(n_columns + 1)]
            for i in range(n_rows + 1)
        ]
        # Arcs (next node, i, j) out of each node: a row node raises an entry of its row, a column
        # node lowers an entry of its column. Zeros are never hidden, so they carry no arc.
        columns_base = n_rows + 1
        self.arcs: list[list[tuple[int, int, int]]] = [
            [(columns_base + j, i, j) for j in range(n_columns + 1) if value[i][j] > 0]
            for i in range(n_rows + 1)
        ]
        self.arcs += [
            [(i, i, j) for i in range(n_rows + 1) if value[i][j] > 0 and self.two_way[i][j]]
            for j in range(n_columns + 1)
        ]
        self.hidden_arcs: list[list[tuple[int, int, int]]] = [[] for _ in self.arcs]
        # path cost = (sum of counts hidden, number of entries hidden) packed in one integer
        self.weight = columns_base + n_columns + 2

    def hide(self, i: int, j: int) -> None:
        if self.hidden[i][j]:
            return
        self.hidden[i][j] = True
        row_node, column_node = i, self.n_rows + 1 + j
        self.hidden_arcs[row_node].append((column_node, i, j))
        if self.two_way[i][j]:
            self.hidden_arcs[column_node].append((row_node, i, j))

    def _directions(self, i: int, j: int) -> list[tuple[int, int]]:
        """(start, goal) of the paths that close a cycle through entry (i, j)."""
        row_node, column_node = i, self.n_rows + 1 + j
        if self.two_way[i][j]:
            return [(column_node, row_node), (row_node, column_node)]
        return [(column_node, row_node)]

    def protected(self, i: int, j: int) -> bool:
        """True when a cycle of hidden entries lets entry (i, j) take another value."""
        for start, goal in self._directions(i, j):
            seen = {start}
            stack = [start]
            while stack:
                for nxt, a, b in self.hidden_arcs[stack.pop()]:
                    if (a, b) == (i, j):
                        continue
                    if nxt == goal:
                        return True
                    if nxt not in seen:
                        seen.add(nxt)
                        stack.append(nxt)
        return False

    def cheapest_cycle(self, i: int, j: int) -> list[tuple[int, int]]:
        """Published entries to hide so that entry (i, j) lies on a cycle, cheapest first.

        Cost of a path: the sum of the counts it hides, then how many; ties go to the earlier
        row/column since nodes are settled in index order.
        """
        best: tuple[int, list[tuple[int, int]]] | None = None
        for start, goal in self._directions(i, j):
            found = self._dijkstra(start, goal, (i, j))
            if found is not None and (best is None or found[0] < best[0]):
                best = found
        if best is None:  # cannot happen: hiding every non-zero total always closes a cycle
            raise RuntimeError(f"No complementary suppression found for entry {(i, j)}")
        return best[1]

    def _dijkstra(
        self, start: int, goal: int, blocked: tuple[int, int]
    ) -> tuple[int, list[tuple[int, int]]] | None:
        value, hidden, weight = self.value, self.hidden, self.weight
        distance = {start: 0}
        came_by: dict[int, tuple[int, int, int]] = {}
        heap = [(0, start)]
        done: set[int] = set()
        while heap:
            cost, node = heapq.heappop(heap)
            if node in done:
                continue
            if node == goal:
                path = []
                while node != start:
                    node, a, b = came_by[node]
                    if not hidden[a][b]:
                        path.append((a, b))
                return cost, sorted(path)
            done.add(node)
            for nxt, a, b in self.arcs[node]:
                if nxt in done or (a, b) == blocked:
                    continue
                new = cost if hidden[a][b] else cost + value[a][b] * weight + 1
                if new < distance.get(nxt, new + 1):
                    distance[nxt] = new
                    came_by[nxt] = (node, a, b)
                    heapq.heappush(heap, (new, nxt))
        return None


def suppress(
    counts: Mapping[tuple[str, str], int],
    *,
    rows: Sequence[str],
    columns: Sequence[str],
    threshold: int = DEFAULT_THRESHOLD,
    margins: bool = True,
) -> SuppressedTable:
    """Hide small counts, and enough others that none can be worked out from what is shown.

    Missing (row, column) keys count 0. A lone figure is a 1x1 table. With `margins=False` no
    total is published, so nothing relates the cells and only the small ones are hidden.
    """
    rows, columns = _keys("rows", rows), _keys("columns", columns)
    if not _is_int(threshold) or threshold < 1:
        raise ValueError(f"threshold must be an integer >= 1, got {threshold!r}")
    if not isinstance(margins, bool):
        raise ValueError(f"margins must be True or False, got {margins!r}")
    matrix = _matrix(counts, rows, columns)
    n_rows, n_columns = len(rows), len(columns)
    graph = _Graph(matrix, n_columns)
    value, hidden = graph.value, graph.hidden

    def label(i: int, j: int) -> dict[str, Any]:
        if i < n_rows and j < n_columns:
            return {"cell": [rows[i], columns[j]], "kind": "cell"}
        if i < n_rows:
            return {"cell": [rows[i], TOTAL_LABEL], "kind": "row_total"}
        if j < n_columns:
            return {"cell": [TOTAL_LABEL, columns[j]], "kind": "column_total"}
        return {"cell": [TOTAL_LABEL, TOTAL_LABEL], "kind": "total"}

    log: list[dict[str, Any]] = []
    interior = [(i, j) for i in range(n_rows) for j in range(n_columns)]
    totals = [(i, n_columns) for i in range(n_rows)] + [(n_rows, j) for j in range(n_columns + 1)]
    for i, j in interior:
        if 0 < value[i][j] < threshold:
            graph.hide(i, j)
            log.append({**label(i, j), "reason": PRIMARY})
    for i, j in totals:
        if not margins:
            graph.hide(i, j)  # not published at all: not a suppression, not logged
        elif 0 < value[i][j] < threshold:
            graph.hide(i, j)
            log.append({**label(i, j), "reason": MARGIN})

    # Each hidden entry is checked once: an entry on a cycle stays on it when more is hidden, and
    # the entries hidden to close a cycle lie on that cycle, so one pass reaches a stable table.
    safe = [[False] * (n_columns + 1) for _ in range(n_rows + 1)]
    for i, j in interior + (totals if margins else []):
        if not hidden[i][j] or safe[i][j]:
            continue
        if graph.protected(i, j):
            safe[i][j] = True
            continue
        for a, b in graph.cheapest_cycle(i, j):
            graph.hide(a, b)
            safe[a][b] = True
            log.append({**label(a, b), "reason": COMPLEMENTARY})
        safe[i][j] = True

    def shown(i: int, j: int) -> int | None:
        return None if hidden[i][j] else value[i][j]

    return SuppressedTable(
        rows=rows,
        columns=columns,
        threshold=threshold,
        margins=margins,
        cells=tuple(tuple(shown(i, j) for j in range(n_columns)) for i in range(n_rows)),
        row_totals=tuple(shown(i, n_columns) for i in range(n_rows)),
        column_totals=tuple(shown(n_rows, j) for j in range(n_columns)),
        total=shown(n_rows, n_columns),
        hidden=frozenset((rows[i], columns[j]) for i, j in interior if hidden[i][j]),
        _log=tuple(log),
        _row_index={key: i for i, key in enumerate(rows)},
        _column_index={key: j for j, key in enumerate(columns)},
    )

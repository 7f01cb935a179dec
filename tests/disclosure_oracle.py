"""The ground truth for the disclosure tests: which sets of people the shown groups expose.

A shown mean times its shown count is a sum over the group's people, so
anything computable from the shown figures is a linear combination of the
groups' indicator vectors.  This module finds, by brute force and independently
of :mod:`workbook.anonymity`:

* every person whose own indicator vector lies in the span (numpy's
  ``matrix_rank``: adding the vector does not raise the rank);
* every set of 1 to ``threshold - 1`` people whose indicator lies in the span.
  Any vector in the span is constant on the "atoms" (people with the same
  membership in every shown group), so with the span in reduced row echelon form
  (exact fractions) a vector in it is fixed by its values on the pivot atoms:
  trying 0 and 1 there finds every 0/1 vector of the span.

Also the checks people do by hand: every pairwise difference of nested groups
and every complement within everyone.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from fractions import Fraction

import numpy as np

__all__ = ["exposed_people", "exposed_sets", "pairwise_problems"]


def _matrix(groups: Sequence[np.ndarray]) -> np.ndarray:
    return np.array([np.asarray(g, dtype=float) for g in groups], dtype=float)


def exposed_people(groups: Sequence[np.ndarray]) -> list[int]:
    """Indexes of the people whose indicator vector lies in the span of ``groups``."""
    if not groups:
        return []
    m = _matrix(groups)
    rank = np.linalg.matrix_rank(m)
    found = []
    for person in range(m.shape[1]):
        unit = np.zeros(m.shape[1])
        unit[person] = 1.0
        if np.linalg.matrix_rank(np.vstack([m, unit])) == rank:
            found.append(person)
    return found


def _rref(rows: list[list[Fraction]]) -> tuple[list[list[Fraction]], list[int]]:
    matrix = [row[:] for row in rows]
    pivots: list[int] = []
    r = 0
    width = len(matrix[0]) if matrix else 0
    for c in range(width):
        pivot = next((i for i in range(r, len(matrix)) if matrix[i][c] != 0), None)
        if pivot is None:
            continue
        matrix[r], matrix[pivot] = matrix[pivot], matrix[r]
        lead = matrix[r][c]
        matrix[r] = [x / lead for x in matrix[r]]
        for i in range(len(matrix)):
            if i != r and matrix[i][c] != 0:
                factor = matrix[i][c]
                matrix[i] = [a - factor * b for a, b in zip(matrix[i], matrix[r], strict=True)]
        pivots.append(c)
        r += 1
        if r == len(matrix):
            break
    return matrix[:r], pivots


def exposed_sets(groups: Sequence[np.ndarray], threshold: int) -> list[frozenset[int]]:
    """Every set of 1 to ``threshold - 1`` people whose indicator lies in the span of ``groups``."""
    if not groups:
        return []
    m = _matrix(groups).astype(int)
    patterns, inverse, sizes = np.unique(m.T, axis=0, return_inverse=True, return_counts=True)
    inverse = np.asarray(inverse).reshape(-1)
    atoms = patterns.T  # groups x atoms
    rows, pivots = _rref([[Fraction(int(x)) for x in row] for row in atoms])
    if not rows:
        return []
    basis = np.array([[float(x) for x in row] for row in rows])
    if len(pivots) > 16:
        raise ValueError("too many independent groups to enumerate; use a smaller organisation")
    found: list[frozenset[int]] = []
    for bits in itertools.product((0.0, 1.0), repeat=len(pivots)):
        z = np.asarray(bits) @ basis
        if not np.all(np.isclose(z, 0.0) | np.isclose(z, 1.0)):
            continue
        chosen = np.isclose(z, 1.0)
        size = int(sizes[chosen].sum())
        if 1 <= size < threshold:
            found.append(frozenset(np.flatnonzero(chosen[inverse]).tolist()))
    return found


def pairwise_problems(groups: dict[str, np.ndarray], everyone: np.ndarray, threshold: int) -> list[str]:
    """Nested pairs whose difference, and groups whose complement, hold 1 to threshold-1 people."""
    problems = []
    for (a, ga), (b, gb) in itertools.permutations(groups.items(), 2):
        if np.all(gb <= ga):
            n = int(ga.sum() - gb.sum())
            if 0 < n < threshold:
                problems.append(f"{a} minus {b} is {n} people")
    for name, group in groups.items():
        n = int(everyone.sum() - group.sum())
        if np.all(group <= everyone) and 0 < n < threshold:
            problems.append(f"everyone minus {name} is {n} people")
    return problems

"""Which starter promises to look at first, and why.

The framework ships ten starter promises, each tied to a value and a step.  A
team should start where it is weakest: the starters are ranked by the
organisation's lowest value scores (values self-assessment) and lowest-rated
steps (DIME™ steps workshop), and each carries the evidence in words
("Innovative is your lowest value: 2.8 of 5") so the team can see why.

Pure functions: the scores come in as plain mappings (see
:mod:`workbook.charter.evidence` for reading them from the store), so the
ranking works, and is tested, with neither set of results, one, or both.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from workbook.errors import InputError
from workbook.framework import Framework, Promise

__all__ = ["Evidence", "Suggestion", "ordinal", "rank_starters"]

_TOLERANCE = 1e-9


@dataclass(frozen=True, slots=True)
class Evidence:
    """The organisation's results the ranking is based on; either may be missing.

    ``value_scores``: value id -> mean score (only groups above the anonymity
    threshold ever get here).  ``step_scores``: step id -> mean practice rating.
    ``*_source`` say where they came from ("values self-assessment, 2026-Q4");
    ``notes`` say why something is missing.
    """

    value_scores: Mapping[str, float] | None = None
    step_scores: Mapping[str, float] | None = None
    value_source: str | None = None
    step_source: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A starter promise in its place in the ranking (1 = look at it first)."""

    promise: Promise
    rank: int
    priority: float  # 0 (no evidence, or strong) to 1 (lowest possible scores)
    reasons: tuple[str, ...]


def ordinal(n: int) -> str:
    """``1st``, ``2nd``, ``3rd``, ``4th`` ... ``11th``, ``12th``, ``13th``, ``21st``."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _checked(scores: Mapping[str, float] | None, known: dict[str, str], kind: str,
             low: int, high: int) -> dict[str, float]:
    """Scores of known ids only, as floats; NaN is "not shown"; off-scale is a caller's bug."""
    out: dict[str, float] = {}
    for key, raw in (scores or {}).items():
        if key not in known:
            continue
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            raise InputError(f"the {kind} score for {key!r} must be a number, not {raw!r}")
        value = float(raw)
        if math.isnan(value):
            continue
        if not low - _TOLERANCE <= value <= high + _TOLERANCE:
            raise InputError(f"the {kind} score for {key!r} ({value}) is outside the scale {low} to {high}")
        out[key] = value
    return out


def _describe(name: str, score: float, scores: dict[str, float], noun: str, high: int) -> str:
    """Where one score stands among the others, in words ("your 2nd lowest value: 3.1 of 5")."""
    lowest = "lowest-rated" if noun == "step" else "lowest"
    place = 1 + sum(1 for s in scores.values() if s < score - _TOLERANCE)
    strongest = all(s <= score + _TOLERANCE for s in scores.values())
    shown = f"{score:.1f} of {high}"
    if len(scores) < 2:
        return f"{name} scores {shown}"
    if place == 1 and not strongest:
        return f"{name} is your {lowest} {noun}: {shown}"
    if strongest and place > 1:
        return f"{name} is your strongest {noun}: {shown}"
    if strongest:  # every score equal
        return f"{name} scores {shown}, like every other {noun}"
    return f"{name} is your {ordinal(place)} {lowest} {noun}: {shown}"


def rank_starters(framework: Framework, value_scores: Mapping[str, float] | None = None,
                  step_scores: Mapping[str, float] | None = None) -> list[Suggestion]:
    """The framework's starter promises, weakest areas first, each with its evidence.

    A starter's priority is the mean, over whichever of its value score and
    step score are known, of how far the score sits below the top of the
    scale (0 = top, 1 = bottom).  Without any scores every priority is 0 and
    the framework's own order stands; ties keep framework order too.  Unknown
    ids and NaN scores are ignored; a score off the scale raises InputError.
    """
    low, high = framework.scale.minimum, framework.scale.maximum
    value_names = {v.id: v.name for v in framework.values}
    step_names = {s.id: s.name for s in framework.steps}
    values = _checked(value_scores, value_names, "value", low, high)
    steps = _checked(step_scores, step_names, "step", low, high)
    width = high - low
    scored: list[tuple[float, int, Promise, tuple[str, ...]]] = []
    for index, promise in enumerate(framework.promises):
        gaps: list[float] = []
        reasons: list[str] = []
        if promise.value in values:
            gaps.append((high - values[promise.value]) / width)
            reasons.append(_describe(value_names[promise.value], values[promise.value], values, "value", high))
        if promise.step in steps:
            gaps.append((high - steps[promise.step]) / width)
            reasons.append(_describe(step_names[promise.step], steps[promise.step], steps, "step", high))
        priority = sum(gaps) / len(gaps) if gaps else 0.0
        scored.append((priority, index, promise, tuple(reasons)))
    scored.sort(key=lambda item: (-round(item[0], 9), item[1]))
    return [Suggestion(promise=p, rank=i, priority=prio, reasons=r)
            for i, (prio, _index, p, r) in enumerate(scored, start=1)]

"""The customer scorecard: each measure's value per cycle, its change, and its direction.

This is the one place that decides what "better" means for a figure, so the
workshop page, ``workbook measures list``, the report's "Quarter at a glance"
page and the charter's kept-or-not verdicts all agree.  Usage::

    card = scorecard(store, org.id)             # every catalogue measure, every cycle
    line = card.line("wait-time")
    line.latest.value, line.latest.change, line.latest.wrong_way
    card.wrong_way()                            # lines whose latest change went the wrong way
    met(">=", 95, card.value("answered-20s", "2026-Q4"))   # True, False, or None (no figure)

A change is measured from the cycle immediately before (the quarter before),
never from an older one, so "last quarter" means what a team expects; when either
quarter has no figure there is no change, rather than a misleading one.  Operational
figures are counts and records, not samples, so any change counts as a move: there
is no noise band here (the trends of survey ratings have their own rule).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from workbook.errors import InputError, NotFoundError
from workbook.framework import Framework, Measure
from workbook.text import quoted

if TYPE_CHECKING:
    from workbook.store import Store
    from workbook.store.measures import MeasureValueRecord

__all__ = ["TARGET_OPS", "Direction", "MeasureLine", "Point", "Scorecard", "build_scorecard", "check_target_op",
           "describe_target", "direction", "latest", "met", "scorecard"]

Direction = Literal["better", "worse", "same"]

#: How a promise's target compares a figure: "at least 95", "at most 60", ...
TARGET_OPS: dict[str, str] = {">=": "at least", "<=": "at most", ">": "more than", "<": "less than",
                              "=": "exactly"}
_OP_ALIASES = {"≥": ">=", "≤": "<=", "==": "="}


def check_target_op(op: str) -> str:
    """``op`` as one of :data:`TARGET_OPS` (``≥`` and ``≤`` accepted), or a one-line InputError."""
    text = op.strip() if isinstance(op, str) else ""
    text = _OP_ALIASES.get(text, text)
    if text not in TARGET_OPS:
        raise InputError(f"target comparison {quoted(op)} must be one of {', '.join(TARGET_OPS)}")
    return text


def met(target_op: str, target_value: float, value: float | None) -> bool | None:
    """Whether ``value`` meets the target; None when there is no figure to judge.

    A promise with no figure this quarter is neither kept nor broken: the
    scorecard shows it as "no figure" so the gap is noticed, not hidden.
    """
    op = check_target_op(target_op)
    if value is None:
        return None
    if op == ">=":
        return value >= target_value
    if op == "<=":
        return value <= target_value
    if op == ">":
        return value > target_value
    if op == "<":
        return value < target_value
    return value == target_value


def direction(measure: Measure, previous: float | None, current: float | None) -> Direction | None:
    """Better, worse or the same, given which way the measure should move; None without two figures."""
    if previous is None or current is None:
        return None
    if current == previous:
        return "same"
    went_up = current > previous
    return "better" if went_up == (measure.better == "higher") else "worse"


@dataclass(frozen=True, slots=True)
class Point:
    """One measure in one cycle: the figure (None: not entered), its note and the move from last cycle."""

    cycle_label: str
    value: float | None
    note: str | None
    change: float | None
    direction: Direction | None

    @property
    def wrong_way(self) -> bool:
        """True when the figure moved against the measure's "better" since the cycle before."""
        return self.direction == "worse"


@dataclass(frozen=True, slots=True)
class MeasureLine:
    """One row of the scorecard: a measure and its point in every cycle, oldest first."""

    measure: Measure
    points: tuple[Point, ...]

    @property
    def latest(self) -> Point | None:
        """The point of the newest cycle (its value may be None), or None when there are no cycles."""
        return self.points[-1] if self.points else None

    @property
    def last_known(self) -> Point | None:
        """The newest point that has a figure, whichever cycle it is in."""
        return next((p for p in reversed(self.points) if p.value is not None), None)

    def point(self, cycle_label: str) -> Point:
        for point in self.points:
            if point.cycle_label == cycle_label:
                return point
        known = ", ".join(p.cycle_label for p in self.points) or "none"
        raise NotFoundError(f"no cycle called {quoted(cycle_label)} on the scorecard (known: {known})")

    def show_change(self, point: Point) -> str:
        """The change as a person reads it, with sign and unit (``+2.5 %``), or "" with none."""
        if point.change is None:
            return ""
        sign = "+" if point.change > 0 else "-" if point.change < 0 else "±"
        return f"{sign}{self.measure.show(abs(point.change))}"


@dataclass(frozen=True, slots=True)
class Scorecard:
    """Every measure of the catalogue across an organisation's cycles (oldest first)."""

    cycles: tuple[str, ...]
    lines: tuple[MeasureLine, ...]

    def line(self, measure_id: str) -> MeasureLine:
        for line in self.lines:
            if line.measure.id == measure_id:
                return line
        known = ", ".join(line.measure.id for line in self.lines) or "none"
        raise NotFoundError(f"unknown measure id {quoted(measure_id)} on the scorecard (known: {known})")

    def value(self, measure_id: str, cycle_label: str) -> float | None:
        """The figure of one measure in one cycle, or None when none was entered."""
        return self.line(measure_id).point(cycle_label).value

    def with_values(self) -> tuple[MeasureLine, ...]:
        """The lines that have a figure in at least one cycle (what a report shows)."""
        return tuple(line for line in self.lines if line.last_known is not None)

    def wrong_way(self) -> tuple[MeasureLine, ...]:
        """The lines whose newest cycle moved against "better" since the cycle before."""
        return tuple(line for line in self.lines if line.latest is not None and line.latest.wrong_way)

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON (``workbook report --json``): the measures that have a figure, every cycle."""
        return {
            "cycles": list(self.cycles),
            "measures": [
                {"id": line.measure.id, "name": line.measure.name, "unit": line.measure.unit,
                 "better": line.measure.better, "source": line.measure.source,
                 "points": [{"cycle": p.cycle_label, "value": p.value, "note": p.note, "change": p.change,
                             "direction": p.direction} for p in line.points]}
                for line in self.with_values()
            ],
        }


def build_scorecard(framework: Framework, cycle_labels: Sequence[str],
                    records: Iterable[MeasureValueRecord]) -> Scorecard:
    """The scorecard from stored values; values of measures no longer in the catalogue are left out.

    (A consultant may remove a measure from an adapted framework file; its old
    figures stay in the database and in ``workbook measures list``, but nothing
    can say which way is better for it any more.)
    """
    stored = {(r.cycle_label, r.measure_id): r for r in records}
    lines: list[MeasureLine] = []
    for measure in framework.measures:
        points: list[Point] = []
        previous: float | None = None
        for label in cycle_labels:
            record = stored.get((label, measure.id))
            value = record.value if record is not None else None
            change = value - previous if value is not None and previous is not None else None
            points.append(Point(label, value, record.note if record is not None else None, change,
                                direction(measure, previous, value)))
            previous = value
        lines.append(MeasureLine(measure, tuple(points)))
    return Scorecard(tuple(cycle_labels), tuple(lines))


def scorecard(store: Store, org_id: str, framework: Framework | None = None) -> Scorecard:
    """The organisation's scorecard over all its cycles, read in two short transactions."""
    if framework is None:
        from workbook.framework import load_framework

        framework = load_framework()
    cycles = [c.label for c in store.responses.cycles(org_id)]
    return build_scorecard(framework, cycles, store.measures.list(org_id))


def latest(store: Store, org_id: str, framework: Framework | None = None) -> dict[str, Point]:
    """Each measure's newest figure (whichever cycle it is in), by measure id; measures with none are left out."""
    card = scorecard(store, org_id, framework)
    return {line.measure.id: point for line in card.lines if (point := line.last_known) is not None}


def describe_target(measure: Measure, target_op: str, target_value: float) -> str:
    """A target in words, e.g. "at least 95 %", for the charter and the scorecard."""
    return f"{TARGET_OPS[check_target_op(target_op)]} {measure.show(target_value)}"

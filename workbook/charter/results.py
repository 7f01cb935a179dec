"""Were the charter's promises kept?  Each measured promise against its target, quarter by quarter.

A promise that names a measure and a target (:mod:`workbook.charter.targets`)
is *kept* in a quarter when that quarter's figure meets the target, *not kept*
when it misses, and has *no result* when nobody entered a figure.  Nothing is
estimated or carried over from another quarter.

The figures, the verdict (:func:`workbook.measures.scorecard.met`) and "trending
the wrong way" (the figure moved against the measure's better direction since
the quarter before) all come from the measures scorecard, so the charter, the
workshop's scorecard page and the report agree on every quarter.

:func:`promise_results` is pure (a charter's promises and a scorecard in,
results out), so it is tested with figures where the answer is known;
:func:`load_results` reads the scorecard from the store.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from workbook.charter.records import PromiseRecord
from workbook.charter.targets import target_text
from workbook.errors import NotFoundError
from workbook.framework import Framework
from workbook.measures.scorecard import Scorecard, met

if TYPE_CHECKING:
    from workbook.store import Store

__all__ = ["PromiseResult", "PromiseResults", "QuarterResult", "load_results", "promise_results"]


@dataclass(frozen=True, slots=True)
class QuarterResult:
    """One promise in one quarter: the measured value (None: not entered) and whether it was kept."""

    cycle: str
    value: float | None
    kept: bool | None
    shown: str  # "96 %" or "no result"
    wrong_way: bool = False  # the figure moved against the measure's better direction since the quarter before


@dataclass(frozen=True, slots=True)
class PromiseResult:
    """A measured promise: its target and every quarter's result, oldest first."""

    position: int
    text: str
    measure_id: str
    measure_name: str
    target: str  # "at least 95 %", or "no target yet"
    has_target: bool
    quarters: tuple[QuarterResult, ...]
    wrong_way: bool

    def quarter(self, cycle: str) -> QuarterResult | None:
        return next((q for q in self.quarters if q.cycle == cycle), None)


@dataclass(frozen=True, slots=True)
class PromiseResults:
    """Every measured promise of one charter version, over the organisation's quarters."""

    cycles: tuple[str, ...]
    promises: tuple[PromiseResult, ...]
    unmeasured: tuple[int, ...]  # positions of promises that name no measure

    @property
    def latest(self) -> str | None:
        """The most recent quarter in which any measured promise has a value."""
        for cycle in reversed(self.cycles):
            if any(p.quarter(cycle) and p.quarter(cycle).value is not None  # type: ignore[union-attr]
                   for p in self.promises):
                return cycle
        return None

    def of(self, position: int) -> PromiseResult | None:
        return next((p for p in self.promises if p.position == position), None)

    def kept_count(self, cycle: str) -> tuple[int, int]:
        """(kept, judged) in ``cycle``: judged promises have both a target and a value."""
        judged = [q for p in self.promises if (q := p.quarter(cycle)) is not None and q.kept is not None]
        return sum(1 for q in judged if q.kept), len(judged)

    def latest_kept(self, position: int) -> bool | None:
        result, latest = self.of(position), self.latest
        if result is None or latest is None:
            return None
        quarter = result.quarter(latest)
        return quarter.kept if quarter is not None else None

    def latest_text(self, position: int) -> str | None:
        """"2026-Q3: 96 % · kept", "2026-Q3: no result", or None for a promise without a measure."""
        result = self.of(position)
        if result is None:
            return None
        latest = self.latest
        if latest is None:
            return "no results yet"
        quarter = result.quarter(latest)
        if quarter is None or quarter.value is None:
            return f"{latest}: no result"
        verdict = "" if quarter.kept is None else (" · kept" if quarter.kept else " · not kept")
        trend = " · trending the wrong way" if quarter.wrong_way else ""
        return f"{latest}: {quarter.shown}{verdict}{trend}"

    def summary_line(self) -> str:
        """One sentence for the top of an export: how many promises were kept in the latest quarter."""
        latest = self.latest
        if latest is None:
            return "Results: no measured results have been entered yet."
        kept, judged = self.kept_count(latest)
        return f"Results for {latest}: {kept} of {judged} promise{'s' if judged != 1 else ''} with a target kept."


def promise_results(promises: Sequence[PromiseRecord], framework: Framework, card: Scorecard) -> PromiseResults:
    """Each promise that names a measure on the scorecard, with its result in every cycle (oldest first)."""
    results, unmeasured = [], []
    for position, promise in enumerate(promises, start=1):
        try:
            line = card.line(promise.measure_id) if promise.measure_id else None
        except NotFoundError:  # a framework file that dropped the measure: nothing to judge
            line = None
        if line is None:
            unmeasured.append(position)
            continue
        measure = line.measure
        has_target = promise.target_op is not None and promise.target_value is not None
        quarters = tuple(
            QuarterResult(
                cycle=point.cycle_label, value=point.value,
                kept=(met(promise.target_op or ">=", promise.target_value or 0.0, point.value)
                      if has_target else None),
                shown=measure.show(point.value) if point.value is not None else "no result",
                wrong_way=point.wrong_way,
            )
            for point in line.points
        )
        results.append(PromiseResult(
            position=position, text=promise.text, measure_id=measure.id, measure_name=measure.name,
            target=target_text(measure, promise.target_op, promise.target_value), has_target=has_target,
            quarters=quarters, wrong_way=bool(line.latest is not None and line.latest.wrong_way),
        ))
    return PromiseResults(card.cycles, tuple(results), tuple(unmeasured))


def load_results(store: Store, org_id: str, promises: Sequence[PromiseRecord],
                 framework: Framework) -> PromiseResults:
    """The results of ``promises`` over every cycle of ``org_id``, from the measures store."""
    from workbook.measures.scorecard import scorecard

    return promise_results(promises, framework, scorecard(store, org_id, framework))

"""The report's "Quarter at a glance" page: the customer scorecard, targets and kept promises.

One page a leadership team reads first each quarter (issue #14 part 3):

* a sentence: how many of the charter's promises with a target were kept
  this quarter, and how many measures moved the wrong way since the last;
* **Promises and their targets**: each promise of the charter that names a
  measure, its target, this quarter's figure and whether it was kept, with
  last quarter's beside it;
* **Customer scorecard**: every measure with a figure, this quarter and last,
  the change and its direction, and the target where a promise sets one;
* **Trends**: whatever the sources in :data:`TREND_SOURCES` return.  The
  trends of values and steps across cycles (issue #14 part 1) plug in there
  (``TREND_SOURCES.append(my_fragment)``), so this page shows them without
  knowing how they are computed; with no source, nothing is shown.

Figures come from :mod:`workbook.measures.scorecard` and verdicts from
:mod:`workbook.charter.results`, the same code the workshop's scorecard page
and the charter export use.  Customer measures are organisation-wide figures
(surveys, mystery shops, records), never one person's answers, so the
anonymity rule has nothing to hide here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from workbook.html import Markup, html, join
from workbook.report.hooks import Fragment
from workbook.report.tables import table_html

if TYPE_CHECKING:
    from workbook.charter.results import PromiseResults
    from workbook.framework import Framework
    from workbook.measures.scorecard import MeasureLine, Scorecard
    from workbook.store import Store

__all__ = ["TITLE", "TREND_SOURCES", "Glance", "TrendSource", "glance", "glance_fragment"]

TITLE = "Quarter at a glance"
#: Called with (store, organisation id, cycle label); each returns a Fragment to show, or None.
TrendSource = Callable[["Store", str, str], "Fragment | None"]
TREND_SOURCES: list[TrendSource] = []
_ARROWS = {"better": "▲ better", "worse": "▼ wrong way", "same": "= same"}


def _table(caption: str, headers: tuple[str, ...], rows: list[tuple[str, ...]],
           numeric: tuple[int, ...] = ()) -> Markup:
    return table_html(headers, rows, caption=caption, numeric=numeric, classes="wb-table wb-glance")


def _verdict(kept: bool | None, has_target: bool, value: float | None) -> str:
    if value is None:
        return "– no figure"
    if not has_target:
        return "no target"
    return "✓ kept" if kept else "✗ not kept"


def _promise_rows(results: PromiseResults, cycle: str, previous: str | None) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for result in results.promises:
        now = result.quarter(cycle)
        before = result.quarter(previous) if previous else None
        rows.append((
            str(result.position), result.text, result.measure_name, result.target,
            now.shown if now else "no result",
            _verdict(now.kept, result.has_target, now.value) if now else "– no figure",
            (f"{before.shown} ({_verdict(before.kept, result.has_target, before.value)})"
             if before is not None and before.value is not None else "–"),
        ))
    return rows


def _scorecard_rows(lines: tuple[MeasureLine, ...], targets: dict[str, str], cycle: str,
                    previous: str | None) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for line in lines:
        point = line.point(cycle)
        before = line.point(previous) if previous else None
        rows.append((
            line.measure.name,
            line.measure.show(point.value) if point.value is not None else "–",
            line.measure.show(before.value) if before is not None and before.value is not None else "–",
            line.show_change(point) or "–",
            _ARROWS.get(point.direction or "", "–"),
            targets.get(line.measure.id, "–"),
        ))
    return rows


@dataclass(frozen=True)
class Glance:
    """What the page shows for one cycle, worked out once for the page and for ``--json``."""

    cycle: str
    previous: str | None
    charter: bool  # whether the organisation has a charter at all
    results: PromiseResults
    card: Scorecard
    lines: tuple[MeasureLine, ...]  # the scorecard's rows: a figure this quarter, or a promise's target
    targets: dict[str, str]  # measure id -> "at least 95 % (promise 2)"
    kept: int
    judged: int
    wrong: tuple[MeasureLine, ...]

    @property
    def lead(self) -> str:
        promised = (f"{self.kept} of {self.judged} promise{'s' if self.judged != 1 else ''} with a target kept"
                    if self.judged else "no promise with a target has a figure yet")
        moved = (f"{len(self.wrong)} measure{'s' if len(self.wrong) != 1 else ''} moved the wrong way since "
                 f"{self.previous}" if self.previous else "the first quarter on the scorecard, so no change yet")
        return f"{self.cycle}: {promised}; {moved}."


def glance(store: Store | None, organisation_id: str, cycle_label: str, framework: Framework) -> Glance | None:
    """The page's figures for one cycle, or None without a store or when the cycle is not on the scorecard."""
    if store is None:
        return None
    from workbook.charter.repository import charter_for_report
    from workbook.charter.results import promise_results
    from workbook.measures.scorecard import scorecard

    card: Scorecard = scorecard(store, organisation_id, framework)
    if cycle_label not in card.cycles:
        return None
    index = card.cycles.index(cycle_label)
    previous = card.cycles[index - 1] if index > 0 else None
    charter = charter_for_report(store, organisation_id)
    results = promise_results(charter.promises if charter else (), framework, card)
    targets: dict[str, str] = {}
    for result in results.promises:
        if result.has_target:
            targets.setdefault(result.measure_id, f"{result.target} (promise {result.position})")
    lines = tuple(line for line in card.lines
                  if line.point(cycle_label).value is not None or line.measure.id in targets)
    kept, judged = results.kept_count(cycle_label)
    wrong = tuple(line for line in lines if line.point(cycle_label).wrong_way)
    return Glance(cycle_label, previous, charter is not None, results, card, lines, targets, kept, judged, wrong)


def glance_fragment(store: Store | None, organisation_id: str, cycle_label: str,
                    framework: Framework, *, page: Glance | None = None) -> Fragment | None:
    """The page's content for one cycle, or None without a store (a report built from sample data).

    ``page`` is :func:`glance` of the same cycle when the caller has it already (the report's JSON uses it too).
    """
    page = page or glance(store, organisation_id, cycle_label, framework)
    if page is None:
        return None
    assert store is not None
    cycle_label = page.cycle
    previous, results, lines, targets, wrong = page.previous, page.results, page.lines, page.targets, page.wrong
    lead = page.lead
    parts, text = [html("<p class='wb-lead'>{}</p>", lead)], [lead]
    if wrong:
        names = ", ".join(line.measure.name for line in wrong)
        parts.append(html("<p>Moved the wrong way: {}.</p>", names))
        text.append(f"Moved the wrong way: {names}.")
    if results.promises:
        rows = _promise_rows(results, cycle_label, previous)
        parts.append(Markup("<h3>Promises and their targets</h3>") + _table(
            f"The charter's promises that name a measure, {cycle_label}",
            ("#", "Promise", "Measure", "Target", "This quarter", "Kept?",
             f"Last quarter ({previous})" if previous else "Last quarter"),
            rows))
        text += [f"{r[0]}. {r[1]} | {r[2]} {r[3]} | {r[4]} {r[5]}" for r in rows]
    elif page.charter:
        note = "No promise of the charter names a measure yet: choose one for each promise in the charter builder."
        parts.append(html("<p class='wb-pending'>{}</p>", note))
        text.append(note)
    if lines:
        rows = _scorecard_rows(lines, targets, cycle_label, previous)
        parts.append(Markup("<h3>Customer scorecard</h3>") + _table(
            f"Customer measures, {cycle_label} and the quarter before",
            ("Measure", "This quarter", "Last quarter", "Change", "Direction", "Target"), rows,
            numeric=(1, 2, 3)))
        text += [f"{r[0]}: {r[1]} (last {r[2]}, {r[4]})" for r in rows]
    else:
        note = (f"No customer measures have been entered for {cycle_label} yet: enter them on the workshop's "
                f"scorecard page, or import them with: workbook measures import {organisation_id} FILE.csv")
        parts.append(html("<p class='wb-pending'>{}</p>", note))
        text.append(note)
    for source in TREND_SOURCES:
        fragment = source(store, organisation_id, cycle_label)
        if fragment is not None:
            parts.append(fragment.html)
            text.append(fragment.text)
    return Fragment(join(parts), "\n".join(text))

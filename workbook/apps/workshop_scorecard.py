"""The workshop's scorecard page: this quarter's customer measures, entered with the team.

The facilitator goes down the catalogue of customer measures (grouped by where
the figures come from) and types this quarter's figure and a note of where it
came from; last quarter's figure is shown beside each one so the team sees at
once whether it moved the right way.  Each figure is saved the moment it is
entered, like everything else in the workshop:

* a figure is checked on the kernel side (:meth:`workbook.framework.Measure.check_value`)
  and a bad one is refused with a message naming the range, leaving what was
  typed on screen to correct;
* emptying the box removes the figure;
* two facilitators never overwrite each other silently: a figure someone else
  changed since the page was opened is shown instead, with a message.

The hook into :mod:`workbook.apps.workshop` is a nav button and one branch of
``show``; everything else lives here.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Final, TypeVar

import ipywidgets as widgets

from workbook.apps.saving import with_retries
from workbook.apps.ui import row, status_html
from workbook.apps.workshop_host import PageHost
from workbook.errors import InputError, StoreError, WorkbookError
from workbook.framework import Framework, Measure, format_number
from workbook.html import Markup, html
from workbook.measures.scorecard import Direction, direction
from workbook.store.measures import MeasureValueRecord, StaleValueError

__all__ = ["PAGE", "SOURCE_HEADINGS", "MeasureInput", "ScorecardPage"]

T = TypeVar("T")

PAGE: Final = "scorecard"
SOURCE_HEADINGS: Final = {
    "satisfaction_survey": "From the satisfaction survey",
    "mystery_shopping": "From mystery shopping",
    "focus_group": "From focus groups",
    "operational_records": "From our own records",
    "recovery_log": "From the recovery log",
}
_ARROWS: Final = {"better": "▲ better than last quarter", "worse": "▼ worse than last quarter",
                  "same": "= the same as last quarter"}



class MeasureInput:
    """One measure: its name and unit, last quarter's figure, this quarter's figure and a note."""

    def __init__(self, measure: Measure, previous: MeasureValueRecord | None,
                 on_change: Callable[[MeasureInput], None], guard: Callable[..., Any]) -> None:
        self.measure = measure
        self.previous = previous.value if previous is not None else None
        self.version = 0
        self.moved: Direction | None = None  # since last quarter, once a figure is in
        self._quiet = False
        self._on_change = on_change
        last = measure.show(self.previous) if self.previous is not None else "no figure"
        self.value = widgets.Text(placeholder=f"This quarter ({measure.unit})", description="This quarter",
                                  continuous_update=False, layout=widgets.Layout(width="22rem"))
        self.value.style.description_width = "initial"
        self.note = widgets.Text(placeholder="Optional: where the figure came from", description="Note",
                                 continuous_update=False, layout=widgets.Layout(width="100%"))
        self.status = widgets.HTML("")
        self.status.add_class("wb-status")
        self.trend = widgets.HTML("")
        better = "higher" if measure.better == "higher" else "lower"
        self.widget = widgets.VBox([
            widgets.HTML(html("<h3>{}</h3><p class='wb-muted'>{} ({}; {} is better)</p>",
                              measure.name, measure.description, measure.unit, better)),
            row(self.value, widgets.HTML(html("<span class='wb-last'>Last quarter: <strong>{}</strong></span>", last)),
                self.trend),
            self.note,
            self.status,
        ])
        self.widget.add_class("wb-card")
        self.widget.add_class("wb-measure")
        self.value.observe(guard(self._changed), names="value")
        self.note.observe(guard(self._changed), names="value")

    def set_saved(self, record: MeasureValueRecord | None) -> None:
        """Show a stored figure (or none) without saving it again."""
        self._quiet = True
        try:
            self.value.value = format_number(record.value) if record is not None else ""
            self.note.value = (record.note or "") if record is not None else ""
            self.version = record.version if record is not None else 0
        finally:
            self._quiet = False
        self.show_trend(record.value if record is not None else None)

    def show_trend(self, value: float | None) -> None:
        moved = self.moved = direction(self.measure, self.previous, value)
        self.trend.value = (Markup() if moved is None
                            else html("<span class='wb-trend wb-{}'>{}</span>", moved, _ARROWS[moved]))

    def _changed(self, _change: dict[str, Any]) -> None:
        if not self._quiet:
            self._on_change(self)


class ScorecardPage:
    """The scorecard page of one workshop: a :class:`MeasureInput` per catalogue measure."""

    def __init__(self, app: PageHost) -> None:
        self.app = app
        framework: Framework = app.framework
        self.entries: dict[str, MeasureInput] = {}
        previous = self._previous_values()
        sections: list[widgets.Widget] = []
        for source, heading in SOURCE_HEADINGS.items():
            measures = [m for m in framework.measures if m.source == source]
            if not measures:
                continue
            sections.append(widgets.HTML(html("<h2>{}</h2>", heading)))
            for measure in measures:
                entry = MeasureInput(measure, previous.get(measure.id), self.save, app.errors.guard)
                self.entries[measure.id] = entry
                sections.append(entry.widget)
        cycle = app.session.cycle
        intro = html("<h1>Customer scorecard</h1><p>This quarter's figures ({}), with last quarter's{} beside "
                     "them. Each figure is saved as soon as you leave its box; empty a box to remove its figure.</p>",
                     cycle.label, f" ({self.previous_label})" if self.previous_label else "")
        if not self.entries:
            intro += Markup("<p class='wb-muted'>The framework file lists no customer measures.</p>")
        self.tally = widgets.HTML("")
        self.tally.add_class("wb-tally")
        self.widget = widgets.VBox([widgets.HTML(intro), self.tally, *sections])
        self.widget.add_class("wb-scorecard")

    def _previous_values(self) -> dict[str, MeasureValueRecord]:
        """The figures of the cycle before this one (this workshop's "last quarter"), by measure id."""
        org, cycle = self.app.session.organisation, self.app.session.cycle
        cycles = self.app.store.responses.cycles(org.id)
        ids = [c.id for c in cycles]
        index = ids.index(cycle.id) if cycle.id in ids else -1
        self.previous_label: str | None = cycles[index - 1].label if index > 0 else None
        if index <= 0:
            return {}
        return self.app.store.measures.of_cycle(org.id, cycles[index - 1].id)

    def reload(self) -> None:
        """Show every figure as stored now (another facilitator may have entered some)."""
        org, cycle = self.app.session.organisation, self.app.session.cycle
        stored = self.app.store.measures.of_cycle(org.id, cycle.id)
        for measure_id, entry in self.entries.items():
            entry.set_saved(stored.get(measure_id))
        self.update_tally()

    def update_tally(self) -> None:
        """How many figures are in, and which moved the wrong way: what the team should talk about first."""
        entered = [e for e in self.entries.values() if e.version > 0]
        worse = [e.measure.name for e in entered if e.moved == "worse"]
        text = f"{len(entered)} of {len(self.entries)} figures entered for this quarter."
        if worse:
            text += f" Worse than last quarter: {', '.join(worse)}."
        self.tally.value = html("<p class='wb-note' role='status'>{}</p>", text)

    def save(self, entry: MeasureInput) -> None:
        """Save (or remove) one figure; say what happened beside it."""
        app = self.app
        org, cycle = app.session.organisation, app.session.cycle
        measure = entry.measure
        text = entry.value.value.strip()
        if not text:
            if entry.version == 0:  # nothing stored and no figure typed: nothing to save yet
                if entry.note.value.strip():
                    entry.status.value = status_html("Not saved: type a figure first; the note is kept with it.",
                                                       "warn")
                return

            def remove() -> bool:
                return app.store.measures.delete(org.id, cycle.id, measure.id, expected_version=entry.version)

            if self._attempt(entry, remove):
                entry.set_saved(None)
                self.update_tally()
                self._done(entry, "Removed ✓")
            return
        try:
            measure.check_value(text)  # said at once, before a database round trip; the store checks again
        except InputError as error:
            entry.status.value = status_html(f"Not saved: {error}", "warn")
            return

        def store_it() -> MeasureValueRecord:
            return app.store.measures.set(org.id, cycle.id, measure.id, text, framework=app.framework,
                                          note=entry.note.value, by=app.by, expected_version=entry.version)

        saved = self._attempt(entry, store_it)
        if saved is not None:
            entry.set_saved(saved)
            self.update_tally()
            self._done(entry, "Saved ✓")

    def _attempt(self, entry: MeasureInput, save: Callable[[], T]) -> T | None:
        """Run one save with retries for a busy database; say beside the measure if it failed."""
        try:
            result = with_retries(save, "scorecard save")
        except StaleValueError as error:
            entry.set_saved(error.current)
            entry.status.value = status_html(f"Not saved: {error}", "warn")
            return None
        except StoreError:
            entry.status.value = status_html("Not saved: the workbook could not reach its database. "
                                               "Please try again in a moment.", "warn")
            return None
        except WorkbookError as error:
            entry.status.value = status_html(f"Not saved: {error}", "warn")
            return None
        return result

    def _done(self, entry: MeasureInput, done: str) -> None:
        """Say "Saved" last, once the trend beside the figure is up to date, so what the page shows agrees."""
        entry.status.value = status_html(done)
        self.app.saved_at.value = status_html(f"Everything saved at {time.strftime('%H:%M')}.")

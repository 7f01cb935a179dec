"""The demo's actions across past quarters (workbook/demo_actions.py), on their own.

The lead wires :func:`seed_demo_actions` into ``workbook demo``; here it runs on
an organisation with four cycles and must leave a history the workshop and
the report can show: some done, one carried quarter after quarter, one
dropped with a note, and the current cycle's carried actions left to review.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from workbook.demo_actions import seed_demo_actions
from workbook.errors import InputError
from workbook.framework import Framework
from workbook.store import Store, open_store
from workbook.workshop import Workshop
from workbook.workshop.history import action_threads, completion_by_cycle

CYCLES = ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with open_store(str(tmp_path / "demo.db")) as opened:
        opened.organisations.create("Demo Hotel", "demo", threshold=3, first_cycle=CYCLES[0])
        for label in CYCLES[1:]:
            opened.responses.open_cycle("demo", label)
        yield opened


def test_demo_actions_have_a_history_across_quarters(store: Store, framework: Framework) -> None:
    result = seed_demo_actions(store, "demo", CYCLES, framework=framework)
    assert result.created and result.dropped == 1 and result.done >= 2 and result.carried_again >= 1
    assert result.to_review == 2
    workshop = Workshop(store)
    rows = workshop.organisation_actions("demo")
    table = {r.cycle: (r.done, r.carried, r.dropped, r.open) for r in completion_by_cycle(rows, CYCLES)}
    assert table == {"2026-Q1": (1, 3, 0, 0), "2026-Q2": (1, 2, 1, 0), "2026-Q3": (1, 2, 0, 0),
                     "2026-Q4": (0, 0, 0, 2)}
    dropped = [a for _label, a in rows if a.status == "dropped"]
    assert len(dropped) == 1 and dropped[0].review_note and "booking system" in dropped[0].review_note
    current = store.responses.cycle("demo", "2026-Q4")
    to_review = workshop.carried_in(current.id)
    assert all(a.review is None for a in to_review)  # left for the workshop's review
    threads = action_threads(rows)
    greet = next(a for a in to_review if a.what.startswith("Greet"))
    assert threads[greet.id].cycles == tuple(CYCLES) and threads[greet.id].times_carried == 3


def test_running_it_again_changes_nothing(store: Store, framework: Framework) -> None:
    seed_demo_actions(store, "demo", CYCLES, framework=framework)
    before = Workshop(store).organisation_actions("demo")
    again = seed_demo_actions(store, "demo", CYCLES, framework=framework)
    assert not again.created and again.to_review == 2
    assert Workshop(store).organisation_actions("demo") == before


def test_it_needs_existing_cycles(store: Store, framework: Framework) -> None:
    with pytest.raises(InputError, match="open these cycles"):
        seed_demo_actions(store, "demo", ["2026-Q1", "2027-Q1"], framework=framework)
    with pytest.raises(InputError, match="at least two cycles"):
        seed_demo_actions(store, "demo", ["2026-Q1"], framework=framework)

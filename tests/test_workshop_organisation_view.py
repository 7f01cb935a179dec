"""The workshop's live panel: how we rate ourselves and the organisation, in whole batches, everyone only."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from workbook.framework import Framework
from workbook.people_csv import PersonRow
from workbook.store import Store, open_store
from workbook.workshop.organisation_view import live_self_and_organisation, self_and_organisation_html


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with open_store(str(tmp_path / "w.db")) as opened:
        opened.organisations.create("Harbour", "hv", threshold=3, first_cycle="2026-Q4")
        opened.people.import_rows("hv", [
            PersonRow(f"P{i}", f"p{i}@example.org", "leader" if i < 2 else "staff", "Desk") for i in range(7)
        ])
        yield opened


def submit(store: Store, framework: Framework, email: str, own: int, organisation: int) -> None:
    person = store.people.get("hv", email)
    cycle = store.responses.cycle("hv")
    for statement in framework.statements:
        rating = organisation if statement.about_organisation else own
        rating = 6 - rating if statement.reverse else rating
        store.responses.save_answer(person.id, cycle.id, statement.id, rating, framework=framework)
    store.responses.submit(person.id, cycle.id, framework=framework)


def test_shown_in_whole_batches_for_everyone_only(store: Store, framework: Framework) -> None:
    org, cycle = store.organisations.get("hv"), store.responses.cycle("hv")
    for i in range(2):
        submit(store, framework, f"p{i}@example.org", 5, 2)
    assert live_self_and_organisation(store, framework, org, cycle)[1] is None  # fewer than a batch
    assert self_and_organisation_html(store, framework, org, cycle) == ""
    submit(store, framework, "p2@example.org", 4, 3)
    _, gaps = live_self_and_organisation(store, framework, org, cycle)
    assert gaps is not None
    assert set(gaps.table["group"]) == {"All respondents"}  # never leaders vs staff here
    row = gaps.table[gaps.table["value_id"] == "A"].iloc[0]
    assert (float(row["self_mean"]), float(row["organisation_mean"])) == pytest.approx((14 / 3, 7 / 3))
    for i in range(3, 5):  # two more: still the first batch of 3
        submit(store, framework, f"p{i}@example.org", 1, 5)
    _, same = live_self_and_organisation(store, framework, org, cycle)
    assert same is not None and same.table.equals(gaps.table)
    html = self_and_organisation_html(store, framework, org, cycle)
    assert "How we rate ourselves and the organisation" in html and "<svg" in html
    assert "The widest difference is on Accountable (+2.3)" in html


def test_nothing_for_a_cycle_answered_before_the_organisation_statements(store: Store,
                                                                        framework: Framework) -> None:
    old = framework.edition("1.0.0")
    org, cycle = store.organisations.get("hv"), store.responses.cycle("hv")
    for i in range(3):
        submit(store, old, f"p{i}@example.org", 4, 4)
    edition, gaps = live_self_and_organisation(store, framework, org, cycle)
    assert edition.version == "1.0.0" and gaps is None
    assert self_and_organisation_html(store, framework, org, cycle) == ""

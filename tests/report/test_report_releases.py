"""Two versions of one cycle's report, made as answers come in, never differ by a few people per group.

Threshold 5; teams A and B.  Version 1: A (5), B (5).  Five more submit (one in A, four in
B): a second version showing A (6) would give the sixth person's scores as 6 x A(v2) - 5 x A(v1),
so those answers are not counted yet and the note says why.  Once A and B have each grown by
five, everything counts again.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from report_helpers import STAFF, cli_runner_invoke

from workbook.framework import Framework
from workbook.people_csv import PersonRow
from workbook.report.figures import report_figures
from workbook.report.model import load_report
from workbook.store import Store, open_store

PEOPLE = [(f"a{i}", "A") for i in range(10)] + [(f"b{i}", "B") for i in range(10)]


@pytest.fixture
def growing(tmp_path: Path, framework: Framework) -> Iterator[tuple[str, Store]]:
    db = str(tmp_path / "growing.db")
    with open_store(db) as store:
        store.organisations.create("Growing", "growing", threshold=5)
        store.people.import_rows("growing", [PersonRow(n, f"{n}@growing.example", "staff", t) for n, t in PEOPLE])
        yield db, store


def submit(store: Store, framework: Framework, names: Sequence[str]) -> None:
    cycle = store.responses.cycle("growing")
    people = {p.email.split("@")[0]: p for p in store.people.list("growing")}
    low, high = framework.scale.minimum, framework.scale.maximum
    for offset, name in enumerate(names):
        person = people[name]
        for statement in framework.statements:
            wanted = (STAFF[framework.value_of_statement(statement.id).id] + offset + len(name)) % 5 + 1
            rating = low + high - wanted if statement.reverse else wanted
            store.responses.save_answer(person.id, cycle.id, statement.id, rating, framework=framework)
        store.responses.submit(person.id, cycle.id, framework=framework)


def version(store: Store, framework: Framework) -> dict[str, object]:
    return report_figures(load_report("growing", store=store, framework=framework, release=True))


def shown(figures: dict[str, object]) -> dict[str, int]:
    return {str(g["label"]): int(g["people"]) for g in figures["groups"]}  # type: ignore[attr-defined]


def test_team_a_five_then_six(growing: tuple[str, Store], framework: Framework) -> None:
    _, store = growing
    submit(store, framework, [f"a{i}" for i in range(5)] + [f"b{i}" for i in range(5)])
    first = version(store, framework)
    assert shown(first) == {"All respondents": 10, "A": 5, "B": 5}
    assert len(store.releases.for_cycle(store.responses.cycle("growing").id)) == 1

    submit(store, framework, ["a5", "b5", "b6", "b7", "b8"])  # a whole batch: A +1, B +4
    second = version(store, framework)
    assert shown(second) == {"All respondents": 10, "A": 5, "B": 5}  # not A (6), B (9)
    assert second["groups"] == first["groups"]  # the same people, so the same figures
    assert second["submitted"] == 15 and second["respondents"] == 10
    notes = " ".join(second["notes"])  # type: ignore[arg-type]
    assert "The newest answers in A (fewer than 5 since the report of" in notes
    assert "The newest answers in B (fewer than 5 since the report of" in notes
    # the same data again: the same figures, and nothing new recorded
    assert version(store, framework) == second
    assert len(store.releases.for_cycle(store.responses.cycle("growing").id)) == 1

    submit(store, framework, ["a6", "a7", "a8", "a9", "b9"])  # now A +5 and B +5 since version 1
    third = version(store, framework)
    assert shown(third) == {"All respondents": 20, "A": 10, "B": 10}
    assert not any("newest answers" in n for n in third["notes"])  # type: ignore[attr-defined]
    assert len(store.releases.for_cycle(store.responses.cycle("growing").id)) == 2


def test_a_dry_run_records_nothing(growing: tuple[str, Store], framework: Framework) -> None:
    _, store = growing
    submit(store, framework, [f"a{i}" for i in range(5)] + [f"b{i}" for i in range(5)])
    report_figures(load_report("growing", store=store, framework=framework))
    assert store.releases.for_cycle(store.responses.cycle("growing").id) == ()


def test_json_records_a_release_and_repeats_itself(growing: tuple[str, Store], framework: Framework,
                                                   tmp_path: Path) -> None:
    db, store = growing
    submit(store, framework, [f"a{i}" for i in range(5)] + [f"b{i}" for i in range(5)])
    files = [tmp_path / f"v{i}.json" for i in range(3)]
    for path in files[:1]:
        result = cli_runner_invoke(["--db", db, "report", "growing", "--json", str(path)])
        assert result.exit_code == 0, result.output
    submit(store, framework, ["a5", "b5", "b6", "b7", "b8"])
    for path in files[1:]:
        result = cli_runner_invoke(["--db", db, "report", "growing", "--json", str(path)])
        assert result.exit_code == 0, result.output
    first, second, _ = (json.loads(p.read_text(encoding="utf-8")) for p in files)
    assert second["groups"] == first["groups"]
    assert any("The newest answers in A (fewer than 5" in n for n in second["notes"])
    assert files[1].read_bytes() == files[2].read_bytes()
    assert len(store.releases.for_cycle(store.responses.cycle("growing").id)) == 1

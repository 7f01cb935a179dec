"""A cycle answered before the statements about the organisation reports exactly as it did.

The golden files were written by the code before framework 1.1.0
(``tests/report/old_cycle.py``); here today's code, with today's framework
file, reports the same stored answers.  Every byte must match: the figures
(``report --json``), and the text of every section (the appendix's date line
aside).  A cycle answered under 1.1.0 gets the new section and figures, and a
cycle where only some people had the new statements reports them with the
others counted as "don't know".
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from old_cycle import CYCLE, ORG, answer_old_cycle, report_outputs

from workbook.framework import load_framework
from workbook.store import Store

GOLDEN = Path(__file__).resolve().parents[1] / "golden"


@pytest.fixture
def store(tmp_path: Path) -> Store:
    from workbook.store import open_store

    opened = open_store(f"sqlite:///{tmp_path}/cycles.db")
    yield opened  # type: ignore[misc]
    opened.close()


def test_an_old_cycle_reports_byte_for_byte_as_before(store: Store) -> None:
    framework = load_framework()
    assert framework.version == "1.1.0"  # today's file has the statements about the organisation
    answer_old_cycle(store, framework.edition("1.0.0"))  # what the app stored before them
    figures, texts = report_outputs(store)
    # The golden file was written by the code before the statements about the organisation
    # (figures format 2). The format has gained keys since (3: "trends", null without trends; 4: "glance"
    # and "scorecard");
    # every figure of the old cycle must be the same, and the report's text byte for byte.
    from workbook.report.figures import FIGURES_VERSION

    now, before = json.loads(figures), json.loads((GOLDEN / "old_cycle_report.json").read_text(encoding="utf-8"))
    assert now.pop("figures_version") == FIGURES_VERSION and before.pop("figures_version") == 2
    assert now.pop("trends") is None  # one cycle: nothing to compare with
    # 4: the "Quarter at a glance" page, here with no customer measures entered.
    assert now.pop("scorecard") == {"cycles": [now["cycle"]], "measures": []}
    assert now.pop("glance")["promises"] == []
    assert now == before
    # The text golden was rewritten once from the 1.0.0 edition when the report's wording changed on purpose
    # (issue #15 part 2: one obstacle story, plain anonymity lines, next steps from the data); the figures
    # golden above is still the one the code before framework 1.1.0 wrote, and nothing in it changed.
    assert texts == (GOLDEN / "old_cycle_sections.txt").read_text(encoding="utf-8")
    assert "self_and_organisation" not in json.loads(figures)
    assert "version 1.0.0" in texts


def test_a_new_cycle_gets_the_organisation_figures(store: Store) -> None:
    from workbook.report import sections
    from workbook.report.model import load_report

    framework = load_framework()
    answer_old_cycle(store, framework)  # everyone answers all 35 statements
    report = load_report(ORG, store=store)
    assert report.framework.version == "1.1.0"
    figures = json.loads(report_outputs(store)[0])
    # The value figures do not move: the statements about the organisation are scored apart.
    golden = json.loads((GOLDEN / "old_cycle_report.json").read_text(encoding="utf-8"))
    assert figures["groups"] == golden["groups"] and figures["leaders_and_staff"] == golden["leaders_and_staff"]
    assert figures["distribution"] == golden["distribution"]
    everyone = figures["self_and_organisation"][0]
    assert everyone["kind"] == "everyone"
    # report_helpers answers the organisation statements with the same intended score per value and
    # role as the statements about oneself, so every gap is zero and both sides have all 12 people.
    for value_id, cell in everyone["values"].items():
        assert cell["people_self"] == cell["people_organisation"] == 12, value_id
        assert cell["difference"] == pytest.approx(0.0), value_id
    section = sections.self_and_organisation(report)
    assert section is not None and section.text.startswith("How we rate ourselves and the organisation")
    assert CYCLE in sections.cover(report).text


def test_people_who_answered_before_the_change_count_as_dont_know(store: Store) -> None:
    """Half the people began under 1.0.0: they submit without the new statements and add nothing to them."""
    from workbook.people_csv import PersonRow
    from workbook.report.model import load_report

    framework = load_framework()
    old = framework.edition("1.0.0")
    store.organisations.create("Mixed", "mixed", threshold=3, first_cycle=CYCLE)
    store.people.import_rows("mixed", [PersonRow(f"P{i}", f"p{i}@mixed.example", "staff", "Floor")
                                       for i in range(6)])
    cycle = store.responses.cycle("mixed")
    for index, person in enumerate(sorted(store.people.list("mixed"), key=lambda p: p.email)):
        edition = old if index < 3 else framework
        for statement in edition.statements:
            rating = 2 if statement.about_organisation else 4
            rating = 6 - rating if statement.reverse else rating
            store.responses.save_answer(person.id, cycle.id, statement.id, rating, framework=edition)
        store.responses.submit(person.id, cycle.id, framework=framework)  # today's app: not asked for the new ones
    report = load_report("mixed", store=store)
    assert report.framework.version == "1.1.0"
    gaps = report.self_and_organisation
    assert gaps is not None
    row = gaps.table[(gaps.table["value_id"] == "A")].iloc[0]
    assert int(row["n_self"]) == 6 and int(row["n_organisation"]) == 3
    assert float(row["self_mean"]) == 4.0 and float(row["organisation_mean"]) == 2.0
    assert float(row["gap"]) == 2.0

"""The recovery log per quarter: four catalogue measures, imported, listed and reported like the others.

``workbook measures import`` takes the log's rows with the same rules as any
measure: the whole file checked first, every bad row listed by number with one
line, nothing imported until all are right, the same file twice changes
nothing, and a formula-looking note goes out safe.  The demo has four
quarters of the log and a playbook refined each quarter.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from workbook.cli import cli
from workbook.framework import Framework
from workbook.store import open_store

LOG = """cycle,measure,value,note
2026-Q1,recovery-count,24,recovery log
2026-Q1,recovery-followed-up,46,
2026-Q1,recovery-rating,6.1,
2026-Q1,recovery-buy-again,58,
2026-Q2,recovery-count,21,
2026-Q2,recovery-followed-up,62 %,
2026-Q2,recovery-rating,6.8,"=HYPERLINK(""http://evil"")"
2026-Q2,recovery-buy-again,65,
"""


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = str(tmp_path / "log.db")
    assert run(path, "org", "create", "Acme Hotels", "--id", "acme", "--cycle", "2026-Q1").exit_code == 0
    assert run(path, "cycle", "open", "acme", "2026-Q2", "--yes").exit_code == 0
    return path


def run(db: str, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--db", db, *args], catch_exceptions=False)


def write(tmp_path: Path, content: str) -> str:
    path = tmp_path / "log.csv"
    path.write_text(content, encoding="utf-8")
    return str(path)


def test_the_log_imports_once_and_lists_with_the_scorecard(db: str, tmp_path: Path) -> None:
    file = write(tmp_path, LOG)
    first = run(db, "measures", "import", "acme", file)
    assert first.exit_code == 0, first.output
    assert first.stdout.strip() == f"{file}: 8 values read; 8 added, 0 changed, 0 unchanged."
    again = run(db, "measures", "import", "acme", file)
    assert again.stdout.strip() == f"{file}: 8 values read; 0 added, 0 changed, 8 unchanged."
    lines = {line.split()[0]: line.split() for line in run(db, "measures", "list", "acme").stdout.splitlines()[1:]}
    assert lines["recovery-count"][2:] == ["24", "21", "-3"]  # fewer failures to put right: not "worse"
    assert lines["recovery-followed-up"][2:5] == ["46", "62", "+16"]
    assert lines["recovery-rating"][3:6] == ["6.1", "6.8", "+0.7"]
    exported = run(db, "measures", "export", "acme").stdout
    assert "'=HYPERLINK" in exported  # the note goes out formula-safe


def test_a_bad_log_is_refused_whole_with_every_row_listed(db: str, tmp_path: Path) -> None:
    bad = LOG + ("2026-Q2,recovery-rating,11,\n"        # row 10: out of 1-10, and a repeat of row 8
                 "2026-Q3,recovery-count,3,\n"          # row 11: no such cycle
                 "2026-Q1,recovery-count,2.5,\n"        # row 12: a count is whole (and a repeat)
                 "2026-Q1,recovery-buy-again,120,\n")   # row 13: over 100 %
    result = run(db, "measures", "import", "acme", write(tmp_path, bad))
    assert result.exit_code == 2
    first, *rows = result.stderr.strip().splitlines()
    assert "row 10: Follow-up rating of recoveries: 11 is out of range; enter a number from 1 to 10" in first
    assert "(and 3 more); nothing was imported" in first
    assert [r.split(":")[0].strip() for r in rows] == ["row 10", "row 11", "row 12", "row 13"]
    assert "unknown cycle '2026-Q3'" in rows[1] and "is not a whole number" in rows[2]
    assert "120 is out of range" in rows[3]
    assert run(db, "measures", "list", "acme").stdout.startswith("Acme Hotels has no measure values yet")


def test_the_demo_has_a_playbook_refined_each_quarter_and_four_quarters_of_log(tmp_path: Path,
                                                                              framework: Framework) -> None:
    from workbook.demo import seed_demo
    from workbook.measures.scorecard import scorecard
    from workbook.report.glance import glance_fragment
    from workbook.report.hooks import workshop_fragment
    from workbook.workshop.playbook import Playbook

    with open_store(str(tmp_path / "demo.db")) as store:
        seed_demo(store)
        cycles = store.responses.cycles("demo")
        assert len(cycles) == 4
        plays = [Playbook(store).plays(c.id) for c in cycles]
        assert [len(p) for p in plays] == [3, 4, 4, 4]
        room = [next(p for p in quarter if p.failure.startswith("The room is not ready")) for quarter in plays]
        assert [r.limit for r in room] == [15, 25, 25, 25]
        assert room[-1].speed == "Room ready, or another room, within 20 minutes"
        assert all(later.carried_from_id is not None for later in room[1:])
        card = scorecard(store, "demo", framework)
        for measure in ("recovery-count", "recovery-followed-up", "recovery-rating", "recovery-buy-again"):
            assert [card.value(measure, c.label) for c in cycles] == [
                card.value(measure, c.label) for c in cycles if card.value(measure, c.label) is not None]
        assert card.value("recovery-rating", cycles[-1].label) == 8.2
        glance = glance_fragment(store, "demo", cycles[-1].label, framework)
        assert glance is not None and "Recoveries followed up: 88 % (last 78 %" in glance.text
        workshop = workshop_fragment(store, "demo", cycles[-1].id)
        assert workshop is not None
        assert "service recovery playbook for this quarter: 4 common failures" in workshop.text
        assert "up to £25 without asking" in workshop.html
        first = workshop_fragment(store, "demo", cycles[0].id)
        assert first is not None and "up to £15 without asking" in first.html  # an old quarter shows its own


def test_a_report_of_a_store_without_a_playbook_says_nothing_of_it(tmp_path: Path) -> None:
    from workbook.report.hooks import workshop_fragment

    with open_store(str(tmp_path / "none.db")) as store:
        store.organisations.create("Acme", "acme")
        assert workshop_fragment(store, "acme", store.responses.cycle("acme").id) is None



"""``workbook report ORG --json FILE`` and the issue's two routes to one person's answers.

``issue`` (threshold 5): team E is 6 leaders; team A's only member, Ann, is a
leader with answers of her own; B, C and D are staff.  Route 1: "Leaders (7)"
next to "Team E (6)" gives her answers as 7 x leaders - 6 x team E.  Route 2:
re-import her into team E and report again, then compare.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from report_helpers import LEADER, Member, cli_runner_invoke, make_org, team_members

from workbook.framework import Framework
from workbook.people_csv import PersonRow
from workbook.report.figures import report_figures
from workbook.report.model import load_report
from workbook.store import Store, open_store
from workbook.workshop import Workshop
from workbook.workshop.live import participation

ANN = {"A": 1, "E": 2, "I": 1, "O": 2, "U": 1}
ISSUE = [
    *team_members("E", ["leader"] * 6, "e"),
    Member("ann", "leader", "A", ANN),
    *team_members("B", ["staff"] * 5, "b"),
    *team_members("C", ["staff"] * 8, "c"),
    *team_members("D", ["staff"] * 10, "d"),  # 30 in all: whole batches of 5, so everyone counts
]


@pytest.fixture
def issue_db(tmp_path: Path, framework: Framework) -> Iterator[tuple[str, Store]]:
    db = str(tmp_path / "issue.db")
    with open_store(db) as store:
        make_org(store, framework, "issue", ISSUE, threshold=5)
        yield db, store


def _shown(figures: dict[str, object]) -> dict[str, int]:
    return {str(g["label"]): int(g["people"]) for g in figures["groups"]}  # type: ignore[attr-defined]


def test_leaders_and_team_e_are_not_shown_together(issue_db: tuple[str, Store], framework: Framework) -> None:
    _, store = issue_db
    figures = report_figures(load_report("issue", store=store, framework=framework))
    shown = _shown(figures)
    assert not (shown.get("Leaders") == 7 and shown.get("E") == 6)
    assert shown == {"All respondents": 30, "B": 5, "C": 8, "D": 10, "Other teams": 7, "Leaders": 7, "Staff": 23}
    pool = next(g for g in figures["groups"] if g["label"] == "Other teams")  # type: ignore[attr-defined]
    assert pool["teams"] == ["A", "E"]
    # nothing shown equals Ann: every shown leaders' figure is the mean of 7 people
    leaders = next(g for g in figures["groups"] if g["label"] == "Leaders")  # type: ignore[attr-defined]
    expected = (6 * np.array([LEADER[v] for v in "AEIOU"]) + np.array([ANN[v] for v in "AEIOU"])) / 7
    assert [leaders["values"][v]["mean"] for v in "AEIOU"] == pytest.approx(expected.tolist())


def test_reimport_into_team_e_moves_nothing(issue_db: tuple[str, Store], framework: Framework) -> None:
    """Route 2: her answers stay under team A (her team when she submitted), in every view."""
    db, store = issue_db
    workshop = Workshop(store)
    cycle = store.responses.cycle("issue")
    before = report_figures(load_report("issue", store=store, framework=framework))
    progress_before = participation(workshop.team_progress("issue", cycle.id), 5)

    summary = store.people.import_rows("issue", [PersonRow("ann", "ann@issue.example", "leader", "E")])
    assert summary.updated == 1
    assert store.people.get("issue", "ann@issue.example").team == "E"

    after = report_figures(load_report("issue", store=store, framework=framework))
    assert after["groups"] == before["groups"]
    assert after["notes"] == before["notes"]
    assert participation(workshop.team_progress("issue", cycle.id), 5) == progress_before
    counts = {t.team: (t.people, t.submitted) for t in workshop.team_progress("issue", cycle.id)}
    assert counts["A"] == (1, 1) and counts["E"] == (6, 6)

    # the same through the command line, as anyone checking from outside would get it
    out = Path(db).with_name("issue.json")
    result = cli_runner_invoke(["--db", db, "report", "issue", "--json", str(out)], env={"WORKBOOK_DB": ""})
    assert result.exit_code == 0, result.stderr
    assert "written to" in result.stdout
    assert json.loads(out.read_text(encoding="utf-8"))["groups"] == before["groups"]


def test_json_option_needs_exactly_one_organisation(issue_db: tuple[str, Store]) -> None:
    db, _ = issue_db
    for args in (["--all"], ["issue", "issue"], ["issue", "--pdf"]):
        result = cli_runner_invoke(["--db", db, "report", *args, "--json", "-"], env={"WORKBOOK_DB": ""})
        assert result.exit_code == 2
        assert result.stderr.startswith("workbook: error: --json")
    result = cli_runner_invoke(["--db", db, "report", "nobody", "--json", "-"], env={"WORKBOOK_DB": ""})
    assert result.exit_code == 2 and "no organisation" in result.stderr
    result = cli_runner_invoke(["--db", db, "report", "issue", "--json", "-"], env={"WORKBOOK_DB": ""})
    assert result.exit_code == 0 and json.loads(result.stdout)["organisation"] == "issue"

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


# ----------------------------------------------------------------- a higher report threshold

def _six_people(store: Store, framework: Framework, submitted: int) -> None:
    """Threshold 5; ``submitted`` people answer, each with ratings of their own (so averages differ)."""
    members = [Member(f"p{i}", "staff", "Only", {v: 1 + (i * 3 + j) % 5 for j, v in enumerate("AEIOU")})
               for i in range(submitted)]
    make_org(store, framework, "six", members, threshold=5)


def _everyone_figures(store: Store, framework: Framework, report_threshold: int) -> dict[str, tuple[int, dict]]:
    """Every "everyone" figure a viewer can see: the report's, a respondent's results page, the live profile."""
    from workbook.values import EVERYONE, Respondent, personal_results
    from workbook.workshop.live import live_profile

    organisation = store.organisations.get("six")
    cycle = store.responses.cycle("six")
    names = {v.id: v.name for v in framework.values}
    shown: dict[str, tuple[int, dict]] = {}
    figures = json.loads(json.dumps(report_figures(load_report("six", threshold=report_threshold, store=store,
                                                               framework=framework))))
    for group in figures["groups"]:
        if group["kind"] == "everyone":
            shown["report"] = (group["people"], {names[v]: c["mean"] for v, c in group["values"].items() if c})
    person = store.people.list("six")[0]
    results = personal_results(store, framework, Respondent(person, organisation, cycle))
    rows = results.chart_data[results.chart_data["series"] == EVERYONE]
    if not rows.empty:
        counted = answers_counted(store, framework)
        shown["results page"] = (counted, dict(zip(rows["value"], rows["score"], strict=True)))
    profile = live_profile(store, framework, organisation, cycle)
    if not profile.chart_data.empty:
        shown["live profile"] = (profile.counted, dict(zip(profile.chart_data["value"], profile.chart_data["score"],
                                                           strict=True)))
    return shown


def answers_counted(store: Store, framework: Framework) -> int:
    from workbook.dataset import answers_in_whole_batches

    cycle = store.responses.cycle("six")
    return answers_in_whole_batches(store, framework, "six", cycle.id, 5).counted


@pytest.mark.parametrize(("submitted", "report_threshold"), [(6, 6), (6, 5), (9, 7), (10, 6), (12, 8)])
def test_a_higher_report_threshold_counts_the_same_people_as_the_live_views(
        tmp_path: Path, framework: Framework, submitted: int, report_threshold: int) -> None:
    """Threshold 5, 6 submitted, ``report --threshold 6``: 6 x report - 5 x results page was person 6.

    Every view counts the first whole batches of the organisation's threshold (all
    are prefixes of one submission order), so no two "everyone" figures shown may
    differ by 1 to 4 people; a higher report threshold only hides more.
    """
    with open_store(str(tmp_path / "six.db")) as store:
        _six_people(store, framework, submitted)
        shown = _everyone_figures(store, framework, report_threshold)
    assert "results page" in shown and "live profile" in shown
    sizes = {view: people for view, (people, _) in shown.items()}
    for first, a in sizes.items():
        for second, b in sizes.items():
            assert not 0 < abs(a - b) < 5, f"{first} ({a}) and {second} ({b}) differ by fewer than 5 people"
    if "report" in shown:  # same people, so the same averages
        assert sizes["report"] == sizes["results page"]
        assert shown["report"][1] == pytest.approx(shown["results page"][1])
        assert sizes["report"] >= report_threshold
    if submitted == 6 and report_threshold == 6:
        assert "report" not in shown  # 5 counted: fewer than the report's 6


@pytest.mark.parametrize(("submitted", "report_threshold", "expected"), [
    (6, 6, "This report shows results once the answers of at least 6 people can be counted, so that nobody's "
           "answers can be picked out; 5 can be so far"),
    (12, 8, "The results count the first 10 of them, to keep everyone's answers private"),
])
def test_the_report_says_it_counts_groups_of_the_organisations_threshold(
        tmp_path: Path, framework: Framework, submitted: int, report_threshold: int, expected: str) -> None:
    with open_store(str(tmp_path / "six.db")) as store:
        _six_people(store, framework, submitted)
        report = load_report("six", threshold=report_threshold, store=store, framework=framework)
        assert expected in " ".join(report.summary.sentences)
        assert f"Only {submitted} people" not in " ".join(report.summary.sentences)
        if report.enough:
            from workbook.report.sections import method

            assert "the first to submit in whole groups of 5," in method(report).text

"""The workshop's results: summary, live panel rules, CSV export, HTML and the chart.

Mostly pure functions over frozen records, so most tests need no database.
"""

from __future__ import annotations

import base64
import csv
import io
import math
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

import workbook.workshop as workshop_api
from workbook.framework import Framework
from workbook.people_csv import PersonRow
from workbook.store import CycleRecord, Store, open_store
from workbook.workshop import (
    ActionRecord,
    ObstacleRecord,
    PracticeRatingRecord,
    StepEvidenceRecord,
    TeamProgress,
    WorkshopState,
    maturity_chart,
    maturity_frame,
    summarise,
)
from workbook.workshop.export import ACTION_HEADER, action_rows, actions_csv, csv_data_uri, write_actions_csv
from workbook.workshop.html import actions_table_html, download_link_html, obstacles_html, participation_html
from workbook.workshop.live import live_profile, participation, still_to_submit
from workbook.workshop.summary import maturity_label

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


def rating(practice_id: str, value: int | None, note: str | None = None) -> PracticeRatingRecord:
    return PracticeRatingRecord(7, practice_id, value, note, 1, NOW, None)


def action(action_id: int, step_id: str, what: str, owner: str = "Sam", status: str = "open",
           due: date | None = None) -> ActionRecord:
    return ActionRecord(action_id, 7, step_id, what, owner, due, status, 1, NOW, NOW, "Alex")  # type: ignore[arg-type]


def state(ratings: list[PracticeRatingRecord] = (), obstacles: list[tuple[str, str]] = (),  # type: ignore[assignment]
          actions: list[ActionRecord] = (), evidence: dict[str, str] | None = None) -> WorkshopState:  # type: ignore[assignment]
    return WorkshopState(
        7, {r.practice_id: r for r in ratings},
        {k: StepEvidenceRecord(7, k, v, 1, NOW, None) for k, v in (evidence or {}).items()},
        tuple(ObstacleRecord(7, s, o, None, NOW, None) for s, o in obstacles), tuple(actions))


# --- the public API -----------------------------------------------------------------------------
def test_public_api_names_resolve() -> None:
    for name in workshop_api.__all__:
        assert getattr(workshop_api, name) is not None, name
    with pytest.raises(AttributeError):
        workshop_api.nothing_here  # noqa: B018


# --- summary ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(("mean", "label"), [
    (None, None), (math.nan, None), (1.0, "Not started"), (2.49, "Early days"), (2.5, "In places"),
    (3.5, "Well established"), (4.5, "Second nature"), (5.0, "Second nature"),
])
def test_maturity_words_round_half_up(framework: Framework, mean: float | None, label: str | None) -> None:
    assert maturity_label(framework.scale, mean) == label


def test_summary_gives_maturity_obstacles_and_actions_per_step_in_order(framework: Framework) -> None:
    summary = summarise(framework, state(
        ratings=[rating("DC1", 4), rating("DC2", 3), rating("DC3", None), rating("OLD9", 1), rating("PM1", 5)],
        obstacles=[("deliberate-culture", "resources"), ("deliberate-culture", "alignment"),
                   ("brand-experiences", "clarity")],
        actions=[action(2, "brand-experiences", "Map touch points"), action(1, "deliberate-culture", "Hire")],
        evidence={"deliberate-culture": "Interview notes"},
    ), organisation_id="hv", cycle_label="2026-Q4")
    assert [s.step_id for s in summary.steps] == [s.id for s in framework.steps]
    culture, human, memories, _brand = summary.steps
    assert culture.mean == pytest.approx(3.5) and culture.maturity_label == "Well established"
    assert culture.rated == 2 and len(culture.practices) == len(framework.steps[0].practices)
    assert culture.practices[0].maturity_label == "Well established"  # 4
    assert culture.evidence == "Interview notes"
    assert culture.title == "1 · D · Deliberate culture"
    assert culture.reward_name == framework.reward(framework.steps[0].reward).name
    # Framework order for obstacles; "likely" where the framework says the obstacle threatens the step.
    assert [(o.obstacle_id, o.likely) for o in culture.obstacles] == [("alignment", True), ("resources", False)]
    assert human.mean is None and human.maturity_label is None and human.rated == 0
    assert memories.mean == 5.0
    assert [(s.step_id, a.what) for s, a in summary.actions] == [
        ("deliberate-culture", "Hire"), ("brand-experiences", "Map touch points")]
    assert [o.obstacle_id for _s, o in summary.obstacles_found] == ["alignment", "resources", "clarity"]
    assert summary.rated_steps == (culture, memories)
    assert (summary.scale_min_label, summary.scale_max_label) == ("Not started", "Second nature")


def test_maturity_chart_is_offline_svg_with_a_description(framework: Framework) -> None:
    from workbook.charts import to_svg

    assert maturity_chart(summarise(framework, state(), organisation_id="hv", cycle_label="Q")) is None
    summary = summarise(framework, state(ratings=[rating("DC1", 2), rating("HC1", 5)]), organisation_id="hv",
                        cycle_label="Q")
    frame = maturity_frame(summary)
    assert list(frame["step"]) == [s.title for s in summary.steps]
    assert frame["score"].isna().sum() == 2
    chart = maturity_chart(summary)
    assert chart is not None
    spec = chart.to_dict()
    assert "Deliberate culture 2.0 (Early days, 1 of 5 practices rated)" in spec["description"]
    assert "Brand experiences not rated yet" in spec["description"]
    svg = to_svg(chart)
    assert svg.startswith("<svg") and "Maturity by DIME™ step" in svg and "aria-label" in svg[:600]
    assert "not rated yet" in svg and "1 = Not started, 5 = Second nature" in svg
    assert "http" not in svg.replace("http://www.w3.org", "")


# --- live panel ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("count", "threshold", "words"), [
    (0, 5, "everyone has submitted"), (-1, 5, "everyone has submitted"), (1, 5, "fewer than 5 still to submit"),
    (4, 5, "fewer than 5 still to submit"), (5, 5, "5 still to submit"), (12, 3, "12 still to submit"),
])
def test_small_gaps_are_never_given_exactly(count: int, threshold: int, words: str) -> None:
    assert still_to_submit(count, threshold) == words


def test_participation_shows_submitted_counts_and_safe_gaps() -> None:
    progress = participation((TeamProgress("Front Desk", 9, 8), TeamProgress("Kitchen", 6, 0)), 5)
    assert progress.submitted == 8 and progress.still_to_submit == "7 still to submit"
    assert progress.teams == (("Front Desk", 8, "fewer than 5 still to submit"), ("Kitchen", 0, "6 still to submit"))
    shown = participation_html(progress)
    assert "<strong>8</strong> people have submitted" in shown and "fewer than 5 still to submit" in shown
    assert ">9<" not in shown  # team sizes are not shown (size - submitted = the exact gap)
    assert "Nobody has been invited" in participation_html(participation((), 5))


def test_participation_lists_only_teams_at_the_threshold() -> None:
    """The issue's case: "Team A: 1 submitted" for a team of one tells the room she has answered."""
    progress = participation((TeamProgress("A", 1, 1), TeamProgress("B", 5, 2), TeamProgress("C", 8, 6),
                              TeamProgress("E", 6, 6)), 5)
    assert [team for team, _, _ in progress.teams] == ["C", "E", "Other teams"]
    assert progress.teams[-1] == ("Other teams", 3, "fewer than 5 still to submit")  # A and B together
    assert progress.submitted == 15
    assert progress.notes == ("'Other teams' counts A and B together, so that no team of fewer than 5 people "
                              "is shown on its own.",)
    shown = participation_html(progress)
    assert ">A<" not in shown and "counts A and B together" in shown
    # no team big enough to stand alone: only the total, and why
    alone = participation((TeamProgress("A", 1, 1), TeamProgress("B", 9, 3)), 5)
    assert alone.teams == () and alone.submitted == 4
    assert "not shown by team" in participation_html(alone) and "<table" not in participation_html(alone)
    # fewer people invited than the threshold: not even the total
    few = participation((TeamProgress("A", 2, 1), TeamProgress("B", 1, 1)), 5)
    assert not few.counted and few.teams == ()
    html = participation_html(few)
    assert "number who have submitted is not shown" in html and "<strong>" not in html


@pytest.fixture
def small_org(tmp_path: Path) -> Iterator[tuple[Store, CycleRecord]]:
    with open_store(str(tmp_path / "live.db")) as store:
        store.organisations.create("Small & Co", "small", threshold=3)
        store.people.import_rows("small", [
            PersonRow(f"Person {i}", f"p{i}@example.org", "staff", "Desk" if i < 4 else "Kitchen") for i in range(7)])
        yield store, store.responses.cycle("small")


def _submit(store: Store, framework: Framework, cycle: CycleRecord, index: int, value: int) -> None:
    person = store.people.get("small", f"p{index}@example.org")
    for statement in framework.statements:
        store.responses.save_answer(person.id, cycle.id, statement.id, value, framework=framework)
    store.responses.submit(person.id, cycle.id, framework=framework)


def test_live_profile_moves_only_in_whole_batches(small_org: tuple[Store, CycleRecord], framework: Framework) -> None:
    store, cycle = small_org
    organisation = store.organisations.get("small")
    empty = live_profile(store, framework, organisation, cycle)
    assert not empty.shown and "nobody has so far" in empty.notes[0]
    for index in range(2):
        _submit(store, framework, cycle, index, 5)
    early = live_profile(store, framework, organisation, cycle)
    assert not early.shown and early.counted == 0 and "fewer than 3 have so far" in early.notes[0]
    _submit(store, framework, cycle, 2, 5)
    first = live_profile(store, framework, organisation, cycle)
    assert first.shown and first.counted == 3
    before = dict(zip(first.chart_data["value"], first.chart_data["score"], strict=True))
    _submit(store, framework, cycle, 3, 1)  # one more person with very different answers
    after = live_profile(store, framework, organisation, cycle)
    assert after.submitted == 4 and after.counted == 3
    assert dict(zip(after.chart_data["value"], after.chart_data["score"], strict=True)) == before
    assert any("counts 3 of the 4 people" in note and "grows 3 people at a time" in note for note in after.notes)
    assert not any("worked out" in note for note in after.notes)  # plain words on the projector
    for index in (4, 5):
        _submit(store, framework, cycle, index, 1)
    batch_two = live_profile(store, framework, organisation, cycle)
    assert batch_two.counted == 6 and set(batch_two.chart_data["series"]) == {"Everyone counted so far"}
    assert dict(zip(batch_two.chart_data["value"], batch_two.chart_data["score"], strict=True)) != before


# --- export --------------------------------------------------------------------------------------------
def _dangerous_summary(framework: Framework) -> workshop_api.WorkshopSummary:
    return summarise(framework, state(actions=[
        action(1, "human-connections", '=HYPERLINK("http://evil.example","click")', owner="+Sam",
               due=date(2026, 12, 1), status="in_progress"),
        action(2, "deliberate-culture", "@SUM(A1)", owner="-Tom"),
        action(3, "deliberate-culture", "Zoë's ™ plan, \"quoted\"", owner="\tTab"),
    ]), organisation_id="hv", cycle_label="2026-Q4")


def test_csv_export_is_formula_safe_and_ordered_by_step(framework: Framework) -> None:
    buffer = io.StringIO()
    assert write_actions_csv(buffer, _dangerous_summary(framework)) == 3
    rows = list(csv.reader(io.StringIO(buffer.getvalue())))
    assert tuple(rows[0]) == ACTION_HEADER
    assert rows[1] == ["hv", "2026-Q4", "1 · D · Deliberate culture", "'@SUM(A1)", "'-Tom", "", "Open", "Alex",
                       "2026-Q4", "", "0", "", ""]  # no history given: agreed in this cycle, never carried
    assert rows[2][3:5] == ["Zoë's ™ plan, \"quoted\"", "'\tTab"]
    assert rows[3][2:7] == ["2 · I · Human connections", "'=HYPERLINK(\"http://evil.example\",\"click\")", "'+Sam",
                            "2026-12-01", "In progress"]
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


def test_csv_text_has_a_bom_for_excel_and_a_data_link(framework: Framework) -> None:
    assert action_rows(None) == []
    assert actions_csv(None) == "\ufeff" + ",".join(ACTION_HEADER) + "\n"
    assert not actions_csv(None, bom=False).startswith("\ufeff")
    text = actions_csv(_dangerous_summary(framework))
    uri = csv_data_uri(text)
    assert uri.startswith("data:text/csv;charset=utf-8;base64,")
    assert base64.b64decode(uri.split(",", 1)[1]).decode("utf-8") == text
    link = download_link_html(_dangerous_summary(framework), text)
    assert "download='actions-hv-2026-Q4.csv'" in link and f"href='{uri}'" in link


# --- HTML fragments ------------------------------------------------------------------------------------------
def test_html_escapes_everything_people_typed(framework: Framework) -> None:
    summary = summarise(framework, state(
        actions=[action(1, "deliberate-culture", "<script>alert(1)</script>", owner="<b>Sam</b>")],
        obstacles=[("human-connections", "credibility"), ("human-connections", "alignment")],
    ), organisation_id="hv", cycle_label="Q")
    table = actions_table_html(summary)
    assert "<script>" not in table and "&lt;script&gt;" in table and "&lt;b&gt;Sam" in table
    assert "no date" in table
    obstacles = obstacles_html(summary)
    assert "Lack of credibility <span class='wb-tag'>often shows here</span>" in obstacles
    assert "Lack of alignment" in obstacles and "Lack of alignment <span" not in obstacles  # not expected here
    assert "No actions" in actions_table_html(summarise(framework, state(), organisation_id="hv", cycle_label="Q"))
    assert "No obstacles" in obstacles_html(summarise(framework, state(), organisation_id="hv", cycle_label="Q"))

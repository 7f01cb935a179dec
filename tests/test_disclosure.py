"""The one disclosure rule against the ground truth: no shown combination isolates a few people.

Random organisations (teams of 1-30 people, leaders and staff mixed across
teams, some teams all leaders or all staff, thresholds 3-10, some "don't know"
answers) go through what each view shows:

* the plan itself (everyone, teams, leaders/staff: the people counts shown);
* every value and statement column of :mod:`workbook.scoring`, on its own raters;
* the report's figures as ``workbook report --json`` writes them.

For each, :mod:`disclosure_oracle` checks every pairwise difference and
complement and the exact rank/span condition.  The issue's case is a named
regression test.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest
from disclosure_oracle import exposed_people, exposed_sets, pairwise_problems
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbook.anonymity import OVERALL_LABEL, plan_groups, split_shortfall
from workbook.scoring import countable_answers, group_scores, leader_staff_gaps, statement_scores

# Modest example counts: the machine running CI has two cores.
CHECK = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
REPORT_CHECK = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])

Person = tuple[str, str]  # team, role


@st.composite
def organisations(draw: st.DrawFn, max_teams: int = 6) -> tuple[list[Person], int]:
    """(team, role) per respondent and a threshold; teams of 1-30, some all leaders or all staff."""
    threshold = draw(st.integers(3, 10))
    people: list[Person] = []
    for i in range(draw(st.integers(1, max_teams))):
        size = draw(st.integers(1, 30))
        leaders = draw(st.one_of(st.just(0), st.just(size), st.just(1), st.integers(0, size)))
        leaders = min(leaders, size)
        people += [(f"T{i}", "leader")] * leaders + [(f"T{i}", "staff")] * (size - leaders)
    return people, threshold


def assert_nothing_exposed(sets: dict[str, np.ndarray], everyone: np.ndarray, threshold: int, what: str) -> None:
    """The oracle's three checks on one family of shown groups."""
    shown = [s for s in sets.values() if s.any()]
    assert pairwise_problems(sets, everyone, threshold) == [], what
    people = exposed_people(shown)
    assert people == [], f"{what}: person {people[0]} can be worked out"
    small = exposed_sets(shown, threshold)
    assert small == [], f"{what}: {sorted(small[0])} can be worked out"


def plan_sets(people: Sequence[Person], threshold: int) -> dict[str, np.ndarray]:
    plan = plan_groups(people, threshold)
    teams = np.array([t for t, _ in people])
    roles = np.array([r for _, r in people])
    sets: dict[str, np.ndarray] = {}
    if plan.overall.groups:
        sets[OVERALL_LABEL] = np.ones(len(people), dtype=bool)
    for label in plan.teams.groups:
        members = [t for t, shown in plan.teams.members.items() if shown == label]
        sets[f"team {label}"] = np.isin(teams, members)
    for side in plan.roles.groups:
        sets[side] = roles == side
    return sets


# --------------------------------------------------------------------------- the issue's case

#: Threshold 5: team E is 6 leaders, team A's only member is a leader, everyone else is staff.
ISSUE_ORGANISATION: list[Person] = (
    [("E", "leader")] * 6 + [("A", "leader")] + [("B", "staff")] * 5 + [("C", "staff")] * 8 + [("D", "staff")] * 9
)


def test_the_oracle_sees_the_issue_attack() -> None:
    """7 x leaders - 6 x team E is team A's leader: the oracle must find her (or it proves nothing)."""
    people = ISSUE_ORGANISATION
    roles = np.array([r for _, r in people])
    teams = np.array([t for t, _ in people])
    shown = {"everyone": np.ones(len(people), dtype=bool), "Leaders (7)": roles == "leader", "Team E (6)": teams == "E"}
    her = people.index(("A", "leader"))
    assert exposed_people(list(shown.values())) == [her]
    assert "Leaders (7) minus Team E (6) is 1 people" in pairwise_problems(shown, shown["everyone"], 5)
    # the rule's own check says the same: the mixed blocks would hold one leader
    assert split_shortfall([{"leader": 6}, {"leader": 1, "staff": 5}, {"staff": 8}, {"staff": 9}], 5) == 4


def test_issue_case_leaders_and_team_e_are_never_both_shown() -> None:
    plan = plan_groups(ISSUE_ORGANISATION, 5)
    shown_e = plan.teams.label_for("E") == "E"
    assert not (shown_e and "leader" in plan.roles.groups), "Leaders (7) and Team E (6) shown together"
    # the most useful safe option: every staff team stays, leaders vs staff stays, E and A are combined
    assert plan.teams.groups == ("B", "C", "D", "Other teams")
    assert plan.teams.sizes["Other teams"] == 7
    assert plan.roles.groups == ("leader", "staff")
    assert any("Some groups are combined so that no one's answers can be worked out." in n for n in plan.notes)
    sets = plan_sets(ISSUE_ORGANISATION, 5)
    assert_nothing_exposed(sets, np.ones(len(ISSUE_ORGANISATION), dtype=bool), 5, "issue case")


def test_issue_case_through_scoring() -> None:
    answers = answers_for(ISSUE_ORGANISATION, seed=11, dont_know=0.0)
    by_team = group_scores(answers, "team", threshold=5)
    by_role = group_scores(answers, "role", threshold=5)
    labels = dict(zip(by_team.groups["group"], by_team.groups["n_respondents"], strict=True))
    roles = dict(zip(by_role.groups["group"], by_role.groups["n_respondents"], strict=True))
    assert not (labels.get("E") == 6 and roles.get("leader") == 7)
    check_scoring_columns(answers, ISSUE_ORGANISATION, 5)


# --------------------------------------------------------------------------- random organisations


@CHECK
@given(org=organisations())
def test_plan_never_exposes_anyone(org: tuple[list[Person], int]) -> None:
    people, threshold = org
    sets = plan_sets(people, threshold)
    assert_nothing_exposed(sets, np.ones(len(people), dtype=bool), threshold, "people counts")
    plan = plan_groups(people, threshold)
    for label in plan.labels:
        size = (plan.overall.sizes | plan.teams.sizes | plan.roles.sizes)[label]
        assert size >= threshold
    # the plan is the same whatever the order people come in
    assert plan_groups(list(reversed(people)), threshold) == plan


@CHECK
@given(org=organisations())
def test_plan_keeps_what_is_safe(org: tuple[list[Person], int]) -> None:
    """Leaving everything out would be safe too: the rule must keep safe figures."""
    people, threshold = org
    plan = plan_groups(people, threshold)
    teams = np.array([t for t, _ in people])
    roles = np.array([r for _, r in people])
    if len(people) >= threshold:
        assert plan.overall.groups
    kept = np.linalg.matrix_rank(np.array(list(plan_sets(people, threshold).values()), dtype=float)) \
        if len(people) >= threshold else 0
    # at least as many independent figures as the obvious safe choices
    alternatives = [[np.ones(len(people))]] if len(people) >= threshold else []
    if all((teams == t).sum() >= threshold for t in set(teams)):
        alternatives.append([teams == t for t in sorted(set(teams))])
    if (roles == "leader").sum() >= threshold and (roles == "staff").sum() >= threshold:
        alternatives.append([roles == "leader", roles == "staff"])
    for family in alternatives:
        assert kept >= np.linalg.matrix_rank(np.array(family, dtype=float))


STATEMENTS = {"A1": "A", "A2": "A", "E1": "E", "I1": "I", "I2": "I", "O1": "O", "U1": "U"}


def answers_for(people: Sequence[Person], *, seed: int, dont_know: float,
                statements: dict[str, str] | None = None) -> pd.DataFrame:
    """Random answers (1-5, some "don't know") for these people, one row per person and statement."""
    chosen = STATEMENTS if statements is None else statements
    rng = np.random.default_rng(seed)
    rows = []
    for i, (team, role) in enumerate(people):
        for statement, value in chosen.items():
            rating = None if rng.random() < dont_know else int(rng.integers(1, 6))
            rows.append({"person_id": f"p{i:03d}", "role": role, "team": team, "value_id": value,
                         "statement_id": statement, "rating": rating, "reverse": statement == "I2"})
    return pd.DataFrame(rows)


def _members(people: Sequence[Person], by: str, label: str, merged: Sequence[str]) -> np.ndarray:
    if by == "overall":
        return np.ones(len(people), dtype=bool)
    if by == "role":
        return np.array([r == label for _, r in people])
    teams = list(merged) if label == "Other teams" else [label]
    return np.array([t in teams for t, _ in people])


def check_scoring_columns(answers: pd.DataFrame, people: Sequence[Person], threshold: int) -> None:
    """Every value and statement column: the shown cells of all groupings, on the column's raters.

    The raters are those whose ratings count (:func:`workbook.scoring.countable_answers`);
    :func:`test_sparse_ratings_reach_no_small_set` checks that the others move nothing.
    """
    countable = countable_answers(answers, threshold)
    rated = countable[countable["rating"].notna()]
    index = {f"p{i:03d}": i for i in range(len(people))}
    columns: dict[tuple[str, str], dict[str, np.ndarray]] = {}
    for by in ("overall", "team", "role"):
        values = group_scores(answers, by, threshold=threshold)  # type: ignore[arg-type]
        statements = statement_scores(answers, by, threshold=threshold)  # type: ignore[arg-type]
        for result, key, count in ((values, "value_id", "n_people"), (statements, "statement_id", "n_rated")):
            for row in result.table[result.table["shown"]].to_dict("records"):
                raters = np.zeros(len(people), dtype=bool)
                raters[[index[p] for p in set(rated.loc[rated[key] == row[key], "person_id"])]] = True
                who = _members(people, by, str(row["group"]), result.merged_groups) & raters
                assert int(who.sum()) == int(row[count]) >= threshold
                columns.setdefault((key, str(row[key])), {})[f"{by} {row['group']}"] = who
    for (key, column), sets in columns.items():
        raters = np.zeros(len(people), dtype=bool)
        raters[[index[p] for p in set(rated.loc[rated[key] == column, "person_id"])]] = True
        assert_nothing_exposed(sets, raters, threshold, f"{key} {column}")
    gaps = leader_staff_gaps(answers, threshold=threshold)
    roles = group_scores(answers, "role", threshold=threshold)
    assert gaps.table.empty == roles.groups.empty


@CHECK
@given(org=organisations(max_teams=5), seed=st.integers(0, 2**16), dont_know=st.sampled_from([0.0, 0.1, 0.4]))
def test_scoring_columns_never_expose_anyone(org: tuple[list[Person], int], seed: int, dont_know: float) -> None:
    people, threshold = org
    check_scoring_columns(answers_for(people, seed=seed, dont_know=dont_know), people, threshold)


# --------------------------------------------------------------------------- the report's JSON


def report_for(people: Sequence[Person], threshold: int, *, seed: int, dont_know: float) -> object:
    """A :class:`~workbook.report.model.Report` of made-up answers, without a database."""
    from workbook.framework import load_framework
    from workbook.report.model import Report
    from workbook.store import CycleRecord, OrganisationRecord

    framework = load_framework()
    statements = {s.id: framework.value_of_statement(s.id).id for s in framework.statements}
    answers = answers_for(people, seed=seed, dont_know=dont_know, statements=statements)
    reverse = {s.id: s.reverse for s in framework.statements}
    answers["reverse"] = answers["statement_id"].map(reverse).astype(bool)
    answers["rating"] = answers["rating"].astype("Int64")
    now = datetime(2026, 11, 30, tzinfo=UTC)
    organisation = OrganisationRecord("made-up", "Made Up Ltd", threshold, now)
    cycle = CycleRecord(1, "made-up", "2026-Q4", now)
    comments = pd.DataFrame({"person_id": pd.Series(dtype=str), "statement_id": pd.Series(dtype=str),
                             "text": pd.Series(dtype=str)})
    people_count = len(people)
    return Report(organisation=organisation, cycle=cycle, framework=framework, threshold=threshold,
                  comment_threshold=threshold, invited=people_count, in_progress=0, submitted=people_count,
                  answers=answers, comments=comments, data_as_of=now)


def check_figures(figures: dict[str, object], answers: pd.DataFrame) -> None:
    """Rebuild each shown cell's people from the JSON alone and run the oracle on every column."""
    threshold = int(figures["threshold"])  # type: ignore[call-overload]
    people = answers.drop_duplicates("person_id").reset_index(drop=True)
    position = {p: i for i, p in enumerate(people["person_id"])}
    team = people["team"].to_numpy()
    role = people["role"].to_numpy()
    everyone = np.ones(len(people), dtype=bool)
    rated = answers[answers["rating"].notna()]
    value_raters = {v: np.isin(people["person_id"], list(set(f["person_id"])))
                    for v, f in rated.groupby("value_id")}
    statement_raters = {s: np.isin(people["person_id"], list(set(f["person_id"])))
                        for s, f in rated.groupby("statement_id")}
    counts: dict[str, np.ndarray] = {}
    columns: dict[tuple[str, str], dict[str, np.ndarray]] = {}
    for group in figures["groups"]:  # type: ignore[attr-defined]
        if group["kind"] == "everyone":
            who = everyone
        elif group["kind"] == "team":
            who = np.isin(team, group["teams"])
        else:
            who = role == group["role"]
        assert int(who.sum()) == group["people"] >= threshold
        counts[group["label"]] = who
        for kind, raters in (("values", value_raters), ("statements", statement_raters)):
            for column, cell in group.get(kind, {}).items():
                if cell is None:
                    continue
                members = who & raters[column]
                assert int(members.sum()) == cell["people"] >= threshold
                columns.setdefault((kind, column), {})[group["label"]] = members
    assert_nothing_exposed(counts, everyone, threshold, "people counts in the JSON")
    for (kind, column), sets in columns.items():
        raters = (value_raters if kind == "values" else statement_raters)[column]
        assert_nothing_exposed(sets, raters, threshold, f"JSON {kind} {column}")
    check_distribution(figures, rated)
    assert position  # every respondent was placed


def check_distribution(figures: dict[str, object], rated: pd.DataFrame) -> None:
    """A value's rating counts (everyone's answers) only where everything they add up is shown.

    The counts sum the value's statements' ratings, so next to a shown statement's
    ``n_rated x mean`` they would give away a hidden statement's few ratings; and a
    value few people rated would show those people's ratings outright.
    """
    threshold = int(figures["threshold"])  # type: ignore[call-overload]
    everyone = next((g for g in figures["groups"] if g["kind"] == "everyone"), None)  # type: ignore[attr-defined]
    distribution: dict[str, dict[str, int] | None] = figures["distribution"]  # type: ignore[assignment]
    if everyone is None:
        assert not any(distribution.values()), "a distribution without the everyone group"
        return
    assert set(distribution) == set(rated["value_id"].astype(str)), "every rated value is listed (null if hidden)"
    for value, counts in distribution.items():
        if counts is None:
            continue
        cell = everyone["values"].get(value)
        assert cell is not None and cell["people"] >= threshold, f"distribution of {value} with its cell hidden"
        answers = rated[rated["value_id"] == value]
        for statement in set(answers["statement_id"]):
            assert everyone["statements"].get(statement) is not None, \
                f"distribution of {value} with statement {statement} hidden"
        assert sum(counts.values()) == len(answers), f"distribution of {value} counts other answers"


@REPORT_CHECK
@given(org=organisations(max_teams=5), seed=st.integers(0, 2**16), dont_know=st.sampled_from([0.0, 0.15]))
def test_report_json_never_exposes_anyone(org: tuple[list[Person], int], seed: int, dont_know: float) -> None:
    from workbook.report.figures import report_figures

    people, threshold = org
    report = report_for(people, threshold, seed=seed, dont_know=dont_know)
    figures = json.loads(json.dumps(report_figures(report)))  # type: ignore[arg-type]
    if len(people) < threshold:
        assert figures["groups"] == [] and figures["status"] == "too few answers"
        return
    check_figures(figures, report.countable)  # type: ignore[attr-defined]


def test_issue_case_report_json() -> None:
    from workbook.report.figures import report_figures

    report = report_for(ISSUE_ORGANISATION, 5, seed=3, dont_know=0.0)
    figures = json.loads(json.dumps(report_figures(report)))  # type: ignore[arg-type]
    labels = {(g["label"], g["people"]) for g in figures["groups"]}
    assert not {("Leaders", 7), ("E", 6)} <= labels
    check_figures(figures, report.countable)  # type: ignore[attr-defined]
    assert "Some groups are combined so that no one's answers can be worked out." in " ".join(figures["notes"])


def test_hidden_cells_are_null_in_the_json() -> None:
    """A team cell with too few raters is null in the JSON, and its raters count in no other figure.

    Before the sparse-statement rule South's 3 ratings counted in everyone's A1 (11 raters), so
    North's cell (8) was hidden too: everyone minus North would have been South's 3.
    """
    from workbook.report.figures import report_figures

    people = [("North", "staff")] * 8 + [("South", "staff")] * 8
    report = report_for(people, 5, seed=5, dont_know=0.0)
    answers = report.answers  # type: ignore[attr-defined]
    south_a1 = (answers["team"] == "South") & (answers["statement_id"] == "A1")
    answers.loc[south_a1[south_a1].index[:5], "rating"] = pd.NA  # 3 of South rate A1
    figures = json.loads(json.dumps(report_figures(report)))  # type: ignore[arg-type]
    cells = {g["label"]: g["statements"]["A1"] for g in figures["groups"] if "statements" in g}
    assert cells["South"] is None  # 3 raters
    assert cells["North"] == cells[OVERALL_LABEL]  # South's 3 count as "don't know"
    assert cells[OVERALL_LABEL]["people"] == 8
    check_figures(figures, report.countable)  # type: ignore[attr-defined]


def test_a_hidden_value_has_no_distribution() -> None:
    """Threshold 5: one person rated value E, everyone else "don't know": E's mean is hidden, so are its counts.

    Her ratings count as "don't know" (each E statement has one rater), so E is left out as a
    value nobody rated: no mean, no distribution, and no "don't know" count that would tell.
    """
    from workbook.report.figures import report_figures

    people = [("North", "staff")] * 6 + [("South", "staff")] * 6
    report = report_for(people, 5, seed=7, dont_know=0.0)
    answers = report.answers  # type: ignore[attr-defined]
    on_e = answers["value_id"] == "E"
    answers.loc[on_e & (answers["person_id"] != "p000"), "rating"] = pd.NA
    figures = json.loads(json.dumps(report_figures(report)))  # type: ignore[arg-type]
    everyone = next(g for g in figures["groups"] if g["kind"] == "everyone")
    assert everyone["values"]["E"] is None
    assert "E" not in figures["distribution"]
    assert figures["distribution"]["A"] is not None
    check_figures(figures, report.countable)  # type: ignore[attr-defined]
    from workbook.report.sections import rating_distribution

    section = rating_distribution(report)  # type: ignore[arg-type]
    assert section is not None
    assert set(report.distribution["value_id"]) == {"A", "I", "O", "U"}  # type: ignore[attr-defined]
    # the "don't know" count covers the shown values only: all of E's would give its raters away
    assert report.dont_know == 0  # type: ignore[attr-defined]
    assert "not counted" not in section.text


def test_a_hidden_statement_hides_its_values_distribution() -> None:
    """Points of the value minus n_rated x mean of its shown statements would be the hidden statement's ratings.

    The one rating of the hidden statement counts as "don't know" everywhere, so the value's
    distribution (of the ratings that count) can be shown: it no longer holds that rating.
    """
    from workbook.report.figures import report_figures

    people = [("North", "staff")] * 6 + [("South", "staff")] * 6
    report = report_for(people, 5, seed=9, dont_know=0.0)
    answers = report.answers  # type: ignore[attr-defined]
    first = answers.loc[answers["value_id"] == "A", "statement_id"].iloc[0]
    answers.loc[(answers["statement_id"] == first) & (answers["person_id"] != "p003"), "rating"] = pd.NA
    figures = json.loads(json.dumps(report_figures(report)))  # type: ignore[arg-type]
    everyone = next(g for g in figures["groups"] if g["kind"] == "everyone")
    assert everyone["values"]["A"] is not None  # everyone still rates A's other statements
    assert everyone["statements"][first] is None  # one rater
    assert figures["distribution"]["A"] is not None
    counted = report.countable  # type: ignore[attr-defined]
    assert counted.loc[counted["statement_id"] == first, "rating"].isna().all()
    check_figures(figures, counted)


# --------------------------------------------------------------------------- sparse statements


def _figures_text(people: Sequence[Person], statement_ratings: dict[str, int | None], statement: str,
                  *, seed: int = 11) -> tuple[str, object]:
    """The JSON text of a made-up report where only ``statement_ratings`` rate ``statement``."""
    from workbook.report.figures import report_figures

    report = report_for(people, 5, seed=seed, dont_know=0.0)
    answers = report.answers  # type: ignore[attr-defined]
    on = answers["statement_id"] == statement
    answers.loc[on, "rating"] = pd.NA
    for person, rating in statement_ratings.items():
        answers.loc[on & (answers["person_id"] == person), "rating"] = rating
    return json.dumps(report_figures(report), sort_keys=True), report  # type: ignore[arg-type]


def _first_statement() -> str:
    from workbook.framework import load_framework

    return load_framework().statements[0].id


SPARSE_PEOPLE: list[Person] = (
    [("North", "staff")] * 7 + [("North", "leader")] * 2 + [("South", "staff")] * 6 + [("South", "leader")] * 2
)


@pytest.mark.parametrize("raters", [["p000"], ["p000", "p009", "p010", "p016"]], ids=["1 rater", "t-1 raters"])
def test_sparse_statement_json_is_the_same_whatever_its_raters_answered(raters: list[str]) -> None:
    """A statement rated by 1 (or threshold - 1) people moves no figure of the report, value scores included.

    Before the sparse-statement rule its ratings moved the value averages of everyone, the teams
    and the sides; the JSON changed with every answer they could give.
    """
    statement = _first_statement()
    rng = np.random.default_rng(1)
    variants: list[dict[str, int | None]] = [dict.fromkeys(raters, r) for r in (1, 2, 3, 4, 5)]
    variants += [{p: int(rng.integers(1, 6)) for p in raters} for _ in range(4)]
    variants.append(dict.fromkeys(raters))  # all of them "don't know"
    texts = {_figures_text(SPARSE_PEOPLE, v, statement)[0] for v in variants}
    assert len(texts) == 1
    figures = json.loads(texts.pop())
    everyone = next(g for g in figures["groups"] if g["kind"] == "everyone")
    assert everyone["statements"][statement] is None


def test_one_rater_in_a_team_moves_nothing_though_the_statement_is_shown() -> None:
    """Rated by 6: five North staff and one South person.

    Everyone's cell shows 5 raters; South's one rating counts nowhere, whatever it is.
    """
    statement = _first_statement()
    north = {f"p{i:03d}": 4 for i in range(5)}
    texts = set()
    for rating in (1, 3, 5, None):
        text, report = _figures_text(SPARSE_PEOPLE, {**north, "p011": rating}, statement)
        texts.add(text)
    assert len(texts) == 1
    figures = json.loads(texts.pop())
    cells = {g["label"]: g.get("statements", {}).get(statement) for g in figures["groups"]}
    assert cells[OVERALL_LABEL] == {"people": 5, "mean": 4.0}
    assert cells["North"] == {"people": 5, "mean": 4.0}
    assert cells["South"] is None
    check_figures(figures, report.countable)  # type: ignore[attr-defined]


def _sets_of(plan: object, people: Sequence[Person]) -> dict[str, np.ndarray]:
    teams = np.array([t for t, _ in people])
    roles = np.array([r for _, r in people])
    sets: dict[str, np.ndarray] = {}
    if plan.overall.groups:  # type: ignore[attr-defined]
        sets[OVERALL_LABEL] = np.ones(len(people), dtype=bool)
    for label in plan.teams.groups:  # type: ignore[attr-defined]
        sets[f"team {label}"] = np.isin(teams, [t for t, g in plan.teams.members.items() if g == label])  # type: ignore[attr-defined]
    for side in plan.roles.groups:  # type: ignore[attr-defined]
        sets[side] = roles == side
    return sets


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(org=organisations(max_teams=5), seed=st.integers(0, 2**16), dont_know=st.sampled_from([0.1, 0.4, 0.7]))
def test_sparse_ratings_reach_no_small_set(org: tuple[list[Person], int], seed: int, dont_know: float) -> None:
    """Random answers with "don't know" holes: the ratings that count, per statement, expose no small set of
    raters in any combination of the groups shown (the oracle), and the ratings that do not count move
    no figure (they are replaced by other ratings and every table stays the same)."""
    people, threshold = org
    answers = answers_for(people, seed=seed, dont_know=dont_know)
    plan = plan_groups(people, threshold)
    counted = countable_answers(answers, threshold)
    sets = _sets_of(plan, people)
    index = {f"p{i:03d}": i for i in range(len(people))}
    for statement, rows in counted[counted["rating"].notna()].groupby("statement_id"):
        raters = np.zeros(len(people), dtype=bool)
        raters[[index[p] for p in rows["person_id"]]] = True
        assert_nothing_exposed({k: v & raters for k, v in sets.items()}, raters, threshold, f"statement {statement}")
    dropped = answers["rating"].notna().to_numpy() & counted.set_index(["person_id", "statement_id"]).loc[
        list(zip(answers["person_id"], answers["statement_id"], strict=True)), "rating"].isna().to_numpy()
    if not dropped.any():
        return
    changed = answers.copy()
    changed.loc[dropped, "rating"] = [int(r) % 5 + 1 for r in answers.loc[dropped, "rating"]]  # each one different
    for by in ("overall", "team", "role"):
        before = group_scores(answers, by, threshold=threshold)  # type: ignore[arg-type]
        after = group_scores(changed, by, threshold=threshold)  # type: ignore[arg-type]
        pd.testing.assert_frame_equal(before.table, after.table)
        pd.testing.assert_frame_equal(before.groups, after.groups)
        pd.testing.assert_frame_equal(statement_scores(answers, by, threshold=threshold).table,  # type: ignore[arg-type]
                                      statement_scores(changed, by, threshold=threshold).table)  # type: ignore[arg-type]
    pd.testing.assert_frame_equal(leader_staff_gaps(answers, threshold=threshold).table,
                                  leader_staff_gaps(changed, threshold=threshold).table)


# --------------------------------------------------------------------------- the workshop's live panel


@CHECK
@given(org=organisations(), data=st.data())
def test_live_participation_lists_no_small_difference(org: tuple[list[Person], int], data: st.DataObject) -> None:
    """Submitted counts per listed team: sums over the teams' people, so the same rule applies."""
    from workbook.workshop.live import participation
    from workbook.workshop.records import TeamProgress

    people, threshold = org
    teams = sorted({t for t, _ in people})
    sizes = {t: sum(1 for t2, _ in people if t2 == t) for t in teams}
    progress = tuple(TeamProgress(t, sizes[t], data.draw(st.integers(0, sizes[t]))) for t in teams)
    shown = participation(progress, threshold)
    if len(people) < threshold:  # not even the total is shown
        assert not shown.counted and shown.teams == () and shown.submitted == 0
        return
    assert shown.submitted == sum(p.submitted for p in progress)
    names = np.array([t for t, _ in people])
    pooled = [t for t in teams if t not in {label for label, _, _ in shown.teams}]
    sets: dict[str, np.ndarray] = {"everyone": np.ones(len(people), dtype=bool)}
    for label, submitted, _ in shown.teams:
        members = pooled if label == "Other teams" else [label]
        assert submitted == sum(p.submitted for p in progress if p.team in members)
        sets[label] = np.isin(names, members)
        assert int(sets[label].sum()) >= threshold
    assert_nothing_exposed(sets, sets["everyone"], threshold, "live participation")

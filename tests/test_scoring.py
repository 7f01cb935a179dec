"""Tests for workbook.scoring: hand-computed scores, bad input, and anonymity properties."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbook import scoring
from workbook.anonymity import OVERALL_LABEL, POOL_LABEL, plan_groups
from workbook.errors import InputError
from workbook.scoring import (
    agreement_label,
    group_comments,
    group_scores,
    leader_staff_gaps,
    person_value_scores,
    statement_scores,
    validate_answers,
)

PROPERTY = settings(max_examples=200, deadline=None)
# each example of these runs several pandas pipelines (~10 ms each): fewer keeps the suite fast
HEAVY = settings(max_examples=100, deadline=None)

# statement id -> (value id, reverse-worded?)
STATEMENTS: dict[str, tuple[str, bool]] = {
    "A1": ("A", False),
    "A2": ("A", True),
    "A3": ("A", False),
    "E1": ("E", False),
    "E2": ("E", True),
    "I1": ("I", False),
    "O1": ("O", False),
    "U1": ("U", False),
}

Person = tuple[str, str, str, dict[str, int | None]]


def make_answers(people: Sequence[Person]) -> pd.DataFrame:
    """One row per person and listed statement; None is "don't know"."""
    rows = [
        {
            "person_id": pid,
            "role": role,
            "team": team,
            "value_id": STATEMENTS[sid][0],
            "statement_id": sid,
            "rating": rating,
            "reverse": STATEMENTS[sid][1],
        }
        for pid, role, team, ratings in people
        for sid, rating in ratings.items()
    ]
    frame = pd.DataFrame(rows, columns=list(scoring.ANSWER_COLUMNS))
    frame["rating"] = frame["rating"].astype("Int64")
    frame["reverse"] = frame["reverse"].astype(bool)
    return frame


def cell(table: pd.DataFrame, group: str, value: str, column: str) -> object:
    row = table[(table["group"] == group) & (table["value_id"] == value)]
    assert len(row) == 1, (group, value)
    return row[column].iloc[0]


def test_public_names_are_exactly_all() -> None:
    # functions and classes defined here, plus constants declared here (annotated Final)
    public = {
        name
        for name, obj in vars(scoring).items()
        if not name.startswith("_") and getattr(obj, "__module__", None) == scoring.__name__
    }
    public |= {name for name in scoring.__annotations__ if not name.startswith("_")}
    public.add("Grouping")  # a type alias has no __module__ of its own
    assert sorted(scoring.__all__) == sorted(public)


# --------------------------------------------------------------------------- person scores


def test_person_scores_flip_reverse_and_skip_dont_know() -> None:
    df = make_answers(
        [
            # A: 5 and reverse 2 -> 4, "don't know" skipped: (5 + 4) / 2 = 4.5
            # E: nothing rated -> NaN, not 0
            ("p1", "leader", "X", {"A1": 5, "A2": 2, "A3": None, "E1": None, "E2": None}),
            # A: 3, reverse 5 -> 1, 2: 6 / 3 = 2.0;  E: 4, reverse 4 -> 2: 3.0
            ("p2", "staff", "X", {"A1": 3, "A2": 5, "A3": 2, "E1": 4, "E2": 4}),
        ]
    )
    scores = person_value_scores(df)
    assert list(scores.columns) == ["person_id", "role", "team", "value_id", "score", "n_rated"]
    assert scores[["person_id", "value_id"]].values.tolist() == [
        ["p1", "A"],
        ["p1", "E"],
        ["p2", "A"],
        ["p2", "E"],
    ]
    assert scores["score"].iloc[0] == 4.5
    assert math.isnan(scores["score"].iloc[1])
    assert scores["score"].iloc[2:].tolist() == [2.0, 3.0]
    assert scores["n_rated"].tolist() == [2, 0, 3, 2]
    assert scores["role"].tolist() == ["leader", "leader", "staff", "staff"]


def test_value_a_person_never_answered_is_nan_too() -> None:
    df = make_answers([("p1", "staff", "X", {"A1": 4}), ("p2", "staff", "X", {"U1": 2})])
    scores = person_value_scores(df).set_index(["person_id", "value_id"])
    assert math.isnan(scores.at[("p1", "U"), "score"])
    assert scores.at[("p1", "U"), "n_rated"] == 0
    assert scores.at[("p2", "U"), "score"] == 2.0


def test_reverse_flip_uses_the_scale_bounds() -> None:
    df = make_answers([("p1", "staff", "X", {"A2": 2, "A1": 7})])
    # on 1-7 a reverse-worded 2 is 1 + 7 - 2 = 6; mean with 7 is 6.5
    assert person_value_scores(df, scale_min=1, scale_max=7)["score"].tolist() == [6.5]
    df = make_answers([("p1", "staff", "X", {"A2": 0})])
    assert person_value_scores(df, scale_min=0, scale_max=4)["score"].tolist() == [4.0]


def test_ratings_may_come_as_floats_or_objects() -> None:
    df = make_answers([("p1", "staff", "X", {"A1": 4, "A3": None})])
    as_float = df.assign(rating=[4.0, float("nan")])
    as_object = df.assign(rating=pd.Series([4, None], dtype=object))
    for frame in (as_float, as_object):
        assert person_value_scores(frame)["score"].tolist() == [4.0]
    assert validate_answers(as_float)["rating"].dtype == "Int64"


# --------------------------------------------------------------------------- groups

# Threshold 3, the smallest the one rule allows (workbook.settings.check_threshold), so two teams
# of three.  These hand computations were first worked with four people at threshold 2; each team
# gained a third person (q3, q6) and every figure below was worked out again by hand for six:
#   A: q1 5 & reverse 1 -> 5; q2 3 & reverse 3 -> 3; q3 4 & reverse 2 -> 4; q4 4; q5 2; q6 3
#   E: q1 4; q2 4; q3 4; q4 2; q5 reverse 5 -> 1
#   I: q1 3; q4 1 (everyone else "don't know")
# Teams T1 (q1-q3) and T2 (q4-q6) are both shown, and so are leaders (= T1) and staff (= T2).
# A statement's ratings count only where every shown group holds 0 or 3+ of its raters
# (workbook.anonymity.countable_ratings), so three ratings count as "don't know" everywhere:
#   E1 by q4 (the only rater in T2), E2 by q5 (its only rater), I1 by q1 and by q4 (one rater
#   in each team).  That leaves E: q1 4, q2 4, q3 4 and no I at all.
SIX = [
    ("q1", "leader", "T1", {"A1": 5, "A2": 1, "E1": 4, "I1": 3}),
    ("q2", "leader", "T1", {"A1": 3, "A2": 3, "E1": 4, "I1": None}),
    ("q3", "leader", "T1", {"A1": 4, "A2": 2, "E1": 4, "I1": None}),
    ("q4", "staff", "T2", {"A1": 4, "E1": 2, "I1": 1}),
    ("q5", "staff", "T2", {"A1": 2, "E1": None, "E2": 5, "I1": None}),
    ("q6", "staff", "T2", {"A1": 3, "E1": None, "I1": None}),
]


def test_overall_means_spread_and_extremes() -> None:
    result = group_scores(make_answers(SIX), "overall", threshold=3)
    table = result.table
    assert list(table.columns) == [
        "group",
        "value_id",
        "n_people",
        "mean",
        "sd",
        "agreement",
        "shown",
    ]
    assert table["value_id"].tolist() == ["A", "E", "I"]
    # Before the sparse-statement rule: E 5 people, mean 3.0; I 2 people, mean 2.0 (see SIX).
    assert table["n_people"].tolist() == [6, 3, pd.NA]
    assert table["shown"].tolist() == [True, True, False]
    assert table["mean"].tolist()[:2] == [3.5, 4.0]
    # A: 5 3 4 4 2 3, mean 21 / 6 = 3.5; squared deviations 2.25 + .25 + .25 + .25 + 2.25 + .25 = 5.5,
    # / 5 -> sd 1.0488 (1.0 or more on a 1-5 scale: low agreement)
    assert table["sd"].iloc[0] == pytest.approx(math.sqrt(5.5 / 5))
    assert table["sd"].iloc[1] == 0.0  # E: q1 4, q2 4, q3 4
    assert table["agreement"].tolist()[:2] == ["low agreement", "high agreement"]
    assert pd.isna(table["agreement"].iloc[2])
    assert result.groups.to_dict("records") == [
        {"group": OVERALL_LABEL, "n_respondents": 6, "strongest": "E", "weakest": "A"}
    ]
    assert result.notes == ("1 score is hidden because fewer than 3 people rated it.",)


def test_by_role_hides_small_cells() -> None:
    result = group_scores(make_answers(SIX), "role", threshold=3)
    table = result.table
    assert cell(table, "leader", "A", "mean") == 4.0  # (5 + 3 + 4) / 3
    assert cell(table, "staff", "A", "mean") == 3.0  # (4 + 2 + 3) / 3
    # E: only the leaders' ratings count (see SIX; before the sparse-statement rule staff E was
    # 1.5 from q4's E1 and q5's E2).  No staff cell, so the leaders' E cell would be everyone's
    # E cell under another name next to staff: hidden with it.  I: nobody's ratings count.
    for group in ("leader", "staff"):
        for value in ("E", "I"):
            assert not cell(table, group, value, "shown")
            assert pd.isna(cell(table, group, value, "n_people"))
            assert math.isnan(float(str(cell(table, group, value, "mean"))))
    summary = result.groups.set_index("group")
    # one shown value each: neither side has a strongest or weakest value
    assert summary["strongest"].isna().all() and summary["weakest"].isna().all()
    assert result.notes == (
        "3 scores are hidden because fewer than 3 people rated them.",
        "1 more score is hidden so that hidden scores cannot be worked out from the other figures.",
    )


def test_equal_shown_values_are_neither_strongest_nor_weakest() -> None:
    same = {"A1": 4, "E1": 4}
    df = make_answers([("p1", "staff", "X", same), ("p2", "leader", "X", same), ("p3", "staff", "X", same)])
    summary = group_scores(df, threshold=3).groups
    assert pd.isna(summary.at[0, "strongest"]) and pd.isna(summary.at[0, "weakest"])


def test_ties_go_to_framework_order() -> None:
    same = {"A1": 4, "E1": 4, "I1": 2, "O1": 2, "U1": 3}
    df = make_answers([("p1", "staff", "X", same), ("p2", "staff", "X", same), ("p3", "staff", "X", same)])
    summary = group_scores(df, threshold=3).groups
    assert (summary.at[0, "strongest"], summary.at[0, "weakest"]) == ("A", "I")
    reordered = group_scores(df, threshold=3, value_order=("U", "O", "I", "E", "A")).groups
    assert (reordered.at[0, "strongest"], reordered.at[0, "weakest"]) == ("E", "O")


def test_a_lone_rater_in_a_team_counts_as_dont_know() -> None:
    # Threshold 3 (worked at 2 with teams of 3 before the one rule; each team gained a person who
    # did not rate I).  T1 and T2 have 4 people each; only 3 in T1 and 1 in T2 rated I.  Before the
    # sparse-statement rule, overall I counted b1 (4 raters) and T2's I cell was hidden, plus T1's so
    # that T2's could not be worked out as overall minus T1.  Now b1's rating counts in no figure
    # (1 rater in T2): overall I is a1-a3 only, T1's I is that same figure, and nothing needs hiding twice.
    people = [
        ("a1", "staff", "T1", {"A1": 4, "I1": 5}),
        ("a2", "staff", "T1", {"A1": 4, "I1": 3}),
        ("a3", "staff", "T1", {"A1": 4, "I1": 4}),
        ("a4", "staff", "T1", {"A1": 4, "I1": None}),
        ("b1", "staff", "T2", {"A1": 2, "I1": 1}),
        ("b2", "staff", "T2", {"A1": 2, "I1": None}),
        ("b3", "staff", "T2", {"A1": 2, "I1": None}),
        ("b4", "staff", "T2", {"A1": 2, "I1": None}),
    ]
    df = make_answers(people)
    overall = group_scores(df, threshold=3).table
    assert cell(overall, OVERALL_LABEL, "I", "n_people") == 3
    assert cell(overall, OVERALL_LABEL, "I", "mean") == 4.0  # (5 + 3 + 4) / 3
    by_team = group_scores(df, "team", threshold=3)
    assert cell(by_team.table, "T1", "I", "mean") == 4.0
    assert not cell(by_team.table, "T2", "I", "shown")
    assert cell(by_team.table, "T1", "A", "mean") == 4.0
    assert by_team.notes == ("1 score is hidden because fewer than 3 people rated it.",)
    # whatever b1 answered, no figure moves
    for other in (1, 2, 3, 4, 5, None):
        changed = df.copy()
        changed.loc[(changed["person_id"] == "b1") & (changed["statement_id"] == "I1"), "rating"] = other
        assert group_scores(changed, "team", threshold=3).table.equals(by_team.table)


def test_small_teams_are_pooled_with_a_note() -> None:
    people = [(f"p{i}", "staff", "Big", {"A1": 4}) for i in range(6)]
    people += [("s1", "staff", "Tiny", {"A1": 1}), ("s2", "leader", "Wee", {"A1": 2})]
    people += [(f"m{i}", "staff", "Mid", {"A1": 3}) for i in range(5)]
    result = group_scores(make_answers(people), "team", threshold=5)
    assert result.groups["group"].tolist() == ["Big", POOL_LABEL]
    assert result.groups["n_respondents"].tolist() == [6, 7]
    assert result.merged_groups == ("Mid", "Tiny", "Wee")
    assert result.notes == (
        "Teams with fewer than 5 respondents (2 teams) are combined as 'Other teams'.",
        "1 team with 5 or more respondents is also included in 'Other teams' so that it has "
        "at least 5 respondents.",
    )
    # Other teams: Mid 5 x 3, Tiny 1, Wee 2 -> 18 / 7
    assert cell(result.table, POOL_LABEL, "A", "mean") == pytest.approx(18 / 7)


def test_too_few_people_shows_nothing() -> None:
    df = make_answers(SIX)
    for by in ("overall", "team", "role"):
        result = group_scores(df, by, threshold=7)
        assert result.table.empty and result.groups.empty
        assert result.notes == ("Nothing is shown: fewer than 7 people have responded.",)


@pytest.mark.parametrize(
    ("sd", "scale", "label"),
    [
        (0.0, (1, 5), "high agreement"),
        (0.59, (1, 5), "high agreement"),
        (0.6, (1, 5), "moderate agreement"),
        (0.99, (1, 5), "moderate agreement"),
        (1.0, (1, 5), "low agreement"),
        (1.9, (1, 5), "low agreement"),
        (0.8, (1, 7), "high agreement"),
        (1.2, (1, 7), "moderate agreement"),
        (1.6, (1, 7), "low agreement"),
        (float("nan"), (1, 5), None),
    ],
)
def test_agreement_cut_offs(sd: float, scale: tuple[int, int], label: str | None) -> None:
    assert agreement_label(sd, *scale) == label


def test_statement_cells_need_threshold_raters() -> None:
    result = statement_scores(make_answers(SIX), "overall", threshold=3)
    table = result.table.set_index("statement_id")
    # A2 reverse: q1 1 -> 5, q2 3 -> 3, q3 2 -> 4: mean 12 / 3 = 4.0 over 3 raters
    assert table.at["A2", "mean"] == 4.0
    assert bool(table.at["A2", "reverse"])
    assert table.at["A1", "n_rated"] == 6
    # E2 was rated by one person only
    assert not table.at["E2", "shown"]
    assert pd.isna(table.at["E2", "n_rated"])
    assert result.table["statement_id"].tolist() == ["A1", "A2", "E1", "E2", "I1"]


def test_statements_sort_naturally() -> None:
    df = make_answers([("p1", "staff", "X", {"A1": 3}), ("p2", "staff", "X", {"A1": 4}),
                       ("p3", "staff", "X", {"A1": 5})])
    extra = df.assign(statement_id="A10")
    both = pd.concat([extra, df], ignore_index=True)
    table = statement_scores(both, threshold=3).table
    assert table["statement_id"].tolist() == ["A1", "A10"]


# --------------------------------------------------------------------------- gaps


def test_leader_staff_gaps_hand_computed() -> None:
    result = leader_staff_gaps(make_answers(SIX), threshold=3)
    table = result.table.set_index("value_id")
    assert table.at["A", "gap"] == 1.0  # leaders (5 + 3 + 4) / 3 = 4.0 - staff (4 + 2 + 3) / 3 = 3.0
    # Before the sparse-statement rule E was 4.0 - 1.5 = 2.5; now no staff E rating counts (see SIX).
    assert math.isnan(table.at["E", "gap"])
    assert math.isnan(table.at["I", "gap"])
    assert table.at["A", "n_leaders"] == 3 and table.at["A", "n_staff"] == 3


def test_leader_staff_gaps_need_both_sides() -> None:
    people = [(f"s{i}", "staff", "X", {"A1": 3}) for i in range(9)]
    people.append(("l1", "leader", "X", {"A1": 5}))
    result = leader_staff_gaps(make_answers(people), threshold=5)
    assert result.table.empty
    assert result.notes == (
        "Leaders and staff are not compared: fewer than 5 leaders have responded.",
    )


# --------------------------------------------------------------------------- comments


def test_comments_carry_only_the_group_label() -> None:
    df = make_answers(SIX)
    comments = pd.DataFrame(
        {
            "person_id": ["q5", "q1", "q4"],
            "text": ["zeal", " abc ", "   "],
            "statement_id": ["A1", "A2", None],
        }
    )
    result = group_comments(df, comments, "overall", threshold=3)
    assert list(result.table.columns) == ["group", "statement_id", "text"]
    # ordered by statement, then text; blank comments dropped, whitespace trimmed
    assert result.table["text"].tolist() == ["zeal", "abc"]
    assert result.table["statement_id"].tolist() == ["A1", "A2"]
    assert result.table["group"].tolist() == [OVERALL_LABEL] * 2
    # A2 was rated by 3 people (q1-q3): a comment threshold of 4 drops the statement (comments
    # without a statement come first), A1 (6 raters) keeps it
    stricter = group_comments(df, comments, "overall", threshold=3, comment_threshold=4)
    assert stricter.table["text"].tolist() == ["abc", "zeal"]
    assert pd.isna(stricter.table["statement_id"].iloc[0])
    assert stricter.table["statement_id"].iloc[1] == "A1"
    assert stricter.notes == (
        "1 comment is shown without its statement because fewer than 4 people in the group "
        "rated it.",
    )


def test_comments_follow_the_role_split() -> None:
    df = make_answers(SIX)
    comments = pd.DataFrame({"person_id": ["q1", "q4"], "text": ["lead", "staff"]})
    result = group_comments(df, comments, "role", threshold=3)
    assert result.table[["group", "text"]].values.tolist() == [
        ["leader", "lead"],
        ["staff", "staff"],
    ]
    hidden = group_comments(df, comments, "role", threshold=3, comment_threshold=4)  # 3 leaders, 3 staff
    assert hidden.table.empty
    assert "Leaders and staff are not compared" in hidden.notes[0]


# --------------------------------------------------------------------------- bad input


def test_missing_column_is_named() -> None:
    df = make_answers(SIX).drop(columns=["rating"])
    with pytest.raises(InputError, match=r"missing column.*rating"):
        person_value_scores(df)


def test_rating_outside_scale_names_statement_and_value() -> None:
    df = make_answers(SIX)
    df.loc[df["statement_id"] == "E1", "rating"] = pd.array([4, 7, 4, 2, pd.NA, pd.NA], dtype="Int64")
    with pytest.raises(InputError, match=r"Rating 7 for statement E1 \(value E\) .* scale 1 to 5"):
        person_value_scores(df)
    with pytest.raises(InputError, match="Rating 7"):
        group_scores(df, "team", threshold=3)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"rating": [2.5, 3, 4, 5]}, r"statement A1 \(value A\) is not a whole number"),
        ({"rating": ["x", 3, 4, 5]}, r"statement A1 \(value A\) is not a number"),
        ({"rating": [0, 3, 4, 5]}, "Rating 0 .* outside the scale"),
        (
            {"role": ["boss", "staff", "staff", "staff"]},
            "Unknown role.*'boss'.*'leader' or 'staff'",
        ),
        ({"team": ["X", "Y", "X", "X"]}, "1 person is listed with more than one team"),
        ({"role": ["leader", "staff", "staff", "staff"]}, "more than one role"),
        ({"reverse": [1, 0, 0, 0]}, "reverse column must hold true or false"),
        ({"value_id": ["A", "A", "E", "A"]}, "Statement A1 appears with more than one value"),
        ({"person_id": [None, "p1", "p2", "p2"]}, "1 answer has no person_id"),
        ({"statement_id": ["A1", "A1", "A1", "A3"]}, "answered more than once"),
    ],
)
def test_bad_answers_raise_input_error(change: dict[str, list[object]], message: str) -> None:
    df = make_answers(
        [
            ("p1", "staff", "X", {"A1": 3, "A3": 4}),
            ("p2", "staff", "X", {"A1": 4, "A3": 5}),
        ]
    )
    for column, values in change.items():
        df[column] = pd.Series(values, dtype=object)
    with pytest.raises(InputError, match=message):
        person_value_scores(df)


@pytest.mark.parametrize("threshold", [2, 1, 0, 51, 2.5, True])
def test_bad_threshold(threshold: object) -> None:
    with pytest.raises(InputError, match="anonymity threshold must be"):
        group_scores(make_answers(SIX), "team", threshold=threshold)  # type: ignore[arg-type]


def test_other_bad_arguments() -> None:
    df = make_answers(SIX)
    with pytest.raises(InputError, match="must be a pandas DataFrame"):
        person_value_scores([1, 2])  # type: ignore[arg-type]
    with pytest.raises(InputError, match="from low to high"):
        person_value_scores(df, scale_min=5, scale_max=1)
    with pytest.raises(InputError, match="Unknown grouping 'dept'"):
        group_scores(df, "dept", threshold=3)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="comment threshold"):
        group_comments(df, pd.DataFrame({"person_id": [], "text": []}), comment_threshold=4)
    with pytest.raises(InputError, match="not among the respondents"):
        group_comments(df, pd.DataFrame({"person_id": ["zz"], "text": ["hi"]}), threshold=3)


# --------------------------------------------------------------------------- properties

TEAMS = ["Ops", "Sales", "IT", "HR", "Legal"]


@st.composite
def answer_tables(
    draw: st.DrawFn, max_people: int = 24, scale: tuple[int, int] = (1, 5)
) -> pd.DataFrame:
    lo, hi = scale
    n = draw(st.integers(0, max_people))
    # skewed team choice so that small teams and pooling happen often
    team_weights = draw(st.lists(st.integers(0, 3), min_size=len(TEAMS), max_size=len(TEAMS)))
    pool = [t for t, w in zip(TEAMS, team_weights, strict=True) for _ in range(w)] or TEAMS[:1]
    leader_share = draw(st.sampled_from([0.1, 0.3, 0.5]))
    rating = st.one_of(st.none(), st.integers(lo, hi))
    people: list[Person] = []
    for i in range(n):
        role = "leader" if draw(st.floats(0, 1)) < leader_share else "staff"
        team = draw(st.sampled_from(pool))
        people.append((f"p{i:02d}", role, team, {s: draw(rating) for s in STATEMENTS}))
    return make_answers(people)


def shuffled(df: pd.DataFrame, seed: int) -> pd.DataFrame:
    order = list(range(len(df)))
    random.Random(seed).shuffle(order)
    return df.iloc[order].reset_index(drop=True)


def people_of(df: pd.DataFrame) -> pd.DataFrame:
    return df.drop_duplicates("person_id")[["person_id", "role", "team"]]


def members(df: pd.DataFrame, by: str, label: str, merged: Sequence[str]) -> set[str]:
    """Who is behind a shown label, worked out from the raw answers."""
    people = people_of(df)
    if by == "overall":
        return set(people["person_id"])
    column = "team" if by == "team" else "role"
    keys = set(merged) if label == POOL_LABEL else {label}
    return set(people.loc[people[column].isin(keys), "person_id"])


@PROPERTY
@given(data=st.data(), lo=st.integers(-2, 3), width=st.integers(1, 6))
def test_scores_stay_within_the_scale(data: st.DataObject, lo: int, width: int) -> None:
    hi = lo + width
    df = data.draw(answer_tables(max_people=8, scale=(lo, hi)))
    scores = person_value_scores(df, scale_min=lo, scale_max=hi)
    rated = scores["score"].notna()
    assert ((scores.loc[rated, "score"] >= lo) & (scores.loc[rated, "score"] <= hi)).all()
    assert (rated == (scores["n_rated"] > 0)).all()
    groups = group_scores(df, "overall", threshold=3, scale_min=lo, scale_max=hi).table
    shown = groups[groups["shown"]]
    assert ((shown["mean"] >= lo) & (shown["mean"] <= hi)).all()


@HEAVY
@given(df=answer_tables(), threshold=st.integers(3, 6))
def test_shown_groups_are_big_and_differences_safe(df: pd.DataFrame, threshold: int) -> None:
    everyone = set(df["person_id"])
    overall = group_scores(df, "overall", threshold=threshold)
    assert (not overall.groups.empty) == (len(everyone) >= threshold)
    overall_cells = overall.table.set_index("value_id")
    for by in ("team", "role"):
        result = group_scores(df, by, threshold=threshold)
        shown_people: list[str] = []
        for record in result.groups.to_dict("records"):
            who = members(df, by, str(record["group"]), result.merged_groups)
            assert len(who) >= threshold
            assert record["n_respondents"] == len(who)
            shown_people.extend(who)
        assert len(shown_people) == len(set(shown_people))  # no one counted twice
        # overall minus the shown groups: nobody, or a group of threshold or more
        if not overall.groups.empty:
            remainder = len(everyone) - len(shown_people)
            assert remainder == 0 or remainder >= threshold
        else:
            assert result.groups.empty
        # the same per value cell
        shown_cells = result.table[result.table["shown"]]
        assert (shown_cells["n_people"] >= threshold).all()
        for value, cells in shown_cells.groupby("value_id"):
            assert bool(overall_cells.at[value, "shown"])
            remainder = int(overall_cells.at[value, "n_people"]) - int(cells["n_people"].sum())
            assert remainder == 0 or remainder >= threshold


@HEAVY
@given(
    df=answer_tables(),
    threshold=st.integers(3, 6),
    by=st.sampled_from(["overall", "team", "role"]),
)
def test_shown_cells_count_real_raters(df: pd.DataFrame, threshold: int, by: str) -> None:
    result = group_scores(df, by, threshold=threshold)  # type: ignore[arg-type]
    statements = statement_scores(df, by, threshold=threshold)  # type: ignore[arg-type]
    # the ratings that count: a statement's few raters count as "don't know" (countable_answers)
    counted = scoring.countable_answers(df, threshold)
    rated = counted[counted["rating"].notna()]
    raters_of = {key: set(frame["person_id"]) for key, frame in rated.groupby("value_id")} | {
        key: set(frame["person_id"]) for key, frame in rated.groupby("statement_id")
    }
    for row in result.table[result.table["shown"]].to_dict("records"):
        who = members(df, by, str(row["group"]), result.merged_groups)
        assert row["n_people"] == len(who & raters_of[row["value_id"]]) >= threshold
    for row in statements.table[statements.table["shown"]].to_dict("records"):
        who = members(df, by, str(row["group"]), statements.merged_groups)
        assert row["n_rated"] == len(who & raters_of[row["statement_id"]]) >= threshold


@HEAVY
@given(df=answer_tables(), threshold=st.integers(3, 6))
def test_leader_staff_split_needs_both_sides(df: pd.DataFrame, threshold: int) -> None:
    roles = people_of(df)["role"].value_counts()
    both = roles.get("leader", 0) >= threshold and roles.get("staff", 0) >= threshold
    split = group_scores(df, "role", threshold=threshold)
    gaps = leader_staff_gaps(df, threshold=threshold)
    # shown only with both sides big enough; when both are but the split is still left out,
    # it is because next to the teams it would expose someone, and the notes say so
    assert split.groups.empty or both
    assert gaps.table.empty == split.groups.empty
    if not both and len(people_of(df)) >= threshold:
        assert any("not compared" in note for note in gaps.notes)
    if both and split.groups.empty:
        assert any("not shown separately" in note for note in gaps.notes)
    # a value shows a gap only when both sides have threshold raters
    shown = gaps.table.dropna(subset=["gap"])
    assert ((shown["n_leaders"] >= threshold) & (shown["n_staff"] >= threshold)).all()


@HEAVY
@given(
    df=answer_tables(),
    threshold=st.integers(3, 5),
    extra=st.integers(0, 3),
    data=st.data(),
)
def test_comments_never_come_from_small_groups(
    df: pd.DataFrame, threshold: int, extra: int, data: st.DataObject
) -> None:
    comment_threshold = threshold + extra
    people = people_of(df)
    authors = (
        data.draw(st.lists(st.sampled_from(sorted(people["person_id"])), unique=True))
        if len(people)
        else []
    )
    statement = st.one_of(st.none(), st.sampled_from(sorted(STATEMENTS)))
    comments = pd.DataFrame(
        {
            "person_id": authors,
            "text": [f"note by {a}" for a in authors],
            "statement_id": [data.draw(statement) for _ in authors],
        }
    )
    pairs = list(zip(people["team"].astype(str), people["role"].astype(str), strict=True))
    team_plan = plan_groups(pairs, comment_threshold).teams  # planned like the scores, at the comment threshold
    rated = df[df["rating"].notna()]
    for by in ("overall", "team", "role"):
        result = group_comments(
            df, comments, by, threshold=threshold, comment_threshold=comment_threshold
        )
        assert list(result.table.columns) == ["group", "statement_id", "text"]
        keys = [
            (str(r["group"]), not pd.isna(r["statement_id"]), str(r["statement_id"]), r["text"])
            for r in result.table.to_dict("records")
        ]
        if by != "team":  # team labels come in display order, not alphabetical
            assert keys == sorted(keys)
        for row in result.table.to_dict("records"):
            author = str(row["text"]).removeprefix("note by ")
            group = str(row["group"])
            who = members(df, by, group, team_plan.merged)
            assert author in who
            assert len(who) >= comment_threshold
            if by == "role":
                roles = people["role"].value_counts()
                assert min(roles.get("leader", 0), roles.get("staff", 0)) >= comment_threshold
            if not pd.isna(row["statement_id"]):
                raters = rated[
                    rated["person_id"].isin(who) & (rated["statement_id"] == row["statement_id"])
                ]
                assert raters["person_id"].nunique() >= comment_threshold


@PROPERTY
@given(df=answer_tables(), threshold=st.integers(3, 6), seed=st.integers(0, 1000))
def test_countable_answers_are_stable(df: pd.DataFrame, threshold: int, seed: int) -> None:
    """Same answers, same countable ratings, whatever the row order; applied again it drops nothing more."""
    counted = scoring.countable_answers(df, threshold)
    pd.testing.assert_frame_equal(scoring.countable_answers(shuffled(df, seed), threshold), counted)
    pd.testing.assert_frame_equal(scoring.countable_answers(counted, threshold), counted)
    # only ratings turn into "don't know"; nobody and no row disappears
    assert len(counted) == len(df)
    assert not (counted["rating"].notna() & validate_answers(df)["rating"].isna()).any()

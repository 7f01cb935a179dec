"""Tests for workbook.anonymity: who may be shown, and that differences stay safe."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbook import anonymity
from workbook.anonymity import (
    POOL_LABEL,
    cell_notes,
    check_comment_threshold,
    plan_groups,
    plan_overall,
    plan_partition,
    plan_split,
    select_comments,
    split_shortfall,
    suppress_cells,
    suppress_shown_cells,
)
from workbook.errors import InputError

FAST = settings(max_examples=200, deadline=None)


def test_public_names_are_exactly_all() -> None:
    # functions and classes defined here, plus constants declared here (annotated Final)
    public = {
        name
        for name, obj in vars(anonymity).items()
        if not name.startswith("_") and getattr(obj, "__module__", None) == anonymity.__name__
    }
    public |= {name for name in anonymity.__annotations__ if not name.startswith("_")}
    assert sorted(anonymity.__all__) == sorted(public)
    assert all(hasattr(anonymity, name) for name in anonymity.__all__)


# --------------------------------------------------------------------------- thresholds


@pytest.mark.parametrize("threshold", [2, 51, 2.0, True])
def test_the_disclosure_maths_takes_only_what_the_one_rule_allows(threshold: object) -> None:
    """No second, looser threshold check: the maths refuses what workbook.settings refuses, in its words."""
    people = [("A", "staff")] * 6
    for call in (lambda: plan_groups(people, threshold), lambda: check_comment_threshold(None, threshold)):
        with pytest.raises(InputError, match="anonymity threshold must be a whole number from 3 to 50"):
            call()
    assert plan_groups(people, 3).threshold == 3 and check_comment_threshold(None, np.int64(7)) == 7


def test_comment_threshold_defaults_to_threshold_and_may_be_higher() -> None:
    assert check_comment_threshold(None, 5) == 5
    assert check_comment_threshold(8, 5) == 8
    assert check_comment_threshold(5, 5) == 5


def test_comment_threshold_below_threshold_is_refused() -> None:
    with pytest.raises(InputError, match=r"comment threshold \(4\) cannot be lower .* \(5\)"):
        check_comment_threshold(4, 5)
    with pytest.raises(InputError, match="whole number"):
        check_comment_threshold(5.5, 5)
    with pytest.raises(InputError, match="anonymity threshold"):
        check_comment_threshold(5, 1)


# --------------------------------------------------------------------------- partitions

PARTITION_CASES = [
    # sizes, threshold, shown groups, merged teams, suppressed teams, note fragments
    ({}, 5, (), (), (), ["no one has responded"]),
    ({"A": 3}, 5, (), (), ("A",), ["fewer than 5 people have responded"]),
    ({"A": 5}, 5, ("A",), (), (), []),
    ({"A": 6, "B": 7}, 5, ("A", "B"), (), (), []),
    ({"A": 0, "B": 5}, 5, ("B",), (), (), []),
    (
        {"A": 6, "B": 2, "C": 3},
        5,
        ("A", POOL_LABEL),
        ("B", "C"),
        (),
        ["Teams with fewer than 5 respondents (2 teams) are combined as 'Other teams'."],
    ),
    (
        {"A": 6, "B": 7, "C": 2},
        5,
        ("B", POOL_LABEL),
        ("A", "C"),
        (),
        [
            "(1 team) are combined as 'Other teams'.",
            "1 team with 5 or more respondents is also included in 'Other teams'",
        ],
    ),
    # equal sizes: the alphabetically first of the smallest joins the pool
    ({"A": 6, "B": 6, "C": 2}, 5, ("B", POOL_LABEL), ("A", "C"), (), ["also included"]),
    (
        {"A": 1, "B": 1, "C": 5, "D": 5, "E": 5},
        5,
        ("D", "E", POOL_LABEL),
        ("A", "B", "C"),
        (),
        ["(2 teams) are combined", "1 team with 5 or more respondents is also included"],
    ),
    (
        {"A": 2, "B": 2, "C": 2, "D": 9, "E": 9},
        5,
        ("D", "E", POOL_LABEL),
        ("A", "B", "C"),
        (),
        ["(3 teams)"],
    ),
    # a big team next to one small team: showing it would reveal the small one
    ({"A": 10, "B": 3}, 5, (), (), ("A", "B"), ["Results are not shown by team"]),
    ({"A": 3, "B": 3}, 5, (), (), ("A", "B"), ["Results are not shown by team"]),
    # At the smallest allowed threshold, 3 (these four were worked at 2 before the one rule, with each
    # small team one person smaller): every team short and the pool is everyone, so nothing by team;
    # one team short (C, 2 < 3) pools with the first smallest team that makes the pool reach 3 (A: 3 + 2);
    # every team at 3 or more is shown as it is.
    ({"A": 2, "B": 2, "C": 2}, 3, (), (), ("A", "B", "C"), ["Results are not shown by team"]),
    ({"A": 3, "B": 3, "C": 2}, 3, ("B", POOL_LABEL), ("A", "C"), (), ["also included"]),
    ({"A": 4, "B": 4, "C": 2}, 3, ("B", POOL_LABEL), ("A", "C"), (), ["also included"]),
    ({"A": 4, "B": 4, "C": 3}, 3, ("A", "B", "C"), (), (), []),
    ({"A": 4, "B": 4, "C": 1}, 5, (), (), ("A", "B", "C"), ["Results are not shown by team"]),
]


@pytest.mark.parametrize(
    ("sizes", "threshold", "groups", "merged", "suppressed", "notes"), PARTITION_CASES
)
def test_partition_pooling_table(
    sizes: dict[str, int],
    threshold: int,
    groups: tuple[str, ...],
    merged: tuple[str, ...],
    suppressed: tuple[str, ...],
    notes: list[str],
) -> None:
    plan = plan_partition(sizes, threshold)
    assert plan.groups == groups
    assert plan.merged == merged
    assert plan.suppressed == suppressed
    text = " ".join(plan.notes)
    for fragment in notes:
        assert fragment in text
    if not notes:
        assert plan.notes == ()
    for group in groups:
        assert plan.sizes[group] >= threshold


def test_partition_labels_map_teams_to_shown_groups() -> None:
    plan = plan_partition({"A": 6, "B": 2, "C": 3}, 5)
    assert plan.label_for("A") == "A"
    assert plan.label_for("B") == POOL_LABEL
    assert plan.label_for("C") == POOL_LABEL
    assert plan.label_for("nope") is None
    assert plan.sizes == {"A": 6, POOL_LABEL: 5}


def test_partition_refuses_a_team_named_like_the_pool() -> None:
    with pytest.raises(InputError, match=r"named 'Other teams'.*rename"):
        plan_partition({POOL_LABEL: 6, "B": 6}, 5)


def test_partition_refuses_negative_sizes() -> None:
    with pytest.raises(InputError, match="whole numbers of 0 or more"):
        plan_partition({"A": -1}, 5)


def test_plan_overall() -> None:
    assert plan_overall(5, 5).groups == (anonymity.OVERALL_LABEL,)
    assert plan_overall(4, 5).groups == ()
    assert plan_overall(4, 5).notes == ("Nothing is shown: fewer than 5 people have responded.",)
    assert plan_overall(0, 5).notes == ("Nothing is shown yet: no one has responded.",)


# --------------------------------------------------------------------------- two-way split

SPLIT_CASES = [
    ({"leader": 5, "staff": 5}, ("leader", "staff"), None),
    ({"leader": 9, "staff": 30}, ("leader", "staff"), None),
    (
        {"leader": 4, "staff": 20},
        (),
        "Leaders and staff are not compared: fewer than 5 leaders have responded.",
    ),
    (
        {"leader": 20, "staff": 1},
        (),
        "Leaders and staff are not compared: fewer than 5 staff have responded.",
    ),
    (
        {"leader": 0, "staff": 9},
        (),
        "Leaders and staff are not compared: fewer than 5 leaders have responded.",
    ),
    (
        {"leader": 3, "staff": 3},
        (),
        "Leaders and staff are not compared: fewer than 5 leaders and fewer than 5 staff "
        "have responded.",
    ),
    ({"leader": 2, "staff": 2}, (), "Nothing is shown: fewer than 5 people have responded."),
]


@pytest.mark.parametrize(("sizes", "groups", "note"), SPLIT_CASES)
def test_split_is_all_or_nothing(
    sizes: dict[str, int], groups: tuple[str, ...], note: str | None
) -> None:
    plan = plan_split(sizes, 5, plurals={"leader": "leaders", "staff": "staff"})
    assert plan.groups == groups
    assert plan.notes == (() if note is None else (note,))
    assert plan.merged == ()


# --------------------------------------------------------------------------- cells


def _counts(rows: dict[str, list[int]], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, index=columns).T


@pytest.mark.parametrize(
    ("cells", "total", "shown", "primary", "secondary"),
    [
        # one small cell next to one big: hiding only the small one would not hide it
        ({"Ops": 7, "Other": 4}, 11, {"Ops": False, "Other": False}, 1, 1),
        # nobody outside Ops rated it: nothing to protect
        ({"Ops": 7, "Other": 0}, 7, {"Ops": True, "Other": False}, 1, 0),
        (
            {"Ops": 7, "Sales": 6, "Other": 3},
            16,
            {"Ops": True, "Sales": False, "Other": False},
            1,
            1,
        ),
        # a tie: the later group in display order is hidden
        (
            {"Ops": 6, "Sales": 6, "Other": 3},
            15,
            {"Ops": True, "Sales": False, "Other": False},
            1,
            1,
        ),
        # two small cells together already reach the threshold
        (
            {"Ops": 7, "Sales": 3, "Other": 2},
            12,
            {"Ops": True, "Sales": False, "Other": False},
            2,
            0,
        ),
        ({"Ops": 5, "Sales": 5}, 10, {"Ops": True, "Sales": True}, 0, 0),
        # overall below the threshold: everything hidden, no secondary needed
        ({"Ops": 2, "Sales": 2}, 4, {"Ops": False, "Sales": False}, 2, 0),
    ],
)
def test_cell_suppression_table(
    cells: dict[str, int], total: int, shown: dict[str, bool], primary: int, secondary: int
) -> None:
    counts = pd.DataFrame({"A": cells})
    result = suppress_cells(counts, {"A": total}, 5)
    assert result.shown["A"].to_dict() == shown
    assert (result.primary, result.secondary) == (primary, secondary)


def test_cell_suppression_notes() -> None:
    counts = pd.DataFrame({"A": {"Ops": 7, "Other": 4}, "E": {"Ops": 2, "Other": 2}})
    result = suppress_cells(counts, {"A": 11, "E": 4}, 5)
    assert result.notes == (
        "3 scores are hidden because fewer than 5 people rated them.",
        "1 more score is hidden so that hidden scores cannot be worked out from the other figures.",
    )


def test_cell_counts_above_total_are_a_bug() -> None:
    with pytest.raises(ValueError, match="exceed"):
        suppress_cells(pd.DataFrame({"A": {"Ops": 7}}), {"A": 3}, 5)


# --------------------------------------------------------------------------- comments


def test_comments_show_group_only_sorted_by_text() -> None:
    plan = plan_overall(8, 5)
    membership = {f"p{i}": anonymity.OVERALL_LABEL for i in range(8)}
    comments = pd.DataFrame(
        {
            "person_id": ["p3", "p1", "p7", "p2"],
            "text": ["  zebra ", "apple", "", "mango"],
            "statement_id": ["A1", None, "A2", "A2"],
        }
    )
    raters = {(anonymity.OVERALL_LABEL, "A1"): 8, (anonymity.OVERALL_LABEL, "A2"): 3}
    result = select_comments(comments, membership, plan, 5, statement_raters=raters)
    assert list(result.table.columns) == ["group", "statement_id", "text"]
    assert result.table["text"].tolist() == ["apple", "mango", "zebra"]
    statements = result.table["statement_id"].tolist()
    assert pd.isna(statements[0]) and pd.isna(statements[1])  # A2 had too few raters
    assert statements[2] == "A1"
    assert result.notes == (
        "1 comment is shown without its statement because fewer than 5 people in the group "
        "rated it.",
    )


def test_comments_from_hidden_groups_are_dropped() -> None:
    membership = {f"p{i}": ("leader" if i < 2 else "staff") for i in range(10)}
    plan = plan_split({"leader": 2, "staff": 8}, 5)
    comments = pd.DataFrame({"person_id": ["p0", "p5"], "text": ["from a leader", "from staff"]})
    result = select_comments(comments, membership, plan, 5)
    assert result.table.empty
    assert result.notes == plan.notes


def test_comments_need_a_plan_at_the_comment_threshold() -> None:
    plan = plan_overall(8, 5)
    comments = pd.DataFrame({"person_id": ["p1"], "text": ["x"]})
    with pytest.raises(InputError, match="at least the comment threshold"):
        select_comments(comments, {"p1": anonymity.OVERALL_LABEL}, plan, 6)


def test_comments_need_person_and_text_columns() -> None:
    with pytest.raises(InputError, match=r"missing column.*text"):
        select_comments(pd.DataFrame({"person_id": ["p1"]}), {}, plan_overall(8, 5), 5)


# --------------------------------------------------------------------------- properties

sizes_strategy = st.dictionaries(
    st.sampled_from([f"T{i}" for i in range(8)]), st.integers(0, 12), max_size=8
)


@FAST
@given(sizes=sizes_strategy, threshold=st.integers(3, 8))
def test_partition_never_exposes_a_small_group_or_difference(
    sizes: dict[str, int], threshold: int
) -> None:
    plan = plan_partition(sizes, threshold)
    total = sum(sizes.values())
    for group in plan.groups:
        assert plan.sizes[group] >= threshold
        members = [t for t, label in plan.members.items() if label == group]
        assert sum(sizes[t] for t in members) == plan.sizes[group]
    if total < threshold:  # the overall figure is not shown either
        assert plan.groups == ()
    else:
        # overall minus the shown groups is nobody or a safe group
        remainder = total - sum(plan.sizes[g] for g in plan.groups)
        assert remainder == 0 or remainder >= threshold
        # the same holds when a reader ignores the pool and subtracts only named teams
        named = [g for g in plan.groups if g != POOL_LABEL]
        rest = total - sum(plan.sizes[g] for g in named)
        assert rest == 0 or rest >= threshold
    # every team is accounted for exactly once
    present = {t for t, n in sizes.items() if n > 0}
    assert set(plan.members) | set(plan.suppressed) == present
    assert not set(plan.members) & set(plan.suppressed)


@FAST
@given(leaders=st.integers(0, 12), staff=st.integers(0, 12), threshold=st.integers(3, 8))
def test_split_shown_only_when_both_sides_reach_threshold(
    leaders: int, staff: int, threshold: int
) -> None:
    plan = plan_split({"leader": leaders, "staff": staff}, threshold)
    assert bool(plan.groups) == (leaders >= threshold and staff >= threshold)
    assert plan.notes or plan.groups


@FAST
@given(
    cells=st.lists(st.integers(0, 12), min_size=1, max_size=6),
    outside=st.integers(0, 12),
    threshold=st.integers(3, 8),
)
def test_cells_shown_are_big_and_differences_safe(
    cells: list[int], outside: int, threshold: int
) -> None:
    groups = [f"G{i}" for i in range(len(cells))]
    counts = pd.DataFrame({"A": dict(zip(groups, cells, strict=True))})
    total = sum(cells) + outside
    result = suppress_cells(counts, {"A": total}, threshold)
    shown = [g for g in groups if result.shown.at[g, "A"]]
    assert all(counts.at[g, "A"] >= threshold for g in shown)
    if total >= threshold:
        remainder = total - sum(int(counts.at[g, "A"]) for g in shown)
        assert remainder == 0 or remainder >= threshold
    else:
        assert shown == []


# --------------------------------------------------------------------------- groups shown together


def _people(spec: dict[str, tuple[int, int]]) -> list[tuple[str, str]]:
    """{team: (leaders, staff)} -> one (team, role) per person."""
    out: list[tuple[str, str]] = []
    for team, (leaders, staff) in spec.items():
        out += [(team, "leader")] * leaders + [(team, "staff")] * staff
    return out


@pytest.mark.parametrize(
    ("blocks", "threshold", "short"),
    [
        # the issue: team E all leaders, the pool holds one leader among staff
        ([{"leader": 6}, {"leader": 1, "staff": 5}, {"staff": 8}], 5, 4),
        # every team one-sided: leaders and staff are unions of whole teams
        ([{"leader": 6}, {"leader": 2}, {"staff": 8}], 3, 0),
        # mixed teams hold 4 leaders and 4 staff in all: nothing small can be isolated
        ([{"leader": 2, "staff": 2}, {"leader": 2, "staff": 2}, {"staff": 4}], 3, 0),
        # mixed teams hold 2 staff: "staff of the mixed teams" would be 2 people
        ([{"leader": 5, "staff": 1}, {"leader": 5, "staff": 1}, {"staff": 9}], 3, 1),
    ],
)
def test_split_shortfall(blocks: list[dict[str, int]], threshold: int, short: int) -> None:
    assert split_shortfall(blocks, threshold) == short


def test_split_shortfall_is_for_two_sides() -> None:
    with pytest.raises(ValueError, match="two sides"):
        split_shortfall([{"a": 5}], 5, sides=("a", "b", "c"))


def test_plan_groups_keeps_a_safe_split_next_to_mixed_teams() -> None:
    # ACME of the report tests: pairwise cells of 2 leaders are small, but no combination isolates them
    plan = plan_groups(_people({"Alpha": (2, 2), "Beta": (2, 2), "Gamma": (0, 2), "Solo": (0, 2)}), 3)
    assert plan.teams.groups == ("Alpha", "Beta", POOL_LABEL)
    assert plan.roles.groups == ("leader", "staff")
    assert plan.labels == (anonymity.OVERALL_LABEL, "Alpha", "Beta", POOL_LABEL, "leader", "staff")


def test_plan_groups_drops_the_split_when_pooling_would_lose_more() -> None:
    # T3 is 5 leaders; the pool (T1 and T2) holds 3 leaders and 2 staff, so leaders minus T3 would be
    # those 3 leaders.  Pooling everything would leave only leaders vs staff: fewer figures than the teams.
    plan = plan_groups(_people({"T0": (0, 6), "T1": (2, 1), "T2": (1, 1), "T3": (5, 0)}), 5)
    assert plan.teams.groups == ("T0", "T3", POOL_LABEL)
    assert plan.roles.groups == ()
    assert plan.roles.notes == (
        "Leaders and staff are not shown separately: next to the team results, that would let a few people's "
        "answers be worked out. Some groups are combined so that no one's answers can be worked out.",
    )


def test_plan_groups_with_too_few_people_shows_nothing() -> None:
    plan = plan_groups(_people({"A": (1, 2)}), 5)
    assert plan.labels == ()
    assert plan.teams.notes == plan.roles.notes == ("Nothing is shown: fewer than 5 people have responded.",)


def test_plan_groups_refuses_unknown_roles_and_the_pool_name() -> None:
    with pytest.raises(InputError, match="Unknown role"):
        plan_groups([("A", "boss")], 5)
    with pytest.raises(InputError, match="reserved"):
        plan_groups([(POOL_LABEL, "staff")] * 5, 5)


def test_cells_hide_a_columns_split_when_its_raters_would_expose_someone() -> None:
    # the plan is safe for the people, but on value A one of team T1's staff said "don't know"
    # to everything: T1's A raters are then 5 leaders and 4 staff, and staff minus T2 would be those 4
    people = _people({"T1": (5, 5), "T2": (0, 6), "T3": (5, 0)})
    plan = plan_groups(people, 5)
    assert plan.teams.groups == ("T1", "T2", "T3") and plan.roles.groups == ("leader", "staff")
    raters = pd.DataFrame(
        [{"column": c, "team": t, "role": r} for c in ("A", "E") for t, r in people]
    ).drop(index=5)  # person 5 is T1's first staff member, on A only
    reasons = suppress_shown_cells(raters, plan, ["A", "E"])
    assert reasons["E"].tolist() == [""] * 6
    assert reasons.loc[["leader", "staff"], "A"].tolist() == ["derived", "derived"]
    assert reasons.loc[[anonymity.OVERALL_LABEL, "T1", "T2", "T3"], "A"].tolist() == ["", "", "", ""]
    assert cell_notes(reasons, ["leader", "staff"], 5) == (
        "2 more scores are hidden so that hidden scores cannot be worked out from the other figures.",
    )
    assert cell_notes(reasons, ["T1", "T2", "T3"], 5) == ()

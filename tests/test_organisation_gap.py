"""Self vs organisation: the same anonymity rule as the self scores, checked against the oracle.

Random organisations (as in ``test_disclosure``) answer a few statements about
themselves and a few about the organisation, some people with no answers about
the organisation at all (they answered before those statements existed) and
some with many "don't know".  For every example:

* a row is shown only where the self cell of that group is shown (a group
  hidden for self scores is hidden for the organisation too) and the
  organisation cell is shown;
* the people behind each shown organisation figure, value by value, expose no
  set of fewer than ``threshold`` people in any combination of the groups the
  view shows (the brute-force oracle of ``disclosure_oracle``);
* organisation ratings that do not count (sparse statements) move no figure;
* the self figures are exactly :func:`workbook.scoring.group_scores` of the
  self answers, whatever the organisation answers are.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_disclosure import Person, answers_for, assert_nothing_exposed, organisations, plan_sets

from workbook.anonymity import OVERALL_LABEL, plan_groups
from workbook.organisation_gap import organisation_answers, person_gaps, self_organisation_gaps
from workbook.scoring import countable_answers, group_scores
from workbook.store.responses import AnswerRow

CHECK = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ABOUT_ORG = {"AO1": "A", "AO2": "A", "EO1": "E", "IO1": "I", "OO1": "O", "UO1": "U"}


def org_answers_for(people: Sequence[Person], *, seed: int, dont_know: float, before: float) -> pd.DataFrame:
    """Answers about the organisation; a share ``before`` of the people answered none (all "don't know")."""
    frame = answers_for(people, seed=seed + 1, dont_know=dont_know, statements=ABOUT_ORG)
    rng = np.random.default_rng(seed + 2)
    old = {f"p{i:03d}" for i in range(len(people)) if rng.random() < before}
    frame.loc[frame["person_id"].isin(old), "rating"] = None
    frame["reverse"] = frame["statement_id"] == "AO2"
    return frame


def _gaps(own: pd.DataFrame, org: pd.DataFrame, threshold: int) -> tuple[object, pd.DataFrame]:
    people = own.drop_duplicates("person_id")
    plan = plan_groups(list(zip(people["team"], people["role"], strict=True)), threshold)
    return plan, self_organisation_gaps(own, org, plan=plan, threshold=threshold).table


@CHECK
@given(org=organisations(max_teams=5), seed=st.integers(0, 2**16),
       dont_know=st.sampled_from([0.0, 0.2, 0.6]), before=st.sampled_from([0.0, 0.3, 1.0]))
def test_organisation_figures_follow_the_self_plan_and_expose_no_one(
    org: tuple[list[Person], int], seed: int, dont_know: float, before: float
) -> None:
    people, threshold = org
    own = answers_for(people, seed=seed, dont_know=0.1)
    about = org_answers_for(people, seed=seed, dont_know=dont_know, before=before)
    plan, table = _gaps(own, about, threshold)

    # 1. Hidden for self scores means hidden here; the self side is exactly the self scores.
    self_cells = {}
    for by in ("overall", "role"):
        scores = group_scores(own, by, threshold=threshold, plan=plan)  # type: ignore[arg-type]
        for r in scores.table.to_dict("records"):
            self_cells[(str(r["group"]), str(r["value_id"]))] = r
    for row in table[table["shown"]].to_dict("records"):
        cell = self_cells[(row["group"], row["value_id"])]
        assert bool(cell["shown"])
        assert row["self_mean"] == pytest.approx(float(cell["mean"]))
        assert row["gap"] == pytest.approx(row["self_mean"] - row["organisation_mean"])
    assert set(table["group"]) <= {OVERALL_LABEL, *plan.roles.groups}  # type: ignore[attr-defined]

    # 2. The oracle, on the people behind each shown organisation figure, value by value.
    counted = countable_answers(about, threshold, plan=plan)  # type: ignore[arg-type]
    rated = counted[counted["rating"].notna()]
    index = {f"p{i:03d}": i for i in range(len(people))}
    roles = np.array([r for _, r in people])
    sets = plan_sets(people, threshold)
    for value, rows in rated.groupby("value_id"):
        raters = np.zeros(len(people), dtype=bool)
        raters[[index[p] for p in set(rows["person_id"])]] = True
        shown = table[(table["value_id"] == value) & table["shown"]]
        for row in shown.to_dict("records"):
            who = raters if row["group"] == OVERALL_LABEL else raters & (roles == row["group"])
            assert int(who.sum()) == int(row["n_organisation"]) >= threshold
        assert_nothing_exposed({k: v & raters for k, v in sets.items()}, raters, threshold, f"organisation {value}")

    # 3. Ratings that do not count move nothing.
    keys = list(zip(about["person_id"], about["statement_id"], strict=True))
    dropped = about["rating"].notna().to_numpy() & counted.set_index(["person_id", "statement_id"]).loc[
        keys, "rating"].isna().to_numpy()
    if dropped.any():
        changed = about.copy()
        changed.loc[dropped, "rating"] = [int(r) % 5 + 1 for r in about.loc[dropped, "rating"]]
        pd.testing.assert_frame_equal(table, _gaps(own, changed, threshold)[1])


def test_a_plan_for_other_people_is_refused() -> None:
    people = [("T", "staff")] * 6
    own = answers_for(people, seed=1, dont_know=0.0)
    about = org_answers_for(people[:5], seed=1, dont_know=0.0, before=0.0)
    plan = plan_groups(people, 3)
    with pytest.raises(ValueError, match="other respondents"):
        self_organisation_gaps(own, about, plan=plan, threshold=3)


def test_worked_example_everyone_leaders_and_staff() -> None:
    """4 leaders rate themselves 5 and the organisation 3; 4 staff rate themselves 4 and the organisation 2."""
    people = [("T1", "leader")] * 2 + [("T1", "staff")] * 2 + [("T2", "leader")] * 2 + [("T2", "staff")] * 2
    own = answers_for(people, seed=0, dont_know=0.0, statements={"A1": "A"})
    own["rating"] = [5 if role == "leader" else 4 for role in own["role"]]
    about = answers_for(people, seed=0, dont_know=0.0, statements={"AO1": "A", "AO2": "A"})
    about["reverse"] = about["statement_id"] == "AO2"
    about["rating"] = [(3 if role == "leader" else 2) if s == "AO1" else (3 if role == "leader" else 4)
                       for role, s in zip(about["role"], about["statement_id"], strict=True)]  # AO2 flipped: 3 / 2
    _, table = _gaps(own, about, 4)
    got = {r["group"]: (r["self_mean"], r["organisation_mean"], r["gap"]) for r in table.to_dict("records")}
    assert got == {OVERALL_LABEL: (4.5, 2.5, 2.0), "leader": (5.0, 3.0, 2.0), "staff": (4.0, 2.0, 2.0)}


def test_organisation_answers_fill_dont_know_and_ignore_unsubmitted_and_other_statements() -> None:
    from workbook.framework import load_framework

    framework = load_framework()
    people = pd.DataFrame({"person_id": ["1", "2"], "role": ["staff", "leader"], "team": ["T", "T"]})
    rows = [
        AnswerRow(1, "staff", "T", "AO1", 4, False, None, True),
        AnswerRow(1, "staff", "T", "A1", 5, False, None, True),  # about oneself: not here
        AnswerRow(2, "leader", "T", "AO1", 2, False, None, False),  # not submitted: does not count
        AnswerRow(3, "staff", "T", "AO1", 1, False, None, True),  # not among the counted people
    ]
    frame = organisation_answers(rows, framework, people)
    assert len(frame) == 2 * len(framework.organisation_statements)
    assert set(frame["statement_id"]) == {s.id for s in framework.organisation_statements}
    rated = frame.dropna(subset=["rating"])
    assert list(zip(rated["person_id"], rated["statement_id"], rated["rating"], strict=True)) == [("1", "AO1", 4)]
    assert frame.loc[frame["statement_id"] == "AO2", "reverse"].all()


def test_person_gaps_use_only_that_persons_answers() -> None:
    people = [("T", "staff")] * 3
    own = answers_for(people, seed=3, dont_know=0.0, statements={"A1": "A", "E1": "E"})
    own["rating"] = [5, 4, 1, 1, 1, 1]
    about = answers_for(people, seed=3, dont_know=0.0, statements={"AO1": "A", "EO1": "E"})
    about["rating"] = [2, None, 5, 5, 5, 5]
    gaps = {g.value_id: g for g in person_gaps(own, about, "p000", value_order=["A", "E"])}
    assert (gaps["A"].self_score, gaps["A"].organisation_score, gaps["A"].gap) == (5.0, 2.0, 3.0)
    assert (gaps["E"].self_score, gaps["E"].organisation_score, gaps["E"].gap) == (4.0, None, None)

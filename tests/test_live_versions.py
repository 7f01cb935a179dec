"""The live views against the version attack, leaders and staff included.

The workshop's live profile and a respondent's own results are looked at again and again while
people submit.  Leaders and staff submit in turn here (threshold 3): after every submission both
views are read, and any two looks must show the same figures or count people who differ by a
whole batch.  Neither view may show a leaders' or staff figure (or a team's) at all: a side's
figure counted from its own whole batches next to everyone's would give the difference away.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from workbook.apps.values import open_assessment
from workbook.framework import Framework
from workbook.people_csv import PersonRow
from workbook.store import Store, open_store
from workbook.values import EVERYONE, personal_results
from workbook.workshop.live import PROFILE_SERIES, live_profile

ROLES = ["leader", "staff", "staff", "leader", "staff", "leader", "staff", "staff", "leader", "staff"]


@pytest.fixture
def mixed(tmp_path: Path) -> Iterator[Store]:
    with open_store(str(tmp_path / "mixed.db")) as store:
        store.organisations.create("Mixed", "mixed", threshold=3)
        store.people.import_rows("mixed", [
            PersonRow(f"P{i}", f"p{i}@example.org", role, "North" if i % 2 else "South")
            for i, role in enumerate(ROLES)])
        yield store


def test_live_views_show_no_side_and_move_in_whole_batches(mixed: Store, framework: Framework) -> None:
    store = mixed
    organisation = store.organisations.get("mixed")
    cycle = store.responses.cycle("mixed")
    viewer = open_assessment(store, store.people.invite("mixed", "p0@example.org").token)
    looks: list[tuple[int, list[tuple[str, str, float]], list[tuple[str, str, float]]]] = []
    for index, role in enumerate(ROLES):
        person = store.people.get("mixed", f"p{index}@example.org")
        rating = 5 if role == "leader" else 1 + index % 3  # leaders and staff answer very differently
        for statement in framework.statements:
            store.responses.save_answer(person.id, cycle.id, statement.id, rating, framework=framework)
        store.responses.submit(person.id, cycle.id, framework=framework)
        profile = live_profile(store, framework, organisation, cycle)
        results = personal_results(store, framework, viewer)
        assert set(profile.chart_data["series"]) <= {PROFILE_SERIES}
        assert set(results.chart_data["series"]) <= {"You", EVERYONE}
        assert profile.counted % 3 == 0
        rows = sorted(zip(profile.chart_data["value"], profile.chart_data["series"], profile.chart_data["score"],
                          strict=True))
        theirs = sorted((v, s, x) for v, s, x in zip(results.chart_data["value"], results.chart_data["series"],
                                                       results.chart_data["score"], strict=True) if s == EVERYONE)
        looks.append((profile.counted, rows, theirs))
    for i, (counted, rows, theirs) in enumerate(looks):
        for later_counted, later_rows, later_theirs in looks[i + 1:]:
            if later_counted == counted:
                assert (later_rows, later_theirs) == (rows, theirs)
            else:
                assert later_counted - counted >= 3
    assert looks[-1][0] == 9  # ten submitted, three whole batches counted

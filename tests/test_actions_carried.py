"""Actions carried forward from one cycle to the next, and the review of them (issue #14, part 2).

On SQLite and PostgreSQL (``db_url``): opening a cycle carries every unfinished
action with a link to the one it continues, the old row keeps its final state,
nothing is ever carried twice, actions of databases made before the feature
are carried at the next opening, and the review's verdicts are versioned like
every workshop edit.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import text

from workbook.errors import InputError
from workbook.framework import Framework
from workbook.store import Store, open_store
from workbook.workshop import StaleEditError, Workshop, workshop_summary
from workbook.workshop.export import ACTION_HEADER, actions_csv
from workbook.workshop.history import action_threads, completion_by_cycle

DC, HC = "deliberate-culture", "human-connections"


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    with open_store(db_url) as opened:
        opened.organisations.create("Harbour & Vine", "hv", threshold=3, first_cycle="2026-Q1")
        opened.organisations.create("Other Org", "other", threshold=3, first_cycle="2026-Q1")
        yield opened


def _plan(store: Store, framework: Framework, label: str = "2026-Q1") -> dict[str, int]:
    """Four actions in ``label``: open, in progress, done, and another organisation's open one."""
    workshop = Workshop(store)
    cycle = store.responses.cycle("hv", label)
    ids = {
        "open": workshop.add_action(cycle.id, DC, "Share a customer story weekly", "Priya", date(2026, 3, 31),
                                    framework=framework, by="Sam").id,
        "going": workshop.add_action(cycle.id, HC, "Greet guests by name", "Tom", None, "in_progress",
                                     framework=framework).id,
        "done": workshop.add_action(cycle.id, HC, "New name badges", "Lena", None, "done", framework=framework).id,
    }
    other = store.responses.cycle("other")
    ids["other"] = workshop.add_action(other.id, DC, "Not ours", "X", framework=framework).id
    return ids


def test_opening_a_cycle_carries_unfinished_actions_with_their_history(store: Store, framework: Framework) -> None:
    ids = _plan(store, framework)
    workshop = Workshop(store)
    q2 = store.responses.open_cycle("hv", "2026-Q2")
    carried = workshop.carried_in(q2.id)
    assert [(a.what, a.owner, a.due, a.status, a.step_id) for a in carried] == [
        ("Share a customer story weekly", "Priya", date(2026, 3, 31), "open", DC),
        ("Greet guests by name", "Tom", None, "in_progress", HC),
    ]
    assert [a.carried_from_id for a in carried] == [ids["open"], ids["going"]]
    assert all(a.review is None and a.version == 1 for a in carried)
    old = {a.id: a for a in workshop.actions(store.responses.cycle("hv", "2026-Q1").id)}
    assert old[ids["open"]].status == old[ids["going"]].status == "carried"  # final state: carried forward
    assert old[ids["open"]].status_label == "Carried forward"
    assert old[ids["done"]].status == "done"  # finished actions stay behind
    # another organisation's open action is untouched
    assert Workshop(store).actions(store.responses.cycle("other").id)[0].status == "open"
    # the new cycle's workshop is no longer "not run yet": the report shows the carried plan
    summary = workshop_summary(store, framework, "hv", q2.id)
    assert summary is not None and len(summary.actions) == 2


def test_carrying_again_never_duplicates(store: Store, framework: Framework) -> None:
    _plan(store, framework)
    workshop = Workshop(store)
    q2 = store.responses.open_cycle("hv", "2026-Q2")
    assert workshop.carry_forward("hv", q2.id) == 0
    assert workshop.carry_forward("hv", q2.id) == 0
    assert len(workshop.carried_in(q2.id)) == 2
    from workbook.errors import AlreadyExistsError

    with pytest.raises(AlreadyExistsError):  # reopening the same label is refused, and carries nothing
        store.responses.open_cycle("hv", "2026-Q2")
    assert len(workshop.carried_in(q2.id)) == 2
    # the database itself refuses a second continuation of one action
    from sqlalchemy.exc import IntegrityError

    first = workshop.carried_in(q2.id)[0]
    with pytest.raises(IntegrityError), store.engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO workshop_actions (cycle_id, step_id, what, owner, status, version, created_at, updated_at, "
            "carried_from_id) VALUES (:c, :s, 'dup', 'x', 'open', 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, :f)"),
            {"c": q2.id, "s": DC, "f": first.carried_from_id})


def test_an_action_goes_on_quarter_after_quarter_and_its_chain_is_known(store: Store, framework: Framework) -> None:
    ids = _plan(store, framework)
    workshop = Workshop(store)
    q2 = store.responses.open_cycle("hv", "2026-Q2")
    greet = next(a for a in workshop.carried_in(q2.id) if a.carried_from_id == ids["going"])
    workshop.review_action(q2.id, greet.id, "carried", "Half the desk does it", expected_version=greet.version)
    story = next(a for a in workshop.carried_in(q2.id) if a.carried_from_id == ids["open"])
    workshop.review_action(q2.id, story.id, "done", None, expected_version=story.version)
    q3 = store.responses.open_cycle("hv", "2026-Q3")
    (again,) = workshop.carried_in(q3.id)  # only the one carried again; the done one stays in Q2
    assert again.carried_from_id == greet.id and again.status == "in_progress" and again.review is None
    threads = action_threads(workshop.organisation_actions("hv"))
    assert threads[again.id].cycles == ("2026-Q1", "2026-Q2", "2026-Q3")
    assert (threads[again.id].first_cycle, threads[again.id].carried_from_cycle, threads[again.id].times_carried) \
        == ("2026-Q1", "2026-Q2", 2)
    assert threads[ids["done"]].times_carried == 0 and threads[ids["done"]].carried_from_cycle is None
    table = {r.cycle: (r.done, r.carried, r.dropped, r.open)
             for r in completion_by_cycle(workshop.organisation_actions("hv"), ["2026-Q1", "2026-Q2", "2026-Q3"])}
    assert table == {"2026-Q1": (1, 2, 0, 0), "2026-Q2": (1, 1, 0, 0), "2026-Q3": (0, 0, 0, 1)}


def test_actions_of_a_database_made_before_the_feature_are_carried_at_the_next_opening(
        store: Store, framework: Framework) -> None:
    """Q2 was opened before carrying existed (Q1's action stayed open there); opening Q3 carries it."""
    ids = _plan(store, framework)
    with store.engine.begin() as connection:  # a cycle opened the old way: no carrying
        connection.execute(text("INSERT INTO cycles (organisation_id, label, created_at) "
                                "VALUES ('hv', '2026-Q2', CURRENT_TIMESTAMP)"))
    workshop = Workshop(store)
    assert workshop.carried_in(store.responses.cycle("hv", "2026-Q2").id) == ()
    q3 = store.responses.open_cycle("hv", "2026-Q3")
    assert sorted(a.carried_from_id or 0 for a in workshop.carried_in(q3.id)) == sorted([ids["open"], ids["going"]])


def test_the_review_is_versioned_and_a_dropped_action_needs_a_note(store: Store, framework: Framework) -> None:
    _plan(store, framework)
    workshop = Workshop(store)
    q2 = store.responses.open_cycle("hv", "2026-Q2")
    action = workshop.carried_in(q2.id)[0]
    with pytest.raises(InputError, match="why this action is dropped"):
        workshop.review_action(q2.id, action.id, "dropped", "   ", expected_version=action.version)
    with pytest.raises(InputError, match="done, carried again, dropped"):
        workshop.review_action(q2.id, action.id, "maybe", "x", expected_version=action.version)
    dropped = workshop.review_action(q2.id, action.id, "dropped", "Replaced by the new booking flow",
                                     expected_version=action.version, by="Sam")
    assert (dropped.status, dropped.review, dropped.review_note, dropped.version) == \
        ("dropped", "dropped", "Replaced by the new booking flow", 2)
    # a second facilitator working from the old version is told, and shown the stored verdict
    with pytest.raises(StaleEditError) as stale:
        workshop.review_action(q2.id, action.id, "done", None, expected_version=action.version, by="Alex")
    assert isinstance(stale.value.current, type(dropped)) and stale.value.current.review == "dropped"
    assert "Sam" in str(stale.value)
    # the same verdict twice is agreement, not a conflict
    assert workshop.review_action(q2.id, action.id, "dropped", "Replaced by the new booking flow",
                                  expected_version=1).version == 2
    # changing the verdict back to carried reopens it
    again = workshop.review_action(q2.id, action.id, "carried", None, expected_version=2)
    assert (again.status, again.review) == ("open", "carried")


def test_history_cannot_be_rewritten(store: Store, framework: Framework) -> None:
    ids = _plan(store, framework)
    workshop = Workshop(store)
    q1 = store.responses.cycle("hv", "2026-Q1")
    q2 = store.responses.open_cycle("hv", "2026-Q2")
    old = next(a for a in workshop.actions(q1.id) if a.id == ids["open"])
    with pytest.raises(InputError, match="later cycle"):
        workshop.update_action(q1.id, old.id, what="Changed", owner="Priya", due=None, status="open",
                               expected_version=old.version)
    with pytest.raises(InputError, match="history across cycles"):
        workshop.remove_action(q1.id, old.id, expected_version=old.version)
    carried = workshop.carried_in(q2.id)[0]
    with pytest.raises(InputError, match="history across cycles"):
        workshop.remove_action(q2.id, carried.id, expected_version=carried.version)
    with pytest.raises(InputError, match="review of last cycle"):
        workshop.update_action(q2.id, carried.id, what=carried.what, owner=carried.owner, due=carried.due,
                               status="dropped", expected_version=carried.version)
    new = workshop.add_action(q2.id, DC, "Brand new", "Ann", framework=framework)
    with pytest.raises(InputError, match="only actions carried"):
        workshop.review_action(q2.id, new.id, "done", None, expected_version=new.version)
    # the carried row itself stays editable in its new cycle
    edited = workshop.update_action(q2.id, carried.id, what="Share two stories weekly", owner="Priya",
                                    due=None, status="in_progress", expected_version=carried.version)
    assert edited.what == "Share two stories weekly" and edited.carried_from_id == carried.carried_from_id


def test_export_has_history_columns_and_hostile_notes_stay_text(store: Store, framework: Framework) -> None:
    _plan(store, framework)
    workshop = Workshop(store)
    q2 = store.responses.open_cycle("hv", "2026-Q2")
    first, second = workshop.carried_in(q2.id)
    workshop.review_action(q2.id, first.id, "dropped", '=HYPERLINK("http://x","y")<script>alert(1)</script>',
                           expected_version=first.version)
    workshop.review_action(q2.id, second.id, "carried", "+SUM(A1)", expected_version=second.version)
    summary = workshop_summary(store, framework, "hv", q2.id)
    threads = action_threads(workshop.organisation_actions("hv"))
    rows = list(csv.reader(io.StringIO(actions_csv(summary, threads, bom=False))))
    assert tuple(rows[0]) == ACTION_HEADER
    assert ACTION_HEADER[-5:] == ("first_cycle", "carried_from", "times_carried", "review", "review_note")
    by_what = {r[3]: dict(zip(ACTION_HEADER, r, strict=True)) for r in rows[1:]}
    dropped = by_what["Share a customer story weekly"]
    assert (dropped["first_cycle"], dropped["carried_from"], dropped["times_carried"], dropped["review"],
            dropped["status"]) == ("2026-Q1", "2026-Q1", "1", "Dropped", "Dropped")
    assert not dropped["review_note"].startswith("=")  # formula-safe
    assert "HYPERLINK" in dropped["review_note"]
    assert not by_what["Greet guests by name"]["review_note"].startswith("+")
    from workbook.workshop.html import actions_table_html

    page = actions_table_html(summary, threads)
    assert "<script>" not in page and "&lt;script&gt;" in page and "Carried from 2026-Q1" in page


def test_report_shows_completion_per_cycle(store: Store, framework: Framework) -> None:
    from workbook.report.hooks import workshop_fragment

    _plan(store, framework)
    workshop = Workshop(store)
    q2 = store.responses.open_cycle("hv", "2026-Q2")
    first, second = workshop.carried_in(q2.id)
    workshop.review_action(q2.id, first.id, "done", "<b>ok</b>", expected_version=first.version)
    workshop.review_action(q2.id, second.id, "dropped", "No longer needed", expected_version=second.version)
    fragment = workshop_fragment(store, "hv", q2.id)
    assert fragment is not None
    assert "Actions across cycles" in fragment.html and "wb-completion" in fragment.html
    assert "2026-Q1: 3 actions: 1 done, 2 carried forward, 0 dropped, 0 open" in fragment.text
    assert "2026-Q2: 2 actions: 1 done, 0 carried forward, 1 dropped, 0 open" in fragment.text
    assert "<b>ok</b>" not in fragment.html and "&lt;b&gt;ok&lt;/b&gt;" in fragment.html
    # a report of the earlier quarter does not look ahead
    q1_fragment = workshop_fragment(store, "hv", store.responses.cycle("hv", "2026-Q1").id)
    assert q1_fragment is not None and "2026-Q2:" not in q1_fragment.text


def test_the_cli_says_how_many_actions_were_carried_and_exports_history(store: Store, framework: Framework,
                                                                       db_url: str) -> None:
    from click.testing import CliRunner

    from workbook.cli import cli

    _plan(store, framework)
    runner = CliRunner()
    opened = runner.invoke(cli, ["--db", db_url, "cycle", "open", "hv", "2026-Q2", "--yes"])
    assert opened.exit_code == 0, opened.output
    assert "Carried 2 unfinished actions into 2026-Q2" in opened.output
    exported = runner.invoke(cli, ["--db", db_url, "actions", "export", "hv"])
    assert exported.exit_code == 0, exported.output
    rows = list(csv.reader(io.StringIO(exported.output)))
    assert rows[0] == list(ACTION_HEADER)
    assert {(r[1], r[8], r[9], r[10]) for r in rows[1:]} == {("2026-Q2", "2026-Q1", "2026-Q1", "1")}


def test_migration_0010_keeps_old_actions_checks_statuses_and_goes_back(db_url: str, framework: Framework) -> None:
    """An 0009 database with an open action upgrades in place; the action is carried at the next opening;
    the widened status check still refuses nonsense; downgrading to 0009 and up again works."""
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import create_engine
    from sqlalchemy.exc import IntegrityError

    from workbook.store import schema
    from workbook.store.engine import make_engine

    engine = make_engine(db_url) if db_url.startswith("sqlite") else create_engine(db_url)
    with engine.begin() as connection:
        schema.upgrade(connection, "0009")
        connection.execute(text("INSERT INTO organisations (id, name, anonymity_threshold, facilitator_key_hash, "
                                "created_at) VALUES ('old', 'Old Org', 5, 'h', CURRENT_TIMESTAMP)"))
        connection.execute(text("INSERT INTO cycles (organisation_id, label, created_at) "
                                "VALUES ('old', '2026-Q1', CURRENT_TIMESTAMP)"))
        cycle_id = connection.execute(text("SELECT id FROM cycles WHERE label = '2026-Q1'")).scalar_one()
        connection.execute(text(
            "INSERT INTO workshop_actions (cycle_id, step_id, what, owner, status, version, created_at, updated_at) "
            "VALUES (:c, :s, 'Left open', 'Ann', 'open', 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"),
            {"c": cycle_id, "s": DC})
    engine.dispose()
    with open_store(db_url) as store:
        q2 = store.responses.open_cycle("old", "2026-Q2")
        (carried,) = Workshop(store).carried_in(q2.id)
        assert carried.what == "Left open" and carried.status == "open"
        with pytest.raises(IntegrityError), store.engine.begin() as connection:
            connection.execute(text("UPDATE workshop_actions SET status = 'lost'"))
        with pytest.raises(IntegrityError), store.engine.begin() as connection:
            connection.execute(text("UPDATE workshop_actions SET review = 'maybe'"))
    engine = make_engine(db_url) if db_url.startswith("sqlite") else create_engine(db_url)
    config = Config()
    config.set_main_option("script_location", str(schema._MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0009")
        statuses = sorted(connection.execute(text("SELECT status FROM workshop_actions")).scalars())
        assert statuses == ["done", "open"]  # 0009 knows no "carried": the old row reads as finished
        with pytest.raises(IntegrityError), connection.begin_nested():
            connection.execute(text("UPDATE workshop_actions SET status = 'carried'"))
        command.upgrade(config, "head")
        assert schema.current_revision(connection) == schema.HEAD_REVISION
    engine.dispose()

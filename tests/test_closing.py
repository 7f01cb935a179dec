"""A cycle's closing date (issue #13, part 3): after it the link says so calmly and nothing is saved.

Also the workshop's live panel: the response rate (never saying more than the
counts beside it) and the days left.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import pytest
from click.testing import CliRunner, Result
from widget_tree import texts

from workbook.apps.values import ValuesAssessment, build, open_assessment
from workbook.apps.workshop import WorkshopApp, open_workshop
from workbook.cli import cli
from workbook.closing import closed_text, days_left, is_closed
from workbook.errors import CycleClosedError
from workbook.framework import Framework
from workbook.links import NOTEBOOKS
from workbook.people_csv import PersonRow
from workbook.store import Store, open_store
from workbook.web.access import Admitted, LinkChecker, LinkLookups, Refusal
from workbook.web.pages import PageRegistry
from workbook.web.recheck import sweep
from workbook.workshop.html import participation_html
from workbook.workshop.live import closing_words, participation, response_rate
from workbook.workshop.records import TeamProgress

TODAY = date.today()
YESTERDAY = TODAY - timedelta(days=1)


@pytest.fixture
def db(db_url: str) -> str:
    """SQLite and PostgreSQL: the closing date is a DATE column on both."""
    return db_url


@pytest.fixture
def store(db: str) -> Iterator[Store]:
    with open_store(db) as opened:
        opened.organisations.create("Harbour & Vine", "hv", threshold=3, first_cycle="2026-Q4")
        opened.people.import_rows("hv", [PersonRow(f"P{n}", f"p{n}@example.org", "staff", "Front")
                                         for n in range(4)])
        yield opened


def run(db: str, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--db", db, *args])


def token(store: Store, n: int = 0) -> str:
    return store.people.invite("hv", f"p{n}@example.org").token


# --- the rule -------------------------------------------------------------------------------
def test_the_closing_day_itself_still_takes_answers() -> None:
    day = date(2027, 3, 31)
    assert not is_closed(day, date(2027, 3, 31)) and is_closed(day, date(2027, 4, 1))
    assert not is_closed(None, date(2100, 1, 1))
    assert days_left(day, date(2027, 3, 29)) == 2 and days_left(day, day) == 0
    assert days_left(day, date(2027, 4, 1)) is None and days_left(None) is None
    assert "closed on 31 March 2027" in closed_text(day)


def test_after_the_closing_date_the_store_saves_and_submits_nothing(store: Store, framework: Framework) -> None:
    person = store.people.get("hv", "p0@example.org")
    cycle = store.responses.cycle("hv")
    first, second = framework.statements[:2]
    store.responses.save_answer(person.id, cycle.id, first.id, 4, framework=framework)
    store.responses.set_closing_date("hv", "2026-Q4", YESTERDAY)
    with pytest.raises(CycleClosedError, match="closed on"):
        store.responses.save_answer(person.id, cycle.id, second.id, 2, framework=framework)
    with pytest.raises(CycleClosedError):
        store.responses.submit(person.id, cycle.id, framework=framework)
    assert [a.statement_id for a in store.responses.answers(person.id, cycle.id)] == [first.id]
    store.responses.set_closing_date("hv", "2026-Q4", TODAY)  # reopened: the closing day counts
    store.responses.save_answer(person.id, cycle.id, second.id, 2, framework=framework)
    store.responses.set_closing_date("hv", "2026-Q4", None)
    assert store.responses.cycle("hv").closes_on is None


# --- the command line -------------------------------------------------------------------------
def test_cycle_open_with_a_closing_date_and_changing_it(store: Store, db: str) -> None:
    opened = run(db, "cycle", "open", "hv", "2027-Q1", "--closes", "2027-03-31", "--yes")
    assert opened.exit_code == 0 and "until 31 March 2027" in opened.output
    assert store.responses.cycle("hv").closes_on == date(2027, 3, 31)
    listed = run(db, "cycle", "list", "hv")
    assert "CLOSES" in listed.output and "2027-03-31" in listed.output
    moved = run(db, "cycle", "close-date", "hv", "2027-Q1", "15/04/2027")  # day first, as the apps read dates
    assert moved.exit_code == 0 and "until 15 April 2027" in moved.output
    past = run(db, "cycle", "close-date", "hv", "2027-Q1", YESTERDAY.isoformat())
    assert "closed on" in past.output and "save nothing" in past.output
    warned = CliRunner().invoke(cli, ["--db", db, "invites", "hv"])  # click 8.2: stderr kept apart
    assert warned.exit_code == 0 and "closed on" in warned.stderr and "close-date hv 2027-Q1" in warned.stderr
    assert warned.stdout.count("?token=") == 4
    cleared = run(db, "cycle", "close-date", "hv", "2027-Q1", "none")
    assert cleared.exit_code == 0 and store.responses.cycle("hv").closes_on is None


@pytest.mark.parametrize(("args", "words"), [
    (("cycle", "open", "hv", "2027-Q2", "--closes", "2027-02-30"), "not a real date"),
    (("cycle", "open", "hv", "2027-Q2", "--closes", "03/31/2027"), "write the day first"),
    (("cycle", "close-date", "hv", "2026-Q4", "0227-03-31"), "looks mistyped"),
    (("cycle", "close-date", "hv", "2026-Q4", ""), "give the closing date day first"),
    (("cycle", "close-date", "hv", "1999", "2027-03-31"), "no cycle called"),
    (("cycle", "close-date", "nope", "2026-Q4", "none"), "no organisation"),
])
def test_a_bad_closing_date_is_one_line_and_changes_nothing(store: Store, db: str, args: tuple[str, ...],
                                                             words: str) -> None:
    result = run(db, *args)
    assert result.exit_code == 2 and words in result.output and "Traceback" not in result.output
    assert [c.label for c in store.responses.cycles("hv")] == ["2026-Q4"]
    assert store.responses.cycle("hv").closes_on is None


# --- the server and the app -------------------------------------------------------------------
def test_the_server_answers_a_closed_link_with_a_calm_page_and_keeps_open_pages(store: Store) -> None:
    checker = LinkChecker(store)
    values = NOTEBOOKS["values"]
    assert isinstance(checker.check(values, token(store)), Admitted)
    store.responses.set_closing_date("hv", "2026-Q4", date(2026, 1, 31))
    refusal = checker.check(values, token(store))
    assert isinstance(refusal, Refusal) and refusal.status == 410
    assert refusal.title == "This assessment has closed" and "closed on 31 January 2026" in refusal.text
    key = store.organisations.facilitator_key("hv")
    assert isinstance(checker.check(NOTEBOOKS["workshop"], key), Admitted)  # the workshop goes on
    assert checker.check(values, "A" * 43).status == 403  # type: ignore[union-attr]  # unknown: still unknown

    async def sweep_once(lookups: LinkLookups) -> list[str]:
        pages = PageRegistry()
        page = pages.begin("id", "q", values, token(store))
        pages.kernel_found(page, "kernel-0")

        async def shutdown(_kernel: str) -> None:
            return None

        return await sweep(pages, lookups, shutdown)

    with ThreadPoolExecutor(1) as executor:
        # asyncio.run in a thread of its own: earlier tests of a full run may leave a loop running here
        with ThreadPoolExecutor(1) as runner:
            swept = runner.submit(asyncio.run, sweep_once(LinkLookups(checker, executor))).result()
        assert swept == []  # a late save shows the words


def test_the_welcome_page_names_the_closing_date(store: Store, framework: Framework) -> None:
    store.responses.set_closing_date("hv", "2026-Q4", date(2099, 3, 31))
    app = ValuesAssessment(store, framework, open_assessment(store, token(store)))
    assert "come back to this link at any time until <strong>31 March 2099</strong>" in texts(app.body)


def test_the_app_shows_the_closed_page_and_an_open_page_refuses_a_late_save(store: Store, db: str,
                                                                            framework: Framework) -> None:
    app = ValuesAssessment(store, framework, open_assessment(store, token(store)))
    store.responses.set_closing_date("hv", "2026-Q4", YESTERDAY)
    entry = app.inputs[framework.statements[0].id]
    entry.choice.value = 4  # the page was opened before the date; the save comes after it
    shown = texts(app.body)
    assert "This assessment has closed" in shown and "closed on" in shown and "Traceback" not in shown
    person = store.people.get("hv", "p0@example.org")
    assert store.responses.answers(person.id, store.responses.cycle("hv").id) == []
    page = texts(build(token(store, 1), db))
    assert "This assessment has closed" in page and "no more answers" in page


# --- the workshop's live panel -----------------------------------------------------------------
def test_a_rate_is_exact_only_where_the_gap_is_shown_exactly() -> None:
    assert response_rate(6, 6, 5) == "50%" and response_rate(7, 0, 5) == "100%" and response_rate(0, 0, 5) == ""
    for submitted in range(1, 30):
        # every gap the panel calls "fewer than 5" gives the same words: the rate adds nothing
        words = {response_rate(submitted, gap, 5) for gap in range(1, 5)}
        assert len(words) == 1 and next(iter(words)).startswith("at least")


def test_the_live_panel_shows_rates_for_listed_groups_only(store: Store) -> None:
    progress = participation((TeamProgress("Front", 10, 5), TeamProgress("Kitchen", 6, 2),
                              TeamProgress("Bar", 1, 1)), 5)
    assert progress.rate == "47%"  # 8 of 17, the gap of 9 being shown exactly
    assert [team for team, _, _ in progress.teams] == ["Front", "Other teams"]
    assert progress.team_rates == ("50%", "at least 42%")  # Bar and Kitchen pooled; their gap is under 5
    shown = participation_html(progress)
    assert "Response rate: <strong>47%</strong>" in shown and "<td class='wb-num'>at least 42%</td>" in shown
    assert ">Bar<" not in shown and ">Kitchen<" not in shown  # no row, so no rate, for a small team


def test_the_live_panel_counts_the_days_left(store: Store, framework: Framework) -> None:
    assert closing_words(date(2027, 3, 31), date(2027, 3, 21)) == (
        "10 days left: the self-assessment closes on 31 March 2027.")
    assert "closes today" in closing_words(date(2027, 3, 31), date(2027, 3, 31))
    assert "1 day left" in closing_words(date(2027, 3, 31), date(2027, 3, 30))
    assert closing_words(date(2027, 3, 31), date(2027, 4, 2)) == "The self-assessment closed on 31 March 2027."
    assert closing_words(None) == ""
    store.responses.set_closing_date("hv", "2026-Q4", TODAY + timedelta(days=3))
    key = store.organisations.facilitator_key("hv")
    app = WorkshopApp(store, framework, open_workshop(store, key))
    assert "3 days left" in texts(app.body)

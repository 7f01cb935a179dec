# ruff: noqa: RUF001 - Persian letters look like Latin ones to ruff; they are the point here
"""Issue #11 parts 3 and 4, case by case: each ends with exit 2 (or an InputError) and one line.

The broad sweep is tests/test_hostile.py (the corpus); these are the cases the
issue found, each pinned down with the message a person sees.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from datetime import date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from workbook.charter.ranking import Evidence
from workbook.charter.records import PromiseRecord
from workbook.charter.repository import Charters
from workbook.cli import cli
from workbook.errors import InputError, WorkbookError
from workbook.framework import Framework
from workbook.people_csv import PersonRow
from workbook.store import Store, open_store
from workbook.workshop.repository import Workshop

EXE = Path(sys.executable).with_name("workbook")


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = str(tmp_path / "hostile.db")
    assert run(path, "org", "create", "Acme", "--id", "acme").exit_code == 0
    people = tmp_path / "people.csv"
    people.write_text("name,email,role,team\nAnn Lee,ann@example.org,staff,Front desk\n", encoding="utf-8")
    assert run(path, "people", "import", "acme", str(people)).exit_code == 0
    return path


def run(db: str, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--db", db, *args], catch_exceptions=False)


def one_line(result: Result) -> str:
    """The single stderr line of a refused command (and the proof that there is just one)."""
    assert result.exit_code == 2, (result.exit_code, result.output)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("workbook: error: ")
    return lines[0]


# --- non-UTF-8 bytes in arguments ------------------------------------------------------------------
NON_UTF8_COMMANDS = [
    [b"org", b"create", b"Zo\xeb"],
    [b"org", b"create", b"Acme", b"--id", b"zo\xeb"],
    [b"people", b"new-link", b"acme", b"zo\xeb@example.org"],
    [b"people", b"list", b"\xff"],
    [b"charter", b"export", b"acme\xfe", b"--format", b"md"],
    [b"framework", b"check", b"caf\xe9.yaml"],
]


@pytest.mark.parametrize("argv", NON_UTF8_COMMANDS, ids=lambda a: b" ".join(a[:2]).decode())
def test_non_utf8_arguments_are_one_line_in_a_real_process(db: str, argv: list[bytes]) -> None:
    env = {**os.environ, "WORKBOOK_DB": db, "LC_ALL": "C.UTF-8"}
    result = subprocess.run([bytes(EXE), *argv], capture_output=True, env=env, check=False, timeout=60)
    assert result.returncode == 2
    lines = result.stderr.decode("utf-8").splitlines()
    assert len(lines) == 1 and "is not UTF-8 text; type it again in a UTF-8 terminal" in lines[0], lines


@pytest.mark.parametrize("args", [
    ["org", "create", "Zo\udceb"], ["org", "set-threshold", "\udcff", "5"], ["people", "import", "acme", "p\udce9.csv"],
    ["people", "delete", "acme", "a\udce9@x.org", "--yes"], ["invites", "acme", "--base-url", "http://\udce9"],
    ["cycle", "open", "acme", "Q\udce9"], ["actions", "export", "acme", "--cycle", "\udce9"],
    ["report", "acme\udce9"], ["org", "list", "--help\udce9"],
])
def test_every_command_refuses_non_utf8_arguments(db: str, args: list[str]) -> None:
    """What Python makes of those bytes (surrogateescape), given to each command in-process."""
    line = one_line(run(db, *args))
    assert "is not UTF-8 text" in line and "\\x" in line


# --- lone surrogates through the package calls the apps make ---------------------------------------
@pytest.fixture
def store(db: str) -> Store:
    opened = open_store(db)
    yield opened  # type: ignore[misc]
    opened.close()


def test_lone_surrogates_from_a_browser_are_input_errors(store: Store, framework: Framework) -> None:
    person = store.people.get("acme", "ann@example.org")
    cycle = store.responses.cycle("acme")
    workshop = Workshop(store)
    charters = Charters(store.transactions)
    step = framework.steps[0].id
    calls = {
        "save_answer": lambda: store.responses.save_answer(person.id, cycle.id, framework.statements[0].id, 3,
                                                          framework=framework, comment="ok \ud800"),
        "add_action": lambda: workshop.add_action(cycle.id, step, "Call \ud800", "Ann", framework=framework),
        "add_action(by)": lambda: workshop.add_action(cycle.id, step, "Call", "Ann", framework=framework,
                                                      by="\udfff"),
        "save_evidence": lambda: workshop.save_evidence(cycle.id, step, "\ud83d seen", expected_version=0,
                                                        framework=framework),
        "save_rating": lambda: workshop.save_rating(cycle.id, framework.steps[0].practices[0].id, 3, "\ud800",
                                                    expected_version=0, framework=framework),
        "start_draft": lambda: charters.start_draft(
            "acme", [PromiseRecord("We \ud800 reply", "A", None, None, None, None)], framework=framework),
        "start_draft(title)": lambda: charters.start_draft("acme", [], framework=framework, title="\ud800"),
        "organisations.create": lambda: store.organisations.create("Zo\udceb"),
        "organisations.create(id)": lambda: store.organisations.create("Zoe", "zo\udceb"),
        "people.import_rows": lambda: store.people.import_rows(
            "acme", [PersonRow("Bo \ud800", "bo@example.org", "staff", "T")]),
    }
    for name, call in calls.items():
        with pytest.raises(InputError) as caught:
            call()
        message = str(caught.value)
        assert "\n" not in message and message.encode("utf-8"), name
    assert store.organisations.get("acme").name == "Acme"


@pytest.mark.parametrize("lookup", ["organisations.get", "people.get", "responses.cycle", "start_draft(org)"])
def test_looking_up_a_lone_surrogate_is_a_workbook_error(store: Store, framework: Framework, lookup: str) -> None:
    calls = {
        "organisations.get": lambda: store.organisations.get("\ud800"),
        "people.get": lambda: store.people.get("acme", "a\ud800@example.org"),
        "responses.cycle": lambda: store.responses.cycle("acme", "\ud800"),
        "start_draft(org)": lambda: Charters(store.transactions).start_draft("\ud800", [], framework=framework),
    }
    with pytest.raises(WorkbookError):
        calls[lookup]()


# --- framework check on files that are not framework files -----------------------------------------
def test_framework_check_refuses_deep_nesting_and_huge_numbers(tmp_path: Path) -> None:
    deep = tmp_path / "deep.yaml"
    deep.write_text("id: " + "[" * 10_000 + "\n")
    line = one_line(CliRunner().invoke(cli, ["framework", "check", str(deep)]))
    assert "line 1, column 36: the content is nested more than 32 levels deep" in line
    big = tmp_path / "big.yaml"
    big.write_text("id: " + "9" * 100_000 + "\n")
    line = one_line(CliRunner().invoke(cli, ["framework", "check", str(big)]))
    assert "a number with 100000 digits is far too long (at most 18); put text in quotes" in line
    wide = tmp_path / "wide.yaml"
    wide.write_text("steps: [" + "1," * 200_000 + "1]\n")
    line = one_line(CliRunner().invoke(cli, ["framework", "check", str(wide)]))
    assert "the file holds more than 20,000 values; a framework file needs far fewer" in line
    laughs = tmp_path / "laughs.yaml"
    laughs.write_text("a: &a [1, 2]\nb: [*a, *a]\n")
    assert "aliases (*name) are not allowed" in one_line(CliRunner().invoke(cli, ["framework", "check", str(laughs)]))


def test_framework_check_refuses_a_file_over_the_size_limit_before_reading_it(tmp_path: Path) -> None:
    huge = tmp_path / "huge.yaml"
    with huge.open("wb") as file:
        file.truncate(50_000_000)  # sparse: instant to make, would be slow to parse
    line = one_line(CliRunner().invoke(cli, ["framework", "check", str(huge)]))
    assert "is 50.0 MB, over the 1 MB limit for a framework file" in line


@pytest.mark.parametrize("special", ["/dev/zero", "fifo"])
def test_framework_check_refuses_devices_and_pipes_without_hanging(tmp_path: Path, special: str) -> None:
    target = special
    if special == "fifo":
        target = str(tmp_path / "pipe.yaml")
        os.mkfifo(target)
    result = subprocess.run([str(EXE), "framework", "check", target], capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"workbook: error: {target}: is not a regular file (a device, pipe or socket); "
        "give the path of a saved framework file"
    ]


# --- org set-threshold reads ASCII digits only ---------------------------------------------------------
@pytest.mark.parametrize("typed", ["\uff15", "\u0665", "\U0001d7d3", "5_0", "+", "5.0", " ", "1e1"])
def test_threshold_must_be_written_with_ascii_digits(db: str, typed: str) -> None:
    line = one_line(run(db, "org", "set-threshold", "acme", typed))
    assert "THRESHOLD must be a whole number written with the digits 0-9" in line
    with open_store(db) as opened:
        assert opened.organisations.get("acme").anonymity_threshold == 5  # unchanged
    line = one_line(run(db, "org", "create", "Other", "--threshold", typed))
    assert "--threshold must be a whole number written with the digits 0-9" in line


def test_a_threshold_in_ascii_digits_still_works(db: str) -> None:
    assert run(db, "org", "set-threshold", "acme", "7").exit_code == 0
    assert "never shown" in run(db, "org", "set-threshold", "acme", "5").output


# --- people files ------------------------------------------------------------------------------------------
def test_ten_thousand_bad_rows_print_the_first_twenty_and_a_count(db: str, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("name,email,role,team\n" + "".join(f"A{i},bad{i},staff,T\n" for i in range(10_000)))
    result = run(db, "people", "import", "acme", str(path))
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 22
    assert lines[0].startswith(f"workbook: error: {path}: row 2: email 'bad0' is not a valid address")
    assert lines[0].endswith("(and 9999 more); nothing was imported")
    assert lines[1].startswith("  row 2: ") and lines[20].startswith("  row 21: ")
    assert lines[21] == "  ... and 9980 more problems (10000 in all)"


@pytest.mark.parametrize(("content", "message"), [
    (b"\xef\xbb\xbf\xef\xbb\xbfname,email,role,team\nA,a@example.org,staff,T\n",
     "the file starts with two byte-order marks (U+FEFF) where one is allowed"),
    (b'name,email,role,team\n"Ann Lee,ann@example.org,staff,T\nBo,bo@example.org,staff,T\n',
     'row 2: a quoted cell opened on line 2 of the file is never closed; check the quote marks (") on that row'),
    (b'name,email,role,team\n"Ann" Lee,ann@example.org,staff,T\n',
     "row 2: a quote mark (\") is followed by more text in the same cell"),
    (b"name;email;role;team\nA;a@example.org;staff;T\n", "the columns are separated by semicolons, not commas"),
    (b"name,email,role,team\nA," + b"x" * 200_000 + b",staff,T\n", "row 2: a cell is longer than 131,072 characters"),
    ("name,email,role,team\nA,a@example.org,staff,T\u2028X\n".encode(),
     "row 2: team contains an invisible line separator (U+2028)"),
    (b"name,email,role,team\n\xe2\x81\xa0,a@example.org,staff,T\n", "row 2: name has no visible characters"),
    (b"\xff\xfen\x00a\x00m\x00e\x00", "the file is saved as UTF-16"),
])
def test_people_file_mistakes_get_accurate_messages(db: str, tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "people.csv"
    path.write_bytes(content)
    line = one_line(run(db, "people", "import", "acme", str(path)))
    assert message in line


def test_people_file_is_size_checked_before_it_is_read(db: str, tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    with path.open("wb") as file:
        file.truncate(900_000_000)
    line = one_line(run(db, "people", "import", "acme", str(path)))
    assert "is 900.0 MB, over the 5 MB limit for a people CSV" in line
    assert "a folder" in one_line(run(db, "people", "import", "acme", str(tmp_path)))
    assert "is not a regular file" in one_line(run(db, "people", "import", "acme", "/dev/zero"))


def test_usage_mistakes_are_one_line_too(db: str) -> None:
    line = one_line(run(db, "org", "create", "-5 degrees"))
    assert "No such option '-5'" in line and "a value that starts with '-' goes after '--'" in line
    assert run(db, "org", "create", "--id", "minus", "--", "-5 degrees").exit_code == 0
    assert "Missing argument 'NAME' (see: " in one_line(run(db, "org", "create"))  # ... org create --help)
    assert "No such option '--bogus'" in one_line(run(db, "people", "list", "acme", "--bogus"))
    line = one_line(run(db, "charter", "export", "acme", "--version", "\uff12"))
    assert "--version must be a whole number written with the digits 0-9" in line


def test_control_characters_in_an_argument_are_shown_escaped(db: str) -> None:
    line = one_line(run(db, "framework", "check", "a\x1b[31mred"))
    assert "\x1b" not in line and "a\\x1b[31mred: no such file" in line


# --- charts: stored text from before the rule -------------------------------------------------------------
def test_charts_render_labels_that_vl_convert_cannot_take(tmp_path: Path) -> None:
    """In a child process: a regression here aborts the whole interpreter (vl-convert panics on U+FFFF)."""
    script = textwrap.dedent('''
        import pandas as pd
        from workbook import charts
        hostile = ["Team\\u2028A", "Team\\u2029B", "Team\\uffffC", "Team\\ufffeD", "Team\\x00E", "Team\\x01F",
                   "Team\\ud800G", "Team\\x85H", "\\U0010ffffI", "👩\\u200d👩\\u200d👧 می\\u200cخواهم"]
        frame = pd.DataFrame({"value": hostile, "series": hostile[::-1], "score": [3.0] * len(hostile)})
        svgs = [
            charts.to_svg(charts.value_profile_chart(frame, title="T\\u2028" + hostile[2], description=hostile[0])),
            charts.to_svg(charts.values_radar_chart(frame, title=hostile[3], description=hostile[4])),
            charts.to_svg(charts.heatmap_chart(
                pd.DataFrame({"row": hostile, "group": hostile[::-1], "score": [3.0] * 10, "shown": [True] * 10}),
                title=hostile[5], description=hostile[6])),
            charts.to_svg(charts.maturity_by_step_chart(
                pd.DataFrame({"step": hostile, "score": [2.0] * 10, "label": hostile}), title="t", description="d")),
        ]
        for svg in svgs:
            assert svg.startswith("<svg") and "Team A" in svg, svg[:200]
        assert "\\u200d" in svgs[0] and "\\u200c" in svgs[0]   # joiners survive the clean-up
        print("rendered", len(svgs))
    ''')
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300,
                            check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "rendered 4" in result.stdout


def test_a_charter_stored_before_the_rule_still_exports(store: Store, framework: Framework) -> None:
    """U+2029 stopped WeasyPrint and U+FFFF could not go into Word: every format still comes out."""
    from sqlalchemy import update

    from workbook.charter.export import FORMATS, export_charter
    from workbook.store.charter_tables import CharterPromise

    charters = Charters(store.transactions)
    charters.start_draft("acme", [PromiseRecord("We reply", "A", None, "Weekly", "Ann", date(2027, 3, 1))],
                         framework=framework)
    with store.transactions.writing() as session:
        session.execute(update(CharterPromise).values(text="We\u2029reply\uffff\x07 fast", standard="Week\u2028ly"))
    for fmt in FORMATS:
        exported = export_charter(store, "acme", fmt, framework=framework)
        assert exported.data
    markdown = export_charter(store, "acme", "md", framework=framework).data.decode("utf-8")
    assert "We reply\ufffd fast" in markdown and "Week ly" in markdown


# --- HTML builders: people's text is escaped exactly once (issue #15 part 6) -------------------------------
HOSTILE = ("<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "'><b>x</b>", "{{7*7}} {0}", "R&D &amp; co")


def escaped_once(text: str) -> str:
    """What ``text`` must read as in HTML: ``R&D`` → ``R&amp;D`` (quotes too, for attributes)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;") \
        .replace("'", "&#x27;")


def assert_escaped_once(page: str, text: str) -> None:
    assert escaped_once(text) in page, (text, page)
    if escaped_once(text) != text:
        assert escaped_once(escaped_once(text)) not in page, ("escaped twice", text, page)
    if any(c in text for c in "<>&\"'"):
        assert text not in page, ("not escaped", text, page)


def workshop_pages(text: str, framework: Framework) -> list[str]:
    from workbook import download
    from workbook.workshop import ActionRecord, TeamProgress, WorkshopState, summarise
    from workbook.workshop.history import CycleCompletion
    from workbook.workshop.html import (
        actions_table_html,
        completion_table_html,
        participation_html,
    )
    from workbook.workshop.live import participation

    now = datetime(2026, 11, 24, 10, 0)
    action = ActionRecord(1, 7, "deliberate-culture", text, text, None, "open", 1, now, now, "Alex")
    state = WorkshopState(7, {}, {}, (), (action,))
    summary = summarise(framework, state, organisation_id="hv", cycle_label="Q")
    progress = participation((TeamProgress(text, 9, 8), TeamProgress("Kitchen", 6, 0)), 5)
    return [actions_table_html(summary), participation_html(progress),
            completion_table_html([CycleCompletion(text, 1, 0, 0, 1)]),
            download.download_link_html(text, "text/csv", b"a,b", label=text)]


def charter_pages(text: str, framework: Framework) -> list[str]:
    from workbook.charter.checks import Finding
    from workbook.charter.records import CharterRecord
    from workbook.charter.results import PromiseResult, PromiseResults, QuarterResult
    from workbook.charter.views import (
        charter_html,
        diff_html,
        evidence_html,
        findings_html,
        foundation_html,
        reasons_html,
        results_html,
    )

    now = datetime(2026, 11, 24, 10, 0)
    promise = PromiseRecord(text, "A", None, text, text, date(2027, 3, 1))
    old = CharterRecord(1, "acme", 1, "approved", None, 1, now, now, now, text, (promise,), text, text)
    new = CharterRecord(2, "acme", 2, "draft", None, 1, now, now, None, None,
                        (PromiseRecord(text + " v2", "A", None, text, "Ann"),), text + "!", None)
    quarter = QuarterResult(text, 90.0, True, text, wrong_way=True)
    results = PromiseResults((text,), (PromiseResult(1, text, "m", text, text, True, (quarter,), True),), ())
    return [findings_html([Finding("x", "blocking", text), Finding("y", "advice", text, 1)]),
            reasons_html([text]), foundation_html(text, text), charter_html(old, framework),
            diff_html(old, new, framework), results_html(results),
            evidence_html(Evidence(value_scores={"A": 2.0}, value_source=text, notes=(text,)), framework)]


@pytest.mark.parametrize("text", HOSTILE)
def test_workshop_html_escapes_hostile_text_exactly_once(text: str, framework: Framework) -> None:
    for page in workshop_pages(text, framework):
        assert_escaped_once(page, text)


@pytest.mark.parametrize("text", HOSTILE)
def test_charter_html_escapes_hostile_text_exactly_once(text: str, framework: Framework) -> None:
    for page in charter_pages(text, framework):
        assert_escaped_once(page, text)


@pytest.mark.parametrize("text", HOSTILE)
def test_report_escapes_a_hostile_organisation_name_exactly_once(text: str, tmp_path: Path) -> None:
    from workbook.report import sections
    from workbook.report.model import load_report

    with open_store(str(tmp_path / "report.db")) as store:
        store.organisations.create(text, "acme", threshold=3)
        report = load_report("acme", store=store)
        assert_escaped_once(sections.cover(report).html, text)


def test_the_builders_return_markup_so_nesting_them_escapes_nothing_twice(framework: Framework) -> None:
    """The type carries "already HTML": a fragment put into another is not escaped again; text always is."""
    from workbook.html import Markup, esc, html, join

    for page in workshop_pages("R&D", framework) + charter_pages("R&D", framework):
        assert isinstance(page, Markup)
    fragment = html("<b>{}</b>", "R&D")
    assert fragment == "<b>R&amp;D</b>" and esc(fragment) == fragment
    assert html("<p>{}</p>", fragment) == "<p><b>R&amp;D</b></p>"
    assert join([fragment, "<i>"], ", ") == "<b>R&amp;D</b>, &lt;i&gt;"
    assert esc("R&amp;D") == "R&amp;amp;D"  # text that looks escaped is still text

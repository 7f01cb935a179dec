"""The ``workbook`` command as a user types it: output, exit codes, bad input."""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from workbook.cli import cli

GOOD_CSV = """name,email,role,team
Ada Leader,ada@example.org,leader,Front Desk
Ben Staff,ben@example.org,Staff,Front Desk
=HYPERLINK("http://evil"),eve@example.org,staff,Kitchen
"""


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "cli.db")


def run(db: str, *args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(cli, ["--db", db, *args], input=input, catch_exceptions=False)


def write(tmp_path: Path, name: str, content: str | bytes) -> str:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return str(path)


@pytest.fixture
def acme(db: str, tmp_path: Path) -> str:
    assert run(db, "org", "create", "Acme Hotels", "--id", "acme").exit_code == 0
    assert run(db, "people", "import", "acme", write(tmp_path, "p.csv", GOOD_CSV)).exit_code == 0
    return "acme"


def test_help_lists_every_command() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for command in ("org", "people", "invites", "cycle", "framework", "demo", "serve", "actions", "charter"):
        assert command in result.output
    assert "DIME™" in result.output


def test_org_create_list_delete(db: str) -> None:
    created = run(db, "org", "create", "Harbour & Vine")
    assert created.exit_code == 0, created.output
    assert "id: harbour-vine" in created.output
    listed = run(db, "org", "list")
    assert "harbour-vine" in listed.output and "Harbour & Vine" in listed.output
    refused = run(db, "org", "delete", "harbour-vine", input="n\n")
    assert refused.exit_code == 1
    assert "harbour-vine" in run(db, "org", "list").output
    deleted = run(db, "org", "delete", "harbour-vine", input="y\n")
    assert deleted.exit_code == 0
    assert "No organisations yet" in run(db, "org", "list").output


def test_delete_without_a_terminal_or_yes_changes_nothing(db: str) -> None:
    run(db, "org", "create", "Acme", "--id", "acme")
    result = run(db, "org", "delete", "acme")  # no input: EOF at the prompt
    assert result.exit_code == 1
    assert "Nothing was changed" in result.stderr
    assert run(db, "org", "delete", "acme", "--yes").exit_code == 0


def test_people_import_reports_counts_and_is_idempotent(db: str, acme: str, tmp_path: Path) -> None:
    again = run(db, "people", "import", acme, write(tmp_path, "p.csv", GOOD_CSV))
    assert again.exit_code == 0
    assert "3 people read; 0 added, 0 updated, 3 unchanged" in again.output
    listed = run(db, "people", "list", acme)
    assert "ben@example.org" in listed.output and "not-invited" in listed.output


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "the file is empty"),
        ("name,email,team\nA,a@x.org,T\n", "missing column(s) role"),
        ("name,email,role,team\nA,not-an-email,staff,T\n", "row 2: email 'not-an-email' is not a valid address"),
        ("name,email,role,team\nA,a@x.org,boss,T\n", "row 2: role 'boss' must be 'leader' or 'staff'"),
        ("name,email,role,team\nA,a@x.org,staff,\n", "row 2: team must not be empty"),
        ("name,email,role,team\nA,a@x.org,staff,T\nB,A@x.org,staff,T\n", "row 3: email a@x.org is also on row 2"),
        ("name,email,role,team\nA,a@x.org,staff,T,extra\n", "row 2: 5 cells but the header has 4 columns"),
        ("name,email,role,team\n", "no people found"),
        (b"\xff\xfe\x00n\x00a", "saved as UTF-16"),
        (b"name,email,role,team\nA\x00,a@x.org,staff,T\n", "not a CSV text file"),
        (b"name,email,role,team\nJos\xe9,j@x.org,staff,T\n", "not UTF-8"),
    ],
)
def test_bad_csv_is_one_clear_line_and_stores_nothing(db: str, acme: str, tmp_path: Path,
                                                      content: str | bytes, message: str) -> None:
    before = run(db, "people", "list", acme).output
    result = run(db, "people", "import", acme, write(tmp_path, "bad.csv", content))
    assert result.exit_code == 2
    first_line = result.stderr.splitlines()[0]
    assert first_line.startswith("workbook: error: ")
    assert message in first_line
    assert "nothing was imported" in first_line or "row" not in message
    assert "Traceback" not in result.output
    assert run(db, "people", "list", acme).output == before


def test_several_bad_rows_are_all_listed(db: str, acme: str, tmp_path: Path) -> None:
    content = "name,email,role,team\n,a@x.org,staff,T\nB,b@x.org,chief,T\nC,c@x.org,staff,T\n"
    result = run(db, "people", "import", acme, write(tmp_path, "bad.csv", content))
    assert result.exit_code == 2
    assert "row 2: name must not be empty (and 1 more); nothing was imported" in result.stderr
    assert "  row 3: role 'chief' must be 'leader' or 'staff'" in result.stderr


def test_unknown_organisation_and_missing_file(db: str, tmp_path: Path) -> None:
    result = run(db, "people", "import", "ghost", write(tmp_path, "p.csv", GOOD_CSV))
    assert result.exit_code == 2
    assert result.stderr.strip() == "workbook: error: no organisation with the id 'ghost' (see: workbook org list)"
    run(db, "org", "create", "Acme", "--id", "acme")
    missing = run(db, "people", "import", "acme", str(tmp_path / "nope.csv"))
    assert missing.exit_code == 2 and "no such file" in missing.stderr


def test_people_delete_erases_one_person(db: str, acme: str) -> None:
    result = run(db, "people", "delete", acme, "ben@example.org", "--yes")
    assert result.exit_code == 0
    assert "ben@example.org" not in run(db, "people", "list", acme).output
    again = run(db, "people", "delete", acme, "ben@example.org", "--yes")
    assert again.exit_code == 2 and "nobody with the email" in again.stderr


def test_invites_print_one_personal_link_each(db: str, acme: str) -> None:
    result = run(db, "invites", acme, "--base-url", "https://survey.example.org/")
    assert result.exit_code == 0
    lines = result.output.strip().splitlines()
    assert len(lines) == 3
    links = [line.split("\t")[1] for line in lines]
    prefix = "https://survey.example.org/voila/render/values_assessment.ipynb?token="
    assert all(link.startswith(prefix) for link in links)
    assert len(set(links)) == 3


def test_invites_csv_is_safe_to_open_in_a_spreadsheet(db: str, acme: str) -> None:
    result = run(db, "invites", acme, "--csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))  # the 127.0.0.1 warning goes to stderr
    assert [r["email"] for r in rows] == ["ada@example.org", "ben@example.org", "eve@example.org"]
    eve = rows[2]
    assert eve["name"] == "'=HYPERLINK(\"http://evil\")"
    assert all(r["link"].startswith("http://127.0.0.1:8866/voila/render/") for r in rows)


@pytest.mark.parametrize("base", [None, "http://localhost:8866", "http://[::1]:9000", "http://127.0.0.5:8866"])
def test_invites_warn_in_one_line_when_the_links_open_only_on_this_computer(
    db: str, acme: str, base: str | None
) -> None:
    result = run(db, "invites", acme, *(["--base-url", base] if base else []))
    assert result.exit_code == 0 and len(result.stdout.strip().splitlines()) == 3  # the links still print
    warning = result.stderr.strip().splitlines()
    assert len(warning) == 1 and warning[0].startswith("workbook: warning: these links point at ")
    assert "workbook serve --lan" in warning[0] and "--base-url" in warning[0]
    csv_run = run(db, "invites", acme, "--csv", *(["--base-url", base] if base else []))
    assert csv_run.stderr.count("warning") == 1 and "warning" not in csv_run.stdout


@pytest.mark.parametrize("base", ["http://192.168.1.23:8866", "https://survey.example.org"])
def test_invites_reachable_from_elsewhere_carry_no_warning(db: str, acme: str, base: str) -> None:
    result = run(db, "invites", acme, "--base-url", base)
    assert result.exit_code == 0 and result.stderr == ""


def test_facilitator_links(db: str, acme: str) -> None:
    result = run(db, "invites", acme, "--facilitator")
    assert result.exit_code == 0
    assert "dime_workshop.ipynb?key=" in result.output and "charter_builder.ipynb?key=" in result.output


def test_bad_base_url_is_refused(db: str, acme: str) -> None:
    result = run(db, "invites", acme, "--base-url", "javascript:alert(1)")
    assert result.exit_code == 2 and "base URL" in result.stderr


def test_cycles(db: str, acme: str) -> None:
    assert run(db, "cycle", "open", acme, "2027-Q1").exit_code == 0
    listed = run(db, "cycle", "list", acme)
    assert listed.output.strip().splitlines()[-1].startswith("2027-Q1")
    bad = run(db, "cycle", "open", acme, "2027 Q1")
    assert bad.exit_code == 2


def test_threshold(db: str, acme: str) -> None:
    assert run(db, "org", "set-threshold", acme, "7").exit_code == 0
    assert run(db, "org", "set-threshold", acme, "1").exit_code == 2


def test_framework_check_shipped_and_broken(tmp_path: Path) -> None:
    ok = CliRunner().invoke(cli, ["framework", "check"])
    assert ok.exit_code == 0 and "OK" in ok.output
    broken = write(tmp_path, "mine.yaml", "id: x\nversion: '1'\nvalues: [\n")
    result = CliRunner().invoke(cli, ["framework", "check", broken])
    assert result.exit_code == 2
    assert "mine.yaml: line" in result.stderr


def test_demo_seeds_once(db: str) -> None:
    first = run(db, "demo")
    assert first.exit_code == 0, first.output
    assert "25 people in 4 teams" in first.output
    assert "1 part-way" in first.output
    second = run(db, "demo")
    assert "already there" in second.output
    for output in (first.stdout, second.stdout):  # a newcomer is told what to do next, both times
        assert "Next:" in output
        assert "workbook invites demo --facilitator" in output and "workbook serve" in output


def _groups(group: click.Group, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [path]
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found += _groups(command, (*path, name))
    return found


@pytest.mark.parametrize("path", _groups(cli), ids=lambda p: " ".join(p) or "workbook")
def test_every_command_summary_is_a_whole_sentence(path: tuple[str, ...]) -> None:
    """The command lists in --help say each command's whole first sentence, never cut mid-phrase."""
    result = CliRunner().invoke(cli, [*path, "--help"], terminal_width=80)
    assert result.exit_code == 0
    listing = result.output.split("Commands:\n", 1)[1]
    entries = re.split(r"\n  (?=\S)", "\n" + listing.rstrip())[1:]
    assert entries, result.output
    for entry in entries:
        summary = " ".join(entry.split()[1:])
        assert not summary.endswith("..."), entry
        assert summary.endswith("."), entry
        assert summary.count("(") == summary.count(")"), entry


def test_console_script_has_no_traceback_for_bad_input(tmp_path: Path) -> None:
    env = {**os.environ, "WORKBOOK_DB": str(tmp_path / "x.db")}
    exe = Path(sys.executable).with_name("workbook")
    result = subprocess.run([str(exe), "org", "delete", "ghost", "--yes"], capture_output=True, text=True, env=env,
                            check=False)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "workbook: error: no organisation with the id 'ghost' (see: workbook org list)"
    ]


def test_the_pooled_team_name_is_reserved(db: str, tmp_path: Path) -> None:
    from workbook.anonymity import POOL_LABEL
    from workbook.people_csv import POOLED_TEAM

    assert POOLED_TEAM == POOL_LABEL
    run(db, "org", "create", "Acme", "--id", "acme")
    people_csv = write(tmp_path, "p.csv", "name,email,role,team\nA,a@x.org,staff,other teams\n")
    result = run(db, "people", "import", "acme", people_csv)
    assert result.exit_code == 2 and "row 2: team 'other teams' is reserved" in result.stderr


def test_demo_never_touches_a_real_organisation_called_demo(db: str, tmp_path: Path) -> None:
    run(db, "org", "create", "Demo Bakery", "--id", "demo")
    run(db, "people", "import", "demo", write(tmp_path, "p.csv", "name,email,role,team\nA,a@x.org,staff,T\n"))
    for args in (("demo",), ("demo", "--reset")):
        result = run(db, *args)
        assert result.exit_code == 2 and "is not the demo" in result.stderr
    assert "a@x.org" in run(db, "people", "list", "demo").output


def test_people_list_of_an_unknown_organisation(db: str) -> None:
    result = run(db, "people", "list", "nope")
    assert result.exit_code == 2
    assert "no organisation with the id 'nope'" in result.stderr


def test_serve_refuses_a_port_out_of_range(db: str) -> None:
    result = run(db, "serve", "--port", "99999")
    assert result.exit_code == 2 and "99999" in result.output


def test_serve_passes_the_guard_options_on(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from workbook import serve as serve_module

    seen: dict[str, object] = {}
    monkeypatch.setattr(serve_module, "serve", lambda **options: seen.update(options))
    result = run(db, "serve", "--disconnect-seconds", "5", "--page-rate", "7",
                 "--trusted-proxy", "10.0.0.1", "--trusted-proxy", "192.168.0.0/16")
    assert result.exit_code == 0, result.output
    assert seen["disconnect_seconds"] == 5 and seen["page_rate"] == 7
    assert list(seen["trusted_proxies"]) == ["10.0.0.1", "192.168.0.0/16"]
    defaults: dict[str, object] = {}
    monkeypatch.setattr(serve_module, "serve", lambda **options: defaults.update(options))
    run(db, "serve")
    assert (defaults["disconnect_seconds"], defaults["page_rate"]) == (
        serve_module.DEFAULT_DISCONNECT_SECONDS, serve_module.DEFAULT_PAGE_RATE)
    assert run(db, "serve", "--page-rate", "-1").exit_code == 2
    tuned: dict[str, object] = {}
    monkeypatch.setattr(serve_module, "serve", lambda **options: tuned.update(options))
    result = run(db, "serve", "--refused-rate", "0", "--refused-burst", "9", "--max-lookups", "4",
                 "--close-grace-seconds", "0", "--recheck-seconds", "5")
    assert result.exit_code == 0, result.output
    assert {k: tuned[k] for k in ("refused_rate", "refused_burst", "max_lookups", "close_grace_seconds",
                                  "recheck_seconds")} == {
        "refused_rate": 0, "refused_burst": 9, "max_lookups": 4, "close_grace_seconds": 0, "recheck_seconds": 5}
    assert (defaults["refused_rate"], defaults["refused_burst"], defaults["max_lookups"],
            defaults["close_grace_seconds"], defaults["recheck_seconds"]) == (
        serve_module.DEFAULT_REFUSED_RATE, serve_module.DEFAULT_REFUSED_BURST, serve_module.DEFAULT_MAX_LOOKUPS,
        serve_module.DEFAULT_CLOSE_GRACE_SECONDS, serve_module.DEFAULT_RECHECK_SECONDS)
    for option in ("--refused-burst", "--max-lookups"):  # 0 would mean nothing sensible
        refused = run(db, "serve", option, "0")
        assert refused.exit_code == 2 and option in refused.stderr and "at least 1" in refused.stderr


@pytest.mark.parametrize("option", ["--port", "--pool-size", "--max-kernels", "--cull-idle-seconds",
                                    "--disconnect-seconds", "--page-rate", "--refused-rate", "--refused-burst",
                                    "--max-lookups", "--close-grace-seconds", "--recheck-seconds"])
@pytest.mark.parametrize("value", ["\uff15", "5_0", "\u0665", "-3", "0x10", ""])
def test_serve_numbers_are_ascii_digits_refused_in_one_line(db: str, option: str, value: str) -> None:
    result = run(db, "serve", option, value)
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("workbook: error: ") and option in lines[0], lines


def test_a_file_that_is_not_a_database_is_one_clear_line(tmp_path: Path) -> None:
    not_db = write(tmp_path, "README.md", "# hello\n" * 50)
    result = CliRunner().invoke(cli, ["--db", not_db, "org", "list"])
    assert result.exit_code == 2
    assert "file is not a database" in result.stderr and "Traceback" not in result.output


def test_a_new_invite_link_replaces_the_old_and_keeps_the_answers(db: str, acme: str) -> None:
    from workbook.store import open_store

    with open_store(db) as store:
        old = store.people.invite(acme, "ben@example.org").token
    result = run(db, "people", "new-link", acme, "ben@example.org", "--base-url", "https://wb.example.org")
    assert result.exit_code == 0
    link = result.output.strip().splitlines()[-1]
    assert link.startswith("https://wb.example.org/voila/render/values_assessment.ipynb?token=")
    assert old not in link
    with open_store(db) as store:
        from workbook.errors import AccessDeniedError

        with pytest.raises(AccessDeniedError):
            store.people.by_token(old)
        assert store.people.by_token(link.split("token=")[1]).email == "ben@example.org"
    assert run(db, "people", "new-link", acme, "nobody@example.org").exit_code == 2


def test_a_new_facilitator_key_stops_the_old_links(db: str, acme: str) -> None:
    before = run(db, "invites", acme, "--facilitator").output
    assert run(db, "org", "new-key", acme).exit_code == 0
    after = run(db, "invites", acme, "--facilitator").output
    old_key = before.split("key=")[1].split()[0]
    assert old_key not in after


def test_opening_a_cycle_asks_first_when_people_are_part_way(db: str) -> None:
    assert run(db, "demo").exit_code == 0  # one demo person is part-way
    refused = run(db, "cycle", "open", "demo", "2027-Q1", input="n\n")
    assert refused.exit_code == 1
    assert "1 person is part-way through" in refused.output
    assert run(db, "cycle", "list", "demo").output.strip().splitlines()[-1].split()[0] != "2027-Q1"
    assert run(db, "cycle", "open", "demo", "2027-Q1", "--yes").exit_code == 0
    assert run(db, "cycle", "list", "demo").output.strip().splitlines()[-1].startswith("2027-Q1")

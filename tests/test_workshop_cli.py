"""``workbook actions export``: the action plan as formula-safe CSV.

Tested on its own (the group handles errors itself) and registered in the main
``workbook`` command the way the lead will (``cli.add_command(actions)``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from workbook.framework import load_framework
from workbook.store import Store, open_store
from workbook.workshop import Workshop
from workbook.workshop.command import actions


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "cli.db")


@pytest.fixture
def store(db: str) -> Iterator[Store]:
    framework = load_framework()
    with open_store(db) as opened:
        opened.organisations.create("Harbour & Vine", "hv", first_cycle="2026-Q3")
        old = opened.responses.cycle("hv")
        opened.responses.open_cycle("hv", "2026-Q4")
        new = opened.responses.cycle("hv")
        workshop = Workshop(opened)
        workshop.add_action(new.id, "brand-experiences", "=1+1", "@owner", date(2026, 12, 31), framework=framework)
        workshop.add_action(new.id, "deliberate-culture", "Hire for attitude", "Zoë", framework=framework)
        workshop.add_action(old.id, "human-connections", "Last quarter's action", "Tom", framework=framework)
        opened.organisations.create("Empty Ltd", "empty")
        yield opened


def run(db: str, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(actions, list(args), obj={"db": db})
    return result.exit_code, result.stdout, result.stderr


def test_export_writes_the_current_cycles_plan_formula_safe(store: Store, db: str) -> None:
    code, out, err = run(db, "export", "hv")
    assert code == 0 and err == ""
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["organisation", "cycle", "step", "action", "owner", "due", "status", "last_changed_by",
                       "first_cycle", "carried_from", "times_carried", "review", "review_note"]
    assert [r[3] for r in rows[1:]] == ["Hire for attitude", "'=1+1"]  # step order, not entry order
    assert rows[2][4:7] == ["'@owner", "2026-12-31", "Open"]
    assert not out.startswith("\ufeff")  # standard output is for pipes


def test_export_of_another_cycle(store: Store, db: str) -> None:
    code, out, _err = run(db, "export", "hv", "--cycle", "2026-Q3")
    assert code == 0 and "Last quarter's action" in out and "Hire for attitude" not in out


def test_export_to_a_file_has_a_bom_and_says_what_it_did(store: Store, db: str, tmp_path: Path) -> None:
    target = tmp_path / "plan.csv"
    code, out, _err = run(db, "export", "hv", "--out", str(target))
    assert code == 0
    assert out == f"Wrote 2 actions of Harbour & Vine (2026-Q4) to {target}.\n"
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and "Zoë".encode() in raw
    empty = tmp_path / "empty.csv"
    code, out, _err = run(db, "export", "empty", "--out", str(empty))
    assert code == 0 and out.startswith("Wrote 0 actions")
    assert empty.read_text(encoding="utf-8-sig").splitlines() == [
        "organisation,cycle,step,action,owner,due,status,last_changed_by,first_cycle,carried_from,times_carried,"
        "review,review_note"]


@pytest.mark.parametrize(("args", "message"), [
    (["export", "nope"], "workbook: error: no organisation with the id 'nope' (see: workbook org list)\n"),
    (["export", "hv", "--cycle", "1999-Q1"], "workbook: error: 'hv' has no cycle called '1999-Q1'"),
    (["export", "hv", "--out", "/no/such/folder/plan.csv"], "workbook: error: cannot write /no/such/folder/plan.csv"),
])
def test_errors_are_one_line_and_exit_2(store: Store, db: str, args: list[str], message: str) -> None:
    code, out, err = run(db, *args)
    assert code == 2 and out == ""
    assert err.startswith(message) and err.count("\n") == 1


def test_registered_in_the_main_command_it_uses_its_db_option(store: Store, db: str,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from workbook.cli import cli

    monkeypatch.setitem(cli.commands, "actions", actions)
    result = CliRunner().invoke(cli, ["--db", db, "actions", "export", "hv"])
    assert result.exit_code == 0 and "Hire for attitude" in result.stdout
    result = CliRunner().invoke(cli, ["--db", db, "actions", "export", "nope"])
    assert result.exit_code == 2 and result.stderr.count("\n") == 1 and "no organisation" in result.stderr
    assert "action plan" in CliRunner().invoke(cli, ["actions", "--help"]).stdout

"""``workbook charter export`` as a user types it: formats, versions, bad input, hostile text."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from workbook.charter import Charters, PromiseRecord
from workbook.charter.command import charter
from workbook.cli import cli
from workbook.framework import load_framework
from workbook.store import open_store

HOSTILE = "<script>alert('x')</script> **now** [click](http://evil.example)"


@pytest.fixture(autouse=True)
def registered() -> Iterator[None]:
    """``charter`` under the main command, as the lead registers it (``cli.add_command(charter)``)."""
    added = "charter" not in cli.commands
    if added:
        cli.add_command(charter)
    yield
    if added:
        cli.commands.pop("charter", None)


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = str(tmp_path / "cli.db")
    framework = load_framework()
    with open_store(path) as store:
        store.organisations.create("Harbour & Vine Hotels", "hv")
        store.organisations.create("No Charter Ltd", "empty")
        charters = Charters(store.transactions)
        promises = [PromiseRecord(p.text, p.value, p.step, p.standard, "Ada", date(2099, 1, 1), p.id)
                    for p in framework.promises]
        promises[0] = PromiseRecord(HOSTILE, "E", "human-connections", "Within 20 seconds.", "Ada",
                                    date(2099, 1, 1))
        draft = charters.start_draft("hv", promises, framework=framework)
        charters.approve("hv", 1, draft.version, approved_by="Dana", framework=framework, today=date(2026, 1, 1))
        charters.start_draft("hv", framework=framework)  # version 2, a draft
    return path


def run(db: str, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--db", db, "charter", "export", *args], catch_exceptions=False)


@pytest.mark.parametrize(("fmt", "magic"), [("md", b"# Our customer service charter"), ("html", b"<!DOCTYPE html>"),
                                            ("pdf", b"%PDF-"), ("docx", b"PK\x03\x04")])
def test_each_format_to_a_named_file(db: str, tmp_path: Path, fmt: str, magic: bytes) -> None:
    out = tmp_path / f"out.{fmt}"
    result = run(db, "hv", "--format", fmt, "--out", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(magic)
    assert result.output == f"Wrote {out}: version 1, approved {_today_label(db)}.\n"


def _today_label(db: str) -> str:
    from workbook.charter.records import format_day

    with open_store(db) as store:
        approved = Charters(store.transactions).get("hv", 1).approved_at
    assert approved is not None
    return format_day(approved.date())


def test_default_file_name_and_format(db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run(db, "hv")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "charter-hv-v1.pdf").read_bytes().startswith(b"%PDF-")


def test_a_draft_version_is_marked(db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run(db, "hv", "--version", "2", "--format", "md")
    assert result.exit_code == 0, result.output
    assert "version 2, a DRAFT not yet approved" in result.output
    assert "DRAFT" in (tmp_path / "charter-hv-v2-DRAFT.md").read_text(encoding="utf-8")


def test_standard_output_and_hostile_text(db: str) -> None:
    result = CliRunner().invoke(cli, ["--db", db, "charter", "export", "hv", "--format", "html", "--out", "-"],
                                catch_exceptions=False)
    assert result.exit_code == 0
    html = result.stdout
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; **now** [click](http://evil.example)" in html
    assert "Exported version 1, approved" in result.stderr
    markdown = run(db, "hv", "--format", "md", "--out", "-").stdout
    assert r"\<script>alert('x')\</script> \*\*now\*\* \[click\](http://evil.example)" in markdown


@pytest.mark.parametrize(("args", "message"), [
    (["nope"], "workbook: error: no organisation with the id 'nope' (see: workbook org list)"),
    (["empty"], "workbook: error: 'empty' has no charter yet; write one in the charter builder "
                "(link: workbook invites empty --facilitator)"),
    (["hv", "--version", "9"], "workbook: error: 'hv' has no charter version 9 (versions: 1, 2)"),
    (["hv", "--out", "/no/such/folder/x.pdf"], "workbook: error: cannot write /no/such/folder/x.pdf: the folder "
                                               "/no/such/folder does not exist"),
])
def test_bad_input_is_one_line_and_exit_2(db: str, args: list[str], message: str) -> None:
    result = run(db, *args)
    assert result.exit_code == 2
    assert result.stderr == message + "\n"
    assert result.stdout == ""


@pytest.mark.parametrize(("args", "message"), [
    (["hv", "--format", "rtf"], "Invalid value for '--format': 'rtf' is not one of 'md', 'html', 'pdf', 'docx'"),
    (["hv", "--version", "0"], "--version must be at least 1, not 0"),
    (["hv", "--version", "x"], "--version must be a whole number written with the digits 0-9, not 'x'"),
])
def test_click_refuses_impossible_options(db: str, args: list[str], message: str) -> None:
    result = run(db, *args)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"workbook: error: {message}") and len(result.stderr.splitlines()) == 1


def test_the_group_works_on_its_own_too(db: str, tmp_path: Path) -> None:
    out = tmp_path / "alone.md"
    result = CliRunner().invoke(charter, ["export", "nope"], obj={"db": db})
    assert result.exit_code == 2 and result.stderr.startswith("workbook: error: no organisation")
    result = CliRunner().invoke(charter, ["export", "hv", "--format", "md", "--out", str(out)], obj={"db": db})
    assert result.exit_code == 0 and out.exists()


def test_help_describes_every_option() -> None:
    result = CliRunner().invoke(cli, ["charter", "export", "--help"])
    assert result.exit_code == 0
    for word in ("--format", "md|html|pdf|docx", "--out", "--version", "latest approved", "DRAFT"):
        assert word in result.output

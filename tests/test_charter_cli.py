"""``workbook charter export`` as a user types it: formats, versions, bad input, hostile text."""

from __future__ import annotations

import re
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


# --- the customer-facing charter (issue #15) -------------------------------------------------------
def _logo(path: Path, size: tuple[int, int] = (400, 120), fmt: str = "PNG") -> Path:
    from PIL import Image

    Image.new("RGB", size, (11, 92, 173)).save(path, fmt)
    return path


def test_the_customer_charter_leaves_out_the_teams_working_detail_in_every_format(db: str, tmp_path: Path) -> None:
    import io

    import docx

    framework = load_framework()
    team, customers = {}, {}
    for fmt in ("md", "html", "docx"):
        for audience, into in (("team", team), ("customers", customers)):
            out = tmp_path / f"{audience}.{fmt}"
            result = run(db, "hv", "--version", "1", "--format", fmt, "--audience", audience, "--out", str(out))
            assert result.exit_code == 0, result.output
            if fmt == "docx":
                word = docx.Document(io.BytesIO(out.read_bytes()))
                into[fmt] = "\n".join(p.text for p in [*word.paragraphs, *word.sections[0].footer.paragraphs])
            else:
                into[fmt] = out.read_text(encoding="utf-8")
    internal = ("Owner", "Ada", "Review by", "review by", "Dana", "DIME™ step", "Version 1",
                *(v.name + " (value)" for v in framework.values))
    for fmt in ("md", "html", "docx"):
        assert any(word in team[fmt] for word in internal), fmt  # the team's version has them
        assert not [word for word in internal if word in customers[fmt]], fmt
        assert "How we measure it" in customers[fmt] and re.search(r"Since \d{1,2} [A-Z][a-z]+ 20\d\d", customers[fmt])
        assert framework.promises[1].text in customers[fmt] and framework.promises[1].standard in customers[fmt]
        assert "DIME™ is a trademark of Chris Smoje" in customers[fmt]
    named = CliRunner().invoke(cli, ["--db", db, "charter", "export", "hv", "--version", "1", "--format", "md",
                                     "--audience", "customers"], catch_exceptions=False)
    assert named.exit_code == 0 and "charter-hv-v1-customers.md" in named.output and "for customers" in named.output
    Path("charter-hv-v1-customers.md").unlink()


def test_a_logo_goes_on_top_of_the_charter_in_html_pdf_and_word(db: str, tmp_path: Path) -> None:
    import io
    import subprocess

    import docx

    logo = _logo(tmp_path / "logo.png")
    html = tmp_path / "c.html"
    assert run(db, "hv", "--format", "html", "--audience", "customers", "--logo", str(logo),
               "--out", str(html)).exit_code == 0
    assert '<img class="logo" src="data:image/png;base64,' in html.read_text(encoding="utf-8")
    word = tmp_path / "c.docx"
    assert run(db, "hv", "--format", "docx", "--logo", str(_logo(tmp_path / "l.jpg", fmt="JPEG")),
               "--out", str(word)).exit_code == 0
    assert len(docx.Document(io.BytesIO(word.read_bytes())).inline_shapes) == 1
    pdf = tmp_path / "c.pdf"
    assert run(db, "hv", "--format", "pdf", "--audience", "customers", "--logo", str(logo),
               "--out", str(pdf)).exit_code == 0
    page = tmp_path / "page"
    subprocess.run(["pdftoppm", "-r", "40", "-f", "1", "-l", "1", "-png", str(pdf), str(page)], check=True)
    from PIL import Image

    with Image.open(next(tmp_path.glob("page*.png"))) as image:  # the logo's blue is on the first page
        assert (11, 92, 173) in {colour for _count, colour in image.convert("RGB").getcolors(1 << 20) or []}


@pytest.mark.parametrize(("make", "message"), [
    (lambda p: p.write_text("not a picture"), "is not a readable PNG or JPEG picture"),
    (lambda p: _logo(p, fmt="GIF"), "is a GIF picture; give the logo as a PNG or JPEG file"),
    (lambda p: _logo(p, size=(6000, 10)), "a logo of at most 5000 pixels a side"),
    (lambda p: p.write_bytes(_logo(p).read_bytes()[:60]), "is not a readable PNG or JPEG picture"),
    (lambda p: p.mkdir(), "is a folder, not a file"),
])
def test_a_bad_logo_is_one_line_and_writes_nothing(db: str, tmp_path: Path, make: object, message: str) -> None:
    logo = tmp_path / "logo.png"
    make(logo)  # type: ignore[operator]
    out = tmp_path / "c.pdf"
    result = CliRunner().invoke(cli, ["--db", db, "charter", "export", "hv", "--logo", str(logo), "--out", str(out)])
    assert result.exit_code == 2 and message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output and not out.exists()


# --- the charter with its latest results (#14 part 3) ---------------------------------------------------
def test_with_results_adds_each_measured_promise_kept_or_not(db: str) -> None:
    framework = load_framework()
    with open_store(db) as store:
        charters = Charters(store.transactions)
        draft = charters.draft("hv")
        assert draft is not None
        promises = list(draft.promises)
        promises[1] = promises[1].with_changes(measure_id="answered-20s", target_op=">=", target_value=95.0)
        promises[2] = promises[2].with_changes(measure_id="wait-time", target_op="<=", target_value=60.0)
        promises[3] = promises[3].with_changes(measure_id="retention")  # no target: a result, no verdict
        charters.save_draft("hv", draft.number, draft.version, promises, framework=framework)
        first = store.responses.cycles("hv")[0]  # the cycle opened with the organisation
        for cycle, calls, wait in ((first, 97, 55), (store.responses.open_cycle("hv", "2099-Q1"), 96, 75)):
            store.measures.set("hv", cycle.id, "answered-20s", calls, framework=framework)
            store.measures.set("hv", cycle.id, "wait-time", wait, framework=framework)
    plain = run(db, "hv", "--format", "md", "--out", "-", "--version", "2")
    assert "Latest result" not in plain.stdout and "Target: Calls answered within 20 seconds: at least 95 %" \
        in plain.stdout  # the target is part of the promise; results only when asked for
    result = run(db, "hv", "--format", "md", "--out", "-", "--with-results", "--version", "2")
    assert result.exit_code == 0, result.output
    assert "with the latest results" in result.stderr
    out = result.stdout
    assert "**Results for 2099-Q1: 1 of 2 promises with a target kept.**" in out
    assert "   - Latest result: 2099-Q1: 96 % · kept · trending the wrong way" in out
    assert "   - Latest result: 2099-Q1: 75 seconds · not kept · trending the wrong way" in out
    assert "   - Latest result: 2099-Q1: no result" in out  # retention: nothing entered
    page = run(db, "hv", "--format", "html", "--out", "-", "--with-results", "--audience", "customers",
               "--version", "2").stdout
    assert "✗ 2099-Q1: 75 seconds · not kept" in page and "Owner:" not in page


def test_help_names_the_results_option() -> None:
    result = CliRunner().invoke(cli, ["charter", "export", "--help"])
    assert "--with-results" in result.output and "kept or not" in result.output

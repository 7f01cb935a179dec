"""The recovery playbook printed with the charter, in every format and for both audiences.

The team's charter carries every column (with the amount staff may give and
who follows up); the customers' charter says only what a customer can
expect.  Hostile strings from the corpus that the text rule accepts are
stored as failures and must come out inert in Markdown, HTML, Word and PDF.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from hostile.strings import ACCEPT, sample

from workbook.charter import Charters, PromiseRecord
from workbook.charter.command import charter
from workbook.charter.export import FORMATS, export_charter
from workbook.cli import cli
from workbook.errors import InputError
from workbook.framework import Framework
from workbook.store import Store, open_store
from workbook.workshop.playbook import Playbook
from workbook.workshop.records import PlayFields

ROOM = PlayFields(
    failure="Room not ready at check-in time",
    say="Sorry, your room should be ready and it is not; that is our mistake.",
    offer="A drink in the bar while they wait",
    limit=25,
    speed="Within 30 minutes",
    follow_up_by="Front-office manager",
    follow_up_when="Within two working days, by phone",
)
INTERNAL = ("£25", "Front-office manager", "that is our mistake", "without asking", "Who follows up")


@pytest.fixture
def store(tmp_path: Path, framework: Framework) -> Iterator[Store]:
    with open_store(str(tmp_path / "export.db")) as opened:
        opened.organisations.create("Harbour & Vine", "hv", first_cycle="2026-Q3")
        promises = [PromiseRecord(p.text, p.value, p.step, p.standard, "Ada", date(2099, 1, 1), p.id)
                    for p in framework.promises]
        charters = Charters(opened.transactions)
        draft = charters.start_draft("hv", promises, framework=framework)
        charters.approve("hv", 1, draft.version, approved_by="Dana", framework=framework, today=date(2026, 1, 1))
        yield opened


def text_of(data: bytes, fmt: str, tmp_path: Path) -> str:
    """What a person reads in the file."""
    if fmt == "md":
        return data.decode("utf-8")
    if fmt == "html":
        import html
        import re

        body = data.decode("utf-8").split("<body>", 1)[1]
        return html.unescape(re.sub(r"<[^>]+>", "", body))
    if fmt == "docx":
        from docx import Document

        return "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)
    path = tmp_path / "charter.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext missing (poppler-utils)")


def test_no_playbook_no_section(store: Store, framework: Framework, tmp_path: Path) -> None:
    for fmt in ("md", "html", "docx"):
        assert "Service recovery playbook" not in text_of(export_charter(store, "hv", fmt).data, fmt, tmp_path)


@needs_poppler
@pytest.mark.parametrize("fmt", FORMATS)
def test_the_team_sees_every_column_and_customers_what_to_expect(store: Store, framework: Framework,
                                                                 tmp_path: Path, fmt: str) -> None:
    cycle = store.responses.cycle("hv")
    Playbook(store).add(cycle.id, ROOM)
    Playbook(store).add(cycle.id, PlayFields("Wrong bill at check-out", offer="Correct it on the spot", limit=0))
    team = " ".join(text_of(export_charter(store, "hv", fmt).data, fmt, tmp_path).split())
    for words in ("Service recovery playbook", "Room not ready at check-in time", "that is our mistake",
                  "A drink in the bar while they wait · up to £25 without asking", "Within 30 minutes",
                  "Front-office manager · Within two working days, by phone", "nothing without asking",
                  "This quarter's playbook (2026-Q3)", "Would you buy from us again?"):
        assert words in team, (fmt, words)
    assert team.index("Room not ready") < team.index("Wrong bill at check-out")
    customers = " ".join(text_of(export_charter(store, "hv", fmt, audience="customers").data, fmt,
                                 tmp_path).split())
    for words in ("If something goes wrong", "we will say sorry", "Room not ready at check-in time",
                  "What we will do: A drink in the bar while they wait", "How fast: Within 30 minutes",
                  "When we get back to you: Within two working days, by phone"):
        assert words in customers, (fmt, words)
    for words in INTERNAL:
        assert words not in customers, (fmt, words)


def test_the_newest_quarters_playbook_is_printed(store: Store, tmp_path: Path) -> None:
    Playbook(store).add(store.responses.cycle("hv").id, ROOM)
    q4 = store.responses.open_cycle("hv", "2026-Q4")
    [copy] = Playbook(store).plays(q4.id)
    Playbook(store).update(q4.id, copy.id, PlayFields(**{**{k: getattr(copy.fields, k) for k in
                                                          PlayFields.__dataclass_fields__}, "limit": 40}),
                           expected_version=1)
    text = export_charter(store, "hv", "md").data.decode()
    assert "up to £40 without asking" in text and "£25" not in text and "(2026-Q4)" in text


@needs_poppler
def test_hostile_failures_stay_inert_in_every_format(store: Store, tmp_path: Path) -> None:
    cycle = store.responses.cycle("hv").id
    playbook = Playbook(store)
    kept: list[str] = []
    for case in sample(40):
        if case.expect != ACCEPT or len(kept) >= 25:
            continue
        try:
            kept.append(playbook.add(cycle, PlayFields(case.text, offer=case.text)).failure)
        except InputError:
            continue
    assert len(kept) >= 10
    html = export_charter(store, "hv", "html").data.decode()
    assert "<script" not in html.lower() and "onerror=" not in html.lower().replace("onerror=&", "")
    for fmt in FORMATS:
        for audience in ("team", "customers"):
            data = export_charter(store, "hv", fmt, audience=audience).data  # no format falls over
            assert data


def test_cli_exports_the_playbook(store: Store, tmp_path: Path) -> None:
    Playbook(store).add(store.responses.cycle("hv").id, ROOM)
    added = "charter" not in cli.commands
    if added:
        cli.add_command(charter)
    try:
        out = tmp_path / "customers.md"
        result = CliRunner().invoke(cli, ["--db", str(tmp_path / "export.db"), "charter", "export", "hv",
                                          "--format", "md", "--audience", "customers", "--out", str(out)])
    finally:
        if added:
            cli.commands.pop("charter", None)
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "## If something goes wrong" in text and "£25" not in text

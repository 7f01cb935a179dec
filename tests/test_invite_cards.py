"""Printable invite cards (issue #13, part 1): every QR code scans back to its exact link.

The PDF is rendered to page images with poppler's ``pdftoppm`` and every code
on them is decoded with a real decoder, Debian's ``zbarimg`` (zbar-tools,
installed by ``scripts/setup --system``), at 150 dpi, an ordinary office scan.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from workbook.cards import CARDS_PER_PAGE, Card
from workbook.cli import cli
from workbook.links import invite_url
from workbook.people_csv import PersonRow
from workbook.progress import statuses
from workbook.store import open_store

TOOLS = ("pdftoppm", "zbarimg", "pdfinfo")
pytestmark = pytest.mark.skipif(
    any(shutil.which(tool) is None for tool in TOOLS) and not os.environ.get("CI"),
    reason="needs poppler-utils and zbar-tools (scripts/setup --system)",
)

HOSTILE = [
    PersonRow("Maximiliana Bartholomew-Fitzwilliam de la Torre y Montenegro-Vasconcelos " * 2,
              "long@example.org", "staff", "Guest Relations and Extraordinarily Long Team Names Department"),
    PersonRow("مريم الحسيني", "rtl@example.org", "staff", "الاستقبال"),
    PersonRow("Zoë 🎉👩‍👩‍👧 Ng", "emoji@example.org", "leader", "Front 🛎️"),
    PersonRow("<b>Eve</b> & \"Mallory\"", "eve@example.org", "staff", "Kitchen"),
    PersonRow("אבי כהן Smith", "mixed@example.org", "staff", "Front"),
]


def run(db: str, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--db", db, *args])


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = str(tmp_path / "org.db")
    with open_store(path) as store:
        store.organisations.create("Harbour & Vine", "hv")
        people = HOSTILE + [PersonRow(f"Person {n}", f"p{n}@example.org", "staff", "Front") for n in range(6)]
        store.people.import_rows("hv", people)
    return path


def links(db: str) -> set[str]:
    with open_store(db) as store:
        return {invite_url(i.token) for i in store.people.invites("hv")}


def decode_pages(pdf: Path) -> list[list[str]]:
    """The text of every QR code, page by page (150 dpi, as printed and scanned)."""
    pages = int(next(line.split()[-1] for line in subprocess.run(
        ["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()
        if line.startswith("Pages:")))
    prefix = pdf.with_suffix("")
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(pdf), str(prefix)], check=True)
    images = sorted(pdf.parent.glob(f"{prefix.name}-*.png"))
    assert len(images) == pages
    decoded = []
    for image in images:
        out = subprocess.run(["zbarimg", "--nodbus", "-q", "--raw", str(image)], capture_output=True, text=True)
        decoded.append([line for line in out.stdout.splitlines() if line])
    return decoded


def test_every_card_scans_back_to_its_exact_link_and_hostile_names_keep_eight_a_page(
        db: str, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    pdf = tmp_path / "cards.pdf"
    with caplog.at_level(logging.DEBUG):
        result = run(db, "invites", "hv", "--cards", str(pdf))
    assert result.exit_code == 0, result.output
    expected = links(db)
    pages = decode_pages(pdf)
    # 11 people: 8 on the first page and 3 on the second, however long or strange a name is
    assert [len(codes) for codes in pages] == [CARDS_PER_PAGE, 11 - CARDS_PER_PAGE]
    decoded = [code for codes in pages for code in codes]
    assert sorted(decoded) == sorted(expected)  # each link exactly once, byte for byte
    # the links are printed on paper only: not on the terminal, not in any log
    tokens = [link.rsplit("=", 1)[1] for link in expected]
    assert not any(token in result.output for token in tokens)
    assert not any(token in record.getMessage() for token in tokens for record in caplog.records)
    assert "11 people" in result.output and "2 A4 pages" in result.output


def test_cards_mark_those_people_invited_by_card_and_only_selects_the_second_round(
        db: str, tmp_path: Path, framework: object) -> None:
    with open_store(db) as store:
        cycle = store.responses.cycle("hv")
        first = store.people.get("hv", "p0@example.org").id
        store.progress.mark_opened(first, cycle.id)  # opened, saved nothing: still not-started
    pdf = tmp_path / "second.pdf"
    assert run(db, "invites", "hv", "--cards", str(pdf), "--only", "not-started").exit_code == 0
    with open_store(db) as store:
        found = {s.person.email: s for s in statuses(store, "hv")}
    assert all(s.invited_how == ("card",) for s in found.values())
    assert found["p0@example.org"].status == "opened"
    assert sum(len(codes) for codes in decode_pages(pdf)) == 11


def test_without_the_secret_key_cards_fail_with_the_same_one_line_error_as_invites(
        db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKBOOK_KEY_FILE", str(tmp_path / "elsewhere" / "other.key"))
    printed = run(db, "invites", "hv")
    pdf = tmp_path / "none.pdf"
    carded = run(db, "invites", "hv", "--cards", str(pdf))
    assert printed.exit_code == carded.exit_code == 2
    assert carded.output == printed.output and len(carded.output.strip().splitlines()) == 1
    assert "Traceback" not in carded.output and not pdf.exists()


@pytest.mark.parametrize(("args", "words"), [
    (("--cards", "cards.txt"), "must end in .pdf"),
    (("--cards", "no/such/folder/cards.pdf"), "does not exist"),
    (("--cards", "cards.pdf", "--csv"), "leave out --csv"),
    (("--cards", "cards.pdf", "--only", "everyone"), "'not-started', 'not-submitted'"),
])
def test_a_bad_cards_request_is_one_line_and_writes_nothing(db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                            args: tuple[str, ...], words: str) -> None:
    monkeypatch.chdir(tmp_path)
    result = run(db, "invites", "hv", *args)
    assert result.exit_code == 2 and words in result.output and "Traceback" not in result.output
    assert not list(tmp_path.glob("cards.*"))


def test_a_card_never_shows_its_link_in_a_log_or_traceback() -> None:
    card = Card("Ann", "Front", invite_url("T" * 43))
    assert "T" * 43 not in repr(card) and "Ann" in repr(card)


def test_a_card_says_how_long_it_takes_until_when_and_who_sees_what(db: str, tmp_path: Path) -> None:
    from datetime import date

    from workbook.estimate import minutes_to_answer
    from workbook.framework import load_framework

    with open_store(db) as store:
        store.organisations.set_threshold("hv", 7)
        store.responses.set_closing_date("hv", store.responses.cycle("hv").label, date(2099, 3, 31))
    pdf = tmp_path / "words.pdf"
    assert run(db, "invites", "hv", "--cards", str(pdf)).exit_code == 0
    text = " ".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                                   check=True).stdout.split())
    minutes = minutes_to_answer(len(load_framework().statements))  # the welcome page's own figure
    assert text.count(f"about {minutes} minutes, by 31 March 2099") == 11
    assert text.count("groups of at least 7 people") == 11
    assert "Person 3" in text and "Harbour & Vine".upper() in text


@pytest.mark.parametrize(("text", "limit", "expected"), [
    ("Ann Lee", 10, "Ann Lee"),
    ("Maximiliana Bartholomew", 12, "Maximiliana…"),
    ("Ann 👩‍👩‍👧 Lee", 7, "Ann…"),  # an emoji sequence is kept whole or left out
    ("Zoe\u0308 Ng", 4, "Zo…"),  # the accent stays with its letter
])
def test_a_name_too_long_for_its_box_is_cut_without_splitting_a_character(text: str, limit: int,
                                                                         expected: str) -> None:
    from workbook.cards import shortened

    cut = shortened(text, limit)
    assert cut == expected and len(cut) <= limit

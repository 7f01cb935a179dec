"""Exporting a charter: golden Markdown and HTML, Word read back, PDF looked at as page images.

The golden files in ``tests/golden/`` were generated once from the fixed data
below.  After a deliberate change to the layout, regenerate them with::

    UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_charter_export.py

and review the diff before committing.  Page images of the PDF are written to
``tests/artifacts/charter/`` (gitignored) for a person to look at.
"""

from __future__ import annotations

import difflib
import io
import os
import re
import shutil
import subprocess
import time
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from workbook.charter.export import FORMATS, export_charter, export_filename, render
from workbook.charter.export.document import CREDIT, CharterDocument, build_document
from workbook.charter.export.markdown import escape_markdown, render_markdown
from workbook.charter.records import CharterRecord, PromiseRecord
from workbook.errors import InputError, NotFoundError
from workbook.framework import Framework
from workbook.store import Store, open_store

GOLDEN = Path(__file__).resolve().parent / "golden"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts" / "charter"
UPDATE = os.environ.get("UPDATE_GOLDEN", "") not in ("", "0")
HOSTILE = '<script>alert("owned")</script> *bold* _it_ [link](http://evil.example) `code` & &amp; | # ! \\'


def fixed_charter(framework: Framework, *, draft: bool = False) -> CharterRecord:
    """Version 3 of a charter, approved on 5 March 2027, with hostile text in promise 4 and the common purpose."""
    promises = [PromiseRecord(p.text, p.value, p.step, p.standard, f"Owner {i}", date(2027, 9, i), p.id)
                for i, p in enumerate(framework.promises, start=1)]
    promises[3] = replace(promises[3], text=f"We keep notes {HOSTILE}", standard=f"Checked {HOSTILE}",
                          owner="<b>Ada</b> & Co")
    moment = datetime(2027, 3, 5, 9, 30, tzinfo=UTC)
    return CharterRecord(
        id=7, organisation_id="hv", number=3, status="draft" if draft else "approved", title=None, version=12,
        created_at=moment, updated_at=moment, approved_at=None if draft else moment,
        approved_by=None if draft else "Dana Reid (General Manager)", promises=tuple(promises),
        brand_promise="A warm welcome by name, and a room that is ready when you arrive.",
        common_purpose=f"Whoever takes a request owns it until the guest is happy. {HOSTILE}")


def document(framework: Framework, *, draft: bool = False) -> CharterDocument:
    return build_document(fixed_charter(framework, draft=draft), "Harbour & Vine <Hotels>", framework)


def compare_with_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"{path} is missing: run UPDATE_GOLDEN=1 pytest {__file__}"
    expected = path.read_text(encoding="utf-8")
    if text != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(True), text.splitlines(True), str(path), "now"))
        pytest.fail(f"{name} differs from the golden file (UPDATE_GOLDEN=1 to accept):\n{diff[:4000]}")


# --- Markdown -----------------------------------------------------------------------------
def test_markdown_matches_the_golden_file(framework: Framework) -> None:
    compare_with_golden("charter.md", render_markdown(document(framework)))


def test_markdown_escapes_user_text(framework: Framework) -> None:
    import mistune

    markdown = render_markdown(document(framework))
    html = mistune.html(markdown)
    assert "<script" not in html and "<b>" not in html and "evil.example\"" not in html
    assert "&lt;script&gt;alert(&quot;owned&quot;)&lt;/script&gt;" in html
    promises = html.split("<ol>")[1].split("</ol>")[0]
    assert "<em>" not in promises and "<code>" not in promises  # *bold*, _it_ and `code` stay literal
    assert "*bold* _it_ [link](http://evil.example) `code` &amp; &amp;amp;" in html
    assert "Harbour &amp; Vine &lt;Hotels&gt;" in html


@pytest.mark.parametrize(("raw", "escaped"), [
    ("*a*", r"\*a\*"), ("_a_", r"\_a\_"), ("[x](y)", r"\[x\](y)"), ("<b>", r"\<b>"), ("a\\b", r"a\\b"),
    ("`c`", r"\`c\`"), ("a & b", "a & b"), ("#1 | ~x~ !", r"#1 | \~x\~ !"), ("two\nlines", "two lines"),
    ("Harbour & Vine", "Harbour & Vine"), ("&amp; &#169;", r"\&amp; \&#169;"), ("Room #", r"Room \#"),
    ("plain words, 95% (ok).", "plain words, 95% (ok)."),
])
def test_escape_markdown(raw: str, escaped: str) -> None:
    assert escape_markdown(raw) == escaped


# --- HTML -----------------------------------------------------------------------------------
def test_html_matches_the_golden_file(framework: Framework) -> None:
    compare_with_golden("charter.html", render(document(framework), "html").decode("utf-8"))


def test_html_escapes_user_text_and_is_self_contained(framework: Framework) -> None:
    html = render(document(framework), "html").decode("utf-8")
    assert "<script" not in html and "<b>Ada</b>" not in html
    assert "&lt;script&gt;alert(&#34;owned&#34;)&lt;/script&gt;" in html
    assert "&lt;b&gt;Ada&lt;/b&gt; &amp; Co" in html
    assert 'lang="en-GB"' in html and "size: A4" in html
    assert "Our customer service charter" in html and CREDIT in html
    assert html.count('<div class="number">') == 10
    assert not re.search(r"""(?:src|href)=["']?(?:https?:)?//""", html)  # nothing from another host
    assert "@import" not in html and "url(" not in html


def test_a_draft_is_clearly_marked(framework: Framework) -> None:
    draft = document(framework, draft=True)
    html = render(draft, "html").decode("utf-8")
    assert 'class="watermark"' in html and "DRAFT: not yet approved" in html and "· DRAFT</title>" in html
    assert "**DRAFT: not yet approved**" in render_markdown(draft)
    assert "DRAFT" not in render_markdown(document(framework))
    assert export_filename("hv", fixed_charter(framework, draft=True), "pdf") == "charter-hv-v3-DRAFT.pdf"
    assert export_filename("hv", fixed_charter(framework), "docx") == "charter-hv-v3.docx"


# --- Word ---------------------------------------------------------------------------------------
def test_docx_reads_back_with_real_structure(framework: Framework) -> None:
    import docx

    doc = docx.Document(io.BytesIO(render(document(framework), "docx")))
    paragraphs = [(p.style.name, p.text) for p in doc.paragraphs]
    assert ("Title", "Our customer service charter") in paragraphs
    assert ("Subtitle", "Harbour & Vine <Hotels>") in paragraphs
    assert ("Heading 1", "Our promises") in paragraphs
    numbered = [text for style, text in paragraphs if style == "List Number"]
    expected = [p.text for p in fixed_charter(framework).promises]
    assert numbered == expected
    assert numbered[3] == f"We keep notes {HOSTILE}"  # plain text, exactly as typed
    continued = [text for style, text in paragraphs if style == "List Continue"]
    assert f"How we measure it: Checked {HOSTILE}" in continued
    assert "Owner: <b>Ada</b> & Co · Review by: 4 September 2027" in continued
    assert any("Approved on 5 March 2027 by Dana Reid (General Manager)" in text for _s, text in paragraphs)
    assert doc.sections[0].footer.paragraphs[0].text == CREDIT
    assert doc.sections[0].header.paragraphs[0].text == ""
    assert round(doc.sections[0].page_width.mm) == 210 and round(doc.sections[0].page_height.mm) == 297
    assert doc.core_properties.title == "Our customer service charter · Harbour & Vine <Hotels>"


def test_a_draft_docx_says_draft_in_its_header(framework: Framework) -> None:
    import docx

    doc = docx.Document(io.BytesIO(render(document(framework, draft=True), "docx")))
    assert doc.sections[0].header.paragraphs[0].text == "DRAFT: not yet approved · Version 3"


def test_docx_drops_characters_xml_cannot_hold(framework: Framework) -> None:
    import docx

    bad = replace(document(framework), organisation="Bell\x07 & Co")
    doc = docx.Document(io.BytesIO(render(bad, "docx")))
    assert ("Subtitle", "Bell & Co") in [(p.style.name, p.text) for p in doc.paragraphs]


# --- PDF -------------------------------------------------------------------------------------
needs_poppler = pytest.mark.skipif(shutil.which("pdftoppm") is None or shutil.which("pdftotext") is None,
                                   reason="pdftoppm/pdftotext missing (apt-get install poppler-utils)")


@needs_poppler
@pytest.mark.parametrize("draft", [False, True], ids=["approved", "draft"])
def test_pdf_is_one_a4_page_with_every_promise(framework: Framework, tmp_path: Path, draft: bool) -> None:
    from PIL import Image

    pdf = render(document(framework, draft=draft), "pdf")
    assert pdf.startswith(b"%PDF-")
    path = tmp_path / "charter.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Pages:\s+1\n", info), info
    assert re.search(r"Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)", info), info
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    flat = " ".join(text.split())
    assert "HARBOUR & VINE <HOTELS>" in flat and "Our customer service charter" in flat
    assert "Built with the DIME™ framework. DIME™ is a trademark of Chris Smoje (dimecustomerservice.com)." in flat
    assert '<script>alert("owned")</script>' in flat  # printed as text
    assert ("DRAFT: not yet approved" in flat) is draft
    for number in range(1, 11):
        assert re.search(rf"(^|\s){number}\s+\S", text, re.MULTILINE)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    stem = ARTIFACTS / ("charter-draft" if draft else "charter")
    subprocess.run(["pdftoppm", "-r", "60", "-png", "-singlefile", str(path), str(stem)], check=True)
    image = Image.open(f"{stem}.png").convert("L")
    assert 495 <= image.width <= 498 and 700 <= image.height <= 703  # A4 at 60 dpi
    # Ink on the page, and a margin left blank all round.
    assert image.getextrema()[0] < 60
    assert image.crop((0, 0, image.width, 20)).getextrema()[0] > 240


@needs_poppler
def test_a_long_charter_flows_onto_a_second_page_with_the_credit_on_each(framework: Framework,
                                                                        tmp_path: Path) -> None:
    long = fixed_charter(framework)
    long = replace(long, promises=tuple(replace(p, text=p.text + " " + "And more words here. " * 12,
                                                standard=(p.standard or "") + " Checked weekly. " * 10)
                                        for p in long.promises))
    path = tmp_path / "long.pdf"
    path.write_bytes(render(build_document(long, "Long Ltd", framework), "pdf"))
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    pages = text.split("\f")[:-1]
    assert len(pages) >= 2
    assert all("DIME™ is a trademark of Chris Smoje" in page for page in pages)
    assert f"Page 1 of {len(pages)}" in pages[0]


# --- choosing the version, and timings ----------------------------------------------------------
@pytest.fixture
def store(tmp_path: Path, framework: Framework) -> Store:
    from workbook.charter import Charters

    opened = open_store(str(tmp_path / "export.db"))
    opened.organisations.create("Harbour & Vine Hotels", "hv")
    charters = Charters(opened.transactions)
    promises = [PromiseRecord(p.text, p.value, p.step, p.standard, "Ada", date(2099, 1, 1), p.id)
                for p in framework.promises]
    draft = charters.start_draft("hv", promises, framework=framework)
    charters.approve("hv", 1, draft.version, approved_by="Dana", framework=framework, today=date(2026, 1, 1))
    charters.start_draft("hv", framework=framework)
    return opened


def test_export_defaults_to_the_latest_approved_version(store: Store, framework: Framework) -> None:
    default = export_charter(store, "hv", "md", framework=framework)
    assert default.charter.number == 1 and default.filename == "charter-hv-v1.md"
    draft = export_charter(store, "hv", "md", number=2, framework=framework)
    assert draft.filename == "charter-hv-v2-DRAFT.md" and b"DRAFT" in draft.data
    with pytest.raises(NotFoundError, match=r"no charter version 5 \(versions: 1, 2\)"):
        export_charter(store, "hv", "md", number=5, framework=framework)
    with pytest.raises(InputError, match="unknown export format 'rtf'"):
        export_charter(store, "hv", "rtf", framework=framework)


def test_without_an_approved_version_the_draft_is_exported(tmp_path: Path, framework: Framework) -> None:
    from workbook.charter import Charters

    with open_store(str(tmp_path / "d.db")) as store:
        store.organisations.create("Draft Only", "d")
        with pytest.raises(NotFoundError, match="'d' has no charter yet"):
            export_charter(store, "d", "md", framework=framework)
        Charters(store.transactions).start_draft("d", [PromiseRecord("We call back within 1 day.")],
                                                 framework=framework)
        exported = export_charter(store, "d", "html", framework=framework)
        assert exported.charter.is_draft and exported.filename.endswith("-DRAFT.html")


def test_every_format_exports_in_reasonable_time(store: Store, framework: Framework) -> None:
    timings = {}
    for fmt in FORMATS:
        started = time.perf_counter()
        exported = export_charter(store, "hv", fmt, framework=framework)
        timings[fmt] = time.perf_counter() - started
        assert exported.data
    print("export timings (s):", {k: round(v, 3) for k, v in timings.items()})
    assert timings["md"] < 1 and timings["html"] < 1
    assert timings["pdf"] < 15 and timings["docx"] < 10  # first calls include importing the libraries

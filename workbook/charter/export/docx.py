"""The charter as a Word document a consultant can keep editing.

Real structure, not a picture of one: the title and the organisation are
headings, the promises a numbered list (Word's "List Number" style) with the
standard, owner and review date in "List Continue" paragraphs under each, and
the credit in the footer.  User text goes in as plain runs: python-docx
escapes it for XML, so ``<script>`` is just seven characters in Word.
"""

from __future__ import annotations

import io
from typing import Any

from workbook.charter.export.document import BRAND_HEADING, PURPOSE_HEADING, CharterDocument
from workbook.text import display_safe

__all__ = ["render_docx"]


def _plain(text: str) -> str:
    """Text XML 1.0 can hold (python-docx raises on controls and U+FFFF): see :func:`display_safe`."""
    return display_safe(text)


def render_docx(document: CharterDocument) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt, RGBColor

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(18)
    section.top_margin, section.bottom_margin = Mm(16), Mm(16)

    normal = doc.styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(10.5)

    properties = doc.core_properties
    properties.title = _plain(f"{document.title} · {document.organisation}")
    properties.subject = "Customer service charter"
    properties.author = _plain(document.organisation)
    properties.comments = document.credit

    if document.is_draft:
        header = section.header.paragraphs[0]
        header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        run = header.add_run(f"DRAFT: not yet approved · {document.version_line}")
        run.bold = True
        run.font.color.rgb = RGBColor(0x8A, 0x1C, 0x12)

    if document.logo is not None:
        picture = doc.add_paragraph()
        picture.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        tall = document.logo.height * 50 > document.logo.width * 18  # fit 50 mm wide, 18 mm high, as in print
        size = {"height": Mm(18)} if tall else {"width": Mm(50)}
        picture.add_run().add_picture(io.BytesIO(document.logo.data), **size)
    doc.add_paragraph(_plain(document.organisation), style="Subtitle")
    doc.add_heading(_plain(document.title), level=0)
    for heading, text in ((BRAND_HEADING, document.brand_promise), (PURPOSE_HEADING, document.common_purpose)):
        if text:
            doc.add_heading(heading, level=2)
            doc.add_paragraph(_plain(text)).runs[0].bold = heading == BRAND_HEADING
    doc.add_paragraph(_plain(document.intro))
    status = doc.add_paragraph()
    version = "" if document.for_customers and not document.is_draft else f" · {document.version_line}"
    status_run = status.add_run(f"{_plain(document.status)}{version}")
    status_run.italic = not document.is_draft
    status_run.bold = document.is_draft
    if document.results_line:
        doc.add_paragraph().add_run(_plain(document.results_line)).bold = True

    doc.add_heading("Our promises", level=1)
    for promise in document.promises:
        item = doc.add_paragraph(style="List Number")
        item.add_run(_plain(promise.text)).bold = True
        lines = [("How we measure it: ", promise.standard)]
        if promise.target:
            lines.append(("Target: ", promise.target))
        if promise.result:
            lines.append(("Latest result: ", promise.result))
        if not document.for_customers:
            lines += [("Owner: ", f"{promise.owner} · Review by: {promise.review}"),
                      ("Serves: ", f"{promise.value} (value) · {promise.step} (DIME™ step)")]
        for label, value in lines:
            line = doc.add_paragraph(style="List Continue")
            line.paragraph_format.space_after = Pt(0)
            line.add_run(label).bold = True
            line.add_run(_plain(value))

    if document.recovery is not None:
        _recovery(doc, document)

    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    credit = footer.add_run(document.credit)
    credit.font.size = Pt(7.5)

    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _recovery(doc: Any, document: CharterDocument) -> None:
    """The recovery playbook after the promises: a heading, the intro, a bulleted failure with its lines."""
    from docx.shared import Pt

    section = document.recovery
    assert section is not None
    doc.add_heading(_plain(section.heading), level=1)
    doc.add_paragraph(_plain(section.intro))
    if section.source:
        doc.add_paragraph().add_run(_plain(f"{section.source}. Stages: {' → '.join(section.stages)}.")).italic = True
    for play in section.plays:
        item = doc.add_paragraph(style="List Bullet")
        item.add_run(_plain(play.failure)).bold = True
        for label, value in play.lines:
            line = doc.add_paragraph(style="List Continue")
            line.paragraph_format.space_after = Pt(0)
            line.add_run(f"{label}: ").bold = True
            line.add_run(_plain(value))
    if section.follow_up_questions:
        doc.add_paragraph("The follow-up asks:")
        for question in section.follow_up_questions:
            doc.add_paragraph(_plain(question), style="List Bullet")

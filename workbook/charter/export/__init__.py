"""Exporting a charter as Markdown, HTML, PDF or Word.

::

    exported = export_charter(store, "harbour", "pdf")            # latest approved, else the draft
    Path(exported.filename).write_bytes(exported.data)

Every format is rendered from one :class:`~workbook.charter.export.document.
CharterDocument`, and every format escapes the team's text for itself
(Markdown backslashes, HTML autoescape, Word plain runs).  A draft is marked
DRAFT in the document and in the file name.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, Literal

from workbook.charter.export.document import AUDIENCES, Audience, CharterDocument, build_document
from workbook.charter.export.logo import Logo
from workbook.charter.records import CharterRecord
from workbook.errors import InputError, NotFoundError
from workbook.framework import Framework, load_framework
from workbook.store import Store
from workbook.text import quoted

__all__ = ["FORMATS", "MEDIA_TYPES", "Export", "ExportFormat", "choose_version", "export_charter",
           "export_filename", "render"]

ExportFormat = Literal["md", "html", "pdf", "docx"]
FORMATS: Final[tuple[ExportFormat, ...]] = ("md", "html", "pdf", "docx")
MEDIA_TYPES: Final = {
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


@dataclass(frozen=True, slots=True)
class Export:
    """One exported file: its suggested name, bytes and media type, and which version it is."""

    filename: str
    data: bytes
    media_type: str
    charter: CharterRecord


def _text(render_text: Callable[[CharterDocument], str]) -> Callable[[CharterDocument], bytes]:
    return lambda document: render_text(document).encode("utf-8")


def _renderer(fmt: str) -> Callable[[CharterDocument], bytes]:
    if fmt == "md":
        from workbook.charter.export.markdown import render_markdown

        return _text(render_markdown)
    if fmt == "html":
        from workbook.charter.export.html import render_html

        return _text(render_html)
    if fmt == "pdf":
        from workbook.charter.export.pdf import render_pdf

        return render_pdf
    if fmt == "docx":
        from workbook.charter.export.docx import render_docx

        return render_docx
    raise InputError(f"unknown export format {quoted(fmt)}: use one of {', '.join(FORMATS)}")


def render(document: CharterDocument, fmt: str) -> bytes:
    """The document in one format, as bytes (UTF-8 for the text formats)."""
    return _renderer(fmt)(document)


def choose_version(store: Store, org_id: str, number: int | None = None) -> CharterRecord:
    """Version ``number``, or by default the latest approved version, else the draft."""
    from workbook.charter.repository import Charters

    charters = Charters(store.transactions)
    if number is not None:
        return charters.get(org_id, number)
    chosen = charters.latest_approved(org_id) or charters.draft(org_id)
    if chosen is None:
        raise NotFoundError(f"{quoted(org_id)} has no charter yet; write one in the charter builder "
                            f"(link: workbook invites {org_id} --facilitator)")
    return chosen


def export_filename(org_id: str, charter: CharterRecord, fmt: str, audience: Audience = "team") -> str:
    """``charter-harbour-v2.pdf``; a draft is ``charter-harbour-v3-DRAFT.pdf``; for customers ``-customers``."""
    safe = re.sub(r"[^a-z0-9-]+", "-", org_id.lower()).strip("-") or "organisation"
    draft = "-DRAFT" if charter.is_draft else ""
    reader = "-customers" if audience == "customers" else ""
    return f"charter-{safe}-v{charter.number}{reader}{draft}.{fmt}"


def export_charter(store: Store, org_id: str, fmt: str, *, number: int | None = None,
                   framework: Framework | None = None, audience: Audience = "team",
                   logo: Logo | None = None, with_results: bool = False) -> Export:
    """Export one version of ``org_id``'s charter (see :func:`choose_version`) in ``fmt``, for ``audience``.

    ``with_results`` adds the latest quarter's result under each measured
    promise (kept or not, from the measures scorecard) and a line saying how
    many were kept.  The newest quarter's service recovery playbook follows
    the promises when the team has written one (for customers, without the
    amounts staff may give or who follows up).
    """
    renderer = _renderer(fmt)  # an unknown format fails before any database work
    if audience not in AUDIENCES:
        raise InputError(f"a charter is for {' or '.join(AUDIENCES)}, not {quoted(audience)}")
    organisation = store.organisations.get(org_id)
    charter = choose_version(store, org_id, number)
    framework = framework or load_framework()
    results = None
    if with_results:
        from workbook.charter.results import load_results

        results = load_results(store, org_id, charter.promises, framework)
    from workbook.workshop.playbook import Playbook

    playbook_cycle, playbook = Playbook(store).current(organisation.id)
    document = build_document(charter, organisation.name, framework, audience=audience, logo=logo,
                              results=results, playbook=playbook, playbook_cycle=playbook_cycle)
    return Export(export_filename(organisation.id, charter, fmt, audience), renderer(document), MEDIA_TYPES[fmt],
                  charter)

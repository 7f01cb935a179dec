"""The charter as an A4 PDF, drawn by WeasyPrint from the HTML export.

Kept in its own module (and WeasyPrint imported only here, on first use):
its import costs about a second, which nobody opening the builder or running
``workbook --help`` should pay.  WeasyPrint needs Pango from the system
(Debian: ``libpango-1.0-0``, ``libpangoft2-1.0-0``, ``libharfbuzz-subset0``)
and a font; the stylesheet asks for DejaVu Sans (``fonts-dejavu-core``).
"""

from __future__ import annotations

from workbook.charter.export.document import CharterDocument
from workbook.charter.export.html import render_html
from workbook.paths import templates_dir

__all__ = ["render_pdf"]


def render_pdf(document: CharterDocument) -> bytes:
    from workbook.pdf import html_to_pdf

    # The <title> and <meta name="author"> of the page become the PDF's metadata.
    return html_to_pdf(render_html(document), templates_dir() / "charter", what="PDF export",
                       instead="export as html and print it from a browser instead")

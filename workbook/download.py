"""Download links that carry their file inside the page (``data:`` URLs).

A facilitator saves the action plan or the charter straight from the page: no
second request to the server (which holds no file for it) and nothing from the
internet, so it works offline on a workshop laptop.  One builder keeps the
escaping and the link's look the same in every app.
"""

from __future__ import annotations

import base64

from workbook.html import Markup, html

__all__ = ["data_uri", "download_link_html"]


def data_uri(data: bytes, media_type: str) -> str:
    """``data:<media type>;base64,...``; parameters such as ``charset=utf-8`` are kept."""
    return f"data:{media_type};base64,{base64.b64encode(data).decode('ascii')}"


def download_link_html(filename: str, media_type: str, data: bytes, label: str | None = None) -> Markup:
    """An ``<a download>`` link saving ``data`` as ``filename``; ``label`` defaults to "Download <filename>"."""
    text = label if label is not None else f"Download {filename}"
    return html("<a class='wb-download' download='{}' href='{}'>{}</a>", filename, data_uri(data, media_type), text)

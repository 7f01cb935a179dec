"""Executed report notebook -> one self-contained HTML file -> PDF.

We do not use nbconvert's HTML exporter: its stock templates load require.js
and MathJax from CDNs and show code.  The report is simply the ``text/html``
outputs of the notebook's cells, in order, inside ``templates/report/``'s
page (inline CSS, inline SVG, no scripts), so it opens offline and asks no
other host for anything.  The PDF is made from that same HTML by WeasyPrint
(a real HTML/CSS layout engine with paged media: A4, running headers, page
numbers; no LaTeX).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import jinja2
    from nbformat import NotebookNode

__all__ = ["CoverPage", "RenderedNotebook", "extract", "html_to_pdf", "index_html", "report_html"]

#: The only URLs a report may hold: the cover page's logo, inline (workbook.charter.export.logo).
_INLINE_PICTURES = ("data:image/png;base64,", "data:image/jpeg;base64,")
_SKIP_TAGS = frozenset({"parameters", "injected-parameters", "papermill-error-cell-tag"})


@dataclass(frozen=True)
class RenderedNotebook:
    """What an executed report notebook showed: HTML blocks, its record and any errors."""

    blocks: tuple[str, ...]
    record: Mapping[str, Any] | None
    errors: tuple[str, ...]


@dataclass(frozen=True)
class CoverPage:
    """An optional first page: the organisation's logo, the report's title and who prepared it.

    ``logo_uri`` is a checked logo as a data URI
    (:attr:`workbook.charter.export.logo.Logo.data_uri`), so the page needs no file
    beside it; ``consultant`` is the name printed as "Prepared by".
    """

    cycle: str = ""
    consultant: str | None = None
    logo_uri: str | None = None


@cache
def _environment() -> jinja2.Environment:
    import jinja2

    from workbook.paths import templates_dir

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir() / "report")),
        autoescape=True, trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined,
    )


def _joined(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def extract(nb: NotebookNode) -> RenderedNotebook:
    """Collect the report's HTML outputs, its record and its errors, in cell order."""
    from workbook.report.sections import RECORD_MIMETYPE

    blocks: list[str] = []
    errors: list[str] = []
    record: Mapping[str, Any] | None = None
    for cell in nb.cells:
        if cell.get("cell_type") != "code" or _SKIP_TAGS.intersection(cell.get("metadata", {}).get("tags", [])):
            continue
        for output in cell.get("outputs", []):
            kind = output.get("output_type")
            if kind == "error":
                errors.append(f"{output.get('ename', 'Error')}: {output.get('evalue', '')}".strip())
            elif kind in ("display_data", "execute_result"):
                data = output.get("data", {})
                if RECORD_MIMETYPE in data:
                    record = dict(data[RECORD_MIMETYPE])
                elif "text/html" in data:
                    blocks.append(_joined(data["text/html"]))
    return RenderedNotebook(tuple(blocks), record, tuple(errors))


def _day(moment: datetime) -> str:
    return f"{moment.day} {moment:%B %Y}"


def report_html(nb: NotebookNode, *, generated: datetime | None = None, cover: CoverPage | None = None) -> str:
    """The whole report as one HTML document (no code, no scripts, no outside requests).

    ``cover`` adds a first page of its own (logo, title, consultant); the title
    is the one the report's record gives for what it holds.
    """
    from workbook import __version__

    rendered = extract(nb)
    record = rendered.record or {}
    return _environment().get_template("report.html.j2").render(
        blocks=rendered.blocks, errors=rendered.errors, version=__version__,
        organisation_name=record.get("organisation_name") or record.get("organisation") or "Organisation",
        title=record.get("title") or "Values assessment report",
        cycle=(cover.cycle if cover else "") or record.get("cycle", ""), generated=_day(generated) if generated else "",
        cover=cover,
    )


def index_html(entries: Sequence[Mapping[str, Any]], *, updated: datetime | None = None) -> str:
    """``DIR/index.html``: one row per report with its date, status and files."""
    return _environment().get_template("index.html.j2").render(
        entries=entries, updated=f"{_day(updated)}, {updated:%H:%M} UTC" if updated else "",
    )


def html_to_pdf(html: str) -> bytes:
    """Lay the report out on A4 pages with WeasyPrint; nothing outside the HTML is fetched."""
    import weasyprint

    class Offline(weasyprint.URLFetcher):  # type: ignore[misc]
        """Refuses every URL but the cover's inline logo: a report that needs one is a bug, not something to fetch."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith(_INLINE_PICTURES):  # a data URI is decoded here, nothing is fetched
                return super().fetch(url, headers)
            raise ValueError(f"the report may not load {url[:60]!r}")

    from workbook.text import display_safe

    # WeasyPrint stops on U+2029 in text ("Got ' \u2029' between two lines"); a database
    # written before the text rule may hold one.
    document = weasyprint.HTML(string=display_safe(html), base_url=None, url_fetcher=Offline())
    pdf: bytes = document.write_pdf()
    return pdf

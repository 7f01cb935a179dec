"""The report's data tables as HTML: one builder for every section and the quarter-at-a-glance page.

A table's first column heads its row (``<th scope="row">``) so a screen reader
names the row with each cell; ``numeric`` columns are right-aligned by the
report's CSS (``class="num"``).  Cells are text and escaped; a cell that is
already :class:`~workbook.html.Markup` is kept.
"""

from __future__ import annotations

from collections.abc import Sequence

from workbook.html import Markup, html, join

__all__ = ["table_html"]

_NUMERIC: Markup = Markup(' class="num"')


def table_html(headers: Sequence[object], rows: Sequence[Sequence[object]], *, caption: str = "",
               numeric: Sequence[int] = (), classes: str = "wb-table") -> Markup:
    """A table with a header row, one row per item and, when given, a caption."""
    def cls(i: int) -> Markup:
        return _NUMERIC if i in numeric else Markup()

    def cell(i: int, content: object) -> Markup:
        return html('<th scope="row">{}</th>', content) if i == 0 else html("<td{}>{}</td>", cls(i), content)

    head = join(html('<th scope="col"{}>{}</th>', cls(i), h) for i, h in enumerate(headers))
    body = join(html("<tr>{}</tr>", join(cell(i, c) for i, c in enumerate(row))) for row in rows)
    cap = html("<caption>{}</caption>", caption) if caption else Markup()
    return html('<table class="{}">{}<thead><tr>{}</tr></thead><tbody>{}</tbody></table>', classes, cap, head, body)

"""The report's statements-by-team heatmap as an HTML table, coloured cell by cell.

The report drew this heatmap as an SVG through vl-convert; with a hundred
labelled cells it was the costliest drawing of the whole report (about half a
second of a batch kernel's CPU per report, more than the six other charts
together).  A real ``<table>`` costs next to nothing, a screen reader reads it
cell by cell with its row and column headers (an SVG is one image with one
description), and it prints in WeasyPrint's PDF as it shows on screen.

The colours are those of :func:`workbook.charts.heatmap_chart` (the explore
notebook's interactive heatmap): :data:`workbook.charts.SCORE_COLOURS` from
low through middle to high, light enough for the dark text on every cell; a
hidden cell is plain grey with a dash, so a reader sees that something was
withheld, never what.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from workbook.charts import HIDDEN_FILL, SCORE_COLOURS
from workbook.html import Markup, html, join
from workbook.text import display_safe

__all__ = ["HeatCell", "heatmap_table", "score_colour"]


@dataclass(frozen=True, slots=True)
class HeatCell:
    """One shown cell: ``score`` (after flipping) sets its colour, ``text`` is what it prints."""

    score: float
    text: str


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def score_colour(score: float, scale: tuple[int, int]) -> str:
    """The cell colour of ``score``: linear from low to middle to high :data:`SCORE_COLOURS`, clamped."""
    lo, hi = scale
    low, middle, high = (_rgb(c) for c in SCORE_COLOURS)
    mid = (lo + hi) / 2
    at = min(max(float(score), lo), hi)
    start, end, share = (low, middle, (at - lo) / (mid - lo)) if at <= mid else (middle, high, (at - mid) / (hi - mid))
    mixed = (round(a + (b - a) * share) for a, b in zip(start, end, strict=True))
    return "#" + "".join(f"{part:02X}" for part in mixed)


def _key(scale: tuple[int, int], title: str) -> Markup:
    """The colour key (what the chart's legend said): one swatch per whole point of the scale."""
    lo, hi = scale
    swatches = join(html('<li><span class="wb-swatch" style="background-color: {}"></span>{}</li>',
                         score_colour(k, scale), k) for k in range(lo, hi + 1))
    hidden = html('<li><span class="wb-swatch" style="background-color: {}"></span>hidden</li>', HIDDEN_FILL)
    return html('<div class="wb-heat-key"><span>{}</span><ul>{}{}</ul></div>', display_safe(title), swatches, hidden)


def heatmap_table(
    cells: Mapping[tuple[str, str], HeatCell | None], *, caption: str, rows: Sequence[str],
    groups: Sequence[str], scale: tuple[int, int], key_title: str, row_title: str = "Statement",
) -> Markup:
    """Rows (statements) by groups (teams) as a table, each shown cell coloured by its score.

    ``cells`` maps ``(row, group)`` to its :class:`HeatCell`, or to ``None``
    (or nothing) for a hidden cell, drawn grey with a dash that a screen reader
    announces as "hidden".  The table sits in a region that scrolls sideways on
    a narrow screen (focusable, so a keyboard can scroll it too); the key below
    gives the colour of each whole point of the scale.
    """
    def cell(row: str, group: str) -> Markup:
        found = cells.get((row, group))
        if found is None or math.isnan(found.score):
            return Markup('<td class="num wb-heat-hidden"><span aria-hidden="true">–</span>'
                          '<span class="wb-sr-only">hidden</span></td>')
        return html('<td class="num" style="background-color: {}">{}</td>', score_colour(found.score, scale),
                    display_safe(found.text))

    head = join([html('<th scope="col">{}</th>', display_safe(row_title)),
                 *(html('<th scope="col" class="num">{}</th>', display_safe(g)) for g in groups)])
    body = join(html('<tr><th scope="row">{}</th>{}</tr>', display_safe(row), join(cell(row, g) for g in groups))
                for row in rows)
    table = html('<table class="wb-table wb-long wb-heatmap"><caption>{}</caption>'
                 "<thead><tr>{}</tr></thead><tbody>{}</tbody></table>", display_safe(caption), head, body)
    return html('<div class="wb-heat-scroll" role="region" aria-label="{}" tabindex="0">{}</div>{}',
                display_safe(caption), table, _key(scale, key_title))

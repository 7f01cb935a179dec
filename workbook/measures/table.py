"""The scorecard as rows of text, for ``workbook measures list`` (and any plain-text view)."""

from __future__ import annotations

from workbook.measures.scorecard import Scorecard

__all__ = ["scorecard_table"]


def scorecard_table(card: Scorecard, *, show_all: bool = False) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    """Header and rows: measure id, unit, one column per cycle, the newest change and its direction.

    Measures with no value anywhere are left out unless ``show_all``, so a
    scorecard started with three measures is not drowned in fifteen empty rows.
    """
    header = ("MEASURE", "UNIT", *card.cycles, "CHANGE", "")
    rows: list[tuple[str, ...]] = []
    for line in card.lines if show_all else card.with_values():
        cells = tuple("-" if p.value is None else line.measure.show(p.value).removesuffix(f" {line.measure.unit}")
                      for p in line.points)
        latest = line.latest
        change = line.show_change(latest) if latest is not None else ""
        verdict = "worse" if latest is not None and latest.wrong_way else ""
        rows.append((line.measure.id, line.measure.unit, *cells, change, verdict))
    return header, rows

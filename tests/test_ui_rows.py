"""``sync_rows``: the one place the workshop's action plan and recovery playbook reload their lists."""

from __future__ import annotations

from dataclasses import dataclass

import ipywidgets as widgets

from workbook.apps.ui import sync_rows


@dataclass(frozen=True)
class Record:
    id: int
    text: str


class TextRow:
    made = 0

    def __init__(self, record: Record) -> None:
        TextRow.made += 1
        self.widget = widgets.Text(record.text)
        self.closed = False

    def set_saved(self, record: Record) -> None:
        self.widget.value = record.text

    def close(self) -> None:
        self.closed = True
        self.widget.close()


def test_rows_are_updated_in_place_added_in_order_and_closed_when_gone() -> None:
    box = widgets.VBox([])
    rows = sync_rows({}, [Record(1, "a"), Record(2, "b")], TextRow, box)
    first, second = rows[1], rows[2]
    made = TextRow.made

    rows = sync_rows(rows, [Record(3, "c"), Record(1, "a, edited by the other facilitator")], TextRow, box)

    assert list(rows) == [3, 1]
    assert rows[1] is first and first.widget.value == "a, edited by the other facilitator"
    assert TextRow.made == made + 1
    assert second.closed and not first.closed
    assert box.children == (rows[3].widget, first.widget)


def test_an_empty_list_closes_every_row_and_empties_the_box() -> None:
    box = widgets.VBox([])
    rows = sync_rows({}, [Record(1, "a")], TextRow, box)
    only = rows[1]
    assert sync_rows(rows, [], TextRow, box) == {}
    assert only.closed and box.children == ()

"""How many widget messages the values app sends: every one passes through the server under load.

Profiled with 100 respondents on 2 cores (issue #12), a page turn sent about
150 messages (a widget, a layout and a style model opened for every part of
every statement card, then a class added to each), three times all the saves
made on that page; the server relays each one, and answers being saved wait
behind them.  These tests count the messages a page turn and a save send,
from the kernel's side, so a change that makes them grow again is seen.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import comm
import pytest
from comm.base_comm import BaseComm
from test_values_app import click, make_app

from workbook.framework import Framework
from workbook.people_csv import PersonRow
from workbook.store import Store, open_store

sent: Counter[str] = Counter()


class CountingComm(BaseComm):
    """A widget's comm that counts what it would send to the page."""

    def publish_msg(self, msg_type: str, data: Any = None, metadata: Any = None, buffers: Any = None,
                    **keys: Any) -> None:
        method = (data or {}).get("method", "") if msg_type == "comm_msg" else ""
        sent[f"{msg_type}:{method}" if method else msg_type] += 1


@pytest.fixture
def counting(monkeypatch: pytest.MonkeyPatch) -> Iterator[Counter[str]]:
    monkeypatch.setattr(comm, "create_comm", lambda *args, **kwargs: CountingComm(*args, **kwargs))
    sent.clear()
    yield sent


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with open_store(str(tmp_path / "app.db")) as opened:
        opened.organisations.create("Harbour & Vine Hotels", "hv", threshold=3)
        opened.people.import_rows("hv", [PersonRow("Ben Staff", "ben@example.org", "staff", "Front Desk")])
        yield opened


def test_a_page_turn_sends_few_messages(store: Store, framework: Framework, counting: Counter[str]) -> None:
    app = make_app(store, framework)
    click(app, "Start")
    counting.clear()
    click(app, "Next")  # the second value's page: its statement cards are made now
    cards = len(framework.values[1].statements)
    total = sum(counting.values())
    assert total <= 9 * cards + 10, (cards, dict(counting))  # was 160 for 7 cards


def test_a_save_sends_one_update_per_changed_part(store: Store, framework: Framework,
                                                   counting: Counter[str]) -> None:
    app = make_app(store, framework)
    click(app, "Start")
    first, second = framework.values[0].statements[:2]
    app.inputs[first.id].choice.value = 4  # the kernel's own change: the page would have sent it
    counting.clear()
    app.inputs[second.id].choice.value = 3
    # the choice itself (set here on the kernel's side; from the page it is the echo of what
    # the page sent), "Saved ✓" on the card, the progress bar and its words; the time of the
    # last save changes at most once a minute
    assert counting["comm_msg:update"] <= 4, dict(counting)
    assert counting["comm_open"] == 0

"""Load ``workbook serve`` the way respondents do, then check nothing was lost (issue #12 part 1).

A protocol-level asyncio client (tornado's HTTP and websocket clients: no browser),
so a 2-core machine can play many respondents at once.  Each simulated respondent
does what the page script (``frontend/src/main.js``) does for a person:

* GETs their invite link (from a loopback address of its own, 127.0.0.2 onwards,
  so the server's per-address page limit sees separate clients), keeps the page's
  cookies and connects the kernel websocket with them and this site's ``Origin``,
  in the binary protocol Voila's page asks for (``v1.kernel.websocket.jupyter.org``);
* asks the kernel for every widget's state (the ipywidgets control comm) and
  reads the screen from the widget tree: welcome, a value's page, review, results;
* answers each statement every 2-5 s (``--think``) by sending the radio buttons'
  ``index`` as the page does, some with a comment typed first, some changed later;
  clicks Next, Review and submit, Submit my answers and Yes, submit;
* now and then reloads the page, or closes it and comes back with a new kernel,
  and checks the page shows every answer it was told was saved;
* after submitting, sometimes sends one more answer (a stale tab): it must change nothing.

Save latency is from sending the value to the statement's "Saved ✓" arriving (for
a changed answer, whose status already said "Saved ✓", to the kernel going idle
after it with "Saved ✓" still shown).  Afterwards the database is compared with
what every respondent was told: every acknowledged answer present with its value,
no person with two submissions, no answer changed after its submission.

    .venv/bin/python benchmarks/load.py --respondents 20 --minutes 2
    .venv/bin/python benchmarks/load.py --respondents 50 --minutes 3 --pg
    .venv/bin/python benchmarks/load.py --respondents 20 --db postgresql://user@host/db
    .venv/bin/python benchmarks/load.py --submit-burst 50 --burst-seconds 30   # package level

The respondents arrive one after another over ``--ramp`` seconds (a new page
needs a kernel, and starting kernels is what a 2-core machine does slowest), then
``--minutes`` more; each slot whose respondent submitted takes the next person.
Latency is printed for the whole run and for the saves sent once everyone had
arrived; page openings (GET to the widgets' states) are printed too.

``--submit-burst RATE`` measures submits alone at the package level instead:
RATE x ``--burst-seconds`` people who have answered everything submit at evenly
spaced moments from 10 processes of 10 threads (each thread a kernel's own store
connection, through the apps' own retrying ``with_retries``); latency is from the
scheduled moment to the acknowledgement.  Through the server this would need one
kernel per person submitting (1,500 for 50 a second over 30 s), and one machine
holds about a hundred.

The default database is a throw-away SQLite file with a generated organisation
(``--people``, by default four people for every respondent slot, so a slot whose
respondent submitted takes the next person); with ``--db postgresql://...`` the
organisation is made there; ``--pg`` starts a throw-away PostgreSQL of its own
(``tests/pgserver.py``, with its durability settings turned back on).  Timings
depend on what else the machine runs: the load average is printed beside them.
Exit status 1 when anything was lost, submitted twice or changed after submitting.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import contextlib
import json
import math
import os
import random
import re
import secrets
import statistics
import struct
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))
sys.path.insert(0, str(ROOT / "tests"))

from harness import VoilaServer  # noqa: E402

NOTEBOOK = "values_assessment.ipynb"
SAVED = "Saved ✓"
NOT_SAVED = "Not saved"
DONT_KNOW_INDEX = -1  # the last option: "don't know"
#: The server's "getting your page ready" page (it reloads itself after the given seconds), and its cookie.
WAITING_PAGE = re.compile(r'<meta name="workbook-waiting" content="(\d+)">')
WAITING_COOKIE = "wb_waiting"
#: How long one kernel request may take before the respondent gives up on it.
REPLY_TIMEOUT = 90.0


# --- the organisation --------------------------------------------------------------
@dataclass(frozen=True)
class Person:
    person_id: int
    token: str


@dataclass(frozen=True)
class Organisation:
    org_id: str
    cycle_id: int
    people: tuple[Person, ...]


def make_organisation(db_url: str, people: int) -> Organisation:
    """A new organisation of ``people`` people (ids and tokens) in the database at ``db_url``."""
    from workbook.people_csv import PersonRow
    from workbook.store import open_store

    org_id = f"load-{secrets.token_hex(4)}"
    rows = [PersonRow(name=f"Person {n:05d}", email=f"person{n:05d}@example.org",
                      role="leader" if n % 10 == 0 else "staff", team=f"Team {n % 8}")
            for n in range(people)]
    with open_store(db_url) as store:
        store.organisations.create(f"Load test {org_id}", org_id, threshold=3)
        store.people.import_rows(org_id, rows)
        cycle = store.responses.cycle(org_id).id
        invites = store.people.invites(org_id)
    by_email = {i.person.email: i for i in invites}
    return Organisation(org_id, cycle, tuple(Person(by_email[r.email].person.id, by_email[r.email].token)
                                             for r in rows))


# --- what each respondent was told ---------------------------------------------------
@dataclass
class Answer:
    index: int  # radio option index sent (DONT_KNOW_INDEX for "don't know")
    comment: str


@dataclass
class Told:
    """What one respondent was acknowledged, for the check against the database."""

    person: Person
    answers: dict[str, Answer] = field(default_factory=dict)
    uncertain: dict[str, list[Answer]] = field(default_factory=dict)  # sent, never answered either way
    submitted: bool = False
    tampered: bool = False  # sent an answer after submitting


@dataclass
class Stats:
    latencies: list[float] = field(default_factory=list)
    failed_saves: int = 0
    no_reply: int = 0
    page_refusals: dict[int, int] = field(default_factory=dict)
    reloads: int = 0
    reopened: int = 0
    resume_mismatches: int = 0
    submits: int = 0
    errors: list[str] = field(default_factory=list)
    sessions: int = 0
    openings: list[float] = field(default_factory=list)  # seconds from the GET to the widgets' states
    #: per opening, seconds from the first GET to: the page complete, the websocket open, the widgets' states
    opening_phases: list[tuple[float, float, float]] = field(default_factory=list)
    waiting_pages: int = 0  # "getting your page ready" pages shown (each one is followed by a reload)
    sent_at: list[float] = field(default_factory=list)  # when each acknowledged save was sent (monotonic)
    all_arrived: float = 0.0  # when the last respondent slot opened its first page
    page_failures: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # where evidence of a problem was kept
    browsers: Any = None  # load_browsers.BrowserStats with --browsers
    #: how late the client's own event loop woke for a 50 ms timer, in seconds: a client too busy
    #: to read its websockets in time inflates every latency above, so the report says so
    loop_lag: list[float] = field(default_factory=list)
    client_cpu: float = 0.0  # CPU seconds of this client process over the run (all its threads)


# --- the kernel websocket --------------------------------------------------------------
#: The kernel websocket protocol the real page speaks (JupyterLab's services in Voila's page
#: offer it and jupyter_server picks it): each message one binary frame of raw parts, which
#: the server passes on without unpacking them.  Without it the server unpacks and re-packs
#: every message as JSON, work no browser asks of it.
WS_PROTOCOL = "v1.kernel.websocket.jupyter.org"


def _encode_v1(message: dict[str, Any], channel: str) -> bytes:
    """``message`` as one frame of the v1 protocol (jupyter_server's own serializer)."""
    from jupyter_server.services.kernels.connection.base import serialize_msg_to_ws_v1

    parts = [json.dumps(message[key]).encode() for key in ("header", "parent_header", "metadata", "content")]
    frame: bytes = serialize_msg_to_ws_v1(parts, channel)
    return frame


def _decode_v1(frame: bytes) -> dict[str, Any]:
    """A kernel message from a frame of the v1 protocol: channel, then header, parent, metadata, content."""
    from jupyter_server.services.kernels.connection.base import deserialize_msg_from_ws_v1

    channel, parts = deserialize_msg_from_ws_v1(frame)
    header, parent, metadata, content = (json.loads(part) for part in parts[:4])
    return {"channel": channel, "header": header, "parent_header": parent, "metadata": metadata,
            "content": content, "buffers": parts[4:]}


def _decode(frame: str | bytes) -> dict[str, Any]:
    """A kernel message from a text frame, or from a binary one (JSON first, then buffers)."""
    if isinstance(frame, str):
        message: dict[str, Any] = json.loads(frame)
        return message
    count = struct.unpack("!i", frame[:4])[0]
    offsets = [*struct.unpack("!" + "I" * count, frame[4:4 * (count + 1)]), None]
    message = json.loads(frame[offsets[0]:offsets[1]])
    return message


class PageFailed(RuntimeError):
    """The page came without a working app: a person reloads it."""


class Page:
    """One open page of a respondent: its cookies, its kernel websocket and the widget models."""

    def __init__(self, base_url: str, token: str, source: str, cookies: dict[str, str]) -> None:
        self.base_url, self.token, self.source = base_url, token, source
        self.session = uuid.uuid4().hex
        self.models: dict[str, dict[str, Any]] = {}
        self.changed_at: dict[str, float] = {}
        self.roots: list[str] = []
        self.kernel_id = ""
        self.cookies = cookies  # the respondent's browser keeps them between pages
        self._idle: dict[str, asyncio.Future[float]] = {}
        self._control: asyncio.Future[None] | None = None
        self._control_id = ""
        self._ws: Any = None
        self._v1 = False  # the kernel websocket speaks WS_PROTOCOL (as the real page's does)
        self._reader: asyncio.Task[None] | None = None
        self.phases = (0.0, 0.0, 0.0)
        #: what the kernel or the server wrote to the page (stream and error messages): an app prints
        #: nothing, so anything here explains a screen that did not change as expected
        self.printed: list[str] = []

    async def open(self, stats: Stats) -> None:
        """GET the link (waiting politely when the server says busy) and connect its kernel."""
        from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest
        from tornado.websocket import websocket_connect

        began = time.monotonic()
        client = AsyncHTTPClient()
        url = f"{self.base_url}/voila/render/{NOTEBOOK}?{urlencode({'token': self.token})}"
        for _attempt in range(120):
            cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items() if k in ("_xsrf", WAITING_COOKIE) and v)
            sent = {"Cookie": cookie} if cookie else {}  # _xsrf: path "/"; the waiting page's: this path
            reply = await client.fetch(HTTPRequest(url, headers=sent, network_interface=self.source,
                                                   request_timeout=300, follow_redirects=False), raise_error=False)
            if reply.code == 200:
                waiting = WAITING_PAGE.search(reply.body.decode("utf-8", "replace"))
                if waiting is None:
                    break
                # "Getting your page ready": its cookies, then its reload, as a browser does
                stats.waiting_pages += 1
                self._keep_cookies(reply)
                await asyncio.sleep(float(waiting.group(1)))
                continue
            stats.page_refusals[reply.code] = stats.page_refusals.get(reply.code, 0) + 1
            await asyncio.sleep(5 + random.random() * 5)  # "try again in a minute", sooner
        else:
            raise RuntimeError(f"the page kept answering HTTP {reply.code}")
        self._keep_cookies(reply)  # first: a broken page is closed with them
        html = reply.body.decode("utf-8", "replace")
        found = re.search(r'"kernelId": "([0-9a-f-]{36})"', html)
        if not found:
            raise RuntimeError("no kernel id in the page")
        self.kernel_id = found.group(1)
        self.roots = re.findall(r'"model_id":\s*"([0-9a-f]{32})"', html)
        if not self.roots:
            kept = Path(tempfile.gettempdir()) / "workbook-load-page-without-widgets.html"
            kept.write_text(html, encoding="utf-8")
            raise PageFailed(f"a page without widgets (kept in {kept})")
        got_page = time.monotonic()
        ws_url = (self.base_url.replace("http", "ws", 1)
                  + f"/api/kernels/{self.kernel_id}/channels?session_id={self.session}")
        headers = {"Origin": self.base_url, "Cookie": f"wb_page={self.cookies.get('wb_page', '')}"}
        try:
            self._ws = await websocket_connect(HTTPRequest(ws_url, headers=headers, network_interface=self.source,
                                                           request_timeout=120), max_message_size=64 * 2**20,
                                                subprotocols=[WS_PROTOCOL])
        except HTTPClientError as error:  # the page's script says the connection failed: a person reloads
            raise PageFailed(f"the kernel websocket was refused: HTTP {error.code}") from error
        self._v1 = self._ws.selected_subprotocol == WS_PROTOCOL
        connected = time.monotonic()
        self._reader = asyncio.ensure_future(self._read())
        await self._load_states()
        self.phases = (got_page - began, connected - began, time.monotonic() - began)
        if not any(root in self.models for root in self.roots):
            raise PageFailed(f"the kernel does not know the page's widgets ({len(self.models)} models)")

    def _keep_cookies(self, reply: Any) -> None:
        for line in reply.headers.get_list("Set-Cookie"):
            name, _, rest = line.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]

    async def close(self, *, tab_closed: bool) -> None:
        """Drop the websocket; ``tab_closed`` also says so to the server, as the page's unload does."""
        if self._ws is not None:
            self._ws.close()
            self._ws = None
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader
        for waiting in self._idle.values():
            if not waiting.done():
                waiting.cancel()
        if tab_closed and self.kernel_id:
            from tornado.httpclient import AsyncHTTPClient, HTTPRequest

            cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items() if k in ("wb_page_close", "_xsrf"))
            # A browser does not wait for its unload request; a server too busy to answer it in time
            # (the 100-respondent run on a loaded machine) frees the kernel later by its disconnect timer.
            with contextlib.suppress(Exception):
                await AsyncHTTPClient().fetch(HTTPRequest(
                    f"{self.base_url}/voila/api/shutdown/{self.kernel_id}", method="POST", body=b"",
                    headers={"Origin": self.base_url, "Cookie": cookie,
                             "X-XSRFToken": self.cookies.get("_xsrf", "")},
                    network_interface=self.source, request_timeout=120), raise_error=False)

    # --- messages ----------------------------------------------------------------
    def _send(self, msg_type: str, content: dict[str, Any], metadata: dict[str, Any] | None = None) -> str:
        msg_id = uuid.uuid4().hex
        message = {
            "header": {"msg_id": msg_id, "msg_type": msg_type, "username": "", "session": self.session,
                       "date": "", "version": "5.3"},
            "parent_header": {}, "metadata": metadata or {}, "content": content,
        }
        if self._v1:
            self._ws.write_message(_encode_v1(message, "shell"), binary=True)
        else:
            self._ws.write_message(json.dumps({**message, "channel": "shell", "buffers": []}))
        return msg_id

    async def comm(self, comm_id: str, data: dict[str, Any]) -> tuple[float, float]:
        """Send a widget message; returns (sent at, kernel idle after it) on the monotonic clock."""
        waiting: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        sent = time.monotonic()
        msg_id = self._send("comm_msg", {"comm_id": comm_id, "data": data})
        self._idle[msg_id] = waiting
        try:
            idle = await asyncio.wait_for(waiting, REPLY_TIMEOUT)
        finally:
            self._idle.pop(msg_id, None)
        return sent, idle

    async def _load_states(self) -> None:
        self._control = asyncio.get_running_loop().create_future()
        self._control_id = uuid.uuid4().hex
        self._send("comm_open", {"comm_id": self._control_id, "target_name": "jupyter.widget.control", "data": {}},
                   {"version": "1.0.0"})
        self._send("comm_msg", {"comm_id": self._control_id, "data": {"method": "request_states"}})
        await asyncio.wait_for(self._control, REPLY_TIMEOUT)
        self._send("comm_close", {"comm_id": self._control_id, "data": {}})

    async def _read(self) -> None:
        while self._ws is not None:
            frame = await self._ws.read_message()
            if frame is None:
                break
            self._handle(_decode_v1(frame) if self._v1 else _decode(frame), time.monotonic())
        for waiting in self._idle.values():  # the connection closed: nobody will answer
            if not waiting.done():
                waiting.set_exception(ConnectionError("the kernel websocket closed"))

    def _handle(self, message: dict[str, Any], now: float) -> None:
        kind = message.get("header", {}).get("msg_type")
        content = message.get("content", {})
        if kind == "status" and content.get("execution_state") == "idle":
            waiting = self._idle.get(message.get("parent_header", {}).get("msg_id", ""))
            if waiting is not None and not waiting.done():
                waiting.set_result(now)
        elif kind == "comm_open" and content.get("target_name") == "jupyter.widget":
            self.models[content["comm_id"]] = dict(content.get("data", {}).get("state", {}))
            self.changed_at[content["comm_id"]] = now
        elif kind == "comm_msg":
            data = content.get("data", {})
            comm_id = content.get("comm_id")
            if comm_id == self._control_id and data.get("method") == "update_states":
                for model_id, model in data.get("states", {}).items():
                    self.models[model_id] = dict(model.get("state", {}))
                if self._control is not None and not self._control.done():
                    self._control.set_result(None)
            elif data.get("method") in ("update", "echo_update") and comm_id in self.models:
                self.models[comm_id].update(data.get("state", {}))
                self.changed_at[comm_id] = now
        elif kind == "comm_close":
            self.models.pop(content.get("comm_id"), None)
        elif kind in ("stream", "error"):
            self.printed.append(str(content.get("text") or content.get("evalue") or "")[:200])

    # --- the screen ----------------------------------------------------------------
    def visible(self) -> list[tuple[str, dict[str, Any]]]:
        """Every shown widget, depth first (``display: none`` hides a widget and what it holds)."""
        shown: list[tuple[str, dict[str, Any]]] = []

        def walk(model_id: str) -> None:
            state = self.models.get(model_id)
            if state is None:
                return
            layout = self.models.get(str(state.get("layout", "")).removeprefix("IPY_MODEL_"), {})
            if layout.get("display") == "none":
                return
            shown.append((model_id, state))
            for child in state.get("children", []):
                walk(str(child).removeprefix("IPY_MODEL_"))

        for root in self.roots:
            walk(root)
        return shown


# --- one respondent -------------------------------------------------------------------
@dataclass(frozen=True)
class Card:
    statement_id: str
    radio: str
    toggle: str | None  # None: a statement about the organisation takes no comment
    status: str
    comment: str | None


class Respondent:
    """Plays one person from opening the link to submitting (or until the run ends)."""

    def __init__(self, told: Told, base_url: str, source: str, config: Config, stats: Stats,
                 statements: list[str], options: int) -> None:
        self.told, self.base_url, self.source = told, base_url, source
        self.config, self.stats = config, stats
        self.statements, self.options = statements, options
        self.rng = random.Random(told.person.person_id)
        self.page: Page | None = None
        self.cookies: dict[str, str] = {}

    async def run(self, deadline: float) -> None:
        self.stats.sessions += 1
        try:
            await self._open()
            while time.monotonic() < deadline and not await self._step(deadline):
                pass
        except Exception as error:  # one respondent's failure is counted and never ends the run
            self.stats.errors.append(f"person {self.told.person.person_id}: {type(error).__name__}: {error}")
        finally:
            if self.page is not None:
                await self.page.close(tab_closed=True)

    async def _open(self) -> None:
        """Open the link until the app is there (a person reloads a broken page, three times at most)."""
        for attempt in range(3):
            began = time.monotonic()
            self.page = Page(self.base_url, self.told.person.token, self.source, self.cookies)
            try:
                await self.page.open(self.stats)
            except PageFailed as error:
                # A reload would get the same page (one link, one kernel): close the tab and come back.
                self.stats.page_failures.append(str(error))
                await self.page.close(tab_closed=True)
                if attempt == 2:
                    raise
                await asyncio.sleep(5)
                continue
            self.stats.openings.append(time.monotonic() - began)
            self.stats.opening_phases.append(self.page.phases)
            self._check_resumed()
            return

    async def _reopen(self) -> None:
        """Reload (same kernel), or close the tab and come back later (a new kernel)."""
        assert self.page is not None
        tab_closed = self.rng.random() < 0.5
        await self.page.close(tab_closed=tab_closed)
        if tab_closed:
            self.stats.reopened += 1
            await asyncio.sleep(4)  # past the server's grace for a closed tab: the kernel goes
        else:
            self.stats.reloads += 1
        await self._open()

    def _check_resumed(self) -> None:
        """Every acknowledged answer on the page just opened shows the value saved."""
        for card in self._cards():
            told = self.told.answers.get(card.statement_id)
            if told is None or card.statement_id in self.told.uncertain:
                continue
            shown = self._state(card.radio).get("index")
            if shown != self._index(told.index):
                self.stats.resume_mismatches += 1

    def _index(self, index: int) -> int:
        return self.options - 1 if index == DONT_KNOW_INDEX else index

    def _state(self, model_id: str) -> dict[str, Any]:
        assert self.page is not None
        return self.page.models.get(model_id, {})

    def _cards(self) -> list[Card]:
        assert self.page is not None
        cards = []
        for _model_id, state in self.page.visible():
            if "wb-statement" not in state.get("_dom_classes", ()):
                continue
            children = [str(c).removeprefix("IPY_MODEL_") for c in state["children"]]
            toggle: str | None
            comment: str | None
            if len(children) == 3:  # about the organisation: text, choice, status (no comment box)
                _text, radio, status = children
                toggle = comment = None
            else:
                _text, radio, buttons, comment = children
                toggle, status = (str(c).removeprefix("IPY_MODEL_") for c in self._state(buttons)["children"])
            number = int(str(self._state(radio).get("description", "")).rsplit(" ", 1)[-1])
            cards.append(Card(self.statements[number - 1], radio, toggle, status, comment))
        return cards

    def _button(self, *labels: str) -> str | None:
        assert self.page is not None
        for model_id, state in self.page.visible():
            if state.get("_model_name") == "ButtonModel" and not state.get("disabled") and (
                    any(str(state.get("description", "")).startswith(label) for label in labels)):
                return model_id
        return None

    def _texts(self) -> str:
        assert self.page is not None
        shown = self.page.visible()
        return "\n".join(str(s.get("value", "")) for _i, s in shown if s.get("_model_name") == "HTMLModel")

    async def _click(self, model_id: str) -> None:
        assert self.page is not None
        await self.page.comm(model_id, {"method": "custom", "content": {"event": "click"}})

    async def _think(self, deadline: float) -> None:
        low, high = self.config.think
        await asyncio.sleep(min(self.rng.uniform(low, high), max(0.0, deadline - time.monotonic())))

    async def _step(self, deadline: float) -> bool:
        """Do the next thing on the screen; True once there is nothing more to do."""
        texts = self._texts()
        if "<h1>Your results</h1>" in texts or "has closed" in texts:
            return True
        cards = self._cards()
        if cards:
            for card in cards:
                if self._state(card.radio).get("index") is None:
                    await self._think(deadline)
                    if time.monotonic() >= deadline:
                        return True
                    await self._answer(card, self._pick())
                    if self.rng.random() < self.config.reload_rate:
                        await self._reopen()
                    return False
            if self.rng.random() < self.config.change_rate:  # a second thought on this page
                card = self.rng.choice(cards)
                # A different answer: a browser sends nothing for a click on the option already chosen,
                # and a reopened page shows saved answers without "Saved ✓" (only new saves say so).
                pick = self._pick()
                while self._index(pick) == self._state(card.radio).get("index"):
                    pick = self._pick()
                await self._think(deadline)
                await self._answer(card, pick, comment=False)
            button = self._button("Next", "Review and submit")
            if button is None:
                raise RuntimeError("a value page without Next")
            await self._click(button)
            return False
        button = self._button("Yes, submit")
        if button is not None:
            await self._submit(button)
            return True
        button = self._button("Submit my answers", "Answer ", "Continue where you left off", "Start")
        if button is None:
            raise RuntimeError(f"no way forward on this screen: {texts[:200]!r}")
        await self._think(deadline)
        await self._click(button)
        return False

    def _pick(self) -> int:
        index = self.rng.randrange(self.options)
        return DONT_KNOW_INDEX if index == self.options - 1 else index

    async def _answer(self, card: Card, index: int, *, comment: bool = True) -> None:
        assert self.page is not None
        typed = self.told.answers.get(card.statement_id, Answer(0, "")).comment
        if comment and card.toggle is not None and card.comment is not None and (
                self.rng.random() < self.config.comment_rate):
            await self._click(card.toggle)
            typed = f"Load test: an example for {card.statement_id} from person {self.told.person.person_id}."
            await self.page.comm(card.comment, {"method": "update", "state": {"value": typed}, "buffer_paths": []})
        answer = Answer(index, typed)
        try:
            sent, idle = await self.page.comm(card.radio, {"method": "update",
                                                           "state": {"index": self._index(index)},
                                                           "buffer_paths": []})
        except (TimeoutError, ConnectionError):
            self.stats.no_reply += 1
            self.told.uncertain.setdefault(card.statement_id, []).append(answer)
            raise
        status = str(self._state(card.status).get("value", ""))
        if SAVED in status:
            changed = self.page.changed_at.get(card.status, 0.0)
            self.stats.latencies.append((changed if changed > sent else idle) - sent)
            self.stats.sent_at.append(sent)
            self.told.answers[card.statement_id] = answer
            self.told.uncertain.pop(card.statement_id, None)
        elif NOT_SAVED in status:
            self.stats.failed_saves += 1
            self.told.uncertain.setdefault(card.statement_id, []).append(answer)
        else:
            self.stats.errors.append(f"person {self.told.person.person_id}: after an answer the status said "
                                     f"{status[:80]!r}; the page was sent {self.page.printed[-3:]!r}")

    async def _submit(self, button: str) -> None:
        assert self.page is not None
        if self.rng.random() < self.config.double_submit_rate:  # a double click
            first = asyncio.ensure_future(self._click(button))
            try:
                await self._click(button)
            finally:  # the first click's outcome is read even when the second one failed
                await asyncio.gather(first, return_exceptions=True)
        else:
            await self._click(button)
        if "<h1>Your results</h1>" not in self._texts():
            self.stats.errors.append(f"person {self.told.person.person_id}: no results after submitting")
            return
        self.told.submitted = True
        self.stats.submits += 1
        if self.rng.random() < self.config.tamper_rate:  # a stale tab sends one more answer
            radio = next((model_id for model_id, state in self.page.models.items()
                          if state.get("_model_name") == "RadioButtonsModel"), None)
            if radio is not None:
                self.told.tampered = True
                with contextlib.suppress(TimeoutError, ConnectionError):
                    index = self._state(radio).get("index") or 0
                    await self.page.comm(radio, {"method": "update", "state": {"index": (index + 1) % self.options},
                                                 "buffer_paths": []})


# --- the run ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Config:
    respondents: int
    seconds: float
    think: tuple[float, float] = (2.0, 5.0)
    ramp: float = 30.0
    comment_rate: float = 0.2
    change_rate: float = 0.3
    reload_rate: float = 0.03
    double_submit_rate: float = 0.2
    tamper_rate: float = 0.3
    keep_log: Path | None = None  # where to copy the server's log after the run
    browsers: int = 0  # real Chromium pages alongside the protocol client


async def drive(base_url: str, org: Organisation, config: Config,
                respondent: type[Respondent] | None = None) -> tuple[Stats, list[Told], float]:
    """Keep ``config.respondents`` people answering until the time is up; returns what they were told.

    ``respondent``: a subclass of :class:`Respondent` that checks more (the fault scripts).
    """
    player = respondent or Respondent
    from tornado.httpclient import AsyncHTTPClient

    from workbook.framework import load_framework

    AsyncHTTPClient.configure(None, max_clients=max(64, 4 * config.respondents))
    framework = load_framework()
    statements = [s.id for s in framework.statements]
    options = len(framework.scale.points) + 1
    stats, told = Stats(), [Told(p) for p in org.people]
    queue = iter(told)
    began = time.monotonic()
    deadline = began + config.ramp + config.seconds
    stats.all_arrived = began + config.ramp

    async def slot(number: int) -> None:
        await asyncio.sleep(config.ramp * number / max(1, config.respondents))
        source = f"127.0.0.{2 + number % 250}"
        for person in queue:
            if time.monotonic() >= deadline:
                return
            await player(person, base_url, source, config, stats, statements, options).run(deadline)

    players = [slot(n) for n in range(config.respondents)]
    if config.browsers:  # real Chromium pages alongside, their people from the same queue
        from load_browsers import BrowserStats, run_browsers

        stats.browsers = BrowserStats()  # filled as they go: what a page was told counts even if cut short
        players.append(run_browsers(stats.browsers, config.browsers, base_url, NOTEBOOK, queue, statements, options,
                                    deadline, config.think, DONT_KNOW_INDEX, config.ramp))
    try:  # what is still waiting a minute after the end (a page opening on a starved machine) is dropped
        await asyncio.wait_for(asyncio.gather(*players), config.ramp + config.seconds + 60)
    except TimeoutError:
        stats.errors.append("some respondents were still waiting for the server a minute after the end")
    return stats, [t for t in told if t.answers or t.uncertain or t.submitted], time.monotonic() - began


# --- the check ---------------------------------------------------------------------------
@dataclass
class Check:
    answers: int = 0
    lost: int = 0
    duplicate_submissions: int = 0
    lost_submissions: int = 0
    changed_after_submit: int = 0
    problems: list[str] = field(default_factory=list)


def check_database(db_url: str, org: Organisation, told: list[Told], options: list[int | None]) -> Check:
    """Compare the database with what every respondent was acknowledged."""
    from sqlalchemy import func, select

    from workbook.store.engine import make_engine, resolve_url
    from workbook.store.tables import Answer as AnswerRow
    from workbook.store.tables import Submission

    check = Check()
    engine = make_engine(resolve_url(db_url))
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                select(AnswerRow.person_id, AnswerRow.statement_id, AnswerRow.rating, AnswerRow.dont_know,
                       AnswerRow.comment, AnswerRow.updated_at).where(AnswerRow.cycle_id == org.cycle_id)).all()
            submissions = connection.execute(
                select(Submission.person_id, func.count(), func.max(Submission.submitted_at),
                       func.max(Submission.status))
                .where(Submission.cycle_id == org.cycle_id).group_by(Submission.person_id)).all()
    finally:
        engine.dispose()
    stored = {(r.person_id, r.statement_id): r for r in rows}
    by_person: dict[int, list[Any]] = {}
    for r in rows:
        by_person.setdefault(r.person_id, []).append(r)
    subs = {person: (count, submitted_at, status) for person, count, submitted_at, status in submissions}

    def matches(row: Any, answer: Answer) -> bool:
        rating = options[answer.index]
        return (row.rating == rating and bool(row.dont_know) == (rating is None)
                and (row.comment or "") == answer.comment.strip())

    for person in told:
        pid = person.person.person_id
        for statement_id, answer in person.answers.items():
            check.answers += 1
            row = stored.get((pid, statement_id))
            candidates = [answer, *person.uncertain.get(statement_id, [])]
            if row is None or not any(matches(row, a) for a in candidates):
                check.lost += 1
                check.problems.append(f"person {pid}, {statement_id}: acknowledged {answer}, stored "
                                      f"{None if row is None else (row.rating, row.dont_know, row.comment)}")
        count, submitted_at, status = subs.get(pid, (0, None, None))
        if count > 1:
            check.duplicate_submissions += count - 1
        if person.submitted and status != "submitted":
            check.lost_submissions += 1
            check.problems.append(f"person {pid}: submission acknowledged, stored as {status}")
        if status == "submitted" and submitted_at is not None:
            late = [r for r in by_person.get(pid, []) if r.updated_at > submitted_at]
            check.changed_after_submit += len(late)
    return check


# --- measuring the server -------------------------------------------------------------------
#: The server's own helper processes, told apart from kernels by their command lines.
HELPERS = {"workbook.serve.zygote": "kernel zygote", "workbook.serve.chart_renderer": "chart renderer"}


def helper_name(process: Any) -> str | None:
    """"kernel zygote" or "chart renderer" for those processes, ``None`` for a kernel."""
    try:
        command = " ".join(process.cmdline())
    except Exception:  # gone meanwhile
        return None
    if "ipykernel" in command:  # a plain kernel's command line names its launcher
        return None
    return next((name for marker, name in HELPERS.items() if marker in command), None)


class ServerMeter(threading.Thread):
    """Samples the CPU time of the server, of every kernel it started and of its helpers, once a second.

    A forked kernel keeps the zygote's command line, so the zygote is the
    server's direct child of that name, not every process showing it.
    """

    def __init__(self, server: VoilaServer) -> None:
        super().__init__(daemon=True)
        import psutil

        self.server = psutil.Process(server.process.pid)
        self.started = time.monotonic()
        self.server_cpu0 = self._cpu(self.server)
        self.kernel_cpu: dict[int, float] = {}
        self.kernel_cpu0 = {p.pid: self._cpu(p) for p in self.server.children(recursive=True)}
        self.helper_of: dict[int, str] = {}
        self.helpers: dict[str, float] = {}  # name -> % of a core over the run (finish)
        self.most_kernels = 0
        self._done = threading.Event()

    @staticmethod
    def _cpu(process: Any) -> float:
        try:
            times = process.cpu_times()
            return float(times.user + times.system)
        except Exception:  # a kernel that just ended
            return 0.0

    def run(self) -> None:
        while not self._done.wait(1.0):
            try:
                children = self.server.children(recursive=True)
            except Exception:  # psutil.NoSuchProcess: the server was killed (the fault scripts do that)
                continue
            self.most_kernels = max(self.most_kernels, len(children))
            self._note_helpers()
            for child in children:
                used = self._cpu(child)
                if used:
                    self.kernel_cpu[child.pid] = used

    def _note_helpers(self) -> None:
        with contextlib.suppress(Exception):
            for child in self.server.children():
                if child.pid not in self.helper_of and (name := helper_name(child)):
                    self.helper_of[child.pid] = name

    def finish(self) -> tuple[float, float]:
        """Server and kernels' CPU over the run, as a percentage of one core (helpers in :attr:`helpers`)."""
        self._done.set()
        self.join(5)
        wall = time.monotonic() - self.started
        server = self._cpu(self.server) - self.server_cpu0
        kernels = 0.0
        for pid, used in self.kernel_cpu.items():
            share = 100 * (used - self.kernel_cpu0.get(pid, 0.0)) / wall
            if pid in self.helper_of:
                self.helpers[self.helper_of[pid]] = self.helpers.get(self.helper_of[pid], 0.0) + share
            else:
                kernels += share
        return 100 * server / wall, kernels

    def kernel_memory(self) -> list[tuple[int, int]]:
        """(USS, PSS) in bytes of every live kernel (not the zygote or the chart renderer)."""
        self._note_helpers()
        found = []
        for child in self.server.children(recursive=True):
            if child.pid in self.helper_of:
                continue
            with contextlib.suppress(Exception):
                info = child.memory_full_info()
                found.append((int(info.uss), int(getattr(info, "pss", 0))))
        return found

    def helper_memory(self) -> dict[str, int]:
        """USS in bytes of each helper process still running."""
        found = {}
        for pid, name in self.helper_of.items():
            with contextlib.suppress(Exception):
                import psutil

                found[name] = int(psutil.Process(pid).memory_full_info().uss)
        return found


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1)] if ordered else float("nan")


@dataclass
class Result:
    respondents: int
    stats: Stats
    check: Check
    seconds: float
    server_cpu: float = 0.0
    kernel_cpu: float = 0.0
    memory: list[tuple[int, int]] = field(default_factory=list)
    load: tuple[float, float, float] = (0.0, 0.0, 0.0)
    organisation: Organisation | None = None
    told: list[Told] = field(default_factory=list)
    page_timings: list[dict[str, float]] = field(default_factory=list)  # the server's timing lines
    helper_cpu: dict[str, float] = field(default_factory=dict)  # % of a core: kernel zygote, chart renderer
    helper_memory: dict[str, int] = field(default_factory=dict)  # USS bytes

    @property
    def failed(self) -> bool:
        c = self.check
        return bool(c.lost or c.duplicate_submissions or c.lost_submissions or c.changed_after_submit)

    def summary(self) -> str:
        p95 = percentile(self.stats.latencies, 0.95) * 1000
        return (f"respondents {self.respondents}, answers {len(self.stats.latencies)}, lost {self.check.lost}, "
                f"duplicate submissions {self.check.duplicate_submissions}, "
                f"failed saves {self.stats.failed_saves + self.stats.no_reply}, p95 {p95:.0f} ms")

    def report(self) -> str:
        s, c = self.stats, self.check
        ms = [x * 1000 for x in s.latencies]
        steady = [x * 1000 for x, at in zip(s.latencies, s.sent_at, strict=True) if at >= s.all_arrived]
        mib = 2**20
        lines = [
            f"respondents {self.respondents} at once ({s.sessions} people opened their link), "
            f"{self.seconds:.0f} s; load average {self.load[0]:.2f} {self.load[1]:.2f} {self.load[2]:.2f}",
            f"answers acknowledged {len(s.latencies)} ({len(s.latencies) / self.seconds:.1f}/s), "
            f"submitted {s.submits}, reloads {s.reloads}, closed and reopened {s.reopened}",
            f"save latency p50 {percentile(ms, 0.5):.0f} ms, p95 {percentile(ms, 0.95):.0f} ms, "
            f"p99 {percentile(ms, 0.99):.0f} ms, max {max(ms, default=float('nan')):.0f} ms",
            f"  once all {self.respondents} had arrived ({len(steady)} saves): p50 {percentile(steady, 0.5):.0f} ms, "
            f"p95 {percentile(steady, 0.95):.0f} ms, p99 {percentile(steady, 0.99):.0f} ms",
            f"failed saves {s.failed_saves} (\"Not saved\" shown), no reply {s.no_reply}, "
            f"pages refused {dict(sorted(s.page_refusals.items())) or 0}, resumed pages not matching "
            f"{s.resume_mismatches}, client errors {len(s.errors)}",
            f"page openings {len(s.openings)}: GET to widgets p50 {percentile(s.openings, 0.5):.1f} s, "
            f"p95 {percentile(s.openings, 0.95):.1f} s, max {max(s.openings, default=float('nan')):.1f} s; "
            f"pages without the app (reloaded) {len(s.page_failures)}",
            *self.opening_lines(),
            f"server CPU {self.server_cpu:.0f} % of a core, kernels {self.kernel_cpu:.0f} %, "
            + "".join(f"{name} {share:.0f} %, " for name, share in sorted(self.helper_cpu.items()))
            + f"this client {100 * s.client_cpu / self.seconds:.0f} %",
            f"client's own delay (its event loop late for a timer, inflating the latencies above): p50 "
            f"{1000 * percentile(s.loop_lag, 0.5):.0f} ms, p95 {1000 * percentile(s.loop_lag, 0.95):.0f} ms, "
            f"max {1000 * max(s.loop_lag, default=float('nan')):.0f} ms",
        ]
        if self.memory:
            uss = [u / mib for u, _p in self.memory]
            pss = [p / mib for _u, p in self.memory]
            lines.append(f"kernel memory ({len(self.memory)} kernels): USS median {statistics.median(uss):.0f} MiB, "
                         f"max {max(uss):.0f} MiB; PSS median {statistics.median(pss):.0f} MiB, "
                         f"max {max(pss):.0f} MiB; all kernels USS {sum(uss) / 1024:.1f} GiB"
                         + "".join(f"; {name} {uss / mib:.0f} MiB" for name, uss in sorted(self.helper_memory.items())))
        b = s.browsers
        if b is not None:
            ms_b = [x * 1000 for x in b.latencies]
            lines.append(f"Chromium pages: {b.pages} links opened, {len(b.latencies)} answers shown \"Saved ✓\", "
                         f"submitted {b.submits}; click to \"Saved ✓\" p50 {percentile(ms_b, 0.5):.0f} ms, "
                         f"p95 {percentile(ms_b, 0.95):.0f} ms; opening to the app p50 "
                         f"{percentile(b.openings, 0.5):.1f} s, p95 {percentile(b.openings, 0.95):.1f} s; "
                         f"\"getting your page ready\" first {b.waiting_pages}; errors {len(b.errors)}")
            lines += [f"  Chromium: {e}" for e in b.errors[:10]]
        lines.append(f"database: {c.answers} acknowledged answers checked, lost {c.lost}, submissions lost "
                     f"{c.lost_submissions}, duplicate submissions {c.duplicate_submissions}, answers changed "
                     f"after submitting {c.changed_after_submit}")
        lines += [f"  {p}" for p in c.problems[:10]]
        lines += [f"  client: {e}" for e in s.errors[:10]]
        lines += [f"  page without the app: {e}" for e in [*sorted(set(s.page_failures)), *s.kept]]
        lines.append(self.summary())
        return "\n".join(lines)


    def opening_lines(self) -> list[str]:
        """Where the openings' time went: the client's phases, then the server's (its timing lines)."""
        def p(values: list[float]) -> str:
            return f"p50 {percentile(values, 0.5):.1f} s, p95 {percentile(values, 0.95):.1f} s"

        phases = self.stats.opening_phases
        lines = [f"  client, from the first GET: page complete {p([x[0] for x in phases])}; kernel websocket open "
                 f"{p([x[1] for x in phases])}; widgets' states {p([x[2] for x in phases])}; "
                 f"\"getting your page ready\" pages shown {self.stats.waiting_pages}"]
        t = self.page_timings
        if t:
            ready = sum(1 for x in t if x["ready"] > 0)
            lines.append(f"  server, {len(t)} pages made: link checked {p([x['link'] for x in t])}; kernel assigned "
                         f"{p([x['kernel'] for x in t])} (a ready kernel in the pool for {ready}); notebook ran "
                         f"{p([x['ran'] for x in t])}; page complete {p([x['total'] for x in t])}")
        return lines


def options_of() -> list[int | None]:
    from workbook.framework import load_framework

    framework = load_framework()
    return [*(int(p.value) for p in framework.scale.points), None]


@contextlib.contextmanager
def _log_kept_on_failure(server: VoilaServer, keep: Path | None) -> Iterator[None]:
    """A run that fails keeps the server's log (its folder is thrown away) and says where."""
    try:
        yield
    except BaseException:
        where = keep or Path(tempfile.gettempdir()) / "workbook-load-serve.log"
        with contextlib.suppress(OSError):
            where.write_text(server.log_text(), encoding="utf-8")
            print(f"the server's log is kept in {where}", file=sys.stderr)
        raise


def run_load(db_url: str, work: Path, config: Config, *, people: int | None = None,
             extra_args: tuple[str, ...] = (), respondent: type[Respondent] | None = None,
             before_check: Callable[[], None] | None = None, submitted_before: int = 0) -> Result:
    """Generate the organisation, start ``workbook serve``, play the respondents, check the database.

    ``respondent``: see :func:`drive`; ``before_check`` runs after the server stopped and before the
    database is checked (a fault script ends its faults there).  ``submitted_before``: that many
    more people in the organisation answered and submitted before the run.
    """
    playing = people or 4 * config.respondents
    org = make_organisation(db_url, playing + submitted_before)
    if submitted_before:
        from workbook.framework import load_framework

        _answer_everything(db_url, Organisation(org.org_id, org.cycle_id, org.people[:submitted_before]),
                           load_framework(), submitted=True)
        org = Organisation(org.org_id, org.cycle_id, org.people[submitted_before:])
    pool = 2
    args = ["--pool-size", str(pool), "--max-kernels", str(config.respondents + pool + 8),
            "--page-rate", "600", *extra_args]
    with VoilaServer.start(db_url=db_url, log_path=work / "serve.log", apps=[NOTEBOOK], extra_args=args,
                           timeout=120) as server, _log_kept_on_failure(server, config.keep_log):
        server.wait_for_pools(timeout=180)
        meter = ServerMeter(server)
        meter.start()
        memory: list[tuple[int, int]] = []
        helper_memory: dict[str, int] = {}

        async def play() -> tuple[Stats, list[Told], float]:
            async def sample_memory() -> None:  # near the end, while the pages are still open
                await asyncio.sleep(max(1.0, config.ramp + config.seconds - 10))
                memory.extend(await asyncio.get_running_loop().run_in_executor(None, meter.kernel_memory))
                helper_memory.update(await asyncio.get_running_loop().run_in_executor(None, meter.helper_memory))

            async def probe_lag(lags: list[float]) -> None:
                while True:
                    asked = time.monotonic()
                    await asyncio.sleep(0.05)
                    lags.append(time.monotonic() - asked - 0.05)

            lags: list[float] = []
            sampler = asyncio.ensure_future(sample_memory())
            prober = asyncio.ensure_future(probe_lag(lags))
            cpu = time.process_time()
            result = await drive(server.base_url, org, config, respondent)
            result[0].client_cpu = time.process_time() - cpu
            result[0].loop_lag = lags
            sampler.cancel()
            prober.cancel()
            return result

        # asyncio.run in a thread of its own: in a test run, earlier tests (Playwright, ipykernel) may have
        # left an event loop running on this thread, where asyncio.run refuses to start
        with concurrent.futures.ThreadPoolExecutor(1) as runner:
            stats, told, seconds = runner.submit(asyncio.run, play()).result()
        server_cpu, kernel_cpu = meter.finish()
        load = os.getloadavg()
        from workbook.web.timing import parse

        timings = parse(server.log_text())
    if config.keep_log is not None:
        config.keep_log.write_text(server.log_text(), encoding="utf-8")
    if stats.page_failures:  # keep the server's side of it too
        kept = Path(tempfile.gettempdir()) / "workbook-load-serve.log"
        kept.write_text(server.log_text(), encoding="utf-8")
        stats.kept.append(f"server log kept in {kept}")
    if before_check is not None:
        before_check()
    check = check_database(db_url, org, told, options_of())
    return Result(config.respondents, stats, check, seconds, server_cpu, kernel_cpu, memory, load, org, told,
                  timings, meter.helpers, helper_memory)


# --- the submit burst, at the package level ---------------------------------------------------
def _burst_worker(db_url: str, key_file: str, cycle_id: int, people: list[int], start: float,
                  rate: float, offset: int, threads: int) -> list[tuple[float, str]]:
    """One process (a kernel's share): submits its people at their moments; (seconds taken, error or "")."""
    os.environ["WORKBOOK_KEY_FILE"] = key_file
    from concurrent.futures import ThreadPoolExecutor

    from workbook.apps.saving import with_retries
    from workbook.errors import WorkbookError
    from workbook.framework import load_framework
    from workbook.store import open_store

    framework = load_framework()
    local = threading.local()

    def one(n: int) -> tuple[float, str]:
        if not hasattr(local, "store"):
            local.store = open_store(db_url)
        moment = start + (offset + n) / rate
        time.sleep(max(0.0, moment - time.time()))
        try:
            with_retries(lambda: local.store.responses.submit(people[n], cycle_id, framework=framework), "submit")
        except WorkbookError as error:
            return time.time() - moment, str(error)
        return time.time() - moment, ""

    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(one, range(len(people))))


def _answer_everything(db_url: str, org: Organisation, framework: Any, *, submitted: bool = False) -> None:
    """Every person's answers, in one transaction (saving them one by one is not what is measured).

    ``submitted``: and their submissions, one second apart in the order of ``org.people``, with ratings
    spread over the scale (a survey well under way, for the results pages to compare with).
    """
    from datetime import timedelta

    from sqlalchemy import insert

    from workbook.store._base import utcnow
    from workbook.store.engine import make_engine, resolve_url
    from workbook.store.tables import Answer as AnswerRow
    from workbook.store.tables import Submission

    now = utcnow()
    rng = random.Random(len(org.people))
    low, high = framework.scale.minimum, framework.scale.maximum
    engine = make_engine(resolve_url(db_url))
    with engine.begin() as connection:
        connection.execute(insert(Submission), [
            {"person_id": p.person_id, "cycle_id": org.cycle_id,
             "status": "submitted" if submitted else "in_progress",
             "submitted_at": now - timedelta(seconds=len(org.people) - n) if submitted else None,
             "framework_id": framework.id, "framework_version": framework.version, "started_at": now}
            for n, p in enumerate(org.people)])
        connection.execute(insert(AnswerRow), [
            {"person_id": p.person_id, "cycle_id": org.cycle_id, "statement_id": s.id,
             "rating": rng.randint(low, high) if submitted else 3,
             "dont_know": False, "framework_id": framework.id, "framework_version": framework.version,
             "created_at": now, "updated_at": now}
            for p in org.people for s in framework.statements])
    engine.dispose()


def submit_burst(db_url: str, rate: int, seconds: int, processes: int = 10) -> int:
    """``rate`` submits a second for ``seconds`` s from ``processes`` processes; prints and returns failures."""
    from concurrent.futures import ProcessPoolExecutor

    from sqlalchemy import func, select

    from workbook.framework import load_framework
    from workbook.store.engine import make_engine, resolve_url
    from workbook.store.tables import Submission

    total = rate * seconds
    org = make_organisation(db_url, total)
    framework = load_framework()
    _answer_everything(db_url, org, framework)  # the burst is the submits alone
    ids = [p.person_id for p in org.people]
    start = time.time() + 10  # time for the processes to start and open their stores
    key = os.environ["WORKBOOK_KEY_FILE"]
    load0 = os.getloadavg()
    with ProcessPoolExecutor(processes) as pool:
        shares = [pool.submit(_burst_worker, db_url, key, org.cycle_id, ids[k::processes], start + k / rate,
                              rate / processes, 0, max(1, math.ceil(rate / processes) * 2))
                  for k in range(processes)]
        outcomes = [o for share in shares for o in share.result()]
    engine = make_engine(resolve_url(db_url))
    with engine.connect() as connection:
        stored = connection.execute(select(func.count()).select_from(Submission).where(
            Submission.cycle_id == org.cycle_id, Submission.status == "submitted")).scalar_one()
    engine.dispose()
    failures = [e for _t, e in outcomes if e]
    ms = [t * 1000 for t, _e in outcomes]
    load = os.getloadavg()
    print(f"submit burst: {rate}/s for {seconds} s from {processes} processes: {len(outcomes)} sent, "
          f"{len(outcomes) - len(failures)} acknowledged, {stored} stored as submitted, {len(failures)} failed; "
          f"latency p50 {percentile(ms, 0.5):.0f} ms, p95 {percentile(ms, 0.95):.0f} ms, "
          f"p99 {percentile(ms, 0.99):.0f} ms, max {max(ms):.0f} ms; load average {load0[0]:.2f} before, "
          f"{load[0]:.2f} after")
    for error in sorted(set(failures))[:5]:
        print(f"  failed: {error}")
    return len(failures) + (total - stored)


# --- the command line ---------------------------------------------------------------------
@contextlib.contextmanager
def database(args: argparse.Namespace, work: Path) -> Iterator[str]:
    """The database URL of this run: ``--db``, a throw-away PostgreSQL (``--pg``) or SQLite file."""
    if args.db:
        yield args.db
        return
    if not args.pg:
        yield f"sqlite:///{work / 'workbook.db'}"
        return
    import pgserver

    # The tests' server trades durability for speed; a load test measures the real thing,
    # and a hundred kernels need a connection each.
    pgserver.SERVER_SETTINGS = {**pgserver.SERVER_SETTINGS, "fsync": "on", "synchronous_commit": "on",
                                "full_page_writes": "on", "shared_buffers": "128MB", "max_connections": "400"}
    with pgserver.PostgresServer() as server:
        yield server.create_database()


def rerun_line(argv: list[str] | None) -> str:
    """What the lead needs to run this again on a machine at rest, and what this run ran on."""
    import shlex
    import subprocess

    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                text=True, check=False).stdout.strip()
    except OSError:
        commit = ""
    given = sys.argv[1:] if argv is None else argv
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    load = os.getloadavg()
    return (f"rerun: .venv/bin/python benchmarks/load.py {shlex.join(given)}  (commit {commit or '?'}, "
            f"{os.cpu_count()} CPUs, {memory:.0f} GiB; load average at the start {load[0]:.2f} {load[1]:.2f} "
            f"{load[2]:.2f}: figures taken above about {os.cpu_count()} are inflated by other work)")


def main(argv: list[str] | None = None) -> int:
    from workbook.serve.options import DEFAULT_FORK_KERNELS
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--respondents", type=int, default=20, help="people answering at once [default: 20]")
    parser.add_argument("--minutes", type=float, default=2.0,
                        help="length of the run once every respondent has arrived [default: 2]")
    parser.add_argument("--db", metavar="URL", help="database (the organisation is made there) "
                                                    "[default: a throw-away SQLite file]")
    parser.add_argument("--pg", action="store_true", help="start a throw-away PostgreSQL and use it")
    parser.add_argument("--people", type=int, help="people in the organisation [default: 4 per respondent]")
    parser.add_argument("--submitted-before", type=int, default=0, metavar="N",
                        help="N more people in the organisation answered and submitted before the run, so "
                             "results pages compare with them (a survey well under way) [default: 0]")
    parser.add_argument("--think", type=float, nargs=2, default=(2.0, 5.0), metavar=("LOW", "HIGH"),
                        help="seconds between answers [default: 2 5]")
    parser.add_argument("--ramp", type=float, help="seconds over which the respondents arrive, before the "
                                                   "--minutes [default: one each 1.5 s, at most 150]")
    parser.add_argument("--browsers", type=int, default=0, metavar="N",
                        help="also N real Chromium pages (Debian's /usr/bin/chromium), checked in the same "
                             "database check [default: 0]")
    parser.add_argument("--fork-kernels", action=argparse.BooleanOptionalAction, default=DEFAULT_FORK_KERNELS,
                        help="serve with --fork-kernels (kernels forked from a warmed zygote) or without "
                             "[default: the server's, --fork-kernels on Linux]")
    parser.add_argument("--keep-log", type=Path, metavar="FILE", help="copy the server's log there after the run")
    parser.add_argument("--submit-burst", type=int, metavar="RATE",
                        help="instead: RATE submits a second at the package level (see --burst-seconds)")
    parser.add_argument("--burst-seconds", type=int, default=30, help="length of the burst [default: 30]")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="workbook-load-") as folder:
        work = Path(folder)
        os.environ.setdefault("WORKBOOK_KEY_FILE", str(work / "secret.key"))  # throw-away key, throw-away data
        with database(args, work) as db_url:
            if args.submit_burst:
                return 1 if submit_burst(db_url, args.submit_burst, args.burst_seconds) else 0
            ramp = args.ramp if args.ramp is not None else min(150.0, 1.5 * args.respondents)
            config = Config(args.respondents, args.minutes * 60, think=tuple(args.think), ramp=ramp,
                            keep_log=args.keep_log, browsers=args.browsers)
            print(rerun_line(argv), flush=True)
            result = run_load(db_url, work, config, people=args.people, submitted_before=args.submitted_before,
                              extra_args=("--fork-kernels" if args.fork_kernels else "--no-fork-kernels",))
            print(result.report())
            return 1 if result.failed else 0


if __name__ == "__main__":
    sys.exit(main())

"""A questionnaire kernel stays small: what it imports, and reading its request without voila.utils.

Every respondent with a page open holds one kernel, so its memory sets how
many people one server takes at once (``benchmarks/kernel_memory.py``: about
65 MB of unique memory a questionnaire kernel, against 180 MB when the pool
warmed a chart and imported voila.utils).  These tests fail if a later change
makes the questionnaire path import the heavy libraries again; the results
page (after submitting) may import them, when it is shown.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from workbook.people_csv import PersonRow
from workbook.store import open_store

#: Imported by nothing a respondent does before submitting.  Each costs
#: megabytes in every kernel: pandas+numpy ~50 MB, altair ~30 MB, vl-convert
#: ~90 MB once it renders, voila.utils (jupyter_server, jupyterlab_server) ~34 MB.
HEAVY = ("pandas", "numpy", "altair", "vl_convert", "voila", "jupyter_server", "jupyterlab_server",
         "alembic", "papermill", "nbformat", "jsonschema")

#: What a pre-heated kernel runs (the notebook's cells), then what a respondent does:
#: the welcome page, Start, one answer saved, the next page, the review page.
QUESTIONNAIRE = """
import json, os, sys
from workbook.apps import values
os.environ["VOILA_PREHEAT"] = "True"
values.warm_up(os.environ["DB"])                       # cell 1, in a pooled kernel
os.environ["VOILA_PREHEAT"] = "False"                  # the page's query is in QUERY_STRING below
from workbook.apps.request import query_parameter      # cell 3 reads the page's query
token = query_parameter("token")
from workbook.framework import load_framework
from workbook.store import open_store
from workbook.apps.values_results import results_panel
store = open_store(os.environ["DB"])
app = values.ValuesAssessment(store, load_framework(), values.open_assessment(store, token), results=results_panel)
app.show_value(0)
first = next(iter(app.inputs))
app.inputs[first].choice.value = 4
app.inputs[first].comment.value = "a comment"
assert "Saved" in app.inputs[first].status.value, app.inputs[first].status.value
app.show_value(1)
app.show_review()
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
"""


@pytest.fixture
def respondent(tmp_path: Path) -> tuple[str, str]:
    """A database with one respondent; their database path and token."""
    db = str(tmp_path / "kernel.db")
    with open_store(db) as store:
        store.organisations.create("Harbour & Vine Hotels", "hv", threshold=3)
        store.people.import_rows("hv", [PersonRow("Ben Staff", "ben@example.org", "staff", "Front Desk")])
        return db, store.people.invite("hv", "ben@example.org").token


def _imported_by(code: str, env: dict[str, str]) -> set[str]:
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         env={**os.environ, **env}, check=False)
    assert run.returncode == 0, run.stderr[-3000:]
    return set(json.loads(run.stdout.strip().splitlines()[-1]))


def test_questionnaire_path_imports_none_of_the_heavy_libraries(respondent: tuple[str, str]) -> None:
    db, token = respondent
    imported = _imported_by(QUESTIONNAIRE, {"DB": db, "QUERY_STRING": f"token={token}", "VOILA_PREHEAT": "False"})
    assert "sqlalchemy" in imported and "ipywidgets" in imported  # the check can see imports at all
    assert not imported & set(HEAVY), f"the questionnaire imported {sorted(imported & set(HEAVY))}"


def test_results_page_still_draws_its_chart(respondent: tuple[str, str]) -> None:
    """The heavy imports moved to the results page; it must still work from a cold kernel."""
    db, token = respondent
    code = QUESTIONNAIRE.replace("app.show_review()", """
for entry in app.inputs.values():
    entry.choice.value = 3
assert app.submit()
html = app.body.children[-1].value
assert "<svg" in html and "Your strongest value" in html, html[:300]
""")
    imported = _imported_by(code, {"DB": db, "QUERY_STRING": f"token={token}", "VOILA_PREHEAT": "False"})
    assert {"pandas", "altair", "vl_convert"} <= imported


# --- the request of a pre-heated kernel --------------------------------------------------
@pytest.fixture
def query_socket() -> Iterator[tuple[int, list[dict[str, str]]]]:
    """A tornado server speaking voila's ``/voila/query/<kernel id>`` protocol; its port and requests."""
    import asyncio

    from tornado.httpserver import HTTPServer
    from tornado.web import Application
    from tornado.websocket import WebSocketHandler

    seen: list[dict[str, str]] = []

    class Query(WebSocketHandler):  # type: ignore[misc]
        def open(self, kernel_id: str) -> None:
            seen.append({"kernel": kernel_id, "origin": self.request.headers.get("Origin", "")})
            self.write_message(json.dumps({"QUERY_STRING": "token=abc%2B1&x=", "SCRIPT_NAME": "/voila"}))

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    loop = asyncio.new_event_loop()
    started = threading.Event()
    holder: list[HTTPServer] = []

    def run() -> None:
        asyncio.set_event_loop(loop)
        server = HTTPServer(Application([(r"/base/voila/query/([0-9a-f-]+)", Query)]))
        server.listen(port, "127.0.0.1")
        holder.append(server)
        loop.call_soon(started.set)
        loop.run_forever()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert started.wait(10)
    try:
        yield port, seen
    finally:
        loop.call_soon_threadsafe(holder[0].stop)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)


def test_preheated_kernel_reads_its_query_like_voila(query_socket: tuple[int, list[dict[str, str]]],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from workbook.apps import request

    port, seen = query_socket
    kernel = "0b5e7a4c-1d2e-4f00-9a8b-123456789abc"
    for name, value in {"VOILA_PREHEAT": "True", "VOILA_APP_IP": "127.0.0.1", "VOILA_APP_PORT": str(port),
                        "VOILA_SERVER_URL": "/base/", "VOILA_KERNEL_ID": kernel}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("VOILA_WS_BASE_URL", raising=False)
    monkeypatch.delenv("QUERY_STRING", raising=False)
    monkeypatch.delenv("SCRIPT_NAME", raising=False)
    request.query_parameters.cache_clear()
    try:
        assert request.query_parameter("token") == "abc+1"
        assert request.query_parameters() == {"token": "abc+1", "x": ""}
        request.query_parameters()  # read once: a second call does not wait for a second request
    finally:
        request.query_parameters.cache_clear()
    assert seen == [{"kernel": kernel, "origin": ""}]  # no Origin: workbook's QuerySocket refuses browsers
    assert os.environ["SCRIPT_NAME"] == "/voila"


def test_request_url_matches_voilas(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same environment variables and URL voila 0.5's ``wait_for_request`` uses."""
    from workbook.apps.request import request_url

    for name, value in {"VOILA_WS_PROTOCOL": "wss", "VOILA_APP_IP": "10.0.0.5", "VOILA_APP_PORT": "9000",
                        "VOILA_SERVER_URL": "/srv/", "VOILA_WS_BASE_URL": "/ws/", "VOILA_KERNEL_ID": "k1"}.items():
        monkeypatch.setenv(name, value)
    assert request_url() == "wss://10.0.0.5:9000/ws/voila/query/k1"
    monkeypatch.delenv("VOILA_WS_BASE_URL")
    assert request_url() == "wss://10.0.0.5:9000/srv/voila/query/k1"


def test_outside_voila_the_query_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from workbook.apps import request

    monkeypatch.setenv("VOILA_PREHEAT", "False")
    monkeypatch.setenv("QUERY_STRING", "token=t0k")
    request.query_parameters.cache_clear()
    try:
        assert request.query_parameter("token") == "t0k"
    finally:
        request.query_parameters.cache_clear()

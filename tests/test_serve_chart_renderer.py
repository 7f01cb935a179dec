"""The server's chart renderer: one warm vl-convert for every kernel, and a kernel never stuck without it.

Why it exists (``workbook/serve/chart_renderer.py``): a results page drew its
charts in a fresh kernel, and each one started a V8 engine (half a CPU second);
under load that was the largest use of CPU.  These tests check that a chart
drawn by the renderer is the chart drawn in-process, byte for byte; that a
kernel using it never imports vl-convert; that a refused spec fails as it
would in-process; and that a renderer that is killed, stuck or missing costs a
page nothing but the time to draw its own charts.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from workbook.charts import spec_to_svg, value_profile_chart
from workbook.serve import chart_renderer
from workbook.serve.chart_renderer import ENV, ChartRenderer, RenderError, render


def _spec() -> dict[str, object]:
    frame = pd.DataFrame({"value": list("AEIOU") * 2, "series": ["You"] * 5 + ["Your team"] * 5,
                          "score": [3.2, 4.0, 2.5, 5.0, 1.0, 3.0, 3.5, 3.0, 4.1, 2.2]})
    return value_profile_chart(frame, title="Your values profile", description="Scores by value").to_dict(
        validate=False)


def _wait_until(condition: object, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@pytest.fixture
def renderer(monkeypatch: pytest.MonkeyPatch) -> Iterator[ChartRenderer]:
    monkeypatch.setattr(chart_renderer, "_stuck", False)
    with chart_renderer.running() as running:
        _wait_until(lambda: Path(running.socket_path).exists())
        yield running
    assert not running.folder.exists()  # its socket's folder goes with it


def test_a_chart_from_the_renderer_is_the_chart_drawn_in_process(
    renderer: ChartRenderer, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = _spec()
    served = render(dict(spec))
    assert served is not None and served.startswith("<svg")
    through_charts = spec_to_svg(dict(spec))  # what every page calls: the aria settings and label added
    monkeypatch.delenv(ENV)
    assert render(dict(spec)) is None  # no renderer named: the caller draws itself
    assert spec_to_svg(dict(spec)) == through_charts
    assert 'role="img" aria-label="Scores by value"' in through_charts


def test_a_kernel_that_uses_the_renderer_never_imports_vl_convert(renderer: ChartRenderer) -> None:
    script = (
        "import sys, json\n"
        "from workbook.charts import spec_to_svg\n"
        f"svg = spec_to_svg(json.loads({json.dumps(json.dumps(_spec()))}))\n"
        "print(svg.startswith('<svg'), 'vl_convert' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                          env={**os.environ, ENV: renderer.socket_path})
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "False"]


def test_the_renderer_gives_way_to_the_server_and_the_kernels(renderer: ChartRenderer) -> None:
    import psutil

    assert renderer.pid is not None and render(_spec()) is not None  # started and warm
    assert psutil.Process(renderer.pid).nice() == min(19, os.nice(0) + chart_renderer.NICENESS)


def test_a_spec_vl_convert_refuses_fails_as_it_would_in_process(renderer: ChartRenderer) -> None:
    bad = {"mark": "no-such-mark", "data": {"values": [{"a": 1}]}}
    with pytest.raises(RenderError) as served:
        render(bad)
    import vl_convert as vlc

    with pytest.raises(ValueError) as here:
        vlc.vegalite_to_svg(bad)
    assert str(served.value) == str(here.value)  # vl-convert's own words, wherever it was drawn
    assert render(_spec()) is not None  # and the renderer goes on drawing


def test_a_killed_renderer_is_restarted_and_pages_draw_their_own_charts_meanwhile(
    renderer: ChartRenderer, caplog: pytest.LogCaptureFixture
) -> None:
    first = renderer.pid
    assert first is not None and render(_spec()) is not None
    os.kill(first, signal.SIGKILL)
    _wait_until(lambda: renderer.pid != first)  # the watcher starts another
    assert spec_to_svg(_spec()).startswith("<svg")  # meanwhile (or already) drawn somewhere: never an error
    _wait_until(lambda: render(_spec()) is not None)
    assert "The chart renderer ended (exit -9); restarting it" in caplog.text


def test_a_stuck_renderer_is_given_up_on_after_the_wait(
    renderer: ChartRenderer, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert render(_spec()) is not None
    monkeypatch.setattr(chart_renderer, "REPLY_SECONDS", 0.5)
    assert renderer.pid is not None
    os.kill(renderer.pid, signal.SIGSTOP)
    try:
        began = time.monotonic()
        assert render(_spec()) is None  # timed out: the page draws its own
        assert time.monotonic() - began < 5
        assert render(_spec()) is None  # and does not wait again for every chart
        assert spec_to_svg(_spec()).startswith("<svg")
    finally:
        os.kill(renderer.pid, signal.SIGCONT)


def test_the_renderer_ends_with_the_server(tmp_path: Path) -> None:
    """Killed with kill -9, the server cannot stop it: it notices its stdin close and exits."""
    script = (
        "import time\n"
        "from workbook.serve.chart_renderer import ChartRenderer\n"
        "renderer = ChartRenderer(); renderer.start()\n"
        "print(renderer.pid, flush=True)\n"
        "time.sleep(600)\n"
    )
    server = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        pid = int(server.stdout.readline())
        time.sleep(1)
        os.kill(server.pid, signal.SIGKILL)
        server.wait(10)

        def gone() -> bool:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return True
            return False

        _wait_until(gone, 30)
    finally:
        server.kill()

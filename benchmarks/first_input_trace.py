"""Where a warm first visit of the values app spends its time: one timeline per run.

``time_to_first_input.py`` says how long the first usable input takes; this
says where that time goes, from Chromium's DevTools events (all times in
seconds from the start of the navigation):

* each HTTP request: sent, first byte, last byte, size on the wire;
* the kernel websocket: opened, and every Jupyter message with its type,
  channel and size (``comm_info_reply``, the widget states, ...);
* the page's main thread: script, style and layout seconds (DevTools metrics);
* the first usable input, as ``time_to_first_input.py`` notes it.

It also prints what does not depend on the machine's load: the number of
requests and bytes, of Jupyter messages and widget models the page received.

``--tree PATH`` runs another checkout (an older commit in a throw-away
worktree) with its own server, harness and notebook, so two versions can be
traced side by side on the same machine in the same hour:

    .venv/bin/python benchmarks/first_input_trace.py --runs 3
    PYTHONPATH=/tmp/old .venv/bin/python benchmarks/first_input_trace.py --tree /tmp/old
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import statistics
import struct
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

#: Notes ``performance.now()`` the moment an enabled widget input is visible
#: (the same rule as time_to_first_input.py).
FIRST_INPUT_SCRIPT = """
(() => {
  const selector = %s;
  const check = () => {
    if (window.__firstInput !== undefined) { return; }
    for (const element of document.querySelectorAll(selector)) {
      if (element.checkVisibility()) {
        window.__firstInput = performance.now() / 1000;
        observer.disconnect();
        return;
      }
    }
  };
  const observer = new MutationObserver(check);
  observer.observe(document, { subtree: true, childList: true, attributes: true });
})();
"""


@dataclass
class Trace:
    """DevTools events of one page load, by kind."""

    events: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def note(self, kind: str) -> Any:
        return lambda params: self.events.append((kind, params))


def jupyter_message(payload: str, opcode: int) -> tuple[str, str, int]:
    """(msg_type, channel, bytes) of one kernel websocket frame (JSON or the v1 binary protocol)."""
    if opcode == 1:
        data = payload.encode()
        message = json.loads(payload)
        return message.get("header", {}).get("msg_type", "?"), message.get("channel", "?"), len(data)
    raw = base64.b64decode(payload)
    count = struct.unpack_from("<Q", raw, 0)[0]
    offsets = [struct.unpack_from("<Q", raw, 8 * (i + 1))[0] for i in range(count)]
    offsets.append(len(raw))
    parts = [raw[offsets[i]:offsets[i + 1]] for i in range(count)]
    channel = parts[0].decode()
    header = json.loads(parts[1])
    return header.get("msg_type", "?"), channel, len(raw)


def _content(payload: str, opcode: int) -> Any:
    if opcode == 1:
        return json.loads(payload).get("content", {})
    raw = base64.b64decode(payload)
    count = struct.unpack_from("<Q", raw, 0)[0]
    offsets = [struct.unpack_from("<Q", raw, 8 * (i + 1))[0] for i in range(count)] + [len(raw)]
    return json.loads(raw[offsets[4]:offsets[5]])


def stream_text(payload: str, opcode: int) -> str:
    """What the kernel printed (a ``stream`` message), shortened."""
    content = _content(payload, opcode)
    return str(content.get("text", ""))[:120] if isinstance(content, dict) else ""


def widget_models(payload: str, opcode: int) -> int:
    """Widget models in a ``comm_msg`` reply carrying states (ipywidgets 8 ``update_states``)."""
    content = _content(payload, opcode)
    data = content.get("data", {}) if isinstance(content, dict) else {}
    states = data.get("states") if isinstance(data, dict) else None
    return len(states) if isinstance(states, dict) else 0


def timeline(trace: Trace, first_input: float) -> tuple[list[str], dict[str, float]]:
    """Lines of the timeline and the figures that do not depend on load."""
    t0 = next(p["timestamp"] for kind, p in trace.events if kind == "request")
    lines: list[str] = []
    requests: dict[str, dict[str, Any]] = {}
    messages: Counter[str] = Counter()
    ws_bytes = 0
    models = 0
    for kind, p in trace.events:
        at = p.get("timestamp", t0) - t0
        if kind == "request":
            requests[p["requestId"]] = {"url": p["request"]["url"], "sent": at}
        elif kind == "response" and p["requestId"] in requests:
            requests[p["requestId"]]["first"] = at
        elif kind == "finished" and p["requestId"] in requests:
            requests[p["requestId"]].update(last=at, size=p.get("encodedDataLength", 0))
        elif kind == "ws-open":
            lines.append(f"{at:7.3f}  websocket open")
        elif kind in ("ws-sent", "ws-received"):
            frame = p["response"]
            try:
                msg_type, channel, size = jupyter_message(frame["payloadData"], frame["opcode"])
            except (ValueError, struct.error, UnicodeDecodeError, IndexError):
                continue
            if kind == "ws-received" and msg_type == "comm_msg":
                found = widget_models(frame["payloadData"], frame["opcode"])
                models += found
                if found:
                    msg_type = f"comm_msg (states of {found} models)"
            if msg_type == "stream":
                msg_type += f" {stream_text(frame['payloadData'], frame['opcode'])!r}"
            ws_bytes += size
            messages[msg_type.split()[0]] += 1
            arrow = "->" if kind == "ws-sent" else "<-"
            lines.append(f"{at:7.3f}  ws {arrow} {channel:7} {msg_type} ({size:,} bytes)")
    for request in requests.values():
        name = request["url"].split("?")[0].rsplit("/", 1)[-1] or request["url"]
        lines.append(
            f"{request['sent']:7.3f}  GET {name[:40]}: first byte {request.get('first', float('nan')):.3f},"
            f" last byte {request.get('last', float('nan')):.3f}, {request.get('size', 0):,} bytes"
        )
    lines.append(f"{first_input:7.3f}  first usable input")
    lines.sort(key=lambda line: float(line.split()[0]))
    figures = {
        "requests": len(requests),
        "http_bytes": sum(r.get("size", 0) for r in requests.values()),
        "ws_messages": sum(messages.values()),
        "ws_bytes": ws_bytes,
        "widget_models": models,
    }
    return lines, figures


def profile_summary(trace: Trace, top: int = 12) -> list[str]:
    """JavaScript CPU (sampled) between the page's milestones, and the busiest functions."""
    profile = next(p for kind, p in trace.events if kind == "profile")
    t0 = next(p["timestamp"] for kind, p in trace.events if kind == "request")
    nodes = {node["id"]: node for node in profile["nodes"]}
    marks: list[tuple[float, str]] = []
    for kind, p in trace.events:
        if kind == "finished":
            marks.append((p["timestamp"], "after a download"))
    self_time: Counter[str] = Counter()
    by_url: Counter[str] = Counter()
    at = profile["startTime"] / 1e6
    busy: list[tuple[float, float]] = []
    for node_id, delta in zip(profile["samples"], profile["timeDeltas"], strict=True):
        at += delta / 1e6
        frame = nodes[node_id]["callFrame"]
        name = frame["functionName"] or "(anonymous)"
        if name in ("(idle)", "(program)", "(root)"):
            continue
        where = frame["url"].split("?")[0].rsplit("/", 1)[-1]
        self_time[f"{name} {where}:{frame['lineNumber']}:{frame['columnNumber']}"] += delta / 1e6
        by_url[where or name] += delta / 1e6
        busy.append((at - t0, delta / 1e6))
    lines = [f"sampled JS+GC s: {sum(d for _a, d in busy):.3f}; by second: " + " ".join(
        f"{second}s:{sum(d for a, d in busy if second <= a < second + 1):.2f}"
        for second in range(int(max((a for a, _d in busy), default=0)) + 1))]
    lines.append("by script: " + ", ".join(f"{name} {t:.3f}" for name, t in by_url.most_common(6)))
    lines += [f"   {t:6.3f}  {name}" for name, t in self_time.most_common(top)]
    return lines


def demo_token(db_url: str) -> str:
    """A demo person who has not submitted, with whichever harness the tree has."""
    import harness  # the tree's own

    if hasattr(harness, "demo_statuses"):
        statuses = harness.demo_statuses(db_url)
        return next(t for t, s in statuses.items() if s != "submitted")
    from workbook.store import open_store

    store = open_store(db_url)
    try:
        cycle = store.responses.cycle("demo").id
        return next(p.token for p in store.people.list("demo")
                    if store.responses.submission(p.id, cycle).status != "submitted")
    finally:
        store.close()


def seed(folder: Path) -> str:
    from workbook.demo import seed_demo
    from workbook.store import open_store

    url = f"sqlite:///{folder / 'workbook.db'}"
    store = open_store(url)
    try:
        seed_demo(store)
    finally:
        store.close()
    return url


def trace_once(browser: Any, url: str, selector: str, profile: bool = False) -> tuple[Trace, float, dict[str, float]]:
    context = browser.new_context(service_workers="block")
    context.add_init_script(FIRST_INPUT_SCRIPT % json.dumps(f":is({selector}):not([disabled])"))
    page = context.new_page()
    devtools = context.new_cdp_session(page)
    trace = Trace()
    for event, kind in (("Network.requestWillBeSent", "request"), ("Network.responseReceived", "response"),
                        ("Network.loadingFinished", "finished"), ("Network.webSocketCreated", "ws-created"),
                        ("Network.webSocketHandshakeResponseReceived", "ws-open"),
                        ("Network.webSocketFrameSent", "ws-sent"),
                        ("Network.webSocketFrameReceived", "ws-received")):
        devtools.on(event, trace.note(kind))
    devtools.send("Network.enable")
    devtools.send("Performance.enable")
    if profile:
        devtools.send("Profiler.enable")
        devtools.send("Profiler.setSamplingInterval", {"interval": 200})
        devtools.send("Profiler.start")
    try:
        page.goto(url, wait_until="commit")
        page.wait_for_function("() => window.__firstInput !== undefined", timeout=120_000)
        first = float(page.evaluate("window.__firstInput"))
        if profile:
            trace.events.append(("profile", devtools.send("Profiler.stop")["profile"]))
        page.wait_for_timeout(300)  # frames already on their way are still noted
        metrics = {m["name"]: m["value"] for m in devtools.send("Performance.getMetrics")["metrics"]}
        return trace, first, metrics
    finally:
        page.close(run_before_unload=True)
        context.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tree", type=Path, default=ROOT, help="checkout to run [default: this one]")
    parser.add_argument("--runs", type=int, default=3, help="first visits [default: 3]")
    parser.add_argument("--profile", action="store_true", help="sample the page's JavaScript: busiest functions")
    args = parser.parse_args(argv)
    tree = args.tree.resolve()
    sys.path[:0] = [str(tree), str(tree / "tests" / "browser")]
    os.chdir(tree)
    import harness
    from playwright.sync_api import sync_playwright

    notebook = tree / "notebooks" / "values_assessment.ipynb"
    with tempfile.TemporaryDirectory(prefix="workbook-trace-") as folder:
        work = Path(folder)
        os.environ.setdefault("WORKBOOK_KEY_FILE", str(work / "secret.key"))
        os.environ["PYTHONPATH"] = os.pathsep.join([str(tree), os.environ.get("PYTHONPATH", "")])
        db_url = seed(work)
        token = demo_token(db_url)
        firsts: list[float] = []
        with harness.VoilaServer.start(db_url=db_url, log_path=work / "serve.log", notebooks=notebook.parent,
                                       apps=[notebook.name]) as server, sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(harness.CHROMIUM), headless=True,
                args=[*harness.CHROMIUM_ARGS, "--proxy-server=http://127.0.0.1:9",
                      "--proxy-bypass-list=127.0.0.1"])
            url = server.app_url(notebook.name, token=token)
            # Since one link holds one kernel, the last run's kernel must be gone before the next first visit.
            closes = any("its page was closed" in p.read_text() for p in (tree / "workbook").rglob("*.py"))
            for run in range(args.runs):
                if run and closes:
                    server.wait_for_log(r"its page was closed and no other is connected", count=run, timeout=60)
                server.wait_for_log(rf"Kernel pool of {notebook.name} is filled", count=run + 1, timeout=120)
                server.wait_for_quiet_kernels()
                load = os.getloadavg()[0]
                trace, first, metrics = trace_once(browser, url, harness.WIDGET_SELECTOR, args.profile)
                firsts.append(first)
                lines, figures = timeline(trace, first)
                print(f"\n--- {tree.name} run {run + 1}: first input {first:.3f} s (load {load:.1f})")
                print("\n".join(lines))
                print("main thread s: " + ", ".join(
                    f"{name} {metrics.get(name, 0):.3f}"
                    for name in ("TaskDuration", "ScriptDuration", "RecalcStyleDuration", "LayoutDuration")))
                if args.profile:
                    print("\n".join(profile_summary(trace)))
                print("counts: " + ", ".join(f"{k} {v:,.0f}" for k, v in figures.items()))
            browser.close()
        print(f"\n{tree.name}: first input median {statistics.median(firsts):.3f} s of {firsts}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The kernel zygote imports the results libraries once it is idle, and never forks with a second thread."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import psutil

from workbook.serve import zygote


def test_after_ready_the_idle_zygote_imports_the_results_libraries_and_stays_single_threaded() -> None:
    ours, theirs = socket.socketpair()
    process = subprocess.Popen([sys.executable, "-m", "workbook.serve.zygote", str(theirs.fileno())],
                               pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL)
    theirs.close()
    try:
        ours.settimeout(180)
        reader = ours.makefile("rb")  # holds the socket open until it is closed too
        ready = json.loads(reader.readline())
        assert ready["ready"] and ready["threads"] == 1 and ready["failed"] == []
        maps = Path(f"/proc/{process.pid}/maps")
        assert "pandas" not in maps.read_text(), "the first kernels must not wait for the results libraries"
        later = json.loads(reader.readline())  # once idle, it imports them and says so
        assert later == {"later": "done", "failed": []}
        libraries = maps.read_text()
        assert "pandas/_libs" in libraries
        # vl-convert (a V8 engine) is the server's chart renderer's, never a kernel's to share
        assert "vl_convert" not in libraries
        assert len(list(Path(f"/proc/{process.pid}/task").iterdir())) == 1  # no BLAS worker thread
        # kernels (forked from it, so of its niceness) give way to the server
        assert psutil.Process(process.pid).nice() == min(19, os.nice(0) + zygote.KERNEL_NICENESS)
        assert process.poll() is None
    finally:
        reader.close()
        ours.close()  # the zygote ends when the server's end closes
        process.wait(30)


def test_an_import_that_starts_a_thread_ends_the_zygote(tmp_path: Path) -> None:
    (tmp_path / "spawns_a_thread.py").write_text(
        "import threading, time\nthreading.Thread(target=time.sleep, args=(30,), daemon=True).start()\n")
    script = (
        "import socket, sys\n"
        f"sys.path.insert(0, {str(tmp_path)!r})\n"
        "from workbook.serve import zygote\n"
        "ours, theirs = socket.socketpair()\n"
        "zygote.serve(theirs, later=('json', 'spawns_a_thread', 'colorsys'))\n"
        "print('ended', 'colorsys' in sys.modules, ours.recv(4096).decode().strip())\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    # it stopped at the module that started a thread, and told the server why
    assert done.stdout.strip() == 'ended False {"later": "spawns_a_thread", "threads": 2}'

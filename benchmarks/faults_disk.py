"""Fault: the disk holding a SQLite database runs full (issue #12 part 3).

A small tmpfs is mounted (as root directly, otherwise inside ``unshare -rm``, a
user namespace of our own) and the database made on it.  Then:

1. people save answers through the store while a filler file takes the rest of
   the space, until the disk is full;
2. every save that failed must fail with :class:`~workbook.errors.DiskFullError`
   (one line, naming the database, saying to free space), and the command line
   (``workbook org create`` on the full disk) must print that one line and exit
   2 with no traceback;
3. the filler is removed: the database opens, ``PRAGMA integrity_check`` says
   ``ok``, every acknowledged answer is there with its value, and a new save works.

    .venv/bin/python benchmarks/faults_disk.py                 # 3 runs
    .venv/bin/python benchmarks/faults_disk.py --times 10 --size-mb 4

Prints per run: answers acknowledged before the disk was full, failed saves and
their message, lost, integrity, seconds to recover once space is freed; then a
one-line summary.  Exit status 1 when anything was lost, a message was wrong
or the database did not pass its check.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
INSIDE_FLAG = "--inside-namespace"
#: Written into a filler file until the disk says no; 64 KiB at a time, then byte by byte.
_CHUNK = 64 * 1024
#: Room given back after the disk is full, so that saves fill it again mid-write.
ROOM = 192 * 1024


@dataclass
class DiskRun:
    """What one run of filling the disk found."""

    acknowledged: int = 0
    failed_saves: int = 0
    lost: int = 0
    integrity: str = ""
    messages: set[str] = field(default_factory=set)
    other_errors: list[str] = field(default_factory=list)
    cli_exit: int | None = None
    cli_output: str = ""
    saved_after: bool = False
    recover_seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return (self.lost == 0 and self.integrity == "ok" and self.failed_saves > 0 and not self.other_errors
                and all(m.startswith("the disk holding the database ") for m in self.messages)
                and self.cli_ok and self.saved_after)

    @property
    def cli_ok(self) -> bool:
        lines = self.cli_output.strip().splitlines()
        return (self.cli_exit == 2 and len(lines) == 1 and "is full" in lines[0]
                and "Traceback" not in self.cli_output)


# --- a small disk -----------------------------------------------------------------------
@contextlib.contextmanager
def small_disk(size_mb: float) -> Iterator[Path]:
    """A tmpfs of ``size_mb`` MiB mounted on a new folder (needs root, or a user namespace)."""
    folder = Path(tempfile.mkdtemp(prefix="workbook-fulldisk-"))
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={int(size_mb * 1024)}k", "tmpfs", str(folder)],
                   check=True, capture_output=True)
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False, capture_output=True)
        with contextlib.suppress(OSError):
            folder.rmdir()


def can_mount() -> str:
    """How this process can mount a tmpfs: "root", "unshare" or "" (neither)."""
    if os.geteuid() == 0:
        probe = Path(tempfile.mkdtemp(prefix="workbook-mount-probe-"))
        try:
            mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(probe)],
                                     capture_output=True).returncode == 0
            if mounted:
                subprocess.run(["umount", str(probe)], capture_output=True)
                return "root"
        finally:
            probe.rmdir()
    if shutil.which("unshare") and subprocess.run(
            ["unshare", "-rm", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt 2>/dev/null || "
             "d=$(mktemp -d) && mount -t tmpfs -o size=64k tmpfs $d"], capture_output=True).returncode == 0:
        return "unshare"
    return ""


def fill(folder: Path) -> Path:
    """Write a filler file in ``folder`` until the disk is full; returns it."""
    filler = folder / "filler.bin"
    with filler.open("wb", buffering=0) as stream:
        for size in (_CHUNK, 4096, 1):
            block = b"\0" * size
            with contextlib.suppress(OSError):
                while True:
                    stream.write(block)
    return filler


# --- one run -----------------------------------------------------------------------------
def one_run(folder: Path, people: int = 5) -> DiskRun:
    """Make a database in ``folder`` (the small disk), fill the disk while saving, then free it."""
    from workbook.errors import DiskFullError, WorkbookError
    from workbook.framework import load_framework
    from workbook.people_csv import PersonRow
    from workbook.store import open_store

    run = DiskRun()
    framework = load_framework()
    statements = [s.id for s in framework.statements]
    db = folder / "workbook.db"
    url = f"sqlite:///{db}"
    acknowledged: dict[tuple[int, str], int] = {}
    with open_store(url) as store:
        store.organisations.create("Disk test", "disk", threshold=3)
        store.people.import_rows("disk", [PersonRow(name=f"P {n}", email=f"p{n}@example.org", role="staff",
                                                    team="A") for n in range(people)])
        cycle = store.responses.cycle("disk").id
        ids = [i.person.id for i in store.people.invites("disk")]
        filler = None
        turn = 0
        # Save until well after the disk is full: the filler takes the space in steps,
        # so some saves land while there is room and some when there is none.
        while run.failed_saves < 10:
            person, statement = ids[turn % len(ids)], statements[(turn // len(ids)) % len(statements)]
            rating = 1 + turn % 5
            comment = f"Comment {turn} " + "x" * 1900  # fill pages quickly
            turn += 1
            if turn == 20:  # full, then a little room again: the saves after run into the end mid-write
                filler = fill(folder)
                os.truncate(filler, max(0, filler.stat().st_size - ROOM))
            try:
                store.responses.save_answer(person, cycle, statement, rating, framework=framework, comment=comment)
            except DiskFullError as error:
                run.failed_saves += 1
                run.messages.add(str(error))
                continue
            except WorkbookError as error:
                run.other_errors.append(f"{type(error).__name__}: {error}")
                run.failed_saves += 1
                continue
            acknowledged[(person, statement)] = rating
            if turn > 2000:
                run.other_errors.append("the disk never filled")
                break
    run.acknowledged = len(acknowledged)
    env = {**os.environ, "WORKBOOK_DB": url}
    cli = subprocess.run([sys.executable, "-c", "from workbook.cli import main; main()", "--db", url,
                          "org", "create", "Another organisation " + "y" * 50],
                         capture_output=True, text=True, env=env, timeout=120)
    run.cli_exit, run.cli_output = cli.returncode, (cli.stdout + cli.stderr)
    began = time.monotonic()
    if filler is not None:
        filler.unlink()
    with open_store(url) as store:
        stored = {(a.person_id, a.statement_id): a.rating for a in _answers(store, cycle)}
        store.responses.save_answer(ids[0], cycle, statements[-1], 2, framework=framework, comment="After")
        run.saved_after = True
    run.recover_seconds = time.monotonic() - began
    run.lost = sum(1 for key, rating in acknowledged.items() if stored.get(key) != rating)
    with contextlib.closing(sqlite3.connect(db)) as connection:
        run.integrity = connection.execute("PRAGMA integrity_check").fetchone()[0]
    return run


def _answers(store: object, cycle: int) -> list[object]:
    from sqlalchemy import select

    from workbook.store.tables import Answer

    engine = store.engine  # type: ignore[attr-defined]
    with engine.connect() as connection:
        return list(connection.execute(select(Answer.person_id, Answer.statement_id, Answer.rating)
                                       .where(Answer.cycle_id == cycle)).all())


def run_disk_faults(times: int, size_mb: float = 2.0) -> list[DiskRun]:
    """``times`` runs, each on a fresh small disk (mounted here: call as root or in a namespace)."""
    runs = []
    for _ in range(times):
        with small_disk(size_mb) as folder:
            runs.append(one_run(folder))
    return runs


def report(runs: list[DiskRun]) -> str:
    lines = []
    for n, run in enumerate(runs, 1):
        lines.append(f"run {n}: acknowledged {run.acknowledged}, failed saves {run.failed_saves}, lost {run.lost}, "
                     f"integrity {run.integrity}, command line exit {run.cli_exit}, saved after freeing "
                     f"{'yes' if run.saved_after else 'no'}, recovered in {run.recover_seconds:.2f} s")
        lines += [f"  message: {m}" for m in sorted(run.messages)]
        lines += [f"  command line said: {line}" for line in run.cli_output.strip().splitlines()[:5]]
        lines += [f"  other error: {e}" for e in run.other_errors[:5]]
    load = os.getloadavg()
    bad = sum(1 for r in runs if not r.ok)
    lines.append(f"disk full: runs {len(runs)}, acknowledged answers {sum(r.acknowledged for r in runs)}, "
                 f"lost {sum(r.lost for r in runs)}, integrity "
                 f"{'ok' if all(r.integrity == 'ok' for r in runs) else 'FAILED'}, failed runs {bad}, "
                 f"recover max {max((r.recover_seconds for r in runs), default=0):.2f} s "
                 f"(load average {load[0]:.2f})")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--times", type=int, default=3, help="runs, each on a fresh small disk [default: 3]")
    parser.add_argument("--size-mb", type=float, default=2.0, help="size of the small disk [default: 2]")
    parser.add_argument(INSIDE_FLAG, action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    how = "root" if args.inside_namespace else can_mount()
    if not how:
        print("disk full: cannot mount a small tmpfs here (not root, and no user namespaces): not run")
        return 1
    if how == "unshare":  # the same command again, inside a user and mount namespace of its own
        return subprocess.run(["unshare", "-rm", sys.executable, __file__, *(argv or sys.argv[1:]), INSIDE_FLAG],
                              check=False).returncode
    with tempfile.TemporaryDirectory(prefix="workbook-faults-disk-") as keys:
        os.environ.setdefault("WORKBOOK_KEY_FILE", str(Path(keys) / "secret.key"))
        runs = run_disk_faults(args.times, args.size_mb)
    print(report(runs))
    return 0 if all(r.ok for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())

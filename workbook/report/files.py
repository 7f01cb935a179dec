"""Writing report files so that nobody ever opens a half-written one.

A report folder is often shared (a synced drive, a web server) while a batch
runs.  Every file is written to a temporary file in the *same* folder, flushed
to disk, and moved into place with :func:`os.replace`, which is atomic on one
file system: a reader sees the old file or the new one, never a mix, and an
interrupted run leaves the old file untouched.

A run killed outright (``kill -9``, a power cut) cannot remove its temporary
files, so each one carries the writer's process id
(``.NAME.PID.RANDOM.part``) and :func:`remove_stale_parts`, called when a
batch starts, removes those whose writer is gone - never the files of a
batch still writing into the same folder.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

__all__ = ["atomic_write", "remove_quietly", "remove_stale_parts"]

PART_SUFFIX = ".part"


def atomic_write(path: str | os.PathLike[str], data: str | bytes) -> Path:
    """Write ``data`` (text as UTF-8) to ``path`` atomically; return the path."""
    target = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.{os.getpid()}.",
                                         suffix=PART_SUFFIX)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(payload)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    return target


def remove_quietly(path: str | os.PathLike[str]) -> None:
    """Delete a file if it is there (a stale report of a run that now failed)."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


def remove_stale_parts(folder: str | os.PathLike[str]) -> list[Path]:
    """Remove the temporary files of writers that died (killed mid-run) from ``folder``; return them."""
    removed = []
    for path in Path(folder).glob(f".*{PART_SUFFIX}"):
        fields = path.name[: -len(PART_SUFFIX)].split(".")
        if len(fields) < 4 or not fields[-2].isdigit() or _alive(int(fields[-2])):
            continue  # not ours, or its writer is still at work
        remove_quietly(path)
        removed.append(path)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True

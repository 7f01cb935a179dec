"""Writing report files so that nobody ever opens a half-written one.

A report folder is often shared (a synced drive, a web server) while a batch
runs.  Every file is written to a temporary file in the *same* folder, flushed
to disk, and moved into place with :func:`os.replace`, which is atomic on one
file system: a reader sees the old file or the new one, never a mix, and an
interrupted run leaves the old file untouched (and no stray temporary file,
except after a power cut).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

__all__ = ["atomic_write", "remove_quietly"]


def atomic_write(path: str | os.PathLike[str], data: str | bytes) -> Path:
    """Write ``data`` (text as UTF-8) to ``path`` atomically; return the path."""
    target = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
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

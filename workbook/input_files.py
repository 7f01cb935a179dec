"""Reading a file a person names (a people CSV, a framework YAML) without trusting it.

A path on the command line can name anything: ``/dev/zero`` (reading it never
ends and fills memory), a FIFO (reading it waits for ever), a folder, or a
gigabyte log file passed by mistake.  So the file is opened without blocking,
checked to be a regular file of at most ``max_bytes`` *before* any of it is
read, and then read no further than that limit (a file that grows while it is
read is still cut off).  Each refusal is one :class:`InputError` line that
names the file and says what to do.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from workbook.errors import InputError

__all__ = ["read_input_file"]


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:g} MB"


def read_input_file(path: str | Path, max_bytes: int, *, kind: str = "file") -> bytes:
    """The bytes of the regular file ``path``, at most ``max_bytes`` of them, or InputError."""
    shown = str(path)
    try:
        # O_NONBLOCK: opening a FIFO with no writer must not wait; it is refused below.
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except ValueError:  # a NUL in the name: no file can have it
        raise InputError(f"{shown!r}: is not a possible file name (it contains a NUL character)") from None
    except FileNotFoundError:
        raise InputError(f"{shown}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{shown}: is a folder, not a file") from None
    except PermissionError:
        raise InputError(f"{shown}: cannot be read (permission denied)") from None
    except OSError as error:
        if error.errno == errno.ENXIO:  # a socket, or a FIFO nobody writes to on some systems
            raise InputError(f"{shown}: is not a regular file; give the path of a saved {kind}") from None
        raise InputError(f"{shown}: cannot be read ({error.strerror or error})") from None
    try:
        info = os.fstat(descriptor)
        if stat.S_ISDIR(info.st_mode):
            raise InputError(f"{shown}: is a folder, not a file")
        if not stat.S_ISREG(info.st_mode):
            raise InputError(
                f"{shown}: is not a regular file (a device, pipe or socket); give the path of a saved {kind}"
            )
        if info.st_size > max_bytes:
            raise InputError(
                f"{shown}: is {info.st_size / 1_000_000:.1f} MB, over the {_megabytes(max_bytes)} limit "
                f"for a {kind}; is it the right file?"
            )
        if hasattr(os, "O_NONBLOCK"):  # not on Windows, where it was never set
            os.set_blocking(descriptor, True)
        data = _read_up_to(descriptor, max_bytes + 1)
    except OSError as error:
        raise InputError(f"{shown}: cannot be read ({error.strerror or error})") from None
    finally:
        os.close(descriptor)
    if len(data) > max_bytes:
        raise InputError(f"{shown}: grew beyond the {_megabytes(max_bytes)} limit for a {kind} while being read")
    return data


def _read_up_to(descriptor: int, limit: int) -> bytes:
    """At most ``limit`` bytes from an open file, however the reads are split."""
    chunks: list[bytes] = []
    remaining = limit
    while remaining > 0:
        chunk = os.read(descriptor, min(remaining, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)

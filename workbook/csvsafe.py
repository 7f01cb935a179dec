"""CSV files that are safe to open in a spreadsheet.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab, a carriage return or
a NUL can run as a formula in Excel or LibreOffice (OWASP ASVS 1.2.10);
quoting does not stop it.  Every CSV a person may open goes through here, and
such cells are prefixed with ``'``.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from typing import IO

__all__ = ["safe_cell", "write_csv"]

_DANGEROUS_FIRST = ("=", "+", "-", "@", "\t", "\r", "\x00")


def safe_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_DANGEROUS_FIRST) else text


def write_csv(out: IO[str], header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])

"""Writing an organisation's measure values as CSV, in the format ``measures import`` reads.

Export, edit in a spreadsheet, import again: the columns are the import's
(``cycle,measure,value,note``) and the values are written in full, so an
unedited export imports as "0 changed".  Every cell goes through
:mod:`workbook.csvsafe`, so a note typed as ``=HYPERLINK(...)`` opens as text;
the ``'`` that adds is taken off again on import (:func:`unprotect_note`).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import IO, Final

from workbook.csvsafe import write_csv
from workbook.measures.csv_file import COLUMNS
from workbook.store.measures import MeasureValueRecord

__all__ = ["measures_csv", "plain_number", "write_measures_csv"]

_BOM: Final = "\ufeff"


def plain_number(value: float) -> str:
    """A value in full, with no exponent or trailing ``.0``: ``95``, ``42.125``, ``1234567``."""
    if value == int(value):
        return str(int(value))
    return repr(float(value))


def _rows(records: Iterable[MeasureValueRecord]) -> list[Sequence[str]]:
    return [(r.cycle_label, r.measure_id, plain_number(r.value), r.note or "") for r in records]


def write_measures_csv(out: IO[str], records: Iterable[MeasureValueRecord]) -> int:
    """Write the CSV (no byte-order mark: for standard output) and return the number of values."""
    rows = _rows(records)
    write_csv(out, COLUMNS, rows)
    return len(rows)


def measures_csv(records: Iterable[MeasureValueRecord], *, bom: bool = True) -> str:
    """The CSV file's text, with a byte-order mark so Excel reads it as UTF-8 unless ``bom=False``."""
    buffer = io.StringIO()
    write_measures_csv(buffer, records)
    return (_BOM if bom else "") + buffer.getvalue()

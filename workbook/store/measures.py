"""The customer scorecard's repository: measure values per organisation and cycle.

Usage::

    saved = store.measures.set(org.id, cycle.id, "first-contact", "87.5", framework=framework, by="Sam")
    for record in store.measures.list(org.id):
        print(record.cycle_label, record.measure_id, record.value)
    result = store.measures.import_rows(org.id, rows, framework=framework, by="import")

Every value is checked against its measure in the framework's catalogue
(:meth:`workbook.framework.Measure.check_value`) here, because a browser or a
CSV file can send anything.  :meth:`Measures.import_rows` writes a whole file
in one transaction: every row is stored or none is.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from workbook.errors import ConflictError, InputError, NotFoundError
from workbook.framework import Framework
from workbook.store._base import Repository, as_utc, utcnow
from workbook.store.measure_tables import MeasureValue
from workbook.store.tables import Cycle, Organisation
from workbook.text import clean_line, clean_paragraphs, quoted

__all__ = ["NOTE_MAX", "ImportResult", "MeasureValueRecord", "Measures", "StaleValueError", "ValueRow", "check_note"]

#: A note says where a figure came from ("phone system report, Oct-Dec"); a paragraph at most.
NOTE_MAX = 500


@dataclass(frozen=True, slots=True)
class MeasureValueRecord:
    """One stored figure: which cycle, which measure, the value, and who last changed it."""

    cycle_id: int
    cycle_label: str
    measure_id: str
    value: float
    note: str | None
    version: int
    updated_at: datetime
    updated_by: str | None


@dataclass(frozen=True, slots=True)
class ValueRow:
    """One value to import, already checked by the CSV reader (cycle given by its label)."""

    cycle_label: str
    measure_id: str
    value: float
    note: str | None


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an import did, so a second run of the same file can say "0 changed"."""

    added: int
    changed: int
    unchanged: int

    @property
    def total(self) -> int:
        return self.added + self.changed + self.unchanged


class StaleValueError(ConflictError):
    """Somebody else changed this value after it was loaded; ``current`` is what is stored now (None: removed)."""

    def __init__(self, message: str, current: MeasureValueRecord | None) -> None:
        super().__init__(message)
        self.current = current


def _stale(name: str, current: MeasureValueRecord | None) -> StaleValueError:
    who = f"someone else ({current.updated_by})" if current is not None and current.updated_by else "someone else"
    return StaleValueError(f"{who} changed {name} after you opened it; their figure is shown now, so enter "
                           "yours again if it is still needed", current)


def check_note(note: object) -> str | None:
    """A note as stored: trimmed, at most :data:`NOTE_MAX` characters, None for nothing."""
    return clean_paragraphs(note, "note", max_length=NOTE_MAX)


def _record(row: MeasureValue, label: str) -> MeasureValueRecord:
    return MeasureValueRecord(row.cycle_id, label, row.measure_id, row.value, row.note, row.version,
                              as_utc(row.updated_at), row.updated_by)


class Measures(Repository):
    """Set, list and delete the scorecard's values; one short transaction per call."""

    def set(self, org_id: str, cycle_id: int, measure_id: str, value: object, *, framework: Framework,
            note: object = None, by: str | None = None, expected_version: int | None = None) -> MeasureValueRecord:
        """Store (or replace) one value; it is checked against the measure's range first.

        ``expected_version`` is the version the edit started from (0: there was
        no value); if someone else saved a different figure since, the edit is
        refused with :class:`StaleValueError` instead of overwriting theirs.
        Without it the last save wins, as an import does.
        """
        measure = framework.measure(measure_id)
        number = measure.check_value(value)
        clean_note = check_note(note)
        who = _check_by(by)
        with self._tx.writing() as session:
            cycle = _cycle(session, org_id, cycle_id)
            if expected_version is not None:
                stored = _find(session, cycle.id, measure_id)
                found = stored.version if stored is not None else 0
                agreed = stored is not None and (stored.value, stored.note) == (number, clean_note)
                if found != expected_version and not agreed:  # two people typing the same figure agree
                    raise _stale(measure.name, _record(stored, cycle.label) if stored is not None else None)
            row = _upsert(session, cycle.id, measure_id, number, clean_note, who)[0]
            return _record(row, cycle.label)

    def list(self, org_id: str) -> builtins.list[MeasureValueRecord]:
        """Every value of the organisation, oldest cycle first, then by measure id."""
        with self._tx.reading() as session:
            _organisation(session, org_id)
            query = (select(MeasureValue, Cycle.label).join(Cycle, Cycle.id == MeasureValue.cycle_id)
                     .where(Cycle.organisation_id == org_id)
                     .order_by(Cycle.created_at, Cycle.id, MeasureValue.measure_id))
            return [_record(row, label) for row, label in session.execute(query)]

    def of_cycle(self, org_id: str, cycle_id: int) -> dict[str, MeasureValueRecord]:
        """The values of one cycle, by measure id."""
        with self._tx.reading() as session:
            cycle = _cycle(session, org_id, cycle_id)
            rows = session.scalars(select(MeasureValue).where(MeasureValue.cycle_id == cycle.id))
            return {row.measure_id: _record(row, cycle.label) for row in rows}

    def delete(self, org_id: str, cycle_id: int, measure_id: str, *, expected_version: int | None = None) -> bool:
        """Remove one value (a figure entered by mistake); False when there was none.

        With ``expected_version``, a value someone else changed since is kept and
        :class:`StaleValueError` raised, as for :meth:`set`.
        """
        with self._tx.writing() as session:
            cycle = _cycle(session, org_id, cycle_id)
            stored = _find(session, cycle.id, measure_id)
            if expected_version is not None and stored is not None and stored.version != expected_version:
                raise _stale(measure_id, _record(stored, cycle.label))
            result = session.execute(delete(MeasureValue).where(MeasureValue.cycle_id == cycle.id,
                                                                 MeasureValue.measure_id == measure_id))
            return bool(getattr(result, "rowcount", 0))

    def import_rows(self, org_id: str, rows: Sequence[ValueRow], *, framework: Framework,
                    by: str | None = None) -> ImportResult:
        """Store every row in one transaction; a row equal to what is stored changes nothing.

        Each row is checked again here (whoever built it), and an unknown cycle
        label stops the whole import before anything is written.
        """
        who = _check_by(by)
        checked = [(r.cycle_label, r.measure_id, framework.measure(r.measure_id).check_value(r.value),
                    check_note(r.note)) for r in rows]
        added = changed = unchanged = 0
        with self._tx.writing() as session:
            _organisation(session, org_id)
            cycles = {c.label: c for c in session.scalars(select(Cycle).where(Cycle.organisation_id == org_id))}
            for label, measure_id, number, note in checked:
                cycle = cycles.get(label)
                if cycle is None:
                    known = ", ".join(sorted(cycles)) or "none"
                    raise NotFoundError(f"{quoted(org_id)} has no cycle called {quoted(label)} (known: {known})")
                outcome = _upsert(session, cycle.id, measure_id, number, note, who)[1]
                added += outcome == "added"
                changed += outcome == "changed"
                unchanged += outcome == "unchanged"
        return ImportResult(added, changed, unchanged)


def _check_by(by: str | None) -> str | None:
    """Who made the change, as shown beside the value; None when nobody was named."""
    if by is None:
        return None
    return clean_line(by, "who made the change", max_length=100, required=False) or None


def _organisation(session: Session, org_id: str) -> Organisation:
    organisation = session.get(Organisation, org_id)
    if organisation is None:
        raise NotFoundError(f"no organisation with the id {quoted(org_id)} (see: workbook org list)")
    return organisation


def _cycle(session: Session, org_id: str, cycle_id: int) -> Cycle:
    """The cycle, refused unless it belongs to ``org_id`` (a facilitator sees only their own)."""
    _organisation(session, org_id)
    cycle = session.get(Cycle, cycle_id) if isinstance(cycle_id, int) and not isinstance(cycle_id, bool) else None
    if cycle is None or cycle.organisation_id != org_id:
        raise InputError(f"{quoted(org_id)} has no cycle number {cycle_id}")
    return cycle


def _find(session: Session, cycle_id: int, measure_id: str) -> MeasureValue | None:
    return session.scalars(select(MeasureValue).where(MeasureValue.cycle_id == cycle_id,
                                                      MeasureValue.measure_id == measure_id)).first()


def _upsert(session: Session, cycle_id: int, measure_id: str, value: float, note: str | None,
            by: str | None) -> tuple[MeasureValue, str]:
    """Insert or update one value; say whether it was added, changed or already so."""
    row = _find(session, cycle_id, measure_id)
    if row is None:
        row = MeasureValue(cycle_id=cycle_id, measure_id=measure_id, value=value, note=note, version=1,
                           updated_at=utcnow(), updated_by=by)
        session.add(row)
        session.flush()
        return row, "added"
    if row.value == value and row.note == note:
        return row, "unchanged"
    row.value = value
    row.note = note
    row.version += 1
    row.updated_at = utcnow()
    row.updated_by = by
    session.flush()
    return row, "changed"

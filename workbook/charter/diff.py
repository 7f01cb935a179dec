"""Comparing two versions of a charter: what was added, removed or changed.

Promises have no identity that survives editing (the team rewrites them), so
they are paired up in three passes: identical wording first, then the same
starter promise, then wording at least :data:`MATCH_CUTOFF` similar
(:func:`~workbook.charter.checks.similarity`), best pairs first.  Whatever is
left over was removed (old) or added (new).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal

from workbook.charter.checks import similarity
from workbook.charter.records import CharterRecord, PromiseRecord

__all__ = ["FIELD_LABELS", "FOUNDATION_LABELS", "MATCH_CUTOFF", "ChangeKind", "FoundationChange", "PromiseChange",
           "compare_foundation", "compare_promises", "summarise"]

ChangeKind = Literal["added", "removed", "changed", "unchanged"]

#: Rewordings at least this similar count as the same promise, changed.
MATCH_CUTOFF: Final = 0.5
#: The fields compared, with the words people use for them.
FIELD_LABELS: Final = (
    ("text", "wording"), ("standard", "standard"), ("owner", "owner"), ("review_date", "review date"),
    ("value_id", "value"), ("step_id", "step"), ("measure_id", "measure"), ("target_op", "target"),
    ("target_value", "target"),
)
#: The two texts of the builder's first page, compared between versions too.
FOUNDATION_LABELS: Final = (("brand_promise", "brand promise"), ("common_purpose", "common purpose"))


@dataclass(frozen=True, slots=True)
class FoundationChange:
    """The brand promise or the common purpose, changed between two versions (None: not written)."""

    label: str
    old: str | None
    new: str | None


def compare_foundation(old: CharterRecord, new: CharterRecord) -> list[FoundationChange]:
    """The first-page texts that differ between two versions (ignoring spacing), brand promise first."""
    out = []
    for name, label in FOUNDATION_LABELS:
        before, after = getattr(old, name), getattr(new, name)
        if _norm(before or "") != _norm(after or ""):
            out.append(FoundationChange(label, before, after))
    return out


@dataclass(frozen=True, slots=True)
class PromiseChange:
    """One row of a comparison; positions are 1-based, None where the promise is absent."""

    kind: ChangeKind
    old: PromiseRecord | None
    new: PromiseRecord | None
    old_position: int | None
    new_position: int | None
    fields: tuple[str, ...] = ()  # labels of the changed fields, e.g. ("standard", "owner")

    @property
    def moved(self) -> bool:
        return self.old_position is not None and self.new_position is not None and \
            self.old_position != self.new_position


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def compare_promises(old: Sequence[PromiseRecord], new: Sequence[PromiseRecord]) -> list[PromiseChange]:
    """Every promise of either version, paired where possible, in the new version's order.

    Removed promises are listed where they used to be.
    """
    pairs: dict[int, int] = {}  # old index -> new index
    free_old, free_new = set(range(len(old))), set(range(len(new)))

    def pair(i: int, j: int) -> None:
        pairs[i] = j
        free_old.discard(i)
        free_new.discard(j)

    for i in sorted(free_old):  # 1: identical wording
        for j in sorted(free_new):
            if old[i].text.strip() and _norm(old[i].text) == _norm(new[j].text):
                pair(i, j)
                break
    for i in sorted(free_old):  # 2: the same starter promise
        for j in sorted(free_new):
            if old[i].starter_id and old[i].starter_id == new[j].starter_id:
                pair(i, j)
                break
    scored = sorted(((similarity(old[i].text, new[j].text), i, j) for i in free_old for j in free_new),
                    key=lambda t: (-t[0], t[1], t[2]))
    for score, i, j in scored:  # 3: similar wording, best first
        if score >= MATCH_CUTOFF and i in free_old and j in free_new:
            pair(i, j)

    rows: list[tuple[float, PromiseChange]] = []
    for i, j in pairs.items():
        changed = tuple(dict.fromkeys(label for name, label in FIELD_LABELS
                                      if getattr(old[i], name) != getattr(new[j], name)))
        kind: ChangeKind = "changed" if changed else "unchanged"
        rows.append((j, PromiseChange(kind, old[i], new[j], i + 1, j + 1, changed)))
    for j in free_new:
        rows.append((j, PromiseChange("added", None, new[j], None, j + 1)))
    for i in free_old:
        # Just after the new promise that took its place, or at the end.
        after = max((nj for oi, nj in pairs.items() if oi < i), default=-1)
        rows.append((after + 0.5, PromiseChange("removed", old[i], None, i + 1, None)))
    return [change for _key, change in sorted(rows, key=lambda r: (r[0], r[1].old_position or 0))]


def summarise(changes: Sequence[PromiseChange]) -> str:
    """"2 added, 1 removed, 3 changed, 4 unchanged" (kinds with none left out)."""
    counts = {kind: sum(1 for c in changes if c.kind == kind) for kind in ("added", "removed", "changed",
                                                                           "unchanged")}
    parts = [f"{n} {kind}" for kind, n in counts.items() if n]
    return ", ".join(parts) if parts else "no promises in either version"

"""One run of ``workbook invites ORG --send``: whom to mail, at what pace, and what happened.

The decisions a survey administrator expects (LimeSurvey's invitations and
reminders work the same way):

* an **invitation** goes once per person and cycle: people the log says were
  already sent one for this cycle are skipped, so a run stopped by a crash,
  a dropped server or Ctrl-C carries on where it stopped when run again;
* a **reminder** (``--only not-started|not-submitted``) goes to the people
  who have not answered;
* nobody is mailed twice within ``min_interval`` (any kind, any cycle),
  and ``force`` overrides both rules;
* a message the server refuses is logged as failed with the server's reason
  and the run goes on; a failed message is tried again on the next run;
* messages are paced to ``rate`` a minute (0: as fast as the server takes them);
  a dry run is not paced.

A dry run composes every message (and the outbox writes them) but logs
nothing, so the real run afterwards sends to the same people.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from workbook.errors import MailServerError
from workbook.links import invite_url
from workbook.mail.message import Letter, compose
from workbook.mail.selection import Only, selected_people
from workbook.mail.transport import MessageRefused, Transport
from workbook.store import Store
from workbook.store._base import utcnow
from workbook.store.mail_log import MailHistory, MailKind
from workbook.store.records import PersonRecord

__all__ = ["DEFAULT_MIN_INTERVAL", "DEFAULT_RATE", "Pacer", "Progress", "Request", "Summary", "run_campaign",
           "skip_reason"]

#: Messages a minute.  Exchange Online allows 30 a minute per mailbox and
#: Amazon SES starts accounts at one a second; 60 a minute keeps well inside
#: most providers' limits and still sends 5,000 invitations in under 1.5 hours
#: (``--rate 30`` for Microsoft 365, ``--rate 0`` for a relay of your own).
DEFAULT_RATE = 60
DEFAULT_MIN_INTERVAL = timedelta(days=3)


class Progress(Protocol):
    def update(self, n: int = 1) -> object: ...

    def close(self) -> None: ...


class _NoProgress:
    def update(self, n: int = 1) -> object:
        return None

    def close(self) -> None:
        return None


@dataclass(frozen=True, slots=True)
class Request:
    """What to send in this run."""

    base_url: str
    only: Only | None = None
    min_interval: timedelta = DEFAULT_MIN_INTERVAL
    force: bool = False
    rate: float = DEFAULT_RATE
    dry_run: bool = False

    @property
    def kind(self) -> MailKind:
        return "reminder" if self.only else "invitation"


@dataclass
class Summary:
    """What happened to each person, and the one line that says it."""

    kind: MailKind
    dry_run: bool
    cycle: str
    sent: list[PersonRecord] = field(default_factory=list)
    skipped: list[tuple[PersonRecord, str]] = field(default_factory=list)
    failed: list[tuple[PersonRecord, str]] = field(default_factory=list)
    not_selected: int = 0
    stopped: str | None = None
    interrupted: bool = False
    seconds: float = 0.0

    def line(self) -> str:
        """E.g. ``sent 23, skipped 2 (mailed 1 day ago), failed 1 (refused: 550 5.1.1 ...)``."""
        parts = [f"{'would send' if self.dry_run else 'sent'} {len(self.sent)}"]
        if self.skipped:
            parts.append(f"skipped {len(self.skipped)} ({_grouped(reason for _p, reason in self.skipped)})")
        if self.failed:
            first = self.failed[0][1]
            more = f"; {len(self.failed) - 1} more listed above" if len(self.failed) > 1 else ""
            parts.append(f"failed {len(self.failed)} (refused: {first}{more})")
        return ", ".join(parts)


def _grouped(reasons: Iterable[str]) -> str:
    counts = Counter(reasons)
    if len(counts) == 1:
        return str(next(iter(counts)))
    return "; ".join(f"{n} {reason}" for reason, n in counts.most_common())


def _age(delta: timedelta) -> str:
    seconds = max(0, int(delta.total_seconds()))
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            n = seconds // size
            return f"{n} {unit}{'s' if n != 1 else ''} ago"
    return "just now"


def skip_reason(person_id: int, history: MailHistory, request: Request, cycle: str, now: datetime) -> str | None:
    """Why this person gets no message in this run, or None."""
    if request.force:
        return None
    if request.kind == "invitation" and person_id in history.invited:
        return f"already invited for {cycle}"
    last = history.last_sent.get(person_id)
    if last is not None and now - last < request.min_interval:
        return f"mailed {_age(now - last)}"
    return None


class Pacer:
    """Spaces messages ``60 / rate`` seconds apart, from the first one (no burst after a pause)."""

    def __init__(self, rate: float, clock: Callable[[], float], sleep: Callable[[float], None]) -> None:
        self._gap = 60.0 / rate if rate > 0 else 0.0
        self._clock, self._sleep = clock, sleep
        self._next: float | None = None

    def wait(self) -> None:
        if not self._gap:
            return
        now = self._clock()
        if self._next is not None and now < self._next:
            self._sleep(self._next - now)
            now = self._next
        self._next = now + self._gap


def run_campaign(store: Store, org_id: str, letter: Letter, transport: Transport, request: Request, *,
                 progress: Callable[[int], Progress] = lambda _total: _NoProgress(),
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep,
                 now: Callable[[], datetime] = utcnow) -> Summary:
    """Send (or, in a dry run, compose) this run's messages through ``transport``; never raises for one person."""
    cycle = store.responses.cycle(org_id)
    invites = store.people.invites(org_id)
    summary = Summary(kind=request.kind, dry_run=request.dry_run, cycle=cycle.label)
    wanted = selected_people(store, org_id, cycle.id, request.only) if request.only else None
    history = store.mail_log.history(org_id, cycle.id)
    started = now()
    queue = []
    for invite in invites:
        if wanted is not None and invite.person.id not in wanted:
            summary.not_selected += 1
            continue
        reason = skip_reason(invite.person.id, history, request, cycle.label, started)
        if reason:
            summary.skipped.append((invite.person, reason))
        else:
            queue.append(invite)
    pacer = Pacer(0 if request.dry_run else request.rate, clock, sleep)  # a dry run troubles no server
    bar = progress(len(queue))
    began = clock()
    try:
        for invite in queue:
            pacer.wait()
            message = compose(letter, invite.person, invite_url(invite.token, request.base_url),
                              reminder=request.kind == "reminder", now=now())
            try:
                transport.send(message)
            except MessageRefused as refusal:
                summary.failed.append((invite.person, refusal.reason))
                if not request.dry_run:
                    store.mail_log.record(invite.person.id, cycle.id, request.kind, "failed", refusal.reason)
            else:
                summary.sent.append(invite.person)
                if not request.dry_run:
                    store.mail_log.record(invite.person.id, cycle.id, request.kind, "sent")
            bar.update(1)
    except MailServerError as error:
        summary.stopped = str(error)
    except KeyboardInterrupt:
        summary.interrupted = True
    finally:
        bar.close()
        if summary.sent and not request.dry_run:  # one write for the run: `people list` shows them invited by mail
            store.progress.mark_invited(org_id, [person.id for person in summary.sent], cycle.id, "mail")
        transport.close()
        summary.seconds = clock() - began
    return summary

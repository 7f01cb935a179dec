"""The ``--send`` side of ``workbook invites``: options, checks, progress and the summary.

``workbook invites ORG --send`` mails each person their invitation;
``--only not-started|not-submitted`` makes it a reminder round.  The options
are declared here (:func:`send_options`) and the command hands them to
:func:`send_invitations`, which makes one call into
:func:`workbook.mail.campaign.run_campaign`.

Exit codes: 0 when every message went, 1 when some were refused (listed,
and logged so the next run tries them again), 2 for a problem to fix first
(no server, bad template, the server cannot be reached or stopped taking
messages), 130 for Ctrl-C.  Everything sent before a stop is logged.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from datetime import timedelta
from email.headerregistry import Address
from pathlib import Path
from typing import Any, TypeVar

import click

from workbook.clitools import WholeNumber, _printable, store_of
from workbook.errors import InputError, MailServerError

__all__ = ["EXIT_SOME_FAILED", "MAIL_FROM_ENV_VAR", "parse_interval", "send_invitations", "send_options"]

EXIT_SOME_FAILED = 1
MAIL_FROM_ENV_VAR = "WORKBOOK_MAIL_FROM"
_INTERVAL = re.compile(r"([0-9]{1,4})\s*([dhm]?)")
_UNITS = {"d": "days", "": "days", "h": "hours", "m": "minutes"}
F = TypeVar("F", bound=Callable[..., Any])


def parse_interval(text: str) -> timedelta:
    """``3`` or ``3d`` (days), ``12h``, ``30m``, ``0`` (no interval)."""
    match = _INTERVAL.fullmatch(text.strip().lower())
    if not match:
        raise InputError(f"--min-interval {text!r} must be a number of days (3 or 3d), hours (12h) or minutes (30m)")
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


def send_options(command: F) -> F:
    """The options of ``invites --send``, in the order ``--help`` lists them."""
    from workbook.mail.campaign import DEFAULT_RATE
    from workbook.mail.selection import ONLY_CHOICES
    from workbook.mail.settings import SMTP_ENV_VAR

    options = [
        click.option("--send", is_flag=True, help="Email each person their invitation (or a reminder, with --only)."),
        click.option("--smtp", metavar="URL", envvar=SMTP_ENV_VAR,
                     help=f"Mail server: smtp://user:pass@host:587 (STARTTLS), smtps://user:pass@host:465 or "
                          f"smtp://host:25 (a relay, no login) [default: ${SMTP_ENV_VAR}]."),
        click.option("--smtp-cafile", metavar="FILE",
                     help="Also trust this certificate (PEM), e.g. your own server's self-signed one."),
        click.option("--from", "sender", metavar='"NAME <ADDRESS>"', envvar=MAIL_FROM_ENV_VAR,
                     help=f"Who the messages are from [default: ${MAIL_FROM_ENV_VAR}, else the SMTP user name "
                          "when it is an address]."),
        click.option("--deadline", metavar="DATE",
                     help="The closing date the messages name, e.g. 31/03/2027 or 2027-03-31 "
                          "[default: the cycle's closing date, if it has one]."),
        click.option("--templates", metavar="DIR", help="Your own copy of templates/mail to word the messages."),
        click.option("--only", type=click.Choice(ONLY_CHOICES),
                     help="Only those who have not started (nothing saved yet) / not submitted: with --send, "
                          "reminders; otherwise their links or --cards for a second round."),
        click.option("--min-interval", metavar="TIME", default="3d", show_default=True,
                     help="Never mail a person twice within this (3d, 12h, 30m, 0)."),
        click.option("--force", is_flag=True,
                     help="Mail even people invited already or mailed within --min-interval."),
        click.option("--rate", type=WholeNumber(0, 100_000), default=DEFAULT_RATE, show_default=True,
                     help="Messages per minute (0: as fast as the server takes them)."),
        click.option("--dry-run", is_flag=True, help="Compose every message but send nothing and log nothing."),
        click.option("--outbox", metavar="DIR", help="With --dry-run: write each message to DIR as an .eml file."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


_MAIL_ONLY = ("smtp_cafile", "deadline", "templates", "force", "dry_run", "outbox")


def check_not_sending(options: dict[str, Any]) -> None:
    """Refuse mail options on a plain listing: ``--only`` without ``--send`` would look like it did something."""
    given = [name for name in _MAIL_ONLY if options.get(name)]
    if given:
        shown = ", ".join("--" + name.replace("_", "-") for name in given)
        raise InputError(f"{shown} only work{'s' if len(given) == 1 else ''} with --send")


def _sender(sender: str | None, username: str | None) -> Address:
    from workbook.mail.message import parse_sender

    if sender:
        return parse_sender(sender)
    if username and "@" in username:
        return parse_sender(username)
    raise InputError(f'say who the messages are from: --from "Your Name <you@example.org>" (or ${MAIL_FROM_ENV_VAR})')


def send_invitations(ctx: click.Context, org_id: str, base_url: str, *, smtp: str | None, smtp_cafile: str | None,
                     sender: str | None, deadline: str | None, templates: str | None, only: str | None,
                     min_interval: str, force: bool, rate: int, dry_run: bool, outbox: str | None) -> None:
    """Check everything, send, print the summary, exit with the code above."""
    from workbook.dates import parse_day
    from workbook.links import loopback_warning
    from workbook.mail.campaign import Request, run_campaign
    from workbook.mail.message import Letter
    from workbook.mail.selection import Only
    from workbook.mail.settings import parse_smtp_url
    from workbook.mail.templates import MailTemplates
    from workbook.mail.transport import DiscardTransport, OutboxTransport, SmtpTransport, Transport

    if outbox and not dry_run:
        raise InputError("--outbox writes the messages instead of sending them: add --dry-run")
    if not smtp and not dry_run:
        raise InputError("say which mail server to send through: --smtp smtp://user:password@host:587 "
                         "(or $WORKBOOK_SMTP), or try it first with --dry-run --outbox DIR")
    settings = parse_smtp_url(smtp, cafile=smtp_cafile) if smtp else None
    letter_from = _sender(sender, settings.username if settings else None)
    interval = parse_interval(min_interval)
    mail_templates = MailTemplates(Path(templates) if templates else None)
    store = store_of(ctx)
    day = parse_day(deadline, "--deadline") if deadline else store.responses.cycle(org_id).closes_on
    record = store.organisations.get(org_id)
    letter = Letter(sender=letter_from, organisation=record.name, threshold=record.anonymity_threshold,
                    deadline=day, templates=mail_templates)
    only_choice: Only | None = "not-started" if only == "not-started" else "not-submitted" if only else None
    request = Request(base_url=base_url, only=only_choice, min_interval=interval, force=force, rate=rate,
                      dry_run=dry_run)
    transport: Transport
    if dry_run:
        transport = OutboxTransport(Path(outbox)) if outbox else DiscardTransport()
        via = f"into {outbox}" if outbox else "(dry run: nothing is sent or written)"
    else:
        assert settings is not None
        transport = SmtpTransport(settings, warn=lambda text: click.echo(f"workbook: warning: {text}", err=True))
        via = f"through {settings.shown}"
    cycle = store.responses.cycle(org_id).label
    kind = "reminders" if request.kind == "reminder" else "invitations"
    pace = f" at {rate} a minute" if rate and not dry_run else ""

    def announce(total: int) -> Any:
        from tqdm import tqdm  # type: ignore[import-untyped]

        minutes = f", about {max(1, round(total / rate))} min" if pace and total else ""
        click.echo(f"{'Composing' if dry_run else 'Sending'} {total} {kind} for {record.name} ({cycle}) "
                   f"{via}{pace}{minutes}.", err=True)
        if warning := loopback_warning(base_url):  # a mailed link to this laptop opens for nobody else
            click.echo(warning, err=True)
        return tqdm(total=total, file=sys.stderr, unit="msg", disable=not sys.stderr.isatty(), leave=False)

    summary = run_campaign(store, org_id, letter, transport, request, progress=announce)
    for person, reason in summary.failed:
        click.echo(_printable(f"failed: {person.name} <{person.email}>: {reason}"), err=True)
    if summary.stopped and not summary.sent and not summary.failed:
        raise MailServerError(summary.stopped)
    click.echo(_printable(summary.line()))
    if summary.not_selected:
        one = summary.not_selected == 1
        done = "submitted" if only == "not-submitted" else "started or submitted"
        click.echo(f"({summary.not_selected} {'person has' if one else 'people have'} {done}: no reminder.)")
    if summary.stopped:
        raise MailServerError(f"stopped: {summary.stopped}")
    if summary.interrupted:
        click.echo("Interrupted: everything sent so far is logged; run the same command again to carry on.", err=True)
        sys.exit(130)
    if summary.failed:
        sys.exit(EXIT_SOME_FAILED)


"""The ``workbook`` command: parse the arguments, make one call into the package.

Heavy imports (SQLAlchemy, pandas, papermill) happen inside the commands, so
``workbook --help`` answers at once.  A :class:`~workbook.errors.WorkbookError`
ends the command with its message on stderr and exit code 2; anything else is
a bug and keeps its traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NoReturn

import click

from workbook.clitools import WHOLE_NUMBER, WholeNumber, WorkbookGroup, store_of
from workbook.links import DEFAULT_BASE_URL
from workbook.mail.command import send_options
from workbook.serve import options as serve_options  # cheap: loads neither voila nor jupyter_server
from workbook.settings import DB_ENV, DEFAULT_DB_FILE, DEFAULT_THRESHOLD
from workbook.text import quoted

if TYPE_CHECKING:
    from datetime import date, datetime

    from workbook.progress import PersonStatus

__all__ = ["cli", "main"]

_DB_HELP = f"Database: a SQLite file path or a postgresql:// URL. [default: ${DB_ENV} or ./{DEFAULT_DB_FILE}]"


@click.group(cls=WorkbookGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--db", metavar="URL", envvar=DB_ENV, help=_DB_HELP)
@click.version_option(package_name="dime-workbook", prog_name="workbook")
@click.pass_context
def cli(ctx: click.Context, db: str | None) -> None:
    """DIME Workbook: values self-assessment, DIME™ steps workshop and service charter.

    DIME™ is a trademark of Chris Smoje (dimecustomerservice.com); this workbook
    uses the framework with credit and does not claim it.
    """
    ctx.ensure_object(dict)
    ctx.obj["db"] = db


# --- organisations -----------------------------------------------------------
@cli.group(cls=WorkbookGroup)
def org() -> None:
    """Create, list and delete organisations."""


@org.command("create")
@click.argument("name")
@click.option("--id", "slug", metavar="SLUG", help="Short id used in commands and file names [default: from NAME].")
@click.option("--threshold", type=WHOLE_NUMBER, default=DEFAULT_THRESHOLD, show_default=True,
              help="Anonymity threshold: no group smaller than this is ever shown.")
@click.option("--cycle", "cycle", metavar="LABEL", help="First assessment cycle [default: this quarter, e.g. 2026-Q4].")
@click.pass_context
def org_create(ctx: click.Context, name: str, slug: str | None, threshold: int, cycle: str | None) -> None:
    """Create an organisation called NAME and open its first assessment cycle."""
    store = store_of(ctx)
    record = store.organisations.create(name, slug, threshold=threshold, first_cycle=cycle)
    current = store.responses.cycle(record.id)
    click.echo(f"Created {record.name} (id: {record.id}, cycle {current.label}, anonymity threshold {threshold}).")
    click.echo(f"Next: workbook people import {record.id} people.csv")


@org.command("list")
@click.pass_context
def org_list(ctx: click.Context) -> None:
    """List organisations with their people and this cycle's submissions."""
    summaries = store_of(ctx).organisations.summaries()
    if not summaries:
        click.echo("No organisations yet. Create one with: workbook org create NAME  (or try: workbook demo)")
        return
    rows = [
        (s.organisation.id, s.organisation.name, str(s.people), s.current_cycle or "-",
         f"{s.submitted}/{s.people}", str(s.organisation.anonymity_threshold))
        for s in summaries
    ]
    _table(("ID", "NAME", "PEOPLE", "CYCLE", "SUBMITTED", "THRESHOLD"), rows)


@org.command("set-threshold")
@click.argument("org_id", metavar="ORG")
@click.argument("threshold", type=WHOLE_NUMBER)
@click.pass_context
def org_set_threshold(ctx: click.Context, org_id: str, threshold: int) -> None:
    """Change ORG's anonymity threshold (the smallest group ever shown); fixed once anyone has submitted."""
    record = store_of(ctx).organisations.set_threshold(org_id, threshold)
    click.echo(f"{record.name}: groups smaller than {record.anonymity_threshold} are now never shown.")


@org.command("new-key")
@click.argument("org_id", metavar="ORG")
@click.pass_context
def org_new_key(ctx: click.Context, org_id: str) -> None:
    """Replace ORG's facilitator key: the old workshop and charter links stop working."""
    record = store_of(ctx).organisations.new_facilitator_key(org_id)
    click.echo(f"{record.name}: new facilitator key made; the old links no longer open anything.")
    click.echo(f"New links: workbook invites {record.id} --facilitator")


@org.command("delete")
@click.argument("org_id", metavar="ORG")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_context
def org_delete(ctx: click.Context, org_id: str, yes: bool) -> None:
    """Delete ORG with all its people, answers and results."""
    store = store_of(ctx)
    record = store.organisations.get(org_id)
    if not yes:
        _confirm(f"Delete {record.name} ({record.id}) with all its people and answers? This cannot be undone.")
    store.organisations.delete(org_id)
    click.echo(f"Deleted {record.name} ({record.id}) and everything stored for it.")


# --- people ----------------------------------------------------------------------
@cli.group(cls=WorkbookGroup)
def people() -> None:
    """Import, list and erase the people of an organisation."""


@people.command("import")
@click.argument("org_id", metavar="ORG")
@click.argument("file", metavar="FILE.csv", type=str)
@click.pass_context
def people_import(ctx: click.Context, org_id: str, file: str) -> None:
    """Import people from a CSV file with the columns name,email,role,team.

    role is 'leader' or 'staff'. The whole file is checked first: if any row is
    bad, nothing is imported. Importing the same file again changes nothing.
    """
    from workbook.people_csv import read_people_csv

    store = store_of(ctx)
    store.organisations.get(org_id)
    rows = read_people_csv(file)
    summary = store.people.import_rows(org_id, rows)
    click.echo(
        f"{file}: {summary.total} {'person' if summary.total == 1 else 'people'} read; "
        f"{summary.added} added, {summary.updated} updated, "
        f"{summary.unchanged} unchanged."
    )


@people.command("list")
@click.argument("org_id", metavar="ORG")
@click.option("--status", "only", metavar="STATUS",
              help="Only these people: not-started (nothing saved yet), not-submitted, or one status "
                   "(not-invited, invited, opened, started, submitted).")
@click.pass_context
def people_list(ctx: click.Context, org_id: str, only: str | None) -> None:
    """List the people of ORG with how far they are in the current cycle.

    INVITED says when and how each was sent their link (link, card, mail);
    OPENED when they first opened it; LAST ANSWER and SUBMITTED the rest.
    """
    from workbook.progress import check_selection, select, statuses

    check_selection(only)
    store = store_of(ctx)
    store.organisations.get(org_id)
    everyone = statuses(store, org_id)
    if not everyone:
        click.echo(f"Nobody in {org_id} yet. Import people with: workbook people import {org_id} FILE.csv")
        return
    chosen = select(everyone, only)
    cycle = everyone[0].cycle
    if not chosen:
        click.echo(f"Nobody in {org_id} is {only} in {cycle.label}.")
        return
    rows = [(s.person.name, s.person.email, s.person.role, s.person.team, s.status, _invited(s),
             _when(s.opened_at), _when(s.last_answer_at), _when(s.submitted_at)) for s in chosen]
    _table(("NAME", "EMAIL", "ROLE", "TEAM", f"STATUS ({cycle.label})", "INVITED", "OPENED", "LAST ANSWER",
            "SUBMITTED"), rows)


@people.command("new-link")
@click.argument("org_id", metavar="ORG")
@click.argument("email", required=False)
@click.option("--all", "everyone", is_flag=True,
              help="New links for everyone in ORG (e.g. after a copy of the database went astray).")
@click.option("--yes", is_flag=True, help="With --all: do not ask for confirmation.")
@click.option("--base-url", metavar="URL", default=None,
              help=f"Where the workbook is served [default: {DEFAULT_BASE_URL}].")
@click.pass_context
def people_new_link(ctx: click.Context, org_id: str, email: str | None, everyone: bool, yes: bool,
                    base_url: str | None) -> None:
    """Give one person (EMAIL) or everyone (--all) a new invite link.

    The old links stop working at once; answers are kept.
    """
    from workbook.errors import InputError
    from workbook.links import DEFAULT_BASE_URL, check_base_url, invite_url

    base = check_base_url(base_url) if base_url else DEFAULT_BASE_URL
    store = store_of(ctx)
    if everyone == (email is not None):
        raise InputError(f"name one person (workbook people new-link {org_id} EMAIL) or use --all, not both")
    if email is not None:
        invite = store.people.new_token(org_id, email)
        click.echo(f"New link for {invite.person.name} <{invite.person.email}> (the old one no longer works):")
        click.echo(invite_url(invite.token, base))
        return
    count = len(store.people.list(org_id))
    if not count:
        raise_empty(org_id)
    if not yes:
        _confirm(f"Make new links for all {count} people in {org_id}? Every link sent so far stops working.")
    renewed = store.people.new_tokens(org_id)
    click.echo(f"New links for all {len(renewed)} people in {org_id} (the old ones no longer work):")
    for invite in renewed:
        click.echo(f"{invite.person.name} <{invite.person.email}>\t{invite_url(invite.token, base)}")


@people.command("delete")
@click.argument("org_id", metavar="ORG")
@click.argument("email")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_context
def people_delete(ctx: click.Context, org_id: str, email: str, yes: bool) -> None:
    """Erase one person and every answer they gave (e.g. on request under GDPR)."""
    store = store_of(ctx)
    person = store.people.get(org_id, email)
    if not yes:
        _confirm(f"Erase {person.name} <{person.email}> and all their answers? This cannot be undone.")
    store.people.delete(org_id, email)
    click.echo(f"Erased {person.name} <{person.email}> and all their answers.")


# --- invites ---------------------------------------------------------------------
@cli.command()
@click.argument("org_id", metavar="ORG")
@click.option("--base-url", metavar="URL", default=None,
              help=f"Where the workbook is served [default: {DEFAULT_BASE_URL}].")
@click.option("--csv", "as_csv", is_flag=True, help="Write CSV (name,email,role,team,link,status) for a mail merge.")
@click.option("--cards", "cards", metavar="FILE.pdf", default=None,
              help="Write printable A4 sheets of invite cards (8 a page, with QR codes) instead.")
@click.option("--facilitator", is_flag=True, help="Print the facilitator links (workshop and charter) instead.")
@send_options
@click.pass_context
def invites(ctx: click.Context, /, org_id: str, base_url: str | None, as_csv: bool, cards: str | None,
            facilitator: bool, send: bool, **mail: Any) -> None:
    """Print each person's personal invite link to the values self-assessment, with their status.

    Those printed (or given a card, or mailed) are marked as invited in the
    current cycle (see: workbook people list ORG). With --send, email each
    person their invitation instead (--only for reminders; try it first with
    --dry-run --outbox DIR). Needs the secret key the links were sealed with
    (see: workbook key where).
    """
    from workbook.cards import CARDS_PER_PAGE
    from workbook.csvsafe import write_csv
    from workbook.links import DEFAULT_BASE_URL, app_url, check_base_url, invite_url, loopback_warning
    from workbook.mail.command import check_not_sending, send_invitations
    from workbook.progress import select, statuses

    only: str | None = mail.get("only")  # a click.Choice of workbook.progress.SELECTIONS
    if cards is not None and (as_csv or facilitator):
        from workbook.errors import InputError

        raise InputError("--cards makes a PDF of personal links: leave out --csv and --facilitator")
    if cards is not None and send:
        from workbook.errors import InputError

        raise InputError("--cards and --send are two ways of inviting: use one at a time")
    base = check_base_url(base_url) if base_url else DEFAULT_BASE_URL
    if send:
        if as_csv or facilitator:
            from workbook.errors import InputError

            raise InputError("--send mails the personal links; it does not go with --csv or --facilitator")
        send_invitations(ctx, org_id, base, **mail)
        return
    check_not_sending(mail)
    store = store_of(ctx)
    record = store.organisations.get(org_id)
    if facilitator:
        key = store.organisations.facilitator_key(org_id)
        links = [(app, app_url(app, base, key=key)) for app in ("workshop", "charter")]
        if as_csv:
            write_csv(sys.stdout, ("app", "link"), links)
        else:
            click.echo(f"Facilitator links for {record.name} (keep them private: they show team results):")
            for app, link in links:
                click.echo(f"  {app:9} {link}")
        return
    listed = store.people.invites(org_id)
    if not listed:
        raise_empty(org_id)
    chosen = {s.person.id: s for s in select(statuses(store, org_id), only)}
    listed = [i for i in listed if i.person.id in chosen]
    cycle = store.responses.cycle(org_id)
    if not listed:
        click.echo(f"Nobody in {org_id} is {only} in {cycle.label}: no links printed.", err=True)
        return
    _warn_if_closed(org_id, cycle.label, cycle.closes_on)
    if warning := loopback_warning(base):  # only once the links are known to print: an error stays one line
        click.echo(warning, err=True)
    if cards is not None:
        _write_cards(cards, record.name, record.anonymity_threshold, cycle.closes_on,
                     [(i.person.name, i.person.team, invite_url(i.token, base)) for i in listed])
        store.progress.mark_invited(org_id, [i.person.id for i in listed], cycle.id, "card")
        pages = -(-len(listed) // CARDS_PER_PAGE)
        click.echo(f"Wrote {cards}: invite cards for {len(listed)} {'person' if len(listed) == 1 else 'people'} "
                   f"of {record.name} ({pages} A4 {'page' if pages == 1 else 'pages'}; cut along the dashed lines).")
        return
    if as_csv:
        write_csv(sys.stdout, ("name", "email", "role", "team", "link", "status"),
                  ((i.person.name, i.person.email, i.person.role, i.person.team, invite_url(i.token, base),
                    chosen[i.person.id].status) for i in listed))
    else:
        for invite in listed:
            click.echo(f"{invite.person.name} <{invite.person.email}>\t{invite_url(invite.token, base)}\t"
                       f"{chosen[invite.person.id].status}")
    store.progress.mark_invited(org_id, [i.person.id for i in listed], cycle.id, "link")


def _warn_if_closed(org_id: str, label: str, closes_on: date | None) -> None:
    """Links to a closed cycle open only the "closed" page: say so before anyone hands them out."""
    from workbook.closing import is_closed
    from workbook.text import format_day

    if closes_on is not None and is_closed(closes_on):
        click.echo(f"Note: cycle {label} closed on {format_day(closes_on)}, so these links show only that. "
                   f"To take answers again: workbook cycle close-date {org_id} {label} DATE|none", err=True)


def _write_cards(file: str, organisation: str, threshold: int, closes_on: date | None,
                 people: Sequence[tuple[str, str, str]]) -> None:
    """Render the cards (name, team, link) of ``people`` and write the PDF to ``file``."""
    from pathlib import Path

    from workbook.cards import Card, CardSheet, render_pdf
    from workbook.errors import InputError
    from workbook.estimate import minutes_to_answer
    from workbook.framework import load_framework

    path = Path(file)
    if path.suffix.lower() != ".pdf":
        raise InputError(f"the cards file {quoted(file)} must end in .pdf")
    if not path.parent.is_dir():
        raise InputError(f"cannot write {file}: the folder {path.parent} does not exist")
    sheet = CardSheet(organisation=organisation, minutes=minutes_to_answer(len(load_framework().statements)),
                      threshold=threshold, closes_on=closes_on,
                      cards=tuple(Card(name, team, link) for name, team, link in people))
    data = render_pdf(sheet)
    try:
        path.write_bytes(data)
    except OSError as error:
        raise InputError(f"cannot write {file}: {error.strerror or error}") from None


@cli.group(cls=WorkbookGroup)
def key() -> None:
    """The secret key that lets invite and facilitator links be printed again.

    The database keeps only a hash of each link (enough to open it) and a copy
    sealed with this key, which lives outside the database: $WORKBOOK_SECRET_KEY,
    or the file $WORKBOOK_KEY_FILE, or ~/.config/workbook/secret.key.
    """


@key.command("where")
def key_where() -> None:
    """Say where the secret key is (back that up)."""
    from workbook.clitools import command_line_sealer

    source = command_line_sealer().source
    if source.path is None:
        click.echo(f"The secret key comes from {source.where}. Keep a copy of it wherever you keep other secrets.")
    elif source.path.exists():
        click.echo(f"The secret key is in {source.path}. Back this file up: without it links cannot be printed "
                   "again (they keep working; new ones can be made).")
    else:
        click.echo(f"No secret key yet: one is made in {source.path} when the first link is made.")


@key.command("new")
def key_new() -> None:
    """Make a new secret key file, when the old one is lost for good.

    Links sealed with the lost key keep working but cannot be printed again:
    make new ones with 'workbook people new-link' and 'workbook org new-key'.
    """
    from workbook.sealing import Sealer

    path = Sealer.from_environment().new_key_file()
    click.echo(f"Made a new secret key in {path}. Back it up. Links made with the lost key still work; "
               "print them again only after making new ones (workbook people new-link, workbook org new-key).")


def raise_empty(org_id: str) -> NoReturn:
    from workbook.errors import NotFoundError

    raise NotFoundError(f"nobody in {quoted(org_id)} yet; import people with: workbook people import {org_id} FILE.csv")


# --- cycles ----------------------------------------------------------------------
@cli.group(cls=WorkbookGroup)
def cycle() -> None:
    """Assessment cycles (e.g. one a quarter)."""


@cycle.command("open")
@click.argument("org_id", metavar="ORG")
@click.argument("label")
@click.option("--closes", metavar="DATE", default=None,
              help="The last day it takes answers, day first or ISO: 31/03/2027, 31 Mar 2027 or 2027-03-31 "
                   "[default: open until the next cycle].")
@click.option("--yes", is_flag=True, help="Do not ask, even when people are part-way through the current cycle.")
@click.pass_context
def cycle_open(ctx: click.Context, org_id: str, label: str, closes: str | None, yes: bool) -> None:
    """Open a new cycle LABEL (e.g. 2027-Q1); new answers go to it.

    People part-way through the current cycle cannot finish it afterwards:
    their links start the new cycle. You are asked first when that happens.
    """
    from workbook.dates import parse_day
    from workbook.store.responses import check_cycle_label

    closes_on = parse_day(closes, "the closing date")
    store = store_of(ctx)
    store.organisations.get(org_id)
    check_cycle_label(label)
    current = store.responses.cycle(org_id)
    part_way = store.responses.progress(org_id, current.id)["in_progress"]
    if part_way and not yes:
        _confirm(f"{part_way} {'person is' if part_way == 1 else 'people are'} part-way through {current.label} and "
                 f"will not be able to finish it. Open {label} now?")
    record = store.responses.open_cycle(org_id, label, closes_on)
    click.echo(f"Opened cycle {record.label} for {org_id}; invite links now collect answers for it"
               f"{_until(record.closes_on)}.")
    from workbook.workshop.repository import Workshop

    carried = len(Workshop(store).carried_in(record.id))
    if carried:
        click.echo(f"Carried {carried} unfinished {'action' if carried == 1 else 'actions'} into {record.label}; "
                   "the workshop opens with a review of them.")


@cycle.command("close-date")
@click.argument("org_id", metavar="ORG")
@click.argument("label")
@click.argument("day", metavar="DATE|none")
@click.pass_context
def cycle_close_date(ctx: click.Context, org_id: str, label: str, day: str) -> None:
    """Set the last day cycle LABEL takes answers (e.g. 31/03/2027 or 2027-03-31), or none.

    After that day its links show "this assessment closed on ..." and save
    nothing. A date in the past closes it now; a later one, or none, opens it again.
    """
    from workbook.closing import is_closed
    from workbook.dates import parse_day
    from workbook.text import format_day

    closes_on = None if day.strip().lower() == "none" else parse_day(day, "the closing date")
    if closes_on is None and day.strip().lower() != "none":
        raise_date_needed()
    record = store_of(ctx).responses.set_closing_date(org_id, label, closes_on)
    if record.closes_on is None:
        click.echo(f"Cycle {record.label} of {org_id} has no closing date: it takes answers until the next cycle.")
    elif is_closed(record.closes_on):
        click.echo(f"Cycle {record.label} of {org_id} closed on {format_day(record.closes_on)}: its links now "
                   "say so and save nothing.")
    else:
        click.echo(f"Cycle {record.label} of {org_id} takes answers until {format_day(record.closes_on)}.")


def raise_date_needed() -> NoReturn:
    from workbook.dates import DAY_EXAMPLE
    from workbook.errors import InputError

    raise InputError(f"give the closing date day first (e.g. {DAY_EXAMPLE}) or as 2027-03-31, "
                     "or none for no closing date")


@cycle.command("list")
@click.argument("org_id", metavar="ORG")
@click.pass_context
def cycle_list(ctx: click.Context, org_id: str) -> None:
    """List ORG's cycles with their progress; the last one is current."""
    store = store_of(ctx)
    store.organisations.get(org_id)
    rows = []
    for record in store.responses.cycles(org_id):
        progress = store.responses.progress(org_id, record.id)
        closes = record.closes_on.isoformat() if record.closes_on else "-"
        rows.append((record.label, record.created_at.date().isoformat(), closes, str(progress["submitted"]),
                     str(progress["in_progress"]), str(progress["not_started"])))
    _table(("CYCLE", "OPENED", "CLOSES", "SUBMITTED", "IN PROGRESS", "NOT STARTED"), rows)


# --- framework ------------------------------------------------------------------
@cli.group(cls=WorkbookGroup)
def framework() -> None:
    """The DIME™ framework content (steps, values, promises, customer measures)."""


@framework.command("check")
@click.argument("file", required=False, type=str)
def framework_check(file: str | None) -> None:
    """Validate a framework YAML file (by default the one shipped with the workbook)."""
    from workbook.framework import check_framework_file
    from workbook.paths import framework_file

    path = file or str(framework_file())
    loaded = check_framework_file(path)
    statements = len(loaded.statements)
    click.echo(
        f"{path}: OK - {loaded.id} {loaded.version}: {len(loaded.steps)} steps, {len(loaded.values)} values, "
        f"{statements} statements, {len(loaded.promises)} promises, {len(loaded.measures)} customer measures."
    )


# --- demo ------------------------------------------------------------------------
@cli.command()
@click.option("--reset", is_flag=True, help="Delete and re-create the demo organisation.")
@click.pass_context
def demo(ctx: click.Context, reset: bool) -> None:
    """Create the demo organisation with realistic people and answers."""
    from workbook.demo import DEMO_ORG_ID, seed_demo

    store = store_of(ctx)
    result = seed_demo(store, reset=reset)
    if result.created:
        click.echo(
            f"Created the demo organisation {result.name} (id: {DEMO_ORG_ID}): {result.people} people in "
            f"{result.teams} teams; {result.submitted} submitted, {result.in_progress} part-way, "
            f"{result.not_started} not started."
        )
    else:
        click.echo(f"The demo organisation {result.name} (id: {DEMO_ORG_ID}) is already there (--reset rebuilds it).")
    steps = (
        (f"workbook invites {DEMO_ORG_ID}", "the demo people's personal links to the values app"),
        (f"workbook invites {DEMO_ORG_ID} --facilitator", "the workshop and charter links for the facilitator"),
        ("workbook serve", "serve the apps those links open (Ctrl-C stops)"),
        (f"workbook report {DEMO_ORG_ID}", "the organisation report as HTML (--pdf for PDF too)"),
    )
    width = max(len(command) for command, _ in steps)
    click.echo("Next:")
    for command, what in steps:
        click.echo(f"  {command.ljust(width)}  {what}")


# --- backups ------------------------------------------------------------------------
@cli.command()
@click.argument("file", metavar="FILE")
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
@click.pass_context
def backup(ctx: click.Context, file: str, force: bool) -> None:
    """Copy the SQLite database to FILE, safely while the apps run.

    The copy is one consistent snapshot, readable only by you. To restore it,
    stop every workbook serve, move the database and its -wal and -shm files
    aside, and copy FILE in its place (docs/deploy.md). For PostgreSQL use
    pg_dump: this command prints the exact command. The secret key is not in
    the backup: back it up separately (workbook key where).
    """
    from workbook.backup import backup_database
    from workbook.clitools import command_line_sealer

    result = backup_database(ctx.obj.get("db"), file, force=force)
    schema = f"schema {result.revision}, " if result.revision else ""
    click.echo(f"Backed up {result.source} to {result.target} ({schema}{result.size:,} bytes, readable only by you).")
    key = command_line_sealer().source
    if key.path is not None and not key.path.exists():
        click.echo(f"No secret key yet (one is made in {key.path} with the first link): back it up then, "
                   "apart from the database backups.")
        return
    where = key.path if key.path is not None else key.where
    click.echo(f"The secret key is not in the backup: keep a copy of {where} too, apart from it "
               "(without the key links cannot be printed again).")


# --- serving the apps ---------------------------------------------------------------
# Every default and help text comes from workbook.serve.options, so each is defined once.

@cli.command()
@click.option("--host", default=serve_options.DEFAULT_HOST, show_default=False, help=serve_options.HELP["host"])
@click.option("--port", type=WholeNumber(1, 65535), default=serve_options.DEFAULT_PORT, help=serve_options.HELP["port"])
@click.option("--lan", is_flag=True, help=serve_options.HELP["lan"])
@click.option("--pool-size", type=WholeNumber(1), default=None, help=serve_options.HELP["pool_size"])
@click.option("--no-preheat", is_flag=True, help=serve_options.HELP["no_preheat"])
@click.option("--fork-kernels/--no-fork-kernels", default=serve_options.DEFAULT_FORK_KERNELS,
              show_default=False, help=serve_options.HELP["fork_kernels"])
@click.option("--max-kernels", type=WholeNumber(1), default=None, help=serve_options.HELP["max_kernels"])
@click.option("--cull-idle-seconds", type=WholeNumber(0), default=serve_options.DEFAULT_CULL_IDLE_SECONDS,
              help=serve_options.HELP["cull_idle_seconds"])
@click.option("--disconnect-seconds", type=WholeNumber(0), default=serve_options.DEFAULT_DISCONNECT_SECONDS,
              help=serve_options.HELP["disconnect_seconds"])
@click.option("--page-rate", type=WholeNumber(0), default=serve_options.DEFAULT_PAGE_RATE,
              help=serve_options.HELP["page_rate"])
@click.option("--refused-rate", type=WholeNumber(0), default=serve_options.DEFAULT_REFUSED_RATE,
              help=serve_options.HELP["refused_rate"])
@click.option("--refused-burst", type=WholeNumber(1), default=serve_options.DEFAULT_REFUSED_BURST,
              help=serve_options.HELP["refused_burst"])
@click.option("--max-lookups", type=WholeNumber(1), default=serve_options.DEFAULT_MAX_LOOKUPS,
              help=serve_options.HELP["max_lookups"])
@click.option("--close-grace-seconds", type=WholeNumber(0), default=serve_options.DEFAULT_CLOSE_GRACE_SECONDS,
              help=serve_options.HELP["close_grace_seconds"])
@click.option("--recheck-seconds", type=WholeNumber(0), default=serve_options.DEFAULT_RECHECK_SECONDS,
              help=serve_options.HELP["recheck_seconds"])
@click.option("--trusted-proxy", "trusted_proxies", metavar="ADDRESS", multiple=True,
              help=serve_options.HELP["trusted_proxy"])
@click.option("--route", metavar="NAME", default=None, help=serve_options.HELP["route"])
@click.option("--open", "open_browser", is_flag=True, help=serve_options.HELP["open_browser"])
@click.option("--notebooks", metavar="DIR", default=None, help=serve_options.HELP["notebooks"])
@click.option("--app", "apps", metavar="NOTEBOOK", multiple=True, help=serve_options.HELP["app"])
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, lan: bool, pool_size: int | None, no_preheat: bool,
          fork_kernels: bool,
          max_kernels: int | None, cull_idle_seconds: int, disconnect_seconds: int, page_rate: int,
          refused_rate: int, refused_burst: int, max_lookups: int, close_grace_seconds: int,
          recheck_seconds: int, trusted_proxies: tuple[str, ...], route: str | None, open_browser: bool,
          notebooks: str | None, apps: tuple[str, ...]) -> None:
    """Serve the apps (values self-assessment, workshop, charter) with Voila.

    Runs until Ctrl-C. Respondents open their personal links (workbook invites
    ORG); facilitators open the links of workbook invites ORG --facilitator.
    """
    from workbook.serve import serve as run

    store_of(ctx)  # open (create or upgrade) the database before any kernel uses it
    run(host=host, port=port, lan=lan, db_url=ctx.obj.get("db"), pool_size=pool_size, preheat=not no_preheat,
        open_browser=open_browser, cull_idle_seconds=cull_idle_seconds, max_kernels=max_kernels,
        notebooks=notebooks, apps=apps or None,
        disconnect_seconds=disconnect_seconds, page_rate=page_rate, trusted_proxies=trusted_proxies,
        refused_rate=refused_rate, refused_burst=refused_burst, max_lookups=max_lookups,
        close_grace_seconds=close_grace_seconds, recheck_seconds=recheck_seconds, route=route,
        fork_kernels=fork_kernels)


# --- feature command groups (each defined beside its feature) ------------------------
def _register_features() -> None:
    from workbook.charter.command import charter
    from workbook.measures.command import measures
    from workbook.report.command import report
    from workbook.workshop.command import actions

    cli.add_command(actions)
    cli.add_command(charter)
    cli.add_command(measures)
    cli.add_command(report)


_register_features()


# --- helpers ---------------------------------------------------------------------
def _confirm(question: str) -> None:
    """Ask before destroying data; no answer (e.g. no terminal) means no."""
    try:
        agreed = click.confirm(question, default=False)
    except click.Abort:
        agreed = False
    if not agreed:
        click.echo("Nothing was changed (add --yes to skip this question).", err=True)
        sys.exit(1)


def _table(header: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> None:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)]
    click.echo("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip())
    for row in rows:
        click.echo("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


def _when(moment: datetime | None) -> str:
    """A time in a table: the local day and minute, or "-"."""
    return moment.astimezone().strftime("%Y-%m-%d %H:%M") if moment else "-"


def _invited(status: PersonStatus) -> str:
    if status.invited_at is None:
        return "-"
    return f"{_when(status.progress.last_invited_at)} ({', '.join(status.invited_how)})"


def _until(closes_on: date | None) -> str:
    from workbook.text import format_day

    return f" until {format_day(closes_on)}" if closes_on else ""


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="workbook")

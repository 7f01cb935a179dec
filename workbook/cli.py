"""The ``workbook`` command: parse the arguments, make one call into the package.

Heavy imports (SQLAlchemy, pandas, papermill) happen inside the commands, so
``workbook --help`` answers at once.  A :class:`~workbook.errors.WorkbookError`
ends the command with its message on stderr and exit code 2; anything else is
a bug and keeps its traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, NoReturn

import click

from workbook.clitools import WHOLE_NUMBER, WholeNumber, WorkbookGroup, store_of
from workbook.text import quoted
from workbook.web import defaults as web_defaults

if TYPE_CHECKING:
    pass

__all__ = ["cli", "main"]

_DB_HELP = "Database: a SQLite file path or a postgresql:// URL. [default: $WORKBOOK_DB or ./workbook.db]"


@click.group(cls=WorkbookGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--db", metavar="URL", envvar="WORKBOOK_DB", help=_DB_HELP)
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
@click.option("--threshold", type=WHOLE_NUMBER, default=5, show_default=True,
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
@click.pass_context
def people_list(ctx: click.Context, org_id: str) -> None:
    """List the people of ORG with their progress in the current cycle."""
    store = store_of(ctx)
    store.organisations.get(org_id)
    cycle = store.responses.cycle(org_id)
    listed = store.people.list(org_id)
    if not listed:
        click.echo(f"Nobody in {org_id} yet. Import people with: workbook people import {org_id} FILE.csv")
        return
    rows = []
    for person in listed:
        status = store.responses.submission(person.id, cycle.id).status.replace("_", " ")
        rows.append((person.name, person.email, person.role, person.team, status))
    _table(("NAME", "EMAIL", "ROLE", "TEAM", f"STATUS ({cycle.label})"), rows)


@people.command("new-link")
@click.argument("org_id", metavar="ORG")
@click.argument("email", required=False)
@click.option("--all", "everyone", is_flag=True,
              help="New links for everyone in ORG (e.g. after a copy of the database went astray).")
@click.option("--yes", is_flag=True, help="With --all: do not ask for confirmation.")
@click.option("--base-url", metavar="URL", default=None,
              help="Where the workbook is served [default: http://127.0.0.1:8866].")
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
              help="Where the workbook is served [default: http://127.0.0.1:8866].")
@click.option("--csv", "as_csv", is_flag=True, help="Write CSV (name,email,role,team,link) for a mail merge.")
@click.option("--facilitator", is_flag=True, help="Print the facilitator links (workshop and charter) instead.")
@click.pass_context
def invites(ctx: click.Context, org_id: str, base_url: str | None, as_csv: bool, facilitator: bool) -> None:
    """Print each person's personal invite link to the values self-assessment.

    Needs the secret key the links were sealed with (see: workbook key where).
    """
    from workbook.csvsafe import write_csv
    from workbook.links import DEFAULT_BASE_URL, app_url, check_base_url, invite_url, is_loopback_url

    base = check_base_url(base_url) if base_url else DEFAULT_BASE_URL
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
    if is_loopback_url(base):
        click.echo(f"workbook: warning: these links point at {base}, which opens only on this computer; in a "
                   "workshop room run workbook serve --lan and use the --base-url it prints; for a hosted "
                   "server give --base-url https://...", err=True)
    if as_csv:
        write_csv(sys.stdout, ("name", "email", "role", "team", "link"),
                  ((i.person.name, i.person.email, i.person.role, i.person.team, invite_url(i.token, base))
                   for i in listed))
        return
    for invite in listed:
        click.echo(f"{invite.person.name} <{invite.person.email}>\t{invite_url(invite.token, base)}")


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
@click.option("--yes", is_flag=True, help="Do not ask, even when people are part-way through the current cycle.")
@click.pass_context
def cycle_open(ctx: click.Context, org_id: str, label: str, yes: bool) -> None:
    """Open a new cycle LABEL (e.g. 2027-Q1); new answers go to it.

    People part-way through the current cycle cannot finish it afterwards:
    their links start the new cycle. You are asked first when that happens.
    """
    from workbook.store.responses import check_cycle_label

    store = store_of(ctx)
    store.organisations.get(org_id)
    check_cycle_label(label)
    current = store.responses.cycle(org_id)
    part_way = store.responses.progress(org_id, current.id)["in_progress"]
    if part_way and not yes:
        _confirm(f"{part_way} {'person is' if part_way == 1 else 'people are'} part-way through {current.label} and "
                 f"will not be able to finish it. Open {label} now?")
    record = store.responses.open_cycle(org_id, label)
    click.echo(f"Opened cycle {record.label} for {org_id}; invite links now collect answers for it.")


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
        rows.append((record.label, record.created_at.date().isoformat(), str(progress["submitted"]),
                     str(progress["in_progress"]), str(progress["not_started"])))
    _table(("CYCLE", "OPENED", "SUBMITTED", "IN PROGRESS", "NOT STARTED"), rows)


# --- framework ------------------------------------------------------------------
@cli.group(cls=WorkbookGroup)
def framework() -> None:
    """The DIME™ framework content (steps, values, promises)."""


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
        f"{statements} statements, {len(loaded.promises)} promises."
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


# --- serving the apps ---------------------------------------------------------------
def _serve_help(key: str) -> str:
    from workbook.serve import HELP  # cheap: loads neither voila nor jupyter_server

    return HELP[key]


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=False, help=_serve_help("host"))
@click.option("--port", type=WholeNumber(1, 65535), default=8866, help=_serve_help("port"))
@click.option("--lan", is_flag=True, help=_serve_help("lan"))
@click.option("--pool-size", type=WholeNumber(1), default=None, help=_serve_help("pool_size"))
@click.option("--no-preheat", is_flag=True, help=_serve_help("no_preheat"))
@click.option("--max-kernels", type=WholeNumber(1), default=None, help=_serve_help("max_kernels"))
@click.option("--cull-idle-seconds", type=WholeNumber(0), default=1800, help=_serve_help("cull_idle_seconds"))
@click.option("--disconnect-seconds", type=WholeNumber(0), default=120,
              help=_serve_help("disconnect_seconds"))
@click.option("--page-rate", type=WholeNumber(0), default=60, help=_serve_help("page_rate"))
@click.option("--refused-rate", type=WholeNumber(0), default=web_defaults.REFUSALS_PER_MINUTE,
              help=_serve_help("refused_rate"))
@click.option("--refused-burst", type=WholeNumber(1), default=web_defaults.REFUSALS_BURST,
              help=_serve_help("refused_burst"))
@click.option("--max-lookups", type=WholeNumber(1), default=web_defaults.MAX_PENDING_LOOKUPS,
              help=_serve_help("max_lookups"))
@click.option("--close-grace-seconds", type=WholeNumber(0), default=web_defaults.CLOSE_GRACE_SECONDS,
              help=_serve_help("close_grace_seconds"))
@click.option("--recheck-seconds", type=WholeNumber(0), default=web_defaults.RECHECK_SECONDS,
              help=_serve_help("recheck_seconds"))
@click.option("--trusted-proxy", "trusted_proxies", metavar="ADDRESS", multiple=True,
              help=_serve_help("trusted_proxy"))
@click.option("--open", "open_browser", is_flag=True, help=_serve_help("open_browser"))
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, lan: bool, pool_size: int | None, no_preheat: bool,
          max_kernels: int | None, cull_idle_seconds: int, disconnect_seconds: int, page_rate: int,
          refused_rate: int, refused_burst: int, max_lookups: int, close_grace_seconds: int,
          recheck_seconds: int, trusted_proxies: tuple[str, ...], open_browser: bool) -> None:
    """Serve the apps (values self-assessment, workshop, charter) with Voila.

    Runs until Ctrl-C. Respondents open their personal links (workbook invites
    ORG); facilitators open the links of workbook invites ORG --facilitator.
    """
    from workbook.serve import serve as run

    store_of(ctx)  # open (create or upgrade) the database before any kernel uses it
    run(host=host, port=port, lan=lan, db_url=ctx.obj.get("db"), pool_size=pool_size, preheat=not no_preheat,
        open_browser=open_browser, cull_idle_seconds=cull_idle_seconds, max_kernels=max_kernels,
        disconnect_seconds=disconnect_seconds, page_rate=page_rate, trusted_proxies=trusted_proxies,
        refused_rate=refused_rate, refused_burst=refused_burst, max_lookups=max_lookups,
        close_grace_seconds=close_grace_seconds, recheck_seconds=recheck_seconds)


# --- feature command groups (each defined beside its feature) ------------------------
def _register_features() -> None:
    from workbook.charter.command import charter
    from workbook.report.command import report
    from workbook.workshop.command import actions

    cli.add_command(actions)
    cli.add_command(charter)
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


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="workbook")

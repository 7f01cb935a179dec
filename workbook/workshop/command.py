"""``workbook actions``: the workshop's action plan from the command line.

Register it with the main command (``workbook/cli.py``)::

    from workbook.workshop.command import actions
    cli.add_command(actions)

It follows the CLI's conventions: ``--db`` comes from the parent command
(``ctx.obj["db"]``), heavy imports happen inside the command, and a
:class:`~workbook.errors.WorkbookError` ends it with one line on stderr and
exit code 2 (handled here too, so the group also works on its own).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from workbook.clitools import WorkbookGroup, store_of

if TYPE_CHECKING:
    pass

__all__ = ["actions"]


@click.group(cls=WorkbookGroup)
def actions() -> None:
    """The action plan agreed in the DIME™ steps workshop."""


@actions.command("export")
@click.argument("org_id", metavar="ORG")
@click.option("--cycle", "cycle_label", metavar="LABEL", help="Assessment cycle [default: the current one].")
@click.option("--out", "out", metavar="FILE", type=str,
              help="Write to FILE (with a byte-order mark, so Excel reads it right) [default: standard output].")
@click.pass_context
def export(ctx: click.Context, org_id: str, cycle_label: str | None, out: str | None) -> None:
    """Write ORG's action plan as CSV (step, action, owner, due, status, history).

    The history columns say in which cycle each action was first agreed, the
    cycle it was carried from, how many times it has been carried, and what
    the review of last cycle's actions decided. Cells that a spreadsheet
    would run as a formula are made safe.
    """
    from workbook.errors import InputError
    from workbook.framework import load_framework
    from workbook.workshop.export import actions_csv, write_actions_csv
    from workbook.workshop.history import action_threads
    from workbook.workshop.repository import Workshop
    from workbook.workshop.summary import workshop_summary

    store = store_of(ctx)
    organisation = store.organisations.get(org_id)
    cycle = store.responses.cycle(organisation.id, cycle_label)
    summary = workshop_summary(store, load_framework(), organisation.id, cycle.id)
    threads = action_threads(Workshop(store).organisation_actions(organisation.id)) if summary else {}
    if out is None:
        write_actions_csv(sys.stdout, summary, threads)
        return
    target = Path(out)
    if not target.parent.is_dir():
        raise InputError(f"cannot write {out}: the folder {target.parent} does not exist")
    text = actions_csv(summary, threads)
    try:
        target.write_text(text, encoding="utf-8", newline="")
    except OSError as error:
        raise InputError(f"cannot write {out}: {error.strerror or error}") from None
    count = len(summary.actions) if summary else 0
    noun = "action" if count == 1 else "actions"
    click.echo(f"Wrote {count} {noun} of {organisation.name} ({cycle.label}) to {out}.")

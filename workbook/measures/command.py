"""``workbook measures``: the customer scorecard's values from the command line.

Register it with the main command (``workbook/cli.py``)::

    from workbook.measures.command import measures
    cli.add_command(measures)

Same conventions as the other commands: ``--db`` comes from the parent command,
heavy imports happen inside each command, and a WorkbookError ends it with one
line on stderr and exit code 2.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from workbook.clitools import WorkbookGroup, store_of

__all__ = ["measures"]


@click.group(cls=WorkbookGroup)
def measures() -> None:
    """Customer measures per quarter: import, list and export the scorecard's values."""


@measures.command("import")
@click.argument("org_id", metavar="ORG")
@click.argument("file", metavar="FILE.csv", type=str)
@click.option("--by", "by", metavar="NAME", default="import", show_default=True,
              help="Who the values are recorded as changed by.")
@click.pass_context
def import_(ctx: click.Context, org_id: str, file: str, by: str) -> None:
    """Import values from a CSV file with the columns cycle,measure,value,note.

    cycle is a cycle label of ORG (see: workbook cycle list ORG); measure is a
    measure id of the framework (see: workbook measures catalogue). The whole
    file is checked first: if any row is bad, nothing is imported. Importing
    the same file again changes nothing.
    """
    from workbook.framework import load_framework
    from workbook.measures.csv_file import read_measures_csv

    store = store_of(ctx)
    organisation = store.organisations.get(org_id)
    framework = load_framework()
    cycles = [c.label for c in store.responses.cycles(organisation.id)]
    rows = read_measures_csv(file, framework, cycles)
    result = store.measures.import_rows(organisation.id, rows, framework=framework, by=by)
    noun = "value" if result.total == 1 else "values"
    click.echo(f"{file}: {result.total} {noun} read; {result.added} added, {result.changed} changed, "
               f"{result.unchanged} unchanged.")


@measures.command("list")
@click.argument("org_id", metavar="ORG")
@click.option("--all", "show_all", is_flag=True, help="Also list measures with no value in any cycle.")
@click.pass_context
def list_(ctx: click.Context, org_id: str, show_all: bool) -> None:
    """Print ORG's scorecard: one row per measure, one column per cycle.

    CHANGE is the move since the cycle before the newest; "worse" marks a
    measure that moved the wrong way.
    """
    from workbook.framework import load_framework
    from workbook.measures.scorecard import build_scorecard
    from workbook.measures.table import scorecard_table

    store = store_of(ctx)
    organisation = store.organisations.get(org_id)
    framework = load_framework()
    records = store.measures.list(organisation.id)
    card = build_scorecard(framework, [c.label for c in store.responses.cycles(organisation.id)], records)
    header, rows = scorecard_table(card, show_all=show_all)
    known = {m.id for m in framework.measures}
    orphans = sorted({r.measure_id for r in records if r.measure_id not in known})
    if orphans:
        click.echo(f"Not shown: values of {', '.join(orphans)}, which the framework file no longer lists "
                   "(they are kept; see: workbook measures export).", err=True)
    if not rows:
        click.echo(f"{organisation.name} has no measure values yet "
                   f"(enter them in the workshop, or: workbook measures import {organisation.id} FILE.csv).")
        return
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    for line in (header, *rows):
        click.echo("  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip())


@measures.command("catalogue")
def catalogue() -> None:
    """List the measures of the framework: id, unit, which way is better, source."""
    from workbook.framework import load_framework

    for measure in load_framework().measures:
        click.echo(f"{measure.id:<16} {measure.name} ({measure.unit}; {measure.better} is better; "
                   f"{measure.source.replace('_', ' ')})")


@measures.command("export")
@click.argument("org_id", metavar="ORG")
@click.option("--out", "out", metavar="FILE", type=str,
              help="Write to FILE (with a byte-order mark, so Excel reads it right) [default: standard output].")
@click.pass_context
def export(ctx: click.Context, org_id: str, out: str | None) -> None:
    """Write ORG's values as CSV (cycle,measure,value,note), ready to edit and import again.

    Cells that a spreadsheet would run as a formula are made safe.
    """
    from workbook.errors import InputError
    from workbook.measures.export import measures_csv, write_measures_csv

    store = store_of(ctx)
    organisation = store.organisations.get(org_id)
    records = store.measures.list(organisation.id)
    if out is None:
        write_measures_csv(sys.stdout, records)
        return
    target = Path(out)
    if not target.parent.is_dir():
        raise InputError(f"cannot write {out}: the folder {target.parent} does not exist")
    try:
        target.write_text(measures_csv(records), encoding="utf-8", newline="")
    except OSError as error:
        raise InputError(f"cannot write {out}: {error.strerror or error}") from None
    noun = "value" if len(records) == 1 else "values"
    click.echo(f"Wrote {len(records)} {noun} of {organisation.name} to {out}.")

"""``workbook charter ...``: the charter from the command line.

Registered by the main command with ``cli.add_command(charter)``.  Like every
workbook command it parses, makes one call into the package and reports in one
line; a :class:`~workbook.errors.WorkbookError` ends it with that line on
stderr and exit code 2.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from workbook.clitools import WholeNumber, WorkbookGroup, store_of

if TYPE_CHECKING:
    pass

__all__ = ["charter"]

_FORMATS = ("md", "html", "pdf", "docx")


@click.group(cls=WorkbookGroup)
def charter() -> None:
    """The customer service charter: export it for print, the web or Word."""


@charter.command("export")
@click.argument("org_id", metavar="ORG")
@click.option("--format", "fmt", type=click.Choice(_FORMATS), default="pdf", show_default=True,
              help="md (Markdown), html (a page to print), pdf (A4) or docx (Word, to keep editing).")
@click.option("--out", "out", metavar="FILE", type=str,
              help="Where to write it; - for standard output. [default: charter-ORG-vN.FORMAT here]")
@click.option("--version", "number", metavar="N", type=WholeNumber(minimum=1),
              help="Which version. [default: the latest approved, else the draft, marked DRAFT]")
@click.option("--audience", type=click.Choice(("team", "customers")), default="team", show_default=True,
              help="team: owners, review dates, values and steps; customers: the promises and how each is "
                   "measured, to print or put on the website.")
@click.option("--logo", metavar="FILE", help="The organisation's logo (PNG or JPEG) at the top of the charter.")
@click.option("--with-results", is_flag=True,
              help="Add the latest quarter's result under each promise that names a measure (kept or not).")
@click.pass_context
def export(ctx: click.Context, org_id: str, fmt: str, out: str | None, number: int | None, audience: str,
           logo: str | None, with_results: bool) -> None:
    """Export ORG's charter: the 10 promises with their standards, owners and review dates.

    With --audience customers, the version for customers: each promise and
    how it is measured, without the team's working detail.
    """
    from workbook.charter.export import export_charter
    from workbook.charter.export.logo import read_logo
    from workbook.charter.records import format_day

    picture = read_logo(logo) if logo else None  # a wrong file fails before any database work
    exported = export_charter(store_of(ctx), org_id, fmt, number=number,
                              audience="customers" if audience == "customers" else "team", logo=picture,
                              with_results=with_results)
    record = exported.charter
    label = (f"version {record.number}, a DRAFT not yet approved" if record.is_draft
             else f"version {record.number}, approved"
             + (f" {format_day(record.approved_at.date())}" if record.approved_at else ""))
    if audience == "customers":
        label += ", for customers"
    if with_results:
        label += ", with the latest results"
    if out == "-":
        sys.stdout.flush()
        sys.stdout.buffer.write(exported.data)
        sys.stdout.buffer.flush()
        click.echo(f"Exported {label}.", err=True)
        return
    path = Path(out or exported.filename)
    if not path.parent.is_dir():
        from workbook.errors import InputError

        raise InputError(f"cannot write {path}: the folder {path.parent} does not exist")
    try:
        path.write_bytes(exported.data)
    except OSError as error:
        from workbook.errors import InputError

        raise InputError(f"cannot write {path}: {error.strerror or error}") from None
    click.echo(f"Wrote {path}: {label}.")

"""``workbook report``: make organisation reports (HTML, optionally PDF) in parallel.

Register it on the main group with ``cli.add_command(report)``.  Like every
workbook command it turns a :class:`~workbook.errors.WorkbookError` into one
line on stderr and exit code 2 (unknown organisation or cycle, bad option);
a report that fails while running does not stop the others, is listed in the
summary, and makes the exit code 1.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from workbook.clitools import WHOLE_NUMBER, WholeNumber, fail
from workbook.errors import InputError, WorkbookError

if TYPE_CHECKING:
    from workbook.report.batch import ReportOutcome

__all__ = ["report"]

EXIT_SOME_FAILED = 1


@click.command("report")
@click.argument("organisations", metavar="ORG...", nargs=-1)
@click.option("--all", "every", is_flag=True, help="Report on every organisation.")
@click.option("--cycle", metavar="LABEL", help="Assessment cycle, e.g. 2026-Q4 [default: each one's current cycle].")
@click.option("--out", "out_dir", metavar="DIR", type=click.Path(file_okay=False), default="reports",
              show_default=True, help="Folder for the reports and their index.html.")
@click.option("--jobs", "-j", type=WholeNumber(minimum=1, maximum=64), metavar="N",
              help="Reports made in parallel [default: the number of CPU cores].")
@click.option("--pdf", is_flag=True, help="Also make a PDF of each report.")
@click.option("--threshold", type=WHOLE_NUMBER, metavar="N",
              help="Anonymity threshold for these reports; may only raise each organisation's own.")
@click.option("--cover", is_flag=True, help="Start each report with a cover page (title, organisation, date).")
@click.option("--logo", metavar="FILE",
              help="The organisation's logo (PNG or JPEG) on the cover page; implies --cover.")
@click.option("--consultant", metavar="NAME",
              help="Your name on the cover page (\"Prepared by NAME\"); implies --cover.")
@click.option("--progress/--no-progress", default=None, help="Show a progress bar [default: on a terminal].")
@click.option("--json", "json_file", metavar="FILE", type=click.Path(dir_okay=False),
              help="Instead of the HTML report, write the figures it shows as JSON to FILE ('-' for the "
                   "screen): each group with its people count and numbers, hidden ones as null, and the notes. "
                   "Takes one ORG.")
@click.pass_context
def report(ctx: click.Context, organisations: tuple[str, ...], every: bool, cycle: str | None, out_dir: str,
           jobs: int | None, pdf: bool, threshold: int | None, cover: bool, logo: str | None, consultant: str | None,
           progress: bool | None, json_file: str | None) -> None:
    """Make the organisation report for each ORG (or --all) as HTML, and PDF with --pdf.

    Each report runs the notebook organisation_report.ipynb; the executed notebook is
    kept beside the report. One failing organisation does not stop the others: it is
    listed as failed at the end and the exit code is 1. DIR/index.html lists every report.
    With --json FILE, only the figures of one ORG's report are written, so anyone can check
    from outside that no group shown lets a few people's answers be worked out.
    """
    try:
        if json_file is not None:
            if cover or logo or consultant:
                raise InputError("--json writes figures only: leave out --cover, --logo and --consultant")
            _figures(ctx, organisations, every, cycle, threshold, pdf, json_file)
            return
        page = _cover(cover, logo, consultant)  # a wrong logo fails before any report is made
        outcomes = _make(ctx, organisations, every, cycle, out_dir, jobs, pdf, threshold, progress, page)
    except WorkbookError as error:
        fail(error)  # the one error line of every command: escaped, tokens hidden
    if any(o.failed for o in outcomes):
        sys.exit(EXIT_SOME_FAILED)


def _cover(cover: bool, logo: str | None, consultant: str | None) -> dict[str, object]:
    """The cover page's settings: the logo checked as the charter checks it, the name as one clean line."""
    from workbook.text import clean_line

    if not (cover or logo or consultant):
        return {}
    page: dict[str, object] = {"cover": True}
    if logo:
        from workbook.charter.export.logo import read_logo

        page["logo_uri"] = read_logo(logo).data_uri
    if consultant is not None:
        page["consultant"] = clean_line(consultant, "the consultant's name (--consultant)", max_length=100)
    return page


def _make(ctx: click.Context, organisations: tuple[str, ...], every: bool, cycle: str | None, out_dir: str,
          jobs: int | None, pdf: bool, threshold: int | None, progress: bool | None,
          cover: dict[str, object]) -> tuple[ReportOutcome, ...]:
    from workbook.report.batch import BatchSettings, plan_jobs, run_batch
    from workbook.store import open_store
    from workbook.store.engine import resolve_url

    if every and organisations:
        raise InputError("name organisations or use --all, not both")
    if not every and not organisations:
        raise InputError("name at least one organisation (see: workbook org list), or use --all")
    db = (ctx.obj or {}).get("db")
    url = resolve_url(db)
    with open_store(url) as store:
        planned, skipped = plan_jobs(store, None if every else list(organisations), cycle=cycle,
                                     threshold=threshold)
    if not planned and not skipped:
        click.echo("No organisations yet. Create one with: workbook org create NAME  (or try: workbook demo)")
        return ()
    out = Path(out_dir).expanduser().resolve()
    settings = BatchSettings(out_dir=str(out), db_url=url, pdf=pdf, threshold=threshold, **cover)  # type: ignore[arg-type]
    result = run_batch(planned, settings, workers=jobs, progress=progress, skipped=skipped)
    _summary(result.outcomes)
    made = sum(1 for o in result.outcomes if o.status in ("ok", "too few answers"))
    left_out = sum(1 for o in result.outcomes if o.status == "skipped")
    counts = f"{made} made, {len(result.failed)} failed" + (f", {left_out} skipped" if left_out else "")
    click.echo(f"{counts} in {result.seconds:.1f} s; index: {result.index}")
    return result.outcomes


def _figures(ctx: click.Context, organisations: tuple[str, ...], every: bool, cycle: str | None,
             threshold: int | None, pdf: bool, json_file: str) -> None:
    """Write one organisation's report figures as JSON (:func:`workbook.report.figures.report_figures`)."""
    import json

    from workbook.report.figures import report_figures
    from workbook.report.files import atomic_write
    from workbook.report.model import load_report

    if every or len(organisations) != 1:
        raise InputError("--json writes one report's figures: name exactly one organisation, without --all")
    if pdf:
        raise InputError("--json writes figures only: leave out --pdf, or make the report without --json")
    db = (ctx.obj or {}).get("db")
    # The figures are handed out as surely as a report is: record them as a release of the cycle.
    figures = report_figures(load_report(organisations[0], cycle=cycle, threshold=threshold, db=db, release=True))
    text = json.dumps(figures, indent=2, ensure_ascii=False) + "\n"
    if json_file == "-":
        click.echo(text, nl=False)
        return
    target = Path(json_file).expanduser()
    if not target.parent.is_dir():
        raise InputError(f"cannot write {json_file}: the folder {target.parent} does not exist")
    atomic_write(target, text)
    click.echo(f"Figures of the {figures['organisation']} report ({figures['cycle']}) written to {target}")


def _summary(outcomes: tuple[ReportOutcome, ...]) -> None:
    rows = [(o.organisation, o.cycle, o.status.upper() if o.failed else o.status, f"{o.seconds:.1f}s",
             o.files.get("HTML") or o.files.get("notebook") or "-", o.message) for o in outcomes]
    header = ("ORGANISATION", "CYCLE", "STATUS", "TIME", "FILE", "NOTE")
    widths = [max(len(header[i]), *(len(r[i]) for r in rows)) for i in range(len(header) - 1)]
    click.echo("  ".join(h.ljust(w) for h, w in zip(header, [*widths, 0], strict=True)).rstrip())
    for row in rows:
        click.echo("  ".join(c.ljust(w) for c, w in zip(row, [*widths, 0], strict=True)).rstrip())

"""Run the report notebook for many organisations at once, and keep going when one fails.

The expensive part of a report is not the report: it is starting Python,
importing the notebook stack and starting a kernel (engineering notes: a
papermill CLI call per organisation costs seconds before any work).  So:

* the parent process plans the jobs (checking every organisation and cycle
  first, so a typo fails at once with one line) and shows a progress bar;
* ``jobs`` worker processes each start **one** kernel, warm it up, and run
  organisation after organisation on it through papermill
  (:mod:`workbook.report.engine`), then export HTML (and PDF) in-process;
* every file is written atomically (:mod:`workbook.report.files`): a reader
  never sees half a report, and a re-run replaces the old files;
* a failing organisation keeps its executed notebook, with the error, as
  ``STEM.ipynb``; its stale HTML/PDF are removed so nobody hands them out;
* at the end ``reports.json`` (the folder's manifest, merged with earlier
  runs) and ``index.html`` are rewritten, listing every report in the folder.

The database URL reaches the kernels through ``$WORKBOOK_DB``, never as a
notebook parameter, so a PostgreSQL password can never end up in a report.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

from workbook.errors import InputError, NotFoundError
from workbook.settings import DB_ENV

if TYPE_CHECKING:
    from nbformat import NotebookNode

    from workbook.store import Store

__all__ = [
    "MANIFEST",
    "BatchResult",
    "BatchSettings",
    "ReportJob",
    "ReportOutcome",
    "default_workers",
    "plan_jobs",
    "run_batch",
    "write_index",
]

Status = Literal["ok", "too few answers", "failed", "skipped"]
MANIFEST: Final = "reports.json"
INDEX: Final = "index.html"
STATUS_TEXT: Final = {"ok": "Ready", "too few answers": "Too few answers yet", "failed": "Failed",
                      "skipped": "Skipped"}
_WARM_UP: Final = "from workbook.report import sections as _s; _s.warm_up(); del _s"


@dataclass(frozen=True)
class ReportJob:
    """One report to make: the organisation, its cycle label and the output file stem."""

    organisation: str
    organisation_name: str
    cycle: str

    @property
    def stem(self) -> str:
        # Organisation ids are [a-z0-9-] and cycle labels [A-Za-z0-9._-]: safe in file names.
        return f"{self.organisation}-{self.cycle}"


@dataclass(frozen=True)
class ReportOutcome:
    """How one report went; ``files`` maps a kind (HTML, PDF, notebook) to a file name."""

    organisation: str
    organisation_name: str
    cycle: str
    status: Status
    message: str = ""
    seconds: float = 0.0
    files: dict[str, str] = field(default_factory=dict)
    finished: str = ""

    @property
    def failed(self) -> bool:
        return self.status == "failed"


@dataclass(frozen=True)
class BatchSettings:
    """What every worker needs to know; plain data so it crosses process boundaries."""

    out_dir: str
    db_url: str
    pdf: bool = False
    threshold: int | None = None
    cell_timeout: int = 600
    notebook: str = ""
    cover: bool = False  # a cover page first (workbook.report.render.CoverPage)
    consultant: str | None = None
    logo_uri: str | None = None  # a checked logo as a data URI (workbook.charter.export.logo)


@dataclass(frozen=True)
class BatchResult:
    outcomes: tuple[ReportOutcome, ...]
    seconds: float
    index: Path

    @property
    def failed(self) -> tuple[ReportOutcome, ...]:
        return tuple(o for o in self.outcomes if o.failed)


# --------------------------------------------------------------------------- planning (parent)
def plan_jobs(store: Store, organisations: Sequence[str] | None, *, cycle: str | None = None,
              threshold: int | None = None) -> tuple[list[ReportJob], list[ReportOutcome]]:
    """Check the request and list the reports to make (and, for ``--all``, the ones to skip).

    ``organisations`` ``None`` means every organisation.  A named organisation
    that does not exist, or has no such cycle, is a :class:`NotFoundError`
    before any work starts; with every organisation, one without the cycle
    is skipped instead.  ``threshold`` may only raise an organisation's own.
    """
    from workbook.settings import check_threshold

    if threshold is not None:
        check_threshold(threshold)
    records = {o.id: o for o in store.organisations.list()}
    if organisations is None:
        wanted = sorted(records)
    else:
        wanted = list(dict.fromkeys(organisations))
        unknown = [o for o in wanted if o not in records]
        if unknown:
            raise NotFoundError(
                f"no organisation with the id {', '.join(repr(o) for o in unknown)} (see: workbook org list)")
    jobs: list[ReportJob] = []
    skipped: list[ReportOutcome] = []
    for org_id in wanted:
        record = records[org_id]
        if threshold is not None and threshold < record.anonymity_threshold:
            raise InputError(
                f"--threshold {threshold} is below {org_id!r}'s own anonymity threshold "
                f"({record.anonymity_threshold}); a report may only raise it")
        try:
            label = store.responses.cycle(org_id, cycle).label
        except NotFoundError as error:
            if organisations is not None:
                raise
            skipped.append(ReportOutcome(org_id, record.name, cycle or "-", "skipped", str(error)))
            continue
        jobs.append(ReportJob(org_id, record.name, label))
    return jobs, skipped


# --------------------------------------------------------------------------- worker processes
_WORKER: dict[str, Any] = {}


def _init_worker(settings: BatchSettings) -> None:
    """Start this worker's kernel (database URL in its environment) and warm it up."""
    import atexit

    import nbformat

    from workbook.report.engine import WarmKernel, WarmKernelEngine, register

    os.environ[DB_ENV] = settings.db_url
    register()
    kernel = WarmKernel(cwd=settings.out_dir)
    atexit.register(kernel.shutdown)
    kernel.run(_WARM_UP)
    WarmKernelEngine.kernel = kernel
    # The shipped notebook stores the demo's outputs (for the notebook test): give
    # papermill a copy without them, so no report reads, parses or carries them.
    template = nbformat.read(settings.notebook, as_version=4)  # type: ignore[no-untyped-call]
    for cell in template.cells:
        if cell.get("cell_type") == "code":
            cell.outputs, cell.execution_count = [], None
    folder = tempfile.mkdtemp(prefix="workbook-report-")
    atexit.register(shutil.rmtree, folder, True)
    stripped = os.path.join(folder, os.path.basename(settings.notebook))
    nbformat.write(template, stripped)  # type: ignore[no-untyped-call]
    _WORKER["settings"] = BatchSettings(**{**asdict(settings), "notebook": stripped})
    # Import the exporters now, not inside the first report's timing.
    import workbook.report.render  # noqa: F401

    if settings.pdf:
        import weasyprint  # noqa: F401


def _error_cell(message: str) -> Any:
    import nbformat

    cell = nbformat.v4.new_markdown_cell(  # type: ignore[no-untyped-call]
        f"**This report failed:** {message}\n\nThe cells below ran up to the failure.")
    cell.metadata["tags"] = ["papermill-error-cell-tag"]
    return cell


def _execute(job: ReportJob, settings: BatchSettings) -> tuple[NotebookNode | None, str]:
    """Run the notebook for one job; return the executed notebook and an error (or "")."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from workbook.report.engine import ENGINE_NAME, WarmKernelEngine

    WarmKernelEngine.last_notebook = None
    parameters: dict[str, Any] = {"organisation": job.organisation, "cycle": job.cycle}
    if settings.threshold is not None:
        parameters["threshold"] = settings.threshold
    try:
        nb = papermill.execute_notebook(
            settings.notebook, None, parameters=parameters, engine_name=ENGINE_NAME, kernel_name="python3",
            progress_bar=False, request_save_on_cell_execute=False, execution_timeout=settings.cell_timeout,
        )
        return nb, ""
    except PapermillExecutionError as error:
        return WarmKernelEngine.last_notebook, f"{error.ename}: {error.evalue}".strip()
    except Exception as error:  # a dead kernel, a timeout: start afresh for the next organisation
        nb = WarmKernelEngine.last_notebook
        message = f"{type(error).__name__}: {error}".strip().splitlines()[0]
        if nb is not None:
            nb.cells.insert(0, _error_cell(message))
        kernel = WarmKernelEngine.kernel
        if kernel is not None:
            kernel.restart()
            kernel.run(_WARM_UP)
        return nb, message


def _run_job(job: ReportJob) -> ReportOutcome:
    """One organisation, start to finish, in a worker: execute, export, write atomically."""
    import nbformat

    from workbook.report.files import atomic_write, remove_quietly
    from workbook.report.render import CoverPage, extract, html_to_pdf, report_html

    settings: BatchSettings = _WORKER["settings"]
    out = Path(settings.out_dir)
    started = time.perf_counter()
    nb, error = _execute(job, settings)
    files: dict[str, str] = {}
    if nb is not None:
        _renumber(nb)
        text = nbformat.writes(nb)  # type: ignore[no-untyped-call]
        files["notebook"] = atomic_write(out / f"{job.stem}.ipynb", text).name
    status: Status = "failed"
    if not error and nb is not None:
        rendered = extract(nb)
        record = rendered.record or {}
        status = "too few answers" if record.get("status") == "too few answers" else "ok"
        now = datetime.now(UTC)
        cover = CoverPage(job.cycle, settings.consultant, settings.logo_uri) if settings.cover else None
        html = report_html(nb, generated=now, cover=cover)
        files["HTML"] = atomic_write(out / f"{job.stem}.html", html).name
        if settings.pdf:
            files["PDF"] = atomic_write(out / f"{job.stem}.pdf", html_to_pdf(html)).name
        else:
            remove_quietly(out / f"{job.stem}.pdf")
        message = "" if status == "ok" else (
            f"{record.get('submitted', 0)} of {record.get('invited', 0)} people submitted; "
            f"results need at least {record.get('threshold', '?')}")
    else:
        for stale in (f"{job.stem}.html", f"{job.stem}.pdf"):
            remove_quietly(out / stale)
        message = error or "the notebook did not run"
    ordered: dict[str, str] = {k: files[k] for k in ("HTML", "PDF", "notebook") if k in files}
    return ReportOutcome(job.organisation, job.organisation_name, job.cycle, status, message,
                         round(time.perf_counter() - started, 3), ordered, datetime.now(UTC).isoformat())


def _renumber(nb: NotebookNode) -> None:
    """Execution counts from 1, as if the notebook had had a kernel of its own."""
    count = 0
    for cell in nb.cells:
        if cell.get("cell_type") == "code" and cell.get("execution_count") is not None:
            count += 1
            cell["execution_count"] = count
            for output in cell.get("outputs", []):
                if "execution_count" in output:
                    output["execution_count"] = count


# --------------------------------------------------------------------------- the batch (parent)
def _manifest(out: Path) -> dict[str, dict[str, Any]]:
    try:
        loaded = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
        reports = loaded.get("reports", {})
        return reports if isinstance(reports, dict) else {}
    except (OSError, ValueError, AttributeError):
        return {}


def write_index(out: Path, outcomes: Iterable[ReportOutcome], *, now: datetime | None = None) -> Path:
    """Merge ``outcomes`` into the folder's manifest and rewrite ``index.html`` from it.

    Entries of earlier runs stay (other organisations, other cycles) as long as
    their files are still there; an entry for the same organisation and cycle
    is replaced.
    """
    from workbook.report.files import atomic_write
    from workbook.report.render import index_html

    now = now or datetime.now(UTC)
    reports = _manifest(out)
    for outcome in outcomes:
        if outcome.status != "skipped":
            reports[f"{outcome.organisation}-{outcome.cycle}"] = asdict(outcome)
    kept: dict[str, dict[str, Any]] = {}
    for key, entry in reports.items():
        files = {k: v for k, v in dict(entry.get("files", {})).items() if (out / str(v)).is_file()}
        if files:
            kept[key] = {**entry, "files": files}
    atomic_write(out / MANIFEST, json.dumps({"reports": kept}, indent=2, ensure_ascii=False) + "\n")
    rows = []
    for entry in sorted(kept.values(), key=lambda e: (str(e.get("organisation_name", "")).lower(),
                                                      str(e.get("cycle", "")))):
        finished = str(entry.get("finished", ""))
        try:
            moment = datetime.fromisoformat(finished)
            date = f"{moment.day} {moment:%B %Y, %H:%M} UTC"
        except ValueError:
            date = finished
        status = str(entry.get("status", ""))
        rows.append({**entry, "date": date, "status_text": STATUS_TEXT.get(status, status)})
    return atomic_write(out / INDEX, index_html(rows, updated=now))


def default_workers() -> int:
    """One worker per core.

    Each worker is two busy processes (itself and its kernel), and the kernel's
    share of a report has grown (trends, charts), so one per core keeps the cores
    full without them taking turns.  Measured on 2 cores on 30 November 2026,
    20 reports with three past quarters, alternating runs: 2 workers 1.81 and
    1.43 s a report, 3 workers 2.30 and 1.87 s.  (For an earlier, lighter
    report, whose workers spent longer exporting, one more worker than cores
    had paid: 35 s against 43 s for 50 reports.)
    """
    return os.cpu_count() or 1


def run_batch(
    jobs: Sequence[ReportJob], settings: BatchSettings, *, workers: int | None = None,
    progress: bool | None = None, skipped: Sequence[ReportOutcome] = (),
    on_outcome: Callable[[ReportOutcome], None] | None = None,
) -> BatchResult:
    """Make every report in ``jobs`` with ``workers`` processes; never stop at a failure.

    ``progress`` ``None`` shows the bar only on a terminal.  Outcomes come back
    in the order of ``jobs`` (then the skipped ones), whatever order they
    finished in.
    """
    from tqdm import tqdm  # type: ignore[import-untyped]

    from workbook.paths import notebooks_dir
    from workbook.report import REPORT_NOTEBOOK

    out = Path(settings.out_dir)
    if out.exists() and not out.is_dir():
        raise InputError(f"the output folder {out} is a file")
    out.mkdir(parents=True, exist_ok=True)
    from workbook.report.files import remove_stale_parts

    remove_stale_parts(out)  # left by a run that was killed: no one is writing them any more
    if not settings.notebook:
        settings = BatchSettings(**{**asdict(settings), "notebook": str(notebooks_dir() / REPORT_NOTEBOOK)})
    started = time.perf_counter()
    results: dict[int, ReportOutcome] = {}
    count = max(1, min(workers or default_workers(), len(jobs)))
    if jobs:
        bar = tqdm(total=len(jobs), desc="Reports", unit="report", file=sys.stderr,
                   disable=None if progress is None else not progress)
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=count, mp_context=context, initializer=_init_worker,
                                 initargs=(settings,)) as pool:
            futures: dict[Future[ReportOutcome], int] = {pool.submit(_run_job, job): i for i, job in enumerate(jobs)}
            try:
                for future in as_completed(futures):
                    position = futures[future]
                    outcome = _outcome(future, jobs[position])
                    results[position] = outcome
                    bar.update(1)
                    bar.set_postfix_str(f"{outcome.organisation}: {outcome.status}", refresh=True)
                    if on_outcome is not None:
                        on_outcome(outcome)
            except KeyboardInterrupt:
                pool.shutdown(wait=False, cancel_futures=True)
                raise
            finally:
                bar.close()
    outcomes = tuple([results[i] for i in range(len(jobs))] + list(skipped))
    return BatchResult(outcomes, round(time.perf_counter() - started, 3), write_index(out, outcomes))


def _outcome(future: Future[ReportOutcome], job: ReportJob) -> ReportOutcome:
    """The job's outcome, or a failed one when the worker itself broke (it could not start)."""
    try:
        return future.result()
    except Exception as error:
        message = f"{type(error).__name__}: {error}".strip().splitlines()[0]
        return ReportOutcome(job.organisation, job.organisation_name, job.cycle, "failed",
                             f"the report worker stopped: {message}", finished=datetime.now(UTC).isoformat())

"""Re-run the report notebook on a fresh demo organisation and store its outputs in place.

The notebook test (nbval) compares a fresh run with the outputs stored in
``notebooks/organisation_report.ipynb``, so after a deliberate change to a
section, a chart or the demo data, refresh them and review the diff::

    .venv/bin/python -m devtools.refresh_report                          # the report notebook
    .venv/bin/python -m devtools.refresh_report notebooks/explore.ipynb  # or another one
(run from the repository root)

Only outputs change: sources, cell ids and tags stay as they are; execution
metadata (timings) is dropped so the file diffs cleanly.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from workbook.settings import DB_ENV

__all__ = ["main", "refresh"]


def refresh(notebook: Path | None = None) -> Path:
    """Execute ``notebook`` (the shipped report notebook by default) on a new demo database."""
    import nbformat
    from nbclient import NotebookClient

    from workbook.demo import seed_demo
    from workbook.paths import notebooks_dir
    from workbook.report import REPORT_NOTEBOOK
    from workbook.report.files import atomic_write
    from workbook.sealing import KeySource, Sealer
    from workbook.store import open_store

    path = notebook or notebooks_dir() / REPORT_NOTEBOOK
    nb = nbformat.read(path, as_version=4)  # type: ignore[no-untyped-call]
    with tempfile.TemporaryDirectory(prefix="workbook-refresh-") as folder:
        db = os.path.join(folder, "demo.db")
        # A throw-away database: its links are sealed with a throw-away key, not ~/.config's.
        with open_store(db, sealer=Sealer(KeySource(path=Path(folder) / "secret.key"))) as store:
            seed_demo(store)
        previous = os.environ.get(DB_ENV)
        os.environ[DB_ENV] = db
        try:
            NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": folder}}).execute()
        finally:
            if previous is None:
                os.environ.pop(DB_ENV, None)
            else:
                os.environ[DB_ENV] = previous
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    nb.metadata.pop("widgets", None)
    atomic_write(path, nbformat.writes(nb) + "\n")  # type: ignore[no-untyped-call]
    return path


def main() -> None:
    notebooks: list[Path | None] = [Path(arg) for arg in sys.argv[1:]] or [None]
    for notebook in notebooks:
        print(f"Stored fresh outputs in {refresh(notebook)}", file=sys.stderr)


if __name__ == "__main__":
    main()

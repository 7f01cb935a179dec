"""Organisation reports: one parameterised notebook, run for one client or all of them.

How the pieces fit::

    model.load_report()      store -> Report (answers, comments, every group result)
    summary                  Report numbers -> plain-English sentences and next steps
    figures                  Report numbers -> the JSON of ``workbook report ORG --json FILE``
    sections                 one display function per report section (the notebook calls these)
    hooks                    the workshop's and the charter's sections, once they exist
    render                   executed notebook -> self-contained HTML -> PDF (WeasyPrint)
    engine / batch           papermill on one warm kernel per worker process
    files                    atomic writes (temporary file in the same folder, then os.replace)
    command                  the ``workbook report`` click command

Nothing heavy is imported here, so ``from workbook.report import sections``
in the notebook's first cell costs only what the sections themselves need.
"""

from __future__ import annotations

__all__ = ["REPORT_NOTEBOOK"]

#: The notebook (in :func:`workbook.paths.notebooks_dir`) that every report runs.
REPORT_NOTEBOOK = "organisation_report.ipynb"

"""Tools for developers of the workbook, kept out of the installed package.

Run them from the repository's root (where ``python -m`` finds this folder):

    .venv/bin/python -m devtools.refresh_report   # re-store the report notebook's demo outputs

:mod:`devtools.sample` makes the many sample organisations the benchmarks use.
A consultant's ``pip install`` never gets these: the wheel holds ``workbook/`` only.
"""

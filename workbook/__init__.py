"""DIME Workbook: values self-assessment, DIME™ steps workshop and charter builder.

The public API, re-exported here; everything else is internal::

    from workbook import open_store, load_framework
    store = open_store()                 # ./workbook.db, $WORKBOOK_DB or a URL
    framework = load_framework()         # data/framework.yaml, validated

DIME™ is a trademark of Chris Smoje (dimecustomerservice.com); the workbook
credits the framework and does not claim it.
"""

from __future__ import annotations

from workbook.errors import WorkbookError
from workbook.framework import Framework, check_framework_file, load_framework
from workbook.store import Store, open_store

__all__ = ["Framework", "Store", "WorkbookError", "__version__", "check_framework_file", "load_framework",
           "open_store"]

__version__ = "0.1.0"

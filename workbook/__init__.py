"""DIME Workbook: values self-assessment, DIME™ steps workshop and charter builder.

The public API, re-exported here; everything else is internal::

    from workbook import open_store, load_framework
    store = open_store()                 # ./workbook.db, $WORKBOOK_DB or a URL
    framework = load_framework()         # data/framework.yaml, validated

DIME™ is a trademark of Chris Smoje (dimecustomerservice.com); the workbook
credits the framework and does not claim it.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from workbook.errors import WorkbookError

if TYPE_CHECKING:
    from workbook.framework import Framework, check_framework_file, load_framework
    from workbook.store import Store, open_store

# Imported on first use, so ``workbook --help`` and a kernel's first cell do
# not pay for SQLAlchemy and pydantic before they need them.
_LAZY = {
    "Framework": "workbook.framework",
    "check_framework_file": "workbook.framework",
    "load_framework": "workbook.framework",
    "Store": "workbook.store",
    "open_store": "workbook.store",
}

__all__ = ["Framework", "Store", "WorkbookError", "__version__", "check_framework_file", "load_framework",
           "open_store"]

__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'workbook' has no attribute {name!r}")

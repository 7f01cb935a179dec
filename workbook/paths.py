"""Where the workbook finds its data, templates and notebooks.

One module owns file lookup so that the same code works from a source checkout
(``data/`` beside the package) and from an installed wheel (the folders are
bundled into ``workbook/_bundled/``).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

__all__ = ["data_dir", "framework_file", "notebooks_dir", "project_root", "templates_dir"]

_PACKAGE_DIR = Path(__file__).resolve().parent


@cache
def _resource_root(name: str) -> Path:
    bundled = _PACKAGE_DIR / "_bundled" / name
    if bundled.is_dir():
        return bundled
    checkout = _PACKAGE_DIR.parent / name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"cannot find the workbook's {name}/ folder (looked in {bundled} and {checkout})")


def project_root() -> Path:
    """The source checkout the package was installed from (editable installs)."""
    return _PACKAGE_DIR.parent


def data_dir() -> Path:
    """Folder holding the framework YAML and the demo data."""
    return _resource_root("data")


def templates_dir() -> Path:
    """Folder holding the Jinja templates (report, charter, voila)."""
    return _resource_root("templates")


def notebooks_dir() -> Path:
    """Folder holding the thin notebooks served by Voila and run by papermill."""
    return _resource_root("notebooks")


def framework_file() -> Path:
    """The framework shipped with the workbook."""
    return data_dir() / "framework.yaml"

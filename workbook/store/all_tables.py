"""Every table module, imported in one place for Alembic and the schema tests."""

from __future__ import annotations

from workbook.store import (
    charter_tables,
    comparison_tables,
    mail_tables,
    measure_tables,
    progress_tables,
    recovery_tables,
    release_tables,
    tables,
    workshop_tables,
)
from workbook.store.tables import Base

__all__ = ["Base", "charter_tables", "comparison_tables", "mail_tables", "measure_tables", "progress_tables",
           "recovery_tables", "release_tables", "tables", "workshop_tables"]

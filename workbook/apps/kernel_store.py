"""The database a pre-heated kernel opened while it waited, handed on to the page that takes the kernel.

Every app's ``warm_up`` opened the database in a pooled kernel (so a broken
database shows before anyone waits) and closed it again; the page then opened
it a second time: a second engine, schema check and connection, about a
twelfth of a kernel's CPU while its page opened (profiled under load, issue
#12).  Now the store opened early is kept and :func:`take` hands it to the page.
Outside a pre-heated kernel nothing is kept and :func:`take` opens the store.
"""

from __future__ import annotations

from workbook.store import Store, open_store
from workbook.store.engine import resolve_url

__all__ = ["open_early", "take"]

_kept: dict[str, Store] = {}


def open_early(db: str | None) -> None:
    """Open the database now and keep it for :func:`take` (errors raise, as ``open_store``'s do)."""
    url = resolve_url(db)
    store = open_store(db)
    previous = _kept.pop(url, None)
    if previous is not None:
        previous.close()
    _kept[url] = store


def take(db: str | None) -> Store:
    """The store kept for ``db`` by :func:`open_early` (once), else a newly opened one."""
    kept = _kept.pop(resolve_url(db), None)
    return kept if kept is not None else open_store(db)

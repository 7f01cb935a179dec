"""What every ``workbook`` command group shares: error handling and the open store.

The main command and the feature groups (``actions``, ``charter``, ...) all
turn a :class:`~workbook.errors.WorkbookError` into one line on stderr with
exit code 2, and share one store per invocation, opened on first use from
``--db`` / ``$WORKBOOK_DB`` and closed when the command ends.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, NoReturn

import click

from workbook.errors import FrameworkError, ImportFileError, WorkbookError

if TYPE_CHECKING:
    from pathlib import Path

    from workbook.sealing import Sealer
    from workbook.store import Store

__all__ = ["WorkbookGroup", "command_line_sealer", "fail", "store_of"]


def fail(error: WorkbookError) -> NoReturn:
    """Print the error's one-line message (and any listed problems) and exit.

    Anything shaped like a token is hidden: a message may quote what was typed.
    """
    from workbook.tokens import hide_tokens

    click.echo(f"workbook: error: {hide_tokens(str(error))}", err=True)
    if isinstance(error, FrameworkError | ImportFileError) and len(error.problems) > 1:
        for line in error.problems:
            click.echo(f"  {hide_tokens(line)}", err=True)
    sys.exit(error.exit_code)


class WorkbookGroup(click.Group):
    """A command group whose user errors end in one clear line and exit code 2."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except WorkbookError as error:
            fail(error)
        except click.UsageError as error:  # e.g. a pasted token that starts with "--" taken for an option
            from workbook.tokens import hide_tokens

            raise click.UsageError(hide_tokens(error.format_message()), error.ctx) from None
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            sys.exit(130)


def _announce_new_key(path: Path) -> None:
    click.echo(
        f"workbook: made a new secret key in {path}; back it up (without it links cannot be printed again)",
        err=True,
    )


def command_line_sealer() -> Sealer:
    """The secret key named by the environment; tells the user when it had to make a new key file."""
    from workbook.sealing import Sealer

    return Sealer.from_environment(on_create=_announce_new_key)


def store_of(ctx: click.Context) -> Store:
    """The invocation's store: opened once from the root's ``--db``, closed at the end."""
    from workbook.store import open_store

    root = ctx.find_root()
    obj = root.ensure_object(dict)
    store: Store | None = obj.get("store")
    if store is None:
        store = open_store(obj.get("db"), sealer=command_line_sealer())
        obj["store"] = store
        root.call_on_close(store.close)
    return store

"""What every ``workbook`` command group shares: error handling, argument checks, the store.

The main command and the feature groups (``actions``, ``charter``, ...) all
turn a :class:`~workbook.errors.WorkbookError` into one line on stderr with
exit code 2, and share one store per invocation, opened on first use from
``--db`` / ``$WORKBOOK_DB`` and closed when the command ends.

Arguments are checked before any command sees them: Python hands bytes that
are not UTF-8 (``$'Zo\\xeb'`` typed in a Latin-1 terminal) to the program as
lone surrogates, which no database, file or terminal can take back; every
command refuses them in one place.  Whole numbers are ASCII digits only
(:data:`WHOLE_NUMBER`): Python's ``int()`` would also read full-width, Arabic-Indic and
mathematical digits (U+FF15, U+0665, U+1D7D3 are all 5) and ``5_0`` (as 50).
"""

from __future__ import annotations

import inspect
import re
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Final, NoReturn

import click

from workbook.errors import FrameworkError, ImportFileError, InputError, WorkbookError
from workbook.settings import DB_ENV

if TYPE_CHECKING:
    from pathlib import Path

    from workbook.sealing import Sealer
    from workbook.store import Store

__all__ = ["MAX_LISTED_PROBLEMS", "WHOLE_NUMBER", "WholeNumber", "WorkbookGroup", "check_arguments",
           "command_line_sealer", "fail", "store_of"]

#: A file with 10,000 bad rows must not write 10,000 lines: the first ones and a count.
MAX_LISTED_PROBLEMS: Final = 20
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_ASCII_WHOLE = re.compile(r"[+]?[0-9]{1,9}")


def fail(error: WorkbookError) -> NoReturn:
    """Print the error's one-line message (and the first listed problems with a count) and exit."""
    click.echo(f"workbook: error: {_printable(str(error))}", err=True)
    if isinstance(error, FrameworkError | ImportFileError) and len(error.problems) > 1:
        for line in error.problems[:MAX_LISTED_PROBLEMS]:
            click.echo(f"  {_printable(line)}", err=True)
        hidden = len(error.problems) - MAX_LISTED_PROBLEMS
        if hidden > 0:
            click.echo(f"  ... and {hidden} more problem{'s' if hidden > 1 else ''} "
                       f"({len(error.problems)} in all)", err=True)
    sys.exit(error.exit_code)


def _printable(text: str) -> str:
    """A message line any terminal can print as it is: one line, and controls, separators and lone
    surrogates shown as escapes (a file name with ESC in it must not recolour the terminal).

    Anything shaped like a token is hidden too: a message may quote what was typed,
    and a pasted link's token must not end up in a terminal log or a CI transcript.
    """
    from workbook.tokens import hide_tokens

    return hide_tokens(_UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text))


def check_arguments(args: Sequence[str]) -> None:
    """Refuse any argument with bytes that are not UTF-8 (InputError naming it)."""
    for position, arg in enumerate(args, start=1):
        if isinstance(arg, str) and _SURROGATE.search(arg):
            raw = arg.encode("utf-8", "surrogateescape") if _surrogateescaped(arg) else None
            shown = repr(raw[:40])[1:] if raw is not None else _printable(repr(arg[:40]))
            raise InputError(
                f"argument {position} ({shown}) is not UTF-8 text; type it again in a UTF-8 terminal "
                "(or rename the file so its name is UTF-8)"
            )


def _surrogateescaped(arg: str) -> bool:
    return all(not 0xD800 <= ord(c) <= 0xDFFF or 0xDC80 <= ord(c) <= 0xDCFF for c in arg)


class WholeNumber(click.ParamType[int]):
    """A whole number written in ASCII digits: ``50``, never U+FF15, U+0665, U+1D7D3 or ``5_0``.

    A bad value is an :class:`InputError` (one line, exit 2), not click's
    usage block.
    """

    name = "integer"

    def __init__(self, minimum: int | None = None, maximum: int | None = None) -> None:
        self.minimum, self.maximum = minimum, maximum

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        text = value.strip() if isinstance(value, str) else ""
        if not _ASCII_WHOLE.fullmatch(text):
            shown = value if not isinstance(value, str) or len(value) <= 20 else value[:17] + "..."
            raise InputError(f"{_param_name(param)} must be a whole number written with the digits 0-9, not "
                             f"{_printable(repr(shown))}")
        number = int(text)
        if (self.minimum is not None and number < self.minimum) or (self.maximum is not None and number > self.maximum):
            low = "" if self.minimum is None else f" at least {self.minimum}"
            high = "" if self.maximum is None else f" at most {self.maximum}"
            raise InputError(f"{_param_name(param)} must be{low}{' and' if low and high else ''}{high}, not {number}")
        return number


def _param_name(param: click.Parameter | None) -> str:
    if isinstance(param, click.Option) and param.opts:
        return max(param.opts, key=len)
    return param.human_readable_name if param is not None else "the value"


WHOLE_NUMBER: Final = WholeNumber()


def fail_usage(error: click.UsageError) -> NoReturn:
    """A mistyped command line (unknown option, missing argument) as one line, exit 2, like every error."""
    if isinstance(error, click.exceptions.NoArgsIsHelpError):
        error.show()  # a bare group name: its help is the answer
        sys.exit(error.exit_code)
    where = f" (see: {error.ctx.command_path} --help)" if error.ctx is not None else ""
    if isinstance(error, click.NoSuchOption) and not error.option_name.startswith("--"):
        where += "; a value that starts with '-' goes after '--', e.g. workbook org create -- '-5 degrees'"
    click.echo(f"workbook: error: {_printable(error.format_message().rstrip('.'))}{where}", err=True)
    sys.exit(2)


class WorkbookGroup(click.Group):
    """A command group whose user errors end in one clear line and exit code 2."""

    def make_context(self, info_name: str | None, args: list[str], parent: click.Context | None = None,
                     **extra: Any) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.UsageError as error:
            fail_usage(error)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            check_arguments(args)
        except WorkbookError as error:
            fail(error)
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except WorkbookError as error:
            fail(error)
        except click.UsageError as error:
            fail_usage(error)
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            sys.exit(130)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """List subcommands with their whole first sentence, wrapped, never cut.

        Click cuts each summary to one line and stops at the first full stop, so
        "(e.g. 2027-Q1)" or a long sentence ended mid-phrase with "...". A newcomer
        reads this list to find the right command; it must say the whole thing.
        """
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is None or command.hidden:
                continue
            rows.append((name, command_summary(command)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def command_summary(command: click.Command) -> str:
    """The command's ``short_help``, or the first paragraph's first sentence of its docstring.

    A sentence ends at a full stop followed by a space and a capital letter or at the
    paragraph's end, so abbreviations such as "e.g." do not end it.
    """
    if command.short_help:
        return command.short_help
    paragraph = inspect.cleandoc(command.help or "").split("\n\n")[0].replace("\n", " ")
    match = re.search(r"\.(?=\s+[A-Z])", paragraph)
    return paragraph[: match.end()] if match else paragraph


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
        db = obj.get("db")
        if isinstance(db, str) and _SURROGATE.search(db):
            raise InputError(f"the database (--db or ${DB_ENV}) is not UTF-8 text; give its path in UTF-8")
        store = open_store(db, sealer=command_line_sealer())
        obj["store"] = store
        root.call_on_close(store.close)
    return store

"""The guides in docs/ stay true: every example runs, and the reference lists every command and option.

* Fenced ```` ```console ```` blocks hold ``$ workbook ...`` lines.  Each runs, in
  the order of its file, against a throw-away copy of the demo database in an
  empty folder of its own; ```` ```csv file=NAME ```` (or yaml) blocks write NAME
  there first.  A command must exit 0, unless the output shown under it starts
  with ``workbook: error:``: then it must exit 2 with that message.  Every line
  of output a guide shows must be in what the command printed.
* Every ``workbook ...`` line in any block (``bash`` blocks too, e.g. ``serve``,
  which runs until Ctrl-C) must name a real command and real options.
* ``docs/commands.md`` has a heading for every click command and names every
  option of it in its section.  When a command or option is added, the failure
  lists exactly what is missing, with the section to paste for a new command
  (made from the command's own help).
"""

from __future__ import annotations

import inspect
import re
import shlex
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from workbook.cli import cli
from workbook.paths import project_root

DOCS = project_root() / "docs"
REFERENCE = DOCS / "commands.md"
GUIDES = sorted(p for p in DOCS.glob("*.md"))
_FENCE = re.compile(r"^```([^\n`]*)\n(.*?)^```\s*$", re.MULTILINE | re.DOTALL)


@dataclass(frozen=True)
class Block:
    info: str
    body: str
    line: int

    @property
    def language(self) -> str:
        return self.info.split()[0] if self.info.split() else ""

    @property
    def file_name(self) -> str | None:
        found = re.search(r"\bfile=(\S+)", self.info)
        return found.group(1) if found else None


def blocks(path: Path) -> list[Block]:
    text = path.read_text(encoding="utf-8")
    return [Block(m.group(1).strip(), m.group(2), text.count("\n", 0, m.start()) + 1) for m in _FENCE.finditer(text)]


def commands(group: click.Group = cli, path: str = "workbook") -> dict[str, click.Command]:
    """Every runnable command by its full name, e.g. ``workbook org create``."""
    found: dict[str, click.Command] = {}
    for name, command in group.commands.items():
        full = f"{path} {name}"
        if isinstance(command, click.Group):
            found.update(commands(command, full))
        else:
            found[full] = command
    return found


def groups(group: click.Group = cli, path: str = "workbook") -> dict[str, click.Group]:
    found: dict[str, click.Group] = {}
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found[f"{path} {name}"] = command
            found.update(groups(command, f"{path} {name}"))
    return found


def options(command: click.Command) -> set[str]:
    return {o for p in command.params if isinstance(p, click.Option) for o in (*p.opts, *p.secondary_opts)}


def resolve(args: list[str]) -> tuple[str, click.Command, list[str]]:
    """The command an argument list names (after ``workbook`` and any ``--db URL``) and the rest."""
    rest = list(args)
    if rest[:1] == ["--db"]:
        rest = rest[2:]
    group: click.Command = cli
    path = "workbook"
    while isinstance(group, click.Group) and rest and rest[0] in group.commands:
        path += f" {rest[0]}"
        group = group.commands[rest.pop(0)]
    return path, group, rest


def section_for(path: str, command: click.Command) -> str:
    """The reference section for a command, from its own help (what a failure suggests to paste)."""
    ctx = click.Context(command, info_name=path.split()[-1])
    usage = f"{path} {' '.join(command.collect_usage_pieces(ctx))}"
    text = inspect.cleandoc(command.help or "").replace("\b\n", "")
    text = "\n\n".join(" ".join(part.split("\n")) for part in text.split("\n\n"))
    rows = []
    for param in command.params:
        if not isinstance(param, click.Option) or "--help" in param.opts:
            continue
        names = ", ".join(f"`{o}`" for o in (*param.opts, *param.secondary_opts))
        if not param.is_flag:
            metavar = param.metavar or ("|".join(param.type.choices) if isinstance(param.type, click.Choice)
                                        else param.type.name.upper())
            names += f" {metavar}"
        rows.append(f"| {names} | {(param.help or '').replace('|', chr(92) + '|')} |")
    table = "\n\n| Option | What it does |\n|---|---|\n" + "\n".join(rows) if rows else ""
    level = "##" if path.count(" ") == 1 else "###"
    return f"{level} `{path}`\n\n```text\n{usage}\n```\n\n{text}{table}\n"


# --------------------------------------------------------------------------- the reference


def _reference_sections() -> dict[str, str]:
    """Heading path -> the text up to the next heading."""
    text = REFERENCE.read_text(encoding="utf-8")
    parts = re.split(r"^#{2,3} `(workbook[^`]*)`\s*$", text, flags=re.MULTILINE)
    return {parts[i].strip(): parts[i + 1] for i in range(1, len(parts) - 1, 2)}


def test_the_reference_has_every_command() -> None:
    sections = _reference_sections()
    missing = [path for path in commands() if path not in sections]
    if missing:
        suggestions = "\n".join(section_for(path, commands()[path]) for path in missing)
        pytest.fail(f"docs/commands.md lacks {len(missing)} command(s): {', '.join(missing)}.\n"
                    f"Add (from each command's own help):\n\n{suggestions}")
    stale = [path for path in sections if path not in commands() and path not in groups()]
    assert not stale, f"docs/commands.md describes commands that no longer exist: {', '.join(stale)}"


def test_the_reference_names_every_option() -> None:
    sections = _reference_sections()
    missing = [f"{path} {option}" for path, command in commands().items() if path in sections
               for option in sorted(options(command) - {"--help", "-h"})
               if not re.search(rf"`{re.escape(option)}`", sections[path])]
    assert not missing, ("docs/commands.md does not name these options in their command's section: "
                         + "; ".join(missing))


def test_every_guide_is_listed_in_the_docs_index() -> None:
    index = (DOCS / "README.md").read_text(encoding="utf-8")
    assert [g.name for g in GUIDES if g.name != "README.md" and f"({g.name})" not in index] == []


# --------------------------------------------------------------------------- examples name real commands


@dataclass(frozen=True)
class Example:
    file: str
    line: int
    command: str
    shown: tuple[str, ...]  # the output the guide shows under it


def examples(path: Path) -> Iterator[Example | Block]:
    """The guide's console commands (with the output shown under each) and file blocks, in order."""
    for block in blocks(path):
        if block.file_name:
            yield block
        if block.language != "console":
            continue
        lines = block.body.splitlines()
        starts = [i for i, line in enumerate(lines) if line.startswith("$ ")]
        for n, start in enumerate(starts):
            end = starts[n + 1] if n + 1 < len(starts) else len(lines)
            yield Example(path.name, block.line + 1 + start, lines[start][2:].strip(),
                          tuple(line for line in lines[start + 1:end] if line.strip()))


def all_command_lines() -> list[tuple[str, str]]:
    """(where, command line) for every ``workbook ...`` line of every block of every guide and the README."""
    found = []
    for path in [*GUIDES, project_root() / "README.md"]:
        for block in blocks(path):
            for offset, line in enumerate(block.body.splitlines()):
                text = line[2:] if line.startswith("$ ") else line
                if text.startswith("workbook ") and block.language in ("console", "bash", "sh", "shell", ""):
                    found.append((f"{path.name}:{block.line + 1 + offset}", text.split("  #")[0].split(" # ")[0]))
    return found


def test_every_example_names_a_real_command_and_real_options() -> None:
    problems = []
    lines = all_command_lines()
    assert len(lines) > 40
    for where, line in lines:
        args = shlex.split(line.split("&&")[0].split(" > ")[0])[1:]
        path, command, rest = resolve(args)
        if isinstance(command, click.Group):
            problems.append(f"{where}: {line!r} names no command")
            continue
        known = options(command)
        for token in rest:
            if token == "--":
                break
            if token.startswith("-") and token != "-" and token.split("=")[0] not in known:
                problems.append(f"{where}: {path} has no option {token.split('=')[0]}")
    assert not problems, "\n".join(problems)


# --------------------------------------------------------------------------- examples run


@pytest.fixture(scope="module")
def demo_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from workbook.demo import seed_demo
    from workbook.store import open_store

    path = tmp_path_factory.mktemp("docs-demo") / "demo.db"
    with open_store(str(path)) as store:
        seed_demo(store)
    return path


def _copy(source: Path, target: Path) -> None:
    """A consistent copy of a SQLite database (WAL included), as ``workbook backup`` makes one."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)


def _runnable_guides() -> list[Path]:
    return [g for g in GUIDES if any(b.language == "console" for b in blocks(g))]


def test_the_guides_have_examples_to_run() -> None:
    names = {g.name for g in _runnable_guides()}
    assert {"workshop.md", "quarter.md", "framework.md", "explore.md"} <= names


@pytest.mark.slow
@pytest.mark.parametrize("guide", _runnable_guides(), ids=lambda p: p.name)
def test_the_guide_examples_run(guide: Path, demo_database: Path, tmp_path: Path,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "workbook.db"
    _copy(demo_database, db)
    folder = tmp_path / "work"
    folder.mkdir()
    monkeypatch.chdir(folder)
    monkeypatch.setenv("WORKBOOK_DB", str(db))
    ran = 0
    for item in examples(guide):
        if isinstance(item, Block):
            (folder / str(item.file_name)).write_text(item.body, encoding="utf-8")
            continue
        where = f"{item.file}:{item.line}: {item.command}"
        operators = [t for t in shlex.shlex(item.command, posix=True, punctuation_chars=True)
                     if set(t) <= set("|<>;&()")]
        assert not operators and "`" not in item.command, f"{where}: the test runs plain commands only"
        args = shlex.split(item.command)
        assert args[0] == "workbook", f"{where}: console blocks hold workbook commands only"
        result = CliRunner().invoke(cli, args[1:], catch_exceptions=False)
        printed = " ".join((result.stdout + result.stderr).split())
        if item.shown and item.shown[0].startswith("workbook: error:"):
            assert result.exit_code == 2, f"{where}: expected the documented error, got exit {result.exit_code}"
        else:
            assert result.exit_code == 0, f"{where}: exit {result.exit_code}\n{result.stderr}{result.stdout[-2000:]}"
        for line in item.shown:
            assert " ".join(line.split()) in printed, f"{where}: the guide shows {line!r}; it printed:\n{printed}"
        ran += 1
    assert ran >= 1

"""Run hostile strings and files through every entry point and count what goes wrong.

Three ways in, as the issue lists them:

* **every CLI entry** - the ``workbook`` command called in-process with argv
  (click's runner, sharing one open store), capturing exit code and stderr;
* **every package call an app makes** (``organisations.create``,
  ``people.import_rows``, ``responses.save_answer``, the workshop's
  ``save_rating``/``save_evidence``/``add_action``/``update_action``, the
  charter's ``start_draft``/``save_draft``/``approve``) and the look-ups a
  link or a command makes;
* **every export** - charter Markdown/HTML/PDF/Word, the actions CSV and the
  report's HTML (its sections, with their charts), in batches of accepted
  strings, plus one batch whose text was written straight into the database
  the way a database from before the cleaning rule may hold it.

What counts as wrong (each a list of short descriptions in :class:`Figures`):
a traceback (any exception that is not a ``WorkbookError``, or a command
ending other than 0 or 2), an error that is not one short line, executed
markup (a tag or ``on...`` attribute in HTML output that the benign export
does not have), stored text that differs from what was typed beyond the
documented cleaning, a refused string that was stored or an expected one that
was refused, and a CSV cell a spreadsheet would run as a formula.
"""

from __future__ import annotations

import contextlib
import csv
import html
import io
import re
import signal
import time
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from hostile.files import HostileFile
from hostile.strings import ACCEPT, REFUSE, HostileString
from workbook.charter.records import PromiseRecord
from workbook.errors import WorkbookError
from workbook.framework import Framework, load_framework
from workbook.people_csv import PersonRow
from workbook.store import Store, open_store

__all__ = ["Figures", "HostileRun"]

# --- the documented cleaning, written out again as the specification to check against --------------
_FOLD = re.compile(r"[ \t\u00a0]+")
_FORBIDDEN = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff"
                        r"\ufdd0-\ufdef\ufffe\uffff]")
_FORMULA_FIRST = ("=", "+", "-", "@", "\t", "\r", "\x00")


def expected_line(text: str) -> str:
    """NFC, inner runs of spaces/tabs/no-break spaces folded to one space, trimmed."""
    return _FOLD.sub(" ", unicodedata.normalize("NFC", text)).strip()


def expected_paragraphs(text: str) -> str | None:
    """NFC, CR/CRLF to LF, each line folded and trimmed, at most one blank line, trimmed; None if empty."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    joined = re.sub(r"\n{3,}", "\n\n", "\n".join(_FOLD.sub(" ", line).strip() for line in text.split("\n"))).strip()
    return joined or None


def expected_promise(text: str) -> str | None:
    """A promise's text or standard: free text folded into one paragraph."""
    cleaned = expected_paragraphs(text)
    return None if cleaned is None else re.sub(r"\s*\n+\s*", " ", cleaned)


@dataclass
class Figures:
    """What one run did and found."""

    strings: int = 0
    files: int = 0
    cli_runs: int = 0
    api_calls: int = 0
    exports: int = 0
    accepted: int = 0
    refused: int = 0
    seconds: float = 0.0
    tracebacks: list[str] = field(default_factory=list)
    long_errors: list[str] = field(default_factory=list)
    executed_markup: list[str] = field(default_factory=list)
    text_mismatches: list[str] = field(default_factory=list)
    wrong_outcomes: list[str] = field(default_factory=list)
    formula_unsafe: list[str] = field(default_factory=list)

    @property
    def cases(self) -> int:
        return self.cli_runs + self.api_calls + self.exports

    def problems(self) -> dict[str, list[str]]:
        return {name: getattr(self, name) for name in
                ("tracebacks", "long_errors", "executed_markup", "text_mismatches", "wrong_outcomes",
                 "formula_unsafe")}

    def summary(self) -> str:
        counts = ", ".join(f"{name.replace('_', ' ')} {len(found)}" for name, found in self.problems().items())
        return (f"{self.strings} strings and {self.files} files; {self.cases} cases run ({self.cli_runs} CLI runs, "
                f"{self.api_calls} package calls, {self.exports} exports); {self.accepted} stored, "
                f"{self.refused} refused; {counts}; {self.seconds:.1f} s")


class _Tags(HTMLParser):
    """Every tag and attribute name in an HTML page, and ``on...`` handlers and javascript: URLs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.bad: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        for name, value in attrs:
            if name.startswith("on"):
                self.bad.append(f"<{tag} {name}=...>")
            if value and value.strip().lower().startswith(("javascript:", "vbscript:")):
                self.bad.append(f"<{tag} {name}={value[:30]!r}>")


def _tags(page: str) -> _Tags:
    parser = _Tags()
    parser.feed(page)
    parser.close()
    return parser


@contextlib.contextmanager
def _time_limit(seconds: int, what: str) -> Iterator[None]:
    """Fail a case that hangs (a FIFO read for ever) instead of hanging the run."""
    def on_alarm(_signum: int, _frame: object) -> None:
        raise TimeoutError(f"{what} took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


class HostileRun:
    """One corpus run against a fresh SQLite database in ``folder``."""

    def __init__(self, folder: Path) -> None:
        from workbook.cli import cli

        self.folder = folder
        self.db = folder / "hostile.db"
        self.store: Store = open_store(f"sqlite:///{self.db}")
        self.framework: Framework = load_framework()
        self.figures = Figures()
        self._cli = cli
        self._runner = CliRunner()
        self._serial = 0
        self._baseline: dict[str, set[str]] | None = None
        self._recording = False
        self._legacy = False
        self.store.organisations.create("Acme", "acme", threshold=3)
        self.store.people.import_rows("acme", [PersonRow("Ann Lee", "ann@example.org", "staff", "Front desk")])

    def close(self) -> None:
        self.store.close()

    def _next(self) -> int:
        self._serial += 1
        return self._serial

    # --- bookkeeping --------------------------------------------------------------------------
    def _traceback(self, where: str, case: object, error: BaseException) -> None:
        self.figures.tracebacks.append(f"{where} [{case}]: {type(error).__name__}: {str(error)[:120]}")

    def _check_message(self, where: str, case: object, message: str) -> None:
        if "\n" in message or len(message) > 600:
            self.figures.long_errors.append(f"{where} [{case}]: {message[:80]!r}")

    def _call(self, where: str, case: HostileString, call: Callable[[], Any]) -> tuple[bool, Any]:
        """Run one package call: (True, result) or (False, the WorkbookError); a bug is counted."""
        self.figures.api_calls += 1
        try:
            return True, call()
        except WorkbookError as error:
            self._check_message(where, case, str(error))
            return False, error
        except Exception as error:
            self._traceback(where, case, error)
            return False, error

    def _stored(self, where: str, case: HostileString, stored: object, expected: object, *,
                optional: bool = False) -> None:
        """Accepted text: equal to the documented cleaning, nothing forbidden, joiners kept."""
        self.figures.accepted += 1
        if stored != expected:
            self.figures.text_mismatches.append(f"{where} [{case}]: stored {str(stored)[:40]!r}")
            return
        text = stored if isinstance(stored, str) else ""
        if _FORBIDDEN.search(text):
            self.figures.text_mismatches.append(f"{where} [{case}]: a refused character was stored")
        for joiner in ("\u200c", "\u200d"):
            if text and text.count(joiner) != unicodedata.normalize("NFC", case.text).count(joiner):
                self.figures.text_mismatches.append(f"{where} [{case}]: a joiner U+{ord(joiner):04X} was lost")
        if case.expect == REFUSE and text:
            self.figures.wrong_outcomes.append(f"{where} [{case}]: stored, but must be refused")

    def _refused(self, where: str, case: HostileString, *, line_field: bool) -> None:
        self.figures.refused += 1
        if case.expect == ACCEPT and (line_field or "\n" not in case.text):
            self.figures.wrong_outcomes.append(f"{where} [{case}]: refused, but must be accepted")

    # --- the package calls the apps make -------------------------------------------------------
    def run_api(self, case: HostileString) -> None:
        s = case.text
        n = self._next()
        store = self.store
        ok, record = self._call("organisations.create(name)", case,
                                lambda: store.organisations.create(s, f"h{n}", threshold=3))
        if ok:
            self._stored("organisations.create(name)", case, store.organisations.get(f"h{n}").name, expected_line(s))
            store.organisations.delete(f"h{n}")
        elif isinstance(record, WorkbookError):
            self._refused("organisations.create(name)", case, line_field=True)
        ok, record = self._call("organisations.create(id)", case, lambda: store.organisations.create("Slug", s))
        if ok:
            store.organisations.delete(record.id)
        for where, lookup in (
            ("organisations.get", lambda: store.organisations.get(s)),
            ("organisations.by_facilitator_key", lambda: store.organisations.by_facilitator_key(s)),
            ("people.by_token", lambda: store.people.by_token(s)),
            ("people.get", lambda: store.people.get("acme", s)),
            ("responses.cycle", lambda: store.responses.cycle("acme", s)),
        ):
            self._call(where, case, lookup)
        email = f"p{n}@example.org"
        ok, record = self._call("people.import_rows", case, lambda: store.people.import_rows(
            "acme", [PersonRow(s, email, "staff", s)]))
        if ok:
            person = store.people.get("acme", email)
            self._stored("people.import_rows(name)", case, person.name, expected_line(s))
            self._stored("people.import_rows(team)", case, person.team, expected_line(s))
            self._answers(case, person.id)
            store.people.delete("acme", email)
        elif isinstance(record, WorkbookError):
            self._refused("people.import_rows", case, line_field=True)
        self._workshop(case)
        self._charter(case)

    def _answers(self, case: HostileString, person_id: int) -> None:
        s, store, framework = case.text, self.store, self.framework
        cycle = store.responses.cycle("acme")
        statement = framework.statements[0].id
        ok, record = self._call("responses.save_answer(comment)", case, lambda: store.responses.save_answer(
            person_id, cycle.id, statement, 3, framework=framework, comment=s))
        if ok:
            self._stored("responses.save_answer(comment)", case, record.comment, expected_paragraphs(s))
        elif isinstance(record, WorkbookError):
            self._refused("responses.save_answer(comment)", case, line_field=False)
        self._call("responses.save_answer(statement)", case, lambda: store.responses.save_answer(
            person_id, cycle.id, s, 3, framework=framework))

    def _workshop(self, case: HostileString) -> None:
        from workbook.workshop.repository import Workshop

        s, framework = case.text, self.framework
        workshop = Workshop(self.store)
        cycle = self.store.responses.cycle("acme")
        state = workshop.state(cycle.id)
        practice = framework.steps[0].practices[0].id
        step = framework.steps[0].id
        version = state.ratings[practice].version if practice in state.ratings else 0
        ok, record = self._call("workshop.save_rating(note)", case, lambda: workshop.save_rating(
            cycle.id, practice, 3, s, expected_version=version, framework=framework))
        if ok:
            self._stored("workshop.save_rating(note)", case, record.note, expected_paragraphs(s))
        elif isinstance(record, WorkbookError):
            self._refused("workshop.save_rating(note)", case, line_field=False)
        version = state.evidence[step].version if step in state.evidence else 0
        ok, record = self._call("workshop.save_evidence", case, lambda: workshop.save_evidence(
            cycle.id, step, s, expected_version=version, framework=framework))
        if ok:
            self._stored("workshop.save_evidence", case, record.evidence, expected_paragraphs(s))
        elif isinstance(record, WorkbookError):
            self._refused("workshop.save_evidence", case, line_field=False)
        ok, record = self._call("workshop.add_action", case, lambda: workshop.add_action(
            cycle.id, step, s, s, framework=framework, by=s))
        if ok:
            self._stored("workshop.add_action(what)", case, record.what, expected_line(s))
            self._stored("workshop.add_action(owner)", case, record.owner, expected_line(s))
            workshop.remove_action(cycle.id, record.id, expected_version=record.version)
        elif isinstance(record, WorkbookError):
            self._refused("workshop.add_action", case, line_field=True)
        ok, plain = self._call("workshop.add_action(plain)", case, lambda: workshop.add_action(
            cycle.id, step, "Plain", "Ann", framework=framework))
        if ok:
            ok, record = self._call("workshop.update_action", case, lambda: workshop.update_action(
                cycle.id, plain.id, what=s, owner="Ann", due=None, status="open", expected_version=plain.version))
            if ok:
                self._stored("workshop.update_action(what)", case, record.what, expected_line(s))
            workshop.remove_action(cycle.id, plain.id, expected_version=record.version if ok else plain.version)

    def _charter(self, case: HostileString) -> None:
        from workbook.charter.repository import Charters

        s, framework = case.text, self.framework
        charters = Charters(self.store.transactions)
        promise = PromiseRecord(text=s, value_id="A", step_id=None, standard=s, owner=s, review_date=None)
        ok, record = self._call("charters.start_draft", case, lambda: charters.start_draft(
            "acme", [promise], framework=framework, title=s))
        if ok:
            self._stored("charters.start_draft(text)", case, record.promises[0].text, expected_promise(s) or "")
            self._stored("charters.start_draft(owner)", case, record.promises[0].owner, expected_line(s) or None)
            self._stored("charters.start_draft(title)", case, record.title, expected_line(s) or None)
        else:
            if isinstance(record, WorkbookError):
                self._refused("charters.start_draft", case, line_field=True)
            ok, record = self._call("charters.start_draft(plain)", case, lambda: charters.start_draft(
                "acme", [], framework=framework))
            if not ok:
                return
        saved_ok, saved = self._call("charters.save_draft", case, lambda: charters.save_draft(
            "acme", record.number, record.version, [promise], framework=framework, title=s))
        current = saved if saved_ok else record
        self._call("charters.approve", case, lambda: charters.approve(
            "acme", current.number, current.version, approved_by=s, framework=framework,
            today=__import__("datetime").date(2027, 1, 1)))
        latest = charters.draft("acme")
        if latest is not None:
            charters.discard_draft("acme", latest.number, latest.version)

    # --- the command line --------------------------------------------------------------------
    def cli(self, args: Sequence[str], case: object) -> tuple[int, str, str]:
        """One in-process ``workbook`` run; returns (exit code, stdout, stderr) and counts problems."""
        self.figures.cli_runs += 1
        where = "workbook " + " ".join(a if len(a) < 30 else a[:27] + "..." for a in args[:3])
        try:
            with _time_limit(60, where):
                result = self._runner.invoke(self._cli, ["--db", str(self.db), *args], obj={"store": self.store},
                                             catch_exceptions=True)
        except TimeoutError as error:
            self._traceback(where, case, error)
            return 1, "", ""
        code = result.exit_code
        stderr = result.stderr
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            self._traceback(where, case, result.exception)
        elif code not in (0, 2) or "Traceback" in stderr:
            self._traceback(where, case, RuntimeError(f"exit {code}: {stderr[:100]!r}"))
        elif code == 2:
            lines = stderr.splitlines()
            if not lines or not lines[0].startswith("workbook: error: ") or len(lines) > 22:
                self.figures.long_errors.append(f"{where} [{case}]: {len(lines)} lines: {stderr[:80]!r}")
        return code, result.stdout, stderr

    def run_cli(self, case: HostileString) -> None:
        s = case.text
        n = self._next()
        out = str(self.folder)
        code, stdout, _ = self.cli(["org", "create", "--id", f"c{n}", "--threshold", "3", "--", s], case)
        if code == 0 and s in ("--help", "-h") and stdout.startswith("Usage:"):
            pass  # an option, not a name: click shows the help, as it should
        elif code == 0:
            self._stored("workbook org create", case, self.store.organisations.get(f"c{n}").name, expected_line(s))
            self.store.organisations.delete(f"c{n}")
        else:
            self._refused("workbook org create", case, line_field=True)
        for args in (
            ["org", "create", "Slug", "--id", s], ["org", "create", "Name", "--threshold", s],
            ["org", "set-threshold", "acme", s], ["org", "set-threshold", s, "5"], ["org", "new-key", s],
            ["org", "delete", s, "--yes"], ["people", "list", s], ["people", "new-link", "acme", s],
            ["people", "delete", "acme", s, "--yes"], ["invites", s], ["invites", "acme", "--base-url", s],
            ["cycle", "list", s], ["framework", "check", s], ["actions", "export", s],
            ["actions", "export", "acme", "--cycle", s], ["charter", "export", s, "--format", "md", "--out", "-"],
            ["charter", "export", "acme", "--version", s], ["report", s, "--out", f"{out}/reports"],
        ):
            code, _, _ = self.cli(args, case)
            if code == 0 and args[:2] == ["org", "create"]:
                for record in self.store.organisations.list():
                    if record.id not in ("acme",) and not record.id.startswith("b"):
                        self.store.organisations.delete(record.id)
        self.store.organisations.set_threshold("acme", 3)
        path = self.folder / f"people-{n}.csv"
        cell = '"' + s.replace('"', '""') + '"'
        path.write_bytes(f"name,email,role,team\n{cell},q{n}@example.org,staff,{cell}\n"
                         .encode("utf-8", "surrogatepass"))
        code, _, _ = self.cli(["people", "import", "acme", str(path)], case)
        if code == 0:
            person = self.store.people.get("acme", f"q{n}@example.org")
            self._stored("workbook people import", case, (person.name, person.team),
                         (expected_line(s), expected_line(s)))
            self.store.people.delete("acme", f"q{n}@example.org")
        path.unlink()

    def run_file(self, hostile: HostileFile) -> None:
        self.figures.files += 1
        args = (["people", "import", "acme", str(hostile.path)] if hostile.command == "people"
                else ["framework", "check", str(hostile.path)])
        started = time.perf_counter()
        code, _, stderr = self.cli(args, hostile.kind)
        if time.perf_counter() - started > 30:
            self.figures.tracebacks.append(f"{hostile.kind}: took {time.perf_counter() - started:.0f} s")
        if hostile.ok and code != 0:
            self.figures.wrong_outcomes.append(f"file {hostile.kind}: refused: {stderr[:100]!r}")
        elif not hostile.ok and code == 0:
            self.figures.wrong_outcomes.append(f"file {hostile.kind}: accepted, but must be refused")
        if hostile.command == "people":
            for person in self.store.people.list("acme"):
                if person.email != "ann@example.org":
                    self.store.people.delete("acme", person.email)

    # --- the exports ---------------------------------------------------------------------------
    def run_exports(self, cases: Sequence[HostileString], *, legacy: bool = False) -> None:
        """One organisation made of these strings (names, teams, comments, actions, promises), exported."""
        usable = [c for c in cases if _clean_enough(c.text)] if not legacy else list(cases)
        if not usable:
            return
        org_id = f"b{self._next()}"
        try:
            texts = self._seed_batch(org_id, [c.text for c in usable], legacy=legacy)
        except WorkbookError as error:
            self._traceback(f"export seed {org_id}", "batch", error)
            return
        except Exception as error:
            self._traceback(f"export seed {org_id}", "batch", error)
            return
        for name, check in (("charter md", self._export_markdown), ("charter html", self._export_html),
                            ("charter pdf", self._export_pdf), ("charter docx", self._export_docx),
                            ("actions csv", self._export_csv), ("report html", self._export_report)):
            self.figures.exports += 1
            try:
                check(org_id, texts)
            except Exception as error:
                self._traceback(f"{name} of {org_id}{' (legacy)' if legacy else ''}", f"{len(usable)} strings", error)
        self.store.organisations.delete(org_id)

    def _seed_batch(self, org_id: str, texts: list[str], *, legacy: bool) -> list[str]:
        from workbook.charter.repository import Charters
        from workbook.workshop.repository import Workshop

        store, framework = self.store, self.framework
        line = [expected_line(t) for t in texts] if not legacy else ["Legacy team"] * len(texts)
        store.organisations.create(line[0] or "Batch", org_id, threshold=3)
        teams = min(len(texts), 4)  # four teams of three: every chart and table, without too many answers
        rows = [PersonRow(line[(3 * j + k) % len(line)] or f"Person {j}-{k}", f"{org_id}-{j}-{k}@example.org",
                          "leader" if k == 0 else "staff", f"{line[j]} #{j}"[:100])
                for j in range(teams) for k in range(3)]
        store.people.import_rows(org_id, rows)
        cycle = store.responses.cycle(org_id)
        people = store.people.list(org_id)
        for index, person in enumerate(people):  # the comment through the app's call, the rest in bulk
            store.responses.save_answer(person.id, cycle.id, framework.statements[0].id, 1 + index % 5,
                                        framework=framework, comment=line[index % len(line)])
        self._bulk_answers([p.id for p in people], cycle.id)
        for person in people:
            store.responses.submit(person.id, cycle.id, framework=framework)
        workshop = Workshop(store)
        for number, step in enumerate(framework.steps):
            store_text = line[number % len(line)]
            workshop.save_evidence(cycle.id, step.id, store_text, expected_version=0, framework=framework)
            workshop.save_rating(cycle.id, step.practices[0].id, 1 + number % 5, store_text, expected_version=0,
                                 framework=framework)
        for text in line:
            workshop.add_action(cycle.id, framework.steps[0].id, text, text, framework=framework, by=text[:100])
        charters = Charters(store.transactions)
        promises = [PromiseRecord(text=t, value_id="AEIOU"[i % 5], step_id=framework.steps[i % 4].id, standard=t,
                                  owner=t[:120], review_date=None) for i, t in enumerate(line[:15])]
        charters.start_draft(org_id, promises, framework=framework, title=line[0][:200])
        return self._write_legacy(org_id, texts) if legacy else line

    def _bulk_answers(self, person_ids: list[int], cycle_id: int) -> None:
        """Ratings for every other statement in one transaction (seeding is not what is tested here)."""
        from datetime import UTC, datetime

        from workbook.store.tables import Answer

        now = datetime.now(UTC)
        framework = self.framework
        with self.store.transactions.writing() as session:
            session.add_all([
                Answer(person_id=person_id, cycle_id=cycle_id, statement_id=statement.id,
                       rating=1 + (index + number) % 5, dont_know=False, comment=None, framework_id=framework.id,
                       framework_version=framework.version, created_at=now, updated_at=now)
                for index, person_id in enumerate(person_ids)
                for number, statement in enumerate(framework.statements) if number > 0
            ])

    def _write_legacy(self, org_id: str, texts: list[str]) -> list[str]:
        """Put text the rule refuses straight into the database, as an older workbook may have stored it."""
        from sqlalchemy import update

        from workbook.store.charter_tables import Charter, CharterPromise
        from workbook.store.tables import Answer, Organisation, Person, Submission
        from workbook.store.workshop_tables import WorkshopAction, WorkshopStep

        storable = [t.encode("utf-8", "replace").decode("utf-8") for t in texts]  # SQLite cannot hold surrogates
        with self.store.transactions.writing() as session:
            session.execute(update(Organisation).where(Organisation.id == org_id).values(name=storable[0][:200]))
            people = session.query(Person).filter(Person.organisation_id == org_id).order_by(Person.id).all()
            for index, person in enumerate(people):
                person.team = storable[(index // 3) % len(storable)][:90] + f" #{index // 3}"
                person.name = storable[index % len(storable)][:200]
                session.execute(update(Submission).where(Submission.person_id == person.id)
                                .values(team=person.team))
            for index, answer in enumerate(session.query(Answer).join(Person, Person.id == Answer.person_id)
                                           .filter(Person.organisation_id == org_id, Answer.comment.is_not(None))):
                answer.comment = storable[index % len(storable)]
            for index, action in enumerate(session.query(WorkshopAction).order_by(WorkshopAction.id).all()):
                action.what = storable[index % len(storable)][:500]
                action.owner = storable[(index + 1) % len(storable)][:200]
            for index, step in enumerate(session.query(WorkshopStep).all()):
                step.evidence = storable[index % len(storable)]
            charter_ids = [c.id for c in session.query(Charter).filter(Charter.organisation_id == org_id)]
            for index, promise in enumerate(session.query(CharterPromise)
                                            .filter(CharterPromise.charter_id.in_(charter_ids)).all()):
                promise.text = storable[index % len(storable)][:300]
                promise.standard = storable[(index + 1) % len(storable)][:400]
            for charter in session.query(Charter).filter(Charter.organisation_id == org_id):
                charter.title = storable[-1][:200]
        return storable

    def baseline(self) -> dict[str, set[str]]:
        """The tags of each HTML export made from plain words: anything more came from the input."""
        if self._baseline is None:
            self._baseline = {}
            plain = [HostileString(f"Plain words {i}", "plain", ACCEPT) for i in range(6)]
            self._recording = True
            self.run_exports(plain)
            self._recording = False
        return self._baseline

    def _html_checked(self, name: str, page: str, org_id: str) -> None:
        found = _tags(page)
        if self._recording:
            assert self._baseline is not None
            self._baseline.setdefault(name, set()).update(found.tags)
            return
        allowed = self.baseline().get(name, set())
        extra = sorted(found.tags - allowed)
        if extra or found.bad:
            self.figures.executed_markup.append(f"{name} of {org_id}: tags {extra} {found.bad[:3]}")

    def _export_markdown(self, org_id: str, texts: list[str]) -> None:
        import mistune

        from workbook.charter.export import export_charter

        data = export_charter(self.store, org_id, "md", framework=self.framework).data.decode("utf-8")
        self._html_checked("charter md", mistune.create_markdown(escape=False)(data), org_id)  # type: ignore[arg-type]

    def _export_html(self, org_id: str, texts: list[str]) -> None:
        from workbook.charter.export import export_charter

        page = export_charter(self.store, org_id, "html", framework=self.framework).data.decode("utf-8")
        self._html_checked("charter html", page, org_id)
        shown = html.unescape(page)
        for text in texts[:15]:
            if text and not self._legacy and text not in shown:
                self.figures.text_mismatches.append(f"charter html of {org_id}: {text[:30]!r} is missing")

    def _export_pdf(self, org_id: str, texts: list[str]) -> None:
        from workbook.charter.export import export_charter

        data = export_charter(self.store, org_id, "pdf", framework=self.framework).data
        if not data.startswith(b"%PDF-"):
            raise ValueError("the PDF export is not a PDF")

    def _export_docx(self, org_id: str, texts: list[str]) -> None:
        from workbook.charter.export import export_charter
        from workbook.text import display_safe

        data = export_charter(self.store, org_id, "docx", framework=self.framework).data
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            xml = html.unescape(archive.read("word/document.xml").decode("utf-8"))
        for text in texts[:15]:
            words = display_safe(text).split()
            if words and words[0] not in xml:
                self.figures.text_mismatches.append(f"charter docx of {org_id}: {text[:30]!r} vanished")

    def _export_csv(self, org_id: str, texts: list[str]) -> None:
        from workbook.workshop.export import actions_csv
        from workbook.workshop.summary import workshop_summary

        cycle = self.store.responses.cycle(org_id)
        summary = workshop_summary(self.store, self.framework, org_id, cycle.id)
        text = actions_csv(summary, bom=False)
        rows = list(csv.reader(io.StringIO(text, newline="")))
        for row in rows:
            for cell in row:
                if cell.startswith(_FORMULA_FIRST):
                    self.figures.formula_unsafe.append(f"actions csv of {org_id}: {cell[:30]!r}")
        whats = {row[3] for row in rows[1:]}
        for expected in texts:
            cell = "'" + expected if expected.startswith(_FORMULA_FIRST) else expected
            if not self._legacy and expected and cell not in whats:
                self.figures.text_mismatches.append(f"actions csv of {org_id}: {expected[:30]!r} is missing")

    def _export_report(self, org_id: str, texts: list[str]) -> None:
        from workbook.report import sections
        from workbook.report.model import load_report

        report = load_report(org_id, store=self.store, framework=self.framework)
        parts = [sections.cover, sections.executive_summary, sections.values_profile, sections.leaders_and_staff,
                 sections.statements_by_team, sections.rating_distribution, sections.agreement, sections.obstacles,
                 sections.comments, sections.workshop, sections.charter, sections.method]
        page = "".join(section.html for part in parts if (section := part(report)) is not None)
        self._html_checked("report html", page, org_id)

    def run_legacy(self, cases: Sequence[HostileString]) -> None:
        """Exports of text stored before the rule (the rule would refuse it now): none may fail."""
        self._legacy = True
        try:
            self.run_exports(cases, legacy=True)
        finally:
            self._legacy = False

    # --- everything ----------------------------------------------------------------------------
    def run(self, strings: Sequence[HostileString], files: Iterable[HostileFile], *, batch: int = 12,
            legacy: Sequence[HostileString] = ()) -> Figures:
        started = time.perf_counter()
        self.baseline()
        for case in strings:
            self.figures.strings += 1
            self.run_api(case)
            self.run_cli(case)
        for hostile in files:
            self.run_file(hostile)
        accepted = [c for c in strings if _clean_enough(c.text)]
        for start in range(0, len(accepted), batch):
            self.run_exports(accepted[start:start + batch])
        for start in range(0, len(legacy), batch):
            self.run_legacy(legacy[start:start + batch])
        self.figures.seconds = time.perf_counter() - started
        return self.figures


def _clean_enough(text: str) -> bool:
    """Whether the rule stores ``text`` in a one-line field of every length used in a batch."""
    from workbook.text import clean_line

    try:
        return bool(clean_line(text, "x", max_length=90))
    except WorkbookError:
        return False

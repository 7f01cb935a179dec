"""``workbook invites ORG --send`` against a real SMTP server (aiosmtpd) started by the tests.

What matters to a consultant: every person gets one message with their own
link, names in any language arrive intact, a refused address or a server that
drops the connection does not stop the rest, a rerun carries on instead of
mailing people twice, TLS is verified, and the password never shows.
"""

from __future__ import annotations

import re
import stat
from datetime import date, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from smtpserver import Inbox, Received, self_signed, smtp_server

from workbook.cli import cli
from workbook.errors import InputError
from workbook.links import invite_url
from workbook.mail.campaign import Request, run_campaign
from workbook.mail.command import parse_interval
from workbook.mail.message import Letter, compose, parse_sender
from workbook.mail.settings import parse_smtp_url
from workbook.mail.templates import MailTemplates, default_folder
from workbook.mail.transport import DiscardTransport
from workbook.people_csv import PersonRow
from workbook.store import Store, open_store
from workbook.store.records import PersonRecord

BASE = "https://workbook.example.org"
PEOPLE = [
    PersonRow(name="Ada Leader", email="ada@example.org", role="leader", team="Front Desk"),
    PersonRow(name="Zoë Ångström-Łukasz", email="zoe@example.org", role="staff", team="Front Desk"),
    PersonRow(name="Ben Staff", email="ben@example.org", role="staff", team="Kitchen"),
]
PASSWORD = "s3cret p@ss:/word"  # needs URL-encoding, and must never be printed
FROM = "Ann Consultant <ann@example.org>"


@pytest.fixture(autouse=True)
def _no_mail_settings_from_the_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WORKBOOK_SMTP", raising=False)
    monkeypatch.delenv("WORKBOOK_MAIL_FROM", raising=False)


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = str(tmp_path / "mail.db")
    with open_store(path) as store:
        store.organisations.create("Harbour & Vine", "hv", threshold=5)
        store.people.import_rows("hv", PEOPLE)
    return path


def links(db: str) -> dict[str, str]:
    with open_store(db) as store:
        return {i.person.email: invite_url(i.token, BASE) for i in store.people.invites("hv")}


def send(db: str, port: int | None, *args: str, url: str | None = None) -> Result:
    server = url or (f"smtp://127.0.0.1:{port}" if port else None)
    extra = ["--smtp", server] if server else []
    return CliRunner().invoke(cli, ["--db", db, "invites", "hv", "--base-url", BASE, "--send", "--from", FROM,
                                    "--rate", "0", *extra, *args], catch_exceptions=False)


def output(result: Result) -> str:
    return result.stdout + result.stderr


class _Hrefs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.hrefs += [value for name, value in attrs if tag == "a" and name == "href" and value]


def parts(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None
    return text.get_content(), html.get_content()


def link_in(message: EmailMessage) -> str:
    """The one link of each part, decoded from the MIME; both parts must agree."""
    text, html = parts(message)
    in_text = set(re.findall(r"https?://\S+", text))
    parser = _Hrefs()
    parser.feed(html)
    assert len(in_text) == 1 and set(parser.hrefs) == in_text, (in_text, parser.hrefs)
    return in_text.pop()


def by_recipient(received: list[Received]) -> dict[str, Received]:
    return {r.recipients[0]: r for r in received}


# --- invitations arrive ----------------------------------------------------------------
def test_each_person_gets_one_invitation_with_their_own_link(db: str) -> None:
    inbox = Inbox()
    with smtp_server(inbox) as port:
        result = send(db, port, "--deadline", "2027-03-31")
    assert result.exit_code == 0, output(result)
    assert result.stdout.strip() == "sent 3"
    assert "does not offer STARTTLS" in result.stderr  # a plain relay is named as such
    assert "%|" not in result.stderr  # no progress bar when stderr is not a terminal
    expected = links(db)
    got = by_recipient(inbox.received)
    assert sorted(got) == sorted(expected) and all(len(r.recipients) == 1 for r in inbox.received)
    for email, received in got.items():
        message = received.message
        assert link_in(message) == expected[email]
        assert message["Subject"] == "Your Harbour & Vine values self-assessment"
        assert message["To"].addresses[0].addr_spec == email
        assert message.get_content_type() == "multipart/alternative"
        assert message["Message-ID"].endswith("@example.org>") and message["Date"]
        text, html = parts(message)
        assert "Wednesday 31 March 2027" in text and "at least 5 people" in text
        assert "Harbour &amp; Vine" in html  # escaped in HTML, plain in text
    zoe = got["zoe@example.org"].message
    assert zoe["To"].addresses[0].display_name == "Zoë Ångström-Łukasz"
    assert parts(zoe)[0].startswith("Dear Zoë Ångström-Łukasz,")


def test_utf8_names_are_encoded_words_and_a_hostile_name_adds_no_header() -> None:
    letter = Letter(sender=parse_sender("Zoë Café <zoe@example.org>"), organisation="Acme\r\nBcc: x@example.org",
                    threshold=5, deadline=None, templates=MailTemplates())
    person = PersonRecord(id=1, organisation_id="acme", name="Eve\r\nBcc: victim@example.org\nX-Evil: 1",
                          email="eve@example.org", role="staff", team="T")
    raw = compose(letter, person, f"{BASE}/x?token=t", reminder=False).as_bytes()
    head = raw.split(b"\n\n", 1)[0]
    assert head.isascii() and b"=?utf-8?" in head  # UTF-8 names travel as RFC 2047 encoded words
    parsed = message_from_bytes(raw, policy=policy.default)
    assert parsed["Bcc"] is None and parsed["X-Evil"] is None
    assert parsed["From"].addresses[0].display_name == "Zoë Café"
    assert parsed["To"].addresses[0].display_name == "Eve Bcc: victim@example.org X-Evil: 1"
    assert [a.addr_spec for a in parsed["To"].addresses] == ["eve@example.org"]


# --- failures do not stop the rest -------------------------------------------------------
def test_a_refused_recipient_is_logged_as_failed_and_the_rest_go(db: str) -> None:
    inbox = Inbox(refuse={"zoe@example.org"})
    with smtp_server(inbox) as port:
        result = send(db, port)
    assert result.exit_code == 1
    assert result.stdout.startswith("sent 2, failed 1 (refused: 550 5.1.1 <zoe@example.org>: Recipient address")
    assert "failed: Zoë Ångström-Łukasz <zoe@example.org>: 550" in result.stderr
    assert sorted(by_recipient(inbox.received)) == ["ada@example.org", "ben@example.org"]
    with open_store(db) as store:
        zoe = store.people.get("hv", "zoe@example.org")
        [(_cycle, kind, outcome, detail, _when)] = store.mail_log.entries(zoe.id)
    assert (kind, outcome) == ("invitation", "failed") and detail is not None and detail.startswith("550 5.1.1")
    # Once the address is fixed, the next run sends to Zoë only: the others were invited already.
    inbox2 = Inbox()
    with smtp_server(inbox2) as port:
        again = send(db, port)
    assert again.exit_code == 0
    assert again.stdout.strip() == f"sent 1, skipped 2 (already invited for {_cycle_label(db)})"
    assert [r.recipients for r in inbox2.received] == [["zoe@example.org"]]


def _cycle_label(db: str) -> str:
    with open_store(db) as store:
        return store.responses.cycle("hv").label


@pytest.mark.parametrize("how", ["cut", "421"])
def test_a_dropped_connection_is_reopened_and_nobody_is_missed_or_mailed_twice(db: str, how: str) -> None:
    inbox = Inbox(drop_at={2}) if how == "cut" else Inbox(close_at={2})
    with smtp_server(inbox) as port:
        result = send(db, port)
    assert result.exit_code == 0, output(result)
    assert result.stdout.strip() == "sent 3"
    assert sorted(r.recipients[0] for r in inbox.received) == sorted(p.email for p in PEOPLE)


def test_a_server_that_drops_the_same_message_twice_stops_the_run_and_a_rerun_carries_on(db: str) -> None:
    inbox = Inbox(drop_at={2, 3})
    with smtp_server(inbox) as port:
        result = send(db, port)
        assert result.exit_code == 2
        assert result.stdout.strip() == "sent 1"
        assert "closed the connection twice" in result.stderr and "run the same command again" in result.stderr
        assert len(inbox.received) == 1
        first = inbox.received[0].recipients[0]
        again = send(db, port)
    assert again.exit_code == 0, output(again)
    assert again.stdout.startswith("sent 2, skipped 1 (already invited")
    assert sorted(r.recipients[0] for r in inbox.received) == sorted(p.email for p in PEOPLE)
    assert first not in [r.recipients[0] for r in inbox.received[1:]]


def test_an_interrupted_run_is_resumed_by_running_it_again(db: str) -> None:
    class InterruptedAfterTwo(DiscardTransport):
        def send(self, message: EmailMessage) -> None:
            if self.count == 2:
                raise KeyboardInterrupt
            super().send(message)

    with open_store(db) as store:
        letter = _letter(store)
        summary = run_campaign(store, "hv", letter, InterruptedAfterTwo(), Request(base_url=BASE, rate=0))
        assert summary.interrupted and len(summary.sent) == 2
        rest = run_campaign(store, "hv", letter, DiscardTransport(), Request(base_url=BASE, rate=0))
    assert [p.email for p in rest.sent] == [p.email for p in PEOPLE if p.email not in
                                           {s.email for s in summary.sent}]
    assert len(rest.skipped) == 2


def _letter(store: Store) -> Letter:
    return Letter(sender=parse_sender(FROM), organisation="Harbour & Vine", threshold=5, deadline=None,
                  templates=MailTemplates())


# --- TLS and the password ---------------------------------------------------------------
@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return self_signed(tmp_path_factory.mktemp("tls"))


def _url(scheme: str, port: int, password: str = PASSWORD) -> str:
    from urllib.parse import quote

    return f"{scheme}://{quote('mailer@example.org', safe='')}:{quote(password, safe='')}@127.0.0.1:{port}"


def test_starttls_with_a_self_signed_certificate_trusted_by_smtp_cafile(db: str,
                                                                         certificate: tuple[Path, Path]) -> None:
    inbox = Inbox()
    with smtp_server(inbox, tls=certificate, login=("mailer@example.org", PASSWORD)) as port:
        refused = send(db, None, url=_url("smtp", port))
        trusted = send(db, None, "--smtp-cafile", str(certificate[0]), url=_url("smtp", port))
    assert refused.exit_code == 2
    assert "could not be verified" in refused.stderr and "--smtp-cafile" in refused.stderr
    assert trusted.exit_code == 0, output(trusted)
    assert trusted.stdout.strip() == "sent 3" and len(inbox.received) == 3
    assert "STARTTLS" not in trusted.stderr  # no plain-text warning: it was encrypted
    for result in (refused, trusted):
        assert PASSWORD not in output(result) and "s3cret" not in output(result)
    stored = b"".join(p.read_bytes() for p in Path(db).parent.glob("mail.db*"))
    assert b"s3cret" not in stored  # nor in the send log


def test_implicit_tls_with_smtps(db: str, certificate: tuple[Path, Path]) -> None:
    inbox = Inbox()
    with smtp_server(inbox, tls=certificate, implicit_tls=True, login=("mailer@example.org", PASSWORD)) as port:
        result = send(db, None, "--smtp-cafile", str(certificate[0]), url=_url("smtps", port))
    assert result.exit_code == 0, output(result)
    assert len(inbox.received) == 3


def test_a_wrong_password_is_one_line_without_the_password(db: str, certificate: tuple[Path, Path]) -> None:
    with smtp_server(Inbox(), tls=certificate, login=("mailer@example.org", PASSWORD)) as port:
        result = send(db, None, "--smtp-cafile", str(certificate[0]), url=_url("smtp", port, "wrong-Pa55word"))
    assert result.exit_code == 2
    [error] = [line for line in result.stderr.splitlines() if line.startswith("workbook: error:")]
    assert "refused the user name or password (535" in error
    assert "wrong-Pa55word" not in output(result) and "mailer%40example.org" not in output(result)
    assert f"smtp://mailer@example.org@127.0.0.1:{port}" in error


def test_a_password_is_never_sent_to_a_server_without_starttls(db: str) -> None:
    inbox = Inbox()
    with smtp_server(inbox) as port:
        result = send(db, None, url=_url("smtp", port))
    assert result.exit_code == 2 and "does not offer STARTTLS" in result.stderr
    assert PASSWORD not in output(result) and inbox.received == []


def test_smtp_urls_are_read_with_url_encoding_and_errors_never_repeat_them(tmp_path: Path) -> None:
    settings = parse_smtp_url("smtp://user%40example.org:p%40ss%3Aw%2Ford@mail.example.org")
    assert (settings.username, settings.password, settings.port, settings.security) == (
        "user@example.org", "p@ss:w/ord", 587, "starttls")
    assert "p@ss" not in repr(settings) and "p@ss" not in settings.shown
    assert parse_smtp_url("smtps://mail.example.org").port == 465
    assert parse_smtp_url("smtp://localhost:25").username is None
    for bad in ("http://u:hunter2@host", "smtp://u:hunter2@host:99999", "smtp://u:hunter2@host/path",
                "smtp://:hunter2@host", "smtp://u:hunter2@"):
        with pytest.raises(InputError) as caught:
            parse_smtp_url(bad)
        assert "hunter2" not in str(caught.value)
    with pytest.raises(InputError, match="--smtp-cafile"):
        parse_smtp_url("smtp://host", cafile=str(tmp_path / "missing.pem"))


# --- interval, force, reminders -----------------------------------------------------------
def test_nobody_is_mailed_twice_within_the_interval_unless_forced(db: str) -> None:
    inbox = Inbox()
    with smtp_server(inbox) as port:
        assert send(db, port).exit_code == 0
        reminder = send(db, port, "--only", "not-submitted")
        assert reminder.exit_code == 0
        assert reminder.stdout.strip() == "sent 0, skipped 3 (mailed just now)"
        forced = send(db, port, "--only", "not-submitted", "--force")
        assert forced.stdout.strip() == "sent 3"
        no_interval = send(db, port, "--only", "not-started", "--min-interval", "0")
        assert no_interval.stdout.strip() == "sent 3"
    assert len(inbox.received) == 9
    reminders = [r.message for r in inbox.received[3:]]
    assert all(m["Subject"] == "Reminder: your Harbour & Vine values self-assessment" for m in reminders)
    assert all("A gentle reminder" in parts(m)[0] for m in reminders)


def test_the_interval_counts_from_the_last_message_and_says_how_long_ago(db: str) -> None:
    with open_store(db) as store:
        cycle = store.responses.cycle("hv").id
        ada = store.people.get("hv", "ada@example.org")
        store.mail_log.record(ada.id, cycle, "reminder", "sent", at=_now() - timedelta(days=1, hours=2))
        ben = store.people.get("hv", "ben@example.org")
        store.mail_log.record(ben.id, cycle, "reminder", "sent", at=_now() - timedelta(days=4))
    inbox = Inbox()
    with smtp_server(inbox) as port:
        result = send(db, port, "--only", "not-started")
        later = send(db, port, "--only", "not-started", "--min-interval", "20h")
    assert result.stdout.strip() == "sent 2, skipped 1 (mailed 1 day ago)"
    assert later.stdout.strip() == "sent 1, skipped 2 (mailed just now)"  # Ada: 26 h > 20 h
    assert parse_interval("12h") == timedelta(hours=12) and parse_interval("3") == timedelta(days=3)


def _now() -> datetime:
    from workbook.store._base import utcnow

    return utcnow()


def test_reminders_go_only_to_those_who_have_not_started_or_submitted(db: str) -> None:
    from workbook.framework import load_framework

    framework = load_framework()
    with open_store(db) as store:
        cycle = store.responses.cycle("hv").id
        ada = store.people.get("hv", "ada@example.org")
        ben = store.people.get("hv", "ben@example.org")
        for statement in framework.statements:
            store.responses.save_answer(ada.id, cycle, statement.id, 4, framework=framework)
        store.responses.submit(ada.id, cycle, framework=framework)
        store.responses.save_answer(ben.id, cycle, framework.statements[0].id, 3, framework=framework)
    inbox = Inbox()
    with smtp_server(inbox) as port:
        started = send(db, port, "--only", "not-started", "--min-interval", "0")
        submitted = send(db, port, "--only", "not-submitted", "--min-interval", "0")
    assert started.stdout.splitlines() == ["sent 1", "(2 people have started or submitted: no reminder.)"]
    assert submitted.stdout.splitlines() == ["sent 2", "(1 person has submitted: no reminder.)"]
    got = [r.recipients[0] for r in inbox.received]
    assert got[0] == "zoe@example.org" and sorted(got[1:]) == ["ben@example.org", "zoe@example.org"]


def test_the_cycles_closing_date_is_named_and_those_mailed_are_marked_invited_by_mail(db: str) -> None:
    from workbook.progress import statuses

    with open_store(db) as store:
        store.responses.set_closing_date("hv", store.responses.cycle("hv").label, date(2099, 1, 15))
    inbox = Inbox()
    with smtp_server(inbox) as port:
        result = send(db, port)  # no --deadline: the cycle's own date
    assert result.exit_code == 0, output(result)
    assert "opens only on this computer" not in result.stderr  # BASE is a real address
    assert all("Thursday 15 January 2099" in parts(r.message)[0] for r in inbox.received) and len(inbox.received) == 3
    with open_store(db) as store:
        assert {s.status for s in statuses(store, "hv")} == {"invited"}
        assert {s.invited_how for s in statuses(store, "hv")} == {("mail",)}
    local = CliRunner().invoke(cli, ["--db", db, "invites", "hv", "--send", "--from", FROM, "--dry-run"])
    assert local.exit_code == 0 and "opens only on this computer" in local.stderr  # the default 127.0.0.1 links


# --- dry run, outbox, templates, pace ------------------------------------------------------
def test_dry_run_writes_eml_files_and_logs_nothing(db: str, tmp_path: Path) -> None:
    outbox = tmp_path / "outbox"
    result = send(db, None, "--dry-run", "--outbox", str(outbox))
    assert result.exit_code == 0, output(result)
    assert result.stdout.strip() == "would send 3"
    files = sorted(outbox.glob("*.eml"))
    assert len(files) == 3 and all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files)
    expected = links(db)
    for file in files:
        message = message_from_bytes(file.read_bytes(), policy=policy.default)
        assert isinstance(message, EmailMessage)
        assert link_in(message) == expected[message["To"].addresses[0].addr_spec]
    with open_store(db) as store:
        history = store.mail_log.history("hv", store.responses.cycle("hv").id)
    assert history.last_sent == {} and history.invited == frozenset()
    again = send(db, None, "--dry-run", "--outbox", str(outbox))  # would mix two runs' files
    assert again.exit_code == 2 and "already holds .eml files" in again.stderr
    for bad, message in ((files[0], "is a file"), (outbox / "a\x00b", "NUL"), (outbox / ("x" * 300), "too long")):
        refused = send(db, None, "--dry-run", "--outbox", str(bad))
        assert refused.exit_code == 2 and message in refused.stderr, refused.stderr


def test_mail_options_need_send_and_a_server(db: str, tmp_path: Path) -> None:
    runner = CliRunner()
    plain = runner.invoke(cli, ["--db", db, "invites", "hv", "--force"])
    assert plain.exit_code == 2 and "--force only works with --send" in plain.stderr
    listed = runner.invoke(cli, ["--db", db, "invites", "hv", "--only", "not-started"])  # a second round's links
    assert listed.exit_code == 0 and "http" in listed.stdout
    no_server = send(db, None)
    assert no_server.exit_code == 2 and "--smtp" in no_server.stderr
    outbox_only = send(db, None, "--outbox", str(tmp_path / "o"))
    assert outbox_only.exit_code == 2 and "add --dry-run" in outbox_only.stderr
    no_from = runner.invoke(cli, ["--db", db, "invites", "hv", "--send", "--dry-run"])
    assert no_from.exit_code == 2 and '--from "' in no_from.stderr
    with_csv = send(db, None, "--dry-run", "--csv")
    assert with_csv.exit_code == 2 and "does not go with --csv" in with_csv.stderr
    from_user = runner.invoke(cli, ["--db", db, "invites", "hv", "--send", "--dry-run", "--smtp",
                                    "smtp://mailer%40example.org:pw@127.0.0.1:1"])
    assert from_user.exit_code == 0 and from_user.stdout.strip() == "would send 3"  # From: the SMTP user


def test_own_templates_are_used_and_checked(db: str, tmp_path: Path) -> None:
    import shutil

    own = tmp_path / "own"
    shutil.copytree(default_folder(), own)
    (own / "subject.txt.j2").write_text("{{ organisation }}: {{ name }}, your turn", encoding="utf-8")
    outbox = tmp_path / "outbox"
    result = send(db, None, "--dry-run", "--outbox", str(outbox), "--templates", str(own))
    assert result.exit_code == 0, output(result)
    subjects = {message_from_bytes(f.read_bytes(), policy=policy.default)["Subject"] for f in outbox.iterdir()}
    assert "Harbour & Vine: Zoë Ångström-Łukasz, your turn" in subjects
    cases = {
        "body.txt.j2": ("Dear {{ name }}, no link here", "leaves the link out"),
        "body.html.j2": ("{% if %}", "body.html.j2, line 1"),
        "subject.txt.j2": ("{{ nosuchthing }}", "'nosuchthing' is undefined"),
    }
    for name, (content, message) in cases.items():
        broken = tmp_path / f"broken-{name}"
        shutil.copytree(default_folder(), broken)
        (broken / name).write_text(content, encoding="utf-8")
        bad = send(db, None, "--dry-run", "--templates", str(broken))
        assert bad.exit_code == 2 and message in bad.stderr and bad.stderr.count("\n") == 1, bad.stderr
    missing = send(db, None, "--dry-run", "--templates", str(tmp_path / "nowhere"))
    assert missing.exit_code == 2 and "no such folder" in missing.stderr


def test_messages_are_paced_to_the_rate() -> None:
    from workbook.mail.campaign import Pacer

    clock = [100.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock[0] += seconds

    pacer = Pacer(120, lambda: clock[0], sleep)  # 120 a minute: one every half second
    for _ in range(4):
        pacer.wait()
        clock[0] += 0.1  # sending takes 0.1 s
    assert slept == pytest.approx([0.4, 0.4, 0.4])
    unlimited = Pacer(0, lambda: clock[0], sleep)
    unlimited.wait()
    unlimited.wait()
    assert len(slept) == 3


def test_deadline_must_be_a_real_date(db: str) -> None:
    result = send(db, None, "--dry-run", "--deadline", "03/31/2027")  # month first: there is no 31st month
    assert result.exit_code == 2 and "write the day first" in result.stderr


def test_the_send_log_on_both_back_ends(db_url: str) -> None:
    """The log's queries (last message per person, who was invited this cycle) on SQLite and PostgreSQL."""
    with open_store(db_url) as store:
        store.organisations.create("Log Org", "log")
        store.people.import_rows("log", PEOPLE)
        first = store.responses.cycle("log")
        ada, zoe, ben = (store.people.get("log", p.email) for p in PEOPLE)
        store.mail_log.record(ada.id, first.id, "invitation", "sent", at=_now() - timedelta(days=10))
        store.mail_log.record(ada.id, first.id, "reminder", "sent", at=_now() - timedelta(days=2))
        store.mail_log.record(zoe.id, first.id, "invitation", "failed", "550 no such mailbox")
        second = store.responses.open_cycle("log", "2099-Q1")
        store.mail_log.record(ben.id, second.id, "invitation", "sent")
        history = store.mail_log.history("log", first.id)
        assert history.invited == {ada.id}  # Zoë's failed, Ben's was for another cycle
        assert set(history.last_sent) == {ada.id, ben.id}
        assert timedelta(days=1) < _now() - history.last_sent[ada.id] < timedelta(days=3)
        store.people.delete("log", "ada@example.org")  # erasing a person erases the record of mailing them
        assert ada.id not in store.mail_log.history("log", first.id).last_sent


def test_reminder_selection_reads_every_status_in_one_query_on_both_back_ends(db_url: str) -> None:
    from workbook.framework import load_framework
    from workbook.mail.selection import selected_people

    framework = load_framework()
    with open_store(db_url) as store:
        store.organisations.create("Sel Org", "sel")
        store.people.import_rows("sel", PEOPLE)
        cycle = store.responses.cycle("sel").id
        ada, zoe, ben = (store.people.get("sel", p.email) for p in PEOPLE)
        for statement in framework.statements:
            store.responses.save_answer(ada.id, cycle, statement.id, 4, framework=framework)
        store.responses.submit(ada.id, cycle, framework=framework)
        store.responses.save_answer(ben.id, cycle, framework.statements[0].id, 3, framework=framework)
        assert store.responses.statuses("sel", cycle) == {
            ada.id: "submitted", zoe.id: "not_started", ben.id: "in_progress"}
        assert selected_people(store, "sel", cycle, "not-started") == {zoe.id}
        assert selected_people(store, "sel", cycle, "not-submitted") == {zoe.id, ben.id}
        later = store.responses.open_cycle("sel", "2099-Q1").id  # a new cycle: nobody has started it
        assert selected_people(store, "sel", later, "not-started") == {ada.id, zoe.id, ben.id}


def test_hostile_options_end_in_one_line_never_a_traceback(db: str) -> None:
    from hostile.strings import sample

    for case in sample(40):
        for option in ("--from", "--deadline", "--min-interval", "--templates", "--smtp", "--smtp-cafile"):
            args = ["--db", db, "invites", "hv", "--send", "--dry-run", "--from", FROM, option, case.text]
            result = CliRunner().invoke(cli, args)
            assert result.exit_code in (0, 2), (option, str(case), result.exception)
            assert result.exception is None or isinstance(result.exception, SystemExit), (option, str(case))
            if result.exit_code == 2:
                assert len([line for line in result.stderr.splitlines() if "error" in line]) == 1


def test_every_name_the_text_rule_accepts_arrives_as_it_was_in_one_to_header() -> None:
    from hostile.strings import REFUSE, hostile_strings

    from workbook.text import clean_line

    letter = _letter_without_store()
    checked = 0
    for case in hostile_strings():
        if case.expect == REFUSE:
            continue
        try:
            name = clean_line(case.text, "name")
        except InputError:
            continue
        person = PersonRecord(id=1, organisation_id="hv", name=name, email="p@example.org", role="staff", team="T")
        raw = compose(letter, person, f"{BASE}/x?token=t", reminder=False).as_bytes()
        parsed = message_from_bytes(raw, policy=policy.default)
        assert [a.addr_spec for a in parsed["To"].addresses] == ["p@example.org"], str(case)
        assert parsed["To"].addresses[0].display_name == " ".join(name.split()), str(case)
        assert sorted(parsed.keys()) == ["Content-Type", "Date", "From", "MIME-Version", "Message-ID", "Subject",
                                         "To"], str(case)
        checked += 1
    assert checked > 500


def _letter_without_store() -> Letter:
    return Letter(sender=parse_sender(FROM), organisation="Harbour & Vine", threshold=5, deadline=None,
                  templates=MailTemplates())

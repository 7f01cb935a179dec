"""Benchmark: ``workbook invites ORG --send`` to 5,000 people through one SMTP connection.

    .venv/bin/python benchmarks/mail.py                  # 5,000 messages, --rate 0 (unlimited)
    .venv/bin/python benchmarks/mail.py --people 1000

Makes an organisation of N people in a fresh SQLite file (links sealed with a
throw-away key beside it, never ~/.config), starts a real SMTP server
(aiosmtpd, the one the tests use) in a separate process on a free loopback
port, and sends every invitation as the command does: one connection, each
message composed from the templates, each outcome written to the send log in
its own transaction.  Prints messages per second and checks that the server
received exactly N messages.  The server shares the machine: on 2 cores the
figure is a floor for a real relay elsewhere.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

SERVER = """
import sys
sys.path.insert(0, {tests!r})
from smtpserver import Inbox, smtp_server
inbox = Inbox(keep=False)
with smtp_server(inbox) as port:
    print(port, flush=True)
    sys.stdin.read()  # until the benchmark closes our stdin
print(inbox.count, flush=True)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=5000)
    args = parser.parse_args()

    from workbook.mail.campaign import Request, run_campaign
    from workbook.mail.message import Letter, parse_sender
    from workbook.mail.settings import parse_smtp_url
    from workbook.mail.templates import MailTemplates
    from workbook.mail.transport import SmtpTransport
    from workbook.people_csv import PersonRow
    from workbook.sealing import KeySource, Sealer
    from workbook.store import open_store

    with tempfile.TemporaryDirectory(prefix="workbook-mail-bench-") as folder:
        sealer = Sealer(KeySource(path=Path(folder) / "secret.key"))
        store = open_store(str(Path(folder) / "bench.db"), sealer=sealer)
        store.organisations.create("Benchmark Hotels", "bench")
        rows = [PersonRow(name=f"Person {n:05d}", email=f"person{n:05d}@example.org",
                          role="leader" if n % 10 == 0 else "staff", team=f"Team {n % 40:02d}")
                for n in range(args.people)]
        store.people.import_rows("bench", rows)
        server = subprocess.Popen([sys.executable, "-c", SERVER.format(tests=str(ROOT / "tests"))],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert server.stdin is not None and server.stdout is not None
        port = int(server.stdout.readline())
        letter = Letter(sender=parse_sender("Benchmark <bench@example.org>"), organisation="Benchmark Hotels",
                        threshold=5, deadline=None, templates=MailTemplates())
        transport = SmtpTransport(parse_smtp_url(f"smtp://127.0.0.1:{port}"))
        started = time.perf_counter()
        summary = run_campaign(store, "bench", letter, transport,
                               Request(base_url="https://workbook.example.org", rate=0))
        elapsed = time.perf_counter() - started
        server.stdin.close()
        received = int(server.stdout.readline())
        server.wait(timeout=30)
        store.close()
    sent = len(summary.sent)
    print(f"{sent} messages in {elapsed:.1f} s over one connection ({transport.reconnects} reconnects): "
          f"{sent / elapsed:.0f} messages per second; the server received {received}; "
          f"failed {len(summary.failed)}")
    if received != args.people or sent != args.people:
        sys.exit(1)


if __name__ == "__main__":
    main()

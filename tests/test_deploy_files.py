"""The deployment files in deploy/ agree with each other and with the server.

The proxy configuration itself runs in tests/browser/test_deploy_proxy.py
(real nginx, two servers, Chromium); here, cheaply: systemd accepts the
units, every route the nginx maps know reaches the server of that name, and
the units start servers the way the nginx file expects them.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
NGINX_CONF = DEPLOY / "nginx" / "workbook.conf"
UNIT = DEPLOY / "systemd" / "workbook@.service"
TARGET = DEPLOY / "systemd" / "workbook.target"


def _blocks(text: str, kind: str) -> dict[str, str]:
    """``map``/``upstream`` blocks by their name (the last word before ``{``)."""
    return {match.group(1): match.group(2)
            for match in re.finditer(rf"^{kind} [^\n{{]*?(\S+) \{{\n(.*?)^\}}", text, re.M | re.S)}


def test_every_route_name_reaches_the_server_of_that_name_first() -> None:
    text = NGINX_CONF.read_text()
    maps = _blocks(text, "map")
    upstreams = _blocks(text, "upstream")
    for variable in ("$workbook_kernel_upstream", "$workbook_close_upstream"):
        routes = dict(re.findall(r"^\s+(\S+)\s+(\S+);", maps[variable], re.M))
        assert routes.pop("default") == "workbook_links"  # an unknown cookie is not an address
        assert routes, "no route names"
        for route, upstream in routes.items():
            servers = re.findall(r"^\s+server (\S+)(.*);", upstreams[upstream], re.M)
            first, *others = servers
            assert first[0] == f"127.0.0.1:{route}" and "backup" not in first[1]  # workbook@PORT is --route PORT
            assert others and all("backup" in extra for _, extra in others)  # the other one answers 404 at once
    listed = re.findall(r"^\s+server (\S+)", upstreams["workbook_links"], re.M)
    assert sorted(listed) == sorted(f"127.0.0.1:{route}" for route in routes)
    assert "hash $arg_token$arg_key consistent;" in upstreams["workbook_links"]


def test_the_proxy_never_logs_the_query_and_forwards_what_the_server_trusts() -> None:
    text = NGINX_CONF.read_text()
    log_format = re.search(r"log_format workbook (.*?);", text, re.S)
    assert log_format and "$uri" in log_format.group(1)
    assert not re.search(r"\$request\b|\$request_uri|\$args|\$query_string", log_format.group(1))
    assert re.findall(r"access_log (\S+) (\S+);", text) and all(
        fmt == "workbook" for _, fmt in re.findall(r"access_log (\S+) (\S+);", text))
    for header in ("X-Forwarded-For $proxy_add_x_forwarded_for", "X-Forwarded-Proto $scheme",
                   "Host $http_host", "Upgrade $http_upgrade", "Connection $workbook_connection"):
        assert f"proxy_set_header {header};" in text


def test_the_unit_starts_servers_as_the_proxy_expects() -> None:
    unit = UNIT.read_text()
    command = re.search(r"^ExecStart=(.*)$", unit, re.M)
    assert command is not None
    words = command.group(1).split()
    assert words[1:3] == ["serve", "--host"] and words[3] == "127.0.0.1"
    assert words[words.index("--port") + 1] == "%i" and words[words.index("--route") + 1] == "%i"
    assert words[words.index("--trusted-proxy") + 1] == "127.0.0.1"  # nginx on the same machine
    assert "KillSignal=SIGINT" in unit  # serve stops like Ctrl-C and shuts its kernels down
    assert "PartOf=workbook.target" in unit and "WantedBy=workbook.target" in unit


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_accepts_the_units(tmp_path: Path) -> None:
    # ExecStart must name a program that exists here; everything else is checked as shipped.
    true = shutil.which("true") or "/bin/true"
    unit = UNIT.read_text().replace("/opt/workbook/.venv/bin/workbook", true)
    (tmp_path / "workbook@8001.service").write_text(unit)
    shutil.copy(TARGET, tmp_path / "workbook.target")
    backup = (DEPLOY / "systemd" / "workbook-backup.service").read_text()
    (tmp_path / "workbook-backup.service").write_text(backup.replace("/opt/workbook/deploy/workbook-backup", true))
    shutil.copy(DEPLOY / "systemd" / "workbook-backup.timer", tmp_path / "workbook-backup.timer")
    units = ["workbook@8001.service", "workbook.target", "workbook-backup.service", "workbook-backup.timer"]
    result = subprocess.run(["systemd-analyze", "verify", *(str(tmp_path / unit) for unit in units)],
                            capture_output=True, text=True, timeout=60)
    complaints = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    assert result.returncode == 0 and not complaints, complaints


def _run_backup_script(db: str, folder: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "WORKBOOK_DB": db, "WORKBOOK_BACKUP_DIR": str(folder), "WORKBOOK_BACKUP_DAYS": "14",
           "WORKBOOK_BIN": str(Path(sys.executable).with_name("workbook"))}
    return subprocess.run([str(DEPLOY / "workbook-backup")], env=env, capture_output=True, text=True, timeout=300)


def test_the_backup_script_keeps_two_weeks_of_sqlite_backups(tmp_path: Path) -> None:
    database = tmp_path / "workbook.db"
    workbook = Path(sys.executable).with_name("workbook")
    subprocess.run([str(workbook), "--db", str(database), "org", "create", "Acme", "--id", "acme"],
                   check=True, capture_output=True)
    folder = tmp_path / "backups"
    folder.mkdir()
    old, recent, other = folder / "workbook-2000-01-01-000000.db", folder / "workbook-recent.db", folder / "notes.txt"
    for path in (old, recent, other):
        path.write_text("x")
    month_ago = time.time() - 30 * 86400
    os.utime(old, (month_ago, month_ago))
    os.utime(other, (month_ago, month_ago))

    result = _run_backup_script(str(database), folder)

    assert result.returncode == 0, result.stderr
    made = Path(result.stdout.strip().removeprefix("Backed up to "))
    assert made.parent == folder and made.name.startswith("workbook-") and made.suffix == ".db"
    assert stat.S_IMODE(made.stat().st_mode) == 0o600
    listed = subprocess.run([str(workbook), "--db", str(made), "org", "list"], capture_output=True, text=True)
    assert "acme" in listed.stdout
    assert not old.exists() and recent.exists() and other.exists()  # only its own old files go


def test_the_backup_script_dumps_postgresql(postgres_url: str, tmp_path: Path) -> None:
    from workbook.store import open_store

    with open_store(postgres_url) as store:
        store.organisations.create("Acme", "acme")
    url = postgres_url.replace("postgresql+psycopg://", "postgresql://")  # as in workbook.env
    folder = tmp_path / "backups"
    folder.mkdir()

    result = _run_backup_script(url, folder)

    assert result.returncode == 0, result.stderr
    made = Path(result.stdout.strip().removeprefix("Backed up to "))
    assert made.suffix == ".dump" and stat.S_IMODE(made.stat().st_mode) == 0o600
    assert [p.name for p in folder.iterdir()] == [made.name]  # no partial file left
    listing = subprocess.run(["pg_restore", "--list", str(made)], capture_output=True, text=True, check=True)
    assert "TABLE DATA public organisations" in listing.stdout

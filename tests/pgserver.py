"""A throw-away PostgreSQL server for the test run.

The store must work on SQLite *and* PostgreSQL, so the tests start a real
PostgreSQL cluster of their own: ``initdb`` into a temporary directory, then
the ``postgres`` server on a free port of 127.0.0.1, tuned for speed rather
than durability (``fsync=off`` and friends).  Nothing is mocked.

Usage::

    with PostgresServer() as server:          # one cluster
        url = server.create_database()        # a fresh, empty database
        ...                                   # sqlalchemy.create_engine(url)

    with throwaway_postgres() as url:         # cluster + one database
        ...

Finding the binaries: ``$WORKBOOK_PG_BIN`` if set, else the newest
``/usr/lib/postgresql/<version>/bin`` (Debian/Ubuntu packages), else
``pg_config --bindir`` from ``PATH`` (conda, Homebrew, ...).  When none is
found :class:`PostgresNotInstalled` is raised; its message says how to
install PostgreSQL.

Running as root: ``initdb`` and ``postgres`` refuse to run as root, so when the
effective uid is 0 they run as the ``postgres`` system user (created by the
Debian package) and the temporary directory is handed to that user.

Teardown: :meth:`PostgresServer.stop` does an immediate shutdown (SIGQUIT to
the postmaster, which is what ``pg_ctl stop -m immediate`` sends), reaps the
process and removes the directory.  It runs from the pytest fixture's
finalizer and from :mod:`atexit`; when the test process is killed outright
(SIGKILL, a CI timeout) the kernel still delivers SIGQUIT to the postmaster,
because it is started through ``setpriv --pdeathsig SIGQUIT``, and the next
run removes directories left behind by dead runs.
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO

import psycopg
from psycopg import sql

__all__ = [
    "INSTALL_HINT",
    "PostgresNotInstalled",
    "PostgresServer",
    "PostgresStartError",
    "find_bin_dir",
    "throwaway_postgres",
]

INSTALL_HINT = "install it with: apt-get install -y postgresql"

#: Environment variable naming a directory that holds initdb and postgres.
BIN_ENV = "WORKBOOK_PG_BIN"

#: Name prefix of the temporary cluster directories (also used to find stale ones).
DIR_PREFIX = "workbook-pg-"

#: The cluster's superuser; also the OS user the server runs as under root.
SUPERUSER = "postgres"

#: Server settings: fast and disposable.  Passed as ``-c name=value``.
SERVER_SETTINGS: Mapping[str, str] = {
    "listen_addresses": "127.0.0.1",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "wal_level": "minimal",
    "max_wal_senders": "0",
    "shared_buffers": "16MB",
    "max_connections": "100",
    "autovacuum": "off",
    "jit": "off",
    "TimeZone": "UTC",
    "logging_collector": "off",
    "log_min_messages": "warning",
}

_START_TIMEOUT = 30.0
_STOP_TIMEOUT = 10.0


class PostgresNotInstalled(RuntimeError):
    """No usable PostgreSQL installation was found."""


class PostgresStartError(RuntimeError):
    """The throw-away cluster could not be created or started."""


def _has_server_binaries(directory: Path) -> bool:
    return all(os.access(directory / name, os.X_OK) for name in ("initdb", "postgres"))


def _version_key(directory: Path) -> tuple[int, ...]:
    # /usr/lib/postgresql/<version>/bin -> numeric version, so 15 sorts after 9.6
    return tuple(int(part) for part in re.findall(r"\d+", directory.parent.name))


def find_bin_dir(
    environ: Mapping[str, str] | None = None,
    debian_root: Path = Path("/usr/lib/postgresql"),
) -> Path:
    """Return the directory holding ``initdb`` and ``postgres``.

    Order: ``$WORKBOOK_PG_BIN`` (an explicit choice: it must be valid),
    the newest ``<debian_root>/*/bin``, then ``pg_config --bindir`` found on
    ``$PATH``.  *environ* defaults to :data:`os.environ`.

    Raises:
        PostgresNotInstalled: nothing usable was found; the message ends with
            :data:`INSTALL_HINT`.
    """
    env = os.environ if environ is None else environ
    override = env.get(BIN_ENV)
    if override:
        path = Path(override)
        if _has_server_binaries(path):
            return path
        raise PostgresNotInstalled(
            f"${BIN_ENV}={override} does not contain executable initdb and postgres; "
            f"unset it, or {INSTALL_HINT}"
        )

    debian = [p for p in debian_root.glob("*/bin") if _has_server_binaries(p)]
    if debian:
        return max(debian, key=_version_key)

    pg_config = shutil.which("pg_config", path=env.get("PATH", os.defpath))
    if pg_config:
        result = subprocess.run(
            [pg_config, "--bindir"], capture_output=True, text=True, check=False
        )
        path = Path(result.stdout.strip())
        if result.returncode == 0 and _has_server_binaries(path):
            return path

    raise PostgresNotInstalled(
        "PostgreSQL server binaries (initdb, postgres) not found "
        f"(looked at ${BIN_ENV}, {debian_root}/*/bin, pg_config --bindir); {INSTALL_HINT}"
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().split("\n", 1)[0].strip())
    except (OSError, ValueError):
        return None


def remove_stale_clusters(tmp_root: Path | None = None) -> list[Path]:
    """Remove cluster directories whose owning test process is gone.

    Such directories are left only when a test run was killed outright.
    A still-running postmaster in one of them is stopped first.
    Returns the directories removed.
    """
    root = Path(tmp_root or tempfile.gettempdir())
    removed: list[Path] = []
    for directory in root.glob(f"{DIR_PREFIX}*"):
        owner = _read_pid(directory / "owner.pid")
        if owner is None or _pid_alive(owner):
            continue
        postmaster = _read_pid(directory / "data" / "postmaster.pid")
        if postmaster is not None and _pid_alive(postmaster):
            with contextlib.suppress(OSError):
                cmdline = Path(f"/proc/{postmaster}/cmdline").read_bytes()
                if b"postgres" in cmdline and str(directory).encode() in cmdline:
                    os.kill(postmaster, signal.SIGQUIT)
        shutil.rmtree(directory, ignore_errors=True)
        removed.append(directory)
    return removed


class PostgresServer:
    """One throw-away PostgreSQL cluster, started and stopped by this object.

    Thread-safe for :meth:`create_database` / :meth:`drop_database`.
    Use it as a context manager, or call :meth:`start` and :meth:`stop`
    (``stop`` is idempotent and also registered with :mod:`atexit`).
    """

    def __init__(self, bin_dir: Path | None = None, *, port_attempts: int = 5) -> None:
        self.bin_dir: Path = bin_dir if bin_dir is not None else find_bin_dir()
        self.port_attempts = port_attempts
        self.port: int | None = None
        self.base_dir: Path | None = None
        self.start_seconds: float | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._run_as: tuple[int, int] | None = None
        self._counter = itertools.count(1)
        self._lock = threading.Lock()

    # -- properties -----------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def pid(self) -> int | None:
        """Process id of the postmaster, while started."""
        return self._process.pid if self._process is not None else None

    @property
    def data_dir(self) -> Path:
        return self._require_base() / "data"

    @property
    def log_path(self) -> Path:
        return self._require_base() / "postgres.log"

    def url(self, dbname: str = "postgres") -> str:
        """SQLAlchemy URL (psycopg 3 driver) for database *dbname*."""
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self._require_port()}/{dbname}"

    def conninfo(self, dbname: str = "postgres") -> str:
        """libpq connection string for database *dbname* (for psycopg directly)."""
        return f"host=127.0.0.1 port={self._require_port()} user={SUPERUSER} dbname={dbname}"

    # -- lifecycle ------------------------------------------------------------------

    def start(self) -> PostgresServer:
        """Create the cluster and start the server; returns self."""
        if self._process is not None:
            raise RuntimeError("server already started")
        began = time.monotonic()
        remove_stale_clusters()
        self._run_as = self._server_user()
        self.base_dir = Path(tempfile.mkdtemp(prefix=DIR_PREFIX))
        (self.base_dir / "owner.pid").write_text(f"{os.getpid()}\n")
        atexit.register(self.stop)
        try:
            if self._run_as is not None:
                os.chown(self.base_dir, *self._run_as)
            self._initdb()
            self._start_server()
        except BaseException:
            self.stop()
            raise
        self.start_seconds = time.monotonic() - began
        return self

    def stop(self) -> None:
        """Immediate shutdown, reap the processes, remove the directory.  Idempotent."""
        process, self._process = self._process, None
        if process is not None:
            _shutdown(process)
        base, self.base_dir = self.base_dir, None
        if base is not None:
            shutil.rmtree(base, ignore_errors=True)
        atexit.unregister(self.stop)

    def __enter__(self) -> PostgresServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- databases ------------------------------------------------------------------

    def create_database(self, name: str | None = None) -> str:
        """Create an empty database (default name ``test_<n>``); return its URL."""
        with self._lock:
            dbname = name or f"test_{next(self._counter)}"
            with psycopg.connect(self.conninfo(), autocommit=True) as conn:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
        return self.url(dbname)

    def drop_database(self, name: str) -> None:
        """Drop a database, disconnecting any sessions still using it."""
        with psycopg.connect(self.conninfo(), autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )

    @contextlib.contextmanager
    def fresh_database(self) -> Iterator[str]:
        """Yield the URL of a new empty database; drop it afterwards."""
        url = self.create_database()
        try:
            yield url
        finally:
            if self.running:
                self.drop_database(url.rsplit("/", 1)[1])

    # -- internals ------------------------------------------------------------------

    def _require_base(self) -> Path:
        if self.base_dir is None:
            raise RuntimeError("server not started")
        return self.base_dir

    def _require_port(self) -> int:
        if self.port is None:
            raise RuntimeError("server not started")
        return self.port

    @staticmethod
    def _server_user() -> tuple[int, int] | None:
        """(uid, gid) to run the server tools as, or None to run as ourselves."""
        if os.geteuid() != 0:
            return None
        import pwd

        try:
            entry = pwd.getpwnam(SUPERUSER)
        except KeyError:
            raise PostgresStartError(
                f"running as root, but there is no '{SUPERUSER}' system user to run "
                f"the server as; {INSTALL_HINT} (it creates that user)"
            ) from None
        return entry.pw_uid, entry.pw_gid

    def _env(self) -> dict[str, str]:
        # PG* variables (PGDATA, PGPORT, PGHOST, ...) from the caller must not leak in.
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env["LC_ALL"] = "C"
        return env

    def _spawn(
        self,
        argv: Sequence[str],
        *,
        stdout: int | IO[bytes],
        stderr: int | IO[bytes],
        server: bool = False,
    ) -> subprocess.Popen[bytes]:
        """Run a server tool, as the ``postgres`` user when we are root.

        ``server=True`` (the postmaster): start it in a new session, so a Ctrl-C
        in the terminal reaches pytest and not the server (pytest then stops it
        in order), and have the kernel send it SIGQUIT (immediate shutdown) when
        this process dies without cleaning up.
        """
        command = list(argv)
        setpriv = shutil.which("setpriv")
        if server and setpriv:
            command = [setpriv, "--pdeathsig", "SIGQUIT", "--", *command]
        uid, gid = self._run_as if self._run_as is not None else (None, None)
        return subprocess.Popen(
            command,
            cwd=self._require_base(),
            env=self._env(),
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
            start_new_session=server,
            user=uid,
            group=gid,
            extra_groups=[] if self._run_as is not None else None,
        )

    def _initdb(self) -> None:
        argv = [
            str(self.bin_dir / "initdb"),
            "--pgdata",
            str(self.data_dir),
            "--username",
            SUPERUSER,
            "--auth",
            "trust",
            "--encoding",
            "UTF8",
            "--locale",
            "C",
            "--no-sync",
            "--no-instructions",
        ]
        process = self._spawn(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        output, _ = process.communicate(timeout=120)
        if process.returncode != 0:
            raise PostgresStartError(
                f"initdb failed (exit {process.returncode}):\n{output.decode(errors='replace')}"
            )

    def restart(self, *, down_seconds: float = 0.0) -> float:
        """Stop the server at once, as a crash would (immediate mode: no checkpoint), and start it
        again on the same port and data after ``down_seconds``; returns the seconds it was down.

        For fault tests: clients see their connections drop and new ones refused meanwhile.
        Call it from a thread that lives as long as the server: the postmaster gets a
        parent-death signal (``setpriv --pdeathsig``), which Linux sends when the *thread*
        that started it ends.
        """
        process, self._process = self._process, None
        if process is None:
            raise RuntimeError("server not started")
        began = time.monotonic()
        _shutdown(process)
        time.sleep(down_seconds)
        port = self._require_port()
        for _attempt in range(50):  # the old postmaster's port may take a moment to be free
            with open(self.log_path, "ab") as log:
                started = self._spawn(self._argv(port), stdout=log, stderr=log, server=True)
            self._process = started
            if self._wait_ready(started):
                return time.monotonic() - began
            _shutdown(started)
            self._process = None
            time.sleep(0.1)
        log = self.log_path.read_text(errors="replace")
        raise PostgresStartError(f"postgres did not start again; server log:\n{log}")

    def _argv(self, port: int) -> list[str]:
        return [
            str(self.bin_dir / "postgres"),
            "-D",
            str(self.data_dir),
            "-p",
            str(port),
            "-c",
            f"unix_socket_directories={self._require_base()}",
            *itertools.chain.from_iterable(
                ("-c", f"{key}={value}") for key, value in SERVER_SETTINGS.items()
            ),
        ]

    def _start_server(self) -> None:
        last_log = ""
        for _attempt in range(self.port_attempts):
            port = _free_port()
            argv = self._argv(port)
            with open(self.log_path, "ab") as log:
                process = self._spawn(argv, stdout=log, stderr=log, server=True)
            self._process = process
            self.port = port
            if self._wait_ready(process):
                return
            _shutdown(process)
            self._process = None
            self.port = None
            last_log = self.log_path.read_text(errors="replace")
            if "could not bind" not in last_log and "in use" not in last_log:
                break  # not a port race: retrying will not help
        raise PostgresStartError(f"postgres did not start; server log:\n{last_log}")

    def _wait_ready(self, process: subprocess.Popen[bytes]) -> bool:
        """Wait until the postmaster reports 'ready' and accepts a connection."""
        pid_file = self.data_dir / "postmaster.pid"
        deadline = time.monotonic() + _START_TIMEOUT
        while time.monotonic() < deadline:
            if process.poll() is not None:
                return False
            try:
                lines = pid_file.read_text().splitlines()
            except OSError:
                lines = []
            # Line 8 of postmaster.pid is the status: "starting", "ready", ...
            if len(lines) >= 8 and lines[7].strip() == "ready":
                try:
                    with psycopg.connect(self.conninfo(), connect_timeout=5):
                        return True
                except psycopg.OperationalError:
                    pass
            time.sleep(0.02)
        return False


def _shutdown(process: subprocess.Popen[bytes]) -> None:
    """Immediate shutdown of a postmaster we started (same as ``pg_ctl stop -m immediate``).

    SIGQUIT makes the postmaster tell every backend to exit, wait for them and
    exit itself.  If it has not done so in time, its whole process group (the
    server runs in a session of its own) is killed; the postmaster is not yet
    reaped then, so the group id cannot belong to anyone else.
    """
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGQUIT)
        try:
            process.wait(timeout=_STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
    process.wait()


@contextlib.contextmanager
def throwaway_postgres(bin_dir: Path | None = None) -> Iterator[str]:
    """Start a cluster, yield the SQLAlchemy URL of a fresh database, tear it all down."""
    with PostgresServer(bin_dir) as server:
        yield server.create_database()

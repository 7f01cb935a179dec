"""Shared pytest fixtures.

Databases (logic lives in ``tests/pgserver.py``):

* ``sqlite_url``      - ``sqlite:///<tmp_path>/workbook.db``, new file per test.
* ``postgres_server`` - session-wide throw-away PostgreSQL cluster
                        (:class:`pgserver.PostgresServer`), started on first use.
* ``postgres_url``    - URL of a fresh, empty database on that cluster, dropped after
                        the test.  Tests using it get the ``postgres`` marker.
* ``db_url``          - parametrised ``sqlite`` / ``postgresql``: write a store test once,
                        it runs on both back ends.

Content: ``framework`` - the bundled DIME(TM) framework, loaded once per session.

The secret key that seals invite links: every test run (each xdist worker, and
every server or kernel a test starts, which inherit the environment) uses a
throw-away key file in a temporary folder, never the real ``~/.config``.

Without PostgreSQL installed, postgres tests are skipped locally and *fail* when
``$CI`` is set, so CI can never go green without having run them.
"""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from pgserver import PostgresNotInstalled, PostgresServer

from workbook.framework import Framework, load_framework

# Started as a background job by a non-interactive shell (`scripts/test &`, nohup),
# this process inherits SIGINT ignored, and so would every server a test starts:
# the tests that stop a server with Ctrl-C's signal would wait for ever.  A handler
# here is reset to the default in each child at exec, so the servers stop as for a person.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


_POSTGRES_FIXTURES = frozenset({"postgres_server", "postgres_url"})


def pytest_configure(config: pytest.Config) -> None:
    folder = tempfile.mkdtemp(prefix="workbook-test-key-")  # mode 0700
    os.environ.pop("WORKBOOK_SECRET_KEY", None)
    os.environ["WORKBOOK_KEY_FILE"] = str(Path(folder) / "secret.key")
    config.add_cleanup(lambda: shutil.rmtree(folder, ignore_errors=True))


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@pytest.hookimpl(tryfirst=True)  # before -m selection, so `-m "not postgres"` sees the mark
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if _POSTGRES_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.postgres)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    try:
        server = PostgresServer()
    except PostgresNotInstalled as exc:
        if _in_ci():
            pytest.fail(f"CI must run the PostgreSQL tests: {exc}", pytrace=False)
        pytest.skip(str(exc))
    with server:  # stops even on failures / Ctrl-C; atexit is the backstop
        yield server


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    with postgres_server.fresh_database() as url:
        yield url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'workbook.db'}"


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
    ]
)
def db_url(request: pytest.FixtureRequest) -> str:
    # getfixturevalue: the sqlite case never starts the PostgreSQL cluster.
    name = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    url: str = request.getfixturevalue(name)
    return url


@pytest.fixture(scope="session")
def framework() -> Framework:
    """The bundled framework (frozen, so one copy serves every test)."""
    return load_framework()

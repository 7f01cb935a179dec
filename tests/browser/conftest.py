"""Browser tests: real headless Chromium against a real ``workbook serve``.

Fixtures (helpers are in ``harness.py``):

* ``demo_db_url``   - session: a fresh SQLite file with the demo organisation.
* ``demo_token``    - the first demo person's token (they have submitted: results page).
* ``demo_open_token`` - a demo person who has not submitted yet (questionnaire page).
* ``start_voila``   - session: ``start_voila(notebooks=..., apps=[...], extra_args=[...])``
                      starts a server (once per set of arguments) and stops it,
                      with all its kernels, at the end of the session.
* ``voila_server``  - session: the workbook's own apps on the demo database
                      (``.base_url``, ``.db_url``, ``.app_url(notebook, token=...)``).
* ``browser``       - session: Chromium (``/usr/bin/chromium``, headless, empty profile).
* ``page``          - a new page in a new context; every request whose host is not
                      127.0.0.1 is aborted and recorded, and the test fails at teardown
                      if there was any.
* ``outside_requests`` - that record, for tests that want to look at it.

Every test in this folder gets the ``browser`` marker.  Without ``/usr/bin/chromium``
the browser tests are skipped locally and *fail* when ``$CI`` is set.

A new test (``from harness import screenshot, wait_for_widgets``)::

    def test_values_page(voila_server, page, demo_open_token):
        page.goto(voila_server.app_url("values_assessment.ipynb", token=demo_open_token))
        wait_for_widgets(page)  # the first enabled button or input, not page load
        screenshot(page, "values-welcome")  # -> tests/artifacts/screens/values-welcome.png
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from harness import (
    CHROMIUM,
    OutsideRequests,
    VoilaServer,
    demo_statuses,
    in_ci,
    launch_chromium,
    seed_demo_database,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

_HERE = Path(__file__).resolve().parent

StartVoila = Callable[..., VoilaServer]


@pytest.hookimpl(tryfirst=True)  # before -m selection, so `-m "not browser"` sees the mark
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if _HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def demo_db_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return seed_demo_database(tmp_path_factory.mktemp("browser-db"))


@pytest.fixture(scope="session")
def demo_token(demo_db_url: str) -> str:
    """The personal token of the demo organisation's first person."""
    return next(iter(demo_statuses(demo_db_url)))


@pytest.fixture(scope="session")
def demo_open_token(demo_db_url: str) -> str:
    """The token of a demo person who has not submitted (sees the questionnaire)."""
    return next(token for token, state in demo_statuses(demo_db_url).items() if state == "not_started")


@pytest.fixture(scope="session")
def start_voila(demo_db_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[StartVoila]:
    servers: dict[tuple[object, ...], VoilaServer] = {}
    with ExitStack() as stack:

        def start(
            *,
            notebooks: Path | None = None,
            apps: Sequence[str] = (),
            extra_args: Sequence[str] = (),
            db_url: str | None = None,
        ) -> VoilaServer:
            key = (notebooks, tuple(apps), tuple(extra_args), db_url)
            if key not in servers:
                log = tmp_path_factory.mktemp("voila") / "serve.log"
                servers[key] = stack.enter_context(
                    VoilaServer.start(
                        db_url=db_url or demo_db_url,
                        log_path=log,
                        notebooks=notebooks,
                        apps=apps,
                        extra_args=extra_args,
                    )
                )
            return servers[key]

        yield start


@pytest.fixture(scope="session")
def voila_server(start_voila: StartVoila) -> VoilaServer:
    from workbook.links import NOTEBOOKS
    from workbook.paths import notebooks_dir

    apps = [nb for nb in NOTEBOOKS.values() if (notebooks_dir() / nb).is_file()]
    return start_voila(apps=apps)


@pytest.fixture(scope="session")
def chromium() -> Path:
    if not CHROMIUM.exists():
        install = "apt-get install -y --no-install-recommends chromium fonts-dejavu-core"
        message = f"{CHROMIUM} is missing ({install})"
        if in_ci():
            pytest.fail(f"CI must run the browser tests: {message}", pytrace=False)
        pytest.skip(message)
    return CHROMIUM


@pytest.fixture(scope="session")
def browser(chromium: Path) -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = launch_chromium(playwright)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def outside_requests() -> OutsideRequests:
    return OutsideRequests()


@pytest.fixture
def page(browser: Browser, outside_requests: OutsideRequests) -> Iterator[Page]:
    context = browser.new_context(
        locale="en-GB", viewport={"width": 1280, "height": 900}, service_workers="block"
    )
    outside_requests.install(context)
    try:
        yield context.new_page()
    finally:
        context.close()
    if outside_requests.attempted:
        listed = "\n  ".join(outside_requests.attempted)
        pytest.fail(f"the page tried to reach other hosts (blocked):\n  {listed}", pytrace=False)

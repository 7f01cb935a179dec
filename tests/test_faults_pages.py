"""A page's kernel that died (kill -9) and came back blank: its link lets go of it (issue #12 part 3).

The browser side is ``tests/browser/test_faults_kernel.py``; this is the
registry's part in seconds: the link's next opening must begin a new page (a
blank kernel has no widgets), while the old page keeps its secret for the old
kernel, so its notice stays and its unload can still close that kernel.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from workbook.web.pages import PageRegistry


def _run(scenario: Coroutine[Any, Any, None]) -> None:
    """asyncio.run in a thread of its own: earlier tests of a full run may leave a loop running here."""
    with ThreadPoolExecutor(1) as runner:
        runner.submit(asyncio.run, scenario).result(timeout=60)


def test_a_died_kernel_lets_go_of_its_link_but_not_of_its_open_page() -> None:
    async def scenario() -> None:
        pages = PageRegistry()
        old = pages.begin("link-1", "token=abc", "values_assessment.ipynb")
        pages.kernel_found(old, "kernel-old")
        pages.complete(old, "<html>")

        assert pages.detach("kernel-old") is old
        assert pages.find("link-1") is None, "the next opening of the link makes a new page"
        assert pages.secret_matches("kernel-old", old.secret), "the open page still reaches its kernel"

        new = pages.begin("link-1", "token=abc", "values_assessment.ipynb")  # no "already has a page"
        pages.kernel_found(new, "kernel-new")
        assert pages.find("link-1") is new
        # The blank kernel is shut down later (the old tab closed): the new page stays.
        pages.forget_kernel("kernel-old")
        assert pages.find("link-1") is new and pages.secret_matches("kernel-new", new.secret)
        assert not pages.secret_matches("kernel-old", old.secret)

    _run(scenario())


def test_a_kernel_that_dies_while_its_page_is_made_releases_the_waiters() -> None:
    async def scenario() -> None:
        pages = PageRegistry()
        page = pages.begin("link-2", "token=def")
        pages.kernel_found(page, "kernel-2")
        pages.detach("kernel-2")
        assert page.ready.done() and page.ready.result() is None  # they try again, onto a new kernel

    _run(scenario())

"""The parts of ``workbook serve`` between a browser and a kernel, without a server:
link checks against a real store, the rate limit, client addresses behind proxies,
the one-link-one-kernel registry and the security policy.  (Over HTTP, with a real
server: tests/browser/test_serve_guard.py.)"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from workbook.links import NOTEBOOKS
from workbook.people_csv import PersonRow
from workbook.store import Store, open_store
from workbook.web.access import Admitted, LinkChecker, Refusal, credential_parameter, link_identity
from workbook.web.clients import Clients
from workbook.web.pages import PageRegistry
from workbook.web.policy import CONTENT_SECURITY_POLICY, SECURITY_HEADERS, same_origin, script_hash
from workbook.web.ratelimit import RateLimiter

VALUES, WORKSHOP, CHARTER = NOTEBOOKS["values"], NOTEBOOKS["workshop"], NOTEBOOKS["charter"]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """One organisation (``demo``) of two people."""
    opened = open_store(f"sqlite:///{tmp_path / 'workbook.db'}")
    opened.organisations.create("Demo", "demo")
    opened.people.import_rows("demo", [PersonRow("Ann Lee", "ann@example.org", "leader", "Front"),
                                       PersonRow("Bo Kim", "bo@example.org", "staff", "Front")])
    try:
        yield opened
    finally:
        opened.close()


def _person(store: Store, number: int = 0) -> tuple[str, str]:
    """(email, invite token) of one person."""
    invite = store.people.invites("demo")[number]
    return invite.person.email, invite.token


# --- which links open a page ------------------------------------------------------------
def test_a_valid_token_or_key_is_admitted_under_a_name_without_the_token(store: Store) -> None:
    checker = LinkChecker(store)
    _email, token = _person(store)
    key = store.organisations.facilitator_key("demo")
    admitted = checker.check(VALUES, token)
    assert admitted == Admitted(link_identity(VALUES, token))
    assert token not in admitted.identity
    assert isinstance(checker.check(WORKSHOP, key), Admitted)
    assert isinstance(checker.check(CHARTER, key), Admitted)
    assert checker.check(WORKSHOP, key) != checker.check(CHARTER, key)  # one link per app


@pytest.mark.parametrize(
    ("app", "credential", "title"),
    [
        (VALUES, None, "Please use your personal link"),
        (VALUES, "", "Please use your personal link"),
        (VALUES, "not-a-token", "This link does not work"),  # malformed
        (VALUES, "A" * 43, "This link does not work"),  # well formed, unknown
        (WORKSHOP, None, "Please use the facilitator link"),
        (WORKSHOP, "B" * 43, "This link does not work"),
        (CHARTER, "", "Please use the facilitator link"),
        ("other.ipynb", None, "Please use your personal link"),  # any other app needs a personal token
    ],
)
def test_a_missing_malformed_or_unknown_credential_is_refused(
    store: Store, app: str, credential: str | None, title: str
) -> None:
    refusal = LinkChecker(store).check(app, credential)
    assert isinstance(refusal, Refusal) and refusal.status == 403 and refusal.title == title
    assert refusal.text[:1].isupper()


def test_a_token_is_not_a_key_and_a_key_is_not_a_token(store: Store) -> None:
    checker = LinkChecker(store)
    _email, token = _person(store)
    key = store.organisations.facilitator_key("demo")
    assert isinstance(checker.check(WORKSHOP, token), Refusal)
    assert isinstance(checker.check(VALUES, key), Refusal)
    assert credential_parameter(VALUES) == "token" and credential_parameter(CHARTER) == "key"


def test_lookups_beyond_the_pending_cap_are_answered_busy_without_queueing(store: Store) -> None:
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from workbook.web.access import BUSY, LinkLookups

    _email, token = _person(store)
    release = threading.Event()
    executor = ThreadPoolExecutor(2)
    for _ in range(2):  # both threads busy, as during a flood: every lookup now waits in the queue
        executor.submit(release.wait, 30)
    lookups = LinkLookups(LinkChecker(store), executor, max_pending=5)

    async def scenario() -> list[Admitted | Refusal]:
        flood = [asyncio.ensure_future(lookups.check(VALUES, "A" * 43)) for _ in range(5)]
        await asyncio.sleep(0.05)
        assert lookups.pending == 5
        late = await lookups.check(VALUES, token)  # not queued: answered at once
        malformed = await lookups.check(VALUES, "short")  # needs no lookup: never busy
        release.set()
        done = await asyncio.gather(*flood)
        assert lookups.pending == 0
        return [late, malformed, *done, await lookups.check(VALUES, token)]

    try:
        late, malformed, *flood, after = _run(scenario())  # type: ignore[misc]
    finally:
        release.set()
        executor.shutdown()
    assert late == BUSY and late.status == 503
    assert isinstance(malformed, Refusal) and malformed.status == 403
    assert all(isinstance(r, Refusal) and r.status == 403 for r in flood)
    assert isinstance(after, Admitted)


def test_rotated_and_deleted_credentials_stop_working_at_once(store: Store) -> None:
    checker = LinkChecker(store)
    email, token = _person(store, 0)
    other_email, other_token = _person(store, 1)
    key = store.organisations.facilitator_key("demo")
    store.people.new_token("demo", email)
    store.people.delete("demo", other_email)
    store.organisations.new_facilitator_key("demo")
    assert isinstance(checker.check(VALUES, token), Refusal)
    assert isinstance(checker.check(VALUES, other_token), Refusal)
    assert isinstance(checker.check(WORKSHOP, key), Refusal)


# --- the rate limit -----------------------------------------------------------------------
class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_each_address_gets_a_burst_then_a_steady_rate() -> None:
    clock = _Clock()
    limiter = RateLimiter(3, clock)  # 3 at once, then one every 20 s
    assert [limiter.take("10.0.0.1") for _ in range(3)] == [0.0, 0.0, 0.0]
    wait = limiter.take("10.0.0.1")
    assert wait == pytest.approx(20.0) and RateLimiter.retry_after(wait) == 20
    assert limiter.take("10.0.0.2") == 0.0  # another address has its own bucket
    clock.now += 20
    assert limiter.take("10.0.0.1") == 0.0
    assert limiter.take("10.0.0.1") > 0
    clock.now += 3600  # refilled, never beyond the burst
    assert [limiter.take("10.0.0.1") for _ in range(4)][-1] > 0


def test_refusals_have_a_generous_bucket_of_their_own_that_can_be_looked_at_without_spending() -> None:
    from workbook.web.ratelimit import REFUSALS_BURST, REFUSALS_PER_MINUTE

    clock = _Clock()
    refusals = RateLimiter(REFUSALS_PER_MINUTE, clock, burst=REFUSALS_BURST)
    assert (refusals.per_minute, refusals.burst) == (120, 60)
    assert all(refusals.wait("10.0.0.1") == 0 for _ in range(100))  # looking spends nothing
    assert [refusals.take("10.0.0.1") for _ in range(60)] == [0.0] * 60
    assert refusals.wait("10.0.0.1") == pytest.approx(0.5)  # 120 a minute: one every half second
    assert refusals.wait("10.0.0.2") == 0
    clock.now += 0.5
    assert refusals.wait("10.0.0.1") == 0
    clock.now += 3600
    assert [refusals.take("10.0.0.1") for _ in range(61)][-1] > 0  # refilled to the burst, not beyond


def test_no_limit_when_the_rate_is_zero() -> None:
    limiter = RateLimiter(0)
    assert all(limiter.take("10.0.0.1") == 0 for _ in range(1000))
    with pytest.raises(ValueError):
        RateLimiter(-1)


def test_the_limiter_forgets_addresses_to_bound_its_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    from workbook.web import ratelimit

    monkeypatch.setattr(ratelimit, "MAX_ADDRESSES", 10)
    clock = _Clock()
    limiter = RateLimiter(5, clock)
    for number in range(50):
        limiter.take(f"10.0.0.{number}")
        clock.now += 0.01
    assert len(limiter._buckets) <= 11


# --- client addresses behind proxies --------------------------------------------------------
def test_without_a_trusted_proxy_forwarded_headers_are_ignored() -> None:
    clients = Clients()
    forged = {"X-Forwarded-For": "1.2.3.4", "X-Real-IP": "5.6.7.8", "X-Forwarded-Proto": "https"}
    assert clients.address("203.0.113.9", forged) == "203.0.113.9"
    assert clients.is_https("203.0.113.9", "http", forged) is False
    assert clients.is_https("203.0.113.9", "https", {}) is True


def test_behind_a_trusted_proxy_the_forwarded_client_counts() -> None:
    clients = Clients(["127.0.0.1", "10.0.0.0/8"])
    headers = {"X-Forwarded-For": "198.51.100.7, 203.0.113.5, 10.1.2.3", "X-Forwarded-Proto": "https"}
    # right-most address that is not a trusted proxy (the left ones the client could forge)
    assert clients.address("127.0.0.1", headers) == "203.0.113.5"
    assert clients.is_https("127.0.0.1", "http", headers) is True
    assert clients.address("127.0.0.1", {"X-Real-IP": "198.51.100.8"}) == "198.51.100.8"
    assert clients.address("127.0.0.1", {}) == "127.0.0.1"
    # a request that does not come from the proxy is believed about nothing
    assert clients.address("198.51.100.99", headers) == "198.51.100.99"
    assert clients.is_https("198.51.100.99", "http", headers) is False


# --- one link, one kernel ---------------------------------------------------------------------
def _run(coroutine: object) -> object:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()  # type: ignore[arg-type]


def test_a_link_holds_one_page_and_waiters_share_it() -> None:
    async def scenario() -> None:
        pages = PageRegistry()
        page = pages.begin("link-1", "token=t")
        waiter = asyncio.ensure_future(asyncio.shield(page.ready))
        pages.kernel_found(page, "kernel-1")
        pages.complete(page, "<html>page</html>")
        assert await waiter == "<html>page</html>"
        assert pages.find("link-1") is page and len(pages) == 1
        assert pages.secret_matches("kernel-1", page.secret)
        assert not pages.secret_matches("kernel-1", "guess") and not pages.secret_matches("kernel-1", None)
        assert not pages.secret_matches("kernel-2", page.secret)
        assert pages.forget_kernel("kernel-1") is page
        assert pages.find("link-1") is None and pages.page_of("kernel-1") is None
        assert not pages.secret_matches("kernel-1", page.secret)

    _run(scenario())


def test_a_failed_page_lets_waiters_try_again() -> None:
    async def scenario() -> None:
        pages = PageRegistry()
        page = pages.begin("link-1", "")
        pages.fail(page)
        assert await page.ready is None
        assert pages.find("link-1") is None

    _run(scenario())


def test_a_link_never_gets_a_second_page_while_it_has_one() -> None:
    async def scenario() -> None:
        pages = PageRegistry()
        page = pages.begin("link-1", "token=t")
        with pytest.raises(RuntimeError):
            pages.begin("link-1", "token=t&cycle=2")  # would orphan the first page's kernel
        assert pages.find("link-1") is page
        pages.fail(page)
        assert pages.begin("link-1", "token=t&cycle=2") is not page

    _run(scenario())


def test_requests_for_one_link_decide_one_at_a_time_and_leave_no_lock_behind() -> None:
    async def scenario() -> None:
        pages = PageRegistry()
        order: list[str] = []

        async def request(name: str, link: str) -> None:
            async with pages.claim(link):
                order.append(f"{name} in")
                await asyncio.sleep(0.01)  # e.g. awaiting the old kernel's shutdown
                order.append(f"{name} out")

        await asyncio.gather(request("a", "link-1"), request("b", "link-1"), request("c", "link-2"))
        assert order.index("a out") < order.index("b in")  # b waited for a
        assert order.index("c in") < order.index("a out")  # another link did not wait
        assert pages._locks == {}

    _run(scenario())


def test_open_pages_whose_link_was_rotated_or_deleted_lose_their_kernel(store: Store) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from workbook.web.access import LinkLookups
    from workbook.web.recheck import sweep

    email, token = _person(store, 0)
    other_email, other_token = _person(store, 1)
    key = store.organisations.facilitator_key("demo")
    shut: list[str] = []

    async def shutdown(kernel_id: str) -> None:
        shut.append(kernel_id)

    async def scenario(lookups: LinkLookups) -> tuple[list[str], list[str]]:
        pages = PageRegistry()
        for number, (app, credential) in enumerate([(VALUES, token), (VALUES, other_token), (WORKSHOP, key)]):
            page = pages.begin(link_identity(app, credential), f"x={number}", app, credential)
            pages.kernel_found(page, f"kernel-{number}")
        before = await sweep(pages, lookups, shutdown)
        store.people.new_token("demo", email)  # people new-link
        store.organisations.new_facilitator_key("demo")  # org new-key
        after = await sweep(pages, lookups, shutdown)
        return before, after

    with ThreadPoolExecutor(1) as executor:
        before, after = _run(scenario(LinkLookups(LinkChecker(store), executor)))  # type: ignore[misc]
    assert before == [] and after == ["kernel-0", "kernel-2"] and shut == after
    assert other_email  # the other person's page keeps its kernel


# --- the security policy ------------------------------------------------------------------------
def test_the_policy_allows_no_inline_script_and_nothing_from_other_hosts() -> None:
    directives = dict(d.strip().split(" ", 1) for d in CONTENT_SECURITY_POLICY.split(";"))
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == f"'self' {script_hash('window.voila_heartbeat()')}"
    assert "'unsafe-inline'" not in directives["script-src"] and "'unsafe-eval'" not in directives["script-src"]
    assert directives["connect-src"] == "'self'" and directives["frame-ancestors"] == "'none'"
    assert not any("http" in value or "*" in value for value in directives.values())
    assert SECURITY_HEADERS["X-Content-Type-Options"] == "nosniff"


def test_the_template_has_no_inline_script() -> None:
    import re

    from workbook.paths import templates_dir

    folder = templates_dir() / "voila" / "workbook"
    for path in [*folder.glob("*.html"), *folder.glob("*.j2")]:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/)[^>]*>", text), path.name
        assert not re.search(r"\son[a-z]+\s*=", text), path.name


@pytest.mark.parametrize(
    ("origin", "host", "same"),
    [
        ("http://127.0.0.1:8866", "127.0.0.1:8866", True),
        ("https://workbook.example.org", "workbook.example.org", True),
        ("https://evil.example.net", "workbook.example.org", False),
        ("http://127.0.0.1:9999", "127.0.0.1:8866", False),
        (None, "127.0.0.1:8866", False),  # a script, not a browser
        ("null", "127.0.0.1:8866", False),  # sandboxed frame, file:// page
        ("file://", "127.0.0.1:8866", False),
    ],
)
def test_same_origin_needs_an_origin_naming_this_host(origin: str | None, host: str, same: bool) -> None:
    assert same_origin(origin, host) is same


def test_the_refusal_words_and_the_proxy_headers_are_written_once() -> None:
    """One place to change them: the 503 page of access.py, the proxy headers of clients.py."""
    import workbook.web

    sources = "".join(path.read_text(encoding="utf-8")
                      for path in Path(workbook.web.__file__).parent.glob("*.py"))
    assert sources.count("Something on our side is not working") == 1
    assert sources.count('"X-Real-IP", "Forwarded"') == 1
    assert Clients().is_forwarded({"Forwarded": "for=1.2.3.4"}) and not Clients().is_forwarded({})


def test_asked_to_wait_is_logged_once_per_address_a_minute_with_the_count_left_out() -> None:
    """A full-speed flood answered 429 must not write a log line per request."""
    from workbook.web.ratelimit import LogThrottle

    clock = _Clock()
    throttle = LogThrottle(60, clock)
    assert throttle.due("10.0.0.1") == 0  # the first one is logged
    assert [throttle.due("10.0.0.1") for _ in range(500)] == [None] * 500
    assert throttle.due("10.0.0.2") == 0  # another address is logged on its own
    clock.now += 59.9
    assert throttle.due("10.0.0.1") is None
    clock.now += 0.2
    assert throttle.due("10.0.0.1") == 501  # a minute later: one line, saying how many were left out
    assert throttle.due("10.0.0.1") is None

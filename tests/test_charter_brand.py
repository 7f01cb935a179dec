"""Brand promise and common purpose (#16 part 1): stored, compared, exported, and the "serves" prompt.

The "serves" tables hold realistic first pages and promises: promises that
plainly help keep the brand promise must pass quietly (false alarms teach a
team to ignore the check), and promises about something else must be asked about.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Iterator
from datetime import date

import pytest

from workbook.charter import Charters, PromiseRecord
from workbook.charter.brand import serves, shared_ideas
from workbook.charter.checks import check_charter
from workbook.charter.diff import compare_foundation
from workbook.charter.export import export_charter
from workbook.errors import ConflictError, InputError
from workbook.framework import Framework
from workbook.store import Store, open_store

BAKERY = ("Fresh bread baked here every morning, and people behind the counter who know your name.",
          "Everyone treats the morning counter as the most important hour, and we learn our regulars' names.")
CONTACT = ("One call sorts it: the person who answers your call owns your problem until it is fixed.",
           "Whoever takes a call owns it to the end, and anyone asked for help drops what they are doing.")
TYRES = ("Tyres fitted while you wait, at the price we quoted.", None)
TODAY = date(2026, 11, 24)


@pytest.mark.parametrize(("first_page", "promise"), [
    (BAKERY, "Every loaf on the shelf was baked this morning, or it is free."),
    (BAKERY, "We greet every regular by name."),
    (BAKERY, "We will remember what matters to you and use it to make your next visit easier."),
    (CONTACT, "We will answer your call within 20 seconds, and the person who answers will tell you their name."),
    (CONTACT, "If we get something wrong, we will say so within one working day and put it right."),
    (CONTACT, "We will reply personally to your email or web message within two working hours."),
    (TYRES, "Your car is back to you within 45 minutes of arriving, or we say why before you wait."),
    (TYRES, "The price on your quote is the price on your bill, with nothing added."),
])
def test_promises_that_keep_the_brand_promise_are_not_flagged(first_page: tuple[str, str | None],
                                                             promise: str) -> None:
    assert serves(promise, *first_page), f"false alarm: {promise!r}"
    assert shared_ideas(promise, *first_page)


@pytest.mark.parametrize(("first_page", "promise"), [
    (BAKERY, "We recycle 90% of our packaging waste."),
    (BAKERY, "Our shop windows are redecorated every season."),
    (CONTACT, "We keep our car park clean and free of litter every day."),
    (TYRES, "We will ask for your views every quarter and tell you what we changed because of them."),
])
def test_promises_about_something_else_are_flagged(first_page: tuple[str, str | None], promise: str) -> None:
    assert not serves(promise, *first_page), shared_ideas(promise, *first_page)


def test_nothing_is_said_before_the_brand_promise_is_written() -> None:
    assert serves("We recycle 90% of our packaging waste.", None, None)
    assert serves("We recycle 90% of our packaging waste.", "   ", "Everyone recycles.")
    assert serves("", *BAKERY)


def test_the_serves_finding_is_advice_and_names_the_promise(framework: Framework) -> None:
    promises = [PromiseRecord(p.text, p.value, p.step, p.standard, "Owner", None, p.id) for p in framework.promises]
    promises[4] = PromiseRecord("We recycle 90% of our packaging waste.", "O", "brand-experiences",
                                "Weighed monthly: 90% recycled.", "Owner", None)
    report = check_charter(promises, framework, today=TODAY,
                           brand_promise=BAKERY[0], common_purpose=BAKERY[1])
    off = [f for f in report.findings if f.code == "off_brand"]
    assert [f.position for f in off if f.position == 5] == [5]
    assert all(not f.blocking for f in off)
    assert "Promise 5 has nothing in common with your brand promise" in off[[f.position for f in off].index(5)].message
    assert {"missing_brand_promise", "missing_common_purpose"}.isdisjoint(report.codes())
    bare = check_charter(promises, framework, today=TODAY)
    assert {"missing_brand_promise", "missing_common_purpose"} <= bare.codes()
    assert "off_brand" not in bare.codes()


# --- stored with the charter ------------------------------------------------------------------
@pytest.fixture
def store(tmp_path: object) -> Iterator[Store]:
    with open_store(f"{tmp_path}/brand.db") as opened:
        opened.organisations.create("Harbour & Vine", "hv", threshold=3)
        yield opened


def test_the_first_page_is_stored_guarded_and_carried_into_the_next_version(store: Store,
                                                                           framework: Framework) -> None:
    charters = Charters(store.transactions)
    draft = charters.start_draft("hv", framework=framework)
    assert draft.brand_promise is None and draft.common_purpose is None
    saved = charters.save_foundation("hv", draft.number, draft.version, brand_promise=f" {BAKERY[0]} ",
                                     common_purpose=BAKERY[1])
    assert saved.brand_promise == BAKERY[0] and saved.version == draft.version + 1
    with pytest.raises(ConflictError):  # a stale copy never overwrites
        charters.save_foundation("hv", draft.number, draft.version, brand_promise="x", common_purpose=None)
    with pytest.raises(InputError, match="the brand promise"):
        charters.save_foundation("hv", draft.number, saved.version, brand_promise="\u202e evil",
                                 common_purpose=None)
    cleared = charters.save_foundation("hv", draft.number, saved.version, brand_promise=BAKERY[0],
                                       common_purpose="   ")
    assert cleared.common_purpose is None
    charters.save_foundation("hv", draft.number, cleared.version, brand_promise=BAKERY[0],
                             common_purpose=BAKERY[1])
    # approve needs the ten starters, owned and dated
    promises = [PromiseRecord(p.text, p.value, p.step, p.standard, "Owner", date(2027, 3, 1), p.id)
                for p in framework.promises]
    current = charters.draft("hv")
    assert current is not None
    current = charters.save_draft("hv", current.number, current.version, promises, framework=framework)
    charters.approve("hv", current.number, current.version, approved_by="Dana", framework=framework,
                     today=date(2026, 11, 24))
    second = charters.start_draft("hv", framework=framework)
    assert (second.number, second.brand_promise, second.common_purpose) == (2, BAKERY[0], BAKERY[1])
    changed = charters.save_foundation("hv", 2, second.version, brand_promise="Bread from our own ovens.",
                                       common_purpose=BAKERY[1])
    [change] = compare_foundation(charters.get("hv", 1), changed)
    assert (change.label, change.old, change.new) == ("brand promise", BAKERY[0], "Bread from our own ovens.")


@pytest.mark.parametrize("audience", ["team", "customers"])
def test_both_appear_at_the_top_of_every_export_format(store: Store, framework: Framework, audience: str) -> None:
    charters = Charters(store.transactions)
    draft = charters.start_draft("hv", [PromiseRecord("We greet you by name.", "U", "human-connections")],
                                 framework=framework)
    charters.save_foundation("hv", draft.number, draft.version, brand_promise=BAKERY[0],
                             common_purpose="Everyone learns the names of our regulars <b>first</b>.")
    who = "customers" if audience == "customers" else "team"
    markdown = export_charter(store, "hv", "md", framework=framework, audience=who).data.decode()
    assert markdown.index("## Our brand promise") < markdown.index("## Our common purpose") \
        < markdown.index("1. **We greet you by name.**")
    assert BAKERY[0] in markdown and "\\<b>first\\</b>" in markdown
    page = export_charter(store, "hv", "html", framework=framework, audience=who).data.decode()
    assert page.index("Our brand promise") < page.index("Our common purpose") < page.index("We greet you by name")
    assert "&lt;b&gt;first&lt;/b&gt;" in page and "<b>first</b>" not in page
    from docx import Document

    word = Document(io.BytesIO(export_charter(store, "hv", "docx", framework=framework, audience=who).data))
    paragraphs = [p.text for p in word.paragraphs]
    assert paragraphs.index("Our brand promise") < paragraphs.index(BAKERY[0]) \
        < paragraphs.index("We greet you by name.")
    assert "Everyone learns the names of our regulars <b>first</b>." in paragraphs
    pdf = export_charter(store, "hv", "pdf", framework=framework, audience=who).data
    assert pdf.startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
        flat = " ".join(text.split())
        assert "OUR BRAND PROMISE" in flat.upper() and "Fresh bread baked here every morning" in flat

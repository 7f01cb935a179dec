"""The respondent's results page says every difference the chart shows, and what happens next."""

from __future__ import annotations

from datetime import date, timedelta

from workbook.values.html import differences_html, what_happens_next_html


def test_every_value_is_mentioned_even_a_gap_below_the_clear_difference_line() -> None:
    # The newcomer trial: Optimistic 3.6 against 3.1 showed as a gap on the chart but went unsaid.
    shown = differences_html([("Accountable", 4.75, 4.1), ("Optimistic", 3.6, 3.14), ("Unique", 3.0, 3.04),
                              ("Energetic", 3.2, 3.9)], "Your scores beside everyone's average", "everyone")
    assert "<strong>Optimistic</strong>: you 3.6, everyone 3.1 (you 0.5 higher — a clear difference)" in shown
    assert "<strong>Accountable</strong>: you 4.8, everyone 4.1 (you 0.7 higher — a clear difference)" in shown
    assert "<strong>Unique</strong>: you 3.0, everyone 3.0 (the same)" in shown
    assert "<strong>Energetic</strong>: you 3.2, everyone 3.9 (you 0.7 lower — a clear difference)" in shown
    assert shown.count("<li>") == 4


def test_a_small_difference_is_said_without_calling_it_clear() -> None:
    shown = differences_html([("Innovative", 3.4, 3.2)], "Value by value", "the organisation")
    assert "you 3.4, the organisation 3.2 (you 0.2 higher)" in shown and "clear" not in shown


def test_names_are_escaped() -> None:
    assert "&lt;b&gt;" in differences_html([("<b>", 1.0, 2.0)], "x", "everyone")


def test_what_happens_next_names_the_closing_day_and_the_workshop() -> None:
    soon = date.today() + timedelta(days=10)
    shown = what_happens_next_html(soon)
    assert "<h2>What happens next</h2>" in shown
    assert f"closes on {soon.day} {soon:%B %Y}" in shown  # day first, month in words
    assert "workshop" in shown and "never one person's answers" in shown
    assert "closed on" in what_happens_next_html(date.today() - timedelta(days=1))
    assert "closes on" not in what_happens_next_html(None)

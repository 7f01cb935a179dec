"""Trends in words and table rows: what the report's "Trends" section and summary say.

Pure functions over :class:`~workbook.report.trends.Trends` (figures already
through the anonymity rule), so every sentence can be tested with hand-made
trends.  HTML is assembled by :func:`workbook.report.sections.trends`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING

from workbook.report.change import STEP_CHANGE, Change

if TYPE_CHECKING:
    from workbook.report.trends import Figure, StepTrend, Trends, ValueTrend

__all__ = [
    "RULE_SENTENCE",
    "change_text",
    "rule_sentence",
    "step_rows",
    "trend_sentences",
    "value_rows",
    "verdict_text",
]

#: The change-vs-noise rule in one plain sentence (the method appendix states it).
RULE_SENTENCE = (
    "A change between two cycles is called up or down only when the figure is shown in both and the 95 % "
    "confidence interval of the difference between the two averages (Welch's method, from each cycle's spread "
    "of people's scores and its number of people) leaves out zero; otherwise it is \"no clear change\"."
)


def rule_sentence() -> str:
    """The whole rule for the appendix: values (noise from people's answers) and steps (agreed ratings)."""
    return (f"{RULE_SENTENCE} A DIME™ step's maturity is the team's agreed rating, not a sample of people, so it "
            f"is called up or down when its average moves by at least {STEP_CHANGE:.1f} of a level. Each cycle's "
            "figures are those its own report shows, under the same anonymity rule; a group hidden in a cycle is "
            "hidden in its trend, and a cycle with too few answers has no figures.")


def _one(x: float | None) -> str:
    return "–" if x is None or math.isnan(x) else f"{x:.1f}"


def verdict_text(change: Change) -> str:
    """The verdict as the table says it, e.g. ``▲ up`` or ``no comparison (too few answers in 2026-Q2)``.

    The arrow is a second cue beside the word, never the only one.
    """
    if change.verdict == "no comparison" and change.reason:
        return f"no comparison ({change.reason})"
    return {"up": "▲ up", "down": "▼ down"}.get(change.verdict, change.verdict)


def _signed(x: float) -> str:
    """``+0.62``, ``-0.30``, and ``0.00`` for anything that rounds to zero (never ``-0.00``).

    Two decimals: the verdict reads the unrounded interval, and one decimal
    would show a bound just above zero as ``0.0`` beside "up".
    """
    text = f"{x:+.2f}"
    return "0.00" if text in ("+0.00", "-0.00") else text


def change_text(change: Change) -> str:
    """The difference with its interval when there is one, e.g. ``+0.62 (+0.21 to +1.03)``."""
    if change.difference is None:
        return "–"
    text = _signed(change.difference)
    if change.low is not None and change.high is not None and change.low != change.high:
        text += f" ({_signed(change.low)} to {_signed(change.high)})"
    return text


def _cell(figure: Figure | None, enough: bool) -> str:
    if not enough:
        return "too few answers"
    return "hidden" if figure is None else _one(figure.mean)


def value_rows(trends: Trends, names: Mapping[str, str]) -> list[tuple[str, str, str, str, str, str]]:
    """(group, value, last cycle, this cycle, change, verdict) for each value trend."""
    previous = trends.previous
    rows = []
    for trend in trends.values:
        last = _cell(trend.figures[-2], previous.enough) if previous is not None else "–"
        rows.append((trend.group, names.get(trend.value_id, trend.value_id), last,
                     _cell(trend.figures[-1], trends.current.enough), change_text(trend.change),
                     verdict_text(trend.change)))
    return rows


def step_rows(trends: Trends) -> list[tuple[str, ...]]:
    """(step, one column per cycle, change, verdict) for each step with a rating in some cycle."""
    return [(s.title, *[("not run" if not c.workshop else _one(m)) for c, m in zip(trends.cycles, s.means,
                                                                                   strict=True)],
             change_text(s.change), verdict_text(s.change)) for s in trends.steps]


def _who(trend: ValueTrend) -> str:
    if trend.kind == "everyone":
        return "for everyone"
    if trend.kind == "role":
        return f"for {trend.group.lower()}"
    return f"in {trend.group}"


def _moved(trend: ValueTrend, names: Mapping[str, str]) -> str:
    before, after = trend.figures[-2], trend.figures[-1]
    assert before is not None and after is not None
    direction = "up" if trend.change.verdict == "up" else "down"
    name = names.get(trend.value_id, trend.value_id)
    return f"{name} {_who(trend)}, {direction} from {before.mean:.1f} to {after.mean:.1f}"


def _step_moved(step: StepTrend, trends: Trends) -> str:
    assert trends.step_pair is not None
    first, second = trends.step_pair
    before, after = step.means[first], step.means[second]
    return f"{step.name} ({_one(before)} to {_one(after)})"


def trend_sentences(trends: Trends, names: Mapping[str, str]) -> list[str]:
    """What the executive summary says about the trends: the biggest real improvement and decline.

    Only changes the rule calls real are named; when there are none, it says so.
    Nothing is said when the report shows no trends.
    """
    if not trends.shown or trends.previous is None:
        return []
    previous = trends.previous.label
    if not trends.previous.enough:
        return [f"{previous} had too few answers to compare with, so this report calls no change since then; "
                "the trends section shows the earlier cycles."]
    up, down = trends.biggest("up"), trends.biggest("down")
    sentences: list[str] = []
    if up is None and down is None:
        sentences.append(f"Since {previous}, no value moved by more than the noise in the answers: there is no "
                         "clear improvement and no clear decline.")
    else:
        sentences.append(f"Biggest improvement since {previous}: {_moved(up, names)}." if up is not None
                         else f"No value improved by more than the noise since {previous}.")
        sentences.append(f"Biggest decline: {_moved(down, names)}." if down is not None
                         else "No value declined by more than the noise.")
    if trends.step_pair is not None:
        first, second = (trends.cycles[i].label for i in trends.step_pair)
        rose, fell = trends.biggest_step("up"), trends.biggest_step("down")
        if rose is None and fell is None:
            sentences.append(f"In the workshops of {first} and {second}, no step's maturity moved by "
                             f"{STEP_CHANGE:.1f} of a level or more.")
        else:
            parts = []
            if rose is not None:
                parts.append(f"rose most for {_step_moved(rose, trends)}")
            if fell is not None:
                parts.append(f"fell most for {_step_moved(fell, trends)}")
            sentences.append(f"Between the workshops of {first} and {second}, step maturity {' and '.join(parts)}.")
    return sentences

"""Charts as static SVG: offline, byte-identical between runs, readable in print.

Altair builds the chart; vl-convert renders it to SVG in-process, so no
JavaScript and no CDN is ever needed (the apps show the SVG in an HTML widget;
the reports embed it).  Every chart has a title, axis titles, colour-blind-safe
colours (Okabe-Ito) with a second cue (shape) and a ``description`` that
screen readers announce.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import altair as alt
    import pandas as pd

__all__ = ["SERIES_COLOURS", "chart_html", "to_svg", "value_profile_chart", "warm_up"]

#: Okabe-Ito colours, distinguishable with the common colour-vision deficiencies.
SERIES_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
SERIES_SHAPES = ("circle", "diamond", "square", "triangle-up", "cross", "triangle-down")
FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"


def _theme(chart: alt.TopLevelMixin) -> Any:
    return chart.configure(font=FONT).configure_axis(
        labelFontSize=13, titleFontSize=13, labelColor="#1b1f24", titleColor="#1b1f24", gridColor="#e3e6ea"
    ).configure_title(fontSize=16, anchor="start", color="#1b1f24").configure_legend(
        labelFontSize=13, titleFontSize=13, orient="bottom"
    ).configure_view(stroke=None)


def value_profile_chart(
    data: pd.DataFrame, *, title: str, description: str, scale: tuple[int, int] = (1, 5),
    scale_title: str = "Average rating", series_order: Sequence[str] | None = None,
    value_order: Sequence[str] | None = None,
) -> alt.Chart:
    """A dot plot of value scores per series (e.g. You / Your team / Organisation).

    ``data`` has columns ``value`` (value name), ``series`` and ``score``.
    A dot plot compares several series on one scale more exactly than bars,
    and does not suggest that 1 is "zero".
    """
    import altair as alt

    series = list(series_order or dict.fromkeys(data["series"]))
    values = list(value_order or dict.fromkeys(data["value"]))
    colour = alt.Color("series:N", title=None, sort=series,
                       scale=alt.Scale(domain=series, range=list(SERIES_COLOURS[: len(series)])))
    shape = alt.Shape("series:N", title=None, sort=series,
                      scale=alt.Scale(domain=series, range=list(SERIES_SHAPES[: len(series)])))
    x = alt.X("score:Q", title=scale_title, scale=alt.Scale(domain=list(scale), nice=False),
              axis=alt.Axis(values=list(range(scale[0], scale[1] + 1)), format="d"))
    y = alt.Y("value:N", title=None, sort=values)
    base = alt.Chart(data)
    rules = base.mark_rule(color="#9aa3ae", strokeWidth=1.5).encode(
        y=y, x=alt.X("min(score):Q", scale=alt.Scale(domain=list(scale))), x2="max(score):Q"
    )
    points = base.mark_point(size=150, filled=True, opacity=1).encode(
        x=x, y=y, color=colour, shape=shape,
        tooltip=[alt.Tooltip("value:N", title="Value"), alt.Tooltip("series:N", title="Who"),
                 alt.Tooltip("score:Q", title="Score", format=".1f")],
    )
    chart = alt.layer(rules, points).properties(
        title=title, width=440, height=alt.Step(34), description=description
    )
    return _theme(chart)  # type: ignore[no-any-return]


def to_svg(chart: alt.TopLevelMixin) -> str:
    """Render a chart to an SVG string, in-process and offline."""
    import vl_convert as vlc

    spec = chart.to_dict()
    svg: str = vlc.vegalite_to_svg(spec)
    description = spec.get("description")
    if description and "aria-label" not in svg[:500]:
        from html import escape

        svg = svg.replace("<svg ", f'<svg role="img" aria-label="{escape(description, quote=True)}" ', 1)
    return svg


def chart_html(chart: alt.TopLevelMixin) -> str:
    """The chart as an HTML fragment (SVG in a figure) for widgets and reports."""
    return f'<figure class="wb-chart">{to_svg(chart)}</figure>'


def warm_up() -> None:
    """Render one tiny chart so the first real chart does not pay vl-convert's start-up."""
    import pandas as pd

    frame = pd.DataFrame({"value": ["A"], "series": ["You"], "score": [3.0]})
    to_svg(value_profile_chart(frame, title="warm-up", description="warm-up"))

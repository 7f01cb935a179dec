"""Charts as static SVG: offline, byte-identical between runs, readable in print.

Altair builds the chart; vl-convert renders it to SVG in-process, so no
JavaScript and no CDN is ever needed (the apps show the SVG in an HTML widget;
the reports embed it).  Every chart has a title, axis titles, colour-blind-safe
colours (Okabe-Ito) with a second cue (shape) and a ``description`` that
screen readers announce.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from workbook.settings import CHART_RENDERER_ENV

if TYPE_CHECKING:
    import altair as alt
    import pandas as pd

    from workbook.html import Markup

__all__ = [
    "RATING_COLOURS", "SCORE_COLOURS", "SERIES_COLOURS", "chart_html", "distribution_chart", "gap_chart",
    "heatmap_chart", "maturity_by_step_chart", "responsive_chart_html", "spec_to_svg", "spread_chart", "to_svg",
    "trend_chart",
    "value_profile_chart", "values_radar_chart", "vega_safe", "warm_up",
]

#: Okabe-Ito colours, distinguishable with the common colour-vision deficiencies.
SERIES_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
SERIES_SHAPES = ("circle", "diamond", "square", "triangle-up", "cross", "triangle-down")
FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"

_P = ParamSpec("_P")
_R = TypeVar("_R")


def _unchecked(build: Callable[_P, _R]) -> Callable[_P, _R]:
    """Build the chart without altair checking each of its parts against the schema as it is made.

    In its default debug mode altair validates every schema object (each
    encoding, axis, scale...) when it is created: about a third of a CPU second
    per report, for a spec that is the same either way.  The whole spec of every
    chart a report draws is checked against the Vega-Lite schema by
    tests/report/test_report_chart_schema.py instead (the other charts by their own tests).
    """
    @functools.wraps(build)
    def built(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        from altair.utils.schemapi import debug_mode

        with debug_mode(False):
            return build(*args, **kwargs)

    return built


def _theme(chart: alt.TopLevelMixin, text: int = 13) -> Any:
    """The house style, set in one step (each ``configure_*`` call deep-copies the whole chart);
    ``text``: the label size in pixels."""
    import altair as alt

    themed = chart.copy(deep=False)  # type: ignore[attr-defined]
    themed.config = alt.Config(
        font=FONT,
        axis=alt.AxisConfig(labelFontSize=text, titleFontSize=text, labelColor="#1b1f24", titleColor="#1b1f24",
                            gridColor="#e3e6ea"),
        title=alt.TitleConfig(fontSize=text + 3, anchor="start", color="#1b1f24"),
        legend=alt.LegendConfig(labelFontSize=text, titleFontSize=text, orient="bottom", labelLimit=400),
        view=alt.ViewConfig(stroke=None),
    )
    return themed


@_unchecked
def value_profile_chart(
    data: pd.DataFrame, *, title: str, description: str, scale: tuple[int, int] = (1, 5),
    scale_title: str = "Average rating", series_order: Sequence[str] | None = None,
    value_order: Sequence[str] | None = None, width: int = 440, narrow: bool = False,
) -> alt.Chart:
    """A dot plot of value scores per series (e.g. You / Your team / Organisation).

    ``data`` has columns ``value`` (value name), ``series`` and ``score``.
    A dot plot compares several series on one scale more exactly than bars,
    and does not suggest that 1 is "zero".  ``narrow``: drawn for a phone
    (about 340 px wide with 15 px text), so it is shown at its own size
    instead of being shrunk until its text is unreadable; see
    :func:`responsive_chart_html`.
    """
    import altair as alt

    series = list(series_order or dict.fromkeys(data["series"]))
    values = list(value_order or dict.fromkeys(data["value"]))
    legend = alt.Legend(columns=1) if narrow else alt.Undefined  # one series a line on a phone
    colour = alt.Color("series:N", title=None, sort=series, legend=legend,
                       scale=alt.Scale(domain=series, range=list(SERIES_COLOURS[: len(series)])))
    shape = alt.Shape("series:N", title=None, sort=series, legend=legend,
                      scale=alt.Scale(domain=series, range=list(SERIES_SHAPES[: len(series)])))
    # On a phone the axis title goes on two lines ("Average rating" / "(1 = Never, 5 = Always)").
    axis_title: str | list[str] = scale_title.replace(" (", "\n(").split("\n") if narrow else scale_title
    x = alt.X("score:Q", title=axis_title, scale=alt.Scale(domain=list(scale), nice=False),
              axis=alt.Axis(values=list(range(scale[0], scale[1] + 1)), format="d"))
    y = alt.Y("value:N", title=None, sort=values)
    base = alt.Chart(data)
    rules = base.mark_rule(color="#9aa3ae", strokeWidth=1.5).encode(
        y=y, x=alt.X("min(score):Q", scale=alt.Scale(domain=list(scale))), x2="max(score):Q"
    )
    points = base.mark_point(size=180 if narrow else 150, filled=True, opacity=1).encode(
        x=x, y=y, color=colour, shape=shape,
        tooltip=[alt.Tooltip("value:N", title="Value"), alt.Tooltip("series:N", title="Who"),
                 alt.Tooltip("score:Q", title="Score", format=".1f")],
    )
    chart = alt.layer(rules, points).properties(
        title=title, width=215 if narrow else width, height=alt.Step(40 if narrow else 34), description=description
    )
    return _theme(chart, text=15 if narrow else 13)  # type: ignore[no-any-return]


@_unchecked
def maturity_by_step_chart(
    data: pd.DataFrame, *, title: str, description: str, scale: tuple[int, int] = (1, 5),
    scale_title: str | None = None, step_order: Sequence[str] | None = None,
) -> alt.Chart:
    """Horizontal bars of each DIME step's average maturity rating, labelled at the end.

    ``data`` has columns ``step`` (e.g. ``1 · D · Deliberate culture``),
    ``score`` (the mean rating, NaN for a step nobody rated) and ``label``
    (text shown after the bar, e.g. ``3.4 · In places`` or ``not rated yet``).
    Bars start at the lowest point of the scale, because 1 means "not
    started", not zero; the steps stay in framework order so the chart reads
    as the journey D, I, M, E.
    """
    import altair as alt

    low, high = scale
    steps = list(step_order or dict.fromkeys(data["step"]))
    axis_title = scale_title or f"Average maturity rating ({low} = lowest, {high} = highest)"
    y = alt.Y("step:N", title=None, sort=steps, scale=alt.Scale(domain=steps),
              axis=alt.Axis(labelLimit=260))
    base = alt.Chart(data).transform_calculate(
        start=str(low), at=f"isValid(datum.score) && isFinite(datum.score) ? datum.score : {low}"
    )
    bars = base.mark_bar(color=SERIES_COLOURS[0], height={"band": 0.6}).encode(
        x=alt.X("score:Q", title=axis_title, scale=alt.Scale(domain=[low, high], nice=False),
                axis=alt.Axis(values=list(range(low, high + 1)), format="d")),
        x2="start:Q",
        y=y,
        tooltip=[alt.Tooltip("step:N", title="Step"), alt.Tooltip("score:Q", title="Average", format=".1f")],
    )
    labels = base.mark_text(align="left", dx=6, fontSize=13, color="#1b1f24").encode(
        x=alt.X("at:Q", scale=alt.Scale(domain=[low, high], nice=False)), y=y, text="label:N"
    )
    chart = alt.layer(bars, labels).properties(title=title, width=420, height=alt.Step(44), description=description)
    return _theme(chart)  # type: ignore[no-any-return]


def vega_safe(spec: Any) -> Any:
    """The spec with every string (labels, titles, data, keys) made safe for vl-convert.

    The one place chart text is made safe: vl-convert fails on U+2028/U+2029
    ("Unexpected token ILLEGAL") and aborts the whole process, kernel and
    all, on U+FFFE/U+FFFF or a C0 control; a lone surrogate cannot even be
    handed over.  The cleaning rule refuses these now, but a database written
    before it may hold them, so :func:`workbook.text.display_safe` is applied
    to every string here.  Equal strings stay equal, so sort orders and scale
    domains still match their data.
    """
    from workbook.text import display_safe

    if isinstance(spec, str):
        return display_safe(spec)
    if isinstance(spec, dict):
        return {vega_safe(key): vega_safe(value) for key, value in spec.items()}
    if isinstance(spec, list | tuple):
        return [vega_safe(item) for item in spec]
    return spec


def to_svg(chart: alt.TopLevelMixin) -> str:
    """Render a chart to an SVG string, offline: by ``workbook serve``'s renderer when there is one, else here."""
    return spec_to_svg(chart.to_dict(validate=False))


def spec_to_svg(spec: dict[str, Any]) -> str:
    """Render a Vega-Lite spec (``chart.to_dict()``) to SVG: what :func:`to_svg` and altair renderers share."""
    # Not validated against the Vega-Lite schema on every render (a third of a chart's
    # Python time); tests/report/test_report_chart_schema.py validates every chart a report draws.
    spec = vega_safe(spec)
    description = spec.get("description")
    if description:
        # The whole chart is one image with one text alternative (below); Vega's own
        # ARIA roles on every mark would make each line and dot an unlabelled image
        # to a screen reader (axe: svg-img-alt), so they are turned off.
        config = spec.get("config", {})
        spec["config"] = {**config, "aria": False,
                          **{part: {**config.get(part, {}), "aria": False} for part in ("mark", "axis", "legend")}}
    svg = None
    if os.environ.get(CHART_RENDERER_ENV):  # under workbook serve: its warm renderer (None: draw here)
        from workbook.serve.chart_renderer import render

        svg = render(spec)
    if svg is None:
        import vl_convert as vlc

        svg = vlc.vegalite_to_svg(spec)
    if description and "aria-label" not in svg[:500]:
        from workbook.html import html

        svg = svg.replace("<svg ", html('<svg role="img" aria-label="{}" ', description), 1)
    return svg


def chart_html(chart: alt.TopLevelMixin) -> Markup:
    """The chart as an HTML fragment (SVG in a figure) for widgets and reports."""
    from workbook.html import Markup, html

    return html('<figure class="wb-chart">{}</figure>', Markup(to_svg(chart)))


def responsive_chart_html(wide: alt.TopLevelMixin, narrow: alt.TopLevelMixin) -> Markup:
    """Two drawings of one chart: the wide one on a laptop, the narrow one below 600 px.

    One SVG scaled down to a phone's width shrank its text to ~7 px; the
    narrow drawing is made for that width.  The apps' CSS shows one and hides
    the other (``display: none`` hides it from screen readers too, so the
    description is announced once).
    """
    from workbook.html import Markup, html

    return html('<figure class="wb-chart wb-chart-wide">{}</figure>'
                '<figure class="wb-chart wb-chart-narrow">{}</figure>', Markup(to_svg(wide)), Markup(to_svg(narrow)))


def warm_specs() -> None:
    """Build one chart's spec without drawing it, so the parts of altair (and narwhals, which
    reads its data) imported on first use are imported now: the kernel zygote calls this
    once, and every results page forked after it skips about a tenth of a CPU second."""
    import pandas as pd

    frame = pd.DataFrame({"value": ["A", "A"], "series": ["You", "Everyone"], "score": [3.0, 4.0]})
    value_profile_chart(frame, title="warm-up", description="warm-up").to_dict(validate=False)


def warm_up() -> None:
    """Render one tiny chart so the first real chart does not pay vl-convert's start-up.

    Under ``workbook serve`` the server's chart renderer is warm already and
    draws every chart: a pre-heated kernel then only builds a spec, and never
    waits on the renderer before anyone has opened its page.
    """
    if os.environ.get(CHART_RENDERER_ENV):
        warm_specs()
        return
    import pandas as pd

    frame = pd.DataFrame({"value": ["A"], "series": ["You"], "score": [3.0]})
    to_svg(value_profile_chart(frame, title="warm-up", description="warm-up"))


# --------------------------------------------------------------------------- report charts
#: Five colours from Okabe-Ito orange (low) through grey to blue (high), for 1-5 ratings.
RATING_COLOURS = ("#D55E00", "#E69F00", "#BDBDBD", "#56B4E9", "#0072B2")
#: Low - middle - high colours for continuous scores (heatmap cells): light enough that
#: dark text keeps a contrast of at least 4.5:1 on every cell.
SCORE_COLOURS = ("#E58A3A", "#F7F7F7", "#4B92DB")
HIDDEN_FILL = "#E3E6EA"


@_unchecked
def values_radar_chart(
    data: pd.DataFrame, *, title: str, description: str, scale: tuple[int, int] = (1, 5),
    series_order: Sequence[str] | None = None, value_order: Sequence[str] | None = None,
) -> alt.LayerChart:
    """A radar (spider) chart of value scores per series, drawn from plain x/y lines.

    Vega-Lite has no polar line mark, so the polygon corners are computed here:
    value *i* sits on a spoke at ``360° * i / n`` clockwise from the top, and a
    score's distance from the centre is ``(score - low + 1) / (high - low + 1)``,
    so the lowest rating is a small ring rather than a point where spokes meet.
    ``data`` has ``value``, ``series`` and ``score``; a series missing a value
    simply has no corner there.
    """
    import math

    import altair as alt
    import pandas as pd

    lo, hi = scale
    values = list(value_order or dict.fromkeys(data["value"]))
    series = list(series_order or dict.fromkeys(data["series"]))
    angle = {v: math.pi / 2 - 2 * math.pi * i / len(values) for i, v in enumerate(values)}

    def radius(score: float) -> float:
        return (score - lo + 1) / (hi - lo + 1)

    rings = pd.DataFrame([
        {"ring": k, "order": i, "x": radius(k) * math.cos(angle[v]), "y": radius(k) * math.sin(angle[v])}
        for k in range(lo, hi + 1) for i, v in enumerate([*values, values[0]])
    ])
    spokes = pd.DataFrame([{"x": 0.0, "y": 0.0, "x2": math.cos(angle[v]), "y2": math.sin(angle[v])}
                           for v in values])
    labels = pd.DataFrame([{"value": v, "x": 1.16 * math.cos(angle[v]), "y": 1.16 * math.sin(angle[v])}
                           for v in values])
    ticks = pd.DataFrame([{"label": str(k), "x": 0.0, "y": radius(k)} for k in range(lo, hi + 1)])
    points = []
    for name in series:
        rows = [r for r in data[data["series"] == name].to_dict("records") if r["value"] in angle]
        rows.sort(key=lambda r: values.index(r["value"]))
        closed = [*rows, rows[0]] if len(rows) > 2 else rows
        points += [{"series": name, "value": r["value"], "score": float(r["score"]), "order": i,
                    "x": radius(float(r["score"])) * math.cos(angle[r["value"]]),
                    "y": radius(float(r["score"])) * math.sin(angle[r["value"]])}
                   for i, r in enumerate(closed)]
    corners = pd.DataFrame(points, columns=["series", "value", "score", "order", "x", "y"])

    domain = alt.Scale(domain=[-1.35, 1.35], nice=False, zero=False)
    x = alt.X("x:Q", axis=None, scale=domain)
    y = alt.Y("y:Q", axis=None, scale=domain)
    colour = alt.Color("series:N", title=None, sort=series,
                       scale=alt.Scale(domain=series, range=list(SERIES_COLOURS[: len(series)])))
    shape = alt.Shape("series:N", title=None, sort=series,
                      scale=alt.Scale(domain=series, range=list(SERIES_SHAPES[: len(series)])))
    grid = alt.Chart(rings).mark_line(color="#d5d9de", strokeWidth=1).encode(
        x=x, y=y, detail="ring:N", order="order:Q")
    spoke = alt.Chart(spokes).mark_rule(color="#d5d9de").encode(x=x, y=y, x2="x2:Q", y2="y2:Q")
    names = alt.Chart(labels).mark_text(fontSize=13, fontWeight="bold", color="#1b1f24").encode(
        x=x, y=y, text="value:N")
    scale_marks = alt.Chart(ticks).mark_text(fontSize=10, color="#6b7480", align="right", dx=-8, dy=-2).encode(
        x=x, y=y, text="label:N")
    lines = alt.Chart(corners).mark_line(strokeWidth=2.5).encode(
        x=x, y=y, color=colour, detail="series:N", order="order:Q")
    dots = alt.Chart(corners).mark_point(size=70, filled=True, opacity=1).encode(
        x=x, y=y, color=colour, shape=shape,
        tooltip=[alt.Tooltip("value:N", title="Value"), alt.Tooltip("series:N", title="Who"),
                 alt.Tooltip("score:Q", title="Score", format=".1f")])
    chart = alt.layer(grid, spoke, scale_marks, names, lines, dots).properties(
        title=title, width=380, height=380, description=description)
    return _theme(chart)  # type: ignore[no-any-return]


@_unchecked
def gap_chart(
    data: pd.DataFrame, *, title: str, description: str, value_order: Sequence[str] | None = None,
    positive: str = "Leaders rate higher", negative: str = "Staff rate higher",
    gap_title: str = "Difference in average rating (leaders minus staff)",
) -> alt.LayerChart:
    """Horizontal bars of a signed difference per value (e.g. leaders minus staff).

    ``data`` has ``value`` and ``gap``.  The axis is symmetric around zero so a
    gap in either direction looks as large as it is; each bar carries its
    number, and the two directions differ in colour *and* label.
    """
    import math

    import altair as alt

    frame = data.assign(direction=[positive if g >= 0 else negative for g in data["gap"]],
                        label=[f"{g:+.1f}" for g in data["gap"]])
    values = list(value_order or dict.fromkeys(frame["value"]))
    biggest = max([abs(float(g)) for g in frame["gap"]] + [0.5])
    limit = math.ceil(biggest * 2 + 0.4) / 2
    steps = [k / 2 for k in range(-int(limit * 2), int(limit * 2) + 1)]
    x = alt.X("gap:Q", title=gap_title, scale=alt.Scale(domain=[-limit, limit], nice=False),
              axis=alt.Axis(values=steps, format=".1f"))
    y = alt.Y("value:N", title=None, sort=values)
    colour = alt.Color("direction:N", title=None, sort=[positive, negative],
                       scale=alt.Scale(domain=[positive, negative], range=[SERIES_COLOURS[0], SERIES_COLOURS[1]]))
    base = alt.Chart(frame)
    bars = base.mark_bar(height=20).encode(
        x=x, y=y, color=colour,
        tooltip=[alt.Tooltip("value:N", title="Value"), alt.Tooltip("gap:Q", title="Difference", format="+.2f")])
    right = base.transform_filter("datum.gap >= 0").mark_text(fontSize=12, align="left", dx=5).encode(
        x=x, y=y, text="label:N")
    left = base.transform_filter("datum.gap < 0").mark_text(fontSize=12, align="right", dx=-5).encode(
        x=x, y=y, text="label:N")
    zero = alt.Chart(frame.head(1)).mark_rule(color="#1b1f24").encode(x=alt.datum(0))
    chart = alt.layer(bars, right, left, zero).properties(
        title=title, width=440, height=alt.Step(34), description=description)
    return _theme(chart)  # type: ignore[no-any-return]


@_unchecked
def heatmap_chart(
    data: pd.DataFrame, *, title: str, description: str, scale: tuple[int, int] = (1, 5),
    group_order: Sequence[str] | None = None, row_order: Sequence[str] | None = None,
    group_title: str = "Team", score_title: str = "Average rating", row_lines: int = 1,
) -> alt.LayerChart:
    """Rows (statements) by groups (teams), each cell coloured by its score and labelled.

    ``data`` has ``row``, ``group``, ``score`` and ``shown``, and optionally
    ``text``: what the cell says when it is not its score (the report colours a
    reverse-worded statement by how well the value is lived but prints the
    answer people gave).  A hidden cell (``shown`` false: too few raters) is
    drawn plain grey with a dash and no number, so a reader sees that something
    was withheld, never what.  Every cell carries its number in dark text (the
    colours are light enough for it).  A row label may hold line breaks
    (``\\n``): it is drawn on that many lines, and ``row_lines`` (the most any
    label has) sets the row height, so labels are wrapped, never cut.
    """
    import altair as alt
    import pandas as pd

    lo, hi = scale
    groups = list(group_order or dict.fromkeys(data["group"]))
    rows = list(row_order or dict.fromkeys(data["row"]))
    pairs = list(zip(data["score"], data["shown"], strict=True))
    texts = list(data["text"]) if "text" in data.columns else [f"{s:.1f}" if ok else "" for s, ok in pairs]
    frame = data.assign(
        score=pd.array([float(s) if shown else None for s, shown in pairs], dtype="Float64"),
        label=[str(t) if shown else "–" for t, (_, shown) in zip(texts, pairs, strict=True)],
    ).drop(columns=[c for c in ("text",) if c in data.columns])
    # Column names slant upwards so long team names never run into each other.
    x = alt.X("group:N", title=group_title or None, sort=groups,
              axis=alt.Axis(orient="top", labelAngle=-35, labelAlign="left", labelBaseline="middle",
                            labelLimit=180))
    # No label limit: truncating a label means measuring it again and again (slow in
    # vl-convert); callers wrap labels with line breaks instead, drawn as separate lines.
    y = alt.Y("row:N", title=None, sort=rows,
              axis=alt.Axis(labelLimit=0, labelExpr="split(datum.label, '\\n')", labelLineHeight=12))
    base = alt.Chart(frame)
    hidden = base.transform_filter("!datum.shown").mark_rect(fill=HIDDEN_FILL, stroke="white").encode(x=x, y=y)
    # A symbol legend (not a gradient): it prints everywhere, including PDF engines
    # that do not draw SVG gradients.
    cells = base.transform_filter("datum.shown").mark_rect(stroke="white").encode(
        x=x, y=y,
        color=alt.Color("score:Q", title=score_title,
                        scale=alt.Scale(domain=[lo, (lo + hi) / 2, hi], range=list(SCORE_COLOURS)),
                        legend=alt.Legend(type="symbol", values=list(range(lo, hi + 1)), symbolType="square",
                                          symbolSize=200, direction="horizontal", format="d", titleLimit=0)),
        tooltip=[alt.Tooltip("row:N", title="Statement"), alt.Tooltip("group:N", title=group_title or "Group"),
                 alt.Tooltip("label:N", title="Average")])
    text = base.mark_text(fontSize=11, color="#1b1f24").encode(x=x, y=y, text="label:N")
    chart = alt.layer(hidden, cells, text).properties(
        title=title, width=alt.Step(86), height=alt.Step(6 + 12 * max(1, row_lines)), description=description)
    return _theme(chart)  # type: ignore[no-any-return]


@_unchecked
def distribution_chart(
    data: pd.DataFrame, *, title: str, description: str, scale: tuple[int, int] = (1, 5),
    value_order: Sequence[str] | None = None, rating_title: str = "Rating",
) -> alt.Chart:
    """One 100% stacked bar per value: the share of answers at each rating.

    ``data`` has ``value``, ``rating`` (whole number) and ``count``.  Low
    ratings sit on the left in orange, high ones on the right in blue, so the
    balance of each value shows at a glance; the exact share is in the tooltip.
    """
    import altair as alt

    lo, hi = scale
    ratings = [str(k) for k in range(lo, hi + 1)]
    colours = list(RATING_COLOURS) if len(ratings) == len(RATING_COLOURS) else None
    frame = data.assign(rating=[str(int(r)) for r in data["rating"]],
                        rank=[int(r) for r in data["rating"]])
    values = list(value_order or dict.fromkeys(frame["value"]))
    chart = alt.Chart(frame).transform_joinaggregate(total="sum(count)", groupby=["value"]).transform_calculate(
        share="datum.count / datum.total").mark_bar(height=22).encode(
        x=alt.X("count:Q", stack="normalize", title="Share of answers", axis=alt.Axis(format="%")),
        y=alt.Y("value:N", title=None, sort=values),
        color=alt.Color("rating:N", title=rating_title, sort=ratings, legend=alt.Legend(titleLimit=400),
                        scale=alt.Scale(domain=ratings, range=colours) if colours else alt.Scale(domain=ratings)),
        order=alt.Order("rank:Q"),
        tooltip=[alt.Tooltip("value:N", title="Value"), alt.Tooltip("rating:N", title="Rating"),
                 alt.Tooltip("count:Q", title="Answers"), alt.Tooltip("share:Q", title="Share", format=".0%")],
    ).properties(title=title, width=440, height=alt.Step(34), description=description)
    return _theme(chart)  # type: ignore[no-any-return]


@_unchecked
def spread_chart(
    data: pd.DataFrame, *, title: str, description: str, bands: Sequence[tuple[str, float, float]],
    value_order: Sequence[str] | None = None, spread_title: str = "Spread of person scores (standard deviation)",
) -> alt.LayerChart:
    """Spread per value as dots over shaded agreement bands (high / moderate / low).

    ``data`` has ``value``, ``sd`` and ``agreement``; ``bands`` lists
    ``(label, start, end)`` on the spread axis.  Showing the bands makes the
    label of each dot readable without a legend lookup.
    """
    import altair as alt
    import pandas as pd

    values = list(value_order or dict.fromkeys(data["value"]))
    band_frame = pd.DataFrame([{"band": b, "start": s, "end": e} for b, s, e in bands])
    top = max(e for _, _, e in bands)
    x = alt.X("sd:Q", title=spread_title, scale=alt.Scale(domain=[0, top], nice=False))
    shades = alt.Chart(band_frame).mark_rect(opacity=0.5).encode(
        x=alt.X("start:Q", scale=alt.Scale(domain=[0, top], nice=False)), x2="end:Q",
        color=alt.Color("band:N", title="Agreement", sort=[b for b, _, _ in bands],
                        scale=alt.Scale(domain=[b for b, _, _ in bands], range=["#CFE8F7", "#F4F1D0", "#F9DCC8"])))
    dots = alt.Chart(data).mark_point(size=140, filled=True, color=SERIES_COLOURS[0], opacity=1).encode(
        x=x, y=alt.Y("value:N", title=None, sort=values),
        tooltip=[alt.Tooltip("value:N", title="Value"), alt.Tooltip("sd:Q", title="Spread", format=".2f"),
                 alt.Tooltip("agreement:N", title="Agreement")])
    chart = alt.layer(shades, dots).properties(
        title=title, width=440, height=alt.Step(34), description=description)
    return _theme(chart)  # type: ignore[no-any-return]


@_unchecked
def trend_chart(
    data: pd.DataFrame, *, title: str, description: str, cycle_order: Sequence[str],
    scale: tuple[int, int] = (1, 5), score_title: str = "Average rating",
    series_order: Sequence[str] | None = None, series_title: str | None = None,
) -> alt.LayerChart:
    """Lines of a score per series over the cycles, oldest on the left (report trends).

    ``data`` has ``cycle`` (label), ``series`` (e.g. a value's name) and
    ``score``; a figure not shown in a cycle is simply absent, so its line
    breaks there instead of suggesting a number.  Colour *and* point shape tell
    the series apart; the y axis keeps the whole scale, so a small move looks small.
    """
    import altair as alt

    series = list(series_order or dict.fromkeys(data["series"]))
    colours = [SERIES_COLOURS[i % len(SERIES_COLOURS)] for i in range(len(series))]
    shapes = [SERIES_SHAPES[i % len(SERIES_SHAPES)] for i in range(len(series))]
    low, high = scale
    x = alt.X("cycle:O", title="Assessment cycle", sort=list(cycle_order), scale=alt.Scale(domain=list(cycle_order)),
              axis=alt.Axis(labelAngle=0))
    y = alt.Y("score:Q", title=score_title, scale=alt.Scale(domain=[low, high], nice=False),
              axis=alt.Axis(values=list(range(low, high + 1)), format="d"))
    colour = alt.Color("series:N", title=series_title, sort=series, scale=alt.Scale(domain=series, range=colours))
    shape = alt.Shape("series:N", title=series_title, sort=series, scale=alt.Scale(domain=series, range=shapes))
    base = alt.Chart(data)
    lines = base.mark_line(strokeWidth=2.5).encode(x=x, y=y, color=colour, detail="series:N")
    points = base.mark_point(size=90, filled=True, opacity=1).encode(
        x=x, y=y, color=colour, shape=shape,
        tooltip=[alt.Tooltip("series:N", title="Series"), alt.Tooltip("cycle:O", title="Cycle"),
                 alt.Tooltip("score:Q", title="Average", format=".1f")])
    chart = alt.layer(lines, points).properties(
        title=title, width=max(220, 110 * len(cycle_order)), height=220, description=description)
    return _theme(chart)  # type: ignore[no-any-return]

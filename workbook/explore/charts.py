"""Starting charts for the exploration notebook, drawn from the safe tables only.

Each function takes :class:`~workbook.explore.tables.Tables` and returns an
altair chart made with the project's own chart helpers (:mod:`workbook.charts`:
colour-blind-safe colours, a second cue by shape, a sentence for screen
readers), or ``None`` when the report shows nothing to draw.  They are plain
altair objects, so a consultant can change them (``.properties(width=600)``);
:func:`offline_charts` makes every altair chart in the notebook render as SVG
in the kernel, with no internet connection and the same bytes on every run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import altair as alt

    from workbook.explore.tables import Tables

__all__ = ["RENDERER", "distribution", "leaders_and_staff", "maturity", "offline_charts", "profile",
           "self_and_organisation", "statements_by_team", "trends"]

#: The altair renderer :func:`offline_charts` enables.
RENDERER = "workbook-svg"
#: Statement labels in the heatmap: the id and the start of the text (the table has it in full).
_LABEL_LENGTH = 40


def _render(spec: dict[str, Any], **_metadata: Any) -> dict[str, str]:
    from workbook.charts import spec_to_svg
    from workbook.html import Markup, html

    description = str(spec.get("description") or spec.get("title") or "chart")
    return {"text/html": str(html('<figure class="wb-chart">{}</figure>', Markup(spec_to_svg(spec)))),
            "text/plain": f"<chart: {description}>"}


def offline_charts() -> None:
    """Show every altair chart of this kernel as inline SVG rendered here (no CDN, no JavaScript).

    altair's own renderers load Vega from the internet, and JupyterLab's bundled
    Vega is older than the specs altair writes; SVG made by vl-convert works
    offline, prints, and is byte-identical between runs (so the notebook test can
    compare it).
    """
    import altair as alt

    if RENDERER not in alt.renderers.names():
        alt.renderers.register(RENDERER, _render)
    alt.renderers.enable(RENDERER)


def _scale_title(tables: Tables) -> str:
    lo, hi = tables.scale
    return f"Average rating ({lo} = never, {hi} = always)"


def profile(tables: Tables) -> alt.Chart | None:
    """Each value's average for everyone, leaders and staff (the groups the report gives averages for)."""
    from workbook.charts import value_profile_chart

    frame = tables.values.dropna(subset=["mean"])
    if frame.empty:
        return None
    data = frame.rename(columns={"group": "series", "mean": "score"}).loc[:, ["value", "series", "score"]]
    return value_profile_chart(
        data, title=f"Values by group, {tables.cycle}", scale=tables.scale, scale_title=_scale_title(tables),
        value_order=list(tables.value_names.values()),
        description=f"Dot plot of each value's average rating for {', '.join(dict.fromkeys(data['series']))}.")


def leaders_and_staff(tables: Tables) -> alt.LayerChart | None:
    """Leaders' average minus staff's, per value (only where the report shows both sides)."""
    from workbook.charts import gap_chart

    frame = tables.leaders_and_staff.dropna(subset=["difference"])
    if frame.empty:
        return None
    data = frame.rename(columns={"difference": "gap"}).loc[:, ["value", "gap"]]
    return gap_chart(data, title="Leaders and staff", value_order=list(tables.value_names.values()),
                     description="Bars of the difference between leaders' and staff's average rating per value.")


def self_and_organisation(tables: Tables, group: str = "All respondents") -> alt.LayerChart | None:
    """How one group rates itself minus how it rates the organisation, per value."""
    from workbook.charts import gap_chart

    frame = tables.self_and_organisation
    frame = frame[(frame["group"] == group)].dropna(subset=["difference"])
    if frame.empty:
        return None
    data = frame.rename(columns={"difference": "gap"}).loc[:, ["value", "gap"]]
    return gap_chart(data, title=f"Ourselves and the organisation: {group}",
                     value_order=list(tables.value_names.values()),
                     positive="We rate ourselves higher", negative="We rate the organisation higher",
                     gap_title="Difference in average rating (ourselves minus the organisation)",
                     description=f"Bars of the difference between how {group} rate themselves and how they "
                                 "rate the organisation, per value.")


def statements_by_team(tables: Tables) -> alt.LayerChart | None:
    """Average rating per statement for everyone and each shown team; hidden cells grey, with no number."""
    from workbook.charts import heatmap_chart

    frame = tables.statements
    if frame.empty:
        return None

    def label(row: dict[Any, Any]) -> str:
        text = str(row["statement"])
        short = text if len(text) <= _LABEL_LENGTH else text[: _LABEL_LENGTH - 1].rstrip() + "…"
        return f"{row['statement_id']}{'*' if row['reverse'] else ''} {short}"

    data = frame.assign(row=[label(r) for r in frame.to_dict("records")], score=frame["mean"].fillna(0.0))
    return heatmap_chart(
        data.loc[:, ["row", "group", "score", "shown"]], title="Statements by team", scale=tables.scale,
        group_title="", description="Heatmap of the average rating of each statement for everyone and each team "
                                    "shown; grey cells are hidden because too few people rated them. Statements "
                                    "marked * are worded so that a low rating is good.")


def distribution(tables: Tables) -> alt.Chart | None:
    """Share of everyone's answers at each rating, per value (reverse-worded statements flipped)."""
    from workbook.charts import distribution_chart

    if tables.distribution.empty:
        return None
    return distribution_chart(tables.distribution.loc[:, ["value", "rating", "answers"]].rename(
        columns={"answers": "count"}), title="How people answered", scale=tables.scale,
        value_order=list(tables.value_names.values()),
        description="Stacked bars of the share of answers at each rating for each value.")


def trends(tables: Tables, group: str = "Everyone") -> alt.LayerChart | None:
    """One group's average per value over the cycles; a cycle where it is hidden breaks the line."""
    from workbook.charts import trend_chart

    frame = tables.trends[tables.trends["group"] == group]
    if frame.empty:
        return None
    cycles = list(dict.fromkeys(frame["cycle"]))
    data = frame.dropna(subset=["mean"]).rename(columns={"value": "series", "mean": "score"})
    return trend_chart(data.loc[:, ["cycle", "series", "score"]], title=f"Values over the cycles: {group}",
                       cycle_order=cycles, scale=tables.scale, series_order=list(tables.value_names.values()),
                       series_title="Value",
                       description=f"Lines of each value's average rating for {group} in every cycle, oldest first.")


def maturity(tables: Tables) -> alt.LayerChart | None:
    """Each DIME™ step's agreed workshop maturity over the cycles."""
    from workbook.charts import trend_chart

    frame = tables.steps.dropna(subset=["maturity"])
    if frame.empty:
        return None
    cycles = list(dict.fromkeys(tables.steps["cycle"]))
    data = frame.rename(columns={"step": "series", "maturity": "score"}).loc[:, ["cycle", "series", "score"]]
    return trend_chart(data, title="DIME™ steps: workshop maturity", cycle_order=cycles, scale=(1, 5),
                       score_title="Agreed maturity (1-5)", series_order=list(dict.fromkeys(tables.steps["step"])),
                       series_title="Step",
                       description="Lines of each DIME step's agreed workshop maturity in every cycle.")

"""The figures one organisation report shows, as plain data for ``workbook report ORG --json FILE``.

Everything here is read from the same :class:`~workbook.report.model.Report`
results the sections draw (so from the same disclosure plan): each shown group
with its people count and, per value and per statement, the numbers the report
shows for it, a hidden cell as ``None`` (JSON ``null``), plus every note about
what was combined or left out.  Anyone can then check the anonymity rule from
outside: the group labels say which teams (or which side) each group holds.

Numbers are given at full precision, because the report's charts carry them so
(the tables round to one decimal); the rule must hold whatever the precision.
A group lists only what the report shows for it: everyone has averages,
spreads and agreement per value and averages per statement; a team has its
agreement per value and averages per statement; leaders and staff have
averages per value.  ``distribution`` (everyone's answers per value and rating)
is ``null`` for a value whose everyone cell, or the everyone cell of one of its
rated statements, is hidden.  The numbers count only the ratings every figure
counts (a statement's few raters count as "don't know", see
:func:`workbook.scoring.countable_answers`), and ``notes`` include why answers
given since an earlier report of the cycle are not counted yet
(:mod:`workbook.releases`).  ``trends`` (``null`` when the report shows none)
holds each cycle's figures as that cycle's own report shows them, hidden
ones as ``null``, and the change from last cycle to this one with the rule's
verdict (:mod:`workbook.report.trends`).

``glance`` and ``scorecard`` (``null`` without customer measures on the
organisation's scorecard for the cycle) are the "Quarter at a glance" page:
its sentence, each promise that names a measure with its target and this and
last quarter's figure and verdict (``kept`` is ``null`` without a target or a
figure), the measures that moved the wrong way; and the page's scorecard rows
with every quarter up to the report's (value, change since the quarter before,
``direction`` "better", "worse", "same" or ``null``).  Customer measures are
organisation-wide figures, not people's answers, so nothing in them is hidden.

``self_and_organisation`` is present only for a cycle whose framework edition
asked statements about the organisation (so older cycles' figures are the same,
byte for byte): per shown group (everyone, leaders, staff), per value, the
average rating of oneself, of the organisation and their difference, with the
people behind each side, or ``None`` where either side is hidden.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from workbook.charter.results import PromiseResult
    from workbook.report.change import Change
    from workbook.report.glance import Glance
    from workbook.report.model import Report

__all__ = ["FIGURES_VERSION", "report_figures"]

#: Bumped when the shape of the figures changes, so a checker can refuse what it does not know.
FIGURES_VERSION = 4  # 2: a hidden distribution is null; 3: "trends"; 4: "glance" and "scorecard"
_SIDE_LABELS = {"leader": "Leaders", "staff": "Staff"}


def _number(value: object) -> float | None:
    if value is None:
        return None
    number = float(value)  # type: ignore[arg-type]
    return None if math.isnan(number) else number


def _cells(table: pd.DataFrame, group: str, key: str, count: str, fields: dict[str, str]) -> dict[str, Any]:
    """Item id -> {people, fields...} for one group's rows, ``None`` for a hidden cell."""
    out: dict[str, Any] = {}
    for row in table[table["group"] == group].to_dict("records"):
        if not bool(row["shown"]):
            out[str(row[key])] = None
            continue
        cell: dict[str, Any] = {"people": int(row[count])}
        for name, column in fields.items():
            value = row[column]
            cell[name] = value if isinstance(value, str) else _number(value)
        out[str(row[key])] = cell
    return out


def _groups(report: Report) -> list[dict[str, Any]]:
    from workbook.anonymity import OVERALL_LABEL

    plan = report.plan
    groups: list[dict[str, Any]] = []
    overall = report.overall
    if not overall.groups.empty:
        groups.append({
            "label": OVERALL_LABEL, "kind": "everyone", "people": plan.overall.sizes[OVERALL_LABEL],
            "values": _cells(overall.table, OVERALL_LABEL, "value_id", "n_people",
                             {"mean": "mean", "spread": "sd", "agreement": "agreement"}),
            "statements": _cells(report.statements_overall.table, OVERALL_LABEL, "statement_id", "n_rated",
                                 {"mean": "mean"}),
        })
    teams = report.by_team
    for label in teams.groups["group"].tolist():
        members = sorted(team for team, shown in plan.teams.members.items() if shown == label)
        groups.append({
            "label": label, "kind": "team", "teams": members, "people": plan.teams.sizes[label],
            "values": _cells(teams.table, label, "value_id", "n_people", {"agreement": "agreement"}),
            "statements": _cells(report.statements_by_team.table, label, "statement_id", "n_rated",
                                 {"mean": "mean"}),
        })
    roles = report.by_role
    for side in roles.groups["group"].tolist():
        groups.append({
            "label": _SIDE_LABELS.get(side, side), "kind": "role", "role": side, "people": plan.roles.sizes[side],
            "values": _cells(roles.table, side, "value_id", "n_people", {"mean": "mean"}),
        })
    return groups


def _gaps(report: Report) -> list[dict[str, Any]]:
    return [
        {"value": str(r["value_id"]), "leaders": _number(r["leader_mean"]), "staff": _number(r["staff_mean"]),
         "difference": _number(r["gap"])}
        for r in report.gaps.table.to_dict("records")
    ]


def _self_and_organisation(report: Report) -> list[dict[str, Any]]:
    from workbook.anonymity import OVERALL_LABEL

    gaps = report.self_and_organisation
    if gaps is None:
        return []
    out: list[dict[str, Any]] = []
    for group in dict.fromkeys(gaps.table["group"].astype(str)):
        rows = gaps.table[gaps.table["group"] == group].to_dict("records")
        entry: dict[str, Any] = ({"label": OVERALL_LABEL, "kind": "everyone"} if group == OVERALL_LABEL else
                                 {"label": _SIDE_LABELS.get(group, group), "kind": "role", "role": group})
        entry["values"] = {
            str(r["value_id"]): {"people_self": int(r["n_self"]), "self": _number(r["self_mean"]),
                                 "people_organisation": int(r["n_organisation"]),
                                 "organisation": _number(r["organisation_mean"]), "difference": _number(r["gap"])}
            if bool(r["shown"]) else None
            for r in rows
        }
        out.append(entry)
    return out


def _distribution(report: Report) -> dict[str, dict[str, int] | None]:
    """Value id -> rating -> answers; ``None`` for a value someone rated whose distribution is hidden."""
    rated = set(report.countable.dropna(subset=["rating"])["value_id"].astype(str))
    out: dict[str, dict[str, int] | None] = {v: None for v in report.value_order if v in rated}
    for row in report.distribution.to_dict("records"):
        counts = out.get(str(row["value_id"])) or {}
        counts[str(int(row["rating"]))] = int(row["count"])
        out[str(row["value_id"])] = counts
    return out


def _comments(report: Report) -> list[dict[str, Any]]:
    rows = report.selected_comments.table.to_dict("records")
    return [{"group": str(r["group"]),
             "statement": r["statement_id"] if isinstance(r["statement_id"], str) and r["statement_id"] else None,
             "text": str(r["text"])} for r in rows]


def _change(change: Change) -> dict[str, Any]:
    return {"verdict": change.verdict, "difference": change.difference, "low": change.low, "high": change.high,
            "reason": change.reason or None}


def _trends(report: Report) -> dict[str, Any] | None:
    """The trends section's figures, ``None`` when the report shows no trends (see the README's shape)."""
    from workbook.report.trends_view import rule_sentence

    if not report.enough or report.store is None or not report.trends.shown:
        return None
    trends = report.trends
    labels = trends.labels
    values = []
    for trend in trends.values:
        entry: dict[str, Any] = {
            "group": trend.group, "kind": trend.kind, "value": trend.value_id,
            "cycles": {label: None if f is None else {"people": f.people, "mean": f.mean, "spread": f.sd}
                       for label, f in zip(labels, trend.figures, strict=True)},
            "change": _change(trend.change),
        }
        if trend.kind == "team":
            entry["teams"] = {label: list(held) for label, held, f in zip(labels, trend.teams, trend.figures,
                                                                          strict=True) if f is not None}
        values.append(entry)
    compared = [labels[i] for i in trends.step_pair] if trends.step_pair is not None else None
    steps = [{"step": s.step_id, "name": s.name,
              "cycles": {label: m for label, m in zip(labels, s.means, strict=True)},
              "compared": compared, "change": _change(s.change)} for s in trends.steps]
    return {
        "rule": rule_sentence(),
        "cycles": [{"label": c.label, "status": "ok" if c.enough else "too few answers",
                    "respondents": c.respondents if c.enough else None, "workshop": c.workshop}
                   for c in trends.cycles],
        "values": values,
        "steps": steps,
    }


def _quarter(result: PromiseResult, cycle: str | None) -> dict[str, Any] | None:
    quarter = result.quarter(cycle) if cycle else None
    if quarter is None:
        return None
    return {"cycle": quarter.cycle, "value": quarter.value, "shown": quarter.shown, "kept": quarter.kept,
            "wrong_way": quarter.wrong_way}


def _glance(page: Glance | None) -> dict[str, Any] | None:
    """The "Quarter at a glance" page: its sentence, the measured promises, what moved the wrong way."""
    if page is None:
        return None
    return {
        "cycle": page.cycle,
        "previous": page.previous,
        "summary": page.lead,
        "promises_kept": page.kept,
        "promises_judged": page.judged,
        "promises": [{"position": p.position, "promise": p.text, "measure": p.measure_id,
                      "measure_name": p.measure_name, "target": p.target if p.has_target else None,
                      "this_quarter": _quarter(p, page.cycle), "last_quarter": _quarter(p, page.previous)}
                     for p in page.results.promises],
        "wrong_way": [line.measure.id for line in page.wrong],
    }


def _scorecard(page: Glance | None) -> dict[str, Any] | None:
    """The page's scorecard rows (a figure this quarter, or a promise's target), every quarter up to this one."""
    if page is None:
        return None
    cycles = list(page.card.cycles[: page.card.cycles.index(page.cycle) + 1])
    return {
        "cycles": cycles,
        "measures": [
            {"id": line.measure.id, "name": line.measure.name, "unit": line.measure.unit,
             "better": line.measure.better, "source": line.measure.source,
             "target": page.targets.get(line.measure.id),
             "values": {label: {"value": (point := line.point(label)).value, "change": point.change,
                                "direction": point.direction} for label in cycles}}
            for line in page.lines
        ],
    }


def report_figures(report: Report) -> dict[str, Any]:
    """The report's figures as JSON-ready data (see the module docstring for the shape)."""
    enough = report.enough
    notes = [*report.plan.notes, *report.overall.notes, *report.by_team.notes, *report.by_role.notes,
             *report.statements_by_team.notes] if enough else list(report.summary.sentences[1:2])
    if enough:
        notes += list(report.selected_comments.notes)
    notes += list(report.release_notes)
    figures: dict[str, Any] = {
        "figures_version": FIGURES_VERSION,
        "organisation": report.organisation.id,
        "organisation_name": report.organisation.name,
        "cycle": report.cycle.label,
        "status": report.status,
        "threshold": report.threshold,
        "comment_threshold": report.comment_threshold,
        "invited": report.invited,
        "submitted": report.submitted,
        "respondents": report.respondents,
        "scale": list(report.scale),
        "groups": _groups(report) if enough else [],
        "leaders_and_staff": _gaps(report) if enough else [],
        "distribution": _distribution(report) if enough else {},
        "comments": _comments(report) if enough else [],
        "trends": _trends(report),
        "glance": _glance(report.glance),
        "scorecard": _scorecard(report.glance),
        "notes": list(dict.fromkeys(n for n in notes if n)),
    }
    if report.framework.organisation_statements:  # absent for older cycles: their figures stay as they were
        figures["self_and_organisation"] = _self_and_organisation(report) if enough else []
        if enough and report.self_and_organisation is not None:
            figures["notes"] = list(dict.fromkeys([*figures["notes"], *report.self_and_organisation.notes]))
    return figures

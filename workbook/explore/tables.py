"""The anonymity-safe tables of one organisation's cycle, as pandas DataFrames.

A consultant who opens JupyterLab may explore an organisation with pandas, but
never see more than the report would show them.  So every table here is built
from the report's own figures (:func:`workbook.report.figures.report_figures`,
exactly what ``workbook report ORG --json FILE`` writes): the same disclosure
plan, the same hidden cells, the same notes.  No raw answer, person or comment
author reaches a table.  A cell the report hides is ``NaN`` with ``shown``
False, so a consultant sees that something was withheld, never what; a figure
the report does not give for a kind of group (a team's average for a value:
the report shows teams per statement) is ``NaN`` too, and is not a hidden cell.

Loading the tables counts as handing out the figures, as ``--json`` does: it
records a release of the cycle (:mod:`workbook.releases`), so a later report
cannot differ from what the consultant saw by fewer than the threshold.

The customer scorecard (:mod:`workbook.measures.scorecard`) holds the
organisation's own operational figures, not people's answers: it is read as
the workshop and the report read it, up to the cycle explored.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from workbook.framework import Framework
    from workbook.measures.scorecard import Scorecard
    from workbook.report.model import Report
    from workbook.store import Store

__all__ = ["Tables", "build_tables", "tables"]

_NAN = float("nan")


def _num(value: object) -> float:
    return _NAN if value is None else float(value)  # type: ignore[arg-type]


@dataclass(frozen=True, eq=False)
class Tables:
    """One cycle's figures as tables; see each attribute for its columns.

    ``values``: ``group``, ``kind`` (everyone / team / role), ``teams`` (the
    teams a shown team group holds, joined with ", "), ``group_people``,
    ``value_id``, ``value``, ``shown``, ``people``, ``mean``, ``spread``,
    ``agreement``.  ``statements``: ``group``, ``kind``, ``statement_id``,
    ``value_id``, ``statement``, ``reverse`` (worded so that a low rating is
    good), ``shown``, ``people``, ``mean``.  ``leaders_and_staff``:
    ``value_id``, ``value``, ``leaders``, ``staff``, ``difference``.
    ``self_and_organisation``: ``group``, ``kind``, ``value_id``, ``value``,
    ``shown``, ``people_self``, ``self``, ``people_organisation``,
    ``organisation``, ``difference``.  ``distribution``: ``value_id``,
    ``value``, ``rating``, ``answers`` (values whose distribution is hidden are
    left out).  ``comments``: ``group``, ``statement_id``, ``text``.
    ``trends``: ``group``, ``kind``, ``value_id``, ``value``, ``cycle``,
    ``shown``, ``people``, ``mean``, ``spread``.  ``changes``: this cycle
    against the last, per group and value: ``verdict``, ``difference``,
    ``low``, ``high``, ``reason``.  ``steps``: ``step_id``, ``step``,
    ``cycle``, ``maturity``.  ``scorecard``: ``measure_id``, ``measure``,
    ``unit``, ``better``, ``source``, ``cycle``, ``value``, ``change``,
    ``direction``.  ``figures`` is the report's JSON they all come from.
    """

    organisation: str
    organisation_name: str
    cycle: str
    status: str
    threshold: int
    invited: int
    submitted: int
    respondents: int
    scale: tuple[int, int]
    values: pd.DataFrame
    statements: pd.DataFrame
    leaders_and_staff: pd.DataFrame
    self_and_organisation: pd.DataFrame
    distribution: pd.DataFrame
    comments: pd.DataFrame
    trends: pd.DataFrame
    changes: pd.DataFrame
    steps: pd.DataFrame
    scorecard: pd.DataFrame
    notes: tuple[str, ...]
    figures: dict[str, Any]
    value_names: dict[str, str]

    @property
    def enough(self) -> bool:
        """Whether the report shows any group figure at all (enough people answered)."""
        return self.status == "ok"

    def overview(self) -> pd.DataFrame:
        """One row: who was invited, submitted and counted, and the threshold every figure respects."""
        import pandas as pd

        return pd.DataFrame([{"organisation": self.organisation_name, "cycle": self.cycle, "status": self.status,
                              "invited": self.invited, "submitted": self.submitted,
                              "counted": self.respondents, "threshold": self.threshold}])

    def values_by_group(self, figure: str = "mean") -> pd.DataFrame:
        """Values down, shown groups across: one figure (``mean``, ``spread``, ``agreement`` or ``people``).

        Groups with no such figure at all are left out (teams have no value
        average in the report); a hidden cell stays ``NaN``.
        """
        frame = self.values
        table = frame.pivot(index="value", columns="group", values=figure)
        have = [g for g in dict.fromkeys(frame["group"]) if table[g].notna().any()]
        order = [self.value_names[v] for v in self.value_names if self.value_names[v] in table.index]
        return table.reindex(index=order, columns=have).rename_axis(columns=None)

    def statements_by_team(self) -> pd.DataFrame:
        """Statements down, everyone and the shown teams across: average ratings, hidden cells ``NaN``."""
        frame = self.statements
        if frame.empty:
            return frame
        table = frame.pivot(index="statement_id", columns="group", values="mean")
        order = list(dict.fromkeys(frame["statement_id"]))
        return table.reindex(index=order, columns=list(dict.fromkeys(frame["group"]))).rename_axis(columns=None)

    def trend(self, group: str = "Everyone", figure: str = "mean") -> pd.DataFrame:
        """One group's values down, cycles across (oldest first): ``mean``, ``spread`` or ``people``."""
        frame = self.trends[self.trends["group"] == group]
        if frame.empty:
            return frame
        table = frame.pivot(index="value", columns="cycle", values=figure)
        order = [n for n in self.value_names.values() if n in table.index]
        return table.reindex(index=order, columns=list(dict.fromkeys(frame["cycle"]))).rename_axis(columns=None)

    def maturity(self) -> pd.DataFrame:
        """Each DIME™ step's agreed workshop maturity, cycles across (``NaN``: no workshop rating)."""
        if self.steps.empty:
            return self.steps
        table = self.steps.pivot(index="step", columns="cycle", values="maturity")
        order = list(dict.fromkeys(self.steps["step"]))
        return table.reindex(index=order, columns=list(dict.fromkeys(self.steps["cycle"]))).rename_axis(columns=None)

    def scorecard_latest(self) -> pd.DataFrame:
        """Each customer measure with a figure: its value this cycle, the change and which way it moved."""
        frame = self.scorecard
        if frame.empty:
            return frame
        latest = frame[frame["cycle"] == self.cycle]
        return latest.loc[:, ["measure", "unit", "better", "value", "change", "direction"]].reset_index(drop=True)


def _values_rows(figures: dict[str, Any], names: dict[str, str]) -> list[dict[str, Any]]:
    rows = []
    for group in figures["groups"]:
        for value_id, cell in group["values"].items():
            cell = cell or {}
            rows.append({
                "group": group["label"], "kind": group["kind"], "teams": ", ".join(group.get("teams", [])),
                "group_people": int(group["people"]), "value_id": value_id, "value": names.get(value_id, value_id),
                "shown": bool(cell), "people": _num(cell.get("people")), "mean": _num(cell.get("mean")),
                "spread": _num(cell.get("spread")), "agreement": cell.get("agreement"),
            })
    return rows


def _statement_rows(figures: dict[str, Any], framework: Framework) -> list[dict[str, Any]]:
    known = {s.id: s for s in framework.statements}
    rows = []
    for group in figures["groups"]:
        for statement_id, cell in group.get("statements", {}).items():
            statement = known.get(statement_id)
            rows.append({
                "group": group["label"], "kind": group["kind"], "statement_id": statement_id,
                "value_id": framework.value_of_statement(statement_id).id if statement else None,
                "statement": statement.text if statement else statement_id,
                "reverse": bool(statement and statement.reverse), "shown": cell is not None,
                "people": _num((cell or {}).get("people")), "mean": _num((cell or {}).get("mean")),
            })
    return rows


def _self_org_rows(figures: dict[str, Any], names: dict[str, str]) -> list[dict[str, Any]]:
    rows = []
    for group in figures.get("self_and_organisation", []):
        for value_id, cell in group["values"].items():
            cell = cell or {}
            rows.append({
                "group": group["label"], "kind": group["kind"], "value_id": value_id,
                "value": names.get(value_id, value_id), "shown": bool(cell),
                "people_self": _num(cell.get("people_self")), "self": _num(cell.get("self")),
                "people_organisation": _num(cell.get("people_organisation")),
                "organisation": _num(cell.get("organisation")), "difference": _num(cell.get("difference")),
            })
    return rows


def _trend_rows(trends: dict[str, Any] | None, names: dict[str, str]) -> tuple[list[dict[str, Any]],
                                                                                list[dict[str, Any]],
                                                                                list[dict[str, Any]]]:
    if trends is None:
        return [], [], []
    values, changes, steps = [], [], []
    for entry in trends["values"]:
        base = {"group": entry["group"], "kind": entry["kind"], "value_id": entry["value"],
                "value": names.get(entry["value"], entry["value"])}
        for label, cell in entry["cycles"].items():
            cell = cell or {}
            values.append({**base, "cycle": label, "shown": bool(cell), "people": _num(cell.get("people")),
                           "mean": _num(cell.get("mean")), "spread": _num(cell.get("spread"))})
        change = entry["change"]
        changes.append({**base, "verdict": change["verdict"], "difference": _num(change["difference"]),
                        "low": _num(change["low"]), "high": _num(change["high"]), "reason": change["reason"]})
    for entry in trends["steps"]:
        for label, maturity in entry["cycles"].items():
            steps.append({"step_id": entry["step"], "step": entry["name"], "cycle": label,
                          "maturity": _num(maturity)})
    return values, changes, steps


def _scorecard_rows(card: Scorecard | None, cycle: str) -> list[dict[str, Any]]:
    if card is None:
        return []
    data = card.as_dict()
    cycles = list(data["cycles"])
    upto = set(cycles[: cycles.index(cycle) + 1]) if cycle in cycles else set(cycles)
    rows = []
    for measure in data["measures"]:
        for point in measure["points"]:
            if point["cycle"] not in upto:
                continue
            rows.append({"measure_id": measure["id"], "measure": measure["name"], "unit": measure["unit"],
                         "better": measure["better"], "source": measure["source"], "cycle": point["cycle"],
                         "value": _num(point["value"]), "change": _num(point["change"]),
                         "direction": point["direction"]})
    return rows


def _frame(rows: list[dict[str, Any]], columns: list[str]) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(rows, columns=columns)


def build_tables(figures: dict[str, Any], framework: Framework, card: Scorecard | None = None) -> Tables:
    """The tables of one report's ``figures`` (and the organisation's scorecard, if given).

    Pure reshaping: every number comes from ``figures`` or ``card``.
    """
    names = {v.id: v.name for v in framework.values}
    trend_values, changes, steps = _trend_rows(figures.get("trends"), names)
    distribution = [{"value_id": v, "value": names.get(v, v), "rating": int(r), "answers": int(n)}
                    for v, counts in figures["distribution"].items() if counts is not None
                    for r, n in counts.items()]
    lo, hi = figures["scale"]
    return Tables(
        organisation=str(figures["organisation"]), organisation_name=str(figures["organisation_name"]),
        cycle=str(figures["cycle"]), status=str(figures["status"]), threshold=int(figures["threshold"]),
        invited=int(figures["invited"]), submitted=int(figures["submitted"]),
        respondents=int(figures["respondents"]), scale=(int(lo), int(hi)),
        values=_frame(_values_rows(figures, names),
                      ["group", "kind", "teams", "group_people", "value_id", "value", "shown", "people", "mean",
                       "spread", "agreement"]),
        statements=_frame(_statement_rows(figures, framework),
                          ["group", "kind", "statement_id", "value_id", "statement", "reverse", "shown", "people",
                           "mean"]),
        leaders_and_staff=_frame(
            [{"value_id": g["value"], "value": names.get(g["value"], g["value"]), "leaders": _num(g["leaders"]),
              "staff": _num(g["staff"]), "difference": _num(g["difference"])} for g in figures["leaders_and_staff"]],
            ["value_id", "value", "leaders", "staff", "difference"]),
        self_and_organisation=_frame(_self_org_rows(figures, names),
                                     ["group", "kind", "value_id", "value", "shown", "people_self", "self",
                                      "people_organisation", "organisation", "difference"]),
        distribution=_frame(distribution, ["value_id", "value", "rating", "answers"]),
        comments=_frame([{"group": c["group"], "statement_id": c["statement"], "text": c["text"]}
                         for c in figures["comments"]], ["group", "statement_id", "text"]),
        trends=_frame(trend_values, ["group", "kind", "value_id", "value", "cycle", "shown", "people", "mean",
                                     "spread"]),
        changes=_frame(changes, ["group", "kind", "value_id", "value", "verdict", "difference", "low", "high",
                                 "reason"]),
        steps=_frame(steps, ["step_id", "step", "cycle", "maturity"]),
        scorecard=_frame(_scorecard_rows(card, str(figures["cycle"])),
                         ["measure_id", "measure", "unit", "better", "source", "cycle", "value", "change",
                          "direction"]),
        notes=tuple(figures["notes"]), figures=figures, value_names=names,
    )


def tables_of_report(report: Report) -> Tables:
    """The tables of a loaded report: its JSON figures, plus the scorecard when it came from a store."""
    from workbook.report.figures import report_figures

    card = None
    if report.store is not None:
        from workbook.measures.scorecard import scorecard

        card = scorecard(report.store, report.organisation.id, report.framework)
    return build_tables(report_figures(report), report.framework, card)


def tables(store: Store | str | None, organisation: str, cycle: str | None = None, *,
           threshold: int | None = None) -> Tables:
    """The anonymity-safe tables of ``organisation``'s ``cycle`` (the current one by default).

    ``store`` is an open :class:`~workbook.store.Store`, or a database (a SQLite
    path or a ``postgresql://`` URL; ``None``: ``$WORKBOOK_DB`` or ``./workbook.db``).
    ``threshold`` may raise the organisation's anonymity threshold, never lower
    it.  Like ``workbook report ORG --json`` this records the figures as handed
    out (see the module docstring).  An unknown organisation or cycle is a
    :class:`~workbook.errors.NotFoundError` that says what exists.
    """
    from workbook.report.model import load_report
    from workbook.store import Store as StoreClass

    if isinstance(store, StoreClass):
        report = load_report(organisation, cycle=cycle, threshold=threshold, store=store, release=True)
    else:
        _check_database_exists(store)
        report = load_report(organisation, cycle=cycle, threshold=threshold, db=store, release=True)
    return tables_of_report(report)


def _check_database_exists(db: str | None) -> None:
    """Refuse a SQLite file that is not there, instead of creating an empty database beside the notebook.

    A JupyterLab kernel runs in the notebook's folder, so the default
    ``./workbook.db`` is easily the wrong file there.
    """
    from pathlib import Path

    from workbook.errors import NotFoundError
    from workbook.store.engine import resolve_url

    url = resolve_url(db)
    if not url.startswith("sqlite:///"):
        return
    path = Path(url.removeprefix("sqlite:///"))
    if not path.is_file():
        raise NotFoundError(
            f"no workbook database at {path}: set db in the parameters cell to the database file "
            "(or start jupyter lab with WORKBOOK_DB set to it)"
        )

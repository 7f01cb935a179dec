"""Everything one organisation report shows, read once from the store and computed once.

:func:`load_report` reads the organisation, the cycle, the submitted answers
and their comments, then closes nothing it did not open and keeps no
connection: the :class:`Report` it returns is plain data, so the same kernel
can go on to the next organisation.  Every group figure comes from
:mod:`workbook.scoring`, so thresholds, pooling and the notes explaining them
are the same as in the apps.  Results are computed on first use and cached,
because several sections (and the executive summary) share them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

from workbook.errors import InputError

if TYPE_CHECKING:
    from collections.abc import Sequence

    import pandas as pd

    from workbook.anonymity import DisclosurePlan, SelectedComments
    from workbook.dataset import BatchedAnswers
    from workbook.framework import Framework
    from workbook.organisation_gap import SelfOrganisationGaps
    from workbook.releases import Settled
    from workbook.report.glance import Glance
    from workbook.report.obstacle_story import WorkshopFacts
    from workbook.report.summary import ExecutiveSummary, SummaryInputs, WeakPoint
    from workbook.report.trends import Trends
    from workbook.scoring import CheckedAnswers, GroupedScores, LeaderStaffGaps, StatementScores
    from workbook.store import CycleRecord, OrganisationRecord, Store
    from workbook.store.responses import AnswerRow

__all__ = ["Report", "ReportStatus", "counted_answers", "load_report"]

ReportStatus = Literal["ok", "too few answers"]

# A batch runs many organisations from one database in one kernel: opening the
# store (engine, schema check) once per database and not once per report saves
# a few milliseconds each and keeps the connection count flat.
_STORES: dict[str, Store] = {}


def _store_for(db: str | None) -> Store:
    from workbook.store import open_store
    from workbook.store.engine import resolve_url

    url = resolve_url(db)
    store = _STORES.get(url)
    if store is None:
        store = _STORES[url] = open_store(url)
    return store


def _effective_thresholds(organisation: OrganisationRecord, threshold: object,
                          comment_threshold: object) -> tuple[int, int]:
    """The organisation's threshold, or a stricter one; never a looser one."""
    from workbook.anonymity import check_comment_threshold
    from workbook.settings import check_threshold

    own = organisation.anonymity_threshold
    chosen = own if threshold is None else check_threshold(threshold)
    if chosen < own:
        raise InputError(
            f"the anonymity threshold for {organisation.id!r} is {own}; a report may use a higher one "
            f"but not {chosen}"
        )
    return chosen, check_comment_threshold(comment_threshold, chosen)


@dataclass(frozen=True, eq=False)
class Report:
    """The raw material of one report; every result is a cached property.

    ``answers`` holds the submitted answers the report counts: those of the first
    ``k * t`` people to submit, ``t`` being the organisation's own threshold
    (:func:`workbook.dataset.answers_in_whole_batches`), so the overall figures of two
    versions of a report made as answers come in never differ by fewer than ``t``
    people.  The batches are always the organisation's, even when the report uses a
    higher ``threshold``: the respondents' results, the live panel and the charter
    count the same people, and a report counting batches of another size would
    average a set that differs from theirs by fewer than ``t`` people (6 x report -
    5 x results page = the sixth person).  A higher ``threshold`` only hides more
    groups and cells.
    Answers that would make a team's or a side's figures differ from an earlier
    release of this cycle by fewer than ``threshold`` people are not counted yet
    (:func:`workbook.releases.settle`); ``release_notes`` say so, and
    ``groups_shown`` is False when only everyone's figure may be shown.
    ``submitted`` counts everyone who submitted, counted or not.
    ``comments`` (``person_id``, ``statement_id``, ``text``) are the counted people's.
    ``organisation_answers`` are the same people's ratings of the statements about
    the organisation (:func:`workbook.organisation_gap.organisation_answers`), or
    ``None`` when the cycle's framework edition asked none; ``framework`` is that
    edition (:meth:`workbook.framework.Framework.edition`), so an older cycle
    reports exactly as it did.
    ``invited`` counts the people on the organisation's list, ``in_progress``
    those who started but have not submitted.  ``data_as_of`` is the last
    submission the report includes (``None`` when there is none).  ``store``
    is kept only for the section hooks of later features (:mod:`workbook.report.hooks`).
    """

    organisation: OrganisationRecord
    cycle: CycleRecord
    framework: Framework
    threshold: int
    comment_threshold: int
    invited: int
    in_progress: int
    submitted: int
    answers: pd.DataFrame
    comments: pd.DataFrame
    data_as_of: datetime | None
    store: Store | None = field(default=None, repr=False)
    groups_shown: bool = True
    release_notes: tuple[str, ...] = ()
    organisation_answers: pd.DataFrame | None = field(default=None, repr=False)

    # --- basics ----------------------------------------------------------------
    @property
    def scale(self) -> tuple[int, int]:
        return self.framework.scale.minimum, self.framework.scale.maximum

    @property
    def value_order(self) -> list[str]:
        return [v.id for v in self.framework.values]

    @cached_property
    def value_names(self) -> dict[str, str]:
        """Value id -> name, in framework order."""
        return {v.id: v.name for v in self.framework.values}

    @cached_property
    def statement_texts(self) -> dict[str, str]:
        return {s.id: s.text for s in self.framework.statements}

    @cached_property
    def respondents(self) -> int:
        """People whose submitted answers the report counts."""
        return int(self.answers["person_id"].nunique())

    @property
    def enough(self) -> bool:
        """Whether anything may be shown at all: everyone together reaches the threshold."""
        return self.respondents >= self.threshold

    @property
    def status(self) -> ReportStatus:
        return "ok" if self.enough else "too few answers"

    @cached_property
    def plan(self) -> DisclosurePlan:
        """Which groups the report shows together (everyone, teams, leaders/staff): one plan for every section.

        Made from the stored answers' frozen team and role per person; every
        scoring call checks that it fits the people it scores.
        """
        from workbook.anonymity import plan_groups

        people = self.answers.drop_duplicates("person_id")
        pairs = list(zip(people["team"].astype(str).tolist(), people["role"].astype(str).tolist(), strict=True))
        return plan_groups(pairs, self.threshold, teams=self.groups_shown, split=self.groups_shown)

    @cached_property
    def shown_people(self) -> dict[tuple[str, str], frozenset[str]]:
        """The person ids behind each group this version shows (what a release records)."""
        from workbook.releases import shown_groups

        if not self.enough:
            return {}
        people = self.answers.drop_duplicates("person_id")
        triples = list(zip(people["person_id"].astype(str).tolist(), people["team"].astype(str).tolist(),
                           people["role"].astype(str).tolist(), strict=True))
        return shown_groups(self.plan, triples)

    def record_release(self) -> bool:
        """Record this version as handed out (see :mod:`workbook.releases`); False when nothing new was recorded."""
        if self.store is None or not self.shown_people:
            return False
        groups = {key: frozenset(int(p) for p in people) for key, people in self.shown_people.items()}
        return self.store.releases.record(self.cycle.id, groups, self.threshold) is not None

    def _kwargs(self, *, with_order: bool = True) -> dict[str, Any]:
        lo, hi = self.scale
        kwargs: dict[str, Any] = {"threshold": self.threshold, "scale_min": lo, "scale_max": hi, "plan": self.plan}
        if with_order:
            kwargs["value_order"] = self.value_order
        return kwargs

    @cached_property
    def checked(self) -> CheckedAnswers:
        """:attr:`answers`, validated once for every scoring call of this report (not once per call)."""
        from workbook.scoring import check_answers

        lo, hi = self.scale
        return check_answers(self.answers, lo, hi)

    @cached_property
    def countable(self) -> pd.DataFrame:
        """:attr:`answers` with the ratings no figure may count turned into "don't know".

        A statement rated by too few people, overall or within a shown group,
        counts as "don't know" in every figure (:func:`workbook.scoring.countable_answers`);
        the distribution and the "don't know" count read this table so that they
        agree with the scores.
        """
        from workbook.scoring import countable_answers

        return countable_answers(self.checked, **self._kwargs(with_order=False))

    # --- results (all through workbook.scoring, so all anonymity-checked) ---------
    @cached_property
    def overall(self) -> GroupedScores:
        from workbook.scoring import group_scores

        return group_scores(self.checked, "overall", **self._kwargs())

    @cached_property
    def by_team(self) -> GroupedScores:
        from workbook.scoring import group_scores

        return group_scores(self.checked, "team", **self._kwargs())

    @cached_property
    def by_role(self) -> GroupedScores:
        from workbook.scoring import group_scores

        return group_scores(self.checked, "role", **self._kwargs())

    @cached_property
    def gaps(self) -> LeaderStaffGaps:
        from workbook.scoring import leader_staff_gaps

        return leader_staff_gaps(self.checked, **self._kwargs())

    @cached_property
    def self_and_organisation(self) -> SelfOrganisationGaps | None:
        """Self vs organisation per value (everyone, leaders, staff), under this report's plan.

        ``None`` when the cycle asked no statements about the organisation.
        """
        from workbook.organisation_gap import self_organisation_gaps

        if self.organisation_answers is None or not self.enough:
            return None
        return self_organisation_gaps(self.checked, self.organisation_answers, **self._kwargs())

    @cached_property
    def statements_overall(self) -> StatementScores:
        from workbook.scoring import statement_scores

        return statement_scores(self.checked, "overall", **self._kwargs())

    @cached_property
    def statements_by_team(self) -> StatementScores:
        from workbook.scoring import statement_scores

        return statement_scores(self.checked, "team", **self._kwargs())

    @cached_property
    def selected_comments(self) -> SelectedComments:
        """Comments by team; when no team may be shown on its own, by everyone together."""
        from workbook.scoring import group_comments

        lo, hi = self.scale
        kwargs = {"threshold": self.threshold, "comment_threshold": self.comment_threshold,
                  "scale_min": lo, "scale_max": hi}
        by_team = group_comments(self.checked, self.comments, "team", **kwargs)
        # With teams shown, every respondent sits in a shown team or the pool, so an
        # empty table means there are no comments, or no team may be shown at all.
        if not by_team.table.empty:
            return by_team
        return group_comments(self.checked, self.comments, "overall", **kwargs)

    @cached_property
    def distributed_values(self) -> frozenset[str]:
        """The values whose rating distribution may be shown.

        A value's distribution counts everyone's ratings of its statements, so it
        is shown only when everything it adds up is shown too: the value's own
        cell for everyone (enough people rated it, "don't know" not counting) and
        the everyone cell of each of its statements that anyone rated.  Otherwise
        the counts would give away a hidden cell: one person rating a value shows
        their ratings, and the points of a value minus ``n_rated x mean`` of its
        shown statements would be the sum of a hidden statement's few ratings.
        """
        if self.overall.groups.empty:
            return frozenset()
        shown = {str(r["value_id"]) for r in self.overall.table.to_dict("records") if r["shown"]}
        rated = set(self.countable.dropna(subset=["rating"])["statement_id"].astype(str))
        for row in self.statements_overall.table.to_dict("records"):
            if not row["shown"] and str(row["statement_id"]) in rated:
                shown.discard(str(row["value_id"]))
        return frozenset(shown)

    @cached_property
    def distribution(self) -> pd.DataFrame:
        """Answers per value and rating, everyone together (reverse-worded statements flipped).

        Columns ``value_id``, ``rating``, ``count``; only the values in
        :attr:`distributed_values` (so empty when the overall group may not be
        shown).  "Don't know" answers are not counted.
        """
        import pandas as pd

        allowed = self.distributed_values
        if not allowed:
            return pd.DataFrame({"value_id": pd.Series(dtype="str"), "rating": pd.Series(dtype="int64"),
                                 "count": pd.Series(dtype="int64")})
        lo, hi = self.scale
        rated = self.countable.dropna(subset=["rating"])
        rated = rated[rated["value_id"].astype(str).isin(allowed)]
        points = [lo + hi - int(r) if rev else int(r) for r, rev in zip(rated["rating"], rated["reverse"], strict=True)]
        counts = pd.DataFrame({"value_id": rated["value_id"].astype(str).tolist(), "rating": points})
        table = counts.groupby(["value_id", "rating"]).size().rename("count").reset_index()
        full = pd.MultiIndex.from_product([self.value_order, range(lo, hi + 1)], names=["value_id", "rating"])
        table = table.set_index(["value_id", "rating"]).reindex(full, fill_value=0).reset_index()
        present = set(counts["value_id"])
        return table[table["value_id"].isin(present)].reset_index(drop=True)

    @cached_property
    def dont_know(self) -> int:
        """How many "don't know" answers the values in :attr:`distributed_values` had.

        Only those: with every answer counted, the total minus the shown statements'
        raters would give the number of people who rated a hidden statement.
        """
        shown = self.countable["value_id"].astype(str).isin(self.distributed_values)
        return int(self.countable.loc[shown, "rating"].isna().sum())

    # --- trends across cycles ----------------------------------------------------------
    @cached_property
    def trends(self) -> Trends:
        """This cycle's figures beside the earlier cycles' (:func:`workbook.report.trends.compute_trends`)."""
        from workbook.report.trends import compute_trends

        return compute_trends(self)

    @cached_property
    def glance(self) -> Glance | None:
        """The "Quarter at a glance" figures (:func:`workbook.report.glance.glance`): one read for page and JSON."""
        from workbook.report.glance import glance

        return glance(self.store, self.organisation.id, self.cycle.label, self.framework)

    # --- the executive summary ------------------------------------------------------
    @cached_property
    def summary_inputs(self) -> SummaryInputs:
        from workbook.report.summary import SummaryInputs

        means: dict[str, float] = {}
        agreement: dict[str, str] = {}
        for row in self.overall.table.to_dict("records"):
            if row["shown"]:
                means[str(row["value_id"])] = float(row["mean"])
                agreement[str(row["value_id"])] = str(row["agreement"])
        strongest = weakest = None
        if not self.overall.groups.empty:
            first = self.overall.groups.iloc[0]
            strongest = None if _missing(first["strongest"]) else str(first["strongest"])
            weakest = None if _missing(first["weakest"]) else str(first["weakest"])
        gaps: dict[str, tuple[float, float]] | None = None
        if not self.gaps.table.empty:
            gaps = {str(r["value_id"]): (float(r["leader_mean"]), float(r["staff_mean"]))
                    for r in self.gaps.table.to_dict("records") if not math.isnan(float(r["gap"]))}
        return SummaryInputs(
            organisation=self.organisation.name, cycle=self.cycle.label, invited=self.invited,
            respondents=self.respondents, in_progress=self.in_progress, threshold=self.threshold,
            submitted=self.submitted, batch=self.organisation.anonymity_threshold,
            scale=self.scale, values=self.value_names, means=means, agreement=agreement,
            strongest=strongest, weakest=weakest, gaps=gaps,
            gap_note=self.gaps.notes[0] if gaps is None and self.gaps.notes else None,
            weak_point=self._weak_point(weakest), workshop=self.workshop_facts,
        )

    def _weak_point(self, value_id: str | None) -> WeakPoint | None:
        """The lowest shown statement of ``value_id`` for everyone (what the first next step speaks about)."""
        from workbook.report.summary import WeakPoint

        if value_id is None:
            return None
        table = self.statements_overall.table
        rows = table[(table["value_id"] == value_id) & table["shown"]]
        if rows.empty:
            return None
        row = min(rows.to_dict("records"), key=lambda r: float(r["mean"]))
        lo, hi = self.scale
        score, reverse = float(row["mean"]), bool(row["reverse"])
        given = lo + hi - score if reverse else score
        answer = self.framework.scale.label(min(max(math.floor(given + 0.5), lo), hi))
        return WeakPoint(str(row["statement_id"]), self.statement_texts.get(str(row["statement_id"]), ""), score,
                         answer, reverse)

    @cached_property
    def workshop_facts(self) -> WorkshopFacts | None:
        """The obstacles the team ticked at each step of this cycle's workshop, and its open actions.

        ``None`` when the workshop has not been run (no rating, evidence or obstacle
        entered: actions carried in from the last cycle do not make a workshop) or
        there is no store.
        """
        from workbook.report.obstacle_story import WorkshopFacts
        from workbook.workshop.repository import Workshop

        if self.store is None:
            return None
        state = Workshop(self.store).state(self.cycle.id)
        if not state.obstacles and all(r.rating is None for r in state.ratings.values()) \
                and all(not e.evidence for e in state.evidence.values()):
            return None
        seen: dict[str, list[str]] = {}
        for step in self.framework.steps:
            for obstacle in sorted(state.obstacles_at(step.id)):
                seen.setdefault(obstacle, []).append(step.name)
        actions = [a for step in self.framework.steps for a in state.actions_for(step.id)]
        still_open = sum(1 for a in actions if a.status in ("open", "in_progress"))
        return WorkshopFacts({k: tuple(v) for k, v in seen.items()}, len(actions), still_open)

    @cached_property
    def summary(self) -> ExecutiveSummary:
        from workbook.report.summary import executive_summary

        return executive_summary(self.summary_inputs, self.framework.obstacles)


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or str(value) in ("", "<NA>", "nan")


def _last_submission(store: Store, org_id: str, cycle_id: int, counted: set[str]) -> datetime | None:
    """The latest submission time among the ``counted`` people (one query, not one per person)."""
    times = [at for person_id, at in store.responses.submitted_times(org_id, cycle_id).items()
             if str(person_id) in counted]
    return max(times, default=None)


def load_report(
    organisation: str, *, cycle: str | None = None, threshold: int | None = None,
    comment_threshold: int | None = None, db: str | None = None, store: Store | None = None,
    framework: Framework | None = None, release: bool = False,
) -> Report:
    """Read one organisation's cycle (the current one by default) into a :class:`Report`.

    ``threshold`` may raise the organisation's own anonymity threshold for this
    report, never lower it (:class:`InputError`); an unknown organisation or
    cycle is a :class:`NotFoundError`.  ``store`` overrides ``db``.  The answers are
    settled against the cycle's earlier releases (:mod:`workbook.releases`); with
    ``release`` this version is recorded as a release (a report handed out, not a dry run).
    """
    from workbook.dataset import comments_frame, cycle_edition
    from workbook.framework import load_framework

    if not isinstance(organisation, str) or not organisation.strip():
        raise InputError("name the organisation to report on (its id, see: workbook org list)")
    store = store or _store_for(db)
    record = store.organisations.get(organisation.strip())
    chosen, comment_chosen = _effective_thresholds(record, threshold, comment_threshold)
    cycle_record = store.responses.cycle(record.id, cycle)
    # The statements this cycle was asked (its framework edition): an older cycle reports as it always did.
    framework = cycle_edition(store, framework or load_framework(), cycle_record.id)
    rows = store.responses.rows(record.id, cycle_record.id)  # read once: answers, comments, organisation answers
    batched, settled, answers = counted_answers(store, framework, record, cycle_record, chosen, rows=rows)
    counted = set(answers["person_id"].astype(str))
    comments = comments_frame(store, framework, record.id, cycle_record.id, rows=rows)
    comments = comments[comments["person_id"].astype(str).isin(counted)]
    comments = comments.loc[:, ["person_id", "statement_id", "comment"]].rename(columns={"comment": "text"})
    organisation_frame = None
    if framework.organisation_statements:
        from workbook.organisation_gap import organisation_answers

        organisation_frame = organisation_answers(rows, framework, answers)
    latest = _last_submission(store, record.id, cycle_record.id, counted)
    progress = store.responses.progress(record.id, cycle_record.id)
    invited, in_progress = int(progress["people"]), int(progress["in_progress"])
    report = Report(
        organisation=record, cycle=cycle_record, framework=framework, threshold=chosen,
        comment_threshold=comment_chosen, invited=invited, in_progress=in_progress,
        submitted=batched.submitted, answers=answers.reset_index(drop=True),
        comments=comments.reset_index(drop=True), data_as_of=latest, store=store,
        groups_shown=settled.groups_shown, release_notes=settled.notes,
        organisation_answers=organisation_frame,
    )
    if release:
        report.record_release()
    return report


def counted_answers(store: Store, framework: Framework, organisation: OrganisationRecord, cycle: CycleRecord,
                    threshold: int, *, rows: Sequence[AnswerRow] | None = None,
                    ) -> tuple[BatchedAnswers, Settled, pd.DataFrame]:
    """The answers a report of ``cycle`` counts: whole batches, settled against the cycle's releases.

    The one place this is decided, so that a cycle's figures in another
    cycle's trends (:mod:`workbook.report.trends`) are exactly its own report's.
    """
    from workbook.dataset import answers_in_whole_batches

    # Batches of the organisation's threshold, whatever the report's: see Report.answers.
    batched = answers_in_whole_batches(store, framework, organisation.id, cycle.id, organisation.anonymity_threshold,
                                       rows=rows)
    settled = _settled(store, cycle.id, batched.frame, threshold)
    answers = batched.frame[batched.frame["person_id"].astype(str).isin(settled.counted)]
    return batched, settled, answers


def _settled(store: Store, cycle_id: int, answers: pd.DataFrame, threshold: int) -> Settled:
    """Who this version may count next to the cycle's earlier releases (:func:`workbook.releases.settle`)."""
    from workbook.releases import Earlier, Settled, settle

    people = answers.drop_duplicates("person_id")
    ids = frozenset(people["person_id"].astype(str).tolist())
    earlier = [Earlier(r.released_at, {k: frozenset(str(p) for p in v) for k, v in r.groups.items()})
               for r in store.releases.for_cycle(cycle_id)]
    if not earlier:  # the cycle's first report: nothing to compare with
        return Settled(ids, True, ())
    triples = list(zip(people["person_id"].astype(str).tolist(), people["team"].astype(str).tolist(),
                       people["role"].astype(str).tolist(), strict=True))
    return settle(triples, threshold, earlier)

"""From stored answers to the tables the scoring functions read.

The store knows people and answers; the framework knows which value each
statement belongs to and which are reverse-worded.  This module joins the two
into the one long table (one row per person and statement) that
:mod:`workbook.scoring` works on, for the apps and the reports alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from workbook.framework import Framework
from workbook.framework.models import VERSION_PATTERN, version_key
from workbook.store import Store

if TYPE_CHECKING:
    from collections.abc import Sequence

    import pandas as pd

    from workbook.store.responses import AnswerRow

__all__ = ["ANSWER_COLUMNS", "BatchedAnswers", "answers_frame", "answers_in_whole_batches", "comments_frame",
           "cycle_edition"]

ANSWER_COLUMNS = ("person_id", "role", "team", "value_id", "statement_id", "rating", "reverse")


def answers_frame(store: Store, framework: Framework, org_id: str, cycle_id: int,
                  *, submitted_only: bool = True, rows: Sequence[AnswerRow] | None = None) -> pd.DataFrame:
    """Every answer of a cycle as a long table (``rating`` is <NA> for "don't know").

    Only submitted responses count by default: a half-finished questionnaire
    is not a result.  Answers to statements the framework no longer has (an
    older edition) are left out rather than guessed at, and so are those about
    the organisation: value scores are made of the "I ..." statements only
    (:mod:`workbook.organisation_gap` scores the others).  ``rows`` are the
    cycle's :meth:`~workbook.store.responses.Responses.rows` when the caller
    has read them already (a report reads them once for answers and comments).
    """
    import pandas as pd

    known = {s.id: (framework.value_of_statement(s.id).id, s.reverse) for s in framework.self_statements}
    records = [
        {
            "person_id": str(row.person_id),
            "role": row.role,
            "team": row.team,
            "value_id": known[row.statement_id][0],
            "statement_id": row.statement_id,
            "rating": row.rating,
            "reverse": known[row.statement_id][1],
        }
        for row in (store.responses.rows(org_id, cycle_id) if rows is None else rows)
        if row.statement_id in known and (row.submitted or not submitted_only)
    ]
    frame = pd.DataFrame.from_records(records, columns=list(ANSWER_COLUMNS))
    return frame.astype({"person_id": "string", "role": "string", "team": "string", "value_id": "string",
                         "statement_id": "string", "rating": "Int64", "reverse": "bool"})


def comments_frame(store: Store, framework: Framework, org_id: str, cycle_id: int,
                   *, rows: Sequence[AnswerRow] | None = None) -> pd.DataFrame:
    """Comments of submitted responses (on statements about oneself), with the answerer's role and team only."""
    import pandas as pd

    own = {s.id for s in framework.self_statements}
    records = [
        {"person_id": str(row.person_id), "role": row.role, "team": row.team,
         "value_id": framework.value_of_statement(row.statement_id).id, "statement_id": row.statement_id,
         "comment": row.comment}
        for row in (store.responses.rows(org_id, cycle_id) if rows is None else rows)
        if row.submitted and row.comment and row.statement_id in own
    ]
    return pd.DataFrame.from_records(
        records, columns=["person_id", "role", "team", "value_id", "statement_id", "comment"]
    )


@dataclass(frozen=True, slots=True)
class BatchedAnswers:
    """Answers of the people counted in whole batches (see :func:`answers_in_whole_batches`)."""

    frame: pd.DataFrame
    submitted: int
    counted: int
    threshold: int


def answers_in_whole_batches(store: Store, framework: Framework, org_id: str, cycle_id: int,
                             threshold: int, *, team: str | None = None,
                             rows: Sequence[AnswerRow] | None = None) -> BatchedAnswers:
    """Submitted answers of the first ``k * threshold`` people to submit.

    A view that people can open again and again (the live workshop panel, a
    respondent's own results) would otherwise change with every submission,
    and the difference between two looks would reveal the one person who
    submitted in between.  Counting only whole batches, in submission order
    (stable across kernels), means two looks differ by at least ``threshold``
    people or not at all.  With ``team`` the batches are counted within that
    team, so a team's figures move in whole batches too.
    """
    frame = answers_frame(store, framework, org_id, cycle_id, rows=rows)
    order = [str(person_id) for person_id in store.responses.submission_order(org_id, cycle_id)]
    if team is not None:
        members = set(frame.loc[frame["team"] == team, "person_id"])
        order = [person_id for person_id in order if person_id in members]
    counted = len(order) - len(order) % threshold
    frame = frame[frame["person_id"].isin(set(order[:counted]))].reset_index(drop=True)
    return BatchedAnswers(frame=frame, submitted=len(order), counted=counted, threshold=threshold)


def cycle_edition(store: Store, framework: Framework, cycle_id: int) -> Framework:
    """The framework edition a cycle is reported in: the newest its submitted responses were begun under.

    A cycle answered entirely before statements were added keeps that edition's
    statements and version number, so its report is the one it always was; with
    no submission yet, today's edition.
    """
    versions = [v for v in store.responses.framework_versions(cycle_id) if _is_version(v)]
    if not versions:
        return framework
    return framework.edition(max(versions, key=version_key))


def _is_version(text: str) -> bool:
    return re.match(VERSION_PATTERN, text) is not None

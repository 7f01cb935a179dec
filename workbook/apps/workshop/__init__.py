"""The DIME™ steps workshop: the facilitator's app for the projector.

A consultant opens the organisation's facilitator link (``?key=…``) and puts
this on the wall while the team works through the four steps together:

* when unfinished actions came with this cycle from the last one, it opens on
  a **review** of them first: done, carried again or dropped, each with a
  short note (:mod:`workbook.apps.workshop_review`);
* a **live panel**: how many people have submitted the values self-assessment
  (counts by team, never names) and the team's value profile once enough
  people have taken part (rules in :mod:`workbook.workshop.live`);
* one page per **step**, in order: its purpose, questions to talk through, the
  practices the team rates together (1-5 with the scale's maturity words),
  notes of evidence, the obstacles showing here, the actions agreed and the
  reward the step earns; the positive-memories page also holds the team's
  service recovery playbook (:mod:`workbook.apps.workshop_playbook`);
* a **summary**: maturity by step, obstacles found and the whole action plan,
  with a CSV download.

Rules the app keeps, whatever the browser sends:

* everything is saved the moment it is entered, and reopening the link shows
  the workshop where it was left;
* every widget value is checked on the kernel side before it is stored (the
  repository checks again): a crafted comm message gets a one-line refusal;
* two facilitators on the same organisation never overwrite each other
  silently: an edit that started from an old version is refused, the other
  person's value is shown, the message says so, and the text this
  facilitator typed stays on screen in a read-only box to copy from;
* an unexpected failure inside a button or field handler shows a calm line
  at the top of the page instead of leaving the page unresponsive;
* a missing or wrong key shows a friendly page and no team data.

The app is a package split by job: :mod:`~workbook.apps.workshop.projector`
(the projector's CSS), :mod:`~workbook.apps.workshop.session` (a link resolved
to an organisation and cycle), :mod:`~workbook.apps.workshop.steps` (a step's
widgets and page) and :mod:`~workbook.apps.workshop.app` (the controller and
the notebook's entry points, re-exported here).
"""

from __future__ import annotations

from workbook.apps.workshop.app import WorkshopApp, build, show, warm_up
from workbook.apps.workshop.projector import PROJECTOR_CLASS, PROJECTOR_CSS
from workbook.apps.workshop.session import WorkshopSession, open_workshop
from workbook.apps.workshop.steps import ActionRow

__all__ = ["PROJECTOR_CLASS", "PROJECTOR_CSS", "ActionRow", "WorkshopApp", "WorkshopSession", "build",
           "open_workshop", "show", "warm_up"]

"""The numbers of the web guard a deployer may tune, with their defaults, in one place.

``workbook serve`` offers each as an option (its help text quotes these), and
the modules that use them read their defaults from here.  It imports nothing,
so ``workbook --help`` can quote it without loading the store or tornado.
"""

from __future__ import annotations

__all__ = [
    "CLOSE_GRACE_SECONDS",
    "MAX_PENDING_LOOKUPS",
    "RECHECK_SECONDS",
    "REFUSALS_BURST",
    "REFUSALS_PER_MINUTE",
]

#: Refused links (bad, rotated, deleted tokens or keys) per client address and
#: minute, and the burst: far more than a person mistyping ever needs, far fewer
#: than a script guessing tokens sends.  Past it even the lookup is skipped (HTTP 429).
REFUSALS_PER_MINUTE = 120
REFUSALS_BURST = 60
#: Link lookups queued or running at once, at most; past it the server answers
#: "busy" at once instead of queueing another behind a flood.
MAX_PENDING_LOOKUPS = 64
#: A closed tab's kernel goes this long after its page said so, unless a browser
#: is (or gets) connected: another tab of the same link, or the reloaded page
#: whose request may come just before or just after the old page's.
CLOSE_GRACE_SECONDS = 3
#: How often every open page's link is checked again (a rotated or deleted link stops).
RECHECK_SECONDS = 30

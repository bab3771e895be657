"""The thresholds behind the learning-point checks, defined once: the site app's health panel, the
evaluators' indicators and the reports all judge by these, so they cannot disagree."""

from __future__ import annotations

import datetime as dt

from .choices import LEARNING_POINTS, RoleGroup

#: 'LP1'..'LP8', as the grid, the reports and the health panel write them.
LP_CODES: list[str] = [key.upper() for key in LEARNING_POINTS]
#: Partner groups who are paid to be there; an activity led only by them is staff-led (LP4).
STAFF_GROUPS = frozenset({RoleGroup.CLINICIAN, RoleGroup.MANAGER, RoleGroup.COMMISSIONER})
#: An evidence plan is due this long after a site starts (LP7).
EVIDENCE_PLAN_DUE_DAYS = 56
EVIDENCE_PLAN_DUE = dt.timedelta(days=EVIDENCE_PLAN_DUE_DAYS)
#: How many of the latest activities a partner must miss to count as drifting away (LP2).
RECENT_ACTIVITIES = 3

"""Indicators for the eight learning points: pure functions from record frames to small summary frames.

Each takes the frames :func:`~coprod_widgets.evaluation.data.load_programme` gives (``data.sites``
and ``data[kind]``, exactly as :meth:`Store.frame` makes them) and returns a DataFrame with the
columns its docstring lists, in that order, even when it has no rows. Sites appear as ``site_id``
and ``site`` (the site's name). Nothing here reads the store or prints.

==============  =========================================================================
framing         LP1: who shaped each version of the problem
involvement     LP2: attendance by group and month, drop-outs, representation, contribution
answers         LP3: non-negotiables and what became of the ideas partners arrived with
leadership      LP4: who facilitated, and whether leadership sits in one group
change          LP5/LP6: first change of each kind, its order, milestones against actual change
evidence        LP7: when the evidence plan was agreed, which indicators have evidence
ladder          Ladder of Co-production by stage; self-assessment by role; staff/lived gaps
reflection      LP2: the 4Pi involvement reflection, each standard at each site
overview        a status per site and learning point, with the rule and the figures behind it
site_questions  LP8: the questions each site asked, every answer as a row, a line per question
==============  =========================================================================
"""

from .answers import idea_fates, non_negotiable_status
from .change import behaviour_first, first_change, milestones_vs_actual, outcomes_by_type
from .evidence import evidence_plan_timing, indicators_with_evidence
from .framing import framing_participants, framing_summary
from .involvement import attendance_by_group_month, contribution_share, dropouts, representation
from .ladder import ladder_by_stage, self_assessment_by_role, staff_lived_gap
from .leadership import facilitation_by_group, leadership_concentration
from .overview import LEARNING_POINTS, LOOK_ORDER, NOT_ENOUGH, STATUS_ORDER, as_of_dates, overview_status, worth_a_look
from .reflection import reflection_by_site
from .site_questions import answer_summary, answers_frame, questions_asked

__all__ = [
    "LEARNING_POINTS",
    "STATUS_ORDER",
    "LOOK_ORDER",
    "NOT_ENOUGH",
    "worth_a_look",
    "as_of_dates",
    "answer_summary",
    "answers_frame",
    "attendance_by_group_month",
    "behaviour_first",
    "contribution_share",
    "dropouts",
    "evidence_plan_timing",
    "facilitation_by_group",
    "first_change",
    "framing_participants",
    "framing_summary",
    "idea_fates",
    "indicators_with_evidence",
    "ladder_by_stage",
    "leadership_concentration",
    "milestones_vs_actual",
    "non_negotiable_status",
    "outcomes_by_type",
    "overview_status",
    "questions_asked",
    "reflection_by_site",
    "representation",
    "self_assessment_by_role",
    "staff_lived_gap",
]

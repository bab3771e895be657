"""Altair charts for the evaluator workbooks and reports: one builder per chart, one module per kind of chart.

Every builder takes an indicator frame (already aggregated by ``indicators``), keeps only the
columns it draws, and gives Altair at most :data:`MAX_ROWS` rows, so a chart never grows with the
number of raw records (each builder's docstring gives its bound). Each chart has a title, a
subtitle that says how to read it, tooltips, an accessible ``description``, and one plain-English
sentence per mark (the ``description`` channel, read by screen readers and shown on hover by the
offline renderer). Colours are Okabe-Ito (safe with colour blindness); statuses are also written
in each cell and kinds of event and change also differ by shape, so colour is never the only
signal. An empty frame gives an empty chart whose subtitle says there is nothing to show yet.

Display them with :func:`coprod_widgets.evaluation.render.enable_offline_charts` (no network).
"""

from ._common import (
    CHANGES,
    DROPOUT_LEVELS,
    EVENTS,
    GROUPS,
    MAX_ROWS,
    STATUSES,
    TIMELINE_KINDS,
)
from .attendance import attendance_chart
from .change import change_progression_chart
from .distribution import spread_chart, status_distribution_chart
from .ladder import ladder_chart, self_assessment_gap_chart
from .likert import likert_chart
from .overview import overview_heatmap
from .reflection import reflection_chart
from .timeline import timeline_chart, timeline_events

__all__ = [
    "CHANGES",
    "DROPOUT_LEVELS",
    "EVENTS",
    "GROUPS",
    "MAX_ROWS",
    "STATUSES",
    "TIMELINE_KINDS",
    "attendance_chart",
    "change_progression_chart",
    "ladder_chart",
    "likert_chart",
    "overview_heatmap",
    "reflection_chart",
    "self_assessment_gap_chart",
    "spread_chart",
    "status_distribution_chart",
    "timeline_chart",
    "timeline_events",
]

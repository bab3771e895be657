"""The evaluator workbooks' widgets: the workbook session, the filter panel and the Share panel.

What they show is computed in :mod:`coprod_widgets.evaluation`, which has no widgets, so the
reports use the same sections without ipywidgets.
"""

from .workbook import Workbook

__all__ = ["Workbook"]

"""Kept so that notebooks saved before the widgets moved to :mod:`coprod_widgets.evaluatorapp` still run."""

from ..evaluatorapp.workbook import Workbook

__all__ = ["Workbook"]

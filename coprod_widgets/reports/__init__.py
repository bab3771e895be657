"""Shareable reports: a parameterised report notebook, run and written as one offline HTML file.

From Python::

    from coprod_widgets.reports import render_report
    render_report("programme.html")                        # the whole programme, with GRIPP2
    render_report("saltmere.html", site="Saltmere", pdf=True)

Importing this package is cheap; pandas, papermill and nbconvert load when a report is made.
"""

from .run import ReportError, ReportResult, render_report

__all__ = ["ReportError", "ReportResult", "render_report"]

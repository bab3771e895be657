"""Small, readable HTML tables for workbooks and reports: labels not codes, dates as days, escaped text."""

from __future__ import annotations

from html import escape

import pandas as pd
from IPython.display import HTML

from ..choices import AcceptanceResponse, ChangeType, IdeaFate, RoleGroup, Stage

CODE_LABELS = {
    "role_group": RoleGroup,
    "respondent_role": RoleGroup,
    "change_type": ChangeType,
    "change_kind": ChangeType,
    "stage": Stage,
    "fate": IdeaFate,
    "response": AcceptanceResponse,
}
ROW_LIMIT = 60
#: How tables look where no page style reaches them (a widget's output in JupyterLab or Voilà, an exported
#: notebook): ruled cells with room around the text, the header picked out. Reports bring their own.
TABLE_STYLE = (
    "<style>.coprod-table{border-collapse:collapse;margin:0.5em 0 1em}"
    ".coprod-table caption{text-align:left;font-weight:bold;padding:0.3em 0}"
    ".coprod-table th,.coprod-table td{border:1px solid #999;padding:0.3em 0.6em;text-align:left;"
    "vertical-align:top}.coprod-table th{background:#eee}</style>"
)


def _cell(column: str, value) -> str:
    if value is None or (not isinstance(value, (list, tuple)) and pd.isna(value)):
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".")
    if column in CODE_LABELS and isinstance(value, str) and value:
        try:
            return CODE_LABELS[column](value).label
        except ValueError:
            return value
    if isinstance(value, (list, tuple)):
        return ", ".join(str(item) for item in value)
    return str(value)


def table_html(
    frame: pd.DataFrame,
    caption: str,
    columns: dict[str, str] | None = None,
    limit: int = ROW_LIMIT,
    empty: str = "nothing recorded yet",
) -> str:
    """``columns`` maps column -> heading (and picks the order); every value is escaped.

    With no rows, one line says so: ``caption: empty``.
    """
    columns = columns or {name: name.replace("_", " ").capitalize() for name in frame.columns}
    if frame.empty:
        return f"<p><em>{escape(caption)}: {escape(empty)}.</em></p>"
    shown = frame.head(limit)
    head = "".join(f'<th scope="col">{escape(title)}</th>' for title in columns.values())
    rows = []
    for _, row in shown.iterrows():
        cells = "".join(f"<td>{escape(_cell(name, row[name]))}</td>" for name in columns)
        rows.append(f"<tr>{cells}</tr>")
    more = f"<p><em>Showing {limit} of {len(frame)} rows.</em></p>" if len(frame) > limit else ""
    return (
        f'<table class="coprod-table"><caption>{escape(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>{more}"
    )


def paged_table_html(
    frame: pd.DataFrame,
    caption: str,
    columns: dict[str, str] | None = None,
    page: int = 50,
    empty: str = "nothing recorded yet",
) -> str:
    """Every row, ``page`` at a time: the first page open, each further page folded under "Rows 51 to 100 of 312".

    Folded pages are plain ``<details>`` elements: they open with the keyboard, need no script, and print.
    """
    if len(frame) <= page:
        return table_html(frame, caption, columns, limit=page, empty=empty)
    parts = [table_html(frame.iloc[:page], f"{caption} (rows 1 to {page} of {len(frame)})", columns, limit=page)]
    for start in range(page, len(frame), page):
        stop = min(start + page, len(frame))
        label = f"Rows {start + 1} to {stop} of {len(frame)}"
        body = table_html(frame.iloc[start:stop], f"{caption} ({label.lower()})", columns, limit=page)
        parts.append(f'<details class="coprod-page"><summary>{escape(label)}</summary>{body}</details>')
    return "".join(parts)


def paged_table(
    frame: pd.DataFrame,
    caption: str,
    columns: dict[str, str] | None = None,
    page: int = 50,
    empty: str = "nothing recorded yet",
) -> HTML:
    return HTML(paged_table_html(frame, caption, columns, page, empty))


def table(
    frame: pd.DataFrame,
    caption: str,
    columns: dict[str, str] | None = None,
    limit: int = ROW_LIMIT,
    empty: str = "nothing recorded yet",
) -> HTML:
    return HTML(table_html(frame, caption, columns, limit, empty))


def note(text: str) -> HTML:
    return HTML(f"<p>{escape(text)}</p>")

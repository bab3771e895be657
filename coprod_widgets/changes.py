"""History lines in words, for ``coprod history``: who changed what, and from what to what."""

from __future__ import annotations

from .records import RECORD_TYPES
from .store import Change

LONGEST_VALUE = 60
ACTIONS = {"insert": "added", "update": "changed", "delete": "deleted", "erase": "erased"}


def _shown(value) -> str:
    if value is None or value == "" or value == []:
        return "(empty)"
    text = " ".join(str(value).split())
    return repr(text if len(text) <= LONGEST_VALUE else text[: LONGEST_VALUE - 1] + "…")


def _noun(kind: str) -> str:
    cls = RECORD_TYPES.get(kind)
    return cls.noun.lower() if cls else kind


def differences(old: dict | None, new: dict | None) -> list[str]:
    """``field: before -> after`` for each field that changed (the record number and site left out)."""
    old, new = old or {}, new or {}
    fields = [name for name in {**old, **new} if name not in ("id", "site_id")]
    return [
        f"{name}: {_shown(old.get(name))} -> {_shown(new.get(name))}"
        for name in fields
        if old.get(name) != new.get(name)
    ]


def describe(change: Change, site_names: dict[int, str]) -> str:
    """One line: ``2026-12-02 21:50 UTC  who  changed partner 12 at North: left: (empty) -> '2015-09-01'``."""
    when = change.at.strftime("%Y-%m-%d %H:%M UTC")
    what = f"{ACTIONS.get(change.action, change.action)} {_noun(change.record_type)} {change.record_id}"
    where = f" at {site_names[change.site_id]}" if change.site_id in site_names else ""
    if change.action == "erase":
        note = change.new or {}
        details = (
            f"now {note.get('pseudonym')}; reason: {_shown(note.get('reason'))}; "
            f"{note.get('history_lines_rewritten', 0)} history line(s) rewritten"
        )
    elif change.action == "update" and change.old is None:
        details = "; ".join(f"{name} {value}" for name, value in (change.new or {}).items())
    elif change.action == "update":
        details = "; ".join(differences(change.old, change.new)) or "no field changed"
    else:
        details = ""
    return f"{when}  {change.who}  {what}{where}" + (f": {details}" if details else "")

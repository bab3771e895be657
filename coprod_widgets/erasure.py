"""Erasure on request (UK GDPR, right to erasure): a partner's name leaves the store for good.

The partner keeps their record number, so attendance, acceptances and every count that rests on them
still hold; what identifies them goes:

- their name becomes a pseudonym, "erased partner P-XXXXXXXX" (the same P- code a de-identified export
  gives them); their organisation and connections are emptied;
- every name they were ever recorded under is replaced, as a whole word, in all text in the store
  (other records' free text, answers to question sets, the history's old and new values, who made each
  change), with any other spellings given (``also``);
- the history's seals are recomputed from the first rewritten line, and one more line records the
  erasure: who, when, why, how much was rewritten; never the name;
- then the database itself forgets: SQLite overwrites freed space and is vacuumed; PostgreSQL vacuums
  the tables that changed (VACUUM FULL, which writes them afresh).

Backups made before the erasure still hold the name: the README says so.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from pydantic import ValidationError
from sqlalchemy import JSON, Connection, String, Text, select, text, update

from . import audit
from .exports.deidentify import PSEUDONYM_KEY_SETTING, Pseudonyms
from .problems import FieldProblem, RecordInvalid
from .records import record_type
from .schema import ACCESS_COLUMNS, TABLES, history
from .store import Store

ERASED_PREFIX = "erased partner "
#: Columns that hold codes or secrets, never anything a person typed.
NOT_TEXT = set(ACCESS_COLUMNS)
CLEARED_FIELDS = ("organisation", "connections")


@dataclass
class ErasureResult:
    partner_id: int
    site: str
    pseudonym: str
    records_changed: dict[str, int] = field(default_factory=dict)
    history_lines_rewritten: int = 0
    seals_recomputed: int = 0
    log_line: int | None = None
    files_note: str = ""


def _problem(field_name: str, message: str) -> RecordInvalid:
    return RecordInvalid([FieldProblem(field_name, message)])


class _Scrubber:
    """Replaces whole-word occurrences of any of ``names`` (any case, either Unicode form) in text."""

    def __init__(self, names: Iterable[str], replacement: str):
        words = sorted({unicodedata.normalize("NFC", name.strip()) for name in names if name.strip()}, key=len)
        alternatives = "|".join(re.escape(word) for word in reversed(words))
        self.pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)
        self.replacement = replacement

    def text(self, value: str) -> str:
        normal = unicodedata.normalize("NFC", value)
        if not self.pattern.search(normal):
            return value
        return self.pattern.sub(lambda _match: self.replacement, normal)

    def json(self, value):
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.json(item) for item in value]
        if isinstance(value, dict):
            return {key: self.json(item) for key, item in value.items()}
        return value


def _find_partner(store: Store, conn: Connection, site_name: str, display_name: str, partner_id: int | None):
    site = store.site_named(site_name)
    if site is None:
        raise _problem("site", f"There is no site called {site_name!r}: check the name with  coprod site list.")
    if partner_id is not None:
        partner = store._get(conn, "partner", partner_id)
        if partner is None or partner.site_id != site.id:
            raise _problem("id", f"There is no partner number {partner_id} at {site.name}.")
        if partner.display_name.casefold() != display_name.strip().casefold():
            raise _problem("name", f"Partner number {partner_id} at {site.name} is not called {display_name!r}.")
        return site, partner
    wanted = display_name.strip().casefold()
    found = [p for p in store.records("partner", site_id=site.id, conn=conn) if p.display_name.casefold() == wanted]
    if not found:
        raise _problem(
            "name",
            f"There is no partner called {display_name!r} at {site.name} (the name must match the one recorded, "
            "ignoring capitals). An erased partner is listed under their pseudonym.",
        )
    if len(found) > 1:
        numbers = ", ".join(str(p.id) for p in found)
        raise _problem(
            "name",
            f"{len(found)} partners at {site.name} are called {display_name!r} (numbers {numbers}): "
            "give the one to erase with --id.",
        )
    return site, found[0]


def _names_ever(conn: Connection, partner_id: int, current: str) -> set[str]:
    names = {current}
    lines = select(history.c.old, history.c.new).where(
        history.c.record_type == "partner", history.c.record_id == partner_id
    )
    for old, new in conn.execute(lines):
        for snapshot in (old, new):
            if isinstance(snapshot, dict) and isinstance(snapshot.get("display_name"), str):
                names.add(snapshot["display_name"])
    return names


def _rewrite_records(conn: Connection, scrub: _Scrubber, short: _Scrubber, partner_id: int, pseudonym: str):
    changed: dict[str, int] = {}
    for kind, table in TABLES.items():
        columns = [c for c in table.columns if isinstance(c.type, (String, Text)) and c.name not in NOT_TEXT]
        documents = [c for c in table.columns if isinstance(c.type, JSON)]  # answers, lists of partners
        if not columns and not documents:
            continue
        for row in conn.execute(select(table)):
            values = dict(row._mapping)
            updates = {c.name: scrub.text(values[c.name]) for c in columns if isinstance(values[c.name], str)}
            updates.update({c.name: scrub.json(values[c.name]) for c in documents if values[c.name] is not None})
            if kind == "partner" and values["id"] == partner_id:
                updates.update({"display_name": pseudonym, **dict.fromkeys(CLEARED_FIELDS, "")})
            elif kind == "partner":
                updates.pop("display_name")  # another person's name ("Sam Jones" when erasing "Sam") stays theirs
            updates = {name: value for name, value in updates.items() if value != values[name]}
            if not updates:
                continue
            updates = _still_valid(kind, values, updates, short)
            conn.execute(update(table).where(table.c.id == values["id"]).values(**updates))
            changed[kind] = changed.get(kind, 0) + 1
    return changed


def _still_valid(kind: str, values: dict, updates: dict, short: _Scrubber) -> dict:
    """A rewritten record must still be a valid record: if the pseudonym made a field too long, use the short one."""
    record_values = {k: v for k, v in values.items() if k not in ACCESS_COLUMNS}
    try:
        record_type(kind).model_validate({**record_values, **updates})
        return updates
    except ValidationError:
        shorter = {
            name: short.text(values[name]) if name in updates and name != "display_name" else value
            for name, value in updates.items()
        }
        try:
            record_type(kind).model_validate({**record_values, **shorter})
            return shorter
        except ValidationError:
            noun = record_type(kind).noun.lower()
            raise _problem(
                "name",
                f"The name could not be replaced in {noun} number {values['id']} without making it too "
                "long: shorten that record's text, then erase again. Nothing was changed.",
            ) from None


def _rewrite_history(conn: Connection, scrub: _Scrubber, partner_id: int, pseudonym: str) -> tuple[int, int | None]:
    rewritten, first = 0, None
    for row in conn.execute(select(history).order_by(history.c.id)).all():
        line = dict(row._mapping)
        old, new, who = scrub.json(line["old"]), scrub.json(line["new"]), scrub.text(line["who"])
        if line["record_type"] == "partner" and line["record_id"] == partner_id:
            old, new = (_erased_snapshot(snapshot, pseudonym) for snapshot in (old, new))
        elif line["record_type"] == "partner":
            old, new = _keep_name(old, line["old"]), _keep_name(new, line["new"])
        if (old, new, who) == (line["old"], line["new"], line["who"]):
            continue
        conn.execute(update(history).where(history.c.id == line["id"]).values(old=old, new=new, who=who))
        rewritten += 1
        first = line["id"] if first is None else first
    return rewritten, first


def _keep_name(scrubbed, original):
    """Another partner's own name, in a line about them, is theirs: put it back as it was."""
    if isinstance(scrubbed, dict) and isinstance(original, dict) and "display_name" in original:
        return {**scrubbed, "display_name": original["display_name"]}
    return scrubbed


def _erased_snapshot(snapshot, pseudonym: str):
    if not isinstance(snapshot, dict):
        return snapshot
    out = dict(snapshot)
    if "display_name" in out:
        out["display_name"] = pseudonym
    for name in CLEARED_FIELDS:
        if out.get(name):
            out[name] = ""
    return out


def erase_partner(
    store: Store,
    site_name: str,
    display_name: str,
    reason: str,
    who: str,
    partner_id: int | None = None,
    also: Iterable[str] = (),
) -> ErasureResult:
    """Erase one partner's identity from the store, in one transaction, then make the database forget it."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise _problem("reason", "Reason: say why the partner is being erased (for example, 'asked by email, 3 May').")
    also = [name for name in also if name.strip()]
    pseudonym_of = Pseudonyms(store.secret(PSEUDONYM_KEY_SETTING))
    with store.writing() as conn:
        site, partner = _find_partner(store, conn, site_name, display_name, partner_id)
        if partner.display_name.startswith(ERASED_PREFIX):
            raise _problem("name", f"Partner number {partner.id} at {site.name} has already been erased.")
        code = pseudonym_of(partner.id)
        pseudonym = ERASED_PREFIX + code
        names = _names_ever(conn, partner.id, partner.display_name) | set(also)
        scrub = _Scrubber(names, pseudonym)
        if scrub.pattern.search(unicodedata.normalize("NFC", reason)):
            raise _problem("reason", "Reason: it names the partner. Say why without their name: it is kept for good.")
        result = ErasureResult(partner.id, site.name, pseudonym)
        result.records_changed = _rewrite_records(conn, scrub, _Scrubber(names, code), partner.id, pseudonym)
        result.history_lines_rewritten, first = _rewrite_history(conn, scrub, partner.id, pseudonym)
        result.seals_recomputed = audit.reseal(conn, from_id=first) if first is not None else 0
        note = {
            "erased": "partner",
            "pseudonym": pseudonym,
            "reason": reason,
            "other_spellings": len(also),
            "records_rewritten": result.records_changed,
            "history_lines_rewritten": result.history_lines_rewritten,
            "seals_recomputed_from_line": first,
            "seals_recomputed": result.seals_recomputed,
        }
        result.log_line = store._log(conn, who, "erase", "partner", partner.id, partner.site_id, None, note)
    result.files_note = forget_old_bytes(store, touched=[*result.records_changed, "history", "setting"])
    return result


def forget_old_bytes(store: Store, touched: Iterable[str]) -> str:
    """Make the database drop old copies of rewritten rows; return a sentence if some may remain."""
    engine = store.engine
    if engine.dialect.name == "sqlite":
        raw = engine.raw_connection()
        try:
            sqlite = raw.driver_connection
            sqlite.execute("PRAGMA secure_delete=ON")
            sqlite.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            sqlite.execute("VACUUM")
            busy, _log_pages, _moved = sqlite.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        finally:
            raw.close()
        engine.dispose()  # pooled connections may hold pages read before the vacuum
        if busy:
            return (
                "The app had the store open, so the write-ahead log (the -wal file beside the store) may still "
                "hold old pages until the app is stopped and the store opened again."
            )
        return ""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            quote = conn.dialect.identifier_preparer.quote
            for name in sorted(set(touched)):
                conn.execute(text(f"VACUUM FULL {quote(name)}"))
        return (
            "PostgreSQL's write-ahead log (pg_wal) keeps old changes until it recycles its files; "
            "run a CHECKPOINT, or see the README, if that matters for this request."
        )
    return "This database was not vacuumed: old copies of the rows may remain in its files."

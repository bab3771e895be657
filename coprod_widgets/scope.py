"""A site team's view of the store: every read and write is limited to one site.

The site app holds only a :class:`SiteScope`, never the whole :class:`Store`, so a bug in a
form cannot show or change another site's records.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .problems import FieldProblem, RecordInvalid
from .records import SITE_RECORD_TYPES, QuestionSet, Record, Site

if TYPE_CHECKING:
    from .store import Change, Store


class SiteScope:
    def __init__(self, store: Store, site_id: int):
        site = store.get("site", site_id)
        if site is None:
            raise RecordInvalid([FieldProblem("site_id", f"There is no site number {site_id}.")])
        self._store = store
        self.site: Site = site

    @property
    def site_id(self) -> int:
        return self.site.id

    @property
    def store_url(self) -> str:
        """Where the store is, password included: for the site's own report, made in this same process."""
        return self._store.engine.url.render_as_string(hide_password=False)

    @property
    def who(self) -> str:
        return f"site team: {self.site.name}"

    def _site_kind(self, kind: str) -> str:
        if kind not in SITE_RECORD_TYPES:
            raise RecordInvalid([FieldProblem("kind", f"A site team cannot change {kind!r} records.")])
        return kind

    def _own(self, kind: str, record_id: int) -> Record:
        record = self._store.get(self._site_kind(kind), record_id)
        if record is None or record.site_id != self.site_id:
            noun = SITE_RECORD_TYPES[kind].noun.lower()
            raise RecordInvalid([FieldProblem("id", f"There is no {noun} number {record_id} at this site.")])
        return record

    def get(self, kind: str, record_id: int) -> Record | None:
        try:
            return self._own(kind, record_id)
        except RecordInvalid:
            return None

    def records(self, kind: str, **equals: object) -> list[Record]:
        if "site_id" in equals and equals.pop("site_id") != self.site_id:
            return []  # another site's records are not there to be found
        return self._store.records(self._site_kind(kind), site_id=self.site_id, **equals)

    def all_records(self) -> dict[str, list[Record]]:
        return self._store.all_records(site_id=self.site_id)

    def add(self, kind: str, data: dict, who: str | None = None) -> Record:
        values = data.model_dump() if isinstance(data, Record) else dict(data)
        if values.get("site_id", self.site_id) != self.site_id:
            raise RecordInvalid([FieldProblem("site_id", "Site: you can only add records to your own site.")])
        values["site_id"] = self.site_id
        return self._store.add(self._site_kind(kind), values, who=who or self.who)

    def update(self, kind: str, record_id: int, changes: dict, who: str | None = None) -> Record:
        self._own(kind, record_id)
        return self._store.update(kind, record_id, changes, who=who or self.who)

    def delete(self, kind: str, record_id: int, who: str | None = None) -> None:
        self._own(kind, record_id)
        self._store.delete(kind, record_id, who=who or self.who)

    def question_sets(self, every_version: bool = False) -> list[QuestionSet]:
        """What this site answers: the programme's question sets and its own, the newest version of each
        (``every_version``: older ones too, oldest first)."""
        from .questions.library import question_sets

        return question_sets(self._store, site_id=self.site_id, every_version=every_version)

    def question_set(self, set_id: int) -> QuestionSet | None:
        """One version of a question set this site may answer (the programme's or its own); None otherwise."""
        found = self._store.get("question_set", set_id)
        return found if found is not None and found.site_id in (None, self.site_id) else None

    def history(self, kind: str | None = None, record_id: int | None = None) -> list[Change]:
        return self._store.history(kind, record_id, site_id=self.site_id)

    def save_activity(
        self, data: dict, attendance: dict[int, bool], activity_id: int | None = None, who: str | None = None
    ) -> Record:
        """An activity and who attended it (partner id -> contributed), saved together or not at all."""
        who = who or self.who
        store = self._store
        if data.get("site_id", self.site_id) != self.site_id:
            raise RecordInvalid([FieldProblem("site_id", "Site: you can only add records to your own site.")])
        with store.writing() as conn:
            values = {**data, "site_id": self.site_id}
            if activity_id is None:
                activity = store.add("activity", values, who, conn=conn)
            else:
                self._own("activity", activity_id)
                activity = store.update("activity", activity_id, values, who, conn=conn)
            existing = {row.partner_id: row for row in store.records("attendance", conn=conn, activity_id=activity.id)}
            for partner_id, row in existing.items():
                if partner_id not in attendance:
                    store.delete("attendance", row.id, who, conn=conn)
                elif row.contributed != attendance[partner_id]:
                    store.update("attendance", row.id, {"contributed": attendance[partner_id]}, who, conn=conn)
            for partner_id, contributed in attendance.items():
                if partner_id not in existing:
                    row = {
                        "site_id": self.site_id,
                        "activity_id": activity.id,
                        "partner_id": partner_id,
                        "contributed": contributed,
                    }
                    store.add("attendance", row, who, conn=conn)
        return activity

"""Which version of the tables a store holds, and whether this coprod can use it.

Alembic keeps the version in the ``alembic_version`` table. Reading it needs no Alembic (the site app
opens the store on every page and should not import the migration machinery to do it); upgrading does,
in :mod:`coprod_widgets.upgrade`. A store from coprod 0.1.0 has the tables but no version: it is at the
baseline revision, not yet stamped.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Column, Connection, MetaData, String, Table, inspect, select

#: Every migration, oldest first, as named in coprod_widgets/migrations/versions. The last is what this coprod
#: writes; tests/test_migrations.py checks this list against Alembic's own.
REVISIONS: tuple[str, ...] = (
    "0001_baseline",
    "0002_history_seals",
    "0003_question_sets",
    "0004_self_assessment_answers",
    "0005_access_lookup",
    "0006_survey_evidence",
    "0007_interview_evidence",
)
BASELINE, HEAD = REVISIONS[0], REVISIONS[-1]

version_table = Table("alembic_version", MetaData(), Column("version_num", String(32), primary_key=True))

#: Tables every coprod store has had since 0.1.0: with these and no version, it is a 0.1.0 store.
BASELINE_TABLES = {"programme", "site", "partner", "history", "setting"}


@dataclass(frozen=True)
class SchemaState:
    """What a database holds: no coprod tables at all, or coprod's tables at some revision."""

    empty: bool
    revision: str | None  # None with empty=False: a 0.1.0 store (the baseline, never stamped)

    @property
    def effective(self) -> str | None:
        return None if self.empty else (self.revision or BASELINE)

    @property
    def current(self) -> bool:
        return self.empty or self.revision == HEAD

    @property
    def known(self) -> bool:
        return self.empty or self.effective in REVISIONS

    @property
    def behind(self) -> bool:
        return self.known and not self.current


def read_state(conn: Connection) -> SchemaState:
    tables = set(inspect(conn).get_table_names())
    if version_table.name in tables:
        revision = conn.execute(select(version_table.c.version_num)).scalar_one_or_none()
        return SchemaState(empty=False, revision=revision)
    if tables & BASELINE_TABLES:
        return SchemaState(empty=False, revision=None)
    return SchemaState(empty=True, revision=None)


def stamp_head(conn: Connection) -> None:
    """Mark a store just made from the current tables as being at the newest revision."""
    version_table.create(conn, checkfirst=True)
    conn.execute(version_table.delete())
    conn.execute(version_table.insert().values(version_num=HEAD))


class StoreVersionProblem(RuntimeError):
    """The store's tables are not the ones this coprod uses. The message is one line that says what to do."""

    def _render_traceback_(self) -> list[str]:
        # IPython (JupyterLab, Voilà) shows this instead of a traceback: the message is the whole story.
        return [f"{type(self).__name__}: {self}"]


class StoreOutOfDate(StoreVersionProblem):
    pass


class StoreTooNew(StoreVersionProblem):
    pass


def refuse_unless_current(state: SchemaState, where: str) -> None:
    if state.current:
        return
    if state.behind:
        raise StoreOutOfDate(
            f"The store ({where}) was made by an older coprod (tables at {state.effective}; this coprod needs "
            f"{HEAD}). Run  coprod upgrade  to bring it up to date; it takes a backup first."
        )
    raise StoreTooNew(
        f"The store ({where}) was made by a newer coprod (tables at {state.effective}, which this coprod does "
        f"not know; it knows up to {HEAD}). Install that newer coprod to use it; this one will not touch it."
    )

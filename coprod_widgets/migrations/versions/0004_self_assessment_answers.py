"""Self-assessments become answers to the shared self-assessment instrument (an XLSForm that comes with coprod).

Each ``self_assessment`` row moves into ``question_response`` with every value kept: the site, the partner
and the date as the response's own, and the role group, wave, ladder step, the eight scores and the comment
as its answers (numbers chosen from a list are stored as the choice's name, "4", as any XLSForm answer is).
The self-assessment question set is stored first if the store has none. Each move is two sealed history
lines: the old record's removal and the new one's insertion, by "coprod upgrade". Then the old table goes.

The form is read from ``data/instruments/self-assessment.md`` as this coprod ships it; every moved set of
answers is checked against it, and any that would not pass stops the upgrade with nothing changed.

Revision ID: 0004_self_assessment_answers
Revises: 0003_question_sets
"""

import datetime as dt

import sqlalchemy as sa
from alembic import op

from coprod_widgets import audit

revision = "0004_self_assessment_answers"
down_revision = "0003_question_sets"
branch_labels = None
depends_on = None

WHO = "coprod upgrade (self-assessments moved to the shared self-assessment)"
SCORES = tuple(f"lp{n}" for n in range(1, 9))
_meta = sa.MetaData()
# The tables as this revision finds and leaves them (not as today's schema.py has them).
SELF_ASSESSMENT = sa.Table(
    "self_assessment",
    _meta,
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("site_id", sa.Integer()),
    sa.Column("partner_id", sa.Integer()),
    sa.Column("respondent_role", sa.String(length=40)),
    sa.Column("wave", sa.Integer()),
    sa.Column("date", sa.Date()),
    sa.Column("ladder_step", sa.Integer()),
    *(sa.Column(name, sa.Integer()) for name in SCORES),
    sa.Column("comment", sa.Text()),
)
QUESTION_SET = sa.Table(
    "question_set",
    _meta,
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("site_id", sa.Integer()),
    sa.Column("name", sa.Text()),
    sa.Column("version", sa.Integer()),
    sa.Column("source", sa.Text()),
    sa.Column("checksum", sa.Text()),
    sa.Column("definition", sa.JSON()),
    sa.Column("added", sa.Date()),
)
QUESTION_RESPONSE = sa.Table(
    "question_response",
    _meta,
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("site_id", sa.Integer()),
    sa.Column("question_set_id", sa.Integer()),
    sa.Column("partner_id", sa.Integer()),
    sa.Column("date", sa.Date()),
    sa.Column("answers", sa.JSON()),
)
HISTORY = sa.Table(
    "history",
    _meta,
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("at", sa.DateTime(timezone=True)),
    sa.Column("who", sa.Text()),
    sa.Column("action", sa.String(length=10)),
    sa.Column("record_type", sa.String(length=40)),
    sa.Column("record_id", sa.Integer()),
    sa.Column("site_id", sa.Integer()),
    sa.Column("old", sa.JSON()),
    sa.Column("new", sa.JSON()),
    sa.Column("prev_seal", sa.String(length=64)),
    sa.Column("seal", sa.String(length=64)),
)


def answers_of(row: dict) -> dict:
    """A self-assessment's values as answers to the instrument: nothing dropped, blanks left out as forms do."""
    answers = {"respondent_role": row["respondent_role"], "wave": row["wave"], "ladder_step": str(row["ladder_step"])}
    answers.update({name: str(row[name]) for name in SCORES if row[name] is not None})
    if row["comment"]:
        answers["comment"] = row["comment"]
    return answers


def _json(row: dict) -> dict:
    return {key: value.isoformat() if isinstance(value, dt.date) else value for key, value in row.items()}


class _History:
    """Appends sealed lines after the newest one, and moves the head along, as the store does."""

    def __init__(self, conn):
        self.conn = conn
        self.at = dt.datetime.now(dt.UTC)

    def log(self, action: str, kind: str, record_id: int, site_id, old, new) -> None:
        line = {
            "at": self.at,
            "who": WHO,
            "action": action,
            "record_type": kind,
            "record_id": record_id,
            "site_id": site_id,
            "old": old,
            "new": new,
        }
        audit.append(self.conn, line, table=HISTORY)


def _instrument_set(conn, history: _History) -> tuple[int, object]:
    """The newest stored version of the self-assessment instrument, stored now if there is none."""
    from coprod_widgets.questions.instruments import SELF_ASSESSMENT, instrument_of, shipped_form
    from coprod_widgets.questions.library import checksum

    rows = [dict(r._mapping) for r in conn.execute(sa.select(QUESTION_SET).order_by(QUESTION_SET.c.version.desc()))]
    for row in rows:
        if instrument_of(row) is SELF_ASSESSMENT:
            from coprod_widgets.questions.form import FormDefinition

            return row["id"], FormDefinition.from_json(row["definition"])
    form = shipped_form(SELF_ASSESSMENT)
    definition = form.to_json()
    values = {
        "site_id": None,
        "name": SELF_ASSESSMENT.name,
        "version": 1,
        "source": SELF_ASSESSMENT.source,
        "checksum": checksum(definition),
        "definition": definition,
        "added": dt.date.today(),
    }
    set_id = conn.execute(QUESTION_SET.insert().values(**values)).inserted_primary_key[0]
    history.log("insert", "question_set", set_id, None, None, _json({"id": set_id, **values}))
    return set_id, form


def upgrade() -> None:
    conn = op.get_bind()
    rows = [dict(r._mapping) for r in conn.execute(sa.select(SELF_ASSESSMENT).order_by(SELF_ASSESSMENT.c.id))]
    if rows:
        from coprod_widgets.questions.answers import check_answers

        history = _History(conn)
        set_id, form = _instrument_set(conn, history)
        for row in rows:
            answers = answers_of(row)
            problems = list(check_answers(form, answers))
            if problems:
                raise RuntimeError(
                    f"Self-assessment number {row['id']} does not fit the shared self-assessment form "
                    f"({problems[0].message}); nothing was changed. Correct it with coprod 0.1, then upgrade again."
                )
            response = {
                "site_id": row["site_id"],
                "question_set_id": set_id,
                "partner_id": row["partner_id"],
                "date": row["date"],
                "answers": answers,
            }
            new_id = conn.execute(QUESTION_RESPONSE.insert().values(**response)).inserted_primary_key[0]
            history.log("delete", "self_assessment", row["id"], row["site_id"], _json(row), None)
            history.log("insert", "question_response", new_id, row["site_id"], None, _json({"id": new_id, **response}))
    op.drop_index("ix_self_assessment_site", table_name="self_assessment")
    op.drop_table("self_assessment")


def downgrade() -> None:
    from coprod_widgets.questions.instruments import SELF_ASSESSMENT, instrument_of

    conn = op.get_bind()
    sets = [dict(r._mapping) for r in conn.execute(sa.select(QUESTION_SET))]
    mine = [row["id"] for row in sets if instrument_of(row) is SELF_ASSESSMENT]
    held = 0
    if mine:
        count = sa.select(sa.func.count()).select_from(QUESTION_RESPONSE)
        held = conn.execute(count.where(QUESTION_RESPONSE.c.question_set_id.in_(mine))).scalar_one()
    if held:
        raise RuntimeError(
            f"The store holds {held} self-assessment(s) answered with the shared form; going back before 0004 "
            "would need them moved back by hand. Nothing was changed. Stay on this version, or restore a backup "
            "made before the upgrade."
        )
    op.create_table(
        "self_assessment",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=True),
        sa.Column("respondent_role", sa.String(length=40), nullable=False),
        sa.Column("wave", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("ladder_step", sa.Integer(), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=True) for name in SCORES),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["partner_id"], ["partner.id"]),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_self_assessment_site", "self_assessment", ["site_id"], unique=False)

"""Question sets: a site's or the programme's own questions, read from an XLSForm, and the answers given.

Two new tables and nothing else changed, so every record a store holds stays exactly where it was.

Revision ID: 0003_question_sets
Revises: 0002_history_seals
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_question_sets"
down_revision = "0002_history_seals"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "question_set",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("checksum", sa.Text(), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("added", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_question_set_site", "question_set", ["site_id"], unique=False)
    op.create_table(
        "question_response",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("question_set_id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=True),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["partner_id"], ["partner.id"]),
        sa.ForeignKeyConstraint(["question_set_id"], ["question_set.id"]),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_question_response_site", "question_response", ["site_id"], unique=False)
    op.create_index("ix_question_response_set", "question_response", ["question_set_id"], unique=False)


def downgrade() -> None:
    held = op.get_bind().execute(sa.text("SELECT count(*) FROM question_set")).scalar_one()
    if held:
        raise RuntimeError(
            f"The store holds {held} question set(s); going back before 0003 would lose them and their "
            "answers. Nothing was changed. Export or back up the store first, or stay on this version."
        )
    op.drop_index("ix_question_response_set", table_name="question_response")
    op.drop_index("ix_question_response_site", table_name="question_response")
    op.drop_table("question_response")
    op.drop_index("ix_question_set_site", table_name="question_set")
    op.drop_table("question_set")

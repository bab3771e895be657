"""History seals: every history line gets the seal of the line before it and its own.

Existing lines are sealed in the order they were written, and the newest line's seal and the number
of lines are kept in the ``setting`` table (see coprod_widgets.audit). Nothing is removed or rewritten:
each line's words stay as they were.

Revision ID: 0002_history_seals
Revises: 0001_baseline
"""

import sqlalchemy as sa
from alembic import op

from coprod_widgets import audit

revision = "0002_history_seals"
down_revision = "0001_baseline"
branch_labels = None
depends_on = None

# The history table as this revision leaves it (not as today's schema.py has it).
HISTORY = sa.Table(
    "history",
    sa.MetaData(),
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


def upgrade() -> None:
    with op.batch_alter_table("history") as batch:
        batch.add_column(sa.Column("prev_seal", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("seal", sa.String(length=64), nullable=True))
    audit.reseal(op.get_bind(), table=HISTORY)
    with op.batch_alter_table("history") as batch:
        batch.alter_column("prev_seal", existing_type=sa.String(length=64), nullable=False)
        batch.alter_column("seal", existing_type=sa.String(length=64), nullable=False)


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM setting WHERE name = :name").bindparams(name=audit.HEAD_SETTING))
    with op.batch_alter_table("history") as batch:
        batch.drop_column("seal")
        batch.drop_column("prev_seal")

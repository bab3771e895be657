"""Survey evidence: the surveys sites ran in other tools, each file imported, and every response kept.

Three new tables and nothing else changed, so every record a store holds stays exactly where it was. A
response id is unique within its survey, so importing a later export that repeats earlier responses adds
only the new ones.

Going down refuses while any survey is held (its responses would be lost).

Revision ID: 0006_survey_evidence
Revises: 0005_access_lookup
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_survey_evidence"
down_revision = "0005_access_lookup"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "survey",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("tool", sa.Text(), nullable=False),
        sa.Column("mapping", sa.JSON(), nullable=False),
        sa.Column("added", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_survey_site", "survey", ["site_id"], unique=False)
    op.create_table(
        "survey_import",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("checksum", sa.Text(), nullable=False),
        sa.Column("imported", sa.Date(), nullable=False),
        sa.Column("rows_read", sa.Integer(), nullable=False),
        sa.Column("responses_added", sa.Integer(), nullable=False),
        sa.Column("responses_repeated", sa.Integer(), nullable=False),
        sa.Column("unreadable_rows", sa.Text(), nullable=False),
        sa.Column("mapping", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"]),
        sa.ForeignKeyConstraint(["survey_id"], ["survey.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_survey_import_site", "survey_import", ["site_id"], unique=False)
    op.create_table(
        "survey_response",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("response_key", sa.Text(), nullable=False),
        sa.Column("submitted", sa.Date(), nullable=True),
        sa.Column("respondent_role", sa.String(length=40), nullable=True),
        sa.Column("complete", sa.Boolean(), nullable=True),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("identifiers", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["import_id"], ["survey_import.id"]),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"]),
        sa.ForeignKeyConstraint(["survey_id"], ["survey.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_survey_response_site", "survey_response", ["site_id"], unique=False)
    op.create_index("ux_survey_response_key", "survey_response", ["survey_id", "response_key"], unique=True)


def downgrade() -> None:
    held = op.get_bind().execute(sa.text("SELECT count(*) FROM survey")).scalar_one()
    if held:
        raise RuntimeError(
            f"The store holds {held} survey(s); going back before 0006 would lose them and their responses. "
            "Nothing was changed. Export or back up the store first, or stay on this version."
        )
    op.drop_index("ux_survey_response_key", table_name="survey_response")
    op.drop_index("ix_survey_response_site", table_name="survey_response")
    op.drop_table("survey_response")
    op.drop_index("ix_survey_import_site", table_name="survey_import")
    op.drop_table("survey_import")
    op.drop_index("ix_survey_site", table_name="survey")
    op.drop_table("survey")

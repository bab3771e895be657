"""Interview evidence: transcripts held as numbered paragraphs, the team's own codes, coded passages and memos.

Four new tables and nothing else changed, so every record a store holds stays exactly where it was. A site
holds a file once (by its checksum); a coder codes a passage once (more codes change that coding).

Going down refuses while any transcript, code or memo is held (the coding would be lost).

Revision ID: 0007_interview_evidence
Revises: 0006_survey_evidence
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_interview_evidence"
down_revision = "0006_survey_evidence"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "transcript",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("checksum", sa.Text(), nullable=False),
        sa.Column("file_format", sa.Text(), nullable=False),
        sa.Column("role_group", sa.String(length=40), nullable=True),
        sa.Column("interviewed", sa.Date(), nullable=False),
        sa.Column("imported", sa.Date(), nullable=False),
        sa.Column("names_replaced", sa.Integer(), nullable=False),
        sa.Column("paragraphs", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_transcript_site", "transcript", ["site_id"], unique=False)
    op.create_table(
        "interview_code",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("example", sa.Text(), nullable=False),
        sa.Column("parent", sa.Text(), nullable=True),
        sa.Column("codable", sa.Boolean(), nullable=False),
        sa.Column("guid", sa.Text(), nullable=False),
        sa.Column("added", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ux_interview_code_key", "interview_code", ["key"], unique=True)
    op.create_table(
        "coding",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("transcript_id", sa.Integer(), nullable=False),
        sa.Column("paragraph", sa.Integer(), nullable=False),
        sa.Column("start_char", sa.Integer(), nullable=True),
        sa.Column("end_char", sa.Integer(), nullable=True),
        sa.Column("codes", sa.JSON(), nullable=False),
        sa.Column("coder", sa.Text(), nullable=False),
        sa.Column("coded", sa.Date(), nullable=False),
        sa.Column("memo", sa.Text(), nullable=False),
        sa.Column("quote", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"]),
        sa.ForeignKeyConstraint(["transcript_id"], ["transcript.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_coding_site", "coding", ["site_id"], unique=False)
    op.create_index("ix_coding_transcript", "coding", ["transcript_id", "paragraph"], unique=False)
    op.create_table(
        "code_memo",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("code_key", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("written_by", sa.Text(), nullable=False),
        sa.Column("written", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    bind = op.get_bind()
    held = {
        table: bind.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()  # noqa: S608 (fixed names)
        for table in ("transcript", "interview_code", "code_memo")
    }
    if any(held.values()):
        listed = ", ".join(f"{count} {table.replace('_', ' ')}(s)" for table, count in held.items() if count)
        raise RuntimeError(
            f"The store holds {listed}; going back before 0007 would lose them and the coding. "
            "Nothing was changed. Export or back up the store first, or stay on this version."
        )
    op.drop_table("code_memo")
    op.drop_index("ix_coding_transcript", table_name="coding")
    op.drop_index("ix_coding_site", table_name="coding")
    op.drop_table("coding")
    op.drop_index("ux_interview_code_key", table_name="interview_code")
    op.drop_table("interview_code")
    op.drop_index("ix_transcript_site", table_name="transcript")
    op.drop_table("transcript")

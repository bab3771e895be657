"""Baseline: the tables of coprod 0.1.0, the first release, exactly as it made them.

Stores made by 0.1.0 have these tables and no version; ``coprod upgrade`` stamps them with this
revision before running the ones after it. Written out in full, not derived from today's schema,
so that it keeps describing 0.1.0 whatever the schema becomes.

Revision ID: 0001_baseline
"""

import sqlalchemy as sa
from alembic import op

revision = "0001_baseline"
down_revision = None
branch_labels = None
depends_on = None

# Tables that others point at go last.
DROP_ORDER = (
    "acceptance",
    "starting_idea",
    "self_assessment",
    "non_negotiable",
    "attendance",
    "problem_framing",
    "partner",
    "outcome",
    "expectation",
    "evidence_plan",
    "decision",
    "activity",
    "site",
    "setting",
    "programme",
    "history",
    "access_attempt",
)


def upgrade() -> None:
    op.create_table(
        "access_attempt",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_access_attempt_at", "access_attempt", ["at"], unique=False)
    op.create_table(
        "history",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("who", sa.Text(), nullable=False),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("record_type", sa.String(length=40), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=True),
        sa.Column("old", sa.JSON(), nullable=True),
        sa.Column("new", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_history_record", "history", ["record_type", "record_id"], unique=False)
    op.create_index("ix_history_site", "history", ["site_id"], unique=False)
    op.create_table(
        "programme",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("fictional", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "setting",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "site",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("service_issue", sa.Text(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("access_code_hash", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(["programme_id"], ["programme.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "activity",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("stage", sa.String(length=40), nullable=False),
        sa.Column("ladder_step", sa.Integer(), nullable=False),
        sa.Column("facilitator_ids", sa.JSON(), nullable=False),
        sa.Column("access_adjustments", sa.Text(), nullable=False),
        sa.Column("partners_got_back", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_activity_site", "activity", ["site_id"], unique=False)
    op.create_table(
        "decision",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("what", sa.Text(), nullable=False),
        sa.Column("options_considered", sa.Text(), nullable=False),
        sa.Column("feedback", sa.Text(), nullable=False),
        sa.Column("feedback_date", sa.Date(), nullable=True),
        sa.Column("why_no_change", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_decision_site", "decision", ["site_id"], unique=False)
    op.create_table(
        "evidence_plan",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("indicator", sa.Text(), nullable=False),
        sa.Column("data_source", sa.Text(), nullable=False),
        sa.Column("collected_by", sa.Text(), nullable=False),
        sa.Column("date_agreed", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_evidence_plan_site", "evidence_plan", ["site_id"], unique=False)
    op.create_table(
        "expectation",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("milestone", sa.Text(), nullable=False),
        sa.Column("expected_date", sa.Date(), nullable=False),
        sa.Column("change_kind", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_expectation_site", "expectation", ["site_id"], unique=False)
    op.create_table(
        "outcome",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("change_type", sa.String(length=40), nullable=False),
        sa.Column("who_changed", sa.Text(), nullable=False),
        sa.Column("intended", sa.Boolean(), nullable=False),
        sa.Column("direction", sa.String(length=40), nullable=False),
        sa.Column("date_observed", sa.Date(), nullable=False),
        sa.Column("evidence_source", sa.Text(), nullable=False),
        sa.Column("substantiated", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_outcome_site", "outcome", ["site_id"], unique=False)
    op.create_table(
        "partner",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("display_name", sa.Text(), nullable=False),
        sa.Column("role_group", sa.String(length=40), nullable=False),
        sa.Column("organisation", sa.Text(), nullable=False),
        sa.Column("connections", sa.Text(), nullable=False),
        sa.Column("joined", sa.Date(), nullable=False),
        sa.Column("left", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_partner_site", "partner", ["site_id"], unique=False)
    op.create_table(
        "problem_framing",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("how_identified", sa.Text(), nullable=False),
        sa.Column("partner_ids", sa.JSON(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_problem_framing_site", "problem_framing", ["site_id"], unique=False)
    op.create_index("ux_problem_framing_version", "problem_framing", ["site_id", "version"], unique=True)
    op.create_table(
        "attendance",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("contributed", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["activity_id"], ["activity.id"]),
        sa.ForeignKeyConstraint(["partner_id"], ["partner.id"]),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_attendance_site", "attendance", ["site_id"], unique=False)
    op.create_table(
        "non_negotiable",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("declared_by_id", sa.Integer(), nullable=False),
        sa.Column("date_declared", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["declared_by_id"], ["partner.id"]),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_non_negotiable_site", "non_negotiable", ["site_id"], unique=False)
    op.create_table(
        "self_assessment",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=True),
        sa.Column("respondent_role", sa.String(length=40), nullable=False),
        sa.Column("wave", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("ladder_step", sa.Integer(), nullable=False),
        sa.Column("lp1", sa.Integer(), nullable=True),
        sa.Column("lp2", sa.Integer(), nullable=True),
        sa.Column("lp3", sa.Integer(), nullable=True),
        sa.Column("lp4", sa.Integer(), nullable=True),
        sa.Column("lp5", sa.Integer(), nullable=True),
        sa.Column("lp6", sa.Integer(), nullable=True),
        sa.Column("lp7", sa.Integer(), nullable=True),
        sa.Column("lp8", sa.Integer(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["partner_id"], ["partner.id"]),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_self_assessment_site", "self_assessment", ["site_id"], unique=False)
    op.create_table(
        "starting_idea",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("idea", sa.Text(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("fate", sa.String(length=40), nullable=False),
        sa.Column("date", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["partner_id"], ["partner.id"]),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_starting_idea_site", "starting_idea", ["site_id"], unique=False)
    op.create_table(
        "acceptance",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("non_negotiable_id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("response", sa.String(length=40), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["non_negotiable_id"], ["non_negotiable.id"]),
        sa.ForeignKeyConstraint(["partner_id"], ["partner.id"]),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_acceptance_site", "acceptance", ["site_id"], unique=False)


def downgrade() -> None:
    for table in DROP_ORDER:
        op.drop_table(table)

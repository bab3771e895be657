"""Access-code lookups: each site gets a column for its code's lookup, so a typed code is checked with one key
derivation however many sites there are (see coprod_widgets.access).

Codes are never stored, so no lookup can be made here: every existing site keeps only its salted hash and is
checked the old, slower way until its code is first used (the site app then stores its lookup), or until
``coprod site reset-code`` gives it a new one. No row changes.

Going down drops the column and its index; the hashes stay, so every code still opens its site.

Revision ID: 0005_access_lookup
Revises: 0004_self_assessment_answers
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_access_lookup"
down_revision = "0004_self_assessment_answers"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("site", sa.Column("access_lookup", sa.String(length=64), nullable=True))
    op.create_index("ux_site_access_lookup", "site", ["access_lookup"], unique=True)


def downgrade() -> None:
    op.drop_index("ux_site_access_lookup", table_name="site")
    # A plain ALTER TABLE ... DROP COLUMN (SQLite 3.35 and later): batch mode would copy the site table, which
    # every other table points at.
    op.drop_column("site", "access_lookup")

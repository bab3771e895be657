"""Alembic's entry point, run by coprod_widgets.upgrade on the connection it hands over.

All migrations run in that one transaction: on SQLite and PostgreSQL alike, a migration that fails
leaves the store exactly as it was.
"""

from alembic import context

from coprod_widgets.schema import metadata

context.configure(
    connection=context.config.attributes["connection"],
    target_metadata=metadata,
    render_as_batch=True,  # SQLite changes a column by copying the table; batch mode does that for it
)
with context.begin_transaction():
    context.run_migrations()

"""Keeping the store safe: ``upgrade``, ``backup``, ``restore``, ``verify``, ``history`` and ``partner erase``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from ..settings import describe_db as describe
from .support import CoprodGroup, open_store, who_is_acting

KB = 1024


def _size(size: int) -> str:
    return f"{size / KB:,.0f} KB" if size < KB * KB else f"{size / KB / KB:,.1f} MB"


def _backup_lines(summary) -> list[str]:
    history_lines = summary.rows.get("history", 0)
    return [
        f"  {summary.records} record(s) and {history_lines} history line(s); tables at {summary.revision}",
        f"  {_size(summary.size)}, checksum {summary.checksum[:16]}…",
        "  It names partners: it is readable by you only. Keep it somewhere as safe as the store.",
    ]


@click.command()
@click.option(
    "--backup-to",
    metavar="FILE",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Where to write the backup taken first (default: beside a SQLite store, else data/backups/).",
)
@click.pass_context
def upgrade(ctx: click.Context, backup_to: Path | None) -> None:
    """Bring the store's tables up to this version of coprod, after taking a backup.

    Every record, history line and access code is kept; the migration is one transaction, so a
    failure leaves the store as it was. A store from a newer coprod is left alone.
    """
    from ..backup import BackupProblem
    from ..schema_version import StoreVersionProblem
    from ..upgrade import MOVED_TABLES, UpgradeLostRows, upgrade_store

    url = ctx.obj["db"]
    try:
        result = upgrade_store(url, backup_to)
    except (BackupProblem, StoreVersionProblem, UpgradeLostRows) as exc:
        raise click.ClickException(str(exc)) from None
    if result.before.empty:
        click.echo(f"The database was empty: made a new store at {result.after} ({describe(url)}).")
        return
    if not result.changed:
        if result.instruments:
            click.echo(f"The store's tables are up to date ({result.after}, {describe(url)}).")
            click.echo(f"Shared instruments stored: {', '.join(result.instruments)}.")
        else:
            click.echo(f"The store is up to date (tables at {result.after}): nothing to do ({describe(url)}).")
        return
    click.echo(f"Backed up first to {result.backup.path}")
    click.echo(f"Upgraded {describe(url)} from {result.before.effective} to {result.after}.")
    for name in sorted(result.rows_after):
        before, after = result.rows_before.get(name, 0), result.rows_after[name]
        change = "" if before == after else f" (was {before})"
        click.echo(f"  {name.ljust(18)} {after} row(s){change}")
    for name, target in MOVED_TABLES.items():
        if name in result.rows_before and name not in result.rows_after:
            click.echo(f"  ({result.rows_before[name]} {name} row(s) moved into {target})")
    if result.instruments:
        click.echo(f"Shared instruments stored: {', '.join(result.instruments)}.")


@click.command("backup")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False), required=False)
@click.option(
    "--into",
    metavar="DIR",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Instead of FILE: a dated file in DIR (coprod-YYYY-MM-DD-HHMMSS.coprod-backup), as a nightly job.",
)
@click.option(
    "--keep",
    type=int,
    metavar="N",
    default=None,
    show_default="14 with --into",
    help="With --into: keep the N newest dated backups in DIR and delete older ones.",
)
@click.pass_context
def backup_command(ctx: click.Context, file: Path | None, into: Path | None, keep: int | None) -> None:
    """Write a backup of the whole store to FILE (or into a folder), safely while the app is in use.

    The file holds every table, the schema version and checksums; restore it with  coprod restore FILE,
    into this database or any other (such as PostgreSQL on a server). FILE is replaced if it exists.
    With --into DIR --keep N, older dated backups in DIR beyond the newest N are deleted: backups hold
    partners' names, and letting them go is how an erasure reaches them.
    """
    from ..backup import BackupProblem, backup, backup_into
    from ..store import engine_for

    if (file is None) == (into is None):
        raise click.ClickException("Give either FILE or --into DIR (not both): where to write the backup.")
    if keep is not None and into is None:
        raise click.ClickException("--keep is for --into DIR: it deletes older dated backups in that folder.")
    url = ctx.obj["db"]
    engine = engine_for(url)
    let_go: list[Path] = []
    try:
        if into is None:
            summary = backup(engine, file)
        else:
            summary, let_go = backup_into(engine, into, 14 if keep is None else keep)
    except BackupProblem as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        engine.dispose()
    click.echo(f"Backed up {describe(url)} to {summary.path}:")
    for line in _backup_lines(summary):
        click.echo(line)
    if let_go:
        click.echo(f"  Deleted {len(let_go)} older backup(s) in {into}: {', '.join(path.name for path in let_go)}")


@click.command()
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--db", "target", metavar="URL", default=None, help="Restore into this database (default: the store).")
@click.option("--force", is_flag=True, help="Replace the records already in the target store.")
@click.pass_context
def restore(ctx: click.Context, file: Path, target: str | None, force: bool) -> None:
    """Restore the backup FILE into the store, or into the database given by --db.

    The file is checked first (format, version, checksums). A store that already holds records is
    left alone unless you add --force. Moving from a laptop to a server is  coprod backup FILE  then
    coprod restore FILE --db postgresql+psycopg://user@host/name.
    """
    from ..backup import BackupProblem
    from ..restore import restore as restore_backup
    from ..schema_version import StoreVersionProblem

    url = (target or ctx.obj["db"]).strip()
    try:
        summary = restore_backup(file, url, force=force)
    except (BackupProblem, StoreVersionProblem) as exc:
        raise click.ClickException(str(exc)) from None
    records = sum(count for name, count in summary.rows.items() if name not in ("history", "access_attempt", "setting"))
    replaced = " (its previous records were replaced)" if summary.replaced_data else ""
    click.echo(f"Restored {file} into {describe(url)}{replaced}:")
    click.echo(
        f"  {records} record(s) and {summary.rows.get('history', 0)} history line(s), from tables at "
        f"{summary.revision}; every seal in the history checks out."
    )


@click.command()
@click.pass_context
def verify(ctx: click.Context) -> None:
    """Check the history's seals, and (SQLite) the database file, for changes made behind coprod's back.

    Names the first history line that was changed, inserted or removed. Exits with 1 if anything is wrong.
    """
    from sqlalchemy import text

    from .. import audit

    store = open_store(ctx)
    with store.engine.connect() as conn:
        verdict = audit.verify(conn)
        integrity = None
        if conn.dialect.name == "sqlite":
            integrity = [row[0] for row in conn.execute(text("PRAGMA integrity_check"))]
    if integrity is not None and integrity != ["ok"]:
        raise click.ClickException(f"The SQLite file is damaged: {'; '.join(integrity[:3])}.")
    if not verdict.ok:
        raise click.ClickException(f"The history was tampered with: {verdict.problem}")
    click.echo(f"History of {describe(ctx.obj['db'])}: {verdict.lines} line(s), every seal matches.")
    click.echo(f"  Head (keep it elsewhere to compare later): {verdict.head.text()}")
    if verdict.erasures:
        listed = ", ".join(str(line) for line in verdict.erasures)
        click.echo(f"  {len(verdict.erasures)} erasure(s) rewrote history, each logged: line(s) {listed}.")
    if integrity is not None:
        click.echo("  SQLite integrity check: ok.")


def _since(value: str | None) -> dt.datetime | None:
    if value is None:
        return None
    from ..records import _day_first

    day = _day_first(value)
    try:
        day = day if isinstance(day, dt.date) else dt.date.fromisoformat(value.strip())
    except ValueError:
        raise click.ClickException(
            f"--since must be a date such as 2026-03-31 or 31/03/2026 (it was {value!r})."
        ) from None
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


def _record(value: str | None) -> tuple[str | None, int | None]:
    if value is None:
        return None, None
    from ..records import RECORD_TYPES

    kind, _, number = value.partition(":")
    kind = kind.strip().lower()
    if kind not in RECORD_TYPES or not number.strip().isdigit():
        kinds = ", ".join(sorted(RECORD_TYPES))
        raise click.ClickException(f"--record must be TYPE:NUMBER, such as partner:12; TYPE is one of {kinds}.")
    return kind, int(number)


@click.command("history")
@click.option("--site", "site_name", metavar="NAME", default=None, help="Only changes to this site's records.")
@click.option("--since", metavar="DATE", default=None, help="Only changes on or after this date (UTC).")
@click.option("--record", metavar="TYPE:ID", default=None, help="Only changes to one record, such as partner:12.")
@click.pass_context
def history_command(ctx: click.Context, site_name: str | None, since: str | None, record: str | None) -> None:
    """Show who changed what, oldest first, one line per change (times in UTC)."""
    from ..changes import describe as describe_change

    store = open_store(ctx)
    kind, record_id = _record(record)
    site_id = None
    if site_name is not None:
        found = store.site_named(site_name)
        if found is None:
            raise click.ClickException(f"There is no site called {site_name!r}: see  coprod site list.")
        site_id = found.id
    changes = store.history(kind, record_id, site_id=site_id, since=_since(since))
    names = {site.id: site.name for site in store.sites()}
    for change in changes:
        click.echo(describe_change(change, names))
    click.echo(f"{len(changes)} change(s).")


@click.group(cls=CoprodGroup)
def partner() -> None:
    """Act on one partner across the whole store (erasure on request)."""


@partner.command("erase")
@click.argument("display_name", metavar='"DISPLAY NAME"')
@click.option("--site", "site_name", metavar="NAME", required=True, help="The site the partner belongs to.")
@click.option("--reason", metavar="TEXT", required=True, help="Why (kept for good in the history; not their name).")
@click.option("--id", "partner_id", type=int, default=None, help="The partner's number, if two share the name.")
@click.option(
    "--also",
    metavar="TEXT",
    multiple=True,
    help="Another way their name was written, such as a first name alone; replaced too. Repeat for more.",
)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_context
def partner_erase(ctx, display_name: str, site_name: str, reason: str, partner_id, also, yes: bool) -> None:
    """Erase a partner on request: their name leaves the store, their attendance stays under a pseudonym.

    Their name (every name they were recorded under, and any --also) is replaced by "erased partner P-…"
    wherever it appears as a word, history included; their organisation and connections are emptied.
    The erasure is logged (who, when, why; not the name). It cannot be undone. Backups taken before it
    still hold the name.
    """
    from ..erasure import erase_partner

    store = open_store(ctx)
    if not yes:
        click.confirm(f"Erase {display_name!r} at {site_name} from the whole store? This cannot be undone", abort=True)
    result = erase_partner(store, site_name, display_name, reason, who_is_acting(), partner_id=partner_id, also=also)
    records = sum(result.records_changed.values())
    click.echo(f"Erased partner number {result.partner_id} at {result.site}: now {result.pseudonym!r}.")
    click.echo(
        f"  Rewrote {records} record(s) and {result.history_lines_rewritten} history line(s); "
        f"recomputed {result.seals_recomputed} seal(s); logged as history line {result.log_line}."
    )
    if result.files_note:
        click.echo(f"  {result.files_note}")
    click.echo("  Backups taken before now still hold the name: delete or replace them too.")

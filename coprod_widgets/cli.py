"""The ``coprod`` command: set up the store, add sites and their access codes, run the app, export.

Every problem is reported as one plain-English line starting with ``Error:`` (exit code 1; click's
own usage errors exit 2). Set ``COPROD_DEBUG=1`` to see the full traceback of an unexpected error.
"""

from __future__ import annotations

import getpass
import os
from pathlib import Path

import click

from . import access, settings
from .problems import RecordInvalid

DEMO_CODES_FILE = "demo-access-codes.txt"
DEFAULT_PROGRAMME_NAME = "Programme"
DEBUG_VARIABLE = "COPROD_DEBUG"


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _safe_url(url: str) -> str:
    """The URL with any password hidden, for messages."""
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return url.split("@")[-1] if "@" in url else url


def _database_problem(exc: BaseException) -> str:
    """The first line of a database error, without SQLAlchemy's links and SQL."""
    reason = getattr(exc, "orig", None) or exc
    first = str(reason).strip().splitlines()[0] if str(reason).strip() else type(reason).__name__
    return _one_line(first)


class CoprodGroup(click.Group):
    """A click group that turns expected failures into one ``Error:`` line instead of a traceback."""

    def main(self, *args, prog_name: str | None = None, **kwargs):
        # Call it "coprod" in usage lines, however it was started (script or ``python -m``).
        return super().main(*args, prog_name=prog_name or "coprod", **kwargs)

    def invoke(self, ctx: click.Context):
        from sqlalchemy.exc import SQLAlchemyError

        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except RecordInvalid as exc:
            raise click.ClickException(_one_line(str(exc))) from None
        except SQLAlchemyError as exc:
            raise click.ClickException(f"The database refused the request: {_database_problem(exc)}") from None
        except OSError as exc:
            where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
            raise click.ClickException(_one_line(f"{exc.strerror or exc}{where}")) from None
        except Exception as exc:
            if os.environ.get(DEBUG_VARIABLE):
                raise
            raise click.ClickException(
                _one_line(f"Something unexpected went wrong ({type(exc).__name__}: {exc}). "
                          f"Run again with {DEBUG_VARIABLE}=1 to see the details.")
            ) from None


def _who() -> str:
    try:
        user = getpass.getuser()
    except Exception:
        user = ""
    return f"coprod command line ({user})" if user else "coprod command line"


def _open_store(ctx: click.Context):
    """The store named by --db (tables created if missing); closed when the command ends."""
    from .store import Store

    url = ctx.obj["db"]
    try:
        store = Store.open(url)
    except Exception as exc:
        if os.environ.get(DEBUG_VARIABLE):
            raise
        raise click.ClickException(
            f"Could not open the database {_safe_url(url)}: {_database_problem(exc)}. "
            f"Check --db or {settings.DB_URL_VARIABLE}."
        ) from None
    ctx.call_on_close(store.close)
    return store


def _sqlite_path(url: str) -> Path | None:
    from sqlalchemy.engine import make_url

    try:
        parsed = make_url(url)
    except Exception:
        return None
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database).expanduser().resolve()


def _is_default_store(url: str) -> bool:
    """True for the SQLite file in the project's ``data/`` folder (the store ``make app`` uses)."""
    path = _sqlite_path(url)
    return path is not None and path == (settings.data_dir() / "coprod.db").resolve()


def _describe(url: str) -> str:
    path = _sqlite_path(url)
    return f"SQLite file {path}" if path else _safe_url(url)


# ---- the command group ------------------------------------------------------------------------


@click.group(cls=CoprodGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    "db_url",
    metavar="URL",
    default=lambda: settings.database_url(),
    show_default=f"{settings.DB_URL_VARIABLE}, or data/coprod.db",
    help="The database to use, as an SQLAlchemy URL such as sqlite:///path/to/file.db or postgresql://host/name.",
)
@click.version_option(package_name="coprod", message="coprod %(version)s")
@click.pass_context
def main(ctx: click.Context, db_url: str) -> None:
    """Record and evaluate co-production in health and social care.

    Set up the store, add sites and give each site team its access code, run the site app on
    this computer, and export every record to CSV files.

    \b
    A first run usually looks like this:
      coprod init
      coprod site add "North Hertfordshire" --issue "Diabetes foot care" --start 2015-06-01
      coprod serve
    """
    ctx.ensure_object(dict)
    ctx.obj["db"] = db_url.strip()


@main.command()
@click.pass_context
def init(ctx: click.Context) -> None:
    """Create the store (the database and its tables) if it does not exist yet.

    Safe to run again: nothing already recorded is changed.
    """
    url = ctx.obj["db"]
    path = _sqlite_path(url)
    existed = path.exists() if path else None
    store = _open_store(ctx)
    if existed:
        click.echo(f"The store is ready (it already existed): {_describe(url)}")
    else:
        click.echo(f"The store is ready: {_describe(url)}")
    sites = store.sites()
    if not sites:
        click.echo('Next: add a site with  coprod site add NAME --issue "..." --start YYYY-MM-DD')
        click.echo("(or try the fictional demo with  coprod demo).")
    else:
        click.echo(f"It holds {len(sites)} site(s). See them with  coprod site list.")


@main.command()
@click.option(
    "--force",
    is_flag=True,
    help="Delete everything already in the store, history included, before building the demo.",
)
@click.option(
    "--if-empty",
    is_flag=True,
    help="Build the demo only if the store is empty; otherwise say so and do nothing (used by make app).",
)
@click.pass_context
def demo(ctx: click.Context, force: bool, if_empty: bool) -> None:
    """Fill an empty store with a fictional demonstration programme and its sites.

    Prints an access code for each demo site. All the people, sites and events in the
    demo are made up. A store that already holds data is left alone unless you add --force.
    With the default store (data/coprod.db) the codes are also written to
    data/demo-access-codes.txt, which git ignores.
    """
    from .demo import DEMO_PROGRAMME_NAME, build_demo

    url = ctx.obj["db"]
    store = _open_store(ctx)
    if not store.is_empty():
        if if_empty and not force:
            click.echo(f"The store ({_describe(url)}) already holds data: leaving it as it is.")
            return
        if not force:
            sites = len(store.sites())
            raise click.ClickException(
                f"The store ({_describe(url)}) already holds data ({sites} site(s)). "
                "Use  coprod demo --force  to delete everything in it, history included, and rebuild the demo."
            )
        from .schema import metadata

        click.echo(f"Deleting everything in the store ({_describe(url)}), history included, to rebuild the demo...")
        metadata.drop_all(store.engine)
        metadata.create_all(store.engine)

    codes = build_demo(store, who="coprod demo")
    click.echo(f"Built the demo programme {DEMO_PROGRAMME_NAME!r} in {_describe(url)}.")
    click.echo("Every person, site and event in it is fictional.")
    click.echo("")
    click.echo("Access codes for the demo sites (shown once; make new ones with  coprod site reset-code NAME):")
    width = max((len(name) for name in codes), default=0)
    for name, code in codes.items():
        click.echo(f"  {name.ljust(width)}  {code}")

    if _is_default_store(url):
        codes_file = settings.data_dir() / DEMO_CODES_FILE
        lines = [
            f"# Access codes for the fictional demo programme {DEMO_PROGRAMME_NAME!r}.",
            "# Written by  coprod demo  for the local store only; not kept in git. Delete it when done.",
            *(f"{name}: {code}" for name, code in codes.items()),
        ]
        codes_file.parent.mkdir(parents=True, exist_ok=True)
        codes_file.unlink(missing_ok=True)
        with os.fdopen(os.open(codes_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w", encoding="utf-8") as out:
            out.write("\n".join(lines) + "\n")
        click.echo("")
        click.echo(f"The codes are also in {codes_file}, so that whoever runs the app can find them.")


# ---- sites -------------------------------------------------------------------------------------


@main.group(cls=CoprodGroup)
def site() -> None:
    """Add sites, list them, and give a site team a new access code."""


def _programme_for(store, wanted: str | None, who: str, conn):
    """The programme a new site belongs to: the only one, the one named, or a new one if none exists."""
    programmes = store.records("programme")
    if not programmes:
        return store.add("programme", {"name": wanted or DEFAULT_PROGRAMME_NAME}, who=who, conn=conn)
    if wanted is None:
        if len(programmes) == 1:
            return programmes[0]
        names = ", ".join(repr(p.name) for p in programmes)
        raise click.ClickException(f"There are several programmes ({names}): say which with --programme NAME.")
    match = next((p for p in programmes if p.name.casefold() == wanted.strip().casefold()), None)
    if match is None:
        names = ", ".join(repr(p.name) for p in programmes)
        raise click.ClickException(f"There is no programme called {wanted!r}. The programmes are: {names}.")
    return match


def _print_new_code(name: str, code: str) -> None:
    click.echo(f"Access code for {name}: {code}")
    click.echo("Give it to the site team now: it will not be shown again.")
    click.echo(f"If it is lost, make a new one with:  coprod site reset-code {_quoted(name)}")


def _quoted(name: str) -> str:
    return f'"{name}"' if any(ch.isspace() for ch in name) else name


@site.command("add")
@click.argument("name")
@click.option("--issue", required=True, metavar="TEXT", help="The service issue the site is working on.")
@click.option("--start", required=True, metavar="YYYY-MM-DD", help="The date the site's work started.")
@click.option(
    "--programme",
    metavar="NAME",
    default=None,
    help="The programme the site belongs to. Needed only when the store holds more than one programme.",
)
@click.pass_context
def site_add(ctx: click.Context, name: str, issue: str, start: str, programme: str | None) -> None:
    """Add a site called NAME and print its access code (shown only once).

    If the store has no programme yet, one is created (named after --programme, or "Programme").

    \b
    Example:
      coprod site add "North Hertfordshire" --issue "Diabetes foot care" --start 2015-06-01
    """
    store = _open_store(ctx)
    who = _who()
    code = access.new_code()
    code_hash = access.hash_code(code)
    with store.engine.begin() as conn:
        chosen = _programme_for(store, programme, who, conn)
        new_site = store.add(
            "site",
            {"programme_id": chosen.id, "name": name, "service_issue": issue, "start_date": start},
            who=who,
            conn=conn,
        )
    store.set_access_hash(new_site.id, code_hash, who=who)
    click.echo(f"Added site {new_site.name!r} (number {new_site.id}) to programme {chosen.name!r}.")
    _print_new_code(new_site.name, code)


def _shorten(text: str, width: int) -> str:
    text = _one_line(text)
    return text if len(text) <= width else text[: width - 3] + "..."


@site.command("list")
@click.pass_context
def site_list(ctx: click.Context) -> None:
    """List every site: number, name, service issue, start date, and whether it has an access code."""
    store = _open_store(ctx)
    sites = store.sites()
    if not sites:
        click.echo('No sites yet. Add one with  coprod site add NAME --issue "..." --start YYYY-MM-DD')
        return
    with_code = {site_id for site_id, _hash in store.access_hashes()}
    header = ("No.", "Site", "Service issue", "Started", "Access code")
    rows = [
        (
            str(s.id),
            s.name,
            _shorten(s.service_issue, 50),
            s.start_date.isoformat(),
            "set" if s.id in with_code else "none",
        )
        for s in sites
    ]
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]
    for row in (header, tuple("-" * w for w in widths), *rows):
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())


@site.command("reset-code")
@click.argument("name")
@click.pass_context
def site_reset_code(ctx: click.Context, name: str) -> None:
    """Give the site called NAME a new access code; the old code stops working at once.

    Use it when a code is lost or may have been seen by someone who should not have it.
    """
    store = _open_store(ctx)
    found = next((s for s in store.sites() if s.name == name.strip()), None) or store.site_named(name)
    if found is None:
        names = ", ".join(repr(s.name) for s in store.sites())
        known = f"The sites are: {names}." if names else "There are no sites yet."
        raise click.ClickException(f"There is no site called {name!r}. {known}")
    code = access.new_code()
    store.set_access_hash(found.id, access.hash_code(code), who=_who())
    click.echo(f"New access code set for site {found.name!r}; the old one no longer works.")
    _print_new_code(found.name, code)


# ---- serving and exporting ---------------------------------------------------------------------


@main.command()
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    metavar="N",
    default=8866,
    show_default=True,
    help="The port to serve on. If it is busy, the command stops with an error rather than pick another.",
)
@click.pass_context
def serve(ctx: click.Context, port: int) -> None:
    """Run the site app (Voilà serving the workbooks folder) for this computer only.

    Open the address it prints in a browser. Press Ctrl-C to stop; the server also stops
    cleanly, with all its kernels, when it is sent SIGTERM.
    """
    from . import serve as server

    url = ctx.obj["db"]
    _open_store(ctx).close()
    workbooks = settings.workbooks_dir()
    if not workbooks.is_dir():
        raise click.ClickException(
            f"There is no workbooks folder at {workbooks}: set COPROD_HOME to the project folder."
        )
    click.echo(f"Store: {_describe(url)}")
    try:
        code = server.run(workbooks, port, url, echo=click.echo)
    except server.PortInUse as exc:
        raise click.ClickException(str(exc)) from None
    ctx.exit(code)


@main.command()
@click.option(
    "--out",
    "out_dir",
    required=True,
    metavar="DIR",
    type=click.Path(path_type=Path),
    help="The folder to write the CSV files into; created if missing. Files already there are replaced.",
)
@click.pass_context
def export(ctx: click.Context, out_dir: Path) -> None:
    """Write every record to CSV files, one file per record type (such as partner.csv).

    Access codes are never exported. Choices are written as their short codes.
    """
    from .records import RECORD_TYPES

    if out_dir.exists() and not out_dir.is_dir():
        raise click.ClickException(f"{out_dir} is a file, not a folder: choose a folder for the export with --out.")
    store = _open_store(ctx)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise click.ClickException(f"Cannot create the folder {out_dir}: {exc.strerror or exc}.") from None
    if not os.access(out_dir, os.W_OK | os.X_OK):
        raise click.ClickException(f"Cannot write in the folder {out_dir}: choose another folder with --out.")
    counts: dict[str, int] = {}
    for kind in RECORD_TYPES:
        frame = store.frame(kind)
        frame.to_csv(out_dir / f"{kind}.csv", index=False)
        counts[kind] = len(frame)
    click.echo(f"Wrote {len(counts)} CSV files to {out_dir}:")
    width = max(len(kind) for kind in counts)
    for kind, count in counts.items():
        click.echo(f"  {(kind + '.csv').ljust(width + 4)}  {count} row(s)")


if __name__ == "__main__":
    main()

"""The ``coprod`` command: set up the store, add sites and their access codes, run the app, export.

Every problem is reported as one plain-English line starting with ``Error:`` (exit code 1; click's
own usage errors exit 2). Set ``COPROD_DEBUG=1`` to see the full traceback of an unexpected error.
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from .. import settings
from ..serving.options import DEFAULT_PORT
from ..settings import describe_db as describe
from ..settings import is_default_store, sqlite_path
from .data import backup_command, history_command, partner, restore, upgrade, verify
from .deploy import deploy
from .interviews import import_transcript, interviews
from .questions import questions
from .report import report
from .site import site
from .support import CoprodGroup, open_store
from .surveys import import_survey
from .synth import synth

DEMO_CODES_FILE = "demo-access-codes.txt"


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
    this computer, make reports that open offline, and export the records for other tools.

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
    path = sqlite_path(url)
    existed = path.exists() if path else None
    store = open_store(ctx)
    if existed:
        click.echo(f"The store is ready (it already existed): {describe(url)}")
    else:
        click.echo(f"The store is ready: {describe(url)}")
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
    from ..demo import DEMO_PROGRAMME_NAME, build_demo

    url = ctx.obj["db"]
    store = open_store(ctx)
    if not store.is_empty():
        if if_empty and not force:
            click.echo(f"The store ({describe(url)}) already holds data: leaving it as it is.")
            return
        if not force:
            sites = len(store.sites())
            raise click.ClickException(
                f"The store ({describe(url)}) already holds data ({sites} site(s)). "
                "Use  coprod demo --force  to delete everything in it, history included, and rebuild the demo."
            )
        click.echo(f"Deleting everything in the store ({describe(url)}), history included, to rebuild the demo...")
        store.wipe()

    codes = build_demo(store, who="coprod demo")
    click.echo(f"Built the demo programme {DEMO_PROGRAMME_NAME!r} in {describe(url)}.")
    click.echo("Every person, site and event in it is fictional.")
    click.echo("")
    click.echo("Access codes for the demo sites (shown once; make new ones with  coprod site reset-code NAME):")
    width = max((len(name) for name in codes), default=0)
    for name, code in codes.items():
        click.echo(f"  {name.ljust(width)}  {code}")

    if is_default_store(url):
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


# ---- serving and exporting ---------------------------------------------------------------------


@main.command()
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    metavar="N",
    default=DEFAULT_PORT,
    show_default=True,
    help="The port to serve on (with --workers, the first of N ports in a row). If one is busy, the command "
    "stops with an error rather than pick another.",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    metavar="N",
    default=1,
    show_default=True,
    help="How many Voilà workers to run, on consecutive ports, for a reverse proxy with sticky routing in front "
    "(see coprod deploy). A worker that stops is started again.",
)
@click.option(
    "--max-kernels",
    type=click.IntRange(1, 10000),
    metavar="N",
    default=None,
    show_default="half this computer's memory at 150 MB a kernel, shared among the workers",
    help="Most pages each worker keeps open at once. A visitor beyond it gets a short 'busy, try again' page "
    "(HTTP 503) instead of a new kernel.",
)
@click.option(
    "--idle-minutes",
    type=click.FloatRange(0.1, 24 * 60),
    metavar="N",
    default=30,
    show_default=True,
    help="End a site app page nobody has used for N minutes; the page then says so and offers to reload.",
)
@click.option(
    "--evaluator",
    is_flag=True,
    help="Serve the cross-site evaluator workbooks instead of the site app. They show every site's records, "
    "so they need a token: one is made up and printed unless you give --token.",
)
@click.option("--token", metavar="TEXT", default=None, help="The token visitors need (evaluator workbooks only).")
@click.pass_context
def serve(
    ctx: click.Context,
    port: int,
    workers: int,
    max_kernels: int | None,
    idle_minutes: float,
    evaluator: bool,
    token: str | None,
) -> None:
    """Run the site app with Voilà on this computer (127.0.0.1), with a limit on open pages.

    The site app is served at / and nothing else is: no folder listing, no other notebook. For site
    teams in other organisations, put it behind nginx with HTTPS (coprod deploy writes the files) and
    use --workers. With --evaluator, serve the evaluator workbooks instead, behind a token. Press
    Ctrl-C to stop; the server also stops cleanly, with all its kernels, when it is sent SIGTERM.
    """
    import secrets

    from ..serving import options as worker_options
    from ..serving import supervisor

    if token and not evaluator:
        raise click.ClickException("--token is for the evaluator workbooks: add --evaluator, or leave it out.")
    url = ctx.obj["db"]
    open_store(ctx).close()
    if evaluator:
        target = settings.evaluator_workbooks_dir()
        if not target.is_dir():
            raise click.ClickException(
                f"There is no workbooks folder at {target}: reinstall coprod, or set COPROD_HOME to a folder "
                "with workbooks/evaluator/ in it."
            )
        token = token or secrets.token_urlsafe(24)
    else:
        target = settings.site_app_notebook()
        if not target.is_file():
            raise click.ClickException(
                f"There is no site app at {target}: reinstall coprod, or set COPROD_HOME to a folder "
                "with workbooks/site/site_app.ipynb in it."
            )
    budget = max_kernels or worker_options.default_max_kernels(workers)
    options = worker_options.WorkerOptions(
        target=target, port=port, max_kernels=budget, token=token, idle_page_timeout=idle_minutes * 60
    )
    ports = [port + offset for offset in range(workers)]
    query = f"?token={token}" if token else ""
    what = "the evaluator workbooks" if evaluator else "the site app"
    lines = [f"Serving {what} from {target} (only this computer can open it):"]
    lines += [f"  worker {number}: {supervisor.base_url(each)}{query}" for number, each in enumerate(ports, 1)]
    lines += [f"Each worker keeps at most {budget} page(s) open; pages idle for {idle_minutes:g} minutes are ended."]
    lines += ["Press Ctrl-C to stop."]
    click.echo(f"Store: {describe(url)}")
    env = dict(os.environ)
    env[settings.DB_URL_VARIABLE] = url
    try:
        code = supervisor.run(options, workers, env, echo=click.echo, lines=lines)
    except supervisor.PortInUse as exc:
        raise click.ClickException(str(exc)) from None
    ctx.exit(code)


@main.command()
@click.option(
    "--out",
    required=True,
    metavar="PATH",
    type=click.Path(path_type=Path),
    help="Where to write. csv: the folder for the files. xlsx: the workbook, if PATH ends in .xlsx; otherwise "
    "the folder for coprod-export.xlsx. Missing folders are made; files already there are replaced.",
)
@click.option(
    "--format",
    "file_format",
    metavar="csv|xlsx",
    default="csv",
    show_default=True,
    help="csv: one CSV file per table. xlsx: one workbook with one sheet per table.",
)
@click.option(
    "--labels",
    is_flag=True,
    help="Write choices as their labels (such as 'Person with lived experience') and yes/no as Yes and No, "
    "with the field titles as column headings, instead of codes and field names.",
)
@click.option(
    "--deidentify",
    is_flag=True,
    help="Replace partners' names and record numbers by pseudonyms, leave out free text and hide small counts. "
    "Dates and small sites may still identify people: the README.txt (or about sheet) says what is left.",
)
@click.option(
    "--keep-text",
    is_flag=True,
    help="With --deidentify: keep the free-text columns (they may name people; read them before sharing).",
)
@click.option("--site", metavar="NAME", default=None, help="Export one site only: its records and its programme.")
@click.option(
    "--min-count",
    metavar="N",
    default=None,
    show_default="5",
    help="With --deidentify: counts below N in the counts_ tables are written as <N, or hidden in counts_survey "
    "(N is 1 or more).",
)
@click.pass_context
def export(
    ctx: click.Context,
    out: Path,
    file_format: str,
    labels: bool,
    deidentify: bool,
    keep_text: bool,
    site: str | None,
    min_count: str | None,
) -> None:
    """Write every record for re-use in other tools: CSV files or an xlsx workbook.

    One file (or sheet) per record type, tables of counts per site, a data dictionary describing
    every column (data_dictionary.csv) and a README.txt saying where the export came from and how it
    was made. Choices are written as codes unless you add --labels. Access codes are never exported.
    Nothing is left half written if the export fails.
    """
    from ..exports import ExportError, export_store

    count = 5
    if min_count is not None:
        if not deidentify:
            raise click.ClickException(
                "--min-count only applies to a de-identified export: add --deidentify, or leave --min-count out."
            )
        try:
            count = int(min_count.strip())
        except ValueError:
            raise click.ClickException(
                f"--min-count must be a whole number, 1 or more (it was {min_count!r})."
            ) from None
    store = open_store(ctx)
    file_format = file_format.strip().lower()
    try:
        result = export_store(
            store,
            out,
            format=file_format,
            labels=labels,
            deidentify=deidentify,
            keep_text=keep_text,
            site=site,
            min_count=count,
        )
    except ExportError as exc:
        raise click.ClickException(exc.for_command_line()) from None
    how = ", ".join(
        ["labels" if labels else "codes"]
        + (["de-identified"] if deidentify else [])
        + ([f"site {store.site_named(site).name}"] if site else [])
    )
    click.echo(f"Exported {describe(ctx.obj['db'])} to {result.path} ({file_format}, {how}):")
    width = max(len(name) for name in result.rows) + 5
    unit = ".csv" if file_format == "csv" else ""
    for name, rows in result.rows.items():
        click.echo(f"  {(name + unit).ljust(width)}  {rows} row(s)")
    if file_format == "csv":
        click.echo(f"  {'data_dictionary.csv'.ljust(width)}  what every column holds")
        click.echo(f"  {'README.txt'.ljust(width)}  where this export came from and how it was made")
    else:
        click.echo("  The 'data dictionary' sheet says what every column holds; the 'about' sheet how it was made.")


main.add_command(site)
main.add_command(report)
main.add_command(deploy)
main.add_command(partner)
main.add_command(questions)
main.add_command(synth)
main.add_command(import_survey)
main.add_command(import_transcript)
main.add_command(interviews)
for command in (upgrade, backup_command, restore, verify, history_command):
    main.add_command(command)

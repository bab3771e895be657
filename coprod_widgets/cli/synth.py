"""``coprod synth``: a synthetic, fictional programme of many sites, for benchmarks and the workbooks at scale."""

from __future__ import annotations

import time
from pathlib import Path

import click
from sqlalchemy import func, select

from ..settings import describe_db as describe
from ..settings import sqlite_path
from .support import open_store

CODES_FILE = "synth-access-codes.txt"
MAX_SITES = 5000


def codes_file_for(url: str, kind: str = "access-codes") -> Path:
    """Where codes go by default: beside a SQLite store, named after it; else the current folder."""
    path = sqlite_path(url)
    if path is None:
        return Path(CODES_FILE if kind == "access-codes" else f"{kind}.txt")
    return path.with_name(f"{path.name}-{kind}.txt")


def write_private(path: Path, lines: list[str]) -> None:
    """Write ``lines`` to a file only its owner can read (0600), replacing any file there."""
    from ..exports.writers import write_private_file

    write_private_file(path, ("\n".join(lines) + "\n").encode("utf-8"))


def _record_count(store) -> int:
    from ..schema import TABLES

    with store.engine.connect() as conn:
        return sum(conn.execute(select(func.count()).select_from(table)).scalar_one() for table in TABLES.values())


@click.command()
@click.option(
    "--sites",
    type=click.IntRange(1, MAX_SITES),
    metavar="N",
    required=True,
    help=f"How many sites to make (1 to {MAX_SITES}).",
)
@click.option(
    "--seed",
    type=int,
    metavar="S",
    default=1,
    show_default=True,
    help="The seed: the same --sites and --seed always give the same records (the access codes are new each time).",
)
@click.option("--force", is_flag=True, help="Delete everything already in the store, history included, first.")
@click.option(
    "--codes",
    "codes_path",
    metavar="PATH",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    show_default="beside a SQLite store, named after it (store.db-access-codes.txt); else ./synth-access-codes.txt",
    help="The file to write the sites' access codes to, readable by you only.",
)
@click.pass_context
def synth(ctx: click.Context, sites: int, seed: int, force: bool, codes_path: Path | None) -> None:
    """Fill an empty store with a synthetic programme of N fictional sites, for benchmarks and for trying
    the workbooks at scale.

    Each site is one of the demo's six, varied at random from the seed: partners (known only by number and
    role) join, leave and drift away, non-negotiables come late or are not accepted, evidence plans are early,
    late or missing, and so on, so the learning points' statuses spread over on track, watch, concern and
    not enough records as in the demo. The access codes go to a file only you can read. A store that
    already holds data is left alone unless you add --force.
    """
    from ..demo.synth import build_synthetic, programme_name

    url = ctx.obj["db"]
    store = open_store(ctx)
    if not store.is_empty():
        if not force:
            raise click.ClickException(
                f"The store ({describe(url)}) already holds data ({len(store.sites())} site(s)). "
                "Use  coprod synth --force  to delete everything in it, history included, and build the programme."
            )
        click.echo(f"Deleting everything in the store ({describe(url)}), history included, first...")
        store.wipe()
    started = time.perf_counter()
    codes = build_synthetic(store, sites=sites, seed=seed)
    seconds = time.perf_counter() - started
    name = programme_name(sites, seed)
    click.echo(f"Built {name!r} in {describe(url)}:")
    click.echo(f"{len(codes)} sites and {_record_count(store):,} records in {seconds:.1f} s.")
    click.echo("Every site, person and event in it is fictional.")
    target = codes_path or codes_file_for(url)
    write_private(
        target,
        [
            f"# Access codes for {name!r}.",
            "# Written by  coprod synth ; only their hashes are in the store. Delete this file when done.",
            *(f"{site}: {code}" for site, code in codes.items()),
        ],
    )
    click.echo(f"The sites' access codes are in {target} (readable by you only).")
    store.close()

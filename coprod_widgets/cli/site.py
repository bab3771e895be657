"""``coprod site``: add sites, list them, and issue access codes (shown once, stored as hashes)."""

from __future__ import annotations

from pathlib import Path

import click

from .. import access
from .support import CoprodGroup, echo_table, one_line, open_store, site_called, who_is_acting

DEFAULT_PROGRAMME_NAME = "Programme"


@click.group(cls=CoprodGroup)
def site() -> None:
    """Add sites, list them, and give a site team a new access code."""


def _programme_for(store, wanted: str | None, who: str, conn):
    """The programme a new site belongs to: the only one, the one named, or a new one if none exists."""
    programmes = store.records("programme")
    if not programmes:
        from ..questions.instruments import install

        programme = store.add("programme", {"name": wanted or DEFAULT_PROGRAMME_NAME}, who=who, conn=conn)
        install(store, who=who, conn=conn)  # the shared self-assessment and 4Pi reflection come with it
        return programme
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
    store = open_store(ctx)
    who = who_is_acting()
    code = access.new_code()
    with store.writing() as conn:
        chosen = _programme_for(store, programme, who, conn)
        new_site = store.add(
            "site",
            {"programme_id": chosen.id, "name": name, "service_issue": issue, "start_date": start},
            who=who,
            conn=conn,
        )
        store.set_access_code(new_site.id, code, who=who, conn=conn)
    click.echo(f"Added site {new_site.name!r} (number {new_site.id}) to programme {chosen.name!r}.")
    _print_new_code(new_site.name, code)


def _shorten(text: str, width: int) -> str:
    text = one_line(text)
    return text if len(text) <= width else text[: width - 3] + "..."


@site.command("list")
@click.pass_context
def site_list(ctx: click.Context) -> None:
    """List every site: number, name, service issue, start date, and whether it has an access code.

    A code given by a coprod from before access-code lookups is checked the old, slower way until it is next
    used; the list says which. coprod site reset-code NAME makes that site's check fast at once (a new code),
    and coprod site reset-code --old-check does so for every such site.
    """
    store = open_store(ctx)
    sites = store.sites()
    if not sites:
        click.echo('No sites yet. Add one with  coprod site add NAME --issue "..." --start YYYY-MM-DD')
        return
    with_code = {site_id for site_id, _hash in store.access_hashes()}
    old_check = set(store.sites_without_access_lookup())
    header = ("No.", "Site", "Service issue", "Started", "Access code")
    rows = [
        (
            str(s.id),
            s.name,
            _shorten(s.service_issue, 50),
            s.start_date.isoformat(),
            ("set (old check)" if s.id in old_check else "set") if s.id in with_code else "none",
        )
        for s in sites
    ]
    echo_table(header, rows)
    if old_check:
        count = f"{len(old_check)} site{'s' if len(old_check) != 1 else ''}"
        click.echo(
            f"{count} still use{'s' if len(old_check) == 1 else ''} the old, slower code check: each switches the "
            "first time its code is used, or at once with  coprod site reset-code NAME  (a new code), or all of "
            "them with  coprod site reset-code --old-check ."
        )


@site.command("reset-code")
@click.argument("name", required=False)
@click.option(
    "--old-check",
    is_flag=True,
    help="Give a new code to every site still checked the old, slower way (codes from coprod 0.1), in one step.",
)
@click.option(
    "--codes",
    "codes_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="With --old-check: the file the new codes are written to, readable by you only "
    "(default: beside a SQLite store, store.db-new-access-codes.txt; else ./new-access-codes.txt).",
)
@click.pass_context
def site_reset_code(ctx: click.Context, name: str | None, old_check: bool, codes_path: Path | None) -> None:
    """Give the site called NAME a new access code; the old code stops working at once.

    Use it when a code is lost or may have been seen by someone who should not have it. With --old-check
    instead of NAME: every site whose code is still checked the old, slower way gets a new one, in one
    transaction, and the codes go to a file only you can read (a wrong code then costs one key derivation
    however many sites there are).
    """
    if (name is None) != old_check:
        raise click.ClickException(
            "Name one site, or give --old-check for every site still on the old check (not both)."
        )
    if codes_path is not None and not old_check:
        raise click.ClickException("--codes goes with --old-check; a single site's new code is shown on screen.")
    store = open_store(ctx)
    if old_check:
        _reset_old_checks(store, codes_path)
        return
    found = site_called(store, name)
    code = access.new_code()
    store.set_access_code(found.id, code, who=who_is_acting())
    click.echo(f"New access code set for site {found.name!r}; the old one no longer works.")
    _print_new_code(found.name, code)


def _reset_old_checks(store, codes_path: Path | None) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from .synth import codes_file_for, write_private

    old = store.sites_without_access_lookup()
    if not old:
        click.echo("Every site's code is already checked the fast way: nothing to do.")
        return
    names = {s.id: s.name for s in store.sites()}
    codes = {site_id: access.new_code() for site_id in old}
    salt = store.access_salt()
    with ThreadPoolExecutor() as pool:  # the key derivations, before the write rather than while it holds a lock
        issued = dict(zip(codes, pool.map(lambda code: access.issue(code, salt), codes.values()), strict=True))
    who = who_is_acting()
    with store.writing() as conn:
        for site_id, (code_hash, lookup) in issued.items():
            store.set_access_hash(site_id, code_hash, who, conn=conn, lookup=lookup)
    target = codes_path or codes_file_for(store.url, "new-access-codes")
    write_private(
        target,
        [
            "# New access codes: each site's old code no longer works. Give each site team its own, then delete this.",
            *(f"{names[site_id]}: {code}" for site_id, code in codes.items()),
        ],
    )
    count = f"{len(codes)} site{'s' if len(codes) != 1 else ''}"
    click.echo(f"New access codes set for {count} that still used the old check; their old codes no longer work.")
    click.echo(f"The new codes are in {target} (readable by you only).")

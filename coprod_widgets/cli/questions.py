"""``coprod questions``: add a site's or the programme's own questions from an XLSForm, and list them."""

from __future__ import annotations

from pathlib import Path

import click

from .support import CoprodGroup, echo_table, open_store, site_called, who_is_acting


@click.group(cls=CoprodGroup)
def questions() -> None:
    """Questions a site (or every site) asks beyond the records, written as an XLSForm."""


def _site_id(store, name: str | None) -> int | None:
    if name is None:
        return None
    return site_called(store, name).id


@questions.command("add")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--name", required=True, metavar="TEXT", help="What to call the question set (its versions share it).")
@click.option("--site", "site_name", metavar="NAME", default=None, help="The site that asks it (default: every site).")
@click.pass_context
def questions_add(ctx: click.Context, file: Path, name: str, site_name: str | None) -> None:
    """Read the XLSForm FILE (.xlsx, .xls, .csv or .md) and add it as a question set.

    Adding a changed form again under the same name makes a new version; answers already given keep
    the version they were given under. A form that uses something coprod cannot show (a location, a
    photo, an unknown function) is refused whole, with the row of each problem.

    \b
    Examples:
      coprod questions add peer-support.xlsx --site Saltmere --name "Peer support"
      coprod questions add core.xlsx --name "Common core"
    """
    from ..questions.instruments import reserved_problems
    from ..questions.library import add_form
    from ..questions.xlsform import FormRefused, read_xlsform

    if not file.is_file():
        raise click.ClickException(f"There is no file {str(file)!r}. Check the path.")
    try:
        form = read_xlsform(file)
    except FormRefused as exc:
        raise click.ClickException(f"{file.name} was not added. {exc}") from None
    store = open_store(ctx)
    site = site_called(store, site_name) if site_name is not None else None
    site_id = site.id if site else None
    reserved = reserved_problems(form, name, site_id)
    if reserved:
        raise click.ClickException(f"{file.name} was not added. " + " ".join(reserved))
    added = add_form(store, form, name=name, source=file.name, site_id=site_id, who=who_is_acting())
    where = f"for {site.name}" if site else "for every site"
    record = added.question_set
    count = sum(1 for _ in form.answerable())
    if not added.new:
        click.echo(f"{record.name!r} version {record.version} {where} already has these questions: nothing added.")
    elif added.previous is None:
        click.echo(f"Added {record.name!r} {where}: version 1, {_questions(count)}.")
    else:
        click.echo(
            f"Added {record.name!r} {where}: version {record.version}, {_questions(count)} "
            f"(answers given to version {added.previous.version} keep it)."
        )
    for note in form.ignored:
        click.echo(f"Note: {note}")


def _questions(count: int) -> str:
    return f"{count} question{'' if count == 1 else 's'}"


@questions.command("list")
@click.option("--site", "site_name", metavar="NAME", default=None, help="Only what this site answers.")
@click.option("--all-versions", is_flag=True, help="Show earlier versions too.")
@click.pass_context
def questions_list(ctx: click.Context, site_name: str | None, all_versions: bool) -> None:
    """List question sets: for whom, name, version, questions, answers given, date added."""
    from ..questions.library import form_of, question_sets

    store = open_store(ctx)
    site_id = _site_id(store, site_name)
    found = question_sets(store, site_id=site_id, every_version=all_versions)
    if not found:
        click.echo("No question sets yet. Add one with  coprod questions add FILE --name TEXT [--site NAME]")
        return
    names = {s.id: s.name for s in store.sites()}
    answered = _answer_counts(store)
    header = ("No.", "For", "Name", "Version", "Questions", "Answers", "Added")
    rows = [
        (
            str(q.id),
            names.get(q.site_id, "?") if q.site_id is not None else "every site",
            q.name,
            str(q.version),
            str(sum(1 for _ in form_of(q).answerable())),
            str(answered.get(q.id, 0)),
            q.added.isoformat(),
        )
        for q in found
    ]
    echo_table(header, rows)


def _answer_counts(store) -> dict[int, int]:
    from sqlalchemy import func, select

    from ..schema import TABLES

    table = TABLES["question_response"]
    with store.engine.connect() as conn:
        rows = conn.execute(select(table.c.question_set_id, func.count()).group_by(table.c.question_set_id))
        return {set_id: count for set_id, count in rows}

"""``coprod import-transcript`` and ``coprod interviews``: bring transcripts in, and pass the codebook, the coded
project and the excerpts to other tools; compare two coders; list the transcripts and withdraw one on request.

Nothing printed here is a transcript's text or a name from the names list: file names and messages are shown
with the listed names replaced by their pseudonyms, and names not found are counted, not shown.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from pathlib import Path

import click

from .support import CoprodGroup, echo_table, one_line, open_store, site_called, who_is_acting


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


# ---- import-transcript -------------------------------------------------------------------------------------


def _interview_date(text: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        raise click.ClickException(
            f"--date must be the date of the interview as YYYY-MM-DD (it was {text!r})."
        ) from None
    if day > dt.date.today():
        raise click.ClickException(
            f"--date {day.isoformat()} is in the future: give the date the interview took place."
        )
    return day


def _role(text: str) -> str | None:
    from ..interviews.importing import role_group_of
    from ..problems import RecordInvalid

    try:
        return role_group_of(text)
    except RecordInvalid as invalid:
        message = invalid.problems[0].message.replace("Interviewee's role group", "--role")
        raise click.ClickException(one_line(message)) from None


def _names_from(file: Path | None) -> dict[str, str]:
    """The names list, checked before any transcript is read. A faulty line is pointed at, never shown: it holds
    a name."""
    from ..interviews.pseudonyms import NamesInvalid, pseudonymise, read_names

    if file is None:
        return {}
    if not file.is_file():
        raise click.ClickException(f"There is no names list {str(file)!r}. Check the path given to --names.")
    try:
        names = read_names(file)
        pseudonymise("", names)  # a pseudonym holding a listed name is refused here, before anything is read
    except NamesInvalid as invalid:
        line = re.match(r"Line (\d+)", str(invalid))
        where = f"line {line.group(1)} of {file.name}" if line else file.name
        raise click.ClickException(
            f"The names list cannot be used: {where} is not 'Name = Pseudonym' with one pseudonym per name, or the "
            "file is not plain text (the line is not shown here, as it holds a name). Nothing was imported."
        ) from None
    except ValueError:
        raise click.ClickException(
            f"The names list {file.name} cannot be used: a pseudonym holds one of the listed names, or one name is "
            "listed twice with different pseudonyms (not shown here). Nothing was imported."
        ) from None
    if not names:
        raise click.ClickException(f"The names list {file.name} lists no names: add one 'Name = Pseudonym' a line.")
    return names


def _without_names(text: str, names: dict[str, str]) -> str:
    from ..interviews.pseudonyms import pseudonymise

    return pseudonymise(text, names)[0] if names else text


@click.command("import-transcript")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path), metavar="FILE...")
@click.option("--site", "site_name", required=True, metavar="NAME", help="The site where the interviews took place.")
@click.option(
    "--role",
    required=True,
    metavar="ROLE",
    help="The interviewee's role group: lived_experience, carer, clinician, manager, commissioner, "
    "voluntary_sector or other (or its label, such as 'Carer'); 'mixed' for a workshop with several groups.",
)
@click.option("--date", "interviewed", required=True, metavar="DATE", help="The date of the interview, YYYY-MM-DD.")
@click.option(
    "--names",
    "names_file",
    metavar="NAMES_FILE",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="A list of names to replace, one 'Name = Pseudonym' a line (or just the name, for 'Person 1', "
    "'Person 2'...). The list is used and forgotten: it is never stored.",
)
@click.option(
    "--title", metavar="TEXT", default=None, help="The transcript's title (one FILE only; else from its name)."
)
@click.pass_context
def import_transcript(
    ctx: click.Context, files: tuple[Path, ...], site_name: str, role: str, interviewed: str, names_file, title
) -> None:
    """Import interview transcripts (.txt, .md or .docx) for one site, replacing listed names by pseudonyms.

    Each FILE is imported on its own: one that is refused says why, and the others are still imported. The exit
    status is 1 if any file was refused. Only counts are printed, never the text or a listed name.

    \b
    Example:
      coprod import-transcript carer-1.docx carer-2.docx --site Saltmere --role carer --date 2015-09-12 \\
        --names names.txt
    """
    from ..interviews.importing import TranscriptRefused
    from ..interviews.importing import import_transcript as run_import
    from ..interviews.transcripts import TranscriptUnreadable
    from ..problems import RecordInvalid

    if title is not None and len(files) > 1:
        raise click.ClickException(
            "--title names one transcript: give it with one FILE, or leave it out and each title is made from the "
            "file's name."
        )
    day, group, names = _interview_date(interviewed), _role(role), _names_from(names_file)
    store = open_store(ctx)
    site = site_called(store, site_name)
    refused = 0
    for file in files:
        shown = _without_names(str(file), names)
        if not file.is_file():
            click.echo(f"{shown}: refused, there is no such file. Check the path.")
            refused += 1
            continue
        try:
            result = run_import(
                store, file, site.name, role_group=group, interviewed=day, who=who_is_acting(), names=names, title=title
            )
        except (TranscriptUnreadable, TranscriptRefused, RecordInvalid) as problem:
            click.echo(f"{shown}: refused, {_without_names(one_line(str(problem)), names)} Nothing was stored for it.")
            refused += 1
            continue
        replaced = sum(result.replaced.values())
        how = f"{_plural(replaced, 'name')} replaced" if names else "no names list given, so no names replaced"
        click.echo(
            f"{shown}: imported as {result.record.title!r} for {site.name} - "
            f"{_plural(result.paragraphs, 'paragraph')}, {_plural(result.words, 'word')}, {how}."
        )
        if names and result.names_not_found:
            missing = len(result.names_not_found)
            click.echo(
                f"  {missing} of the {len(names)} listed names {'was' if missing == 1 else 'were'} not found in it "
                "(check their spelling in the names list if they should have been)."
            )
    imported = len(files) - refused
    click.echo(f"{_plural(imported, 'transcript')} imported, {refused} refused.")
    if refused:
        ctx.exit(1)


# ---- coprod interviews ----------------------------------------------------------------------------------------


@click.group(cls=CoprodGroup)
def interviews() -> None:
    """Pass the interview codebook, coding and excerpts to other tools, compare two coders, list the transcripts
    and withdraw one on request.

    The codebook and whole projects travel as REFI-QDA files, which QualCoder, NVivo, ATLAS.ti and MAXQDA read.
    """


def _site_ids(store, site_name: str | None) -> tuple[list[int] | None, str]:
    if site_name is None:
        return None, ""
    site = site_called(store, site_name)
    return [site.id], f" at {site.name}"


@interviews.command("export-codebook")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path), metavar="OUT.qdc")
@click.pass_context
def export_codebook(ctx: click.Context, out: Path) -> None:
    """Write the codebook (the learning points and the team's own codes) as a REFI-QDA codebook, OUT.qdc."""
    from ..interviews.coding import codebook
    from ..interviews.refi import write_qdc

    book = codebook(open_store(ctx))
    path = write_qdc(book, out)
    top = len(book.top_level())
    click.echo(f"Wrote the codebook to {path}: {_plural(len(book), 'code')}, {top} of them at the top level.")


@interviews.command("import-codebook")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path), metavar="IN.qdc")
@click.pass_context
def import_codebook(ctx: click.Context, file: Path) -> None:
    """Add the codes in a REFI-QDA codebook (IN.qdc) that the codebook does not have yet.

    A code already there (the same key or the same GUID) is passed over, so importing a codebook twice adds
    nothing the second time.
    """
    from ..interviews.coding import add_codes, codebook
    from ..interviews.refi import QdcRefused, read_qdc

    store = open_store(ctx)
    try:
        found = read_qdc(file, known=codebook(store))
    except QdcRefused as refused:
        raise click.ClickException(one_line(str(refused))) from None
    added = add_codes(store, found, who_is_acting())
    click.echo(
        f"Read {_plural(len(found), 'code')} from {file.name}: added {len(added)}, passed over "
        f"{len(found) - len(added)} already in the codebook."
    )


@interviews.command("export-project")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path), metavar="OUT.qdpx")
@click.option("--site", "site_name", metavar="NAME", default=None, help="Export one site's transcripts only.")
@click.pass_context
def export_project(ctx: click.Context, out: Path, site_name: str | None) -> None:
    """Write the transcripts and their coding as a REFI-QDA project, OUT.qdpx, for QualCoder, NVivo or ATLAS.ti.

    Each transcript carries its site and role group; coders' names go with their coding. The file holds
    people's words, so only you can read it (0600).
    """
    from ..interviews.qdpx import QdpxRefused, export_qdpx, read_qdpx

    store = open_store(ctx)
    site_ids, where = _site_ids(store, site_name)
    try:
        path = export_qdpx(store, out, site_ids=site_ids)
    except QdpxRefused as refused:
        raise click.ClickException(one_line(str(refused))) from None
    written = read_qdpx(path)
    coded = len({(c.source_guid, c.start, c.end, c.user) for c in written.codings})
    passages = f"{_plural(coded, 'coded passage')}" if coded else "no coded passage yet"
    click.echo(
        f"Wrote the project{where} to {path}: {_plural(len(written.sources), 'transcript')}, {passages}, "
        f"{_plural(len(written.codebook), 'code')} in the codebook. Only you can read the file."
    )


@interviews.command("export-excerpts")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path), metavar="OUT.csv")
@click.option("--site", "site_name", metavar="NAME", default=None, help="Export one site's excerpts only.")
@click.option(
    "--code", "code_key", metavar="KEY", default=None, help="Export one code's excerpts (with its sub-codes)."
)
@click.pass_context
def export_excerpts(ctx: click.Context, out: Path, site_name: str | None, code_key: str | None) -> None:
    """Write the coded excerpts as CSV, OUT.csv: document, site, role, code, coder, date, where, memo and text.

    One row per code on each coded passage. UTF-8 for Excel; only you can read the file (0600).
    """
    from ..interviews.coding import codebook
    from ..interviews.excerpts import excerpts, under
    from ..interviews.excerpts_csv import write_excerpts_csv

    store = open_store(ctx)
    site_ids, where = _site_ids(store, site_name)
    book = codebook(store)
    found = excerpts(store, site_ids=site_ids)
    what = ""
    if code_key is not None:
        key = code_key.strip()
        if key not in book:
            shown = ", ".join(book.keys()[:12]) + (", ..." if len(book) > 12 else "")
            raise click.ClickException(f"There is no code {key!r} in the codebook. The codes are: {shown}.")
        keys = under(book, key)
        found = [excerpt for excerpt in found if excerpt.code in keys]
        what = f" {key} ({book[key].name})"
    if not found:
        raise click.ClickException(
            f"No passage{where} is coded{what} yet, so there are no excerpts to export. Nothing was written."
        )
    path = write_excerpts_csv(found, out, book)
    coded = f" coded{what}" if what else ""
    click.echo(f"Wrote {_plural(len(found), 'excerpt')}{where}{coded} to {path}. Only you can read the file.")


@interviews.command("agreement")
@click.argument("first", metavar="CODER_A")
@click.argument("second", metavar="CODER_B")
@click.option("--site", "site_name", metavar="NAME", default=None, help="Compare on one site's transcripts only.")
@click.pass_context
def agreement(ctx: click.Context, first: str, second: str, site_name: str | None) -> None:
    """How far two coders agree: percent agreement and Cohen's kappa per code and overall, and the number of
    disagreements to talk over.

    They are compared paragraph by paragraph on the transcripts both of them coded.
    """
    from ..interviews.coding import coders
    from ..interviews.compare import compare_coders

    store = open_store(ctx)
    site_ids, where = _site_ids(store, site_name)
    first, second = first.strip(), second.strip()
    if first == second:
        raise click.ClickException("Give two different coders to compare.")
    known = coders(store)
    for coder in (first, second):
        if coder not in known:
            listed = f"The coders are: {', '.join(known)}." if known else "Nobody has coded a passage yet."
            raise click.ClickException(f"{coder!r} has not coded any passage. {listed}")
    result = compare_coders(store, first, second, site_ids=site_ids)
    if not result.transcripts:
        raise click.ClickException(
            f"{first} and {second} have not both coded any transcript{where}, so there is no agreement to work out "
            f"({first} coded {_plural(len(result.only_first), 'transcript')} only they did, {second} "
            f"{len(result.only_second)})."
        )
    found = result.agreement
    click.echo(
        f"{first} and {second} compared on {_plural(len(found.units), 'paragraph')} of "
        f"{_plural(len(result.transcripts), 'transcript')} both coded{where}."
    )
    rows = [
        (
            code.code,
            str(code.units),
            "-" if code.percent_agreement is None else f"{code.percent_agreement:.1f}%",
            code.kappa.describe(),
        )
        for code in found.codes
    ]
    echo_table(("code", "paragraphs", "agreement", "kappa"), rows)
    overall = found.overall
    percent = overall.kappa.percent_agreement
    click.echo(f"Overall: {'-' if percent is None else f'{percent:.1f}%'} agreement. {overall.describe()}")
    left_out = len(result.only_first) + len(result.only_second)
    if left_out:
        click.echo(
            f"{_plural(left_out, 'transcript')} coded by only one of them "
            f"{'was' if left_out == 1 else 'were'} left out."
        )
    count = len(found.disagreements)
    click.echo(
        f"{_plural(count, 'disagreement')} to talk over (a code one of them applied to a paragraph and the "
        "other did not)."
        if count
        else "No disagreements: they applied the same codes to every paragraph."
    )


@interviews.command("list")
@click.option("--site", "site_name", metavar="NAME", default=None, help="List one site's transcripts only.")
@click.pass_context
def list_transcripts(ctx: click.Context, site_name: str | None) -> None:
    """List the transcripts: number, site, title, role group, date interviewed, paragraphs and coded passages.

    The number is the one coprod interviews withdraw takes. Titles were pseudonymised when imported; nothing
    else of a transcript's text is printed.
    """
    from ..interviews.qdpx import role_label

    store = open_store(ctx)
    site_ids, where = _site_ids(store, site_name)
    site_id = site_ids[0] if site_ids else None
    transcripts = store.records("transcript", site_id=site_id)
    if not transcripts:
        click.echo(f"No transcripts{where} yet. Import them with  coprod import-transcript FILE... --site NAME ...")
        return
    passages = Counter(record.transcript_id for record in store.records("coding", site_id=site_id))
    sites = {site.id: site.name for site in store.sites()}
    rows = [
        (
            str(transcript.id),
            sites[transcript.site_id],
            one_line(transcript.title),
            role_label(transcript),
            transcript.interviewed.isoformat(),
            str(len(transcript.paragraphs)),
            str(passages[transcript.id]) if passages[transcript.id] else "not coded yet",
        )
        for transcript in transcripts
    ]
    echo_table(("number", "site", "title", "role group", "interviewed", "paragraphs", "coded passages"), rows)
    coded = sum(1 for transcript in transcripts if passages[transcript.id])
    click.echo(f"{_plural(len(transcripts), 'transcript')}{where}, {coded} of them coded.")


@interviews.command("withdraw")
@click.argument("transcript_id", type=int, metavar="TRANSCRIPT_ID")
@click.option(
    "--reason", metavar="TEXT", required=True, help="Why (kept for good in the history; never a name or the text)."
)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_context
def withdraw(ctx: click.Context, transcript_id: int, reason: str, yes: bool) -> None:
    """Withdraw an interview on request: the transcript, its coded passages and their text leave the store.

    TRANSCRIPT_ID is the number coprod interviews list shows. Every history line about them stays (what was
    done, when, by whom) with its text replaced by "[withdrawn]". The withdrawal is logged (who, when, why; not
    the text). Counts from the transcript change with it. It cannot be undone. Backups taken before it still
    hold the text.
    """
    from ..interviews.withdrawal import WITHDRAWN, withdraw_transcript

    if not " ".join(reason.split()):
        raise click.ClickException(
            "--reason is empty: say why the interview is withdrawn (for example, 'withdrew by e-mail, 3 May'). "
            "Nothing was withdrawn."
        )
    store = open_store(ctx)
    found = store.records("transcript", id=transcript_id)
    if not found:
        raise click.ClickException(
            f"There is no transcript number {transcript_id}. coprod interviews list shows the transcripts and their "
            "numbers. Nothing was withdrawn."
        )
    transcript = found[0]
    if not yes:
        passages = len(store.records("coding", transcript_id=transcript.id))
        site = store.get("site", transcript.site_id)
        click.confirm(
            f"Withdraw transcript number {transcript.id} ({one_line(transcript.title)!r} at {site.name}) and its "
            f"{_plural(passages, 'coded passage')}, and remove their text from the whole store, history included? "
            "This cannot be undone",
            abort=True,
        )
    result = withdraw_transcript(store, transcript.id, reason, who_is_acting())
    click.echo(
        f"Withdrew transcript number {result.transcript_id} at {result.site} and its "
        f"{_plural(result.codings_deleted, 'coded passage')}."
    )
    click.echo(
        f"  Deleted {_plural(result.codings_deleted + 1, 'row')} and rewrote "
        f'{_plural(result.history_lines_rewritten, "history line")} to "{WITHDRAWN}"; recomputed '
        f"{_plural(result.seals_recomputed, 'seal')}; logged as history line {result.log_line}."
    )
    if result.files_note:
        click.echo(f"  {result.files_note}")
    click.echo("  Backups taken before now still hold the text: delete or replace them too.")

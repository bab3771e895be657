"""``coprod import-survey``: bring a survey export (KoboToolbox, REDCap, Microsoft Forms, Google Forms,
SurveyMonkey) into the store, after a first run that drafts the mapping to the learning points.

Nothing printed here comes from the file's cells: only counts, row numbers, the reader's reasons and the
names the mapping gives, so no respondent's name or e-mail address reaches the terminal.
"""

from __future__ import annotations

from pathlib import Path

import click

from .support import one_line, open_store, site_called, who_is_acting

DRAFT_SUFFIX = ".mapping.yaml"


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def _tool_checked(tool: str | None) -> str | None:
    """A --tool value, checked here so a wrong one is one line, not click's usage screen."""
    from ..surveys.read import TOOLS

    if tool is None:
        return None
    known = (*TOOLS, "unknown")
    if tool.strip().lower() not in known:
        raise click.ClickException(f"There is no survey tool {tool!r} coprod reads: use one of {', '.join(known)}.")
    return tool.strip().lower()


def _mapping_from(file: Path):
    from ..surveys.mapping import MappingInvalid, mapping_from_yaml

    if not file.is_file():
        raise click.ClickException(f"There is no mapping file {str(file)!r}. Check the path given to --mapping.")
    try:
        return mapping_from_yaml(file.read_text(encoding="utf-8"), file.name)
    except UnicodeDecodeError:
        raise click.ClickException(f"{file.name} is not a text file: give --mapping the YAML mapping.") from None
    except MappingInvalid as invalid:
        raise click.ClickException(_refused_mapping(file, invalid)) from None


def _refused_mapping(file: Path, invalid) -> str:
    return one_line(f"{file.name} cannot be used: {'; '.join(invalid.problems)}. Nothing was imported.")


def _echo_problems(problems) -> None:
    for problem in problems:
        click.echo(f"Row {problem.row_number} could not be read: {problem.reason}.")


def _shell_word(text: str) -> str:
    return f'"{text}"' if any(ch.isspace() for ch in text) else text


def _others(result) -> list[str]:
    """The file's questions the draft leaves out: not on a known answer scale, nor the role column."""
    drafted = {q["question"] for q in result.draft["questions"]} | {result.draft.get("role_column")}
    return [q for q in result.questions if q not in drafted]


def _other_questions(result) -> str:
    """The questions the draft leaves out, as comments to copy from."""
    others = _others(result)
    if not others:
        return ""
    lines = [
        "# The file's other questions, not on a known answer scale. To analyse one, add it under questions:",
        "#   - question: <its name, as below>",
        "#     learning_point: lp1 to lp8",
    ]
    return "\n".join([*lines, *(f"#   {question}" for question in others)]) + "\n"


def _draft_written(result, file: Path, site: str, target: Path, explicit: bool) -> None:
    """Write the draft (never over an existing default draft: it may hold someone's choices) and say what next."""
    from ..surveys.importing import TOOL_NAMES
    from ..surveys.suggest import draft_yaml

    if target.exists() and not explicit:
        raise click.ClickException(
            f"{target.name} already exists, so no draft was written over it. If it is finished, run again with "
            f"--mapping {_shell_word(str(target))}; for a new draft, give --save-mapping ANOTHER.yaml."
        )
    target.write_text(draft_yaml(result.draft) + _other_questions(result), encoding="utf-8")
    click.echo(
        f"{file.name} is from {TOOL_NAMES[result.tool]}: {_plural(result.rows_read, 'response')} read. "
        "Nothing was imported yet."
    )
    _echo_problems(result.problems)
    scored = len(result.draft["questions"])
    click.echo(
        f"Wrote a draft mapping to {target}: {_plural(scored, 'question')} on a known answer scale, "
        f"{len(_others(result))} more listed below them to add if they should be analysed."
    )
    click.echo(
        "Open it, give the survey its name, replace each 'choose lp1 to lp8' with the learning point that "
        "question is evidence for, and remove any question not to analyse. Then run:"
    )
    click.echo(
        f"  coprod import-survey {_shell_word(str(file))} --site {_shell_word(site)} "
        f"--mapping {_shell_word(str(target))}"
    )


def _imported(result, site_name: str, keep_identifiers: bool) -> None:
    from ..surveys.importing import TOOL_NAMES

    click.echo(
        f"Imported {result.survey!r} ({TOOL_NAMES[result.tool]}) for {site_name}: "
        f"{_plural(result.rows_read, 'response')} read, {result.added} new, {result.repeated} already imported."
    )
    _echo_problems(result.problems)
    if result.identifier_columns and not keep_identifiers:
        click.echo("Names and e-mail addresses in the file were not kept (--keep-identifiers keeps them).")


@click.command("import-survey")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--site", "site_name", required=True, metavar="NAME", help="The site that ran the survey.")
@click.option(
    "--mapping",
    "mapping_file",
    metavar="FILE",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The YAML mapping of the survey's questions to the learning points. Without it, a draft is written.",
)
@click.option(
    "--save-mapping",
    metavar="FILE",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to write the draft (default: beside FILE, FILE.mapping.yaml); with --mapping, the mapping used.",
)
@click.option("--keep-identifiers", is_flag=True, help="Keep names and e-mail addresses (left out by default).")
@click.option(
    "--tool",
    metavar="TOOL",
    default=None,
    help="The tool the file came from, when it is not recognised: kobo, redcap, msforms, googleforms, "
    "surveymonkey or unknown.",
)
@click.pass_context
def import_survey(
    ctx: click.Context,
    file: Path,
    site_name: str,
    mapping_file: Path | None,
    save_mapping: Path | None,
    keep_identifiers: bool,
    tool: str | None,
) -> None:
    """Import the responses in FILE, a survey export (CSV or .xlsx), for one site.

    The first time, run it without --mapping: it writes a draft mapping beside FILE and imports nothing.
    Choose each question's learning point there, then run again with --mapping. Importing a later
    export adds only the responses not imported before. Names and e-mail addresses are left out
    unless --keep-identifiers is given.

    \b
    Examples:
      coprod import-survey spring.csv --site Saltmere
      coprod import-survey spring.csv --site Saltmere --mapping spring.csv.mapping.yaml
    """
    from ..surveys.importing import ImportRefused
    from ..surveys.importing import import_survey as run_import
    from ..surveys.mapping import MappingInvalid, mapping_to_yaml
    from ..surveys.read import ExportUnreadable

    tool = _tool_checked(tool)
    if not file.is_file():
        raise click.ClickException(f"There is no file {str(file)!r}. Check the path.")
    mapping = _mapping_from(mapping_file) if mapping_file is not None else None
    store = open_store(ctx)
    site = site_called(store, site_name)
    try:
        result = run_import(store, file, site.name, mapping, who_is_acting(), keep_identifiers, tool)
    except ExportUnreadable as unreadable:
        raise click.ClickException(f"{one_line(str(unreadable))} Nothing was imported.") from None
    except MappingInvalid as invalid:
        raise click.ClickException(_refused_mapping(mapping_file, invalid)) from None
    except ImportRefused as refused:
        raise click.ClickException(one_line(str(refused))) from None
    if result.needs_mapping:
        target = save_mapping or file.with_name(file.name + DRAFT_SUFFIX)
        _draft_written(result, file, site.name, target, explicit=save_mapping is not None)
        return
    _imported(result, site.name, keep_identifiers)
    if save_mapping is not None:
        save_mapping.write_text(mapping_to_yaml(mapping), encoding="utf-8")
        click.echo(f"Wrote the mapping used to {save_mapping}.")

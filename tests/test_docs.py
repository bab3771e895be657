"""The README cannot fall behind: every command, workbook and setting is described there."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import click
import pytest

from coprod_widgets import settings
from coprod_widgets.cli import main as cli

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def command_paths(group: click.Group, prefix: str = "coprod") -> list[str]:
    paths = []
    for name, command in group.commands.items():
        path = f"{prefix} {name}"
        if isinstance(command, click.Group):
            paths.extend(command_paths(command, path))
        else:
            paths.append(path)
    return paths


@pytest.mark.parametrize("path", command_paths(cli))
def test_every_command_is_in_the_readme(path):
    assert f"`{path}" in README, f"README.md does not describe `{path}`"


@pytest.mark.parametrize(
    "notebook", sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "workbooks").rglob("*.ipynb"))
)
def test_every_workbook_is_in_the_readme(notebook):
    assert notebook in README


def commands(group: click.Group) -> list[click.Command]:
    found = []
    for command in group.commands.values():
        found.extend(commands(command) if isinstance(command, click.Group) else [command])
    return found


@pytest.mark.parametrize(
    "option",
    sorted(
        {
            opt
            for command in commands(cli)
            for param in command.params
            for opt in param.opts
            if opt.startswith("--") and opt != "--help"
        }
    ),
)
def test_every_option_is_in_the_readme(option):
    """Read from the commands themselves, so a new option cannot be left out of the README."""
    assert option in README, f"README.md does not mention {option}"


#: Every COPROD_ variable the package reads, found in its source (not a hand-written list).
VARIABLES = sorted(
    {
        name
        for path in (ROOT / "coprod_widgets").rglob("*.py")
        for name in re.findall(r"\bCOPROD_[A-Z_]+\b", path.read_text(encoding="utf-8"))
    }
)


@pytest.mark.parametrize("variable", VARIABLES)
def test_every_setting_is_in_the_readme(variable):
    assert variable in README
    assert {settings.DB_URL_VARIABLE, settings.HOME_VARIABLE, "COPROD_CHROMIUM"} <= set(VARIABLES)


def test_quick_start_is_the_two_commands():
    quick_start = README.split("## Quick start", 1)[1].split("##", 1)[0]
    assert "make app" in quick_start and "make test" in quick_start and "make lab" in quick_start


#: The README's Python examples that write a file: the path is the first quoted argument.
WRITERS = re.compile(r"\b(?:export_store|read_export|render_report)\((?:store, )?\"([^\"]+)\"")


def test_the_readme_examples_write_where_git_ignores():
    """Someone who runs an example from the checkout must not be one `git add` away from committing people's data."""
    paths = sorted(set(WRITERS.findall(README)))
    assert paths, "the README's Python examples name where they write"
    ignored = subprocess.run(
        ["git", "check-ignore", "--no-index", *paths], cwd=ROOT, capture_output=True, text=True
    ).stdout.split()
    assert sorted(set(paths) - set(ignored)) == []

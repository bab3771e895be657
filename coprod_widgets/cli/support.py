"""Shared pieces of the command line: one-line errors, opening the store, naming who acts."""

from __future__ import annotations

import getpass
import os

import click

from .. import settings
from ..problems import RecordInvalid
from ..settings import safe_url

DEBUG_VARIABLE = "COPROD_DEBUG"


def one_line(text: str) -> str:
    return " ".join(str(text).split())


def _database_problem(exc: BaseException) -> str:
    """The first line of a database error, without SQLAlchemy's links and SQL."""
    reason = getattr(exc, "orig", None) or exc
    first = str(reason).strip().splitlines()[0] if str(reason).strip() else type(reason).__name__
    return one_line(first)


class CoprodGroup(click.Group):
    """A click group that turns expected failures into one ``Error:`` line instead of a traceback."""

    def main(self, *args, prog_name: str | None = None, **kwargs):
        # Call it "coprod" in usage lines, however it was started (script or ``python -m``).
        return super().main(*args, prog_name=prog_name or "coprod", **kwargs)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if ctx.parent is None:
            args = db_option_first(self, args)
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context):
        from sqlalchemy.exc import SQLAlchemyError

        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except RecordInvalid as exc:
            raise click.ClickException(one_line(str(exc))) from None
        except SQLAlchemyError as exc:
            raise click.ClickException(f"The database refused the request: {_database_problem(exc)}") from None
        except OSError as exc:
            where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
            raise click.ClickException(one_line(f"{exc.strerror or exc}{where}")) from None
        except Exception as exc:
            if os.environ.get(DEBUG_VARIABLE):
                raise
            raise click.ClickException(
                one_line(
                    f"Something unexpected went wrong ({type(exc).__name__}: {exc}). "
                    f"Run again with {DEBUG_VARIABLE}=1 to see the details."
                )
            ) from None


def db_option_first(group: click.Group, args: list[str]) -> list[str]:
    """``coprod report --db URL ...`` as well as ``coprod --db URL report ...``: every command takes --db.

    A ``--db`` after the command's name moves to the front, where the group reads it, unless that command
    has a --db of its own (``coprod restore FILE --db URL`` names where to restore to).
    """
    command: click.Command = group
    for token in args:
        if token.startswith("-"):
            continue
        if not isinstance(command, click.Group) or token not in command.commands:
            break
        command = command.commands[token]
    if command is group or any("--db" in param.opts for param in command.params):
        return args
    moved, rest, position = [], [], 0
    while position < len(args):
        token = args[position]
        if token == "--db" and position + 1 < len(args):
            moved += args[position : position + 2]
            position += 2
            continue
        if token.startswith("--db="):
            moved.append(token)
        else:
            rest.append(token)
        position += 1
    return [*moved, *rest]


def who_is_acting() -> str:
    try:
        user = getpass.getuser()
    except Exception:
        user = ""
    return f"coprod command line ({user})" if user else "coprod command line"


def site_called(store, name: str):
    """The site called ``name`` (any case), or a one-line error listing the sites there are."""
    found = store.site_named(name)
    if found is None:
        names = ", ".join(repr(s.name) for s in store.sites())
        known = f"The sites are: {names}." if names else "There are no sites yet."
        raise click.ClickException(f"There is no site called {name!r}. {known}")
    return found


def echo_table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    """Print rows as plain columns under a header and a dashed rule, for commands that list things."""
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]
    for row in (header, tuple("-" * w for w in widths), *rows):
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())


def open_store(ctx: click.Context):
    """The store named by --db (tables made if the database is empty); closed when the command ends.

    A store older or newer than this coprod is refused with one line (coprod upgrade, or a newer coprod).
    """
    from ..schema_version import StoreVersionProblem
    from ..store import Store

    url = ctx.obj["db"]
    try:
        store = Store.open(url)
    except StoreVersionProblem as exc:
        raise click.ClickException(str(exc)) from None
    except Exception as exc:
        if os.environ.get(DEBUG_VARIABLE):
            raise
        raise click.ClickException(
            f"Could not open the database {safe_url(url)}: {_database_problem(exc)}. "
            f"Check --db or {settings.DB_URL_VARIABLE}."
        ) from None
    ctx.call_on_close(store.close)
    return store


# ---- the command group ------------------------------------------------------------------------

"""A throwaway PostgreSQL server for tests: standard library, plus psycopg and SQLAlchemy for databases and URLs.

Typical use::

    from tests.postgres import temporary_postgres

    with temporary_postgres() as url:        # "postgresql+psycopg://postgres@127.0.0.1:PORT/coprod"
        store = Store.open(url)

Each call makes a new cluster (``initdb``) in a fresh temporary directory, starts it with ``pg_ctl``
listening on 127.0.0.1 only, on a free port, with its Unix socket in that directory, creates a database,
and on leaving stops the server (``pg_ctl stop -m fast``) and removes the directory. Nothing outside it
is touched: not the Debian cluster, not port 5432. PostgreSQL refuses to run as root, so under root the
server programs run as the ``postgres`` system user (which Debian's package creates).

The server programs come from ``$COPROD_PG_BIN`` (``make test`` sets it to what ``tools/ensure-postgres``
prints), else from the same places that script looks. When there are none, :class:`PostgresUnavailable`
says to run ``tools/ensure-postgres``: the PostgreSQL tests fail then, they are never skipped.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import shlex
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy.engine import make_url

from tests.servers import free_port

HOST = "127.0.0.1"
SUPERUSER = "postgres"
DATABASE = "coprod"
#: The system user the server runs as when the tests run as root.
RUN_AS = "postgres"
START_TIMEOUT_S = 60
PROGRAMS = ("initdb", "pg_ctl", "postgres")
ENSURE = "tools/ensure-postgres"
#: Settings for a server whose data is thrown away: durability is not wanted, speed is.
SETTINGS = {
    "listen_addresses": f"'{HOST}'",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "50",
    "shared_buffers": "32MB",
    "log_min_messages": "warning",
}


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server programs, or the throwaway server would not start; the message says what to do."""


def _has_server(folder: Path) -> bool:
    return all(os.access(folder / name, os.X_OK) for name in PROGRAMS)


def _version_key(folder: Path) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", folder.parent.name))


def server_bin_dir() -> Path:
    """The folder holding initdb, pg_ctl and postgres: ``$COPROD_PG_BIN``, Debian's highest version, or PATH."""
    given = os.environ.get("COPROD_PG_BIN")
    if given:
        if _has_server(Path(given)):
            return Path(given)
        raise PostgresUnavailable(
            f"COPROD_PG_BIN={given} does not hold {', '.join(PROGRAMS)}. Run {ENSURE} (it installs Debian's "
            "postgresql package when run as root) and set COPROD_PG_BIN to the folder it prints, or use `make test`."
        )
    for folder in sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=_version_key, reverse=True):
        if _has_server(folder):
            return folder
    found = shutil.which("initdb")
    if found:
        for folder in (Path(found).parent, Path(found).resolve().parent):
            if _has_server(folder):
                return folder
    raise PostgresUnavailable(
        f"No PostgreSQL server programs ({', '.join(PROGRAMS)}) found: run {ENSURE} (it installs Debian's "
        "postgresql package when run as root) and set COPROD_PG_BIN to the folder it prints, or use `make test`."
    )


def _as_server_user(command: list[str]) -> list[str]:
    """``command`` as the user the server may run as: ourselves, or ``postgres`` when we are root."""
    if os.geteuid() != 0:
        return command
    runuser = shutil.which("runuser")
    if runuser:
        return [runuser, "-u", RUN_AS, "--", *command]
    return ["su", RUN_AS, "-s", "/bin/sh", "-c", shlex.join(command)]


def _run(command: list[str], cwd: Path, what: str, log: Path | None = None) -> None:
    done = subprocess.run(_as_server_user(command), cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
        raise PostgresUnavailable(
            f"{what} failed (exit {done.returncode}): {shlex.join(command)}\n{done.stdout}{done.stderr}{tail}"
        )


def _make_folder() -> Path:
    """A fresh temporary folder the server's user owns (under root: one that ``postgres`` can reach)."""
    if os.geteuid() != 0:
        return Path(tempfile.mkdtemp(prefix="coprod-pg-"))
    try:
        user = pwd.getpwnam(RUN_AS)
    except KeyError:
        raise PostgresUnavailable(
            f"Running as root, but there is no {RUN_AS!r} system user to run PostgreSQL as (it refuses to run as "
            f"root). Run {ENSURE}: Debian's postgresql package creates that user."
        ) from None
    for parent in (None, "/tmp"):
        folder = Path(tempfile.mkdtemp(prefix="coprod-pg-", dir=parent))
        os.chown(folder, user.pw_uid, user.pw_gid)
        reachable = subprocess.run(_as_server_user(["test", "-w", str(folder)]), capture_output=True)
        if reachable.returncode == 0:
            return folder
        shutil.rmtree(folder)
    raise PostgresUnavailable(f"The {RUN_AS!r} user cannot reach a temporary folder ({tempfile.gettempdir()}, /tmp).")


def _admin(url: str, dbname: str = "postgres"):
    """An autocommit psycopg connection to ``dbname`` (the maintenance database) in the cluster at ``url``."""
    import psycopg

    parsed = make_url(url)
    return psycopg.connect(host=parsed.host, port=parsed.port, user=parsed.username, dbname=dbname, autocommit=True)


def create_database(url: str, name: str) -> str:
    """Create the empty database ``name`` in the cluster at ``url``; return a URL for it."""
    from psycopg import sql

    with _admin(url) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def empty_database(url: str) -> None:
    """Drop every table of the database at ``url`` with its ``public`` schema, and make that schema anew.

    Quicker than a new database per test (about 0.01 s against 0.1 to 0.3 s). A connection that a test
    left inside a transaction would hold locks: the reset then fails after ``lock_timeout`` instead of hanging.
    """
    with _admin(url, dbname=make_url(url).database) as conn:
        conn.execute("SET lock_timeout = '10s'")
        conn.execute("DROP SCHEMA IF EXISTS public CASCADE")
        conn.execute("CREATE SCHEMA public")


@contextlib.contextmanager
def temporary_postgres(database: str = DATABASE) -> Iterator[str]:
    """Start a throwaway PostgreSQL cluster; yield a SQLAlchemy URL for a new, empty ``database`` in it."""
    bin_dir = server_bin_dir()
    folder = _make_folder()
    data, log = folder / "data", folder / "server.log"
    pg_ctl = [str(bin_dir / "pg_ctl"), "-D", str(data)]
    started = False
    try:
        initdb = [str(bin_dir / "initdb"), "-D", str(data), "-U", SUPERUSER, "--auth=trust", "--encoding=UTF8"]
        _run([*initdb, "--locale=C", "--no-sync"], folder, "initdb")
        for attempt in range(3):
            port = free_port(HOST)
            settings = {**SETTINGS, "port": str(port), "unix_socket_directories": f"'{folder}'"}
            # The server reads the last value of each setting, so appending overrides initdb's defaults.
            with (data / "postgresql.conf").open("a", encoding="utf-8") as conf:
                conf.write("\n# tests/postgres.py\n" + "".join(f"{k} = {v}\n" for k, v in settings.items()))
            try:
                _run([*pg_ctl, "-l", str(log), "-w", "-t", str(START_TIMEOUT_S), "start"], folder, "pg_ctl start", log)
                started = True
                break
            except PostgresUnavailable:
                port_taken = log.exists() and "already in use" in log.read_text(errors="replace")
                if attempt == 2 or not port_taken:
                    raise
                time.sleep(0.2)  # another process took the port between choosing and binding it: choose again
        yield create_database(f"postgresql+psycopg://{SUPERUSER}@{HOST}:{port}/postgres", database)
    finally:
        try:
            if started or (data / "postmaster.pid").exists():
                _stop(pg_ctl, folder)
        finally:
            shutil.rmtree(folder, ignore_errors=True)


def _stop(pg_ctl: list[str], folder: Path) -> None:
    """``pg_ctl stop -m fast``; should that fail, ``-m immediate``, so that no server outlives its folder."""
    try:
        _run([*pg_ctl, "-m", "fast", "-w", "stop"], folder, "pg_ctl stop")
    except PostgresUnavailable:
        _run([*pg_ctl, "-m", "immediate", "-w", "stop"], folder, "pg_ctl stop -m immediate")
        raise

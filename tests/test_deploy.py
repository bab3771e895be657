"""``coprod deploy``: the files it writes, checked by nginx's own parser, and its one-line refusals."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys

import pytest
from click.testing import CliRunner

from coprod_widgets.cli import main
from coprod_widgets.restore import restore
from coprod_widgets.serving.deploy import SECURITY_HEADERS
from coprod_widgets.store import Store
from tests.proxy import check_config, self_signed


def _deploy(tmp_path, *extra: str):
    cert, key = self_signed(tmp_path, "coprod.example.org")
    out = tmp_path / "etc"
    args = ["deploy", "--host", "coprod.example.org", "--cert", str(cert), "--key", str(key), "--out", str(out), *extra]
    return CliRunner().invoke(main, args), out


def test_deploy_writes_files_nginx_accepts(tmp_path):
    result, out = _deploy(tmp_path, "--workers", "3", "--port", "9100")
    assert result.exit_code == 0, result.output
    for relative in (
        "nginx/coprod.conf",
        "pages/coprod-busy.html",
        "systemd/coprod.service",
        "systemd/coprod-hub.service",
        "jupyterhub/jupyterhub_config.py",
        "coprod.env.example",
        "systemd/coprod-backup.service",
        "systemd/coprod-backup.timer",
    ):
        assert (out / relative).is_file(), relative
        assert relative in result.output
    checked = check_config(out / "nginx" / "coprod.conf", tmp_path / "nginx")
    assert checked.returncode == 0, checked.stderr
    conf = (out / "nginx" / "coprod.conf").read_text()
    assert re.findall(r"server 127\.0\.0\.1:(\d+)", conf)[:3] == ["9100", "9101", "9102"]
    assert "hash $coprod_route consistent;" in conf
    assert "limit_req zone=coprod_pages burst=20 nodelay;" in conf and "rate=30r/m" in conf
    assert "client_max_body_size 1m;" in conf
    assert "proxy_set_header Host $http_host;" in conf and "proxy_buffering off;" in conf
    assert "location /evaluators/" in conf
    for name, value in SECURITY_HEADERS.items():
        # add_header in a location drops the server's own: every location that answers repeats them.
        assert conf.count(f'add_header {name} "{value}" always;') >= 4, name
    unit = (out / "systemd" / "coprod.service").read_text()
    assert "serve --workers 3 --port 9100" in unit and "EnvironmentFile=" in unit
    hub = (out / "jupyterhub" / "jupyterhub_config.py").read_text()
    compile(hub, "jupyterhub_config.py", "exec")
    assert (out / "coprod.env.example").stat().st_mode & 0o077 == 0


def test_without_the_hub_nothing_of_it_is_written(tmp_path):
    result, out = _deploy(tmp_path, "--no-hub")
    assert result.exit_code == 0, result.output
    assert not (out / "jupyterhub").exists() and "evaluators" not in (out / "nginx" / "coprod.conf").read_text()
    assert check_config(out / "nginx" / "coprod.conf", tmp_path / "nginx").returncode == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--host", "bad host", "--cert", "/c.pem", "--key", "/k.pem"], "--host must be a server name"),
        (["--host", "a.org", "--cert", "c.pem", "--key", "/k.pem"], "--cert must be an absolute path"),
        (["--host", "a.org", "--cert", "/c.pem", "--key", "/k.pem", "--listen", "everywhere"], "--listen must be"),
        (["--host", "a.org", "--cert", "/c.pem", "--key", "/k.pem", "--hub-port", "8867"], "workers' ports"),
    ],
    ids=["host", "relative cert", "listen", "hub port clash"],
)
def test_bad_options_give_one_line_and_write_nothing(tmp_path, args, message):
    out = tmp_path / "etc"
    result = CliRunner().invoke(main, ["deploy", *args, "--out", str(out)])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error:") and message in lines[0]
    assert not out.exists()


def test_the_nightly_backup_unit_runs_and_keeps_the_newest(tmp_path):
    """The unit's own command line, run as systemd would (its environment, its folder), makes a backup that
    restores, and deletes only dated backups beyond --backups-kept."""
    home = tmp_path / "home"
    (home / "data").mkdir(parents=True)
    store_url = f"sqlite:///{home / 'data' / 'coprod.db'}"
    Store.open(store_url).add("programme", {"name": "Backed up nightly"}, who="test")
    result, out = _deploy(tmp_path, "--home", str(home), "--backups-kept", "2", "--python", sys.executable)
    assert result.exit_code == 0, result.output
    unit = (out / "systemd" / "coprod-backup.service").read_text()
    assert "OnCalendar=" in (out / "systemd" / "coprod-backup.timer").read_text()
    command = shlex.split(next(line for line in unit.splitlines() if line.startswith("ExecStart=")).split("=", 1)[1])
    folder = home / "data" / "backups"
    folder.mkdir()
    stale = [folder / f"coprod-2020-01-0{day}-020000.coprod-backup" for day in (1, 2, 3)]
    for path in stale:
        path.write_text("an old backup")
    (folder / "keep-me.txt").write_text("not a dated backup")
    env = {**os.environ, "COPROD_DB_URL": store_url, "COPROD_HOME": str(home)}
    done = subprocess.run(command, env=env, cwd=home, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    left = sorted(path.name for path in folder.iterdir())
    assert left[0] == "coprod-2020-01-03-020000.coprod-backup" and len(left) == 3 and "keep-me.txt" in left
    (newest,) = [folder / name for name in left if name.startswith("coprod-20") and not name.startswith("coprod-2020")]
    assert newest.stat().st_mode & 0o777 == 0o600
    restore(newest, f"sqlite:///{tmp_path / 'restored.db'}")
    assert [p.name for p in Store.open(f"sqlite:///{tmp_path / 'restored.db'}").records("programme")] == [
        "Backed up nightly"
    ]


def test_no_backup_timer_when_asked_for_none(tmp_path):
    result, out = _deploy(tmp_path, "--backups-kept", "0")
    assert result.exit_code == 0, result.output
    assert not (out / "systemd" / "coprod-backup.service").exists()

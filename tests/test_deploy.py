"""``coprod deploy``: the files it writes, checked by nginx's own parser, and its one-line refusals."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from coprod_widgets.cli import main
from coprod_widgets.serving.deploy import SECURITY_HEADERS
from tests.proxy import check_config, self_signed


def _deploy(tmp_path, *extra: str):
    cert, key = self_signed(tmp_path, "coprod.example.org")
    out = tmp_path / "etc"
    args = ["deploy", "--host", "coprod.example.org", "--cert", str(cert), "--key", str(key), "--out", str(out), *extra]
    return CliRunner().invoke(main, args), out


def test_deploy_writes_files_nginx_accepts(tmp_path):
    result, out = _deploy(tmp_path, "--workers", "3", "--port", "9100")
    assert result.exit_code == 0, result.output
    for relative in ("nginx/coprod.conf", "pages/coprod-busy.html", "systemd/coprod.service",
                     "systemd/coprod-hub.service", "jupyterhub/jupyterhub_config.py", "coprod.env.example"):
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

"""A real nginx with TLS in front of ``coprod serve --workers``, and a second host to reach it from.

- :func:`self_signed` makes a certificate for a test host name with Debian's ``openssl``;
- :func:`running_nginx` starts nginx (``tools/ensure-nginx`` provides it; ``COPROD_NGINX`` points at it)
  with the site file ``coprod deploy`` wrote, inside a throwaway prefix, and stops it;
- :func:`client_host` makes a network namespace joined to this one by a veth pair, so that a browser
  or a flood runs on "another computer" that reaches nginx at an address the test made itself.
  Making one needs root; a test that cannot make one fails with the reason (it is never skipped).

Standard library only.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

START_TIMEOUT_S = 20.0


class ProxyUnavailable(RuntimeError):
    """nginx, openssl or network namespaces are missing; the message says what to do."""


def nginx_binary() -> str:
    configured = os.environ.get("COPROD_NGINX", "")
    for candidate in (configured, shutil.which("nginx") or "", "/usr/sbin/nginx"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    raise ProxyUnavailable("No nginx for the deployment tests: run tools/ensure-nginx or set COPROD_NGINX.")


def self_signed(folder: Path, host: str) -> tuple[Path, Path]:
    """``(certificate, key)`` for ``host``, valid for two days."""
    openssl = shutil.which("openssl")
    if not openssl:
        raise ProxyUnavailable("No openssl to make a test certificate: apt-get install openssl.")
    cert, key = folder / f"{host}.crt", folder / f"{host}.key"
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "2",
            "-subj",
            f"/CN={host}",
            "-addext",
            f"subjectAltName=DNS:{host}",
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def wait_for_port(host: str, port: int, timeout: float = START_TIMEOUT_S, process=None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the process stopped with code {process.returncode} before listening")
        with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=1):
            return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listened on {host}:{port} within {timeout:.0f} s")


@dataclass
class Nginx:
    process: subprocess.Popen
    prefix: Path

    def error_log(self) -> str:
        return (self.prefix / "error.log").read_text(errors="replace")

    def access_log(self) -> str:
        return (self.prefix / "access.log").read_text(errors="replace")


def main_config(prefix: Path, site_file: Path) -> str:
    """A whole nginx.conf around the site file: everything nginx writes stays under ``prefix``.

    Under root its workers stay root, so that they can read the busy page under pytest's private
    temporary folder (on a server, the pages live in /etc/coprod/pages, readable by nginx's own user).
    """
    return textwrap.dedent(
        f"""\
        {"user root root;" if os.geteuid() == 0 else ""}
        worker_processes 1;
        pid {prefix}/nginx.pid;
        error_log {prefix}/error.log warn;
        events {{ worker_connections 2048; }}
        http {{
            access_log {prefix}/access.log;
            client_body_temp_path {prefix}/body;
            proxy_temp_path {prefix}/proxy;
            fastcgi_temp_path {prefix}/fastcgi;
            uwsgi_temp_path {prefix}/uwsgi;
            scgi_temp_path {prefix}/scgi;
            include {site_file};
        }}
        """
    )


def check_config(site_file: Path, prefix: Path) -> subprocess.CompletedProcess:
    """``nginx -t`` on the site file: the real parser's verdict."""
    prefix.mkdir(parents=True, exist_ok=True)
    conf = prefix / "nginx.conf"
    conf.write_text(main_config(prefix, site_file))
    return subprocess.run([nginx_binary(), "-t", "-p", str(prefix), "-c", str(conf)], capture_output=True, text=True)


@contextlib.contextmanager
def running_nginx(site_file: Path, prefix: Path, wait_on: tuple[str, int]) -> Iterator[Nginx]:
    """nginx in the foreground with ``site_file``; ready once ``wait_on`` (host, port) accepts connections."""
    prefix.mkdir(parents=True, exist_ok=True)
    conf = prefix / "nginx.conf"
    conf.write_text(main_config(prefix, site_file))
    process = subprocess.Popen(
        [nginx_binary(), "-p", str(prefix), "-c", str(conf), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    server = Nginx(process, prefix)
    try:
        try:
            wait_for_port(*wait_on, process=process)
        except (RuntimeError, TimeoutError) as exc:
            log = (prefix / "error.log").read_text(errors="replace") if (prefix / "error.log").exists() else ""
            raise RuntimeError(f"nginx did not start: {exc}\n{log[-3000:]}") from None
        yield server
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGQUIT)
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@dataclass
class ClientHost:
    """A network namespace ``name`` at ``client_ip``; this host is ``server_ip`` on the other end."""

    name: str
    server_ip: str
    client_ip: str

    def command(self, *argv: str) -> list[str]:
        """``argv`` run inside the namespace."""
        return ["ip", "netns", "exec", self.name, *argv]

    def python(self, script: str, *args: str, timeout: float = 180) -> subprocess.CompletedProcess:
        """Run a Python script inside the namespace (this interpreter, so the test's packages are there)."""
        return subprocess.run(
            self.command(sys.executable, "-c", script, *args), capture_output=True, text=True, timeout=timeout
        )

    def executable(self, folder: Path, program: str) -> Path:
        """A wrapper script that runs ``program`` inside the namespace (for Playwright's executable_path)."""
        wrapper = folder / f"{Path(program).name}-in-{self.name}"
        wrapper.write_text(f'#!/bin/sh\nexec ip netns exec {self.name} {program} "$@"\n')
        wrapper.chmod(0o755)
        return wrapper


def _ip(*argv: str) -> None:
    result = subprocess.run(["ip", *argv], capture_output=True, text=True)
    if result.returncode != 0:
        raise ProxyUnavailable(
            f"`ip {' '.join(argv)}` failed ({result.stderr.strip()}): the remote-site tests need root and "
            "iproute2 to make a network namespace with a veth pair."
        )


@contextlib.contextmanager
def client_host() -> Iterator[ClientHost]:
    """A second host: a namespace with its own loopback, joined to this one by a /30 veth link."""
    if shutil.which("ip") is None:
        raise ProxyUnavailable("No `ip` command: apt-get install iproute2 (the remote-site tests need it).")
    tag = secrets.token_hex(3)
    name, outside, inside = f"coprod{tag}", f"cpo{tag}", f"cpi{tag}"
    third = 16 + secrets.randbelow(200)
    fourth = 4 * secrets.randbelow(60)
    server_ip, client_ip = f"10.231.{third}.{fourth + 1}", f"10.231.{third}.{fourth + 2}"
    _ip("netns", "add", name)
    try:
        _ip("link", "add", outside, "type", "veth", "peer", "name", inside)
        _ip("link", "set", inside, "netns", name)
        _ip("addr", "add", f"{server_ip}/30", "dev", outside)
        _ip("link", "set", outside, "up")
        _ip("netns", "exec", name, "ip", "addr", "add", f"{client_ip}/30", "dev", inside)
        _ip("netns", "exec", name, "ip", "link", "set", inside, "up")
        _ip("netns", "exec", name, "ip", "link", "set", "lo", "up")
        yield ClientHost(name, server_ip, client_ip)
    finally:
        subprocess.run(["ip", "link", "del", outside], capture_output=True)
        subprocess.run(["ip", "netns", "del", name], capture_output=True)

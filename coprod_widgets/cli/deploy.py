"""``coprod deploy``: write the nginx, systemd and JupyterHub files for a server site teams reach over HTTPS."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import click

from .. import settings
from ..serving.options import DEFAULT_PORT

_LABEL = r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOST = re.compile(rf"^(?=.{{1,253}}$){_LABEL}(\.{_LABEL})*$")


def _port(name: str, default: int, text: str):
    return click.option(name, type=click.IntRange(1, 65535), metavar="N", default=default, show_default=True, help=text)


@click.command()
@click.option("--host", required=True, metavar="NAME", help="The name site teams type (coprod.example.org).")
@click.option(
    "--cert",
    "certificate",
    required=True,
    metavar="PATH",
    type=click.Path(path_type=Path),
    help="The TLS certificate (full chain, PEM) as nginx will find it on the server.",
)
@click.option(
    "--key",
    "certificate_key",
    required=True,
    metavar="PATH",
    type=click.Path(path_type=Path),
    help="The certificate's private key (PEM) as nginx will find it on the server.",
)
@click.option(
    "--out",
    metavar="DIR",
    type=click.Path(path_type=Path),
    default=Path("/etc/coprod"),
    show_default=True,
    help="Where to write the files; the nginx file refers to the pages written here.",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    metavar="N",
    default=2,
    show_default=True,
    help="How many Voilà workers coprod serve runs behind nginx.",
)
@_port("--port", DEFAULT_PORT, "The first worker's port on 127.0.0.1 (the others follow it).")
@click.option(
    "--max-kernels",
    type=click.IntRange(1, 10000),
    metavar="N",
    default=None,
    help="Pages each worker keeps open (default: coprod serve's, from the server's memory).",
)
@_port("--https-port", 443, "The port nginx serves HTTPS on.")
@_port("--http-port", 80, "The port nginx answers plain HTTP on (only to send visitors to HTTPS).")
@click.option("--listen", metavar="ADDRESS", default="", help="An address for nginx to listen on (default: all).")
@click.option(
    "--page-rate",
    type=click.IntRange(1, 6000),
    metavar="N",
    default=30,
    show_default=True,
    help="Page loads a minute nginx lets through from one address (each starts a kernel).",
)
@click.option(
    "--page-burst",
    type=click.IntRange(0, 1000),
    metavar="N",
    default=20,
    show_default=True,
    help="Page loads from one address allowed at once above the rate.",
)
@click.option(
    "--hub/--no-hub",
    default=True,
    show_default=True,
    help="Also write JupyterHub's configuration for evaluators, served under /evaluators/.",
)
@_port("--hub-port", 8000, "JupyterHub's public port on 127.0.0.1 (its proxy).")
@click.option(
    "--backups-kept",
    type=click.IntRange(0, 3650),
    metavar="N",
    default=14,
    show_default=True,
    help="Nightly backups to keep in data/backups (a systemd timer); 0 writes no backup timer.",
)
@click.option(
    "--service-user", metavar="NAME", default="coprod", show_default=True, help="The Unix account coprod serve runs as."
)
@click.option(
    "--python",
    "python",
    metavar="PATH",
    type=click.Path(path_type=Path),
    default=None,
    show_default="the Python running this command",
    help="The Python that has coprod installed.",
)
@click.option(
    "--home",
    metavar="DIR",
    type=click.Path(path_type=Path),
    default=None,
    show_default="COPROD_HOME, or this checkout",
    help="The folder with workbooks/ and data/ on the server.",
)
def deploy(
    host: str,
    certificate: Path,
    certificate_key: Path,
    out: Path,
    workers: int,
    port: int,
    max_kernels: int | None,
    https_port: int,
    http_port: int,
    listen: str,
    page_rate: int,
    page_burst: int,
    hub: bool,
    hub_port: int,
    backups_kept: int,
    service_user: str,
    python: Path | None,
    home: Path | None,
) -> None:
    """Write the files for a server that site teams in other organisations reach over HTTPS.

    \b
    Writes, under --out:
      nginx/coprod.conf          TLS, HSTS and security headers, sticky routing to the workers,
                                 a limit on page loads, small request bodies, JupyterHub at /evaluators/
      pages/coprod-busy.html     the "busy, try again" page nginx shows
      systemd/coprod.service     coprod serve --workers N, restarted if it stops
      systemd/coprod-backup.service and .timer   a backup each night, the newest --backups-kept kept
      systemd/coprod-hub.service and jupyterhub/jupyterhub_config.py   (with --hub)
      coprod.env.example         the database URL both read (copy to coprod.env, readable by root only)

    The README's "Deploy for several sites" says what to do with each, in order.
    """
    from ..serving.deploy import Deployment, write

    host = host.strip().lower()
    if not _HOST.match(host):
        raise click.ClickException(f"--host must be a server name such as coprod.example.nhs.uk (it was {host!r}).")
    for option, path in (("--cert", certificate), ("--key", certificate_key)):
        if not path.is_absolute():
            raise click.ClickException(f"{option} must be an absolute path, as nginx will find it (it was {path}).")
    if listen and not re.fullmatch(r"[0-9.]+|\[[0-9a-fA-F:]+\]", listen):
        raise click.ClickException(f"--listen must be an IP address such as 203.0.113.7 (it was {listen!r}).")
    worker_ports = set(range(port, port + workers))
    clashes = sorted(worker_ports & ({hub_port} if hub else set()))
    if clashes:
        raise click.ClickException(f"--hub-port {hub_port} is one of the workers' ports: choose another.")
    deployment = Deployment(
        host=host,
        certificate=certificate,
        certificate_key=certificate_key,
        workers=workers,
        first_port=port,
        listen=listen,
        https_port=https_port,
        http_port=http_port,
        page_rate_per_minute=page_rate,
        page_burst=page_burst,
        hub_port=hub_port,
        hub=hub,
        home=(home or settings.project_root()).resolve(),
        python=(python or Path(sys.executable)),
        service_user=service_user,
        max_kernels=max_kernels,
        backups_kept=backups_kept,
        out=out.resolve(),
    )
    hub_text = None
    if hub:
        from ..serving.hub import config_for_deployment

        hub_text = config_for_deployment(deployment)
    written = write(deployment, hub_config=hub_text)
    click.echo(f"Wrote the configuration for https://{host}/ to {deployment.out}:")
    for relative in written.files:
        click.echo(f"  {relative}")
    missing = [str(path) for path in (certificate, certificate_key) if not path.exists()]
    if missing:
        click.echo(f"Note: {' and '.join(missing)} not found here; nginx will not start until they are on the server.")
    click.echo('Next: follow "Deploy for several sites" in the README.')

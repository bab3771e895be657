"""The files for a server that site teams in many organisations reach over HTTPS: ``coprod deploy``.

nginx terminates TLS and sends each visitor to the same Voilà worker every time (a kernel lives in the
worker that rendered its page): the first page load picks a worker by nginx's request id, a
``coprod_route`` cookie keeps the browser there afterwards, and ``hash ... consistent`` moves it to
another worker only when its own is down. Page loads are rate-limited per address; the health
endpoint is not reachable through the proxy. Evaluators reach JupyterHub under ``/evaluators/``.

The proxy settings follow Voilà's deployment guide: websocket upgrade headers, a long
``proxy_read_timeout``, ``proxy_buffering off`` (Voilà streams the page as it runs), and the ``Host``
header passed through unchanged (``$http_host``, port included), so that jupyter_server's websocket
origin check compares like with like and refuses pages from other origins.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from .busy import busy_page
from .hub import EVALUATOR_PATH

#: Headers every answer carries. Voilà needs inline scripts and styles; nothing may come from elsewhere.
SECURITY_HEADERS = {
    "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; "
        "base-uri 'self'; form-action 'self'; object-src 'none'"
    ),
}


@dataclass(frozen=True)
class Deployment:
    """What the configuration is written for. Paths are as they will be on the server."""

    host: str
    certificate: Path
    certificate_key: Path
    workers: int = 2
    first_port: int = 8866
    listen: str = ""  # an address to listen on; "" means every address
    https_port: int = 443
    http_port: int = 80
    page_rate_per_minute: int = 30
    page_burst: int = 20
    hub_port: int = 8000
    hub: bool = True
    home: Path = field(default_factory=Path.cwd)
    python: Path = field(default_factory=lambda: Path(sys.executable))
    service_user: str = "coprod"
    max_kernels: int | None = None
    #: Nightly backups kept in data/backups (0: no backup timer).
    backups_kept: int = 14
    #: Where these files live on the server (``coprod deploy --out``).
    out: Path = Path("/etc/coprod")

    @property
    def env_file(self) -> Path:
        return self.out / "coprod.env"

    @property
    def pages_dir(self) -> Path:
        return self.out / "pages"

    @property
    def hub_config(self) -> Path:
        return self.out / "jupyterhub" / "jupyterhub_config.py"

    @property
    def worker_ports(self) -> list[int]:
        return [self.first_port + offset for offset in range(self.workers)]


def _listen(deployment: Deployment, port: int, extra: str = "") -> str:
    where = f"{deployment.listen}:{port}" if deployment.listen else str(port)
    return f"    listen {where}{extra};"


def _headers(indent: str = "    ") -> str:
    return "\n".join(f'{indent}add_header {name} "{value}" always;' for name, value in SECURITY_HEADERS.items())


def _proxy(upstream: str, indent: str = "        ") -> str:
    lines = [
        f"proxy_pass http://{upstream};",
        "proxy_http_version 1.1;",
        "proxy_set_header Host $http_host;",
        "proxy_set_header Upgrade $http_upgrade;",
        "proxy_set_header Connection $connection_upgrade;",
        "proxy_set_header X-Real-IP $remote_addr;",
        "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
        "proxy_set_header X-Forwarded-Proto $scheme;",
        "proxy_read_timeout 86400s;",
        "proxy_buffering off;",
        "proxy_hide_header Content-Security-Policy;",
        "proxy_hide_header X-Frame-Options;",
    ]
    return "\n".join(indent + line for line in lines)


def nginx_site(deployment: Deployment) -> str:
    """An nginx file for ``conf.d/`` or ``sites-enabled/`` (http context): TLS, workers, limits, headers."""
    d = deployment
    to_https = "https://$host" + ("" if d.https_port == 443 else f":{d.https_port}") + "$request_uri"
    workers = "\n".join(f"    server 127.0.0.1:{port} max_fails=1 fail_timeout=5s;" for port in d.worker_ports)
    hub_upstream = f"upstream coprod_hub {{\n    server 127.0.0.1:{d.hub_port};\n}}\n\n" if d.hub else ""
    hub_location = (
        f"""
    # Evaluators: JupyterHub (its own login) under {EVALUATOR_PATH}.
    location {EVALUATOR_PATH} {{
{_headers("        ")}
{_proxy("coprod_hub")}
    }}
"""
        if d.hub
        else ""
    )
    # add_header in a location replaces the server's, so every location repeats the security headers.
    return f"""# coprod: the site app for site teams over HTTPS{", JupyterHub for evaluators" if d.hub else ""}.
# Written by `coprod deploy` for {d.host}. Include it in nginx's http context (conf.d/ or sites-enabled/).

limit_req_zone $binary_remote_addr zone=coprod_pages:10m rate={d.page_rate_per_minute}r/m;

map $http_upgrade $connection_upgrade {{
    default upgrade;
    ''      close;
}}

# A visitor keeps the worker that rendered their page: the first page load picks one by request id,
# and the coprod_route cookie brings the browser back to it for the page's websocket and later loads.
map $cookie_coprod_route $coprod_route {{
    ""      $request_id;
    default $cookie_coprod_route;
}}

upstream coprod_workers {{
    hash $coprod_route consistent;
{workers}
}}

{hub_upstream}server {{
{_listen(d, d.http_port)}
    server_name {d.host};
    server_tokens off;
    location / {{
        return 301 {to_https};
    }}
}}

server {{
{_listen(d, d.https_port, " ssl")}
    server_name {d.host};
    server_tokens off;

    ssl_certificate     {d.certificate};
    ssl_certificate_key {d.certificate_key};
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_prefer_server_ciphers off;
    ssl_session_cache shared:coprod_tls:10m;
    ssl_session_timeout 1d;

    # Forms send little; nothing here uploads files.
    client_max_body_size 1m;
    client_body_buffer_size 64k;
    large_client_header_buffers 4 16k;

    limit_req_status 429;
    error_page 429 502 503 504 /coprod-busy.html;

{_headers()}

    # Loading the site app starts a kernel: {d.page_rate_per_minute} a minute per address, bursts of {d.page_burst}.
    location = / {{
        limit_req zone=coprod_pages burst={d.page_burst} nodelay;
        add_header Set-Cookie "coprod_route=$coprod_route; Path=/; Secure; HttpOnly; SameSite=Lax" always;
{_headers("        ")}
{_proxy("coprod_workers")}
    }}

    # The workers' kernel counts are for the server itself.
    location = /coprod/api/health {{
        return 404;
    }}

    location = /coprod-busy.html {{
        internal;
        root {d.pages_dir};
        add_header Retry-After 30 always;
        add_header Cache-Control "no-store" always;
{_headers("        ")}
    }}
{hub_location}
    location / {{
{_headers("        ")}
{_proxy("coprod_workers")}
    }}
}}
"""


def systemd_unit(deployment: Deployment) -> str:
    """``coprod.service``: the supervised workers, restarted if the supervisor itself stops."""
    d = deployment
    budget = f" --max-kernels {d.max_kernels}" if d.max_kernels else ""
    ports = f"{d.worker_ports[0]}-{d.worker_ports[-1]}"
    return f"""# coprod: the site app's Voilà workers on 127.0.0.1:{ports}. Written by `coprod deploy`.
[Unit]
Description=coprod site app (Voila workers)
After=network-online.target postgresql.service
Wants=network-online.target

[Service]
User={d.service_user}
Group={d.service_user}
EnvironmentFile={d.env_file}
Environment=COPROD_HOME={d.home}
WorkingDirectory={d.home}
ExecStart={d.python} -m coprod_widgets.cli serve --workers {d.workers} --port {d.first_port}{budget}
KillSignal=SIGINT
TimeoutStopSec=30
Restart=always
RestartSec=2
NoNewPrivileges=true
PrivateTmp=true
ProtectSystem=strict
ProtectHome=true
ReadWritePaths={d.home / "data"}
UMask=0077

[Install]
WantedBy=multi-user.target
"""


def hub_unit(deployment: Deployment) -> str:
    """``coprod-hub.service``: JupyterHub for evaluators (root, so that it can start each evaluator's server)."""
    d = deployment
    config = d.hub_config
    return f"""# coprod: JupyterHub for evaluators, 127.0.0.1:{d.hub_port}{EVALUATOR_PATH}. Written by `coprod deploy`.
[Unit]
Description=coprod evaluators' JupyterHub
After=network-online.target postgresql.service
Wants=network-online.target

[Service]
User=root
WorkingDirectory={config.parent}
ExecStart={d.python} -m jupyterhub -f {config}
Restart=always
RestartSec=2

[Install]
WantedBy=multi-user.target
"""


def backup_unit(deployment: Deployment) -> str:
    """``coprod-backup.service``: one backup into ``data/backups``, the oldest beyond ``backups_kept`` deleted."""
    d = deployment
    folder = d.home / "data" / "backups"
    return f"""# coprod: a backup of the store into {folder}, keeping the newest {d.backups_kept}.
# Written by `coprod deploy`. Started each night by coprod-backup.timer; now with  systemctl start coprod-backup
[Unit]
Description=coprod nightly backup
After=postgresql.service

[Service]
Type=oneshot
User={d.service_user}
Group={d.service_user}
EnvironmentFile={d.env_file}
Environment=COPROD_HOME={d.home}
WorkingDirectory={d.home}
ExecStart={d.python} -m coprod_widgets.cli backup --into {folder} --keep {d.backups_kept}
NoNewPrivileges=true
PrivateTmp=true
ProtectSystem=strict
ProtectHome=true
ReadWritePaths={d.home / "data"}
UMask=0077
"""


def backup_timer() -> str:
    return """# coprod: start coprod-backup.service each night (at boot, if a night was missed). By `coprod deploy`.
[Unit]
Description=coprod nightly backup

[Timer]
OnCalendar=*-*-* 02:30:00
RandomizedDelaySec=20min
Persistent=true

[Install]
WantedBy=timers.target
"""


def env_file_example(deployment: Deployment) -> str:
    return f"""# {deployment.env_file}: the store both the site app and the evaluators use. Keep it readable by root and
# {deployment.service_user} only (chmod 640, chown root:{deployment.service_user}): it holds the database password.
COPROD_DB_URL=postgresql+psycopg://coprod:CHANGE-ME@127.0.0.1/coprod
"""


@dataclass
class Written:
    """The files written, by their path under ``out``."""

    files: dict[str, Path]


def write(deployment: Deployment, hub_config: str | None = None) -> Written:
    """Write every file under ``deployment.out`` (``nginx/``, ``systemd/``, ``pages/``, ``jupyterhub/``)."""
    files: dict[str, Path] = {}
    out = deployment.out

    def put(relative: str, text: str, mode: int = 0o644) -> None:
        path = out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(path.name + ".tmp")
        temporary.write_text(text, encoding="utf-8")
        os.chmod(temporary, mode)
        os.replace(temporary, path)
        files[relative] = path

    put("nginx/coprod.conf", nginx_site(deployment))
    put("pages/coprod-busy.html", busy_page())
    put("systemd/coprod.service", systemd_unit(deployment))
    if deployment.backups_kept:
        put("systemd/coprod-backup.service", backup_unit(deployment))
        put("systemd/coprod-backup.timer", backup_timer())
    put("coprod.env.example", env_file_example(deployment), 0o600)
    if deployment.hub and hub_config is not None:
        put("jupyterhub/jupyterhub_config.py", hub_config)
        put("systemd/coprod-hub.service", hub_unit(deployment))
    return Written(files)

"""One Voilà worker: Voilà with a kernel budget, a busy page, and a way for a page to learn its fate.

Run as ``python -m coprod_widgets.serving.worker NOTEBOOK_OR_FOLDER --Voila.port=N ...`` (``coprod serve``
builds the arguments). On top of Voilà it adds:

- the page handler answers ``503`` with ``Retry-After`` and a short page in words when the kernel budget
  is full (:class:`~coprod_widgets.serving.kernels.KernelBudgetFull`), instead of starting a kernel;
- ``GET /coprod/api/page/<kernel id>`` tells a page whether its kernel is still alive and, if not, why,
  so the page can say "nothing you saved was lost; reload to go on" instead of failing silently;
- ``GET /coprod/api/health`` reports the kernel count to whoever supervises the worker on this
  computer (refused through a proxy);
- the ``coprod`` template, which watches the page (see ``share/jupyter/voila/templates/coprod``).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import tornado.web
from traitlets import Float, Integer, Unicode
from voila.app import Voila
from voila.tornado.handler import TornadoVoilaHandler

from .busy import busy_page
from .kernels import BudgetKernelManager, KernelBudgetFull

#: Holds ``voila/templates/coprod``; put on ``JUPYTER_PATH`` so Voilà finds the template.
SHARE_DIR = Path(__file__).resolve().parent / "share" / "jupyter"
_KERNEL_ID = r"(?P<kernel_id>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"
#: Headers a reverse proxy adds; their presence means the request did not come from this computer.
_PROXY_HEADERS = ("X-Forwarded-For", "X-Real-Ip", "Forwarded")


class BudgetedVoilaHandler(TornadoVoilaHandler):
    """Voilà's page handler, answering "busy, try again" when there is no room for another kernel."""

    async def get(self, path=None):
        try:
            await super().get(path)
        except KernelBudgetFull as exc:
            if self._headers_written:
                raise
            self.clear()
            self.set_status(503)
            self.set_header("Retry-After", str(exc.retry_after))
            self.set_header("Content-Type", "text/html; charset=utf-8")
            self.set_header("Cache-Control", "no-store")
            self.finish(busy_page())


class _JsonHandler(tornado.web.RequestHandler):
    def set_default_headers(self):
        self.set_header("Content-Type", "application/json")
        self.set_header("Cache-Control", "no-store")

    @property
    def kernels(self) -> BudgetKernelManager:
        return self.settings["kernel_manager"]


class PageStateHandler(_JsonHandler):
    """Whether the kernel behind a page is alive; for an ended one, why. Says nothing about other kernels."""

    def get(self, kernel_id: str):
        manager = self.kernels
        state = manager.page_state(kernel_id) if isinstance(manager, BudgetKernelManager) else {"state": "live"}
        state["idle_minutes"] = round(getattr(manager, "idle_page_timeout", 0) / 60)
        self.finish(json.dumps(state))


class HealthHandler(_JsonHandler):
    """Kernel counts for the supervisor and the tests: answered only to this computer, never through a proxy."""

    def get(self):
        from_proxy = any(self.request.headers.get(name) for name in _PROXY_HEADERS)
        if from_proxy or self.request.remote_ip not in ("127.0.0.1", "::1"):
            raise tornado.web.HTTPError(404)
        manager = self.kernels
        self.finish(
            json.dumps(
                {
                    "pid": os.getpid(),
                    "kernels": manager.live_count() if isinstance(manager, BudgetKernelManager) else None,
                    "max_kernels": getattr(manager, "max_kernels", None),
                    "refused": getattr(manager, "refused", None),
                }
            )
        )


class CoprodVoila(Voila):
    """Voilà with the budgeted page handler, the two small coprod endpoints and the page watch's settings."""

    render_timeout = Float(60.0, config=True, help="Seconds before a page whose app is not on screen says so.")
    ready_selector = Unicode(".coprod-app", config=True, help="CSS selector of the element that means 'ready'.")
    max_message_bytes = Integer(4 * 1024 * 1024, config=True, help="Largest websocket message a page may send.")

    def initialize(self, argv=None):
        super().initialize(argv)
        # Voilà reads extra template resources from the config object itself, on every page request.
        watch = {"render_timeout": self.render_timeout, "ready_selector": self.ready_selector}
        self.voila_configuration.config.VoilaConfiguration.resources = {"coprod": watch}
        self.tornado_settings = {"websocket_max_message_size": self.max_message_bytes, **self.tornado_settings}

    def init_handlers(self):
        handlers = [
            (pattern, BudgetedVoilaHandler if handler is TornadoVoilaHandler else handler, *rest)
            for pattern, handler, *rest in super().init_handlers()
        ]
        base = self.server_url.rstrip("/")
        ours = [
            (f"{base}/coprod/api/page/{_KERNEL_ID}", PageStateHandler),
            (f"{base}/coprod/api/health", HealthHandler),
        ]
        return ours + handlers


def main(argv: list[str] | None = None) -> None:
    """Start the worker; ``argv`` as for ``voila`` itself."""
    existing = os.environ.get("JUPYTER_PATH", "")
    os.environ["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(SHARE_DIR), existing]))
    CoprodVoila.launch_instance(argv=argv)


if __name__ == "__main__":
    main()

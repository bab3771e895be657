"""The site app: the access-code page first, then that site's workspace and nothing else."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

import ipywidgets as widgets

from .gate import AccessGate
from .style import style_element

if TYPE_CHECKING:
    from ..scope import SiteScope
    from ..store import Store

#: Seconds after the first page is drawn before the store is opened and the workspace's modules imported,
#: in the background: long enough for the page to be on screen, far shorter than typing a five-word code.
WARM_UP_AFTER_S = 1.0


class SiteApp:
    """``SiteApp().widget`` is the whole app; the notebook only displays it.

    The access-code page is drawn first, with nothing else imported; the store is opened (and the workspace's
    modules imported) a moment later in the background, or when a code is tried, whichever comes first.
    """

    def __init__(self, store: Store | None = None, warm_up_after: float | None = WARM_UP_AFTER_S):
        self._store = store
        self._opening = threading.Lock()
        self.gate = AccessGate(self._open_store, self.open_site)
        self.workspace = None
        self.widget = widgets.VBox([style_element(), self.gate.widget])
        self.widget.add_class("coprod-app")
        if warm_up_after is not None:
            timer = threading.Timer(warm_up_after, self._warm_up)
            timer.daemon = True
            timer.start()

    @property
    def store(self) -> Store:
        return self._open_store()

    def _open_store(self) -> Store:
        with self._opening:
            if self._store is None:
                from ..store import Store

                self._store = Store.open()
            return self._store

    def _warm_up(self) -> None:
        """Open the store and import what a right code needs; a failure here is met again, and shown, then."""
        try:
            self._open_store()
            from .. import throttle  # noqa: F401
            from . import workspace  # noqa: F401
        except Exception:  # noqa: BLE001, S110 - the code attempt opens the store again and says what is wrong
            pass

    def open_site(self, scope: SiteScope) -> None:
        from .workspace import Workspace  # imported once a code is right, to keep the first page light

        self.workspace = Workspace(scope)
        self.widget.children = [self.widget.children[0], self.workspace.widget]

"""The site app: the access-code page first, then that site's workspace and nothing else."""

from __future__ import annotations

import ipywidgets as widgets

from ..scope import SiteScope
from ..store import Store
from .gate import AccessGate
from .style import style_element


class SiteApp:
    """``SiteApp().widget`` is the whole app; the notebook only displays it."""

    def __init__(self, store: Store | None = None):
        self.store = store or Store.open()
        self.gate = AccessGate(self.store, self.open_site)
        self.workspace = None
        self.widget = widgets.VBox([style_element(), self.gate.widget])
        self.widget.add_class("coprod-app")

    def open_site(self, scope: SiteScope) -> None:
        from .workspace import Workspace  # imported once a code is right, to keep the first page light

        self.workspace = Workspace(scope)
        self.widget.children = [self.widget.children[0], self.workspace.widget]

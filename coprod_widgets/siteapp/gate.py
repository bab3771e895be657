"""The first page: a site access code, and nothing else until it is right.

A wrong code gets the same message whatever was typed, so it reveals nothing about any site. Checking a
code costs one key derivation and one query whatever the number of sites (``Store.site_for_code``).
Wrong codes are slowed down through :mod:`coprod_widgets.throttle`, which lives in the database,
so reloading the page does not reset the wait.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from typing import TYPE_CHECKING

import ipywidgets as widgets

from .. import access

if TYPE_CHECKING:  # the store, records and SQLAlchemy are imported when a code is first tried, not before
    from ..scope import SiteScope
    from ..store import Store

log = logging.getLogger(__name__)
CANNOT_OPEN = (
    "Your site's records cannot be opened just now, so no code can be checked. Nothing you typed was saved. "
    "Please try again later, and tell your evaluation lead if it happens again."
)
WRONG_CODE = (
    "That code was not recognised. Check each word and the order, then try again. "
    "If you have lost your code, ask your evaluation lead for a new one."
)


class AccessGate:
    """``store``: the store, or a function that opens it (called when a code is first tried)."""

    def __init__(self, store: Store | Callable[[], Store], on_open: Callable[[SiteScope], None]):
        self._store = store
        self.on_open = on_open
        self._last_code: str | None = None
        self.intro = widgets.HTML(
            value="<p>Type your site's access code: five short words, such as <em>acorn-bliss-crumb-jolly-quote</em>. "
            "Spaces or hyphens between the words are both fine. Then choose Open my site.</p>"
        )
        self.code = widgets.Text(
            description="Site access code",
            continuous_update=False,
            style={"description_width": "initial"},
            layout=widgets.Layout(width="100%", max_width="40em"),
        )
        self.code.add_class("coprod-code")
        self.button = widgets.Button(description="Open my site", button_style="primary")
        self.message = widgets.Label(value="")
        self.message.add_class("coprod-status")
        self.code.observe(lambda change: self.attempt(), names="value")
        self.button.on_click(lambda _button: self.attempt(force=True))
        self.widget = widgets.VBox([self.intro, self.code, self.button, self.message])
        self.widget.add_class("coprod-gate")

    @property
    def store(self) -> Store:
        return self._store() if callable(self._store) else self._store

    def attempt(self, force: bool = False) -> SiteScope | None:
        """Check the typed code; open the site if it is right. Pressing Enter then the button counts once."""
        code = access.normalise(self.code.value)
        if not code:
            if force:
                self.message.value = "Please type your site's access code first."
            return None
        if code == self._last_code and not force:
            return None
        from .. import throttle

        try:
            store = self.store
        except Exception:  # the page cannot show a traceback to a site team; the server's log keeps it
            log.exception("The site app could not open its store")
            self.message.value = CANNOT_OPEN
            return None
        verdict = throttle.check(store)
        if not verdict.allowed:
            seconds = math.ceil(verdict.wait_seconds)
            self.message.value = (
                f"Too many wrong codes have been tried. Please wait {seconds} second{'s' if seconds != 1 else ''}, "
                "then try again."
            )
            return None
        if code == self._last_code:
            self.message.value = WRONG_CODE
            return None
        self._last_code = code
        site_id = store.site_for_code(code)  # one key derivation, however many sites
        throttle.record(store, succeeded=site_id is not None)
        if site_id is None:
            self.message.value = WRONG_CODE
            return None
        self.message.value = "Opening your site..."
        scope = store.for_site(site_id)
        self.on_open(scope)
        return scope

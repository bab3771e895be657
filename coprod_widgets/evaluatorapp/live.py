"""A block of HTML that redraws in place when the filters change, and still reads with no kernel.

The same workbook runs in three places, which want different outputs:

- **Voilà** (0.5.13) ignores ``update_display_data``, so a display cannot be redrawn there; an
  ``HTML`` widget can, by setting its value.
- **JupyterLab** applies ``update_display_data``, even when it comes from a widget's callback.
- **A static copy** (``jupyter nbconvert --execute --to html``, nbviewer, GitHub) shows widgets as
  nothing offline: nbconvert saves widget state by default and then prefers the widget view over
  any ``text/html`` twin. A plain ``display_data`` with ``text/html`` survives everywhere.

So under Voilà the block is a widget; anywhere else it is a plain HTML output with a display id,
updated in place. The kernel knows it is Voilà's from ``SERVER_SOFTWARE``, which Voilà sets in
every kernel it starts.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import ipywidgets as widgets
from IPython.display import HTML, DisplayHandle, display

#: How a block asks for its charts: inline SVG in a widget (which runs no scripts), and elsewhere
#: an ``<img>`` upgraded to inline SVG where scripts run (see :mod:`coprod_widgets.evaluation.render`).
WIDGET_EMBED, OUTPUT_EMBED = "svg", "auto"


def in_voila() -> bool:
    """True in a kernel Voilà started (it sets ``SERVER_SOFTWARE=voila/<version>``)."""
    return os.environ.get("SERVER_SOFTWARE", "").startswith("voila/")


class LiveHTML:
    """HTML from ``render(embed)``, shown wherever the object is displayed, redrawn by :meth:`redraw`.

    ``as_widget`` chooses the output: ``None`` (the default) means a widget under Voilà only.
    Displaying the object twice shows it twice; :meth:`redraw` updates every copy.
    """

    def __init__(self, render: Callable[[str], str], css_class: str = "", as_widget: bool | None = None):
        self.render = render
        self.css_class = css_class
        self.as_widget = in_voila() if as_widget is None else as_widget
        self.views: list[widgets.HTML] = []
        self.handles: list[DisplayHandle] = []

    def _output(self) -> HTML:
        html = self.render(OUTPUT_EMBED)
        return HTML(f'<div class="{self.css_class}">{html}</div>' if self.css_class else html)

    def _ipython_display_(self) -> None:
        if self.as_widget:
            view = widgets.HTML(value=self.render(WIDGET_EMBED))
            if self.css_class:
                view.add_class(self.css_class)
            self.views.append(view)
            display(view)
        else:
            self.handles.append(display(self._output(), display_id=True))

    @property
    def text(self) -> str:
        """The HTML as it would be shown now (what tests and callers read)."""
        return self.render(WIDGET_EMBED if self.as_widget else OUTPUT_EMBED)

    def redraw(self) -> None:
        if self.views:
            value = self.render(WIDGET_EMBED)
            for view in self.views:
                view.value = value
        if self.handles:
            output = self._output()
            for handle in self.handles:
                handle.update(output)

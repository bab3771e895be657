"""Small widget builders the interview coding workbook's panels share: labelled boxes, buttons, status lines.

Every input carries its label as ``description`` (ipywidgets ties it to the input for screen readers), and
every message goes into an HTML widget as words, never a colour alone.
"""

from __future__ import annotations

import contextlib
import getpass

import ipywidgets as widgets

from .workbench_views import CSS

WIDE = {"description_width": "initial"}


def default_who() -> str:
    """Who the history names for a change made here, as the command line names its user."""
    with contextlib.suppress(Exception):
        return f"interview coding workbook ({getpass.getuser()})"
    return "interview coding workbook"


def panel(children: list[widgets.Widget]) -> widgets.VBox:
    box = widgets.VBox([widgets.HTML(value=f"<style>{CSS}</style>"), *children])
    box.add_class("coprod-interviews")
    return box


def status_widget() -> widgets.HTML:
    status = widgets.HTML(value="")
    status.add_class("coprod-interview-status")
    return status


def button(words: str, primary: bool = False) -> widgets.Button:
    made = widgets.Button(description=words, button_style="primary" if primary else "")
    made.layout.width = "auto"
    return made


def text_box(description: str, placeholder: str = "", area: bool = False, width: str = "36em") -> widgets.Widget:
    make = widgets.Textarea if area else widgets.Text
    return make(description=description, placeholder=placeholder, style=WIDE, layout=widgets.Layout(width=width))


def uploaded(upload: widgets.FileUpload) -> tuple[str, bytes] | None:
    """The chosen file's name and bytes (ipywidgets 8 holds a tuple of dicts, the content as a memoryview)."""
    if not upload.value:
        return None
    entry = upload.value[0]
    return str(entry["name"]), bytes(entry["content"])

"""The site app's look: large text, wrapping labels, visible focus, status said in words too.

Static CSS of our own (no user text), delivered as a ``<style>`` element in an HTML widget.
"""

from __future__ import annotations

import ipywidgets as widgets

CSS = """
.coprod-app {
  --jp-widgets-font-size: 18px;
  --jp-ui-font-size1: 18px;
  --jp-content-font-size1: 18px;
  --jp-widgets-inline-height: 44px;
  --jp-widgets-inline-label-width: auto;
  font-size: 18px;
  line-height: 1.5;
  max-width: 60em;
}
.coprod-app h1 { font-size: 2em; margin: 0.4em 0; }
.coprod-app h2 { font-size: 1.5em; margin: 0.8em 0 0.3em; }
.coprod-app h3 { font-size: 1.25em; margin: 0.8em 0 0.3em; }
.coprod-app h4 { font-size: 1.1em; margin: 0.6em 0 0.2em; }
.coprod-app p, .coprod-app label, .coprod-app input, .coprod-app select, .coprod-app textarea,
.coprod-app button, .coprod-app .widget-label { font-size: 18px; }
.coprod-app .widget-label, .coprod-app .widget-label-basic, .coprod-app .widget-inline-hbox .widget-label {
  white-space: normal; overflow: visible; text-overflow: clip; height: auto; min-width: 0;
  max-width: 100%; flex-shrink: 1; overflow-wrap: anywhere;
}
.coprod-app .widget-inline-hbox .widget-label { text-align: left; line-height: 1.4; padding: 0.3em 0; }
.coprod-app .widget-inline-hbox { flex-wrap: wrap; height: auto; }
.coprod-app .coprod-field > .widget-inline-hbox { margin-left: 0; margin-right: 0; }
.coprod-app select, .coprod-app input[type="text"], .coprod-app input[type="date"], .coprod-app input[type="number"] {
  height: 44px; min-height: 44px;
}
.coprod-app input[type="checkbox"], .coprod-app input[type="radio"] { width: 22px; height: 22px; }
.coprod-app .widget-text, .coprod-app .widget-textarea, .coprod-app .widget-dropdown,
.coprod-app .widget-datepicker { width: 100%; }
.coprod-app .jupyter-button { width: auto; min-height: 44px; padding: 0 1em; margin: 0.3em 0.5em 0.3em 0; }
.coprod-app :focus-visible, .coprod-app input:focus, .coprod-app select:focus, .coprod-app textarea:focus,
.coprod-app button:focus { outline: 3px solid #1a5fb4; outline-offset: 2px; }
.coprod-app .coprod-problem { color: #8b0000; font-weight: bold; }
.coprod-app .coprod-status { font-weight: bold; }
.coprod-app .coprod-form { border: 1px solid #888; border-radius: 4px; padding: 0.5em 1em; margin: 0.5em 0; }
.coprod-app .coprod-health { border: 2px solid #444; border-radius: 4px; padding: 0.3em 1em; margin: 0.5em 0; }
.coprod-app .coprod-health-ok { border-left: 6px solid #1a7f37; padding-left: 0.6em; margin: 0.3em 0; }
.coprod-app .coprod-health-check { border-left: 6px dashed #b35900; padding-left: 0.6em; margin: 0.3em 0; }
.coprod-app .coprod-health-missing { border-left: 6px dotted #767676; padding-left: 0.6em; margin: 0.3em 0; }
.coprod-app .coprod-list .widget-hbox { align-items: center; flex-wrap: wrap; border-bottom: 1px solid #ccc; }
.coprod-app .coprod-summary { flex: 1 1 20em; }
.coprod-app .coprod-hint { color: #444; font-style: italic; }
.coprod-app .coprod-group { border-left: 4px solid #888; padding-left: 0.8em; margin: 0.5em 0; }
.coprod-app .coprod-repeat { border-left: 4px double #888; padding-left: 0.8em; margin: 0.5em 0; }
.coprod-app .coprod-repeat-entry { border: 1px dashed #888; border-radius: 4px; padding: 0.3em 0.8em; margin: 0.3em 0; }
"""


def style_element() -> widgets.HTML:
    return widgets.HTML(value=f"<style>{CSS}</style>")

"""Showing Altair charts with no network: in JupyterLab, in Voilà, in nbconvert HTML and in reports.

Altair's default renderer loads Vega from a CDN, which locked-down networks block. Here every chart
is drawn to SVG in Python by vl-convert (with the Vega-Lite version Altair itself uses) and shown as
a ``text/html`` output: a ``<figure>`` holding the picture and a caption for screen readers. Nothing
is fetched from anywhere. Each mark of the SVG carries a ``<title>`` with its tooltip text, so
hovering shows the details (the browser's own tooltip) and screen readers can reach every mark.

Three ways to put the SVG in the page (``embed=``):

``"auto"`` (what the ``coprod`` renderer shows)
    an ``<img>`` with the SVG as a data URI, plus a few lines of inline script that swap it for
    the inline SVG (tooltips, per-mark accessible names) wherever scripts run: a live JupyterLab,
    Voilà, an nbconvert HTML file. Where JupyterLab's sanitiser removes scripts and inline SVG (a
    notebook it does not trust, e.g. one executed by papermill or someone else) the ``<img>`` is
    kept and the chart still shows, without hover details. (``nbconvert --sanitize-html`` escapes
    every HTML output, charts included: do not use it for reports.)
``"svg"``
    the inline SVG only, no script: for pages we write ourselves (:func:`save_offline`, reports).
``"img"``
    the ``<img>`` only.

Use::

    from coprod_widgets.evaluation.render import enable_offline_charts
    enable_offline_charts()      # once per kernel; charts then display offline
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Iterable
from html import escape
from pathlib import Path

import altair as alt
import vl_convert as vlc
from altair.utils._importers import vl_version_for_vl_convert
from IPython.display import HTML

from .tables import TABLE_STYLE

RENDERER = "coprod"
EMBEDS = ("auto", "svg", "img")
#: Visually hidden, still read by screen readers.
HIDDEN = (
    "position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;"
    "clip:rect(0 0 0 0);white-space:nowrap;border:0"
)
#: Replaces the <img> in the script's figure with the inline SVG it shows (UTF-8 safe); does nothing on failure.
UPGRADE_SCRIPT = (
    "<script>(function(s){try{var f=s.parentNode,i=f.querySelector('img'),b=atob(i.src.split(',')[1]),"
    "a=new Uint8Array(b.length);for(var k=0;k<b.length;k++){a[k]=b.charCodeAt(k);}"
    "var t=document.createElement('template');t.innerHTML=new TextDecoder().decode(a);"
    "var v=t.content.querySelector('svg');if(v){i.replaceWith(v);}}catch(e){}})(document.currentScript);</script>"
)
#: An opening tag of a mark element; attribute values may hold ">" so quoted values are matched whole.
_MARK_TAG = re.compile(r'<(path|rect|line|text|image|circle)\b((?:[^>"]|"[^"]*")*)>')
_ARIA_LABEL = re.compile(r'\saria-label="([^"]*)"')
_ID = re.compile(r'\bid="([^"]+)"')
#: Mark groups drawn with ``aria=False`` (labels on cells, connecting lines): let hovering pass through them.
_HIDDEN_MARKS = re.compile(r'(<g class="mark-[a-z]+ role-mark[^"]*") aria-hidden="true"')
#: A group tagged as a chart symbol with no name (an empty layer, such as a facet with no drop-outs).
_UNNAMED_SYMBOL_GROUP = re.compile(r'<g (?![^>]*\saria-label=)([^>]*?)role="graphics-symbol"')
#: Geometry attributes, whose numbers Vega writes with up to 16 decimals.
_GEOMETRY = re.compile(r'(?<![\w-])(transform|d|x|y|x1|x2|y1|y2|width|height)="([^"]*)"')
_LONG_DECIMAL = re.compile(r"(-?\d+\.\d{2})\d+")


def _check(embed: str) -> None:
    if embed not in EMBEDS:
        raise ValueError(f"embed must be one of {', '.join(EMBEDS)}, not {embed!r}.")


def _title_lines(spec: dict) -> tuple[str, list[str]]:
    title = spec.get("title")
    if isinstance(title, dict):
        text, subtitle = title.get("text", ""), title.get("subtitle", [])
    else:
        text, subtitle = title or "", []
    text = " ".join(text) if isinstance(text, list) else str(text)
    subtitle = [subtitle] if isinstance(subtitle, str) else list(subtitle or [])
    return text, [str(line) for line in subtitle]


def _with_tooltips(svg: str) -> str:
    """Move each mark's ``aria-label`` (its tooltip text) into a ``<title>``, which browsers show on hover
    and which is also the mark's accessible name, so the text is not carried twice."""

    def add(match: re.Match) -> str:
        tag, attrs = match.groups()
        label = _ARIA_LABEL.search(attrs)
        if label is None or 'role="graphics-symbol"' not in attrs:
            return match.group(0)
        title = f"<title>{label.group(1)}</title>"
        attrs = attrs[: label.start()] + attrs[label.end() :]
        if attrs.endswith("/"):
            return f"<{tag}{attrs[:-1]}>{title}</{tag}>"
        return f"<{tag}{attrs}>{title}"

    return _MARK_TAG.sub(add, svg)


def _unique_ids(svg: str, prefix: str) -> str:
    """Prefix clip-path and gradient ids, so several inline SVGs on one page cannot clash."""
    for old in set(_ID.findall(svg)):
        new = f"{prefix}-{old}"
        svg = svg.replace(f'id="{old}"', f'id="{new}"').replace(f"url(#{old})", f"url(#{new})")
        svg = svg.replace(f'href="#{old}"', f'href="#{new}"')
    return svg


def _compact(svg: str) -> str:
    """Round geometry to 1/100 px (a third smaller, looks the same); let hovering pass through decorations."""

    def rounded(match: re.Match) -> str:
        return f'{match.group(1)}="{_LONG_DECIMAL.sub(lambda n: n.group(1), match.group(2))}"'

    svg = _GEOMETRY.sub(rounded, svg)
    svg = _UNNAMED_SYMBOL_GROUP.sub(r'<g \1role="presentation"', svg)  # nothing to name: not announced
    return _HIDDEN_MARKS.sub(r'\1 aria-hidden="true" pointer-events="none"', svg)


def spec_svg(spec: dict) -> str:
    """The SVG of a Vega-Lite spec (``chart.to_dict()``), with tooltips as ``<title>``s, ready to inline."""
    svg = vlc.vegalite_to_svg(spec, vl_version=vl_version_for_vl_convert())
    digest = hashlib.sha1(json.dumps(spec, sort_keys=True, default=str).encode()).hexdigest()[:10]
    svg = _unique_ids(_with_tooltips(_compact(svg)), f"coprod-{digest}")
    label = escape(spec.get("description") or _title_lines(spec)[0], quote=True)
    return svg.replace(
        "<svg ", f'<svg role="graphics-document document" aria-label="{label}" style="max-width:100%;height:auto" ', 1
    )


def spec_html(spec: dict, embed: str = "auto") -> str:
    """The HTML fragment for a Vega-Lite spec; ``embed`` as in the module docstring. Never fetches anything."""
    _check(embed)
    text, subtitle = _title_lines(spec)
    description = spec.get("description") or ""
    svg = spec_svg(spec)
    if embed == "svg":
        body = svg
    else:
        data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
        alt_text = escape(" ".join(part for part in (text, description) if part), quote=True)
        body = f'<img src="data:image/svg+xml;base64,{data}" alt="{alt_text}" style="max-width:100%;height:auto">'
        if embed == "auto":
            body += UPGRADE_SCRIPT
    caption = " ".join(escape(part) for part in (text, *subtitle, description) if part)
    return (
        f'<figure class="coprod-chart" style="position:relative;margin:0 0 1em 0">{body}'
        f'<figcaption style="{HIDDEN}">{caption}</figcaption></figure>'
    )


def chart_html(chart: alt.TopLevelMixin, embed: str = "auto") -> str:
    """The offline HTML fragment for ``chart``; with the default ``embed`` it is what the renderer shows."""
    return spec_html(chart.to_dict(), embed=embed)


def save_offline(
    charts: alt.TopLevelMixin | Iterable[alt.TopLevelMixin], path, title: str = "Charts", embed: str = "svg"
) -> Path:
    """Write a standalone HTML page of one chart or several that opens with no network. Returns the path."""
    _check(embed)
    if isinstance(charts, alt.TopLevelMixin):
        charts = [charts]
    figures = "\n".join(chart_html(chart, embed=embed) for chart in charts)
    page = (
        f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n</head>\n<body>\n<main>\n<h1>{escape(title)}</h1>\n"
        f"{figures}\n</main>\n</body>\n</html>\n"
    )
    path = Path(path)
    path.write_text(page, encoding="utf-8")
    return path


def _renderer(spec: dict, embed: str = "auto", **_options) -> dict:
    return {"text/html": spec_html(spec, embed=embed)}


def enable_offline_charts(embed: str = "auto") -> None:
    """Register and enable the ``coprod`` Altair renderer; calling it again changes nothing else."""
    _check(embed)
    if RENDERER not in alt.renderers.names():
        alt.renderers.register(RENDERER, _renderer)
    alt.renderers.enable(RENDERER, embed=embed)


class SectionView:
    """A section's parts (charts, tables, notes) as one block of HTML, for workbooks and reports alike."""

    def __init__(self, parts: list):
        self.parts = parts

    def _repr_html_(self) -> str:
        return self.html()

    def html(self, embed: str = "auto") -> str:
        _check(embed)
        html = [TABLE_STYLE]
        for part in self.parts:
            if isinstance(part, alt.TopLevelMixin):
                html.append(chart_html(part, embed=embed))
            elif isinstance(part, HTML):
                html.append(part.data)
            else:
                html.append(part._repr_html_())
        return "\n".join(html)

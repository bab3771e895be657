"""The page a visitor gets when the server has no room for another site app: plain words, no script.

It names no site and nothing about the server, loads nothing else, and tries again by itself.
"""

from __future__ import annotations

BUSY_TITLE = "The site app is busy"
#: The page tries again by itself this often: a place usually frees up within seconds.
REFRESH_S = 5


def busy_page(refresh: int = REFRESH_S) -> str:
    """A complete HTML page asking the visitor to wait; it tries again by itself every ``refresh`` seconds."""
    seconds = max(5, int(refresh))
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="{seconds}">
<title>{BUSY_TITLE}</title>
<style>
  body {{ font-family: system-ui, sans-serif; font-size: 1.125rem; line-height: 1.5; margin: 2rem auto;
         max-width: 40rem; padding: 0 1rem; color: #1a1a1a; background: #fff; }}
  a {{ color: #0b57d0; }}
</style>
</head>
<body>
<main>
<h1>{BUSY_TITLE} right now</h1>
<p>Many people are using it at the moment, so it cannot open another page just now.</p>
<p>This page will try again by itself in {seconds} seconds. You can also
<a href="">try again</a> yourself in a minute.</p>
<p>Nothing you saved has been lost.</p>
</main>
</body>
</html>
"""

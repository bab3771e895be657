"""Memory per open site-app session, and the time from a right code to a usable workspace.

One ``coprod serve`` worker on the store; pages opened in Chromium one after another, each with its site's
code typed, and kept open. The worker's process tree (Voilà and every kernel) is measured before and after.
Every other page has its code typed the moment the box shows; the others after :data:`TYPING_S` seconds, as
a person types five words (the app opens its store in the background once the page is drawn).
"""

from __future__ import annotations

import asyncio
import time

from tests.browser import CHROMIUM_ARGS, chromium_path
from tests.servers import start_server, stop_server

from .common import mb, median, ms, table, tree_rss

SESSIONS = 6
#: Seconds a person takes, at the least, to type a five-word code.
TYPING_S = 3.0


async def _open_site(browser, base_url: str, code: str, pause: float) -> tuple[object, float]:
    context = await browser.new_context()
    page = await context.new_page()
    await page.goto(base_url)
    box = page.get_by_label("Site access code")
    await box.wait_for(state="visible", timeout=60_000)
    await asyncio.sleep(pause)
    await box.fill(code)
    started = time.perf_counter()
    await page.get_by_role("button", name="Open my site").click()
    await page.get_by_label("Go to section").wait_for(state="visible", timeout=60_000)
    return context, time.perf_counter() - started


async def _measure(server, codes: list[str]) -> dict[str, object]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            await asyncio.sleep(2)
            before = tree_rss(server.process.pid)
            contexts, waits = [], {0.0: [], TYPING_S: []}
            for number, code in enumerate(codes):
                pause = TYPING_S if number % 2 else 0.0
                context, seconds = await _open_site(browser, server.base_url, code, pause)
                contexts.append(context)
                waits[pause].append(seconds)
            await asyncio.sleep(2)
            after = tree_rss(server.process.pid)
            for context in contexts:
                await context.close()
        finally:
            await browser.close()
    return {"before": before, "after": after, "waits": waits}


HEADINGS = [
    "store",
    "sessions",
    "code to workspace, typed at once (median)",
    f"typed after {TYPING_S:g} s (median)",
    "slowest",
    "server before",
    "memory per session",
]


def row(label: str, db_url: str, codes: list[str]) -> list[object]:
    """One line of the table: ``codes`` are access codes of sites in the store (one session each)."""
    chosen = (codes * SESSIONS)[:SESSIONS]
    server = start_server(db_url, args=["--max-kernels", str(SESSIONS + 2)])
    try:
        found = asyncio.run(_measure(server, chosen))
    finally:
        stop_server(server)
    per_session = (found["after"] - found["before"]) / len(chosen)
    at_once, typed = found["waits"][0.0], found["waits"][TYPING_S]
    print(
        f"{label}: workspace usable {ms(median(at_once))} after a code typed at once, {ms(median(typed))} after one "
        f"typed in {TYPING_S:g} s (medians); {mb(per_session)} per session"
    )
    slowest = max(at_once + typed)
    return [
        label, len(chosen), ms(median(at_once)), ms(median(typed)), ms(slowest), mb(found["before"]), mb(per_session)
    ]  # fmt: skip


def run(stores: dict[int, tuple[str, dict[str, str]]]) -> str:
    """``stores``: number of sites -> (store URL, {site name: code}). Returns the markdown section."""
    rows = [row(f"{sites} sites", url, list(codes.values())) for sites, (url, codes) in sorted(stores.items())]
    return "\n".join(
        [
            "## Sessions: a right code to a usable workspace, and memory per open session",
            "",
            "One `coprod serve` worker; pages opened in Chromium one after another and kept open; the worker's "
            "process tree (Voilà and every kernel) measured before and after.",
            "",
            table(HEADINGS, rows),
        ]
    )

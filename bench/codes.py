"""What an access-code attempt costs the server: a right code and a wrong one, at each size of programme.

Measured in-process through ``Store.site_for_code`` (what the site app's gate calls): the CPU a visitor
can make the server spend per attempt, whatever the page around it. Median of 10 of each.
"""

from __future__ import annotations

import time

from coprod_widgets.store import Store

from .common import median, ms, table

TRIES = 10
WRONG = "plenty-of-wrong-words-here"


def _time(store: Store, code: str) -> tuple[float, int | None]:
    started = time.perf_counter()
    found = store.site_for_code(code)
    return time.perf_counter() - started, found


def run(stores: dict[int, tuple[str, dict[str, str]]]) -> str:
    """``stores``: number of sites -> (store URL, {site name: code}). Returns the markdown section."""
    rows = []
    for sites, (url, codes) in sorted(stores.items()):
        store = Store.open(url)
        try:
            names = {site.id: site.name for site in store.sites()}
            right, wrong = [], []
            chosen = list(codes.items())
            for attempt in range(TRIES):
                name, code = chosen[attempt % len(chosen)]
                seconds, found = _time(store, code)
                if names.get(found) != name:
                    raise RuntimeError(f"the code of {name} opened {names.get(found)}")
                right.append(seconds)
                seconds, found = _time(store, WRONG)
                if found is not None:
                    raise RuntimeError("a wrong code opened a site")
                wrong.append(seconds)
            legacy = len(store.sites_without_access_lookup())
        finally:
            store.close()
        rows.append([sites, ms(median(right)), ms(median(wrong)), legacy])
        print(f"{sites} sites: right code {ms(median(right))}, wrong code {ms(median(wrong))}", flush=True)
    return "\n".join(
        [
            "## Access codes: server time per attempt",
            "",
            "`Store.site_for_code`, as the gate calls it: one key derivation (scrypt) and one indexed query.",
            "",
            table(["sites", "right code (median)", "wrong code (median)", "sites on the old check"], rows),
        ]
    )

"""Which kernel makes room when the budget is full: the policy alone, on a manager with no processes.

The servers in test_serving.py and test_remote_sites.py run the same manager with real kernels; here
its choices are pinned case by case, with kernels described by their age and connections only.
"""

from __future__ import annotations

import datetime as dt
import time
from types import SimpleNamespace

import pytest
from jupyter_server._tz import utcnow

from coprod_widgets.serving.kernels import BudgetKernelManager

# name: (seconds since a page last talked to it, connections now, seconds unconnected, claimed seconds ago)
CASES = {
    "the oldest unconnected kernel": ({"a": (40, 0, 40, None), "b": (25, 0, 25, None), "c": (5, 1, None, None)}, "a"),
    "nothing quiet long enough": ({"a": (10, 0, 10, None), "b": (5, 1, None, None)}, None),
    "a connected page is never shed": ({"a": (900, 1, None, None)}, None),
    "a page a browser is loading is spared": ({"a": (40, 0, 40, 10), "b": (30, 0, 30, None)}, "b"),
    "a claim older than the grace no longer spares": ({"a": (90, 0, 90, 70)}, "a"),
}


def _manager(kernels: dict) -> BudgetKernelManager:
    manager = BudgetKernelManager(max_kernels=len(kernels), shed_after=20, claim_grace=60)
    now, clock = utcnow(), time.monotonic()
    for name, (quiet, connections, unconnected, claimed) in kernels.items():
        manager._kernels[name] = SimpleNamespace(last_activity=now - dt.timedelta(seconds=quiet))
        manager._kernel_connections[name] = connections
        if unconnected is not None:
            manager._disconnected_at[name] = clock - unconnected
        if claimed is not None:
            manager._claimed_at[name] = clock - claimed
    return manager


@pytest.mark.parametrize(("kernels", "expected"), CASES.values(), ids=CASES.keys())
def test_the_kernel_that_makes_room(kernels, expected):
    assert _manager(kernels)._shed_candidate() == expected


def test_a_page_asking_about_its_kernel_claims_it_and_learns_nothing_of_others():
    manager = _manager({"a": (40, 0, 40, None)})
    assert manager.page_state("a") == {"state": "live"}
    assert manager._shed_candidate() is None, "the page's question marks it as loading in a browser"
    assert manager.page_state("not-a-kernel") == {"state": "ended", "reason": "unknown"}
    manager._remember("gone", "idle")
    assert manager.page_state("gone") == {"state": "ended", "reason": "idle"}


def test_what_is_known_about_kernels_ended_elsewhere_is_forgotten():
    manager = _manager({"a": (40, 0, 40, 5), "b": (40, 0, 40, 5)})
    manager._ever_connected.update({"a", "b"})
    del manager._kernels["b"]
    manager._forget_gone()
    assert set(manager._disconnected_at) == set(manager._claimed_at) == manager._ever_connected == {"a"}


def test_the_budget_counts_kernels_being_started_and_not_those_leaving():
    manager = _manager({"a": (1, 1, None, None), "b": (1, 1, None, None)})
    manager._reserved.add("starting")
    manager._leaving.add("b")
    assert manager.live_count() == 2

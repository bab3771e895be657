"""A kernel manager with a budget: a page request never starts a kernel the server has no room for.

Voilà starts one kernel per page request and nothing limits how many, so a crawler or a busy morning
can fill the server's memory. :class:`BudgetKernelManager` keeps at most ``max_kernels`` alive:

- when the budget is full, the oldest kernel that no page is connected to and that has been quiet for
  ``shed_after`` seconds makes room (a page that was opened and never connected, or was closed;
  a page that loses its kernel before it was ever on screen reloads by itself);
  if there is none, the request is refused with :class:`KernelBudgetFull` (the handler answers 503);
- a sweep every ``sweep_interval`` seconds ends kernels nobody is connected to after
  ``unconnected_timeout`` seconds, kernels of open pages left idle for ``idle_page_timeout`` seconds,
  and kernels whose process has died; it remembers why, so the page can say so in words
  (:meth:`page_state`).

It builds on jupyter_server's synchronous ``MappingKernelManager``, the maintainers' workaround for
Voilà's "Executing x of y" stall (voila issues #1395 and #1428).
"""

from __future__ import annotations

import contextlib
import time
import uuid
from collections import OrderedDict

from jupyter_server._tz import utcnow
from jupyter_server.services.kernels.kernelmanager import MappingKernelManager
from jupyter_server.utils import ensure_async
from tornado.ioloop import PeriodicCallback
from tornado.web import HTTPError
from traitlets import Float, Integer

#: Why a page's kernel ended, as :meth:`BudgetKernelManager.page_state` reports it.
IDLE = "idle"  # an open page left unused for idle_page_timeout
UNUSED = "unused"  # no page connected for unconnected_timeout (closed, or never opened)
SHED = "shed"  # made room for a new page while the server was full
DIED = "died"  # the kernel's process ended by itself (or was killed)
UNKNOWN = "unknown"  # never started here, or forgotten (another worker, or this one restarted)

#: How many ended kernels are remembered for their pages.
REMEMBER_ENDED = 2000


class KernelBudgetFull(HTTPError):
    """Every kernel slot is in use by a connected page: try again later."""

    def __init__(self, live: int, budget: int, retry_after: int):
        super().__init__(503, "kernel budget full: %d of %d kernels in use", live, budget)
        self.retry_after = retry_after


class BudgetKernelManager(MappingKernelManager):
    max_kernels = Integer(
        0, config=True, help="Most kernels alive at once in this server; 0 means no limit (evaluators only)."
    )
    shed_after = Float(
        20.0,
        config=True,
        help="When full, a kernel with no page connected and quiet for this many seconds may be ended to make room.",
    )
    unconnected_timeout = Float(
        45.0, config=True, help="End a kernel no page has been connected to for this many seconds (closed pages)."
    )
    idle_page_timeout = Float(
        1800.0, config=True, help="End the kernel of an open page nobody has used for this many seconds."
    )
    claim_grace = Float(
        60.0,
        config=True,
        help="A kernel whose page has asked about it (a browser running the page's script) but not yet connected "
        "is neither shed nor swept for this many seconds: a slow browser is still loading it.",
    )
    sweep_interval = Float(5.0, config=True, help="Seconds between sweeps for idle, unused and dead kernels.")
    retry_after = Integer(30, config=True, help="Seconds a refused visitor is asked to wait (Retry-After).")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._reserved: set[str] = set()
        self._leaving: set[str] = set()
        self._ended: OrderedDict[str, str] = OrderedDict()
        self._disconnected_at: dict[str, float] = {}
        self._claimed_at: dict[str, float] = {}
        self._ever_connected: set[str] = set()
        self._sweeper: PeriodicCallback | None = None
        self.refused = 0

    # ---- the budget -------------------------------------------------------------------------------

    def live_count(self) -> int:
        """Kernels alive or being started, not counting those already on their way out."""
        return len((set(self._kernels) - self._leaving) | self._reserved)

    def _full(self) -> bool:
        return bool(self.max_kernels) and self.live_count() >= self.max_kernels

    async def start_kernel(self, *, kernel_id=None, path=None, **kwargs):
        if kernel_id is not None and kernel_id in self:
            return await super().start_kernel(kernel_id=kernel_id, path=path, **kwargs)
        self._start_sweeper()
        victim = None
        if self._full():
            victim = self._shed_candidate()
            if victim is None:
                self.refused += 1
                raise KernelBudgetFull(self.live_count(), self.max_kernels, self.retry_after)
            self._leaving.add(victim)
        # Reserve the slot before the first await, so concurrent requests cannot overshoot the budget.
        kernel_id = str(uuid.uuid4())
        self._reserved.add(kernel_id)
        try:
            if victim is not None:
                self.log.warning("Kernel budget full: ending unused kernel %s for a new page.", victim)
                await self._end(victim, SHED)
            started = await super().start_kernel(kernel_id=kernel_id, path=path, **kwargs)
            self._disconnected_at[started] = time.monotonic()
            return started
        finally:
            self._reserved.discard(kernel_id)

    def _quiet_for(self, kernel_id: str) -> float:
        """Seconds since a page last talked to this kernel, or since it started (whichever is later)."""
        kernel = self._kernels.get(kernel_id)
        last = getattr(kernel, "last_activity", None)
        return (utcnow() - last).total_seconds() if last is not None else 0.0

    def _unconnected_for(self, kernel_id: str) -> float | None:
        """Seconds with no page connected, or None while one is."""
        if self._kernel_connections.get(kernel_id, 0) > 0:
            return None
        since = self._disconnected_at.get(kernel_id)
        return None if since is None else time.monotonic() - since

    def _loading(self, kernel_id: str) -> bool:
        """True while a browser is known to be loading this kernel's page (it asked, and has not connected yet)."""
        claimed = self._claimed_at.get(kernel_id)
        return (
            claimed is not None
            and kernel_id not in self._ever_connected
            and time.monotonic() - claimed < self.claim_grace
        )

    def _shed_candidate(self) -> str | None:
        """The kernel to end so that a new page can start: unconnected and quiet the longest."""
        best, best_quiet = None, -1.0
        for kernel_id in list(self._kernels):
            if kernel_id in self._leaving or self._loading(kernel_id):
                continue
            unconnected = self._unconnected_for(kernel_id)
            if unconnected is None or unconnected < self.shed_after:
                continue
            quiet = min(unconnected, self._quiet_for(kernel_id))
            if quiet >= self.shed_after and quiet > best_quiet:
                best, best_quiet = kernel_id, quiet
        return best

    # ---- connections ------------------------------------------------------------------------------

    def notify_connect(self, kernel_id):
        super().notify_connect(kernel_id)
        self._disconnected_at.pop(kernel_id, None)
        self._ever_connected.add(kernel_id)

    def notify_disconnect(self, kernel_id):
        super().notify_disconnect(kernel_id)
        if self._kernel_connections.get(kernel_id, 0) <= 0 and kernel_id in self._kernels:
            self._disconnected_at[kernel_id] = time.monotonic()

    # ---- what a page may learn about its own kernel -----------------------------------------------

    def page_state(self, kernel_id: str) -> dict:
        """``{"state": "live"}`` or ``{"state": "ended", "reason": ...}``; nothing about other kernels.

        Asking marks a live kernel as claimed by a browser (only a browser runs the page's script), which
        protects it while the page is still loading (see ``claim_grace``).
        """
        if kernel_id in self._kernels and kernel_id not in self._leaving:
            self._claimed_at[kernel_id] = time.monotonic()
            return {"state": "live"}
        if kernel_id in self._reserved:
            return {"state": "starting"}
        return {"state": "ended", "reason": self._ended.get(kernel_id, UNKNOWN)}

    def _remember(self, kernel_id: str, reason: str) -> None:
        self._ended[kernel_id] = reason
        self._ended.move_to_end(kernel_id)
        while len(self._ended) > REMEMBER_ENDED:
            self._ended.popitem(last=False)

    async def _end(self, kernel_id: str, reason: str) -> None:
        self._remember(kernel_id, reason)
        self._leaving.add(kernel_id)
        try:
            with contextlib.suppress(KeyError, HTTPError):
                await ensure_async(self.shutdown_kernel(kernel_id, now=reason == DIED))
        finally:
            self._leaving.discard(kernel_id)
            self._disconnected_at.pop(kernel_id, None)
            self._claimed_at.pop(kernel_id, None)
            self._ever_connected.discard(kernel_id)

    def _handle_kernel_died(self, kernel_id):
        self._remember(kernel_id, DIED)
        super()._handle_kernel_died(kernel_id)

    # ---- the sweep --------------------------------------------------------------------------------

    def _start_sweeper(self) -> None:
        if self._sweeper is None and self.sweep_interval > 0:
            self._sweeper = PeriodicCallback(self.sweep, 1000 * self.sweep_interval)
            self._sweeper.start()

    async def _is_dead(self, kernel_id: str) -> bool:
        kernel = self._kernels.get(kernel_id)
        provisioner = getattr(kernel, "provisioner", None)
        if provisioner is None:
            return False
        try:
            return (await provisioner.poll()) is not None
        except Exception:
            return False

    def _forget_gone(self) -> None:
        """Drop what is known about kernels ended elsewhere (Voilà's shutdown on page close, the kernels API)."""
        live = set(self._kernels) | self._reserved
        for known in (self._disconnected_at, self._claimed_at):
            for kernel_id in [k for k in known if k not in live]:
                del known[kernel_id]
        self._ever_connected &= live

    async def sweep(self) -> None:
        """End dead kernels, kernels nobody is connected to, and open pages left idle too long."""
        self._forget_gone()
        for kernel_id in list(self._kernels):
            if kernel_id in self._leaving or kernel_id in self._reserved:
                continue
            try:
                if await self._is_dead(kernel_id):
                    self.log.warning("Kernel %s died: its page will be asked to reload.", kernel_id)
                    await self._end(kernel_id, DIED)
                    continue
                kernel = self._kernels.get(kernel_id)
                if kernel is None or getattr(kernel, "execution_state", "") == "busy":
                    continue
                unconnected = self._unconnected_for(kernel_id)
                quiet = self._quiet_for(kernel_id)
                if self._loading(kernel_id):
                    continue
                if unconnected is not None and min(unconnected, quiet) > self.unconnected_timeout:
                    self.log.info("Ending kernel %s: no page connected for %.0f s.", kernel_id, unconnected)
                    await self._end(kernel_id, UNUSED)
                elif unconnected is None and quiet > self.idle_page_timeout:
                    self.log.info("Ending kernel %s: its page was idle for %.0f s.", kernel_id, quiet)
                    await self._end(kernel_id, IDLE)
            except Exception:  # one bad kernel must not stop the sweep for the others
                self.log.exception("Sweeping kernel %s failed", kernel_id)

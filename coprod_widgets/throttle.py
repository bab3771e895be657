"""Slowing down wrong access codes, in a way that reloading the page does not reset.

Every attempt is written to the ``access_attempt`` table. After a few wrong codes in a short
window, each further attempt must wait longer (doubling, with a ceiling), whoever makes it:
the page cannot tell one visitor from another, so the slow-down is shared. The ceiling keeps a
person who mistypes, or a nuisance visitor, from locking a site team out for long.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, func, insert, select

from .schema import access_attempt
from .store import Store

FREE_ATTEMPTS = 3
WINDOW = dt.timedelta(minutes=15)
MAX_WAIT_S = 60.0


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    wait_seconds: float


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _as_utc(moment: dt.datetime) -> dt.datetime:
    """SQLite returns naive datetimes; they were written in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def wait_after(failures: int) -> float:
    """Seconds to wait after ``failures`` recent wrong codes: none at first, then 2, 4, 8... up to a minute."""
    if failures < FREE_ATTEMPTS:
        return 0.0
    return min(MAX_WAIT_S, 2.0 ** (failures - FREE_ATTEMPTS + 1))


def check(store: Store, now: dt.datetime | None = None) -> Verdict:
    """Whether a new attempt may be made now, and if not, how long to wait."""
    now = now or _now()
    with store.engine.connect() as conn:
        recent = select(func.count(), func.max(access_attempt.c.at)).where(
            access_attempt.c.at >= now - WINDOW, access_attempt.c.succeeded.is_(False)
        )
        failures, latest = conn.execute(recent).one()
    if not failures:
        return Verdict(True, 0.0)
    remaining = wait_after(failures) - (now - _as_utc(latest)).total_seconds()
    return Verdict(remaining <= 0, max(0.0, remaining))


def record(store: Store, succeeded: bool, now: dt.datetime | None = None) -> None:
    now = now or _now()
    with store.engine.begin() as conn:
        conn.execute(insert(access_attempt).values(at=now, succeeded=succeeded))
        conn.execute(delete(access_attempt).where(access_attempt.c.at < now - 4 * WINDOW))

"""A synthetic programme of any size, for benchmarks and for trying the workbooks at scale (``coprod synth``).

Every site is one of the demo's six varied by a seeded generator (:mod:`coprod_widgets.demo.synth_sites`) and
built by the demo's own code, so the records follow the same rules and show the same patterns, spread over
hundreds of sites. Everything is fictional and says so. The same number of sites and seed give the same
records; only the access codes are new on every build (only their hashes are stored).

The records go through the store's bulk path (:meth:`Store.bulk`): each is validated as ``Store.add``
would, with its sealed history line, and the whole programme is one transaction.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from .. import access
from ..bulk import Batch
from ..questions.instruments import INSTRUMENTS, REFLECTION_4PI, SELF_ASSESSMENT, install
from ..records import Record
from ..store import Store
from . import _build_site, _day_of
from .interviews import add_team_code
from .synth_questions import own_answers
from .synth_sites import SynthSite, synthetic_sites

WHO = "coprod synth"


def programme_name(sites: int, seed: int) -> str:
    return f"Synthetic programme (fictional, {sites} sites, seed {seed})"


def programme_description(sites: int, seed: int) -> str:
    return (
        f"FICTIONAL DATA made by  coprod synth --sites {sites} --seed {seed}  for benchmarks and for trying the "
        "workbooks at scale. Each site is a copy of one of the six demo sites, varied at random. Every place, "
        "organisation, person and number here is made up; partners are known only by number and role."
    )


def build_synthetic(store: Store, sites: int, seed: int, who: str = WHO) -> dict[str, str]:
    """Fill ``store`` with a fictional programme of ``sites`` sites made from ``seed``; return {site name: code}.

    One transaction: a failure leaves nothing behind. What each site keeps of its code (a hash and a lookup,
    see :mod:`coprod_widgets.access`: key derivations, slow on purpose) is worked out once per site, in
    threads, while the records are built.
    """
    plans = synthetic_sites(sites, seed)
    codes = [access.new_code() for _ in plans]
    salt = store.access_salt()
    pool = ThreadPoolExecutor(max_workers=os.cpu_count() or 2)
    try:
        issued = [pool.submit(access.issue, code, salt) for code in codes]  # scrypt lets other threads run
        with store.writing() as conn:
            values = {"name": programme_name(sites, seed), "description": programme_description(sites, seed)}
            programme = store.add("programme", {**values, "fictional": True}, who, conn=conn)
            shared = {added.question_set.name: added.question_set.id for added in install(store, who, conn=conn)}
            instruments = {item.key: shared[item.name] for item in INSTRUMENTS}
            with store.bulk(who, conn=conn) as batch:
                add_team_code(batch.add, _day_of(plans[0].spec.start))
                built = [_build(batch, programme.id, plan, instruments) for plan in plans]
            for site, done in zip(built, issued, strict=True):
                code_hash, lookup = done.result()
                store.set_access_hash(site.id, code_hash, who, conn=conn, lookup=lookup)
    finally:
        pool.shutdown(cancel_futures=True)
    return {site.name: code for site, code in zip(built, codes, strict=True)}


def _build(batch: Batch, programme_id: int, plan: SynthSite, instruments: dict[str, int]) -> Record:
    """One site, by the demo's builder, leaving out what the plan leaves out; then its own questions."""
    site = _build_site(_writer(batch, plan, instruments), programme_id, plan.spec, instruments)
    if plan.own_questions:
        question_set, given = own_answers(plan.template, plan.spec.start, plan.answered, plan.spec.name)
        added = batch.add("question_set", {**question_set, "site_id": site.id})
        for item in given:
            batch.add("question_response", {"site_id": site.id, "question_set_id": added.id, **item})
    return site


def _writer(batch: Batch, plan: SynthSite, instruments: dict[str, int]) -> Callable[[str, dict], Record | None]:
    """``batch.add`` for one site, skipping the records the plan leaves out: the drifter's attendance after
    the day they stop coming, and the self-assessments or 4Pi reflections of a site that records none."""
    skipped = set()
    if not plan.self_assessed:
        skipped.add(instruments[SELF_ASSESSMENT.key])
    if not plan.reflected:
        skipped.add(instruments[REFLECTION_4PI.key])
    drifter: list[int] = []
    dates: dict[int, int] = {}  # activity id -> day (ordinal)
    stops = plan.spec.start.toordinal() + plan.drift_day

    def add(kind: str, data: dict) -> Record | None:
        if kind == "question_response" and data["question_set_id"] in skipped:
            return None
        if kind == "attendance" and data["partner_id"] in drifter and dates[data["activity_id"]] >= stops:
            return None
        record = batch.add(kind, data)
        if kind == "activity":
            dates[record.id] = record.date.toordinal()
        elif kind == "partner" and plan.drifter and record.display_name.startswith(f"{plan.drifter} ("):
            drifter.append(record.id)
        return record

    return add


__all__ = ["WHO", "build_synthetic", "programme_description", "programme_name"]

"""Access codes: one key derivation per attempt whatever the number of sites, kind words, old codes kept working.

Key derivations are counted by wrapping ``hashlib.scrypt``. Timings are printed (run with ``-s``), never asserted.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
import secrets
import time
from importlib import resources

import pytest
from sqlalchemy import insert, select

from coprod_widgets import access
from coprod_widgets.schema import TABLES
from coprod_widgets.store import Store, engine_for
from coprod_widgets.upgrade import _config

WHO = "test"


class ScryptCounter:
    def __init__(self, monkeypatch):
        self.calls = 0
        real = hashlib.scrypt

        def counted(*args, **kwargs):
            self.calls += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(hashlib, "scrypt", counted)

    def take(self) -> int:
        calls, self.calls = self.calls, 0
        return calls


@pytest.fixture
def scrypts(monkeypatch) -> ScryptCounter:
    return ScryptCounter(monkeypatch)


def _programme(store: Store) -> int:
    return store.add("programme", {"name": "Programme"}, WHO).id


def _site(store: Store, programme_id: int, name: str) -> int:
    values = {"programme_id": programme_id, "name": name, "service_issue": "Foot care", "start_date": "2015-03-01"}
    return store.add("site", values, WHO).id


def _many_sites(store: Store, programme_id: int, count: int, legacy: bool = False) -> list[int]:
    """``count`` sites with codes nobody knows, written straight into the table (no key derivation needed):
    random lookups (as good as real ones: no code gives them) or, with ``legacy``, only a random old hash."""
    table = TABLES["site"]
    rows = []
    for n in range(count):
        salt, digest = (access._b64(secrets.token_bytes(size)) for size in (16, 32))
        rows.append(
            {
                "programme_id": programme_id,
                "name": f"Filler {n}",
                "service_issue": "Filler",
                "start_date": dt.date(2015, 3, 1),
                "access_code_hash": f"scrypt$16384$8$1${salt}${digest}",
                "access_lookup": None if legacy else access._b64(secrets.token_bytes(32)),
            }
        )
    with store.writing() as conn:
        conn.execute(insert(table), rows)
        return list(conn.execute(select(table.c.id).where(table.c.name.like("Filler %"))).scalars())


@pytest.fixture
def programme(store) -> int:
    return _programme(store)


# ---- right and wrong codes --------------------------------------------------------------------------


def test_a_right_code_opens_its_site_and_a_wrong_one_none(store, programme):
    codes = {}
    for name in ("North", "South", "East"):
        site_id = _site(store, programme, name)
        codes[site_id] = access.new_code()
        store.set_access_code(site_id, codes[site_id], WHO)
    for site_id, code in codes.items():
        assert store.site_for_code(code) == site_id
        assert store.site_for_code("  " + code.upper().replace("-", " ") + " ") == site_id, "case and spaces forgiven"
    north, south = list(codes.values())[:2]
    assert store.site_for_code(north[:-1]) is None
    assert store.site_for_code(south.rsplit("-", 1)[0]) is None
    assert store.site_for_code("not-a-real-code-at-all") is None
    assert store.sites_without_access_lookup() == []


def test_neither_the_code_nor_what_is_derived_from_it_is_read_back_or_logged(store, programme):
    site_id = _site(store, programme, "North")
    code = access.new_code()
    store.set_access_code(site_id, code, WHO)
    with store.engine.connect() as conn:
        table = TABLES["site"]
        lookup, code_hash = conn.execute(
            select(table.c.access_lookup, table.c.access_code_hash).where(table.c.id == site_id)
        ).one()
    assert lookup and code_hash and lookup != code_hash
    assert "access_lookup" not in store.frame("site").columns
    history = repr([(line.old, line.new) for line in store.history()])
    assert code not in history and lookup not in history and code_hash not in history
    assert store.history("site", site_id)[-1].new == {"access_code": "changed"}


@pytest.mark.parametrize("sites", [200])
def test_one_key_derivation_per_attempt_whatever_the_number_of_sites(store, programme, scrypts, sites):
    site_id = _site(store, programme, "North")
    code = access.new_code()
    store.set_access_code(site_id, code, WHO)
    _many_sites(store, programme, sites - 1)
    assert len(store.sites()) == sites
    scrypts.take()
    assert store.site_for_code(code) == site_id
    assert scrypts.take() == 1, "a right code: one key derivation"
    assert store.site_for_code(access.new_code()) is None
    assert scrypts.take() == 1, "a wrong code: one key derivation too"
    assert store.site_for_code("nothing like a code") is None
    assert scrypts.take() == 1


def test_a_new_code_replaces_the_old_one_at_once(store, programme):
    site_id = _site(store, programme, "North")
    old, new = access.new_code(), access.new_code()
    store.set_access_code(site_id, old, WHO)
    store.set_access_code(site_id, new, WHO)
    assert store.site_for_code(new) == site_id and store.site_for_code(old) is None
    # A hash written without a lookup (as coprod 0.1 did) takes the lookup away too: the old code must not open it.
    store.set_access_hash(site_id, access.hash_code(old), WHO)
    assert store.site_for_code(new) is None and store.site_for_code(old) == site_id


def test_two_sites_cannot_share_a_code(store, programme):
    from coprod_widgets.problems import RecordInvalid

    north, south = _site(store, programme, "North"), _site(store, programme, "South")
    code = access.new_code()
    store.set_access_code(north, code, WHO)
    with pytest.raises(RecordInvalid, match="Another site already has this access code"):
        store.set_access_code(south, code, WHO)
    assert store.site_for_code(code) == north


def test_the_lookup_salt_is_made_once_and_kept(store, programme):
    site_id = _site(store, programme, "North")
    with store.writing() as conn:
        salt = store.access_salt(conn)
        assert store.access_salt(conn) == salt
    assert store.access_salt() == salt == store.secret(access.LOOKUP_SALT_SETTING)
    assert len(salt) == 64
    code = access.new_code()
    store.set_access_code(site_id, code, WHO)
    assert store.access_salt() == salt and store.site_for_code(code) == site_id


# ---- codes given before lookups (coprod 0.1) --------------------------------------------------------


def test_a_site_from_before_lookups_pays_the_old_check_once_then_is_fast(store, programme, scrypts):
    new_site, old_site, other_old = (_site(store, programme, name) for name in ("New", "Old", "Other old"))
    new_code, old_code, other_code = (access.new_code() for _ in range(3))
    store.set_access_code(new_site, new_code, WHO)
    store.set_access_hash(old_site, access.hash_code(old_code), "coprod 0.1")  # only the old hash, as 0.1 left it
    store.set_access_hash(other_old, access.hash_code(other_code), "coprod 0.1")
    _many_sites(store, programme, 20)
    assert store.sites_without_access_lookup() == [old_site, other_old]
    scrypts.take()

    assert store.site_for_code(new_code) == new_site
    assert scrypts.take() == 1, "a site with a lookup never waits for the old sites"
    assert store.site_for_code(access.new_code()) is None
    assert scrypts.take() == 1 + 2, "a wrong code: its lookup, then each old site's hash"

    assert store.site_for_code(old_code) == old_site
    assert scrypts.take() == 1 + 2, "the first use: the old check over the old sites only"
    assert store.sites_without_access_lookup() == [other_old]
    line = store.history("site", old_site)[-1]
    assert (line.who, line.action, line.old, line.new) == ("site app", "update", None, {"access_code": "lookup added"})
    assert old_code not in repr(store.history())

    assert store.site_for_code(old_code) == old_site
    assert scrypts.take() == 1, "from then on: one key derivation"
    assert store.site_for_code(access.new_code()) is None
    assert scrypts.take() == 1 + 1, "only the one site still without its lookup is checked the old way"

    assert store.site_for_code(other_code) == other_old
    assert store.sites_without_access_lookup() == []
    scrypts.take()
    for code, site_id in ((old_code, old_site), (other_code, other_old), (access.new_code(), None)):
        assert store.site_for_code(code) == site_id
        assert scrypts.take() == 1


def test_a_site_from_before_lookups_is_made_fast_at_once_by_a_new_code(store, programme):
    site_id = _site(store, programme, "Old")
    old_code, new_code = access.new_code(), access.new_code()
    store.set_access_hash(site_id, access.hash_code(old_code), "coprod 0.1")
    store.set_access_code(site_id, new_code, WHO)
    assert store.sites_without_access_lookup() == []
    assert store.site_for_code(new_code) == site_id and store.site_for_code(old_code) is None


def test_a_lookup_is_not_added_for_a_code_that_changed_meanwhile(store, programme):
    """The old check found the site, but its code was reset before the lookup was stored: the new code wins."""
    site_id = _site(store, programme, "Old")
    old_code, new_code = access.new_code(), access.new_code()
    store.set_access_hash(site_id, access.hash_code(old_code), "coprod 0.1")
    (stale_hash,) = [code_hash for found, code_hash in store.access_hashes() if found == site_id]
    store.set_access_code(site_id, new_code, WHO)
    store._add_access_lookup(site_id, stale_hash, access.lookup(old_code, store.access_salt()), "site app")
    assert store.site_for_code(old_code) is None and store.site_for_code(new_code) == site_id


def test_a_store_with_no_lookup_salt_yet_makes_one_on_the_first_attempt(store, programme):
    site_id = _site(store, programme, "Old")
    code = access.new_code()
    store.set_access_hash(site_id, access.hash_code(code), "coprod 0.1")
    assert store.site_for_code(code) == site_id
    assert store.sites_without_access_lookup() == []


def test_going_down_and_up_across_0005_keeps_every_code_working(tmp_path):
    from alembic import command

    url = f"sqlite:///{tmp_path / 'store.db'}"
    store = Store.open(url)
    programme = _programme(store)
    fast, old = _site(store, programme, "Fast"), _site(store, programme, "Old")
    codes = {fast: access.new_code(), old: access.new_code()}
    store.set_access_code(fast, codes[fast], WHO)
    store.set_access_hash(old, access.hash_code(codes[old]), "coprod 0.1")
    store.close()

    engine = engine_for(url)
    with engine.begin() as conn:
        command.downgrade(_config(conn), "0004_self_assessment_answers")
    with engine.connect() as conn:
        hashes = [
            (row.id, row.access_code_hash)
            for row in conn.execute(select(TABLES["site"].c.id, TABLES["site"].c.access_code_hash))
        ]
    for site_id, code in codes.items():
        assert access.site_for_code(hashes, code) == site_id, "before 0005 every code opens its site by its hash"
    with engine.begin() as conn:
        command.upgrade(_config(conn), "head")
    engine.dispose()

    store = Store.open(url)
    try:
        assert store.sites_without_access_lookup() == [fast, old], "lookups went with the column"
        for site_id, code in codes.items():
            assert store.site_for_code(code) == site_id
        assert store.sites_without_access_lookup() == []
        assert store.site_for_code(access.new_code()) is None
    finally:
        store.close()


# ---- the words ----------------------------------------------------------------------------------------

#: Words the demo's codes gave before the blocklist, among others that must never be in a code.
UNKIND = ("crazy", "wrath", "stank", "widow", "throb", "coma", "grave", "agony", "hate", "panic", "coke")


def test_the_blocklist_is_all_eff_words_and_takes_out_the_unkind_ones():
    eff = set(access.eff_words())
    blocked = access.blocklist()
    assert blocked <= eff, f"not in the EFF short list (stale?): {sorted(blocked - eff)}"
    assert set(UNKIND) <= blocked
    text = (resources.files("coprod_widgets") / "access_blocklist.txt").read_text(encoding="utf-8")
    listed = [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]
    assert len(listed) == len(set(listed)) == len(blocked), "one word a line, none twice"
    assert all(re.fullmatch(r"[a-z]+", word) for word in listed)


def test_new_codes_never_hold_a_blocked_word():
    blocked = access.blocklist()
    seen: set[str] = set()
    for _ in range(2000):
        words = access.new_code().split("-")
        assert len(words) == access.WORDS_PER_CODE
        seen.update(words)
    assert not seen & blocked
    assert len(seen) > 900, "codes draw on the whole of what is left"


def test_the_stated_number_of_words_and_codes_is_right():
    left = len(access._word_list())
    assert left == len(access.eff_words()) - len(access.blocklist())
    doc = " ".join(access.__doc__.split())
    assert f"{left:,} words, so {left}**{access.WORDS_PER_CODE}" in doc
    assert f"{left**access.WORDS_PER_CODE:.1e}".replace("+", "") in doc
    assert f"({math.floor(access.WORDS_PER_CODE * math.log2(left))} bits)" in doc


def test_a_code_with_a_blocked_word_given_before_still_opens_its_site(store, programme):
    site_id = _site(store, programme, "North")
    code = "crazy-wrath-stank-widow-throb"
    store.set_access_code(site_id, code, WHO)
    assert store.site_for_code(code) == site_id
    store.set_access_hash(site_id, access.hash_code(code), "coprod 0.1")
    assert store.site_for_code(code) == site_id


# ---- how long a check takes (printed, not asserted) --------------------------------------------------


def _timed(check, repeat: int = 3) -> float:
    best = math.inf
    for _ in range(repeat):
        started = time.perf_counter()
        check()
        best = min(best, time.perf_counter() - started)
    return best


def test_benchmark_wrong_and_right_codes_at_6_60_and_600_sites(tmp_path):
    lines = []
    for sites in (6, 60, 600):
        store = Store.open(f"sqlite:///{tmp_path / f'{sites}.db'}")
        try:
            programme = _programme(store)
            site_id = _site(store, programme, "North")
            code = access.new_code()
            store.set_access_code(site_id, code, WHO)
            _many_sites(store, programme, sites - 1)
            wrong = access.new_code()
            right_s = _timed(lambda store=store, code=code, site_id=site_id: store.site_for_code(code) == site_id)
            wrong_s = _timed(lambda store=store, wrong=wrong: store.site_for_code(wrong))
            old_s = (
                _timed(lambda store=store, wrong=wrong: access.site_for_code(store.access_hashes(), wrong), repeat=1)
                if sites <= 60
                else None
            )
            old = f"{old_s * 1000:7.0f} ms" if old_s is not None else "(not run)"
            lines.append(
                f"{sites:4d} sites: right code {right_s * 1000:6.1f} ms, wrong code {wrong_s * 1000:6.1f} ms; "
                f"the old check of every hash, wrong code: {old}"
            )
        finally:
            store.close()
    print("\nAccess-code check (best of 3):\n" + "\n".join(lines))

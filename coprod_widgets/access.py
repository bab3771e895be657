"""Site access codes: several short words (easy to read out and type), never stored themselves.

A code is five words from the EFF short word list, less the words in ``access_blocklist.txt`` (unkind or
alarming ones, such as *crazy* or *widow*): 1,047 words, so 1047**5, about 1.3e15 codes (50 bits). With
scrypt and the site app's slow-down after wrong attempts, guessing one is hopeless.

Each site keeps two things derived from its code:

- the *lookup*: scrypt of the code with one random salt for the whole store (``Store.secret``, setting
  ``access_lookup_salt``). The same code always gives the same lookup, so a typed code is turned into its
  lookup once and the site found by it in one indexed query: one key derivation per attempt, right or
  wrong, however many sites there are;
- the *hash*: scrypt with a salt of its own (``scrypt$n$r$p$salt$digest``), as coprod 0.1 stored it. Sites
  whose code was issued before lookups existed have only this; they are found by checking each such hash
  (the old, slower way) until their code is first used, when their lookup is added. ``coprod site
  reset-code`` gives a site a new code with a lookup at once.

Checking a code never reads the blocklist, so codes already given out keep working.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from functools import lru_cache
from importlib import resources

WORDS_PER_CODE = 5
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}
#: The setting (see ``Store.secret``) that holds the store's salt for lookups.
LOOKUP_SALT_SETTING = "access_lookup_salt"


@lru_cache(maxsize=1)
def eff_words() -> tuple[str, ...]:
    """The EFF short word list as xkcdpass ships it (words of letters only: ``yo-yo`` is left out)."""
    text = (resources.files("xkcdpass") / "static" / "eff-short").read_text(encoding="utf-8")
    return tuple(word for word in text.split() if word.isalpha())


@lru_cache(maxsize=1)
def blocklist() -> frozenset[str]:
    """Words new codes never use (``access_blocklist.txt``: one a line, ``#`` starts a comment)."""
    text = (resources.files(__package__) / "access_blocklist.txt").read_text(encoding="utf-8")
    lines = (line.split("#", 1)[0].strip().lower() for line in text.splitlines())
    return frozenset(line for line in lines if line)


@lru_cache(maxsize=1)
def _word_list() -> tuple[str, ...]:
    blocked = blocklist()
    return tuple(word for word in eff_words() if word not in blocked)


def new_code(words: int = WORDS_PER_CODE) -> str:
    """A fresh random code such as ``acorn-bliss-crumb-jolly-quote``."""
    vocabulary = _word_list()
    return "-".join(secrets.choice(vocabulary) for _ in range(words))


def normalise(code: str) -> str:
    """Forgive case, spaces and punctuation between words: people read codes out to each other."""
    return "-".join(re.findall(r"[a-z]+", code.lower()))


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def hash_code(code: str) -> str:
    """The code's hash with a salt of its own: what coprod 0.1 stored, and still kept beside the lookup."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(normalise(code).encode(), salt=salt, dklen=32, **_SCRYPT)
    return f"scrypt${_SCRYPT['n']}${_SCRYPT['r']}${_SCRYPT['p']}${_b64(salt)}${_b64(digest)}"


def lookup(code: str, salt: str) -> str:
    """The code's lookup: scrypt with the store's one salt, so equal codes give equal lookups (one KDF)."""
    digest = hashlib.scrypt(normalise(code).encode(), salt=salt.encode("utf-8"), dklen=32, **_SCRYPT)
    return _b64(digest)


def issue(code: str, salt: str) -> tuple[str, str]:
    """What a site keeps for a newly issued code: its hash and its lookup (``salt``: the store's lookup salt)."""
    return hash_code(code), lookup(code, salt)


def matches(code: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    candidate = hashlib.scrypt(
        normalise(code).encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p), dklen=32
    )
    return hmac.compare_digest(candidate, base64.b64decode(digest))


def site_for_code(hashes: list[tuple[int, str]], code: str) -> int | None:
    """The site whose code this is, by its salted hash, or None: the old way, one key derivation per site.

    Every hash is checked, so timing says nothing about which. The site app uses ``Store.site_for_code``,
    which needs this only for sites that have no lookup yet.
    """
    found = None
    for site_id, stored in hashes:
        if matches(code, stored) and found is None:
            found = site_id
    return found

"""Site access codes: several short words (easy to read out and type), stored only as a salted hash.

Five words from the EFF short word list give 1296**5, about 3.7e15 codes (51 bits): with scrypt
and the site app's slow-down after wrong attempts, guessing one is hopeless.
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


@lru_cache(maxsize=1)
def _word_list() -> tuple[str, ...]:
    text = (resources.files("xkcdpass") / "static" / "eff-short").read_text(encoding="utf-8")
    return tuple(word for word in text.split() if word.isalpha())


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
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(normalise(code).encode(), salt=salt, dklen=32, **_SCRYPT)
    return f"scrypt${_SCRYPT['n']}${_SCRYPT['r']}${_SCRYPT['p']}${_b64(salt)}${_b64(digest)}"


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
    """The site whose code this is, or None. Every hash is checked, so timing says nothing about which."""
    found = None
    for site_id, stored in hashes:
        if matches(code, stored) and found is None:
            found = site_id
    return found

"""Writing the store out for other tools: one CSV file per record type."""

from __future__ import annotations

from pathlib import Path

from .records import RECORD_TYPES
from .store import Store


def write_csv(store: Store, out_dir: Path) -> dict[str, int]:
    """Write ``<kind>.csv`` for every record type into ``out_dir``; return the rows written per type.

    Access-code hashes are never included (the store does not read them back). Choices are codes.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    for kind in RECORD_TYPES:
        frame = store.frame(kind)
        frame.to_csv(out_dir / f"{kind}.csv", index=False)
        counts[kind] = len(frame)
    return counts

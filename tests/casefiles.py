"""Test cases kept as data files under tests/cases/."""

from __future__ import annotations

from pathlib import Path

import yaml

CASES = Path(__file__).parent / "cases"


def load_cases(name: str) -> list[dict]:
    return yaml.safe_load((CASES / name).read_text(encoding="utf-8"))


def fill(value, refs: dict[str, int]):
    """Replace "$name" placeholders in a case with ids from the fixture store."""
    if isinstance(value, str) and value.startswith("$"):
        return refs[value[1:]]
    if isinstance(value, list):
        return [fill(item, refs) for item in value]
    if isinstance(value, dict):
        return {key: fill(item, refs) for key, item in value.items()}
    return value

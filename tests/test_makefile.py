"""The Makefile's rules, read with ``make -n`` (printed, never run)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

#: (user id, whether `make lab` tells JupyterLab it may run as root): it refuses root without being told.
LAB_CASES = [("0", True), ("1000", False)]


def planned(target: str, *settings: str) -> list[str]:
    """The command lines ``make`` would run for ``target``, as if its prerequisites were up to date."""
    done = subprocess.run(
        ["make", "-n", "-B", "-o", ".venv/.installed-app", target, *settings],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.splitlines()


@pytest.mark.parametrize(("user_id", "allowed"), LAB_CASES, ids=["root", "anyone else"])
def test_make_lab_lets_root_start_jupyterlab(user_id, allowed):
    (lab,) = [line for line in planned("lab", f"USER_ID={user_id}") if "jupyter lab" in line]
    assert ("--allow-root" in lab.split()) is allowed, lab
    assert lab.split()[-1] == "workbooks/"


def test_make_lab_asks_who_is_running_it():
    """Without USER_ID, the flag follows the account actually running make."""
    (lab,) = [line for line in planned("lab") if "jupyter lab" in line]
    assert ("--allow-root" in lab.split()) is (os.geteuid() == 0), lab

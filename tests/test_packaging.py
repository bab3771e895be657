"""The project's own files describe one consistent installation."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent


def pyproject_requirements() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    listed = project["dependencies"] + project["optional-dependencies"]["test"]
    return {Requirement(line).name.lower(): str(Requirement(line).specifier) for line in listed}


def conda_requirements() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    lines = [d for d in env["dependencies"] if isinstance(d, str)]
    lines += [d for d in next(d["pip"] for d in env["dependencies"] if isinstance(d, dict)) if not d.startswith("-e")]
    found = {}
    for line in lines:
        name, _, spec = line.partition(" ")
        found[name.lower()] = str(Requirement(f"x{spec.replace(' ', '')}").specifier)
    return found


def test_environment_yml_lists_the_same_pinned_dependencies_as_pyproject():
    conda = conda_requirements()
    for name, spec in pyproject_requirements().items():
        assert name in conda, f"{name} is in pyproject.toml but not environment.yml"
        assert conda[name] == spec, f"{name}: pyproject {spec} but environment.yml {conda[name]}"
    extras = set(conda) - set(pyproject_requirements()) - {"python", "pip"}
    assert not extras, f"environment.yml lists packages pyproject.toml does not: {extras}"


def test_every_dependency_has_an_upper_bound():
    for name, spec in {**pyproject_requirements(), **conda_requirements()}.items():
        if name == "pip":
            continue
        assert re.search(r"<", spec) and re.search(r">=", spec), f"{name} needs a bounded pin, has {spec!r}"


def test_environment_installs_the_package_from_conda_forge():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert env["channels"][0] == "conda-forge"
    pip_lines = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert "-e ." in pip_lines


def test_ci_runs_the_readme_test_command():
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    readme = (ROOT / "README.md").read_text()
    assert "make app" in readme and "make test" in readme


def test_package_data_carries_every_non_python_file_the_package_reads():
    """An installed (non-editable) coprod must still find its report template."""
    from fnmatch import fnmatch

    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    package = ROOT / "coprod_widgets"
    data_files = [
        p
        for p in package.rglob("*")
        if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts
    ]
    assert data_files, "expected the report template files"
    for path in data_files:
        owner = ".".join(path.relative_to(ROOT).parent.parts)
        patterns = {pkg: globs for pkg, globs in package_data.items() if owner.startswith(pkg)}
        relative = {pkg: path.relative_to(ROOT / pkg.replace(".", "/")).as_posix() for pkg in patterns}
        assert any(fnmatch(relative[pkg], glob) for pkg, globs in patterns.items() for glob in globs), path


def test_library_code_does_not_import_the_command_line():
    """The command line sits on top of the library, never under it (as datasette keeps database.py under cli.py)."""
    import subprocess
    import sys

    libraries = [
        "exports",
        "reports.pages",
        "reports.run",
        "evaluatorapp",
        "siteapp.app",
        "erasure",
        "backup",
        "restore",
        "upgrade",
    ]
    code = (
        f"import sys\nfor name in {libraries!r}:\n    __import__('coprod_widgets.' + name)\n"
        "print(sorted(m for m in sys.modules if m.startswith('coprod_widgets.cli')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"

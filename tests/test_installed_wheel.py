"""Installed, not only checked out: the built wheel, in a fresh venv outside the checkout, runs coprod.

The wheel is built the way an index would build it (an sdist first, then the wheel from the unpacked
sdist), offline, with the project venv's setuptools. It is installed into a new venv that borrows its
dependencies (jupyter, papermill, voila...) from the project venv through a plain path in a ``.pth``
file: that path adds the packages but not the project venv's own ``.pth`` files, so the editable
coprod of the checkout cannot leak in. Every command runs from a folder outside the checkout, with a
new HOME and no COPROD_* or JUPYTER_* variables.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import time
import zipfile
from pathlib import Path

import pytest

from coprod_widgets import settings
from coprod_widgets.demo import DEMO_PROGRAMME_NAME
from tests.servers import ServerProcess, free_port, get, stop_server, wait_until_ready

ROOT = Path(__file__).resolve().parent.parent
#: What the sdist is built from: the package, the workbooks and the build files (as in a clean clone).
SOURCES = ["pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "coprod_widgets", "workbooks", "data/instruments",
           "data/codebook"]  # fmt: skip
WORKBOOKS = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "workbooks").glob("*/*.ipynb"))


def run(command, **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, **kwargs)
    assert done.returncode == 0, f"{command} failed ({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


def build_wheel(work: Path) -> Path:
    source = work / "source"
    source.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints")
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, ignore=ignore)
        else:
            shutil.copy2(ROOT / name, source / name)
    dist = work / "dist"
    run([sys.executable, "-c", f"from setuptools import build_meta; build_meta.build_sdist({str(dist)!r})"], cwd=source)
    (sdist,) = dist.glob("coprod-*.tar.gz")
    with tarfile.open(sdist) as archive:
        safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}  # Python 3.11.4 and later
        archive.extractall(work / "unpacked", **safe)
    (unpacked,) = (work / "unpacked").iterdir()
    run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--quiet",
            "--wheel-dir",
            str(dist),
            str(unpacked),
        ],
        cwd=work,
    )
    (wheel,) = dist.glob("coprod-*.whl")
    return wheel


def clean_environment(fresh: Path, home: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("COPROD_", "JUPYTER", "PYTHON", "VIRTUAL_ENV"))
    }
    env["HOME"] = str(home)
    env["PATH"] = f"{fresh / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(fresh)
    return env


def test_a_home_without_workbooks_gets_the_ones_that_came_with_coprod(tmp_path, monkeypatch):
    monkeypatch.setenv(settings.HOME_VARIABLE, str(tmp_path))
    assert settings.bundled_workbooks_dir() == ROOT / "workbooks"
    assert settings.site_app_notebook() == ROOT / "workbooks" / "site" / "site_app.ipynb"
    assert settings.evaluator_workbooks_dir() == ROOT / "workbooks" / "evaluator"
    assert settings.report_workbooks_dir() == ROOT / "workbooks" / "reports"


def test_a_home_with_its_own_workbooks_folder_keeps_it(tmp_path, monkeypatch):
    monkeypatch.setenv(settings.HOME_VARIABLE, str(tmp_path))
    (tmp_path / "workbooks" / "site").mkdir(parents=True)
    assert settings.site_workbooks_dir() == tmp_path / "workbooks" / "site"
    assert settings.report_workbooks_dir() == ROOT / "workbooks" / "reports"


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """``(wheel, venv, environment, working folder)``: coprod installed from its wheel, away from the checkout."""
    work = tmp_path_factory.mktemp("installed")
    began = time.perf_counter()
    wheel = build_wheel(work)
    fresh = work / "fresh"
    run([sys.executable, "-m", "venv", "--without-pip", str(fresh)])
    python = fresh / "bin" / "python"
    # Installed before the dependencies are borrowed, so pip sees no coprod already there.
    run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--no-deps",
            "--no-index",
            "--quiet",
            str(wheel),
        ]
    )
    fresh_site = Path(run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"]).stdout.strip())
    (fresh_site / "zz_project_dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    # The dependencies' data files (nbconvert and Voila templates, the python3 kernel spec) in the prefix,
    # where installing them into this venv would have put them.
    (fresh / "share").mkdir(exist_ok=True)
    (fresh / "share" / "jupyter").symlink_to(Path(sys.prefix) / "share" / "jupyter")
    home, elsewhere = work / "home", work / "elsewhere"
    home.mkdir()
    elsewhere.mkdir()
    print(f"wheel {wheel.stat().st_size} bytes; built and installed in {time.perf_counter() - began:.1f} s")
    return wheel, fresh, clean_environment(fresh, home), elsewhere


@pytest.mark.long
def test_the_wheel_carries_the_workbooks_templates_migrations_and_instruments(installed):
    wheel = installed[0]
    names = set(zipfile.ZipFile(wheel).namelist())
    for notebook in WORKBOOKS:
        assert f"coprod_widgets/{notebook}" in names, notebook
    assert "coprod_widgets/workbooks/reports/programme_report.ipynb" in names
    assert "coprod_widgets/reports/templates/coprod_report/index.html.j2" in names
    assert "coprod_widgets/migrations/env.py" in names
    for form in (ROOT / "data" / "instruments").glob("*.md"):
        assert f"coprod_widgets/instruments/{form.name}" in names, form.name
    assert "coprod_widgets/codebook/learning-points.yaml" in names
    versions = [p for p in (ROOT / "coprod_widgets" / "migrations" / "versions").glob("*.py")]
    assert versions
    for path in versions:
        assert f"coprod_widgets/migrations/versions/{path.name}" in names, path.name


@pytest.mark.long
def test_the_installed_coprod_is_the_wheel_not_the_checkout(installed):
    _wheel, fresh, env, elsewhere = installed
    probe = (
        "import json, coprod_widgets\n"
        "from coprod_widgets import settings\n"
        "from jupyter_client import KernelManager\n"
        "print(json.dumps({'package': coprod_widgets.__file__, 'root': str(settings.project_root()),\n"
        "  'reports': str(settings.report_workbooks_dir()), 'site_app': str(settings.site_app_notebook()),\n"
        "  'evaluator': str(settings.evaluator_workbooks_dir()),\n"
        "  'kernel': KernelManager(kernel_name='python3').format_kernel_cmd()[0]}))\n"
    )
    found = json.loads(run([str(fresh / "bin" / "python"), "-c", probe], cwd=elsewhere, env=env).stdout)
    package = Path(found["package"]).parent
    assert package.is_relative_to(fresh), found
    assert Path(found["root"]) == Path(env["HOME"]) / ".local" / "share" / "coprod"
    assert Path(found["reports"]) == package / "workbooks" / "reports"
    assert Path(found["site_app"]).is_file() and Path(found["site_app"]).is_relative_to(package)
    shipped = sorted(p.name for p in Path(found["evaluator"]).glob("*.ipynb"))
    assert shipped == sorted(p.name for p in (ROOT / "workbooks" / "evaluator").glob("*.ipynb"))
    # papermill's kernel (python3) is this venv's Python, so the report notebook imports the wheel's coprod.
    assert Path(found["kernel"]).parent == fresh / "bin", found


@pytest.mark.long
def test_installed_coprod_makes_the_demo_and_the_programme_report(installed):
    _wheel, fresh, env, elsewhere = installed
    coprod = str(fresh / "bin" / "coprod")
    url = f"sqlite:///{elsewhere / 'store.db'}"
    run([coprod, "--db", url, "demo"], cwd=elsewhere, env=env)
    run([coprod, "--db", url, "upgrade"], cwd=elsewhere, env=env)
    began = time.perf_counter()
    out = elsewhere / "report.html"
    done = run([coprod, "--db", url, "report", "--programme", "--out", str(out)], cwd=elsewhere, env=env)
    print(f"report in {time.perf_counter() - began:.1f} s")
    html = out.read_text(encoding="utf-8")
    assert DEMO_PROGRAMME_NAME in html
    assert "Traceback" not in html and "Traceback" not in done.stdout + done.stderr


@pytest.mark.long
@pytest.mark.server
def test_installed_coprod_serves_the_site_app(installed):
    _wheel, fresh, env, elsewhere = installed
    coprod = str(fresh / "bin" / "coprod")
    url = f"sqlite:///{elsewhere / 'served.db'}"
    run([coprod, "--db", url, "demo"], cwd=elsewhere, env=env)
    port = free_port()
    log = elsewhere / "serve.log"
    with log.open("w") as handle:
        process = subprocess.Popen(
            [coprod, "--db", url, "serve", "--port", str(port)],
            cwd=elsewhere,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=handle,
            stderr=subprocess.STDOUT,
        )
    server = ServerProcess(process=process, port=port, log_path=log)
    try:
        wait_until_ready(server)
        status, body = get(server.base_url, timeout=120)
        assert status == 200, body[-2000:]
        assert "Record your site&#39;s co-production" in body or "Record your site's co-production" in body
        assert "Traceback" not in body and "There was an error when executing cell" not in body
        served = next(line for line in server.log().splitlines() if line.startswith("Serving the site app from"))
        assert str(fresh) in served, served
    finally:
        stop_server(server, remove_log=False)

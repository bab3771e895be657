"""One build step pyproject.toml cannot say: the workbooks and the shared instruments travel inside the wheel.

``workbooks/`` (the site app, the evaluator workbooks and the report notebooks) stays the one copy in
git, beside the package, where JupyterLab and ``COPROD_HOME`` expect it. A built wheel carries a copy
in ``coprod_widgets/workbooks/``, so that ``coprod serve``, ``coprod serve --evaluator`` and
``coprod report`` work from an installed coprod outside a checkout (see ``settings.bundled_workbooks_dir``).
The XLSForms in ``data/instruments/`` go to ``coprod_widgets/instruments/`` (see ``settings.instruments_dir``),
and the interview codebook in ``data/codebook/`` to ``coprod_widgets/codebook/`` (see ``settings.codebook_dir``).
An editable install reads the checkout's own folders and copies nothing.
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

WORKBOOKS = Path(__file__).resolve().parent / "workbooks"
INSTRUMENTS = Path(__file__).resolve().parent / "data" / "instruments"
CODEBOOK = Path(__file__).resolve().parent / "data" / "codebook"
FOLDERS = ("site", "evaluator", "reports")


class BuildWithWorkbooks(build_py):
    def run(self):
        super().run()
        if self.editable_mode:
            return
        notebooks = [p for folder in FOLDERS for p in sorted((WORKBOOKS / folder).glob("*.ipynb"))]
        if not any(p.name == "site_app.ipynb" for p in notebooks):
            raise SystemExit(f"coprod's workbooks are missing from {WORKBOOKS}: build from a checkout or its sdist.")
        for notebook in notebooks:
            target = Path(self.build_lib, "coprod_widgets", "workbooks", notebook.relative_to(WORKBOOKS))
            self.mkpath(str(target.parent))
            self.copy_file(str(notebook), str(target))
        self._copy_data(INSTRUMENTS, "*.md", "instruments", "shared instruments")
        self._copy_data(CODEBOOK, "*.yaml", "codebook", "interview codebook")

    def _copy_data(self, folder: Path, pattern: str, target: str, what: str) -> None:
        """``data/<folder>``'s files into the wheel's ``coprod_widgets/<target>``; refused when there are none."""
        files = sorted(folder.glob(pattern))
        if not files:
            raise SystemExit(f"coprod's {what} are missing from {folder}: build from a checkout.")
        for source in files:
            copy = Path(self.build_lib, "coprod_widgets", target, source.name)
            self.mkpath(str(copy.parent))
            self.copy_file(str(source), str(copy))


setup(cmdclass={"build_py": BuildWithWorkbooks})

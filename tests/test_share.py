"""The Share panel of the evaluator workbooks: its buttons make real reports and exports."""

from __future__ import annotations

import os

import ipywidgets as widgets
import pytest

from coprod_widgets.evaluatorapp import Workbook
from coprod_widgets.evaluatorapp.share import PROGRAMME, SharePanel
from coprod_widgets.exports import read_export
from coprod_widgets.store import Store


@pytest.fixture
def panel(demo_db_url, tmp_path):
    made = SharePanel(demo_db_url, ["Saltmere", "Fenmarsh"], site="Saltmere", folder=tmp_path / "shared")
    yield made
    widgets.Widget.close_all()


def test_the_panel_starts_on_the_workbook_site_and_labels_every_control(panel):
    assert panel.scope.value == "Saltmere" and panel.scope.options[0] == PROGRAMME
    for control in (panel.scope, panel.format, panel.pdf, panel.labels, panel.deidentify, panel.progress):
        assert control.description, "every control needs a label"


def test_export_button_writes_a_workbook_that_reads_back(panel, demo_db_url):
    panel.format.value = "Excel workbook (.xlsx)"
    panel.export_button.click()
    files = list(panel.folder.glob("export-*.xlsx"))
    assert len(files) == 1, panel.status.value
    assert "Wrote 1 file(s)" in panel.status.value and panel.progress.value == panel.progress.max
    store = Store.open(demo_db_url)
    assert len(read_export(files[0])["partner"]) == len(store.records("partner"))
    store.close()
    assert not panel.export_button.disabled and not panel.report_button.disabled


def test_deidentified_csv_export_names_no_partner(panel, demo_db_url):
    panel.format.value = "CSV files (a folder)"
    panel.deidentify.value = True
    panel.export_button.click()
    (folder,) = panel.folder.glob("export-deidentified-*")
    text = "\n".join(path.read_text(encoding="utf-8") for path in folder.glob("*.csv"))
    store = Store.open(demo_db_url)
    names = {p.display_name for p in store.records("partner")}
    store.close()
    assert not [name for name in names if name in text]


def test_report_button_writes_the_site_report(panel):
    path = panel.make_report()
    assert path is not None and path.name.startswith("saltmere-report-") and path.exists(), panel.status.value
    assert "Saltmere: co-production report" in path.read_text(encoding="utf-8")
    assert "Wrote" in panel.status.value and panel.progress.value == panel.progress.max


def test_a_folder_that_cannot_be_made_is_said_in_words(demo_db_url, tmp_path):
    (tmp_path / "taken").write_text("a file where the folder should be")
    panel = SharePanel(demo_db_url, ["Saltmere"], folder=tmp_path / "taken")
    panel.export_button.click()
    assert "Nothing was exported" in panel.status.value
    assert panel.make_report() is None and "The report was not made" in panel.status.value
    widgets.Widget.close_all()


def test_the_panel_writes_for_its_owner_only(panel):
    old = os.umask(0o022)
    try:
        panel.format.value = "CSV files (a folder)"
        panel.export_button.click()
    finally:
        os.umask(old)
    (export,) = panel.folder.glob("export-*")
    modes = {path.name: oct(path.stat().st_mode & 0o777) for path in [panel.folder, export, *export.iterdir()]}
    expected = {name: "0o600" for name in modes}
    expected.update({panel.folder.name: "0o700", export.name: "0o700"})
    assert modes == expected, panel.status.value


def test_workbook_share_offers_every_site(demo_db_url):
    workbook = Workbook.open(site="Fenmarsh", url=demo_db_url)
    shared = workbook.share()
    dropdown = shared.children[1].children[0]
    assert dropdown.value == "Fenmarsh" and len(dropdown.options) == 7
    widgets.Widget.close_all()


def test_the_shared_folder_follows_coprod_shared_dir(monkeypatch, tmp_path):
    from coprod_widgets import settings
    from coprod_widgets.evaluatorapp.share import shared_dir

    monkeypatch.delenv("COPROD_SHARED_DIR", raising=False)
    assert shared_dir() == settings.data_dir() / "shared"
    monkeypatch.setenv("COPROD_SHARED_DIR", str(tmp_path / "mine"))
    assert shared_dir() == tmp_path / "mine"
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("COPROD_SHARED_DIR", "~/coprod-workbooks/shared")
    assert shared_dir() == tmp_path / "coprod-workbooks" / "shared"


@pytest.mark.parametrize(
    ("chosen", "scope"),
    [(["Saltmere"], "Saltmere"), (["Saltmere", "Fenmarsh"], PROGRAMME), ([], PROGRAMME)],
    ids=["one site", "two sites", "all sites"],
)
def test_the_heading_and_the_share_panel_follow_the_filters(demo_db_url, chosen, scope):
    """A deep dive switched from Fenmarsh to Saltmere says so, and its Share panel makes Saltmere's report."""
    from coprod_widgets.evaluation.filters import Filters

    workbook = Workbook.open(site="Fenmarsh", url=demo_db_url)
    heading, shared = workbook.heading(), workbook.share()
    assert "Fenmarsh" in heading.text
    workbook.apply(Filters(sites=chosen))
    assert f"Showing {', '.join(chosen) or 'all sites'}" in heading.text
    assert shared.children[1].children[0].value == scope
    widgets.Widget.close_all()

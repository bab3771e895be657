"""The welcome page's programme heading: the name, escaped, and "fictional" said once when it is."""

from __future__ import annotations

import re

import pytest

from coprod_widgets.demo import DEMO_PROGRAMME_NAME
from coprod_widgets.overview import ProgrammeOverview

#: (id, programme name, fictional, the heading's text)
HEADINGS = [
    ("the demo", DEMO_PROGRAMME_NAME, True, DEMO_PROGRAMME_NAME),
    ("fictional, name silent", "Foot care pilot", True, "Foot care pilot (fictional demonstration data)"),
    ("real", "Foot care pilot", False, "Foot care pilot"),
    ("real, escaped", "Care <b>& support</b>", False, "Care &lt;b&gt;&amp; support&lt;/b&gt;"),
]


@pytest.mark.parametrize(
    ("name", "fictional", "heading"), [case[1:] for case in HEADINGS], ids=[case[0] for case in HEADINGS]
)
def test_the_heading_says_fictional_once(store, name, fictional, heading):
    store.add("programme", {"name": name, "fictional": fictional}, who="tester")
    (shown,) = re.findall(r"<h2>(.*?)</h2>", ProgrammeOverview(store)._repr_html_())
    assert re.sub(r"</?strong>", "", shown) == heading
    assert shown.lower().count("fictional") == heading.lower().count("fictional") <= 1

"""Live zoom in a real JupyterLab and Chromium: a mouse drag on the overview re-buckets it.

The notebook shows ``incident_overview(..., live=True)`` for three hours of events (30 s
buckets); dragging a zoom box over about a twentieth of the plot makes the kernel recount
that range, and the title's bucket size changes to a finer one. A double-click zooms out
and brings the 30 s buckets back.
"""

from __future__ import annotations

import re

import nbformat
import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

CELL = """
import numpy as np, pandas as pd
from postmortem_kit.explore import incident_overview
rng = np.random.default_rng(1)
start = pd.Timestamp("2026-10-14 13:00", tz="UTC")
ns = start.value + np.sort(rng.integers(0, 3 * 3600 * 10**9, 50_000))
logs = pd.DataFrame({
    "timestamp": pd.to_datetime(ns, unit="ns", utc=True),
    "source": rng.choice(["api", "db"], len(ns)),
    "severity": rng.choice(["info", "error"], len(ns)),
})
widget = incident_overview(None, logs, live=True)
"""


def test_dragging_a_zoom_box_refines_the_bucket_on_the_title(lab, jupyter_root_dir):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nb.cells = [nbformat.v4.new_code_cell(CELL)]
    nbformat.write(nb, jupyter_root_dir / "zoom.ipynb")
    lab.open("zoom.ipynb")
    lab.run_all(".js-plotly-plot .gtitle")
    title = lab.page.locator(".js-plotly-plot .gtitle").first
    expect(title).to_contain_text("per 30 s bucket")

    drag = lab.page.locator(".js-plotly-plot .nsewdrag").first
    box = drag.bounding_box()
    y = box["y"] + box["height"] / 2
    x0 = box["x"] + box["width"] * 0.40
    lab.page.mouse.move(x0, y)
    lab.page.mouse.down()
    lab.page.mouse.move(x0 + box["width"] * 0.025, y, steps=5)
    lab.page.mouse.move(x0 + box["width"] * 0.05, y, steps=5)
    lab.page.mouse.up()
    # ~9 min of 3 h: at most 400 buckets gives 2 s, never again 30 s
    expect(title).not_to_contain_text("per 30 s bucket")
    expect(title).to_have_text(re.compile(r"per \d+ s bucket"))
    finer = int(re.search(r"per (\d+) s bucket", title.text_content()).group(1))
    assert finer < 30

    drag.dblclick(position={"x": box["width"] / 2, "y": box["height"] / 2})
    expect(title).to_contain_text("per 30 s bucket")

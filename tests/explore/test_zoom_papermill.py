"""``live="auto"`` under papermill (how reports are published) emits a static plotly figure.

The published report collects ``application/vnd.plotly.v1+json`` outputs; a FigureWidget
would only leave a widget reference. The kernel here is a real one started by papermill,
with ``JPY_SESSION_NAME`` removed from its environment as a Jupyter server would not have
set it.
"""

from __future__ import annotations

import os

import nbformat
import papermill
import pytest

pytestmark = pytest.mark.notebook

CELL = """
import numpy as np, pandas as pd
from postmortem_kit.explore import incident_overview
times = pd.date_range("2026-10-14 13:00", periods=600, freq="10s", tz="UTC")
logs = pd.DataFrame({"timestamp": times, "source": "api", "severity": "info"})
figure = incident_overview(None, logs, live="auto")
"""


def test_auto_is_static_in_a_papermill_run(tmp_path, monkeypatch):
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    monkeypatch.setenv("PYTHONPATH", os.getcwd() + os.pathsep + os.environ.get("PYTHONPATH", ""))
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(CELL)])
    source, executed = tmp_path / "in.ipynb", tmp_path / "out.ipynb"
    nbformat.write(notebook, source)
    papermill.execute_notebook(
        str(source), str(executed), kernel_name="python3", progress_bar=False, cwd=str(tmp_path)
    )
    outputs = nbformat.read(executed, as_version=4).cells[0].outputs
    bundles = [o.get("data", {}) for o in outputs if o.output_type == "display_data"]
    assert len(bundles) == 1
    assert "application/vnd.plotly.v1+json" in bundles[0]
    assert "application/vnd.jupyter.widget-view+json" not in bundles[0]
    layout = bundles[0]["application/vnd.plotly.v1+json"]["layout"]
    assert layout["meta"]["bucket"] == "15 s"  # 100 min / 400 = 15 s

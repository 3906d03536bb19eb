"""The template notebook on the sample incident, run top to bottom in a real JupyterLab:
no cell raises, every figure draws, and the figures are live (they re-aggregate on zoom)."""

from __future__ import annotations

import pytest

from postmortem_kit.incident import copy_sample_incident

pytestmark = pytest.mark.browser

EDITOR = ".pmk-report-editor"


def test_template_runs_on_the_sample_incident_in_jupyterlab(lab, jupyter_root_dir):
    folder = copy_sample_incident(jupyter_root_dir / "sample-run")
    before = (folder / "postmortem.yaml").read_bytes()
    lab.open(f"sample-run/{folder.name}/postmortem.ipynb")
    lab.run_all(EDITOR)
    page = lab.page
    assert page.locator(".jp-OutputArea-output", has_text="Traceback").count() == 0
    assert page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]',
                        has_text="Error").count() == 0  # fmt: skip
    # overview, metrics, HTTP view and log-pattern figures, each drawn by plotly
    page.wait_for_function(
        "document.querySelectorAll('.js-plotly-plot .main-svg').length >= 4", timeout=60_000
    )
    titles = " ".join(page.locator(".js-plotly-plot .gtitle").all_text_contents())
    assert "per 30 s bucket" in titles  # the overview states its bucket
    # in JupyterLab the overview, metrics and HTTP figures are widget views (live zoom:
    # a plot inside the output), while the log-pattern figure is plotly's static renderer
    assert page.locator(".jp-OutputArea-output > .js-plotly-plot").count() >= 3
    assert page.locator(".jp-RenderedPlotly").count() >= 1
    # running the notebook wrote nothing to the report
    assert (folder / "postmortem.yaml").read_bytes() == before

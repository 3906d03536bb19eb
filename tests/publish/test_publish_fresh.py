"""A fresh incident publishes before anyone has written a word, and `jupyter nbconvert --to
postmortem` works on a notebook the way `postmortem publish` does."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from postmortem_kit.errors import PublishError
from postmortem_kit.incident import new_incident
from postmortem_kit.publish import publish
from postmortem_kit.report import load_report, save_report

pytestmark = pytest.mark.notebook


@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("fresh") / "INC-1"
    new_incident(folder, id="INC-1", title="Fresh & empty")
    return folder


def test_fresh_incident_publishes_with_empty_sections(fresh: Path):
    html = publish(fresh, build_time="T").read_text()
    assert "<title>INC-1 — Fresh &amp; empty</title>" in html
    assert "No timeline events yet." in html and "No actions yet." in html
    for heading in ("1. Summary", "5. Lessons learned"):
        assert f"<h2>{heading}</h2>" in html


def test_nbconvert_exporter_entry_point(fresh: Path, tmp_path: Path):
    proc = subprocess.run(
        [sys.executable, "-m", "jupyter", "nbconvert", "--to", "postmortem",
         "--output-dir", str(tmp_path), str(fresh / "postmortem.ipynb")],
        capture_output=True, text=True,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    (page,) = tmp_path.glob("*.html")
    html = page.read_text()
    assert "Fresh &amp; empty" in html and "<h2>3. Root cause analysis</h2>" in html


def test_published_status_with_check_errors_is_refused_then_marked(fresh: Path, tmp_path):
    report = load_report(fresh)
    report.status = "published"
    save_report(report, fresh)
    out = tmp_path / "p.html"
    with pytest.raises(PublishError, match="fails the check"):
        publish(fresh, out=out, build_time="T")
    assert not out.exists()
    html = publish(fresh, out=out, build_time="T", force=True).read_text()
    assert 'class="review-mark"' in html and "check overridden" in html
    report.status = "draft"
    save_report(report, fresh)


def test_broken_notebook_cell_is_one_clear_error(fresh: Path, tmp_path: Path):
    folder = tmp_path / "broken"
    new_incident(folder, id="INC-2", title="t")
    (folder / "postmortem.yaml").write_text(
        (folder / "postmortem.yaml")
        .read_text()
        .replace(
            "sources: []",
            "sources:\n  - name: gone\n    kind: logs\n    path: evidence/missing.log\n",
        )
    )
    with pytest.raises(PublishError) as info:
        publish(folder, out=tmp_path / "x.html")
    assert "missing.log" in str(info.value) and "cell" in str(info.value)
    assert not (tmp_path / "x.html").exists()


def test_publishing_from_inside_jupyterlab_still_embeds_static_figures(tmp_path, monkeypatch):
    """A kernel of a JupyterLab session has JPY_SESSION_NAME set; live (widget) figures there
    must not leak into the papermill run that publishes."""
    from tests.publish.test_safety import _make_incident

    folder = _make_incident(tmp_path / "inc", "plain words")
    monkeypatch.setenv("JPY_SESSION_NAME", "postmortem.ipynb")
    html = publish(folder, build_time="T").read_text()
    # the overview (a live widget in JupyterLab) must be in the Timeline section as a figure
    timeline = html[html.index("<h2>2. Timeline</h2>") : html.index("<h2>3. Root cause")]
    assert timeline.count("Plotly.newPlot(") == 1
    assert "application/vnd.jupyter.widget-view+json" not in html


def test_publishing_builds_no_section_editors(fresh: Path):
    """The kernel that publishes is told so, and the editors cell builds no widgets (their
    output is not published; their messages only gave nbclient a chance to stall)."""
    import os

    from postmortem_kit.publish.publish import executed_notebook
    from postmortem_kit.workbench import PUBLISHING_VARIABLE

    nb = executed_notebook(fresh, kernel_name="python3")
    cell = next(c for c in nb.cells if "pm.show_editors(" in c.source)
    shown = str(cell.outputs)
    assert "not built while publishing" in shown
    assert "application/vnd.jupyter.widget-view+json" not in shown
    assert PUBLISHING_VARIABLE not in os.environ  # set for the kernel only


def test_outside_publishing_the_editors_are_built(fresh: Path, monkeypatch):
    import postmortem_kit.workbench as pm
    from postmortem_kit.workbench import PUBLISHING_VARIABLE

    monkeypatch.delenv(PUBLISHING_VARIABLE, raising=False)
    editors = pm.show_editors(pm.open_incident(fresh))
    assert editors is not None and hasattr(editors, "children")  # a widget tree
    monkeypatch.setenv(PUBLISHING_VARIABLE, "1")
    assert pm.show_editors(pm.open_incident(fresh)) is None

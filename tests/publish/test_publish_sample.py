"""End to end: publish the bundled sample incident through papermill and our exporter."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from postmortem_kit.publish import publish
from tests.conftest import SAMPLE_INCIDENT

pytestmark = pytest.mark.notebook

SECTION_HEADINGS = [
    "1. Summary",
    "2. Timeline",
    "3. Root cause analysis",
    "4. Corrective and preventive actions",
    "5. Lessons learned",
]


@pytest.fixture(scope="module")
def published(published_sample) -> tuple[Path, str, dict]:
    html_path = published_sample
    raw = YAML(typ="safe").load((SAMPLE_INCIDENT / "postmortem.yaml").read_text())
    return html_path, html_path.read_text(encoding="utf-8"), raw


def test_sections_in_seed_order_with_sample_content(published):
    _, html, raw = published
    positions = [html.index(f"<h2>{heading}</h2>") for heading in SECTION_HEADINGS]
    assert positions == sorted(positions)
    assert html.count("<h2>1. Summary</h2>") == 1
    # content from each section of the YAML appears in the page, escaped
    import html as html_lib

    for text in [
        raw["title"],
        raw["timeline"][0]["description"],
        raw["root_cause"]["contributing_factors"][0],
        raw["actions"][0]["description"],
        raw["lessons"]["went_well"][0],
    ]:
        assert html_lib.escape(text, quote=True) in html, text
    assert f"{raw['summary']['users_affected']:,}" in html


def _without_plotlyjs(html: str) -> str:
    """The page minus the inlined plotly.js bundle (whose defaults name hosts it never uses
    for these figures; the browser test checks that no request leaves the machine)."""
    start = html.index("/**\n* plotly.js v")
    end = html.index("</script>", start)
    return html[:start] + html[end:]


def test_no_code_no_prompts_no_network(published):
    _, html, _ = published
    html = _without_plotlyjs(html)
    assert "In&nbsp;[" not in html and "jp-InputPrompt" not in html
    assert "import postmortem_kit" not in html
    assert not re.search(r"<script[^>]+src=", html), "no external script"
    assert not re.search(r"<link[^>]+href=\"?https?:", html), "no external stylesheet"
    for host in ("cdn.plot.ly", "cdnjs.cloudflare.com", "unpkg.com", "cdn.jsdelivr.net"):
        assert host not in html


def test_plotly_embedded_once_and_figures_present(published):
    _, html, _ = published
    assert html.count("/**\n* plotly.js v") == 1
    assert len(re.findall(r"Plotly\.newPlot\(", html)) >= 2
    assert html.count('class="plotly-graph-div"') >= 2


def test_report_under_8_mb(published):
    path, _, _ = published
    assert path.stat().st_size < 8 * 1024 * 1024


def test_publish_twice_is_identical(published, tmp_path):
    path, html, _ = published
    second = tmp_path / "again.html"
    publish(path.parent.parent, out=second, build_time="TEST BUILD")
    assert second.read_text(encoding="utf-8") == html


def test_sections_come_from_yaml_not_widgets(published, tmp_path):
    path, _, _ = published
    folder = tmp_path / "copy"
    shutil.copytree(path.parent.parent, folder)
    yaml_file = folder / "postmortem.yaml"
    yaml_file.write_text(
        yaml_file.read_text().replace("title: ", "title: Edited-in-YAML ", 1), encoding="utf-8"
    )
    html = publish(folder, out=tmp_path / "x.html", build_time="T").read_text()
    assert "Edited-in-YAML" in html


def test_story_is_visible_in_the_published_evidence(published):
    """Config push → pool exhaustion → errors → rollback, from the data, not the prose."""
    _, html, _ = published
    figures = re.findall(r"Plotly\.newPlot\(\s*\"([^\"]+)\",\s*(\[.*?\]),\s*\{", html, re.S)
    figure_text = " ".join(data for _, data in figures)
    assert "CHG-8812" in figure_text and "CHG-8813" in figure_text  # change markers
    assert "db_pool_max_size" in figure_text  # the pool size series in the metrics panel
    # log patterns table: the pool timeout template is new in the incident window
    table = html[html.index("<h2>3. Root cause analysis</h2>") :]
    row = re.search(r"<td>QueuePool limit of size[^<]*</td>\s*<td>(\w+)</td>", table)
    assert row and row.group(1) == "new"
    # computed impact, with its definition next to the number, in the summary
    summary = html[html.index("<h2>1. Summary</h2>") : html.index("<h2>2. Timeline</h2>")]
    assert "clients_affected" in summary and "definition" in summary
    assert "distinct `client` with ≥ 1 failed request" in summary  # not truncated


def test_every_source_is_accounted_for_in_the_report(published):
    """The Timeline section lists each evidence source with lines read and rows kept; the
    counts match the files (counted here with the standard library)."""
    import gzip

    _, html, raw = published
    section = html[html.index("<h2>2. Timeline</h2>") : html.index("<h2>3. Root cause")]
    timeline = section[section.index('<figure class="table">') :]
    timeline = timeline[: timeline.index("</figure>")]  # the sources table
    evidence = SAMPLE_INCIDENT / "evidence"
    with gzip.open(evidence / "access.log.gz", "rt") as handle:
        access_lines = sum(1 for _ in handle)
    app_lines = sum(1 for _ in (evidence / "checkout-api.jsonl").open())
    for name, lines in (("nginx", access_lines), ("checkout-api", app_lines)):
        row = re.search(rf"<td>{name}</td>(.*?)</tr>", timeline, re.S)
        assert row, name
        cells = re.findall(r"<td>([^<]*)</td>", row.group(1))
        assert cells[3:5] == [str(lines), str(lines)], (name, cells)
    body = timeline[timeline.index("<tbody>") :]
    assert body.count("<tr>") == len(raw["sources"])

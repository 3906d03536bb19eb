"""The trends page in headless Chromium: every chart draws, no request leaves the machine."""

from __future__ import annotations

import datetime as dt

import pytest

from postmortem_kit.publish.trends import trends
from tests.trends.test_trends import REPORTS

pytestmark = pytest.mark.browser


def test_charts_draw_offline(tmp_path, page):
    from postmortem_kit.report import save_report

    for report in REPORTS:
        folder = tmp_path / report.id
        folder.mkdir()
        save_report(report, folder)
    page_file = trends([tmp_path], out=tmp_path / "trends.html", today=dt.date(2026, 11, 1))
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(page_file.as_uri(), wait_until="load")
    page.wait_for_function(
        "Array.from(document.querySelectorAll('.plotly-graph-div'))"
        ".filter(d => d.querySelector('.main-svg')).length === 4",
        timeout=30_000,
    )
    traces = page.evaluate(
        "Array.from(document.querySelectorAll('.plotly-graph-div'))"
        ".map(d => [d.id, (d.data || []).length])"
    )
    stacked = page.evaluate("document.getElementById('trends-per-month').data.map(t => t.y)")
    assert traces == [
        ["trends-per-month", 5],
        ["trends-durations", 6],
        ["trends-categories", 2],
        ["trends-actions", 2],
    ]
    # SEV1..SEV5 over 2026-08, 2026-09, 2026-10
    assert stacked == [[1, 0, 0], [1, 0, 0], [0, 0, 2], [0, 0, 0], [0, 0, 0]]
    assert errors == []
    leaving = [u for u in requests if not u.startswith(("file:", "data:", "about:", "blob:"))]
    assert leaving == [], leaving

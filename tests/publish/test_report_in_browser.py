"""Open the published sample report in headless Chromium: every figure draws, nothing leaves
the machine."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.notebook]


def test_figures_draw_and_no_request_leaves_the_machine(published_sample, page):
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(published_sample.as_uri(), wait_until="load")
    count = page.locator(".plotly-graph-div").count()
    assert count >= 4
    # Plotly draws an SVG with class main-svg into each figure's div.
    page.wait_for_function(
        "n => Array.from(document.querySelectorAll('.plotly-graph-div'))"
        ".filter(d => d.querySelector('.main-svg')).length === n",
        arg=count,
        timeout=30_000,
    )
    drawn_traces = page.evaluate(
        "Array.from(document.querySelectorAll('.plotly-graph-div')).map(d => (d.data || []).length)"
    )
    headings = page.locator("main h2").all_inner_texts()
    assert all(n > 0 for n in drawn_traces), drawn_traces
    assert headings[:5] == [
        "1. Summary",
        "2. Timeline",
        "3. Root cause analysis",
        "4. Corrective and preventive actions",
        "5. Lessons learned",
    ]
    assert errors == []
    leaving = [u for u in requests if not u.startswith(("file:", "data:", "about:", "blob:"))]
    assert leaving == [], leaving

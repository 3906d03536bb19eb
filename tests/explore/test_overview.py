"""incident_overview: bucket counts, key-time lines, phase shading, markers, size, options."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from postmortem_kit.errors import OptionsError
from postmortem_kit.explore import incident_overview
from postmortem_kit.report import Report, Summary
from tests.explore.conftest import at


def naive(t: dt.datetime) -> pd.Timestamp:
    return pd.Timestamp(t).tz_convert("UTC").tz_localize(None)


def logs_frame(rows):
    """rows: (time, source, severity)."""
    return pd.DataFrame(
        {
            "timestamp": pd.to_datetime([r[0] for r in rows], utc=True),
            "source": [r[1] for r in rows],
            "severity": [r[2] for r in rows],
            "message": "m",
            "provenance": [f"f:{i + 1}" for i in range(len(rows))],
        }
    )


def events_frame(rows):
    """rows: (time, source, kind, description)."""
    return pd.DataFrame(
        {
            "time": pd.to_datetime([r[0] for r in rows], utc=True),
            "source": [r[1] for r in rows],
            "kind": [r[2] for r in rows],
            "description": [r[3] for r in rows],
            "actor": "alice",
            "provenance": [f"ev.json:{i + 1}" for i in range(len(rows))],
            "severity": None,
            "suggested_kind": None,
        }
    )


def bars(fig, source_row):
    """{(x, severity): y} of the bar traces on the given subplot row's y axis."""
    axis = "y" if source_row == 1 else f"y{source_row}"
    out = {}
    for trace in fig.data:
        if trace.type == "bar" and (trace.yaxis or "y") == axis:
            for x, y in zip(trace.x, trace.y, strict=True):
                out[(pd.Timestamp(x), trace.name)] = int(y)
    return out


def test_bucket_counts_per_source_and_severity():
    rows = [
        (at(14, 0, 5), "api", "info"),
        (at(14, 0, 59), "api", "info"),
        (at(14, 0, 30), "api", "error"),
        (at(14, 1, 0), "api", "error"),  # first second of the next minute
        (at(14, 3, 10), "db", "warning"),
    ]
    fig = incident_overview(None, logs_frame(rows), show=False, bucket="1min")
    # No markers, so row 1 is the busiest source (api: 4 rows), row 2 is db.
    assert fig.layout.meta["sources"] == ["api", "db"]
    assert bars(fig, 1) == {
        (pd.Timestamp("2026-10-14 14:00"), "info"): 2,
        (pd.Timestamp("2026-10-14 14:00"), "error"): 1,
        (pd.Timestamp("2026-10-14 14:01"), "error"): 1,
    }
    assert bars(fig, 2) == {(pd.Timestamp("2026-10-14 14:03"), "warning"): 1}
    assert fig.layout.barmode == "stack"
    assert "1 min" in fig.layout.title.text


@pytest.mark.parametrize(
    ("span", "expected_seconds"),
    [(pd.Timedelta(hours=3), 30), (pd.Timedelta(days=1), 300), (pd.Timedelta(minutes=10), 2)],
)
def test_bucket_size_is_chosen_for_200_to_400_buckets_and_stated(span, expected_seconds):
    # 3 h / 400 = 27 s -> 30 s (360 buckets); 1 d / 400 = 216 s -> 5 min (288);
    # 10 min / 400 = 1.5 s -> 2 s (300).
    start = pd.Timestamp("2026-10-14 13:00", tz="UTC")
    logs = logs_frame([(start, "a", "info"), (start + span, "a", "info")])
    fig = incident_overview(None, logs, show=False)
    assert fig.layout.meta["bucket_seconds"] == expected_seconds
    assert fig.layout.meta["bucket"] in fig.layout.title.text
    assert 200 <= span.total_seconds() / expected_seconds <= 400


def test_key_times_are_labelled_lines_and_phases_are_shaded(report):
    logs = logs_frame([(at(13, 0), "a", "info"), (at(16, 0), "a", "info")])
    fig = incident_overview(report, logs, show=False)
    lines = {s.name: s.x0 for s in fig.layout.shapes if s.type == "line"}
    assert lines == {
        "key time: impact start": naive(at(14, 7)),
        "key time: detected": naive(at(14, 12)),
        "key time: acknowledged": naive(at(14, 15)),
        "key time: mitigated": naive(at(14, 41)),
        "key time: resolved": naive(at(15, 5)),
    }
    texts = [a.text for a in fig.layout.annotations]
    assert "impact start 14:07" in texts and "resolved 15:05" in texts
    rects = [(s.x0, s.x1, s.name, s.showlegend) for s in fig.layout.shapes if s.type == "rect"]
    assert rects == [
        (naive(at(14, 7)), naive(at(14, 12)), "phase: impact, not yet detected", True),
        (naive(at(14, 12)), naive(at(14, 41)), "phase: detected → mitigated", True),
        (naive(at(14, 41)), naive(at(15, 5)), "phase: mitigated → resolved", True),
    ]
    # Lines and shading cover the whole figure height, every row.
    assert all(s.yref == "paper" and (s.y0, s.y1) == (0, 1) for s in fig.layout.shapes)


def test_a_missing_key_time_merges_the_phases():
    report = Report(
        id="X", title="t", summary=Summary(impact_start=at(14, 7), mitigated=at(14, 41))
    )
    logs = logs_frame([(at(14, 0), "a", "info")])
    fig = incident_overview(report, logs, show=False)
    rects = [(s.x0, s.x1, s.name) for s in fig.layout.shapes if s.type == "rect"]
    assert rects == [(naive(at(14, 7)), naive(at(14, 41)), "phase: impact start → mitigated")]


def test_pinned_timeline_and_change_events_are_markers_with_hover(report):
    events = events_frame(
        [
            (at(14, 2), "deploys", "change", "pool_max 50 -> 5"),
            (at(14, 12), "alertmanager", "alert_firing", "HighErrorRate <checkout>"),
            (at(14, 13), "slack", "chat", "is checkout down?"),
        ]
    )
    fig = incident_overview(report, events=events, show=False)
    scatter = {t.name: t for t in fig.data if t.type == "scatter"}
    assert set(scatter) == {"pinned", "change", "alert_firing"}  # chat only counts in bars
    assert list(scatter["pinned"].x) == [naive(at(14, 2)), naive(at(14, 36))]
    assert "config push: pool 50 -&gt; 5" in scatter["pinned"].hovertext[0]
    assert "deploys.json:3" in scatter["pinned"].hovertext[0]
    assert "pool_max 50 -&gt; 5" in scatter["change"].hovertext[0]
    assert "ev.json:1" in scatter["change"].hovertext[0]
    # Evidence text is escaped: no raw tags from the data reach the hover HTML.
    assert "&lt;checkout&gt;" in scatter["alert_firing"].hovertext[0]
    assert list(scatter["alert_firing"].y) == ["alerts"]
    # All three events count in their source's bars (severity missing -> "unknown").
    total = sum(sum(t.y) for t in fig.data if t.type == "bar")
    assert total == 3
    assert {t.name for t in fig.data if t.type == "bar"} == {"unknown"}


def test_fixed_severity_palette():
    levels = ("debug", "info", "notice", "warning", "error", "critical")
    rows = [(at(14, 0), "a", s) for s in levels]
    fig = incident_overview(None, logs_frame(rows), show=False, bucket="1min")
    colours = {t.name: t.marker.color for t in fig.data if t.type == "bar"}
    assert colours == {
        "debug": "#9e9e9e",
        "info": "#1f77b4",
        "notice": "#17a2a2",
        "warning": "#f0a202",
        "error": "#d62728",
        "critical": "#7f0000",
    }


def test_sources_beyond_the_limit_are_merged():
    rows = [(at(14, 0), f"s{i}", "info") for i in range(5) for _ in range(5 - i)]
    fig = incident_overview(None, logs_frame(rows), show=False, max_sources=3, bucket="1min")
    # s0 (5 rows) and s1 (4) kept; s2+s3+s4 = 3+2+1 = 6 rows merged.
    assert fig.layout.meta["sources"] == ["other sources", "s0", "s1"]
    assert bars(fig, 1) == {(pd.Timestamp("2026-10-14 14:00"), "info"): 6}


def test_one_million_events_make_a_small_deterministic_figure(report):
    n = 1_000_000
    rng = np.random.default_rng(7)
    offsets = np.sort(rng.integers(0, 3 * 3600 * 10**6, n))
    start = pd.Timestamp("2026-10-14 13:00", tz="UTC")
    logs = pd.DataFrame(
        {
            "timestamp": start + pd.to_timedelta(offsets, unit="us"),
            "source": rng.choice(["access", "app", "syslog"], n),
            "severity": rng.choice(["info", "warning", "error"], n),
        }
    )
    fig = incident_overview(report, logs, show=False)
    assert sum(int(sum(t.y)) for t in fig.data if t.type == "bar") == n
    html = fig.to_html(include_plotlyjs=False, full_html=False, div_id="overview")
    assert len(html) < 400_000
    again = incident_overview(report, logs, show=False)
    assert again.to_json() == fig.to_json()
    assert not any(t.type.endswith("gl") for t in fig.data)


def test_unknown_option_is_rejected_with_the_valid_names():
    logs = logs_frame([(at(14, 0), "a", "info")])
    with pytest.raises(OptionsError, match=r"'buckets' \(did you mean 'bucket'\?\).*max_sources"):
        incident_overview(None, logs, show=False, buckets="1min")


def test_window_option_limits_what_is_counted():
    rows = [(at(13, 0), "a", "info"), (at(14, 0), "a", "info"), (at(15, 0), "a", "info")]
    fig = incident_overview(None, logs_frame(rows), show=False, window=(at(13, 30), at(14, 30)))
    assert sum(sum(t.y) for t in fig.data if t.type == "bar") == 1
    assert [pd.Timestamp(x) for x in fig.layout.xaxis.range] == [
        naive(at(13, 30)),
        naive(at(14, 30)),
    ]


def test_show_displays_and_returns(capsys):
    logs = logs_frame([(at(14, 0), "a", "info")])
    fig = incident_overview(None, logs, show=True)
    assert fig is not None
    assert "Figure" in capsys.readouterr().out


def test_missing_columns_are_named():
    with pytest.raises(ValueError, match="logs frame lacks column.*timestamp"):
        incident_overview(None, pd.DataFrame({"time": [], "source": []}), show=False)

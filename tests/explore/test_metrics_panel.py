"""metrics_panel: rows per metric, series per label, shading, baselines, thresholds, size."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from postmortem_kit.errors import OptionsError
from postmortem_kit.explore import metrics_panel
from tests.explore.conftest import at


def frame(rows):
    """rows: (time, metric, service, value)."""
    return pd.DataFrame(
        {
            "timestamp": pd.to_datetime([r[0] for r in rows], utc=True),
            "metric": [r[1] for r in rows],
            "service": [r[2] for r in rows],
            "value": [float(r[3]) for r in rows],
            "source": "metrics.csv",
        }
    )


def minutes(metric, service, start, values):
    """One sample per minute from ``start``."""
    return [(start + pd.Timedelta(minutes=i), metric, service, v) for i, v in enumerate(values)]


def lines(fig):
    return {t.name: t for t in fig.data if t.type == "scatter"}


def test_one_row_per_metric_and_one_line_per_label_value(report):
    start = pd.Timestamp(at(14, 0))
    rows = minutes("error_ratio", "checkout", start, [0.0, 0.3, 0.3])
    rows += minutes("error_ratio", "search", start, [0.0, 0.0, 0.0])
    rows += minutes("pool_size", "checkout", start, [50, 5, 5])
    fig = metrics_panel(report, frame(rows), show=False)
    assert fig.layout.meta["rows"] == ["error_ratio", "pool_size"]
    traces = lines(fig)
    assert set(traces) == {
        "error_ratio {service=checkout}", "error_ratio {service=search}", "pool_size",
    }  # fmt: skip
    assert list(traces["error_ratio {service=checkout}"].y) == [0.0, 0.3, 0.3]
    assert traces["pool_size"].yaxis == "y2"
    assert traces["error_ratio {service=search}"].yaxis == "y"
    titles = [a.text for a in fig.layout.annotations]
    assert "error_ratio" in titles and "pool_size" in titles
    # Rows share the x axis.
    assert fig.layout.xaxis.matches == "x2"


def test_incident_phases_shaded_and_key_times_drawn(report):
    rows = minutes("m", "a", pd.Timestamp(at(13, 0)), range(180))
    fig = metrics_panel(report, frame(rows), show=False)
    rects = [(s.x0, s.x1) for s in fig.layout.shapes if s.type == "rect"]
    utc = [pd.Timestamp(at(*hm)).tz_localize(None) for hm in ((14, 7), (14, 12), (14, 41), (15, 5))]
    assert rects == list(zip(utc, utc[1:], strict=False))
    lines_x = [s.x0 for s in fig.layout.shapes if s.type == "line"]
    assert pd.Timestamp(at(14, 15)).tz_localize(None) in lines_x  # acknowledged


def test_thresholds_are_horizontal_lines_on_their_row(report):
    start = pd.Timestamp(at(14, 0))
    rows = minutes("a", "x", start, [1, 2]) + minutes("b", "x", start, [3, 4])
    fig = metrics_panel(report, frame(rows), show=False, thresholds={"b": 0.05})
    flat = [s for s in fig.layout.shapes if s.type == "line" and s.y0 == s.y1 == 0.05]
    assert len(flat) == 1 and flat[0].yref == "y2"
    with pytest.raises(ValueError, match="thresholds for metrics not drawn"):
        metrics_panel(report, frame(rows), show=False, thresholds={"c": 1})


def test_baseline_one_day_earlier_is_shifted_onto_the_window(report):
    today = minutes("rps", "x", pd.Timestamp(at(14, 0)), [10, 20, 30])
    yesterday = minutes("rps", "x", pd.Timestamp(at(14, 0)) - pd.Timedelta(days=1), [7, 8, 9])
    fig = metrics_panel(
        report, frame(today + yesterday), show=False, baseline="1d", window=(at(14, 0), at(14, 2))
    )
    base = lines(fig)["same window 1 day earlier"]
    assert list(base.y) == [7.0, 8.0, 9.0]
    assert pd.Timestamp(base.x[0]) == pd.Timestamp(at(14, 0)).tz_localize(None)
    assert list(lines(fig)["rps"].y) == [10.0, 20.0, 30.0]


def test_baseline_hour_before_is_mean_and_band(report):
    # Impact starts 14:07; the hour before is [13:07, 14:07).
    rows = minutes("rps", "x", pd.Timestamp(at(13, 7)), [100.0] * 30 + [110.0] * 30 + [5.0] * 10)
    fig = metrics_panel(report, frame(rows), show=False, baseline="1h-before")
    mean = lines(fig)["mean of the hour before impact"]
    assert list(mean.y) == [105.0, 105.0]


def test_missing_baseline_is_said_not_hidden(report):
    rows = minutes("rps", "x", pd.Timestamp(at(14, 0)), [1, 2])
    fig = metrics_panel(report, frame(rows), show=False, baseline="1w")
    assert "no samples for the same window 1 week earlier" in fig.layout.title.subtitle.text
    with pytest.raises(ValueError, match="baseline='2d'"):
        metrics_panel(report, frame(rows), show=False, baseline="2d")


def test_long_series_are_bucketed_and_the_bucket_is_stated(report):
    n = 200_000  # one sample per 50 ms for about 2.8 h
    times = pd.Timestamp(at(13, 0)) + pd.to_timedelta(np.arange(n) * 50, unit="ms")
    big = pd.DataFrame({"timestamp": times, "metric": "m", "value": np.arange(n, dtype=float)})
    fig = metrics_panel(report, big, show=False, max_points=500)
    trace = lines(fig)["m"]
    assert len(trace.y) <= 500
    step = fig.layout.meta["buckets"][0]
    assert step == "30 s"  # 10000 s / 500 = 20 s -> 30 s buckets
    assert f"mean per {step}" in fig.layout.annotations[0].text
    # First bucket 13:00:00-13:00:30 holds samples 0..599: mean 299.5.
    assert trace.y[0] == pytest.approx(299.5)
    assert len(fig.to_json()) < 100_000


def test_options_are_checked(report):
    rows = minutes("m", "x", pd.Timestamp(at(14, 0)), [1])
    with pytest.raises(OptionsError, match="valid options: .*thresholds"):
        metrics_panel(report, frame(rows), show=False, threshold={"m": 1})
    with pytest.raises(ValueError, match="no samples of \\['nope'\\]"):
        metrics_panel(report, frame(rows), show=False, select=("nope",))

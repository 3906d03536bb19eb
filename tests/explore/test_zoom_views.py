"""Live zoom of the HTTP view and the metrics panel: finer detail for the visible range.

Expected values are computed here from the frames with pandas (``dt.floor`` buckets,
boolean windows), not with the helpers under test.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from postmortem_kit.explore import http_view, metrics_panel

START = pd.Timestamp("2026-10-14 13:00:00", tz="UTC")
END = pd.Timestamp("2026-10-14 15:59:59", tz="UTC")
LO, HI = "2026-10-14 14:10:00", "2026-10-14 14:12:00"


def inside(frame: pd.DataFrame, lo, hi, column: str = "timestamp") -> pd.DataFrame:
    lo, hi = pd.Timestamp(lo, tz="UTC"), pd.Timestamp(hi, tz="UTC")
    return frame[(frame[column] >= lo) & (frame[column] <= hi)]


def naive_floor(times: pd.Series, freq: str) -> pd.Series:
    return times.dt.floor(freq).dt.tz_localize(None)


def relayout(widget, lo: str, hi: str) -> None:
    widget.plotly_relayout({"xaxis.range[0]": lo, "xaxis.range[1]": hi})


# --- HTTP view ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def access() -> pd.DataFrame:
    """20,000 requests over three hours, unsorted, plus app-log rows without a status."""
    rng = np.random.default_rng(11)
    n = 20_000
    ns = START.value + rng.integers(0, (END - START).value, n)
    ns[:2] = [START.value, END.value]
    requests = pd.DataFrame(
        {
            "timestamp": pd.to_datetime(ns, unit="ns", utc=True),
            "source": "nginx",
            "status": pd.array(rng.choice([200, 200, 200, 301, 404, 500, 503], n), dtype="Int64"),
            "path": rng.choice(["/cart", "/login", "/api/x"], n),
            "client": rng.choice(["a", "b", "c"], n),
            "latency": rng.exponential(0.2, n),
        }
    )
    app = pd.DataFrame(
        {
            "timestamp": pd.to_datetime([LO, HI], utc=True),
            "source": "app",
            "status": pd.array([pd.NA, pd.NA], dtype="Int64"),
        }
    )
    return pd.concat([requests, app], ignore_index=True)


def requests_by_class(fig) -> dict:
    out = {}
    for trace in fig.data:
        if trace.type == "bar" and trace.legendgroup == "status":
            for x, y in zip(trace.x, trace.y, strict=True):
                out[(pd.Timestamp(x), trace.name)] = int(y)
    return out


def line(fig, name: str) -> pd.Series:
    (trace,) = [t for t in fig.data if t.name == name]
    return pd.Series(np.asarray(trace.y, dtype=float), index=pd.to_datetime(list(trace.x)))


def test_http_zoom_recounts_classes_error_ratio_and_latency(access):
    widget = http_view(None, access, show=False, live=True)
    assert widget.layout.meta["bucket"] == "1 min"  # 3 h / 300 = 36 s -> 1 min
    top_paths = widget.layout.meta["top_paths"]
    relayout(widget, LO, HI)  # 2 min / 300 = 0.4 s -> 500 ms, raised to 1 s
    assert widget.layout.meta["bucket"] == "1 s"
    titles = [a.text for a in widget.layout.annotations]
    assert "requests per 1 s by status class" in titles
    assert "error ratio (5xx ÷ all requests, per 1 s)" in titles
    assert "latency per 1 s (seconds)" in titles

    rows = inside(access[access["status"].notna()], LO, HI)
    bucket = naive_floor(rows["timestamp"], "1s")
    status_class = (rows["status"].astype(int) // 100).astype(str) + "xx"
    counts = rows.groupby([bucket, status_class]).size()
    assert requests_by_class(widget) == {key: int(n) for key, n in counts.items()}

    errors = (rows["status"] >= 500).astype(int)
    ratio = errors.groupby(bucket).mean()
    pd.testing.assert_series_equal(line(widget, "error ratio"), ratio, check_names=False)
    (trace,) = [t for t in widget.data if t.name == "error ratio"]
    per_bucket = pd.DataFrame(
        {"errors": errors.groupby(bucket).sum(), "all": bucket.value_counts()}
    )
    assert np.asarray(trace.customdata).tolist() == per_bucket.sort_index().to_numpy().tolist()
    p95 = rows.groupby(bucket)["latency"].quantile(0.95)
    pd.testing.assert_series_equal(line(widget, "p95"), p95, check_names=False)
    assert widget.layout.meta["top_paths"] == top_paths  # counted in the incident window


def test_http_zoom_out_restores_one_minute_buckets(access):
    widget = http_view(None, access, show=False, live=True)
    relayout(widget, LO, HI)
    widget.plotly_relayout({"xaxis.autorange": True})
    assert widget.layout.meta["bucket"] == "1 min"
    assert "requests per 1 min by status class" in [a.text for a in widget.layout.annotations]
    rows = access[access["status"].notna()]
    bucket = naive_floor(rows["timestamp"], "1min")
    status_class = (rows["status"].astype(int) // 100).astype(str) + "xx"
    counts = rows.groupby([bucket, status_class]).size()
    assert requests_by_class(widget) == {key: int(n) for key, n in counts.items()}


# --- metrics panel --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def metrics() -> pd.DataFrame:
    """``cpu`` every second for two hosts (10,800 samples each, and the day before for the
    baseline), ``mem`` every 15 s (720 samples: always raw)."""
    rng = np.random.default_rng(5)
    seconds = pd.date_range(START, END, freq="1s")
    parts = []
    for day in (pd.Timedelta(0), pd.Timedelta(days=1)):
        for host in ("a", "b"):
            parts.append(
                pd.DataFrame(
                    {
                        "timestamp": seconds - day,
                        "metric": "cpu",
                        "host": host,
                        "value": rng.normal(50, 10, len(seconds)),
                    }
                )
            )
    quarter = pd.date_range(START, END, freq="15s")
    parts.append(
        pd.DataFrame(
            {"timestamp": quarter, "metric": "mem", "value": rng.normal(1, 0.1, len(quarter))}
        )
    )
    return pd.concat(parts, ignore_index=True).sample(frac=1.0, random_state=1)


def series(metrics, name, host=None) -> pd.Series:
    rows = metrics[metrics["metric"] == name]
    if host is not None:
        rows = rows[rows["host"] == host]
    return rows.set_index("timestamp")["value"].sort_index()


def window(values: pd.Series, lo, hi) -> pd.Series:
    lo, hi = pd.Timestamp(lo, tz="UTC"), pd.Timestamp(hi, tz="UTC")
    out = values[(values.index >= lo) & (values.index <= hi)]
    return out.set_axis(out.index.tz_localize(None))


def build(metrics):
    return metrics_panel(None, metrics, show=False, live=True, baseline="1d", window=(START, END))


def test_metrics_zoom_shows_raw_samples_when_few(metrics):
    widget = build(metrics)
    assert [a.text for a in widget.layout.annotations][:2] == ["cpu (mean per 10 s)", "mem"]
    lo, hi = "2026-10-14 14:00:00", "2026-10-14 14:10:00"  # 601 samples <= 1500
    relayout(widget, lo, hi)
    assert [a.text for a in widget.layout.annotations][:2] == ["cpu", "mem"]
    cpu_a = window(series(metrics, "cpu", "a"), lo, hi)
    pd.testing.assert_series_equal(line(widget, "cpu {host=a}"), cpu_a, check_names=False)
    pd.testing.assert_series_equal(
        line(widget, "mem"), window(series(metrics, "mem"), lo, hi), check_names=False
    )
    # the baseline of host a: the day before, moved onto the window
    baselines = [t for t in widget.data if t.name == "same window 1 day earlier"]
    day = pd.Timedelta(days=1)
    before = series(metrics, "cpu", "a")
    expected = window(before.set_axis(before.index + day), lo, hi)
    got = pd.Series(np.asarray(baselines[0].y, float), index=pd.to_datetime(list(baselines[0].x)))
    pd.testing.assert_series_equal(got, expected, check_names=False)
    assert widget.layout.meta["buckets"] == []


def test_metrics_zoom_buckets_long_windows_and_zoom_out_restores(metrics):
    widget = build(metrics)
    lo, hi = "2026-10-14 14:00:00", "2026-10-14 15:00:00"  # 3,601 samples > 1500
    relayout(widget, lo, hi)
    assert widget.layout.annotations[0].text == "cpu (mean per 5 s)"  # 1 h / 1500 = 2.4 s -> 5 s
    raw = window(series(metrics, "cpu", "b"), lo, hi)
    expected = raw.groupby(raw.index.floor("5s")).mean()
    pd.testing.assert_series_equal(line(widget, "cpu {host=b}"), expected, check_names=False)
    assert widget.layout.meta["buckets"] == ["5 s"]

    widget.plotly_relayout({"xaxis.autorange": True})
    assert widget.layout.annotations[0].text == "cpu (mean per 10 s)"
    full = window(series(metrics, "cpu", "b"), str(START), str(END))
    expected = full.groupby(full.index.floor("10s")).mean()
    pd.testing.assert_series_equal(line(widget, "cpu {host=b}"), expected, check_names=False)

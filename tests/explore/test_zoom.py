"""Live zoom of the incident overview: finer buckets for the visible range, coarse when out.

The widget is driven the way JupyterLab drives it: ``plotly_relayout`` with the keys that
plotly.js sends on a box zoom (``xaxis.range[0]``/``[1]``), a double-click
(``xaxis.autorange``) or a reset; expected counts are computed here with pandas
``dt.floor`` from the frame itself.
"""

from __future__ import annotations

import tracemalloc

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from postmortem_kit.explore import incident_overview
from postmortem_kit.explore.zoom import frontend_present, window_slice

START = pd.Timestamp("2026-10-14 13:00:00", tz="UTC")
END = pd.Timestamp("2026-10-14 15:59:59", tz="UTC")
SOURCES = ("api", "db", "lb")
SEVERITY = ("info", "warning", "error")


def logs_frame(n: int, seed: int = 7) -> pd.DataFrame:
    """``n`` log rows spread over 13:00–15:59:59 (both ends present), deliberately unsorted,
    with a burst of errors from ``db`` at 14:10–14:12 so a zoom has detail to show."""
    rng = np.random.default_rng(seed)
    span = (END - START).value
    ns = START.value + rng.integers(0, span, n)
    burst = pd.Timestamp("2026-10-14 14:10:00", tz="UTC").value + rng.integers(
        0, 120 * 10**9, n // 10
    )
    ns = np.concatenate([[START.value, END.value], ns, burst])
    source = np.concatenate([["api", "lb"], rng.choice(SOURCES, n), np.full(n // 10, "db")])
    severity = np.concatenate(
        [["info", "info"], rng.choice(SEVERITY, n), np.full(n // 10, "error")]
    )
    return pd.DataFrame(
        {
            "timestamp": pd.to_datetime(ns, unit="ns", utc=True),
            "source": source,
            "severity": severity,
            "message": "m",
        }
    )


def expected(logs: pd.DataFrame, lo: str, hi: str, freq: str) -> dict:
    """{(bucket start, source, severity): count} of rows with lo <= t <= hi, by pandas."""
    lo, hi = pd.Timestamp(lo, tz="UTC"), pd.Timestamp(hi, tz="UTC")
    inside = logs[(logs["timestamp"] >= lo) & (logs["timestamp"] <= hi)]
    bucket = inside["timestamp"].dt.floor(freq).dt.tz_localize(None)
    sizes = inside.groupby([bucket, "source", "severity"]).size()
    return {key: int(n) for key, n in sizes.items()}


def shown(fig) -> dict:
    """{(bucket start, source, severity): count} of the figure's bars (no marker row)."""
    sources = fig.layout.meta["sources"]
    out = {}
    for trace in fig.data:
        if trace.type != "bar":
            continue
        source = sources[int(trace.yaxis[1:] or 1) - 1]
        for x, y in zip(trace.x, trace.y, strict=True):
            out[(pd.Timestamp(x), source, trace.name)] = int(y)
    return out


def box_zoom(widget, lo: str, hi: str, axis: str = "xaxis") -> None:
    """What JupyterLab sends after the user drags a zoom box on ``axis``."""
    widget.plotly_relayout({f"{axis}.range[0]": lo, f"{axis}.range[1]": hi})


@pytest.fixture(scope="module")
def logs() -> pd.DataFrame:
    return logs_frame(20_000)


@pytest.fixture
def widget(logs):
    return incident_overview(None, logs, show=False, live=True)


def test_live_returns_a_figure_widget_with_the_coarse_static_view(logs, widget):
    static = incident_overview(None, logs, show=False)
    assert isinstance(widget, go.FigureWidget)
    assert type(static) is go.Figure
    assert widget.layout.meta["bucket"] == static.layout.meta["bucket"] == "30 s"
    assert shown(widget) == shown(static) == expected(logs, str(START), str(END), "30s")


def test_zooming_to_two_minutes_recounts_at_one_second(logs, widget):
    box_zoom(widget, "2026-10-14 14:10:00", "2026-10-14 14:12:00")
    # 2 min / 400 buckets = 0.3 s -> 500 ms, raised to the 1 s floor
    assert widget.layout.meta["bucket"] == "1 s"
    assert "per 1 s bucket" in widget.layout.title.text
    assert shown(widget) == expected(logs, "2026-10-14 14:10:00", "2026-10-14 14:12:00", "1s")
    assert {t.width for t in widget.data if t.type == "bar"} == {1000}
    assert all("+ 1 s" in t.hovertemplate for t in widget.data if t.type == "bar")
    titles = [widget.layout[a].title.text for a in ("yaxis", "yaxis2", "yaxis3")]
    assert all(t.endswith("per 1 s") for t in titles)


def test_bucket_follows_the_zoom_and_double_click_restores_the_coarse_view(logs, widget):
    box_zoom(widget, "2026-10-14 14:00:00", "2026-10-14 14:20:00")
    # 20 min / 400 = 3 s -> 5 s
    assert widget.layout.meta["bucket"] == "5 s"
    assert shown(widget) == expected(logs, "2026-10-14 14:00:00", "2026-10-14 14:20:00", "5s")

    widget.plotly_relayout({"xaxis.autorange": True})
    assert widget.layout.meta["bucket"] == "30 s"
    assert "per 30 s bucket" in widget.layout.title.text
    assert shown(widget) == expected(logs, str(START), str(END), "30s")
    assert pd.Timestamp(widget.layout.xaxis.range[0]) == START.tz_localize(None)
    assert pd.Timestamp(widget.layout.xaxis.range[1]) == END.tz_localize(None)

    # a second zoom and double-click work the same (autorange is re-armed)
    box_zoom(widget, "2026-10-14 14:10:30", "2026-10-14 14:11:00")
    assert widget.layout.meta["bucket"] == "1 s"
    widget.plotly_relayout({"xaxis.autorange": True})
    assert widget.layout.meta["bucket"] == "30 s"


def test_reset_axes_to_the_initial_range_restores_the_coarse_view(logs, widget):
    box_zoom(widget, "2026-10-14 14:10:00", "2026-10-14 14:12:00")
    box_zoom(widget, "2026-10-14 13:00:00", "2026-10-14 15:59:59")
    assert widget.layout.meta["bucket"] == "30 s"
    assert shown(widget) == expected(logs, str(START), str(END), "30s")


def test_zoom_on_a_lower_row_and_pan_past_the_end(logs, widget):
    box_zoom(widget, "2026-10-14 14:10:00", "2026-10-14 14:12:00", axis="xaxis3")
    assert widget.layout.meta["bucket"] == "1 s"
    assert shown(widget) == expected(logs, "2026-10-14 14:10:00", "2026-10-14 14:12:00", "1s")
    # panned so the window sticks out past the data: only rows up to the end count
    box_zoom(widget, "2026-10-14 15:59:00", "2026-10-14 16:01:00")
    assert shown(widget) == expected(logs, "2026-10-14 15:59:00", "2026-10-14 16:01:00", "1s")


def test_python_side_range_and_frontend_message_both_rezoom(logs, widget):
    widget.layout.xaxis.range = ["2026-10-14 14:10:00", "2026-10-14 14:12:00"]
    assert shown(widget) == expected(logs, "2026-10-14 14:10:00", "2026-10-14 14:12:00", "1s")
    # the comm message plotly's widget JavaScript sets on a zoom
    widget._js2py_relayout = {
        "relayout_data": {
            "xaxis.range[0]": "2026-10-14 14:00:00",
            "xaxis.range[1]": "2026-10-14 14:20:00",
        },
        "source_view_id": "view-1",
    }
    assert widget.layout.meta["bucket"] == "5 s"
    assert shown(widget) == expected(logs, "2026-10-14 14:00:00", "2026-10-14 14:20:00", "5s")


def test_min_bucket_and_explicit_bucket(logs):
    widget = incident_overview(None, logs, show=False, live=True, bucket="1min", min_bucket="10s")
    assert widget.layout.meta["bucket"] == "1 min"
    box_zoom(widget, "2026-10-14 14:10:00", "2026-10-14 14:12:00")
    assert widget.layout.meta["bucket"] == "10 s"
    assert shown(widget) == expected(logs, "2026-10-14 14:10:00", "2026-10-14 14:12:00", "10s")
    widget.plotly_relayout({"xaxis.autorange": True})
    assert widget.layout.meta["bucket"] == "1 min"


def test_window_slice_is_inclusive_and_a_view():
    ns = np.array([0, 10, 10, 20, 30, 30, 40], dtype="int64")
    lo, hi = pd.Timestamp(10, unit="ns", tz="UTC"), pd.Timestamp(30, unit="ns", tz="UTC")
    rows = window_slice(ns, lo, hi)
    assert list(ns[rows]) == [v for v in ns if 10 <= v <= 30]
    assert ns[rows].base is ns
    assert window_slice(ns, pd.Timestamp(41, unit="ns", tz="UTC"), hi) == slice(7, 7)


def test_a_narrow_zoom_of_a_large_frame_allocates_far_less_than_a_copy():
    big = logs_frame(400_000, seed=3)
    widget = incident_overview(None, big, show=False, live=True)
    column_bytes = big["timestamp"].to_numpy().nbytes  # 8 bytes a row
    tracemalloc.start()
    try:
        box_zoom(widget, "2026-10-14 14:30:00", "2026-10-14 14:32:00")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert widget.layout.meta["bucket"] == "1 s"
    assert peak < column_bytes / 4, f"zoom allocated {peak:,} bytes for {len(big):,} rows"


def test_live_option_values(logs, monkeypatch):
    from postmortem_kit.errors import OptionsError

    with pytest.raises(ValueError, match="live='yes'"):
        incident_overview(None, logs, show=False, live="yes")
    with pytest.raises(OptionsError, match="did you mean 'live'"):
        incident_overview(None, logs, show=False, lvie=True)
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    assert not frontend_present()
    assert type(incident_overview(None, logs, show=False, live="auto")) is go.Figure
    # a Jupyter server session, but no kernel here: still static
    monkeypatch.setenv("JPY_SESSION_NAME", "/tmp/postmortem.ipynb")
    assert type(incident_overview(None, logs, show=False, live="auto")) is go.Figure

"""http_view: status classes per bucket, error ratio, latency percentiles, top offenders."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from postmortem_kit.errors import OptionsError
from postmortem_kit.explore import http_view
from tests.explore.conftest import at


def access(rows):
    """rows: (time, status, path, client, latency); plus one app-log row without status."""
    frame = pd.DataFrame(
        {
            "timestamp": pd.to_datetime([r[0] for r in rows], utc=True),
            "source": "nginx",
            "severity": "info",
            "message": "request",
            "status": pd.array([r[1] for r in rows], dtype="Int64"),
            "path": [r[2] for r in rows],
            "client": [r[3] for r in rows],
            "latency": [float(r[4]) for r in rows],
            "provenance": [f"access.log:{i + 1}" for i in range(len(rows))],
        }
    )
    app = pd.DataFrame(
        {"timestamp": [pd.Timestamp(at(14, 10))], "source": ["app"], "message": ["x"],
         "status": pd.array([pd.NA], dtype="Int64")}
    )  # fmt: skip
    return pd.concat([frame, app], ignore_index=True)


ROWS = [
    (at(14, 0, 10), 200, "/cart", "a", 0.1),
    (at(14, 0, 20), 200, "/cart", "b", 0.2),
    (at(14, 0, 30), 302, "/login", "a", 0.3),
    (at(14, 0, 40), 404, "/nope", "c", 0.4),
    (at(14, 8, 0), 503, "/api/cart/items/17?x=1", "a", 3.0),
    (at(14, 8, 10), 502, "/api/cart/items/99", "b", 3.0),
    (at(14, 8, 20), 500, "/checkout", "a", 1.0),
    (at(14, 8, 30), 200, "/cart", "d", 0.5),
    (at(15, 30, 0), 500, "/checkout", "z", 1.0),  # after resolved: not in the top window
]


def traces(fig, kind, axis):
    return {t.name: t for t in fig.data if t.type == kind and (t.yaxis or "y") == axis}


def test_requests_by_status_class_per_bucket(report):
    fig = http_view(report, access(ROWS), show=False, bucket="1min")
    bars = traces(fig, "bar", "y")
    minute = pd.Timestamp("2026-10-14 14:00")
    got = {
        (name, pd.Timestamp(x)): y
        for name, t in bars.items()
        for x, y in zip(t.x, t.y, strict=True)
    }
    assert got[("2xx", minute)] == 2
    assert got[("3xx", minute)] == 1
    assert got[("4xx", minute)] == 1
    assert got[("5xx", pd.Timestamp("2026-10-14 14:08"))] == 3
    assert got[("2xx", pd.Timestamp("2026-10-14 14:08"))] == 1
    assert sum(sum(t.y) for t in bars.values()) == len(ROWS)  # the app row is ignored
    assert bars["5xx"].marker.color == "#d62728"


def test_error_ratio_and_latency_percentiles(report):
    fig = http_view(report, access(ROWS), show=False, bucket="1min")
    ratio = traces(fig, "scatter", "y2")["error ratio"]
    by_minute = dict(zip(map(pd.Timestamp, ratio.x), ratio.y, strict=True))
    assert by_minute[pd.Timestamp("2026-10-14 14:00")] == 0
    assert by_minute[pd.Timestamp("2026-10-14 14:08")] == pytest.approx(3 / 4)
    latency = traces(fig, "scatter", "y3")
    at_14 = [0.1, 0.2, 0.3, 0.4]
    first = {name: t.y[0] for name, t in latency.items()}
    assert first["p50"] == pytest.approx(np.percentile(at_14, 50))
    assert first["p95"] == pytest.approx(np.percentile(at_14, 95))
    assert first["p99"] == pytest.approx(np.percentile(at_14, 99))


def test_top_paths_and_clients_by_errors_in_the_incident_window(report):
    fig = http_view(report, access(ROWS), show=False)
    meta = fig.layout.meta
    # Window 14:07-15:05: three 5xx; ids and query strings grouped away.
    assert meta["top_paths"] == [
        {"path": "/api/cart/items/{id}", "errors": 2},
        {"path": "/checkout", "errors": 1},
    ]
    assert meta["top_clients"] == [{"client": "a", "errors": 2}, {"client": "b", "errors": 1}]
    fig = http_view(
        report,
        access(ROWS),
        show=False,
        errors="4xx+5xx",
        top_window=(at(13, 0), at(16, 0)),
        group_paths=False,
    )
    paths = {r["path"]: r["errors"] for r in fig.layout.meta["top_paths"]}
    assert paths == {
        "/api/cart/items/17?x=1": 1,
        "/api/cart/items/99": 1,
        "/checkout": 2,
        "/nope": 1,
    }


def test_large_access_log_makes_a_small_figure(report):
    n = 300_000
    rng = np.random.default_rng(0)
    times = pd.Timestamp(at(13, 0)) + pd.to_timedelta(np.sort(rng.integers(0, 10_800, n)), unit="s")
    logs = pd.DataFrame(
        {
            "timestamp": times,
            "status": pd.array(rng.choice([200, 200, 200, 404, 503], n), dtype="Int64"),
            "path": rng.choice(["/a", "/b"], n),
            "client": rng.choice([f"c{i}" for i in range(100)], n),
            "latency": rng.exponential(0.2, n),
        }
    )
    fig = http_view(report, logs, show=False)
    assert len(fig.to_json()) < 250_000
    bars = [t for t in fig.data if t.type == "bar" and (t.yaxis or "y") == "y"]
    assert sum(int(sum(t.y)) for t in bars) == n


def test_options_and_inputs_are_checked(report):
    with pytest.raises(OptionsError, match="valid options"):
        http_view(report, access(ROWS), show=False, top_n=3)
    with pytest.raises(ValueError, match="no rows with an HTTP status"):
        http_view(report, access(ROWS).iloc[-1:], show=False)

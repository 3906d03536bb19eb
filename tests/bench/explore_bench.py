"""Figure-build time and HTML size of the exploration views for a 1M-event incident.

Run: ``.venv/bin/python tests/bench/explore_bench.py [--events N]``. Data is generated with a fixed
seed (a 3-hour incident, errors between 14:07 and 14:41). The baseline, measured in the same
process, is what a naive notebook does: one scatter trace with every raw event.
HTML sizes exclude plotly.js (about 4.7 MB, shipped once per published report).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from postmortem_kit.explore import (  # noqa: E402
    find_anomalies,
    http_view,
    incident_overview,
    log_patterns,
    metrics_panel,
)
from postmortem_kit.report import Report, Summary, TimelineEvent  # noqa: E402

UTC = dt.UTC
START = pd.Timestamp("2026-10-14 13:00", tz="UTC")
TEMPLATES = [
    "GET /api/cart/items/{n} 200 in {n} ms",
    "user u{n} logged in from 10.0.{n}.{n}",
    "order {n} placed, {n} items",
    "cache miss for key sku:{n}",
    "QueuePool limit of size 5 overflow 0 reached, timeout {n}",
    "slow connection checkout {n} ms",
]


def at(h: int, m: int) -> dt.datetime:
    return dt.datetime(2026, 10, 14, h, m, tzinfo=UTC)


def incident(n: int, seed: int = 7) -> tuple[Report, pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    seconds = np.sort(rng.uniform(0, 3 * 3600, n))
    times = START + pd.to_timedelta(seconds, unit="s")
    bad = (seconds >= 67 * 60) & (seconds < 101 * 60)
    failing = bad & (rng.random(n) < 0.3)
    status = np.where(failing, 503, np.where(rng.random(n) < 0.03, 404, 200))
    severity = np.where(failing, "error", np.where(status == 404, "warning", "info"))
    template = np.where(failing, rng.choice([4, 5], n), rng.integers(0, 4, n))
    numbers = rng.integers(1, 100_000, n).astype(str)
    messages = [TEMPLATES[t].replace("{n}", num) for t, num in zip(template, numbers, strict=True)]
    logs = pd.DataFrame(
        {
            "timestamp": times,
            "source": rng.choice(["nginx", "checkout-api", "syslog"], n, p=[0.6, 0.3, 0.1]),
            "severity": severity,
            "message": pd.array(messages, dtype="string"),
            "provenance": [f"access.log:{i + 1}" for i in range(n)],
            "status": pd.array(status, dtype="Int64"),
            "path": rng.choice(["/cart", "/checkout", "/api/cart/items/17", "/"], n),
            "client": rng.choice([f"198.51.100.{i}" for i in range(250)], n),
            "latency": np.where(bad, rng.exponential(2.0, n), rng.exponential(0.1, n)),
        }
    )
    grid = pd.date_range(START, START + pd.Timedelta(hours=3), freq="1s")
    t = (grid - START).total_seconds().to_numpy()
    in_bad = (t >= 67 * 60) & (t < 101 * 60)
    parts = []
    for name, normal, incident_value in (
        ("http_error_ratio", 0.003, 0.3),
        ("db_connections_in_use", 20, 5),
    ):
        noise = 1 + 0.05 * rng.standard_normal(len(grid))
        value = np.where(in_bad, incident_value, normal) * noise
        parts.append(
            pd.DataFrame({"timestamp": grid, "metric": name, "service": "checkout", "value": value})
        )
    metrics = pd.concat(parts, ignore_index=True)
    report = Report(
        id="INC-BENCH",
        title="bench",
        summary=Summary(impact_start=at(14, 7), detected=at(14, 12), mitigated=at(14, 41),
                        resolved=at(15, 5)),
        timeline=[TimelineEvent(time=at(14, 2), description="config push", pinned=True)],
    )  # fmt: skip
    return report, logs, metrics


def measure(build) -> tuple[float, float, int]:
    """(build seconds, HTML seconds, HTML bytes) of one view."""
    t0 = time.perf_counter()
    result = build()
    seconds = time.perf_counter() - t0
    fig = getattr(result, "figure", result)
    t0 = time.perf_counter()
    size = len(fig.to_html(include_plotlyjs=False, full_html=False, div_id="bench"))
    return seconds, time.perf_counter() - t0, size


def raw_baseline(logs: pd.DataFrame) -> go.Figure:
    """What a notebook does without aggregation: every event as a point."""
    return go.Figure(
        go.Scatter(x=logs["timestamp"].dt.tz_localize(None), y=logs["severity"], mode="markers")
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    args = parser.parse_args()
    t0 = time.perf_counter()
    report, logs, metrics = incident(args.events)
    print(f"generated {len(logs):,} events and {len(metrics):,} metric samples "
          f"in {time.perf_counter() - t0:.1f} s (seed 7)")  # fmt: skip
    small = logs.sample(n=min(10_000, len(logs)), random_state=1).sort_values("timestamp")
    error_ratio = metrics[metrics["metric"] == "http_error_ratio"].set_index("timestamp")["value"]
    cases = [
        ("incident_overview, 10k events", lambda: incident_overview(report, small, show=False)),
        ("incident_overview", lambda: incident_overview(report, logs, show=False)),
        ("metrics_panel (21.6k samples)", lambda: metrics_panel(report, metrics, show=False)),
        ("http_view", lambda: http_view(report, logs, show=False)),
        ("log_patterns (mining included)", lambda: log_patterns(report, logs, show=False)),
        ("BASELINE raw scatter, every event", lambda: raw_baseline(logs)),
    ]
    rows = []
    for name, build in cases:
        rows.append((name, *measure(build)))
    t0 = time.perf_counter()
    hints = find_anomalies(error_ratio)
    hint_s = time.perf_counter() - t0
    width = max(len(r[0]) for r in rows) + 2
    print(f"\n{'view':<{width}}{'build s':>9}{'to_html s':>11}{'HTML (no plotly.js)':>22}")
    for name, seconds, html_seconds, size in rows:
        print(f"{name:<{width}}{seconds:>9.2f}{html_seconds:>11.2f}{size / 1e6:>19.3f} MB")
    base = rows[-1][3]
    overview = rows[1][3]
    print(f"\nincident_overview HTML is {base / overview:,.0f}x smaller than the raw baseline")
    span = f"{hints['start'].min():%H:%M:%S}–{hints['end'].max():%H:%M:%S}" if len(hints) else ""
    print(
        f"find_anomalies on {len(error_ratio):,} samples: {hint_s:.2f} s, "
        f"{len(hints)} window(s) {span}"
    )


if __name__ == "__main__":
    main()

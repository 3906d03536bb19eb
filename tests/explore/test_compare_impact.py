"""compare_windows and computed_impact: numbers checked against hand counts."""

from __future__ import annotations

import pandas as pd
import pytest

from postmortem_kit.errors import OptionsError
from postmortem_kit.explore import compare_windows, computed_impact, log_patterns
from tests.explore.conftest import at

# Windows used throughout: before [13:00, 14:00), during [14:00, 15:00), after [15:00, 16:00).
WINDOWS = {"during": (at(14, 0), at(15, 0))}


def metrics():
    rows = [
        (at(13, 10), "errors", "a", 1.0), (at(13, 50), "errors", "a", 3.0),
        (at(14, 10), "errors", "a", 20.0), (at(14, 20), "errors", "a", 40.0),
        (at(15, 30), "errors", "a", 2.0),
        (at(13, 30), "errors", "b", 5.0), (at(14, 30), "errors", "b", 5.0),
        (at(15, 0), "errors", "b", 7.0),  # 15:00 belongs to "after" (end exclusive)
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=["timestamp", "metric", "service", "value"]).assign(
        timestamp=lambda f: pd.to_datetime(f["timestamp"], utc=True)
    )


def logs():
    rows = []
    for minute in range(0, 60, 10):  # 6 lines per hour before and after
        rows.append((at(13, minute), "app", "info", "ok"))
        rows.append((at(15, minute), "app", "info", "ok"))
    for minute in range(0, 60, 5):  # 12 error lines during
        rows.append((at(14, minute), "app", "error", "pool timeout 5"))
    frame = pd.DataFrame(rows, columns=["timestamp", "source", "severity", "message"])
    frame["timestamp"] = pd.to_datetime(frame["timestamp"], utc=True)
    frame["provenance"] = [f"app.log:{i + 1}" for i in range(len(frame))]
    return frame


def row(table, kind, name, statistic):
    hit = table[
        (table["kind"] == kind) & (table["name"] == name) & (table["statistic"] == statistic)
    ]
    assert len(hit) == 1, (kind, name, statistic, table)
    return hit.iloc[0]


def test_metrics_and_log_rates_across_windows(report):
    table = compare_windows(report, metrics=metrics(), logs=logs(), show=False, **WINDOWS)
    a = row(table, "metric", "errors {service=a}", "mean")
    assert (a["before"], a["during"], a["after"]) == (2.0, 30.0, 2.0)
    assert a["change"] == pytest.approx(15.0)
    b = row(table, "metric", "errors {service=b}", "mean")
    assert (b["before"], b["during"], b["after"]) == (5.0, 5.0, 7.0)
    lines = row(table, "logs", "app", "lines/min")
    assert (lines["before"], lines["during"], lines["after"]) == (6 / 60, 12 / 60, 6 / 60)
    errors = row(table, "logs", "app", "error lines/min")
    assert (errors["before"], errors["during"]) == (0.0, 12 / 60)
    assert pd.isna(errors["change"])  # no errors before: no ratio
    table = compare_windows(report, metrics=metrics(), show=False, statistic="max", **WINDOWS)
    assert row(table, "metric", "errors {service=a}", "max")["during"] == 40.0


def test_pattern_rates_and_matching_windows(report):
    patterns = log_patterns(report, logs(), show=False, **WINDOWS)
    table = compare_windows(report, patterns=patterns, show=False, **WINDOWS)
    timeout = table[table["name"].str.contains("pool timeout")].iloc[0]
    assert (timeout["before"], timeout["during"], timeout["after"]) == (0.0, 12 / 60, 0.0)
    with pytest.raises(ValueError, match="other windows"):
        compare_windows(report, patterns=patterns, show=False)  # default windows differ


def test_compare_options_are_checked(report):
    with pytest.raises(OptionsError):
        compare_windows(report, metrics=metrics(), show=False, stat="max")


def access_logs():
    rows = [
        # in the window 14:07-15:05
        (at(14, 10), 200, "c1"), (at(14, 11), 503, "c1"), (at(14, 12), 502, "c2"),
        (at(14, 13), 404, "c3"), (at(14, 14), 200, "c4"), (at(15, 4, 59), 500, "c5"),
        # outside it
        (at(13, 0), 200, "c1"), (at(15, 5), 500, "c6"), (at(16, 0), 200, "c7"),
    ]  # fmt: skip
    frame = pd.DataFrame(rows, columns=["timestamp", "status", "client"])
    frame["timestamp"] = pd.to_datetime(frame["timestamp"], utc=True)
    frame["status"] = frame["status"].astype("Int64")
    return frame


def test_computed_impact_numbers_and_definitions(report):
    impact = computed_impact(report, access_logs(), show=False, slo_target=0.99, slo_period="1D")
    assert impact["requests"] == 6
    assert impact["failed_requests"] == 3  # 503, 502, 500 (404 is not a server error)
    assert impact["error_ratio"] == pytest.approx(3 / 6)
    assert impact["clients_seen"] == 5
    assert impact["clients_affected"] == 3  # c1, c2, c5
    assert impact["clients_affected_share"] == pytest.approx(3 / 5)
    # 9 requests over the logs' 3 h span = 3/h; 1 day -> 72 requests; budget 1 % = 0.72.
    assert impact["error_budget"] == pytest.approx(0.72)
    assert impact["budget_burned"] == pytest.approx(3 / 0.72)
    assert impact["burn_rate"] == pytest.approx(0.5 / 0.01)
    definitions = dict(zip(impact.table["measure"], impact.table["definition"], strict=True))
    assert "[14:07:00, 15:05:00) UTC" in definitions["requests"]
    assert "status ≥ 500" in definitions["failed_requests"]
    assert "(1 − 99 %)" in definitions["error_budget"]
    assert "3/h" in definitions["error_budget"]
    text = impact.summary_text()
    assert "failed requests: 3 (those rows with status ≥ 500)" in text


def test_computed_impact_counts_4xx_when_asked(report):
    impact = computed_impact(report, access_logs(), show=False, errors="4xx+5xx")
    assert impact["failed_requests"] == 4
    with pytest.raises(ValueError, match="slo_target"):
        computed_impact(report, access_logs(), show=False, slo_target=99.9)

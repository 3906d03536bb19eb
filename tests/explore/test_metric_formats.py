"""load_metrics: CSV long and wide layouts, saved Prometheus JSON, and clear errors."""

from __future__ import annotations

import datetime as dt
import json
import math

import pandas as pd
import pytest

from postmortem_kit.errors import IngestError
from postmortem_kit.explore import load_metrics, metric_format_table
from tests.explore.conftest import DATA, at


def test_long_csv_keeps_labels_and_converts_offsets_to_utc():
    df = load_metrics(DATA / "metrics_long.csv")
    # 5 data rows in the file (one blank line is not a sample).
    assert len(df) == 5
    assert list(df.columns) == [
        "timestamp", "metric", "value", "service", "source", "provenance",
    ]  # fmt: skip
    assert str(df["timestamp"].dt.tz) == "UTC"
    # 16:01+02:00 is 14:01 UTC.
    row = df[(df["metric"] == "http_error_ratio") & (df["value"] == 0.31)].iloc[0]
    assert row["timestamp"] == pd.Timestamp(at(14, 1))
    assert row["service"] == "checkout"
    assert row["provenance"].endswith("metrics_long.csv:4")
    # The NaN sample is kept as NaN; the blank line 6 shifts it to line 7.
    nan_row = df[df["value"].isna()].iloc[0]
    assert nan_row["provenance"].endswith("metrics_long.csv:7")
    assert set(df["source"]) == {"metrics_long.csv"}
    assert df["timestamp"].is_monotonic_increasing


def test_wide_csv_one_sample_per_filled_cell_in_local_time():
    df = load_metrics(DATA / "metrics_wide.csv", tz="Europe/Berlin", source="node")
    # Filled cells: cpu 1.5, 2.5; mem 2048, 4096.
    assert sorted(zip(df["metric"], df["value"], strict=True)) == [
        ("cpu_seconds", 1.5), ("cpu_seconds", 2.5), ("mem_bytes", 2048.0), ("mem_bytes", 4096.0),
    ]  # fmt: skip
    # Berlin is UTC+2 on 14 October 2026 (summer time ends 25 October).
    first_cpu = df[df["metric"] == "cpu_seconds"]["timestamp"].min()
    assert first_cpu == pd.Timestamp(at(14, 0))
    assert set(df["source"]) == {"node"}
    assert not any("ASSUMED" in n for n in df.attrs["import_notes"])


def test_naive_times_without_tz_are_utc_and_said_loudly():
    df = load_metrics(DATA / "metrics_wide.csv")
    assert df["timestamp"].min() == pd.Timestamp(at(16, 0))
    assert any("UTC ASSUMED" in n for n in df.attrs["import_notes"])


def test_prometheus_query_range_json():
    df = load_metrics(DATA / "query_range.json")
    assert len(df) == 5
    assert set(df["metric"]) == {"db_connections_in_use"}
    assert set(df["instance"]) == {"db1:9187", "db2:9187"}
    assert set(df["job"]) == {"postgres"}
    db1 = df[df["instance"] == "db1:9187"].sort_values("timestamp")
    assert db1["timestamp"].iloc[0] == pd.Timestamp(dt.datetime.fromtimestamp(1792159200, dt.UTC))
    assert db1["value"].iloc[:2].tolist() == [48.0, 5.0]
    assert math.isnan(db1["value"].iloc[2])
    db2 = df[df["instance"] == "db2:9187"].sort_values("timestamp")
    assert db2["value"].iloc[1] == math.inf
    assert db2["timestamp"].iloc[0].microsecond == 500000


def test_prometheus_error_response_is_reported(tmp_path):
    path = tmp_path / "err.json"
    body = {"status": "error", "errorType": "bad_data", "error": "parse error at char 4"}
    path.write_text(json.dumps(body))
    with pytest.raises(IngestError, match="bad_data: parse error at char 4"):
        load_metrics(path)


def test_series_without_name_take_the_file_stem(tmp_path):
    path = tmp_path / "error_rate.json"
    path.write_text(
        json.dumps(
            {"status": "success", "data": {"resultType": "matrix", "result": [
                {"metric": {"job": "api"}, "values": [[1792159200, "0.5"]]},
            ]}}
        )
    )  # fmt: skip
    df = load_metrics(path)
    assert df["metric"].tolist() == ["error_rate"]


def test_folder_and_glob_inputs(tmp_path):
    for name in ("a.csv", "b.csv"):
        (tmp_path / name).write_text("timestamp,metric,value\n2026-10-14T14:00:00Z,m,1\n")
    assert sorted(load_metrics(tmp_path)["source"]) == ["a.csv", "b.csv"]
    assert load_metrics(str(tmp_path / "a*.csv"))["source"].tolist() == ["a.csv"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("timestamp,metric,value\n2026-10-14T14:00:00Z,m,1\n2026-10-14T14:01:00Z,m,x1\n",
         r"bad\.csv:3: field value: 'x1' is not a number"),
        ("timestamp,metric,value\n2026-10-14T14:00:00Z,m,\n",
         r"bad\.csv:2: field value: an empty value is not a number"),
        ("timestamp,metric,value\nyesterday,m,1\n",
         r"bad\.csv:2: field timestamp: cannot read 'yesterday'"),
        ("timestamp,metric,value\n2026-10-14T14:00:00Z,m,1\n2026-10-14 14:01:00,m,2\n",
         r"bad\.csv:3: .*some timestamps have a UTC offset"),
        ("when,metric,value\n2026-10-14T14:00:00Z,m,1\n", r"bad\.csv:1: no time column"),
        ("", r"bad\.csv: empty file"),
        ("timestamp,metric,value\n", r"bad\.csv: header only"),
        ("timestamp,a,b\n2026-10-14T14:00:00Z,1,oops\n", r"bad\.csv:2: field b: 'oops'"),
    ],
)  # fmt: skip
def test_bad_csv_names_file_line_and_field(tmp_path, text, message):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(IngestError, match=message):
        load_metrics(path, format="metrics-csv")


def test_unknown_format_and_missing_file(tmp_path):
    with pytest.raises(IngestError, match="known: auto, prometheus-json, metrics-csv"):
        load_metrics(DATA / "metrics_long.csv", format="influx")
    with pytest.raises(IngestError, match="no such file"):
        load_metrics(tmp_path / "nope.csv")


def test_nonexistent_local_time_is_an_error_not_a_guess(tmp_path):
    path = tmp_path / "dst.csv"
    # 02:30 on 29 March 2026 does not exist in Berlin (clocks jump 02:00 -> 03:00).
    path.write_text("timestamp,metric,value\n2026-03-29 02:30:00,m,1\n")
    with pytest.raises(IngestError, match="Europe/Berlin"):
        load_metrics(path, tz="Europe/Berlin")


def test_epoch_seconds(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("timestamp,metric,value\n1792159200,m,1\n")
    df = load_metrics(path)
    assert df["timestamp"].iloc[0] == pd.Timestamp("2026-10-16T14:00:00Z")


def test_format_table_lists_every_format():
    table = metric_format_table()
    assert set(table["name"]) == {"metrics-csv", "prometheus-json"}
    assert table["example"].str.len().gt(0).all()

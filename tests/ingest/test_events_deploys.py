"""Deploy and change records: JSON with offsets, CSV with local times, GitHub deployments."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from postmortem_kit.ingest.events import load_events

DATA = Path(__file__).resolve().parents[1] / "data" / "events"
DEPLOYS = DATA / "deploys"


def test_offsets_are_honoured_and_times_end_in_utc():
    df = load_events(DEPLOYS / "deploys.json", relative_to=DATA)
    # +02:00 in the file: 14:58:40, 15:20:00, 16:41:05 local are 12:58:40, 13:20, 14:41:05 UTC
    assert list(df["time"]) == [
        pd.Timestamp("2026-10-14T12:58:40Z"),
        pd.Timestamp("2026-10-14T13:20:00Z"),
        pd.Timestamp("2026-10-14T14:41:05Z"),
    ]
    assert str(df["time"].dtype) == "datetime64[us, UTC]"
    assert not df.attrs["import_report"].warnings


def test_record_fields_map_to_kind_actor_description_and_suggestion():
    df = load_events(DEPLOYS / "deploys.json", relative_to=DATA)
    assert list(df["kind"]) == ["deploy", "change", "deploy"]
    assert list(df["actor"]) == ["sam.okafor", "dana.reyes", "sam.okafor"]
    assert list(df["record_id"]) == ["D-1187", "C-0412", "D-1188"]
    assert list(df["suggested_kind"]) == ["trigger", "trigger", "mitigation"]
    assert df["description"].iloc[0] == (
        "deploy checkout-api: v2.14.0: cache price lookups in Redis [succeeded]"
    )
    assert list(df["provenance"]) == [
        "deploys/deploys.json:2",
        "deploys/deploys.json:11",
        "deploys/deploys.json:20",
    ]
    assert set(df["source"]) == {"deploys.json"}


def test_record_without_time_is_a_reject_at_its_line():
    report = load_events(DEPLOYS / "deploys.json", relative_to=DATA).attrs["import_report"]
    assert report.records_read == 4
    [reject] = report.rejects
    assert (reject.file, reject.line) == ("deploys/deploys.json", 29)
    assert "no time field" in reject.reason


def test_csv_local_times_read_in_tz_and_multiline_rows_keep_their_start_line():
    df = load_events(DEPLOYS / "changes_local.csv", tz="Europe/Berlin", relative_to=DATA)
    # Berlin is UTC+2 in October before the 25th
    assert list(df["time"]) == [
        pd.Timestamp("2026-10-14T12:58:40Z"),
        pd.Timestamp("2026-10-14T13:20:00Z"),
        pd.Timestamp("2026-10-14T15:30:00Z"),
    ]
    assert list(df["provenance"]) == [
        "deploys/changes_local.csv:2",
        "deploys/changes_local.csv:3",
        "deploys/changes_local.csv:8",
    ]
    assert df["kind"].iloc[1] == "change"
    assert "enable new_pricing for 100% of traffic" in df["description"].iloc[1]
    report = df.attrs["import_report"]
    assert [(r.line, r.reason) for r in report.rejects] == [
        (5, "row has 6 field(s), the header has 7"),
        (6, "field 'deployed_at' is not an ISO 8601 timestamp: '14/10/2026 17:00'"),
    ]
    assert report.records_read == 5
    assert any("Europe/Berlin" in n for n in report.inputs[0].notes)


def test_naive_times_without_tz_are_utc_and_the_report_warns_loudly():
    df = load_events(DEPLOYS / "changes_local.csv", relative_to=DATA)
    assert df["time"].iloc[0] == pd.Timestamp("2026-10-14T14:58:40Z")
    report = df.attrs["import_report"]
    [warning] = report.warnings
    assert "ASSUMED UTC" in warning and "tz=" in warning
    assert "ASSUMED UTC" in str(report)
    assert "ASSUMED UTC" in report._repr_html_()


def test_github_deployments_use_creator_ref_sha_environment_and_latest_status():
    df = load_events(DEPLOYS / "github_deployments.json", relative_to=DATA)
    assert list(df["time"]) == [
        pd.Timestamp("2026-10-14T12:58:31Z"),
        pd.Timestamp("2026-10-14T14:41:05Z"),
    ]
    assert list(df["actor"]) == ["sam-okafor", "dana-reyes"]
    assert df["description"].iloc[0] == (
        "deploy v2.14.0 (a84d88e) to production: Deploy checkout v2.14.0 [success]"
    )
    assert df["url"].iloc[0] == "https://ci.example.com/deploy/1042/log"
    assert list(df["suggested_kind"]) == ["trigger", "mitigation"]
    assert list(df["record_id"]) == ["1042", "1043"]
    assert list(df["provenance"]) == [
        "deploys/github_deployments.json:2",
        "deploys/github_deployments.json:47",
    ]
    assert df.attrs["import_report"].inputs[0].format == "deploys"


def test_epoch_times_and_an_object_holding_the_list(tmp_path):
    path = tmp_path / "changes.json"
    records = [
        {"id": 1, "timestamp": 1791983045, "service": "db", "kind": "migration"},
        {"id": 2, "timestamp": 1791983046500, "service": "db", "kind": "deploy"},
    ]
    path.write_text(json.dumps({"changes": records}, indent=2))
    df = load_events(path)
    assert list(df["time"]) == [
        pd.Timestamp("2026-10-14T13:04:05Z"),
        pd.Timestamp("2026-10-14T13:04:06.500Z"),
    ]
    assert list(df["kind"]) == ["change", "deploy"]
    assert list(df["provenance"]) == [f"{path.as_posix()}:3", f"{path.as_posix()}:9"]


def test_failed_deploy_has_error_severity(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("time,service,status\n2026-10-14T13:00:00Z,api,failed\n")
    df = load_events(path)
    assert df["severity"].iloc[0] == "error"
    assert df["description"].iloc[0] == "deploy api [failed]"


def test_the_actor_column_is_read_by_any_of_its_usual_names(tmp_path):
    path = tmp_path / "changes.csv"
    path.write_text(
        "time,service,actor,author,deployed_by\n"
        "2026-10-14T14:00:00Z,api,maria,,\n"
        "2026-10-14T14:01:00Z,api,,sam,\n"
        "2026-10-14T14:02:00Z,api,,,dana\n"
        "2026-10-14T14:03:00Z,api,,,\n"
    )
    df = load_events(path, format="deploys")
    assert list(df["actor"]) == ["maria", "sam", "dana", ""]

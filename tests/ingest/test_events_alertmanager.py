"""Alertmanager import: API v2 alert lists and webhook payloads, firing and resolved events."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from postmortem_kit.ingest.events import load_events

DATA = Path(__file__).resolve().parents[1] / "data" / "events"
ALERTS = DATA / "alertmanager"


def test_api_v2_resolved_alert_gives_firing_and_resolved_events():
    df = load_events(ALERTS / "api_v2_alerts.json", relative_to=DATA)
    high = df[df["record_id"] == "8c1d3e5f7a9b0c2d"]
    assert list(high["kind"]) == ["alert_firing", "alert_resolved"]
    assert list(high["time"]) == [
        pd.Timestamp("2026-10-14T13:05:00Z"),
        pd.Timestamp("2026-10-14T14:47:30Z"),
    ]
    assert set(high["provenance"]) == {"alertmanager/api_v2_alerts.json:2"}
    assert list(high["suggested_kind"]) == ["detection", "observation"]


def test_api_v2_active_alert_with_future_ends_at_has_no_resolved_event():
    df = load_events(ALERTS / "api_v2_alerts.json", relative_to=DATA)
    latency = df[df["record_id"] == "1f2e3d4c5b6a7988"]
    assert list(latency["kind"]) == ["alert_firing"]
    # startsAt 15:09:30+02:00 is 13:09:30 UTC
    assert latency["time"].iloc[0] == pd.Timestamp("2026-10-14T13:09:30Z")
    assert latency["severity"].iloc[0] == "warning"


def test_description_names_the_alert_its_labels_and_summary():
    df = load_events(ALERTS / "api_v2_alerts.json", relative_to=DATA)
    assert df["description"].iloc[0] == (
        "HighErrorRate firing (service=checkout-api, severity=critical): "
        "checkout-api 5xx ratio above 5% for 5m"
    )
    assert df["actor"].iloc[0] == "alertmanager"
    assert df["url"].iloc[0].startswith("http://prometheus:9090/graph")
    assert df["severity"].iloc[0] == "critical"


def test_bad_start_time_is_a_reject_naming_line_and_field():
    report = load_events(ALERTS / "api_v2_alerts.json", relative_to=DATA).attrs["import_report"]
    assert report.records_read == 3
    [reject] = report.rejects
    assert reject.file == "alertmanager/api_v2_alerts.json"
    assert reject.line == 38
    assert "startsAt" in reject.reason


def test_webhook_payload_resolved_alert_gives_two_events_firing_alert_one():
    df = load_events(ALERTS / "webhook_resolved.json", relative_to=DATA)
    assert list(zip(df["kind"], df["provenance"], strict=True)) == [
        ("alert_firing", "alertmanager/webhook_resolved.json:5"),
        ("alert_firing", "alertmanager/webhook_resolved.json:20"),
        ("alert_resolved", "alertmanager/webhook_resolved.json:5"),
    ]
    assert df["time"].iloc[1] == pd.Timestamp("2026-10-14T13:11:15.250Z")
    assert df["time"].iloc[2] == pd.Timestamp("2026-10-14T14:47:30Z")
    # a firing alert's Go zero endsAt (0001-01-01) makes no resolved event
    assert "CheckoutQueueBacklog resolved" not in " ".join(df["description"])


def test_webhook_stream_counts_repeats_and_broken_lines_as_rejects():
    df = load_events(ALERTS / "webhook_stream.jsonl", relative_to=DATA)
    assert list(df["kind"]) == ["alert_firing", "alert_resolved"]
    assert list(df["provenance"]) == [
        "alertmanager/webhook_stream.jsonl:1",
        "alertmanager/webhook_stream.jsonl:3",
    ]
    report = df.attrs["import_report"]
    assert [(r.line, r.reason.split(":")[0]) for r in report.rejects] == [
        (2, "repeat notification of alert HighErrorRate (8c1d3e5f7a9b0c2d) already imported"),
        (4, "invalid JSON"),
    ]
    assert report.records_read == len(report.rejects) + report.inputs[0].records_imported
    assert any("2 alert(s)" in n for n in report.inputs[0].notes)


def test_silenced_api_v2_alert_says_so(tmp_path):
    alert = {
        "labels": {"alertname": "DiskFull"},
        "annotations": {},
        "startsAt": "2026-10-14T13:00:00Z",
        "endsAt": "2026-10-14T13:20:00Z",
        "updatedAt": "2026-10-14T13:16:00Z",
        "status": {"state": "suppressed", "silencedBy": ["a1b2"], "inhibitedBy": []},
    }
    path = tmp_path / "alerts.json"
    path.write_text(json.dumps([alert]))
    df = load_events(path)
    assert list(df["description"]) == ["DiskFull firing [silenced]"]


def test_resolved_webhook_alert_without_ends_at_is_rejected(tmp_path):
    payload = {
        "version": "4",
        "status": "resolved",
        "receiver": "x",
        "alerts": [
            {
                "status": "resolved",
                "labels": {"alertname": "A"},
                "startsAt": "2026-10-14T13:00:00Z",
                "endsAt": "0001-01-01T00:00:00Z",
            }
        ],
    }
    path = tmp_path / "hook.json"
    path.write_text(json.dumps(payload))
    df = load_events(path)
    assert df.empty
    [reject] = df.attrs["import_report"].rejects
    assert reject.line == 1 and "endsAt" in reject.reason

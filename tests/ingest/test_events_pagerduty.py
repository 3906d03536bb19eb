"""PagerDuty incident log entries (REST API response) as paging events."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from postmortem_kit.ingest.events import load_events

DATA = Path(__file__).resolve().parents[1] / "data" / "events"
LOG = DATA / "pagerduty" / "log_entries.json"


def test_log_entry_types_map_to_kinds_in_time_order():
    df = load_events(LOG, relative_to=DATA)
    # the API lists newest first; the frame is sorted by time
    assert list(df["kind"]) == ["page", "page", "acknowledge", "escalate", "note", "resolve"]
    assert list(df["time"]) == [
        pd.Timestamp(t)
        for t in (
            "2026-10-14T13:05:01Z",
            "2026-10-14T13:05:32Z",
            "2026-10-14T13:08:55Z",
            "2026-10-14T13:12:40Z",
            "2026-10-14T14:42:00Z",
            "2026-10-14T15:31:12Z",
        )
    ]
    assert list(df["suggested_kind"]) == [
        "detection",
        "escalation",
        "action",
        "escalation",
        "investigation",
        "resolution",
    ]


def test_actor_is_the_agent_and_provenance_the_entry_line():
    df = load_events(LOG, relative_to=DATA)
    assert list(df["actor"]) == [
        "Alertmanager",
        "checkout-api",
        "Dana Reyes",
        "Dana Reyes",
        "Sam Okafor",
        "Dana Reyes",
    ]
    assert list(df["provenance"]) == [
        f"pagerduty/log_entries.json:{n}" for n in (58, 47, 37, 27, 17, 3)
    ]


def test_description_carries_incident_summary_and_note_text():
    df = load_events(LOG, relative_to=DATA).set_index("record_id")
    assert df.loc["R4ACK000000001", "description"] == (
        "PagerDuty [#4711] HighErrorRate checkout-api: Acknowledged by Dana Reyes"
    )
    assert df.loc["R7ANNOTATE0001", "description"].endswith(
        "Note added: Rolled back checkout-api to v2.13.4"
    )
    assert df.loc["R2KJ4N3QJ3M1NZ", "url"].endswith("/log_entries/R2KJ4N3QJ3M1NZ")


def test_entry_without_created_at_is_a_reject():
    report = load_events(LOG, relative_to=DATA).attrs["import_report"]
    assert report.records_read == 7
    [reject] = report.rejects
    assert (reject.line, "created_at" in reject.reason) == (68, True)
    assert report.inputs[0].format == "pagerduty"


def test_a_bare_list_of_entries_and_unknown_entry_types(tmp_path):
    entries = [
        {"type": "snooze_log_entry", "created_at": "2026-10-14T13:30:00Z", "summary": "Snoozed"},
        {"type": "urgency_change_log_entry", "created_at": "2026-10-14T13:31:00+01:00"},
        {"type": "incident", "created_at": "2026-10-14T13:31:00Z"},
    ]
    path = tmp_path / "pd.json"
    path.write_text(json.dumps(entries))
    df = load_events(path)
    assert list(df["kind"]) == ["note", "note"]
    assert df["time"].iloc[0] == pd.Timestamp("2026-10-14T12:31:00Z")
    assert df["description"].iloc[0] == "PagerDuty: urgency change"
    [reject] = df.attrs["import_report"].rejects
    assert "not a log entry type" in reject.reason

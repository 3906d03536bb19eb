"""Slack export import: folder layout, user and mention resolution, bots, subtypes, rejects."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

from postmortem_kit.ingest.events import load_events

DATA = Path(__file__).resolve().parents[1] / "data" / "events"
SLACK = DATA / "slack"
DAY = "slack/inc-2041/2026-10-14.json"


def test_export_folder_makes_one_event_per_message_with_utc_times_from_ts():
    df = load_events(SLACK, relative_to=DATA)
    # ts 1791983045.000100 = 2026-10-14T13:04:05.000100Z (epoch seconds, UTC by definition)
    assert df["time"].iloc[0] == pd.Timestamp("2026-10-14T13:04:05.000100Z")
    assert str(df["time"].dtype) == "datetime64[us, UTC]"
    assert len(df) == 7
    assert df["time"].is_monotonic_increasing
    assert set(df["source"]) == {"slack"}


def test_provenance_names_the_day_file_and_the_line_where_the_message_starts():
    df = load_events(SLACK, relative_to=DATA)
    assert list(df["provenance"]) == [
        f"{DAY}:2",
        f"{DAY}:9",
        f"{DAY}:25",
        f"{DAY}:34",
        f"{DAY}:42",
        f"{DAY}:50",
        "slack/general/2026-10-14.json:2",
    ]


def test_users_resolve_to_display_names_and_mentions_inside_text():
    df = load_events(SLACK, relative_to=DATA).set_index("provenance")
    # U01DANA has display_name "dana"; U02SAM has an empty display name: real name used.
    assert df.loc[f"{DAY}:25", "actor"] == "dana"
    assert df.loc[f"{DAY}:34", "actor"] == "Sam Okafor"
    assert "@Sam Okafor can you check" in df.loc[f"{DAY}:25", "description"]
    assert "<@U02SAM>" not in df.loc[f"{DAY}:25", "description"]
    # a user missing from users.json falls back to the message's own user_profile
    assert df.loc[f"{DAY}:50", "actor"] == "Former Contractor"


def test_markup_links_channels_and_entities_become_readable_one_line_text():
    df = load_events(SLACK, relative_to=DATA).set_index("provenance")
    text = df.loc[f"{DAY}:25", "description"]
    assert "checkout dashboard (https://grafana.example.com/d/checkout)" in text
    assert "\n" not in text
    assert df.loc[f"{DAY}:34", "description"] == (
        "#inc-2041 Sam Okafor: (thread reply) on it & rolling back <checkout-api> to v2.13.4 "
        "in #inc-2041"
    )
    # <#C0INC2041> without a label is named from channels.json
    assert df.loc["slack/general/2026-10-14.json:2", "description"].endswith("in #inc-2041")


def test_bot_messages_use_username_and_attachment_text():
    df = load_events(SLACK, relative_to=DATA).set_index("provenance")
    assert df.loc[f"{DAY}:9", "actor"] == "PagerDuty"
    assert "Triggered #4711: HighErrorRate checkout-api" in df.loc[f"{DAY}:9", "description"]
    assert df.loc[f"{DAY}:9", "kind"] == "chat"


def test_join_and_topic_subtypes_are_kept_as_notes():
    df = load_events(SLACK, relative_to=DATA).set_index("provenance")
    assert df.loc[f"{DAY}:2", "kind"] == "note"
    assert df.loc[f"{DAY}:2", "description"] == "#inc-2041: @dana has joined the channel"
    assert df.loc[f"{DAY}:42", "kind"] == "note"
    assert df.loc[f"{DAY}:25", "suggested_kind"] == "communication"


def test_message_without_ts_is_a_counted_reject_with_file_and_line():
    report = load_events(SLACK, relative_to=DATA).attrs["import_report"]
    assert report.records_read == 8
    assert report.events_made == 7
    [reject] = report.rejects
    assert (reject.file, reject.line) == (DAY, 57)
    assert "ts" in reject.reason
    assert report.inputs[0].format == "slack"


def test_a_single_day_file_finds_users_json_two_folders_up():
    df = load_events(SLACK / "inc-2041" / "2026-10-14.json", relative_to=DATA)
    assert len(df) == 6
    assert "Sam Okafor" in set(df["actor"])
    assert df.attrs["import_report"].inputs[0].format == "slack"


def test_without_users_json_ids_are_kept_and_the_report_says_so(tmp_path):
    channel = tmp_path / "inc-2041"
    shutil.copytree(SLACK / "inc-2041", channel)
    df = load_events(channel)
    assert "U02SAM" in set(df["actor"])
    assert any("no users.json" in n for n in df.attrs["import_report"].inputs[0].notes)

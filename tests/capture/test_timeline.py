"""The Timeline editor: add, edit, sort, pin, delete, and pick candidates with provenance."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from postmortem_kit.capture import edit_timeline
from postmortem_kit.capture.candidates import candidates_from_frame
from postmortem_kit.report import load_report
from tests.capture.helpers import click, control, visible_text

UTC = dt.UTC


def _add(editor, time: str, description: str, kind: str = "observation") -> None:
    control(editor, "New event time").value = time
    control(editor, "New event kind").value = kind
    control(editor, "New event description").value = description
    click(editor, "Add event")


@pytest.fixture
def editor(incident, opts):
    return edit_timeline(incident, **{**opts, "local_tz": "UTC"})


def test_added_events_are_saved_sorted_and_marked_manual(editor, incident):
    _add(editor, "2026-10-14 14:30", "Rolled back config", "mitigation")
    _add(editor, "2026-10-14 14:10", "Alert fired", "detection")
    timeline = load_report(incident).timeline
    assert [(e.time.hour, e.time.minute, e.kind) for e in timeline] == [
        (14, 10, "detection"),
        (14, 30, "mitigation"),
    ]
    assert {(e.source, e.provenance) for e in timeline} == {("manual", "manual")}
    assert [row.description.value for row in editor.rows] == ["Alert fired", "Rolled back config"]
    assert "source: <b>manual</b>" in editor.rows[0].info.value
    assert control(editor, "New event description").value == ""


def test_adding_needs_a_time_and_a_description(editor, incident):
    _add(editor, "", "No time")
    assert "type the time" in editor.add_message.value
    _add(editor, "2026-10-14 14:10", "  ")
    assert "type a description" in editor.add_message.value
    assert load_report(incident).timeline == []


def test_editing_a_time_moves_the_row(editor, incident):
    _add(editor, "2026-10-14 14:10", "first")
    _add(editor, "2026-10-14 14:20", "second")
    editor.rows[0].time.value = "2026-10-14 14:25"
    assert [e.description for e in load_report(incident).timeline] == ["second", "first"]
    assert [row.description.value for row in editor.rows] == ["second", "first"]


def test_editing_kind_description_and_pin_is_saved(editor, incident, scheduler):
    _add(editor, "2026-10-14 14:10", "Alert fired")
    row = editor.rows[0]
    row.kind.value = "detection"
    row.description.value = "Alert CheckoutErrorRate fired"
    scheduler.advance(1.0)
    editor.rows[0].pinned.value = True
    event = load_report(incident).timeline[0]
    assert (event.kind, event.description, event.pinned) == (
        "detection",
        "Alert CheckoutErrorRate fired",
        True,
    )
    assert "★ pinned" in editor.rows[0].info.value


def test_delete_removes_the_row(editor, incident):
    _add(editor, "2026-10-14 14:10", "keep")
    _add(editor, "2026-10-14 14:20", "drop")
    click(editor.rows[1], "Delete")
    assert [e.description for e in load_report(incident).timeline] == ["keep"]
    assert len(editor.rows) == 1


def test_a_mistyped_row_time_is_kept_and_not_saved(editor, incident):
    _add(editor, "2026-10-14 14:10", "Alert fired")
    editor.rows[0].time.value = "yesterday"
    assert editor.rows[0].time.value == "yesterday"
    assert "not a date and time" in editor.rows[0].message.value
    assert load_report(incident).timeline[0].time == dt.datetime(2026, 10, 14, 14, 10, tzinfo=UTC)


def test_rows_follow_the_zone_choice(editor):
    _add(editor, "2026-10-14 14:10", "Alert fired")
    control(editor, "Show times in").value = "Asia/Tokyo"
    assert editor.rows[0].time.value == "2026-10-14 23:10:00"


EVENTS = pd.DataFrame(
    {
        "time": pd.to_datetime(
            ["2026-10-14T14:02:00Z", "2026-10-14T13:58:00Z", "2026-10-14T14:40:00Z"], utc=True
        ),
        "source": ["alertmanager", "deploys", "slack"],
        "kind": ["alert", "deploy", "chat"],
        "description": ["CheckoutErrorRate firing", "config push db-pool", "rolling back now"],
        "actor": [None, "ci-bot", "ana"],
        "provenance": [
            "evidence/alerts.json:3",
            "evidence/deploys.json:1",
            "evidence/slack/inc-2041/2026-10-14.json:12",
        ],
        "suggested_kind": ["detection", "trigger", "mitigation"],
    }
)


def test_candidates_are_listed_sorted_and_filterable(incident, opts):
    editor = edit_timeline(incident, candidates=EVENTS, **{**opts, "local_tz": "UTC"})
    labels = [label for label, _ in editor.picker.select.options]
    assert labels[0].startswith("2026-10-14 13:58:00 · deploys · trigger · ci-bot: config push")
    assert len(labels) == 3
    control(editor, "Filter candidates").value = "rolling"
    assert [label.split(" · ")[1] for label, _ in editor.picker.select.options] == ["slack"]
    control(editor, "Filter candidates").value = ""
    control(editor, "Candidate source").value = "alertmanager"
    assert len(editor.picker.select.options) == 1


def test_picked_candidates_are_added_with_their_provenance(incident, opts):
    editor = edit_timeline(incident, candidates=EVENTS, **{**opts, "local_tz": "UTC"})
    select = control(editor, "Candidates")
    select.value = tuple(v for label, v in select.options if "slack" in label or "alert" in label)
    click(editor, "Add selected to timeline")
    timeline = load_report(incident).timeline
    assert [(e.source, e.kind, e.provenance) for e in timeline] == [
        ("alertmanager", "detection", "evidence/alerts.json:3"),
        ("slack", "mitigation", "evidence/slack/inc-2041/2026-10-14.json:12"),
    ]
    assert timeline[1].description == "ana: rolling back now"
    assert "Added 2 event(s)" in visible_text(editor.picker)
    select.value = tuple(v for _, v in select.options)
    click(editor, "Add selected to timeline")
    assert len(load_report(incident).timeline) == 3
    assert "2 already in the timeline" in visible_text(editor.picker)
    assert sum(label.startswith("✓") for label, _ in select.options) == 3


def test_log_rows_can_be_candidates(incident, opts):
    logs = pd.DataFrame(
        {
            "timestamp": pd.to_datetime(["2026-10-14T14:03:07Z"], utc=True),
            "source": ["checkout-api.jsonl"],
            "severity": ["error"],
            "message": ["pool exhausted: 0 of 10 connections free"],
            "provenance": ["evidence/checkout-api.jsonl:8812"],
        }
    )
    editor = edit_timeline(incident, candidates=logs, **opts)
    select = control(editor, "Candidates")
    select.value = (select.options[0][1],)
    click(editor, "Add selected to timeline")
    event = load_report(incident).timeline[0]
    assert (event.kind, event.source, event.provenance) == (
        "observation",
        "checkout-api.jsonl",
        "evidence/checkout-api.jsonl:8812",
    )
    assert event.time == dt.datetime(2026, 10, 14, 14, 3, 7, tzinfo=UTC)


def test_a_frame_without_a_time_column_is_refused_by_name():
    with pytest.raises(ValueError, match="no time column.*got source, message"):
        candidates_from_frame(pd.DataFrame({"source": ["x"], "message": ["y"]}))


def test_an_empty_candidate_frame_shows_no_picker(incident, opts):
    editor = edit_timeline(incident, candidates=pd.DataFrame(), **opts)
    assert editor.picker is None
    assert not [w for w in editor.children if w.__class__.__name__ == "CandidatePicker"]

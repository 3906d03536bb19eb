"""The actions editor: add, edit, delete, overdue highlight, Jira CSV and JSON export."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest

from postmortem_kit.capture import edit_actions, jira_csv
from postmortem_kit.report import Action, Report, load_report
from tests.capture.helpers import click, control


def _add(editor, description, *, type="prevent", owner="", due="", priority=None):
    control(editor, "New action").value = description
    control(editor, "New action type").value = type
    control(editor, "New action owner").value = owner
    control(editor, "New action due").value = due
    control(editor, "New action priority").value = priority
    click(editor, "Add action")


@pytest.fixture
def editor(incident, opts):
    return edit_actions(incident, **{**opts, "today": dt.date(2026, 11, 1)})


def test_added_actions_get_ids_and_are_saved(editor, incident):
    _add(editor, "Validate pool size in CI", owner="ana", due="2026-11-15", priority="P1")
    _add(editor, "Page on pool saturation", type="mitigate")
    actions = load_report(incident).actions
    assert [(a.id, a.type, a.owner, a.due, a.priority) for a in actions] == [
        ("A1", "prevent", "ana", dt.date(2026, 11, 15), "P1"),
        ("A2", "mitigate", "", None, None),
    ]
    assert control(editor, "Action A2").value == "Page on pool saturation"


def test_a_new_action_needs_a_description_and_a_valid_date(editor, incident):
    _add(editor, "")
    assert "type what will be done" in editor.add_message.value
    _add(editor, "Validate pool size", due="15.11.2026")
    assert "YYYY-MM-DD" in editor.add_message.value
    assert load_report(incident).actions == []


def test_row_edits_are_saved(editor, incident, scheduler):
    _add(editor, "Validate pool size")
    row = editor.rows[0]
    row.description.value = "Validate pool size in CI"
    row.owner.value = "bo"
    row.ticket.value = "https://jira.example.com/browse/OPS-12"
    scheduler.advance(1.0)
    row.status.value = "in progress"
    row.priority.value = "P2"
    row.type.value = "process"
    row.due.value = "2026-11-20"
    action = load_report(incident).actions[0]
    assert action.model_dump() == {
        "id": "A1",
        "description": "Validate pool size in CI",
        "type": "process",
        "owner": "bo",
        "due": dt.date(2026, 11, 20),
        "status": "in progress",
        "ticket": "https://jira.example.com/browse/OPS-12",
        "priority": "P2",
    }


def test_a_mistyped_due_date_is_kept_and_not_saved(editor, incident):
    _add(editor, "Validate pool size", due="2026-11-15")
    editor.rows[0].due.value = "next friday"
    assert editor.rows[0].due.value == "next friday"
    assert "Due date of action A1" in editor.rows[0].message.value
    assert load_report(incident).actions[0].due == dt.date(2026, 11, 15)


def test_overdue_rows_are_highlighted_until_done(editor):
    _add(editor, "Late", due="2026-10-20")
    _add(editor, "On time", due="2026-11-20")
    late, on_time = editor.rows
    assert "pmk-overdue" in late._dom_classes and late.layout.border
    assert "Overdue: due 2026-10-20, still open" in late.badge.value
    assert "pmk-overdue" not in on_time._dom_classes and on_time.badge.value == ""
    late.status.value = "done"
    assert "pmk-overdue" not in late._dom_classes and late.badge.value == ""


def test_delete_removes_the_action(editor, incident):
    _add(editor, "keep")
    _add(editor, "drop")
    click(editor.rows[1], "Delete")
    assert [a.id for a in load_report(incident).actions] == ["A1"]
    _add(editor, "next")
    assert [a.id for a in load_report(incident).actions] == ["A1", "A2"]


def test_export_buttons_write_csv_and_json_next_to_the_report(editor, incident):
    _add(
        editor,
        "Validate pool size\nin the deploy pipeline",
        owner="ana@example.com",
        due="2026-10-20",
        priority="P1",
    )
    click(editor, "Export CSV for Jira")
    click(editor, "Export JSON")
    rows = list(csv.reader(io.StringIO((incident / "actions-jira.csv").read_text("utf-8"))))
    assert rows[0] == [
        "Summary",
        "Issue Type",
        "Priority",
        "Assignee",
        "Due Date",
        "Status",
        "Description",
        "Labels",
        "Labels",
        "Labels",
        "Action ID",
    ]
    summary, kind, priority, assignee, due, status, description, *labels, action_id = rows[1]
    assert (summary, kind, priority, assignee, due, status, action_id) == (
        "Validate pool size",
        "Task",
        "Highest",
        "ana@example.com",
        "2026-10-20",
        "To Do",
        "A1",
    )
    assert description.startswith("Validate pool size\nin the deploy pipeline\n")
    assert "From postmortem INC-7: Checkout errors" in description
    assert labels == ["postmortem", "INC-7", "action-prevent"]
    data = json.loads((incident / "actions.json").read_text("utf-8"))
    assert data["as_of"] == "2026-11-01"
    assert data["actions"][0]["id"] == "A1" and data["actions"][0]["overdue"] is True
    assert "actions.json" in editor.export_message.value


def test_jira_csv_maps_statuses_and_priorities():
    report = Report(
        id="INC 9",
        title="t",
        actions=[
            Action(id="A1", description="a", type="process", status="won't do", priority="P4"),
            Action(id="A2", description="b", type="mitigate", status="in progress"),
        ],
    )
    rows = list(csv.reader(io.StringIO(jira_csv(report))))
    assert [(r[2], r[5], r[8]) for r in rows[1:]] == [
        ("Low", "Won't Do", "INC-9"),
        ("", "In Progress", "INC-9"),
    ]

"""All five editors together: order, labels, list fields, and every value back after a restart."""

from __future__ import annotations

import datetime as dt

import ipywidgets as widgets
import pandas as pd

from postmortem_kit.capture import (
    edit_lessons,
    edit_report,
    edit_root_cause,
)
from postmortem_kit.capture.binding import close_all
from postmortem_kit.report import load_report
from tests.capture.helpers import click, control, walk

LABELLED = (
    widgets.Text,
    widgets.Textarea,
    widgets.Dropdown,
    widgets.Checkbox,
    widgets.SelectMultiple,
    widgets.Button,
    widgets.ToggleButton,
)


def test_the_five_sections_are_tabs_in_the_seed_order(incident, opts):
    editor = edit_report(incident, **opts)
    assert list(editor.tabs.titles) == [
        "Summary",
        "Timeline",
        "Root cause analysis",
        "Corrective and preventive actions",
        "Lessons learned",
    ]
    assert len([w for w in walk(editor) if w.__class__.__name__ == "StatusBar"]) == 1
    assert "INC-7: Checkout errors" in editor.header.value


def test_every_control_has_a_visible_label(incident, opts):
    candidates = pd.DataFrame(
        {"time": ["2026-10-14T14:00:00Z"], "source": ["slack"], "description": ["hi"]}
    )
    editor = edit_report(incident, candidates=candidates, **opts)
    control(editor, "New action").value = "Validate pool size"
    click(editor, "Add action")
    control(editor, "New event time").value = "2026-10-14 14:00"
    control(editor, "New event description").value = "Alert"
    click(editor, "Add event")
    found = [w for w in walk(editor) if isinstance(w, LABELLED)]
    assert len(found) > 60
    unlabelled = [type(w).__name__ for w in found if not (w.description or "").strip()]
    assert unlabelled == []


def test_list_fields_are_edited_as_markdown_lists(incident, opts):
    editor = edit_root_cause(incident, **opts)
    control(editor, "Five whys").value = (
        "1. Why did checkout fail? The pool was empty.\n"
        "2. Why was it empty? A config push set it to 2\n"
        "   instead of 20.\n"
    )
    control(editor, "Contributing factors").value = "- no canary\n* no alert on pool use\n"
    control(editor, "Recommendations").value = "Validate config in CI"
    click(editor, "Save now")
    rc = load_report(incident).root_cause
    assert rc.five_whys == [
        "Why did checkout fail? The pool was empty.",
        "Why was it empty? A config push set it to 2\ninstead of 20.",
    ]
    assert rc.contributing_factors == ["no canary", "no alert on pool use"]
    assert rc.recommendations == ["Validate config in CI"]
    field = editor.fields["root_cause.five_whys"]
    field.toggle.value = True
    assert field.preview.value.count("<li>") == 2 and "<ol>" in field.preview.value


def test_lessons_are_saved_as_lists(incident, opts):
    editor = edit_lessons(incident, **opts)
    control(editor, "What went well").value = "- Rollback took 4 minutes"
    control(editor, "What went wrong").value = "- No alert on the pool\n- Runbook outdated"
    control(editor, "Where we got lucky").value = "- Low traffic hour"
    control(editor, "Process recommendations").value = "- Page the DB owner"
    click(editor, "Save now")
    lessons = load_report(incident).lessons
    assert lessons.went_well == ["Rollback took 4 minutes"]
    assert lessons.went_wrong == ["No alert on the pool", "Runbook outdated"]
    assert lessons.got_lucky == ["Low traffic hour"]
    assert lessons.recommendations == ["Page the DB owner"]


def _fill_every_section(editor) -> None:
    control(editor, "Narrative").value = "The pool shrank."
    control(editor, "Impact start").value = "2026-10-14 14:00"
    control(editor, "New event time").value = "2026-10-14 14:02"
    control(editor, "New event description").value = "Alert fired"
    click(editor, "Add event")
    control(editor, "Root cause").value = "Unvalidated pool size"
    control(editor, "New action").value = "Validate pool size in CI"
    control(editor, "New action due").value = "2026-11-15"
    click(editor, "Add action")
    control(editor, "What went well").value = "- Fast rollback"


def test_every_value_is_back_after_a_kernel_restart(incident, opts, scheduler):
    editor = edit_report(incident, **{**opts, "local_tz": "UTC"})
    _fill_every_section(editor)
    scheduler.advance(1.0)
    close_all()  # the kernel goes away; only the file remains
    again = edit_report(incident, **{**opts, "local_tz": "UTC"})
    assert again.binding is not editor.binding
    assert control(again, "Narrative").value == "The pool shrank."
    assert control(again, "Impact start").value == "2026-10-14 14:00:00"
    assert [r.description.value for r in again.sections["timeline"].rows] == ["Alert fired"]
    assert control(again, "Root cause").value == "Unvalidated pool size"
    assert control(again, "Action A1").value == "Validate pool size in CI"
    assert control(again, "What went well").value == "- Fast rollback"
    report = load_report(incident)
    assert report.summary.impact_start == dt.datetime(2026, 10, 14, 14, tzinfo=dt.UTC)
    assert report.actions[0].due == dt.date(2026, 11, 15)


def test_an_edit_in_one_tab_shows_in_the_other(incident, opts):
    editor = edit_report(incident, **opts)
    summary, root_cause = editor.sections["summary"], editor.sections["root_cause"]
    control(summary, "Trigger").value = "Config push"
    assert control(root_cause, "Trigger").value == "Config push"
    control(editor, "Title").value = "Pool exhausted"
    assert "Pool exhausted" in editor.header.value

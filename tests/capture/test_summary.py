"""The Summary editor: metadata, Markdown fields with preview, key times, TTx, validation."""

from __future__ import annotations

import datetime as dt

from postmortem_kit.capture import edit_summary
from postmortem_kit.report import load_report
from tests.capture.helpers import control, visible_text

UTC = dt.UTC


def test_every_summary_field_is_saved(incident, opts, scheduler):
    editor = edit_summary(incident, **opts)
    control(editor, "Title").value = "Checkout 502s"
    control(editor, "Status").value = "in review"
    control(editor, "Authors").value = "Ana Lima, Bo Chen"
    control(editor, "Services").value = "checkout-api,  postgres"
    control(editor, "Tags").value = "database, config"
    control(editor, "Narrative").value = "A config push **halved** the pool."
    control(editor, "Impact").value = "Card payments failed"
    control(editor, "Users affected").value = "1,200"
    control(editor, "Trigger").value = "Config push"
    control(editor, "Detection").value = "Alert fired"
    scheduler.advance(1.0)
    r = load_report(incident)
    assert (r.title, r.status) == ("Checkout 502s", "in review")
    assert (r.authors, r.services, r.tags) == (
        ["Ana Lima", "Bo Chen"],
        ["checkout-api", "postgres"],
        ["database", "config"],
    )
    assert r.summary.narrative == "A config push **halved** the pool."
    assert (r.summary.impact, r.summary.users_affected) == ("Card payments failed", 1200)
    assert (r.summary.trigger, r.summary.detection) == ("Config push", "Alert fired")


def test_typing_a_list_keeps_the_trailing_comma_in_the_box(incident, opts):
    editor = edit_summary(incident, **opts)
    authors = control(editor, "Authors")
    authors.value = "Ana Lima, "
    assert authors.value == "Ana Lima, "
    assert editor.binding.report.authors == ["Ana Lima"]


def test_markdown_preview_renders_and_escapes_html(incident, opts):
    editor = edit_summary(incident, **opts)
    field = editor.fields["summary.narrative"]
    control(editor, "Narrative").value = "**pool** <script>alert(1)</script>"
    assert field.preview.layout.display == "none"
    field.toggle.value = True
    assert field.preview.layout.display != "none"
    assert "<strong>pool</strong>" in field.preview.value
    assert "&lt;script&gt;" in field.preview.value and "<script>" not in field.preview.value
    control(editor, "Narrative").value = "_live_"
    assert "<em>live</em>" in field.preview.value


def test_an_invalid_count_stays_in_the_box_and_is_saved_once_valid(incident, opts, scheduler):
    editor = edit_summary(incident, **opts)
    users = control(editor, "Users affected")
    users.value = "about 12k"
    scheduler.advance(1.0)
    assert users.value == "about 12k"
    assert "whole number" in visible_text(editor)
    assert "1 value(s) not saved yet" in visible_text(editor.status)
    assert load_report(incident).summary.users_affected is None
    users.value = "12000"
    assert load_report(incident).summary.users_affected == 12000
    assert "whole number" not in visible_text(editor)


def test_key_times_typed_in_the_local_zone_are_saved_as_instants(incident, opts):
    editor = edit_summary(incident, **{**opts, "local_tz": "Europe/Berlin"})
    control(editor, "Impact start").value = "2026-10-14 16:07"
    saved = load_report(incident).summary.impact_start
    assert saved == dt.datetime(2026, 10, 14, 14, 7, tzinfo=UTC)
    shown = visible_text(editor.key_times)
    assert "UTC Wed 2026-10-14 14:07:00" in shown
    assert "Europe/Berlin Wed 2026-10-14 16:07:00 CEST" in shown
    control(editor, "Time zone").value = "UTC"
    assert control(editor, "Impact start").value == "2026-10-14 14:07:00"
    control(editor, "Time zone").value = "America/New_York"
    assert control(editor, "Impact start").value == "2026-10-14 10:07:00"


def test_a_time_without_date_takes_the_day_of_the_previous_key_time(incident, opts):
    editor = edit_summary(incident, **{**opts, "local_tz": "UTC"})
    control(editor, "Impact start").value = "2026-10-14 23:50"
    control(editor, "Detected").value = "2026-10-15 00:05"
    control(editor, "Resolved").value = "01:30"
    summary = load_report(incident).summary
    assert summary.resolved == dt.datetime(2026, 10, 15, 1, 30, tzinfo=UTC)
    assert "(day +1)" in editor.key_times.shown["resolved"].value


def test_durations_update_as_times_change(incident, opts):
    editor = edit_summary(incident, **{**opts, "local_tz": "UTC"})
    control(editor, "Impact start").value = "2026-10-14 14:00"
    control(editor, "Detected").value = "2026-10-14 14:12:30"
    control(editor, "Resolved").value = "2026-10-14 16:05"
    table = editor.key_times.durations.value
    assert "data-label='TTD'>12m 30s<" in table
    assert "data-label='TTR'>2h 05m<" in table
    assert "data-label='Repair'>1h 52m<" in table
    control(editor, "Detected").value = "2026-10-14 14:03"
    assert "data-label='TTD'>3m 00s<" in editor.key_times.durations.value


def test_out_of_order_times_are_kept_named_and_saved_once_fixed(incident, opts):
    editor = edit_summary(incident, **{**opts, "local_tz": "UTC"})
    control(editor, "Impact start").value = "2026-10-14 14:10"
    control(editor, "Detected").value = "2026-10-14 14:05"
    message = editor.key_times.messages["detected"].value
    assert "summary.detected 14:05Z is before summary.impact_start 14:10Z" in message
    assert control(editor, "Detected").value == "2026-10-14 14:05:00"
    assert load_report(incident).summary.detected is None
    assert "not saved yet" in visible_text(editor.status)
    assert "negative" in editor.key_times.durations.value
    control(editor, "Impact start").value = "2026-10-14 14:00"
    summary = load_report(incident).summary
    assert summary.impact_start == dt.datetime(2026, 10, 14, 14, 0, tzinfo=UTC)
    assert summary.detected == dt.datetime(2026, 10, 14, 14, 5, tzinfo=UTC)
    assert editor.key_times.messages["detected"].value == ""


def test_a_mistyped_time_stays_and_other_times_still_save(incident, opts):
    editor = edit_summary(incident, **{**opts, "local_tz": "UTC"})
    control(editor, "Detected").value = "14h05"
    control(editor, "Impact start").value = "2026-10-14 14:00"
    assert control(editor, "Detected").value == "14h05"
    assert "not a date and time" in editor.key_times.messages["detected"].value
    assert load_report(incident).summary.impact_start is not None


def test_a_time_in_the_dst_gap_is_refused_with_a_reason(incident, opts):
    editor = edit_summary(incident, **{**opts, "local_tz": "Europe/Berlin"})
    control(editor, "Impact start").value = "2026-03-29 02:30"
    assert "does not exist in Europe/Berlin" in editor.key_times.messages["impact_start"].value
    assert load_report(incident).summary.impact_start is None


def test_changing_the_zone_keeps_a_mistyped_time(incident, opts):
    editor = edit_summary(incident, **{**opts, "local_tz": "UTC"})
    control(editor, "Impact start").value = "2026-10-14 14:00"
    control(editor, "Detected").value = "14h05"
    control(editor, "Time zone").value = "Europe/Berlin"
    assert control(editor, "Detected").value == "14h05"
    assert control(editor, "Impact start").value == "2026-10-14 16:00:00"
    assert load_report(incident).summary.impact_start == dt.datetime(2026, 10, 14, 14, tzinfo=UTC)


def test_a_second_summary_editor_follows_the_first(incident, opts):
    first = edit_summary(incident, **{**opts, "local_tz": "UTC"})
    second = edit_summary(incident, **{**opts, "local_tz": "UTC"})
    control(first, "Impact start").value = "2026-10-14 14:00"
    control(first, "Narrative").value = "typed in the first"
    assert control(second, "Impact start").value == "2026-10-14 14:00:00"
    assert control(second, "Narrative").value == "typed in the first"

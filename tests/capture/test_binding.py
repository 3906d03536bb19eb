"""The binding to postmortem.yaml: debounced saves, status, conflicts, reload and merge."""

from __future__ import annotations

import os
import resource
import signal
import sys

import pytest

from postmortem_kit.capture import (
    CaptureOptions,
    ReportBinding,
    bind,
    edit_root_cause,
    edit_summary,
)
from postmortem_kit.errors import OptionsError
from postmortem_kit.report import load_report
from tests.capture.helpers import click, control, visible_text


def _edit_file(incident, old: str, new: str) -> str:
    """Change the report file the way another program would; returns the new text."""
    file = incident / "postmortem.yaml"
    text = file.read_text(encoding="utf-8")
    assert old in text
    text = text.replace(old, new)
    file.write_text(text, encoding="utf-8")
    return text


def test_typing_is_saved_after_the_debounce_interval_and_not_before(incident, opts, scheduler):
    editor = edit_summary(incident, **opts)
    control(editor, "Narrative").value = "Checkout returned 502s"
    scheduler.advance(0.99)
    assert load_report(incident).summary.narrative == ""
    scheduler.advance(0.01)
    assert load_report(incident).summary.narrative == "Checkout returned 502s"


def test_continuous_typing_is_saved_at_least_every_interval(incident, opts, scheduler):
    editor = edit_summary(incident, **opts)
    narrative = control(editor, "Narrative")
    for letter in "abcd":  # a keystroke every 0.3 s; the first one starts the interval
        narrative.value += letter
        scheduler.advance(0.3)
    # 1.2 s after the first keystroke, typing still going on: what came in by 1.0 s is saved.
    assert load_report(incident).summary.narrative == "abcd"
    narrative.value += "e"
    scheduler.advance(1.0)
    assert load_report(incident).summary.narrative == "abcde"


def test_status_says_saved_at_the_clock_time(incident, opts, scheduler, clock):
    editor = edit_summary(incident, **opts)
    control(editor, "Impact").value = "All card payments failed"
    assert "Unsaved changes" in visible_text(editor.status)
    scheduler.advance(1.0)
    assert "Saved at 09:30:05" in visible_text(editor.status)


def test_a_choice_is_saved_at_once(incident, opts):
    editor = edit_summary(incident, **opts)
    control(editor, "Severity").value = "SEV1"
    assert load_report(incident).severity == "SEV1"


def test_save_now_writes_pending_typing(incident, opts):
    editor = edit_summary(incident, **opts)
    control(editor, "Title").value = "Checkout 502s after config push"
    click(editor, "Save now")
    assert load_report(incident).title == "Checkout 502s after config push"


def test_debounce_zero_saves_every_change(incident, opts):
    editor = edit_summary(incident, **{**opts, "debounce": 0})
    control(editor, "Detection").value = "Alert CheckoutErrorRate"
    assert load_report(incident).summary.detection == "Alert CheckoutErrorRate"


def test_forms_on_one_file_share_a_binding_and_show_each_others_edits(incident, opts, scheduler):
    summary = edit_summary(incident, **opts)
    root_cause = edit_root_cause(incident / "postmortem.yaml", **opts)
    assert summary.binding is root_cause.binding
    assert bind(incident) is summary.binding
    control(summary, "Trigger").value = "Config push shrank the DB pool"
    assert control(root_cause, "Trigger").value == "Config push shrank the DB pool"
    control(root_cause, "Root cause").value = "Pool size not validated"
    scheduler.advance(1.0)
    report = load_report(incident)
    assert report.summary.trigger == "Config push shrank the DB pool"
    assert report.root_cause.root_cause == "Pool size not validated"
    assert summary.binding.conflict is None


def test_a_file_changed_on_disk_is_not_overwritten(incident, opts, scheduler):
    editor = edit_summary(incident, **opts)
    control(editor, "Narrative").value = "typed in the notebook"
    theirs = _edit_file(incident, "title: Checkout errors", "title: Checkout errors (git)")
    scheduler.advance(1.0)
    assert (incident / "postmortem.yaml").read_text(encoding="utf-8") == theirs
    assert "changed on disk" in visible_text(editor.status)
    detail = editor.status.detail.value
    assert "summary.narrative" in detail and "changed here" in detail
    assert "Checkout errors (git)" in detail and "changed on disk" in detail
    assert editor.status.conflict_panel.layout.display != "none"
    click(editor, "Save now")  # still refuses
    assert (incident / "postmortem.yaml").read_text(encoding="utf-8") == theirs


def test_merge_applies_my_edit_on_top_of_theirs(incident, opts, scheduler):
    editor = edit_summary(incident, **opts)
    control(editor, "Narrative").value = "typed in the notebook"
    _edit_file(incident, "title: Checkout errors", "title: Checkout errors (git)")
    scheduler.advance(1.0)
    click(editor, "Merge")
    report = load_report(incident)
    assert report.title == "Checkout errors (git)"
    assert report.summary.narrative == "typed in the notebook"
    assert control(editor, "Title").value == "Checkout errors (git)"
    assert editor.binding.conflict is None
    assert editor.status.conflict_panel.layout.display == "none"


def test_merge_keeps_a_comment_written_by_hand(incident, opts, scheduler):
    editor = edit_summary(incident, **opts)
    control(editor, "Narrative").value = "typed in the notebook"
    _edit_file(incident, "severity: SEV3", "severity: SEV3  # agreed with the IC")
    scheduler.advance(1.0)
    click(editor, "Merge")
    text = (incident / "postmortem.yaml").read_text(encoding="utf-8")
    assert "# agreed with the IC" in text and "typed in the notebook" in text


def test_merge_of_the_same_field_keeps_mine_and_says_so(incident, opts, scheduler):
    editor = edit_summary(incident, **opts)
    control(editor, "Title").value = "Mine"
    _edit_file(incident, "title: Checkout errors", "title: Theirs")
    scheduler.advance(1.0)
    assert "changed in both" in editor.status.detail.value
    click(editor, "Merge")
    assert load_report(incident).title == "Mine"
    assert "your value was kept for: title" in visible_text(editor.status)


def test_reload_takes_the_file_and_drops_my_unsaved_edit(incident, opts, scheduler):
    editor = edit_summary(incident, **opts)
    control(editor, "Narrative").value = "typed in the notebook"
    theirs = _edit_file(incident, "title: Checkout errors", "title: Checkout errors (git)")
    scheduler.advance(1.0)
    click(editor, "Reload")
    assert (incident / "postmortem.yaml").read_text(encoding="utf-8") == theirs
    assert control(editor, "Narrative").value == ""
    assert control(editor, "Title").value == "Checkout errors (git)"
    control(editor, "Impact").value = "after reload"
    scheduler.advance(1.0)
    assert load_report(incident).summary.impact == "after reload"


def test_two_kernels_detect_each_other_through_the_digest(incident, opts):
    options = CaptureOptions(**opts)
    file = incident / "postmortem.yaml"
    first, second = ReportBinding(file, options), ReportBinding(file, options)
    first.set(("summary", "narrative"), "from kernel one", commit=True)
    assert second.set(("title",), "from kernel two", commit=True)
    assert second.conflict is not None
    assert load_report(incident).title == "Checkout errors"
    second.merge()
    report = load_report(incident)
    assert (report.title, report.summary.narrative) == ("from kernel two", "from kernel one")


def test_an_invalid_file_on_disk_blocks_saving_and_merging(incident, opts, scheduler):
    editor = edit_summary(incident, **opts)
    control(editor, "Narrative").value = "typed"
    (incident / "postmortem.yaml").write_text("title: [unclosed\n", encoding="utf-8")
    scheduler.advance(1.0)
    assert "not valid YAML" in editor.status.detail.value
    assert editor.status.merge_button.disabled
    click(editor, "Reload")
    assert "Cannot reload" in visible_text(editor.status)
    assert (incident / "postmortem.yaml").read_text(encoding="utf-8") == "title: [unclosed\n"


def test_a_deleted_file_is_written_back_by_merge(incident, opts, scheduler):
    editor = edit_summary(incident, **opts)
    control(editor, "Narrative").value = "typed"
    (incident / "postmortem.yaml").unlink()
    scheduler.advance(1.0)
    assert "deleted or moved" in editor.status.detail.value
    click(editor, "Merge")
    assert load_report(incident).summary.narrative == "typed"


def test_watching_reloads_a_changed_file_when_the_form_has_no_edits(incident, opts, scheduler):
    editor = edit_summary(incident, **{**opts, "watch": 2.0})
    _edit_file(incident, "title: Checkout errors", "title: Renamed in git")
    scheduler.advance(2.0)
    assert control(editor, "Title").value == "Renamed in git"
    assert editor.binding.conflict is None


def test_watching_reports_a_conflict_before_the_save_is_due(incident, opts, scheduler):
    editor = edit_summary(incident, **{**opts, "watch": 0.5, "debounce": 5.0})
    control(editor, "Narrative").value = "typed"
    _edit_file(incident, "title: Checkout errors", "title: Renamed in git")
    scheduler.advance(0.5)
    assert editor.binding.conflict is not None
    assert load_report(incident).title == "Renamed in git"


def test_rebinding_loads_changes_made_while_no_edit_was_pending(incident, opts):
    edit_summary(incident, **opts)
    _edit_file(incident, "title: Checkout errors", "title: Renamed in git")
    again = edit_summary(incident, **opts)
    assert control(again, "Title").value == "Renamed in git"


def test_close_saves_what_the_debounce_still_holds(incident, opts):
    editor = edit_summary(incident, **opts)
    control(editor, "Narrative").value = "typed just before the kernel stopped"
    editor.binding.close()
    assert load_report(incident).summary.narrative == "typed just before the kernel stopped"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses RLIMIT_FSIZE (Linux)")
def test_a_write_error_is_shown_and_the_edit_is_saved_once_possible(incident, opts, scheduler):
    editor = edit_summary(incident, **opts)
    control(editor, "Narrative").value = "x" * 5000
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (2000, hard))  # the disk is "full" past 2 kB
    try:
        scheduler.advance(1.0)
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, previous)
    status = visible_text(editor.status)
    assert "Not saved: cannot write" in status and "kept in this form" in status
    assert load_report(incident).summary.narrative == ""
    assert [p.name for p in incident.iterdir()] == ["postmortem.yaml"]  # no temp file left
    assert control(editor, "Narrative").value == "x" * 5000
    click(editor, "Save now")
    assert load_report(incident).summary.narrative == "x" * 5000
    assert "Saved at" in visible_text(editor.status)


def test_unknown_option_is_rejected_with_a_hint(incident):
    with pytest.raises(OptionsError, match="did you mean 'debounce'"):
        edit_summary(incident, debounse=2)


def test_bad_zone_option_is_rejected(incident):
    with pytest.raises(OptionsError, match="Europe/Berlin"):
        edit_summary(incident, local_tz="Mars/Olympus")


def test_missing_report_says_how_to_create_one(tmp_path, opts):
    from postmortem_kit.errors import ReportError

    with pytest.raises(ReportError, match="postmortem new"):
        edit_summary(tmp_path, **opts)
    assert not os.listdir(tmp_path)

"""Three-way merge of reports: the form's edits on top of the file changed elsewhere."""

from __future__ import annotations

import datetime as dt

from postmortem_kit.capture.merge import differences, merge_reports
from postmortem_kit.report import Action, Report, TimelineEvent

T = dt.datetime(2026, 10, 14, 14, 0, tzinfo=dt.UTC)


def _event(minute: int, text: str) -> TimelineEvent:
    return TimelineEvent(time=T + dt.timedelta(minutes=minute), description=text)


def _action(id: str, **kw) -> Action:
    return Action(id=id, description=kw.pop("description", id), type="prevent", **kw)


BASE = Report(
    id="INC-7",
    title="base",
    timeline=[_event(0, "start")],
    actions=[_action("A1"), _action("A2")],
)


def test_fields_changed_on_different_sides_both_survive():
    mine = BASE.model_copy(deep=True)
    mine.summary.narrative = "mine"
    theirs = BASE.model_copy(deep=True)
    theirs.title = "theirs"
    merged, conflicts = merge_reports(BASE, mine, theirs)
    assert (merged.title, merged.summary.narrative, conflicts) == ("theirs", "mine", [])


def test_events_added_on_both_sides_are_all_kept_in_time_order():
    mine = BASE.model_copy(update={"timeline": [*BASE.timeline, _event(30, "mine")]})
    theirs = BASE.model_copy(update={"timeline": [*BASE.timeline, _event(10, "theirs")]})
    merged, conflicts = merge_reports(BASE, mine, theirs)
    assert [e.description for e in merged.timeline] == ["start", "theirs", "mine"]
    assert conflicts == []


def test_an_event_deleted_here_is_deleted_in_the_merge():
    mine = BASE.model_copy(update={"timeline": []})
    theirs = BASE.model_copy(update={"timeline": [*BASE.timeline, _event(10, "theirs")]})
    merged, _ = merge_reports(BASE, mine, theirs)
    assert [e.description for e in merged.timeline] == ["theirs"]


def test_list_items_added_on_both_sides_are_kept():
    mine, theirs = BASE.model_copy(deep=True), BASE.model_copy(deep=True)
    mine.lessons.went_well = ["fast rollback"]
    theirs.lessons.went_well = ["good comms"]
    merged, _ = merge_reports(BASE, mine, theirs)
    assert merged.lessons.went_well == ["good comms", "fast rollback"]


def test_actions_merge_field_by_field_by_id():
    mine = BASE.model_copy(update={"actions": [_action("A1", owner="ana"), _action("A2")]})
    theirs = BASE.model_copy(update={"actions": [_action("A1", status="done"), _action("A2")]})
    merged, conflicts = merge_reports(BASE, mine, theirs)
    assert (merged.actions[0].owner, merged.actions[0].status) == ("ana", "done")
    assert conflicts == []


def test_the_same_action_field_changed_on_both_sides_keeps_mine_and_is_reported():
    mine = BASE.model_copy(update={"actions": [_action("A1", owner="ana"), _action("A2")]})
    theirs = BASE.model_copy(update={"actions": [_action("A1", owner="bo"), _action("A2")]})
    merged, conflicts = merge_reports(BASE, mine, theirs)
    assert merged.actions[0].owner == "ana"
    assert conflicts == ["actions[A1].owner"]


def test_actions_added_on_both_sides_with_the_same_id_are_both_kept():
    mine = BASE.model_copy(update={"actions": [*BASE.actions, _action("A3", description="mine")]})
    theirs = BASE.model_copy(
        update={"actions": [*BASE.actions, _action("A3", description="theirs")]}
    )
    merged, conflicts = merge_reports(BASE, mine, theirs)
    assert [(a.id, a.description) for a in merged.actions[2:]] == [("A3", "theirs"), ("A4", "mine")]
    assert conflicts == ["actions[A3] (added in both: yours renumbered)"]


def test_an_action_deleted_on_disk_but_edited_here_is_kept():
    mine = BASE.model_copy(update={"actions": [_action("A1", owner="ana"), _action("A2")]})
    theirs = BASE.model_copy(update={"actions": [_action("A2")]})
    merged, conflicts = merge_reports(BASE, mine, theirs)
    assert sorted(a.id for a in merged.actions) == ["A1", "A2"]
    assert conflicts == ["actions[A1] (deleted on disk, changed here: kept)"]


def test_differences_say_where_each_field_changed():
    mine, theirs = BASE.model_copy(deep=True), BASE.model_copy(deep=True)
    mine.summary.impact = "mine"
    theirs.title = "theirs"
    mine.severity, theirs.severity = "SEV1", "SEV2"
    found = {d.field: d.where for d in differences(BASE, mine, theirs)}
    assert found == {
        "title": "changed on disk",
        "severity": "changed in both",
        "summary.impact": "changed here",
    }


def test_the_same_instant_in_another_offset_is_not_a_difference():
    berlin = dt.timezone(dt.timedelta(hours=2))
    mine, theirs = BASE.model_copy(deep=True), BASE.model_copy(deep=True)
    mine.summary.detected = T
    theirs.summary.detected = T.astimezone(berlin)
    assert [d.field for d in differences(BASE, mine, theirs)] == []

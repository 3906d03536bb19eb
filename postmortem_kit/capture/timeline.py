"""Section 2, Timeline: a sorted table of events to add, edit, delete and pin.

Each row shows its time in the chosen zone (and in UTC), kind, description, pin, source and
provenance. New rows are typed in, or picked from imported events and log rows with their
provenance. The file's timeline is kept sorted by time.
"""

from __future__ import annotations

import html
from zoneinfo import ZoneInfo

import ipywidgets as widgets
import pandas as pd

from postmortem_kit.capture.candidates import (
    EVENT_KINDS,
    Candidate,
    CandidatePicker,
    candidates_from_frame,
)
from postmortem_kit.capture.fields import error_html, wide
from postmortem_kit.capture.section import CaptureContext, SectionEditor
from postmortem_kit.capture.timefmt import describe, format_in_zone, parse_moment
from postmortem_kit.report.model import TimelineEvent

_LABELS = {"description_width": "initial"}


class EventRow(widgets.VBox):
    """The controls of one timeline event."""

    def __init__(self, editor: TimelineEditor, index: int, event: TimelineEvent):
        self.editor, self.index, self.event = editor, index, event
        zone = editor.context.zone.zone
        self.time = widgets.Text(
            description="Time",
            value=format_in_zone(event.time, zone),
            continuous_update=False,
            style=_LABELS,
            layout=widgets.Layout(width="17em"),
        )
        self.kind = widgets.Dropdown(
            description="Kind",
            options=EVENT_KINDS,
            value=event.kind,
            style=_LABELS,
            layout=widgets.Layout(width="13em"),
        )
        self.description = widgets.Text(
            description="Description",
            value=event.description,
            continuous_update=True,
            style=_LABELS,
            layout=widgets.Layout(flex="1 1 auto", width="auto"),
        )
        self.pinned = widgets.Checkbox(
            description="Pinned",
            value=event.pinned,
            indent=False,
            layout=widgets.Layout(width="6em"),
        )
        self.delete = widgets.Button(
            description="Delete",
            icon="trash",
            tooltip="Delete this event",
            layout=widgets.Layout(width="7em"),
        )
        self.info = widgets.HTML(self._info(zone))
        self.message = widgets.HTML()
        self.time.observe(self._on_time, "value")
        self.kind.observe(lambda c: editor.update_event(self, commit=True, kind=c["new"]), "value")
        self.description.observe(lambda c: editor.update_event(self, description=c["new"]), "value")
        self.pinned.observe(
            lambda c: editor.update_event(self, commit=True, pinned=c["new"]), "value"
        )
        self.delete.on_click(lambda _: editor.delete_event(self))
        line = widgets.HBox([self.time, self.kind, self.description, self.pinned, self.delete])
        super().__init__(
            [line, self.info, self.message], layout=wide(border_bottom="1px solid #ddd")
        )
        self.add_class("pmk-event-row")
        if event.pinned:
            self.add_class("pmk-pinned")

    def _info(self, zone: str) -> str:
        e = self.event
        pin = "★ pinned · " if e.pinned else ""
        return (
            f"<small style='color:#555'>{pin}{html.escape(describe(e.time, zone))} · "
            f"source: <b>{html.escape(e.source)}</b> · provenance: "
            f"<code>{html.escape(e.provenance)}</code></small>"
        )

    def _on_time(self, change: dict) -> None:
        try:
            moment = parse_moment(
                change["new"], self.editor.context.zone.zone, default_date=self._day()
            )
            if moment is None:
                raise ValueError("an event needs a time")
        except ValueError as exc:
            message = f"Time of event {self.index + 1}: {exc}"
            self.message.value = error_html(message + " (kept here, not saved yet)")
            self.editor.binding.mark_invalid(f"timeline[{self.index}].time", message)
            return
        self.message.value = ""
        self.editor.binding.mark_invalid(f"timeline[{self.index}].time", None)
        self.editor.update_event(self, commit=True, time=moment)

    def _day(self):
        return self.event.time.astimezone(ZoneInfo(self.editor.context.zone.zone)).date()


class TimelineEditor(SectionEditor):
    """Section 2: the events of the incident, sorted by time."""

    heading = "Timeline"

    def __init__(self, context: CaptureContext, *, candidates=None, standalone: bool = True):
        if candidates is None:
            self.candidates: list[Candidate] = []
        elif isinstance(candidates, pd.DataFrame):
            self.candidates = candidates_from_frame(candidates)
        else:
            self.candidates = list(candidates)
        self.rows: list[EventRow] = []
        self._events: list[TimelineEvent] = []
        super().__init__(context, standalone=standalone)

    def build(self) -> list[widgets.Widget]:
        zone = self.context.zone
        self.zone_select = self.context.zone_dropdown("Show times in")
        self.count = widgets.HTML()
        self.rows_box = widgets.VBox(layout=wide())
        self.new_time = widgets.Text(
            description="New event time",
            placeholder="YYYY-MM-DD HH:MM[:SS] or HH:MM",
            style=_LABELS,
            layout=widgets.Layout(width="22em"),
        )
        self.new_kind = widgets.Dropdown(
            description="New event kind", options=EVENT_KINDS, value="observation", style=_LABELS
        )
        self.new_description = widgets.Text(
            description="New event description",
            style=_LABELS,
            layout=widgets.Layout(flex="1 1 auto", width="auto"),
        )
        self.add_button = widgets.Button(
            description="Add event", icon="plus", button_style="primary"
        )
        self.add_message = widgets.HTML()
        self.add_button.on_click(self._add_typed)
        zone.observe(lambda _: self.render_rows(), "zone")
        parts: list[widgets.Widget] = [
            widgets.HBox([self.zone_select, self.count]),
            self.rows_box,
            widgets.HTML("<h4 style='margin:0.4em 0'>Add an event</h4>"),
            widgets.HBox([self.new_time, self.new_kind]),
            widgets.HBox([self.new_description, self.add_button], layout=wide()),
            self.add_message,
        ]
        self.picker = None
        if self.candidates:
            self.picker = CandidatePicker(
                self.candidates,
                self.add_candidates,
                lambda: zone.zone,
                limit=self.context.options.candidate_limit,
            )
            parts.append(self.picker)
        self.render_rows()
        return parts

    # -- rows ----------------------------------------------------------------------------
    def _sorted(self) -> list[TimelineEvent]:
        return sorted(self.binding.report.timeline, key=lambda e: e.time)

    def render_rows(self) -> None:
        """Rebuild the rows from the report."""
        for row in self.rows:
            row.close()
        self._events = self._sorted()
        self.rows = [EventRow(self, i, e) for i, e in enumerate(self._events)]
        self.rows_box.children = self.rows
        pinned = sum(e.pinned for e in self._events)
        self.count.value = html.escape(f"{len(self._events)} events, {pinned} pinned")
        for key in [k for k in self.binding.invalid if k.startswith("timeline[")]:
            self.binding.mark_invalid(key, None)
        if self.picker is not None:
            self.picker.in_timeline = {(e.time, e.description, e.provenance) for e in self._events}
            self.picker.update()

    def refresh(self, *, force: bool = False, origin: object = None) -> None:
        super().refresh(force=force, origin=origin)
        if force or self._sorted() != self._events:
            self.render_rows()

    def _write(self, events: list[TimelineEvent], *, commit: bool) -> None:
        events = sorted(events, key=lambda e: e.time)
        self._events = events
        self.binding.set(("timeline",), events, origin=self, commit=commit)

    def update_event(self, row: EventRow, *, commit: bool = False, **changes) -> None:
        """Apply an edit of one row (time, kind, description, pinned)."""
        events = list(self._events)
        event = TimelineEvent.model_validate({**events[row.index].model_dump(), **changes})
        events[row.index] = event
        reorder = "time" in changes or "pinned" in changes
        self._write(events, commit=commit)
        if reorder:
            self.render_rows()
        else:
            row.event = event

    def delete_event(self, row: EventRow) -> None:
        """Delete one row."""
        events = [e for i, e in enumerate(self._events) if i != row.index]
        self._write(events, commit=True)
        self.render_rows()

    # -- adding --------------------------------------------------------------------------
    def _add_typed(self, _button=None) -> None:
        zone = self.context.zone.zone
        start = self.binding.report.summary.impact_start or (
            self._events[-1].time if self._events else None
        )
        day = start.astimezone(ZoneInfo(zone)).date() if start else None
        try:
            moment = parse_moment(self.new_time.value, zone, default_date=day)
            if moment is None:
                raise ValueError("type the time of the event")
            if not self.new_description.value.strip():
                raise ValueError("type a description")
        except ValueError as exc:
            self.add_message.value = error_html(f"New event: {exc}")
            return
        event = TimelineEvent(
            time=moment, description=self.new_description.value.strip(), kind=self.new_kind.value
        )
        self._write([*self._events, event], commit=True)
        self.render_rows()
        self.new_time.value = ""
        self.new_description.value = ""
        self.add_message.value = html.escape(f"Added the event at {format_in_zone(moment, zone)}.")

    def add_candidates(self, picked: list[Candidate]) -> str:
        """Add picked candidates (skipping rows already in the timeline); returns a message."""
        present = {(e.time, e.description, e.provenance) for e in self._events}
        new = [c.event() for c in picked if c.key() not in present]
        if new:
            self._write([*self._events, *new], commit=True)
            self.render_rows()
        skipped = len(picked) - len(new)
        return (
            f"Added {len(new)} event(s)"
            + (f"; {skipped} already in the timeline" if skipped else "")
            + "."
        )

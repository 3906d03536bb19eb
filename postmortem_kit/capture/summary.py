"""Section 1, Summary: metadata, narrative, key times with TTx, impact, trigger, detection.

Key times are typed in a chosen zone and shown in UTC and that zone with their dates. The
durations update as times change. Times out of order stay in their boxes with a message
naming both fields; they are saved once the order is right.
"""

from __future__ import annotations

import datetime as dt
import html
from zoneinfo import ZoneInfo

import ipywidgets as widgets

from postmortem_kit.capture.fields import (
    STYLE,
    MarkdownField,
    choice_field,
    count_field,
    error_html,
    names_field,
    text_field,
    wide,
)
from postmortem_kit.capture.section import CaptureContext, SectionEditor
from postmortem_kit.capture.timefmt import describe, format_in_zone, parse_moment
from postmortem_kit.report.durations import compute_durations, format_duration, key_time_problems
from postmortem_kit.report.model import KEY_TIME_LABELS, KEY_TIMES, Summary

SEVERITIES = ["SEV1", "SEV2", "SEV3", "SEV4", "SEV5"]
STATUSES = ["draft", "in review", "published"]


class KeyTimes(widgets.VBox):
    """The five key times, a zone selector and the computed durations."""

    def __init__(self, context: CaptureContext):
        self.context = context
        self.binding = context.binding
        self.zone_select = context.zone_dropdown("Time zone")
        self.inputs: dict[str, widgets.Text] = {}
        self.shown: dict[str, widgets.HTML] = {}
        self.messages: dict[str, widgets.HTML] = {}
        self.values: dict[str, dt.datetime | None] = {}
        self.errors: dict[str, str] = {}
        self._syncing = False
        rows = []
        for name in KEY_TIMES:
            self.inputs[name] = widgets.Text(
                description=KEY_TIME_LABELS[name],
                placeholder="YYYY-MM-DD HH:MM in the zone above",
                continuous_update=False,
                style=STYLE,
                layout=widgets.Layout(width="26em"),
            )
            self.shown[name] = widgets.HTML()
            self.messages[name] = widgets.HTML()
            self.inputs[name].observe(self._on_input, "value")
            rows.append(widgets.HBox([self.inputs[name], self.shown[name]]))
            rows.append(self.messages[name])
        self.durations = widgets.HTML()
        self.durations.add_class("pmk-durations")
        super().__init__([self.zone_select, *rows, self.durations], layout=wide())
        self.add_class("pmk-key-times")
        context.zone.observe(self._on_zone, "zone")
        self.refresh(force=True)

    @property
    def zone(self) -> str:
        return self.context.zone.zone

    def _default_date(self, name: str) -> dt.date | None:
        """The day (in the zone) of the nearest key time before ``name``, else after it."""
        index = KEY_TIMES.index(name)
        for other in (*reversed(KEY_TIMES[:index]), *KEY_TIMES[index + 1 :]):
            value = self.values.get(other)
            if value is not None:
                return value.astimezone(ZoneInfo(self.zone)).date()
        return None

    def _on_input(self, change: dict) -> None:
        if self._syncing:
            return
        errors = self.errors = {}
        for name in KEY_TIMES:
            try:
                value = parse_moment(
                    self.inputs[name].value, self.zone, default_date=self._default_date(name)
                )
            except ValueError as exc:
                errors[name] = str(exc)
                continue
            self.values[name] = value
            self._set_text(name, format_in_zone(value, self.zone))
        candidate = self._candidate()
        problems = dict(key_time_problems(candidate))
        for name in KEY_TIMES:
            message = errors.get(name) or problems.get(f"summary.{name}")
            if message and name in errors:
                message = f"{KEY_TIME_LABELS[name]}: {message}"
            self.binding.mark_invalid(f"summary.{name}", message)
        if not problems:
            changed = False
            for name in KEY_TIMES:
                if name not in errors:
                    changed |= self.binding.set(("summary", name), self.values[name], origin=self)
            if changed:
                self.binding.flush()
        self._render(errors, problems)

    def _candidate(self) -> Summary:
        return self.binding.report.summary.model_copy(update=dict(self.values))

    def _set_text(self, name: str, text: str) -> None:
        self._syncing = True
        try:
            self.inputs[name].value = text
        finally:
            self._syncing = False

    def _render(self, errors: dict[str, str], problems: dict[str, str]) -> None:
        start = self.values.get("impact_start")
        zone = ZoneInfo(self.zone)
        for name in KEY_TIMES:
            value = self.values.get(name)
            text = describe(value, self.zone)
            if value is not None and start is not None:
                days = (value.astimezone(zone).date() - start.astimezone(zone).date()).days
                text += f" (day +{days})" if days > 0 else ""
            self.shown[name].value = f"<span class='pmk-when'>{html.escape(text)}</span>"
            message = errors.get(name)
            if message:
                message += " (kept here, not saved yet)"
            elif f"summary.{name}" in problems:
                message = problems[f"summary.{name}"]
                message += " (kept here, saved once the times are in order)"
            self.messages[name].value = error_html(message)
        rows = []
        for duration in compute_durations(self._candidate()):
            value = format_duration(duration.value)
            bad = duration.value is not None and duration.value < dt.timedelta(0)
            flag = " ⚠ negative: check the key times" if bad else ""
            rows.append(
                f"<tr><th style='text-align:left'>{duration.label}</th>"
                f"<td>{html.escape(duration.description)}</td>"
                f"<td class='pmk-ttx' data-label='{duration.label}'>{value}{flag}</td></tr>"
            )
        self.durations.value = f"<table>{''.join(rows)}</table>"

    def _on_zone(self, change: dict) -> None:
        for name in KEY_TIMES:
            if name not in self.errors:  # text that does not parse stays as typed
                self._set_text(name, format_in_zone(self.values.get(name), self.zone))
        self._on_input({})

    def refresh(self, *, force: bool = False, origin: object = None) -> None:
        """Show the model's key times, keeping times typed but not saved yet."""
        if origin is self:
            return
        for name in KEY_TIMES:
            typed = f"summary.{name}" in self.binding.invalid and name in self.values
            if typed and not force:
                continue
            value = self.binding.get(("summary", name))
            self.values[name] = value
            self._set_text(name, format_in_zone(value, self.zone))
            if force:
                self.errors.pop(name, None)
                self.binding.mark_invalid(f"summary.{name}", None)
        self._render({}, dict(key_time_problems(self._candidate())))


class SummaryEditor(SectionEditor):
    """Section 1: title, severity, status, people, narrative, key times, impact, trigger."""

    heading = "Summary"

    def build(self) -> list[widgets.Widget]:
        b = self.binding
        self.key_times = KeyTimes(self.context)
        return [
            self.add(text_field(b, ("title",), "Title")),
            widgets.HBox(
                [
                    self.add(choice_field(b, ("severity",), "Severity", SEVERITIES)),
                    self.add(choice_field(b, ("status",), "Status", STATUSES)),
                ]
            ),
            self.add(names_field(b, ("authors",), "Authors")),
            self.add(names_field(b, ("services",), "Services")),
            self.add(names_field(b, ("tags",), "Tags")),
            self.add(MarkdownField(b, ("summary", "narrative"), "Narrative", rows=6)),
            widgets.HTML("<h4 style='margin:0.4em 0'>Key times</h4>"),
            self.key_times,
            self.add(MarkdownField(b, ("summary", "impact"), "Impact")),
            self.add(count_field(b, ("summary", "users_affected"), "Users affected")),
            self.add(MarkdownField(b, ("summary", "trigger"), "Trigger", rows=3)),
            self.add(MarkdownField(b, ("summary", "detection"), "Detection", rows=3)),
        ]

    def refresh(self, *, force: bool = False, origin: object = None) -> None:
        super().refresh(force=force, origin=origin)
        self.key_times.refresh(force=force, origin=origin)

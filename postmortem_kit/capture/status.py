"""The status line under the forms: saved at HH:MM:SS, errors, and the conflict panel.

When ``postmortem.yaml`` changed on disk behind the form, the panel shows what differs, field
by field (and as a YAML diff), and offers *Reload* (take the file) and *Merge* (apply the
form's edits on top of the file).
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as widgets

from postmortem_kit.capture.binding import BindingEvent, ReportBinding
from postmortem_kit.capture.merge import FieldDifference
from postmortem_kit.errors import ReportError

_COLOURS = {"ok": "#1b5e20", "busy": "#5f6368", "warn": "#8a4b00", "error": "#b00020"}


def _short(value: Any, limit: int = 160) -> str:
    if isinstance(value, list):
        text = f"{len(value)} item(s): " + "; ".join(_row_text(v) for v in value[:3])
        text += " …" if len(value) > 3 else ""
    else:
        text = "—" if value in (None, "") else str(value)
    text = " ".join(text.split())
    return html.escape(text if len(text) <= limit else text[: limit - 1] + "…")


def _row_text(row: Any) -> str:
    if isinstance(row, dict):
        return " ".join(str(row[k]) for k in ("id", "time", "description") if k in row)
    return str(row)


def differences_html(fields: list[FieldDifference]) -> str:
    """A table of the fields where the form and the file disagree."""
    if not fields:
        return "<p>No field differs; only the file's layout or comments changed.</p>"
    rows = "".join(
        f"<tr><td><code>{html.escape(f.field)}</code></td><td>{f.where}</td>"
        f"<td>{_short(f.theirs)}</td><td>{_short(f.yours)}</td></tr>"
        for f in fields
    )
    return (
        '<table class="pmk-diff" style="border-collapse:collapse">'
        "<thead><tr><th>Field</th><th>What changed</th><th>On disk now</th>"
        f"<th>In this form</th></tr></thead><tbody>{rows}</tbody></table>"
    )


class StatusBar(widgets.VBox):
    """One status line (and conflict panel) for every form bound to ``binding``."""

    def __init__(self, binding: ReportBinding):
        self.binding = binding
        self.line = widgets.HTML()
        self.save_button = widgets.Button(
            description="Save now", icon="save", tooltip="Write the report file now"
        )
        self.reload_button = widgets.Button(
            description="Reload",
            icon="refresh",
            button_style="warning",
            tooltip="Take the file as it is on disk; your unsaved edits in this form are dropped",
        )
        self.merge_button = widgets.Button(
            description="Merge",
            icon="code-fork",
            button_style="primary",
            tooltip="Apply your edits on top of the file on disk, then save",
        )
        self.detail = widgets.HTML()
        self.conflict_panel = widgets.VBox(
            [self.detail, widgets.HBox([self.reload_button, self.merge_button])]
        )
        self.conflict_panel.add_class("pmk-conflict")
        self.save_button.on_click(lambda _: binding.flush())
        self.reload_button.on_click(self._reload)
        self.merge_button.on_click(self._merge)
        super().__init__([widgets.HBox([self.save_button, self.line]), self.conflict_panel])
        self.add_class("pmk-status")
        self.note = ""
        binding.observe(self._on_event)
        self.update()

    def _on_event(self, event: BindingEvent) -> None:
        if event.kind in ("saved", "reloaded"):
            self.note = ""
        self.update()

    def _reload(self, _button=None) -> None:
        try:
            self.binding.reload()
        except ReportError as exc:
            self.note = f"Cannot reload: {exc}"
            self.update()

    def _merge(self, _button=None) -> None:
        try:
            kept = self.binding.merge()
        except ReportError as exc:
            self.note = f"Cannot merge: {exc}"
            self.update()
            return
        if kept:
            self.note = "Merged; changed in both places, your value was kept for: " + ", ".join(
                kept
            )
            self.update()

    def message(self) -> tuple[str, str]:
        """(tone, text) of the status line: tone is ok, busy, warn or error."""
        b = self.binding
        name = b.file.name
        if b.conflict is not None:
            return "error", (
                f"Not saved: {name} changed on disk since this form loaded it. Nothing was "
                "overwritten. Review the differences below, then Reload (take the file) or "
                "Merge (your edits on top of the file)."
            )
        if b.error:
            return "error", f"Not saved: {b.error}. Your edits are kept in this form."
        if b.invalid:
            fields = "; ".join(b.invalid.values())
            return "warn", f"{len(b.invalid)} value(s) not saved yet: {fields}"
        if b.dirty:
            return "busy", "Unsaved changes, saving…"
        if b.saved_at is not None:
            return "ok", f"Saved at {b.saved_at.strftime('%H:%M:%S')} to {b.file}"
        return "ok", f"Editing {b.file} (every change is saved)"

    def update(self) -> None:
        """Redraw the line and the conflict panel from the binding's state."""
        tone, text = self.message()
        if self.note:
            text = f"{text} {self.note}"
        self.line.value = (
            f'<span role="status" aria-live="polite" class="pmk-status-{tone}" '
            f'style="color:{_COLOURS[tone]}">{html.escape(text)}</span>'
        )
        conflict = self.binding.conflict
        self.conflict_panel.layout.display = None if conflict else "none"
        if conflict is None:
            self.detail.value = ""
            return
        parts = []
        if conflict.problem:
            parts.append(f"<p><b>The file on disk:</b> {html.escape(conflict.problem)}</p>")
        else:
            parts.append(differences_html(conflict.fields))
        if conflict.text_diff:
            parts.append(
                "<details><summary>Line-by-line difference (disk → this form)</summary>"
                f"<pre>{html.escape(conflict.text_diff)}</pre></details>"
            )
        self.detail.value = "".join(parts)
        self.merge_button.disabled = conflict.theirs is None and conflict.theirs_text is not None

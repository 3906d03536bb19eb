"""Labelled controls bound to one report field each, shared by the five section editors.

Every control carries a visible label (its ``description``, which ipywidgets renders as a
``<label for=...>``), so screen readers and browser tests find it by name. A value the model
rejects stays in the control with an inline message, and is saved as soon as it is valid.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import ipywidgets as widgets

from postmortem_kit.capture.binding import ReportBinding
from postmortem_kit.capture.markdown import (
    items_to_text,
    render_items,
    render_markdown,
    text_to_items,
)
from postmortem_kit.errors import ReportError

LABEL_WIDTH = "13em"
STYLE = {"description_width": LABEL_WIDTH}


#: Styles scoped to the editors: full tab titles, a readable diff table.
CSS = """<style>
.pmk-report-editor .lm-TabBar-tab { flex: 0 1 auto !important; max-width: none !important;
  min-width: 8em !important; }
.pmk-diff th, .pmk-diff td { border: 1px solid #ccc; padding: 2px 6px; vertical-align: top;
  text-align: left; }
.pmk-conflict { border: 2px solid #b00020; padding: 6px; margin: 4px 0; }
.pmk-preview { border-left: 3px solid #ccc; padding-left: 8px; }
</style>"""


def stylesheet() -> widgets.HTML:
    """An invisible widget carrying :data:`CSS`."""
    return widgets.HTML(CSS, layout=widgets.Layout(height="0px", margin="0"))


def wide(**extra: Any) -> widgets.Layout:
    """A layout filling the row (labels stay at :data:`LABEL_WIDTH`)."""
    return widgets.Layout(width="100%", **extra)


def error_html(message: str | None) -> str:
    """An inline message for a control, announced by screen readers."""
    if not message:
        return ""
    return (
        '<div role="alert" class="pmk-error" style="color:#b00020;margin-left:'
        f'{LABEL_WIDTH}">⚠ {html.escape(message)}</div>'
    )


class BoundField:
    """One labelled control bound to ``binding`` at ``path``.

    Parameters
    ----------
    binding
        The report binding.
    path
        The field, e.g. ``("summary", "impact")``.
    control
        The ipywidgets control (its ``description`` is the label).
    to_widget, from_widget
        Convert between the model value and the control value; ``from_widget`` raises
        ``ValueError`` with a message for input that cannot be saved yet.
    commit
        Save immediately on each change (choices, fields that sync on blur) instead of
        after the debounce interval.
    """

    def __init__(
        self,
        binding: ReportBinding,
        path: tuple[str, ...],
        control: widgets.ValueWidget,
        *,
        to_widget: Callable[[Any], Any] = lambda v: v,
        from_widget: Callable[[Any], Any] = lambda v: v,
        commit: bool = False,
    ):
        self.binding = binding
        self.path = path
        self.name = ".".join(path)
        self.control = control
        self.message = widgets.HTML()
        self._to, self._from, self._commit = to_widget, from_widget, commit
        self._syncing = False
        self._shown = binding.get(path)
        control.value = to_widget(self._shown)
        control.observe(self._on_change, "value")
        self.widget = widgets.VBox([control, self.message], layout=wide())
        self.widget.add_class("pmk-field")

    @property
    def label(self) -> str:
        """The visible label."""
        return self.control.description

    def _on_change(self, change: dict) -> None:
        if self._syncing:
            return
        try:
            value = self._from(change["new"])
            self.binding.set(self.path, value, origin=self, commit=self._commit)
        except (ValueError, ReportError) as exc:
            message = f"{self.label}: {exc}"
            self.message.value = error_html(message + " (kept here, not saved yet)")
            self.binding.mark_invalid(self.name, message)
            return
        self._shown = value
        self.message.value = ""
        self.binding.mark_invalid(self.name, None)
        self.changed(value)

    def changed(self, value: Any) -> None:
        """Hook for subclasses (e.g. to update a preview) after a value was applied."""

    def refresh(self, *, force: bool = False, origin: object = None) -> None:
        """Show the model's value, unless the control holds typed text not saved yet.

        ``origin`` is the control that made the change; it already shows the value.
        """
        if origin is self:
            return
        value = self.binding.get(self.path)
        if not force and (self.name in self.binding.invalid or value == self._shown):
            return
        self._shown = value
        self._syncing = True
        try:
            self.control.value = self._to(value)
        finally:
            self._syncing = False
        self.message.value = ""
        self.binding.mark_invalid(self.name, None)
        self.changed(value)


class MarkdownField(BoundField):
    """A long text field: Markdown in a text box, with a live preview under a toggle."""

    def __init__(self, binding, path, label: str, *, rows: int = 4, placeholder: str = "", **kw):
        control = widgets.Textarea(
            description=label,
            placeholder=placeholder or "Markdown: **bold**, - lists, [links](https://…)",
            rows=rows,
            continuous_update=True,
            style=STYLE,
            layout=wide(),
        )
        self.preview = widgets.HTML(layout=widgets.Layout(margin=f"0 0 0 {LABEL_WIDTH}"))
        self.preview.add_class("pmk-preview")
        self.toggle = widgets.ToggleButton(
            description="Preview",
            tooltip=f"Show {label} rendered",
            icon="eye",
            layout=widgets.Layout(width="8em", margin=f"0 0 0 {LABEL_WIDTH}"),
        )
        super().__init__(binding, path, control, **kw)
        self.preview.layout.display = "none"
        self.toggle.observe(self._on_toggle, "value")
        self.widget.children = (control, self.message, self.toggle, self.preview)

    def render(self, value: Any) -> str:
        """HTML of the preview."""
        return render_markdown(value or "")

    def _on_toggle(self, change: dict) -> None:
        self.preview.layout.display = None if change["new"] else "none"
        self.changed(self.binding.get(self.path))

    def changed(self, value: Any) -> None:
        if self.toggle.value:
            self.preview.value = self.render(value)


class ListField(MarkdownField):
    """A list-of-strings field edited as a Markdown list: one item per line."""

    def __init__(self, binding, path, label: str, *, ordered: bool = False, rows: int = 4):
        self.ordered = ordered
        hint = "1. first why" if ordered else "- one item per line"
        super().__init__(
            binding,
            path,
            label,
            rows=rows,
            placeholder=f"{hint}; indent a line to continue an item",
            to_widget=lambda items: items_to_text(items, ordered=ordered),
            from_widget=text_to_items,
        )

    def render(self, value: Any) -> str:
        return render_items(list(value or []), ordered=self.ordered)


def text_field(binding, path, label: str, *, placeholder: str = "") -> BoundField:
    """A one-line text field saved as the user types."""
    control = widgets.Text(
        description=label,
        placeholder=placeholder,
        continuous_update=True,
        style=STYLE,
        layout=wide(),
    )
    return BoundField(binding, path, control)


def choice_field(binding, path, label: str, options: list[tuple[str, Any]]) -> BoundField:
    """A dropdown saved as soon as a choice is made."""
    control = widgets.Dropdown(description=label, options=options, style=STYLE)
    return BoundField(binding, path, control, commit=True)


def _split_names(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def names_field(binding, path, label: str, *, placeholder: str = "") -> BoundField:
    """A comma-separated list of short names (authors, services, tags)."""
    control = widgets.Text(
        description=label,
        placeholder=placeholder or "comma-separated",
        continuous_update=True,
        style=STYLE,
        layout=wide(),
    )
    return BoundField(binding, path, control, to_widget=", ".join, from_widget=_split_names)


def _count(text: str) -> int | None:
    text = text.strip().replace(",", "").replace("_", "")
    if not text:
        return None
    if not text.isdigit():
        raise ValueError("type a whole number, e.g. 1200 (or leave it empty)")
    return int(text)


def count_field(binding, path, label: str) -> BoundField:
    """A whole number or nothing, read when the user leaves the field."""
    control = widgets.Text(
        description=label, placeholder="e.g. 1200", continuous_update=False, style=STYLE
    )
    return BoundField(
        binding,
        path,
        control,
        to_widget=lambda v: "" if v is None else str(v),
        from_widget=_count,
        commit=True,
    )

"""What every section editor shares: the binding, the options, the chosen time zone.

A :class:`SectionEditor` is a displayable ``VBox``. It registers its bound fields, refreshes
them when another form (or a reload) changes the report, and, when shown on its own, carries
its own status line.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
from typing import ClassVar

import ipywidgets as widgets
import traitlets

from postmortem_kit.capture.binding import BindingEvent, ReportBinding, bind
from postmortem_kit.capture.fields import STYLE, BoundField, stylesheet
from postmortem_kit.capture.options import CaptureOptions
from postmortem_kit.capture.status import StatusBar
from postmortem_kit.capture.timefmt import today_in, zone_choices


class ZoneChoice(traitlets.HasTraits):
    """The zone times are shown in, shared by the editors of one ``edit_report``."""

    zone = traitlets.Unicode("UTC")


@dataclasses.dataclass
class CaptureContext:
    """The binding, the options and the shared zone of one set of editors."""

    binding: ReportBinding
    options: CaptureOptions
    zone: ZoneChoice

    @classmethod
    def open(cls, path, caller: str, **options) -> CaptureContext:
        """Validate ``options`` for ``caller`` and bind the report at ``path``."""
        opts = CaptureOptions.from_kwargs(caller, **options)
        binding = bind(path, opts)
        zone = opts.local_tz or next(
            (s.timezone for s in binding.report.sources if s.timezone), "UTC"
        )
        return cls(binding, opts, ZoneChoice(zone=zone))

    def today(self) -> dt.date:
        """The date overdue actions are judged against."""
        return self.options.today or today_in(self.zone.zone)

    def zone_dropdown(self, label: str) -> widgets.Dropdown:
        """A time-zone dropdown kept in step with every other editor of this context."""
        dropdown = widgets.Dropdown(
            description=label,
            options=zone_choices(self.zone.zone, self.options.local_tz),
            value=self.zone.zone,
            style=STYLE,
        )
        widgets.link((dropdown, "value"), (self.zone, "zone"))
        return dropdown


class SectionEditor(widgets.VBox):
    """Base of the five section editors.

    Parameters
    ----------
    context
        Binding, options and shared zone.
    standalone
        Show a heading and a status line (False inside :func:`edit_report`, which has one
        status line for all five).
    """

    heading: ClassVar[str] = ""

    def __init__(self, context: CaptureContext, *, standalone: bool = True):
        self.context = context
        self.binding = context.binding
        self.fields: dict[str, BoundField] = {}
        body = self.build()
        children = list(body)
        if standalone:
            title = html.escape(self.heading)
            children.insert(0, widgets.HTML(f"<h3 style='margin:0.2em 0'>{title}</h3>"))
            children.insert(0, stylesheet())
            self.status: StatusBar | None = StatusBar(self.binding)
            children.append(self.status)
        else:
            self.status = None
        super().__init__(children, layout=widgets.Layout(width="100%"))
        self.add_class("pmk-section")
        self.binding.observe(self._on_binding_event)

    def build(self) -> list[widgets.Widget]:
        """The editor's widgets, top to bottom."""
        raise NotImplementedError

    def add(self, field: BoundField) -> widgets.Widget:
        """Register a bound field and return its widget."""
        self.fields[field.name] = field
        return field.widget

    def _on_binding_event(self, event: BindingEvent) -> None:
        if event.kind in ("changed", "synced", "reloaded"):
            self.refresh(force=event.kind == "reloaded", origin=event.origin)

    def refresh(self, *, force: bool = False, origin: object = None) -> None:
        """Show the report's current values.

        Parameters
        ----------
        force
            Also replace text typed but not saved yet (after the user chose Reload).
        origin
            The control that made the change; it is left alone.
        """
        for field in self.fields.values():
            field.refresh(force=force, origin=origin)

"""The public editors: one call per section, and :func:`edit_report` for all five.

Each returns a displayable widget bound to ``postmortem.yaml``; editors of the same file in
one kernel share one binding, so they show each other's edits and never overwrite them.
"""

from __future__ import annotations

import html
import os

import ipywidgets as widgets
import pandas as pd

from postmortem_kit.capture.actions import ActionsEditor
from postmortem_kit.capture.fields import stylesheet
from postmortem_kit.capture.lessons import LessonsEditor
from postmortem_kit.capture.root_cause import RootCauseEditor
from postmortem_kit.capture.section import CaptureContext, SectionEditor
from postmortem_kit.capture.status import StatusBar
from postmortem_kit.capture.summary import SummaryEditor
from postmortem_kit.capture.timeline import TimelineEditor
from postmortem_kit.report.model import SECTIONS

PathLike = str | os.PathLike


class ReportEditor(widgets.VBox):
    """All five section editors as tabs, in the seed's order, with one status line."""

    def __init__(self, context: CaptureContext, *, candidates=None):
        self.context = context
        self.binding = context.binding
        self.sections: dict[str, SectionEditor] = {
            "summary": SummaryEditor(context, standalone=False),
            "timeline": TimelineEditor(context, candidates=candidates, standalone=False),
            "root_cause": RootCauseEditor(context, standalone=False),
            "actions": ActionsEditor(context, standalone=False),
            "lessons": LessonsEditor(context, standalone=False),
        }
        self.tabs = widgets.Tab(
            children=[self.sections[key] for key, _ in SECTIONS],
            titles=[title for _, title in SECTIONS],
        )
        self.header = widgets.HTML()
        self.status = StatusBar(self.binding)
        self.binding.observe(self._on_event)
        self._on_event(None)
        super().__init__(
            [stylesheet(), self.header, self.tabs, self.status], layout=widgets.Layout(width="100%")
        )
        self.add_class("pmk-report-editor")

    def _on_event(self, _event) -> None:
        r = self.binding.report
        self.header.value = (
            f"<h3 style='margin:0.2em 0'>{html.escape(r.id)}: {html.escape(r.title)}</h3>"
            f"<small>{html.escape(r.severity)} · {html.escape(r.status)}</small>"
        )


def edit_report(
    path: PathLike, *, candidates: pd.DataFrame | None = None, **options
) -> ReportEditor:
    """Edit every section of a postmortem: Summary, Timeline, Root cause analysis,
    Corrective and preventive actions, Lessons learned.

    Parameters
    ----------
    path
        The incident folder or its ``postmortem.yaml``.
    candidates
        Timeline candidates (the frame of ``load_events`` or ``load_logs``) to pick from.
    **options
        See :class:`~postmortem_kit.capture.options.CaptureOptions` (``debounce``,
        ``local_tz``, ...). Unknown names raise ``OptionsError``.

    Returns
    -------
    ReportEditor
        A widget: five tabs and one status line; edits are saved to the file as you type.
    """
    return ReportEditor(CaptureContext.open(path, "edit_report", **options), candidates=candidates)


def edit_summary(path: PathLike, **options) -> SummaryEditor:
    """Edit the Summary: metadata, narrative, key times (with TTx), impact, trigger, detection.

    Parameters and options as for :func:`edit_report`.
    """
    return SummaryEditor(CaptureContext.open(path, "edit_summary", **options))


def edit_timeline(
    path: PathLike, *, candidates: pd.DataFrame | None = None, **options
) -> TimelineEditor:
    """Edit the Timeline; ``candidates`` (events or log rows) can be picked into it."""
    context = CaptureContext.open(path, "edit_timeline", **options)
    return TimelineEditor(context, candidates=candidates)


def edit_root_cause(path: PathLike, **options) -> RootCauseEditor:
    """Edit the Root cause analysis: root cause, trigger, contributing factors, five whys,
    recommendations."""
    return RootCauseEditor(CaptureContext.open(path, "edit_root_cause", **options))


def edit_actions(path: PathLike, **options) -> ActionsEditor:
    """Edit the Corrective and preventive actions (overdue highlighted; CSV/JSON export)."""
    return ActionsEditor(CaptureContext.open(path, "edit_actions", **options))


def edit_lessons(path: PathLike, **options) -> LessonsEditor:
    """Edit the Lessons learned: went well, went wrong, got lucky, process recommendations."""
    return LessonsEditor(CaptureContext.open(path, "edit_lessons", **options))

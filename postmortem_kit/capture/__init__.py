"""Section capture: ipywidgets editors bound to ``postmortem.yaml`` that never lose a word.

One call per section (:func:`edit_summary`, :func:`edit_timeline`, :func:`edit_root_cause`,
:func:`edit_actions`, :func:`edit_lessons`) and :func:`edit_report` for all five. Edits save
as you type (debounced, atomic); a file changed behind the form is never overwritten.
"""

from postmortem_kit.capture.binding import ReportBinding, bind
from postmortem_kit.capture.editors import (
    ReportEditor,
    edit_actions,
    edit_lessons,
    edit_report,
    edit_root_cause,
    edit_summary,
    edit_timeline,
)
from postmortem_kit.capture.exports import (
    actions_json,
    export_actions_csv,
    export_actions_json,
    jira_csv,
)
from postmortem_kit.capture.merge import merge_reports
from postmortem_kit.capture.options import CaptureOptions

__all__ = [
    "CaptureOptions",
    "ReportBinding",
    "ReportEditor",
    "actions_json",
    "bind",
    "edit_actions",
    "edit_lessons",
    "edit_report",
    "edit_root_cause",
    "edit_summary",
    "edit_timeline",
    "export_actions_csv",
    "export_actions_json",
    "jira_csv",
    "merge_reports",
]

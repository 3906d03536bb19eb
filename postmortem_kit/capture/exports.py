"""Export the corrective and preventive actions: CSV for Jira's importer, and JSON.

The CSV follows Jira's CSV import layout: one header row without punctuation, a ``Summary``
column, one issue per row, several ``Labels`` columns for several labels, quoted multi-line
descriptions. Dates are ``yyyy-MM-dd`` (choose that date format in the importer). Files are
written atomically next to the report: ``actions-jira.csv`` and ``actions.json``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
from pathlib import Path

from postmortem_kit.report.model import Action, Report
from postmortem_kit.report.store import atomic_write_text, load_report, report_path

CSV_FILE = "actions-jira.csv"
JSON_FILE = "actions.json"

#: Jira priority names for our P1..P4.
JIRA_PRIORITY = {"P1": "Highest", "P2": "High", "P3": "Medium", "P4": "Low"}
#: Jira status names for our action statuses.
JIRA_STATUS = {
    "open": "To Do",
    "in progress": "In Progress",
    "done": "Done",
    "won't do": "Won't Do",
}
JIRA_COLUMNS = [
    "Summary",
    "Issue Type",
    "Priority",
    "Assignee",
    "Due Date",
    "Status",
    "Description",
    "Labels",
    "Labels",
    "Labels",
    "Action ID",
]


def _summary(action: Action) -> str:
    first = " ".join(action.description.strip().split("\n", 1)[0].split())
    return first if len(first) <= 250 else first[:249] + "…"


def _description(action: Action, report: Report) -> str:
    lines = [action.description.strip(), "", f"From postmortem {report.id}: {report.title}"]
    lines.append(f"Action {action.id} ({action.type})")
    if action.ticket:
        lines.append(f"Ticket: {action.ticket}")
    return "\n".join(lines)


def jira_csv(report: Report) -> str:
    """The report's actions as CSV text in Jira's import layout (see the module docstring)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(JIRA_COLUMNS)
    for action in report.actions:
        writer.writerow(
            [
                _summary(action),
                "Task",
                JIRA_PRIORITY.get(action.priority or "", ""),
                action.owner,
                action.due.isoformat() if action.due else "",
                JIRA_STATUS[action.status],
                _description(action, report),
                "postmortem",
                report.id.replace(" ", "-"),
                f"action-{action.type}",
                action.id,
            ]
        )
    return buffer.getvalue()


def actions_json(report: Report, *, today: dt.date | None = None) -> str:
    """The report's actions as JSON, each with an ``overdue`` flag as of ``today``."""
    today = today or dt.date.today()
    data = {
        "report": {"id": report.id, "title": report.title},
        "as_of": today.isoformat(),
        "actions": [
            {**a.model_dump(mode="json"), "overdue": a.is_overdue(today)} for a in report.actions
        ],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _target(path: str | os.PathLike, out: str | os.PathLike | None, name: str) -> Path:
    return Path(out) if out is not None else report_path(path).parent / name


def export_actions_csv(
    path: str | os.PathLike, *, report: Report | None = None, out: str | os.PathLike | None = None
) -> Path:
    """Write the actions as CSV for Jira's importer, next to the report.

    Parameters
    ----------
    path
        The incident folder or its ``postmortem.yaml``.
    report
        The report to export (default: loaded from ``path``).
    out
        The file to write (default: ``actions-jira.csv`` beside the report).

    Returns
    -------
    Path
        The file written.
    """
    report = report or load_report(path)
    target = _target(path, out, CSV_FILE)
    atomic_write_text(target, jira_csv(report))
    return target


def export_actions_json(
    path: str | os.PathLike,
    *,
    report: Report | None = None,
    out: str | os.PathLike | None = None,
    today: dt.date | None = None,
) -> Path:
    """Write the actions as JSON (with an ``overdue`` flag each), next to the report.

    Parameters
    ----------
    path
        The incident folder or its ``postmortem.yaml``.
    report
        The report to export (default: loaded from ``path``).
    out
        The file to write (default: ``actions.json`` beside the report).
    today
        The date overdue is judged against (default: today).

    Returns
    -------
    Path
        The file written.
    """
    report = report or load_report(path)
    target = _target(path, out, JSON_FILE)
    atomic_write_text(target, actions_json(report, today=today))
    return target

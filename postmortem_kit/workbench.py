"""The notebook's vocabulary: one function per cell of the template notebook.

Each function does one job and displays its result, so the template stays a list of calls::

    incident = pm.open_incident(incident_dir)
    evidence = pm.load_evidence(incident)
    pm.show_overview(incident, evidence)
    pm.show_metrics(incident, evidence)
    pm.show_editors(incident, evidence)
    pm.show_durations(incident)

The report file is the store: :func:`open_incident` reads it, the editors write it, and the
published report is rendered from it — never from what the widgets hold.
"""

from __future__ import annotations

import dataclasses
import importlib
import os
from pathlib import Path
from typing import Any

import pandas as pd

from postmortem_kit.report import KEY_TIMES, Report, compute_durations, load_report, report_path
from postmortem_kit.report.durations import format_duration

#: source kind → (module, loader function, whether it takes ``relative_to``)
SOURCE_LOADERS: dict[str, tuple[str, str, bool]] = {
    "logs": ("postmortem_kit.ingest", "load_logs", True),
    "events": ("postmortem_kit.ingest.events", "load_events", True),
    "metrics": ("postmortem_kit.explore", "load_metrics", False),
}

#: source kind → sort column of its frame
_TIME_COLUMN = {"logs": "timestamp", "events": "time", "metrics": "timestamp"}


@dataclasses.dataclass
class Incident:
    """An incident folder and the report read from it."""

    folder: Path
    report: Report

    @property
    def report_file(self) -> Path:
        """The incident's ``postmortem.yaml``."""
        return report_path(self.folder)

    def reload(self) -> Report:
        """Read the report file again (after the editors or someone else changed it)."""
        self.report = load_report(self.folder)
        return self.report


@dataclasses.dataclass
class Evidence:
    """Everything loaded from the report's ``sources:``: one frame per kind."""

    logs: pd.DataFrame
    events: pd.DataFrame
    metrics: pd.DataFrame
    import_reports: list[Any]

    def _repr_html_(self) -> str:
        parts = [
            f"<p><b>Evidence</b>: {len(self.logs):,} log rows, {len(self.events):,} events, "
            f"{len(self.metrics):,} metric samples.</p>"
        ]
        for rep in self.import_reports:
            html = getattr(rep, "_repr_html_", None)
            parts.append(html() if html else f"<pre>{rep}</pre>")
        return "\n".join(parts)

    def __repr__(self) -> str:
        return (
            f"Evidence({len(self.logs):,} log rows, {len(self.events):,} events, "
            f"{len(self.metrics):,} metric samples)"
        )


def _display(obj: Any) -> None:
    from IPython.display import display

    display(obj)


def open_incident(incident_dir: str | os.PathLike = ".") -> Incident:
    """Load the incident's report (validated) and return it.

    Parameters
    ----------
    incident_dir
        The incident folder holding ``postmortem.yaml``.
    """
    folder = Path(incident_dir).resolve()
    return Incident(folder=folder, report=load_report(folder))


def _load_source(incident: Incident, source) -> tuple[pd.DataFrame, Any]:
    module, function, takes_relative = SOURCE_LOADERS[source.kind]
    loader = getattr(importlib.import_module(module), function)
    path = incident.folder / source.path
    kwargs: dict[str, Any] = {"format": source.format, "tz": source.timezone, "source": source.name}
    if takes_relative:
        kwargs["relative_to"] = incident.folder
    frame = loader(str(path), **kwargs)
    return frame, frame.attrs.get("import_report")


def _concat(frames: list[pd.DataFrame], kind: str) -> pd.DataFrame:
    if not frames:
        return pd.DataFrame({_TIME_COLUMN[kind]: pd.Series([], dtype="datetime64[us, UTC]")})
    reports = [f.attrs.get("import_report") for f in frames]
    for f in frames:
        f.attrs = {}
    out = pd.concat(frames, ignore_index=True, sort=False)
    out = out.sort_values(_TIME_COLUMN[kind], kind="stable", ignore_index=True)
    out.attrs["import_reports"] = [r for r in reports if r is not None]
    return out


def load_evidence(incident: Incident) -> Evidence:
    """Load every source listed under ``sources:`` in the report, by kind.

    Returns
    -------
    Evidence
        Logs, events and metrics frames (each sorted by time) and the import reports, which
        account for every line read.
    """
    frames: dict[str, list[pd.DataFrame]] = {kind: [] for kind in SOURCE_LOADERS}
    reports = []
    for source in incident.report.sources:
        frame, rep = _load_source(incident, source)
        frames[source.kind].append(frame)
        if rep is not None:
            reports.append(rep)
    return Evidence(
        logs=_concat(frames["logs"], "logs"),
        events=_concat(frames["events"], "events"),
        metrics=_concat(frames["metrics"], "metrics"),
        import_reports=reports,
    )


def show_overview(incident: Incident, evidence: Evidence) -> None:
    """Display the incident overview: event rates, key times, phases, pinned events."""
    from IPython.display import Markdown

    from postmortem_kit.explore import incident_overview

    report = incident.reload()
    has_times = any(getattr(report.summary, name) for name in KEY_TIMES)
    if not (len(evidence.logs) or len(evidence.events) or has_times or report.timeline):
        _display(
            Markdown(
                "*Nothing to draw yet: list evidence under `sources:` in `postmortem.yaml` "
                "or enter the key times in the Summary editor, then run this cell again.*"
            )
        )
        return
    incident_overview(
        report,
        evidence.logs if len(evidence.logs) else None,
        evidence.events if len(evidence.events) else None,
        show=True,
    )


def show_metrics(incident: Incident, evidence: Evidence) -> None:
    """Display the metrics panel with the incident window shaded."""
    from postmortem_kit.explore import metrics_panel

    if len(evidence.metrics):
        metrics_panel(incident.reload(), evidence.metrics, show=True)


def show_editors(incident: Incident, evidence: Evidence | None = None) -> Any:
    """Display the five section editors bound to ``postmortem.yaml`` (saves as you type)."""
    from postmortem_kit.capture import edit_report

    candidates = evidence.events if evidence is not None and len(evidence.events) else None
    return edit_report(incident.folder, candidates=candidates)


def durations_table(report: Report) -> pd.DataFrame:
    """TTD, TTA, TTM, TTR and repair-after-detection of one incident as a table."""
    return pd.DataFrame(
        [
            {
                "duration": d.label,
                "meaning": d.description,
                "from": d.start,
                "to": d.end,
                "value": format_duration(d.value),
            }
            for d in compute_durations(report.summary)
        ]
    )


def show_durations(incident: Incident) -> None:
    """Display the incident's durations, computed from the key times in the report file."""
    _display(durations_table(incident.reload()))

"""The notebook's vocabulary: one function per cell of the template notebook.

Figures are live in JupyterLab (zooming re-aggregates the visible range at a finer bucket)
and static under papermill, which is what the published report embeds.

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
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from postmortem_kit.report import KEY_TIMES, Report, compute_durations, load_report, report_path
from postmortem_kit.report.durations import format_duration


def _file_loader(module: str, function: str) -> Callable[[Incident, Any], pd.DataFrame]:
    """A loader for file sources: ``module.function(path, format=, tz=, source=,
    relative_to=)`` with provenance relative to the incident folder."""

    def load(incident: Incident, source) -> pd.DataFrame:
        loader = getattr(importlib.import_module(module), function)
        options = {} if source.dayfirst is None else {"dayfirst": source.dayfirst}
        return loader(
            str(incident.folder / source.path),
            format=source.format,
            tz=source.timezone,
            source=source.name,
            relative_to=incident.folder,
            **options,
        )

    return load


def query_window(report: Report) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """The time range a live query asks for: the incident padded by its own length on each
    side (at least one hour), so the before and after windows have a baseline."""
    times = [getattr(report.summary, name) for name in KEY_TIMES]
    times = [pd.Timestamp(t).tz_convert("UTC") for t in times if t is not None]
    if not times:
        return None
    start, end = min(times), max(times)
    pad = max(end - start, pd.Timedelta(hours=1))
    return start - pad, end + pad


def _load_metrics(incident: Incident, source) -> pd.DataFrame:
    from postmortem_kit.explore import metrics_from_source

    frame = metrics_from_source(
        source, folder=incident.folder, window=query_window(incident.report)
    )
    if "provenance" in frame.columns:  # file:line relative to the incident folder
        prefix = f"{incident.folder}{os.sep}"
        frame["provenance"] = frame["provenance"].str.removeprefix(prefix)
    return frame


#: source kind → loader(incident, source) → frame (with ``attrs["import_report"]``)
SOURCE_LOADERS: dict[str, Callable[[Incident, Any], pd.DataFrame]] = {
    "logs": _file_loader("postmortem_kit.ingest", "load_logs"),
    "events": _file_loader("postmortem_kit.ingest.events", "load_events"),
    "metrics": _load_metrics,
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
    sources: pd.DataFrame = dataclasses.field(default_factory=pd.DataFrame)

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
    frame = SOURCE_LOADERS[source.kind](incident, source)
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


def _accounting(kind: str, frame: pd.DataFrame, report: Any) -> dict[str, Any]:
    """How much of one source was read and kept, from its import report."""
    if hasattr(report, "lines_read"):  # logs
        files = report.to_dict().get("files", [])
        zones = "; ".join(dict.fromkeys(f.get("timezone", "") for f in files if f.get("timezone")))
        return {
            "read": report.lines_read,
            "kept": report.rows,
            "joined": report.continuation_lines,
            "rejected": report.rejected,
            "time": zones,
        }
    if hasattr(report, "records_read"):  # events
        notes = "; ".join(dict.fromkeys(n for i in report.inputs for n in i.notes))
        return {
            "read": report.records_read,
            "kept": report.events_made,
            "joined": 0,
            "rejected": len(report.rejects),
            "time": notes,
        }
    return {"read": len(frame), "kept": len(frame), "joined": 0, "rejected": 0, "time": ""}


def _source_row(source, frame: pd.DataFrame, report: Any) -> dict[str, Any]:
    times = frame.get(_TIME_COLUMN[source.kind])
    span = "—"
    if times is not None and len(times):
        first, last = times.min(), times.max()
        end = f"{last:%H:%M:%S}" if first.date() == last.date() else f"{last:%Y-%m-%d %H:%M:%S}"
        span = f"{first:%Y-%m-%d %H:%M:%S} – {end} UTC"
    where = source.path or f"{source.url} {source.query}"
    return {
        "source": source.name,
        "kind": source.kind,
        "from": where,
        "format": source.format,
        **_accounting(source.kind, frame, report),
        "span": span,
    }


def load_evidence(incident: Incident) -> Evidence:
    """Load every source listed under ``sources:`` in the report, by kind.

    Returns
    -------
    Evidence
        Logs, events and metrics frames (each sorted by time), the import reports, and a
        table accounting for every source: lines or records read, rows kept, continuation
        lines joined, rejected, time span and how its times were read.
    """
    frames: dict[str, list[pd.DataFrame]] = {kind: [] for kind in SOURCE_LOADERS}
    reports = []
    rows = []
    for source in incident.report.sources:
        frame, rep = _load_source(incident, source)
        rows.append(_source_row(source, frame, rep))
        frames[source.kind].append(frame)
        if rep is not None:
            reports.append(rep)
    return Evidence(
        logs=_concat(frames["logs"], "logs"),
        events=_concat(frames["events"], "events"),
        metrics=_concat(frames["metrics"], "metrics"),
        import_reports=reports,
        sources=pd.DataFrame(rows),
    )


def show_sources(incident: Incident, evidence: Evidence) -> None:
    """Display what the report rests on: every source, how much was read and kept."""
    if not len(evidence.sources):
        _note("No evidence yet: list sources under `sources:` in postmortem.yaml.")
        return
    _display_table(evidence.sources)


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
        live="auto",
    )


def show_metrics(incident: Incident, evidence: Evidence) -> None:
    """Display the metrics panel with the incident window shaded."""
    from postmortem_kit.explore import metrics_panel

    if len(evidence.metrics):
        metrics_panel(incident.reload(), evidence.metrics, show=True, live="auto")


#: Set in the kernel that runs the notebook to publish it (by ``publish.executed_notebook``).
PUBLISHING_VARIABLE = "POSTMORTEM_KIT_PUBLISHING"


def show_editors(incident: Incident, evidence: Evidence | None = None) -> Any:
    """Display the five section editors bound to ``postmortem.yaml`` (saves as you type).

    While the notebook is run to publish it, no editor is built: the report is made from
    ``postmortem.yaml``, the cell's output is not published, and the hundreds of widget
    messages the editors send only gave nbclient a chance to stall (jupyter/nbclient#312).
    """
    if os.environ.get(PUBLISHING_VARIABLE):
        _note(
            "The section editors are not built while publishing: the report is made from "
            "postmortem.yaml."
        )
        return None
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
    _display_table(durations_table(incident.reload()))


def access_rows(logs: pd.DataFrame) -> pd.DataFrame:
    """The rows of the logs frame that are HTTP requests (they carry a status)."""
    if "status" not in logs.columns:
        return logs.iloc[0:0]
    return logs[logs["status"].notna()]


def _display_table(frame: pd.DataFrame) -> None:
    """A table in full: no index column, no truncated cells (definitions must be readable)."""
    from IPython.display import HTML

    with pd.option_context("display.max_colwidth", None):
        _display(HTML(frame.to_html(index=False, na_rep="—", border=0)))


def _note(text: str) -> None:
    from IPython.display import Markdown

    _display(Markdown(f"*{text}*"))


def show_http(incident: Incident, evidence: Evidence) -> None:
    """Display request rate by status class, error ratio, latency percentiles and the top
    paths and clients by errors, from the access logs."""
    from postmortem_kit.explore import http_view

    requests = access_rows(evidence.logs)
    if not len(requests):
        _note("No access logs among the sources: the HTTP view needs rows with a status.")
        return
    http_view(incident.reload(), requests, show=True, live="auto")


def show_impact(incident: Incident, evidence: Evidence) -> Any:
    """Display the impact computed from the access logs, each number with its definition.

    Adopt the numbers into the summary with ``postmortem_kit.explore.accept_impact``.
    """
    from postmortem_kit.explore import computed_impact

    report = incident.reload()
    requests = access_rows(evidence.logs)
    if not len(requests) or report.summary.impact_start is None:
        _note("Computed impact needs access logs and the impact start time.")
        return None
    impact = computed_impact(report, requests, show=False)
    _display_table(impact.table[["measure", "shown", "definition"]])
    return impact


def _compact_table(frame: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    """The named columns, renamed for readers, numbers rounded, times to the second."""
    out = frame[[c for c in columns if c in frame.columns]].rename(columns=columns)
    for name in out.columns:
        column = out[name]
        if pd.api.types.is_datetime64_any_dtype(column):
            out[name] = column.dt.strftime("%H:%M:%S")
        elif pd.api.types.is_float_dtype(column):
            out[name] = column.round(2)
    return out


#: log pattern table column → heading in the notebook and the report
PATTERN_COLUMNS = {
    "template": "template",
    "status": "status",
    "before": "before",
    "during": "during",
    "after": "after",
    "first_seen": "first seen (UTC)",
    "first_provenance": "first line",
    "sources": "sources",
}


def show_log_patterns(incident: Incident, evidence: Evidence) -> Any:
    """Display the log templates new in, or spiking during, the incident window (a compact
    table with counts before, during and after, and where each first appeared) and the top
    templates over time. Returns the full result (``.table`` keeps rates, scores, examples).
    """
    from postmortem_kit.explore import log_patterns

    report = incident.reload()
    messages = evidence.logs
    if "status" in messages.columns:
        messages = messages[messages["status"].isna()]  # requests are in the HTTP view
    if not len(messages) or report.summary.impact_start is None:
        _note("Log patterns need log messages and the impact start time.")
        return None
    result = log_patterns(report, messages, show=False)
    _display_table(_compact_table(result.table, PATTERN_COLUMNS))
    _display(result.figure)
    return result


def show_comparison(incident: Incident, evidence: Evidence) -> Any:
    """Display each metric and log source before, during and after the incident."""
    from postmortem_kit.explore import compare_windows

    report = incident.reload()
    if report.summary.impact_start is None or not (len(evidence.metrics) or len(evidence.logs)):
        _note("The before/during/after table needs evidence and the impact start time.")
        return None
    table = compare_windows(
        report,
        metrics=evidence.metrics if len(evidence.metrics) else None,
        logs=evidence.logs if len(evidence.logs) else None,
        show=False,
    )
    _display_table(_compact_table(table, {c: c for c in table.columns}))
    return table


def suggest_times(incident: Incident, evidence: Evidence) -> pd.DataFrame:
    """Anomaly hints on every metric series: suggested impact start and recovery times.

    Nothing is written: accept a hint with
    ``postmortem_kit.explore.accept_anomaly(incident.report_file, hints.loc[i])``.
    """
    from postmortem_kit.explore import find_anomalies

    rows = []
    metrics = evidence.metrics
    if not len(metrics):
        _note("No metrics among the sources: nothing to suggest.")
        return pd.DataFrame()
    labels = [c for c in metrics.columns if c not in ("timestamp", "value", "source", "provenance")]
    for key, series in metrics.groupby(labels, dropna=False, sort=True):
        values = series.set_index("timestamp")["value"].sort_index()
        found = find_anomalies(values)
        if len(found):
            name = " ".join(str(k) for k in (key if isinstance(key, tuple) else (key,)))
            rows.append(found.assign(series=name))
    hints = (
        pd.concat(rows, ignore_index=True).sort_values("score", ascending=False)
        if rows
        else pd.DataFrame(columns=["series", "start", "end", "score"])
    )
    shown = [c for c in ("series", "start", "end", "score", "evidence") if c in hints.columns]
    _display_table(_compact_table(hints, {c: c for c in shown}))
    return hints


def show_check(incident: Incident) -> Any:
    """Display the pre-publication review of the report file (what `postmortem check` says)."""
    from postmortem_kit.publish.check import check_report

    result = check_report(incident.reload())
    _display(result)
    return result

"""Accepting suggestions into ``postmortem.yaml``: explicit calls that say what they wrote.

Every function here loads the report file, changes only what it names, saves it through
:func:`postmortem_kit.report.save_report` (validated, atomic, comments kept), prints one
line per change, and returns the saved report. A key time or field that is already set is
never overwritten unless ``overwrite=True``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import pandas as pd

from postmortem_kit.errors import ReportError
from postmortem_kit.explore._common import to_utc
from postmortem_kit.report import KEY_TIMES, Report, TimelineEvent, load_report, save_report


def _say(message: str) -> None:
    print(message)


def _aware(value) -> pd.Timestamp:
    return to_utc(value).to_pydatetime()


def accept_key_times(report_file: str | os.PathLike, *, overwrite: bool = False, **times) -> Report:
    """Write key times (``impact_start=...``, ``mitigated=...``) into the report file.

    Parameters
    ----------
    report_file
        ``postmortem.yaml`` or its incident folder.
    overwrite
        Replace key times that are already set (otherwise that is an error).
    **times
        Key time names of :data:`postmortem_kit.report.KEY_TIMES` with tz-aware times.

    Returns
    -------
    Report
        The saved report.
    """
    unknown = [k for k in times if k not in KEY_TIMES]
    if unknown:
        raise ValueError(f"unknown key time(s) {unknown}; valid: {', '.join(KEY_TIMES)}")
    report = load_report(report_file)
    summary = report.summary.model_copy()
    changes = []
    for name, value in times.items():
        new = _aware(value)
        old = getattr(summary, name)
        if old is not None and old != new and not overwrite:
            raise ReportError(
                f"{name} is already {old.isoformat()}; pass overwrite=True to replace it "
                f"with {new.isoformat()}"
            )
        if old != new:
            setattr(summary, name, new)
            changes.append(f"{name}: {old.isoformat() if old else 'unset'} → {new.isoformat()}")
    report = report.model_copy(update={"summary": summary})
    return _save(report, report_file, changes)


def accept_anomaly(
    report_file: str | os.PathLike,
    anomaly,
    *,
    start_as: str | None = "impact_start",
    end_as: str | None = "mitigated",
    overwrite: bool = False,
) -> Report:
    """Take an anomaly window's start and end (return to baseline) as key times.

    Parameters
    ----------
    report_file
        ``postmortem.yaml`` or its incident folder.
    anomaly
        A row of :func:`find_anomalies` (``start``, ``end``), e.g. ``hints.iloc[0]``.
    start_as, end_as
        Key times to set from the window's start and end (``None`` to skip one).
    overwrite
        Replace key times that are already set.
    """
    times = {}
    if start_as:
        times[start_as] = _field(anomaly, "start")
    if end_as:
        times[end_as] = _field(anomaly, "end")
    return accept_key_times(report_file, overwrite=overwrite, **times)


def accept_impact(
    report_file: str | os.PathLike,
    impact,
    *,
    overwrite: bool = False,
    users: str = "clients_affected",
) -> Report:
    """Adopt computed impact into the summary: ``users_affected`` and the ``impact`` text.

    Parameters
    ----------
    report_file
        ``postmortem.yaml`` or its incident folder.
    impact
        A :class:`ComputedImpact` from :func:`computed_impact`.
    overwrite
        Replace ``users_affected`` / ``impact`` when they are already filled in.
    users
        The measure written to ``users_affected``.
    """
    report = load_report(report_file)
    summary = report.summary.model_copy()
    changes = []
    count = int(impact[users])
    if summary.users_affected not in (None, count) and not overwrite:
        raise ReportError(
            f"users_affected is already {summary.users_affected}; pass overwrite=True to "
            f"replace it with {count}"
        )
    if summary.users_affected != count:
        changes.append(f"users_affected: {summary.users_affected} → {count} ({users})")
        summary.users_affected = count
    text = impact.summary_text()
    if summary.impact.strip() and summary.impact.strip() != text and not overwrite:
        raise ReportError("summary.impact already has text; pass overwrite=True to replace it")
    if summary.impact != text:
        changes.append(f"impact: {len(text.splitlines())} lines of computed impact")
        summary.impact = text
    return _save(report.model_copy(update={"summary": summary}), report_file, changes)


def promote_to_timeline(
    report_file: str | os.PathLike,
    row,
    *,
    kind: str = "observation",
    description: str | None = None,
    pinned: bool = False,
    source: str | None = None,
    provenance: str | None = None,
) -> Report:
    """Add a log row, an event, a log pattern or an anomaly hint to the report's timeline.

    Parameters
    ----------
    report_file
        ``postmortem.yaml`` or its incident folder.
    row
        One row (Series, dict or named tuple) of a ``load_logs`` frame (``timestamp``,
        ``message``), a ``load_events`` frame (``time``, ``description``), a
        :func:`log_patterns` table (``first_seen``, ``template``) or a
        :func:`find_anomalies` frame (``start``, ``evidence``).
    kind
        Timeline kind (trigger, impact, detection, …, observation).
    description, source, provenance
        Override what is taken from the row. Provenance defaults to the row's
        ``provenance`` (``file:line``) or, for a pattern, its first line's provenance.
    pinned
        Pin the event (it then shows as a marker in :func:`incident_overview`).

    Returns
    -------
    Report
        The saved report. Adding the same time, description and provenance twice is a no-op.
    """
    time, text, where, origin = _describe(row)
    event = TimelineEvent(
        time=_aware(time),
        description=description or text,
        source=source or origin,
        kind=kind,
        pinned=pinned,
        provenance=provenance or where,
    )
    report = load_report(report_file)
    same = [
        e
        for e in report.timeline
        if (e.time, e.description, e.provenance)
        == (event.time, event.description, event.provenance)
    ]
    if same:
        _say(f"{report_file}: already on the timeline: {event.description[:80]}")
        return report
    changes = [f"timeline += {event.time.isoformat()} {event.kind}: {event.description[:80]}"]
    report = report.model_copy(update={"timeline": [*report.timeline, event]})
    return _save(report, report_file, changes)


def _field(row, name):
    if isinstance(row, Mapping):
        return row.get(name)
    if isinstance(row, pd.Series):
        return row.get(name)
    return getattr(row, name, None)


def _describe(row) -> tuple:
    """(time, description, provenance, source) of a log, event, pattern or anomaly row."""
    get = lambda name: _field(row, name)  # noqa: E731
    if get("message") is not None and get("timestamp") is not None:
        return (
            get("timestamp"),
            str(get("message")),
            str(get("provenance") or "manual"),
            str(get("source") or "logs"),
        )
    if get("template") is not None and get("first_seen") is not None:
        return (
            get("first_seen"),
            f"log pattern first seen: {get('template')}",
            str(get("first_provenance") or "log_patterns"),
            str(get("sources") or "logs"),
        )
    if get("evidence") is not None and get("start") is not None:
        return get("start"), str(get("evidence")), "find_anomalies", "metrics"
    if get("time") is not None and get("description") is not None:
        return (
            get("time"),
            str(get("description")),
            str(get("provenance") or "manual"),
            str(get("source") or "events"),
        )
    raise ValueError(
        "cannot tell what this row is: expected a log row (timestamp, message), an event "
        "(time, description), a pattern (first_seen, template) or an anomaly (start, evidence)"
    )


def _save(report: Report, report_file, changes: list[str]) -> Report:
    if not changes:
        _say(f"{report_file}: nothing to change")
        return report
    path = save_report(report, report_file)
    for change in changes:
        _say(f"{path}: {change}")
    return report

"""Before / during / after: one table comparing metrics, log rates and patterns across windows."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from postmortem_kit.explore._common import (
    incident_windows,
    require_columns,
    show_frame,
    to_utc,
)
from postmortem_kit.explore.metrics_panel import NOT_LABELS
from postmortem_kit.options import Options
from postmortem_kit.report import Report

STATISTICS = {
    "mean": lambda v: float(np.mean(v)),
    "median": lambda v: float(np.median(v)),
    "max": lambda v: float(np.max(v)),
    "p95": lambda v: float(np.percentile(v, 95)),
}
ERROR_LEVELS = ("error", "critical")


@dataclasses.dataclass(frozen=True)
class CompareOptions(Options):
    """Options of :func:`compare_windows`.

    Attributes
    ----------
    during, before, after
        ``(start, end)`` windows, end exclusive; default: the incident window (impact start
        to resolved) and windows of the same length right before and after it.
    statistic
        How metric samples in a window are summarised: ``mean``, ``median``, ``max``, ``p95``.
    """

    during: tuple | None = None
    before: tuple | None = None
    after: tuple | None = None
    statistic: str = "mean"


def compare_windows(
    report: Report | None,
    *,
    metrics: pd.DataFrame | None = None,
    logs: pd.DataFrame | None = None,
    patterns=None,
    show: bool = True,
    **options,
) -> pd.DataFrame:
    """Compare each metric, each log source's rate and each pattern's rate across windows.

    Parameters
    ----------
    report
        The postmortem; its key times define the default windows.
    metrics
        A :func:`load_metrics` frame: one row per series (metric and label values).
    logs
        A ``load_logs`` frame: per source, lines per minute and error lines per minute
        (severity error or critical).
    patterns
        A :class:`LogPatterns` result (or its ``table``): lines per minute of each template.
    show
        Display the table in the notebook; it is returned either way.
    **options
        See :class:`CompareOptions`; unknown names raise ``OptionsError``.

    Returns
    -------
    pandas.DataFrame
        ``kind`` (metric / logs / pattern), ``name``, ``statistic``, ``before``, ``during``,
        ``after`` and ``change`` (during ÷ before; NaN when before is 0 or missing). The
        windows are in ``attrs["windows"]``.
    """
    opts = CompareOptions.from_kwargs("compare_windows", **options)
    if opts.statistic not in STATISTICS:
        raise ValueError(f"statistic={opts.statistic!r}: expected one of {list(STATISTICS)}")
    windows = incident_windows(report, opts.during, opts.before, opts.after)
    rows: list[dict] = []
    if metrics is not None:
        rows += _metric_rows(metrics, windows, opts.statistic)
    if logs is not None:
        rows += _log_rows(logs, windows)
    if patterns is not None:
        rows += _pattern_rows(getattr(patterns, "table", patterns), windows)
    table = pd.DataFrame(
        rows, columns=["kind", "name", "statistic", "before", "during", "after"]
    ).astype({"before": "float64", "during": "float64", "after": "float64"})
    before = table["before"].where(table["before"] != 0)
    table["change"] = table["during"] / before
    table.attrs["windows"] = {k: (v[0].isoformat(), v[1].isoformat()) for k, v in windows.items()}
    return show_frame(table, show)


def _metric_rows(metrics: pd.DataFrame, windows, statistic: str) -> list[dict]:
    require_columns(metrics, ("timestamp", "metric", "value"), "metrics")
    times = to_utc(metrics["timestamp"])
    labels = [c for c in metrics.columns if c not in NOT_LABELS]
    keys = ["metric", *labels]
    frame = metrics.assign(_t=times)
    rows = []
    for key, group in frame.groupby(keys, dropna=False, sort=True):
        key = key if isinstance(key, tuple) else (key,)
        tags = [f"{k}={v}" for k, v in zip(labels, key[1:], strict=True) if pd.notna(v)]
        name = f"{key[0]} {{{', '.join(tags)}}}" if tags else str(key[0])
        row = {"kind": "metric", "name": name, "statistic": statistic}
        for window, (start, end) in windows.items():
            values = group.loc[(group["_t"] >= start) & (group["_t"] < end), "value"].to_numpy()
            values = values[np.isfinite(values)]
            row[window] = STATISTICS[statistic](values) if len(values) else np.nan
        rows.append(row)
    return rows


def _log_rows(logs: pd.DataFrame, windows) -> list[dict]:
    require_columns(logs, ("timestamp", "source"), "logs")
    times = to_utc(logs["timestamp"])
    severity = logs["severity"].astype("string").str.lower() if "severity" in logs else None
    rows = []
    for source in sorted(logs["source"].astype("string").dropna().unique()):
        mine = (logs["source"] == source).to_numpy()
        for label, mask in (("lines/min", mine), ("error lines/min", None)):
            if mask is None:
                if severity is None:
                    continue
                mask = mine & severity.isin(ERROR_LEVELS).fillna(False).to_numpy()
            row = {"kind": "logs", "name": source, "statistic": label}
            for window, (start, end) in windows.items():
                inside = ((times >= start) & (times < end)).to_numpy()
                row[window] = (mask & inside).sum() / ((end - start).total_seconds() / 60)
            rows.append(row)
    return rows


def _pattern_rows(table: pd.DataFrame, windows) -> list[dict]:
    require_columns(table, ("template_id", "template", "before", "during", "after"), "patterns")
    mined = table.attrs.get("windows")
    wanted = {k: (v[0].isoformat(), v[1].isoformat()) for k, v in windows.items()}
    if mined is not None and mined != wanted:
        raise ValueError(
            "the patterns were counted over other windows; call log_patterns with the same "
            f"during/before/after (patterns: {mined}, here: {wanted})"
        )
    rows = []
    for r in table.itertuples():
        row = {
            "kind": "pattern",
            "name": f"#{r.template_id} {r.template}",
            "statistic": "lines/min",
        }
        for window, (start, end) in windows.items():
            row[window] = getattr(r, window) / ((end - start).total_seconds() / 60)
        rows.append(row)
    return rows

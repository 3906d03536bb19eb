"""Pieces every view shares: palettes, time buckets, key-time lines, phase shading, display.

Plotly gets times as naive UTC (plotly.js ignores offsets), and every axis says "UTC".
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from postmortem_kit.report import KEY_TIMES, Report

#: Fixed severity palette (log levels, lowest first); ``unknown`` for rows without a level.
SEVERITY_COLORS: dict[str, str] = {
    "debug": "#9e9e9e",
    "info": "#1f77b4",
    "notice": "#17a2a2",
    "warning": "#f0a202",
    "error": "#d62728",
    "critical": "#7f0000",
    "unknown": "#c7c7c7",
}
SEVERITIES: tuple[str, ...] = tuple(SEVERITY_COLORS)

#: Key time -> (label, colour) for the labelled vertical lines.
KEY_TIME_STYLE: dict[str, tuple[str, str]] = {
    "impact_start": ("impact start", "#d62728"),
    "detected": ("detected", "#ff7f0e"),
    "acknowledged": ("acknowledged", "#9467bd"),
    "mitigated": ("mitigated", "#2ca02c"),
    "resolved": ("resolved", "#17becf"),
}

#: Phases shaded between key times: (from, to, label, fill colour).
PHASES: tuple[tuple[str, str, str, str], ...] = (
    ("impact_start", "detected", "impact, not yet detected", "rgba(214,39,40,0.13)"),
    ("detected", "mitigated", "detected → mitigated", "rgba(255,127,14,0.13)"),
    ("mitigated", "resolved", "mitigated → resolved", "rgba(44,160,44,0.13)"),
)

#: A qualitative palette for series (metrics, templates, status classes), used in order.
SERIES_COLORS: tuple[str, ...] = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
)

#: Bucket sizes a chart may use, smallest first.
NICE_STEPS: tuple[pd.Timedelta, ...] = tuple(
    pd.Timedelta(s)
    for s in (
        "1ms", "2ms", "5ms", "10ms", "20ms", "50ms", "100ms", "200ms", "500ms",
        "1s", "2s", "5s", "10s", "15s", "30s",
        "1min", "2min", "5min", "10min", "15min", "30min",
        "1h", "2h", "3h", "6h", "12h", "1D", "2D", "7D", "14D", "28D",
    )
)  # fmt: skip


def choose_bucket(start: pd.Timestamp, end: pd.Timestamp, max_buckets: int = 400) -> pd.Timedelta:
    """The smallest nice bucket size that cuts ``[start, end]`` into at most ``max_buckets``.

    With the steps of :data:`NICE_STEPS` (neighbours at most 2.5 apart) this gives between
    ``max_buckets / 2.5`` and ``max_buckets`` buckets: 160–400 for the default.
    """
    span = max(end - start, pd.Timedelta(0))
    for step in NICE_STEPS:
        if span / step <= max_buckets:
            return step
    return pd.Timedelta(days=int(np.ceil(span / pd.Timedelta(days=1) / max_buckets)))


def describe_step(step: pd.Timedelta) -> str:
    """``1 min``, ``10 s``, ``2 h``, ``1 d`` — the bucket size as printed on charts."""
    seconds = step.total_seconds()
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60), ("s", 1)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)} {unit}"
    if seconds >= 1:
        return f"{seconds:.3g} s"
    return f"{seconds * 1000:.3g} ms"


def to_utc(values) -> pd.Series | pd.Timestamp | None:
    """Timestamps (scalar, sequence or Series) as tz-aware UTC; naive values are taken as UTC."""
    if values is None:
        return None
    if isinstance(values, pd.Series):
        out = pd.to_datetime(values)
        return out.dt.tz_localize("UTC") if out.dt.tz is None else out.dt.tz_convert("UTC")
    if isinstance(values, str | dt.datetime | pd.Timestamp | np.datetime64):
        ts = pd.Timestamp(values)
        return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
    return to_utc(pd.Series(list(values)))


def plot_time(values):
    """UTC timestamps as naive UTC values for plotly (scalar, Series or DatetimeIndex)."""
    if isinstance(values, pd.Series):
        return to_utc(values).dt.tz_localize(None)
    if isinstance(values, pd.DatetimeIndex):
        idx = values.tz_localize("UTC") if values.tz is None else values.tz_convert("UTC")
        return idx.tz_localize(None)
    return to_utc(values).tz_localize(None)


def epoch_ns(values: pd.Series) -> np.ndarray:
    """Nanoseconds since the epoch of a tz-aware Series, whatever its resolution."""
    return to_utc(values).dt.tz_localize(None).astype("datetime64[ns]").to_numpy().view("int64")


def bucket_starts(values: pd.Series, step: pd.Timedelta) -> np.ndarray:
    """Start of the bucket (aligned to the epoch) of each timestamp, as int64 nanoseconds."""
    ns = epoch_ns(values)
    size = step.value
    return (ns // size) * size


def key_times(report: Report | None) -> dict[str, pd.Timestamp]:
    """The report's key times that are set, as UTC timestamps, in :data:`KEY_TIMES` order."""
    if report is None:
        return {}
    out = {}
    for name in KEY_TIMES:
        value = getattr(report.summary, name)
        if value is not None:
            out[name] = to_utc(value)
    return out


@dataclasses.dataclass(frozen=True)
class Windows:
    """The before / during / after windows of an incident, each ``[start, end)`` in UTC."""

    before: tuple[pd.Timestamp, pd.Timestamp]
    during: tuple[pd.Timestamp, pd.Timestamp]
    after: tuple[pd.Timestamp, pd.Timestamp]

    def items(self) -> list[tuple[str, tuple[pd.Timestamp, pd.Timestamp]]]:
        return [("before", self.before), ("during", self.during), ("after", self.after)]


def incident_window(report: Report | None) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """``(impact_start, end)`` where end is resolved, else mitigated; ``None`` when unknown.

    Falls back to ``detected`` when the impact start is not set.
    """
    times = key_times(report)
    start = times.get("impact_start", times.get("detected"))
    end = times.get("resolved", times.get("mitigated"))
    if start is None or end is None or end <= start:
        return None
    return start, end


def incident_windows(
    report: Report | None,
    during: tuple | None = None,
    before: tuple | str | None = None,
    after: tuple | str | None = None,
) -> Windows:
    """Before / during / after windows.

    ``during`` defaults to :func:`incident_window`; ``before`` and ``after`` default to windows
    of the same length right before and after it. Each may be given as ``(start, end)``.
    """
    if during is None:
        during = incident_window(report)
        if during is None:
            raise ValueError(
                "the report has no impact start and resolved/mitigated time; "
                "pass during=(start, end)"
            )
    d0, d1 = to_utc(during[0]), to_utc(during[1])
    length = d1 - d0
    b = (to_utc(before[0]), to_utc(before[1])) if before is not None else (d0 - length, d0)
    a = (to_utc(after[0]), to_utc(after[1])) if after is not None else (d1, d1 + length)
    return Windows(before=b, during=(d0, d1), after=a)


def add_key_time_lines(
    fig: go.Figure, report: Report | None, *, xref: str = "x", lift: int = 3
) -> None:
    """Draw the report's key times as labelled vertical lines over the whole figure.

    Labels sit ``lift`` pixels above the plot area, staggered on three levels."""
    times = key_times(report)
    # Stagger labels of nearby times so they do not overlap.
    for i, (name, ts) in enumerate(times.items()):
        label, colour = KEY_TIME_STYLE[name]
        x = plot_time(ts)
        fig.add_shape(
            type="line", xref=xref, yref="paper", x0=x, x1=x, y0=0, y1=1,
            line={"color": colour, "width": 1.5, "dash": "dash"}, name=f"key time: {label}",
        )  # fmt: skip
        fig.add_annotation(
            x=x, xref=xref, yref="paper", y=1.0, yshift=lift + 12 * (i % 3), showarrow=False,
            text=f"{label} {ts:%H:%M}", font={"size": 10, "color": colour},
            xanchor="left", yanchor="bottom",
        )  # fmt: skip


def add_phases(fig: go.Figure, report: Report | None, *, xref: str = "x") -> None:
    """Shade the incident phases between key times; each phase gets a legend entry."""
    times = key_times(report)
    for rank, (start, end, label, fill) in enumerate(phases(times)):
        fig.add_shape(
            legendrank=900 + rank,
            type="rect", xref=xref, yref="paper", x0=plot_time(start), x1=plot_time(end),
            y0=0, y1=1, fillcolor=fill, line={"width": 0}, layer="below",
            name=f"phase: {label}", showlegend=True, legendgroup="phases",
            legendgrouptitle={"text": "phases"},
        )  # fmt: skip


def phases(times: dict[str, pd.Timestamp]) -> list[tuple[pd.Timestamp, pd.Timestamp, str, str]]:
    """The phases that can be drawn: ``(start, end, label, fill)``.

    A phase whose end is missing runs to the next known key time of the phase chain, so a
    report without ``detected`` still shades impact start → mitigated.
    """
    chain = [n for n in ("impact_start", "detected", "mitigated", "resolved") if n in times]
    styles = {p[0]: p for p in PHASES}
    out = []
    for first, second in zip(chain, chain[1:], strict=False):
        _, natural_end, label, fill = styles[first]
        if second != natural_end:
            label = f"{KEY_TIME_STYLE[first][0]} → {KEY_TIME_STYLE[second][0]}"
        if times[second] > times[first]:
            out.append((times[first], times[second], label, fill))
    return out


def escape(text) -> str:
    """Evidence text made safe for plotly hover and legend labels (``<``, ``>``, ``&``).

    Quotes are left alone: plotly shows ``&quot;`` literally."""
    return html.escape(str(text), quote=False)


def show_figure(fig: go.Figure, show: bool) -> go.Figure:
    """Display ``fig`` in the notebook when ``show`` is true; return it either way."""
    if show:
        from IPython.display import display

        display(fig)
    return fig


def show_frame(frame: pd.DataFrame, show: bool) -> pd.DataFrame:
    """Display a table in the notebook when ``show`` is true; return it either way."""
    if show:
        from IPython.display import display

        display(frame)
    return frame


def require_columns(frame: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    """Raise a clear ``ValueError`` naming the missing columns of an input frame."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(
            f"{what} frame lacks column(s) {', '.join(missing)}; it has {', '.join(frame.columns)}"
        )


def data_range(*series: pd.Series | Sequence | None) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """Smallest and largest timestamp over several Series (``None`` entries are skipped)."""
    lows, highs = [], []
    for s in series:
        if s is None or len(s) == 0:
            continue
        s = to_utc(pd.Series(s) if not isinstance(s, pd.Series) else s)
        lows.append(s.min())
        highs.append(s.max())
    if not lows:
        return None
    return min(lows), max(highs)

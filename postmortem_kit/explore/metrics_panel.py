"""The metrics panel: one row per metric on a shared time axis, with the incident shaded."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from postmortem_kit.explore._common import (
    SERIES_COLORS,
    add_key_time_lines,
    add_phases,
    bucket_starts,
    choose_bucket,
    describe_step,
    key_times,
    plot_time,
    require_columns,
    show_figure,
    to_utc,
)
from postmortem_kit.explore.zoom import live_figure, resolve_live
from postmortem_kit.options import Options
from postmortem_kit.report import Report

#: Baseline name -> (shift back, description); ``1h-before`` is handled apart.
BASELINE_SHIFTS: dict[str, tuple[pd.Timedelta, str]] = {
    "1d": (pd.Timedelta(days=1), "same window 1 day earlier"),
    "1w": (pd.Timedelta(weeks=1), "same window 1 week earlier"),
}
BASELINES = (*BASELINE_SHIFTS, "1h-before", None)
NOT_LABELS = ("timestamp", "metric", "value", "source", "provenance")


@dataclasses.dataclass(frozen=True)
class MetricsPanelOptions(Options):
    """Options of :func:`metrics_panel`.

    Attributes
    ----------
    select
        Metric names to draw, in this order (default: every metric, sorted).
    window
        ``(start, end)`` to show; default: the samples' time range.
    baseline
        ``"1d"`` or ``"1w"``: overlay the same window one day/week earlier (dashed grey);
        ``"1h-before"``: the mean and 5–95 % band of the hour before impact start;
        ``None``: no baseline.
    thresholds
        ``{metric: value or [values]}`` drawn as dotted horizontal lines (SLOs, limits).
    max_points
        Series longer than this in the window are averaged into time buckets (stated in the
        row title), so a large frame still makes a small figure.
    agg
        How buckets are summarised: ``"mean"``, ``"max"``, ``"min"`` or ``"median"``.
    key_times
        Draw the report's key times and shade the incident phases.
    title, height
        Figure title and height (default grows with the number of rows).
    live
        ``True``: return a ``FigureWidget`` that re-reduces each series to the visible range
        when the user zooms (raw samples once few enough; see
        :mod:`postmortem_kit.explore.zoom`); ``"auto"``: live only in a notebook frontend,
        static under papermill; ``False``: a static figure.
    """

    select: tuple[str, ...] | None = None
    window: tuple | None = None
    baseline: str | None = None
    thresholds: dict | None = None
    max_points: int = 1500
    agg: str = "mean"
    key_times: bool = True
    title: str | None = None
    height: int | None = None
    live: bool | str = False


def _series(frame: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    """Split one metric's rows into series by the labels that vary: ``(name, rows)``.

    A metric whose labels never vary is one series named after the metric.
    """
    metric = str(frame["metric"].iloc[0])
    labels = [c for c in frame.columns if c not in NOT_LABELS and frame[c].notna().any()]
    labels = [c for c in labels if frame[c].nunique(dropna=False) > 1]
    if not labels:
        return [(metric, frame)]
    out = []
    for key, rows in frame.groupby(labels, dropna=False, sort=True):
        key = key if isinstance(key, tuple) else (key,)
        name = ", ".join(f"{k}={v}" for k, v in zip(labels, key, strict=True) if pd.notna(v))
        out.append((f"{metric} {{{name}}}", rows))
    return out


def reduce_series(
    rows: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp, max_points: int, agg: str
) -> tuple[pd.Series, pd.Timedelta | None]:
    """Samples of one series in [start, end] as a time-indexed Series, bucketed when long.

    Returns the series and the bucket size used (``None`` when the raw samples are kept).
    Duplicate timestamps are averaged.
    """
    inside = rows[(rows["timestamp"] >= start) & (rows["timestamp"] <= end)]
    values = inside.groupby("timestamp", sort=True)["value"].mean()
    if len(values) <= max_points:
        return values, None
    step = choose_bucket(start, end, max_points)
    keys = pd.to_datetime(bucket_starts(values.index.to_series(), step), unit="ns", utc=True)
    return values.groupby(keys).agg(agg), step


def metrics_panel(report: Report | None, metrics: pd.DataFrame, *, show: bool = True, **options):
    """Metrics as small multiples sharing one UTC time axis.

    Parameters
    ----------
    report
        The postmortem; its key times and phases are drawn over every row.
    metrics
        A frame from :func:`load_metrics` (``timestamp``, ``metric``, ``value``, labels).
    show
        Display the figure in the notebook; it is returned either way.
    **options
        See :class:`MetricsPanelOptions`; unknown names raise ``OptionsError``.

    Returns
    -------
    plotly.graph_objects.Figure or plotly.graph_objects.FigureWidget
        (the widget with ``live``). One row per metric, one line per label combination,
        the optional baseline and threshold lines; ``layout.meta`` lists the rows and any
        bucket sizes.
    """
    opts = MetricsPanelOptions.from_kwargs("metrics_panel", **options)
    live = resolve_live(opts.live, "metrics_panel")
    if opts.baseline not in BASELINES:
        raise ValueError(f"baseline={opts.baseline!r}: expected one of {BASELINES}")
    require_columns(metrics, ("timestamp", "metric", "value"), "metrics")
    frame = metrics.assign(timestamp=to_utc(metrics["timestamp"]))
    names = list(opts.select) if opts.select else sorted(frame["metric"].dropna().unique())
    unknown = [n for n in names if not (frame["metric"] == n).any()]
    if unknown:
        raise ValueError(
            f"no samples of {unknown}; metrics present: {sorted(frame['metric'].unique())}"
        )
    if opts.window is not None:
        start, end = to_utc(opts.window[0]), to_utc(opts.window[1])
    else:
        start, end = frame["timestamp"].min(), frame["timestamp"].max()
    thresholds = {
        k: v if isinstance(v, list | tuple) else [v] for k, v in (opts.thresholds or {}).items()
    }
    extra = [k for k in thresholds if k not in names]
    if extra:
        raise ValueError(f"thresholds for metrics not drawn: {extra}")

    titles, rows_meta, buckets = [], [], set()
    traces: list[list[go.Scatter]] = []
    feeds: list = []  # per trace, in figure order: (row, series rows, time shift) or None
    notes = []
    baseline_in_legend = False
    for name in names:
        mine = frame[frame["metric"] == name]
        row_traces, steps = [], set()
        for i, (series_name, rows) in enumerate(_series(mine)):
            colour = SERIES_COLORS[i % len(SERIES_COLORS)]
            values, step = reduce_series(rows, start, end, opts.max_points, opts.agg)
            if step is not None:
                steps.add(describe_step(step))
            row_traces.append(_line(values, series_name, colour, series_name != name))
            feeds.append((len(traces), rows, None))
            base = _baseline(rows, start, end, report, opts, first=not baseline_in_legend)
            if isinstance(base, str):
                notes.append(f"{series_name}: {base}")
            else:
                row_traces.extend(base)
                shift = BASELINE_SHIFTS.get(opts.baseline, (None,))[0]
                feeds.extend(
                    [(len(traces), rows, shift) if shift is not None else None] * len(base)
                )
                baseline_in_legend = baseline_in_legend or bool(base)
        traces.append(row_traces)
        buckets |= steps
        titles.append(row_title(name, opts.agg, steps))
        rows_meta.append(name)

    n = max(len(names), 1)
    fig = make_subplots(
        rows=n, cols=1, shared_xaxes=True, subplot_titles=titles,
        vertical_spacing=min(0.08, 0.35 / n),
    )  # fmt: skip
    for row, row_traces in enumerate(traces, start=1):
        for trace in row_traces:
            fig.add_trace(trace, row=row, col=1)
        for value in thresholds.get(names[row - 1], []):
            fig.add_hline(
                y=value, row=row, col=1, line={"color": "#d62728", "dash": "dot", "width": 1.5},
                annotation_text=f"threshold {value:g}", annotation_position="top left",
                annotation_font={"size": 10, "color": "#d62728"},
            )  # fmt: skip
    for annotation in fig.layout.annotations:
        annotation.update(font={"size": 12}, x=0, xanchor="left")
    if opts.key_times:
        add_phases(fig, report)
        add_key_time_lines(fig, report)
    title = opts.title or (f"{report.id}: metrics" if report else "metrics")
    subtitle = _summarise(notes) if notes else ""
    fig.update_layout(
        title={"text": title, "subtitle": {"text": subtitle}, "y": 0.995, "yanchor": "top"},
        height=opts.height or 130 + 150 * n,
        margin={"t": 125 if subtitle else 100, "l": 60, "r": 20, "b": 40},
        template="plotly_white",
        hovermode="x unified",
        meta={
            "rows": rows_meta,
            "buckets": sorted(buckets),
            "baseline": opts.baseline,
            "notes": notes,
        },
    )
    fig.update_xaxes(range=[plot_time(start), plot_time(end)], type="date")
    fig.update_xaxes(title_text="time (UTC)", row=n, col=1)
    if live:
        from postmortem_kit.explore.zoom_views import MetricsZoom

        zoom = MetricsZoom(fig, feeds, names, titles, opts)
        return live_figure(fig, zoom, (start, end), show=show)
    return show_figure(fig, show)


def row_title(name: str, agg: str, steps) -> str:
    """A row's title: the metric name and, when bucketed, how and at which bucket sizes."""
    return f"{name} ({agg} per {', '.join(sorted(steps))})" if steps else name


def _summarise(notes: list[str]) -> str:
    """``"no samples for X: a, b, … (5 series)"`` from per-series notes ``"name: reason"``."""
    by_reason: dict[str, list[str]] = {}
    for note in notes:
        name, _, reason = note.partition(": ")
        by_reason.setdefault(reason, []).append(name)
    parts = []
    for reason, names in by_reason.items():
        shown = ", ".join(names[:3]) + (f", … ({len(names)} series)" if len(names) > 3 else "")
        parts.append(f"baseline: {reason}: {shown}")
    return "; ".join(parts)


def _line(values: pd.Series, series_name: str, colour: str, legend: bool) -> go.Scatter:
    return go.Scatter(
        x=plot_time(values.index),
        y=values.to_numpy(),
        mode="lines",
        name=series_name,
        showlegend=legend,
        line={"color": colour, "width": 1.6},
        hovertemplate=f"{series_name}: %{{y:.4g}}<extra></extra>",
    )


def _baseline(rows, start, end, report, opts, first: bool):
    """Baseline traces for one series, or a note saying why there is none.

    Only the first series' baseline traces show in the legend (one "baseline" entry)."""
    if opts.baseline is None:
        return []
    style = {"legendgroup": "baseline", "legendgrouptitle": {"text": "baseline"}}
    if opts.baseline in BASELINE_SHIFTS:
        shift, text = BASELINE_SHIFTS[opts.baseline]
        shifted = rows.assign(timestamp=rows["timestamp"] + shift)
        values, _ = reduce_series(shifted, start, end, opts.max_points, opts.agg)
        if values.empty:
            return f"no samples for the {text}"
        return [
            go.Scatter(
                x=plot_time(values.index), y=values.to_numpy(), mode="lines", name=text,
                showlegend=first, line={"color": "#9e9e9e", "width": 1.2, "dash": "dash"},
                hovertemplate=f"{text}: %{{y:.4g}}<extra></extra>", **style,
            )
        ]  # fmt: skip
    times = key_times(report)
    anchor = times.get("impact_start", times.get("detected", start))
    hour = rows["timestamp"] >= anchor - pd.Timedelta(hours=1)
    before = rows[hour & (rows["timestamp"] < anchor)]
    if before.empty:
        return "no samples in the hour before impact start"
    mean = float(before["value"].mean())
    low, high = np.nanpercentile(before["value"].to_numpy(), [5, 95])
    x = [plot_time(start), plot_time(end)]
    return [
        go.Scatter(
            x=x + x[::-1], y=[high, high, low, low], fill="toself", mode="lines",
            line={"width": 0}, fillcolor="rgba(158,158,158,0.18)", hoverinfo="skip",
            name="5–95 % of the hour before impact", showlegend=first, **style,
        ),
        go.Scatter(
            x=x, y=[mean, mean], mode="lines", name="mean of the hour before impact",
            showlegend=first, line={"color": "#616161", "width": 1.2, "dash": "dash"},
            hovertemplate=f"mean of the hour before: {mean:.4g}<extra></extra>", **style,
        ),
    ]  # fmt: skip

"""The incident overview: evidence rate per source, key times, phases and change markers."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from postmortem_kit.explore._common import (
    SEVERITIES,
    SEVERITY_COLORS,
    add_key_time_lines,
    add_phases,
    bucket_starts,
    choose_bucket,
    data_range,
    describe_step,
    escape,
    key_times,
    plot_time,
    require_columns,
    show_figure,
    to_utc,
)
from postmortem_kit.explore.zoom import live_figure, resolve_live
from postmortem_kit.options import Options
from postmortem_kit.report import Report

#: Marker style per event kind: (lane, symbol, colour).
MARKER_STYLE: dict[str, tuple[str, str, str]] = {
    "deploy": ("changes", "triangle-up", "#6a3d9a"),
    "change": ("changes", "diamond", "#b15928"),
    "rollback": ("changes", "triangle-down", "#6a3d9a"),
    "alert_firing": ("alerts", "x", "#d62728"),
    "alert_resolved": ("alerts", "circle-open", "#2ca02c"),
    "page": ("alerts", "star", "#ff7f0e"),
    "acknowledge": ("alerts", "star-open", "#9467bd"),
}
PINNED_STYLE = ("timeline", "square", "#111111")
LANES = ("timeline", "changes", "alerts")


@dataclasses.dataclass(frozen=True)
class OverviewOptions(Options):
    """Options of :func:`incident_overview`.

    Attributes
    ----------
    window
        ``(start, end)`` to show; default: the evidence's time range widened to the key times.
    bucket
        Bucket size such as ``"1min"``; default: chosen for at most ``max_buckets`` buckets.
    max_buckets
        Upper bound on buckets across the window when ``bucket`` is not given.
    max_sources
        Sources beyond this many (the smallest by count) are merged into ``"other sources"``.
    marker_kinds
        Event kinds drawn as markers (the rest only count in the bars).
    max_markers
        Markers drawn per kind at most (the earliest); the legend says when some are left out.
    pinned
        Draw the report's pinned timeline events as markers.
    title
        Figure title; default names the report and the bucket size.
    height
        Figure height in pixels; default grows with the number of sources.
    live
        ``True``: return a ``FigureWidget`` that re-counts the visible range at a finer
        bucket when the user zooms (see :mod:`postmortem_kit.explore.zoom`); ``"auto"``:
        live only in a notebook frontend, static under papermill; ``False``: a static figure.
    min_bucket
        The finest bucket a live zoom uses.
    """

    window: tuple | None = None
    bucket: str | None = None
    max_buckets: int = 400
    max_sources: int = 8
    marker_kinds: tuple[str, ...] = tuple(MARKER_STYLE)
    max_markers: int = 500
    pinned: bool = True
    title: str | None = None
    height: int | None = None
    live: bool | str = False
    min_bucket: str = "1s"


def _evidence(logs: pd.DataFrame | None, events: pd.DataFrame | None) -> pd.DataFrame:
    """Logs and events as one frame of ``time``, ``source``, ``severity`` (normalised)."""
    parts = []
    if logs is not None:
        require_columns(logs, ("timestamp", "source"), "logs")
        sev = logs.get("severity")
        parts.append((logs["timestamp"], logs["source"], sev))
    if events is not None:
        require_columns(events, ("time", "source"), "events")
        sev = events.get("severity")
        parts.append((events["time"], events["source"], sev))
    frames = []
    for time, source, sev in parts:
        severity = (
            sev.astype("string").str.lower().fillna("unknown")
            if sev is not None
            else pd.Series("unknown", index=time.index, dtype="string")
        )
        severity = severity.where(severity.isin(SEVERITIES), "unknown")
        frames.append(
            pd.DataFrame(
                {
                    "time": to_utc(time).reset_index(drop=True),
                    "source": source.astype("string").fillna("(no source)").reset_index(drop=True),
                    "severity": severity.reset_index(drop=True),
                }
            )
        )
    if not frames:
        return pd.DataFrame(
            {
                "time": pd.Series([], dtype="datetime64[us, UTC]"),
                "source": pd.Series([], dtype="string"),
                "severity": pd.Series([], dtype="string"),
            }
        )
    return pd.concat(frames, ignore_index=True)


def bucket_counts(
    frame: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp, step: pd.Timedelta
) -> pd.DataFrame:
    """Count rows of ``frame`` (``time``, ``source``, ``severity``) per bucket in [start, end].

    Returns a frame of ``bucket`` (UTC bucket start), ``source``, ``severity``, ``count``
    with only non-empty buckets, sorted by source, severity and bucket.
    """
    times = frame["time"]
    inside = ((times >= start) & (times <= end)).to_numpy()
    frame = frame[inside]
    if frame.empty:
        return pd.DataFrame(columns=["bucket", "source", "severity", "count"])
    buckets = bucket_starts(frame["time"], step)
    src_codes, src_names = pd.factorize(frame["source"], sort=True)
    sev_codes = pd.Categorical(frame["severity"], categories=list(SEVERITIES)).codes
    first = buckets.min()
    idx = (buckets - first) // step.value
    n_b, n_sev = int(idx.max()) + 1, len(SEVERITIES)
    key = (src_codes.astype("int64") * n_sev + sev_codes) * n_b + idx
    counts = np.bincount(key, minlength=len(src_names) * n_sev * n_b)
    nz = np.flatnonzero(counts)
    src, rest = np.divmod(nz, n_sev * n_b)
    sev, b = np.divmod(rest, n_b)
    return pd.DataFrame(
        {
            "bucket": pd.to_datetime(first + b * step.value, unit="ns", utc=True),
            "source": np.asarray(src_names)[src],
            "severity": np.asarray(SEVERITIES)[sev],
            "count": counts[nz],
        }
    )


def _default_window(window, report, logs, evidence, markers):
    """``window`` if given; else the logs' time range joined with the incident window padded
    by its own length (at least 30 min) on each side; without key times, all the evidence.

    Events far from the incident (an alert that fired days before) do not stretch the axis.
    """
    if window is not None:
        return to_utc(window[0]), to_utc(window[1])
    times = key_times(report)
    if times:
        first, last = min(times.values()), max(times.values())
        pad = max(last - first, pd.Timedelta(minutes=30))
        log_times = to_utc(logs["timestamp"]) if logs is not None and len(logs) else None
        span = data_range(log_times, [first - pad, last + pad])
    else:
        span = data_range(evidence["time"], [m[2] for m in markers])
    if span is None:
        raise ValueError("nothing to draw: no logs, events, markers or key times")
    return span


def _markers(report: Report | None, events: pd.DataFrame | None, opts: OverviewOptions) -> list:
    """Marker rows: (lane, kind, time, hover text)."""
    rows = []
    if opts.pinned and report is not None:
        for e in report.sorted_timeline():
            if e.pinned:
                hover = (
                    f"<b>pinned</b> {to_utc(e.time):%Y-%m-%d %H:%M:%S} UTC<br>"
                    f"{escape(e.description[:200])}<br>{escape(e.source)} · {e.kind}"
                    f"<br><i>{escape(e.provenance)}</i>"
                )
                rows.append(("timeline", "pinned", to_utc(e.time), hover))
    if events is not None and len(events) and "kind" in events:
        chosen = events[events["kind"].astype("string").isin(list(opts.marker_kinds)).fillna(False)]
        for row in chosen.itertuples(index=False):
            kind = str(row.kind)
            time = to_utc(row.time)
            text = [f"<b>{escape(kind)}</b> {time:%Y-%m-%d %H:%M:%S} UTC"]
            text.append(escape(str(getattr(row, "description", ""))[:200]))
            who = [str(getattr(row, f, "") or "") for f in ("source", "actor")]
            text.append(escape(" · ".join(w for w in who if w and w != "<NA>")))
            text.append(f"<i>{escape(str(getattr(row, 'provenance', '')))}</i>")
            lane = MARKER_STYLE.get(kind, ("changes", "", ""))[0]
            rows.append((lane, kind, time, "<br>".join(text)))
    return rows


def incident_overview(
    report: Report | None,
    logs: pd.DataFrame | None = None,
    events: pd.DataFrame | None = None,
    *,
    show: bool = True,
    **options,
) -> go.Figure:
    """One figure of the whole incident on a shared UTC time axis.

    Parameters
    ----------
    report
        The postmortem; its key times become labelled lines, the phases between them are
        shaded, and its pinned timeline events become markers.
    logs, events
        Frames from ``load_logs`` and ``load_events``; every row counts in its source's bars.
    show
        Display the figure in the notebook; it is returned either way.
    **options
        See :class:`OverviewOptions`; unknown names raise ``OptionsError``.

    Returns
    -------
    plotly.graph_objects.Figure or plotly.graph_objects.FigureWidget
        (the widget with ``live``). A marker row (pinned timeline, changes, alerts) above
        one row per source of stacked bars: events per bucket by severity. ``layout.meta``
        holds the bucket size.
    """
    opts = OverviewOptions.from_kwargs("incident_overview", **options)
    live = resolve_live(opts.live, "incident_overview")
    evidence = _evidence(logs, events)
    markers = _markers(report, events, opts)
    start, end = _default_window(opts.window, report, logs, evidence, markers)
    outside = int(((evidence["time"] < start) | (evidence["time"] > end)).sum())
    if end <= start:
        end = start + pd.Timedelta(minutes=1)
    step = pd.Timedelta(opts.bucket) if opts.bucket else choose_bucket(start, end, opts.max_buckets)
    counts = bucket_counts(evidence, start, end, step)
    totals = counts.groupby("source")["count"].sum().sort_values(ascending=False, kind="stable")
    if len(totals) > opts.max_sources:
        keep = set(totals.index[: opts.max_sources - 1])
        counts = counts.assign(
            source=counts["source"].where(counts["source"].isin(keep), "other sources")
        )
        counts = counts.groupby(["bucket", "source", "severity"], as_index=False)["count"].sum()
        totals = counts.groupby("source")["count"].sum().sort_values(ascending=False)
    sources = list(totals.index)
    lanes = [lane for lane in LANES if any(m[0] == lane for m in markers)]
    has_markers = bool(lanes)
    rows = len(sources) + has_markers or 1
    heights = ([0.6] if has_markers else []) + [1.0] * len(sources)
    fig = make_subplots(
        rows=rows,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.025 if rows > 4 else 0.05,
        row_heights=heights or None,
    )
    label = describe_step(step)
    _add_bars(fig, counts, sources, step, label, first_row=1 + has_markers)
    if has_markers:
        _add_marker_traces(fig, markers, lanes, opts.max_markers)
    add_phases(fig, report)
    add_key_time_lines(fig, report)
    title = overview_title(report, opts.title, label)
    subtitle = (
        f"{start:%Y-%m-%d %H:%M}–{end:%H:%M} UTC shown; {outside:,} events outside it are "
        "not counted (window=(start, end) to widen)"
        if outside
        else ""
    )
    fig.update_layout(
        title={"text": title, "subtitle": {"text": subtitle}, "y": 0.99, "yanchor": "top"},
        barmode="stack",
        bargap=0,
        height=opts.height or 150 + 90 * has_markers + 120 * max(len(sources), 1),
        margin={"t": 110 if subtitle else 90, "l": 70, "r": 20, "b": 40},
        legend={"orientation": "v"},
        meta={
            "bucket": label,
            "bucket_seconds": step.total_seconds(),
            "sources": sources,
            "window": [start.isoformat(), end.isoformat()],
            "outside": outside,
        },
        hovermode="closest",
        template="plotly_white",
    )
    fig.update_xaxes(range=[plot_time(start), plot_time(end)], type="date")
    fig.update_xaxes(title_text="time (UTC)", row=rows, col=1)
    if live:
        from postmortem_kit.explore.zoom_views import OverviewZoom

        zoom = OverviewZoom(fig, evidence, report, opts, first_row=1 + has_markers)
        return live_figure(fig, zoom, (start, end), show=show)
    return show_figure(fig, show)


def overview_title(report: Report | None, title: str | None, label: str) -> str:
    """The figure title: ``title`` if given, else the report id and the bucket size."""
    return title or (
        f"{report.id + ': ' if report else ''}evidence over time — "
        f"bars count events per {label} bucket"
    )


def bar_hover(source: str, severity: str, label: str) -> str:
    """Hover text of one source's bars of one severity."""
    return (
        f"{escape(source)} · {severity}<br>%{{y}} events in "
        f"%{{x|%H:%M:%S}} + {label}<extra></extra>"
    )


def axis_title(source: str, label: str) -> str:
    """The y-axis title of a source's row: its (shortened) name and the bucket size."""
    short = source if len(source) <= 22 else source[:21] + "…"
    return f"{short}<br>per {label}"


def _add_bars(fig, counts, sources, step, label, first_row) -> None:
    seen: set[str] = set()
    width = step.total_seconds() * 1000
    for r, source in enumerate(sources, start=first_row):
        mine = counts[counts["source"] == source]
        for severity in SEVERITIES:
            part = mine[mine["severity"] == severity].sort_values("bucket")
            if part.empty:
                continue
            fig.add_trace(
                go.Bar(
                    x=plot_time(part["bucket"]),
                    y=part["count"].to_numpy(),
                    offset=0,
                    width=width,
                    name=severity,
                    legendgroup=f"severity {severity}",
                    showlegend=severity not in seen,
                    legendrank=100 + SEVERITIES.index(severity),
                    marker={"color": SEVERITY_COLORS[severity], "line": {"width": 0}},
                    hovertemplate=bar_hover(source, severity, label),
                ),
                row=r,
                col=1,
            )
            seen.add(severity)
        fig.update_yaxes(title_text=axis_title(source, label), title_font_size=10, row=r, col=1)


def _add_marker_traces(fig, markers, lanes, max_markers) -> None:
    kinds = list(dict.fromkeys(m[1] for m in markers))
    for kind in kinds:
        mine = [m for m in markers if m[1] == kind]
        shown = mine[:max_markers]
        lane, symbol, colour = (
            PINNED_STYLE
            if kind == "pinned"
            else MARKER_STYLE.get(kind, ("changes", "circle", "#555555"))
        )
        name = kind if len(shown) == len(mine) else f"{kind} (first {len(shown)} of {len(mine)})"
        fig.add_trace(
            go.Scatter(
                x=[plot_time(m[2]) for m in shown],
                y=[m[0] for m in shown],
                mode="markers",
                name=name,
                legendgroup=f"marker {kind}",
                legendrank=500 + kinds.index(kind),
                marker={"symbol": symbol, "size": 11, "color": colour, "line": {"width": 1}},
                hovertext=[m[3] for m in shown],
                hoverinfo="text",
            ),
            row=1,
            col=1,
        )
    fig.update_yaxes(
        type="category", categoryorder="array", categoryarray=list(reversed(lanes)), row=1, col=1
    )

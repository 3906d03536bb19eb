"""The HTTP view of access logs: traffic by status class, error ratio, latency, top offenders."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from postmortem_kit.explore._common import (
    add_key_time_lines,
    add_phases,
    bucket_starts,
    choose_bucket,
    describe_step,
    escape,
    incident_window,
    plot_time,
    require_columns,
    show_figure,
    to_utc,
)
from postmortem_kit.explore.zoom import live_figure, resolve_live
from postmortem_kit.options import Options
from postmortem_kit.report import Report

STATUS_CLASSES: dict[str, str] = {
    "1xx": "#9e9e9e",
    "2xx": "#2ca02c",
    "3xx": "#17becf",
    "4xx": "#f0a202",
    "5xx": "#d62728",
    "no status": "#c7c7c7",
}
PERCENTILES = (("p50", 0.50, "#1f77b4"), ("p95", 0.95, "#ff7f0e"), ("p99", 0.99, "#d62728"))


@dataclasses.dataclass(frozen=True)
class HttpViewOptions(Options):
    """Options of :func:`http_view`.

    Attributes
    ----------
    window
        ``(start, end)`` of the time axis; default: the logs' time range.
    top_window
        ``(start, end)`` in which top paths and clients are counted; default: impact start
        to resolved (or mitigated), else the whole range.
    bucket, max_buckets
        Bucket size (e.g. ``"1min"``), or chosen for at most ``max_buckets`` buckets.
    errors
        Statuses that count as errors: ``"5xx"`` (server errors) or ``"4xx+5xx"``.
    top
        How many paths and clients to list.
    client_column
        Column naming the client (``client`` by default; ``user`` for authenticated users).
    group_paths
        Count top paths with the query string dropped and id-like segments (numbers, hex,
        UUIDs) replaced by ``{id}``, so ``/api/cart/items/1449`` counts as
        ``/api/cart/items/{id}``.
    title, height
        Figure title and height.
    live
        ``True``: return a ``FigureWidget`` that re-aggregates the visible range at a finer
        bucket when the user zooms (see :mod:`postmortem_kit.explore.zoom`); ``"auto"``:
        live only in a notebook frontend, static under papermill; ``False``: a static figure.
    min_bucket
        The finest bucket a live zoom uses.
    """

    window: tuple | None = None
    top_window: tuple | None = None
    bucket: str | None = None
    max_buckets: int = 300
    errors: str = "5xx"
    top: int = 10
    client_column: str = "client"
    group_paths: bool = True
    title: str | None = None
    height: int | None = None
    live: bool | str = False
    min_bucket: str = "1s"


_CLASS_LABELS = np.array(["no status", "1xx", "2xx", "3xx", "4xx", "5xx"], dtype=object)


def status_class(status: pd.Series) -> pd.Series:
    """``"2xx"`` … ``"5xx"`` from numeric statuses; ``"no status"`` where missing or odd."""
    numbers = pd.to_numeric(status, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    hundreds = np.nan_to_num(numbers // 100, nan=0).astype("int64")
    hundreds[(hundreds < 1) | (hundreds > 5)] = 0
    return pd.Series(_CLASS_LABELS[hundreds], index=status.index, dtype="string")


def path_route(paths: pd.Series) -> pd.Series:
    """Paths without query strings, id-like segments replaced by ``{id}``."""
    out = paths.astype("string").str.replace(r"\?.*$", "", regex=True)
    ident = r"(?<=/)(?:\d+|[0-9a-fA-F]{8,}|[0-9a-fA-F-]{36})(?=/|$)"
    return out.str.replace(ident, "{id}", regex=True)


def is_error(status: pd.Series, errors: str) -> pd.Series:
    """Boolean Series: the request failed under the ``errors`` definition."""
    numbers = pd.to_numeric(status, errors="coerce")
    if errors == "5xx":
        return numbers.ge(500).fillna(False).astype(bool)
    if errors == "4xx+5xx":
        return numbers.ge(400).fillna(False).astype(bool)
    raise ValueError(f"errors={errors!r}: expected '5xx' or '4xx+5xx'")


def http_view(report: Report | None, logs: pd.DataFrame, *, show: bool = True, **options):
    """Requests over time from access logs, with error ratio, latency and top offenders.

    Parameters
    ----------
    report
        The postmortem; key times and phases are drawn, and its incident window is where
        top paths and clients are counted.
    logs
        A ``load_logs`` frame; rows without a ``status`` (other sources) are ignored.
    show
        Display the figure in the notebook; it is returned either way.
    **options
        See :class:`HttpViewOptions`; unknown names raise ``OptionsError``.

    Returns
    -------
    plotly.graph_objects.Figure or plotly.graph_objects.FigureWidget
        (the widget with ``live``). Row 1: requests per bucket stacked by status class.
        Row 2: error ratio (errors ÷ requests per bucket). Row 3: latency p50/p95/p99 per
        bucket (when a ``latency`` column exists). Row 4: top paths and top clients by
        errors in the incident window.
        ``layout.meta`` holds the bucket size, the error definition and both top lists.
    """
    opts = HttpViewOptions.from_kwargs("http_view", **options)
    live = resolve_live(opts.live, "http_view")
    require_columns(logs, ("timestamp", "status"), "logs")
    access = logs[logs["status"].notna()]
    if access.empty:
        raise ValueError("http_view: no rows with an HTTP status (load an access log)")
    times = to_utc(access["timestamp"])
    if opts.window is not None:
        start, end = to_utc(opts.window[0]), to_utc(opts.window[1])
    else:
        start, end = times.min(), times.max()
    inside = ((times >= start) & (times <= end)).to_numpy()
    access, times = access[inside], times[inside]
    step = pd.Timedelta(opts.bucket) if opts.bucket else choose_bucket(start, end, opts.max_buckets)
    label = describe_step(step)
    frame = pd.DataFrame(
        {
            "bucket": bucket_starts(times, step),  # int64 ns: fast to group
            "class": status_class(access["status"]).to_numpy(),
            "error": is_error(access["status"], opts.errors).to_numpy(),
        }
    )
    has_latency = "latency" in access.columns and access["latency"].notna().any()
    if has_latency:
        frame["latency"] = pd.to_numeric(access["latency"], errors="coerce").to_numpy()
    top_start, top_end = _top_window(report, opts, start, end)
    top_rows = access[((times >= top_start) & (times < top_end)).to_numpy()]
    top_errors = top_rows[is_error(top_rows["status"], opts.errors).to_numpy()]
    if opts.group_paths and "path" in top_errors.columns:
        top_errors = top_errors.assign(path=path_route(top_errors["path"]))
    top_paths = _top(top_errors, "path", opts.top)
    top_clients = _top(top_errors, opts.client_column, opts.top)

    rows = 4 if has_latency else 3
    titles = time_titles(label, opts.errors, has_latency)
    window_text = f"{top_start:%H:%M}–{top_end:%H:%M} UTC"
    titles += [f"top paths by {opts.errors} errors, {window_text}", f"top {opts.client_column}s"]
    specs = [[{"colspan": 2}, None]] * (rows - 1) + [[{}, {}]]
    fig = make_subplots(
        rows=rows, cols=2, specs=specs, subplot_titles=titles, vertical_spacing=0.09,
        row_heights=[1.0] * (rows - 1) + [0.9], horizontal_spacing=0.22,
    )  # fmt: skip
    _traffic(fig, frame, step, label)
    _error_ratio(fig, frame, label)
    if has_latency:
        _latency(fig, frame, label)
    _top_bars(fig, top_paths, rows, 1, "path")
    _top_bars(fig, top_clients, rows, 2, opts.client_column)
    for axis in range(2, rows):  # time rows share the first x axis
        fig.update_xaxes(matches="x", row=axis, col=1)
    fig.update_xaxes(range=[plot_time(start), plot_time(end)], type="date", row=1, col=1)
    add_phases(fig, report)
    add_key_time_lines(fig, report, lift=20)
    _clip_to_time_rows(fig, rows)
    for annotation in fig.layout.annotations:
        if annotation.text in titles:
            annotation.update(font={"size": 12})
    fig.update_layout(
        title={"text": opts.title or "HTTP requests from access logs", "y": 0.995},
        barmode="stack",
        bargap=0,
        height=opts.height or 300 + 230 * rows,
        margin={"t": 120, "l": 60, "r": 20, "b": 40},
        template="plotly_white",
        meta={
            "bucket": label,
            "errors": opts.errors,
            "top_window": [top_start.isoformat(), top_end.isoformat()],
            "top_paths": top_paths.to_dict("records"),
            "top_clients": top_clients.to_dict("records"),
        },
    )
    if live:
        from postmortem_kit.explore.zoom_views import HttpZoom

        zoom = HttpZoom(fig, times, frame, opts, has_latency)
        return live_figure(fig, zoom, (start, end), show=show)
    return show_figure(fig, show)


def time_titles(label: str, errors: str, has_latency: bool) -> list[str]:
    """Titles of the time rows, each stating the bucket size."""
    titles = [
        f"requests per {label} by status class",
        f"error ratio ({errors} ÷ all requests, per {label})",
    ]
    if has_latency:
        titles.append(f"latency per {label} (seconds)")
    return titles


def traffic_hover(cls: str, label: str) -> str:
    """Hover text of the request bars of one status class."""
    return f"{cls}: %{{y}} requests in %{{x|%H:%M:%S}} + {label}<extra></extra>"


def _top_window(report, opts, start, end):
    if opts.top_window is not None:
        return to_utc(opts.top_window[0]), to_utc(opts.top_window[1])
    return incident_window(report) or (start, end + pd.Timedelta(microseconds=1))


def _top(errors: pd.DataFrame, column: str, n: int) -> pd.DataFrame:
    if column not in errors.columns:
        return pd.DataFrame({column: pd.Series([], dtype="string"), "errors": []})
    counts = errors[column].astype("string").fillna("(none)").value_counts(sort=False)
    table = counts.rename_axis(column).reset_index(name="errors")
    table = table.sort_values(["errors", column], ascending=[False, True], kind="stable")
    return table.head(n).reset_index(drop=True).astype({"errors": "int64"})


def _x(buckets) -> pd.DatetimeIndex:
    """Bucket starts (int64 ns since the epoch) as naive UTC times for plotly."""
    return pd.to_datetime(np.asarray(buckets, dtype="int64"), unit="ns")


def _traffic(fig, frame, step, label) -> None:
    counts = frame.groupby(["class", "bucket"]).size()
    width = step.total_seconds() * 1000
    for cls, colour in STATUS_CLASSES.items():
        if cls not in counts.index.get_level_values(0):
            continue
        part = counts.loc[cls]
        fig.add_trace(
            go.Bar(
                x=_x(part.index), y=part.to_numpy(), name=cls, offset=0, width=width,
                marker={"color": colour, "line": {"width": 0}}, legendgroup="status",
                legendgrouptitle={"text": "status class"},
                hovertemplate=traffic_hover(cls, label),
            ),
            row=1, col=1,
        )  # fmt: skip


def _error_ratio(fig, frame, label) -> None:
    grouped = frame.groupby("bucket")["error"].agg(["sum", "count"])
    ratio = grouped["sum"] / grouped["count"]
    fig.add_trace(
        go.Scatter(
            x=_x(ratio.index), y=ratio.to_numpy(), mode="lines", name="error ratio",
            line={"color": "#d62728", "width": 1.6}, customdata=grouped.to_numpy(),
            hovertemplate="%{y:.1%} (%{customdata[0]} of %{customdata[1]})<extra></extra>",
        ),
        row=2, col=1,
    )  # fmt: skip
    fig.update_yaxes(tickformat=".0%", rangemode="tozero", row=2, col=1)


def _latency(fig, frame, label) -> None:
    grouped = frame.dropna(subset=["latency"]).groupby("bucket")["latency"]
    for name, q, colour in PERCENTILES:
        values = grouped.quantile(q)
        fig.add_trace(
            go.Scatter(
                x=_x(values.index), y=values.to_numpy(), mode="lines", name=name,
                line={"color": colour, "width": 1.4}, legendgroup="latency",
                legendgrouptitle={"text": "latency"},
                hovertemplate=f"{name}: %{{y:.3f}} s<extra></extra>",
            ),
            row=3, col=1,
        )  # fmt: skip
    fig.update_yaxes(rangemode="tozero", row=3, col=1)


def _top_bars(fig, table: pd.DataFrame, row: int, col: int, column: str) -> None:
    labels = [escape(str(v)[:40]) for v in table[column]][::-1]
    fig.add_trace(
        go.Bar(
            x=table["errors"].to_numpy()[::-1], y=labels, orientation="h", showlegend=False,
            marker={"color": "#d62728"}, name=f"errors by {column}",
            hovertemplate="%{y}: %{x} errors<extra></extra>",
        ),
        row=row, col=col,
    )  # fmt: skip
    fig.update_yaxes(type="category", row=row, col=col, automargin=True)


def _clip_to_time_rows(fig: go.Figure, rows: int) -> None:
    """Key-time lines and phases span the time rows only, not the top-offender bars."""
    axes = ["yaxis" if r == 1 else f"yaxis{r}" for r in range(1, rows)]
    bottom = min(fig.layout[name].domain[0] for name in axes)
    for shape in fig.layout.shapes:
        if shape.yref == "paper":
            shape.update(y0=bottom)

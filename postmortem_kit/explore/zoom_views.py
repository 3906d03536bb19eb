"""Renderers that rebuild each view's time traces for a zoomed window (see :mod:`.zoom`).

Each renderer is built once from the static figure and the rows the view counted, kept as
numpy arrays sorted by time. A zoom then slices those arrays with ``searchsorted`` (views,
no copy), buckets only the visible rows and writes ``x``/``y`` and the bucket-size labels of
the existing traces; the set of traces, their colours and legend never change.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from postmortem_kit.explore._common import (
    SEVERITIES,
    choose_bucket,
    describe_step,
    epoch_ns,
    to_utc,
)
from postmortem_kit.explore.http_view import (
    PERCENTILES,
    STATUS_CLASSES,
    time_titles,
    traffic_hover,
)
from postmortem_kit.explore.metrics_panel import row_title
from postmortem_kit.explore.overview import axis_title, bar_hover, overview_title
from postmortem_kit.explore.zoom import live_bucket, sort_by_time, window_slice


def _x(ns: np.ndarray) -> pd.DatetimeIndex:
    """Epoch nanoseconds as naive UTC times for plotly."""
    return pd.to_datetime(np.asarray(ns, dtype="int64"), unit="ns")


def _row_of(trace) -> int:
    """Subplot row of a trace in a one-column grid, from its y axis (``y`` is row 1)."""
    return int(trace.yaxis[1:] or 1)


def _bucketed(ns: np.ndarray, step: pd.Timedelta) -> tuple[np.ndarray, int, int]:
    """Bucket index from the first bucket of sorted ``ns``, the first bucket start and the
    number of buckets."""
    if len(ns) == 0:
        return np.zeros(0, dtype="int64"), 0, 0
    starts = (ns // step.value) * step.value
    first = int(starts[0])
    index = (starts - first) // step.value
    return index, first, int(index[-1]) + 1


def _meta(widget: go.FigureWidget, start, end, **values) -> None:
    meta = dict(widget.layout.meta or {})
    meta.update(values, visible=[to_utc(start).isoformat(), to_utc(end).isoformat()])
    widget.layout.meta = meta


class OverviewZoom:
    """Re-counts the overview's bars (events per source and severity) for a window."""

    def __init__(self, fig: go.Figure, evidence: pd.DataFrame, report, opts, first_row: int):
        self.report, self.opts, self.first_row = report, opts, first_row
        self.min_bucket = pd.Timedelta(opts.min_bucket)
        self.sources: list[str] = list(fig.layout.meta["sources"])
        codes = pd.Categorical(evidence["source"], categories=self.sources).codes.astype("int64")
        if "other sources" in self.sources:  # sources merged by max_sources
            codes[codes < 0] = self.sources.index("other sources")
        severity = pd.Categorical(evidence["severity"], categories=list(SEVERITIES)).codes
        keys = codes * len(SEVERITIES) + severity.astype("int64")
        keep = codes >= 0
        self.ns, self.keys = sort_by_time(epoch_ns(evidence["time"])[keep], keys[keep])
        self.n_keys = len(self.sources) * len(SEVERITIES)
        self.bars = []  # (trace index, source, severity, key)
        for i, trace in enumerate(fig.data):
            if trace.type == "bar" and (trace.legendgroup or "").startswith("severity "):
                source = self.sources[_row_of(trace) - first_row]
                severity = trace.legendgroup.removeprefix("severity ")
                key = self.sources.index(source) * len(SEVERITIES) + SEVERITIES.index(severity)
                self.bars.append((i, source, severity, key))

    def render(self, widget: go.FigureWidget, start: pd.Timestamp, end: pd.Timestamp) -> str:
        step = live_bucket(start, end, self.opts.max_buckets, self.min_bucket)
        label = describe_step(step)
        rows = window_slice(self.ns, start, end)
        index, first, n = _bucketed(self.ns[rows], step)
        counts = np.bincount(self.keys[rows] * n + index, minlength=self.n_keys * n)
        counts = counts.reshape(self.n_keys, n)
        width = step.total_seconds() * 1000
        for i, source, severity, key in self.bars:
            nz = np.flatnonzero(counts[key])
            widget.data[i].update(
                x=_x(first + nz * step.value), y=counts[key][nz], width=width,
                hovertemplate=bar_hover(source, severity, label),
            )  # fmt: skip
        for r, source in enumerate(self.sources, start=self.first_row):
            widget.update_yaxes(title_text=axis_title(source, label), row=r, col=1)
        widget.layout.title.text = overview_title(self.report, self.opts.title, label)
        _meta(widget, start, end, bucket=label, bucket_seconds=step.total_seconds())
        return label


class HttpZoom:
    """Re-aggregates the HTTP view's time rows: requests by status class, error ratio and
    latency percentiles. The top paths and clients (counted in the incident window) stay."""

    def __init__(self, fig: go.Figure, times: pd.Series, frame: pd.DataFrame, opts, latency):
        self.opts, self.has_latency = opts, latency
        self.min_bucket = pd.Timedelta(opts.min_bucket)
        self.classes = list(STATUS_CLASSES)
        codes = pd.Categorical(frame["class"], categories=self.classes).codes.astype("int64")
        columns = [codes, frame["error"].to_numpy(dtype=bool)]
        if latency:
            columns.append(frame["latency"].to_numpy(dtype="float64"))
        self.ns, *columns = sort_by_time(epoch_ns(times), *columns)
        self.codes, self.error = columns[0], columns[1]
        self.latency = columns[2] if latency else None
        self.bars, self.ratio, self.lines = [], None, []
        for i, trace in enumerate(fig.data):
            if trace.type == "bar" and trace.legendgroup == "status":
                self.bars.append((i, trace.name, self.classes.index(trace.name)))
            elif trace.name == "error ratio":
                self.ratio = i
            elif trace.legendgroup == "latency":
                q = dict((name, q) for name, q, _ in PERCENTILES)[trace.name]
                self.lines.append((i, q))
        label = fig.layout.meta["bucket"]
        wanted = time_titles(label, opts.errors, latency)
        texts = [a.text for a in fig.layout.annotations]
        self.title_at = [texts.index(t) for t in wanted]

    def render(self, widget: go.FigureWidget, start: pd.Timestamp, end: pd.Timestamp) -> str:
        step = live_bucket(start, end, self.opts.max_buckets, self.min_bucket)
        label = describe_step(step)
        rows = window_slice(self.ns, start, end)
        index, first, n = _bucketed(self.ns[rows], step)
        by_class = np.bincount(self.codes[rows] * n + index, minlength=len(self.classes) * n)
        by_class = by_class.reshape(len(self.classes), n)
        width = step.total_seconds() * 1000
        for i, name, code in self.bars:
            nz = np.flatnonzero(by_class[code])
            widget.data[i].update(
                x=_x(first + nz * step.value), y=by_class[code][nz], width=width,
                hovertemplate=traffic_hover(name, label),
            )  # fmt: skip
        total = by_class.sum(axis=0)
        errors = np.bincount(index, weights=self.error[rows], minlength=n).astype("int64")
        nz = np.flatnonzero(total)
        widget.data[self.ratio].update(
            x=_x(first + nz * step.value), y=errors[nz] / total[nz],
            customdata=np.column_stack([errors[nz], total[nz]]),
        )  # fmt: skip
        if self.latency is not None:
            latency = self.latency[rows]
            valid = ~np.isnan(latency)
            grouped = pd.Series(latency[valid], copy=False).groupby(index[valid])
            for i, q in self.lines:
                values = grouped.quantile(q)
                x = first + values.index.to_numpy(dtype="int64") * step.value
                widget.data[i].update(x=_x(x), y=values.to_numpy())
        for at, text in zip(
            self.title_at, time_titles(label, self.opts.errors, self.has_latency), strict=True
        ):
            widget.layout.annotations[at].text = text
        _meta(widget, start, end, bucket=label)
        return label


class MetricsZoom:
    """Re-reduces each metric series to the visible window: raw samples when at most
    ``max_points`` are visible, else ``agg`` per bucket, as the static panel does."""

    def __init__(self, fig: go.Figure, feeds: list, names: list[str], titles: list[str], opts):
        self.opts, self.names = opts, names
        texts = [a.text for a in fig.layout.annotations]
        self.title_at = [texts.index(t) for t in titles]
        self.series = []  # (trace index, row, sorted ns, values)
        for i, feed in enumerate(feeds):
            if feed is None:
                continue
            row, rows, shift = feed
            values = rows.groupby("timestamp", sort=True)["value"].mean()
            ns = epoch_ns(values.index.to_series())
            if shift is not None:
                ns = ns + shift.value
            self.series.append((i, row, ns, values.to_numpy(dtype="float64")))

    def render(self, widget: go.FigureWidget, start: pd.Timestamp, end: pd.Timestamp) -> str:
        steps: list[set[str]] = [set() for _ in self.names]
        for i, row, ns, values in self.series:
            rows = window_slice(ns, start, end)
            x, y = ns[rows], values[rows]
            if len(x) > self.opts.max_points:
                step = choose_bucket(start, end, self.opts.max_points)
                starts = (x // step.value) * step.value
                reduced = pd.Series(y, copy=False).groupby(starts, sort=True).agg(self.opts.agg)
                x, y = reduced.index.to_numpy(dtype="int64"), reduced.to_numpy()
                steps[row].add(describe_step(step))
            widget.data[i].update(x=_x(x), y=y)
        for at, name, used in zip(self.title_at, self.names, steps, strict=True):
            widget.layout.annotations[at].text = row_title(name, self.opts.agg, used)
        labels = sorted(set().union(*steps))
        _meta(widget, start, end, buckets=labels)
        return ", ".join(labels) or "raw"

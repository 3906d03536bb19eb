"""Live zoom: a FigureWidget that re-aggregates the visible time range at a finer bucket.

The views build a static ``go.Figure`` from coarse time buckets (that is what the published
report ships). With ``live=True`` they return a :class:`plotly.graph_objects.FigureWidget`
instead, built from that same figure, plus a :class:`ZoomController` that watches the time
axes' ``range``: when the user zooms or pans in JupyterLab, the traces are rebuilt for the
visible window with a bucket chosen for that window (and the bucket size on the titles
follows); zooming back out to the whole window restores the coarse figure as built.

Each view supplies a *renderer* holding its evidence sorted by time, so a zoom slices the
rows with ``numpy.searchsorted`` (no copy of the frame) and only aggregates what is visible.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Callable
from typing import Protocol

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from postmortem_kit.explore._common import choose_bucket, plot_time, show_figure, to_utc

#: Values the ``live`` option accepts.
LIVE_MODES = (False, True, "auto")

#: Trace properties a renderer may change; zooming out restores them from the static figure.
TRACE_PROPS = ("x", "y", "width", "hovertemplate", "customdata")


class Renderer(Protocol):
    """What a view provides to make its figure live."""

    def render(self, widget: go.FigureWidget, start: pd.Timestamp, end: pd.Timestamp) -> str:
        """Rebuild the traces and labels of ``widget`` for ``[start, end]``; return the
        bucket size as stated on the chart (e.g. ``"1 s"``, or ``"raw"``).

        Called inside ``widget.batch_update()``, so all changes reach the browser at once.
        """


def frontend_present() -> bool:
    """Whether figures are being shown to a person in a Jupyter frontend.

    True when the code runs in an IPython kernel that a Jupyter server started for a
    notebook session (JupyterLab, Notebook 7: the server sets ``JPY_SESSION_NAME`` in the
    kernel's environment) and ``anywidget`` (needed by plotly's ``FigureWidget``) is
    installed. A kernel run by papermill or nbclient, or a plain Python process, gets
    ``False`` and so a static figure.
    """
    if not os.environ.get("JPY_SESSION_NAME"):
        return False
    if importlib.util.find_spec("anywidget") is None:
        return False
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def resolve_live(live, caller: str) -> bool:
    """The ``live`` option as a bool: ``"auto"`` means :func:`frontend_present`.

    Raises
    ------
    ValueError
        For a value other than ``True``, ``False`` or ``"auto"``.
    ImportError
        For ``live=True`` without ``anywidget`` installed.
    """
    if live == "auto" and not isinstance(live, bool):
        return frontend_present()
    if live is True:
        if importlib.util.find_spec("anywidget") is None:
            raise ImportError(
                f"{caller}(live=True) needs the 'anywidget' package (plotly's FigureWidget "
                "is built on it): pip install anywidget"
            )
        return True
    if live is False:
        return False
    raise ValueError(f"{caller}(live={live!r}): expected True, False or 'auto'")


def live_bucket(
    start: pd.Timestamp, end: pd.Timestamp, max_buckets: int, min_bucket: pd.Timedelta
) -> pd.Timedelta:
    """The bucket for a visible window: :func:`choose_bucket`, but never below ``min_bucket``."""
    return max(choose_bucket(start, end, max_buckets), min_bucket)


def sort_by_time(ns: np.ndarray, *columns: np.ndarray) -> tuple[np.ndarray, ...]:
    """``ns`` (int64 epoch nanoseconds) and ``columns`` reordered by time (stable).

    Frames from ``load_evidence`` are already sorted; then no permutation is applied.
    """
    ns = np.asarray(ns, dtype="int64")
    if len(ns) < 2 or bool(np.all(ns[1:] >= ns[:-1])):
        return (ns, *(np.asarray(c) for c in columns))
    order = np.argsort(ns, kind="stable")
    return (ns[order], *(np.asarray(c)[order] for c in columns))


def window_slice(ns: np.ndarray, start: pd.Timestamp, end: pd.Timestamp) -> slice:
    """The rows of sorted ``ns`` with ``start <= t <= end``, as a slice (a view, no copy)."""
    lo = np.searchsorted(ns, to_utc(start).value, side="left")
    hi = np.searchsorted(ns, to_utc(end).value, side="right")
    return slice(int(lo), int(max(hi, lo)))


def range_time(value) -> pd.Timestamp:
    """One end of an axis range as sent by plotly.js (``"2026-10-14 14:07:12.5"``, a
    datetime, or epoch milliseconds) as a UTC timestamp; naive values are UTC."""
    if isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool):
        return pd.Timestamp(float(value), unit="ms", tz="UTC")
    return to_utc(pd.Timestamp(value))


def stated_bucket(fig: go.Figure) -> str:
    """The bucket size a figure states in ``layout.meta`` (``"raw"`` for unbucketed series)."""
    meta = fig.layout.meta or {}
    if "bucket" in meta:
        return meta["bucket"]
    return ", ".join(meta.get("buckets") or []) or "raw"


def time_axes(fig: go.Figure) -> list[str]:
    """Layout names of the x axes that show time: ``type='date'`` or matched to such an axis."""
    axes = {a.plotly_name: a for a in fig.select_xaxes()}
    dated = {name for name, a in axes.items() if a.type == "date"}
    for name, a in axes.items():
        if a.matches and ("xaxis" + a.matches[1:]) in dated:
            dated.add(name)
    return sorted(dated, key=lambda n: int(n[5:] or 1))


class ZoomController:
    """Keeps a FigureWidget's traces aggregated for its visible time range.

    Parameters
    ----------
    widget
        The live figure, built from ``original``.
    original
        The static figure: the coarse view that zooming out restores.
    renderer
        Rebuilds traces for a window (see :class:`Renderer`).
    window
        ``(start, end)`` of the static figure; zooms are clipped to it.
    """

    def __init__(
        self,
        widget: go.FigureWidget,
        original: go.Figure,
        renderer: Renderer,
        window: tuple[pd.Timestamp, pd.Timestamp],
    ):
        self.widget = widget
        self.original = original
        self.renderer = renderer
        self.full = (to_utc(window[0]), to_utc(window[1]))
        self.visible = self.full
        self.bucket = stated_bucket(original)
        self.renders = 0
        self._busy = False
        self.axes = time_axes(widget)
        for name in self.axes:
            widget.layout.on_change(self._on_range(name), (name, "range"))
            widget.layout.on_change(self._on_autorange(name), (name, "autorange"))

    def _on_range(self, name: str) -> Callable:
        def callback(layout, value):
            if self._busy or value is None or len(value) != 2 or None in value:
                return
            self.zoom(range_time(value[0]), range_time(value[1]))

        return callback

    def _on_autorange(self, name: str) -> Callable:
        def callback(layout, value):
            if self._busy or value is not True:
                return
            self.reset(set_range=True)

        return callback

    def zoom(self, start: pd.Timestamp, end: pd.Timestamp) -> str:
        """Show ``[start, end]``: re-aggregate it, or restore the coarse view when it covers
        the whole window. Returns the bucket size now stated on the chart."""
        start, end = to_utc(start), to_utc(end)
        if end < start:
            start, end = end, start
        if start <= self.full[0] and end >= self.full[1]:
            return self.reset()
        if (start, end) == self.visible:
            return self.bucket
        self._busy = True
        try:
            with self.widget.batch_update():
                self.bucket = self.renderer.render(self.widget, start, end)
        finally:
            self._busy = False
        self.visible = (start, end)
        self.renders += 1
        return self.bucket

    def reset(self, *, set_range: bool = False) -> str:
        """Restore the coarse figure as built (and, with ``set_range``, its x range)."""
        self._busy = True
        try:
            with self.widget.batch_update():
                self._restore()
                if set_range:
                    span = [plot_time(self.full[0]), plot_time(self.full[1])]
                    for name in self.axes:
                        self.widget.layout[name].update(range=span, autorange=False)
        finally:
            self._busy = False
        self.visible = self.full
        self.bucket = stated_bucket(self.original)
        return self.bucket

    def _restore(self) -> None:
        widget, original = self.widget, self.original
        for live, static in zip(widget.data, original.data, strict=True):
            values = {p: static[p] for p in TRACE_PROPS if p in static and static[p] is not None}
            live.update(values)
        widget.layout.title.text = original.layout.title.text
        for live, static in zip(
            widget.layout.annotations, original.layout.annotations, strict=True
        ):
            live.text = static.text
        for axis in original.select_yaxes():
            widget.layout[axis.plotly_name].title.text = axis.title.text
        widget.layout.meta = original.layout.meta


def live_figure(
    fig: go.Figure,
    renderer: Renderer,
    window: tuple[pd.Timestamp, pd.Timestamp],
    *,
    show: bool,
) -> go.FigureWidget:
    """A FigureWidget of ``fig`` that re-aggregates on zoom; displayed when ``show``.

    The y axes of the widget are fixed (a zoom box selects time only), so each y axis
    autoranges to the re-aggregated values. The controller is kept on the widget as
    ``widget._zoom`` (to zoom programmatically, use its :meth:`ZoomController.zoom`).
    """
    widget = go.FigureWidget(fig)
    # zoom on time only: y keeps autoranging to the re-aggregated (finer, smaller) counts
    widget.update_yaxes(fixedrange=True)
    widget._zoom = ZoomController(widget, fig, renderer, window)
    return show_figure(widget, show)

"""Metrics from a live Prometheus server (``/api/v1/query_range``), and report metric sources.

Standard library HTTP only (``urllib``): bearer token or basic auth, the step chosen from the
window. The frame is the same as :func:`load_metrics` gives for a saved response.
"""

from __future__ import annotations

import base64
import json
import math
import os
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pandas as pd

from postmortem_kit.errors import IngestError
from postmortem_kit.explore._common import NICE_STEPS, to_utc
from postmortem_kit.explore.metric_formats import load_metrics, prometheus_frame
from postmortem_kit.report import Source

#: Prometheus refuses more than 11,000 points per series; stay well below.
MAX_POINTS = 11_000
TOKEN_ENV, USER_ENV, PASSWORD_ENV = "PROMETHEUS_TOKEN", "PROMETHEUS_USERNAME", "PROMETHEUS_PASSWORD"


def choose_step(start: pd.Timestamp, end: pd.Timestamp, points: int = 1000) -> pd.Timedelta:
    """The smallest nice step of at least 1 s giving at most ``points`` samples per series."""
    span = end - start
    for step in NICE_STEPS:
        if step >= pd.Timedelta(seconds=1) and span / step <= points:
            return step
    return pd.Timedelta(seconds=math.ceil(span.total_seconds() / points))


def query_prometheus(
    url: str,
    query: str,
    *,
    start,
    end,
    step: str | pd.Timedelta | None = None,
    points: int = 1000,
    token: str | None = None,
    username: str | None = None,
    password: str | None = None,
    timeout: float = 30.0,
    source: str | None = None,
    metric: str | None = None,
) -> pd.DataFrame:
    """Run a range query against a Prometheus server.

    Parameters
    ----------
    url
        Base URL of the server, e.g. ``http://127.0.0.1:9090`` (a path prefix is kept).
    query
        PromQL expression.
    start, end
        The window (tz-aware, or naive UTC, or ISO strings).
    step
        Resolution, e.g. ``"15s"``; default: chosen for about ``points`` samples.
    token
        Bearer token (``Authorization: Bearer ...``).
    username, password
        HTTP basic auth (ignored when ``token`` is given).
    timeout
        Seconds to wait for the server.
    source
        Value of the ``source`` column (default: ``prometheus``).
    metric
        Name for series without ``__name__`` (expressions); default: the query text.

    Returns
    -------
    pandas.DataFrame
        ``timestamp`` (UTC), ``metric``, ``value``, label columns, ``source``,
        ``provenance`` (``prometheus <url> <query>:series N``); ``attrs["query"]`` holds
        the request parameters.

    Raises
    ------
    IngestError
        When the server cannot be reached, refuses the credentials or rejects the query
        (its error message is included).
    """
    t0, t1 = to_utc(start), to_utc(end)
    if t1 <= t0:
        raise ValueError(f"end {t1} is not after start {t0}")
    step_td = pd.Timedelta(step) if step is not None else choose_step(t0, t1, points)
    if (t1 - t0) / step_td > MAX_POINTS:
        raise ValueError(f"step {step_td} gives more than {MAX_POINTS} points; use a larger one")
    params = {
        "query": query,
        "start": f"{t0.timestamp():.3f}",
        "end": f"{t1.timestamp():.3f}",
        "step": f"{step_td.total_seconds():g}s",
    }
    endpoint = url.rstrip("/") + "/api/v1/query_range"
    request = urllib.request.Request(endpoint + "?" + urllib.parse.urlencode(params))
    request.add_header("Accept", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    elif username is not None:
        pair = base64.b64encode(f"{username}:{password or ''}".encode()).decode("ascii")
        request.add_header("Authorization", f"Basic {pair}")
    where = f"prometheus {url} {query}"
    payload = _fetch(request, where, timeout)
    frame = prometheus_frame(payload, where, default_metric=metric or query)
    frame["source"] = pd.array([source or "prometheus"] * len(frame), dtype="string")
    labels = [c for c in frame.columns if c not in ("timestamp", "metric", "value", "source",
                                                     "provenance")]  # fmt: skip
    frame = frame[["timestamp", "metric", "value", *labels, "source", "provenance"]]
    frame = frame.sort_values(["timestamp", "metric"], kind="stable", ignore_index=True)
    frame.attrs["query"] = {"url": url, **params}
    return frame


def _fetch(request: urllib.request.Request, where: str, timeout: float) -> dict:
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
    except urllib.error.HTTPError as exc:
        body = exc.read()
        if exc.code in (401, 403):
            raise IngestError(f"{where}: HTTP {exc.code}: credentials refused") from None
        try:
            payload = json.loads(body)
        except ValueError:
            text = body[:200].decode("utf-8", "replace").strip()
            raise IngestError(f"{where}: HTTP {exc.code}: {text}") from None
        return payload
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise IngestError(f"{where}: cannot reach the server: {reason}") from None
    try:
        return json.loads(body)
    except ValueError:
        raise IngestError(f"{where}: the answer is not JSON: {body[:80]!r}") from None


def metrics_from_source(
    source: Source, *, folder: str | os.PathLike = ".", window=None, **query_options
) -> pd.DataFrame:
    """Load one metrics ``Source`` of ``postmortem.yaml`` (a file, or a Prometheus query).

    A Prometheus source has ``format: prometheus``, a ``url`` (the server, e.g.
    ``http://prometheus:9090``), a ``query`` (PromQL) and optionally a ``step`` (``15s``).
    Credentials never live in the YAML: they come from the environment variables
    ``PROMETHEUS_TOKEN`` or ``PROMETHEUS_USERNAME`` / ``PROMETHEUS_PASSWORD``, or from
    ``query_options``.

    Parameters
    ----------
    source
        A ``Source`` with ``kind == "metrics"``.
    folder
        The incident folder that file paths are relative to.
    window
        ``(start, end)`` for a Prometheus query (usually the incident window, padded).
    **query_options
        Passed to :func:`query_prometheus` (``token``, ``timeout``, ...).
    """
    if source.kind != "metrics":
        raise ValueError(f"source {source.name!r} is {source.kind}, not metrics")
    if source.format != "prometheus":
        fmt = "auto" if source.format in ("auto", "csv") else source.format
        return load_metrics(
            Path(folder) / source.path, format=fmt, tz=source.timezone, source=source.name
        )
    if window is None:
        raise ValueError(f"source {source.name!r} is a Prometheus query: pass window=(start, end)")
    options = {
        "token": os.environ.get(TOKEN_ENV),
        "username": os.environ.get(USER_ENV),
        "password": os.environ.get(PASSWORD_ENV),
        "step": source.step,
        **query_options,
    }
    return query_prometheus(
        source.url, source.query, start=window[0], end=window[1], source=source.name, **options
    )

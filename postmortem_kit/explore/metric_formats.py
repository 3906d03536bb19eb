"""Metric files: a registry of formats (CSV long/wide, Prometheus JSON) and ``load_metrics``.

Every reader returns the same long frame: ``timestamp`` (UTC), ``metric``, ``value`` (float),
one column per label, ``source`` and ``provenance`` (``file:line`` or ``file:series N``).
"""

from __future__ import annotations

import dataclasses
import glob
import json
import os
import re
from collections.abc import Callable
from importlib.metadata import entry_points
from pathlib import Path

import numpy as np
import pandas as pd

from postmortem_kit.errors import IngestError

BASE_COLUMNS = ("timestamp", "metric", "value")
TIME_COLUMNS = ("timestamp", "time", "ts", "datetime", "date", "@timestamp")
_OFFSET = re.compile(r"(?:Z|[+-]\d\d:?\d\d)$", re.IGNORECASE)
_EPOCH = re.compile(r"^\d{9,11}(?:\.\d+)?$")
_EPOCH_MS = re.compile(r"^\d{12,14}$")


@dataclasses.dataclass(frozen=True)
class MetricFormat:
    """One row of the metric format table.

    ``sniff(path, head)`` says whether a file looks like this format (``head`` is its first
    4 KiB as text); ``reader(path, tz)`` returns the long frame without ``source``.
    """

    name: str
    description: str
    sniff: Callable[[Path, str], bool]
    reader: Callable[[Path, str | None], pd.DataFrame]
    example: str


def _sniff_json(path: Path, head: str) -> bool:
    return head.lstrip().startswith("{") and ('"data"' in head or '"status"' in head)


def _sniff_csv(path: Path, head: str) -> bool:
    first = head.splitlines()[0] if head else ""
    return "," in first and not head.lstrip().startswith("{")


# --------------------------------------------------------------------------- timestamps


def parse_times(raw: pd.Series, tz: str | None, where: Callable[[int], str]) -> pd.Series:
    """Parse timestamp strings (ISO 8601 with or without offset, epoch s/ms) to UTC.

    ``where(i)`` names row ``i`` (``file:line``) for the error message.
    Naive times are in ``tz`` (UTC when ``None``); nonexistent or ambiguous local times
    raise rather than being guessed.
    """
    text = raw.astype("string").str.strip().fillna("")
    if len(text) and text.str.fullmatch(_EPOCH.pattern).all():
        out = pd.to_datetime(text.astype("float64"), unit="s", utc=True)
    elif len(text) and text.str.fullmatch(_EPOCH_MS.pattern).all():
        out = pd.to_datetime(text.astype("int64"), unit="ms", utc=True)
    else:
        has_offset = text.str.contains(_OFFSET.pattern, regex=True)
        if has_offset.any() and not has_offset.all():
            i = int(np.flatnonzero((has_offset != has_offset.iloc[0]).to_numpy())[0])
            raise IngestError(
                f"{where(i)}: timestamp {text.iloc[i]!r}: some timestamps have a UTC offset "
                "and some do not; give them all one"
            )
        out = pd.to_datetime(text, format="ISO8601", errors="coerce", utc=bool(has_offset.any()))
        _raise_on_nat(out, text, where)
        if not has_offset.any():
            try:
                out = out.dt.tz_localize(tz or "UTC", ambiguous="raise", nonexistent="raise")
            except Exception as exc:  # pytz/zoneinfo raise several types here
                raise IngestError(f"{where(0)}: cannot place local times in {tz}: {exc}") from None
            out = out.dt.tz_convert("UTC")
    _raise_on_nat(out, text, where)
    return out.dt.as_unit("us") if hasattr(out.dt, "as_unit") else out


def _raise_on_nat(out: pd.Series, text: pd.Series, where: Callable[[int], str]) -> None:
    bad = out.isna().to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise IngestError(
            f"{where(i)}: field timestamp: cannot read {text.iloc[i]!r} as a time "
            "(ISO 8601 such as 2026-10-14T14:07:00Z, or epoch seconds)"
        )


_SPECIAL = {"nan": np.nan, "+inf": np.inf, "inf": np.inf, "-inf": -np.inf}


def parse_values(raw: pd.Series, where: Callable[[int], str], field: str) -> pd.Series:
    """Parse numbers; ``NaN``/``+Inf``/``-Inf`` are accepted, anything else non-numeric raises."""
    text = raw.astype("string").str.strip().fillna("")
    low = text.str.lower()
    special = low.isin(list(_SPECIAL)).to_numpy()
    out = pd.to_numeric(text.mask(special, "0"), errors="coerce").astype("float64").to_numpy()
    out = out.copy()
    for key, value in _SPECIAL.items():
        out[(low == key).to_numpy()] = value
    bad = np.isnan(out) & ~special
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        shown = repr(text.iloc[i]) if text.iloc[i] else "an empty value"
        raise IngestError(f"{where(i)}: field {field}: {shown} is not a number")
    return pd.Series(out, index=raw.index, dtype="float64")


# --------------------------------------------------------------------------- CSV


def read_metrics_csv(path: Path, tz: str | None) -> pd.DataFrame:
    """CSV in long layout (``timestamp, metric, labels..., value``) or wide layout
    (a time column and one column per metric; empty cells are missing samples)."""
    try:
        raw = pd.read_csv(
            path, dtype=str, keep_default_na=False, skipinitialspace=True, skip_blank_lines=False
        )
    except pd.errors.EmptyDataError:
        raise IngestError(f"{path}: empty file, expected a CSV header line") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise IngestError(f"{path}: not a readable CSV file: {str(exc).strip()}") from None
    columns = [c.strip() for c in raw.columns]
    raw.columns = columns
    lower = {c.lower(): c for c in columns}
    time_col = next((lower[c] for c in TIME_COLUMNS if c in lower), None)
    if time_col is None:
        raise IngestError(
            f"{path}:1: no time column (expected one of {', '.join(TIME_COLUMNS)}; "
            f"header has {', '.join(columns)})"
        )
    lines = np.arange(len(raw)) + 2  # header is line 1
    blank = (raw.apply(lambda col: col.str.strip()) == "").all(axis=1).to_numpy()
    raw, lines = raw[~blank].reset_index(drop=True), lines[~blank]
    if raw.empty:
        raise IngestError(f"{path}: header only, no samples")

    def where(i: int) -> str:
        return f"{path}:{lines[i]}"

    provenance = pd.array([f"{path}:{n}" for n in lines], dtype="string")
    if "metric" in lower and "value" in lower:
        metric_col, value_col = lower["metric"], lower["value"]
        labels = [c for c in columns if c not in (time_col, metric_col, value_col)]
        empty = (raw[metric_col].str.strip() == "").to_numpy()
        if empty.any():
            raise IngestError(f"{where(int(np.flatnonzero(empty)[0]))}: field metric: empty name")
        frame = pd.DataFrame(
            {
                "timestamp": parse_times(raw[time_col], tz, where),
                "metric": raw[metric_col].str.strip().astype("string"),
                "value": parse_values(raw[value_col], where, value_col),
            }
        )
        for label in labels:
            frame[label] = raw[label].astype("string")
        frame["provenance"] = provenance
        return frame
    metrics = [c for c in columns if c != time_col]
    if not metrics:
        raise IngestError(f"{path}:1: wide layout needs at least one metric column")
    times = parse_times(raw[time_col], tz, where)
    parts = []
    for metric in metrics:
        present = (raw[metric].str.strip() != "").to_numpy()
        rows = np.flatnonzero(present)
        values = parse_values(
            raw[metric][present].reset_index(drop=True),
            lambda i, r=rows: f"{path}:{lines[r[i]]}",
            metric,
        )
        parts.append(
            pd.DataFrame(
                {
                    "timestamp": times[present].reset_index(drop=True),
                    "metric": pd.array([metric] * len(rows), dtype="string"),
                    "value": values,
                    "provenance": provenance[present],
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


# --------------------------------------------------------------------------- Prometheus JSON


def prometheus_frame(payload: dict, where: str, default_metric: str) -> pd.DataFrame:
    """The long frame of a Prometheus ``query`` / ``query_range`` API response body.

    ``where`` names the response (file or URL) in errors and provenance; series without a
    ``__name__`` label (expressions such as ``rate(...)``) are named ``default_metric``.
    """
    if isinstance(payload, dict) and payload.get("status") not in (None, "success"):
        raise IngestError(
            f"{where}: Prometheus reported {payload.get('errorType', 'an error')}: "
            f"{payload.get('error', '(no message)')}"
        )
    if not isinstance(payload, dict) or not isinstance(payload.get("data"), dict):
        raise IngestError(f"{where}: not a Prometheus API response (no 'data' object)")
    data = payload["data"]
    kind = data.get("resultType")
    result = data.get("result")
    if kind == "scalar":
        result = [{"metric": {}, "value": result}]
    elif kind not in ("matrix", "vector"):
        raise IngestError(f"{where}: field data.resultType: {kind!r} is not matrix/vector/scalar")
    parts = []
    for n, series in enumerate(result or []):
        labels = dict(series.get("metric") or {})
        samples = series.get("values") if "values" in series else [series.get("value")]
        if not isinstance(samples, list) or any(
            not isinstance(s, list | tuple) or len(s) != 2 for s in samples
        ):
            raise IngestError(
                f"{where}: field data.result[{n}].values: expected [[time, 'value'], ...]"
            )
        name = labels.pop("__name__", default_metric)
        times = pd.to_datetime([float(s[0]) for s in samples], unit="s", utc=True)
        values = parse_values(
            pd.Series([str(s[1]) for s in samples]),
            lambda i, n=n: f"{where}: data.result[{n}].values[{i}]",
            "value",
        )
        part = pd.DataFrame(
            {"timestamp": times, "metric": name, "value": values.to_numpy()}
        ).astype({"metric": "string"})
        for key, value in labels.items():
            part[key] = pd.array([value] * len(part), dtype="string")
        part["provenance"] = f"{where}:series {n}"
        parts.append(part)
    if not parts:
        return pd.DataFrame(
            {
                "timestamp": pd.Series([], dtype="datetime64[us, UTC]"),
                "metric": pd.Series([], dtype="string"),
                "value": pd.Series([], dtype="float64"),
                "provenance": pd.Series([], dtype="string"),
            }
        )
    return pd.concat(parts, ignore_index=True)


def read_prometheus_json(path: Path, tz: str | None) -> pd.DataFrame:
    """A saved ``/api/v1/query_range`` (or ``/api/v1/query``) response body."""
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise IngestError(f"{path}:{exc.lineno}: not valid JSON: {exc.msg}") from None
    except UnicodeDecodeError:
        raise IngestError(f"{path}: not UTF-8 text") from None
    return prometheus_frame(payload, str(path), default_metric=path.stem)


#: The metric format table. Add a format by adding a row (or an entry point in the group
#: ``postmortem_kit.metric_formats`` that yields a :class:`MetricFormat`).
METRIC_FORMATS: list[MetricFormat] = [
    MetricFormat(
        name="prometheus-json",
        description="saved Prometheus /api/v1/query_range (or query) JSON response",
        sniff=_sniff_json,
        reader=read_prometheus_json,
        example='{"status":"success","data":{"resultType":"matrix","result":[...]}}',
    ),
    MetricFormat(
        name="metrics-csv",
        description="CSV, long (timestamp,metric,labels...,value) or wide (timestamp,m1,m2...)",
        sniff=_sniff_csv,
        reader=read_metrics_csv,
        example="timestamp,metric,service,value\n2026-10-14T14:07:00Z,http_error_ratio,api,0.2",
    ),
]


def metric_formats() -> list[MetricFormat]:
    """The built-in format table plus entry points of ``postmortem_kit.metric_formats``."""
    formats = list(METRIC_FORMATS)
    for ep in entry_points(group="postmortem_kit.metric_formats"):
        fmt = ep.load()
        if fmt.name not in {f.name for f in formats}:
            formats.append(fmt)
    return formats


def metric_format_table() -> pd.DataFrame:
    """The format table as a frame (name, description, example) for notebooks and the CLI."""
    rows = [
        {"name": f.name, "description": f.description, "example": f.example}
        for f in metric_formats()
    ]
    return pd.DataFrame(rows)


def _expand(paths) -> list[Path]:
    items = [paths] if isinstance(paths, str | os.PathLike) else list(paths)
    out: list[Path] = []
    for item in items:
        p = Path(item)
        if p.is_dir():
            out += sorted(q for q in p.iterdir() if q.is_file() and not q.name.startswith("."))
        elif p.exists():
            out.append(p)
        elif glob.has_magic(str(item)):
            matches = sorted(Path(m) for m in glob.glob(str(item)))
            if not matches:
                raise IngestError(f"{item}: the pattern matches no file")
            out += matches
        else:
            raise IngestError(f"{item}: no such file or folder")
    if not out:
        raise IngestError(f"{paths}: no metric files found")
    return out


def _choose(path: Path, format: str, formats: list[MetricFormat]) -> MetricFormat:
    by_name = {f.name: f for f in formats}
    if format != "auto":
        if format not in by_name:
            raise IngestError(
                f"unknown metric format {format!r}; known: auto, {', '.join(by_name)}"
            )
        return by_name[format]
    with open(path, "rb") as handle:
        head = handle.read(4096).decode("utf-8", errors="replace")
    if "\x00" in head:
        raise IngestError(f"{path}: binary file, not a metric file")
    for fmt in formats:
        if fmt.sniff(path, head):
            return fmt
    raise IngestError(
        f"{path}: not a recognised metric file (formats: {', '.join(by_name)}); pass format="
    )


def load_metrics(paths, *, format: str = "auto", tz: str | None = None, source: str | None = None):
    """Load metric samples from files into one long frame.

    Parameters
    ----------
    paths
        A file, folder, glob pattern or a list of them.
    format
        ``"auto"`` (sniff each file), ``"metrics-csv"`` or ``"prometheus-json"``; see
        :func:`metric_format_table`.
    tz
        IANA zone of timestamps written without an offset (UTC when ``None``; the frame's
        ``attrs["import_notes"]`` then says UTC was assumed).
    source
        Value of the ``source`` column (default: the file name).

    Returns
    -------
    pandas.DataFrame
        ``timestamp`` (UTC), ``metric``, ``value`` (float), label columns (strings, missing
        where a series lacks the label), ``source`` and ``provenance``; sorted by time, then
        metric, stable.

    Raises
    ------
    IngestError
        Naming the file, line and field of the first bad sample.
    """
    formats = metric_formats()
    parts, notes = [], []
    for path in _expand(paths):
        fmt = _choose(path, format, formats)
        frame = fmt.reader(path, tz)
        frame["source"] = pd.array([source or path.name] * len(frame), dtype="string")
        parts.append(frame)
        notes.append(f"{path}: {fmt.name}, {len(frame)} samples")
        if fmt.name == "metrics-csv" and tz is None and _naive_times(path):
            notes.append(f"{path}: timestamps have no UTC offset; UTC ASSUMED (pass tz=)")
    frame = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    labels = [c for c in frame.columns if c not in (*BASE_COLUMNS, "source", "provenance")]
    frame = frame[[*BASE_COLUMNS, *labels, "source", "provenance"]]
    frame = frame.sort_values(["timestamp", "metric"], kind="stable", ignore_index=True)
    frame.attrs["import_notes"] = notes
    return frame


def _naive_times(path: Path) -> bool:
    with open(path, encoding="utf-8", errors="replace") as handle:
        handle.readline()
        first = handle.readline().split(",")[0].strip()
    return bool(first) and not _OFFSET.search(first) and not _EPOCH.match(first)

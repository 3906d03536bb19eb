"""``load_logs``: any number of log files in any known format → one UTC, time-sorted frame
with an import report that accounts for every line."""

from __future__ import annotations

import dataclasses
import fnmatch
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd
import polars as pl
import pyarrow as pa

from postmortem_kit.errors import IngestError
from postmortem_kit.ingest import formats as _formats  # noqa: F401  (registers the built-ins)
from postmortem_kit.ingest import window as windows
from postmortem_kit.ingest.columns import categorise, conform, empty_frame
from postmortem_kit.ingest.importreport import FileReport, ImportReport
from postmortem_kit.ingest.registry import LOG_FORMATS, LogFormat, ParseContext, sniff_format
from postmortem_kit.ingest.source import (
    expand_paths,
    provenance_names,
    read_file,
    sample_lines,
    split_lines,
)
from postmortem_kit.options import Options

#: Bytes read to sniff a plain file's format before deciding whether to seek.
_HEAD_BYTES = 256 * 1024


@dataclasses.dataclass(frozen=True)
class LoadOptions(Options):
    """Options of :func:`load_logs` (see there)."""

    format: str = "auto"
    tz: str | Mapping[str, str] | None = None
    year: int | None = None
    window: Any = None
    strict: bool = False
    source: str | None = None
    relative_to: str | os.PathLike | None = None
    mapping: Mapping[str, str] | None = None


def _check_zone(zone: str) -> str:
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise IngestError(
            f"tz={zone!r} is not an IANA time zone (e.g. 'Europe/Berlin', 'UTC')"
        ) from None
    return zone


def _zone_for(tz: str | Mapping[str, str] | None, path: Path, name: str) -> str | None:
    """The zone of one file: ``tz`` itself, or the entry of a mapping whose key is the file's
    name, path or a glob matching either."""
    if tz is None or isinstance(tz, str):
        return tz
    for key, zone in tz.items():
        if (
            key in (name, path.name, str(path))
            or fnmatch.fnmatch(name, key)
            or fnmatch.fnmatch(str(path), key)
        ):
            return zone
    return None


def _choose(fmt_name: str, lines: pl.DataFrame, name: str, report: FileReport) -> LogFormat:
    if fmt_name != "auto":
        report.why = "given (format=)"
        return LOG_FORMATS.get(fmt_name)
    fmt, score, reason, runners = sniff_format(sample_lines(lines), name)
    report.why = f"{reason}; score {score:.2f}"
    if runners:
        report.why += " (next: " + ", ".join(f"{n} {s:.2f}" for n, s in runners[:2]) + ")"
    return fmt


def _time_notes(ctx: ParseContext, report: FileReport) -> None:
    t = ctx.time
    if t["naive"]:
        if ctx.tz:
            report.timezone = f"{t['naive']:,} timestamps without an offset read in {ctx.tz}"
        else:
            report.timezone = (
                f"{t['naive']:,} timestamps without an offset: ASSUMED UTC (no tz= given)"
            )
            report.utc_assumed = True
    elif report.rows or report.outside_window:
        report.timezone = "every timestamp carries its offset (or is epoch/UTC); tz= not needed"
    if t.get("year_note"):
        report.notes.append(t["year_note"])
    if t["ambiguous"]:
        report.notes.append(
            f"{t['ambiguous']} time(s) fall in a DST repeat in {ctx.tz}: read in file order "
            "(first pass, then second after the clock goes back); flagged in time_note"
        )
    if t["nonexistent"]:
        report.notes.append(
            f"{t['nonexistent']} time(s) fall in a DST gap in {ctx.tz}: moved forward an hour; "
            "flagged in time_note"
        )


def _read_one(
    path: Path, name: str, opts: LoadOptions, window, report: FileReport
) -> pl.DataFrame | None:
    zone = _zone_for(opts.tz, path, name)
    fmt: LogFormat | None = None
    head = read_file(path, name, end=_HEAD_BYTES) if path.stat().st_size > _HEAD_BYTES else None
    if head is not None and (head.compression or head.data.count(b"\n") < 20):
        head = None  # compressed (cannot be bisected) or lines too long to sniff a head: whole
    raw = read_file(path, name) if head is None else head
    ctx = ParseContext(
        name=name, tz=zone, year=opts.year, last_known=raw.mtime, report=report, raw=raw,
        fields=dict(opts.mapping) if opts.mapping else None,
    )  # fmt: skip
    if head is not None:
        head_lines, _ = split_lines(head.data[: head.data.rfind(b"\n") + 1])
        fmt = _choose(opts.format, head_lines, name, report)
        span = None
        if window is not None and fmt.seekable and path.stat().st_size >= windows.SEEK_MIN_BYTES:
            span = windows.seek_range(path, fmt, ctx, window)
            if span is None:
                report.notes.append("not bisectable (not in time order here): read whole")
        if span is not None:
            raw = read_file(path, name, start=span[0], end=span[1])
            report.notes.append(
                f"window found by bisection: read bytes {span[0]:,}–{span[1]:,} of "
                f"{path.stat().st_size:,}; provenance is file@byte+line"
            )
        else:
            raw = read_file(path, name)
        ctx.raw = raw
    report.compression = raw.compression
    report.notes.extend(raw.notes)
    lines, invalid = split_lines(raw.data)
    report.lines_read = lines.height
    report.invalid_utf8_lines = invalid
    if not lines.height:
        report.notes.append("empty file")
        return None
    blank = lines["line"].is_null()
    if blank.any():
        nos = lines.filter(blank)["line_no"]
        ctx.reject("blank line", nos, [(n, "") for n in nos.head(3)])
        lines = lines.filter(~blank)
    if not lines.height:
        return None
    if fmt is None:
        fmt = _choose(opts.format, lines, name, report)
    report.format = fmt.name
    if not fmt.wants_bytes:
        raw.data = b""  # the lines frame holds the text now
    try:
        events = fmt.parse(lines, ctx)
    except IngestError:
        raise
    except Exception as exc:
        raise IngestError(
            f"{name}: could not be read as {fmt.name}: {type(exc).__name__}: {exc}"
        ) from exc
    finally:
        raw.data = b""  # parsers may use the bytes (JSON); the frame holds the text now
    if events.height:
        bad = events["timestamp"].is_null()
        if bad.any():
            rejected = events.filter(bad)
            texts = dict(zip(lines["line_no"], lines["line"], strict=True))
            ctx.reject(
                "timestamp not understood",
                rejected["line_no"],
                [(n, texts.get(n, "")) for n in rejected["line_no"].head(3)],
            )
            events = events.filter(~bad)
    if opts.strict and ctx.first_reject:
        line_no, reason = ctx.first_reject
        raise IngestError(f"{ctx.where(line_no)}: {reason} (strict=True)")
    if window is not None and events.height:
        ts = pl.col("timestamp")
        keep = pl.lit(True)
        if window[0] is not None:
            keep = keep & (ts >= window[0])
        if window[1] is not None:
            keep = keep & (ts <= window[1])
        inside = events.select(keep).to_series()
        report.outside_window = int((~inside).sum())
        events = events.filter(inside)
    report.rows = events.height
    _time_notes(ctx, report)
    if not events.height:
        return None
    report.first = str(events["timestamp"].min())
    report.last = str(events["timestamp"].max())
    prefix = f"{name}@{raw.offset}+" if raw.offset is not None else f"{name}:"
    events = events.with_columns(
        source=pl.lit(opts.source or path.name),
        format=pl.lit(fmt.name),
        provenance=pl.lit(prefix) + pl.col("line_no").cast(pl.String),
    ).drop([c for c in ("line_no", "_lines") if c in events.columns])
    return conform(events)


def load_logs(
    paths: str | Path | Iterable[str | Path],
    *,
    format: str = "auto",
    tz: str | Mapping[str, str] | None = None,
    year: int | None = None,
    window: Any = None,
    strict: bool = False,
    source: str | None = None,
    relative_to: str | os.PathLike | None = None,
    mapping: Mapping[str, str] | None = None,
    **options: Any,
) -> pd.DataFrame:
    """Import log files into one frame, every timestamp in UTC, sorted by time.

    Parameters
    ----------
    paths
        A file, a glob (``logs/*.log.gz``), a folder (read recursively) or a list of them.
        gzip, bz2 and xz files are read transparently.
    format
        ``"auto"`` (sniffed per file) or a name from ``postmortem formats``.
    tz
        IANA zone for timestamps that carry no offset, or a mapping from file name, path or
        glob to a zone. Without it such times are taken as UTC and the report says so.
    year
        Year of the first line for formats without one (BSD syslog); by default it is inferred
        from the file's date, with a rollover at New Year.
    window
        ``(start, end)``: keep only events in it (ends included; ``None`` for an open end;
        naive times in ``tz``). A large time-ordered plain file is bisected by byte offset,
        so only the window's part is read.
    strict
        Raise :class:`~postmortem_kit.errors.IngestError` naming the file and line of the
        first rejected line instead of counting it.
    source
        The value of the ``source`` column (default: each file's name).
    relative_to
        A folder (the incident folder): provenance names files relative to it; otherwise
        as the path was given.
    mapping
        Explicit field mapping for structured formats (JSON, logfmt, CSV), output column →
        input key, e.g. ``{"timestamp": "when", "message": "text", "severity": "lvl"}``.

    Returns
    -------
    pandas.DataFrame
        Columns ``timestamp`` (UTC), ``source``, ``host``, ``severity`` (debug … critical),
        ``severity_raw``, ``message``, ``provenance`` (``file:line``), ``format``,
        ``time_note``, then the fields each format carries (access logs: ``client``,
        ``user``, ``method``, ``path``, ``protocol``, ``status``, ``bytes``, ``referer``,
        ``user_agent``, ``latency``; syslog: ``program``, ``pid``, ``facility``; JSON:
        ``trace_id`` and every other key). The import report is
        ``df.attrs["import_report"]`` (an :class:`~postmortem_kit.ingest.ImportReport`).

    Raises
    ------
    IngestError
        For a missing path, an unknown format or zone, with ``strict=True`` on the first
        rejected line, and when no file could be imported at all.
    """
    opts = LoadOptions.from_kwargs(
        "load_logs", format=format, tz=tz, year=year, window=window, strict=strict,
        source=source, relative_to=relative_to, mapping=mapping, **options,
    )  # fmt: skip
    if isinstance(opts.tz, str):
        _check_zone(opts.tz)
    elif opts.tz is not None:
        for zone in opts.tz.values():
            _check_zone(zone)
    if opts.format != "auto":
        LOG_FORMATS.get(opts.format)
    span = windows.parse_window(opts.window, opts.tz if isinstance(opts.tz, str) else None)
    files = expand_paths(paths)
    report = ImportReport(
        window=tuple(t.isoformat() if t else "open" for t in span) if span else None
    )
    frames = []
    for path, name in zip(files, provenance_names(files, opts.relative_to), strict=True):
        file_report = FileReport(name)
        report.files.append(file_report)
        try:
            frame = _read_one(path, name, opts, span, file_report)
        except IngestError as exc:
            if opts.strict:
                raise
            file_report.skipped = str(exc).removeprefix(f"{name}: ")
            continue
        if frame is not None:
            frames.append(frame)
    skipped = [f for f in report.files if f.skipped]
    if skipped and len(skipped) == len(report.files):
        raise IngestError(
            "nothing imported: " + "; ".join(f"{f.name}: {f.skipped}" for f in skipped)
        )
    if len(frames) > 1:
        frame = pl.concat(frames, how="diagonal_relaxed")
    else:
        frame = frames[0] if frames else empty_frame()
    if not frame["timestamp"].is_sorted():
        frame = frame.sort("timestamp", maintain_order=True)
    out = _to_pandas(categorise(frame))
    out.attrs["import_report"] = report
    return out


_NULLABLE = {
    pa.int8(): pd.Int8Dtype(), pa.int16(): pd.Int16Dtype(), pa.int32(): pd.Int32Dtype(),
    pa.int64(): pd.Int64Dtype(), pa.uint8(): pd.UInt8Dtype(), pa.uint16(): pd.UInt16Dtype(),
    pa.uint32(): pd.UInt32Dtype(), pa.uint64(): pd.UInt64Dtype(), pa.bool_(): pd.BooleanDtype(),
}  # fmt: skip


def _to_pandas(frame: pl.DataFrame) -> pd.DataFrame:
    """Polars → pandas keeping integers with gaps as nullable ``Int64`` (not float)."""
    arrow = frame.to_arrow(compat_level=pl.CompatLevel.newest())  # string views: no copy
    return arrow.to_pandas(types_mapper=_NULLABLE.get)


def import_report(frame: pd.DataFrame) -> ImportReport | None:
    """The import report of a frame returned by :func:`load_logs` (``None`` if it has none)."""
    return frame.attrs.get("import_report")

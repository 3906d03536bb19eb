"""``load_logs``: any number of log files in any known format → one UTC, time-sorted frame
with an import report that accounts for every line."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd
import polars as pl

from postmortem_kit.errors import IngestError, OptionsError
from postmortem_kit.ingest import chunks
from postmortem_kit.ingest import formats as _formats  # noqa: F401  (registers the built-ins)
from postmortem_kit.ingest import frame as frames
from postmortem_kit.ingest import window as windows
from postmortem_kit.ingest.arrowpool import import_pool
from postmortem_kit.ingest.columns import categorise, empty_frame, unify_categories
from postmortem_kit.ingest.fileread import read_one
from postmortem_kit.ingest.heap import release_free_heap
from postmortem_kit.ingest.importreport import FileReport, ImportReport
from postmortem_kit.ingest.registry import LOG_FORMATS
from postmortem_kit.ingest.source import expand_paths, provenance_names
from postmortem_kit.options import Options


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
    dayfirst: bool | None = None
    #: Bytes parsed at a time (peak memory is the result plus a few blocks' work); ``None``:
    #: what the format reads best in, else :data:`~postmortem_kit.ingest.chunks.CHUNK_BYTES`.
    chunk_bytes: int | None = None
    #: Plain files at least this large are bisected to find ``window``; ``None``: the default
    #: :data:`~postmortem_kit.ingest.window.SEEK_MIN_BYTES`.
    seek_min_bytes: int | None = None

    def __post_init__(self) -> None:
        if self.dayfirst not in (None, True, False):
            raise OptionsError(
                f"load_logs(): dayfirst= must be True, False or None; got {self.dayfirst!r}"
            )
        for name, least in (("chunk_bytes", 1), ("seek_min_bytes", 0)):
            value = getattr(self, name)
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int) or value < least
            ):
                raise OptionsError(
                    f"load_logs(): {name}= must be a whole number of bytes, at least {least}; "
                    f"got {value!r}"
                )


def _check_zone(zone: str) -> str:
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise IngestError(
            f"tz={zone!r} is not an IANA time zone (e.g. 'Europe/Berlin', 'UTC')"
        ) from None
    return zone


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
    dayfirst: bool | None = None,
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
    dayfirst
        Slash dates (``03/04/2026 14:07:00``) are day first (``True``: 3 April) or month
        first (``False``: March 4). ``None``: as each file's first lines show (a day past
        the 12th), else month first, and the report says the order could not be told.
    **options
        ``chunk_bytes`` (bytes parsed at a time, default 2 MiB, 4 MiB for JSON lines and
        access logs, 1 MiB for CSV, at most 3 MiB for a compressed file) and
        ``seek_min_bytes`` (plain files at least this large are bisected to find ``window``,
        default 64 MiB).

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
        source=source, relative_to=relative_to, mapping=mapping, dayfirst=dayfirst, **options,
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
    with import_pool():  # see arrowpool: less memory held for the record formats
        out = _read_files(files, opts, span, report)
    out.attrs["import_report"] = report
    return out


def _read_files(files, opts: LoadOptions, span, report: ImportReport) -> pd.DataFrame:
    """:func:`load_logs`' reading of ``files`` into one frame, filling ``report``."""
    tables = []
    for path, name in zip(files, provenance_names(files, opts.relative_to), strict=True):
        file_report = FileReport(name)
        report.files.append(file_report)
        try:
            table = read_one(path, name, opts, span, file_report)
        except IngestError as exc:
            if opts.strict:
                raise
            file_report.skipped = str(exc).removeprefix(f"{name}: ")
            continue
        if table is not None:
            tables.append(table)
    skipped = [f for f in report.files if f.skipped]
    if skipped and len(skipped) == len(report.files):
        raise IngestError(
            "nothing imported: " + "; ".join(f"{f.name}: {f.skipped}" for f in skipped)
        )
    if tables:
        table = chunks.concat_tables(tables)
    else:
        table = categorise(empty_frame().to_arrow(compat_level=pl.CompatLevel.oldest()))
    del tables
    names = table.column_names
    table, nulls = frames.split_null_columns(table)  # put back on zero pages at the end
    stamps = pl.from_arrow(table["timestamp"])
    if not stamps.is_sorted():  # stable: equal times keep file order
        order = stamps.to_frame("t").with_row_index("i").sort("t", "i")["i"]
        table = frames.take_rows(table, order.to_arrow())
    del stamps
    table = unify_categories(table)
    release_free_heap()  # the blocks' temporaries, before the frame's columns (see heap)
    out = frames.to_pandas(table, nulls, names)  # releases the table's buffers as it goes
    del table
    return out


def import_report(frame: pd.DataFrame) -> ImportReport | None:
    """The import report of a frame returned by :func:`load_logs` (``None`` if it has none)."""
    return frame.attrs.get("import_report")

"""Time windows: parsing ``window=`` and finding it in a large time-ordered file by bisecting
on byte offsets, so that cutting two hours out of a 10 GB log reads about two hours of it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl

from postmortem_kit.errors import IngestError
from postmortem_kit.ingest.registry import LogFormat, ParseContext
from postmortem_kit.ingest.source import split_lines

#: Plain files smaller than this are read whole even with a window.
SEEK_MIN_BYTES = 64 * 1024 * 1024
#: Bytes read at each probe.
PROBE_BYTES = 64 * 1024
#: Lines may be this much out of order (access logs are written when a request ends).
SLACK = dt.timedelta(minutes=10)


def _moment(value, tz: str | None, what: str) -> dt.datetime:
    try:
        import pandas as pd

        ts = pd.Timestamp(value)
    except (ValueError, TypeError) as exc:
        raise IngestError(f"window {what} {value!r} is not a time: {exc}") from None
    if ts is pd.NaT:
        raise IngestError(f"window {what} is empty")
    if ts.tzinfo is None:
        ts = ts.tz_localize(ZoneInfo(tz) if tz else dt.UTC)
    return ts.tz_convert("UTC").to_pydatetime()


def parse_window(
    window, tz: str | None = None
) -> tuple[dt.datetime | None, dt.datetime | None] | None:
    """``(start, end)`` as aware UTC datetimes from a pair of times (text, datetime or
    pandas Timestamp; ``None`` for an open end, kept as ``None``). Naive times are read in
    ``tz`` (UTC if none)."""
    if window is None:
        return None
    try:
        start, end = window
    except (TypeError, ValueError):
        raise IngestError(
            "window= takes a pair (start, end), e.g. ('2026-10-14 13:00', '2026-10-14 15:00')"
        ) from None
    lo = _moment(start, tz, "start") if start is not None else None
    hi = _moment(end, tz, "end") if end is not None else None
    if lo is None and hi is None:
        return None
    if lo is not None and hi is not None and hi < lo:
        raise IngestError(f"window end {hi.isoformat()} is before its start {lo.isoformat()}")
    return lo, hi


class _Prober:
    def __init__(self, path: Path, fmt: LogFormat, ctx: ParseContext, begin: int = 0):
        self.path, self.fmt, self.ctx, self.begin = path, fmt, ctx, begin
        self.size = path.stat().st_size
        self.seen: list[tuple[int, dt.datetime]] = []

    def __call__(self, offset: int) -> tuple[dt.datetime | None, int]:
        """First event time at or after ``offset`` and the byte where its line starts."""
        with self.path.open("rb") as handle:
            handle.seek(offset)
            block = handle.read(PROBE_BYTES)
        skip = 0
        if offset > self.begin:  # inside a line: the next one
            nl = block.find(b"\n")
            if nl < 0:
                return None, offset
            skip = nl + 1
        last_nl = block.rfind(b"\n")
        body = block[skip : last_nl + 1] if last_nl >= skip else b""
        lines, _ = split_lines(body)
        lines = lines.filter(pl.col("line").is_not_null())
        if not lines.height:
            return None, offset + skip
        resume = self.fmt.resume
        state = resume(self.path, offset + skip, self.begin) if resume is not None else None
        try:
            events = self.fmt.parse(lines, self.ctx.scratch(state))
        except Exception:
            return None, offset + skip
        events = events.filter(pl.col("timestamp").is_not_null())
        if not events.height:
            return None, offset + skip
        first_line = int(events["line_no"][0])
        starts = [0] + [i + 1 for i, b in enumerate(body) if b == 10][: first_line - 1]
        moment = events["timestamp"][0]
        self.seen.append((offset, moment))
        return moment, offset + skip + starts[first_line - 1]

    def ordered(self) -> bool:
        seen = sorted(self.seen)
        return all(b[1] >= a[1] - SLACK for a, b in zip(seen, seen[1:], strict=False))


def seek_range(
    path: Path,
    fmt: LogFormat,
    ctx: ParseContext,
    window: tuple[dt.datetime, dt.datetime],
    begin: int = 0,
) -> tuple[int, int] | None:
    """The byte range of a time-ordered plain file that holds ``window`` (give or take
    :data:`SLACK`), found by bisection; ``None`` when the file cannot be bisected (not in
    time order, or no timestamps where probed), in which case it is read whole. ``begin``:
    where the file's text starts (after NUL padding: see :mod:`.padding`)."""
    probe = _Prober(path, fmt, ctx, begin)

    def bracket(target: dt.datetime) -> tuple[int, int] | None:
        """Line starts (a, b): every line before a is earlier than ``target``, every line
        from b on is at or after it."""
        lo, hi = begin, probe.size
        lo_start, hi_start = begin, probe.size
        while hi - lo > PROBE_BYTES:
            mid = (lo + hi) // 2
            moment, line_start = probe(mid)
            if moment is None:
                return None
            if moment < target:
                lo, lo_start = mid, line_start
            else:
                hi, hi_start = mid, line_start
        return lo_start, hi_start

    first, finish = begin, probe.size
    if window[0] is not None:
        found = bracket(window[0] - SLACK)
        if found is None:
            return None
        first = found[0]
    if window[1] is not None:
        found = bracket(window[1] + SLACK)
        if found is None:
            return None
        finish = found[1]
    if not probe.ordered():
        return None
    return first, max(first, finish)

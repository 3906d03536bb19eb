"""The times of a clean block read in its one query: the ``strptime`` format of a style that
reads the block's first time (found once per shape of time), and the expression that reads
such times to UTC. A block whose every time that format reads, none in a DST repeat or
gap, needs none of :func:`.timestamps.parse_timestamps`' tries, and gives what it gives."""

from __future__ import annotations

import functools

import polars as pl

from postmortem_kit.ingest.timestamps import TimeStyle

#: The ``strptime`` format of the style's that reads a timestamp of a shape, by (style, shape).
_FORMATS: dict[tuple[str, str], tuple[str, bool]] = {}


def strptime_format(style: TimeStyle, shape: str, text: str) -> tuple[str, bool] | None:
    """The first of ``style``'s ``strptime`` formats that reads ``text``, a timestamp of
    ``shape`` (with whether it reads an offset); found once per shape (a time out of range,
    such as month 13, finds none and is not remembered)."""
    key = (style.name, shape)
    if key not in _FORMATS:
        one = pl.Series([text])
        for fmt, aware in style.fast:
            dtype = pl.Datetime("ns", "UTC") if aware else pl.Datetime("ns")
            if one.str.strptime(dtype, fmt, strict=False).null_count() == 0:
                _FORMATS[key] = (fmt, aware)
                break
    return _FORMATS.get(key)


@functools.lru_cache(maxsize=64)
def utc_stamps(fmt: str, aware: bool, zone: str, column: str = "ts") -> pl.Expr:
    """``timestamp`` (UTC) from the text column ``column`` by the ``strptime`` format
    ``fmt`` (``aware``: it reads an offset): naive times in ``zone``, where a time in a DST
    repeat or gap is null (and the block goes the general way, which flags it)."""
    if aware:
        stamps = pl.col(column).str.strptime(pl.Datetime("ns", "UTC"), fmt, strict=False)
    elif zone == "UTC":
        stamps = pl.col(column).str.strptime(pl.Datetime("ns"), fmt, strict=False)
        stamps = stamps.dt.replace_time_zone("UTC")
    else:
        stamps = pl.col(column).str.strptime(pl.Datetime("ns"), fmt, strict=False)
        stamps = stamps.dt.replace_time_zone(zone, ambiguous="null", non_existent="null")
        stamps = stamps.dt.convert_time_zone("UTC")
    return stamps.alias("timestamp")


def time_counts(style: TimeStyle, rows: int, *, aware: bool) -> dict:
    """What reading ``rows`` times of ``style`` this way found, as
    :meth:`.registry.ParseContext.time_info` takes it."""
    return {
        "naive": 0 if aware else rows,
        "ambiguous": 0,
        "nonexistent": 0,
        "styles": {style.name: rows},
    }

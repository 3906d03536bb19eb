"""The times of a clean block: the ``strptime`` format of a style that reads the block's
first time (found once per shape of time) and the expression that reads such times to UTC
in the block's one query, or, for ISO 8601 times that ``strptime`` reads slowly, Arrow's
ISO 8601 reader after it (:func:`iso_utc`). A block whose every time is read so, none in a
DST repeat or gap, needs none of :func:`.timestamps.parse_timestamps`' tries, and gives
what it gives."""

from __future__ import annotations

import functools

import polars as pl
import pyarrow as pa

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


def arrow_reads(style: TimeStyle, fmt: str, text: str) -> bool:
    """Whether :func:`iso_utc` (Arrow's ISO 8601 reader, which the general way tries first
    for such a style) should read a block's times rather than ``strptime`` with ``fmt``
    (the format that reads ``text``, the first): when polars reads that format slowly, a
    fraction of any length (``%.f``) or an offset (``%z``). 1M times with an offset:
    ``strptime`` 130 ms, Arrow 22 ms; a fixed ``,%3f`` fraction polars reads as fast."""
    return style.arrow_iso and ("%.f" in fmt or "%z" in fmt) and "," not in text


def iso_utc(text: pl.Series, zone: str, *, aware: bool) -> pl.Series | None:
    """ISO 8601 times of the shapes :data:`.timestamps.ARROW_ISO_SHAPE` admits (as a
    one-pass pattern's ``ts`` group has them: a dot before a fraction), each with a zone
    (``aware``) or each without (Arrow refuses a time with a zone where it reads none, and
    the other way round), read by Arrow's ISO 8601 reader as the general way's
    :func:`.timestamps.arrow_iso` reads them (a sixth of what ``strptime`` with ``%z``
    costs): UTC, naive ones read in ``zone``. ``None`` when one is out of range (month 13),
    has a zone or not unlike the others, or, naive, falls in a DST repeat or gap: the
    general way reads and flags those."""
    dtype = pa.timestamp("ns", tz="UTC") if aware else pa.timestamp("ns")
    try:
        stamps = pl.Series(text.to_arrow().cast(dtype))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    if aware:
        return stamps
    local = stamps.dt.replace_time_zone(zone, ambiguous="null", non_existent="null")
    return None if local.has_nulls() else local.dt.convert_time_zone("UTC")

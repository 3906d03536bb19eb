"""Syslog blocks straight to the block's finished Arrow table, in the worker thread, for the
common case: every line one that a one-pass pattern of :data:`.text.RFC3164_FAST` reads,
valid UTF-8, none blank, every time in one style. Any other block gets ``None`` and goes
the general way in the parser thread, which counts every line it rejects; this must give
exactly what that way gives, and a test holds it to that.

- ISO 8601 times (rsyslog's high-precision format,
  ``2026-10-14T14:07:00.123456+02:00 host prog[pid]: msg``): each with a zone or each
  without, read by Arrow's ISO 8601 reader, as the general way reads them.
- BSD times (``Oct 14 14:07:00``) have no year: the general way carries it from block to
  block, with a rollover at New Year (:func:`.localtime.infer_years`). A worker reads a
  block in the year the blocks before it had reached when it was handed out, and the
  rows' ``commit`` checks that year in the parser thread once those blocks are read (a
  New Year in a block still in flight moves it on; the block then goes the general way).
  The file's first block sets the year by the whole-file rule, so it goes the general way.

A naive time in a DST repeat or gap of ``tz=`` sends the block the general way, which flags
it.
"""

from __future__ import annotations

import dataclasses
import re

import polars as pl

from postmortem_kit.ingest.blocktime import iso_utc, time_counts
from postmortem_kit.ingest.chunks import block_rows
from postmortem_kit.ingest.localtime import advance_years, block_start_year
from postmortem_kit.ingest.registry import BlockRows, ParseContext
from postmortem_kit.ingest.source import collect_block, first_line_text, scan_groups
from postmortem_kit.ingest.text import (
    RFC3164,
    RFC3164_FAST,
    derive_syslog,
    group_names,
    level_at_start,
)
from postmortem_kit.ingest.timestamps import STYLE_BY_NAME, leading_month

_ISO_STYLE = STYLE_BY_NAME["iso8601"]
_BSD_STYLE = STYLE_BY_NAME["bsd"]
#: The one-pass pattern of lines with an ISO 8601 time.
_FAST = next(p for p in RFC3164_FAST if re.match(p, "2026-10-14T14:07:00Z h p: m"))
_FAST_RE = re.compile(_FAST)
#: The one-pass pattern of lines with a BSD time.
_BSD_FAST = next(p for p in RFC3164_FAST if re.match(p, "Oct 14 14:07:00 h p: m"))
_BSD_FAST_RE = re.compile(_BSD_FAST)
#: How :func:`.timestamps.parse_timestamps` reads a BSD time with its year put in front.
_BSD_FORMAT = "%Y " + _BSD_STYLE.fast[0][0]
#: A zone after an ISO time's seconds.
_ZONED = re.compile(r"[Z+-]")
#: :data:`.text.RFC3164`'s groups, those the fast pattern lacks (the message: the rest of
#: the line) made as :func:`.text.extract_lines` makes them, in its order.
_GROUPS = tuple(
    pl.col("line").str.slice(pl.col("_head").str.len_chars()).alias(n)
    if n == "message"
    else pl.col(n) if n in group_names(_FAST) else pl.lit(None, pl.String).alias(n)
    for n in group_names(RFC3164)
)  # fmt: skip


def read_syslog_block(data: bytes, *, first_line: int, ctx: ParseContext) -> BlockRows | None:
    """The ``read_block`` of BSD syslog (see :attr:`.LogFormat.read_block` and the module)."""
    first = first_line_text(data)
    if first is None:
        return None
    if _BSD_FAST_RE.match(first):
        return _read_bsd(data, first_line, ctx)
    found = _FAST_RE.match(first)
    if found is None:  # a line of another layout first: the general way
        return None
    aware = bool(_ZONED.search(found["ts"], 19))
    g = _groups(data, _FAST, first_line, ctx)
    if g is None:
        return None
    stamps = iso_utc(g["ts"], ctx.tz or "UTC", aware=aware)  # zones mixed: None
    if stamps is None:
        return None
    return _rows(g, stamps, ctx, time_counts(_ISO_STYLE, g.height, aware=aware), first_line)


def _groups(
    data: bytes, pattern: str, first_line: int, ctx: ParseContext, **more: pl.Expr
) -> pl.DataFrame | None:
    """The block's groups by the one-pass ``pattern`` (and the columns ``more``), as the
    general way gives them; ``None`` unless it reads every line."""
    query = scan_groups(data, pattern)
    if query is None:
        return None
    query = query.select(*_GROUPS).with_columns(_level=level_at_start(pl.col("message")), **more)
    g = collect_block(query)
    if g is None or g["ts"].has_nulls():  # a line of another layout or time, or blank
        return None
    return g


def _rows(
    g: pl.DataFrame, stamps: pl.Series, ctx: ParseContext, time: dict, first_line: int
) -> BlockRows:
    """The block's rows from its groups and UTC times (a row a line, from ``first_line``)."""
    n = g.height
    events = derive_syslog(g.select(pl.exclude("line_no", "line", "_level", "^_y.*$")), g["_level"])
    events = events.with_columns(timestamp=stamps, time_note=pl.lit(None, pl.String))
    events = events.drop("ts", "_pri")
    return block_rows(events, ctx.name, lines=n, time=time, first_line=first_line)


def _read_bsd(data: bytes, first_line: int, ctx: ParseContext) -> BlockRows | None:
    """A block of BSD times, read in the year the blocks before it had reached when it was
    handed out (see the module): each line's year is that plus the New Years since, a
    month that drops by seven or more from the line before (or, for the first, from the
    last line of the blocks before) starting one, as :func:`.localtime.infer_years` has
    it; the times are then read as :func:`.timestamps.parse_timestamps` reads them."""
    years = ctx.state.get("time", {}).get("years", {})  # as the parser thread has it now
    first_year, rollovers, last_month = (
        years.get("first_year"), years.get("rollovers"), years.get("month")
    )  # fmt: skip
    if first_year is None or rollovers is None:  # the file's first block
        return None
    month = leading_month(pl.col("ts"))
    before = month.first() if last_month is None else pl.lit(last_month, pl.Int64)
    year = first_year + rollovers + ((month - month.shift(1, fill_value=before)) <= -7).cum_sum()
    text = pl.concat_str([year.cast(pl.String), pl.col("ts")], separator=" ")
    naive = text.str.strptime(pl.Datetime("ns"), _BSD_FORMAT, strict=False)
    zone = ctx.tz or "UTC"
    local = naive.dt.replace_time_zone(zone, ambiguous="null", non_existent="null")
    g = _groups(
        data, _BSD_FAST, first_line, ctx,
        _y_stamp=local.dt.convert_time_zone("UTC"), _y_month=month, _y_year=year,
    )  # fmt: skip
    if g is None or g["_y_stamp"].has_nulls():  # no such day, or a DST repeat or gap
        return None
    start, end, end_month = int(g["_y_year"][0]), int(g["_y_year"][-1]), int(g["_y_month"][-1])
    first_month = int(g["_y_month"][0])
    rows = _rows(g, g["_y_stamp"], ctx, time_counts(_BSD_STYLE, g.height, aware=False), first_line)

    def commit(ctx: ParseContext) -> bool:
        carry = ctx.carry.setdefault("years", {})
        if block_start_year(carry, first_month) != start:  # a New Year in a block in flight
            return False
        ctx.time["year_note"] = advance_years(
            carry, last_month=end_month, last_year=end, year=ctx.year
        )
        return True

    return dataclasses.replace(rows, commit=commit)

"""Syslog blocks with ISO 8601 times (rsyslog's high-precision format,
``2026-10-14T14:07:00.123456+02:00 host prog[pid]: msg``) straight to the block's finished
Arrow table, in the worker thread, for the common case: every line one that the one-pass
ISO pattern of :data:`.text.RFC3164_FAST` reads, valid UTF-8, none blank, every time with
a zone or every time without (read by Arrow's ISO 8601 reader, as the general way reads
them; none in a DST repeat or gap). Any other block gets ``None`` and goes the general way
in the parser thread, which counts every line it rejects; this must give exactly what that
way gives, and a test holds it to that.

BSD times (``Oct 14 14:07:00``) have no year: the general way carries the year from block
to block (a rollover at New Year), so they are read there.
"""

from __future__ import annotations

import re

import polars as pl

from postmortem_kit.ingest.blocktime import iso_utc, time_counts
from postmortem_kit.ingest.chunks import block_rows
from postmortem_kit.ingest.registry import BlockRows, ParseContext
from postmortem_kit.ingest.source import collect_block, first_line_text, scan_groups
from postmortem_kit.ingest.text import (
    RFC3164,
    RFC3164_FAST,
    derive_syslog,
    group_names,
    level_at_start,
)
from postmortem_kit.ingest.timestamps import STYLE_BY_NAME

_ISO_STYLE = STYLE_BY_NAME["iso8601"]
#: The one-pass pattern of lines with an ISO 8601 time.
_FAST = next(p for p in RFC3164_FAST if re.match(p, "2026-10-14T14:07:00Z h p: m"))
_FAST_RE = re.compile(_FAST)
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
    """The ``read_block`` of BSD syslog (see :attr:`.LogFormat.read_block`), for blocks of
    ISO 8601 times (see the module)."""
    first = first_line_text(data)
    found = None if first is None else _FAST_RE.match(first)
    if found is None:  # BSD times, or a line of another layout first: the general way
        return None
    aware = bool(_ZONED.search(found["ts"], 19))
    query = scan_groups(data, _FAST, name=ctx.name, first_line=first_line)
    if query is None:
        return None
    query = query.select("line_no", "line", *_GROUPS, "provenance").with_columns(
        _level=level_at_start(pl.col("message"))
    )
    g = collect_block(query)
    if g is None:
        return None
    if g["ts"].has_nulls():  # a line of another layout or time, or blank
        return None
    stamps = iso_utc(g["ts"], ctx.tz or "UTC", aware=aware)  # zones mixed: None
    if stamps is None:
        return None
    n = g.height
    events = derive_syslog(g.drop("line_no", "line", "_level"), g["_level"])
    del g
    events = events.with_columns(timestamp=stamps, time_note=pl.lit(None, pl.String))
    events = events.drop("ts", "_pri")
    return block_rows(events, ctx.name, lines=n, time=time_counts(_ISO_STYLE, n, aware=aware))

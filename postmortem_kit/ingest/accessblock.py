"""Access-log blocks (combined and common) straight to the block's finished Arrow table, in
the worker thread, for the common case: every line one request that :data:`.text.ACCESS`
reads and whose ``[dd/Mon/yyyy:HH:MM:SS ±hhmm]`` time ``strptime`` reads whole. Any other
block gets ``None`` and goes the general way (:func:`.text.parse_access` in the parser
thread), which counts every line it rejects; this must give exactly what that way gives,
and a test holds it to that.

The general way reads a block's times through :func:`.timestamps.parse_timestamps` (which
tries each style, keeps state between blocks and localises naive times) in the parser
thread, then packs the rows in a worker; here a time that carries its offset needs none of
that, and the whole block is done in one worker while the others read theirs. A block
whose every line the one-pass pattern reads is read by one polars plan from its bytes
(see :func:`_read_clean` and :mod:`.textblock` for why).
"""

from __future__ import annotations

import polars as pl

from postmortem_kit.ingest.chunks import block_rows, number_lines
from postmortem_kit.ingest.registry import BlockRows, ParseContext
from postmortem_kit.ingest.source import collect_block, scan_groups, whole_lines
from postmortem_kit.ingest.text import (
    ACCESS,
    ACCESS_FAST,
    INGRESS_COLUMNS,
    access_columns,
    derive_access,
    extract_lines,
    group_names,
)
from postmortem_kit.ingest.timestamps import STYLE_BY_NAME

#: The ``clf`` style's ``strptime`` format (with its offset), which the general way tries
#: first on every block.
_CLF = STYLE_BY_NAME["clf"].fast[0][0]
#: Bytes per block: the fixed cost per block is about a tenth of a 2 MiB block's work here.
#: 1M lines (129 MB), A/B against 3 MiB blocks, medians of 4-5 runs: 0.652-0.680 s instead of
#: 0.698-0.742 s, peak RSS at most 338 instead of 322 MB (2.6 times the file) now that the
#: heap's free pages go back before the frame is built (:mod:`.heap`). A compressed file
#: is read in smaller blocks (:data:`.chunks.COMPRESSED_BLOCK_BYTES`).
BLOCK_BYTES = 4 * 1024 * 1024


def read_access_block(data: bytes, *, first_line: int, ctx: ParseContext) -> BlockRows | None:
    """The ``read_block`` of the access-log formats (see :attr:`.LogFormat.read_block`)."""
    rows = _read_clean(data, first_line, ctx)
    if rows is not None:
        return rows
    lines = whole_lines(data)
    if lines is None:  # a blank or invalid line: the general way counts it
        return None
    n = lines.height
    groups = extract_lines(number_lines(lines, first_line), ACCESS, ACCESS_FAST)
    del lines
    if groups["ts"].has_nulls():  # a line that is no request: the general way rejects it
        return None
    stamps = groups["ts"].str.strptime(pl.Datetime("ns", "UTC"), _CLF, strict=False)
    if stamps.has_nulls():  # another style: parse_timestamps reads it
        return None
    events = derive_access(groups.drop("line"))
    del groups
    events = events.with_columns(timestamp=stamps, time_note=pl.lit(None, pl.String))
    events = events.drop([c for c in events.columns if c == "ts" or c.startswith("_")])
    return block_rows(events, ctx.name, lines=n, time={"naive": 0, "styles": {"clf": n}})


def _read_clean(data: bytes, first_line: int, ctx: ParseContext) -> BlockRows | None:
    """A block whose every line :data:`.text.ACCESS_FAST` reads (none blank, all valid
    UTF-8), with times that carry their offset: its rows, by one query from the bytes to
    the columns the way above gives (polars runs it on its own threads while this worker
    waits). ``None`` for another block, whose lines are split again (the query keeps none
    of them, which would only add to the peak memory of every block).

    The query runs on polars' streaming engine: its regex is most of the block's work, and
    split into morsels it runs on both cores. 1M lines, A/B interleaved with the engine,
    medians of 8: 0.594 -> 0.570 s, peak RSS 332 -> 320 MB. The syslog and timestamped-text
    readers' queries were slower so (BSD syslog 0.504 -> 0.564 s, log4j 0.364 -> 0.401 s)."""
    query = scan_groups(data, ACCESS_FAST)
    if query is None:
        return None
    query = (
        query.select("line_no", "line", *_GROUPS)
        .with_columns(
            **access_columns(quoted_clients=False, fast=True),
            timestamp=pl.col("ts").str.strptime(pl.Datetime("ns", "UTC"), _CLF, strict=False),
            time_note=pl.lit(None, pl.String),
        )
        # held no longer than needed; the ingress fields: the one-pass pattern reads none
        .drop("line_no", "line", "ident", "request", "ts", "_lat", "_ilat", *INGRESS_COLUMNS)
    )
    events = collect_block(query, streaming=True)
    if events is None or events["timestamp"].has_nulls():  # another layout or time, or blank
        return None
    n = events.height
    return block_rows(
        events, ctx.name, lines=n, time={"naive": 0, "styles": {"clf": n}}, first_line=first_line
    )


#: :data:`.text.ACCESS`'s groups, those :data:`.text.ACCESS_FAST` lacks as nulls (the
#: columns :func:`.text.extract_lines` gives, in its order).
_GROUPS = tuple(
    pl.col(n) if n in group_names(ACCESS_FAST) else pl.lit(None, pl.String).alias(n)
    for n in group_names(ACCESS)
)

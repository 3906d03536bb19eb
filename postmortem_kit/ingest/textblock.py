"""Blocks of timestamped text (the generic reader, stack traces and all) straight to the
block's finished Arrow table, in the worker thread, for the common case: the file's style
(chosen on its first block) has a year, the block starts with an event and the next block
does too (so no event spans the two), no line is blank or invalid UTF-8, every time is
read, and none falls in a DST repeat or gap. Any other block gets ``None`` and goes the
general way in the parser thread, which counts every line it rejects.

The block goes through the general way's own code (:func:`.text.split_text`,
:func:`.text.text_events`) with a scratch copy of the parser's context, so it gives what
that way gives; what it needs of the state (the style) is set before, and what it would
change (the DST repeat it saw last, a year's rollover) is what it declines. A test holds it
to the general way all the same.

Most blocks of most files are cleaner still: every line an event whose timestamp has the
file's shape (see :mod:`.tsshape`) and is read by one of the style's ``strptime`` formats
(or by Arrow's ISO 8601 reader: :mod:`.blocktime`). Such a block is read by one polars plan
from its bytes to its columns (:func:`read_clean_block`), and its Arrow table is built
directly. Measured: the general way's forty-odd small frame operations cost about a tenth
of a millisecond each however small the block, and each one a worker runs beside the other
worker's wakes polars' threads (some 10,000 involuntary context switches per 1M lines);
in one plan the worker waits while polars' threads do the work.
"""

from __future__ import annotations

import copy
import functools

import polars as pl
import pyarrow as pa

from postmortem_kit.ingest.blocktime import (
    arrow_reads,
    iso_utc,
    strptime_format,
    time_counts,
    utc_stamps,
)
from postmortem_kit.ingest.chunks import block_rows, kept_schema, number_lines
from postmortem_kit.ingest.columns import conform, severity_categories
from postmortem_kit.ingest.provenance import line_references
from postmortem_kit.ingest.registry import BlockRows, ParseContext
from postmortem_kit.ingest.source import collect_block, first_line_text, scan_groups, whole_lines
from postmortem_kit.ingest.text import (
    after_timestamp,
    level_search,
    search_levels,
    split_text,
    text_events,
)
from postmortem_kit.ingest.timestamps import TimeStyle
from postmortem_kit.ingest.tsshape import shape_way, wide_pattern


def _starts_event(line: bytes, style: TimeStyle, at_start: bool, shape: str | None) -> bool:
    """Whether ``line`` (a block's first, as bytes) starts an event in the file's style.

    A line that one of the shape's one-pass patterns reads starts with a timestamp of the
    style (the shape is one of its timestamps with the digits generalised), so it is one
    without more ado: a Python regex costs microseconds, the frame query below nearly two
    milliseconds a block."""
    try:
        text = line.decode("utf-8").removesuffix("\r")
    except UnicodeDecodeError:
        return False
    if shape is not None and shape_way(shape, text) is not None:
        return True
    one = pl.DataFrame(
        {"line_no": [0], "line": [text]}, schema={"line_no": pl.Int64, "line": pl.String}
    )
    return split_text(one, style, at_start, shape)["ts"][0] is not None


def read_text_block(
    data: bytes, *, first_line: int, ctx: ParseContext, following: bytes | None
) -> BlockRows | None:
    """The ``read_block`` of the generic timestamped-text format (see
    :attr:`.LogFormat.read_block`)."""
    style, at_start = ctx.state.get("text_style", (None, False))
    if style is None or not style.has_year:  # not chosen yet, or years carried between blocks
        return None
    shape = ctx.state.get("text_shape")
    if following is not None and not _starts_event(following, style, at_start, shape):
        return None  # the block's last event goes on in the next one
    lines = None
    if shape is not None:
        rows, lines = read_clean_block(
            data, first_line=first_line, ctx=ctx, style=style, shape=shape
        )
        if rows is not None:
            return rows
    lines = whole_lines(data, lines)
    if lines is None:  # a blank or invalid line: the general way counts it
        return None
    n = lines.height
    split = split_text(number_lines(lines, first_line), style, at_start, shape)
    del lines
    scratch = ctx.scratch({**ctx.state, "time": copy.deepcopy(ctx.state.get("time", {}))})
    events = text_events(split, scratch)
    del split
    time = scratch.time
    if (
        scratch.report.rejects  # lines before the block's first event (the last block's)
        or time["ambiguous"]  # read in file order, with state carried between blocks
        or time["nonexistent"]
        or events["timestamp"].has_nulls()  # the general way rejects them
    ):
        return None
    events = events.drop([c for c in ("_lines", "source", "format") if c in events.columns])
    return block_rows(
        events, ctx.name, lines=n, time=time,
        continuation_lines=scratch.report.continuation_lines,
    )  # fmt: skip


def read_clean_block(
    data: bytes, *, first_line: int, ctx: ParseContext, style: TimeStyle, shape: str
) -> tuple[BlockRows | None, pl.DataFrame | None]:
    """A block (its bytes) whose every line (none blank, all valid UTF-8) is an event with a
    timestamp of ``shape`` followed by a separator, read by the one-pass way of
    :data:`.tsshape.SHAPE_WAYS` that reads its first line (so no line is another's
    continuation), whose times the ``strptime`` format that reads the first reads (or
    Arrow's ISO 8601 reader: :func:`.blocktime.arrow_reads`), none in a DST repeat or gap:
    its rows, by one query from the bytes to the finished columns,
    which gives what :func:`.text.split_text` and :func:`.text.text_events` give (a test
    holds it to that). One query, which polars runs on its own threads while the calling
    worker waits, costs less than a dozen small steps, each of which wakes its threads.

    Returns
    -------
    (rows, lines)
        ``rows`` is ``None`` for any other block; ``lines``, the block's lines as
        :func:`.source.scan_groups` read them (a line of white space not yet null: hand them
        to :func:`.source.whole_lines`), when the query split them (valid UTF-8), so that
        the general way need not split them again.
    """
    first = first_line_text(data)
    way = None if first is None else shape_way(shape, first)
    if way is None:
        return None, None
    pattern, columns, first_ts = way
    found = strptime_format(style, shape, first_ts)
    query = scan_groups(data, pattern)
    if not found or query is None:
        return None, None
    fmt, aware = found
    zone = ctx.tz or "UTC"
    arrow = arrow_reads(style, fmt, first_ts)
    query = query.with_columns(**columns).select(
        "line_no", "line", "ts", "_full", *_message_level(),
        *(() if arrow else (utc_stamps(fmt, aware, zone),)),
    )  # fmt: skip
    if pattern == wide_pattern(shape):  # something before the level word: search every line
        searched = pl.when(pl.col("severity_raw").is_null()).then(level_search())
        query = query.with_columns(severity_raw=pl.coalesce("severity_raw", searched))
    g = collect_block(query)
    if g is None:
        return None, None
    if g["_full"].any():  # a line of another shape, or one the full pattern must read
        return None, g.select("line_no", "line")
    stamps = iso_utc(g["ts"], zone, aware=aware) if arrow else g["timestamp"]
    if stamps is None or stamps.has_nulls():  # out of range, in a DST repeat or gap
        return None, g.select("line_no", "line")
    g = g.with_columns(timestamp=stamps)
    g = search_levels(g, keep=("timestamp",))
    severity, raw = severity_categories(g["severity_raw"].to_arrow())
    columns = {
        "timestamp": g["timestamp"].to_arrow(),
        "severity": severity,
        "severity_raw": raw,
        "message": g["message"].to_arrow(compat_level=pl.CompatLevel.oldest()),
        "provenance": line_references(ctx.name, first_line, g.height),
    }  # in the order and types pack_rows gives, the all-null ones left out as it does
    table = pa.table({k: v for k, v in columns.items() if v.null_count < len(v)})
    n = g.height
    time = time_counts(style, n, aware=aware)
    return BlockRows(table=table, schema=_clean_schema(), lines=n, keys=(), time=time), None


@functools.cache
def _message_level() -> tuple[pl.Expr, ...]:
    """:func:`.text.after_timestamp`'s columns, built once."""
    return tuple(expr.alias(name) for name, expr in after_timestamp().items())


@functools.cache
def _clean_schema() -> pa.Schema:
    """The types of every column a clean block has, all-null ones too (as
    :func:`.chunks.kept_schema` gives them)."""
    events = pl.DataFrame(
        schema={"message": pl.String, "severity_raw": pl.String, "provenance": pl.String,
                "timestamp": pl.Datetime("ns", "UTC"), "severity": pl.String},
    )  # fmt: skip
    return kept_schema(conform(events))

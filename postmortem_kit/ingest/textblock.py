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
file's shape (see :mod:`.tsshape`) and is read by one of the style's ``strptime`` formats.
Such a block is read by one query (:func:`read_clean_block`): a fifth less work than the
general way's forty-odd small frame operations, each of which costs about a tenth of a
millisecond however small the block.
"""

from __future__ import annotations

import copy

import polars as pl

from postmortem_kit.ingest.chunks import block_rows, number_lines
from postmortem_kit.ingest.columns import with_severity
from postmortem_kit.ingest.registry import BlockRows, ParseContext
from postmortem_kit.ingest.source import split_lines
from postmortem_kit.ingest.text import after_timestamp, search_levels, split_text, text_events
from postmortem_kit.ingest.timestamps import TimeStyle
from postmortem_kit.ingest.tsshape import shape_way

#: The ``strptime`` format of the style's that reads a timestamp of a shape, by (style, shape).
_FORMATS: dict[tuple[str, str], tuple[str, bool]] = {}


def _starts_event(line: bytes, style: TimeStyle, at_start: bool, shape: str | None) -> bool:
    """Whether ``line`` (a block's first, as bytes) starts an event in the file's style."""
    try:
        text = line.decode("utf-8").removesuffix("\r")
    except UnicodeDecodeError:
        return False
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
    lines, invalid = split_lines(data)
    n = lines.height
    if invalid or not n or lines["line"].has_nulls():  # the general way counts them
        return None
    if shape is not None:
        rows = read_clean_block(lines, first_line=first_line, ctx=ctx, style=style, shape=shape)
        if rows is not None:
            return rows
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


def _format(style: TimeStyle, shape: str, text: str) -> tuple[str, bool] | None:
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


def read_clean_block(
    lines: pl.DataFrame, *, first_line: int, ctx: ParseContext, style: TimeStyle, shape: str
) -> BlockRows | None:
    """A block whose every line (none blank) is an event with a timestamp of ``shape``
    followed by a separator, read by the one-pass way of :data:`.tsshape.SHAPE_WAYS` that
    reads its first line (so no line is another's continuation), whose times the
    ``strptime`` format that reads the first reads, none in a DST repeat or gap: its rows,
    by one query that gives what :func:`.text.split_text` and :func:`.text.text_events`
    give (a test holds it to that); ``None`` for any other block."""
    way = shape_way(shape, lines["line"][0])
    if way is None:
        return None
    pattern, columns, first = way
    found = _format(style, shape, first)
    if not found:
        return None
    fmt, aware = found
    zone = ctx.tz or "UTC"
    if aware:
        stamps = pl.col("ts").str.strptime(pl.Datetime("ns", "UTC"), fmt, strict=False)
    elif zone == "UTC":
        stamps = pl.col("ts").str.strptime(pl.Datetime("ns"), fmt, strict=False)
        stamps = stamps.dt.replace_time_zone("UTC")
    else:  # a time in a DST repeat or gap is null, and the block goes another way
        stamps = pl.col("ts").str.strptime(pl.Datetime("ns"), fmt, strict=False)
        stamps = stamps.dt.replace_time_zone(zone, ambiguous="null", non_existent="null")
        stamps = stamps.dt.convert_time_zone("UTC")
    g = (
        lines.lazy()
        .select(
            pl.col("line_no") + (first_line - 1),
            "line",
            pl.col("line").str.extract_groups(pattern).alias("_g"),
        )
        .unnest("_g")
        .with_columns(**columns)
        .select("line_no", "line", "ts", "_full", **after_timestamp(), timestamp=stamps)
        .collect(engine="in-memory")
    )
    if g["_full"].any() or g["timestamp"].has_nulls():
        return None
    events = search_levels(g).select(
        "line_no", "message", "severity_raw", g["timestamp"], time_note=pl.lit(None, pl.String)
    )
    n = events.height
    time = {"naive": 0 if aware else n, "ambiguous": 0, "nonexistent": 0, "styles": {style.name: n}}
    return block_rows(with_severity(events), ctx.name, lines=n, time=time)

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
"""

from __future__ import annotations

import copy

import polars as pl

from postmortem_kit.ingest.chunks import block_rows, number_lines
from postmortem_kit.ingest.registry import BlockRows, ParseContext
from postmortem_kit.ingest.source import split_lines
from postmortem_kit.ingest.text import split_text, text_events
from postmortem_kit.ingest.timestamps import TimeStyle


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

"""A level for the plain lines of container and cloud logs: the level word near the start
of the message of a row whose record gave none (:attr:`.registry.LogFormat.find_level`)."""

from __future__ import annotations

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

from postmortem_kit.ingest.columns import categorise, severity_of
from postmortem_kit.ingest.payload import plain, put
from postmortem_kit.ingest.payloadrows import take_rows
from postmortem_kit.ingest.registry import ParseContext
from postmortem_kit.ingest.text import level_word

#: Characters at the start of a message a level word is looked for in.
_LEVEL_WITHIN = 120


def fill_levels(table: pa.Table, ctx: ParseContext) -> pa.Table:
    """``table`` with a level for the rows that have none: the first level word in their
    message's first :data:`_LEVEL_WITHIN` characters (a whole upper-case or capitalised
    word, or a lower-case one in brackets), by syslog's search
    (:func:`.text.level_word`); the report says how many rows got one so."""
    if "message" not in table.column_names or not table.num_rows:
        return table
    raw = table["severity_raw"] if "severity_raw" in table.column_names else None
    missing = (
        np.ones(table.num_rows, bool)
        if raw is None
        else pc.is_null(raw).to_numpy(zero_copy_only=False)
    )
    rows = np.flatnonzero(missing)
    if not len(rows):
        return table
    message = pl.from_arrow(take_rows(_text_column(table["message"]), rows)).cast(pl.String)
    words = level_word(message, within=_LEVEL_WITHIN)
    hit = words.is_not_null().to_numpy()
    if not hit.any():
        return table
    where = np.full(table.num_rows, -1, np.int64)
    where[rows[hit]] = np.arange(int(hit.sum()))
    index = pa.array(where, mask=where < 0)
    levels = words.filter(pl.Series(hit)).to_arrow(compat_level=pl.CompatLevel.oldest())
    levels = levels.take(index)
    if raw is not None:
        levels = pc.coalesce(levels, plain(raw).cast(levels.type))
    severity = severity_of(levels).cast(pa.large_string())
    if "severity" in table.column_names:
        severity = pc.coalesce(plain(table["severity"]).cast(severity.type), severity)
    table = put(put(table, "severity_raw", levels), "severity", severity)
    ctx.report.notes.append(
        f"{int(hit.sum()):,} row(s) without a level field took the level word near the start "
        "of their message"
    )
    return categorise(table)


def _text_column(column: pa.ChunkedArray) -> pa.ChunkedArray:
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        return column
    return column.cast(pa.large_string())

"""A file's timestamp shape: the first timestamp's text with its digits generalised, as a
one-pass regex that the generic text reader tries before its full pattern.

A style's full pattern has optional and alternative parts (fractions, zones, ``T`` or a
space), so the regex engine cannot run it as a one-pass DFA; capturing with it costs about
three times what a pattern of fixed shape does. Most lines of a file share one shape, so
the lines of that shape go through the narrow pattern and only the others through the full
one. The narrow pattern must give exactly what the full one gives wherever it matches:
a test holds it to that.
"""

from __future__ import annotations

import re

import polars as pl

from postmortem_kit.ingest.timestamps import ZONE_ABBREVIATIONS, TimeStyle

#: Styles whose every digit field is plain ``\d`` (no ranges such as ``[01]\d``), so that a
#: shape matches only what the style matches, and whose text can run on past a shape only
#: by a fraction or a zone, which :func:`at_start_groups` leaves to the full pattern.
SHAPE_STYLES = frozenset({"iso8601", "clf", "bsd"})
#: Zone abbreviations a style's pattern reads after a space: a word that may belong to the
#: timestamp rather than be the level word after it.
ZONE_WORDS = sorted(k for k in ZONE_ABBREVIATIONS if k != "Z")
#: What the full pattern's separator part takes after the timestamp (at least one here).
_SEPARATOR = r"[ \t,;:\-|\]>)]+"


def timestamp_shape(sample: list[str], style: TimeStyle) -> str | None:
    """The shape of the first sample line that starts with a timestamp of ``style``: its
    text with each ASCII digit as ``[0-9]`` and the rest literal. ``None`` for a style not
    in :data:`SHAPE_STYLES` or when no line starts so."""
    if style.name not in SHAPE_STYLES:
        return None
    for line in sample:
        m = style.regex.match(line)
        if m and m.group(0):
            text = m.group(0)
            return "".join("[0-9]" if c in "0123456789" else re.escape(c) for c in text)
    return None


def fast_pattern(shape: str) -> str:
    """The one-pass pattern for lines of ``shape``: the timestamp, at least one separator
    character and a word ending where the full pattern's level word ends."""
    return rf"^(?P<ts>{shape})(?P<_s>{_SEPARATOR})(?P<_l1>[A-Za-z]+)(?:[\s\]>)|:,]|$)"


def at_start_groups(lines: pl.DataFrame, full: str, shape: str | None) -> pl.DataFrame:
    """``lines`` with the groups ``ts``, ``_s``, ``_w`` and ``_l1`` of ``full`` (the generic
    reader's pattern for a timestamp that starts the line). Lines of ``shape`` whose
    timestamp is followed by a separator and a word go through a one-pass pattern; the
    others, and those whose word is a zone abbreviation (which the full pattern may read
    as part of the timestamp), through ``full``."""
    columns = [*lines.columns, "ts", "_s", "_w", "_l1"]
    if shape is None:
        return lines.with_columns(pl.col("line").str.extract_groups(full).alias("_g")).unnest("_g")
    g = lines.with_columns(pl.col("line").str.extract_groups(fast_pattern(shape)).alias("_g"))
    g = g.unnest("_g")
    g = g.with_columns(_w=pl.when(pl.col("ts").is_not_null()).then(pl.lit(""))).select(columns)
    miss = g.select(
        (pl.col("ts").is_null() & pl.col("line").is_not_null())
        | pl.col("_l1").is_in(ZONE_WORDS).fill_null(False)
    ).to_series()
    if not miss.any():
        return g
    slow = g.filter(miss).select(lines.columns)
    slow = slow.with_columns(pl.col("line").str.extract_groups(full).alias("_g")).unnest("_g")
    return pl.concat([g.filter(~miss), slow.select(columns)]).sort("line_no")

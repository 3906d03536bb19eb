"""A file's timestamp shape: the first timestamp's text with its digits generalised, in
one-pass regexes that the generic text reader tries before its full pattern.

A style's full pattern has optional and alternative parts (fractions, zones, ``T`` or a
space), so the regex engine cannot run it as a one-pass DFA; capturing with it costs about
three times what a pattern of fixed shape does. Most lines of a file share one shape, so
the lines of that shape go through the shape's patterns (:data:`SHAPE_WAYS`: a level word
right after the time; a bracketed thread, then the level word, as log4j's and logback's
usual layouts have it; else anything that cannot belong to the time) and only the others
through the full one. The shape's patterns must give exactly what the full one gives
wherever they match (the bracket pattern: what the level search after it gives): a test
holds them to that.
"""

from __future__ import annotations

import functools
import re

import polars as pl

from postmortem_kit.ingest.levelwords import LEVEL, LEVEL_WITHIN
from postmortem_kit.ingest.timestamps import TimeStyle
from postmortem_kit.ingest.zonenames import ABBREVIATIONS

#: Styles whose every digit field is plain ``\d`` (no ranges such as ``[01]\d``), so that a
#: shape matches only what the style matches, and whose text can run on past a shape only
#: by a fraction or a zone, which :func:`at_start_groups` leaves to the full pattern.
SHAPE_STYLES = frozenset({"iso8601", "clf", "bsd"})
#: Zone abbreviations a style's pattern reads after a space: a word that may belong to the
#: timestamp rather than be the level word after it.
ZONE_WORDS = sorted(ABBREVIATIONS)
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
    """The narrow one-pass pattern for lines of ``shape``: the timestamp, at least one
    separator character and a word ending where the full pattern's level word ends (most
    lines of most logs)."""
    return rf"^(?P<ts>{shape})(?P<_s>{_SEPARATOR})(?P<_l1>[A-Za-z]+)(?:[\s\]>)|:,]|$)"


def bracket_pattern(shape: str) -> str:
    """The one-pass pattern for lines of ``shape`` with a bracketed word between the time
    and the level word (log4j's and logback's ``%d [%t] %-5level``): the timestamp, at
    least one separator character, the brackets (``_br``), white space (``_g``) and a word
    ending where a level word ends (``_l1``)."""
    return (
        rf"^(?P<ts>{shape})(?P<_s>{_SEPARATOR})(?P<_br>\[[^\]]*\])(?P<_g>\s+)"
        r"(?P<_l1>[A-Za-z]+)(?:[\s\]>)|:,]|$)"
    )


def bracket_columns() -> dict[str, pl.Expr]:
    """From the groups of :func:`bracket_pattern`: the full pattern's ``_w`` (empty), and
    ``_l1`` where it is the word the level search (:data:`.levelwords.REST_LEVEL`) finds
    first, else null (so that the line is searched): where no level word is inside the
    brackets and the word ends within the searched characters. The brackets cannot belong
    to the timestamp, so ``_full`` is only whether the line is of another shape.

    The search cannot find a level word that starts before the brackets (the separator
    has no letters, and a level word after it must start there) nor in the white space
    after them, and a level word inside them ends at the closing bracket at the latest:
    so searching the brackets alone tells whether it finds one before ``_l1``."""
    used = pl.sum_horizontal(pl.col(c).str.len_chars() for c in ("_s", "_br", "_g", "_l1"))
    first = (used < LEVEL_WITHIN) & ~pl.col("_br").str.contains(LEVEL)
    return {
        "_w": pl.when(pl.col("ts").is_not_null()).then(pl.lit("")),
        "_l1": pl.when(first).then(pl.col("_l1")),
        "_full": pl.col("ts").is_null(),
    }


def wide_pattern(shape: str) -> str:
    """The wide one-pass pattern for lines of ``shape``: the timestamp, at least one
    separator character and the letters after them (``_tok``, perhaps none), for lines
    where something else follows the time first (``[main]``, ``web-1``)."""
    return rf"^(?P<ts>{shape})(?P<_s>{_SEPARATOR})(?P<_tok>[A-Za-z]*)"


def fast_columns() -> dict[str, pl.Expr]:
    """From the groups of :func:`fast_pattern`: the full pattern's ``_w`` (empty) and
    ``_full``: whether the line must go through the full pattern instead (of another
    shape, or its word is a zone abbreviation, which the full pattern may read as part of
    the timestamp)."""
    return {
        "_w": pl.when(pl.col("ts").is_not_null()).then(pl.lit("")),
        "_full": (pl.col("ts").is_null() | pl.col("_l1").is_in(ZONE_WORDS)).fill_null(True),
    }


def wide_columns() -> dict[str, pl.Expr]:
    """From the groups of :func:`wide_pattern` (and ``line``): the full pattern's ``_w``
    (empty) and ``_l1`` (the letters, when a level word could end there), and ``_full``:
    whether the line must go through the full pattern instead, because the text after the
    separator may still belong to the timestamp (a digit, a plus or white space the separator
    class lacks: a fraction or an offset; a zone abbreviation) or the line is of another
    shape."""
    tok = pl.col("_tok")
    end = pl.col("ts").str.len_chars() + pl.col("_s").str.len_chars() + tok.str.len_chars()
    after = pl.col("line").str.slice(end, 1)
    return {
        "_w": pl.when(pl.col("ts").is_not_null()).then(pl.lit("")),
        "_l1": pl.when((tok != "") & after.str.contains(r"^(?:[\s\]>)|:,]|$)")).then(tok),
        "_full": (
            pl.col("ts").is_null()
            | ((tok == "") & after.str.contains(r"^[\s0-9+]"))
            | tok.is_in(ZONE_WORDS)
        ).fill_null(True),
    }


#: The one-pass ways to read lines of a shape, narrowest first: each pattern (of the shape)
#: and the columns that complete its groups to the full pattern's (with ``_full``).
SHAPE_WAYS = (
    (fast_pattern, fast_columns),
    (bracket_pattern, bracket_columns),
    (wide_pattern, wide_columns),
)


@functools.lru_cache(maxsize=64)
def _ways(shape: str) -> tuple[tuple[re.Pattern, str, dict[str, pl.Expr]], ...]:
    """:data:`SHAPE_WAYS` for ``shape``: each compiled, as text, and its columns (built once
    per shape: a block would otherwise spend a millisecond building expressions)."""
    return tuple((re.compile(p(shape)), p(shape), columns()) for p, columns in SHAPE_WAYS)


def shape_way(shape: str, first: str) -> tuple[str, dict[str, pl.Expr], str] | None:
    """The narrowest of :data:`SHAPE_WAYS` that reads ``first`` (a block's first line),
    as ``(pattern, columns, the first line's timestamp)`` (``columns`` is shared: do not
    change it); ``None`` when none does."""
    for regex, pattern, columns in _ways(shape):
        found = regex.match(first)
        if found:
            return pattern, columns, found["ts"]
    return None


def at_start_groups(lines: pl.DataFrame, full: str, shape: str | None) -> pl.DataFrame:
    """``lines`` with the groups ``ts``, ``_s``, ``_w`` and ``_l1`` of ``full`` (the generic
    reader's pattern for a timestamp that starts the line). Lines of ``shape`` go through
    the one-pass patterns of :data:`SHAPE_WAYS`, narrowest first; the others through
    ``full``."""
    columns = [*lines.columns, "ts", "_s", "_w", "_l1"]
    if shape is None:
        return lines.with_columns(pl.col("line").str.extract_groups(full).alias("_g")).unnest("_g")
    done, rest = [], lines
    for pattern, more in SHAPE_WAYS:
        g = rest.with_columns(pl.col("line").str.extract_groups(pattern(shape)).alias("_g"))
        g = g.unnest("_g").with_columns(**more())
        miss = g.select(pl.col("_full") & pl.col("line").is_not_null()).to_series()
        done.append(g.filter(~miss).select(columns) if miss.any() else g.select(columns))
        if not miss.any():
            break
        rest = g.filter(miss).select(lines.columns)
    else:
        slow = rest.with_columns(pl.col("line").str.extract_groups(full).alias("_g"))
        done.append(slow.unnest("_g").select(columns))
    return done[0] if len(done) == 1 else pl.concat(done).sort("line_no")

"""logfmt (``time=… level=info msg="quoted \\"text\\""``): each known key's value taken
straight out of the line by one regex per key, and only the lines that this cannot read for
certain tokenised pair by pair.

A line is read directly when every ``=`` in it belongs to a known key found at the start of
a word and no value found holds an ``=``: then no key hides inside another key's quoted value
and no key repeats. Any other line (an unknown key, a repeated one, an ``=`` inside a value)
goes through the tokeniser, whose new keys are read directly from then on.
"""

from __future__ import annotations

import re

import polars as pl

from postmortem_kit.ingest.recordblock import records_block
from postmortem_kit.ingest.registry import BlockRows, ParseContext
from postmortem_kit.ingest.source import collect_block, first_line_text, scan_raw_lines
from postmortem_kit.ingest.structured import normalise_records
from postmortem_kit.ingest.text import reject_rows

_VALUE = r'("(?:[^"\\]|\\.)*"|\S*)'
_PAIR = re.compile(r'([^\s="]+)=' + _VALUE)
LOGFMT_LINE = re.compile(
    r'^\s*[^\s="]+=(?:"(?:[^"\\]|\\.)*"|\S*)(?:\s+[^\s="]+=(?:"(?:[^"\\]|\\.)*"|\S*))+\s*$'
)
#: ``ctx.state`` key of the keys seen so far in the file, in first-seen order.
_KEYS = "logfmt_keys"
#: Column of :func:`prepare_logfmt`'s values.
_SHAPE = "_shape"
#: A value that holds no ``=``: quoted (``\\"`` escapes allowed), bare (not starting with a
#: quote) or empty. A bare value cannot start with a quote, so a quoted value followed by
#: more text (``"a"b``) matches neither and the line goes the careful way.
_PLAIN = r'(?:"(?:[^"\\=]|\\[^=])*"|[^\s="][^\s=]*|)'


def _shape_pattern(keys: tuple[str, ...]) -> str:
    r"""A regex for a whole line of exactly ``keys``, in this order, separated by spaces or
    tabs, with no ``=`` in any value: one ``_v<i>`` group per key.

    The separators are ``[ \t]``, not ``\s``: with Unicode ``\s`` between the pairs the
    regex engine cannot run the pattern as a one-pass DFA, and it costs three times as much.
    A line separated by other white space (no-break space, em space) is not matched and goes
    the careful way, which splits at any ``\s``; values still exclude every ``\s``."""
    pairs = (re.escape(k) + f"=(?P<_v{i}>{_PLAIN})" for i, k in enumerate(keys))
    return r"^[ \t]*" + r"[ \t]+".join(pairs) + r"[ \t]*$"


def _line_keys(lines: pl.DataFrame) -> tuple[str, ...]:
    """The keys of the block's first line with pairs, in order (none if a key repeats)."""
    first = lines["line"].drop_nulls().head(1).to_list()
    return _keys_of(first[0]) if first else ()


def _keys_of(line: str) -> tuple[str, ...]:
    """The keys of a line's pairs, in order (none if a key repeats)."""
    keys = tuple(k for k, _ in _PAIR.findall(line))
    return keys if len(set(keys)) == len(keys) else ()


def prepare_logfmt(lines: pl.DataFrame, *, data: bytes = b"", state=None) -> pl.DataFrame:
    """The block's lines with ``_shape``: a struct of the raw values of every line that has
    the same keys, in the same order, as the block's first line and no ``=`` inside a
    value (null for the other lines). One regex pass reads these for certain: every ``=``
    belongs to a key at the start of a word and none repeats. Pure (it looks at the block
    only), so it runs a block ahead in a worker thread; a block without pairs gets none."""
    if _SHAPE in lines.columns:
        return lines
    keys = _line_keys(lines)
    if not keys:
        return lines
    shape = pl.col("line").str.extract_groups(_shape_pattern(keys))
    return lines.with_columns(shape.struct.rename_fields(list(keys)).alias(_SHAPE))


def _shaped(lines: pl.DataFrame) -> tuple[pl.DataFrame, pl.Series, tuple[str, ...]]:
    """The lines :func:`prepare_logfmt` read (their ``line_no`` and raw values), which lines
    they are, and their keys."""
    lines = prepare_logfmt(lines)
    if _SHAPE not in lines.columns:
        return lines.select("line_no").head(0), pl.Series([False] * lines.height), ()
    values = lines.select("line_no", pl.col(_SHAPE).struct.unnest())
    keys = tuple(values.columns[1:])
    matched = values[keys[0]].is_not_null()
    return values.filter(matched), matched, keys


def sniff_logfmt(sample: list[str], name: str) -> tuple[float, str]:
    if not sample:
        return 0.0, "no lines"
    hits = sum(1 for line in sample if LOGFMT_LINE.match(line))
    return 0.95 * hits / len(sample), f"{hits}/{len(sample)} sample lines are key=value pairs"


def _value_of(key: str) -> pl.Expr:
    """The raw (still quoted) value of ``key``'s first pair that starts a word."""
    return pl.col("line").str.extract(r"(?:^|\s)" + re.escape(key) + "=" + _VALUE, 1).alias(key)


def unquote(column: str) -> pl.Expr:
    """A quoted value without its quotes and with ``\\"`` and ``\\\\`` unescaped."""
    v = pl.col(column)
    quoted = v.str.starts_with('"') & v.str.ends_with('"') & (v.str.len_chars() >= 2)
    inner = (
        v.str.slice(1, v.str.len_chars() - 2)
        .str.replace_all('\\"', '"', literal=True)
        .str.replace_all("\\\\", "\\", literal=True)
    )
    return pl.when(quoted).then(inner).otherwise(v).alias(column)


def _direct(lines: pl.DataFrame, keys: list[str]) -> tuple[pl.DataFrame, pl.Series]:
    """The known keys' raw values of every line, and which lines they read for certain."""
    if not keys:
        return lines.select("line_no").head(0), pl.Series([False] * lines.height)
    found = lines.select(
        "line_no", pl.col("line").str.count_matches("=", literal=True).alias("_eq"),
        *(_value_of(k) for k in keys),
    )  # fmt: skip
    hidden = (pl.col(k).str.contains("=", literal=True).fill_null(False) for k in keys)
    certain = found.select(
        (pl.col("_eq") > 0)
        & (pl.col("_eq") == pl.sum_horizontal(pl.col(k).is_not_null() for k in keys))
        & ~pl.any_horizontal(hidden)
    ).to_series()
    return found.drop("_eq").filter(certain), certain


def _tokenised(lines: pl.DataFrame) -> pl.DataFrame:
    """Every ``key=value`` pair of every line, one column per key (first pair wins)."""
    pairs = (
        lines.select("line_no", pl.col("line").str.extract_all(_PAIR.pattern).alias("_p"))
        .explode("_p")
        .filter(pl.col("_p").is_not_null())
        .select(
            "line_no",
            _k=pl.col("_p").str.extract(r"^([^=]+)="),
            _v=pl.col("_p").str.extract(r"^[^=]+=(.*)$"),
        )
    )  # fmt: skip
    if not pairs.height:
        return lines.select("line_no").head(0)
    return pairs.pivot(on="_k", index="line_no", values="_v", aggregate_function="first")


def parse_logfmt(lines: pl.DataFrame, ctx: ParseContext) -> pl.DataFrame:
    """Vectorised: the lines shaped like the block's first line by one regex for the whole
    line, the others by one regex per known key, and those that this cannot read for
    certain pair by pair."""
    keys: list[str] = ctx.state.setdefault(_KEYS, [])
    shaped, matched, shape_keys = _shaped(lines)
    lines = lines.drop(_SHAPE, strict=False)
    keys.extend(k for k in shape_keys if k not in keys)
    others = lines.filter(~matched) if shaped.height else lines
    direct, certain = _direct(others, keys)
    rest = _tokenised(others.filter(~certain))
    keys.extend(k for k in rest.columns if k != "line_no" and k not in keys)
    parts = [p for p in (shaped, direct, rest) if p.height]
    read = pl.concat([p.select("line_no") for p in parts]) if parts else shaped.select("line_no")
    has_pairs = lines["line_no"].is_in(read["line_no"].implode())
    kept = reject_rows(ctx, lines, ~has_pairs, "no key=value pairs")
    if not kept.height:
        return pl.DataFrame(schema={"line_no": pl.Int64, "timestamp": pl.Datetime("ns", "UTC")})
    wide = pl.concat(parts, how="diagonal_relaxed") if len(parts) > 1 else parts[0]
    if len(parts) > 1:
        wide = wide.sort("line_no")
    wide = wide.select("line_no", *(unquote(k) for k in keys if k in wide.columns))
    return normalise_records(wide.drop("line_no"), kept, ctx)


def read_logfmt_block(data: bytes, *, first_line: int, ctx: ParseContext) -> BlockRows | None:
    """``read_block`` of logfmt: a block whose every line has the keys of its first line, in
    that order, with no ``=`` inside a value (what :func:`prepare_logfmt` reads for
    certain), straight to its finished rows by :func:`.recordblock.records_block`; ``None``
    for any other block."""
    first = first_line_text(data)
    keys = _keys_of(first) if first else ()
    scan = scan_raw_lines(data)  # a line of white space or none has no keys: not taken
    if not keys or scan is None:
        return None
    # parse_logfmt's column order: the file's keys in first-seen order
    order = list(ctx.state.get(_KEYS, ()))
    order += [k for k in keys if k not in order]
    shape = pl.col("line").str.extract_groups(_shape_pattern(keys)).struct.rename_fields(keys)
    query = scan.select(shape.alias(_SHAPE)).unnest(_SHAPE)
    values = collect_block(query.select(*(unquote(k) for k in order if k in keys)))
    if values is None or values[keys[0]].has_nulls():  # a line of other keys, or blank
        return None
    return records_block(
        values.to_arrow(compat_level=pl.CompatLevel.oldest()), first_line=first_line,
        ctx=ctx, state={_KEYS: order},
    )  # fmt: skip

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

from postmortem_kit.ingest.registry import ParseContext
from postmortem_kit.ingest.structured import normalise_records
from postmortem_kit.ingest.text import reject_rows

_VALUE = r'("(?:[^"\\]|\\.)*"|\S*)'
_PAIR = re.compile(r'([^\s="]+)=' + _VALUE)
_LOGFMT_LINE = re.compile(
    r'^\s*[^\s="]+=(?:"(?:[^"\\]|\\.)*"|\S*)(?:\s+[^\s="]+=(?:"(?:[^"\\]|\\.)*"|\S*))+\s*$'
)
#: ``ctx.state`` key of the keys seen so far in the file, in first-seen order.
_KEYS = "logfmt_keys"


def sniff_logfmt(sample: list[str], name: str) -> tuple[float, str]:
    if not sample:
        return 0.0, "no lines"
    hits = sum(1 for line in sample if _LOGFMT_LINE.match(line))
    return 0.95 * hits / len(sample), f"{hits}/{len(sample)} sample lines are key=value pairs"


def _value_of(key: str) -> pl.Expr:
    """The raw (still quoted) value of ``key``'s first pair that starts a word."""
    return pl.col("line").str.extract(r"(?:^|\s)" + re.escape(key) + "=" + _VALUE, 1).alias(key)


def _unquote(column: str) -> pl.Expr:
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
    """Vectorised: the known keys' values by one regex each, the other lines pair by pair."""
    keys: list[str] = ctx.state.setdefault(_KEYS, [])
    direct, certain = _direct(lines, keys)
    rest = _tokenised(lines.filter(~certain))
    keys.extend(k for k in rest.columns if k != "line_no" and k not in keys)
    has_pairs = certain | lines["line_no"].is_in(rest["line_no"].implode())
    kept = reject_rows(ctx, lines, ~has_pairs, "no key=value pairs")
    if not kept.height:
        return pl.DataFrame(schema={"line_no": pl.Int64, "timestamp": pl.Datetime("ns", "UTC")})
    wide = pl.concat([direct, rest], how="diagonal_relaxed") if rest.height else direct
    if rest.height and direct.height:
        wide = wide.sort("line_no")
    wide = wide.select("line_no", *(_unquote(k) for k in keys if k in wide.columns))
    return normalise_records(wide.drop("line_no"), kept, ctx)

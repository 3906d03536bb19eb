"""The columns every log frame has, and the normalised severity scale."""

from __future__ import annotations

import polars as pl
import pyarrow as pa

from postmortem_kit.ingest.frame import narrow_dictionaries, narrow_indices

#: Normalised severities, least to most severe.
SEVERITIES: tuple[str, ...] = ("debug", "info", "notice", "warning", "error", "critical")

#: Core columns, in order: every frame ``load_logs`` returns starts with these.
CORE_COLUMNS: dict[str, pl.DataType] = {
    "timestamp": pl.Datetime("ns", "UTC"),
    "source": pl.String,
    "host": pl.String,
    "severity": pl.String,
    "severity_raw": pl.String,
    "message": pl.String,
    "provenance": pl.String,
    "format": pl.String,
    "time_note": pl.String,
}

_SEVERITY_WORDS = {
    "debug": ("trace", "debug", "dbug", "dbg", "verbose", "fine", "finer", "finest", "config",
              "debug1", "debug2", "debug3", "debug4", "debug5", "v", "t", "d", "7", "10", "20",
              "d1", "d2", "d3", "d4", "d5"),
    "info": ("info", "inf", "information", "informational", "log", "hint", "detail",
             "statement", "context", "location", "query", "success", "i", "6", "30"),
    "notice": ("notice", "note", "n", "5"),
    "warning": ("warn", "warning", "wrn", "w", "4", "40"),
    "error": ("error", "err", "eror", "severe", "e", "3", "50"),
    "critical": ("critical", "crit", "fatal", "panic", "alert", "emerg", "emergency", "f", "a",
                 "c", "0", "1", "2", "60"),
}  # fmt: skip
SEVERITY_MAP = {word: level for level, words in _SEVERITY_WORDS.items() for word in words}


def normalise_severity(raw: pl.Expr) -> pl.Expr:
    """Map raw level words and numbers (syslog 0–7, pino 10–60) onto :data:`SEVERITIES`.

    Unknown words give null; the raw value stays in ``severity_raw``.
    """
    return (
        raw.cast(pl.String).str.strip_chars().str.strip_chars("[]<>:").str.to_lowercase()
        .replace_strict(SEVERITY_MAP, default=None, return_dtype=pl.String)
    )  # fmt: skip


#: :func:`normalise_severity` of raw level words seen so far (a log has a handful).
_NORMALISED: dict[str, str | None] = {}
_UNSEEN = object()


def normalise_words(words: pa.Array) -> pa.Array:
    """:func:`normalise_severity` of each of a few distinct raw level words (the dictionary
    of a block's levels), remembered from block to block."""
    values = words.to_pylist()
    # a local copy: another worker thread may clear the shared cache meanwhile
    cached = ((w, _NORMALISED.get(w, _UNSEEN)) for w in dict.fromkeys(values))
    known = {w: v for w, v in cached if v is not _UNSEEN}
    new = [w for w in dict.fromkeys(values) if w is not None and w not in known]
    if new:
        found = pl.Series("raw", new, dtype=pl.String).to_frame()
        found = found.select(normalise_severity(pl.col("raw")))["raw"].to_list()
        known.update(zip(new, found, strict=True))
        if len(_NORMALISED) > 10_000:  # a log whose "levels" are free text
            _NORMALISED.clear()
        _NORMALISED.update(zip(new, found, strict=True))
    return pa.array([None if w is None else known[w] for w in values], pa.string())


def severity_of(raw: pa.Array | pa.ChunkedArray) -> pa.Array:
    """:func:`normalise_severity` of each raw level, worked out once per distinct one (a log
    has a handful, :func:`normalise_words` remembers them) instead of once per row."""
    if isinstance(raw, pa.ChunkedArray):
        raw = raw.combine_chunks()
    return _severity_of(raw.dictionary_encode())


def _severity_of(encoded: pa.DictionaryArray) -> pa.Array:
    return normalise_words(encoded.dictionary).take(encoded.indices)


def severity_categories(raw: pa.Array) -> tuple[pa.ChunkedArray, pa.ChunkedArray]:
    """``severity`` and ``severity_raw`` of a block's raw levels (text) as :func:`categorise`
    keeps them, with one dictionary encoding instead of three: the raw levels encoded, and
    their :func:`normalise_severity`, worked out once per distinct one, encoded alike
    (categories in order of first appearance, as :func:`categorise` has them)."""
    encoded = raw.dictionary_encode()
    normal = normalise_words(encoded.dictionary).dictionary_encode()
    severity = pa.DictionaryArray.from_arrays(
        normal.indices.take(encoded.indices), normal.dictionary.cast(pa.large_string())
    )
    return narrow_indices(pa.chunked_array([severity])), narrow_indices(pa.chunked_array([encoded]))


def with_severity(frame: pl.DataFrame, raw: str = "severity_raw") -> pl.DataFrame:
    """``frame`` with ``severity``, :func:`normalise_severity` of column ``raw``, worked out
    once per distinct raw value (see :func:`severity_of`), or per row when nearly every
    value is another (free text, which would only fill the cache of known words)."""
    encoded = frame[raw].cast(pl.String).to_arrow().dictionary_encode()
    if len(encoded.dictionary) > frame.height // 4:
        return frame.with_columns(severity=normalise_severity(pl.col(raw)))
    return frame.with_columns(severity=pl.from_arrow(_severity_of(encoded)))


def severity_from_http_status(status: pl.Expr) -> pl.Expr:
    """Access logs have no level: 5xx is an error, 4xx a warning, the rest info."""
    return (
        pl.when(status >= 500).then(pl.lit("error"))
        .when(status >= 400).then(pl.lit("warning"))
        .when(status.is_not_null()).then(pl.lit("info"))
        .otherwise(pl.lit(None, pl.String))
    )  # fmt: skip


#: Columns with few distinct values, returned as categoricals (cheap to convert and hold): the
#: core ones, the time note (DST flags), syslog's program and access logs' HTTP method and
#: protocol.
CATEGORICAL = (
    "source", "format", "severity", "severity_raw", "host", "program", "method", "protocol",
    "time_note",
)  # fmt: skip


def conform(frame: pl.DataFrame) -> pl.DataFrame:
    """Add missing core columns (as nulls), cast them, and put them first.

    ``source``, ``format`` and ``severity`` stay strings here; :func:`categorise` turns them
    into categoricals once the block is an Arrow table.
    """
    exprs = []
    for name, dtype in CORE_COLUMNS.items():
        if name in frame.columns:
            exprs.append(pl.col(name).cast(dtype, strict=False))
        else:
            exprs.append(pl.lit(None, dtype).alias(name))
    rest = [c for c in frame.columns if c not in CORE_COLUMNS]
    return frame.select(*exprs, *rest)


def empty_frame() -> pl.DataFrame:
    """A frame with the core columns and no rows."""
    return pl.DataFrame(schema=CORE_COLUMNS)


def _is_text(dtype: pa.DataType) -> bool:
    return pa.types.is_string(dtype) or pa.types.is_large_string(dtype)


def categorise(table: pa.Table) -> pa.Table:
    """Dictionary-encode the low-cardinality columns (pandas categoricals) of one block's
    table; :func:`unify_categories` gives the blocks of a frame one dictionary each."""
    for name in CATEGORICAL:
        if name in table.column_names and _is_text(table.schema.field(name).type):
            i = table.column_names.index(name)
            encoded = table[name].dictionary_encode()
            table = table.set_column(i, name, narrow_indices(encoded))
    return table


def unify_categories(table: pa.Table) -> pa.Table:
    """One dictionary per categorical column across a table's chunks, with the narrowest
    index type that holds its categories."""
    return narrow_dictionaries(table)

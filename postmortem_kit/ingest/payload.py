"""Structured payloads inside container and system logs: a message that is a whole JSON
object, or a structured logger's logfmt line (``time="…" level=error msg="…"``: logrus,
go-kit, Prometheus; it must have a level or message key), as an app writes them to stdout
and a CRI or Docker container log, ``kubectl logs --timestamps``, journald or syslog wrap
them, is unpacked, once per file. A file is searched for logfmt lines only when some of a
thousand messages spread through it are.

Its level, message, trace id, service, program and pid keys (the names JSON lines map:
:data:`.structured.KEYS`) fill those columns: the payload's level wins over what the
envelope said (syslog's priority, a runtime's stream), its message replaces the JSON text.
Every other key becomes a column of its own (dotted when nested), named ``KEY_field`` where
the frame has that column already. The line's own time stays the ``timestamp`` (the
runtime's or the journal's, in file order); the payload's time is kept under its key, as
text. A message that only looks like JSON (``{`` first, ``}`` last) but is not valid JSON
stays as it was, and the report counts those; one that spans lines (a record printed over
several) is left as it is.
"""

from __future__ import annotations

import json

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

from postmortem_kit.ingest.columns import categorise, severity_of
from postmortem_kit.ingest.levelwords import LEVEL
from postmortem_kit.ingest.registry import ParseContext
from postmortem_kit.ingest.structured import (
    KEYS,
    columns_from_records,
    flatten_dict,
    flatten_structs,
    map_keys,
    read_json_bytes,
    text_of,
)

#: The payload keys that fill the frame's own columns (its time is not one: see the module).
PAYLOAD_KEYS = {column: keys for column, keys in KEYS.items() if column != "timestamp"}
#: Messages parsed at a time (bounds the memory the JSON text and its columns take).
_SLICE = 200_000


def _first_byte_is_brace(message: pa.ChunkedArray) -> np.ndarray:
    """Whether each value's first byte is ``{``, read from the string buffers (a third of
    the time of ``pyarrow.compute.starts_with`` on 1M messages). A null's slot may hold
    bytes: :func:`_json_rows` drops those rows after."""
    out = []
    for chunk in message.chunks:
        n = len(chunk)
        if not n:
            continue
        _, offsets_buffer, data_buffer = chunk.buffers()
        large = pa.types.is_large_string(chunk.type) or pa.types.is_large_binary(chunk.type)
        dtype = np.int64 if large else np.int32
        offsets = np.frombuffer(
            offsets_buffer, dtype, count=n + 1, offset=chunk.offset * np.dtype(dtype).itemsize
        )
        if data_buffer is None or not data_buffer.size:
            out.append(np.zeros(n, bool))
            continue
        data = np.frombuffer(data_buffer, np.uint8)
        first = offsets[:-1]
        out.append((offsets[1:] > first) & (data[np.minimum(first, data.size - 1)] == ord("{")))
    return np.concatenate(out) if out else np.zeros(0, bool)


def _take(column: pa.ChunkedArray, rows) -> pa.Array:
    """``column``'s values at ``rows`` (ascending), taken chunk by chunk: ``take`` on a
    chunked array joins its chunks first, which copies the whole column (24 ms for 1M
    messages, to look at a thousand)."""
    rows = np.asarray(rows, np.int64)
    ends = np.cumsum([len(c) for c in column.chunks])
    which = np.searchsorted(ends, rows, side="right")
    parts = []
    for k in np.unique(which):
        local = rows[which == k] - (ends[k] - len(column.chunks[k]))
        parts.append(column.chunks[k].take(pa.array(local)))
    return pa.concat_arrays(parts) if parts else pa.array([], column.type)


def _json_rows(message: pa.ChunkedArray) -> pa.Array:
    """The rows whose message is one line that starts with ``{`` and ends with ``}``
    (white space after it allowed). Only messages that start so are looked at further: a
    file of other messages costs one pass that copies nothing."""
    if not (pa.types.is_string(message.type) or pa.types.is_large_string(message.type)):
        message = message.cast(pa.large_string())
    starts = _first_byte_is_brace(message)
    if not starts.any():
        return pa.array([], pa.uint64())
    rows = pa.array(np.flatnonzero(starts).astype(np.uint64))
    texts = _take(message, rows.to_numpy())
    ends = pc.ends_with(pc.utf8_rtrim_whitespace(texts), "}")
    one_line = pc.invert(pc.match_substring(texts, "\n"))
    return rows.filter(pc.fill_null(pc.and_(ends, one_line), False))


def _parse(texts: list[str] | pa.Array) -> tuple[pl.DataFrame, list[bool]]:
    """The flattened keys of each JSON object in ``texts`` (one row each, in order), and
    which of them were valid JSON objects (a row of nulls for the others)."""
    array = texts if isinstance(texts, pa.Array) else pa.array(texts, pa.large_string())
    payload = "\n".join(array.to_pylist()).encode("utf-8")
    try:
        table = read_json_bytes(payload)
        if table.num_rows == len(array):
            return pl.from_arrow(flatten_structs(table)), [True] * len(array)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    records, valid = [], []
    for text in array.to_pylist():  # one at a time: which are not valid JSON objects
        try:
            obj = json.loads(text)
        except ValueError:
            obj = None
        ok = isinstance(obj, dict)
        valid.append(ok)
        records.append(flatten_dict(obj) if ok else {})
    return columns_from_records(records), valid


def _mapped(keys: pl.DataFrame, mapped: dict[str, list[str]]) -> list[pl.Expr]:
    """The frame's own columns from the payload keys that feed them (first present wins)."""
    exprs = []
    for column, present in mapped.items():
        if column == "pid":
            values = [pl.col(k).cast(pl.Int64, strict=False) for k in present]
        else:
            values = [text_of(keys, k) for k in present]
        exprs.append(pl.coalesce(values).alias(column))
    return exprs


def _column_name(name: str, taken: set[str]) -> str:
    """``name``, or ``name_field`` where the frame has a column of that name already."""
    return f"{name}_field" if name in taken else name


def _plain(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """A column's values, a categorical's decoded."""
    if pa.types.is_dictionary(column.type):
        return column.cast(column.type.value_type)
    return column


#: A whole message of logfmt pairs (``time="…" level=error msg="…"``: logrus, go-kit,
#: Prometheus, Grafana) with a level or message key: a structured logger's line.
_LOGFMT = r'^\s*[^\s="]+=(?:"(?:[^"\\]|\\.)*"|\S*)(?:\s+[^\s="]+=(?:"(?:[^"\\]|\\.)*"|\S*))+\s*$'
_LOGFMT_KEYED = r"(?:^|\s)(?:level|lvl|msg|message)="
_PAIR = r'[^\s="]+=(?:"(?:[^"\\]|\\.)*"|\S*)'
#: Messages looked at, spread through the file, before the file's are searched for logfmt.
_LOGFMT_SAMPLE = 1000


def _logfmt_rows(message: pa.ChunkedArray, json_rows: pa.Array) -> pa.Array:
    """The rows (not among ``json_rows``) whose message is a structured logger's logfmt
    line. A sample spread through the file is looked at first: a file without such lines
    costs nothing more."""
    n = len(message)
    step = max(1, n // _LOGFMT_SAMPLE)
    sample = pl.from_arrow(_take(message, np.arange(0, n, step))).cast(pl.String)
    if not sample.str.contains(_LOGFMT).fill_null(False).any():
        return pa.array([], pa.uint64())
    text = pl.from_arrow(message).cast(pl.String)
    hit = text.str.contains(_LOGFMT) & text.str.contains(_LOGFMT_KEYED)
    hit = hit.fill_null(False).to_numpy()
    hit[json_rows.to_numpy(zero_copy_only=False)] = False
    return pa.array(np.flatnonzero(hit).astype(np.uint64))


def _parse_logfmt(texts: pa.Array) -> tuple[pl.DataFrame, list[bool]]:
    """The keys of each logfmt line in ``texts`` (values unquoted; a repeated key's first
    value), one row each, in order."""
    pairs = pl.DataFrame({"_p": pl.from_arrow(texts).cast(pl.String).str.extract_all(_PAIR)})
    long = (
        pairs.with_row_index("_i")
        .explode("_p")
        .drop_nulls("_p")
        .select(
            "_i",
            _k=pl.col("_p").str.extract(r'^([^\s="]+)=', 1),
            _v=pl.col("_p").str.replace(r'^[^\s="]+=', ""),
        )
        .unique(["_i", "_k"], keep="first", maintain_order=True)
    )
    v = pl.col("_v")
    quoted = v.str.starts_with('"') & v.str.ends_with('"') & (v.str.len_chars() >= 2)
    inner = (
        v.str.slice(1, v.str.len_chars() - 2)
        .str.replace_all('\\"', '"', literal=True)
        .str.replace_all("\\\\", "\\", literal=True)
    )
    long = long.with_columns(_v=pl.when(quoted).then(inner).otherwise(v))
    keys = list(dict.fromkeys(long["_k"].to_list()))
    wide = long.pivot(on="_k", index="_i", values="_v", aggregate_function="first")
    wide = pl.DataFrame({"_i": pl.int_range(len(texts), eager=True, dtype=pl.UInt32)}).join(
        wide.with_columns(pl.col("_i").cast(pl.UInt32)), on="_i", how="left"
    )
    return wide.select(keys), [True] * len(texts)


def _records(message: pa.ChunkedArray, rows: pa.Array, parse) -> tuple[pl.DataFrame, list[bool]]:
    """``parse`` of the messages of ``rows``, in slices of :data:`_SLICE`."""
    parts, valid = [], []
    for start in range(0, len(rows), _SLICE):
        keys, ok = parse(_take(message, rows[start : start + _SLICE].to_numpy()))
        parts.append(keys)
        valid += ok
    return (pl.concat(parts, how="diagonal_relaxed") if len(parts) > 1 else parts[0]), valid


def _merge(
    table: pa.Table, rows: pa.Array, keys: pl.DataFrame, valid: list[bool]
) -> tuple[pa.Table, dict[str, list[str]]]:
    """``table`` with the records ``keys`` (one per row of ``rows``; ``valid``: which are
    records) merged in (see the module), and which keys fed the frame's own columns."""
    mapped, rest = map_keys(keys.columns, None, PAYLOAD_KEYS)
    # each row's record in ``keys`` (null: no valid record), to spread its values with take
    good = np.asarray(valid, bool)
    where = np.full(table.num_rows, -1, np.int64)
    where[rows.to_numpy(zero_copy_only=False)[good]] = np.flatnonzero(good)
    index = pa.array(where, mask=where < 0)

    def spread(values: pl.Series) -> pa.Array:
        return values.to_arrow(compat_level=pl.CompatLevel.oldest()).take(index)

    for expr in _mapped(keys, mapped):
        incoming = spread(keys.select(expr).to_series())
        column = expr.meta.output_name()
        if column == "severity_raw":  # the payload's level decides the severity
            level = severity_of(incoming).cast(pa.large_string())
            if "severity" in table.column_names:
                level = pc.if_else(pc.is_valid(incoming), level, _plain(table["severity"]))
            table = _put(table, "severity", level)
        if column in table.column_names:  # the payload's value wins where it has one
            old = _plain(table[column])
            incoming = pc.coalesce(incoming.cast(old.type), old)
        table = _put(table, column, incoming)
    taken = set(table.column_names)
    for key, name in rest:
        table = table.append_column(_column_name(name, taken), spread(keys[key]))
    return table, mapped


def unpack_payloads(table: pa.Table, ctx: ParseContext) -> pa.Table:
    """``table`` (a file's rows, categoricals as dictionaries) with the messages that are
    JSON objects or a structured logger's logfmt unpacked (see the module); the report gets
    a note saying how many, and from which keys. Only the columns that change are built
    anew."""
    if "message" not in table.column_names or not table.num_rows:
        return table
    message = table["message"]
    if not (pa.types.is_string(message.type) or pa.types.is_large_string(message.type)):
        message = message.cast(pa.large_string())
    json_rows = _json_rows(message)
    logfmt_rows = _logfmt_rows(message, json_rows)
    if not len(json_rows) and not len(logfmt_rows):
        return table
    for rows, parse, kind in (
        (json_rows, _parse, "JSON objects"),
        (logfmt_rows, _parse_logfmt, "logfmt pairs"),
    ):
        if not len(rows):
            continue
        keys, valid = _records(message, rows, parse)
        table, mapped = _merge(table, rows, keys, valid)
        unpacked = sum(valid)
        _note(ctx, kind, unpacked, len(valid) - unpacked, mapped)
    return categorise(table)


#: Characters at the start of a message a level word is looked for in.
_LEVEL_WITHIN = 120


def fill_levels(table: pa.Table, ctx: ParseContext) -> pa.Table:
    """``table`` with a level for the rows that have none: the first level word of
    :data:`.levelwords.LEVEL` in their message's first :data:`_LEVEL_WITHIN` characters (a
    whole upper-case or capitalised word, or a lower-case one in brackets), as syslog's
    messages are searched; the report says how many rows got one so."""
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
    message = pl.from_arrow(_take(_text_column(table["message"]), rows)).cast(pl.String)
    found = message.str.slice(0, _LEVEL_WITHIN).str.extract_groups(LEVEL)
    words = found.struct.field("_l1").fill_null(found.struct.field("_l2"))
    hit = words.is_not_null().to_numpy()
    if not hit.any():
        return table
    where = np.full(table.num_rows, -1, np.int64)
    where[rows[hit]] = np.arange(int(hit.sum()))
    index = pa.array(where, mask=where < 0)
    levels = words.filter(pl.Series(hit)).to_arrow(compat_level=pl.CompatLevel.oldest())
    levels = levels.take(index)
    if raw is not None:
        levels = pc.coalesce(levels, _plain(raw).cast(levels.type))
    severity = severity_of(levels).cast(pa.large_string())
    if "severity" in table.column_names:
        severity = pc.coalesce(_plain(table["severity"]).cast(severity.type), severity)
    table = _put(_put(table, "severity_raw", levels), "severity", severity)
    ctx.report.notes.append(
        f"{int(hit.sum()):,} row(s) without a level field took the level word near the start "
        "of their message"
    )
    return categorise(table)


def _text_column(column: pa.ChunkedArray) -> pa.ChunkedArray:
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        return column
    return column.cast(pa.large_string())


def _put(table: pa.Table, name: str, values) -> pa.Table:
    """``table`` with column ``name`` set to ``values`` (in its place, or appended)."""
    if name in table.column_names:
        return table.set_column(table.column_names.index(name), name, values)
    return table.append_column(name, values)


def _note(
    ctx: ParseContext, kind: str, unpacked: int, invalid: int, mapped: dict[str, list[str]]
) -> None:
    if unpacked:
        fed = ", ".join(f"{column} from '{keys[0]}'" for column, keys in mapped.items())
        ctx.report.notes.append(
            f"{unpacked:,} message(s) were {kind}, unpacked into columns"
            + (f" ({fed})" if fed else "")
            + "; the line's own time stays the timestamp"
        )
    if invalid:
        ctx.report.notes.append(
            f"{invalid:,} message(s) looked like JSON objects but are not valid JSON: kept as text"
        )

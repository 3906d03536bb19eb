"""JSON payloads inside container and system logs: a message that is a whole JSON object (an
app logging JSON to stdout, as read from a CRI or Docker container log, ``kubectl logs
--timestamps``, journald or syslog) is unpacked, once per file.

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
    texts = message.take(rows)
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


def unpack_json_payloads(table: pa.Table, ctx: ParseContext) -> pa.Table:
    """``table`` (a file's rows, categoricals as dictionaries) with the messages that are
    JSON objects unpacked (see the module); the report gets a note saying how many, and from
    which keys. Only the columns that change are built anew."""
    if "message" not in table.column_names or not table.num_rows:
        return table
    rows = _json_rows(table["message"])
    if not len(rows):
        return table
    parts, valid = [], []
    for start in range(0, len(rows), _SLICE):
        texts = table["message"].take(rows[start : start + _SLICE]).combine_chunks()
        keys, ok = _parse(texts)
        parts.append(keys)
        valid += ok
    keys = pl.concat(parts, how="diagonal_relaxed") if len(parts) > 1 else parts[0]
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
    unpacked = int(good.sum())
    _note(ctx, unpacked, len(valid) - unpacked, mapped)
    return categorise(table)


def _put(table: pa.Table, name: str, values) -> pa.Table:
    """``table`` with column ``name`` set to ``values`` (in its place, or appended)."""
    if name in table.column_names:
        return table.set_column(table.column_names.index(name), name, values)
    return table.append_column(name, values)


def _note(ctx: ParseContext, unpacked: int, invalid: int, mapped: dict[str, list[str]]) -> None:
    if unpacked:
        fed = ", ".join(f"{column} from '{keys[0]}'" for column, keys in mapped.items())
        ctx.report.notes.append(
            f"{unpacked:,} message(s) were JSON objects, unpacked into columns"
            + (f" ({fed})" if fed else "")
            + "; the line's own time stays the timestamp"
        )
    if invalid:
        ctx.report.notes.append(
            f"{invalid:,} message(s) looked like JSON objects but are not valid JSON: kept as text"
        )

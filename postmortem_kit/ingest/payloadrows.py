"""Which messages of a file hold a structured payload, and their records: a JSON object
(``{`` … ``}`` on one line) or a structured logger's logfmt line (every word a ``key=value``
pair, one of them a level or message key). Used by :mod:`.payload`."""

from __future__ import annotations

import json

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

from postmortem_kit.ingest.logfmt import LOGFMT_LINE, unquote
from postmortem_kit.ingest.structured import (
    columns_from_records,
    flatten_dict,
    flatten_structs,
    read_json_bytes,
)


def first_byte_is_brace(message: pa.ChunkedArray) -> np.ndarray:
    """Whether each value's first byte is ``{``, read from the string buffers (a third of
    the time of ``pyarrow.compute.starts_with`` on 1M messages). A null's slot may hold
    bytes: :func:`json_rows` drops those rows after."""
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


def take_rows(column: pa.ChunkedArray, rows) -> pa.Array:
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


def json_rows(message: pa.ChunkedArray) -> pa.Array:
    """The rows whose message is one line that starts with ``{`` and ends with ``}``
    (white space after it allowed). Only messages that start so are looked at further: a
    file of other messages costs one pass that copies nothing."""
    if not (pa.types.is_string(message.type) or pa.types.is_large_string(message.type)):
        message = message.cast(pa.large_string())
    starts = first_byte_is_brace(message)
    if not starts.any():
        return pa.array([], pa.uint64())
    rows = pa.array(np.flatnonzero(starts).astype(np.uint64))
    texts = take_rows(message, rows.to_numpy())
    ends = pc.ends_with(pc.utf8_rtrim_whitespace(texts), "}")
    one_line = pc.invert(pc.match_substring(texts, "\n"))
    return rows.filter(pc.fill_null(pc.and_(ends, one_line), False))


def parse_json(texts: list[str] | pa.Array) -> tuple[pl.DataFrame, list[bool]]:
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


#: A whole message of logfmt pairs (``time="…" level=error msg="…"``: logrus, go-kit,
#: Prometheus, Grafana) with a level or message key: a structured logger's line.
_LOGFMT = LOGFMT_LINE.pattern
_LOGFMT_KEYED = r"(?:^|\s)(?:level|lvl|msg|message)="
_PAIR = r'[^\s="]+=(?:"(?:[^"\\]|\\.)*"|\S*)'
#: Messages looked at, spread through the file, before the file's are searched for logfmt
#: (or an access log's lines: :mod:`.accesspayload`).
_LOGFMT_SAMPLE = 1000


def message_sample(message: pa.ChunkedArray) -> pl.Series:
    """About a thousand messages spread through the file (as text), looked at before the
    whole file is searched for a kind of payload."""
    n = len(message)
    step = max(1, n // _LOGFMT_SAMPLE)
    return pl.from_arrow(take_rows(message, np.arange(0, n, step))).cast(pl.String)


def logfmt_rows(
    message: pa.ChunkedArray, exclude: pa.Array, sample: pl.Series | None = None
) -> pa.Array:
    """The rows (not among ``exclude``, those of JSON payloads) whose message is a
    structured logger's logfmt line. A sample spread through the file (``sample``, else
    :func:`message_sample`'s) is looked at first: a file without such lines costs nothing
    more."""
    sample = message_sample(message) if sample is None else sample
    if not sample.str.contains(_LOGFMT).fill_null(False).any():
        return pa.array([], pa.uint64())
    text = pl.from_arrow(message).cast(pl.String)
    hit = text.str.contains(_LOGFMT) & text.str.contains(_LOGFMT_KEYED)
    hit = hit.fill_null(False).to_numpy()
    hit[exclude.to_numpy(zero_copy_only=False)] = False
    return pa.array(np.flatnonzero(hit).astype(np.uint64))


def parse_logfmt(texts: pa.Array) -> tuple[pl.DataFrame, list[bool]]:
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
    long = long.with_columns(unquote("_v"))
    keys = list(dict.fromkeys(long["_k"].to_list()))
    wide = long.pivot(on="_k", index="_i", values="_v", aggregate_function="first")
    wide = pl.DataFrame({"_i": pl.int_range(len(texts), eager=True, dtype=pl.UInt32)}).join(
        wide.with_columns(pl.col("_i").cast(pl.UInt32)), on="_i", how="left"
    )
    return wide.select(keys), [True] * len(texts)

"""journald's JSON export (``journalctl -o json``): a field whose value is not printable
UTF-8 text (a message with ANSI colour codes, or invalid bytes) is written as an array of
its byte values, ``"MESSAGE": [27, 91, 51, 49, 109, …]``. Such arrays are decoded back to
text here (invalid UTF-8 with U+FFFD), counted in the report, so that the message reads as
the service wrote it rather than as a list of numbers.
"""

from __future__ import annotations

import polars as pl
import pyarrow as pa

from postmortem_kit.ingest.jsonblock import read_json_block
from postmortem_kit.ingest.registry import BlockRows, ParseContext

#: ``ctx.state`` keys of the counts for the report.
_ARRAYS, _INVALID = "journald_byte_arrays", "journald_invalid_bytes"


def _text(values: list[int] | None) -> tuple[str | None, bool]:
    """A byte array as text, and whether it held invalid UTF-8 (``None``: not bytes)."""
    if values is None or not all(isinstance(v, int) and 0 <= v < 256 for v in values):
        return None, False
    raw = bytes(values)
    try:
        return raw.decode("utf-8"), False
    except UnicodeDecodeError:
        return raw.decode("utf-8", errors="replace"), True


def _count(ctx: ParseContext, arrays: int, invalid: int) -> None:
    """Add to the counts of byte arrays decoded, and say them in the report."""
    if not arrays:
        return
    ctx.state[_ARRAYS] = ctx.state.get(_ARRAYS, 0) + arrays
    ctx.state[_INVALID] = ctx.state.get(_INVALID, 0) + invalid
    bad = ctx.state[_INVALID]
    ctx.end_notes["journald"] = (
        f"{ctx.state[_ARRAYS]:,} field value(s) were byte arrays (journalctl's form of text "
        "that is not printable UTF-8, such as ANSI colours): decoded as UTF-8"
        + (f", {bad:,} with invalid bytes replaced by U+FFFD" if bad else "")
    )


def decode_byte_arrays(records: pl.DataFrame, ctx: ParseContext) -> pl.DataFrame:
    """``records`` (one block's journald entries, read at once) with each field of byte
    arrays as text."""
    lists = [
        c
        for c, dtype in records.schema.items()
        if isinstance(dtype, pl.List) and dtype.inner.is_integer()
    ]
    arrays = invalid = 0
    for column in lists:
        values = records[column].to_list()
        texts = []
        for value in values:
            text, bad = _text(value)
            texts.append(text)
            arrays += text is not None
            invalid += bad
        if all(t is not None or v is None for t, v in zip(texts, values, strict=True)):
            records = records.with_columns(pl.Series(column, texts, dtype=pl.String))
    _count(ctx, arrays, invalid)
    return records


def decode_record(record: dict, ctx: ParseContext) -> dict:
    """One journald entry (read alone) with each byte-array value as text."""
    out, arrays, invalid = {}, 0, 0
    for key, value in record.items():
        text, bad = _text(value) if isinstance(value, list) else (None, False)
        out[key] = value if text is None else text
        arrays += text is not None
        invalid += bad
    _count(ctx, arrays, invalid)
    return out


def read_journald_block(data: bytes, *, first_line: int, ctx: ParseContext) -> BlockRows | None:
    """The JSON lines block reader, for a block without byte arrays: one that has them (a
    column of integer lists) goes the general way, which decodes them
    (:func:`decode_byte_arrays`). Looking at the columns read costs nothing; scanning the
    bytes for an array first cost a quarter of the import's time."""
    rows = read_json_block(data, first_line=first_line, ctx=ctx)
    if rows is None or any(_integer_list(t) for t in rows.table.schema.types):
        return None
    return rows


def _integer_list(dtype: pa.DataType) -> bool:
    return (pa.types.is_list(dtype) or pa.types.is_large_list(dtype)) and pa.types.is_integer(
        dtype.value_type
    )

"""A block's records (one row of raw keys per line, from JSON lines or logfmt) straight to
the block's finished Arrow table, for the common case: the time ISO 8601 text (with an
offset, or naive and clear of DST changes) or a whole epoch number, the mapped fields
text. Any other block gets ``None`` and goes the general way
(:func:`.structured.normalise_records` in the parser thread), which handles and counts
every oddity; this must give exactly what that way gives, and tests hold it to that.

The general way converts Arrow to polars and back and runs a dozen small frame operations
per block in the parser thread; here it is a few Arrow kernels, in the worker thread.
"""

from __future__ import annotations

import re

import pyarrow as pa
import pyarrow.compute as pc

from postmortem_kit.ingest.columns import CORE_COLUMNS, categorise, severity_categories
from postmortem_kit.ingest.httpfields import may_be_access
from postmortem_kit.ingest.provenance import line_references
from postmortem_kit.ingest.registry import BlockRows, ParseContext
from postmortem_kit.ingest.serilog import render_table
from postmortem_kit.ingest.structured import KEYS, map_keys
from postmortem_kit.ingest.timestamps import STYLE_BY_NAME, arrow_iso, sniff_style, style_order

#: The general way's types (polars' Arrow export at the oldest compatibility level).
_TEXT = pa.large_string()


def _exported(dtype: pa.DataType) -> pa.DataType | None:
    """The type the general way gives a column pyarrow read as ``dtype`` (``None``: a type
    this reader leaves to it)."""
    if pa.types.is_string(dtype) or pa.types.is_large_string(dtype):
        return _TEXT
    if pa.types.is_list(dtype) or pa.types.is_large_list(dtype):
        inner = _exported(dtype.value_type)
        return None if inner is None else pa.large_list(inner)
    if (
        pa.types.is_null(dtype)
        or pa.types.is_boolean(dtype)
        or pa.types.is_int64(dtype)
        or pa.types.is_float64(dtype)
    ):
        return dtype
    return None


def _text(table: pa.Table, keys: list[str]) -> pa.ChunkedArray | None:
    """The first non-null value of ``keys`` per row as text, when they are all text or
    whole numbers (pino's ``"level": 30``; Arrow writes them as polars does)."""
    columns = [table[k] for k in keys]
    if not all(_exported(c.type) == _TEXT or pa.types.is_int64(c.type) for c in columns):
        return None
    columns = [c if _exported(c.type) == _TEXT else c.cast(pa.string()) for c in columns]
    return columns[0] if len(columns) == 1 else pc.coalesce(*columns)


def _style_first(style, values: pa.ChunkedArray, ctx: ParseContext, state: dict) -> bool:
    """Whether the general way tries ``style`` first in this file: the style of the file's
    first values (this block's first ``values`` stand in for them when the file has no
    order yet; the order then goes into ``state``)."""
    order = ctx.state.get("time_order")
    if order is not None:
        return order[0] is style
    head = [str(v) for v in values.slice(0, 200).to_pylist() if v is not None]
    if sniff_style(head, limit=2, dayfirst=ctx.dayfirst)[0] is not style:
        return False
    state["time_order"] = style_order(style, dayfirst=ctx.dayfirst)
    return True


def _iso_times(
    text: pa.ChunkedArray, ctx: ParseContext, state: dict
) -> tuple[pa.Array, int] | None:
    """UTC times of ISO 8601 text, as the general way reads them, and how many were naive;
    ``None`` unless every value is ISO 8601, with an offset or naive (read in ``tz=``, none
    of them in a DST repeat or gap)."""
    if not _style_first(STYLE_BY_NAME["iso8601"], text, ctx, state):
        return None
    found = arrow_iso(text)
    if found is None or found[0].null_count():
        return None
    utc, aware = found
    if aware:
        return utc.to_arrow(), 0
    zone = ctx.tz or "UTC"
    if zone == "UTC":
        return utc.dt.replace_time_zone("UTC").to_arrow(), len(utc)
    # local time, as localise() reads it when no time falls in a DST repeat or gap (those
    # are read in file order, with state carried between blocks: the general way)
    early = utc.dt.replace_time_zone(zone, ambiguous="earliest", non_existent="null")
    late = utc.dt.replace_time_zone(zone, ambiguous="latest", non_existent="null")
    if early.null_count() or not bool((early == late).all()):
        return None
    return early.dt.convert_time_zone("UTC").to_arrow(), len(utc)


#: Epoch digits as text (the ``epoch`` style reads none with a leading zero); a pid's digits.
_EPOCH_DIGITS, _PID_DIGITS = r"^[1-9][0-9]{0,18}$", r"^[0-9]{1,18}$"

#: Epoch numbers by magnitude, as the ``epoch`` style reads their digits: 10 (from 1e9 up to
#: 2e9) are seconds, 13 milliseconds, 16 microseconds, 19 nanoseconds.
_EPOCH_SCALES = ((10**9, 10**9), (10**12, 10**6), (10**15, 10**3), (10**18, 1))


def _epoch_times(numbers: pa.ChunkedArray, ctx: ParseContext, state: dict) -> pa.Array | None:
    """UTC times of whole epoch numbers (pino's ``time``), as the general way reads their
    text; ``None`` unless every one has one of the ``epoch`` style's magnitudes."""
    if not _style_first(STYLE_BY_NAME["epoch"], numbers, ctx, state):
        return None
    scale = pa.nulls(len(numbers), pa.int64())
    for low, factor in _EPOCH_SCALES:
        inside = pc.and_(pc.greater_equal(numbers, low), pc.less(numbers, 2 * low))
        scale = pc.if_else(inside, factor, scale)
    if scale.null_count:  # another magnitude (or no value): the general way says why
        return None
    ns = pc.multiply(numbers, scale)
    return ns.cast(pa.timestamp("ns")).cast(pa.timestamp("ns", "UTC"))


def _times(
    table: pa.Table, keys: list[str], ctx: ParseContext, state: dict
) -> tuple[pa.Array, int, str] | None:
    """UTC times of the time keys ``keys`` (coalesced), how many were naive and the style;
    ``None`` unless they are the common case (see :func:`_iso_times`, :func:`_epoch_times`).
    The style order the general way would choose here goes into ``state`` when the file has
    none yet."""
    columns = [table[k] for k in keys]
    if all(pa.types.is_int64(c.type) for c in columns):
        numbers = columns[0] if len(columns) == 1 else pc.coalesce(*columns)
    else:
        text = _text(table, keys)
        if text is None:
            return None
        # digits as text: journald's "__REALTIME_TIMESTAMP": "1534860261221373"
        numbers = _whole_numbers(text, _EPOCH_DIGITS)
        if numbers is None:
            found = _iso_times(text, ctx, state)
            return None if found is None else (*found, "iso8601")
    utc = _epoch_times(numbers, ctx, state)
    return None if utc is None else (utc, 0, "epoch")


def _whole_numbers(text: pa.ChunkedArray, pattern: str) -> pa.ChunkedArray | None:
    """``text`` as int64 when every value (nulls aside) is digits that ``pattern`` takes,
    which every reader reads as the same number; else ``None``."""
    if _exported(text.type) != _TEXT:
        return None
    first = next((v for v in text.slice(0, 64).to_pylist() if v is not None), None)
    if first is not None and not re.match(pattern, first):  # skips the pass over the rest
        return None
    if not pc.all(pc.match_substring_regex(text, pattern)).as_py():
        return None
    return text.cast(pa.int64())


def records_block(
    table: pa.Table,
    *,
    first_line: int,
    ctx: ParseContext,
    keys: dict[str, tuple[str, ...]] = KEYS,
    strip_newline: tuple[str, ...] = (),
    state: dict | None = None,
) -> BlockRows | None:
    """The finished rows of a block whose ``table`` holds one row of raw keys (flattened,
    dotted) per line, numbered from ``first_line``, as
    ``normalise_records(..., keys=keys, strip_newline=strip_newline)`` and the reader would
    make them; ``None`` when they are not the common case. ``state``: the parser state the
    block sets (kept in the result)."""
    n = table.num_rows
    state = {} if state is None else state
    if may_be_access(table.column_names):  # HTTP requests: the general way makes their columns
        return None
    table = render_table(table)  # Serilog's compact JSON: messages from their templates
    mapped, rest = map_keys(table.column_names, ctx.fields, keys)
    if "timestamp" not in mapped:
        return None
    columns: dict[str, pa.Array | pa.ChunkedArray] = {}
    for column, present in mapped.items():
        if column == "timestamp":
            continue
        if column == "pid":  # whole numbers, or digits as text (journald's "_PID": "184")
            values = [
                v if pa.types.is_int64(v.type) else _whole_numbers(v, _PID_DIGITS)
                for v in (table[k] for k in present)
            ]
            if any(v is None or not pa.types.is_int64(v.type) for v in values):
                return None
            columns[column] = values[0] if len(values) == 1 else pc.coalesce(*values)
            continue
        values = _text(table, present)
        if values is None:
            return None
        if column == "message" and any(k in strip_newline for k in present):
            values = pc.if_else(
                pc.ends_with(values, "\n"), pc.utf8_slice_codeunits(values, 0, -1), values
            )
        columns[column] = values
    times = _times(table, mapped["timestamp"], ctx, state)
    if times is None:
        return None
    columns["timestamp"], naive, style = times
    if "severity_raw" in columns:  # both as categories, from one dictionary encoding
        raw = columns["severity_raw"]
        raw = raw.combine_chunks() if isinstance(raw, pa.ChunkedArray) else raw
        columns["severity"], columns["severity_raw"] = severity_categories(raw.cast(_TEXT))
    columns["provenance"] = line_references(ctx.name, first_line, n)
    for key, name in rest:
        if _exported(table[key].type) is None:
            return None
        columns[name] = table[key]
    # the general way's column order: the core columns, then the others as mapped
    names = [*CORE_COLUMNS, *(c for c in columns if c not in CORE_COLUMNS)]
    fields, arrays = [], []
    for name in names:
        dtype = CORE_COLUMNS.get(name)
        exported = (
            pa.timestamp("ns", "UTC")
            if name == "timestamp"
            else _TEXT
            if dtype is not None
            else _exported(columns[name].type)
        )
        fields.append(pa.field(name, exported))
        if name in columns and columns[name].null_count < n:
            values = columns[name]  # categories already (severity): kept as they are
            kept = values.type == exported or pa.types.is_dictionary(values.type)
            arrays.append((name, values if kept else values.cast(exported)))
    schema = categorise(pa.schema(fields).empty_table()).schema
    rows = categorise(pa.table(dict(arrays)))
    return BlockRows(
        table=rows,
        schema=schema,
        lines=n,
        keys=tuple(table.column_names),
        time={"naive": naive, "styles": {style: n}},
        state=state,
    )

"""The import's Arrow table → the pandas frame ``load_logs`` returns, holding as little memory
as the frame's contract allows.

Three things cost memory without carrying information, and are avoided here:

* **all-null columns** (``time_note`` of a file with offsets, an access log's ``referer``
  when every value is ``-``): built on zero pages that the system hands out without backing
  them with memory (``numpy.zeros`` of a large size is ``calloc``, pages in only when
  written), and one set of buffers is shared by every such column of a length;
* **a column equal to another** (``client_ip`` when every client is a bare address): holds
  the other column's buffers instead of a copy;
* **categorical indices** wider than the categories need (Arrow's ``dictionary_encode``
  gives 32-bit indices; a handful of hosts or severities needs 8).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa

#: Columns that often equal another column, and that column: ``client_ip`` is ``client``
#: unless a client field holds more than an address (``"1.2.3.4, 5.6.7.8"``).
SHARED_WITH: dict[str, str] = {"client_ip": "client"}

_NULLABLE = {
    pa.int8(): pd.Int8Dtype(), pa.int16(): pd.Int16Dtype(), pa.int32(): pd.Int32Dtype(),
    pa.int64(): pd.Int64Dtype(), pa.uint8(): pd.UInt8Dtype(), pa.uint16(): pd.UInt16Dtype(),
    pa.uint32(): pd.UInt32Dtype(), pa.uint64(): pd.UInt64Dtype(), pa.bool_(): pd.BooleanDtype(),
}  # fmt: skip

#: Zero buffers by (length in bytes): shared by every all-null column of a load.
_ZEROS: dict[int, pa.Buffer] = {}


def _zero_buffer(nbytes: int) -> pa.Buffer:
    if nbytes not in _ZEROS:
        if len(_ZEROS) > 16:
            _ZEROS.clear()
        zeros = np.zeros(max(nbytes, 1), np.uint8)
        zeros.flags.writeable = False  # shared by many columns: never written through
        _ZEROS[nbytes] = pa.py_buffer(zeros)
    return _ZEROS[nbytes]


def _index_type(size: int) -> pa.DataType:
    for dtype in (pa.int8(), pa.int16()):
        if size <= np.iinfo(dtype.to_pandas_dtype()).max:
            return dtype
    return pa.int32()


def null_array(dtype: pa.DataType, n: int) -> pa.Array:
    """``n`` nulls of ``dtype`` on zero pages (nothing resident until written), for text,
    categorical and fixed-width types; other types get Arrow's own ``pa.nulls``."""
    validity = _zero_buffer((n + 7) // 8)
    if pa.types.is_large_string(dtype) or pa.types.is_large_binary(dtype):
        return pa.Array.from_buffers(
            dtype, n, [validity, _zero_buffer(8 * (n + 1)), _zero_buffer(0)], null_count=n
        )
    if pa.types.is_string(dtype) or pa.types.is_binary(dtype):
        return pa.Array.from_buffers(
            dtype, n, [validity, _zero_buffer(4 * (n + 1)), _zero_buffer(0)], null_count=n
        )
    if pa.types.is_dictionary(dtype):
        indices = pa.Array.from_buffers(pa.int8(), n, [validity, _zero_buffer(n)], null_count=n)
        return pa.DictionaryArray.from_arrays(indices, pa.array([], dtype.value_type))
    try:
        width = dtype.bit_width
    except ValueError:  # a nested or variable-width type (a list of records)
        width = 0
    if width in (8, 16, 32, 64) and not pa.types.is_boolean(dtype):
        data = _zero_buffer(n * width // 8)
        return pa.Array.from_buffers(dtype, n, [validity, data], null_count=n)
    return pa.nulls(n, dtype)


def constant_dictionary(value: str, n: int, dtype: pa.DataType) -> pa.Array:
    """``n`` times ``value`` as a dictionary array of ``dtype``: one category, indices on
    fresh zero pages (writable, and resident only once written)."""
    index = dtype.index_type if pa.types.is_dictionary(dtype) else pa.int8()
    values = dtype.value_type if pa.types.is_dictionary(dtype) else pa.large_string()
    zeros = np.zeros(max(n, 1), index.to_pandas_dtype())
    indices = pa.Array.from_buffers(index, n, [None, pa.py_buffer(zeros)])
    return pa.DictionaryArray.from_arrays(indices, pa.array([value], values))


def equal_columns(events: pl.DataFrame) -> dict[str, str]:
    """The columns of :data:`SHARED_WITH` that equal their partner in this block."""
    return {
        alias: source
        for alias, source in SHARED_WITH.items()
        if alias in events.columns
        and source in events.columns
        and events.schema[alias] == events.schema[source]
        and events[alias].equals(events[source])
    }


def put_shared(table: pa.Table, shared: dict[str, str], order: list[str]) -> pa.Table:
    """Add the columns ``shared`` left out of ``table`` as their partner's very buffers."""
    for alias, source in shared.items():
        table = table.append_column(alias, table[source])
    return table.select([c for c in order if c in table.column_names])


def take_rows(table: pa.Table, order: pa.Array) -> pa.Table:
    """``table.take(order)`` that keeps columns sharing a partner's buffers shared."""
    shared = {
        alias: source
        for alias, source in SHARED_WITH.items()
        if alias in table.column_names
        and source in table.column_names
        and table[alias].equals(table[source])
    }
    names = table.column_names
    taken = table.drop_columns(list(shared)).take(order)
    return put_shared(taken, shared, names)


def split_null_columns(table: pa.Table) -> tuple[pa.Table, dict[str, pa.DataType]]:
    """Take out the columns that are null in every row (they are put back on zero pages by
    :func:`to_pandas`); returns the rest and the null ones' types."""
    nulls = {
        field.name: field.type
        for field in table.schema
        if table.num_rows and table[field.name].null_count == table.num_rows
    }
    return table.drop_columns(list(nulls)), nulls


def narrow_dictionaries(table: pa.Table) -> pa.Table:
    """One dictionary per categorical column across the chunks, with the narrowest index
    type that holds all of its categories."""
    for i, field in enumerate(table.schema):
        if not pa.types.is_dictionary(field.type):
            continue
        column = table.column(i)
        values = [c.dictionary for c in column.chunks if len(c.dictionary)]
        size = len(pa.concat_arrays(values).unique()) if values else 0
        wanted = pa.dictionary(_index_type(size), field.type.value_type)
        if wanted != field.type:
            column = pa.chunked_array([c.cast(wanted) for c in column.chunks], type=wanted)
            table = table.set_column(i, field.name, column)
    return table.unify_dictionaries()


def decode_dictionaries(table: pa.Table) -> pa.Table:
    """``table`` with its dictionary-encoded columns as plain values."""
    for i, field in enumerate(table.schema):
        if pa.types.is_dictionary(field.type):
            table = table.set_column(i, field.name, table[i].cast(field.type.value_type))
    return table


def narrow_indices(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """One block's dictionary-encoded column (one dictionary for all its chunks) with the
    narrowest index type for its dictionary."""
    size = max((len(c.dictionary) for c in column.chunks), default=0)
    wanted = pa.dictionary(_index_type(size), column.type.value_type)
    return column if wanted == column.type else column.cast(wanted)


def _null_column(dtype: pa.DataType, n: int):
    """A pandas array of ``n`` nulls whose values sit on zero pages (a categorical's codes,
    ``-1`` each, on written pages: a byte a row, which Arrow's conversion of null indices
    takes 1.3 ms per 1M rows to write, and this 0.1 ms)."""
    if pa.types.is_integer(dtype):
        return pd.arrays.IntegerArray(np.zeros(n, _NULLABLE[dtype].numpy_dtype), np.ones(n, bool))
    if pa.types.is_dictionary(dtype):
        no_categories = pd.CategoricalDtype(pd.Index([], dtype=object))
        return pd.Categorical.from_codes(np.full(n, -1, np.int8), dtype=no_categories)
    one = pa.table({"x": null_array(dtype, n)})
    return one.to_pandas(types_mapper=_NULLABLE.get, split_blocks=True)["x"].array


def _integer_column(column: pa.ChunkedArray) -> pd.arrays.IntegerArray:
    """An Arrow integer column as a pandas nullable integer array, with one copy of the
    values (pandas' own conversion makes two) and the mask on zero pages when nothing is
    null."""
    dtype = _NULLABLE[column.type].numpy_dtype
    parts = []
    for chunk in column.chunks:
        buffer = chunk.buffers()[1]
        if buffer is None:  # all null, without values (a file that lacks the column)
            parts.append(np.zeros(len(chunk), dtype))
        elif len(chunk):
            offset = chunk.offset * dtype.itemsize
            parts.append(np.frombuffer(buffer, dtype, count=len(chunk), offset=offset))
    data = np.concatenate(parts) if parts else np.zeros(0, dtype)
    nulls = column.null_count
    mask = column.is_null().to_numpy() if nulls else np.zeros(len(column), bool)
    return pd.arrays.IntegerArray(data, mask)


def to_pandas(table: pa.Table, nulls: dict[str, pa.DataType], order: list[str]) -> pd.DataFrame:
    """Arrow → pandas without copying text (Arrow strings become pandas' Arrow-backed ``str``
    columns as they are), integers with gaps as nullable ``Int64`` (not float, see
    :func:`_integer_column`), the table's buffers released column by column as they
    are converted; then the all-null columns ``nulls`` on zero pages, every column at its
    place in ``order``."""
    n = table.num_rows
    extra = {}
    for field in table.schema:
        if pa.types.is_integer(field.type):
            extra[field.name] = _integer_column(table[field.name])
            table = table.drop_columns([field.name])  # its buffers released here
    out = table.to_pandas(types_mapper=_NULLABLE.get, self_destruct=True, split_blocks=True)
    for name in out.columns:  # Arrow hands a lone chunk without nulls over read-only
        values = getattr(out[name].array, "_ndarray", None)
        extra[name] = (
            out[name].copy() if values is not None and not values.flags.writeable else out[name]
        )
    for name, dtype in nulls.items():
        extra[name] = _null_column(dtype, n)
    # one frame of every column at once (inserting them one by one took 2 ms more); pandas
    # neither copies nor joins them into blocks without copy=True
    return pd.DataFrame({name: extra[name] for name in order}, index=out.index, copy=False)

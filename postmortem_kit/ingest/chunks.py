"""Reading a file in pieces: byte blocks that end at a line break, line numbers that count
from the file's start (also after a window seek), and gluing the pieces' tables together.

A file is parsed one block at a time so that peak memory is the result plus one block's
working set, not several copies of the whole file.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pyarrow as pa

from postmortem_kit.ingest.frame import constant_dictionary, null_array
from postmortem_kit.ingest.source import PROGRESS_BYTES

#: Bytes parsed at a time (a block ends at the last line break inside it). Small blocks cost
#: no measurable time (the engines' per-call overhead is tiny next to 2 MB of regex work) and
#: keep the working set, which the allocator holds on to, far below the result's size.
CHUNK_BYTES = 2 * 1024 * 1024
#: Bytes read at a time when counting line breaks.
_COUNT_BYTES = 64 * 1024 * 1024


def count_newlines(path: Path, end: int) -> int:
    """How many line breaks the first ``end`` bytes of a plain file hold (so the line at byte
    ``end`` is line ``count + 1``). Runs at several GB/s: far cheaper than parsing them."""
    n = 0
    with path.open("rb") as handle:
        left = end
        while left > 0:
            block = handle.read(min(_COUNT_BYTES, left))
            if not block:
                break
            n += block.count(b"\n")
            left -= len(block)
    return n


def _progress(total: int, label: str):
    if total <= PROGRESS_BYTES:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, unit="B", unit_scale=True, desc=label, leave=False)


def file_blocks(path: Path, start: int, end: int, size: int = CHUNK_BYTES) -> Iterator[bytes]:
    """Blocks of about ``size`` bytes of a plain file's range ``start``–``end``, each ending
    at a line break (the last one at ``end``). A line longer than ``size`` makes its block
    longer, never split."""
    bar = _progress(end - start, f"reading {path.name}")
    carry = b""
    with path.open("rb") as handle:
        handle.seek(start)
        left = end - start
        while left > 0:
            data = handle.read(min(size, left))
            if not data:
                break
            left -= len(data)
            if bar is not None:
                bar.update(len(data))
            buf = carry + data if carry else data
            if left <= 0:
                carry = b""
                yield buf
                break
            cut = buf.rfind(b"\n") + 1
            if cut == 0:
                carry = buf
                continue
            carry = buf[cut:]
            yield buf[:cut]
    if carry:
        yield carry
    if bar is not None:
        bar.close()


def memory_blocks(data: bytes, size: int = CHUNK_BYTES) -> Iterator[bytes]:
    """Blocks of about ``size`` bytes of text already in memory, each ending at a line break."""
    pos, n = 0, len(data)
    while pos < n:
        end = pos + size
        if end >= n:
            yield data[pos:]
            return
        cut = data.find(b"\n", end - 1) + 1
        if cut == 0:
            yield data[pos:]
            return
        yield data[pos:cut]
        pos = cut


def number_lines(lines: pl.DataFrame, first: int) -> pl.DataFrame:
    """Shift a block's 1-based ``line_no`` so that its first line is line ``first``."""
    if first == 1:
        return lines
    return lines.with_columns(pl.col("line_no") + (first - 1))


def _unify_types(tables: list[pa.Table]) -> list[pa.Table]:
    """Make a column that has different types in different tables text in all of them (nulls
    take the other tables' type), so that they concatenate."""
    types: dict[str, set[pa.DataType]] = {}
    for t in tables:
        for field in t.schema:
            if not pa.types.is_null(field.type):
                types.setdefault(field.name, set()).add(field.type)
    mixed = {name for name, kinds in types.items() if len(kinds) > 1}
    if not mixed:
        return tables
    out = []
    for t in tables:
        for name in mixed & set(t.column_names):
            i = t.column_names.index(name)
            col = t[name]
            if pa.types.is_timestamp(col.type):
                col = pl.from_arrow(col).dt.to_string("iso").to_arrow().cast(pa.large_string())
            else:
                col = col.cast(pa.large_string())
            t = t.set_column(i, name, col)
        out.append(t)
    return out


def concat_tables(tables: list[pa.Table]) -> pa.Table:
    """Concatenate the tables of a file's blocks (or of several files) without copying:
    columns missing from some get nulls, a column whose type differs becomes text."""
    if len(tables) == 1:
        return tables[0]
    return pa.concat_tables(_unify_types(tables), promote_options="permissive")


def add_null_columns(table: pa.Table, columns: dict[str, pa.DataType]) -> pa.Table:
    """Put back the all-null columns the reader left out of every block, as nulls of
    their type on zero pages the system does not page in (see :func:`.frame.null_array`),
    in ``columns``' order."""
    for name, dtype in columns.items():
        if name not in table.column_names:
            table = table.append_column(name, null_array(dtype, len(table)))
    return table.select([c for c in columns if c in table.column_names])


def add_file_columns(
    table: pa.Table, *, source: str, fmt: str, types: dict[str, pa.DataType]
) -> pa.Table:
    """Put in the columns that are the same for every row of a file (``source``,
    ``format``: one category on zero pages), each of its type in ``types``."""
    n = table.num_rows
    table = table.append_column("source", constant_dictionary(source, n, types["source"]))
    return table.append_column("format", constant_dictionary(fmt, n, types["format"]))

"""Reading a file in pieces: byte blocks that end at a line break, line numbers that count
from the file's start (also after a window seek), and gluing the pieces' tables together.

A file is parsed one block at a time so that peak memory is the result plus one block's
working set, not several copies of the whole file.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TypeVar

import numpy as np
import polars as pl
import pyarrow as pa

from postmortem_kit.ingest.columns import categorise, conform
from postmortem_kit.ingest.compression import Codec, decoded
from postmortem_kit.ingest.frame import constant_dictionary, equal_columns, null_array, put_shared
from postmortem_kit.ingest.padding import drop_padding
from postmortem_kit.ingest.provenance import line_references
from postmortem_kit.ingest.registry import BlockRows
from postmortem_kit.ingest.source import Progress, check_text

T = TypeVar("T")

#: Bytes parsed at a time (a block ends at the last line break inside it), unless the format
#: says otherwise (:attr:`.registry.LogFormat.block_bytes`). Each block costs a few ms of CPU
#: whatever its size (a dozen frame operations): at 2 MB that is 10–20 % of a line format's
#: time, while the working set, which the allocators hold on to, stays well below the
#: result's size (4 MB blocks: peak RSS up by about half the file's size).
CHUNK_BYTES = 2 * 1024 * 1024
#: At most this many bytes per block of a compressed file's text, whatever the format reads
#: best: its blocks come with the decompressed pieces they are joined from. Gzipped nginx
#: (129 MB of text) in 4 MiB blocks peaked at 371-389 MB, in 3 MiB blocks at 333-335 MB.
COMPRESSED_BLOCK_BYTES = 3 * 1024 * 1024
#: Bytes per block, or a function that says it (asked before each block).
BlockSize = int | Callable[[], int]
#: Compressed bytes read at a time: small, as a log's text is often 10–50 times larger.
_COMPRESSED_PIECE = 256 * 1024
#: Bytes read at a time when counting line breaks.
_COUNT_BYTES = 64 * 1024 * 1024


def count_newlines(path: Path, end: int, begin: int = 0) -> int:
    """How many line breaks the bytes ``begin``–``end`` of a plain file hold (so, from the
    start, the line at byte ``end`` is line ``count + 1``). Runs at several GB/s: far
    cheaper than parsing them."""
    n = 0
    with path.open("rb") as handle:
        handle.seek(begin)
        left = end - begin
        while left > 0:
            block = handle.read(min(_COUNT_BYTES, left))
            if not block:
                break
            n += _newlines(block)
            left -= len(block)
    return n


def _file_pieces(path: Path, start: int, end: int, size: int) -> Iterator[bytes]:
    """The bytes ``start``–``end`` of a file, ``size`` at a time, with a progress bar for a
    large range."""
    bar = Progress(end - start, f"reading {path.name}")
    with path.open("rb") as handle, contextlib.closing(bar):
        handle.seek(start)
        left = end - start
        while left > 0:
            data = handle.read(min(size, left))
            if not data:
                break
            left -= len(data)
            yield data
            bar.update(len(data))


def line_blocks(pieces: Iterable[bytes], size: BlockSize = CHUNK_BYTES) -> Iterator[bytes]:
    """Blocks of about ``size`` bytes of the text that ``pieces`` hold, each ending at a line
    break, the last one where the text ends. A line longer than ``size`` makes its block
    longer, never split; a piece much larger than ``size`` gives several blocks. ``size``
    may be a function, asked before each block (it may change once the format is known)."""
    buf = b""
    want = size
    for piece in pieces:
        size = want() if callable(want) else want
        buf = buf + piece if buf else piece
        if len(buf) < size:
            continue
        pos = 0
        while len(buf) - pos >= 2 * size:  # a large piece: blocks of about ``size``
            cut = buf.find(b"\n", pos + size - 1) + 1
            if cut == 0:
                break
            yield buf[pos:cut]
            pos = cut
        cut = buf.rfind(b"\n", pos) + 1  # the rest up to its last line break
        if cut > pos:
            yield buf[pos:cut]
            pos = cut
        buf = buf[pos:]
    if buf:
        yield buf


def file_blocks(path: Path, start: int, end: int, size: int = CHUNK_BYTES) -> Iterator[bytes]:
    """Blocks of about ``size`` bytes of a plain file's range ``start``–``end``, each ending
    at a line break (the last one at ``end``). A line longer than ``size`` makes its block
    longer, never split.

    Each block is read at its own offset, up to the last line break of ``size`` bytes, and
    the next starts after it: one copy of each byte (joining pieces, as for decompressed
    text, makes three, with the GIL held: 37 against 8 ms for 68 MB)."""
    bar = Progress(end - start, f"reading {path.name}")
    with path.open("rb", buffering=0) as handle, contextlib.closing(bar):
        pos = start
        while pos < end:
            handle.seek(pos)
            data = handle.read(min(size, end - pos))
            if not data:  # the file is shorter than it was
                break
            cut = len(data) if pos + len(data) >= end else data.rfind(b"\n") + 1
            while not cut:  # a line longer than the block: read on to a line break
                more = handle.read(min(size, end - pos - len(data)))
                data += more
                done = not more or pos + len(data) >= end
                cut = len(data) if done else data.rfind(b"\n") + 1
            if cut < len(data):
                data = data[:cut]
            pos += len(data)
            yield data  # then the bar: the first block is handed on before the bar is made
            bar.update(len(data))


def compressed_blocks(
    path: Path,
    name: str,
    codec: Codec,
    notes: list[str],
    size: BlockSize = CHUNK_BYTES,
    padding: list | None = None,
    names: list[str] | None = None,
) -> Iterator[bytes]:
    """Blocks of about ``size`` bytes of a compressed file's text, decompressed as they are
    read (never the whole text at once), each ending at a line break. Notes on truncated or
    corrupt data go to ``notes``; runs of NUL padding are left out of the text as it is
    decompressed (:func:`.padding.drop_padding`, which notes them in ``padding``), so that
    a long one never makes a block. UTF-16 or UTF-32 text inside is decoded to UTF-8; the
    name of each codec applied goes to ``names`` (see :func:`.compression.decoded`).

    Raises
    ------
    IngestError
        When the text starts like a binary file (see :func:`.source.check_text`).
    """
    size_on_disk = path.stat().st_size
    pieces = _file_pieces(path, 0, size_on_disk, _COMPRESSED_PIECE)
    first = True
    text = decoded(
        pieces, codec, notes, [] if names is None else names,
        replay=lambda offset: _file_pieces(path, offset, size_on_disk, _COMPRESSED_PIECE),
    )  # fmt: skip
    for block in line_blocks(drop_padding(text, 1, [] if padding is None else padding), size):
        if first:
            check_text(block, name)
            first = False
        yield block


def prefetched(items: Iterator[T], depth: int = 2) -> Iterator[T]:
    """``items`` made by a background thread, up to ``depth`` ahead of the consumer: for a
    producer that spends its time outside the GIL (reading, decompressing), which then
    runs on another core while the blocks before are parsed. An exception in the producer
    is raised here, at the item where it happened."""
    q: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()
    end = object()

    def produce() -> None:
        try:
            for item in items:
                q.put((item, None))
                if stop.is_set():
                    return
            q.put((end, None))
        except BaseException as exc:  # handed to the consumer, raised there
            q.put((end, exc))
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                close()

    thread = threading.Thread(target=produce, name="pmk-read-ahead", daemon=True)
    thread.start()
    try:
        while True:
            item, exc = q.get()
            if item is end:
                if exc is not None:
                    raise exc
                return
            yield item
    finally:
        stop.set()
        while thread.is_alive():  # free the queue so that a waiting put returns, then stop
            with contextlib.suppress(queue.Empty):
                q.get(timeout=1)
        thread.join()


def _newlines(data: bytes) -> int:
    """Line breaks in ``data``: numpy compares the bytes seven times faster than
    ``bytes.count`` does (0.2 against 1.4 ms for 4 MB), and without holding the GIL."""
    return int(np.count_nonzero(np.frombuffer(data, np.uint8) == 10))


def count_lines(data: bytes) -> int:
    """Lines in a block, as :func:`.source.split_lines` counts them (a last line without
    its newline too)."""
    return _lines(data, _newlines(data))


def _lines(data: bytes, breaks: int) -> int:
    return breaks + (1 if data and not data.endswith(b"\n") else 0)


def counted(blocks: Iterable[bytes]) -> Iterator[tuple[bytes, int]]:
    """Each block with its :func:`count_lines` (counted where the blocks are made: the
    thread that reads them, not the one that hands them out)."""
    for block in blocks:
        yield block, count_lines(block)


def counted_breaks(blocks: Iterable[tuple[bytes, int]]) -> Iterator[tuple[bytes, int]]:
    """Blocks given with their count of line breaks, each with its :func:`count_lines`."""
    for block, breaks in blocks:
        yield block, _lines(block, breaks)


def number_lines(lines: pl.DataFrame, first: int) -> pl.DataFrame:
    """Shift a block's 1-based ``line_no`` so that its first line is line ``first``."""
    if first == 1:
        return lines
    return lines.with_columns(pl.col("line_no") + (first - 1))


def pack_rows(events: pl.DataFrame, name: str, *, first_line: int | None = None) -> pa.Table:
    """One block's parsed rows (:func:`conform`-ed, with ``line_no``) as an Arrow table:
    ``provenance`` (``name:line``) in place of ``line_no`` (rows without ``line_no`` have
    their ``provenance`` made already, or, with ``first_line``, are the lines from that one
    on, each a row), low-cardinality text as
    categoricals, a column equal to its partner sharing its buffers. All-null columns are
    left out (put back once per file at the end). Arrow's plain strings hold only the bytes
    each value needs: the block's lines and the parser's intermediate columns are freed
    here, not kept alive by string views."""
    if first_line is None and "line_no" in events.columns and _consecutive(events["line_no"]):
        first_line = int(events["line_no"][0])
    references = None
    if first_line is not None and events.height:  # one row a line: written by numpy
        references = line_references(name, first_line, events.height)
    elif "line_no" in events.columns:  # else the reader made ``provenance`` itself
        events = events.with_columns(
            provenance=pl.lit(f"{name}:") + pl.col("line_no").cast(pl.String)
        )
    order = [c for c in events.columns if c != "line_no"]
    # columns picked as Series, not by drop() or select(): each of those is a query (a
    # tenth of a millisecond a block)
    kept = [events.get_column(c) for c in order if events[c].null_count() < events.height]
    if references is not None:
        kept = [c for c in kept if c.name != "provenance"]
    shared = equal_columns(pl.DataFrame(kept))
    table = categorise(
        pl.DataFrame([c for c in kept if c.name not in shared]).to_arrow(
            compat_level=pl.CompatLevel.oldest()
        )
    )
    if references is not None:
        table = table.append_column("provenance", references)
    return put_shared(table, shared, order)


def _consecutive(numbers: pl.Series) -> bool:
    """Whether a block's line numbers run one by one from the first (every line a row)."""
    values = numbers.to_numpy()
    return bool(len(values)) and bool((np.diff(values) == 1).all())


#: :func:`kept_schema` by the frame's column names and types (a file's blocks share one).
_SCHEMAS: dict[tuple, pa.Schema] = {}


def kept_schema(events: pl.DataFrame) -> pa.Schema:
    """The Arrow types a block's columns are kept in (see :func:`pack_rows`), all-null ones
    too: worked out once per set of column types (a millisecond a block otherwise)."""
    key = tuple(events.schema.items())
    schema = _SCHEMAS.get(key)
    if schema is None:
        schema = categorise(events.head(0).to_arrow(compat_level=pl.CompatLevel.oldest())).schema
        if len(_SCHEMAS) > 256:  # files with ever new keys (JSON): keep it small
            _SCHEMAS.clear()
        _SCHEMAS[key] = schema
    return schema


def block_rows(
    events: pl.DataFrame,
    name: str,
    *,
    lines: int,
    time: dict,
    continuation_lines: int = 0,
    first_line: int | None = None,
) -> BlockRows:
    """A block's parsed rows (with ``line_no``, ``source`` and ``format`` left out) as a
    fast block reader returns them: :func:`conform`-ed and packed (:func:`pack_rows`, with
    ``first_line`` when the rows are the block's lines from that one on), with every
    column's type."""
    events = conform(events)
    schema = kept_schema(events)
    return BlockRows(
        table=pack_rows(events, name, first_line=first_line),
        schema=schema,
        lines=lines,
        keys=(),
        time=time,
        continuation_lines=continuation_lines,
    )


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

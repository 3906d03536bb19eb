"""CSV/TSV from a block's bytes straight to the block's finished Arrow table, once the
file's first block has given the header: every line one row of the header's width, read at
once by pyarrow (:func:`.structured.csv_table_at_once`), then
:func:`.recordblock.records_block`. Any other block gets ``None`` and goes the general way
(:func:`.structured.parse_csv`), which must give the same, and a test holds it to that."""

from __future__ import annotations

import re

import pyarrow as pa

from postmortem_kit.ingest.chunks import count_lines
from postmortem_kit.ingest.recordblock import records_block
from postmortem_kit.ingest.registry import BlockRows, ParseContext
from postmortem_kit.ingest.source import split_lines
from postmortem_kit.ingest.structured import csv_keys, csv_table, csv_table_at_once

#: Bytes per block of a CSV file (the reader's default is 2 MiB): with the blocks read in the
#: workers, 1M rows (68 MB) took 0.41-0.45 s and peaked at 2.9 times the file; 2 MiB blocks
#: took 0.42-0.54 s and 3.4-3.6 times.
BLOCK_BYTES = 1024 * 1024

#: ASCII white space (what ``split_lines`` strips before calling a line blank).
_SPACE = b" \t\x0b\x0c\r"
_BLANK_INSIDE = re.compile(rb"\n[" + re.escape(_SPACE) + rb"]*\n")


def _blank_line(data: bytes) -> bool:
    """Whether an ASCII block has an empty or white-space-only line."""
    first_end = data.find(b"\n")
    first = data if first_end < 0 else data[:first_end]
    last = data[data.rfind(b"\n") + 1 :]
    return (
        not first.strip(_SPACE)
        or (bool(last) and not last.strip(_SPACE))
        or _BLANK_INSIDE.search(data) is not None
    )


def read_csv_block(data: bytes, *, first_line: int, ctx: ParseContext) -> BlockRows | None:
    """``read_block`` of CSV/TSV (see the module)."""
    known = ctx.state.get("csv")
    if known is None:  # the header is in the first block, which the general way reads
        return None
    d, header = known
    keys = csv_keys(header, ctx)
    if keys is None or not data:
        return None
    if data.isascii():  # straight from the bytes, when no line is blank
        if _blank_line(data):
            return None
        text = data if data.endswith(b"\n") else data + b"\n"
        table = csv_table(text, count_lines(data), d, header)
    else:  # a line of non-ASCII white space is blank too: split as the general way does
        lines, invalid = split_lines(data)
        if invalid or lines["line"].has_nulls():
            return None
        table = csv_table_at_once(lines, d, header)
    if table is None:
        return None
    table = table.cast(pa.schema([(name, pa.large_string()) for name in header]))
    return records_block(table, first_line=first_line, ctx=ctx, keys=keys)

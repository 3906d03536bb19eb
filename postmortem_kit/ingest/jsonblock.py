"""JSON lines from a block's bytes straight to the block's finished Arrow table, for the
common case: every line one JSON object, its time ISO 8601 text with an offset (or read in
UTC), the mapped fields text. Any other block gets ``None`` and goes the general way
(:mod:`.structured`), which handles and counts every oddity; this one must give exactly what
that way gives, and a test holds it to that.

The general way splits the block into lines, converts Arrow to polars and back and runs a
dozen small frame operations per block; here it is one pyarrow read, then
:func:`.recordblock.records_block`, in the worker thread.
"""

from __future__ import annotations

import pyarrow as pa

from postmortem_kit.ingest.chunks import count_lines
from postmortem_kit.ingest.recordblock import records_block
from postmortem_kit.ingest.registry import BlockRows, ParseContext
from postmortem_kit.ingest.structured import KEYS, flatten_structs, read_json_bytes

#: Bytes per block of a JSON lines file (the reader's default is 2 MiB): 1M lines took
#: 0.59–0.60 s instead of 0.71–0.75 s, peak RSS 1.6–1.75 instead of 1.4 times the file.
BLOCK_BYTES = 4 * 1024 * 1024


def json_block_reader(keys: dict[str, tuple[str, ...]] = KEYS, strip_newline=("log",)):
    """The ``read_block`` of a JSON lines format whose parser is
    ``structured.json_parser(keys, strip_newline)``."""

    def read_block(data: bytes, *, first_line: int, ctx: ParseContext) -> BlockRows | None:
        n = count_lines(data)
        if not data.isascii():  # pyarrow takes invalid UTF-8 in: the general way counts it
            try:
                data.decode("utf-8")
            except UnicodeDecodeError:
                return None
        payload = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
        try:
            table = read_json_bytes(payload, as_text=ctx.state.get("json_as_text"))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return None
        if not n or table.num_rows != n:
            return None
        return records_block(
            flatten_structs(table), first_line=first_line, ctx=ctx, keys=keys,
            strip_newline=strip_newline,
        )  # fmt: skip

    return read_block


#: ``read_block`` of the built-in JSON formats (whose parser is ``json_parser()``).
read_json_block = json_block_reader()

"""NUL padding in a text log: runs of NUL bytes that are space, not text.

Two common ways a log gets them, both on hosts an incident touched:

- logrotate's ``copytruncate`` copies a live log and truncates it, while the program goes
  on writing at its old offset: the file then starts with that many NUL bytes (a sparse
  hole), and rotated copies of it (gzipped too) carry them on.
- a host that crashes before its page cache is written leaves NUL-filled blocks where the
  last lines were, in the middle or at the end of a file.

A run of :data:`PADDING_BYTES` or more NUL bytes is taken for such space: removed from the
text, never a reason to call the file binary (a binary file has short runs between other
bytes). No line break is in a run, so removing one keeps every line's number: the line it
was in is read without it, and the import report names that line. Shorter runs stay in the
text (the line they are in is rejected or kept as it reads). The leading run of a plain file
is skipped by seeking past it (see :func:`leading_padding`), not read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np

#: NUL bytes in a row that are padding, not text: a filesystem's smallest block.
PADDING_BYTES = 512
_RUN = re.compile(b"\0{%d,}" % PADDING_BYTES)
#: Bytes read at a time while looking for a plain file's first text byte.
_SCAN_BYTES = 1 << 20


def leading_padding(path: Path) -> int:
    """How many NUL bytes a plain file starts with, when they are padding (at least
    :data:`PADDING_BYTES`); else 0. Read a MiB at a time (a sparse hole reads fast)."""
    skipped = 0
    with path.open("rb") as handle:
        while True:
            data = handle.read(_SCAN_BYTES)
            text = len(data) - len(data.lstrip(b"\0"))
            skipped += text
            if text < len(data) or not data:
                break
    return skipped if skipped >= PADDING_BYTES else 0


def strip_padding(data: bytes) -> bytes:
    """``data`` without its runs of padding (for a head read to sniff the format)."""
    return _RUN.sub(b"", data) if b"\0" in data else data


def drop_padding(chunks: Iterable[bytes], first_line: int, found: list) -> Iterator[bytes]:
    """``chunks`` (a file's text in order, cut anywhere) without their runs of padding, a run
    that spans chunks too; each run goes into ``found`` as ``(line number, bytes)``, the
    line being the one it is in (``first_line`` is the first chunk's first line's)."""
    for chunk, _ in counted_without_padding(chunks, first_line, found):
        yield chunk


def counted_without_padding(
    chunks: Iterable[bytes], first_line: int, found: list
) -> Iterator[tuple[bytes, int]]:
    """:func:`drop_padding`'s chunks, each with its count of line breaks (which it counts
    anyway, to number the lines that hold padding)."""
    line = first_line
    carry = b""  # NUL bytes a chunk ended with, fewer than a run's: maybe the start of one
    running = False  # the chunk before ended inside a run (already dropped)
    for chunk in chunks:
        if running:
            rest = chunk.lstrip(b"\0")
            found[-1] = (found[-1][0], found[-1][1] + len(chunk) - len(rest))
            chunk, running = rest, not rest  # a chunk of NULs alone: the run goes on
        if carry:
            chunk, carry = carry + chunk, b""
        if b"\0" in chunk:
            body = chunk.rstrip(b"\0")
            tail = len(chunk) - len(body)
            for run in _RUN.finditer(body):
                found.append((line + body.count(b"\n", 0, run.start()), run.end() - run.start()))
            clean = _RUN.sub(b"", body)
            if tail >= PADDING_BYTES:  # a run that may go on in the next chunk
                found.append((line + body.count(b"\n"), tail))
                running = True
            elif tail:
                carry = chunk[len(body) :]
            chunk = clean
        breaks = int(np.count_nonzero(np.frombuffer(chunk, np.uint8) == 10))
        line += breaks
        if chunk:
            yield chunk, breaks
    if carry:  # NUL bytes alone
        yield carry, 0


def padding_note(found: list[tuple[int, int]]) -> str | None:
    """The import report's note on the runs of padding :func:`drop_padding` removed."""
    if not found:
        return None
    lines = sorted({line for line, _ in found})
    named = ", ".join(f"{n:,}" for n in lines[:5]) + (", …" if len(lines) > 5 else "")
    total = sum(size for _, size in found)
    return (
        f"{total:,} NUL bytes of padding (runs of {PADDING_BYTES} or more) removed from "
        f"line(s) {named}: space that a crash or a file truncated in place leaves; the "
        "text around them is kept"
    )


def leading_note(skipped: int) -> str:
    """The import report's note on a plain file whose first ``skipped`` bytes are padding."""
    return (
        f"the file starts with {skipped:,} NUL bytes of padding, skipped: a log truncated in "
        "place while its program went on writing at its old offset (logrotate's "
        "copytruncate); line 1 is the text after them"
    )

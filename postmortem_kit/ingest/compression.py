"""Compressed evidence files (gzip, bz2, xz), told by their magic bytes and decompressed as a
stream: concatenated members, padding, truncated and corrupt data each end with a note, and
what was readable before them is kept."""

from __future__ import annotations

import bz2
import dataclasses
import lzma
import zlib
from collections.abc import Callable, Iterable, Iterator

#: Errors the decompressors raise on bad data.
_BAD_DATA = (zlib.error, OSError, EOFError, lzma.LZMAError)


@dataclasses.dataclass(frozen=True)
class Codec:
    """One compression format."""

    name: str
    magic: bytes
    decompressor: Callable[[], object]
    #: NUL bytes between and after members are padding (gzip written by some tools).
    padded: bool = False


CODECS: tuple[Codec, ...] = (
    Codec("gzip", b"\x1f\x8b", lambda: zlib.decompressobj(wbits=47), padded=True),
    Codec("bz2", b"BZh", bz2.BZ2Decompressor),
    Codec("xz", b"\xfd7zXZ\x00", lzma.LZMADecompressor),
)
#: Bytes to read to tell every codec by its magic bytes.
MAGIC_BYTES = max(len(c.magic) for c in CODECS)


def codec_of(head: bytes) -> Codec | None:
    """The codec whose magic bytes start ``head`` (``None``: not compressed)."""
    return next((c for c in CODECS if head.startswith(c.magic)), None)


def decompress(pieces: Iterable[bytes], codec: Codec, notes: list[str]) -> Iterator[bytes]:
    """The decompressed bytes of ``pieces`` (a compressed file read in pieces), member after
    member. Truncated or corrupt data ends the stream with a note in ``notes``; what came
    before it is kept (for gzip, up to the byte where decompressing failed)."""
    d = None  # the current member's decompressor; None between members
    member_out = 0  # bytes the current member has given
    for piece in pieces:
        data = piece
        while data:
            if d is None:
                data = data.lstrip(b"\0") if codec.padded else data
                if not data:
                    break
                d, member_out = codec.decompressor(), 0
            backup = d.copy() if hasattr(d, "copy") else None  # zlib: to salvage a bad piece
            try:
                out = d.decompress(data)
                if hasattr(d, "flush") and d.eof:
                    out += d.flush()
            except _BAD_DATA as exc:
                if backup is None:  # bz2, xz: the piece that failed gave nothing
                    notes.append(
                        f"{codec.name} data is corrupt ({exc}); kept what was readable before it"
                    )
                    return
                for out in _salvage(backup, data):
                    member_out += len(out)
                    yield out
                notes.append(_corrupt_note(codec, exc, damaged=member_out > 0))
                return
            if out:
                member_out += len(out)
                yield out
            if d.eof:
                data, d = d.unused_data, None
            else:
                data = b""
    if d is not None:
        notes.append(f"{codec.name} file is truncated; kept what was readable before the cut")


def _corrupt_note(codec: Codec, exc: Exception, *, damaged: bool) -> str:
    """The note on gzip data that failed at a byte (everything before it was given)."""
    if not damaged:  # bad bytes where a member should begin: what came before is whole
        return f"{codec.name} data is corrupt ({exc}); kept everything before it"
    return (
        f"{codec.name} data is corrupt ({exc}); kept what was decompressed before the error, "
        "but the lines just before it may be damaged (the format has no checksum per block)"
    )


def _salvage(d, data: bytes, step: int = 512) -> Iterator[bytes]:
    """What ``d`` (a zlib decompressor as it was before ``data``) gives for ``data`` fed a
    little at a time, then the failing step byte by byte, up to where it fails: a piece
    with bad bytes (or a bad checksum at the end) still yields the text before them."""
    for i in range(0, len(data), step):
        before = d.copy()
        try:
            out = d.decompress(data[i : i + step])
        except _BAD_DATA:
            if step > 1:
                yield from _salvage(before, data[i : i + step], 1)
            return
        if out:
            yield out

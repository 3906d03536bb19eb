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
    before it is kept."""
    d = None  # the current member's decompressor; None between members
    for piece in pieces:
        data = piece
        while data:
            if d is None:
                data = data.lstrip(b"\0") if codec.padded else data
                if not data:
                    break
                d = codec.decompressor()
            try:
                out = d.decompress(data)
                if hasattr(d, "flush") and d.eof:
                    out += d.flush()
            except _BAD_DATA as exc:
                notes.append(
                    f"{codec.name} data is corrupt ({exc}); kept what was readable before it"
                )
                return
            if out:
                yield out
            if d.eof:
                data, d = d.unused_data, None
            else:
                data = b""
    if d is not None:
        notes.append(f"{codec.name} file is truncated; kept what was readable before the cut")

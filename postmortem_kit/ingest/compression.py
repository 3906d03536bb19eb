"""Compressed evidence files (gzip, bz2, xz), told by their magic bytes and decompressed as a
stream: concatenated members, padding, truncated and corrupt data each end with a note, and
what was readable before them is kept. Text in UTF-16 or UTF-32 with a byte-order mark
(what Windows PowerShell's ``>`` and ``Out-File`` write, and Excel's "Unicode text") is told
by its mark the same way and decoded to UTF-8 as a stream, in a compressed file too."""

from __future__ import annotations

import bz2
import codecs
import dataclasses
import itertools
import lzma
import zlib
from collections.abc import Callable, Iterable, Iterator

try:  # ISA-L's gzip (python-isal): five times as fast as zlib to decompress
    from isal import isal_zlib
except ImportError:  # pragma: no cover - a platform without its wheel: zlib alone
    isal_zlib = None

#: Errors the decompressors raise on bad data.
_BAD_DATA = (zlib.error, OSError, EOFError, lzma.LZMAError) + (
    (isal_zlib.error,) if isal_zlib is not None else ()
)


@dataclasses.dataclass(frozen=True)
class Codec:
    """One compression format."""

    name: str
    magic: bytes
    decompressor: Callable[[], object]
    #: NUL bytes between and after members are padding (gzip written by some tools).
    padded: bool = False
    #: The data has no end marker (text in another encoding): it ends where the file does,
    #: and ``flush()`` gives what the decoder holds then.
    unframed: bool = False
    #: A faster decompressor of the same data, used where the stream can be read again
    #: (see :func:`decompress`).
    fast: Callable[[], object] | None = None


#: The error handler of :class:`TextDecoder`: an invalid sequence becomes the byte 0xFF,
#: which is never valid UTF-8.
_INVALID = "postmortem-kit.invalid-as-0xff"
codecs.register_error(_INVALID, lambda exc: ("\udcff", exc.end))


class TextDecoder:
    """Text in another encoding (``utf-16``, ``utf-32``: their byte-order mark says which
    way round) as UTF-8, with the interface of the decompressors: ``decompress(data)``,
    ``flush()``. An invalid sequence (an unpaired surrogate, a last odd byte) becomes the
    byte 0xFF, invalid UTF-8, so that the line holding it is counted and decoded with a
    replacement character as a UTF-8 file's invalid lines are."""

    eof = False
    unused_data = b""

    def __init__(self, encoding: str):
        self._decoder = codecs.getincrementaldecoder(encoding)(errors=_INVALID)

    def decompress(self, data: bytes) -> bytes:
        return self._decoder.decode(data).encode("utf-8", "surrogateescape")

    def flush(self) -> bytes:
        return self._decoder.decode(b"", final=True).encode("utf-8", "surrogateescape")


CODECS: tuple[Codec, ...] = (
    Codec(
        "gzip",
        b"\x1f\x8b",
        lambda: zlib.decompressobj(wbits=47),
        padded=True,
        fast=None if isal_zlib is None else lambda: isal_zlib.decompressobj(wbits=47),
    ),  # fmt: skip
    Codec("bz2", b"BZh", bz2.BZ2Decompressor),
    Codec("xz", b"\xfd7zXZ\x00", lzma.LZMADecompressor),
    # UTF-32 first: its little-endian mark starts as UTF-16's does
    Codec("UTF-32 text", codecs.BOM_UTF32_LE, lambda: TextDecoder("utf-32"), unframed=True),
    Codec("UTF-32 text", codecs.BOM_UTF32_BE, lambda: TextDecoder("utf-32"), unframed=True),
    Codec("UTF-16 text", codecs.BOM_UTF16_LE, lambda: TextDecoder("utf-16"), unframed=True),
    Codec("UTF-16 text", codecs.BOM_UTF16_BE, lambda: TextDecoder("utf-16"), unframed=True),
)
#: Bytes to read to tell every codec by its magic bytes.
MAGIC_BYTES = max(len(c.magic) for c in CODECS)


def codec_of(head: bytes) -> Codec | None:
    """The codec whose magic bytes start ``head`` (``None``: not compressed)."""
    return next((c for c in CODECS if head.startswith(c.magic)), None)


class _Replay(Exception):
    """The fast decompressor met bad or truncated data in the member that starts at byte
    ``start``, having given ``given`` bytes of it: that member is read again, with the
    decompressor that can salvage."""

    def __init__(self, start: int, given: int):
        super().__init__(start, given)
        self.start, self.given = start, given


def decompress(
    pieces: Iterable[bytes],
    codec: Codec,
    notes: list[str],
    *,
    replay: Callable[[int], Iterable[bytes]] | None = None,
) -> Iterator[bytes]:
    """The decompressed bytes of ``pieces`` (a compressed file read in pieces), member after
    member. Truncated or corrupt data ends the stream with a note in ``notes``; what came
    before it is kept (for gzip, up to the byte where decompressing failed).

    ``replay(offset)``, the pieces again from that byte on, lets gzip be read by ISA-L
    (:data:`Codec.fast`, five times as fast as zlib), which cannot say where within a
    piece bad data starts: a member in which it meets bad or truncated data is read again
    from its start by zlib, which can, and the bytes already given are not given again."""
    if replay is None or codec.fast is None:
        yield from _members(pieces, codec, codec.decompressor, notes)
        return
    try:
        yield from _members(pieces, codec, codec.fast, notes, fast=True)
    except _Replay as trouble:
        skip = trouble.given  # the member's bytes given already
        for out in _members(replay(trouble.start), codec, codec.decompressor, notes):
            if skip >= len(out):
                skip -= len(out)
                continue
            yield out[skip:]
            skip = 0


def _members(
    pieces: Iterable[bytes], codec: Codec, make: Callable[[], object], notes: list[str],
    *, fast: bool = False,
) -> Iterator[bytes]:  # fmt: skip
    """:func:`decompress` with the decompressors ``make`` makes (``fast``: ones that cannot
    salvage, which raise :class:`_Replay` instead of noting trouble)."""
    d = None  # the current member's decompressor; None between members
    member_out = 0  # bytes the current member has given
    offset = member_start = 0  # where ``data`` starts in the stream; where the member did
    for piece in pieces:
        data = piece
        while data:
            if d is None:
                if codec.padded:
                    offset += len(data) - len(data.lstrip(b"\0"))
                    data = data.lstrip(b"\0")
                if not data:
                    break
                d, member_out, member_start = make(), 0, offset
            backup = None if fast or not hasattr(d, "copy") else d.copy()  # zlib: to salvage
            try:
                out = d.decompress(data)
                if hasattr(d, "flush") and d.eof:
                    out += d.flush()
            except _BAD_DATA as exc:
                if fast:
                    raise _Replay(member_start, member_out) from None
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
                offset += len(data) - len(d.unused_data)
                data, d = d.unused_data, None
            else:
                offset += len(data)
                data = b""
    if d is not None and codec.unframed:  # text: it ends with the file
        out = d.flush()
        if out:
            yield out
    elif d is not None:
        if fast:  # zlib gives what a cut member holds up to the byte, the fast one may not
            raise _Replay(member_start, member_out)
        notes.append(f"{codec.name} file is truncated; kept what was readable before the cut")


def decoded(
    pieces: Iterable[bytes],
    codec: Codec,
    notes: list[str],
    names: list[str],
    *,
    replay: Callable[[int], Iterable[bytes]] | None = None,
) -> Iterator[bytes]:
    """The text of a file read in ``pieces`` that starts with ``codec``'s magic bytes:
    decompressed (:func:`decompress`) and, when what is inside is UTF-16 or UTF-32 text with
    its byte-order mark (a PowerShell log gzipped by logrotate), decoded to UTF-8 as well.
    The name of each codec applied is appended to ``names`` (as it is known: the inner one
    when the first bytes are out). ``replay``: see :func:`decompress`."""
    names.append(codec.name)
    out = decompress(pieces, codec, notes, replay=replay)
    if codec.unframed:
        yield from out
        return
    head = b""
    for piece in out:
        head += piece
        if len(head) >= MAGIC_BYTES:
            break
    inner = codec_of(head[:MAGIC_BYTES])
    text = itertools.chain([head] if head else [], out)
    if inner is None or not inner.unframed:
        yield from text
        return
    names.append(inner.name)
    yield from decompress(text, inner, notes)


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

"""Reading an evidence file once: bytes to text, JSON with the line where each record starts.

Event exports are JSON documents (a list, or an object holding a list) or JSON streams (one
value per line, or pretty-printed values one after another as ``kubectl get -w -o json``
writes them). :class:`Document` parses them with the standard library and finds the 1-based
line where each record starts, so every event and every reject can name ``file:line``.
Bad input (binary, empty, truncated gzip, invalid JSON) raises :class:`IngestError` with one
line naming the file and, where it applies, the line.
"""

from __future__ import annotations

import bisect
import bz2
import dataclasses
import gzip
import itertools
import json
import lzma
import re
import zlib
from collections.abc import Iterator
from functools import cached_property
from json.decoder import scanstring
from pathlib import Path
from typing import Any

from postmortem_kit.errors import IngestError
from postmortem_kit.ingest.compression import MAGIC_BYTES, codec_of
from postmortem_kit.ingest.compression import decompress as decode_stream

_DECODER = json.JSONDecoder()
_SPACE = re.compile(r"[ \t\n\r]*")
_COMPRESSED = ((b"\x1f\x8b", gzip.decompress, "gzip"), (b"BZh", bz2.decompress, "bzip2"))


@dataclasses.dataclass
class Document:
    """The text of one file and lazily parsed JSON views of it.

    Attributes
    ----------
    path
        The file.
    text
        Its text (UTF-8; invalid bytes replaced by U+FFFD and counted in ``replaced``).
    replaced
        How many invalid UTF-8 sequences were replaced.
    """

    path: Path
    text: str
    replaced: int = 0

    @cached_property
    def _newlines(self) -> list[int]:
        return [m.start() for m in re.finditer("\n", self.text)]

    def line_of(self, offset: int) -> int:
        """The 1-based line of a character offset."""
        return bisect.bisect_left(self._newlines, offset) + 1

    @cached_property
    def _parsed(self) -> tuple[Any, json.JSONDecodeError | None]:
        try:
            return json.loads(self.text), None
        except json.JSONDecodeError as exc:
            return None, exc
        except RecursionError:
            return None, json.JSONDecodeError("nested too deeply", self.text, 0)

    @property
    def is_json(self) -> bool:
        """True when the whole text is one JSON value."""
        return self._parsed[1] is None

    def json(self) -> Any:
        """The whole text as one JSON value.

        Raises
        ------
        IngestError
            Naming the file, line and column of the first syntax error.
        """
        value, error = self._parsed
        if error is not None:
            raise IngestError(
                f"{self.path}:{error.lineno}: invalid JSON at column {error.colno}: {error.msg}"
            )
        return value

    def items(self, *keys: str) -> list[tuple[int, Any]]:
        """The elements of the array at ``keys`` (``()`` for a top-level array), with lines.

        Raises
        ------
        IngestError
            If the value at ``keys`` is missing or not an array.
        """
        value = self.json()
        for key in keys:
            value = value.get(key) if isinstance(value, dict) else None
        where = ".".join(keys) or "top level"
        if not isinstance(value, list):
            raise IngestError(
                f"{self.path}:{self.line_of(self._offset_of(keys) or 0)}: expected a JSON list "
                f"at {where}, found {type(value).__name__}"
            )
        start = self._offset_of(keys)
        assert start is not None and self.text[start] == "["
        offsets = _array_offsets(self.text, start)
        return [(self.line_of(o), v) for o, v in zip(offsets, value, strict=True)]

    def line_of_key(self, *keys: str) -> int:
        """The line where the value at ``keys`` starts (1 if it cannot be found)."""
        offset = self._offset_of(keys)
        return self.line_of(offset) if offset is not None else 1

    def _offset_of(self, keys: tuple[str, ...]) -> int | None:
        self.json()
        pos = _skip(self.text, 0)
        for key in keys:
            if self.text[pos] != "{":
                return None
            pos = _member_offset(self.text, pos, key)
            if pos is None:
                return None
        return pos

    def stream(self) -> list[tuple[int, Any | None, str]]:
        """The JSON values one after another (JSON lines or concatenated JSON).

        Returns
        -------
        list of (line, value, error)
            ``error`` is ``""`` for a parsed value; for a value that does not parse it is the
            reject reason and reading resumes on the next line.
        """
        return list(self.iter_stream())

    def first_values(self, count: int = 3) -> list[Any]:
        """The first parsed values of a JSON stream, for sniffing; ``[]`` for non-JSON text."""
        if self.text.lstrip()[:1] not in ("{", "["):
            return []
        return [v for _, v, e in itertools.islice(self.iter_stream(), count) if not e]

    def iter_stream(self) -> Iterator[tuple[int, Any | None, str]]:
        """:meth:`stream`, one value at a time."""
        text, pos = self.text, _skip(self.text, 0)
        while pos < len(text):
            try:
                value, end = _DECODER.raw_decode(text, pos)
            except json.JSONDecodeError as exc:
                yield self.line_of(pos), None, f"invalid JSON: {exc.msg}"
                newline = text.find("\n", max(pos, exc.pos))
                pos = _skip(text, newline if newline >= 0 else len(text))
                continue
            except RecursionError:
                yield self.line_of(pos), None, "invalid JSON: nested too deeply"
                newline = text.find("\n", pos)
                pos = _skip(text, newline if newline >= 0 else len(text))
                continue
            yield self.line_of(pos), value, ""
            pos = _skip(text, end)


def read_document(path: Path) -> Document:
    """Read a file as text, decompressing gzip/bzip2/xz transparently.

    Raises
    ------
    IngestError
        For a missing, empty, binary or truncated compressed file.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    data = _decompress(path, data)
    if not data.removeprefix(b"\xef\xbb\xbf").strip():  # nothing, or a byte-order mark
        raise IngestError(f"{path}: file is empty: no events to import")
    if b"\x00" in data[:65536]:
        raise IngestError(f"{path}: binary file (NUL bytes): not an event export")
    try:
        text, replaced = data.decode("utf-8"), 0
    except UnicodeDecodeError:
        text = data.decode("utf-8", errors="replace")
        replaced = text.count("\ufffd")
    return Document(path=path, text=text.removeprefix("\ufeff"), replaced=replaced)


def _decompress(path: Path, data: bytes) -> bytes:
    """``data`` decompressed, and as UTF-8 when it is UTF-16 or UTF-32 text with its
    byte-order mark (Excel's "Unicode text" export)."""
    for magic, decompress, name in (*_COMPRESSED, (b"\xfd7zXZ", lzma.decompress, "xz")):
        if data.startswith(magic):
            try:
                data = decompress(data)
            except (OSError, EOFError, ValueError, zlib.error, lzma.LZMAError) as exc:
                raise IngestError(f"{path}: truncated or corrupt {name} file: {exc}") from exc
            break
    codec = codec_of(data[:MAGIC_BYTES])
    if codec is not None and codec.unframed:  # wide text: no end marker, nothing to note
        data = b"".join(decode_stream([data], codec, []))
    return data


def _skip(text: str, pos: int) -> int:
    return _SPACE.match(text, pos).end()


def _array_offsets(text: str, start: int) -> list[int]:
    """Start offsets of the elements of the (valid) JSON array at ``text[start] == '['``."""
    offsets, pos = [], _skip(text, start + 1)
    if text[pos] == "]":
        return offsets
    while True:
        offsets.append(pos)
        _, end = _DECODER.raw_decode(text, pos)
        pos = _skip(text, end)
        if text[pos] == "]":
            return offsets
        pos = _skip(text, pos + 1)  # the comma


def _member_offset(text: str, start: int, key: str) -> int | None:
    """Offset of the value of ``key`` in the (valid) JSON object at ``text[start] == '{'``.

    The last duplicate wins, as with :func:`json.loads`.
    """
    found, pos = None, _skip(text, start + 1)
    while text[pos] != "}":
        name, pos = scanstring(text, pos + 1)
        pos = _skip(text, _skip(text, pos) + 1)  # past the colon
        if name == key:
            found = pos
        _, end = _DECODER.raw_decode(text, pos)
        pos = _skip(text, end)
        if text[pos] == ",":
            pos = _skip(text, pos + 1)
    return found

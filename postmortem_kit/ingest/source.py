"""Finding evidence files and reading them as numbered lines: globs, folders, gzip/bz2/xz,
binary files, invalid UTF-8 and truncated archives, each with a clear message."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import glob
import os
import re
from collections.abc import Iterable
from pathlib import Path

import polars as pl
from tqdm.auto import tqdm

from postmortem_kit.errors import IngestError
from postmortem_kit.ingest.compression import MAGIC_BYTES, codec_of, decoded
from postmortem_kit.ingest.padding import PADDING_BYTES

#: Files over this size get a progress bar while they are read.
PROGRESS_BYTES = 50 * 1024 * 1024
_CHUNK = 8 * 1024 * 1024
_BOM = "\ufeff".encode()
_SEPARATORS = (b"\x1f", b"\x1e", b"\x1d", b"\x1c", b"\x01", b"\x02", b"\x03", b"\x04")


@dataclasses.dataclass
class RawFile:
    """One evidence file's bytes, decompressed."""

    path: Path
    name: str
    data: bytes
    compression: str | None = None
    notes: list[str] = dataclasses.field(default_factory=list)
    #: Byte offset of ``data`` in the file when only part was read (window seeking).
    offset: int | None = None

    @property
    def mtime(self) -> dt.date:
        return dt.datetime.fromtimestamp(self.path.stat().st_mtime, dt.UTC).date()


def expand_paths(paths: str | os.PathLike | Iterable[str | os.PathLike]) -> list[Path]:
    """Turn a path, a glob, a folder or a list of those into files, in a stable order.

    Folders are walked recursively; hidden files and folders are skipped.

    Raises
    ------
    IngestError
        When a path does not exist or a glob matches nothing.
    """
    items = [paths] if isinstance(paths, str | os.PathLike) else list(paths)
    if not items:
        raise IngestError("no paths given: pass a file, a folder, a glob or a list of them")
    out: list[Path] = []
    for item in items:
        text = os.fspath(item)
        p = Path(text).expanduser()
        if p.is_dir():
            found = sorted(
                f for f in p.rglob("*")
                if f.is_file() and not any(part.startswith(".") for part in f.relative_to(p).parts)
            )  # fmt: skip
            out.extend(found)
        elif p.is_file():
            out.append(p)
        elif glob.has_magic(text):
            matches = sorted(Path(m) for m in glob.glob(os.path.expanduser(text), recursive=True))
            files = [m for m in matches if m.is_file()]
            if not files:
                raise IngestError(f"{text}: the pattern matches no file")
            out.extend(files)
        else:
            raise IngestError(f"{text}: no such file or folder")
    seen, unique = set(), []
    for f in out:
        key = f.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique


def provenance_names(files: list[Path], relative_to: str | os.PathLike | None = None) -> list[str]:
    """How each file is named in provenance: relative to ``relative_to`` (the incident
    folder) when given and possible, else as the path was given."""
    if relative_to is None:
        return [f.as_posix() for f in files]
    base = Path(relative_to).resolve()
    out = []
    for f in files:
        try:
            out.append(f.resolve().relative_to(base).as_posix())
        except ValueError:
            out.append(f.as_posix())
    return out


class Progress:
    """A progress bar for ``total`` bytes (none for fewer than :data:`PROGRESS_BYTES`),
    made at its first :meth:`update`: a reader that updates after handing a block on hands
    the first one on before paying for the bar (2-6 ms for a process's first bar, 0.3 ms
    after). (``tqdm.auto`` is imported with this module: imported on the first large file
    instead, it held that file's first block back by 13 ms.)"""

    def __init__(self, total: int, label: str):
        self.total, self.label = total, label
        self.bar: tqdm | None = None

    def update(self, n: int) -> None:
        if self.total <= PROGRESS_BYTES:
            return
        if self.bar is None:
            self.bar = tqdm(total=self.total, unit="B", unit_scale=True, desc=self.label,
                            leave=False)  # fmt: skip
        self.bar.update(n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _read(path: Path, start: int = 0, end: int | None = None) -> bytes:
    size = path.stat().st_size
    end = size if end is None else min(end, size)
    want = max(0, end - start)
    bar = Progress(want, f"reading {path.name}")
    parts = []
    with path.open("rb") as handle, contextlib.closing(bar):
        handle.seek(start)
        left = want
        while left > 0:
            chunk = handle.read(min(_CHUNK, left))
            if not chunk:
                break
            parts.append(chunk)
            left -= len(chunk)
            bar.update(len(chunk))
    return b"".join(parts)


def read_file(path: Path, name: str, *, start: int = 0, end: int | None = None) -> RawFile:
    """Read a file (or the byte range ``start``–``end`` of a plain one), decompressing
    gzip, bz2 and xz and decoding UTF-16 and UTF-32 by their magic bytes.

    Raises
    ------
    IngestError
        When the file cannot be read or is binary.
    """
    try:
        data = _read(path, start, end)
    except OSError as exc:
        raise IngestError(f"{name}: cannot read: {exc.strerror or exc}") from None
    raw = RawFile(path, name, data, offset=start if (start or end is not None) else None)
    codec = codec_of(data[:MAGIC_BYTES])
    if codec is not None:
        names: list[str] = []
        raw.data = b"".join(
            decoded([data], codec, raw.notes, names, replay=lambda offset: [data[offset:]])
        )
        raw.compression = " + ".join(names)
    check_text(raw.data, name)
    return raw


#: A run of NUL bytes (:func:`check_text` tells padding from a binary file's by length).
_NULS = re.compile(b"\0+")


def check_text(data: bytes, name: str) -> None:
    """Raise :class:`IngestError` when the start of ``data`` (a file's first 64 KiB, after
    decompression) holds a NUL byte outside a run of padding (:mod:`.padding`): a binary
    file, not a text log."""
    head = data[: (1 << 16) + PADDING_BYTES]
    for run in _NULS.finditer(head):
        if run.start() >= 1 << 16:
            break
        if run.end() - run.start() < PADDING_BYTES and run.end() < len(head):
            wide = _utf16_without_mark(head)
            if wide:
                raise IngestError(
                    f"{name}: looks like {wide} text without a byte-order mark (a NUL byte "
                    "between each pair of letters); convert it to UTF-8 first, e.g. "
                    f"iconv -f {wide} -t UTF-8 (with the mark it is read as it is)"
                )
            raise IngestError(
                f"{name}: looks binary (a NUL byte at offset {run.start()}), not a text log; "
                "if it is compressed, only gzip, bz2 and xz are read"
            )


def _utf16_without_mark(head: bytes) -> str | None:
    """``UTF-16LE`` or ``UTF-16BE`` when ``head`` reads as ASCII text in that encoding: a
    NUL byte in nearly every second place and in almost no other."""
    sample = head[: 4096 - 4096 % 2]
    if len(sample) < 16:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    half = len(sample) // 2
    if odd > 0.9 * half and even < 0.05 * half:
        return "UTF-16LE"
    if even > 0.9 * half and odd < 0.05 * half:
        return "UTF-16BE"
    return None


def _numbered(lines: pl.DataFrame | pl.LazyFrame):
    """``line_no`` (from 1) and ``line``, null where it is blank (white space only)."""
    return lines.select(
        pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("line_no"),
        pl.when(pl.col("line").str.strip_chars().str.len_bytes() > 0)
        .then(pl.col("line"))
        .alias("line"),
    )


def scan_lines(data: bytes, *, lossy: bool = False) -> pl.LazyFrame | None:
    """The lines of ``data`` as a lazy frame of ``line_no`` (1-based) and ``line`` (null for
    a blank line), read by polars' CSV reader with a separator byte that does not occur in
    ``data`` (``None`` when each candidate does), so that a query can go on from them in
    one plan. ``\\r\\n`` endings and a UTF-8 byte-order mark are dropped. Collecting it
    raises :class:`polars.exceptions.ComputeError` on invalid UTF-8 unless ``lossy`` (then
    decoded with U+FFFD replacement characters), and
    :class:`polars.exceptions.NoDataError` when ``data`` holds no line."""
    raw = scan_raw_lines(data, lossy=lossy)
    return None if raw is None else _numbered(raw)


def scan_raw_lines(data: bytes, *, lossy: bool = False) -> pl.LazyFrame | None:
    """:func:`scan_lines`' ``line`` alone: an empty line null, one of white space kept."""
    sep = next((s for s in _SEPARATORS if data.find(s) < 0), None)
    if sep is None:
        return None
    return pl.scan_csv(
        data, has_header=False, separator=sep.decode(), quote_char=None, new_columns=["line"],
        infer_schema=False, encoding="utf8-lossy" if lossy else "utf8",
    )  # fmt: skip


def scan_groups(data: bytes, pattern: str) -> pl.LazyFrame | None:
    """A fast block reader's query: the block's lines (``line_no`` from 1, ``line``) with
    the named groups of ``pattern`` as columns; ``None`` when no separator byte is free.
    Collect it with :func:`collect_block`. (``provenance`` is not made here: a block whose
    every line is a row has it written by :func:`.provenance.line_references`, a quarter
    of what this query took to make it.)

    A line of white space is not made null, as :func:`scan_lines` makes it (a strip and a
    copy of every line): no fast reader's pattern reads one (it takes such a block for
    another layout), and a reader that hands the lines on to the general way hands them
    through :func:`whole_lines`, which does. Measured on a 3 MiB access-log block, this
    query alone: 14.0 instead of 14.9 ms on one thread (CPU 14.2 instead of 15.1 ms)."""
    raw = scan_raw_lines(data)
    if raw is None:
        return None
    return raw.select(
        pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("line_no"),
        "line",
        pl.col("line").str.extract_groups(pattern).alias("_g"),
    ).unnest("_g")


def collect_block(query: pl.LazyFrame, *, streaming: bool = False) -> pl.DataFrame | None:
    """A fast block reader's query run (on polars' own threads, while the worker waits);
    ``None`` when the block is not valid UTF-8 or holds no line: the general way reads it
    then, and counts what it must. ``streaming``: by polars' streaming engine, which cuts
    the block's lines into morsels run on every core (rows in their order); the in-memory
    engine runs a block's regex on one. Which is faster depends on the query: see the
    readers that ask for it."""
    try:
        return query.collect(engine="streaming" if streaming else "in-memory")
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError):
        return None


def split_lines(data: bytes) -> tuple[pl.DataFrame, int]:
    """Split text into a frame of ``line_no`` (1-based) and ``line`` (null for a blank line).

    ``\\r\\n`` endings and a UTF-8 byte-order mark are dropped. Invalid UTF-8 is decoded with
    U+FFFD replacement characters.

    Returns
    -------
    (lines, invalid)
        ``invalid`` is how many lines had invalid UTF-8.
    """
    empty = pl.DataFrame(schema={"line_no": pl.Int64, "line": pl.String})
    if not data.removeprefix(_BOM):  # (a CSV reader takes a lone byte-order mark for no data)
        return empty, 0
    lines = scan_lines(data)
    if lines is not None:
        try:
            return lines.collect(), 0
        except pl.exceptions.ComputeError:
            frame = scan_lines(data, lossy=True).collect()
            return frame, int(frame["line"].str.contains("\ufffd", literal=True).sum())
    # every candidate separator occurs: split in Python
    text = data.decode("utf-8", errors="replace")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    lines = [ln.removesuffix("\r") or None for ln in lines]
    if lines and lines[0]:
        lines[0] = lines[0].removeprefix("\ufeff") or None
    frame = pl.DataFrame({"line": pl.Series(lines, dtype=pl.String)})
    invalid = 0
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        invalid = int(frame["line"].str.contains("\ufffd", literal=True).sum())
    return _numbered(frame), invalid


def first_line_text(data: bytes) -> str | None:
    """The text of a block's first line (``None`` when it is not valid UTF-8)."""
    end = data.find(b"\n")
    try:
        text = (data if end < 0 else data[:end]).decode("utf-8")
    except UnicodeDecodeError:
        return None
    return text.removeprefix("\ufeff").removesuffix("\r")


def whole_lines(data: bytes, lines: pl.DataFrame | None = None) -> pl.DataFrame | None:
    """A block's lines for a fast block reader (``lines``: as a query split them already,
    else split here), or ``None`` when one is blank or not valid UTF-8, or there are none:
    the general way counts those."""
    if lines is None:
        lines, invalid = split_lines(data)
        if invalid:
            return None
    else:  # as scan_groups gives them: a line of white space not yet null
        lines = _numbered(lines.select("line"))
    if not lines.height or lines["line"].has_nulls():
        return None
    return lines


def sample_lines(lines: pl.DataFrame, n: int = 200, budget: int = 8 << 20) -> list[str]:
    """Up to ``n`` non-blank lines from the start of the file (and some from its middle),
    whole, within about ``budget`` characters."""
    non_blank = lines.filter(pl.col("line").is_not_null())
    head = non_blank.head(n)["line"].to_list()
    if non_blank.height > 4 * n:
        mid = non_blank.height // 2
        head += non_blank.slice(mid, n // 4)["line"].to_list()
    out, used = [], 0
    for line in head:
        if out and used + len(line) > budget:
            break
        out.append(line)
        used += len(line)
    return out

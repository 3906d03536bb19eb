"""The log format registry: one table row per format, extensible through an entry point.

A format is data: a name, how it is sniffed, its parser, its timestamp rule and an example
line. Third-party packages add one by exposing a :class:`LogFormat` (or a callable returning
one) under the ``postmortem_kit.log_formats`` entry-point group::

    [project.entry-points."postmortem_kit.log_formats"]
    mylog = "mypackage.formats:MYLOG"
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import warnings
from collections.abc import Callable, Iterator
from importlib.metadata import entry_points
from typing import TYPE_CHECKING

import polars as pl
import pyarrow as pa

from postmortem_kit.errors import IngestError

if TYPE_CHECKING:
    from pathlib import Path

    from postmortem_kit.ingest.importreport import FileReport
    from postmortem_kit.ingest.source import RawFile

ENTRY_POINT_GROUP = "postmortem_kit.log_formats"


class NeedsMoreLines(Exception):
    """Raised by the parser of a format whose rows may span lines (``seekable=False``) when
    a block, with more of the file still to come (:attr:`ParseContext.more`), may end inside
    a row: the reader then gives it the rest of the file at once."""


@dataclasses.dataclass
class ParseContext:
    """What a parser knows about the file it parses."""

    name: str
    tz: str | None
    year: int | None
    last_known: dt.date
    report: FileReport
    raw: RawFile
    #: Explicit column mapping (output column → input key) for structured formats.
    fields: dict[str, str] | None = None
    #: Slash dates are day first (``True``), month first (``False``) or as the file shows.
    dayfirst: bool | None = None
    #: (line number, reason) of the earliest rejected line, for ``strict=True``.
    first_reject: tuple[int, str] | None = None
    time: dict = dataclasses.field(
        default_factory=lambda: {"naive": 0, "ambiguous": 0, "nonexistent": 0, "styles": {}}
    )
    #: What a parser keeps between the chunks of one file read in pieces: the timestamp
    #: style it chose, year rollovers and DST state (``"time"``), and the like.
    state: dict = dataclasses.field(default_factory=dict)
    #: More of the file follows the lines being parsed (a ``seekable=False`` format's parser
    #: may then raise :class:`NeedsMoreLines`); ``False`` for the last of them.
    more: bool = False
    #: Notes that hold only once the whole file is read (a mapped key found in no block),
    #: by topic; the reader adds them to the report at the end.
    end_notes: dict[str, str] = dataclasses.field(default_factory=dict)

    def scratch(self, state: dict | None = None) -> ParseContext:
        """A context to parse some of the file's lines on the side (a block read ahead, a
        bisection probe): the file's settings and ``state`` (none by default), with its own
        report, counts and notes, so that nothing it finds reaches the file's."""
        from postmortem_kit.ingest.importreport import FileReport
        from postmortem_kit.ingest.source import RawFile

        return ParseContext(
            name=self.name, tz=self.tz, year=self.year, last_known=self.last_known,
            report=FileReport(self.name), raw=RawFile(self.raw.path, self.name, b""),
            fields=self.fields, dayfirst=self.dayfirst, state={} if state is None else state,
        )  # fmt: skip

    @property
    def carry(self) -> dict:
        """The timestamp state kept between chunks (for ``parse_timestamps(carry=)``)."""
        return self.state.setdefault("time", {})

    def where(self, line_no: int) -> str:
        """Provenance of a line: ``file:line`` (line numbers count from the file's start,
        also when only a byte range of it was read)."""
        return f"{self.name}:{line_no}"

    def reject(
        self,
        reason: str,
        line_nos: pl.Series,
        examples: list[tuple[int, str]],
        *,
        header: bool = False,
    ) -> None:
        """Count rejected lines (their numbers and a few ``(line_no, text)`` examples).
        ``header``: lines that are no event by the format's own rules (a CSV header row, a
        W3C directive), counted as rejects so that every line is accounted for, but no
        error: ``strict=True`` does not stop at them."""
        if not len(line_nos):
            return
        self.report.reject(reason, len(line_nos), [(self.where(n), t) for n, t in examples])
        if header:
            return
        first = int(line_nos.min())
        if self.first_reject is None or first < self.first_reject[0]:
            self.first_reject = (first, reason)

    def note_keys(self, keys: list[str] | tuple[str, ...]) -> None:
        """Keep the ``mapping=`` note up to date with a block's input keys: it names the
        mapped keys found in no block so far (a key may first appear in a later block)."""
        if not self.fields:
            return
        missing = self.state.setdefault("unmapped", set(self.fields.values()))
        missing -= set(keys)
        if missing:
            self.end_notes["mapping"] = (
                f"mapping= names key(s) found in no line of the file: {', '.join(sorted(missing))}"
            )
        else:
            self.end_notes.pop("mapping", None)

    def time_info(self, info: dict) -> None:
        """Merge what a timestamp parse found (counts, year note, styles) into the context."""
        for key in ("naive", "ambiguous", "nonexistent"):
            self.time[key] += info.get(key, 0)
        for style, n in info.get("styles", {}).items():
            self.time["styles"][style] = self.time["styles"].get(style, 0) + n
        if info.get("year_note"):
            self.time["year_note"] = info["year_note"]
        for abbr, n in info.get("ambiguous_zones", {}).items():
            zones = self.time.setdefault("ambiguous_zones", {})
            zones[abbr] = zones.get(abbr, 0) + n


@dataclasses.dataclass(frozen=True)
class BlockRows:
    """What a format's ``read_block`` makes of a block whose every line is one good row (or,
    for a ``multiline`` format, a continuation line of one)."""

    #: The rows as the reader keeps them (see :func:`.chunks.pack_rows`): ``provenance`` filled,
    #: ``source``, ``format`` and the all-null columns left out, low-cardinality text as
    #: categoricals, the core columns first.
    table: pa.Table
    #: Every column the block has, all-null ones too, with its type, in the table's order.
    schema: pa.Schema
    #: Lines in the block (each one a row of ``table``, or a continuation line of one).
    lines: int
    #: The input keys the block has (for the ``mapping=`` note).
    keys: tuple[str, ...]
    #: What reading its times found, as :meth:`ParseContext.time_info` takes it.
    time: dict
    #: Parser state the block sets as ``parse`` would (such as the timestamp style chosen on
    #: the file's first values), merged in by :func:`merge_state`.
    state: dict = dataclasses.field(default_factory=dict)
    #: Lines attached to the event before them (a ``multiline`` format's stack traces).
    continuation_lines: int = 0
    #: For a block read on an assumption about the blocks before it, which a worker cannot
    #: know for sure (BSD syslog: the year, which a New Year in a block still in flight
    #: moves on): ``commit(ctx)``, run in the parser thread, in file order, just before the
    #: rows are kept. It checks the assumption against ``ctx.state`` as the blocks before
    #: left it and, when it holds, moves that state on as ``parse`` would and returns
    #: ``True``; ``False`` sends the block the general way instead.
    commit: Callable[[ParseContext], bool] | None = None


def merge_state(state: dict, updates: dict) -> None:
    """Merge a block's state ``updates`` (see :attr:`BlockRows.state`) into a file's parser
    state: a key not there yet is set; a list gains the items it lacks, in order; any other
    value already set stays (the first block's choice holds for the file)."""
    for key, value in updates.items():
        if key not in state:
            state[key] = value
        elif isinstance(state[key], list) and isinstance(value, list):
            state[key].extend(v for v in value if v not in state[key])


#: A sniffer gets up to 200 sample lines and the file name; it returns a score in 0..1 and
#: a short reason ("180/200 sample lines match").
Sniffer = Callable[[list[str], str], tuple[float, str]]
#: A parser gets the file's lines (``line_no``, ``line``) and returns one row per event with
#: ``line_no``, ``timestamp``, ``message`` (and more), plus ``_reject`` (reason or null) and
#: ``_lines`` (lines the row covers, for continuation lines).
Parser = Callable[[pl.DataFrame, ParseContext], pl.DataFrame]


@dataclasses.dataclass(frozen=True)
class LogFormat:
    """One row of the format table."""

    name: str
    description: str
    sniff: Sniffer
    parse: Parser
    timestamp: str
    example: str
    #: Lines without a timestamp of their own continue the event before them.
    multiline: bool = False
    #: Each line parses on its own, so a time-ordered file can be bisected by byte offset.
    #: Otherwise (a row may span lines: CSV) each block is parsed with ``ctx.more`` set, and
    #: a parser that raises :class:`NeedsMoreLines` gets the rest of the file at once.
    seekable: bool = True
    #: The parser reads the file's bytes (``ctx.raw.data``) as well as its lines.
    wants_bytes: bool = False
    #: Other names accepted by ``format=`` (``nginx`` for ``combined``, ``jsonl`` for ``json``).
    aliases: tuple[str, ...] = ()
    #: Optional pure work on a block's lines, ``prepare(lines, *, data, state)``, returning
    #: them with more columns, which ``parse`` then accepts in their place. Free of side
    #: effects, it runs on the next blocks in worker threads while ``parse`` works on this
    #: one. ``data`` is the block's bytes when they are exactly those lines (no blank line,
    #: valid UTF-8), else ``b""``; ``state`` is what ``parse`` has kept in ``ctx.state`` so
    #: far (read it, never write it, but for a cache that changes how fast and never what,
    #: such as :func:`.structured.read_json_bytes`'): a value ``parse`` sets on the first
    #: block, such as the timestamp style it chose, is there for the later ones. A prepared
    #: line of a ``multiline`` format has a ``ts`` column, set exactly on the lines that
    #: start an event.
    prepare: Callable[..., pl.DataFrame] | None = None
    #: Optional fast reader of a whole block, ``read_block(data, *, first_line, ctx)``:
    #: when every line of ``data`` (the block's bytes; ``first_line`` is its first line's
    #: number) is one good row, the finished :class:`BlockRows`; else ``None``, and the
    #: block goes the general way (``prepare``, ``parse``), which counts every oddity. It
    #: must give exactly what that way gives (tests hold each built-in one to it). It runs
    #: in a worker thread: ``ctx`` is read-only, as ``state`` is for ``prepare``. A
    #: ``multiline`` format's also gets ``following``, the next block's first line (``None``
    #: after the last block), and may take a block only when its first line starts an event
    #: and ``following`` does too (or is ``None``): no event then spans two blocks.
    read_block: Callable[..., BlockRows | None] | None = None
    #: ``read_block`` runs on about one core (a polars query over one block's lines, which
    #: polars does not split across its threads). Once it reads blocks whole, the reader
    #: has one worker more than polars has threads, so that every core has a query to run
    #: while a worker holds the GIL between its steps (nginx, log4j layout: 7–11 % less
    #: time on 2 cores, for a block's working set more). A reader whose blocks already keep
    #: the cores busy (pyarrow's JSON and CSV readers) leaves it ``False``: a third worker
    #: cost memory and gained nothing there. Either way one more block than the workers
    #: waits its turn.
    one_core_blocks: bool = False
    #: Optional set-up from the file's first block, ``prime(lines, ctx)``, run once before
    #: any block is read: it keeps in ``ctx.state`` what ``parse`` would choose on that
    #: block (the generic text format's timestamp style), so that ``read_block`` can read
    #: the first blocks too rather than leave them to the general way. ``parse`` must do
    #: the same when it finds it not done.
    prime: Callable[[pl.DataFrame, ParseContext], None] | None = None
    #: Bytes per block this format is best read in, when ``chunk_bytes=`` is not given
    #: (``None``: the reader's default). A block ``read_block`` reads costs little memory
    #: beyond its bytes, so JSON lines take larger blocks and pay the fixed cost per block
    #: less often.
    block_bytes: int | None = None
    #: Optional last step on a file's whole table once every block is read,
    #: ``finish(table, ctx)``, returning the table and how many of its rows went into
    #: others (counted as continuation lines), such as a CRI log's split lines joined.
    finish: Callable[[pa.Table, ParseContext], tuple[pa.Table, int]] | None = None
    #: Optional, for a format whose lines need what the file said before them (W3C's
    #: ``#Fields`` directive): ``resume(path, offset, begin)`` gives the ``ctx.state`` in
    #: force at the line starting at byte ``offset`` of a plain file whose text starts at
    #: ``begin``. A bisection probe parses with it, and a read that starts where the window
    #: was found starts with it. Without it a probe parses with no state.
    resume: Callable[[Path, int, int], dict] | None = None
    #: A line's message may be an app's own JSON record (a container's or a service's
    #: output): messages that are JSON objects are unpacked into columns once the file is
    #: read (see :mod:`.payload`).
    payload: bool = False
    #: A row whose record gave no level takes the level word found near the start of its
    #: message (:func:`.messagelevel.fill_levels`): a container's or a cloud log's plain lines
    #: (``2026-10-14 14:07:00 ERROR …``, Lambda's ``[ERROR]``), which nothing else reads.
    find_level: bool = False


class FormatRegistry:
    """Formats by name, in the order they were registered (which breaks sniffing ties)."""

    def __init__(self) -> None:
        self._formats: dict[str, LogFormat] = {}
        self._aliases: dict[str, str] = {}
        self._loaded_entry_points = False

    def register(self, fmt: LogFormat, *, replace: bool = False) -> LogFormat:
        """Add a format; a name already taken is an error unless ``replace``."""
        if not isinstance(fmt, LogFormat):
            raise TypeError(f"expected a LogFormat, got {type(fmt).__name__}")
        if fmt.name in self._formats and not replace:
            raise ValueError(f"a log format named {fmt.name!r} is already registered")
        self._formats[fmt.name] = fmt
        for alias in fmt.aliases:
            self._aliases.setdefault(alias, fmt.name)
        return fmt

    def _load_entry_points(self) -> None:
        if self._loaded_entry_points:
            return
        self._loaded_entry_points = True
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            try:
                obj = ep.load()
                fmt = obj() if callable(obj) and not isinstance(obj, LogFormat) else obj
                self.register(fmt)
            except Exception as exc:  # a broken plug-in must not break the built-ins
                warnings.warn(
                    f"log format entry point {ep.name!r} failed to load: {exc}", stacklevel=2
                )

    def get(self, name: str) -> LogFormat:
        """The format called ``name``.

        Raises
        ------
        IngestError
            Listing the known names when there is no such format.
        """
        self._load_entry_points()
        try:
            return self._formats[self._aliases.get(name, name)]
        except KeyError:
            raise IngestError(
                f"unknown log format {name!r}; known formats: {', '.join(self.names())} (or 'auto')"
            ) from None

    def names(self) -> list[str]:
        self._load_entry_points()
        return list(self._formats)

    def __iter__(self) -> Iterator[LogFormat]:
        self._load_entry_points()
        return iter(list(self._formats.values()))

    def __contains__(self, name: object) -> bool:
        self._load_entry_points()
        return name in self._formats or name in self._aliases

    def __len__(self) -> int:
        self._load_entry_points()
        return len(self._formats)


#: The registry every reader uses; built-in formats are added by :mod:`.formats`.
LOG_FORMATS = FormatRegistry()


def register_format(fmt: LogFormat, *, replace: bool = False) -> LogFormat:
    """Register a log format in :data:`LOG_FORMATS`."""
    return LOG_FORMATS.register(fmt, replace=replace)


def get_format(name: str) -> LogFormat:
    """Look a format up by name in :data:`LOG_FORMATS`."""
    return LOG_FORMATS.get(name)


def sniff_format(
    sample: list[str], name: str
) -> tuple[LogFormat, float, str, list[tuple[str, float]]]:
    """Choose the best format for a file's sample.

    Returns
    -------
    (format, score, reason, runners_up)
        ``runners_up`` lists the next best (name, score) pairs, for the import report.

    Raises
    ------
    IngestError
        When no format recognises the sample.
    """
    scored = []
    for order, fmt in enumerate(LOG_FORMATS):
        try:
            score, reason = fmt.sniff(sample, name)
        except Exception as exc:  # a sniffer must never take the import down
            score, reason = 0.0, f"sniffer failed: {exc}"
        scored.append((score, -order, fmt, reason))
    scored.sort(key=lambda t: (t[0], t[1]), reverse=True)
    score, _, fmt, reason = scored[0]
    if score <= 0:
        raise IngestError(
            f"{name}: no known log format recognises this file (no timestamps found in its "
            "first lines); pass format= with one of: "
            + ", ".join(LOG_FORMATS.names())
            + ". A log written without times cannot be put on the timeline: export it with "
            "them (kubectl logs --timestamps, docker logs --timestamps, journalctl -o "
            "short-iso)"
        )
    runners = [(f.name, round(s, 2)) for s, _, f, _ in scored[1:4] if s > 0]
    return fmt, score, reason, runners

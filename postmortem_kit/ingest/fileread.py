"""Reading one log file: choose its format, find a window by seeking, then parse it one block
at a time into an Arrow table whose rows and rejects account for every line read."""

from __future__ import annotations

import collections
import concurrent.futures
import contextlib
import copy
import datetime as dt
import fnmatch
import itertools
from collections.abc import Iterator, Mapping
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl
import pyarrow as pa

from postmortem_kit.errors import IngestError
from postmortem_kit.ingest import chunks, frame, jsondoc, padding
from postmortem_kit.ingest import window as windows
from postmortem_kit.ingest.columns import categorise, conform
from postmortem_kit.ingest.compression import MAGIC_BYTES, codec_of
from postmortem_kit.ingest.importreport import FileReport
from postmortem_kit.ingest.localtime import start_years, year_mismatch
from postmortem_kit.ingest.messagelevel import fill_levels
from postmortem_kit.ingest.payload import unpack_payloads
from postmortem_kit.ingest.registry import (
    LOG_FORMATS,
    BlockRows,
    LogFormat,
    NeedsMoreLines,
    ParseContext,
    merge_state,
    sniff_format,
)
from postmortem_kit.ingest.source import RawFile, read_file, sample_lines, split_lines
from postmortem_kit.ingest.workers import worker_pool
from postmortem_kit.ingest.zonenames import ambiguous_note, settles

if TYPE_CHECKING:
    from postmortem_kit.ingest.logs import LoadOptions

#: Bytes read to sniff a plain file's format before deciding whether to seek.
HEAD_BYTES = 256 * 1024
#: Blocks split (and prepared) ahead of the one being parsed, each in a worker thread. Once
#: ``read_block`` reads blocks whole, one more than the workers is kept in flight, so that a
#: worker that finishes one takes the next at once rather than wait for the parser thread to
#: hand it over (JSON lines, journald: 5 % less time; nginx 3 %), and a one-core reader gets
#: more workers (:func:`busy_ahead`). A block waiting its turn holds only its bytes.
_AHEAD = 2
#: At most this many of polars' threads are counted when blocks are read whole on one core
#: each (:attr:`.registry.LogFormat.one_core_blocks`): the workers, one more than that, each
#: hold a block's working set.
_MAX_BLOCK_CORES = 8


def busy_ahead() -> int:
    """Workers while a one-core ``read_block`` reads blocks whole: one more than polars has
    threads (at most :data:`_MAX_BLOCK_CORES`), so that every core has a query to run while
    one worker holds the GIL between its queries."""
    return min(pl.thread_pool_size(), _MAX_BLOCK_CORES) + 1


#: Lines at the end of a block searched first for the last event start (multi-line formats);
#: the whole block when none of them starts one.
_TAIL_LINES = 64
#: Columns built once per file at the end rather than per block.
_PER_FILE = ("source", "format")


def zone_for(tz: str | Mapping[str, str] | None, path: Path, name: str) -> str | None:
    """The zone of one file: ``tz`` itself, or the entry of a mapping whose key is the file's
    name, path or a glob matching either."""
    if tz is None or isinstance(tz, str):
        return tz
    for key, zone in tz.items():
        if (
            key in (name, path.name, str(path))
            or fnmatch.fnmatch(name, key)
            or fnmatch.fnmatch(str(path), key)
        ):
            return zone
    return None


def _choose(fmt_name: str, lines: pl.DataFrame, name: str, report: FileReport) -> LogFormat:
    if fmt_name != "auto":
        report.why = "given (format=)"
        return LOG_FORMATS.get(fmt_name)
    fmt, score, reason, runners = sniff_format(sample_lines(lines), name)
    report.why = f"{reason}; score {score:.2f}"
    if runners:
        report.why += " (next: " + ", ".join(f"{n} {s:.2f}" for n, s in runners[:2]) + ")"
    return fmt


def _time_notes(ctx: ParseContext, report: FileReport) -> None:
    t = ctx.time
    zones = t.get("ambiguous_zones", {})
    settled = sorted(abbr for abbr in zones if settles(ctx.tz, abbr))
    if t["naive"]:
        if ctx.tz:
            report.timezone = f"{t['naive']:,} timestamps without an offset read in {ctx.tz}"
        else:
            report.timezone = (
                f"{t['naive']:,} timestamps without an offset: ASSUMED UTC (no tz= given)"
            )
            report.utc_assumed = True
    elif report.rows or report.outside_window:
        report.timezone = "every timestamp carries its offset (or is epoch/UTC); tz= not needed"
        if zones:  # some by an abbreviation that names more than one zone
            report.timezone = "every timestamp carries its offset or a zone abbreviation (" + (
                ", ".join(
                    f"{abbr}: {ctx.tz}'s" if abbr in settled else f"{abbr}: a guess, see warnings"
                    for abbr in sorted(zones)
                )
                + ")"
            )
    if t.get("year_note"):
        report.notes.append(t["year_note"])
    for abbr, count in sorted(zones.items()):
        note = ambiguous_note(abbr, count, ctx.tz)
        (report.notes if settles(ctx.tz, abbr) else report.cautions).append(note)
    if t["ambiguous"]:
        report.notes.append(
            f"{t['ambiguous']} time(s) fall in a DST repeat in {ctx.tz}: read in file order "
            "(first pass, then second after the clock goes back); flagged in time_note"
        )
    if t["nonexistent"]:
        report.notes.append(
            f"{t['nonexistent']} time(s) fall in a DST gap in {ctx.tz}: moved forward an hour; "
            "flagged in time_note"
        )


def _settle(futures: list) -> None:
    """Cancel those of ``futures`` not started and wait for the others to end (items that
    are no future, a block's finished table, are passed over)."""
    running = [f for f in futures if isinstance(f, Future) and not f.cancel()]
    concurrent.futures.wait(running)


def _lookahead(
    blocks: Iterator[tuple[bytes, int]],
) -> Iterator[tuple[bytes, int, bytes | None]]:
    """Each block and its count of lines with the first line of the next block (``None``
    for the last block)."""
    prev = next(blocks, None)
    for block, lines in blocks:
        end = block.find(b"\n")
        yield *prev, block if end < 0 else block[:end]
        prev = block, lines
    if prev is not None:
        yield *prev, None


def _last_event(lines: pl.DataFrame, fmt: LogFormat, ctx: ParseContext) -> int | None:
    """Line number of the last line that starts an event, parsed in a scratch context."""
    try:
        events = fmt.parse(lines, ctx.scratch(copy.deepcopy(ctx.state)))
    except Exception:
        return None
    return int(events["line_no"].max()) if events.height else None


def _split_tail(
    lines: pl.DataFrame, fmt: LogFormat, ctx: ParseContext
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """For a multi-line format, cut a block before its last event line: that event and its
    continuation lines go to the next block, so no stack trace is split between blocks. The
    last event is found from the lines' ``ts`` when they are prepared (see
    :attr:`LogFormat.prepare`), else by parsing only the block's tail, in a scratch context."""
    if "ts" in lines.columns:
        starts = lines.filter(pl.col("ts").is_not_null())["line_no"]
        last = int(starts.max()) if starts.len() else None
    else:
        last = _last_event(lines.tail(_TAIL_LINES), fmt, ctx)
        if last is None and lines.height > _TAIL_LINES:
            last = _last_event(lines, fmt, ctx)
    if last is None:
        return lines.head(0), lines  # no event starts in the block: carry it whole
    return lines.filter(pl.col("line_no") < last), lines.filter(pl.col("line_no") >= last)


class _FileReader:
    """Parses the blocks of one file into Arrow tables, counting every line."""

    def __init__(self, path: Path, name: str, opts: LoadOptions, window, report: FileReport):
        self.path, self.name, self.opts, self.window, self.report = path, name, opts, window, report
        self.fmt: LogFormat | None = None
        self.ctx = ParseContext(
            name=name, tz=zone_for(opts.tz, path, name), year=opts.year,
            last_known=RawFile(path, name, b"").mtime, report=report,
            raw=RawFile(path, name, b""), fields=dict(opts.mapping) if opts.mapping else None,
            dayfirst=opts.dayfirst,
        )  # fmt: skip
        #: The blocks' tables, as futures until :meth:`run` has read every block.
        self.tables: list = []
        self.pool: concurrent.futures.ThreadPoolExecutor | None = None
        #: Every column in first-seen order, with its Arrow type (null columns are not kept
        #: per block: see :func:`chunks.add_null_columns`).
        self.columns: dict[str, pa.DataType] = {}
        #: A parser asked for the rest of the file at once (:class:`NeedsMoreLines`).
        self.whole = False
        self.first: dt.datetime | None = None
        self.last: dt.datetime | None = None
        #: Runs of NUL padding left out of the text: (line number, bytes), in file order
        #: (filled by the thread that reads the blocks).
        self.padding: list[tuple[int, int]] = []
        #: The codecs a compressed file's text went through, outer first (filled by the
        #: thread that reads the blocks): gzip, then UTF-16 when the text inside is that.
        self.codecs: list[str] = []
        #: The file is compressed (or text in another encoding): read in smaller blocks.
        self.compressed = False

    def blocks(self) -> Iterator[tuple[bytes, int]]:
        """The file's bytes in blocks, each with its count of lines, read (and decompressed)
        by a background thread; sniffs and seeks a large plain file first."""
        path, name, opts, report = self.path, self.name, self.opts, self.report
        try:
            with path.open("rb") as handle:
                magic = handle.read(MAGIC_BYTES)
                codec = codec_of(magic)
            lead = padding.leading_padding(path) if magic.startswith(b"\0") else 0
        except OSError as exc:
            raise IngestError(f"{name}: cannot read: {exc.strerror or exc}") from None
        if codec is not None:  # decompressed as it is read, never whole
            self.compressed = True
            report.compression = codec.name  # and any codec inside, once it is read
            self.next_line = 1
            return chunks.prefetched(
                chunks.counted(
                    chunks.compressed_blocks(
                        path, name, codec, report.notes, self.block_bytes, self.padding, self.codecs
                    )
                )
            )
        if lead:  # a log truncated in place: its text starts after the padding
            report.notes.append(padding.leading_note(lead))
        size = path.stat().st_size
        seek_min = windows.SEEK_MIN_BYTES if opts.seek_min_bytes is None else opts.seek_min_bytes
        head = None
        if size - lead > HEAD_BYTES:
            head = read_file(path, name, start=lead, end=lead + HEAD_BYTES)
            head.data = padding.strip_padding(head.data)
            if head.data.count(b"\n") < 20:
                head = None  # lines too long to sniff a head: read whole
        if head is None:
            raw = read_file(path, name, start=lead) if lead else read_file(path, name)
            report.compression = raw.compression
            report.notes.extend(raw.notes)
            self.next_line = 1
            text = padding.drop_padding([raw.data], 1, self.padding)
            return chunks.counted(chunks.line_blocks(text, self.block_bytes))
        head_lines, _ = split_lines(head.data[: head.data.rfind(b"\n") + 1])
        self.fmt = _choose(opts.format, head_lines, name, report)
        start, end = lead, size
        if self.window is not None and self.fmt.seekable and size >= seek_min:
            span = windows.seek_range(path, self.fmt, self.ctx, self.window, lead)
            if span is None:
                report.notes.append("not bisectable (not in time order here): read whole")
            else:
                start, end = span
                report.notes.append(
                    f"window found by bisection: read bytes {start:,}–{end:,} of {size:,}"
                )
                if self.fmt.resume is not None and start > lead:  # what came before it
                    self.ctx.state.update(self.fmt.resume(path, start, lead))
        # no line break in the leading padding: counted from where it ends
        self.next_line = 1 + (chunks.count_newlines(path, start, lead) if start > lead else 0)
        blocks = chunks.file_blocks(path, start, end, self.block_bytes())
        blocks = padding.counted_without_padding(blocks, self.next_line, self.padding)
        return chunks.prefetched(chunks.counted_breaks(blocks))

    def block_bytes(self) -> int:
        """Bytes per block: ``chunk_bytes=`` when given, else what the format is best read
        in (once it is known), else the default; for a compressed file at most
        :data:`.chunks.COMPRESSED_BLOCK_BYTES`."""
        if self.opts.chunk_bytes is not None:
            return self.opts.chunk_bytes
        fmt = self.fmt  # set by the parser thread; asked by the reading one
        size = (fmt.block_bytes if fmt is not None else None) or chunks.CHUNK_BYTES
        return min(size, chunks.COMPRESSED_BLOCK_BYTES) if self.compressed else size

    def _split(
        self, block: bytes, first_line: int, following: bytes | None
    ) -> tuple[pl.DataFrame | BlockRows, int]:
        """A block's lines (and how many had invalid UTF-8), through the format's ``prepare``
        once the format is known; or, when the format's ``read_block`` reads every line of
        it, its finished rows (a ``multiline`` format's also gets ``following``, the next
        block's first line). Runs in a worker thread, a block ahead of the parser."""
        fmt = self.fmt
        if fmt is not None and fmt.read_block is not None:
            more = {"following": following} if fmt.multiline else {}
            rows = None
            with contextlib.suppress(Exception):  # the general way reads it and reports why
                rows = fmt.read_block(block, first_line=first_line, ctx=self.ctx, **more)
            if rows is not None:
                return rows, 0
        lines, invalid = split_lines(block)
        return self._prepare(lines, block, invalid), invalid

    def _prepare(self, lines: pl.DataFrame, block: bytes, invalid: int) -> pl.DataFrame:
        """``lines`` through the format's ``prepare``, when the format is known and has one
        (a format that reads bytes also gets the block's when they are exactly the lines)."""
        fmt = self.fmt
        if fmt is None or fmt.prepare is None or not lines.height:
            return lines
        exact = fmt.wants_bytes and not invalid and not lines["line"].has_nulls()
        with contextlib.suppress(Exception):  # parse() prepares again and reports it
            return fmt.prepare(lines, data=block if exact else b"", state=self.ctx.state)
        return lines

    def run(self) -> pa.Table | None:
        """Parse every block in order; the next blocks are split (and prepared) meanwhile,
        on the other cores."""
        ahead, read_whole = _AHEAD, False  # read_whole: read_block has read a block
        # blocks are split in ``splitter``; ``pool`` packs what the general way parsed
        self.pool = splitter = worker_pool(_AHEAD)
        items = _lookahead(self.blocks())
        queue: collections.deque = collections.deque()
        first_line = self.next_line  # set by blocks()

        def fill() -> None:
            nonlocal first_line
            while len(queue) < ahead:
                item = next(items, None)
                if item is None:
                    return
                block, lines, following = item
                future = splitter.submit(self._split, block, first_line, following)
                queue.append((future, block, following is None))
                first_line += lines

        try:
            head = next(items, None)
            if head is not None:
                self._prime(head[0])  # the first block's bytes
                items = itertools.chain([head], items)
            pending = None
            fill()
            while queue:
                future, block, last = queue.popleft()
                lines, invalid = future.result()
                if isinstance(lines, BlockRows):
                    if not read_whole:  # blocks are read whole from now on: more in flight
                        read_whole = True
                        workers = busy_ahead() if self.fmt.one_core_blocks else _AHEAD
                        splitter = worker_pool(workers)
                        ahead = workers + 1  # one waits its turn: no worker waits for one
                    if pending is not None and self.fmt.multiline:
                        # the last event of a block the general way read, carried over: a
                        # whole one, as a multiline read_block takes a block that starts one
                        self._parse(pending, b"")
                        pending = None
                    # pending: the parser asked for the rest of the file at once (CSV)
                    if pending is None and (lines.commit is None or lines.commit(self.ctx)):
                        fill()  # after commit: the blocks handed out now see its state
                        self._take(lines)
                        continue
                    lines, invalid = split_lines(block)
                if self.fmt is None and lines["line"].is_not_null().any():
                    self.fmt = _choose(self.opts.format, lines, self.name, self.report)
                fill()
                pending = self._block(lines, invalid, block, last, pending)
            if pending is not None and pending.height:
                self._parse(pending, b"")
            self.tables = [packed.result() for packed in self.tables]
        finally:  # on an error: nothing of this file's is left running in the shared pools
            _settle([future for future, _, _ in queue] + self.tables)
        return self._finish()

    def run_document(self, lines: pl.DataFrame, where: str) -> pa.Table | None:
        """Parse the records of a JSON document (:mod:`.jsondoc`), one line each, as the
        JSON lines of a block."""
        self.fmt = LOG_FORMATS.get(jsondoc.FORMAT)
        with self.path.open("rb") as handle:
            codec = codec_of(handle.read(MAGIC_BYTES))
        self.report.compression = codec.name if codec is not None else None
        if self.opts.format == "auto":
            self.report.why = f"one JSON document: {where}"
        self.report.notes.append(
            f"a JSON document: its {lines.height:,} record(s) ({where}) are counted as lines; "
            "provenance gives the line each starts on"
        )
        self.report.lines_read = lines.height
        self.pool = worker_pool(1)
        try:
            if lines.height:
                self._parse(lines, b"")
            self.tables = [packed.result() for packed in self.tables]
        finally:
            _settle(self.tables)
        return self._finish()

    def _prime(self, block: bytes) -> None:
        """Before the first block is handed out: choose the format on it when the head did
        not, and let the format set up what it reads blocks with (:attr:`LogFormat.prime`),
        so that the workers read the first blocks too."""
        if self.fmt is not None and self.fmt.prime is None:
            return
        lines, _ = split_lines(block)
        if not lines["line"].is_not_null().any():
            return
        if self.fmt is None:
            self.fmt = _choose(self.opts.format, lines, self.name, self.report)
        if self.fmt.prime is not None:
            self.fmt.prime(lines, self.ctx)

    def _block(
        self, lines: pl.DataFrame, invalid: int, block: bytes, last: bool, pending
    ) -> pl.DataFrame | None:
        """Count and parse one block's lines; returns the lines carried to the next block."""
        total = lines.height
        lines = chunks.number_lines(lines, self.next_line)
        self.next_line += lines.height
        self.report.lines_read += lines.height
        self.report.invalid_utf8_lines += invalid
        lines = self._prepare(lines, block, invalid)  # a block split before the format was known
        blank = lines["line"].is_null()
        if blank.any():
            nos = lines.filter(blank)["line_no"]
            self.ctx.reject("blank line", nos, [(n, "") for n in nos.head(3)])
            lines = lines.filter(~blank)
        if pending is not None:
            if pending.columns != lines.columns:  # prepared before and after the state was set
                pending, lines = (
                    self._prepare(part.select("line_no", "line"), b"", 0)
                    for part in (pending, lines)
                )
            if pending.columns != lines.columns:
                pending, lines = pending.select("line_no", "line"), lines.select("line_no", "line")
            lines = pl.concat([pending, lines])
        if not lines.height:
            return None
        if not self.fmt.seekable:  # a row may span lines (CSV): a block while they end in it
            if self.whole and not last:
                return lines
            self.ctx.more = not last
            try:
                self._parse(lines, b"")
            except NeedsMoreLines:  # from here on the parser gets the rest at once
                self.whole = True
                return lines
            finally:
                self.ctx.more = False
            return None
        pending = None
        if self.fmt.multiline and not last:
            lines, pending = _split_tail(lines, self.fmt, self.ctx)
            if not lines.height:
                return pending
        whole = self.fmt.wants_bytes and lines.height == total and not invalid
        self._parse(lines, block if whole else b"")
        return pending

    def _finish(self) -> pa.Table | None:
        if not self.report.lines_read:
            self.report.notes.append("empty file")
        if self.fmt is not None:
            self.report.format = self.fmt.name
        if self.codecs:
            self.report.compression = " + ".join(self.codecs)
        _time_notes(self.ctx, self.report)
        note = padding.padding_note(self.padding)
        if note is not None:
            self.report.notes.append(note)
        self.report.notes.extend(self.ctx.end_notes.values())
        if not self.tables:
            return None
        self.report.first, self.report.last = str(self.first), str(self.last)
        table = chunks.concat_tables(self.tables)
        self.tables = []
        if self.fmt.finish is not None:
            table, folded = self.fmt.finish(table, self.ctx)
            self.report.rows -= folded
            self.report.continuation_lines += folded
        if self.fmt.payload:  # after finish: a CRI line's pieces are joined by then
            table = unpack_payloads(table, self.ctx)
        if self.fmt.find_level:
            table = fill_levels(table, self.ctx)
        for field in table.schema:  # the columns these two added
            self.columns.setdefault(field.name, field.type)
        table = chunks.add_file_columns(
            table,
            source=self.opts.source or self.path.name,
            fmt=self.fmt.name,
            types={c: self.columns[c] for c in _PER_FILE},
        )
        return chunks.add_null_columns(table, self.columns)

    def _parse(self, lines: pl.DataFrame, data: bytes) -> None:
        """Parse lines; ``data``, when given, is exactly their bytes (for formats that read
        bytes, such as JSON)."""
        ctx, fmt = self.ctx, self.fmt
        ctx.raw.data = data
        try:
            events = fmt.parse(lines, ctx)
        except (IngestError, NeedsMoreLines):
            raise
        except Exception as exc:
            raise IngestError(
                f"{self.name}: could not be read as {fmt.name}: {type(exc).__name__}: {exc}"
            ) from exc
        finally:
            ctx.raw.data = b""
        if events.height:
            bad = events["timestamp"].is_null()
            if bad.any():
                rejected = events.filter(bad).select("line_no")
                texts = rejected.head(3).join(lines, on="line_no", how="left")
                ctx.reject(
                    "timestamp not understood",
                    rejected["line_no"],
                    list(zip(texts["line_no"], texts["line"].fill_null(""), strict=True)),
                )
                events = events.filter(~bad)
        if self.opts.strict and ctx.first_reject:
            line_no, reason = ctx.first_reject
            raise IngestError(f"{ctx.where(line_no)}: {reason} (strict=True)")
        inside = self._keep(events["timestamp"])
        if inside is not None:
            events = events.filter(inside)
        if not events.height:
            return
        # source and format are the same for every block of the file: built once, in
        # :meth:`_finish`; here they are left null.
        events = events.drop([c for c in ("_lines", *_PER_FILE) if c in events.columns])
        events = conform(events)
        self._register(chunks.kept_schema(events))
        # Packing the block into Arrow touches every value but depends on nothing else: a
        # worker does it while this thread parses the next block.
        self.tables.append(self.pool.submit(chunks.pack_rows, events, self.name))

    def _take(self, rows: BlockRows) -> None:
        """Count a block that ``read_block`` read whole, and keep its rows."""
        self.report.lines_read += rows.lines
        self.report.continuation_lines += rows.continuation_lines
        self.next_line += rows.lines
        self.ctx.time_info(rows.time)
        self.ctx.note_keys(rows.keys)
        merge_state(self.ctx.state, rows.state)
        table = rows.table
        inside = self._keep(pl.from_arrow(table["timestamp"]))
        if inside is not None and not inside.all():  # categories of the rows kept, only
            table = categorise(frame.decode_dictionaries(table.filter(inside.to_arrow())))
        if not table.num_rows:
            return
        self._register(rows.schema)
        done: Future = Future()
        done.set_result(table)
        self.tables.append(done)

    def _keep(self, stamps: pl.Series) -> pl.Series | None:
        """Count a block's rows inside the window and note their time span; returns the
        mask of those inside (``None`` when there is no window)."""
        inside = None
        if self.window is not None and stamps.len():
            keep = pl.lit(True)
            if self.window[0] is not None:
                keep = keep & (pl.col("t") >= self.window[0])
            if self.window[1] is not None:
                keep = keep & (pl.col("t") <= self.window[1])
            inside = stamps.alias("t").to_frame().select(keep).to_series()
            self.report.outside_window += int((~inside).sum())
            stamps = stamps.filter(inside)
        self.report.rows += stamps.len()
        if stamps.len():
            lo, hi = stamps.min(), stamps.max()
            self.first = lo if self.first is None else min(self.first, lo)
            self.last = hi if self.last is None else max(self.last, hi)
        return inside

    def _register(self, schema: pa.Schema) -> None:
        """Note a block's columns (all-null ones too) and their types, first seen first."""
        for field in schema:
            if field.name != "line_no":
                self.columns.setdefault(field.name, field.type)


def read_one(
    path: Path, name: str, opts: LoadOptions, window, report: FileReport
) -> pa.Table | None:
    """Read one file into an Arrow table of log rows (``None`` when it has none), filling
    ``report``. A file read in several blocks whose year-less timestamps turn out to need
    another year than its first block assumed is read again with the right one."""
    reader = _FileReader(path, name, opts, window, report)
    if opts.format == jsondoc.FORMAT or (
        opts.format == "auto" and jsondoc.looks_like_document(path)
    ):
        try:
            lines, where = jsondoc.document_lines(path)
        except IngestError:
            if opts.format == jsondoc.FORMAT:
                raise
        else:  # a document indeed
            return reader.run_document(lines, where)
    table = reader.run()
    years = reader.ctx.carry.get("years", {})
    first = year_mismatch(years, year=opts.year, last_known=reader.ctx.last_known)
    if first is None:
        return table
    del table
    fresh = FileReport(name)
    again = _FileReader(path, name, opts, window, fresh)
    again.ctx.carry["years"] = start_years(first, again.ctx.last_known)
    table = again.run()
    for field in fresh.__dataclass_fields__:
        setattr(report, field, getattr(fresh, field))
    return table

"""CSV/TSV with a header and a time column, read a block at a time.

The header, delimiter and time column come from the file's first block and are kept in the
parser state. A block whose every line is one row of the header's width is read at once by
pyarrow (:func:`csv_table`): in a worker, straight to its finished rows
(:func:`read_csv_block`), or by :func:`parse_csv`. Other rows (a quoted line break, a ragged
row, a line the ``csv`` module cannot read) go through the ``csv`` module, one at a time,
each odd one counted; once a block may end inside a row, the rest of the file is read at
once (:class:`~.registry.NeedsMoreLines`).
"""

from __future__ import annotations

import csv
import io
import re

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from postmortem_kit.errors import IngestError
from postmortem_kit.ingest.chunks import count_lines
from postmortem_kit.ingest.recordblock import records_block
from postmortem_kit.ingest.registry import BlockRows, NeedsMoreLines, ParseContext
from postmortem_kit.ingest.source import split_lines
from postmortem_kit.ingest.structured import KEYS, normalise_records
from postmortem_kit.ingest.timestamps import sniff_style

_DELIMITERS = (",", "\t", ";", "|")
_TIME_NAME = re.compile(
    r"(?i)^(?:@?timestamp|time|ts|date|datetime|date_?time|event_?time|created(?:_at)?|logged_?at|when)$"
)


#: PostgreSQL's csvlog columns (version 16; 14 and 15 lack the last two but one, 13 the
#: last three, 12 the last four), which it writes without a header row.
POSTGRES_CSVLOG = (
    "log_time", "user_name", "database_name", "process_id", "connection_from", "session_id",
    "session_line_num", "command_tag", "session_start_time", "virtual_transaction_id",
    "transaction_id", "error_severity", "sql_state_code", "message", "detail", "hint",
    "internal_query", "internal_query_pos", "context", "query", "query_pos", "location",
    "application_name", "backend_type", "leader_pid", "query_id",
)  # fmt: skip
_POSTGRES_LEVELS = {
    "DEBUG1", "DEBUG2", "DEBUG3", "DEBUG4", "DEBUG5", "INFO", "NOTICE", "WARNING", "ERROR",
    "LOG", "FATAL", "PANIC",
}  # fmt: skip


def is_data_row(fields: list[str]) -> bool:
    """Whether a CSV file's first row is data rather than column names: one of its fields
    is a timestamp (no column is named ``2026-10-14 14:07:00``)."""
    return any(sniff_style([f.strip()], limit=2)[1] >= 1.0 for f in fields if f.strip())


def headerless_names(row: list[str]) -> list[str]:
    """Column names for a CSV file without a header row: PostgreSQL's csvlog names when the
    row is one (its width, a level in the 12th field), else ``column_1`` …"""
    width = len(row)
    if width in (23, 24, 25, 26) and row[11].strip() in _POSTGRES_LEVELS:
        return list(POSTGRES_CSVLOG[:width])
    return [f"column_{i + 1}" for i in range(width)]


def _delimiter(sample: list[str]) -> str | None:
    best, best_n = None, 0
    for d in _DELIMITERS:
        counts = [next(csv.reader([line], delimiter=d)).__len__() for line in sample[:50]]
        if not counts or counts[0] < 2:
            continue
        same = sum(1 for c in counts if c == counts[0]) / len(counts)
        if same >= 0.9 and counts[0] > best_n:
            best, best_n = d, counts[0]
    return best


def sniff_csv(sample: list[str], name: str) -> tuple[float, str]:
    if len(sample) < 2:
        return 0.0, "too few lines"
    d = _delimiter(sample)
    if d is None:
        return 0.0, "no consistent delimiter"
    header = next(csv.reader([sample[0]], delimiter=d))
    label = "TSV" if d == "\t" else f"CSV ({d!r})"
    if name.lower().rsplit(".", 1)[-1] in ("csv", "tsv", "psv"):
        return 0.97, f"{label} by extension, header {header[:4]}"
    if any(_TIME_NAME.match(h.strip()) for h in header):
        return 0.9, f"{label} with a time column in the header {header[:4]}"
    return 0.0, "no header with a time column"


def csv_table_at_once(body: pl.DataFrame, d: str, header: list[str]) -> pa.Table | None:
    """The rows of ``body`` (lines after the header: ``line_no``, ``line``) read at once by
    pyarrow's CSV reader exactly as the ``csv`` module reads them, as text columns named
    by ``header``. ``None`` unless every line is one row of the header's width (a quoted
    line break, a ragged row or a repeated column name: the ``csv`` module reads those,
    counting them)."""
    lines = body["line"]
    if not lines.len() or bool((lines.str.count_matches('"', literal=True) % 2 == 1).any()):
        return None  # a quoted line break, or a lone quote: the csv module decides
    text = (lines.str.join("\n") + "\n").to_arrow(compat_level=pl.CompatLevel.oldest())
    return csv_table(text[0].as_buffer(), lines.len(), d, header)  # the text, not copied


def csv_table(text, n: int, d: str, header: list[str]) -> pa.Table | None:
    """The ``n`` lines of CSV ``text`` (bytes or a buffer, ending in a line break, no
    blank line) read by pyarrow as the ``csv`` module reads them, as text columns (Arrow's
    ``large_string``, as the reader keeps them) named by ``header``; ``None`` unless each
    line is one row of the header's width. A quoted field left open at the end, which
    pyarrow would close quietly, has that last line break in its value and is caught."""
    if len(set(header)) != len(header):
        return None
    names = [f"f{i}" for i in range(len(header))]
    try:
        table = pa_csv.read_csv(
            pa.BufferReader(text),
            # one block in one go on this thread: the reader's own threads would only vie
            # with the other worker's (1M rows: 0.41 against 0.37 s)
            read_options=pa_csv.ReadOptions(
                column_names=names, use_threads=False, block_size=max(1 << 20, len(text) + 1)
            ),
            parse_options=pa_csv.ParseOptions(delimiter=d, ignore_empty_lines=False),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.large_string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    if table.num_rows != n:
        return None
    # n rows from n lines, none blank: each row is one line (so only the last row can hold a
    # line break: that of a quoted field left open), unless a lone carriage return, which
    # pyarrow ends a row at, made up for a row of two lines
    lone_cr = (
        b"\r" in text
        if isinstance(text, bytes)
        else bool((np.frombuffer(text, np.uint8) == 13).any())
    )
    for column in (table if lone_cr else table.slice(n - 1)).columns:
        if pc.any(pc.match_substring(column, "\n")).as_py():
            return None
    return table.rename_columns(header)


def csv_rows_at_once(
    body: pl.DataFrame, d: str, header: list[str]
) -> tuple[pl.DataFrame, pl.DataFrame] | None:
    """:func:`csv_table_at_once` as :func:`parse_csv` builds rows: ``(records, kept
    lines)``, a kept line being its fields joined again."""
    table = csv_table_at_once(body, d, header)
    if table is None:
        return None
    records = pl.from_arrow(table)
    kept = pl.DataFrame(
        {
            "line_no": body["line_no"],
            "line": records.select(pl.concat_str(pl.all(), separator=d)).to_series(),
        }
    )
    return records, kept


def parse_csv(lines: pl.DataFrame, ctx: ParseContext) -> pl.DataFrame:
    """CSV/TSV, a block at a time: the header (column names) and delimiter come from the
    file's first block and are kept in ``ctx.state``. A block whose every line is one row is
    read at once (:func:`csv_rows_at_once`); otherwise, while more of the file follows
    (``ctx.more``), :class:`~.registry.NeedsMoreLines` asks the reader for the rest, which
    the ``csv`` module then reads whole (a quoted field may span lines)."""
    known = ctx.state.get("csv")
    if known is None:
        d = _delimiter(lines["line"].head(50).to_list()) or ","
        reader = csv.reader(io.StringIO(lines["line"].str.join("\n").item()), delimiter=d)
        try:
            header = next(reader) if lines.height else None
        except StopIteration:
            header = None
        except csv.Error as exc:
            raise IngestError(
                f"{ctx.where(int(lines['line_no'][0]))}: the header row is not CSV: "
                f"{_csv_error(exc)}"
            ) from None
        if header is None:
            return pl.DataFrame(schema={"line_no": pl.Int64, "timestamp": pl.String})
        if is_data_row(header):  # no header: the first line is a row (PostgreSQL's csvlog)
            names = headerless_names(header)
            ctx.report.notes.append(
                "no header row (the first line is data, with a time in it): columns named "
                + ("as PostgreSQL's csvlog has them" if names[0] == "log_time" else "column_1 …")
            )
            header, body = names, lines
        else:
            header = [h.strip() or f"column_{i + 1}" for i, h in enumerate(header)]
            body = lines.slice(reader.line_num)
    else:
        d, header = known
        body = lines
    fast = csv_rows_at_once(body, d, header)
    if fast is None and ctx.more:
        raise NeedsMoreLines
    if known is None:  # the first block, read for good: its header is the file's
        ctx.state["csv"] = (d, header)
    if known is None and body.height < lines.height:  # the header row: counted, no error
        numbers = lines["line_no"].head(len(lines) - body.height)
        ctx.reject(
            "CSV header row (column names)",
            numbers,
            [(numbers[0], "\n".join(lines["line"].head(len(numbers)).to_list()))],
            header=True,
        )
    if fast is not None:
        return _normalise_csv(*fast, header, ctx)
    text = body["line"].str.join("\n").item()
    limit = csv.field_size_limit(max(csv.field_size_limit(), len(text)))  # 1 MB fields too
    try:
        return _csv_rows(body, text, d, header, ctx)
    finally:
        csv.field_size_limit(limit)


def _csv_rows(
    body: pl.DataFrame, text: str, d: str, header: list[str], ctx: ParseContext
) -> pl.DataFrame:
    """The general way: :func:`parse_csv`'s rows read by the ``csv`` module, one at a time,
    a row that is not CSV or not of the header's width counted as a reject."""
    reader = csv.reader(io.StringIO(text), delimiter=d)
    numbers = body["line_no"].to_list()
    texts = body["line"].to_list()
    rows, kept, bad = [], [], []
    consumed = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:  # the reader goes on with the next line
            bad.append((numbers[consumed], texts[consumed], _csv_error(exc)))
            consumed = max(reader.line_num, consumed + 1)
            continue
        first = numbers[consumed]
        span = reader.line_num - consumed
        consumed = reader.line_num
        if span > 1:  # a quoted field with newlines: the extra lines continue this row
            ctx.report.continuation_lines += span - 1
        if len(row) != len(header):
            bad.append((first, d.join(row), f"has {len(row)} fields, the header has {len(header)}"))
            continue
        rows.append(row)
        kept.append(first)
    for reason in {b[2] for b in bad}:
        these = [b for b in bad if b[2] == reason]
        ctx.reject(reason, pl.Series([b[0] for b in these]), [(b[0], b[1]) for b in these[:3]])
    records = pl.DataFrame(
        {h: [r[i] for r in rows] for i, h in enumerate(header)},
        schema=dict.fromkeys(header, pl.String),
    )
    kept_lines = pl.DataFrame(
        {"line_no": pl.Series(kept, dtype=pl.Int64), "line": [d.join(r) for r in rows]}
    )
    return _normalise_csv(records, kept_lines, header, ctx)


def csv_keys(header: list[str], ctx: ParseContext) -> dict[str, tuple[str, ...]] | None:
    """The keys a CSV file's columns map by: :data:`KEYS`, with the time column the first
    block chose (``ctx.state``) when none of the header's names is a known time key;
    ``None`` while that choice is still to be made."""
    if (ctx.fields and "timestamp" in ctx.fields) or any(k in header for k in KEYS["timestamp"]):
        return KEYS
    if "csv_time" not in ctx.state:
        return None
    return {**KEYS, "timestamp": ctx.state["csv_time"]}


def _csv_error(exc: csv.Error) -> str:
    """A reject reason for a line the ``csv`` module cannot read."""
    text = str(exc)
    if "new-line character" in text:
        return "a carriage return inside an unquoted CSV field"
    return f"not a CSV row: {text}"


def _normalise_csv(
    records: pl.DataFrame, kept_lines: pl.DataFrame, header: list[str], ctx: ParseContext
) -> pl.DataFrame:
    """:func:`normalise_records` of a CSV file's rows, its time column found by name."""
    keys = csv_keys(header, ctx)
    if keys is None:  # chosen on the first block, kept for the file
        named = [h for h in header if _TIME_NAME.match(h)]
        if not named:
            named = [
                h for h in header
                if sniff_style(records[h].head(100).to_list(), limit=2)[1] >= 0.9
            ]  # fmt: skip
        ctx.state["csv_time"] = tuple(named[:1])
        keys = csv_keys(header, ctx)
    return normalise_records(records, kept_lines, ctx, keys=keys)


# --- the fast block reader ---------------------------------------------------------------

#: Bytes per block of a CSV file (the reader's default is 2 MiB): with the blocks read in the
#: workers, 1M rows (68 MB) took 0.41-0.45 s and peaked at 2.9 times the file; 2 MiB blocks
#: took 0.42-0.54 s and 3.4-3.6 times.
BLOCK_BYTES = 1024 * 1024


def read_csv_block(data: bytes, *, first_line: int, ctx: ParseContext) -> BlockRows | None:
    """``read_block`` of CSV/TSV (see the module)."""
    known = ctx.state.get("csv")
    if known is None:  # the header is in the first block, which the general way reads
        return None
    d, header = known
    keys = csv_keys(header, ctx)
    if keys is None or not data:
        return None
    # A blank line (empty or white space) is a row of empty or blank fields to pyarrow, or
    # one field where the header has more (a failed read): either way it has no time, so
    # that records_block declines the block, and the general way counts the line.
    if data.isascii():  # straight from the bytes
        text = data if data.endswith(b"\n") else data + b"\n"
        table = csv_table(text, count_lines(data), d, header)
    else:  # a line of non-ASCII white space is blank too: split as the general way does
        lines, invalid = split_lines(data)
        if invalid or lines["line"].has_nulls():
            return None
        table = csv_table_at_once(lines, d, header)
    if table is None:
        return None
    return records_block(table, first_line=first_line, ctx=ctx, keys=keys)

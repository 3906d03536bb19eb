"""Structured formats: JSON lines (generic, Elastic ECS, Docker json-file, journald export),
logfmt and CSV/TSV. Each is read into a frame of raw keys, then one normaliser maps the
common field names onto the log frame's columns.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable

import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.json as pa_json

from postmortem_kit.errors import IngestError
from postmortem_kit.ingest.columns import CORE_COLUMNS, with_severity
from postmortem_kit.ingest.registry import NeedsMoreLines, ParseContext, Parser
from postmortem_kit.ingest.text import reject_rows
from postmortem_kit.ingest.timestamps import STYLES, parse_timestamps, sniff_style

#: Candidate input keys per output column, most specific first. ``fields=`` overrides them.
KEYS: dict[str, tuple[str, ...]] = {
    "timestamp": (
        "_SOURCE_REALTIME_TIMESTAMP", "__REALTIME_TIMESTAMP", "@timestamp", "timestamp", "time",
        "ts", "datetime", "date", "eventTime", "event_time", "t", "logtime", "log_time",
        "asctime", "created", "Timestamp", "Time", "Date",
    ),
    "severity_raw": (
        "level", "log.level", "severity", "lvl", "loglevel", "log_level", "levelname",
        "severity_text", "SeverityText", "PRIORITY", "priority", "Level", "Severity",
    ),
    "message": ("message", "msg", "MESSAGE", "log", "text", "body", "Body", "Message", "event"),
    "host": ("host.name", "host.hostname", "hostname", "host", "_HOSTNAME", "node", "Host"),
    "service": (
        "service.name", "service", "app", "application", "_SYSTEMD_UNIT", "logger",
        "logger_name", "log.logger", "kubernetes.container_name", "component",
    ),
    "program": ("program", "process.name", "SYSLOG_IDENTIFIER", "_COMM", "appname"),
    "pid": ("pid", "process.pid", "_PID"),
    "trace_id": ("trace_id", "traceId", "trace.id", "traceid", "dd.trace_id", "TraceId"),
}  # fmt: skip


def flatten_structs(table: pa.Table) -> pa.Table:
    """Nested objects' keys as dotted top-level columns (``log.level``)."""
    while any(pa.types.is_struct(t) for t in table.schema.types):
        table = table.flatten()
    return table


def _flatten_dict(obj: dict, prefix: str = "", out: dict | None = None) -> dict:
    out = {} if out is None else out
    for key, value in obj.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            _flatten_dict(value, name + ".", out)
        elif isinstance(value, list | dict):
            out[name] = json.dumps(value, ensure_ascii=False)
        else:
            out[name] = value
    return out


def _columns_from_records(records: list[dict]) -> pl.DataFrame:
    """Build a frame from flat dicts; a key whose values mix types becomes text."""
    keys: dict[str, None] = {}
    for r in records:
        keys.update(dict.fromkeys(r))
    data = {}
    for key in keys:
        values = [r.get(key) for r in records]
        kinds = {type(v) for v in values if v is not None}
        if len(kinds - {int, float}) > 0 and len(kinds) > 1 or kinds == {bool, int}:
            values = [
                None if v is None else (v if isinstance(v, str) else json.dumps(v)) for v in values
            ]
        data[key] = pl.Series(key, values, strict=False)
    return pl.DataFrame(data, height=len(records))


def _as_written(dtype: pa.DataType) -> pa.DataType:
    """``dtype`` with every timestamp, date or time in it (nested too) as text."""
    if pa.types.is_temporal(dtype):
        return pa.string()
    if pa.types.is_struct(dtype):
        return pa.struct([field.with_type(_as_written(field.type)) for field in dtype])
    if pa.types.is_list(dtype) or pa.types.is_large_list(dtype):
        return pa.list_(_as_written(dtype.value_type))
    return dtype


def read_json_bytes(payload: bytes, *, as_text: dict | None = None) -> pa.Table:
    """JSON lines read by pyarrow, every string kept as written.

    pyarrow types a string such as ``2026-10-14T16:07:00+02:00`` as a naive ``timestamp[s]``
    in UTC, dropping its offset (and it has no option to stop it, apache/arrow#46698):
    such fields are read again as text. ``as_text``, when given, is a per-file cache of
    those fields (name → type), filled here and passed on the next blocks' first read so
    that each block is read once; it changes how fast, never what comes out.

    Raises
    ------
    pyarrow.ArrowInvalid
        When some line is not a JSON object.
    """
    # one Arrow block (a line must fit in one) and one thread: blocks are read in parallel
    options = pa_json.ReadOptions(block_size=max(1 << 20, len(payload) + 1), use_threads=False)

    def read(known: dict) -> pa.Table:
        parse = None
        if known:
            parse = pa_json.ParseOptions(
                explicit_schema=pa.schema(list(known.items())), unexpected_field_behavior="infer"
            )
        return pa_json.read_json(io.BytesIO(payload), read_options=options, parse_options=parse)

    known = dict(as_text or {})
    table = read(known)
    fixed = {
        field.name: _as_written(field.type)
        for field in table.schema
        if _as_written(field.type) != field.type
    }
    if fixed:
        known.update(fixed)
        if as_text is not None:
            as_text.update(fixed)
        table = read(known)
    absent = [name for name in known if name not in fixed and table[name].null_count == len(table)]
    return table.drop_columns(absent)  # a cached field this block does not have


def _read_whole(lines: pl.DataFrame, data: bytes, state: dict | None) -> pl.DataFrame | None:
    """Every line read at once by pyarrow (flattened keys, one row per line), or ``None``
    when some line is not a JSON object. ``data``, when given, is exactly the lines' bytes;
    ``state`` is the file's parser state (for :func:`read_json_bytes`' cache)."""
    if data:
        payload = data[3:] if data.startswith(b"\xef\xbb\xbf") else data  # the bytes, as read
    else:
        payload = lines["line"].str.join("\n").item().encode("utf-8")
    cache = None if state is None else state.setdefault("json_as_text", {})
    try:
        table = read_json_bytes(payload, as_text=cache)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    if table.num_rows != lines.height:
        return None
    return pl.from_arrow(flatten_structs(table))


def prepare_json(lines: pl.DataFrame, *, data: bytes = b"", state=None) -> pl.DataFrame:
    """The pure part of reading JSON lines, run on the next block in a worker thread: when
    ``data`` is exactly the lines' bytes and every line is a JSON object, ``lines`` with
    the records as struct column ``_json`` (which :func:`read_json_lines` then unpacks);
    otherwise ``lines`` as they are (the parser reads them, counting the bad ones)."""
    if "_json" in lines.columns or not data or not lines.height:
        return lines
    records = _read_whole(lines, data, state)
    if records is None or not records.width:
        return lines
    return lines.with_columns(_json=records.to_struct())


def read_json_lines(lines: pl.DataFrame, ctx: ParseContext) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Parse each line as a JSON object.

    Returns
    -------
    (records, lines)
        The flattened keys, one row per kept line, and the kept lines (invalid ones are
        rejected with the parser's message).
    """
    if "_json" in lines.columns:  # read by :func:`prepare_json`
        return lines.select("_json").unnest("_json"), lines.drop("_json")
    if lines.height == 0:
        return pl.DataFrame(), lines
    records = _read_whole(lines, ctx.raw.data, ctx.state)  # data: only when exactly these lines'
    if records is not None:
        return records, lines
    # Slow path: one line at a time, so that each bad line is a counted reject.
    records, keep, bad, bad_reasons = [], [], [], {}
    for no, line in zip(lines["line_no"], lines["line"], strict=True):
        try:
            obj = json.loads(line)
        except ValueError as exc:
            bad.append(True)
            bad_reasons[no] = f"invalid JSON ({exc.msg})"
            continue
        if not isinstance(obj, dict):
            bad.append(True)
            bad_reasons[no] = "a JSON value but not an object"
            continue
        bad.append(False)
        keep.append(no)
        records.append(_flatten_dict(obj))
    mask = pl.Series(bad)
    if mask.any():
        rejected = lines.filter(mask)
        by_reason: dict[str, list[int]] = {}
        for no in rejected["line_no"]:
            by_reason.setdefault(bad_reasons[no], []).append(no)
        for reason, nos in by_reason.items():
            ex = rejected.filter(pl.col("line_no").is_in(nos[:3]))
            ctx.reject(reason, pl.Series(nos), list(zip(ex["line_no"], ex["line"], strict=True)))
    return _columns_from_records(records), lines.filter(~mask)


def _as_text(frame: pl.DataFrame, key: str) -> pl.Expr:
    dtype = frame.schema[key]
    col = pl.col(key)
    if isinstance(dtype, pl.Datetime):
        if dtype.time_zone:
            return col.dt.convert_time_zone("UTC").dt.strftime("%Y-%m-%dT%H:%M:%S.%9fZ")
        return col.dt.strftime("%Y-%m-%dT%H:%M:%S.%9f")
    return col.cast(pl.String, strict=False)


def map_keys(
    columns: list[str], fields: dict[str, str] | None, keys: dict[str, tuple[str, ...]] = KEYS
) -> tuple[dict[str, list[str]], list[tuple[str, str]]]:
    """Which input keys feed which output column.

    Returns
    -------
    (mapped, rest)
        ``mapped``: output column → the keys present that feed it, coalesced in that order
        (``fields``, the explicit mapping, wins over the candidates in ``keys``); ``rest``:
        every other key with its output name (``KEY_field`` where it would clash).
    """
    mapping = dict(fields or {})
    if "severity" in mapping and "severity_raw" not in mapping:
        mapping["severity_raw"] = mapping.pop("severity")
    mapped: dict[str, list[str]] = {}
    for column, candidates in keys.items():
        if column in mapping:
            present = [mapping[column]] if mapping[column] in columns else []
        else:
            present = [k for k in candidates if k in columns]
        if present:
            mapped[column] = present
    used = {k for present in mapped.values() for k in present}
    rest = [
        (k, f"{k}_field" if k in CORE_COLUMNS or k in mapped else k)
        for k in columns
        if k not in used
    ]
    return mapped, rest


def normalise_records(
    records: pl.DataFrame,
    lines: pl.DataFrame,
    ctx: ParseContext,
    *,
    keys: dict[str, tuple[str, ...]] = KEYS,
    strip_newline: tuple[str, ...] = (),
) -> pl.DataFrame:
    """Map raw keys onto the log frame: time, level, message, host, service, program, pid,
    trace id. Other keys stay as columns under their own (dotted) names."""
    if records.height:
        ctx.note_keys(records.columns)
    mapped, others = map_keys(records.columns, ctx.fields, keys)
    out: dict[str, pl.Expr] = {}
    for column, present in mapped.items():
        if column == "timestamp":
            out[column] = pl.coalesce([_as_text(records, k) for k in present])
        elif column == "pid":
            out[column] = pl.coalesce([pl.col(k).cast(pl.Int64, strict=False) for k in present])
        else:
            exprs = [_as_text(records, k) for k in present]
            expr = pl.coalesce(exprs)
            if column == "message" and any(k in strip_newline for k in present):
                expr = expr.str.strip_suffix("\n")
            out[column] = expr
    rest = [pl.col(k).alias(name) for k, name in others]
    frame = records.select(
        pl.lit(lines["line_no"]).alias("line_no"), *(e.alias(c) for c, e in out.items()), *rest
    )
    if "timestamp" not in frame.columns:
        tried = (ctx.fields or {}).get("timestamp") or ", ".join(keys["timestamp"][:8]) + ", …"
        ctx.reject(
            f"no timestamp field (looked for {tried}); pass mapping={{'timestamp': KEY}}",
            frame["line_no"],
            list(zip(lines["line_no"].head(3), lines["line"].head(3), strict=True)),
        )
        return frame.head(0).with_columns(
            timestamp=pl.lit(None, pl.String), _lines=pl.lit(1, pl.Int64)
        )
    frame = reject_rows(
        ctx,
        frame.with_columns(line=lines["line"]),
        frame["timestamp"].is_null(),
        "timestamp field empty",
    ).drop("line")
    text = frame["timestamp"]
    if "time_order" not in ctx.state:  # sniffed on the file's first lines, kept for the rest
        style, _ = sniff_style(text.head(200).to_list(), limit=2)
        ctx.state["time_order"] = ([style] if style else []) + [s for s in STYLES if s is not style]
    order = ctx.state["time_order"]
    utc, note, info = parse_timestamps(
        text, order, tz=ctx.tz, year=ctx.year, last_known=ctx.last_known, carry=ctx.carry
    )
    ctx.time_info(info)
    frame = frame.with_columns(timestamp=utc, time_note=note, _lines=pl.lit(1, pl.Int64))
    if "severity_raw" in frame.columns:
        frame = with_severity(frame)
    return frame


def json_parser(keys: dict[str, tuple[str, ...]] = KEYS, strip_newline=("log",)) -> Parser:
    def parse(lines: pl.DataFrame, ctx: ParseContext) -> pl.DataFrame:
        records, kept = read_json_lines(lines, ctx)
        return normalise_records(records, kept, ctx, keys=keys, strip_newline=strip_newline)

    return parse


def _json_keys(line: str) -> set[str] | None:
    try:
        obj = json.loads(line)
    except ValueError:
        return None
    return set(_flatten_dict(obj)) if isinstance(obj, dict) else None


def json_sniffer(required: Callable[[set[str]], bool], label: str, weight: float) -> Callable:
    """Score the share of sample lines that are JSON objects whose keys satisfy ``required``."""

    def sniff(sample: list[str], name: str) -> tuple[float, str]:
        if not sample:
            return 0.0, "no lines"
        hits = 0
        for line in sample[:100]:
            keys = _json_keys(line) if line.lstrip().startswith("{") else None
            if keys is not None and required(keys):
                hits += 1
        n = min(len(sample), 100)
        return weight * hits / n, f"{hits}/{n} sample lines are {label}"

    return sniff


# --- CSV / TSV ----------------------------------------------------------------------------------

_DELIMITERS = (",", "\t", ";", "|")
_TIME_NAME = re.compile(
    r"(?i)^(?:@?timestamp|time|ts|date|datetime|date_?time|event_?time|created(?:_at)?|logged_?at|when)$"
)


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
    blank line) as :func:`csv_table_at_once` reads them, or ``None``. A quoted field left
    open at the end, which pyarrow would close quietly, has that last line break in its
    value and is caught."""
    if len(set(header)) != len(header):
        return None
    names = [f"f{i}" for i in range(len(header))]
    try:
        table = pa_csv.read_csv(
            pa.BufferReader(text),
            read_options=pa_csv.ReadOptions(column_names=names),
            parse_options=pa_csv.ParseOptions(delimiter=d, ignore_empty_lines=False),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    if table.num_rows != n:
        return None
    for column in table.columns:  # a row that went on past its line
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
        numbers = lines["line_no"].head(len(lines) - body.height)
        ctx.reject(
            "CSV header row (column names)",
            numbers,
            [(numbers[0], "\n".join(lines["line"].head(len(numbers)).to_list()))],
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

"""Structured formats: JSON lines (generic, Elastic ECS, Docker json-file, journald export)
read into a frame of raw keys, and the one normaliser that maps the common field names of
every structured format (JSON, logfmt, CSV/TSV in :mod:`.csvfile`) onto the log frame's
columns.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable

import polars as pl
import pyarrow as pa
import pyarrow.json as pa_json

from postmortem_kit.ingest.columns import CORE_COLUMNS, with_severity
from postmortem_kit.ingest.httpfields import HTTP_EXTRA, access_fields, finish_access
from postmortem_kit.ingest.registry import ParseContext, Parser
from postmortem_kit.ingest.serilog import render_messages
from postmortem_kit.ingest.text import reject_rows
from postmortem_kit.ingest.timestamps import (
    DAYFIRST_HINT,
    order_note,
    parse_timestamps,
    sniff_style,
    style_order,
)

#: Candidate input keys per output column, most specific first. ``fields=`` overrides them.
KEYS: dict[str, tuple[str, ...]] = {
    "timestamp": (
        "_SOURCE_REALTIME_TIMESTAMP", "__REALTIME_TIMESTAMP", "@timestamp", "timestamp", "time",
        "ts", "datetime", "date", "eventTime", "event_time", "t", "logtime", "log_time",
        "asctime", "created", "Timestamp", "Time", "Date",
        # Serilog's compact JSON, MongoDB 4.4+, Kubernetes audit, log4j2's JsonLayout, nginx
        "@t", "t.$date", "requestReceivedTimestamp", "timeMillis", "time_iso8601", "time_local",
    ),
    "severity_raw": (
        "level", "log.level", "severity", "lvl", "loglevel", "log_level", "levelname",
        "severity_text", "SeverityText", "PRIORITY", "priority", "Level", "Severity",
        "@l", "s",  # Serilog's compact JSON; MongoDB (I, W, E, F, D1–D5)
        "error_severity",  # PostgreSQL's csvlog
    ),
    "message": (
        "message", "msg", "MESSAGE", "log", "text", "body", "Body", "Message", "event",
        "@m", "@mt", "textPayload", "jsonPayload.message",  # Serilog; Google Cloud Logging
        "@message", "_raw",  # CloudWatch Logs Insights; Splunk's CSV export
    ),
    "host": ("host.name", "host.hostname", "hostname", "host", "_HOSTNAME", "node", "Host"),
    "service": (
        "service.name", "service", "app", "application", "_SYSTEMD_UNIT", "logger",
        "logger_name", "log.logger", "kubernetes.container_name", "component",
    ),
    "program": ("program", "process.name", "SYSLOG_IDENTIFIER", "_COMM", "appname"),
    "pid": ("pid", "process.pid", "_PID", "process_id"),
    "trace_id": (
        "trace_id", "traceId", "trace.id", "traceid", "dd.trace_id", "TraceId", "traceID",
        "@tr", "logging.googleapis.com/trace",
    ),
}  # fmt: skip


def flatten_structs(table: pa.Table) -> pa.Table:
    """Nested objects' keys as dotted top-level columns (``log.level``)."""
    while any(pa.types.is_struct(t) for t in table.schema.types):
        table = table.flatten()
    return table


def flatten_dict(obj: dict, prefix: str = "", out: dict | None = None) -> dict:
    out = {} if out is None else out
    for key, value in obj.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            flatten_dict(value, name + ".", out)
        elif isinstance(value, list | dict):
            out[name] = json.dumps(value, ensure_ascii=False)
        else:
            out[name] = value
    return out


def columns_from_records(records: list[dict]) -> pl.DataFrame:
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


def read_json_lines(
    lines: pl.DataFrame,
    ctx: ParseContext,
    record: Callable[[dict, ParseContext], dict] | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Parse each line as a JSON object; ``record``, when given, on each object the lines
    are read one by one in (those pyarrow cannot read at once: a key whose values change
    type).

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
        records.append(flatten_dict(obj if record is None else record(obj, ctx)))
    mask = pl.Series(bad)
    if mask.any():
        rejected = lines.filter(mask)
        by_reason: dict[str, list[int]] = {}
        for no in rejected["line_no"]:
            by_reason.setdefault(bad_reasons[no], []).append(no)
        for reason, nos in by_reason.items():
            ex = rejected.filter(pl.col("line_no").is_in(nos[:3]))
            ctx.reject(reason, pl.Series(nos), list(zip(ex["line_no"], ex["line"], strict=True)))
    return columns_from_records(records), lines.filter(~mask)


def mapped_column(records: pl.DataFrame, column: str, present: list[str]) -> pl.Expr:
    """The frame's ``column`` from the keys of ``records`` that feed it, the first present
    wins: whole numbers for ``pid``, text for the others (a time as ISO 8601 text)."""
    if column == "pid":
        return pl.coalesce([pl.col(k).cast(pl.Int64, strict=False) for k in present])
    return pl.coalesce([text_of(records, k) for k in present])


def text_of(frame: pl.DataFrame, key: str) -> pl.Expr:
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
    records = render_messages(records)  # Serilog's compact JSON: the message from its template
    records = access_fields(records)  # JSON access logs: an access log's columns
    mapped, others = map_keys(records.columns, ctx.fields, keys)
    out: dict[str, pl.Expr] = {}
    for column, present in mapped.items():
        expr = mapped_column(records, column, present)
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
        return (
            frame.head(0)
            .drop(HTTP_EXTRA, strict=False)
            .with_columns(timestamp=pl.lit(None, pl.String), _lines=pl.lit(1, pl.Int64))
        )
    frame = reject_rows(
        ctx,
        frame.with_columns(line=lines["line"]),
        frame["timestamp"].is_null(),
        "timestamp field empty",
    ).drop("line")
    text = frame["timestamp"]
    if "time_order" not in ctx.state:  # sniffed on the file's first lines, kept for the rest
        head = text.head(200).to_list()
        style, _ = sniff_style(head, limit=2, dayfirst=ctx.dayfirst)
        if ctx.dayfirst is None and (note := order_note(head, style, limit=2)):
            ctx.report.notes.append(note)
        ctx.state["time_order"] = style_order(style, dayfirst=ctx.dayfirst)
    order = ctx.state["time_order"]
    utc, note, info = parse_timestamps(
        text, order, tz=ctx.tz, year=ctx.year, last_known=ctx.last_known, carry=ctx.carry
    )
    ctx.time_info(info)
    _note_slash_dates(info, order, ctx)
    frame = frame.with_columns(timestamp=utc, time_note=note, _lines=pl.lit(1, pl.Int64))
    if "severity_raw" in frame.columns:
        frame = with_severity(frame)
    return finish_access(frame)


def _note_slash_dates(info: dict, order: list, ctx: ParseContext) -> None:
    """Say how many slash dates among a file's other times were read month first (the
    file's first values, of another style, could not tell the order)."""
    read = info["styles"].get("mdy-slash", 0)
    if not read or ctx.dayfirst is not None or (order and order[0].dayfirst is not None):
        return
    seen = ctx.state["slash_month_first"] = ctx.state.get("slash_month_first", 0) + read
    ctx.end_notes["dayfirst"] = (
        f"{seen:,} slash date(s) among the other times read month first (03/04/2026: March "
        f"4); {DAYFIRST_HINT}"
    )


def json_parser(
    keys: dict[str, tuple[str, ...]] = KEYS,
    strip_newline=("log",),
    derive: Callable[[pl.DataFrame], pl.DataFrame] | None = None,
    decode: Callable[[pl.DataFrame, ParseContext], pl.DataFrame] | None = None,
    decode_record: Callable[[dict, ParseContext], dict] | None = None,
) -> Parser:
    """The parser of a JSON lines format: ``decode``, when given, on each block's records
    read at once, ``decode_record`` on each record of a block read line by line (journald's
    byte arrays as text, either way), then the keys mapped by ``keys`` (see
    :func:`normalise_records`), then ``derive``, when given, on the rows that have a time
    (a message built from a record's fields)."""

    def parse(lines: pl.DataFrame, ctx: ParseContext) -> pl.DataFrame:
        records, kept = read_json_lines(lines, ctx, decode_record)
        if decode is not None and records.height:
            records = decode(records, ctx)
        frame = normalise_records(records, kept, ctx, keys=keys, strip_newline=strip_newline)
        return frame if derive is None or not frame.height else derive(frame)

    return parse


def _json_keys(line: str) -> set[str] | None:
    try:
        obj = json.loads(line)
    except ValueError:
        return None
    return set(flatten_dict(obj)) if isinstance(obj, dict) else None


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

"""Structured payloads inside container and system logs: a message that is a whole JSON
object, or a structured logger's logfmt line (``time="…" level=error msg="…"``: logrus,
go-kit, Prometheus; it must have a level or message key), as an app writes them to stdout
and a CRI or Docker container log, ``kubectl logs --timestamps``, journald or syslog wrap
them, is unpacked, once per file. A file is searched for logfmt lines only when some of a
thousand messages spread through it are.

Its level, message, trace id, service, program and pid keys (the names JSON lines map:
:data:`.structured.KEYS`) fill those columns: the payload's level wins over what the
envelope said (syslog's priority, a runtime's stream), its message replaces the JSON text.
Every other key becomes a column of its own (dotted when nested), named ``KEY_field`` where
the frame has that column already. The line's own time stays the ``timestamp`` (the
runtime's or the journal's, in file order); the payload's time is kept under its key, as
text. A message that only looks like JSON (``{`` first, ``}`` last) but is not valid JSON
stays as it was, and the report counts those; one that spans lines (a record printed over
several) is left as it is.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

from postmortem_kit.ingest.accesspayload import access_rows, request_fields
from postmortem_kit.ingest.columns import categorise, severity_of
from postmortem_kit.ingest.httpfields import HTTP_EXTRA, access_fields, worse_severity
from postmortem_kit.ingest.payloadrows import (
    json_rows,
    logfmt_rows,
    message_sample,
    parse_json,
    parse_logfmt,
    take_rows,
)
from postmortem_kit.ingest.registry import ParseContext
from postmortem_kit.ingest.structured import KEYS, map_keys, mapped_column

#: The payload keys that fill the frame's own columns (its time is not one: see the module).
PAYLOAD_KEYS = {column: keys for column, keys in KEYS.items() if column != "timestamp"}
#: Messages parsed at a time (bounds the memory the JSON text and its columns take).
_SLICE = 200_000


def _column_name(name: str, taken: set[str]) -> str:
    """``name``, or ``name_field`` where the frame has a column of that name already."""
    return f"{name}_field" if name in taken else name


def plain(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """A column's values, a categorical's decoded."""
    if pa.types.is_dictionary(column.type):
        return column.cast(column.type.value_type)
    return column


def _records(message: pa.ChunkedArray, rows: pa.Array, parse) -> tuple[pl.DataFrame, list[bool]]:
    """``parse`` of the messages of ``rows``, in slices of :data:`_SLICE`."""
    parts, valid = [], []
    for start in range(0, len(rows), _SLICE):
        keys, ok = parse(take_rows(message, rows[start : start + _SLICE].to_numpy()))
        parts.append(keys)
        valid += ok
    return (pl.concat(parts, how="diagonal_relaxed") if len(parts) > 1 else parts[0]), valid


def _merge(
    table: pa.Table, rows: pa.Array, keys: pl.DataFrame, valid: list[bool]
) -> tuple[pa.Table, dict[str, list[str]]]:
    """``table`` with the records ``keys`` (one per row of ``rows``; ``valid``: which are
    records) merged in (see the module), and which keys fed the frame's own columns.
    HTTP requests among them get an access log's columns (:mod:`.httpfields`)."""
    keys = access_fields(keys)
    requests = keys.select(HTTP_EXTRA) if HTTP_EXTRA[0] in keys.columns else None
    keys = keys.drop(HTTP_EXTRA, strict=False)
    mapped, rest = map_keys(keys.columns, None, PAYLOAD_KEYS)
    # each row's record in ``keys`` (null: no valid record), spread with take
    spread = _spreader(table, rows, valid)
    if requests is not None:  # a request without a message of its own: the request line
        said = mapped_column(keys, "message", mapped["message"]) if "message" in mapped else None
        none = pl.lit(True) if said is None else said.is_null() | (said.str.strip_chars() == "")
        requests = requests.with_columns(
            pl.when(keys.select(none).to_series()).then(pl.col("_http_request")).alias("_m")
        )

    for column, present in mapped.items():
        incoming = spread(keys.select(mapped_column(keys, column, present)).to_series())
        if column == "severity_raw":  # the payload's level decides the severity
            level = severity_of(incoming).cast(pa.large_string())
            if "severity" in table.column_names:
                level = pc.if_else(pc.is_valid(incoming), level, plain(table["severity"]))
            table = put(table, "severity", level)
        if column in table.column_names:  # the payload's value wins where it has one
            old = plain(table[column])
            incoming = pc.coalesce(incoming.cast(old.type), old)
        table = put(table, column, incoming)
    taken = set(table.column_names)
    for key, name in rest:
        table = table.append_column(_column_name(name, taken), spread(keys[key]))
    if requests is not None:
        table = _merge_json_requests(
            table, spread(requests["_m"]), spread(requests["_http_severity"])
        )
    return table, mapped


def _merge_json_requests(table: pa.Table, message: pa.Array, severity: pa.Array) -> pa.Table:
    """``table`` with the request lines ``message`` where the payloads had no message, and
    the worse of each row's severity and its status's ``severity``."""
    table = put(table, "message", pc.coalesce(message, plain(table["message"])))
    level = pl.from_arrow(plain(table["severity"])) if "severity" in table.column_names else None
    frame = pl.DataFrame({"level": level, "status": pl.from_arrow(severity)})
    worse = frame.select(worse_severity(pl.col("level"), pl.col("status"))).to_series()
    return put(table, "severity", worse.to_arrow().cast(pa.large_string()))


def unpack_payloads(table: pa.Table, ctx: ParseContext) -> pa.Table:
    """``table`` (a file's rows, categoricals as dictionaries) with the messages that are
    JSON objects or a structured logger's logfmt unpacked (see the module), and those that
    are an access log's lines read (see :mod:`.accesspayload`); the report gets a note
    saying how many, and from which keys. Only the columns that change are built anew."""
    if "message" not in table.column_names or not table.num_rows:
        return table
    message = table["message"]
    if not (pa.types.is_string(message.type) or pa.types.is_large_string(message.type)):
        message = message.cast(pa.large_string())
    in_json = json_rows(message)
    sample = message_sample(message)
    in_logfmt = logfmt_rows(message, in_json, sample)
    taken = np.concatenate([rows.to_numpy(zero_copy_only=False) for rows in (in_json, in_logfmt)])
    in_access = access_rows(message, taken.astype(np.int64), sample)
    if not len(in_json) and not len(in_logfmt) and not len(in_access):
        return table
    for rows, parse, kind in (
        (in_json, parse_json, "JSON objects"),
        (in_logfmt, parse_logfmt, "logfmt pairs"),
    ):
        if not len(rows):
            continue
        keys, valid = _records(message, rows, parse)
        table, mapped = _merge(table, rows, keys, valid)
        unpacked = sum(valid)
        _note(ctx, kind, unpacked, len(valid) - unpacked, mapped)
    if len(in_access):
        fields, valid = _records(message, in_access, request_fields)
        table = _merge_access_lines(table, in_access, fields, valid)
        _note_access(ctx, sum(valid))
    return categorise(table)


def _spreader(table: pa.Table, rows: pa.Array, valid: list[bool]):
    """A function that puts the values of a frame of one row per row of ``rows`` (those
    ``valid``) at those rows of ``table``, nulls elsewhere."""
    good = np.asarray(valid, bool)
    where = np.full(table.num_rows, -1, np.int64)
    where[rows.to_numpy(zero_copy_only=False)[good]] = np.flatnonzero(good)
    index = pa.array(where, mask=where < 0)

    def spread(values: pl.Series) -> pa.Array:
        return values.to_arrow(compat_level=pl.CompatLevel.oldest()).take(index)

    return spread


def _merge_access_lines(
    table: pa.Table, rows: pa.Array, fields: pl.DataFrame, valid: list[bool]
) -> pa.Table:
    """``table`` with the access-log columns ``fields`` (one row per row of ``rows``) of the
    messages that were request lines (``valid``): their message and severity replaced,
    the other columns added (``NAME_field`` where the frame has one of that name)."""
    spread = _spreader(table, rows, valid)
    for column in ("message", "severity"):
        incoming = spread(fields[column])
        if column in table.column_names:
            old = plain(table[column])
            incoming = pc.coalesce(incoming.cast(old.type), old)
        table = put(table, column, incoming)
    taken = set(table.column_names)
    for name in fields.columns:
        if name not in ("message", "severity"):
            table = table.append_column(_column_name(name, taken), spread(fields[name]))
    return table


def _note_access(ctx: ParseContext, read: int) -> None:
    if read:
        ctx.report.notes.append(
            f"{read:,} message(s) were access log lines, read into columns (client, method, "
            "path, status, bytes, latency, …), their severity from the status; the line's own "
            "time stays the timestamp, the request's is time_local"
        )


def put(table: pa.Table, name: str, values) -> pa.Table:
    """``table`` with column ``name`` set to ``values`` (in its place, or appended)."""
    if name in table.column_names:
        return table.set_column(table.column_names.index(name), name, values)
    return table.append_column(name, values)


def _note(
    ctx: ParseContext, kind: str, unpacked: int, invalid: int, mapped: dict[str, list[str]]
) -> None:
    if unpacked:
        fed = ", ".join(f"{column} from '{keys[0]}'" for column, keys in mapped.items())
        ctx.report.notes.append(
            f"{unpacked:,} message(s) were {kind}, unpacked into columns"
            + (f" ({fed})" if fed else "")
            + "; the line's own time stays the timestamp"
        )
    if invalid:
        ctx.report.notes.append(
            f"{invalid:,} message(s) looked like JSON objects but are not valid JSON: kept as text"
        )

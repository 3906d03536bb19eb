"""The W3C extended log format: Microsoft IIS's default access log, and the layout Amazon
CloudFront's standard logs (and other CDNs) write.

A file is a series of directives (``#Software:``, ``#Version:``, ``#Date:``, ``#Fields:``)
and data lines. ``#Fields:`` names the fields of the data lines after it, separated by a
space (IIS) or a tab (CloudFront), ``-`` for a field without a value; IIS writes the
directives again whenever the server starts, possibly with other fields, so the fields in
force are kept from block to block (``ctx.state``). Times are the ``date`` and ``time``
fields, in UTC as the format defines them (IIS writes UTC whatever its rollover setting):
``tz=`` does not apply.

A window is found in a large file by bisection as in any time-ordered log: a probe, and the
read from where the window starts, use the ``#Fields`` in force there, the last one before
it (:func:`fields_at`, which reads the file backwards from there to find it).

Every line is accounted for: a directive is a counted reject (as a CSV header row is), as
is a data line before any ``#Fields:`` or with another number of fields than it names.
Known fields become the access-log columns (``cs-method`` → ``method``, ``sc-status`` →
``status``, ``time-taken`` → ``latency`` in seconds, …); any other field is kept, named
in lower case with ``_`` for what is not a letter or digit (``cs(Cookie)`` → ``cs_cookie``).
"""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl

from postmortem_kit.ingest.columns import severity_from_http_status
from postmortem_kit.ingest.registry import ParseContext
from postmortem_kit.ingest.text import reject_rows

#: W3C field (lower case) → frame column.
FIELDS: dict[str, str] = {
    "c-ip": "client", "cs-username": "user", "s-computername": "host", "s-sitename": "site",
    "s-ip": "server_ip", "s-port": "server_port", "cs-method": "method",
    "cs-uri-stem": "path", "cs-uri-query": "query", "cs-version": "protocol",
    "sc-status": "status", "sc-substatus": "substatus", "sc-win32-status": "win32_status",
    "sc-bytes": "bytes", "cs-bytes": "bytes_received", "time-taken": "latency",
    "cs-host": "vhost", "cs(host)": "vhost", "cs(user-agent)": "user_agent",
    "cs(referer)": "referer", "x-forwarded-for": "forwarded_for",
    "x-edge-location": "edge_location", "x-edge-result-type": "edge_result",
    "x-edge-request-id": "request_id", "x-host-header": "host_header",
}  # fmt: skip
#: Columns read as whole numbers.
_INTEGERS = ("status", "substatus", "win32_status", "bytes", "bytes_received", "server_port")
_DIRECTIVE = "#"
_FIELDS_DIRECTIVE = "#Fields:"
_DIRECTIVES = "W3C directive (#Software, #Version, #Date, #Fields …)"


def column_name(field: str) -> str:
    """The frame column of a W3C field."""
    key = field.strip().lower()
    return FIELDS.get(key) or re.sub(r"[^a-z0-9]+", "_", key).strip("_") or "field"


def sniff_w3c(sample: list[str], name: str) -> tuple[float, str]:
    """Score a sample: a ``#Fields:`` directive, and data lines after it with that many
    fields."""
    fields, data, fit = None, 0, 0
    for line in sample:
        if line.startswith(_FIELDS_DIRECTIVE):
            fields = len(line[len(_FIELDS_DIRECTIVE) :].split())
        elif not line.startswith(_DIRECTIVE) and fields is not None:
            data += 1
            fit += len(_split(line)) == fields
    if fields is None:
        return 0.0, "no #Fields directive"
    share = fit / data if data else 0.5
    return 0.99 * share, f"a W3C #Fields directive ({fields} fields); {fit}/{data} lines fit it"


#: Bytes read at a time looking backwards for the ``#Fields`` directive in force.
_BACK_BYTES = 1 << 20


def fields_at(path: Path, offset: int, begin: int = 0) -> dict:
    """The parser state in force at the line that starts at byte ``offset`` of a plain
    W3C file whose text starts at ``begin``: the fields the last ``#Fields`` directive
    before it names (empty when there is none), found by reading backwards from
    ``offset`` (:attr:`.registry.LogFormat.resume`)."""
    mark = b"\n" + _FIELDS_DIRECTIVE.encode()
    with path.open("rb") as handle:
        hi = offset
        while hi > begin:
            lo = max(begin, hi - _BACK_BYTES)
            handle.seek(lo)
            data = handle.read(hi - lo)
            at = data.rfind(mark)
            if at >= 0:
                start = lo + at + 1
            elif lo == begin and data.startswith(mark[1:]):
                start = begin
            elif lo == begin:
                break
            else:  # the next read overlaps this one by a mark less a byte: none is cut
                hi = lo + len(mark) - 1
                continue
            handle.seek(start + len(mark) - 1)
            line = handle.readline().decode("utf-8", errors="replace")
            return {"w3c_fields": line.split()}
    return {}


def _split(line: str) -> list[str]:
    return line.split("\t") if "\t" in line else line.split(" ")


def parse_w3c(lines: pl.DataFrame, ctx: ParseContext) -> pl.DataFrame:
    """The W3C extended log format's parser (see the module)."""
    text = pl.col("line")
    lines = lines.filter(text.is_not_null()).with_columns(
        _directive=text.str.starts_with(_DIRECTIVE),
        _segment=text.str.starts_with(_FIELDS_DIRECTIVE).cum_sum(),
    )
    # the fields in force in each segment: the file's so far, then each #Fields line's
    heads = lines.filter(text.str.starts_with(_FIELDS_DIRECTIVE))["line"].to_list()
    known = ctx.state.get("w3c_fields")
    segments = [known] + [h[len(_FIELDS_DIRECTIVE) :].split() for h in heads]
    if heads:
        ctx.state["w3c_fields"] = segments[-1]
    data = reject_rows(ctx, lines, lines["_directive"], _DIRECTIVES, header=True)
    out = []
    for i, fields in enumerate(segments):
        part = data.filter(pl.col("_segment") == i)
        if not fields:  # every line of the part (no directive is left in data)
            reject_rows(ctx, part, ~part["_directive"], "a data line before any #Fields directive")
        elif part.height:
            out.append(_segment_rows(part, fields, ctx))
    if not out:
        return pl.DataFrame(
            schema={"line_no": pl.Int64, "timestamp": pl.Datetime("ns", "UTC"), "_lines": pl.Int64}
        )
    return pl.concat(out, how="diagonal_relaxed")


def _segment_rows(part: pl.DataFrame, fields: list[str], ctx: ParseContext) -> pl.DataFrame:
    """The rows of the data lines under one ``#Fields`` directive."""
    sep = "\t" if "\t" in part["line"][0] else " "
    parts = part.with_columns(_parts=pl.col("line").str.split(sep))
    wrong = parts["_parts"].list.len() != len(fields)
    reason = f"another number of fields than the #Fields directive names ({len(fields)})"
    parts = reject_rows(ctx, parts, wrong, reason)
    names = [column_name(f) for f in fields]
    seen: dict[str, int] = {}
    for k, n in enumerate(names):  # a field named twice keeps both
        seen[n] = seen.get(n, 0) + 1
        names[k] = n if seen[n] == 1 else f"{n}_{seen[n]}"
    value = [pl.col("_parts").list.get(k) for k in range(len(fields))]
    rows = parts.select(
        "line_no",
        *(pl.when(v != "-").then(v).alias(n) for v, n in zip(value, names, strict=True)),
    )
    return _derive(rows)


def _derive(rows: pl.DataFrame) -> pl.DataFrame:
    """Time, message, severity and typed columns from a segment's text fields."""
    cols = rows.columns
    exprs: dict[str, pl.Expr] = {}
    for name in _INTEGERS:
        if name in cols:
            exprs[name] = pl.col(name).cast(pl.Int64, strict=False)
    if "latency" in cols:  # IIS: whole milliseconds; CloudFront: seconds with a point
        taken = pl.col("latency")
        ms = taken.str.zfill(4)  # 119 ms as the text 0.119: read as a float is the nearest
        ms = pl.concat_str([ms.str.slice(0, ms.str.len_chars() - 3), pl.lit("."), ms.str.slice(-3)])
        exprs["latency"] = (
            pl.when(taken.str.contains(".", literal=True)).then(taken).otherwise(ms)
        ).cast(pl.Float64, strict=False)
    if "client" in cols:
        exprs["client_ip"] = pl.col("client")
    date = pl.col("date") if "date" in cols else pl.lit(None, pl.String)
    time = pl.col("time") if "time" in cols else pl.lit(None, pl.String)
    stamp = pl.concat_str([date, pl.lit("T"), time, pl.lit("Z")])
    exprs["timestamp"] = stamp.str.to_datetime(
        "%Y-%m-%dT%H:%M:%S%.fZ", time_unit="ns", time_zone="UTC", strict=False
    )
    status = pl.col("status").cast(pl.Int64, strict=False) if "status" in cols else None
    request = [pl.col(c) for c in ("method", "path") if c in cols]
    if "query" in cols and "path" in cols:
        request[-1] = pl.concat_str(
            [pl.col("path"), pl.lit("?"), pl.col("query")], ignore_nulls=False
        ).fill_null(pl.col("path"))
    if "protocol" in cols:
        request.append(pl.col("protocol"))
    if status is not None:
        request.append(status.cast(pl.String))
        exprs["severity"] = severity_from_http_status(status)
    exprs["message"] = (
        pl.concat_str(request, separator=" ", ignore_nulls=True) if request else pl.lit("")
    )
    rows = rows.with_columns(**exprs)
    return rows.drop([c for c in ("date", "time") if c in cols]).with_columns(
        time_note=pl.lit(None, pl.String), _lines=pl.lit(1, pl.Int64)
    )

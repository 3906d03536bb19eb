"""HTTP requests logged as JSON lines (nginx's ``log_format … escape=json``, Traefik, Caddy,
Envoy, Elastic ECS, Google Cloud's ``httpRequest``): the same columns a text access log
gives, also for such a request inside a container log's line (unpacked by :mod:`.payload`).

Such a record has a status and a method (or the request line), under names that differ by
server; without this a JSON access log had no message and no severity, and ``http_view``
found no ``status``. A block's records are access records when some key of
:data:`FIELDS`' ``status`` holds HTTP statuses (whole numbers 100-599, as numbers or text)
in every row that has one, and a method or request key is there too. Then:

- the keys of :data:`FIELDS` become ``method``, ``path``, ``protocol``, ``status``,
  ``bytes``, ``client``, ``user_agent`` and ``referer`` (``-`` as none, as in a text access
  log), the first present key winning; a key is consumed only when each of its values is
  kept (a ``bytes`` key that is not whole numbers everywhere stays as it is), and a key of
  such a name that feeds none of them is kept as ``NAME_field``;
- ``latency`` is in seconds from the keys of :data:`LATENCY_SECONDS`, each with its unit
  (nginx's ``request_time`` in seconds, Traefik's ``Duration`` and ECS's
  ``event.duration`` in nanoseconds, Cloud Logging's ``"0.153s"``); other duration keys,
  whose unit differs from server to server, stay as they are;
- a record without a message (none, or empty: Traefik writes ``"msg": ""``) gets the one a
  text access log gets: the request and the status (``GET /api/orders HTTP/1.1 502``, or
  ``(empty request) 400``);
- a status gives a severity as in a text access log
  (:func:`.columns.severity_from_http_status`: 5xx error, 4xx warning, else info); the
  row's severity is the worse of that and its level's (Traefik logs every
  request at ``info``, a 502 too).
"""

from __future__ import annotations

import polars as pl

from postmortem_kit.ingest.columns import SEVERITIES, severity_from_http_status

#: Output column → the keys that feed it, the first present winning.
FIELDS: dict[str, tuple[str, ...]] = {
    "status": (
        "status", "DownstreamStatus", "http.response.status_code", "httpRequest.status",
        "response_code", "status_code", "statusCode",
    ),
    "method": (
        "request_method", "RequestMethod", "http.request.method", "httpRequest.requestMethod",
        "request.method", "method",
    ),
    "path": (
        "request_uri", "uri", "RequestPath", "url.path", "url.original", "httpRequest.requestUrl",
        "request.uri", "path",
    ),
    "protocol": (
        "server_protocol", "RequestProtocol", "httpRequest.protocol", "request.proto",
        "protocol", "proto",
    ),
    "bytes": (
        "body_bytes_sent", "bytes_sent", "DownstreamContentSize", "http.response.body.bytes",
        "httpRequest.responseSize", "size", "bytes",
    ),
    "client": (
        "remote_addr", "ClientHost", "client.ip", "source.ip", "httpRequest.remoteIp",
        "request.client_ip", "request.remote_ip", "remote_ip", "client_ip",
    ),
    "user_agent": (
        "http_user_agent", "request_User-Agent", "user_agent.original",
        "httpRequest.userAgent", "user_agent",
    ),
    "referer": ("http_referer", "request_Referer", "http.request.referrer", "httpRequest.referer"),
}  # fmt: skip
#: The request line, split into method, path and protocol when those keys are absent.
REQUEST_KEYS = ("request", "request_line")
#: Latency keys → how many seconds one unit of their value is (``None``: text with an
#: ``s`` suffix, Cloud Logging's protobuf duration).
LATENCY_SECONDS: dict[str, float | None] = {
    "request_time": 1.0, "Duration": 1e-9, "event.duration": 1e-9, "httpRequest.latency": None,
}  # fmt: skip
#: What :func:`access_fields` adds for :func:`finish_access` (or the payload merge) to use up.
HTTP_EXTRA = ("_http_request", "_http_severity")
_REQUEST = r"^(?P<method>[A-Z][A-Z_-]*) (?P<path>\S+)(?: (?P<protocol>[A-Z]+/[\d.]+))?$"


def _whole(col: pl.Expr) -> pl.Expr:
    return col.cast(pl.String).str.strip_chars().cast(pl.Int64, strict=False)


def _kept_whole(records: pl.DataFrame, key: str) -> bool:
    """Whether every value of ``key`` reads as a whole number."""
    got = records.select(bad=(_whole(pl.col(key)).is_null() & pl.col(key).is_not_null()).any())
    return not got.item()


def _statuses(records: pl.DataFrame, key: str) -> bool:
    status = _whole(pl.col(key))
    bad = pl.col(key).is_not_null() & (status.is_null() | (status < 100) | (status > 599))
    return not records.select(bad=bad.any()).item()


def may_be_access(columns: list[str]) -> bool:
    """Whether records with these keys may be access records (a status key, and a method
    or request key): a reader that cannot make an access log's columns leaves them to
    :func:`access_fields`."""
    names = set(columns)
    return bool(names & set(FIELDS["status"])) and bool(names & {*FIELDS["method"], *REQUEST_KEYS})


def access_keys(records: pl.DataFrame) -> str | None:
    """The status key of ``records`` when they are HTTP access records (see the module),
    else ``None``."""
    columns = set(records.columns)
    if not may_be_access(records.columns) or not records.height:
        return None
    for key in FIELDS["status"]:
        if key in columns and records[key].null_count() < records.height:
            return key if _statuses(records, key) else None
    return None


def _latency(key: str) -> pl.Expr:
    scale = LATENCY_SECONDS[key]
    col = pl.col(key)
    if scale is None:
        text = col.cast(pl.String).str.strip_chars()
        return text.str.strip_suffix("s").cast(pl.Float64, strict=False)
    return col.cast(pl.String).str.strip_chars().cast(pl.Float64, strict=False) * scale


def access_fields(records: pl.DataFrame) -> pl.DataFrame:
    """``records`` (raw keys, one row per line) with the columns of an access log (see the
    module) when they are access records, else as they are; then also ``_http_request``
    (the request and the status, the message of a record without one) and
    ``_http_severity`` (the status's severity), which :func:`finish_access` uses up."""
    status_key = access_keys(records)
    if status_key is None:
        return records
    columns = set(records.columns)
    out: dict[str, pl.Expr] = {}
    used: set[str] = set()
    for name, keys in FIELDS.items():
        present = [k for k in keys if k in columns]
        if name == "status":
            present = [status_key]
        if name in ("status", "bytes"):
            present = [k for k in present if _kept_whole(records, k)]
            values = [_whole(pl.col(k)) for k in present]
        else:
            values = [pl.col(k).cast(pl.String) for k in present]
        if values:
            out[name] = pl.coalesce(values)
            used.update(present)
    request = next((k for k in REQUEST_KEYS if k in columns), None)
    if request is not None:
        parts = pl.col(request).cast(pl.String).str.extract_groups(_REQUEST)
        for name in ("method", "path", "protocol"):
            part = parts.struct.field(name)
            out[name] = part if name not in out else pl.coalesce(out[name], part)
    latency = [k for k in LATENCY_SECONDS if k in columns]
    if latency:
        out["latency"] = pl.coalesce([_latency(k) for k in latency])
        used.update(k for k in latency if _all_read(records, k))
    line = (
        pl.col(request).cast(pl.String)
        if request is not None
        else pl.concat_str(
            [out.get(n, pl.lit(None)) for n in ("method", "path", "protocol")],
            separator=" ",
            ignore_nulls=True,
        )  # fmt: skip
    )
    status = out["status"].cast(pl.String)
    text = pl.concat_str([line, status], separator=" ")
    empty = pl.concat_str([pl.lit("(empty request)"), status], separator=" ")  # as in text
    out["_http_request"] = pl.when(line.fill_null("").str.strip_chars() != "").then(text)
    out["_http_request"] = out["_http_request"].otherwise(empty)
    out["_http_severity"] = severity_from_http_status(out["status"])
    if "referer" in out:  # nginx's "-" for none, as a text access log has it
        out["referer"] = pl.when(out["referer"] != "-").then(out["referer"])
    # a key named as an output column but not one of its sources keeps its values
    renamed = {c: f"{c}_field" for c in records.columns if c in out and c not in used}
    kept = [pl.col(c).alias(renamed.get(c, c)) for c in records.columns if c not in used]
    return records.select(*kept, **out)


def _all_read(records: pl.DataFrame, key: str) -> bool:
    got = records.select(bad=(_latency(key).is_null() & pl.col(key).is_not_null()).any())
    return not got.item()


def finish_access(frame: pl.DataFrame) -> pl.DataFrame:
    """A frame of access records (see :func:`access_fields`) with its message (the request
    where the record had none) and severity (the worse of its level's and its status's)."""
    if "_http_severity" not in frame.columns:
        return frame
    message = pl.col("message") if "message" in frame.columns else pl.lit(None, pl.String)
    none = message.is_null() | (message.str.strip_chars() == "")
    level = pl.col("severity") if "severity" in frame.columns else pl.lit(None, pl.String)
    return frame.with_columns(
        message=pl.when(none).then(pl.col("_http_request")).otherwise(message),
        severity=worse_severity(level, pl.col("_http_severity")),
    ).drop(HTTP_EXTRA)


def worse_severity(level: pl.Expr, status: pl.Expr) -> pl.Expr:
    """The worse of two normalised severities (either may be null)."""
    rank = {name: i for i, name in enumerate(SEVERITIES)}
    a = level.replace_strict(rank, default=None, return_dtype=pl.Int8)
    b = status.replace_strict(rank, default=None, return_dtype=pl.Int8)
    return pl.max_horizontal(a, b).replace_strict(
        dict(enumerate(SEVERITIES)), default=None, return_dtype=pl.String
    )

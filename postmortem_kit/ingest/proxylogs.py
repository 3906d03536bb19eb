"""Access logs of proxies and load balancers in layouts of their own (not nginx's combined):
Envoy's default access log (and Istio's, the sidecar of most service meshes), and the
access logs of AWS Application Load Balancers (and Classic ones, the same fields without
the first and the last).

Both carry what an incident asks of a request: the status the proxy gave, why it gave it
(Envoy's response flags such as ``UF`` or ``UH``; the ALB's ``error_reason``), how long it
took, and where it went (the upstream host; the target). Times are UTC with their ``Z``.

Envoy (``%START_TIME%`` first)::

    [2026-10-14T14:07:00.123Z] "GET /api/orders HTTP/1.1" 503 UF 0 91 30012 - "10.0.0.1"
    "curl/8.5.0" "7f1c-…" "orders.svc" "10.0.0.2:8080"

Istio adds the response code details, the termination details and the transport failure
reason after the flags, and the upstream cluster, addresses, SNI and route at the end. A
TCP connection has ``"- - -"`` for its request and 0 for its status.

ALB (the fields AWS documents, space-separated, some quoted)::

    https 2026-10-14T14:07:00.123456Z app/shop/50dc6c 192.168.131.39:2817 10.0.0.1:80
    0.000 0.001 0.000 502 502 34 366 "GET https://shop.example:443/api HTTP/1.1" "curl/8"
    ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:…:targetgroup/… "Root=1-…" "shop.example" …

A processing time of ``-1`` (the target never answered) and a ``-`` target or status are
nulls; ``latency`` is the sum of the three processing times when all are known.

Fields after the last one known here (a later version's) are kept, as written, in
``extra``.
"""

from __future__ import annotations

import polars as pl

from postmortem_kit.ingest.columns import severity_from_http_status
from postmortem_kit.ingest.text import dash_is_null, line_parser, line_preparer

_Q = r'(?:[^"\\]|\\.)*'
#: A request as written between quotes: ``METHOD target PROTOCOL`` when it has that shape.
_REQUEST = rf'"(?P<request>(?P<method>[A-Z][A-Z_-]*|-) (?P<path>\S+) (?P<protocol>[^"\s]+)|{_Q})"'

ENVOY = (
    r"^\[(?P<ts>\d{4}-\d{2}-\d{2}T[^\]]+)\] " + _REQUEST + r" (?P<status>\d{1,3}) "
    r"(?P<response_flags>\S+) "
    r'(?:(?P<code_details>\S+) (?P<termination_details>\S+) "(?P<transport_failure>[^"]*)" )?'
    r"(?P<bytes_received>\d+) (?P<bytes>\d+) (?P<duration_ms>\d+|-) (?P<upstream_ms>\d+|-) "
    rf'"(?P<forwarded_for>{_Q})" "(?P<user_agent>{_Q})" "(?P<request_id>{_Q})" '
    rf'"(?P<authority>{_Q})" "(?P<upstream_host>{_Q})"'
    r"(?: (?P<upstream_cluster>\S+) (?P<upstream_local_address>\S+)"
    r" (?P<downstream_local_address>\S+) (?P<client>\S+) (?P<sni>\S+) (?P<route>\S+))?"
    r"(?: ?(?P<extra>.*))$"
)
ENVOY_SNIFF = r'^\[\d{4}-\d{2}-\d{2}T[^\]]+\] "[^"]*" \d{1,3} \S+ .*"[^"]*" "[^"]*"'

_SECONDS = r"-?\d+(?:\.\d+)?"
ALB = (
    r"^(?:(?P<type>https?|h2|grpcs|wss?) )?(?P<ts>\d{4}-\d{2}-\d{2}T\S+) (?P<elb>\S+) "
    r"(?P<client>\S+):(?P<client_port>\d+) (?P<target>\S+) "
    rf"(?P<_req_s>{_SECONDS}) (?P<_target_s>{_SECONDS}) (?P<_resp_s>{_SECONDS}) "
    r"(?P<status>\d{3}|-) (?P<target_status>\d{3}|-) (?P<bytes_received>\d+) (?P<bytes>\d+) "
    + _REQUEST
    + rf' "(?P<user_agent>{_Q})" (?P<ssl_cipher>\S+) (?P<ssl_protocol>\S+)'
    r'(?: (?P<target_group>\S+) "(?P<trace_id>[^"]*)" "(?P<domain>[^"]*)" '
    r'"(?P<certificate>[^"]*)" (?P<rule_priority>\S+) (?P<request_created>\S+) '
    r'"(?P<actions>[^"]*)" "(?P<redirect_url>[^"]*)" "(?P<error_reason>[^"]*)"'
    r'(?: "(?P<targets>[^"]*)" "(?P<target_statuses>[^"]*)"'
    r'(?: "(?P<classification>[^"]*)" "(?P<classification_reason>[^"]*)"'
    r"(?: (?P<conn_trace_id>\S+))?)?)?)?"
    r"(?: ?(?P<extra>.*))$"
)
ALB_SNIFF = (
    r"^(?:(?:https?|h2|grpcs|wss?) )?\d{4}-\d{2}-\d{2}T\S+ \S+ \S+:\d+ \S+ "
    rf"{_SECONDS} {_SECONDS} {_SECONDS} (?:\d{{3}}|-) (?:\d{{3}}|-) \d+ \d+ \""
)


#: Text fields each proxy writes ``-`` in when it has no value (null here).
_ENVOY_TEXT = (
    "method", "path", "protocol", "response_flags", "code_details", "termination_details",
    "transport_failure", "forwarded_for", "user_agent", "request_id", "authority",
    "upstream_host", "upstream_cluster", "upstream_local_address", "downstream_local_address",
    "client", "sni", "route",
)  # fmt: skip
_ALB_TEXT = (
    "method", "protocol", "target", "user_agent", "ssl_cipher", "ssl_protocol", "target_group",
    "trace_id", "domain", "certificate", "rule_priority", "request_created", "actions",
    "redirect_url", "targets", "target_statuses", "classification", "classification_reason",
    "conn_trace_id",
)  # fmt: skip


def _whole(name: str) -> pl.Expr:
    return pl.col(name).cast(pl.Int64, strict=False).alias(name)


def _extra() -> pl.Expr:
    """Fields after the last known one (a later version's), kept as written; null when
    there are none."""
    return pl.when(pl.col("extra") != "").then(pl.col("extra")).alias("extra")


def _request_message(status: pl.Expr, reason: pl.Expr) -> pl.Expr:
    """``request status``, then the proxy's reason for it when it gives one."""
    return pl.concat_str(
        [pl.col("request"), status.cast(pl.String), reason], separator=" ", ignore_nulls=True
    )


def derive_envoy(f: pl.DataFrame) -> pl.DataFrame:
    """Typed columns, message and severity of Envoy's groups. Status 0 (no HTTP response:
    a TCP connection, or one reset before a response) with response flags is a warning."""
    status = pl.col("status").cast(pl.Int64, strict=False)
    flags = pl.col("response_flags")
    severity = (
        pl.when((status == 0) & (flags != "-"))
        .then(pl.lit("warning"))
        .otherwise(severity_from_http_status(status))
    )
    f = f.with_columns(
        *(dash_is_null(c).alias(c) for c in _ENVOY_TEXT),
        *(_whole(c) for c in ("bytes_received", "bytes", "upstream_ms")),
        status=status,
        latency=pl.col("duration_ms").cast(pl.Int64, strict=False) / 1000,
        message=_request_message(status, pl.when(flags != "-").then(flags)),
        severity=severity,
    )
    return f.with_columns(_extra()).drop("request", "duration_ms")


def derive_alb(f: pl.DataFrame) -> pl.DataFrame:
    """Typed columns, message and severity of a load balancer's groups: the status the
    balancer gave decides the severity; ``latency`` is the sum of the processing times."""
    status = pl.col("status").cast(pl.Int64, strict=False)
    times = {
        name: pl.when(pl.col(group).cast(pl.Float64, strict=False) >= 0).then(
            pl.col(group).cast(pl.Float64, strict=False)
        )
        for name, group in (
            ("request_processing_time", "_req_s"),
            ("target_processing_time", "_target_s"),
            ("response_processing_time", "_resp_s"),
        )
    }
    reason = pl.when(pl.col("error_reason") != "-").then(pl.col("error_reason"))
    f = f.with_columns(
        *(dash_is_null(c).alias(c) for c in _ALB_TEXT),
        *(_whole(c) for c in ("client_port", "target_status", "bytes_received", "bytes")),
        **times,
        status=status,
        latency=times["request_processing_time"]
        + times["target_processing_time"]
        + times["response_processing_time"],
        error_reason=reason,
        message=_request_message(status, reason),
        severity=severity_from_http_status(status),
    )
    return f.with_columns(_extra()).drop("request")


prepare_envoy = line_preparer(ENVOY, derive_envoy)
parse_envoy = line_parser(ENVOY, ("iso8601",), label="Envoy access log", derive=derive_envoy)
prepare_alb = line_preparer(ALB, derive_alb)
parse_alb = line_parser(ALB, ("iso8601",), label="AWS load balancer log", derive=derive_alb)

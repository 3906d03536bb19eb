"""Envoy / Istio and AWS load balancer access logs (``ingest.proxylogs``). The expected
values are worked out here from each line with :func:`shlex.split` (which reads the quoted
fields as these proxies write them) and the field lists their documentation gives, not by
the reader."""

from __future__ import annotations

import shlex

import pandas as pd
import pytest

from postmortem_kit.errors import IngestError
from postmortem_kit.ingest import load_logs
from postmortem_kit.ingest.registry import get_format

ENVOY_LINES = [
    # Envoy's default layout
    '[2026-10-14T14:07:00.123Z] "GET /api/orders?id=7 HTTP/1.1" 503 UF 0 91 30012 - '
    '"10.0.0.1" "curl/8.5.0" "7f1c2d-1" "orders.svc" "10.0.0.2:8080"',
    '[2026-10-14T14:07:01.200Z] "POST /api/cart HTTP/2" 200 - 512 1024 12 11 '
    '"-" "Mozilla/5.0 (X11; Linux x86_64)" "7f1c2d-2" "cart.svc" "10.0.0.3:8080"',
    # a TCP connection: no request, status 0
    '[2026-10-14T14:07:02.000Z] "- - -" 0 UF 0 0 5 - "-" "-" "-" "-" "10.0.0.9:3306"',
    # Istio's layout: code details, termination details and transport failure, then more
    '[2026-10-14T14:07:03.409Z] "GET /status/418 HTTP/1.1" 418 - via_upstream - "-" 0 135 4 4 '
    '"-" "curl/7.73.0-DEV" "84961386-6d84" "httpbin:8000" "10.44.1.27:80" '
    "outbound|8000||httpbin.foo.svc.cluster.local 10.44.1.23:37652 10.0.45.184:8000 "
    "10.44.1.23:46520 - default",
    '[2026-10-14T14:07:04.000Z] "GET /api/orders HTTP/1.1" 503 UH no_healthy_upstream - "-" '
    '0 19 0 - "-" "Go-http-client/1.1" "a1b2" "orders:8080" "-" '
    "outbound|8080||orders.shop.svc.cluster.local - 10.0.45.1:8080 10.44.1.23:46522 - default",
]
ISTIO_FROM = 3


def _envoy_expected(line: str) -> dict:
    when, rest = line[1:].split("] ", 1)
    f = shlex.split(rest)
    istio = len(f) > 12
    if istio:  # details, termination and transport failure after the flags
        f = f[:3] + f[6:]
    request, status, flags, rx, tx, duration, _up, xff, agent, rid, authority, upstream = f[:12]
    status = int(status)
    severity = (
        "warning" if status == 0 and flags != "-"
        else "error" if status >= 500 else "warning" if status >= 400 else "info"
    )  # fmt: skip
    dash = lambda v: None if v == "-" else v  # noqa: E731
    return {
        "timestamp": pd.Timestamp(when),
        "method": dash(request.split(" ")[0]),
        "path": dash(request.split(" ")[1]),
        "status": status,
        "response_flags": dash(flags),
        "bytes_received": int(rx),
        "bytes": int(tx),
        "latency": int(duration) / 1000,
        "forwarded_for": dash(xff),
        "user_agent": dash(agent),
        "request_id": dash(rid),
        "authority": dash(authority),
        "upstream_host": dash(upstream),
        "client": f[15] if istio else None,
        "route": f[17] if istio else None,
        "message": " ".join([request, str(status)] + ([flags] if flags != "-" else [])),
        "severity": severity,
    }


def _values(column: pd.Series) -> list:
    return column.astype(object).where(column.notna(), None).tolist()


def _frame_rows(frame: pd.DataFrame, columns) -> list[dict]:
    plain = frame[list(columns)].astype(object).where(frame[list(columns)].notna(), None)
    return plain.to_dict("records")


def test_envoy_and_istio_lines(tmp_path):
    path = tmp_path / "istio-proxy.log"
    path.write_text("\n".join(ENVOY_LINES) + "\nnot an access line\n", encoding="utf-8")
    frame = load_logs(path)
    report = frame.attrs["import_report"].files[0]
    assert report.format == "envoy"
    assert report.lines_read == 6 and report.rows == 5
    assert report.rejects == {"does not match the Envoy access log layout": 1}
    want = [_envoy_expected(line) for line in ENVOY_LINES]
    assert _frame_rows(frame, want[0]) == want
    assert frame["upstream_cluster"].tolist()[ISTIO_FROM:] == [
        "outbound|8000||httpbin.foo.svc.cluster.local",
        "outbound|8080||orders.shop.svc.cluster.local",
    ]
    assert frame["code_details"].tolist()[ISTIO_FROM:] == ["via_upstream", "no_healthy_upstream"]
    assert frame["extra"].isna().all()


ALB_LINES = [
    # the fields of today's ALB log, the last ones too
    "https 2026-10-14T14:07:00.186641Z app/shop/50dc6c495c0c9188 192.168.131.39:2817 "
    '10.0.0.1:80 0.086 0.048 0.037 200 200 0 57 "GET https://shop.example:443/api/orders?id=7 '
    'HTTP/1.1" "curl/7.46.0" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 '
    "arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/orders/73e2d6bc24d8a067 "
    '"Root=1-58337281-1d84f3d73c47ec4e58577259" "shop.example" '
    '"arn:aws:acm:us-east-2:123456789012:certificate/12345678-1234" 1 '
    '2026-10-14T14:07:00.052000Z "authenticate,forward" "-" "-" "10.0.0.1:80" "200" '
    '"Acceptable" "-" TID_1234abcd',
    # the balancer answered itself: no target, times -1, a reason
    "h2 2026-10-14T14:07:01.000001Z app/shop/50dc6c495c0c9188 203.0.113.9:5555 - -1 -1 -1 "
    '502 - 34 366 "POST https://shop.example:443/api/pay HTTP/2.0" "Mozilla/5.0 \\"x\\"" '
    "ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 "
    'arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/pay/aaaa "Root=1-2-3" '
    '"shop.example" "-" 0 2026-10-14T14:06:59.950000Z "forward" "-" '
    '"TargetConnectionErrorCodeNotReceived" "-" "-" "-" "-"',
    # a Classic load balancer: no type first, nothing after the TLS protocol
    "2026-10-14T14:07:02.500000Z my-elb 192.168.131.39:2817 10.0.0.1:80 0.000073 0.001048 "
    '0.000057 404 404 0 29 "GET http://www.example.com:80/missing HTTP/1.1" "curl/7.38.0" - -',
]


def _alb_expected(line: str) -> dict:
    f = shlex.split(line)
    if not f[0][0].isdigit():
        kind, f = f[0], f[1:]
    else:
        kind = None
    dash = lambda v: None if v in ("-", "") else v  # noqa: E731
    times = [float(t) if float(t) >= 0 else None for t in f[4:7]]
    client, port = f[2].rsplit(":", 1)
    method, url, protocol = f[11].split(" ")
    reason = dash(f[23]) if len(f) > 23 else None
    status = int(f[7])
    return {
        "type": kind,
        "timestamp": pd.Timestamp(f[0]),
        "elb": f[1],
        "client": client,
        "client_port": int(port),
        "target": dash(f[3]),
        "latency": None if None in times else sum(times),
        "target_processing_time": times[1],
        "status": status,
        "target_status": None if f[8] == "-" else int(f[8]),
        "bytes_received": int(f[9]),
        "bytes": int(f[10]),
        "method": method,
        "path": url,
        "protocol": protocol,
        "user_agent": f[12].replace('"', '\\"'),  # kept as written, escapes and all
        "trace_id": f[16] if len(f) > 16 else None,
        "error_reason": reason,
        "message": " ".join([f[11], str(status)] + ([reason] if reason else [])),
        "severity": "error" if status >= 500 else "warning" if status >= 400 else "info",
    }


def test_alb_and_classic_elb_lines(tmp_path):
    path = tmp_path / "123456789012_elasticloadbalancing_us-east-2_app.shop.log"
    path.write_text("\n".join(ALB_LINES) + "\n", encoding="utf-8")
    frame = load_logs(path)
    report = frame.attrs["import_report"].files[0]
    assert report.format == "aws-alb"
    assert report.lines_read == report.rows == 3
    want = [_alb_expected(line) for line in ALB_LINES]
    got = _frame_rows(frame, want[0])
    for g, w in zip(got, want, strict=True):  # sums of three floats: to the microsecond
        assert (g.pop("latency") is None) == (w["latency"] is None)
        w.pop("latency")
    assert got == want
    assert frame["latency"].iloc[0] == pytest.approx(0.086 + 0.048 + 0.037)
    assert _values(frame["classification"]) == ["Acceptable", None, None]
    assert _values(frame["conn_trace_id"]) == ["TID_1234abcd", None, None]
    assert frame["extra"].isna().all()


def test_fields_of_a_later_version_are_kept(tmp_path):
    path = tmp_path / "alb.log"
    path.write_text(ALB_LINES[0] + ' "new-field" 42\n', encoding="utf-8")
    frame = load_logs(path, format="alb")
    assert frame["extra"].tolist() == ['"new-field" 42']
    assert frame["conn_trace_id"].tolist() == ["TID_1234abcd"]


@pytest.mark.parametrize("name", ["envoy", "aws-alb"])
def test_the_registry_examples_read(tmp_path, name):
    path = tmp_path / "example.log"
    path.write_text(get_format(name).example + "\n", encoding="utf-8")
    frame = load_logs(path)
    assert frame.attrs["import_report"].files[0].format == name
    assert frame["status"].tolist() == [503 if name == "envoy" else 502]
    assert frame["severity"].tolist() == ["error"]


def test_strict_names_the_line(tmp_path):
    path = tmp_path / "envoy.log"
    path.write_text(ENVOY_LINES[0] + "\ngarbage\n", encoding="utf-8")
    with pytest.raises(IngestError, match=r"envoy\.log:2: does not match the Envoy access log"):
        load_logs(path, format="envoy", strict=True)

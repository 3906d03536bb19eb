"""HTTP requests logged as JSON lines get an access log's columns: method, path, protocol,
status, bytes, latency (seconds), client, user agent, a message and a severity from the
status; records that are not requests keep their keys as written."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from postmortem_kit.ingest import load_logs
from tests.conftest import SHARED_DATA


def _write(tmp_path, records: list[dict], name: str = "access.json"):
    path = tmp_path / name
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def _nginx(i: int, status: str, request: str = "GET /api/orders HTTP/1.1") -> dict:
    """nginx's log_format … escape=json: every value text."""
    return {
        "time_iso8601": f"2026-10-14T14:07:{i:02d}+00:00", "remote_addr": f"10.0.0.{i}",
        "request": request, "status": status, "body_bytes_sent": str(100 + i),
        "request_time": f"0.{i:03d}", "http_user_agent": "curl/8.5.0", "http_referer": "-",
    }  # fmt: skip


def test_an_nginx_json_log_reads_like_the_text_access_log(tmp_path):
    path = _write(tmp_path, [_nginx(1, "502"), _nginx(2, "404", "POST /login HTTP/2.0"),
                             _nginx(3, "200")])  # fmt: skip
    frame = load_logs(path)
    assert frame["status"].tolist() == [502, 404, 200] and str(frame["status"].dtype) == "Int64"
    assert frame["method"].tolist() == ["GET", "POST", "GET"]
    assert frame["path"].tolist() == ["/api/orders", "/login", "/api/orders"]
    assert frame["protocol"].tolist() == ["HTTP/1.1", "HTTP/2.0", "HTTP/1.1"]
    assert frame["bytes"].tolist() == [101, 102, 103]
    assert frame["latency"].tolist() == [0.001, 0.002, 0.003]
    assert frame["client"].tolist() == ["10.0.0.1", "10.0.0.2", "10.0.0.3"]
    assert frame["user_agent"].tolist() == ["curl/8.5.0"] * 3
    assert frame["message"].tolist() == [
        "GET /api/orders HTTP/1.1 502", "POST /login HTTP/2.0 404", "GET /api/orders HTTP/1.1 200"
    ]  # fmt: skip
    assert frame["severity"].tolist() == ["error", "warning", "info"]
    assert frame["request"].tolist()[1] == "POST /login HTTP/2.0"  # the raw line stays too
    for key in ("remote_addr", "body_bytes_sent", "request_time", "http_user_agent"):
        assert key not in frame.columns  # renamed, nothing lost


def _traefik(i: int, status: int, duration_ns: int) -> dict:
    return {
        "ClientAddr": f"10.0.0.{i}:5123{i}", "ClientHost": f"10.0.0.{i}",
        "DownstreamContentSize": 512 + i, "DownstreamStatus": status, "Duration": duration_ns,
        "OriginStatus": status, "RequestMethod": "GET", "RequestPath": f"/api/orders/{i}",
        "RequestProtocol": "HTTP/1.1", "RouterName": "orders@docker", "level": "info",
        "msg": "", "time": f"2026-10-14T14:07:0{i}Z",
    }  # fmt: skip


def test_traefik_requests_take_the_worse_of_level_and_status(tmp_path):
    failed = {**_traefik(3, 200, 1_000), "level": "error", "msg": "backend closed early"}
    path = _write(tmp_path, [_traefik(1, 502, 153_000_000), _traefik(2, 200, 1_500_000), failed])
    frame = load_logs(path)
    assert frame["severity_raw"].tolist() == ["info", "info", "error"]  # every request: info
    assert frame["severity"].tolist() == ["error", "info", "error"]
    assert frame["message"].tolist()[2] == "backend closed early"
    frame = frame.head(2)
    assert frame["message"].tolist() == [
        "GET /api/orders/1 HTTP/1.1 502", "GET /api/orders/2 HTTP/1.1 200"
    ]  # fmt: skip
    assert frame["latency"].tolist() == pytest.approx([0.153, 0.0015])  # nanoseconds
    assert frame["bytes"].tolist() == [513, 514] and frame["status"].tolist() == [502, 200]
    assert frame["client"].tolist() == ["10.0.0.1", "10.0.0.2"]
    assert frame["ClientAddr"].tolist() == ["10.0.0.1:51231", "10.0.0.2:51232"]


def test_ecs_and_cloud_logging_requests_keep_their_own_message(tmp_path):
    ecs = {
        "@timestamp": "2026-10-14T14:07:00.000Z", "message": "upstream timed out",
        "log": {"level": "error"}, "http": {"request": {"method": "GET"},
                                            "response": {"status_code": 504}},
        "url": {"path": "/checkout"}, "event": {"duration": 2_000_000_000},
        "client": {"ip": "203.0.113.9"},
    }  # fmt: skip
    gcp = {
        "timestamp": "2026-10-14T14:07:01Z", "severity": "INFO",
        "httpRequest": {"requestMethod": "POST", "requestUrl": "https://shop/pay", "status": 200,
                        "latency": "0.153s", "remoteIp": "198.51.100.7"},
    }  # fmt: skip
    ecs_frame = load_logs(_write(tmp_path, [ecs], "ecs.json"))
    assert ecs_frame["message"].tolist() == ["upstream timed out"]
    assert ecs_frame["severity"].tolist() == ["error"] and ecs_frame["status"].tolist() == [504]
    assert ecs_frame["latency"].tolist() == [2.0] and ecs_frame["path"].tolist() == ["/checkout"]
    gcp_frame = load_logs(_write(tmp_path, [gcp], "gcp.json"))
    assert gcp_frame["latency"].tolist() == [0.153] and gcp_frame["method"].tolist() == ["POST"]
    assert gcp_frame["message"].tolist() == ["POST https://shop/pay 200"]
    assert gcp_frame["client"].tolist() == ["198.51.100.7"]


def test_records_that_are_not_requests_keep_their_keys(tmp_path):
    app = [
        {"ts": "2026-10-14T14:07:00Z", "level": "info", "msg": "call", "method": "GetUser",
         "status": "ok"},
        {"ts": "2026-10-14T14:07:01Z", "level": "warn", "msg": "call", "method": "GetUser",
         "status": 503},
    ]  # fmt: skip
    frame = load_logs(_write(tmp_path, app, "app.json"))
    assert frame["status"].tolist() == ["ok", "503"]  # not every one an HTTP status
    assert frame["severity"].tolist() == ["info", "warning"]
    assert frame["message"].tolist() == ["call", "call"] and "latency" not in frame.columns


def test_a_field_that_is_not_a_number_everywhere_is_kept_as_written(tmp_path):
    records = [_nginx(1, "200"), {**_nginx(2, "200"), "body_bytes_sent": "n/a"}]
    frame = load_logs(_write(tmp_path, records))
    assert frame["body_bytes_sent"].tolist() == ["101", "n/a"] and "bytes" not in frame.columns
    assert frame["status"].tolist() == [200, 200]
    assert frame["referer"].isna().all()  # nginx's "-"


def test_a_key_named_like_a_column_it_does_not_feed_keeps_its_values(tmp_path):
    records = [{**_nginx(1, "200"), "client": "mobile-app", "latency": "slow"}]
    frame = load_logs(_write(tmp_path, records))
    assert frame["client"].tolist() == ["10.0.0.1"]  # remote_addr
    assert frame["client_field"].tolist() == ["mobile-app"]
    assert frame["latency"].tolist() == [0.001] and frame["latency_field"].tolist() == ["slow"]


def test_many_blocks_of_requests_equal_one(tmp_path):
    records = [_nginx(i % 60, ("200", "404", "502")[i % 3]) for i in range(3000)]
    path = _write(tmp_path, records)
    whole, blocks = load_logs(path), load_logs(path, chunk_bytes=4096)
    pd.testing.assert_frame_equal(whole, blocks)
    assert (whole["severity"] == "error").sum() == 1000


ECS_NGINX = SHARED_DATA / "formats" / "elastic-beats" / "nginx-access" / "test.log-expected.json"


@pytest.mark.skipif(not ECS_NGINX.is_file(), reason="../shared/data is absent")
def test_filebeats_ecs_requests_give_the_fields_it_wrote():
    """Filebeat's own output for nginx access lines (ECS, one JSON document): each record's
    status, method, URL, bytes and client, as Filebeat parsed them."""
    records = json.loads(ECS_NGINX.read_text())
    frame = load_logs(ECS_NGINX)
    line = frame["provenance"].str.rsplit(":", n=1).str[1].astype(int)
    frame = frame.iloc[line.argsort()]  # file order: provenance is the line a record starts on
    assert len(frame) == len(records)
    for row, record in zip(frame.itertuples(), records, strict=True):
        assert row.timestamp == pd.Timestamp(record["@timestamp"])
        method, url = record.get("http.request.method"), record.get("url.original")
        status = record["http.response.status_code"]
        got = [None if pd.isna(v) else v for v in (row.status, row.method, row.path)]
        assert got == [status, method, url]
        assert row.client == record["source.ip"]
        if "http.response.body.bytes" in record:
            assert row.bytes == record["http.response.body.bytes"]
        request = f"{method} {url}" if method else "(empty request)"  # nginx's "-"
        assert row.message == f"{request} {status}"
        want = "error" if status >= 500 else "warning" if status >= 400 else "info"
        assert row.severity == want


def test_traefik_requests_inside_a_container_log(tmp_path):
    """Traefik in Kubernetes: its JSON requests wrapped by the runtime's CRI log, with its
    own log lines between."""
    own = {"level": "error", "msg": "provider error", "time": "2026-10-14T14:07:03Z"}
    records = [_traefik(1, 502, 153_000_000), _traefik(2, 200, 1_500_000), own]
    path = tmp_path / "traefik.log"
    path.write_text(
        "".join(
            f"2026-10-14T14:07:0{i}.5Z stdout F {json.dumps(r)}\n" for i, r in enumerate(records)
        )
    )
    frame = load_logs(path)
    assert frame["format"].eq("cri").all()
    assert frame["message"].tolist() == [
        "GET /api/orders/1 HTTP/1.1 502", "GET /api/orders/2 HTTP/1.1 200", "provider error"
    ]  # fmt: skip
    assert frame["severity"].tolist() == ["error", "info", "error"]
    assert frame["status"].tolist()[:2] == [502, 200] and pd.isna(frame["status"].iloc[2])
    assert frame["latency"].tolist()[:2] == pytest.approx([0.153, 0.0015])
    assert frame["method"].tolist()[:2] == ["GET", "GET"]

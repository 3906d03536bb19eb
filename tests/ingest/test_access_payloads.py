"""Access-log lines inside container and system logs (``ingest.accesspayload``): an ingress
controller's or an nginx's requests, wrapped by a CRI or Docker log or sent to syslog, get
an access log's columns. Expected values are worked out here from the fields written."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from postmortem_kit.explore import http_view
from postmortem_kit.ingest import load_logs
from tests.ingest.blockcheck import assert_same

T0 = dt.datetime(2026, 10, 14, 14, 7, 0, tzinfo=dt.UTC)
STATUSES = (200, 404, 502, 201, 503)


def _request(i: int) -> tuple[str, dict]:
    """An ingress-nginx request line (its default log format, upstream fields and all), and
    the values it holds."""
    want = {
        "client": f"10.0.{i % 7}.{i % 250}", "method": ("GET", "POST")[i % 2],
        "path": f"/api/orders/{i}", "protocol": "HTTP/1.1", "status": STATUSES[i % 5],
        "bytes": 100 + i, "user_agent": "curl/8.5.0", "latency": round(0.001 * (i % 900 + 1), 3),
    }  # fmt: skip
    want |= {
        "request_length": 512, "upstream_name": "shop-checkout-80",
        "upstream_addr": "10.1.2.3:8080", "upstream_bytes": str(want["bytes"]),
        "upstream_time": "0.001", "upstream_status": str(want["status"]),
        "request_id": f"{i:032x}",
    }  # fmt: skip
    t = T0 + dt.timedelta(seconds=i)
    line = (
        f'{want["client"]} - - [{t:%d/%b/%Y:%H:%M:%S} +0000] "{want["method"]} {want["path"]} '
        f'{want["protocol"]}" {want["status"]} {want["bytes"]} "-" "{want["user_agent"]}" 512 '
        f"{want['latency']:.3f} [shop-checkout-80] [] 10.1.2.3:8080 {want['bytes']} 0.001 "
        f"{want['status']} {i:032x}"
    )
    return line, want


def _severity(status: int) -> str:
    return "error" if status >= 500 else "warning" if status >= 400 else "info"


def _check(frame, wants: dict[int, dict]) -> None:
    line = frame["provenance"].str.rsplit(":", n=1).str[1].astype(int)
    rows = frame.set_index(line)
    for no, want in wants.items():
        row = rows.loc[no]
        for column, value in want.items():
            assert row[column] == value, (no, column)
        assert pd.isna(row["upstream_alternative"])  # "[]": none
        request = f"{want['method']} {want['path']} {want['protocol']} {want['status']}"
        assert row["message"] == request
        assert row["severity"] == _severity(want["status"])


@pytest.mark.parametrize("chunk_bytes", [None, 2048])
def test_an_ingress_controllers_cri_log_gets_its_requests_read(tmp_path, chunk_bytes):
    lines, wants = [], {}
    for i in range(300):
        t = (T0 + dt.timedelta(seconds=i, microseconds=5)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        if i % 10 == 9:  # the controller's own klog lines, on stderr
            lines.append(f'{t} stderr F I1014 14:07:02.000000       7 controller.go:190] "reload"')
            continue
        text, wants[i + 1] = _request(i)
        lines.append(f"{t} stdout F {text}")
    path = tmp_path / "ingress.log"
    path.write_text("\n".join(lines) + "\n")
    options = {} if chunk_bytes is None else {"chunk_bytes": chunk_bytes}
    frame = load_logs(path, **options)
    assert len(frame) == 300 and frame["format"].eq("cri").all()
    _check(frame, wants)
    klog = frame[frame["stream"] == "stderr"]
    assert len(klog) == 30 and klog["status"].isna().all()
    assert klog["message"].str.contains("controller.go").all()  # as written
    first = frame.set_index(frame["provenance"].str.rsplit(":", n=1).str[1].astype(int)).loc[1]
    assert first["time_local"] == "14/Oct/2026:14:07:00 +0000"
    assert first["timestamp"] == T0 + dt.timedelta(microseconds=5)  # the runtime's time
    notes = " ".join(frame.attrs["import_report"].files[0].notes)
    assert "270 message(s) were access log lines" in notes
    figure = http_view(None, frame, show=False)  # the HTTP view takes them as it takes a log
    bars = [t for t in figure.data if t.type == "bar" and (t.yaxis or "y") == "y"]
    assert sum(sum(t.y) for t in bars) == 270  # every request, by status class
    assert {t.name for t in bars} == {"2xx", "4xx", "5xx"}


def test_nginx_requests_sent_to_syslog_and_through_docker(tmp_path):
    syslog, docker, wants = [], [], {}
    for i in range(40):
        text, wants[i + 1] = _request(i)
        t = T0 + dt.timedelta(seconds=i)
        syslog.append(f"{t:%b %d %H:%M:%S} web-1 nginx: {text}")
        docker.append(json.dumps({"log": text + "\n", "stream": "stdout", "time": t.isoformat()}))
    (tmp_path / "syslog").write_text("\n".join(syslog) + "\n")
    (tmp_path / "container.log").write_text("\n".join(docker) + "\n")
    by_syslog = load_logs(tmp_path / "syslog", year=2026)
    _check(by_syslog, wants)
    assert by_syslog["program"].eq("nginx").all() and by_syslog["host"].eq("web-1").all()
    by_docker = load_logs(tmp_path / "container.log")
    _check(by_docker, wants)


def test_a_log_without_request_lines_gets_no_request_columns(tmp_path):
    lines = [
        f"{T0 + dt.timedelta(seconds=i):%Y-%m-%dT%H:%M:%S.%fZ} stdout F level=info done {i}"
        for i in range(50)
    ]
    path = tmp_path / "app.log"
    path.write_text("\n".join(lines) + "\n")
    frame = load_logs(path)
    assert "status" not in frame.columns and "time_local" not in frame.columns
    assert frame["message"].tolist()[0] == "level=info done 0"


def test_an_ingress_controllers_plain_log_reads_alike_in_blocks(tmp_path, general_formats):
    """``kubectl logs`` without timestamps: the requests alone, read as a combined access
    log; retried requests list every upstream tried."""
    lines = [_request(i)[0] for i in range(400)]
    retried = lines[7].replace("10.1.2.3:8080 107 0.001 502", "10.1.2.3:8080, 10.1.2.4:8080 0, "
                               "107 0.500, 0.001 504, 502")  # fmt: skip
    assert retried != lines[7]
    lines[7] = retried
    lines[8] = _request(8)[0].split(" 512 ")[0]  # a plain combined line between
    path = tmp_path / "ingress.log"
    path.write_text("\n".join(lines) + "\n")
    frame = assert_same(path, "combined")
    rows = frame.set_index(frame["provenance"].str.rsplit(":", n=1).str[1].astype(int))
    assert rows.loc[8, "upstream_addr"] == "10.1.2.3:8080, 10.1.2.4:8080"
    assert rows.loc[8, "upstream_status"] == "504, 502" and rows.loc[8, "status"] == 502
    assert rows.loc[8, "upstream_time"] == "0.500, 0.001"
    assert pd.isna(rows.loc[9, "request_id"]) and rows.loc[9, "status"] == STATUSES[8 % 5]
    assert rows.loc[10, "request_id"] == f"{9:032x}" and rows.loc[10, "latency"] == 0.01

"""query_prometheus against a real Prometheus (backfilled with promtool), and the client's
auth headers against a small local HTTP server."""

from __future__ import annotations

import csv
import http.server
import json
import os
import shutil
import socket
import subprocess
import threading
from pathlib import Path

import pandas as pd
import pytest

from postmortem_kit.errors import IngestError
from postmortem_kit.explore import metrics_from_source, query_prometheus
from postmortem_kit.explore.prometheus import choose_step
from postmortem_kit.report import Source
from tests.explore.conftest import DATA, at

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "INC-2041" / "evidence" / "metrics.csv"
USER, PASSWORD = "postmortem", "pm-kit-test"


def read_samples() -> dict:
    """(metric, service, epoch seconds) -> value, read with the csv module (not our loader)."""
    if SAMPLE.exists():
        rows = list(csv.DictReader(SAMPLE.open()))
    else:  # a checkout without the sample incident: a small constructed series
        rows = [
            {"timestamp": f"2026-10-14T14:{m:02d}:00Z", "metric": "http_error_ratio",
             "service": "storefront", "value": str(m / 100)}
            for m in range(60)
        ]  # fmt: skip
    out = {}
    for r in rows:
        ts = pd.Timestamp(r["timestamp"]).timestamp()
        out[(r["metric"], r["service"], ts)] = float(r["value"])
    return out


def openmetrics(samples: dict) -> str:
    lines = []
    for metric in sorted({k[0] for k in samples}):
        lines.append(f"# TYPE {metric} gauge")
        for (m, service, ts), value in sorted(samples.items()):
            if m == metric:
                lines.append(f'{metric}{{service="{service}"}} {value!r} {ts:.3f}')
    return "\n".join(lines) + "\n# EOF\n"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(process: subprocess.Popen, timeout: float) -> None:
    """Wait until Prometheus logs that it is ready: a thread reads its log line by line and
    sets an event (no sleeping, no polling)."""
    ready = threading.Event()
    seen: list[str] = []

    def read() -> None:
        for line in process.stderr:
            seen.append(line)
            if "Server is ready to receive web requests" in line:
                ready.set()
        ready.set()  # the log ended: the process died

    threading.Thread(target=read, daemon=True).start()
    if not ready.wait(timeout) or process.poll() is not None:
        process.kill()
        raise AssertionError("prometheus did not become ready:\n" + "".join(seen[-20:]))


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory):
    binary, promtool = shutil.which("prometheus"), shutil.which("promtool")
    if not binary or not promtool:
        if os.environ.get("CI") == "true":
            pytest.fail("prometheus/promtool missing on CI (Debian package 'prometheus')")
        pytest.skip("prometheus/promtool not installed (Debian package 'prometheus')")
    root = tmp_path_factory.mktemp("prometheus")
    samples = read_samples()
    (root / "input.om").write_text(openmetrics(samples))
    subprocess.run(
        [promtool, "tsdb", "create-blocks-from", "openmetrics", str(root / "input.om"),
         str(root / "tsdb")],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    port = free_port()
    process = subprocess.Popen(
        [
            binary,
            f"--config.file={DATA / 'prometheus.yml'}",
            f"--web.config.file={DATA / 'prometheus-web.yml'}",
            f"--storage.tsdb.path={root / 'tsdb'}",
            "--storage.tsdb.retention.time=100y",  # the incident is older than 15 days
            f"--web.listen-address=127.0.0.1:{port}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_ready(process, 60)
        yield f"http://127.0.0.1:{port}", samples
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.mark.prometheus
def test_query_range_returns_the_backfilled_samples(prometheus):
    url, samples = prometheus
    frame = query_prometheus(
        url, "http_error_ratio", start=at(13, 0), end=at(16, 0), username=USER, password=PASSWORD
    )
    assert frame.attrs["query"]["step"] == "15s"  # 3 h / 1000 points -> 15 s
    assert set(frame["metric"]) == {"http_error_ratio"}
    assert list(frame.columns[:3]) == ["timestamp", "metric", "value"]
    assert str(frame["timestamp"].dt.tz) == "UTC"
    expected = {
        (service, ts): v for (m, service, ts), v in samples.items() if m == "http_error_ratio"
    }
    matched = 0
    for r in frame.itertuples():
        key = (r.service, r.timestamp.timestamp())
        if key in expected:
            assert r.value == pytest.approx(expected[key])
            matched += 1
    assert matched >= 0.9 * len(expected)
    assert frame["provenance"].str.startswith(f"prometheus {url} http_error_ratio").all()


@pytest.mark.prometheus
def test_expressions_wrong_credentials_and_bad_queries(prometheus):
    url, _ = prometheus
    frame = query_prometheus(
        url, "max(http_error_ratio)", start=at(14, 0), end=at(14, 30), step="1m",
        username=USER, password=PASSWORD,
    )  # fmt: skip
    assert set(frame["metric"]) == {"max(http_error_ratio)"}
    assert len(frame) == 31
    with pytest.raises(IngestError, match="credentials refused"):
        query_prometheus(url, "up", start=at(14, 0), end=at(15, 0), username=USER, password="no")
    with pytest.raises(IngestError, match="bad_data"):
        query_prometheus(
            url, "rate(", start=at(14, 0), end=at(15, 0), username=USER, password=PASSWORD
        )


@pytest.mark.prometheus
def test_a_report_source_re_queries_prometheus(prometheus, monkeypatch):
    url, _ = prometheus
    monkeypatch.setenv("PROMETHEUS_USERNAME", USER)
    monkeypatch.setenv("PROMETHEUS_PASSWORD", PASSWORD)
    source = Source(
        name="prom", kind="metrics", format="prometheus", url=url, query="http_error_ratio",
        step="1m",
    )  # fmt: skip
    frame = metrics_from_source(source, window=(at(14, 0), at(14, 10)))
    assert set(frame["source"]) == {"prom"}
    assert frame.attrs["query"]["step"] == "60s"
    assert frame["timestamp"].min() == pd.Timestamp(at(14, 0))


@pytest.mark.prometheus
def test_the_notebook_loads_a_prometheus_source_from_postmortem_yaml(
    prometheus, monkeypatch, tmp_path
):
    """`sources:` names a query; every run of the notebook's load_evidence re-queries it."""
    import postmortem_kit.workbench as pm

    url, _ = prometheus
    monkeypatch.setenv("PROMETHEUS_USERNAME", USER)
    monkeypatch.setenv("PROMETHEUS_PASSWORD", PASSWORD)
    (tmp_path / "postmortem.yaml").write_text(
        "schema_version: 1\nid: INC-P\ntitle: t\n"
        "summary:\n  impact_start: 2026-10-14T14:07:00Z\n  resolved: 2026-10-14T15:05:00Z\n"
        f"sources:\n  - name: prom\n    kind: metrics\n    format: prometheus\n"
        f"    url: {url}\n    query: db_connections_in_use\n"
    )
    evidence = pm.load_evidence(pm.open_incident(tmp_path))
    got = evidence.metrics
    assert set(got["source"]) == {"prom"} and len(got) > 0
    # the incident (14:07-15:05, 58 min) padded by an hour each side: 13:07-16:05 (Prometheus
    # carries the last sample of 15:59:45 forward for its 5-minute lookback)
    assert got["timestamp"].min() == pd.Timestamp(at(13, 7))
    assert pd.Timestamp(at(16, 0)) < got["timestamp"].max() <= pd.Timestamp(at(16, 5))
    during = got[(got["timestamp"] > pd.Timestamp(at(14, 10))) &
                 (got["timestamp"] < pd.Timestamp(at(14, 30)))]  # fmt: skip
    assert during["value"].max() <= 5  # the shrunken pool, straight from the TSDB


class _Recorder(http.server.BaseHTTPRequestHandler):
    seen: list = []

    def do_GET(self):  # noqa: N802 - http.server's name
        type(self).seen.append((self.path, self.headers.get("Authorization")))
        body = json.dumps(
            {"status": "success", "data": {"resultType": "matrix", "result": [
                {"metric": {"__name__": "up", "job": "x"}, "values": [[1792159200, "1"]]}
            ]}}
        ).encode()  # fmt: skip
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_bearer_token_and_query_parameters_are_sent():
    server = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/prom"
        frame = query_prometheus(url, "up", start=at(14, 0), end=at(15, 0), token="t0ken")
    finally:
        server.shutdown()
        server.server_close()
    path, auth = _Recorder.seen[-1]
    assert auth == "Bearer t0ken"
    start = int(at(14, 0).timestamp())
    assert path.startswith(
        f"/prom/api/v1/query_range?query=up&start={start}.000&end={start + 3600}"
    )
    assert "step=5s" in path  # 1 h / 1000 points -> 3.6 s -> 5 s
    assert frame["job"].tolist() == ["x"]


def test_step_is_chosen_from_the_window():
    start = pd.Timestamp(at(13, 0))
    assert choose_step(start, start + pd.Timedelta(hours=3)) == pd.Timedelta("15s")
    assert choose_step(start, start + pd.Timedelta(days=7)) == pd.Timedelta("15min")
    assert choose_step(start, start + pd.Timedelta(minutes=5)) == pd.Timedelta("1s")


def test_unreachable_server_is_a_clear_error():
    with pytest.raises(IngestError, match="cannot reach the server"):
        query_prometheus(f"http://127.0.0.1:{free_port()}", "up", start=at(14, 0), end=at(15, 0))

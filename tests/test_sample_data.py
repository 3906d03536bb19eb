"""The committed sample incident (data/INC-2041) and its generator (data/generate_sample.py).

These tests read the files directly with their own parsers; they do not import postmortem_kit.
"""

from __future__ import annotations

import datetime as dt
import gzip
import importlib.util
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

DATA = Path(__file__).resolve().parents[1] / "data"
INCIDENT = DATA / "INC-2041"
EVIDENCE = INCIDENT / "evidence"

UTC = dt.UTC
IMPACT_START = dt.datetime(2026, 10, 14, 14, 7, tzinfo=UTC)
MITIGATED = dt.datetime(2026, 10, 14, 14, 41, tzinfo=UTC)
CHECKOUT_PATH = re.compile(r"^/(?:checkout|cart|api/cart|api/orders)(?:[/?]|$)")
# nginx "combined" plus $request_time
ACCESS_LINE = re.compile(
    r'^(?P<ip>\S+) \S+ \S+ \[(?P<time>[^\]]+)\] "(?P<method>[A-Z]+) (?P<path>\S+) HTTP/[\d.]+" '
    r'(?P<status>\d{3}) \d+ "[^"]*" "[^"]*" \d+\.\d{3}$'
)


def _load_generator():
    spec = importlib.util.spec_from_file_location("generate_sample", DATA / "generate_sample.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def access_lines() -> list[str]:
    with gzip.open(EVIDENCE / "access.log.gz", "rt", encoding="utf-8") as fh:
        return fh.read().splitlines()


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory) -> Path:
    gen = _load_generator()
    out = tmp_path_factory.mktemp("INC-2041")
    gen.generate(out, seed=gen.SEED, gzip_level=1)  # faster; the gzip content is compared
    return out


def _files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_generator_reproduces_the_committed_files(regenerated):
    assert _files(regenerated) == _files(INCIDENT)
    for rel in _files(INCIDENT):
        if rel.endswith(".gz"):
            old = gzip.decompress((INCIDENT / rel).read_bytes())
            new = gzip.decompress((regenerated / rel).read_bytes())
        else:
            old, new = (INCIDENT / rel).read_bytes(), (regenerated / rel).read_bytes()
        assert new == old, f"{rel} differs from a fresh run of data/generate_sample.py"


def test_at_least_200k_lines_in_total(access_lines):
    total = len(access_lines)
    for path in INCIDENT.rglob("*"):
        if path.is_file() and path.suffix != ".gz":
            total += len(path.read_bytes().splitlines())
    assert total >= 200_000
    assert len(access_lines) >= 140_000


def test_error_ratio_during_incident_is_over_10x_baseline():
    metrics = pd.read_csv(EVIDENCE / "metrics.csv")
    metrics["timestamp"] = pd.to_datetime(metrics["timestamp"], utc=True)
    wide = metrics.pivot(index="timestamp", columns="metric", values="value")

    def ratio(start: str, end: str) -> float:
        rows = wide[(wide.index >= pd.Timestamp(start)) & (wide.index < pd.Timestamp(end))]
        # weight each 15 s window by its request count: errors / requests over the interval
        rps = rows["http_requests_per_second"].to_numpy()
        return float(np.sum(rows["http_error_ratio"].to_numpy() * rps) / np.sum(rps))

    baseline = ratio("2026-10-14T13:00:00Z", "2026-10-14T14:00:00Z")
    incident = ratio("2026-10-14T14:10:00Z", "2026-10-14T14:35:00Z")
    assert incident > 0.01
    assert incident > 10 * baseline


def test_users_affected_matches_the_access_log(access_lines):
    affected = set()
    for line in access_lines:
        m = ACCESS_LINE.match(line)
        assert m, f"not an access-log line: {line!r}"
        if int(m["status"]) < 500 or not CHECKOUT_PATH.match(m["path"]):
            continue
        when = dt.datetime.strptime(m["time"], "%d/%b/%Y:%H:%M:%S %z").astimezone(UTC)
        if IMPACT_START <= when < MITIGATED:
            affected.add(m["ip"])
    report = (INCIDENT / "postmortem.yaml").read_text(encoding="utf-8")
    found = re.search(r"^  users_affected: (\d+)$", report, re.M)
    assert found
    assert int(found[1]) == len(affected) > 0
    impact = re.search(r"^  impact: (.*)$", report, re.M)[1]
    assert f"{len(affected):,}" in impact


def test_sources_keep_their_own_time_conventions(access_lines):
    assert all(" -0400] " in line for line in access_lines[:1000])
    syslog = (EVIDENCE / "syslog").read_text(encoding="utf-8").splitlines()
    assert re.match(r"^Oct 14 15:00:\d\d \S+ \S+", syslog[0])  # Berlin time, no year
    assert any(
        line.startswith("Oct 14 16:02:11 node-a config-agent[")
        and "applied /etc/checkout/db.yaml from CHG-8812" in line
        for line in syslog
    )
    deploys = json.loads((EVIDENCE / "deploys.json").read_text(encoding="utf-8"))
    assert {"id": "CHG-8812", "time": "2026-10-14T16:02:11+02:00"}.items() <= next(
        d for d in deploys if d["id"] == "CHG-8812"
    ).items()
    with open(EVIDENCE / "checkout-api.jsonl", encoding="utf-8") as fh:
        reloads = [
            rec["ts"] for rec in map(json.loads, fh) if rec["msg"].startswith("config reloaded")
        ]
    assert [ts[:19] for ts in reloads] == ["2026-10-14T14:02:11"] * 3 + ["2026-10-14T14:36:40"] * 3
    assert all(ts.endswith("Z") for ts in reloads)

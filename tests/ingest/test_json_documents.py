"""Logs exported as one JSON document (``ingest.jsondoc``): CloudWatch's filter-log-events,
gcloud's logging read, an Elasticsearch search response. Expected times, messages and the
line each record starts on are worked out here from the records and the text written."""

from __future__ import annotations

import datetime as dt
import gzip
import json

import pandas as pd
import pytest

from postmortem_kit.errors import IngestError
from postmortem_kit.ingest import load_logs

T0 = dt.datetime(2026, 10, 14, 14, 7, 0, 123000, tzinfo=dt.UTC)


def _ms(i: int) -> int:
    return int((T0 + dt.timedelta(seconds=i)).timestamp() * 1000)


def _cloudwatch(n: int) -> dict:
    events = []
    for i in range(n):
        if i % 3 == 0:  # a Lambda's JSON log line inside the event
            message = json.dumps({"level": "ERROR", "msg": f"charge {i} failed", "req": f"r{i}"})
        else:
            message = f"plain message {i}"
        events.append({"logStreamName": "2026/10/14/[$LATEST]abc", "timestamp": _ms(i),
                       "message": message, "eventId": f"e{i}"})  # fmt: skip
    return {"events": events, "searchedLogStreams": [], "nextToken": "abc"}


def _starts(text: str, opening: str) -> list[int]:
    """Lines (from 1) that are exactly ``opening``: where a record's object starts."""
    return [k + 1 for k, line in enumerate(text.splitlines()) if line == opening]


@pytest.mark.parametrize("gzipped", [False, True], ids=["json", "json.gz"])
def test_cloudwatch_filter_log_events(tmp_path, gzipped):
    doc = _cloudwatch(40)
    text = json.dumps(doc, indent=2)
    path = tmp_path / ("events.json.gz" if gzipped else "events.json")
    path.write_bytes(gzip.compress(text.encode()) if gzipped else text.encode())
    frame = load_logs(path)
    report = frame.attrs["import_report"].files[0]
    assert report.format == "json-document" and "'events' list" in report.why
    assert report.lines_read == report.rows == 40
    assert report.compression == ("gzip" if gzipped else None)
    events = doc["events"]
    assert frame["timestamp"].tolist() == [pd.Timestamp(e["timestamp"], unit="ms", tz="UTC")
                                           for e in events]  # fmt: skip
    inner = [json.loads(e["message"]) if e["message"].startswith("{") else None for e in events]
    assert frame["message"].tolist() == [
        r["msg"] if r else e["message"] for r, e in zip(inner, events, strict=True)
    ]
    errors = frame["severity"].astype(object).where(frame["severity"].notna(), None).tolist()
    assert errors == ["error" if r else None for r in inner]
    lines = _starts(text, "    {")
    assert frame["provenance"].tolist() == [f"{path}:{n}" for n in lines]
    assert frame["logStreamName"].iloc[0] == "2026/10/14/[$LATEST]abc"


def test_gcloud_logging_read_and_a_record_without_time(tmp_path):
    entries = [
        {"insertId": f"x{i}", "severity": ("ERROR", "WARNING")[i % 2],
         "timestamp": (T0 + dt.timedelta(seconds=i)).isoformat().replace("+00:00", "Z"),
         "textPayload": f"db timeout {i}", "resource": {"type": "k8s_container"}}
        for i in range(12)
    ]  # fmt: skip
    del entries[5]["timestamp"]
    text = json.dumps(entries, indent=2)
    path = tmp_path / "gcloud.json"
    path.write_text(text)
    frame = load_logs(path)
    report = frame.attrs["import_report"].files[0]
    assert report.lines_read == 12 and report.rows == 11
    starts = _starts(text, "  {")
    assert report.rejects == {"timestamp field empty": 1}
    assert report.examples["timestamp field empty"][0][0] == f"{path}:{starts[5]}"
    kept = [e for e in entries if "timestamp" in e]
    assert frame["message"].tolist() == [e["textPayload"] for e in kept]
    assert frame["severity"].tolist() == [e["severity"].lower().replace("ing", "")
                                          .replace("warn", "warning") for e in kept]  # fmt: skip


def test_an_elasticsearch_search_response(tmp_path):
    hits = [
        {"_index": "logs-1", "_id": f"h{i}", "_source": {
            "@timestamp": (T0 + dt.timedelta(seconds=i)).isoformat().replace("+00:00", "Z"),
            "log": {"level": "warn"}, "message": f"slow query {i}",
            "service": {"name": "orders"}}}
        for i in range(6)
    ]  # fmt: skip
    path = tmp_path / "search.json"
    path.write_text(json.dumps({"took": 3, "hits": {"total": {"value": 6}, "hits": hits}}))
    frame = load_logs(path)
    assert frame.attrs["import_report"].files[0].why.endswith("hits.hits[]._source")
    assert frame["message"].tolist() == [h["_source"]["message"] for h in hits]
    assert frame["severity"].unique().tolist() == ["warning"]
    assert frame["service"].unique().tolist() == ["orders"]


def test_text_and_json_lines_are_not_taken_for_documents(tmp_path):
    text = tmp_path / "app.log"
    text.write_text("[2026-10-14 14:07:00,123] INFO started\n[2026-10-14 14:07:01,000] ERROR x\n")
    assert load_logs(text).attrs["import_report"].files[0].format == "text"
    lines = tmp_path / "app.jsonl"
    lines.write_text('{"ts": "2026-10-14T14:07:00Z", "msg": "a"}\n{"ts": "2026-10-14T14:07:01Z"}\n')
    assert load_logs(lines).attrs["import_report"].files[0].format == "json"


def test_a_broken_document_names_line_and_column(tmp_path):
    path = tmp_path / "cut.json"
    path.write_text(json.dumps(_cloudwatch(3), indent=2)[:-40])  # cut off mid-record
    with pytest.raises(IngestError, match=r"cut\.json:\d+: invalid JSON at column \d+"):
        load_logs(path, format="json-document")


def test_a_window_on_a_document(tmp_path):
    path = tmp_path / "events.json"
    path.write_text(json.dumps(_cloudwatch(30), indent=1))
    lo, hi = T0 + dt.timedelta(seconds=10), T0 + dt.timedelta(seconds=19)
    frame = load_logs(path, window=(lo, hi))
    report = frame.attrs["import_report"].files[0]
    assert len(frame) == 10 and report.outside_window == 20
    assert frame["timestamp"].min() == pd.Timestamp(lo)

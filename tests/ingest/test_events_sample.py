"""The sample incident's event evidence (data/INC-2041/evidence) imports cleanly.

Expected values are read from the evidence files with the standard library, not with the
code under test. The test skips while the sample incident is not in the tree.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest

from postmortem_kit.ingest.events import load_events

EVIDENCE = Path(__file__).resolve().parents[2] / "data" / "INC-2041" / "evidence"


def _need(name: str) -> Path:
    path = EVIDENCE / name
    if not path.exists():
        pytest.skip(f"sample incident evidence absent: {path}")
    return path


def _utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(dt.datetime.fromisoformat(text)).tz_convert("UTC")


def test_sample_deploys_offsets_are_honoured():
    path = _need("deploys.json")
    records = json.loads(path.read_text())
    df = load_events(path, relative_to=EVIDENCE.parent)
    report = df.attrs["import_report"]
    assert report.rejects == []
    assert report.warnings == []
    assert len(df) == len(records)
    expected = sorted(_utc(r["time"]) for r in records)
    assert list(df["time"]) == expected
    assert set(df["actor"]) == {r["author"] for r in records}
    assert all(p.startswith("evidence/deploys.json:") for p in df["provenance"])


def test_sample_alerts_fire_and_resolve_by_the_api_v2_rule():
    path = _need("alerts.json")
    alerts = json.loads(path.read_text())
    resolved = [
        a for a in alerts if a.get("updatedAt") and _utc(a["endsAt"]) <= _utc(a["updatedAt"])
    ]
    df = load_events(path)
    assert df.attrs["import_report"].rejects == []
    assert (df["kind"] == "alert_firing").sum() == len(alerts)
    assert sorted(df.loc[df["kind"] == "alert_resolved", "time"]) == sorted(
        _utc(a["endsAt"]) for a in resolved
    )


def test_sample_slack_export_resolves_every_user():
    folder = _need("slack")
    users = json.loads((folder / "users.json").read_text())
    shown = {
        u["id"]: u["profile"].get("display_name") or u["profile"].get("real_name") or u["name"]
        for u in users
    }
    messages = [
        (day.parent.name, m)
        for day in sorted(folder.glob("*/*.json"))
        for m in json.loads(day.read_text())
    ]
    df = load_events(folder, relative_to=EVIDENCE)
    report = df.attrs["import_report"]
    assert report.rejects == []
    assert len(df) == len(messages)
    assert df["provenance"].str.startswith("slack/inc-2041/2026-10-14.json:").all()
    actors = dict(zip(df["record_id"], df["actor"], strict=True))
    for channel, message in messages:
        if message.get("user") in shown:
            assert actors[f"{channel}/{message['ts']}"] == shown[message["user"]]
    assert not df["description"].str.contains("<@U").any(), "a mention was not resolved"
    first = min(float(m["ts"]) for _, m in messages)
    assert abs(df["time"].iloc[0].timestamp() - first) < 1e-3

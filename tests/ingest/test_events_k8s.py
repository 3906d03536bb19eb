"""Kubernetes events against Fluent Bit's real captures (shared data) and small own cases."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from postmortem_kit.ingest.events import load_events

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"
K8S = SHARED / "formats" / "fluent-bit" / "kubernetes-events"

needs_shared = pytest.mark.skipif(not K8S.is_dir(), reason=f"shared data absent: {K8S}")


def _expected_epoch(out_file: Path) -> float:
    """Fluent Bit's expected record is ``[<epoch>.<frac>, {event}]``: the epoch is the truth."""
    return json.loads(out_file.read_text())[0]


@pytest.mark.shared_data
@needs_shared
@pytest.mark.parametrize(
    "name",
    [
        "eventlist_v1_with_creationTimestamp",
        "eventlist_v1_with_lastTimestamp",
        "watch_v1_with_lastTimestamp",
    ],
)
def test_event_time_matches_fluent_bit_expected_output(name):
    df = load_events(K8S / f"{name}.json")
    report = df.attrs["import_report"]
    assert (report.records_read, report.events_made, report.rejects) == (1, 1, [])
    assert report.inputs[0].format == "k8s-events"
    expected = pd.Timestamp(_expected_epoch(K8S / f"{name}.out"), unit="s", tz="UTC")
    # Fluent Bit writes whole seconds. The creationTimestamp capture's only precise time is
    # eventTime 13:37:16.335172Z, which we keep; it agrees with the expected second.
    assert df["time"].iloc[0].floor("s") == expected


@pytest.mark.shared_data
@needs_shared
def test_event_time_rule_prefers_event_time_then_last_timestamp():
    df = load_events(
        [
            K8S / "eventlist_v1_with_creationTimestamp.json",
            K8S / "eventlist_v1_with_lastTimestamp.json",
            K8S / "watch_v1_with_lastTimestamp.json",
        ]
    )
    assert list(df["time"]) == [
        pd.Timestamp("2023-12-24T09:29:51Z"),  # lastTimestamp, not creationTimestamp 09:30:07
        pd.Timestamp("2023-12-24T13:37:16.335172Z"),  # eventTime, microseconds kept
        pd.Timestamp("2024-07-31T18:47:15Z"),  # lastTimestamp of a repeated event, not first
    ]
    repeated = df.iloc[2]
    assert repeated["count"] == 16
    assert repeated["severity"] == "warning"
    assert repeated["actor"] == "kubelet"
    assert repeated["description"].startswith(
        "Warning FailedMount Pod/fluent-bit-78945dccd8-hvr55 in default: MountVolume.SetUp"
    )
    assert "(x16, first at 2024-07-31T18:26:51Z)" in repeated["description"]
    assert df.iloc[0]["severity"] == "info"
    assert df.iloc[1]["actor"] == "default-scheduler"


@pytest.mark.shared_data
@needs_shared
def test_folder_of_captures_reads_the_json_files_and_lists_the_skipped_ones():
    df = load_events(K8S)
    report = df.attrs["import_report"]
    assert len(df) == 3
    assert sorted(Path(s.split(":")[0]).name for s in report.skipped) == [
        "eventlist_v1_with_creationTimestamp.out",
        "eventlist_v1_with_lastTimestamp.out",
        "watch_v1_with_lastTimestamp.out",
    ]


def _event(name, **times):
    return {
        "kind": "Event",
        "metadata": {
            "name": name,
            "namespace": "shop",
            "uid": f"uid-{name}",
            **times.pop("meta", {}),
        },
        "involvedObject": {"kind": "Pod", "name": name, "namespace": "shop"},
        "reason": "BackOff",
        "message": "Back-off restarting failed container",
        "type": "Warning",
        "source": {"component": "kubelet"},
        **times,
    }


def test_watch_stream_lines_first_timestamp_creation_fallback_and_rejects(tmp_path):
    lines = [
        {"type": "ADDED", "object": _event("a", firstTimestamp="2026-10-14T13:01:00Z")},
        {
            "type": "MODIFIED",
            "object": _event("b", meta={"creationTimestamp": "2026-10-14T13:02:00Z"}),
        },
        {"type": "DELETED", "object": _event("c", lastTimestamp="2026-10-14T13:03:00Z")},
        {"type": "ADDED", "object": _event("d", eventTime=None, lastTimestamp=None)},
    ]
    text = "\n".join(json.dumps(x) for x in lines) + "\n{not json\n"
    path = tmp_path / "watch.jsonl"
    path.write_text(text)
    df = load_events(path)
    assert list(df["time"]) == [
        pd.Timestamp("2026-10-14T13:01:00Z"),
        pd.Timestamp("2026-10-14T13:02:00Z"),
    ]
    assert list(df["provenance"]) == [f"{path.as_posix()}:1", f"{path.as_posix()}:2"]
    rejects = df.attrs["import_report"].rejects
    assert [r.line for r in rejects] == [3, 4, 5]
    assert "DELETED" in rejects[0].reason
    assert "no time" in rejects[1].reason
    assert "invalid JSON" in rejects[2].reason


def test_pretty_printed_watch_output_one_object_after_another(tmp_path):
    first = json.dumps(_event("a", lastTimestamp="2026-10-14T13:01:00Z"), indent=2)
    second = json.dumps(_event("b", lastTimestamp="2026-10-14T13:00:00Z", count=3), indent=2)
    path = tmp_path / "kubectl-watch.json"
    path.write_text(first + "\n" + second + "\n")
    df = load_events(path)
    assert df["count"].iloc[0] == 3
    assert pd.isna(df["count"].iloc[1])
    assert list(df["provenance"]) == [
        f"{path.as_posix()}:{first.count(chr(10)) + 2}",
        f"{path.as_posix()}:1",
    ]

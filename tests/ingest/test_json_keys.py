"""The time, level, message and trace keys of JSON logs that common software writes, mapped
without ``mapping=``: each layout below is written as that software writes it, and read the
fast way and the general way alike (``blockcheck.assert_same``). Expected values are taken
from the records themselves."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from tests.ingest.blockcheck import assert_same, fast_blocks


@pytest.fixture(autouse=True)
def _general(general_formats):
    """Every test here compares with the general way (see ``conftest.general_formats``)."""


T0 = dt.datetime(2026, 10, 14, 14, 7, 0, 123000, tzinfo=dt.UTC)


def _t(i: int) -> dt.datetime:
    return T0 + dt.timedelta(seconds=3 * i)


def _iso(i: int) -> str:
    return _t(i).isoformat(timespec="milliseconds").replace("+00:00", "Z")


#: layout → (a record of line i, what the frame must hold: time, raw level, message, trace)
LAYOUTS = {
    "mongodb": (
        lambda i: {"t": {"$date": _t(i).isoformat(timespec="milliseconds")},
                   "s": ("I", "W", "E", "D2")[i % 4], "c": "NETWORK", "id": 22943,
                   "ctx": "listener", "msg": f"Connection accepted {i}",
                   "attr": {"remote": f"10.0.0.{i % 250}:5555"}},
        lambda r: (r["t"]["$date"], r["s"], r["msg"], None),
    ),
    "serilog-clef": (
        lambda i: {"@t": _iso(i), "@mt": "Payment {OrderId} failed",
                   "@l": ("Warning", "Error")[i % 2], "OrderId": i, "@tr": f"{i:032x}"},
        lambda r: (r["@t"], r["@l"], f"Payment {r['OrderId']} failed", r["@tr"]),
    ),
    "gcp-logging": (
        lambda i: {"insertId": f"x{i}", "textPayload": f"db timeout {i}", "severity": "ERROR",
                   "timestamp": _iso(i), "resource": {"type": "k8s_container"},
                   "logging.googleapis.com/trace": f"projects/p/traces/{i:032x}"},
        lambda r: (r["timestamp"], r["severity"], r["textPayload"],
                   r["logging.googleapis.com/trace"]),
    ),
    "log4j2-json": (
        lambda i: {"timeMillis": int(_t(i).timestamp() * 1000), "thread": "main",
                   "level": "ERROR", "loggerName": "c.s.Pay", "message": f"boom {i}"},
        lambda r: (r["timeMillis"], r["level"], r["message"], None),
    ),
    "k8s-audit": (
        lambda i: {"kind": "Event", "apiVersion": "audit.k8s.io/v1", "auditID": f"a{i}",
                   "stage": "ResponseComplete", "requestURI": "/api/v1/namespaces/shop/pods",
                   "verb": "list", "user": {"username": "alice"},
                   "requestReceivedTimestamp": _t(i).isoformat().replace("+00:00", "Z"),
                   "stageTimestamp": _iso(i + 1)},
        lambda r: (r["requestReceivedTimestamp"], None, None, None),
    ),
}  # fmt: skip


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_common_json_layouts_map_without_a_mapping(tmp_path, layout):
    make, expect = LAYOUTS[layout]
    records = [make(i) for i in range(120)]
    path = tmp_path / f"{layout}.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    assert fast_blocks(path) > 3  # the fast way reads most blocks: it is compared
    frame = assert_same(path, "json")
    report = frame.attrs["import_report"].files[0]
    assert report.lines_read == report.rows == 120
    want = [expect(r) for r in records]
    times = [
        pd.Timestamp(w[0], unit="ms", tz="UTC") if isinstance(w[0], int) else pd.Timestamp(w[0])
        for w in want
    ]
    assert frame["timestamp"].tolist() == times
    column = lambda name: frame[name].astype(object).where(frame[name].notna(), None).tolist()  # noqa: E731
    assert column("severity_raw") == [w[1] for w in want]
    assert column("message") == [w[2] for w in want]
    if any(w[3] for w in want):
        assert column("trace_id") == [w[3] for w in want]


def test_mongodb_debug_levels_are_debug(tmp_path):
    path = tmp_path / "mongod.log"
    path.write_text(
        "".join(
            json.dumps({"t": {"$date": _iso(i)}, "s": s, "msg": "x"}) + "\n"
            for i, s in enumerate(["D1", "D5", "I", "W", "E", "F"])
        )
    )
    frame = assert_same(path, "json")
    assert frame["severity"].tolist() == ["debug", "debug", "info", "warning", "error", "critical"]

"""JSON payloads in container and system logs (``ingest.payload``): a message that is a whole
JSON object is unpacked into columns. The expected values are worked out here with
:func:`json.loads` from the payloads written, not by the reader."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from postmortem_kit.ingest import load_logs

T0 = dt.datetime(2026, 10, 14, 14, 7, 0, 123456, tzinfo=dt.UTC)


def _stamp(i: int) -> str:
    return (T0 + dt.timedelta(seconds=i)).isoformat().replace("+00:00", "Z")


def _payload(i: int) -> str | None:
    """The app's line i: a JSON record mostly; now and then plain text, a record without a
    message, or text that only looks like JSON."""
    if i % 17 == 5:
        return f"plain text line {i}"
    if i % 23 == 7:
        return "{not json at all}"
    record = {
        "ts": f"2026-10-14T14:07:{i % 60:02d}.5Z",
        "level": ("info", "warn", "error", "debug")[i % 4],
        "msg": f"charge {i} failed",
        "trace_id": f"{i:032x}",
        "http": {"status": (200, 502)[i % 2], "path": "/pay"},
        "stream": "app-stream",  # a key the container log's own columns have too
    }
    if i % 11 == 3:
        del record["msg"]  # no message key: the JSON text stays the message
    return json.dumps(record)


def _expected(i: int, envelope_level: str | None = None) -> dict:
    """What row i holds; ``envelope_level``: the level the log line itself gives (journald's
    PRIORITY), which a payload's level replaces."""
    text = _payload(i)
    try:
        record = json.loads(text)
    except ValueError:
        record = None
    if not isinstance(record, dict):
        return {"message": text, "severity_raw": envelope_level, "trace_id": None,
                "http.status": None}  # fmt: skip
    return {
        "message": record.get("msg", text),
        "severity_raw": record["level"],
        "trace_id": record["trace_id"],
        "http.status": record["http"]["status"],
    }


LEVEL = {"info": "info", "warn": "warning", "error": "error", "debug": "debug"}
N = 120


def _write(path, kind: str) -> None:
    lines = []
    for i in range(N):
        text = _payload(i)
        if kind == "cri":
            if i % 9 == 2 and text.startswith("{"):  # a long line the runtime split in two
                lines += [f"{_stamp(i)} stdout P {text[:20]}", f"{_stamp(i)} stdout F {text[20:]}"]
            else:
                lines.append(f"{_stamp(i)} stdout F {text}")
        elif kind == "docker":
            lines.append(json.dumps({"log": text + "\n", "stream": "stdout", "time": _stamp(i)}))
        elif kind == "kubectl":  # kubectl logs --timestamps
            lines.append(f"{_stamp(i)} {text}")
        elif kind == "syslog":
            lines.append(f"{_stamp(i)} web-1 checkout[812]: {text}")
        elif kind == "journald":
            micros = int((T0 + dt.timedelta(seconds=i)).timestamp() * 1e6)
            lines.append(json.dumps({"__REALTIME_TIMESTAMP": str(micros), "PRIORITY": "6",
                                     "_HOSTNAME": "web-1", "MESSAGE": text}))  # fmt: skip
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _values(column: pd.Series) -> list:
    return column.astype(object).where(column.notna(), None).tolist()


@pytest.mark.parametrize(
    ("kind", "fmt"),
    [("cri", "cri"), ("docker", "docker-json"), ("kubectl", "text"),
     ("syslog", "syslog-rfc3164"), ("journald", "journald-json")],
)  # fmt: skip
@pytest.mark.parametrize("chunk_bytes", [None, 2048], ids=["whole", "in blocks"])
def test_json_payloads_are_unpacked(tmp_path, kind, fmt, chunk_bytes):
    path = tmp_path / f"{kind}.log"
    _write(path, kind)
    frame = load_logs(path, chunk_bytes=chunk_bytes)
    report = frame.attrs["import_report"].files[0]
    assert report.format == fmt
    assert report.rows == N and report.rejected == 0
    want = [_expected(i, "6" if kind == "journald" else None) for i in range(N)]
    assert frame["timestamp"].tolist() == [pd.Timestamp(_stamp(i)) for i in range(N)]
    for column in ("message", "severity_raw", "trace_id", "http.status"):
        assert _values(frame[column]) == [w[column] for w in want], column
    unpacked = [w["trace_id"] is not None for w in want]
    severity = _values(frame["severity"])
    assert [s for s, u in zip(severity, unpacked, strict=True) if u] == [
        LEVEL[w["severity_raw"]] for w, u in zip(want, unpacked, strict=True) if u
    ]
    assert _values(frame["ts"])[0] == "2026-10-14T14:07:00.5Z"  # the app's own time, kept
    if "stream" in frame.columns and kind in ("cri", "docker"):  # the runtime's stream stays
        assert set(frame["stream"]) == {"stdout"}
        assert set(frame["stream_field"].dropna()) == {"app-stream"}
    notes = " ".join(report.notes)
    assert f"{sum(unpacked):,} message(s) were JSON objects" in notes
    invalid = sum(1 for i in range(N) if i % 23 == 7 and i % 17 != 5)
    assert f"{invalid:,} message(s) looked like JSON objects but are not valid JSON" in notes


def test_a_json_lines_file_is_not_unpacked_twice(tmp_path):
    path = tmp_path / "app.jsonl"
    inner = json.dumps({"level": "error", "msg": "inner"})
    path.write_text(json.dumps({"ts": _stamp(0), "level": "info", "msg": inner}) + "\n")
    frame = load_logs(path)
    assert frame["message"].tolist() == [inner]  # the record's own message, as written
    assert frame["severity"].tolist() == ["info"]


@pytest.mark.parametrize("dtype", ["string", "large_string"])
def test_the_first_byte_check_against_python(dtype):
    import pyarrow as pa

    from postmortem_kit.ingest.payloadrows import first_byte_is_brace

    values = ["{a}", "", None, " {x}", "{", "x{", "{}", None, "ü{", "{\n}"] * 7
    array = pa.array(values, getattr(pa, dtype)())
    chunked = pa.chunked_array([array.slice(3, 30), array.slice(33), array.slice(0, 0)])
    want = [v is not None and v.startswith("{") for v in values[3:]]
    assert first_byte_is_brace(chunked).tolist() == want


def _logfmt(record: dict) -> str:
    """A record as logrus's text formatter writes it (quoted when it must be)."""

    def value(v) -> str:
        text = str(v)
        if text and not any(c in text for c in ' "=\\'):
            return text
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    return " ".join(f"{k}={value(v)}" for k, v in record.items())


def _logrus(i: int) -> dict:
    record = {
        "time": f"2026-10-14T14:07:{i % 60:02d}Z",
        "level": ("info", "warning", "error")[i % 3],
        "msg": f'charge "{i}" failed = c:\\tmp',
        "order": f"o-{i}",
    }
    if i % 5 == 2:
        record["trace_id"] = f"{i:016x}"
    return record


@pytest.mark.parametrize("kind", ["kubectl", "cri", "syslog"])
def test_logfmt_payloads_are_unpacked(tmp_path, kind):
    records = [_logrus(i) for i in range(3000)]
    plain = {i for i in range(3000) if i < 1500 or i % 7 == 0}  # logfmt only later, mostly
    lines = []
    for i, record in enumerate(records):
        # plain lines: words, or pairs without a level or message key (left as text)
        words = f"retry=3 backoff=2s worker=w{i}" if i % 2 else f"worker {i} idle"
        text = words if i in plain else _logfmt(record)
        if kind == "kubectl":
            lines.append(f"{_stamp(i)} {text}")
        elif kind == "cri":
            lines.append(f"{_stamp(i)} stderr F {text}")
        else:
            lines.append(f"{_stamp(i)} web-1 operator[7]: {text}")
    path = tmp_path / f"{kind}.log"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    frame = load_logs(path, chunk_bytes=64 * 1024)
    got = {
        c: frame[c].astype(object).where(frame[c].notna(), None).tolist()
        for c in ("message", "severity_raw", "order", "trace_id", "time")
    }
    for i, record in enumerate(records):
        if i in plain:
            assert (got["message"][i], got["order"][i]) == (lines[i].split(": ", 1)[-1]
                    if kind == "syslog" else lines[i].split(" F ", 1)[-1] if kind == "cri"
                    else lines[i].split(" ", 1)[1], None), i  # fmt: skip
            continue
        assert got["message"][i] == record["msg"], i
        assert got["severity_raw"][i] == record["level"]
        assert got["order"][i] == record["order"]
        assert got["trace_id"][i] == record.get("trace_id")
        assert got["time"][i] == record["time"]
    assert "retry" not in frame.columns
    notes = " ".join(frame.attrs["import_report"].files[0].notes)
    assert f"{3000 - len(plain):,} message(s) were logfmt pairs" in notes


def test_taking_rows_chunk_by_chunk_against_python():
    import numpy as np
    import pyarrow as pa

    from postmortem_kit.ingest.payloadrows import take_rows

    values = [f"v{i}" if i % 5 else None for i in range(100)]
    chunks = [values[0:7], values[7:7], values[7:60], values[60:]]
    column = pa.chunked_array([pa.array(c, pa.large_string()) for c in chunks])
    rows = np.array([0, 6, 7, 8, 59, 60, 61, 99])
    assert take_rows(column, rows).to_pylist() == [values[i] for i in rows]
    assert take_rows(column, np.array([], np.int64)).to_pylist() == []


PLAIN = [  # (message as the app wrote it, the level word a reader finds in it)
    ("2026-10-14 14:07:00.123 ERROR [main] c.s.Pay - charge failed", "ERROR"),
    ("2026-10-14T14:07:00.123Z\t8f1c2d3e-1111-2222-3333-444455556666\tWARN\tslow call", "WARN"),
    ("[ERROR]\t2026-10-14T14:07:00.123Z\treq-1\tTraceback follows", "ERROR"),
    ("[warn] upstream is slow", "warn"),
    ("no errors here, all fine", None),
    (json.dumps({"level": "info", "msg": "from the payload"}), "info"),
]


@pytest.mark.parametrize("kind", ["cri", "docker"])
def test_plain_messages_take_their_level_word(tmp_path, kind):
    lines = []
    for i in range(60):
        text = PLAIN[i % len(PLAIN)][0]
        if kind == "cri":
            lines.append(f"{_stamp(i)} stdout F {text}")
        else:
            lines.append(json.dumps({"log": text + "\n", "stream": "stdout", "time": _stamp(i)}))
    path = tmp_path / f"{kind}.log"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    frame = load_logs(path)
    raw = frame["severity_raw"].astype(object).where(frame["severity_raw"].notna(), None)
    assert raw.tolist() == [PLAIN[i % len(PLAIN)][1] for i in range(60)]
    severity = frame["severity"].astype(object).where(frame["severity"].notna(), None)
    words = {"ERROR": "error", "WARN": "warning", "warn": "warning", "info": "info", None: None}
    assert severity.tolist() == [words[PLAIN[i % len(PLAIN)][1]] for i in range(60)]

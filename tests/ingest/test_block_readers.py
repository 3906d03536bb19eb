"""The fast block readers (``read_block``: JSON lines, logfmt, access logs) give exactly what
the general way gives.

The general way is the same format with ``read_block`` taken out, registered under another
name: both read the same files, in small blocks, and their frames and import reports must be
equal. Each file is also checked to go the fast way where it should (or not), so that the
comparison is never between two runs of the general way.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from tests.ingest.blockcheck import assert_same
from tests.ingest.blockcheck import fast_blocks as _fast_blocks
from tests.ingest.blockcheck import read as _read


@pytest.fixture(autouse=True)
def _general(general_formats):
    """Every test here compares with the general way (see ``conftest.general_formats``)."""


def _rows(n: int, make) -> str:
    return "".join(json.dumps(make(i)) + "\n" for i in range(n))


def _stamp(i: int, *, zone: str = "Z", digits: int = 3) -> str:
    t = dt.datetime(2026, 10, 14, 14, 0, 0) + dt.timedelta(seconds=i * 1.37)
    fraction = f".{t.microsecond:06d}"[: digits + 1] if digits else ""
    return t.strftime("%Y-%m-%dT%H:%M:%S") + fraction + zone


LEVELS = ["info", "WARN", "Error", "debug", "fatal", "verbose", "30", "bogus", None]

CASES = {
    "app": lambda i: {
        "ts": _stamp(i, zone=("Z", "+02:00", "-0530")[i % 3], digits=(3, 6, 9, 0)[i % 4]),
        "level": LEVELS[i % len(LEVELS)],
        "msg": f"event {i} ünïcode",
        "host": f"api-{i % 3}",
        "service": "checkout",
        "pid": 100 + i % 7,
        "trace_id": f"{i:016x}",
        "duration_ms": i * 0.5,
        "ok": i % 2 == 0,
        "tags": ["a", f"t{i % 4}"],
        "http": {"status": 200 + i % 3, "route": f"/r/{i % 5}"},
        "source": "clashes with the core column",
        **({"order_id": f"o-{i}"} if i % 97 == 5 else {}),
        **({"nullable": None} if i % 2 else {"nullable": "x"}),
    },
    "naive-utc": lambda i: {"time": _stamp(i, zone=""), "message": f"m{i}", "severity": "info"},
    "whole-seconds": lambda i: {"time": _stamp(i, digits=0), "msg": f"m{i}", "at": _stamp(i, digits=0, zone="+01:00")},  # noqa: E501
    "epoch-ms": lambda i: {"time": 1791986822123 + i * 1370, "msg": f"m{i}", "level": 30},
    "epoch-mixed": lambda i: {"ts": (1791986822 + i, 1791986822123 + i, 1791986822123456 + i,
                                     1791986822123456789 + i)[i % 4], "msg": f"m{i}"},
    "coalesced": lambda i: {("ts" if i % 2 else "time"): _stamp(i), ("msg" if i % 3 else "message"): f"m{i}"},  # noqa: E501
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(CASES))
def test_fast_blocks_equal_the_general_way(tmp_path, case):
    path = tmp_path / f"{case}.jsonl"
    path.write_text(_rows(700, CASES[case]), encoding="utf-8")
    assert _fast_blocks(path) > 20
    frame = assert_same(path, "json")
    assert len(frame) == 700


def test_app_case_fields(tmp_path):
    path = tmp_path / "app.jsonl"
    path.write_text(_rows(50, CASES["app"]), encoding="utf-8")
    frame = _read(path, "json")
    line = frame["provenance"].str.rsplit(":", n=1).str[1].astype(int)
    frame = frame.iloc[line.argsort()]  # file order (the frame is in time order)
    first = frame.iloc[0]
    assert first["provenance"] == f"{path}:1"
    assert first["timestamp"] == pd.Timestamp("2026-10-14T14:00:00Z")
    assert frame["timestamp"].iloc[1] == pd.Timestamp("2026-10-14T12:00:01.370Z")  # +02:00
    assert first["source_field"] == "clashes with the core column"
    assert first["http.route"] == "/r/0" and first["pid"] == 100
    assert list(frame["severity"].head(9).astype(object).fillna("-")) == [
        "info", "warning", "error", "debug", "critical", "debug", "info", "-", "-",
    ]  # fmt: skip


def test_docker_log_keeps_its_newline_rule(tmp_path):
    path = tmp_path / "container.log"
    path.write_text(
        _rows(300, lambda i: {"log": f"line {i}\n" if i % 5 else f"no newline {i}",
                              "stream": "stdout", "time": _stamp(i, digits=9)}),
        encoding="utf-8",
    )  # fmt: skip
    assert _fast_blocks(path, "docker-json") > 10
    frame = assert_same(path, "docker-json")
    assert frame["message"].iloc[1] == "line 1"


def test_mapping_and_its_note(tmp_path):
    path = tmp_path / "mapped.jsonl"
    path.write_text(
        _rows(400, lambda i: {"when": _stamp(i), "text": f"t{i}", "lvl": "warn",
                              **({"late": 1} if i == 390 else {})}),
        encoding="utf-8",
    )  # fmt: skip
    mapping = {"timestamp": "when", "message": "text", "severity": "lvl", "host": "late"}
    assert _fast_blocks(path, mapping=mapping) > 10
    frame = assert_same(path, "json", mapping=mapping)
    assert (frame["severity"] == "warning").all()
    mapping["trace_id"] = "nowhere"
    assert_same(path, "json", mapping=mapping)
    note = _read(path, "json", mapping=mapping).attrs["import_report"].files[0].notes
    assert any("found in no line of the file: nowhere" in n for n in note)


@pytest.mark.parametrize("seek", [False, True], ids=["scanned", "bisected"])
def test_window_on_fast_blocks(tmp_path, seek):
    path = tmp_path / "app.jsonl"
    # bisected: a file over the 256 KiB head the reader sniffs, in time order
    path.write_text(_rows(5000 if seek else 700, CASES["naive-utc" if seek else "app"]))
    window = ("2026-10-14T15:30:00Z", "2026-10-14T15:31:00Z") if seek else (
        "2026-10-14T14:05:00Z", "2026-10-14T14:06:00Z"
    )  # fmt: skip
    options = {"window": window, "seek_min_bytes": 0 if seek else None}
    assert _fast_blocks(path) > 20
    frame = assert_same(path, "json", **options)
    assert len(frame) and frame["timestamp"].min() >= pd.Timestamp(window[0])
    report = frame.attrs["import_report"].files[0]
    starts = [re.search(r"bisection: read bytes ([\d,]+)", note) for note in report.notes]
    assert [int(m[1].replace(",", "")) > 0 for m in starts if m] == ([True] if seek else [])
    if seek:  # line numbers count from the file's start though only the window was read
        first = int(frame["provenance"].iloc[0].rsplit(":", 1)[1])
        assert (
            json.loads(path.read_text().splitlines()[first - 1])["message"]
            == frame["message"].iloc[0]
        )


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(lambda line: line + b"\n", id="blank line"),
        pytest.param(lambda line: line.replace(b"}", b""), id="invalid JSON"),
        pytest.param(lambda line: b"[1, 2]\n", id="an array"),
        pytest.param(lambda line: line.replace(b"m350", b"m\xff350"), id="invalid UTF-8"),
        pytest.param(lambda line: b'{"time": 1791986822, "message": "epoch"}\n', id="epoch"),
        pytest.param(lambda line: b'{"time": 2791986822, "message": "too late"}\n', id="2058"),
    ],
)
def test_blocks_the_fast_reader_declines_go_the_general_way(tmp_path, spoil):
    lines = _rows(700, CASES["naive-utc"]).encode().splitlines(keepends=True)
    clean = tmp_path / "clean.jsonl"
    clean.write_bytes(b"".join(lines))
    lines[350] = spoil(lines[350])
    path = tmp_path / "spoilt.jsonl"
    path.write_bytes(b"".join(lines))
    assert 20 < _fast_blocks(path) < _fast_blocks(clean)
    frame = assert_same(path, "json")
    report = frame.attrs["import_report"].files[0]
    assert report.lines_read == report.rows + sum(report.rejects.values())


def test_local_time_clear_of_dst_changes_goes_the_fast_way(tmp_path):
    path = tmp_path / "berlin.jsonl"
    path.write_text(_rows(300, CASES["naive-utc"]), encoding="utf-8")
    assert _fast_blocks(path, tz="Europe/Berlin") > 10
    frame = assert_same(path, "json", tz="Europe/Berlin")
    assert frame["timestamp"].iloc[0] == pd.Timestamp("2026-10-14T12:00:00Z")


def test_a_dst_repeat_across_blocks_goes_the_general_way(tmp_path):
    # Berlin's clock goes back at 03:00 CEST on 2026-10-25: 02:00-03:00 happens twice. The
    # general way reads a repeat in file order (first pass, then second) with state carried
    # from block to block; the fast way must leave every block that holds one to it.
    start = dt.datetime(2026, 10, 25, 1, 30)
    clock = [start + dt.timedelta(seconds=20 * i) for i in range(360)]  # 01:30 to 03:30
    first_pass = [t for t in clock if t.hour < 3]
    naive = first_pass + [t for t in clock if t.hour == 2] + [t for t in clock if t.hour == 3]
    rows = [{"time": t.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3], "msg": f"m{i}"}
            for i, t in enumerate(naive)]  # fmt: skip
    path = tmp_path / "fallback.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    fast = _fast_blocks(path, tz="Europe/Berlin")
    assert 0 < fast < _fast_blocks(path, tz="UTC")
    frame = assert_same(path, "json", tz="Europe/Berlin")
    report = frame.attrs["import_report"].files[0]
    assert any("DST repeat" in note for note in report.notes)
    assert frame["time_note"].notna().sum() == 2 * 180
    # read right, the log's times only go forward: in time order the lines are in file order
    lines = frame["provenance"].str.rsplit(":", n=1).str[1].astype(int)
    assert lines.is_monotonic_increasing and len(set(frame["timestamp"])) == len(frame)


def _spoilt_equal(path: Path, lines: list[bytes], spoil, fmt: str) -> tuple[Path, pd.DataFrame]:
    """Write ``lines`` to ``path``, line 301 through ``spoil`` (unless ``None``); check that
    the fast reader reads most blocks, but fewer than of the clean file, and that the
    frame equals the general way's. Returns the path and the frame."""
    clean = path.with_name("clean-" + path.name)
    clean.write_bytes(b"".join(lines))
    if spoil is not None:
        lines = [*lines[:300], spoil(lines[300]), *lines[301:]]
    path.write_bytes(b"".join(lines))
    fast = _fast_blocks(path, fmt)
    assert fast > 20 and (spoil is None or fast < _fast_blocks(clean, fmt))
    return path, assert_same(path, fmt)


def _logfmt(i: int) -> str:
    level = ("info", "warn", "ERROR", "debug")[i % 4]
    message = f'"event {i} said \\"hi\\" ünï"' if i % 3 else f"bare-{i}"
    return (
        f"time={_stamp(i, zone=('Z', '+02:00')[i % 2], digits=(3, 0, 6)[i % 3])} "
        f"level={level} msg={message} host=api-{i % 3} empty= "
        f"trace_id={i:08x}\n"
    )


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(None, id="clean"),
        pytest.param(lambda line: line.replace(b"host=", b"node="), id="another key"),
        pytest.param(lambda line: line.replace(b"empty= ", b"empty=a=b "), id="= in a value"),
        pytest.param(lambda line: b"no pairs here\n", id="no pairs"),
        pytest.param(lambda line: line + b"\n", id="blank line"),
        pytest.param(lambda line: line.replace(b"level=", b"level=x level="), id="repeated key"),
    ],
)
def test_logfmt_blocks_equal_the_general_way(tmp_path, spoil):
    lines = [_logfmt(i).encode() for i in range(600)]
    path, frame = _spoilt_equal(tmp_path / "app.logfmt", lines, spoil, "logfmt")
    first = frame[frame["provenance"] == f"{path}:2"].iloc[0]
    assert first["message"] == 'event 1 said "hi" ünï' and first["empty"] == ""
    assert first["timestamp"] == pd.Timestamp("2026-10-14T12:00:01Z")


@pytest.mark.parametrize(
    "value", [2791986822, 179198682, 17919868221, 1791986822.5, "1791986822", True, None]
)
def test_epoch_numbers_the_fast_reader_declines_go_the_general_way(tmp_path, value):
    rows = [{"time": 1791986822123 + i, "msg": f"m{i}"} for i in range(600)]
    rows[300]["time"] = value
    path = tmp_path / "pino.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    assert _fast_blocks(path) > 20
    frame = assert_same(path, "json")
    first = frame.loc[frame["provenance"] == f"{path}:1", "timestamp"]
    assert list(first) == [pd.Timestamp("2026-10-14T14:07:02.123Z")]


def test_a_dst_gap_goes_the_general_way(tmp_path):
    # 2026-03-29 02:00-03:00 does not exist in Berlin: a log that writes it anyway gets its
    # times moved forward and flagged by the general way, whose blocks these must be.
    start = dt.datetime(2026, 3, 29, 1, 0)
    rows = [
        {"time": (start + dt.timedelta(seconds=30 * i)).isoformat(), "msg": f"m{i}"}
        for i in range(360)
    ]
    path = tmp_path / "spring.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    assert 0 < _fast_blocks(path, tz="Europe/Berlin") < _fast_blocks(path, tz="UTC")
    frame = assert_same(path, "json", tz="Europe/Berlin")
    assert frame["time_note"].notna().sum() == 120


def _journal(i: int) -> dict:
    row = {
        "__REALTIME_TIMESTAMP": str(1791986822000000 + i * 137_000), "PRIORITY": str(3 + i % 4),
        "_HOSTNAME": f"web-{i % 3}", "SYSLOG_IDENTIFIER": "api", "MESSAGE": f"request {i}",
    }  # fmt: skip
    if i % 7:
        row["_PID"] = str(100 + i % 50)
    return row


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(None, id="clean"),
        pytest.param({"__REALTIME_TIMESTAMP": "01791986822000000"}, id="leading zero"),
        pytest.param({"__REALTIME_TIMESTAMP": "1791986822000000.5"}, id="fraction"),
        pytest.param({"__REALTIME_TIMESTAMP": "2791986822000000"}, id="2058"),
        pytest.param({"_PID": "12a"}, id="pid not a number"),
        pytest.param({"_PID": 77}, id="pid a number"),
    ],
)
def test_journald_blocks_equal_the_general_way(tmp_path, spoil):
    rows = [_journal(i) for i in range(600)]
    if spoil is not None:
        rows[300].update(spoil)
    path = tmp_path / "journal.json"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    clean = tmp_path / "clean.json"
    clean.write_text("".join(json.dumps(_journal(i)) + "\n" for i in range(600)))
    fast = _fast_blocks(path, "journald-json")
    assert fast > 20 and (spoil is None or fast < _fast_blocks(clean, "journald-json"))
    frame = assert_same(path, "journald-json")
    first = frame[frame["provenance"] == f"{path}:2"].iloc[0]
    assert first["timestamp"] == pd.Timestamp("2026-10-14T14:07:02.137Z")
    assert first["pid"] == 101 and first["severity"] == "warning" and first["host"] == "web-1"


def test_free_text_levels_past_the_severity_cache(tmp_path):
    # Distinct level words are cached between blocks (a log has a handful); a log whose
    # "level" is free text outgrows the cache, which is then cleared while workers read.
    rows = [
        {"ts": _stamp(i), "level": ("error", f"custom-{i}")[i % 2], "msg": f"m{i}"}
        for i in range(24_000)
    ]
    path = tmp_path / "levels.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    frame = assert_same(path, "json", block=64 * 1024)
    assert (frame["severity"] == "error").sum() == 12_000
    assert frame["severity"].isna().sum() == 12_000


def _access(i: int) -> str:
    """An access log line; every fifth has what only the full pattern reads."""
    t = dt.datetime(2026, 10, 14, 10, 0, 0) + dt.timedelta(seconds=i * 1.37)
    zone = ("-0400", "+0000", "+0530")[i % 3]
    client = ("203.0.113.9", "2001:db8::1", "10.0.0.7")[i % 3]
    user = "-" if i % 4 else "alice"
    request = (f"GET /api/orders?id={i}&q=%22x%22 HTTP/1.1", "POST /login HTTP/2.0",
               'GET /say?\\"hi\\" HTTP/1.1', "DELETE /cart/ünï HTTP/1.1")[i % 4]  # fmt: skip
    status, size = (200, 404, 502, 304, 201)[i % 5], ("-" if i % 6 == 0 else 100 + i)
    tail = f' "https://ex.com/{i}" "Mozilla/5.0 (X11) \\"quoted\\""'
    tail += ("", f" {i % 9}.{i % 1000:03d}")[i % 2]
    if i % 5 == 4:  # forwarded-for, rt=, an empty or odd request: the full pattern
        tail = (f' "-" "curl/8.5.0" "198.51.100.{i % 250}"', ' "-" "curl" rt=0.250',
                ' "-" "curl"')[i % 3]  # fmt: skip
        request = ("GET /x HTTP/1.1", "GET /y HTTP/1.1", "")[i % 3]
    return f'{client} - {user} [{t:%d/%b/%Y:%H:%M:%S} {zone}] "{request}" {status} {size}{tail}\n'


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(None, id="clean"),
        pytest.param(lambda line: b"not a request\n", id="not a request"),
        pytest.param(lambda line: line + b"  \n", id="blank line"),
        pytest.param(lambda line: line.replace(b"GET", b"G\xffET"), id="invalid UTF-8"),
        pytest.param(lambda line: line.replace(b":10:", b":10:11."), id="a fraction"),
        pytest.param(lambda line: line.replace(b"/Oct/", b"/Okt/"), id="another month"),
        pytest.param(lambda line: line.replace(b"14/Oct/2026", b"31/Feb/2026"), id="no such day"),
    ],
)
@pytest.mark.parametrize("fmt", ["combined", "common"])
def test_access_log_blocks_equal_the_general_way(tmp_path, spoil, fmt):
    lines = [_access(i).encode() for i in range(600)]
    if fmt == "common":  # no referrer and user agent
        lines = [re.sub(rb' "[^"]*" "(?:[^"\\]|\\.)*".*$', b"", ln.rstrip(b"\n")) + b"\n"
                 for ln in lines]  # fmt: skip
    path, frame = _spoilt_equal(tmp_path / "access.log", lines, spoil, fmt)
    report = frame.attrs["import_report"].files[0]
    lines_read = path.read_bytes().count(b"\n")  # 601 with the blank line
    assert report.lines_read == report.rows + sum(report.rejects.values()) == lines_read
    first = frame[frame["provenance"] == f"{path}:2"].iloc[0]
    assert first["timestamp"] == pd.Timestamp("2026-10-14T10:00:01Z")  # +0000
    assert first["method"] == "POST" and first["status"] == 404 and first["client"] == "2001:db8::1"
    assert first["message"] == "POST /login HTTP/2.0 404" and first["severity"] == "warning"
    if fmt == "combined":
        assert first["latency"] == 1.001 and first["user_agent"] == 'Mozilla/5.0 (X11) \\"quoted\\"'
        assert frame["forwarded_for"].notna().sum() == 40


def test_access_log_crlf_and_window(tmp_path):
    path = tmp_path / "access.log"
    path.write_bytes(b"".join(_access(i).replace("\n", "\r\n").encode() for i in range(600)))
    assert _fast_blocks(path, "combined") > 20
    window = ("2026-10-14T10:03:00Z", "2026-10-14T10:05:00Z")
    frame = assert_same(path, "combined", window=window)
    assert 0 < len(frame) < 600 and frame["timestamp"].min() >= pd.Timestamp(window[0])
    assert not frame["user_agent"].str.endswith("\r").any()


def test_a_large_access_block_keeps_its_lines_in_order(tmp_path):
    """A block big enough that polars' streaming engine (which reads access blocks) cuts it
    into morsels: every row stays at its line, as the general way gives it."""
    path = tmp_path / "access.log"
    path.write_bytes(b"".join(_access(i).encode() for i in range(40_000) if i % 5 != 4))
    frame = assert_same(path, "combined", block=16 * 1024 * 1024)
    assert _fast_blocks(path, "combined", block=16 * 1024 * 1024) == 1  # the file, one block
    raw = path.read_text().splitlines()
    lines = frame["provenance"].str.rsplit(":", n=1).str[1].astype(int)
    assert sorted(lines) == list(range(1, 32_001))
    for line, path_, status in zip(lines, frame["path"], frame["status"], strict=True):
        assert f"{path_} HTTP/" in raw[line - 1] and f'" {status} ' in raw[line - 1]

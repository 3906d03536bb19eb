"""Reading a file in blocks (``chunk_bytes``) gives the same rows, provenance and counts as
reading it whole: stack traces across a block boundary, JSON keys that appear late, year
rollovers and DST repeats that straddle blocks."""

from __future__ import annotations

import datetime as dt
import json
import os

import pandas as pd

from postmortem_kit.ingest import load_logs

SMALL = 2048  # bytes per block: every file below spans many blocks


def report_of(frame):
    return frame.attrs["import_report"].files[0]


def test_access_log_in_blocks_keeps_every_row_and_line_number(tmp_path):
    lines = [
        f"10.0.0.{i % 250} - - [14/Oct/2026:14:{i // 60 % 60:02d}:{i % 60:02d} -0400] "
        f'"GET /api/orders?id={i} HTTP/1.1" {(200, 404, 502)[i % 3]} {i} "-" "curl/8" '
        f"0.{i % 900:03d}\n"
        for i in range(600)
    ]  # fmt: skip
    lines[100] = "garbage line\n"
    path = tmp_path / "access.log"
    path.write_text("".join(lines))
    frame = load_logs(path, chunk_bytes=SMALL)
    report = report_of(frame)
    assert report.lines_read == 600 and report.rows == 599 and report.balanced
    assert report.examples["does not match the access log layout"][0][0] == f"{path}:101"
    assert list(frame["provenance"]) == [f"{path}:{i + 1}" for i in range(600) if i != 100]
    assert list(frame["path"].head(3)) == [
        "/api/orders?id=0",
        "/api/orders?id=1",
        "/api/orders?id=2",
    ]
    assert frame["latency"].iloc[599 - 1] == 0.599
    assert frame["timestamp"].iloc[0] == pd.Timestamp("2026-10-14T18:00:00Z")


def test_stack_traces_across_block_boundaries_stay_with_their_event(tmp_path):
    out, expected = [], []
    for i in range(120):
        stamp = f"2026-10-14 14:{i // 60:02d}:{i % 60:02d},{i:03d}"
        out.append(f"{stamp} ERROR [w-1] Service: failure {i}\n")
        trace = [f"    at com.example.Frame{j}.call(Frame.java:{j})" for j in range(i % 7)]
        out.extend(t + "\n" for t in trace)
        expected.append("\n".join([f"ERROR [w-1] Service: failure {i}", *trace]))
    path = tmp_path / "app.log"
    path.write_text("".join(out))
    whole = load_logs(path)
    blocks = load_logs(path, chunk_bytes=SMALL)
    report = report_of(blocks)
    assert report.rows == 120 and report.continuation_lines == sum(i % 7 for i in range(120))
    assert report.balanced and not report.rejects
    assert list(blocks["message"]) == expected == list(whole["message"])
    assert list(blocks["provenance"]) == list(whole["provenance"])


def test_json_key_that_first_appears_in_a_later_block_is_kept(tmp_path):
    rows = [{"ts": f"2026-10-14T14:{i // 60:02d}:{i % 60:02d}Z", "level": "info", "msg": f"m{i}"}
            for i in range(300)]  # fmt: skip
    rows[250]["order_id"] = "o-250"
    rows[260]["ms"] = 12
    rows[20]["ms"] = "fast"  # text in an early block, a number in a late one
    path = tmp_path / "app.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    frame = load_logs(path, chunk_bytes=SMALL)
    report = report_of(frame)
    assert report.rows == 300 and report.balanced
    assert frame["order_id"].iloc[250] == "o-250" and frame["order_id"].isna().sum() == 299
    assert frame["ms"].iloc[20] == "fast" and str(frame["ms"].iloc[260]) == "12"
    assert frame["provenance"].iloc[250] == f"{path}:251"


def _syslog(moments) -> str:
    return "".join(
        f"{m:%b} {m.day:2d} {m:%H:%M:%S} db-1 app[7]: tick {i}\n" for i, m in enumerate(moments)
    )


def test_new_year_rollover_in_a_later_block(tmp_path):
    start = dt.datetime(2025, 12, 31, 23, 50)
    moments = [start + dt.timedelta(seconds=5 * i) for i in range(300)]  # into 2026
    path = tmp_path / "syslog"
    path.write_text(_syslog(moments))
    given = load_logs(path, year=2025, chunk_bytes=SMALL)
    want = [pd.Timestamp(m, tz="UTC") for m in moments]
    assert list(given["timestamp"]) == want
    assert any("year 2025 given, 1 rollover(s)" in n for n in report_of(given).notes)
    # Without year=, the last line is on or before the file's date (December 2026): the first
    # block alone (all December) would take 2026, so the file is read again with 2025.
    stamp = dt.datetime(2026, 12, 15, tzinfo=dt.UTC).timestamp()
    os.utime(path, (stamp, stamp))
    inferred = load_logs(path, chunk_bytes=SMALL)
    assert list(inferred["timestamp"]) == want
    assert report_of(inferred).balanced and report_of(inferred).rows == 300
    assert any("year 2025" in n and "1 rollover(s)" in n for n in report_of(inferred).notes)


def test_dst_repeat_straddling_blocks_reads_second_pass_after_the_clock_goes_back(tmp_path):
    # Europe/Berlin, 2026-10-25: 02:00–02:59 happens twice (CEST, then CET).
    local = [dt.datetime(2026, 10, 25, 1, 30) + dt.timedelta(seconds=30 * i) for i in range(180)]
    utc = [pd.Timestamp("2026-10-24T23:30:00Z") + pd.Timedelta(seconds=30 * i) for i in range(300)]
    # Wall clock: 01:30 … 02:59:30 (first pass), then 02:00 … again (second pass).
    wall = local + [dt.datetime(2026, 10, 25, 2, 0) + dt.timedelta(seconds=30 * i)
                    for i in range(120)]  # fmt: skip
    path = tmp_path / "app.log"
    path.write_text("".join(f"{m:%Y-%m-%d %H:%M:%S} INFO tick {i}\n" for i, m in enumerate(wall)))
    frame = load_logs(path, tz="Europe/Berlin", chunk_bytes=SMALL)
    assert list(frame["timestamp"]) == utc
    assert frame["time_note"].iloc[-1] == "DST repeat: read as the second pass"
    assert report_of(frame).balanced


def test_csv_is_read_whole_whatever_the_block_size(tmp_path):
    rows = ["timestamp,level,message"] + [
        f'2026-10-14 14:{i // 60:02d}:{i % 60:02d},{("INFO", "ERROR")[i % 2]},"event {i}"'
        for i in range(200)
    ]
    rows[51] = '2026-10-14 14:00:50,INFO,"two\nlines"'  # a quoted field across a line break
    path = tmp_path / "events.csv"
    path.write_text("\n".join(rows) + "\n")
    frame = load_logs(path, chunk_bytes=256)
    report = report_of(frame)
    assert report.rows == 200 and report.continuation_lines == 1 and report.balanced
    assert report.rejects == {"CSV header row (column names)": 1}
    assert frame["message"].iloc[50] == "two\nlines"
    assert frame["provenance"].iloc[199] == f"{path}:202"


def test_blank_first_blocks_then_syslog_in_blocks(tmp_path):
    # The format is only known once a block has a non-blank line; blocks split before that
    # are prepared on the parser's side.
    moments = [dt.datetime(2026, 10, 14, 14, 0) + dt.timedelta(seconds=i) for i in range(200)]
    path = tmp_path / "syslog"
    path.write_text("\n" * 5000 + _syslog(moments))
    frame = load_logs(path, year=2026, chunk_bytes=SMALL)
    report = report_of(frame)
    assert report.format == "syslog-rfc3164"
    assert report.rows == 200 and report.rejects == {"blank line": 5000} and report.balanced
    assert list(frame["program"].unique()) == ["app"] and list(frame["pid"].unique()) == [7]
    assert frame["provenance"].iloc[0] == f"{path}:5001"
    assert frame["timestamp"].iloc[-1] == pd.Timestamp("2026-10-14T14:03:19Z")


def _same_frames(blocks: pd.DataFrame, whole: pd.DataFrame) -> None:
    assert list(blocks.columns) == list(whole.columns)
    for column in whole.columns:
        assert blocks[column].astype(object).tolist() == whole[column].astype(object).tolist(), (
            column
        )


def test_large_text_file_split_by_workers_equals_reading_it_whole(tmp_path):
    # Over the sniffing head (256 KB): the format is known before the blocks are read, so
    # the blocks after the first are split by worker threads in the style the first chose,
    # and a block is cut at its last event line from those splits.
    out = []
    for i in range(3000):
        stamp = f"2026-10-14 14:{i // 60 % 60:02d}:{i % 60:02d},{i % 1000:03d}"
        level = ("INFO", "WARN", "ERROR")[i % 3]
        out.append(f"{stamp} {level} [w-{i % 4}] Service: event {i} " + "x" * (i % 50) + "\n")
        out.extend(f"    at com.example.Frame{j}.call(Frame.java:{j})\n" for j in range(i % 5))
    out.insert(1500, "a line before which no event starts? no: it continues event 1499\n")
    path = tmp_path / "app.log"
    path.write_text("".join(out))
    assert path.stat().st_size > 300_000
    whole = load_logs(path, chunk_bytes=1 << 24)
    blocks = load_logs(path, chunk_bytes=8192)
    assert report_of(blocks).rows == 3000 == report_of(whole).rows
    assert report_of(blocks).continuation_lines == report_of(whole).continuation_lines
    assert report_of(blocks).balanced and not report_of(blocks).rejects
    _same_frames(blocks, whole)


def test_large_json_file_read_by_workers_equals_reading_it_whole(tmp_path):
    # Blocks read by pyarrow in worker threads; a block with a bad line or a blank line is
    # read line by line by the parser instead, and its rejects are counted.
    rows = [
        json.dumps({"ts": f"2026-10-14T14:{i // 60 % 60:02d}:{i % 60:02d}.{i % 1000:03d}Z",
                    "level": ("info", "error")[i % 2], "msg": f"event {i}", "n": i})
        for i in range(5000)
    ]  # fmt: skip
    rows[2000] = '{"ts": "2026-10-14T14:00:00Z", "msg": "cut off'
    rows[4000] = ""
    rows[4500] = json.dumps({"ts": "2026-10-14T15:00:00Z", "msg": "late key", "region": "eu"})
    path = tmp_path / "app.jsonl"
    path.write_text("\n".join(rows) + "\n")
    assert path.stat().st_size > 300_000
    whole = load_logs(path, chunk_bytes=1 << 24)
    blocks = load_logs(path, chunk_bytes=8192)
    report = report_of(blocks)
    assert report.rows == 4998 and report.balanced
    assert sum(report.rejects.values()) == 2 and report.rejects == report_of(whole).rejects
    assert blocks["region"].dropna().tolist() == ["eu"]
    _same_frames(blocks, whole)


def test_mapping_note_names_only_keys_found_in_no_block_once(tmp_path):
    rows = [
        {"ts": f"2026-10-14T14:{i // 60:02d}:{i % 60:02d}Z", "msg": f"m{i}"} for i in range(300)
    ]
    rows[280]["lvl"] = "error"  # the mapped level key first appears in a late block
    path = tmp_path / "app.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    frame = load_logs(path, mapping={"severity": "lvl", "trace_id": "tid"}, chunk_bytes=SMALL)
    notes = report_of(frame).notes
    assert [n for n in notes if "mapping=" in n] == [
        "mapping= names key(s) found in no line of the file: tid"
    ]
    assert frame["severity"].iloc[280] == "error"

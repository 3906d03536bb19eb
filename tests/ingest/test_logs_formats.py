"""Each log format through ``load_logs``: fields, UTC timestamps, severities, accounting."""

from __future__ import annotations

import json
import os

import pandas as pd
import pytest

from postmortem_kit.errors import IngestError
from postmortem_kit.ingest import load_logs


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def report_of(frame):
    return frame.attrs["import_report"]


def utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text).tz_convert("UTC")


def test_nginx_combined_with_request_time(tmp_path):
    path = write(
        tmp_path,
        "access.log",
        '198.51.100.7 - - [14/Oct/2026:10:07:00 -0400] "GET /api/cart?id=3 HTTP/1.1" 200 512 '
        '"https://shop.example/" "Mozilla/5.0" 0.042\n'
        '198.51.100.8 - bob [14/Oct/2026:10:07:01 -0400] "POST /api/checkout HTTP/2.0" 502 0 '
        '"-" "curl/8.5" 30.001\n'
        '198.51.100.9 - - [14/Oct/2026:10:07:02 -0400] "GET /x HTTP/1.1" 404 12 "-" "-"\n',
    )
    frame = load_logs(path, relative_to=tmp_path)
    assert report_of(frame).files[0].format == "combined"
    assert list(frame["timestamp"]) == [
        utc("2026-10-14T14:07:00Z"),
        utc("2026-10-14T14:07:01Z"),
        utc("2026-10-14T14:07:02Z"),
    ]
    assert list(frame["method"]) == ["GET", "POST", "GET"]
    assert list(frame["path"]) == ["/api/cart?id=3", "/api/checkout", "/x"]
    assert list(frame["protocol"]) == ["HTTP/1.1", "HTTP/2.0", "HTTP/1.1"]
    assert list(frame["status"]) == [200, 502, 404]
    assert list(frame["bytes"]) == [512, 0, 12]
    assert frame["latency"].iloc[0] == pytest.approx(0.042)
    assert frame["latency"].iloc[1] == pytest.approx(30.001)
    assert pd.isna(frame["latency"].iloc[2])
    assert list(frame["severity"]) == ["info", "error", "warning"]
    assert frame["user"].iloc[1] == "bob" and pd.isna(frame["user"].iloc[0])
    assert frame["referer"].iloc[0] == "https://shop.example/"
    assert list(frame["provenance"]) == ["access.log:1", "access.log:2", "access.log:3"]
    assert str(frame["status"].dtype) == "Int64"


def test_common_log_format(tmp_path):
    path = write(
        tmp_path,
        "access_log",
        '10.0.0.1 - alice [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326\n'
        '10.0.0.2 - - [10/Oct/2000:13:55:37 -0700] "GET /missing HTTP/1.0" 404 -\n',
    )
    frame = load_logs(path)
    assert report_of(frame).files[0].format == "common"
    assert frame["timestamp"].iloc[0] == utc("2000-10-10T20:55:36Z")
    assert frame["bytes"].isna().iloc[1]
    assert frame["user"].iloc[0] == "alice"


def test_json_lines_map_common_field_names(tmp_path):
    lines = [
        {"ts": "2026-10-14T14:07:00.120Z", "level": "ERROR", "msg": "db timeout", "service": "checkout",  # noqa: E501
         "host": "api-1", "trace_id": "abc", "pid": 7},
        {"time": "2026-10-14T16:07:01+02:00", "severity": "warn", "message": "slow", "host": "api-2"},  # noqa: E501
        {"@timestamp": 1791986822.5, "log.level": "info", "message": "epoch seconds"},
        {"timestamp": 1791986823250, "level": "debug", "msg": "epoch ms"},
    ]  # fmt: skip
    path = write(tmp_path, "app.jsonl", "\n".join(json.dumps(x) for x in lines) + "\n")
    frame = load_logs(path)
    assert report_of(frame).files[0].format == "json"
    assert list(frame["message"]) == ["db timeout", "slow", "epoch seconds", "epoch ms"]
    assert list(frame["timestamp"]) == [
        utc("2026-10-14T14:07:00.120Z"),
        utc("2026-10-14T14:07:01Z"),
        utc("2026-10-14T14:07:02.5Z"),
        utc("2026-10-14T14:07:03.250Z"),
    ]
    assert list(frame["severity"]) == ["error", "warning", "info", "debug"]
    assert list(frame["severity_raw"]) == ["ERROR", "warn", "info", "debug"]
    assert frame["trace_id"].iloc[0] == "abc"
    assert frame["service"].iloc[0] == "checkout"
    assert frame["host"].iloc[1] == "api-2"
    assert frame["pid"].iloc[0] == 7


def test_json_keeps_keys_that_first_appear_late(tmp_path):
    rows = [{"ts": f"2026-10-14T14:00:{i % 60:02d}Z", "msg": "tick"} for i in range(3000)]
    rows.append(
        {"ts": "2026-10-14T15:00:00Z", "msg": "late", "order_id": "o-9", "nested": {"a": 1}}
    )
    path = write(tmp_path, "late.jsonl", "\n".join(json.dumps(r) for r in rows) + "\n")
    frame = load_logs(path)
    last = frame.iloc[-1]
    assert last["message"] == "late"
    assert last["order_id"] == "o-9"
    assert last["nested.a"] == 1
    assert frame["order_id"].notna().sum() == 1


def test_json_whole_second_stamps_keep_their_offset_and_text(tmp_path):
    # pyarrow's JSON reader types strings such as "2026-10-14T16:07:00+02:00" as naive
    # timestamp[s] in UTC, dropping the offset: read as local time in tz= they came out
    # hours wrong, and another field of that shape lost the text the system wrote.
    rows = [
        {"ts": "2026-10-14T16:07:00+02:00", "msg": "offset", "deployed_at": "2026-10-14T09:00:00-04:00"},  # noqa: E501
        {"ts": "2026-10-14T14:07:01Z", "msg": "zulu", "deployed_at": "2026-10-14 13:00:00",
         "event": {"created": "2026-10-14T14:00:00+01:00"}, "retries": ["2026-10-14T14:06:00Z"]},
        {"ts": "2026-10-14 16:07:02", "msg": "naive", "deployed_at": "x"},
    ]  # fmt: skip
    path = write(tmp_path, "app.jsonl", "\n".join(json.dumps(r) for r in rows) + "\n")
    frame = load_logs(path, tz="Europe/Berlin")
    assert list(frame["timestamp"]) == [
        utc("2026-10-14T14:07:00Z"),
        utc("2026-10-14T14:07:01Z"),
        utc("2026-10-14T14:07:02Z"),  # 16:07:02 in Berlin (CEST, +02:00)
    ]
    assert list(frame["deployed_at"]) == ["2026-10-14T09:00:00-04:00", "2026-10-14 13:00:00", "x"]
    assert frame["event.created"].iloc[1] == "2026-10-14T14:00:00+01:00"
    assert list(frame["retries"].iloc[1]) == ["2026-10-14T14:06:00Z"]
    assert (
        "1 timestamps without an offset read in Europe/Berlin" in report_of(frame).files[0].timezone
    )


def test_json_bad_lines_are_counted_and_strict_names_the_line(tmp_path):
    text = (
        '{"ts": "2026-10-14T14:00:00Z", "msg": "ok", "n": 1}\n'
        '{"ts": "2026-10-14T14:00:01Z", "msg": "trunc\n'
        "[1, 2, 3]\n"
        '{"ts": "2026-10-14T14:00:02Z", "msg": "mixed", "n": "one"}\n'
        '{"msg": "no time"}\n'
    )
    path = write(tmp_path, "bad.jsonl", text)
    frame = load_logs(path, format="json", relative_to=tmp_path)
    report = report_of(frame)
    assert list(frame["message"]) == ["ok", "mixed"]
    assert list(frame["n"]) == ["1", "one"]  # mixed types become text, nothing is lost
    assert report.lines_read == 5 and report.rows == 2 and report.rejected == 3
    assert report.files[0].balanced
    reasons = dict(report.files[0].rejects)
    assert reasons["a JSON value but not an object"] == 1
    assert reasons["timestamp field empty"] == 1
    assert any(r.startswith("invalid JSON") for r in reasons)
    assert report.files[0].examples["timestamp field empty"][0][0] == "bad.jsonl:5"
    with pytest.raises(IngestError, match=r"bad\.jsonl:2: invalid JSON"):
        load_logs(path, format="json", strict=True, relative_to=tmp_path)


def test_json_explicit_mapping(tmp_path):
    path = write(
        tmp_path,
        "custom.jsonl",
        '{"when": "2026-10-14 14:07:00", "text": "hi", "lvl": "E", "ts": "junk"}\n',
    )
    frame = load_logs(
        path,
        mapping={"timestamp": "when", "message": "text", "severity": "lvl"},
        tz="Europe/Berlin",
    )
    assert frame["timestamp"].iloc[0] == utc("2026-10-14T12:07:00Z")
    assert frame["message"].iloc[0] == "hi"
    assert frame["severity"].iloc[0] == "error"
    assert frame["ts"].iloc[0] == "junk"  # unmapped keys stay as columns


def test_ecs_docker_and_journald(tmp_path):
    ecs = write(
        tmp_path,
        "ecs.json",
        '{"@timestamp":"2026-10-14T14:07:00.120Z","log.level":"error","message":"x",'
        '"service.name":"api","trace.id":"t1","ecs.version":"8.0"}\n',
    )
    docker = write(
        tmp_path,
        "c.log",
        '{"log":"panic: boom\\n","stream":"stderr","time":"2026-10-14T14:07:00.123456789Z"}\n',
    )
    journald = write(
        tmp_path,
        "j.json",
        '{"__REALTIME_TIMESTAMP":"1791986820000001","PRIORITY":"3","_HOSTNAME":"db-1",'
        '"SYSLOG_IDENTIFIER":"postgres","_PID":"12","MESSAGE":"FATAL x"}\n',
    )
    frame = load_logs([ecs, docker, journald])
    by_source = frame.set_index("source")
    formats = {f.name.rsplit("/", 1)[-1]: f.format for f in report_of(frame).files}
    assert formats == {"ecs.json": "ecs-json", "c.log": "docker-json", "j.json": "journald-json"}
    assert by_source.loc["ecs.json", "service"] == "api"
    assert by_source.loc["ecs.json", "trace_id"] == "t1"
    assert by_source.loc["c.log", "message"] == "panic: boom"
    assert by_source.loc["c.log", "timestamp"] == utc("2026-10-14T14:07:00.123456789Z")
    assert by_source.loc["j.json", "timestamp"] == utc("2026-10-14T14:07:00.000001Z")
    assert by_source.loc["j.json", "severity"] == "error"
    assert by_source.loc["j.json", "host"] == "db-1"
    assert by_source.loc["j.json", "program"] == "postgres"


def test_logfmt(tmp_path):
    path = write(
        tmp_path,
        "svc.log",
        'time=2026-10-14T14:07:00Z level=error msg="payment declined" order=812\n'
        "time=2026-10-14T14:07:01Z level=info msg=ok duration=3ms\n"
        'time=2026-10-14T14:07:02Z level=warn msg="say \\"hi\\" to C:\\\\tmp"\n',
    )
    frame = load_logs(path)
    assert report_of(frame).files[0].format == "logfmt"
    assert list(frame["message"]) == ["payment declined", "ok", 'say "hi" to C:\\tmp']
    assert list(frame["severity"]) == ["error", "info", "warning"]
    assert frame["order"].iloc[0] == "812"


def test_csv_and_tsv_with_a_time_column(tmp_path):
    csv_path = write(
        tmp_path,
        "changes.csv",
        'when,service,message\n2026-10-14 14:07:00,api,"deploy, v2"\n2026-10-14 14:09:00,db,failover\n',  # noqa: E501
    )
    tsv_path = write(
        tmp_path, "events.tsv", "timestamp\tlevel\tmessage\n1791986820\tWARN\tdisk 91%\n"
    )
    frame = load_logs([csv_path, tsv_path], tz="UTC")
    assert list(frame["message"]) == ["deploy, v2", "disk 91%", "failover"]
    assert frame["timestamp"].iloc[0] == utc("2026-10-14T14:07:00Z")
    report = report_of(frame)
    assert all(f.format == "csv" and f.balanced for f in report.files)
    assert report.rejects["CSV header row (column names)"] == 2


def test_syslog_3164_with_tz_and_year(tmp_path):
    path = write(
        tmp_path,
        "syslog",
        "Oct 14 16:07:00 db-1 postgres[811]: FATAL: too many connections\n"
        "Oct 14 16:07:01 db-1 kernel: Out of memory\n",
    )
    frame = load_logs(path, tz="Europe/Berlin", year=2026)
    assert report_of(frame).files[0].format == "syslog-rfc3164"
    assert list(frame["timestamp"]) == [utc("2026-10-14T14:07:00Z"), utc("2026-10-14T14:07:01Z")]
    assert list(frame["program"]) == ["postgres", "kernel"]
    assert frame["pid"].iloc[0] == 811 and pd.isna(frame["pid"].iloc[1])
    assert list(frame["host"]) == ["db-1", "db-1"]
    assert frame["message"].iloc[1] == "Out of memory"
    # No PRI: a level word opening the message is the level; none means unknown.
    assert frame["severity_raw"].iloc[0] == "FATAL" and frame["severity"].iloc[0] == "critical"
    assert pd.isna(frame["severity"].iloc[1])
    assert "read in Europe/Berlin" in report_of(frame).files[0].timezone


def test_syslog_new_year_rollover(tmp_path):
    path = write(
        tmp_path,
        "syslog",
        "Dec 31 23:59:58 h cron[1]: a\nDec 31 23:59:59 h cron[1]: b\nJan  1 00:00:01 h cron[1]: c\n",  # noqa: E501
    )
    given = load_logs(path, year=2025)
    assert list(given["timestamp"].dt.year) == [2025, 2025, 2026]
    # Without year=: the last line is on or before the file's date (2026-01-02 here).
    stamp = pd.Timestamp("2026-01-02T12:00:00Z").timestamp()
    os.utime(path, (stamp, stamp))
    inferred = load_logs(path)
    assert list(inferred["timestamp"].dt.year) == [2025, 2025, 2026]
    assert "rollover" in " ".join(report_of(inferred).files[0].notes)


@pytest.mark.parametrize("first", ["iso", "bsd"])
def test_syslog_with_iso_and_bsd_times_mixed_in_either_order(tmp_path, first):
    # rsyslog's high-precision times and the classic ones, in one file and in one block:
    # the block tries first the shape and style of its first line, then the other
    iso = [f"2026-10-14T16:07:{s:02d}.250+02:00 db-1 postgres[811]: iso {s}" for s in range(30)]
    bsd = [f"Oct 14 14:08:{s:02d} db-2 kernel: bsd {s}" for s in range(30)]
    lines = [x for pair in zip(iso, bsd, strict=True) for x in pair]
    if first == "bsd":
        lines = lines[1:] + lines[:1]
    path = write(tmp_path, "syslog", "".join(line + "\n" for line in lines))
    frame = load_logs(path, tz="UTC", year=2026, chunk_bytes=1024)
    f = report_of(frame).files[0]
    assert f.format == "syslog-rfc3164" and f.rows == 60 and not f.rejects
    got = dict(zip(frame["message"], frame["timestamp"], strict=True))
    for s in range(30):
        assert got[f"iso {s}"] == utc(f"2026-10-14T14:07:{s:02d}.25Z")
        assert got[f"bsd {s}"] == utc(f"2026-10-14T14:08:{s:02d}Z")
    assert set(frame.loc[frame["message"].str.startswith("iso"), "program"]) == {"postgres"}


def test_syslog_5424_severity_from_pri(tmp_path):
    path = write(
        tmp_path,
        "messages",
        '<165>1 2026-10-14T14:07:00.003Z web-1 api 811 ID47 [req@1 id="7"] upstream timeout\n'
        "<11>1 2026-10-14T16:07:01+02:00 web-1 api - - - disk failed\n",
    )
    frame = load_logs(path)
    assert report_of(frame).files[0].format == "syslog-rfc5424"
    assert list(frame["severity"]) == ["notice", "error"]
    assert list(frame["facility"]) == [20, 1]
    assert frame["structured_data"].iloc[0] == '[req@1 id="7"]'
    assert frame["timestamp"].iloc[1] == utc("2026-10-14T14:07:01Z")


def test_year_less_months_in_any_case_roll_over_at_new_year(tmp_path):
    # the month of a year-less time is read from its first letters whatever their case
    months = ["Dec", "DEC", "dEc", "jan", "Jan", "JAN", "jAN"]
    days = ["31", "31", "31", " 1", " 1", " 1", " 1"]
    lines = [
        f"{m} {d} 23:59:{i:02d} web-1 a: line {i}"
        for i, (m, d) in enumerate(zip(months, days, strict=True))
    ]
    path = write(tmp_path, "app.log", "".join(line + "\n" for line in lines))
    frame = load_logs(path, year=2025, format="text")
    expected = [f"2025-12-31T23:59:{i:02d}Z" for i in range(3)]
    expected += [f"2026-01-01T23:59:{i:02d}Z" for i in range(3, 7)]
    assert list(frame["timestamp"]) == [utc(t) for t in expected]
    assert "1 rollover(s) at New Year" in " ".join(report_of(frame).files[0].notes)
    # without year=: a February line in a file last written in January is last year's
    path = write(tmp_path, "feb.log", "FEB 10 08:00:00 web-1 a: x\nfeb 11 08:00:00 web-1 a: y\n")
    stamp = pd.Timestamp("2026-01-15T12:00:00Z").timestamp()
    os.utime(path, (stamp, stamp))
    inferred = load_logs(path, format="text")
    assert list(inferred["timestamp"]) == [utc("2025-02-10T08:00:00Z"), utc("2025-02-11T08:00:00Z")]


def test_generic_text_attaches_stack_traces(tmp_path):
    path = write(
        tmp_path,
        "app.log",
        "2026-10-14 14:07:00,120 ERROR [pool-3] OrderService: timeout\n"
        "java.lang.IllegalStateException: pool exhausted\n"
        "\tat com.shop.Pool.get(Pool.java:42)\n"
        "2026-10-14 14:07:01,000 INFO  [main] OrderService: recovered\n",
    )
    frame = load_logs(path, relative_to=tmp_path)
    report = report_of(frame).files[0]
    assert report.format == "text"
    assert report.rows == 2 and report.continuation_lines == 2 and report.balanced
    assert frame["message"].iloc[0].endswith("pool exhausted\n\tat com.shop.Pool.get(Pool.java:42)")
    assert list(frame["severity"]) == ["error", "info"]
    assert list(frame["provenance"]) == ["app.log:1", "app.log:4"]
    assert frame["timestamp"].iloc[0] == utc("2026-10-14T14:07:00.120Z")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("2017-05-16 00:00:00.008 main INFO started", "2017-05-16T00:00:00.008Z"),
        ("03-17 16:13:38.811  1702  2395 D WindowManager: x", "2026-03-17T16:13:38.811Z"),
        ("[10.30 16:49:06] chrome.exe - proxy.example:443 open", "2026-10-30T16:49:06Z"),
        (
            "20171223-22:15:29:606|Step_LSC|30002312|onStandStepChanged 3579",
            "2017-12-23T22:15:29.606Z",
        ),
        ("1791986820 node-1 state change", "2026-10-14T14:07:00Z"),
        ("1791986820123 node-1 state change", "2026-10-14T14:07:00.123Z"),
        ("Jul  1 09:00:55 x", "2026-07-01T09:00:55Z"),
        ("2016/10/25 14:49:34 something happened", "2016-10-25T14:49:34Z"),
    ],
)
def test_generic_text_timestamp_styles(tmp_path, line, expected):
    path = write(tmp_path, "x.log", f"{line}\n{line}\n")
    stamp = pd.Timestamp("2026-12-01T00:00:00Z").timestamp()
    os.utime(path, (stamp, stamp))
    frame = load_logs(path, format="text")
    assert frame["timestamp"].iloc[0] == utc(expected)


def test_postgres_cri_apache_and_nginx_error_logs(tmp_path):
    files = {
        "pg.log": "2026-10-14 14:07:00.120 UTC [811] ERROR:  deadlock detected\n"
        "\tDETAIL: Process 811 waits\n",
        "cri.log": "2026-10-14T14:07:00.123456789Z stderr F panic: boom\n",
        "error_log": "[Wed Oct 14 14:07:00.120 2026] [proxy:error] [pid 811] AH00957: connect failed\n",  # noqa: E501
        "error.log": "2026/10/14 14:07:00 [error] 811#811: *9 upstream timed out, client: 1.2.3.4\n",  # noqa: E501
    }
    paths = [write(tmp_path, name, text) for name, text in files.items()]
    frame = load_logs(paths)
    formats = {f.name.rsplit("/", 1)[-1]: f.format for f in report_of(frame).files}
    assert formats == {
        "pg.log": "postgresql",
        "cri.log": "cri",
        "error_log": "apache-error",
        "error.log": "nginx-error",
    }
    by = frame.set_index("source")
    assert by.loc["pg.log", "message"] == "deadlock detected\n\tDETAIL: Process 811 waits"
    assert by.loc["pg.log", "severity"] == "error"
    assert by.loc["cri.log", "stream"] == "stderr"
    assert by.loc["error_log", "severity_raw"] == "error"
    assert by.loc["error.log", "pid"] == 811
    assert set(frame["timestamp"].dt.floor("s")) == {utc("2026-10-14T14:07:00Z")}


def test_sorted_by_time_and_stable_for_equal_times(tmp_path):
    a = write(
        tmp_path,
        "a.log",
        "2026-10-14 14:00:02 A late\n2026-10-14 14:00:01 A one\n2026-10-14 14:00:01 A two\n",
    )
    b = write(tmp_path, "b.log", "2026-10-14 14:00:01 B one\n2026-10-14 14:00:00 B first\n")
    frame = load_logs([a, b])
    assert list(frame["message"]) == ["B first", "A one", "A two", "B one", "A late"]


def test_source_and_relative_provenance(tmp_path):
    folder = tmp_path / "incident"
    (folder / "evidence").mkdir(parents=True)
    path = write(folder / "evidence", "app.log", "2026-10-14T14:07:00Z hello\n")
    frame = load_logs(str(path), source="app", relative_to=folder)
    assert frame["source"].iloc[0] == "app"
    assert frame["provenance"].iloc[0] == "evidence/app.log:1"


def test_folder_and_glob(tmp_path):
    write(tmp_path, "a.log", "2026-10-14T14:07:00Z a\n")
    (tmp_path / "sub").mkdir()
    write(tmp_path / "sub", "b.log", "2026-10-14T14:07:01Z b\n")
    write(tmp_path, ".hidden.log", "2026-10-14T14:07:02Z hidden\n")
    assert list(load_logs(tmp_path)["message"]) == ["a", "b"]
    assert list(load_logs(str(tmp_path / "*.log"))["message"]) == ["a"]
    with pytest.raises(IngestError, match="matches no file"):
        load_logs(str(tmp_path / "*.nothing"))


def test_import_report_prints_readably(tmp_path):
    path = write(tmp_path, "app.log", "2026-10-14 14:07:00 hello\n\nnot a line\n")
    report = report_of(load_logs(path))
    text = str(report)
    assert "3 lines read → 1 rows, 1 continuation lines, 1 rejected" in text
    assert "ASSUMED UTC" in text
    assert "rejected 1: blank line" in text
    html = report._repr_html_()
    assert "ASSUMED UTC" in html and "<table>" in html
    data = report.to_dict()
    assert data["files"][0]["rejects"] == {"blank line": 1}


def test_generic_text_level_word_and_message_after_the_timestamp(tmp_path):
    # The level word is a whole word in the 120 characters after the timestamp: right after
    # it, whatever separates the two (",", ":" as Python's "%(asctime)s:%(levelname)s"
    # writes it), else the first after a space, "|" or "[".
    log = tmp_path / "app.log"
    log.write_text(
        "2026-10-14 00:00:00,100 ,INFO comma before the word\n"
        "2026-10-14 00:00:01,000 | ERROR boom\n"
        "2026-10-14 00:00:02,000 [worker-1] WARN slow\n"
        "2026-10-14 00:00:03,000 INFOx then ERROR later\n"
        "2026-10-14 00:00:04,000 INFORMATION: tabs after \t \n"
        "2026-10-14 00:00:05,000 " + "-" * 118 + " ERROR too far\n"
        "2026-10-14 00:00:06,000 DEBUG\n"
        "2026-10-14 00:00:07,000:WARNING:root:python logging\n"
        "2026-10-14 00:00:08,000 x,ERROR not right after the time\n"
        "[x] 2026-10-14 00:00:09,000:ERROR:db:a time further on\n",
        encoding="utf-8",
    )
    df = load_logs(log, format="text", tz="UTC")
    assert df["severity_raw"].astype(object).where(df["severity_raw"].notna(), None).tolist() == [
        "INFO", "ERROR", "WARN", "ERROR", "INFORMATION", None, "DEBUG", "WARNING", None, "ERROR",
    ]  # fmt: skip
    assert df["message"].tolist() == [
        "INFO comma before the word",
        "ERROR boom",
        "[worker-1] WARN slow",
        "INFOx then ERROR later",
        "INFORMATION: tabs after",
        "ERROR too far",
        "DEBUG",
        "WARNING:root:python logging",
        "x,ERROR not right after the time",
        "[x] ERROR:db:a time further on",
    ]
    assert df["severity"].astype(object).where(df["severity"].notna(), None).tolist() == [
        "info", "error", "warning", "error", "info", None, "debug", "warning", None, "error",
    ]  # fmt: skip

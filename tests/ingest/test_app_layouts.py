"""Log layouts of common servers that earlier went wrong: klog (Kubernetes' components) was
recognised by no format, HashiCorp's hclog was taken for syslog (its ``[ERROR]`` for a
host), and Celery's and Cassandra's levels were not found. Expected values are worked out
here from the lines themselves."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from postmortem_kit.ingest import load_logs

T0 = dt.datetime(2026, 10, 14, 14, 7, 0, 123456)
LEVELS = {"I": "info", "W": "warning", "E": "error", "F": "critical"}


def _times(n: int, start: dt.datetime = T0) -> list[dt.datetime]:
    return [start + dt.timedelta(seconds=2.5 * i) for i in range(n)]


@pytest.mark.parametrize("chunk_bytes", [None, 1024], ids=["whole", "in blocks"])
def test_klog_with_a_multi_line_message_and_new_year(tmp_path, chunk_bytes):
    times = _times(60, dt.datetime(2026, 12, 31, 23, 59, 0, 250000))  # across New Year
    lines, want = [], []
    for i, t in enumerate(times):
        letter = "IWEF"[i % 4]
        lines.append(
            f"{letter}{t:%m%d %H:%M:%S}.{t.microsecond:06d} {1 + i % 3:7d} "
            f"controller.go:{100 + i}] sync failed for shop/checkout-{i}"
        )
        message = f"sync failed for shop/checkout-{i}"
        if i % 10 == 4:  # klog prints a multi-line value as it is
            lines += ["  goroutine 7 [running]:", "  main.sync()"]
            message += "\n  goroutine 7 [running]:\n  main.sync()"
        want.append((pd.Timestamp(t, tz="UTC"), LEVELS[letter], message, 1 + i % 3))
    path = tmp_path / "kube-controller-manager.log"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    frame = load_logs(path, year=2026, chunk_bytes=chunk_bytes)
    report = frame.attrs["import_report"].files[0]
    assert report.format == "klog"
    assert report.lines_read == len(lines) and report.rows == 60
    assert report.continuation_lines == 12
    got = list(zip(frame["timestamp"], frame["severity"], frame["message"], frame["tid"],
                   strict=True))  # fmt: skip
    assert got == want
    assert frame["caller"].iloc[0] == "controller.go:100"


def test_hclog_is_not_syslog(tmp_path):
    lines = [
        f"{t.isoformat(timespec='milliseconds')}Z [{('INFO', 'ERROR')[i % 2]}] agent: "
        f"Check is now critical: check=service:web{i}"
        for i, t in enumerate(_times(20))
    ]
    path = tmp_path / "consul.log"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    frame = load_logs(path)
    assert frame.attrs["import_report"].files[0].format == "text"
    assert frame["severity"].tolist() == [("info", "error")[i % 2] for i in range(20)]
    assert frame["message"].tolist() == [line.split(" ", 1)[1] for line in lines]
    assert frame["host"].isna().all()


@pytest.mark.parametrize(
    ("layout", "level"),
    [
        ("[{ts}: {level}/MainProcess] Task shop.pay[{i}] raised", "{level}"),  # Celery
        ("{level:5s} [main] {ts} StorageService.java:{i} - Node down", "{level}"),  # Cassandra
    ],
    ids=["celery", "cassandra"],
)
def test_levels_next_to_the_time(tmp_path, layout, level):
    words = ["INFO", "WARN", "ERROR"]
    lines = [
        layout.format(ts=f"{t:%Y-%m-%d %H:%M:%S},{t.microsecond // 1000:03d}", level=w, i=i)
        for i, (t, w) in enumerate(zip(_times(30), words * 10, strict=True))
    ]
    path = tmp_path / "app.log"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    frame = load_logs(path)
    assert frame["severity_raw"].tolist() == (words * 10)
    assert frame["severity"].tolist() == ["info", "warning", "error"] * 10


@pytest.mark.parametrize(
    ("header", "row", "message_of"),
    [
        # Kibana's CSV export: its own date display
        ('"@timestamp","log.level",message',
         lambda t, i: f'"{t:%b} {t.day}, {t:%Y} @ {t:%H:%M:%S}.{t.microsecond // 1000:03d}",'
                      f'error,"charge failed {i}"',
         lambda i: f"charge failed {i}"),
        # CloudWatch Logs Insights' CSV export
        ("@timestamp,@message,@logStream",
         lambda t, i: f"{t:%Y-%m-%d %H:%M:%S}.{t.microsecond // 1000:03d},ERROR charge {i},"
                      "checkout/abc",
         lambda i: f"ERROR charge {i}"),
        # Splunk's CSV export: the raw event in _raw
        ('"_time",host,source,"_raw"',
         lambda t, i: f'"{t.isoformat(timespec="milliseconds")}+00:00","web-1","/var/log/app",'
                      f'"boom {i}"',
         lambda i: f"boom {i}"),
    ],
    ids=["kibana", "cloudwatch-insights", "splunk"],
)  # fmt: skip
def test_csv_exports_of_log_tools(tmp_path, header, row, message_of):
    times = _times(25)
    path = tmp_path / "export.csv"
    path.write_text(header + "\n" + "\n".join(row(t, i) for i, t in enumerate(times)) + "\n")
    frame = load_logs(path, tz="UTC")
    report = frame.attrs["import_report"].files[0]
    assert report.rows == 25, str(frame.attrs["import_report"])
    want = [pd.Timestamp(t.replace(microsecond=t.microsecond // 1000 * 1000), tz="UTC")
            for t in times]  # fmt: skip
    assert frame["timestamp"].tolist() == want
    assert frame["message"].tolist() == [message_of(i) for i in range(25)]


@pytest.mark.parametrize("chunk_bytes", [None, 1024], ids=["whole", "in blocks"])
def test_airflow_task_log(tmp_path, chunk_bytes):
    times = [t.replace(microsecond=0) for t in _times(80)]
    lines = [
        f"[{t:%Y-%m-%d, %H:%M:%S} UTC] {{taskinstance.py:{1200 + i}}} "
        f"{('INFO', 'ERROR')[i % 2]} - step {i}"
        for i, t in enumerate(times)
    ]
    path = tmp_path / "attempt=1.log"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    frame = load_logs(path, chunk_bytes=chunk_bytes)
    assert frame.attrs["import_report"].files[0].rows == 80
    assert frame["timestamp"].tolist() == [pd.Timestamp(t, tz="UTC") for t in times]
    assert frame["severity"].tolist() == ["info", "error"] * 40
    assert frame["message"].iloc[3] == "{taskinstance.py:1203} ERROR - step 3"


def _csvlog_row(i: int, t: dt.datetime) -> str:
    level = ("LOG", "ERROR", "WARNING")[i % 3]
    message = ("duration: 12.3 ms", 'deadlock detected, "quoted"', "skipping vacuum")[i % 3]
    stamp = f"{t:%Y-%m-%d %H:%M:%S}.{t.microsecond // 1000:03d} UTC"
    fields = [stamp, "app", "shop", str(800 + i), "10.0.0.1:5555", "6789abcd.32c", str(i),
              "SELECT", "2026-10-14 14:00:00 UTC", f"3/{i}", "0", level, "00000",
              message, "", "", "", "", "", "SELECT 1", "", "", "psql", "client backend", "",
              "0"]  # fmt: skip
    return ",".join('"' + f.replace('"', '""') + '"' if "," in f or '"' in f else f for f in fields)


def test_a_postgres_csvlog_has_no_header(tmp_path):
    times = _times(30)
    path = tmp_path / "postgresql-2026-10-14.csv"
    path.write_text("\n".join(_csvlog_row(i, t) for i, t in enumerate(times)) + "\n")
    frame = load_logs(path)
    report = frame.attrs["import_report"].files[0]
    assert report.lines_read == report.rows == 30 and not report.rejects  # line 1 is a row
    assert frame["timestamp"].tolist() == [
        pd.Timestamp(t.replace(microsecond=t.microsecond // 1000 * 1000), tz="UTC") for t in times
    ]
    assert frame["severity_raw"].tolist() == [("LOG", "ERROR", "WARNING")[i % 3] for i in range(30)]
    assert frame["message"].iloc[1] == 'deadlock detected, "quoted"'
    assert frame["pid"].tolist() == [800 + i for i in range(30)]
    assert frame["database_name"].unique().tolist() == ["shop"]


def test_a_headerless_csv_gets_numbered_columns(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("".join(f"2026-10-14T14:07:{i:02d}Z,web-{i},ok {i}\n" for i in range(10)))
    frame = load_logs(path)
    assert frame.attrs["import_report"].files[0].rows == 10
    assert frame["column_2"].tolist() == [f"web-{i}" for i in range(10)]

"""Import real logs written by others (../shared/data) with format="auto" and compare with
their ground truth: every line accounted for, timestamps equal for ≥ 99.5 % of lines."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest

from postmortem_kit.ingest import load_logs

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"
pytestmark = [
    pytest.mark.shared_data,
    pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data is absent"),
]


def _line(provenance: str) -> int:
    return int(provenance.rsplit(":", 1)[1])


def _by_line(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(line=frame["provenance"].map(_line)).set_index("line").sort_index()


def _accounted(frame: pd.DataFrame, lines: int) -> None:
    report = frame.attrs["import_report"]
    assert report.lines_read == lines
    assert all(f.balanced for f in report.files), str(report)


# --- loghub: 10 systems, 2,000 lines each ---------------------------------------------------


def _naive(texts: pd.Series, fmt: str) -> pd.Series:
    return pd.to_datetime(texts, format=fmt).dt.tz_localize("UTC")


def _epoch(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values.astype("int64"), unit="s", utc=True)


#: system → (expected format, function of the structured CSV giving the true UTC time).
#: Systems without a year (Linux, OpenSSH) compare month, day and time only.
LOGHUB = {
    "HDFS": (
        "text",
        lambda t: _naive(
            t["Date"].astype(str).str.zfill(6) + " " + t["Time"].astype(str).str.zfill(6),
            "%y%m%d %H%M%S",
        ),
    ),
    "Hadoop": ("text", lambda t: _naive(t["Date"] + " " + t["Time"], "%Y-%m-%d %H:%M:%S,%f")),
    "Spark": ("text", lambda t: _naive(t["Date"] + " " + t["Time"], "%y/%m/%d %H:%M:%S")),
    "Zookeeper": ("text", lambda t: _naive(t["Date"] + " " + t["Time"], "%Y-%m-%d %H:%M:%S,%f")),
    # BGL's epoch column is UTC; its Time column is US-Pacific local time (see the README).
    "BGL": ("text", lambda t: _epoch(t["Timestamp"])),
    "HPC": ("text", lambda t: _epoch(t["Time"])),
    "Windows": ("text", lambda t: _naive(t["Date"] + " " + t["Time"], "%Y-%m-%d %H:%M:%S")),
    "Apache": ("apache-error", lambda t: _naive(t["Time"], "%a %b %d %H:%M:%S %Y")),
    "Linux": (
        "syslog-rfc3164",
        lambda t: t["Month"] + " " + t["Date"].astype(str).str.zfill(2) + " " + t["Time"],
    ),
    "OpenSSH": (
        "syslog-rfc3164",
        lambda t: t["Date"] + " " + t["Day"].astype(str).str.zfill(2) + " " + t["Time"],
    ),
}


@pytest.mark.parametrize("system", sorted(LOGHUB))
def test_loghub_system(system: str) -> None:
    folder = SHARED / "loghub" / system
    truth = pd.read_csv(folder / f"{system}_2k.log_structured.csv", dtype=str).set_index(
        pd.RangeIndex(1, 2001)
    )
    frame = load_logs(folder / f"{system}_2k.log")
    fmt, expected = LOGHUB[system]
    _accounted(frame, 2000)
    report = frame.attrs["import_report"]
    assert report.files[0].format == fmt, report.files[0].why
    assert report.rows == 2000 and report.rejected == 0, str(report)
    got = _by_line(frame)["timestamp"]
    want = expected(truth)
    if system in ("Linux", "OpenSSH"):  # no year in the file: compare "Mon dd HH:MM:SS"
        got = got.dt.strftime("%b %d %H:%M:%S")
    equal = (got == want).mean()
    assert equal >= 0.995, f"{system}: {equal:.2%} of timestamps equal"
    assert frame["timestamp"].is_monotonic_increasing


def test_loghub_levels_are_normalised() -> None:
    """Where loghub has a level column, the raw level is kept and maps onto the scale."""
    for system in ("HDFS", "Hadoop", "Spark", "Zookeeper", "BGL", "Apache"):
        folder = SHARED / "loghub" / system
        truth = pd.read_csv(folder / f"{system}_2k.log_structured.csv", dtype=str)
        frame = _by_line(load_logs(folder / f"{system}_2k.log"))
        raw = frame["severity_raw"].str.upper().reset_index(drop=True)
        agree = (raw == truth["Level"].str.upper()).mean()
        assert agree >= 0.995, f"{system}: {agree:.2%} of levels equal"
        assert frame["severity"].notna().all(), system


def test_bgl_uses_the_utc_epoch_not_the_local_time() -> None:
    frame = load_logs(SHARED / "loghub" / "BGL" / "BGL_2k.log")
    first = _by_line(frame).loc[1, "timestamp"]
    assert first == pd.Timestamp("2005-06-03 22:42:50", tz="UTC")  # 15:42:50 PDT


def test_year_for_syslog_comes_from_year_or_the_file_date() -> None:
    path = SHARED / "loghub" / "Linux" / "Linux_2k.log"
    given = _by_line(load_logs(path, year=2005))
    assert given.loc[1, "timestamp"] == pd.Timestamp("2005-06-14 15:16:01", tz="UTC")
    inferred = load_logs(path)
    note = " ".join(inferred.attrs["import_report"].files[0].notes)
    assert "inferred from the file date" in note
    mtime = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC).date()
    assert inferred["timestamp"].max().date() <= mtime + dt.timedelta(days=1)


# --- Elastic Beats: expected @timestamp per line ---------------------------------------------


@pytest.mark.parametrize(
    ("folder", "log", "fmt"),
    [
        ("nginx-access", "test.log", "combined"),
        ("system-syslog", "tz-offset.log", "syslog-rfc3164"),
        ("postgresql-log", "postgresql-9.6-new-timestamp.log", "postgresql"),
    ],
)
def test_elastic_beats_timestamps(folder: str, log: str, fmt: str) -> None:
    base = SHARED / "formats" / "elastic-beats" / folder
    expected = json.loads((base / f"{log}-expected.json").read_text())
    frame = load_logs(base / log, tz="UTC")
    _accounted(frame, len(expected))
    assert frame.attrs["import_report"].files[0].format == fmt
    got = _by_line(frame)
    for i, doc in enumerate(expected, 1):
        want = pd.Timestamp(doc["@timestamp"])
        if folder == "postgresql-log":
            # The one disagreement, on all 5 lines: Filebeat resolves the abbreviation "EST"
            # through America/New_York, which is on EDT (UTC-4) in July. EST is UTC-5 by
            # definition, and PostgreSQL prints "EST" in July only when its timezone is the
            # fixed zone 'EST' (America/New_York would print "EDT"), so we read UTC-5:
            # our times are exactly one hour after Filebeat's.
            want = want + pd.Timedelta(hours=1)
        # Filebeat keeps milliseconds; we keep what the line has (µs), so compare to the ms.
        assert got.loc[i, "timestamp"].floor("ms") == want, (i, doc["@timestamp"])
        if "http.response.status_code" in doc:
            assert got.loc[i, "status"] == doc["http.response.status_code"]
            assert got.loc[i, "bytes"] == doc["http.response.body.bytes"]
            assert got.loc[i, "method"] == doc.get("http.request.method", None) or (
                pd.isna(got.loc[i, "method"]) and "http.request.method" not in doc
            )
        if "process.pid" in doc:
            assert got.loc[i, "pid"] == doc["process.pid"]
        if "log.level" in doc:
            assert got.loc[i, "severity_raw"] == doc["log.level"]
        if "host.hostname" in doc:
            assert got.loc[i, "host"] == doc["host.hostname"]
            assert got.loc[i, "program"] == doc["process.name"]
            assert got.loc[i, "message"] == doc["message"]


def test_naive_syslog_time_is_flagged_as_assumed_utc() -> None:
    frame = load_logs(SHARED / "formats" / "elastic-beats" / "system-syslog" / "tz-offset.log")
    report = frame.attrs["import_report"]
    assert report.files[0].utc_assumed
    assert any("ASSUMED UTC" in w for w in report.warnings)
    assert "ASSUMED UTC" in str(report)


# --- Fluent Bit container logs, lnav samples ---------------------------------------------------


def test_docker_json_file_logs() -> None:
    folder = SHARED / "formats" / "fluent-bit" / "kubernetes-container-logs"
    frame = load_logs(folder)
    report = frame.attrs["import_report"]
    assert {f.format for f in report.files} == {"docker-json"}
    assert report.lines_read == report.rows == 5
    first = frame[frame["source"] == "core_base_fluent-bit.log"].iloc[0]
    assert first["message"] == "Fluent Bit is logging"
    assert first["timestamp"] == pd.Timestamp("2019-04-01T17:58:33.598656444Z")
    assert first["stream"] == "stdout"


LNAV = {
    "logfile_access_log.0": ("combined", 3, "2009-07-20 22:59:26+00:00"),
    "logfile_shop_access_log.0": ("combined", 1000, "2019-01-22 00:26:14+00:00"),
    "logfile_syslog.0": ("syslog-rfc3164", 4, None),
    "logfile_haproxy.0": ("syslog-rfc3164", 17, None),
    "logfile_with_zones.0": ("syslog-rfc5424", 3, "2022-08-27 14:22:01.613000+00:00"),
    "logfile_dst.0": ("syslog-rfc3164", 10, None),
    "logfile_syslog_with_mixed_times.0": ("syslog-rfc3164", 13, None),
    "logfile_postgres.0": ("postgresql", 21, "2025-08-13 08:45:01.123000+00:00"),
    "logfile_journald.json": ("journald-json", 2, "2018-08-21 14:04:21.221373+00:00"),
}


@pytest.mark.parametrize("name", sorted(LNAV))
def test_lnav_samples(name: str) -> None:
    fmt, rows, first = LNAV[name]
    path = SHARED / "formats" / "lnav" / name
    lines = len(path.read_bytes().splitlines())
    frame = load_logs(path)
    _accounted(frame, lines)
    report = frame.attrs["import_report"]
    assert report.files[0].format == fmt, report.files[0].why
    assert report.rows == rows, str(report)
    # The only lines not imported are the postgres file's blank separator lines.
    assert set(report.rejects) <= {"blank line"}
    if first:
        assert str(frame["timestamp"].iloc[0]) == first


def test_lnav_with_zones_mixes_offsets_correctly() -> None:
    frame = load_logs(SHARED / "formats" / "lnav" / "logfile_with_zones.0")
    # 17:22:01.694554+03:00 is 14:22:01.694554Z: it sorts between the two Z lines.
    assert list(frame["provenance"].map(_line)) == [1, 2, 3]
    assert frame["timestamp"].iloc[1] == pd.Timestamp("2022-08-27T14:22:01.694554Z")


def test_lnav_dst_fall_back_is_read_in_file_order() -> None:
    """01:59:14 then 01:24:56 on the fall-back night: the second is the repeated hour."""
    frame = load_logs(
        SHARED / "formats" / "lnav" / "logfile_dst.0", tz="America/Los_Angeles", year=2013
    )
    by_line = _by_line(frame)
    assert by_line.loc[5, "timestamp"] == pd.Timestamp("2013-11-03 08:59:14", tz="UTC")  # PDT
    assert by_line.loc[6, "timestamp"] == pd.Timestamp("2013-11-03 09:24:56", tz="UTC")  # PST
    assert by_line.loc[6, "time_note"] == "DST repeat: read as the second pass"
    assert frame["timestamp"].is_monotonic_increasing
    assert list(frame["provenance"].map(_line)) == list(range(1, 11))
    notes = " ".join(frame.attrs["import_report"].files[0].notes)
    assert "DST repeat" in notes

"""The syslog fast block reader (``syslogblock.read_syslog_block``, blocks of ISO 8601
times) gives exactly what the general way gives; each file is also checked to go the fast
way where it should (or not), so that the comparison is never between two runs of the
general way."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from tests.ingest.blockcheck import assert_same, fast_blocks

START = dt.datetime(2026, 10, 14, 14, 0, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _general(general_formats):
    """Every test here compares with the general way (see ``conftest.general_formats``)."""


def _iso(t: dt.datetime, layout: str) -> str:
    if layout == "micros+offset":  # rsyslog's RSYSLOG_FileFormat
        return t.astimezone(dt.timezone(dt.timedelta(hours=2))).isoformat(timespec="microseconds")
    if layout == "millis Z":
        return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"
    if layout == "seconds, no zone":  # read in tz=
        return t.strftime("%Y-%m-%dT%H:%M:%S")
    raise AssertionError(layout)


def _line(i: int, layout: str) -> str:
    t = START + dt.timedelta(seconds=i * 1.37, microseconds=i * 7)
    pri = f"<{(i * 5) % 192}>" if i % 4 == 0 else ""
    pid = f"[{1000 + i % 7}]" if i % 3 else ""
    message = (
        "LOG:  checkpoint starting", "ERROR: deadlock detected", f"order {i} ünï took 0.3 s",
        "[warn] upstream slow", "Failed password for root from 203.0.113.9 port 22 ssh2",
    )[i % 5]  # fmt: skip
    return f"{pri}{_iso(t, layout)} web-{i % 3} app-{i % 2}{pid}: {message}\n"


LAYOUTS = ("micros+offset", "millis Z", "seconds, no zone")


@pytest.mark.parametrize("layout", LAYOUTS)
def test_iso_blocks_are_read_as_the_general_way_reads_them(tmp_path, layout):
    path = tmp_path / "messages"
    path.write_text("".join(_line(i, layout) for i in range(600)), encoding="utf-8")
    tz = "Europe/Berlin" if layout == "seconds, no zone" else None
    assert fast_blocks(path, "syslog-rfc3164", tz=tz) > 30
    frame = assert_same(path, "syslog-rfc3164", tz=tz)
    assert len(frame) == 600
    first = START.astimezone(dt.UTC) - (dt.timedelta(hours=2) if tz else dt.timedelta(0))
    assert frame["timestamp"].iloc[0] == pd.Timestamp(first).floor(
        "s" if layout == "seconds, no zone" else "ms" if layout == "millis Z" else "us"
    )
    assert set(frame["severity"].dropna()) >= {"info", "error", "warning"}


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(lambda line: line.replace(" app-", " app -"), id="no program tag"),
        pytest.param(lambda line: line + "\n", id="blank line"),
        pytest.param(lambda line: line + " \t \n", id="a line of white space"),
        pytest.param(lambda line: line.replace("2026-10-14", "2026-13-14"), id="month 13"),
        pytest.param(lambda line: "Oct 14 14:05:00 " + line.split(" ", 1)[1], id="a BSD time"),
        pytest.param(lambda line: line.replace("+02:00", "", 1), id="a time without its zone"),
    ],
)
def test_a_spoilt_line_sends_its_block_the_general_way(tmp_path, spoil):
    lines = [_line(i, "micros+offset") for i in range(600)]
    clean = tmp_path / "clean"
    clean.write_text("".join(lines), encoding="utf-8")
    lines[300] = spoil(lines[300])
    path = tmp_path / "messages"
    path.write_text("".join(lines), encoding="utf-8")
    assert fast_blocks(path, "syslog-rfc3164") == fast_blocks(clean, "syslog-rfc3164") - 1
    frame = assert_same(path, "syslog-rfc3164", year=2026)
    report = frame.attrs["import_report"].files[0]
    assert report.lines_read == report.rows + sum(report.rejects.values())


def test_bsd_times_go_the_general_way(tmp_path):
    path = tmp_path / "syslog"
    path.write_text(
        "".join(f"Oct 14 14:{i // 60 % 60:02d}:{i % 60:02d} web-1 app[7]: event {i}\n"
                for i in range(600)),
        encoding="utf-8",
    )  # fmt: skip
    assert fast_blocks(path, "syslog-rfc3164") == 0
    assert_same(path, "syslog-rfc3164", year=2026)


def test_a_dst_repeat_goes_the_general_way(tmp_path):
    # Berlin's clock goes back at 03:00 on 2026-10-25: 02:00-03:00 happens twice
    t = dt.datetime(2026, 10, 25, 1, 30)
    lines = [f"{t + dt.timedelta(seconds=7 * i):%Y-%m-%dT%H:%M:%S} db-1 pg[3]: step {i}\n"
             for i in range(900)]  # fmt: skip
    path = tmp_path / "messages"
    path.write_text("".join(lines), encoding="utf-8")
    fast = fast_blocks(path, "syslog-rfc3164", tz="Europe/Berlin")
    assert 0 < fast < 20  # the blocks before and after the repeated hour only
    frame = assert_same(path, "syslog-rfc3164", tz="Europe/Berlin")
    notes = frame.attrs["import_report"].files[0].notes
    assert any("fall in a DST repeat in Europe/Berlin" in note for note in notes)
    assert frame["time_note"].notna().sum() > 400  # flagged, by the general way

"""The syslog fast block reader (``syslogblock.read_syslog_block``, blocks of ISO 8601 or
BSD times) gives exactly what the general way gives, BSD years across New Year too; each
file is also checked to go the fast way where it should (or not), so that the comparison is
never between two runs of the general way."""

from __future__ import annotations

import collections
import datetime as dt
import os
import re
from pathlib import Path

import pandas as pd
import pytest

from postmortem_kit.ingest.chunks import number_lines
from postmortem_kit.ingest.importreport import FileReport
from postmortem_kit.ingest.registry import ParseContext, get_format
from postmortem_kit.ingest.source import RawFile, split_lines
from tests.ingest.blockcheck import BLOCK, assert_same, fast_blocks

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


def _bsd(t: dt.datetime, i: int, frac: bool = False) -> str:
    stamp = f"{t:%b} {t.day:2d} {t:%H:%M:%S}" + (f".{t.microsecond // 1000:03d}" if frac else "")
    pri = f"<{(i * 5) % 192}>" if i % 4 == 0 else ""
    pid = f"[{1000 + i % 7}]" if i % 3 else ""
    message = ("LOG:  checkpoint starting", "ERROR: deadlock detected", f"order {i} ünï",
               "Failed password for root from 203.0.113.9 port 22 ssh2")[i % 4]  # fmt: skip
    return f"{pri}{stamp} web-{i % 3} app-{i % 2}{pid}: {message}\n"


def _bsd_file(path: Path, start: dt.datetime, step: dt.timedelta, n: int, **kw) -> Path:
    path.write_text("".join(_bsd(start + i * step, i, **kw) for i in range(n)), encoding="utf-8")
    return path


def _bsd_reads(path: Path, ahead: int = 1, **options) -> tuple[int, int]:
    """How many blocks of a BSD syslog file the fast reader reads and keeps, and how many it
    reads but its ``commit`` turns away, with each block handed out ``ahead`` blocks before
    the parser thread gets to it, in the reader's order: a block's rows are committed, then
    the next block is handed out (so it knows the state of the blocks up to the one before
    the ``ahead`` in flight). A block the fast reader turns down, or whose commit fails, is
    parsed the general way, which moves the year on; the first is always parsed so."""
    data = path.read_bytes()
    ctx = ParseContext(
        name=path.name, tz=options.get("tz"), year=options.get("year"),
        last_known=options.get("last_known", dt.date.today()),
        report=FileReport(path.name), raw=RawFile(path, path.name, b""),
    )  # fmt: skip
    fmt = get_format("syslog-rfc3164")
    starts = [0]
    while starts[-1] < len(data):
        end = data.find(b"\n", starts[-1] + BLOCK)
        starts.append(len(data) if end < 0 else end + 1)
    blocks = [data[a:b] for a, b in zip(starts, starts[1:], strict=False)]
    numbers = [1 + data.count(b"\n", 0, a) for a in starts]
    kept = turned = 0
    flight: collections.deque = collections.deque()
    for i, block in enumerate(blocks):
        flight.append(fmt.read_block(block, first_line=numbers[i], ctx=ctx) if i else None)
        if len(flight) <= ahead and i + 1 < len(blocks):
            continue
        while flight and (len(flight) > ahead or i + 1 == len(blocks)):
            k = i - len(flight) + 1
            rows = flight.popleft()
            if rows is not None and rows.commit(ctx):
                kept += 1
                continue
            turned += rows is not None
            lines, _ = split_lines(blocks[k])
            fmt.parse(number_lines(lines, numbers[k]), ctx)
    return kept, turned


@pytest.mark.parametrize(
    ("case", "options", "frac"),
    [
        ("year given", {"year": 2026}, False),
        ("year from the file date", {}, False),
        ("read in a zone", {"year": 2026, "tz": "America/New_York"}, False),
        ("milliseconds", {"year": 2026}, True),
    ],
)
def test_bsd_blocks_are_read_as_the_general_way_reads_them(tmp_path, case, options, frac):
    # single-digit days too (``Nov  2``): 3 s a line from Oct 31 22:00 (no DST change there)
    start = dt.datetime(2026, 10, 31, 22, 0, 0, 250_000)
    path = _bsd_file(tmp_path / "syslog", start, dt.timedelta(seconds=3.001), 900, frac=frac)
    kept, turned = _bsd_reads(path, **options)
    assert kept > 40 and turned == 0
    frame = assert_same(path, "syslog-rfc3164", **options)
    assert len(frame) == 900
    first = pd.Timestamp(start.replace(microsecond=250_000 if frac else 0))
    zone = options.get("tz", "UTC")
    assert frame["timestamp"].iloc[0] == first.tz_localize(zone).tz_convert("UTC")
    if "year" not in options:
        note = frame.attrs["import_report"].files[0].notes
        assert any("inferred from the file date" in n for n in note)


def test_a_new_year_in_a_block_in_flight_is_read_again(tmp_path):
    # 90 s a line across two New Years: the block after each is read in the old year
    start = dt.datetime(2025, 12, 31, 23, 0, 0)
    lines = [_bsd(start + dt.timedelta(seconds=90 * i), i) for i in range(300)]
    later = dt.datetime(2026, 12, 31, 23, 30, 0)
    lines += [_bsd(later + dt.timedelta(seconds=90 * i), i) for i in range(300)]
    path = tmp_path / "syslog"
    path.write_text("".join(lines), encoding="utf-8")
    kept, turned = _bsd_reads(path, ahead=1, year=2025)
    assert turned == 0 and kept > 20  # one block ahead: each knows the blocks before it
    kept, turned = _bsd_reads(path, ahead=3, year=2025)
    assert turned >= 2 and kept > 20  # blocks handed out before the New Year was read
    frame = assert_same(path, "syslog-rfc3164", year=2025)
    years = frame["timestamp"].dt.year
    assert (years.iloc[:40] == 2025).all() and (years.iloc[-40:] == 2027).all()
    assert years.is_monotonic_increasing
    assert "2 rollover(s) at New Year" in frame.attrs["import_report"].files[0].notes[-1]


def test_a_year_inferred_wrongly_at_first_is_read_again_fast(tmp_path):
    # Jan 2026 to Jan 2027, the file dated Feb 2027: its first block says 2027 (January is
    # before the file date), the whole file 2026, so it is read again from that year
    start = dt.datetime(2026, 1, 5)
    path = _bsd_file(tmp_path / "syslog", start, dt.timedelta(hours=9), 1100)
    stamp = dt.datetime(2027, 2, 1, tzinfo=dt.UTC).timestamp()
    os.utime(path, (stamp, stamp))
    kept, _ = _bsd_reads(path, last_known=dt.date(2027, 2, 1))
    assert kept > 40
    frame = assert_same(path, "syslog-rfc3164")
    assert frame["timestamp"].iloc[0] == pd.Timestamp(start, tz="UTC")
    assert frame["timestamp"].iloc[-1].year == 2027


@pytest.mark.parametrize(("month", "rolls"), [(7, False), (8, True)])
def test_a_month_back_is_a_new_year_from_seven_back(tmp_path, month, rolls):
    # a line in January among lines of July (six back: out of order) or August (seven
    # back: a New Year, as the general way has it)
    start = dt.datetime(2026, month, 10, 8, 0, 0)
    lines = [_bsd(start + dt.timedelta(seconds=3 * i), i) for i in range(600)]
    lines[300] = re.sub(r"[A-Z][a-z]{2} +\d+", "Jan 15", lines[300], count=1)
    path = tmp_path / "syslog"
    path.write_text("".join(lines), encoding="utf-8")
    assert _bsd_reads(path, year=2026)[0] > 30
    frame = assert_same(path, "syslog-rfc3164", year=2026)
    assert frame["timestamp"].iloc[-1].year == 2026 + rolls


@pytest.mark.parametrize(
    ("spoil", "options"),
    [
        pytest.param(
            lambda line: re.sub(r"Nov +\d+", "Nov 31", line, count=1),
            {"year": 2026},
            id="no Nov 31",
        ),
        pytest.param(
            lambda line: re.sub(r"Nov +\d+ ([\d:]+)", r"2026-11-01T\1Z", line, count=1),
            {"year": 2026},
            id="an ISO time",
        ),
        pytest.param(
            lambda line: line.replace(" app-", " app -"), {"year": 2026}, id="no program tag"
        ),
        pytest.param(lambda line: line + "\n", {"year": 2026}, id="blank line"),
    ],
)
def test_a_spoilt_bsd_line_sends_its_block_the_general_way(tmp_path, spoil, options):
    start = dt.datetime(2026, 11, 1, 8, 0, 0)
    lines = [_bsd(start + dt.timedelta(seconds=3 * i), i) for i in range(600)]
    clean = tmp_path / "clean"
    clean.write_text("".join(lines), encoding="utf-8")
    lines[300] = spoil(lines[300])
    assert lines[300] != _bsd(start + dt.timedelta(seconds=900), 300)
    path = tmp_path / "syslog"
    path.write_text("".join(lines), encoding="utf-8")
    assert _bsd_reads(path, **options)[0] == _bsd_reads(clean, **options)[0] - 1
    frame = assert_same(path, "syslog-rfc3164", **options)
    report = frame.attrs["import_report"].files[0]
    assert report.lines_read == report.rows + sum(report.rejects.values())


def test_a_bsd_dst_repeat_goes_the_general_way(tmp_path):
    # New York's clock goes back at 02:00 on 2026-11-01: 01:00-02:00 happens twice
    start = dt.datetime(2026, 11, 1, 0, 30)
    path = _bsd_file(tmp_path / "syslog", start, dt.timedelta(seconds=7), 900)
    options = {"year": 2026, "tz": "America/New_York"}
    kept, _ = _bsd_reads(path, **options)
    assert 0 < kept < _bsd_reads(path, year=2026)[0]
    frame = assert_same(path, "syslog-rfc3164", **options)
    assert frame["time_note"].notna().sum() > 400  # flagged, by the general way


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

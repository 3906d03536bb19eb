"""Zone abbreviations that name more than one zone (IST: India, Israel, Ireland; CST: US
Central, China, Cuba; BST: Britain, Bangladesh). A time marked with one is read as the
zone of ``tz=`` reads it when that zone uses the abbreviation; otherwise by convention
(CST, BST) or as a time without an offset (IST), and the report warns. Expected instants
are worked out here with :mod:`zoneinfo`, not by the reader."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from postmortem_kit.ingest import load_logs

UTC = dt.UTC


def _utc(local: dt.datetime, zone: str | dt.tzinfo) -> pd.Timestamp:
    tzinfo = ZoneInfo(zone) if isinstance(zone, str) else zone
    return pd.Timestamp(local.replace(tzinfo=tzinfo).astimezone(UTC))


#: What ``date`` writes (ctime with the zone): Mon Oct 14 14:07:00 CST 2019
def _ctime(t: dt.datetime, abbr: str) -> str:
    return f"{t:%a %b} {t.day:2d} {t:%H:%M:%S} {abbr} {t.year}"


STARTS = [dt.datetime(2019, 10, 14, 14, 7, 0), dt.datetime(2019, 1, 20, 3, 30, 5)]


@pytest.mark.parametrize(
    ("abbr", "tz", "zone"),
    [
        ("CST", "Asia/Shanghai", "Asia/Shanghai"),
        ("CST", "America/Chicago", dt.timezone(dt.timedelta(hours=-6))),
        ("CST", None, dt.timezone(dt.timedelta(hours=-6))),  # by convention, with a warning
        ("IST", "Asia/Kolkata", "Asia/Kolkata"),
        ("IST", "Asia/Jerusalem", dt.timezone(dt.timedelta(hours=2))),
        ("IST", None, UTC),  # no offset: ASSUMED UTC
        ("IST", "Europe/Berlin", "Europe/Berlin"),  # no offset: read in the zone given
        ("BST", None, dt.timezone(dt.timedelta(hours=1))),
    ],
)
def test_a_date_style_line_is_read_as_the_zone_that_uses_its_abbreviation(tmp_path, abbr, tz, zone):
    path = tmp_path / "cron.log"
    path.write_text("".join(f"{_ctime(t, abbr)} backup finished rc=0\n" for t in STARTS))
    frame = load_logs(path, tz=tz)
    assert frame["timestamp"].tolist() == sorted(_utc(t, zone) for t in STARTS)
    assert frame["message"].tolist()[0] == "backup finished rc=0"  # the year is not left in it
    report = frame.attrs["import_report"]
    assert report.files[0].lines_read == report.files[0].rows == 2
    settled = tz is not None and tz not in ("Europe/Berlin",)
    cautions = [w for w in report.warnings if f"marked {abbr}, which names more than one" in w]
    assert len(cautions) == (0 if settled else 1)
    notes = [n for n in report.files[0].notes if f"marked {abbr} read as {tz}'s" in n]
    assert len(notes) == (1 if settled else 0)
    assert ("ASSUMED UTC" in str(report)) == (abbr == "IST" and tz is None)


def test_the_year_of_a_date_style_line_is_its_own(tmp_path):
    # before IST was known, such a line fell to the year-less syslog style: the file's year
    path = tmp_path / "cron.log"
    path.write_text("Mon Oct 14 14:07:00 IST 2019 backup finished\n")
    frame = load_logs(path, tz="Asia/Kolkata")
    assert frame["timestamp"].tolist() == [_utc(dt.datetime(2019, 10, 14, 14, 7), "Asia/Kolkata")]
    assert not any("year" in note for note in frame.attrs["import_report"].files[0].notes)


@pytest.mark.parametrize(
    ("tz", "offset"), [("Asia/Kolkata", 5.5), ("Asia/Jerusalem", 2), ("Europe/Dublin", 1)]
)
def test_a_postgres_log_in_ist(tmp_path, tz, offset):
    # log_timezone = 'Asia/Kolkata' makes PostgreSQL write IST after each time
    t0 = dt.datetime(2026, 7, 14, 14, 7, 0, 120000)
    times = [t0 + dt.timedelta(seconds=7 * i) for i in range(50)]
    path = tmp_path / "postgresql.log"
    path.write_text(
        "".join(
            f"{t:%Y-%m-%d %H:%M:%S}.{t.microsecond // 1000:03d} IST [811] ERROR:  deadlock {i}\n"
            for i, t in enumerate(times)
        )
    )
    frame = load_logs(path, tz=tz)
    zone = dt.timezone(dt.timedelta(hours=offset))  # summer: Dublin's IST is +01:00
    assert frame["timestamp"].tolist() == [_utc(t, zone) for t in times]
    assert frame.attrs["import_report"].files[0].format == "postgresql"
    assert frame["message"].iloc[3] == "deadlock 3"


@pytest.mark.parametrize("chunk_bytes", [None, 8192], ids=["whole", "in blocks"])
def test_timestamped_text_in_ist_read_in_blocks(tmp_path, chunk_bytes):
    t0 = dt.datetime(2026, 10, 14, 23, 50, 0)
    times = [t0 + dt.timedelta(milliseconds=731 * i) for i in range(3000)]
    lines = [
        f"{t:%Y-%m-%d %H:%M:%S},{t.microsecond // 1000:03d} IST INFO [worker-{i % 4}] tick {i}\n"
        for i, t in enumerate(times)
    ]
    path = tmp_path / "app.log"
    path.write_text("".join(lines))
    frame = load_logs(path, tz="Asia/Kolkata", chunk_bytes=chunk_bytes)
    assert frame["timestamp"].tolist() == [_utc(t, "Asia/Kolkata") for t in times]
    assert frame["severity"].unique().tolist() == ["info"]
    assert frame["message"].iloc[9].endswith("tick 9")
    report = frame.attrs["import_report"]
    assert report.warnings == []
    assert report.files[0].notes == [
        "3,000 time(s) marked IST read as Asia/Kolkata's IST (+05:30), one of the zones it "
        "names (India +05:30, Israel +02:00, Irish Summer Time +01:00)"
    ]

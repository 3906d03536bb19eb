"""Slash dates written day first (14/10/2026) or month first (10/14/2026): each file is read
one way only, the way its lines show, else month first with a note, or as ``dayfirst=``
says."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
from click.testing import CliRunner

from postmortem_kit.cli import main as cli
from postmortem_kit.errors import OptionsError
from postmortem_kit.ingest import load_logs
from postmortem_kit.report.model import Source

START = dt.datetime(2026, 10, 2, 22, 0, 0)  # from 2 October into the 13th and 14th


def _times(
    n: int, step: dt.timedelta = dt.timedelta(minutes=31), start: dt.datetime = START
) -> list[dt.datetime]:
    return [start + i * step for i in range(n)]


def _text(times, *, dayfirst: bool) -> str:
    order = "%d/%m/%Y" if dayfirst else "%m/%d/%Y"
    return "".join(
        f"{t.strftime(order)} {t:%H:%M:%S} INFO request {i}\n" for i, t in enumerate(times)
    )


def _utc(times) -> list[pd.Timestamp]:
    return [pd.Timestamp(t, tz="UTC") for t in times]


def _note(frame) -> list[str]:
    return [n for n in frame.attrs["import_report"].files[0].notes if "slash dates" in n]


@pytest.mark.parametrize("dayfirst", [True, False], ids=["day first", "month first"])
def test_a_day_past_the_12th_tells_the_order(tmp_path, dayfirst):
    times = _times(600, start=dt.datetime(2026, 10, 12, 22, 0))  # the 13th in the first lines
    path = tmp_path / "app.log"
    path.write_text(_text(times, dayfirst=dayfirst), encoding="utf-8")
    frame = load_logs(path, format="text")
    assert list(frame["timestamp"]) == _utc(times)
    assert not _note(frame)
    assert frame.attrs["import_report"].files[0].balanced


def test_dates_that_read_either_way_are_month_first_with_a_note(tmp_path):
    times = _times(40)  # 2 to 3 October: 02/10/2026 and 03/10/2026 only
    path = tmp_path / "app.log"
    path.write_text(_text(times, dayfirst=True), encoding="utf-8")
    guessed = load_logs(path, format="text")
    assert guessed["timestamp"].iloc[0] == pd.Timestamp("2026-02-10T22:00:00Z")  # 10 February
    assert len(_note(guessed)) == 1 and "dayfirst=True" in _note(guessed)[0]
    told = load_logs(path, format="text", dayfirst=True)
    assert list(told["timestamp"]) == _utc(times)
    assert not _note(told)


def test_a_later_day_first_date_is_rejected_not_read_the_other_way(tmp_path):
    # the file's first lines are all ambiguous: month first; a later 14/10 is not a date then
    times = _times(300, dt.timedelta(minutes=1)) + [dt.datetime(2026, 10, 14, 9, 0, 0)]
    path = tmp_path / "app.log"
    path.write_text(_text(times, dayfirst=True), encoding="utf-8")
    frame = load_logs(path, format="text")
    report = frame.attrs["import_report"].files[0]
    assert report.rejects == {"timestamp not understood": 1} and report.balanced
    assert report.examples["timestamp not understood"][0][1].startswith("14/10/2026 09:00:00")


def test_json_and_csv_values_are_read_one_way(tmp_path):
    # sniffed day first on the first values (a 13th): a later 03/04/2026 is 3 April, and
    # 10/14/2026 is no date (not 14 October read month first)
    stamps = ["13/10/2026 10:00:00"] * 5 + ["03/04/2026 11:00:00", "10/14/2026 12:00:00"]
    path = tmp_path / "app.jsonl"
    path.write_text(
        "".join(json.dumps({"time": s, "msg": f"m{i}"}) + "\n" for i, s in enumerate(stamps))
    )
    frame = load_logs(path, format="json").sort_values("provenance")
    assert frame["timestamp"].iloc[-1] == pd.Timestamp("2026-04-03T11:00:00Z")
    rejects = frame.attrs["import_report"].files[0].rejects
    assert rejects == {"timestamp not understood": 1}
    # a slash date among ISO ones: dayfirst= says which way
    mixed = tmp_path / "mixed.jsonl"
    iso_first = ["2026-10-13T10:00:00Z"] * 5 + ["03/04/2026 11:00:00"]
    mixed.write_text(
        "".join(json.dumps({"time": s, "msg": f"m{i}"}) + "\n" for i, s in enumerate(iso_first))
    )
    for dayfirst, day in ((True, "2026-04-03"), (False, "2026-03-04"), (None, "2026-03-04")):
        frame = load_logs(mixed, format="json", dayfirst=dayfirst)
        assert pd.Timestamp(f"{day}T11:00:00Z") in set(frame["timestamp"])
        said = [n for n in frame.attrs["import_report"].files[0].notes if "slash date" in n]
        if dayfirst is None:  # the ISO times could not tell: say so
            assert len(said) == 1 and said[0].startswith("1 slash date(s) among the other")
        else:
            assert not said
    csv = tmp_path / "events.csv"
    csv.write_text("time,message\n" + "".join(f"{s},m{i}\n" for i, s in enumerate(stamps)))
    frame = load_logs(csv, format="csv")
    assert pd.Timestamp("2026-04-03T11:00:00Z") in set(frame["timestamp"])
    assert pd.Timestamp("2026-03-04T11:00:00Z") not in set(frame["timestamp"])


def test_dayfirst_is_checked_and_reaches_the_cli_and_sources(tmp_path):
    with pytest.raises(OptionsError, match="dayfirst= must be True, False or None"):
        load_logs(tmp_path, dayfirst="yes")
    path = tmp_path / "app.log"
    path.write_text(_text(_times(40), dayfirst=True), encoding="utf-8")
    out = tmp_path / "out.parquet"
    result = CliRunner().invoke(cli, ["import-logs", str(path), "--dayfirst", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert pd.read_parquet(out)["timestamp"].min() == pd.Timestamp("2026-10-02T22:00:00Z")
    assert Source(name="app", kind="logs", path="app.log", dayfirst=True).dayfirst is True
    with pytest.raises(ValueError, match="dayfirst is for logs sources"):
        Source(name="chat", kind="events", path="slack", dayfirst=True)

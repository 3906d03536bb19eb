"""logfmt: known keys read straight out of each line, and the lines where that could be wrong
(a key inside a quoted value, a repeated key, an ``=`` inside a value, a new key) read pair by
pair, in one block and across many."""

from __future__ import annotations

import pandas as pd
import pytest

from postmortem_kit.ingest import load_logs

LINES = [
    'time=2026-10-14T14:07:00Z level=info msg="started" a=1',
    # a known key (level) inside a quoted value, after the real one
    'time=2026-10-14T14:07:01Z level=warn msg="user said level=debug" a=2',
    # a known key (a) only inside a quoted value: the line has no real a
    'time=2026-10-14T14:07:02Z level=info msg="x a=9"',
    # a repeated key: the first pair wins
    "time=2026-10-14T14:07:03Z level=error level=info msg=dup a=4",
    # an = inside an unquoted value
    "time=2026-10-14T14:07:04Z level=info msg=url a=http://h/?q=1",
    "no pairs on this line",
    # a key first seen late in the file
    "time=2026-10-14T14:07:05Z level=info msg=late a=6 region=eu",
    'time=2026-10-14T14:07:06Z level=info msg="esc \\"q\\" C:\\\\t" a=7 region=us',
]


@pytest.mark.parametrize("chunk_bytes", [1 << 20, 96])
def test_logfmt_values_where_direct_reading_could_be_fooled(tmp_path, chunk_bytes):
    path = tmp_path / "svc.log"
    path.write_text("\n".join(LINES) + "\n", encoding="utf-8")
    frame = load_logs(path, chunk_bytes=chunk_bytes)
    report = frame.attrs["import_report"].files[0]
    assert report.format == "logfmt"
    assert report.lines_read == 8 and report.rows == 7 and report.balanced
    assert report.examples["no key=value pairs"][0][0] == f"{path}:6"
    assert list(frame["message"]) == [
        "started", "user said level=debug", "x a=9", "dup", "url", "late", 'esc "q" C:\\t',
    ]  # fmt: skip
    assert list(frame["severity_raw"]) == ["info", "warn", "info", "error", "info", "info", "info"]
    a = frame["a"].tolist()
    assert a[:2] == ["1", "2"] and pd.isna(a[2])
    assert a[3:] == ["4", "http://h/?q=1", "6", "7"]
    region = frame["region"].tolist()
    assert all(pd.isna(v) for v in region[:5]) and region[5:] == ["eu", "us"]
    assert list(frame["provenance"]) == [f"{path}:{n}" for n in (1, 2, 3, 4, 5, 7, 8)]


def test_logfmt_key_known_from_an_earlier_block_is_read_in_later_ones(tmp_path):
    rows = [
        f"time=2026-10-14T14:{i // 60:02d}:{i % 60:02d}Z level=info msg=m{i} n={i}"
        + (f" extra={i}" if i % 50 == 49 else "")
        for i in range(400)
    ]
    path = tmp_path / "many.log"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    frame = load_logs(path, chunk_bytes=512)
    assert len(frame) == 400
    assert frame["n"].tolist() == [str(i) for i in range(400)]
    extra = frame["extra"]
    assert extra.notna().sum() == 8
    assert extra.iloc[49] == "49" and extra.iloc[399] == "399"
    assert frame["message"].iloc[250] == "m250"


#: Lines shaped like the first one (same keys, same order) are read by one regex for the
#: whole line; those where that could differ from reading pair by pair go the careful way.
SHAPED = [
    'time=2026-10-14T14:07:00Z level=info msg="started" a=1',
    # an empty value and escaped quotes inside a quoted one
    'time=2026-10-14T14:07:01Z level= msg="q \\"x\\" C:\\\\t" a=2',
    # text right after a closing quote: the quoted part is the value
    'time=2026-10-14T14:07:02Z level=info msg="a"b a=3',
    # white space around the line, tabs between pairs
    "  time=2026-10-14T14:07:03Z level=info msg=plain a=4  ",
    "time=2026-10-14T14:07:04Z\tlevel=warn\tmsg=tabs\ta=5",
    # an = inside a quoted value; keys in another order; an unterminated quote
    'time=2026-10-14T14:07:05Z level=info msg="x=y" a=6',
    "time=2026-10-14T14:07:06Z level=info a=7 msg=reordered",
    'time=2026-10-14T14:07:07Z level=info msg="unterminated a=8',
    # a quote inside a bare value, an empty last value, a new key
    'time=2026-10-14T14:07:08Z level=info msg=x"y a=',
    'time=2026-10-14T14:07:09Z level=info msg="" a=10 b=new',
    # a no-break space ends a bare value, as any white space does (the word after it is not
    # part of msg), also when every pair is separated by plain spaces
    "time=2026-10-14T14:07:10Z level=info msg=nbsp\u00a0word a=11",
]


@pytest.mark.parametrize("chunk_bytes", [1 << 20, 120])
def test_logfmt_lines_shaped_like_the_first_read_as_pair_by_pair(tmp_path, chunk_bytes):
    path = tmp_path / "shaped.log"
    path.write_text("\n".join(SHAPED) + "\n", encoding="utf-8")
    frame = load_logs(path, chunk_bytes=chunk_bytes)
    assert frame.attrs["import_report"].files[0].rows == len(SHAPED)
    assert list(frame["message"]) == [
        "started", 'q "x" C:\\t', "a", "plain", "tabs", "x=y", "reordered", '"unterminated',
        'x"y', "", "nbsp",
    ]  # fmt: skip
    assert list(frame["severity_raw"]) == ["info", "", "info", "info", "warn"] + ["info"] * 6
    assert list(frame["a"]) == ["1", "2", "3", "4", "5", "6", "7", "8", "", "10", "11"]
    assert frame["b"].isna().sum() == 10 and frame["b"].iloc[-2] == "new"
    assert list(frame.columns[-2:]) == ["a", "b"]

"""CSV rows read at once by pyarrow (``csv_rows_at_once``) are the rows the ``csv`` module
reads, or the file goes the ``csv`` module's way: on quoting corner cases, through
``load_logs`` too; and a CSV file read in blocks gives what it gives read whole."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pandas as pd
import polars as pl
import pytest

from postmortem_kit.ingest import load_logs
from postmortem_kit.ingest.csvfile import csv_rows_at_once, read_csv_block
from postmortem_kit.ingest.importreport import FileReport
from postmortem_kit.ingest.registry import ParseContext
from postmortem_kit.ingest.source import RawFile

HEADER = "time,service,message"
ROWS = {
    "plain": "2026-10-14T14:07:00Z,api,ok",
    "quoted delimiter": '2026-10-14T14:07:00Z,api,"a, b"',
    "doubled quotes": '2026-10-14T14:07:00Z,api,"say ""hi"""',
    "quotes inside a bare field": '2026-10-14T14:07:00Z,api,b""c',
    "text after the closing quote": '2026-10-14T14:07:00Z,api,"b"c',
    "space before a quote": '2026-10-14T14:07:00Z, "api",x',
    "space after a quote": '2026-10-14T14:07:00Z,"api" ,x',
    "empty quoted": '2026-10-14T14:07:00Z,"",x',
    "empty": "2026-10-14T14:07:00Z,,x",
    "unicode": '2026-10-14T14:07:00Z,ünï,"é, ß"',
    "single quotes": "2026-10-14T14:07:00Z,'api',x",
    "backslash": "2026-10-14T14:07:00Z,a\\,b",
    "backslash quote": '2026-10-14T14:07:00Z,api,"a\\"b"',
    "trailing delimiter": "2026-10-14T14:07:00Z,api,",
    "quote then delimiter inside": '2026-10-14T14:07:00Z,api,"x""," y"',
    "lone quote": '2026-10-14T14:07:00Z,api,5" screen',
    "quoted line break": '2026-10-14T14:07:00Z,api,"line one\nline two"',
    "ragged": "2026-10-14T14:07:00Z,api,x,extra",
    "tab": "2026-10-14T14:07:00Z,api,a\tb",
}

#: Cases that must go the fast way.
USUAL = {
    "plain", "quoted delimiter", "doubled quotes", "empty quoted", "empty", "unicode",
    "single quotes", "trailing delimiter", "tab", "quotes inside a bare field",
}  # fmt: skip


def _frame(text: str) -> pl.DataFrame:
    lines = text.split("\n")
    return pl.DataFrame({"line_no": list(range(1, len(lines) + 1)), "line": lines})


@pytest.mark.parametrize("case", sorted(ROWS))
def test_at_once_reads_what_the_csv_module_reads(case):
    text = "\n".join([HEADER, ROWS["plain"], ROWS[case], ROWS["plain"]])
    lines = _frame(text)
    got = csv_rows_at_once(lines.slice(1), ",", HEADER.split(","))
    want = list(csv.reader(io.StringIO(text)))[1:]
    if got is None:  # declined (an odd number of quotes, a ragged row): the csv module's way
        assert case not in USUAL, f"{case}: a usual file went the slow way"
        return
    records, kept = got
    assert records.rows() == [tuple(r) for r in want]
    assert kept["line"].to_list() == [",".join(r) for r in want]
    assert kept["line_no"].to_list() == [2, 3, 4]


@pytest.mark.parametrize("case", sorted(ROWS))
def test_load_logs_reads_each_case_as_the_csv_module_does(tmp_path, case):
    path = tmp_path / "events.csv"
    path.write_text("\n".join([HEADER, ROWS["plain"], ROWS[case], ROWS["plain"]]) + "\n")
    frame = load_logs(path, format="csv")
    report = frame.attrs["import_report"].files[0]
    assert report.balanced
    rows = [r for r in list(csv.reader(io.StringIO(path.read_text())))[1:] if len(r) == 3]
    assert sorted(frame["message"].fillna("")) == sorted(r[2] for r in rows)


def _csv_file(tmp_path, rows: list[str], name: str = "big.csv"):
    path = tmp_path / name
    path.write_text(HEADER + "\n" + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def _same_in_blocks(path, block: int):
    whole = load_logs(path, format="csv", chunk_bytes=1 << 26)
    blocks = load_logs(path, format="csv", chunk_bytes=block)
    pd.testing.assert_frame_equal(blocks, whole, check_exact=True)
    a, b = (f.attrs["import_report"].files[0] for f in (blocks, whole))
    for field in ("lines_read", "rows", "rejects", "examples", "continuation_lines", "notes"):
        assert getattr(a, field) == getattr(b, field), field
    assert a.balanced
    return blocks


def _row(i: int) -> str:
    return f'2026-10-14T14:{i // 60 % 60:02d}:{i % 60:02d}Z,api-{i % 3},"event {i}, ok"'


def test_csv_in_blocks_equals_csv_read_whole(tmp_path):
    path = _csv_file(tmp_path, [_row(i) for i in range(2000)])
    frame = _same_in_blocks(path, 4096)
    report = frame.attrs["import_report"].files[0]
    assert report.rows == 2000 and report.rejects == {"CSV header row (column names)": 1}
    assert frame["provenance"].iloc[0] == f"{path}:2"


@pytest.mark.parametrize(
    "odd",
    [
        pytest.param('2026-10-14T15:00:00Z,api,"two\nlines"', id="quoted line break"),
        pytest.param('2026-10-14T15:00:00Z,x"y,"open\nclosed"', id="open quote after a bare one"),
        pytest.param("2026-10-14T15:00:00Z,api,x,extra", id="ragged"),
        pytest.param("", id="blank line"),
    ],
)
@pytest.mark.parametrize("at", [150, 151])
def test_csv_in_blocks_with_an_odd_row_equals_csv_read_whole(tmp_path, odd, at):
    rows = [_row(i) for i in range(300)]
    rows[at] = odd  # blocks of two lines: at one of the two a row of two straddles them
    frame = _same_in_blocks(_csv_file(tmp_path, rows), 64)
    report = frame.attrs["import_report"].files[0]
    assert report.lines_read == report.rows + sum(report.rejects.values()) + (
        report.continuation_lines
    )


def _read_block_takes(text: str) -> bool:
    """Whether the fast reader reads a block of ``text`` once the header is known."""
    ctx = ParseContext(
        name="x.csv", tz=None, year=None, last_known=dt.date.today(), report=FileReport("x"),
        raw=RawFile(Path("x.csv"), "x.csv", b""), state={"csv": (",", HEADER.split(","))},
    )  # fmt: skip
    return read_csv_block(text.encode(), first_line=2, ctx=ctx) is not None


@pytest.mark.parametrize(
    "odd, fast",
    [
        pytest.param(None, True, id="clean"),
        pytest.param('2026-10-14T15:00:00Z,ünï,"é, ß"', True, id="non-ASCII"),
        pytest.param("   ", False, id="white-space line"),
        pytest.param("\t\x0c\r", False, id="tab, form feed and carriage return line"),
        pytest.param(" 2026-10-14T15:00:00Z,api,ok", False, id="a space before a row"),
        pytest.param("2026-10-14T15:00:00Z,api, ok ", True, id="spaces inside a row"),
        pytest.param("\u00a0", False, id="no-break-space line"),
        pytest.param("", False, id="blank line"),
        pytest.param('2026-10-14T15:00:00Z,api,"two\nlines"', False, id="quoted line break"),
        pytest.param('2026-10-14T15:00:00Z,x"y,"open\nclosed"', False, id="open after bare"),
        pytest.param("2026-10-14T15:00:00Z,api,a\rb", False, id="lone carriage return"),
        pytest.param('2026-10-14T15:00:00Z,api,"a\rb"', True, id="quoted carriage return"),
        pytest.param('2026-10-14T15:00:00Z,api,5" screen', True, id="lone quote"),
    ],
)
def test_fast_csv_blocks_equal_the_general_way(tmp_path, general_formats, odd, fast):
    rows = [_row(i) for i in range(300)]
    if odd is not None:
        rows[150] = odd
    path = _csv_file(tmp_path, rows)
    assert _read_block_takes("".join(r + "\n" for r in rows)) == fast
    a = load_logs(path, format="csv", chunk_bytes=2048)
    b = load_logs(path, format="csv-general", chunk_bytes=2048)
    b["format"] = b["format"].cat.rename_categories(["csv"])
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    ra, rb = (f.attrs["import_report"].files[0] for f in (a, b))
    for field in ("lines_read", "rows", "rejects", "examples", "continuation_lines", "notes"):
        assert getattr(ra, field) == getattr(rb, field), field


def test_a_lone_carriage_return_making_up_for_a_row_of_two_lines(tmp_path, general_formats):
    # pyarrow ends a row at a lone carriage return: with a quoted line break elsewhere in the
    # block, its rows are as many as the lines, though not one per line
    rows = [_row(i) for i in range(300)]
    rows[100] = '2026-10-14T15:00:00Z,api,"two\nlines"'
    rows[150] = "2026-10-14T15:00:01Z,api,a\r2026-10-14T15:00:02Z,api,b"
    path = _csv_file(tmp_path, rows)
    assert not _read_block_takes("".join(r + "\n" for r in rows))
    a = load_logs(path, format="csv", chunk_bytes=1 << 20)
    b = load_logs(path, format="csv-general", chunk_bytes=1 << 20)
    b["format"] = b["format"].cat.rename_categories(["csv"])
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert "two\nlines" in set(a["message"])


def test_crlf_csv_goes_the_fast_way(tmp_path, general_formats):
    path = tmp_path / "windows.csv"
    path.write_bytes((HEADER + "\r\n" + "".join(_row(i) + "\r\n" for i in range(300))).encode())
    assert _read_block_takes("".join(_row(i) + "\r\n" for i in range(300)))
    a = load_logs(path, format="csv", chunk_bytes=2048)
    b = load_logs(path, format="csv-general", chunk_bytes=2048)
    b["format"] = b["format"].cat.rename_categories(["csv"])
    pd.testing.assert_frame_equal(a, b, check_exact=True)


def test_odd_csv_lines_are_counted_not_fatal(tmp_path, general_formats):
    # A lone carriage return made the csv module stop the whole file ("new-line character
    # seen in unquoted field"); a field over 131,072 characters (its default limit) did too.
    rows = [_row(i) for i in range(300)]
    rows[100] = "2026-10-14T15:00:00Z,api,a\rb"
    rows[200] = "2026-10-14T15:00:01Z,api," + "x" * 300_000
    path = _csv_file(tmp_path, rows)
    for fmt in ("csv", "csv-general"):
        frame = load_logs(path, format=fmt, chunk_bytes=2048)
        report = frame.attrs["import_report"].files[0]
        assert report.balanced and report.rows == 299
        assert report.rejects["a carriage return inside an unquoted CSV field"] == 1
        assert report.examples["a carriage return inside an unquoted CSV field"][0][0] == (
            f"{path}:102"
        )
        assert frame["message"].str.len().max() == 300_000

"""The generic text reader's fast block reader (``textblock.read_text_block``) gives exactly
what the general way gives: stack traces that straddle blocks, spoilt lines, DST repeats,
year-less styles and windows. Each file is also checked to go the fast way where it should,
so that the comparison is never between two runs of the general way."""

from __future__ import annotations

import dataclasses
import datetime as dt
import gzip
import random
from pathlib import Path

import pandas as pd
import polars as pl
import pytest

from postmortem_kit.ingest.chunks import number_lines
from postmortem_kit.ingest.importreport import FileReport
from postmortem_kit.ingest.registry import ParseContext, get_format, register_format
from postmortem_kit.ingest.source import RawFile, split_lines
from postmortem_kit.ingest.text import parse_text
from postmortem_kit.ingest.textblock import read_clean_block
from tests.ingest.blockcheck import BLOCK, assert_same, read

START = dt.datetime(2026, 10, 14, 14, 0, 0)


@pytest.fixture(autouse=True)
def _general(general_formats):
    """Every test here compares with the general way (see ``conftest.general_formats``)."""


def _event(i: int, t: dt.datetime | None = None) -> str:
    t = t or START + dt.timedelta(seconds=i * 1.37)
    level = ("INFO", "WARN", "ERROR", "DEBUG")[i % 4]
    stamp = f"{t:%Y-%m-%d %H:%M:%S},{t.microsecond // 1000:03d}"
    lines = [f"{stamp} {level} [worker-{i % 3}] OrderService: order {i} ünï"]
    if i % 7 == 3:  # a stack trace of a few lines, which blocks cut here and there
        lines += [
            "java.lang.IllegalStateException: pool exhausted",
            *(f"\tat com.shop.Pool.take(Pool.java:{40 + k})" for k in range(i % 5)),
            "Caused by: java.net.SocketTimeoutException: 30 s",
        ]
    return "".join(line + "\n" for line in lines)


def _fast_blocks(path: Path, tz: str | None = None, *, clean: bool = False) -> int:
    """How many of the file's blocks after the first the fast reader reads (``clean``: its
    one-query way for clean blocks, :func:`read_clean_block`), the first read by the general
    parser as the reader does (it chooses the file's style)."""
    data = path.read_bytes()
    ctx = ParseContext(
        name=path.name, tz=tz, year=None, last_known=dt.date.today(),
        report=FileReport(path.name), raw=RawFile(path, path.name, b""),
    )  # fmt: skip
    starts = [0]
    while starts[-1] < len(data):
        end = data.find(b"\n", starts[-1] + BLOCK)
        starts.append(len(data) if end < 0 else end + 1)
    blocks = [data[a:b] for a, b in zip(starts, starts[1:], strict=False)]
    lines, _ = split_lines(blocks[0])
    parse_text(lines.filter(pl.col("line").is_not_null()), ctx)
    fast, line = 0, 1 + blocks[0].count(b"\n")
    for i, block in enumerate(blocks[1:], start=1):
        following = blocks[i + 1].split(b"\n", 1)[0] if i + 1 < len(blocks) else None
        if clean:
            style, _ = ctx.state["text_style"]
            shape = ctx.state["text_shape"]
            rows, _ = read_clean_block(block, first_line=line, ctx=ctx, style=style, shape=shape)
        else:
            read = get_format("text").read_block
            rows = read(block, first_line=line, ctx=ctx, following=following)
        fast += rows is not None
        line += block.count(b"\n")
    return fast


def _write(path: Path, events: list[str]) -> Path:
    path.write_bytes("".join(events).encode())
    return path


def test_stack_traces_across_blocks(tmp_path):
    path = _write(tmp_path / "app.log", [_event(i) for i in range(500)])
    fast = _fast_blocks(path)
    assert fast > 10
    frame = assert_same(path, "text")
    report = frame.attrs["import_report"].files[0]
    assert len(frame) == 500 and report.continuation_lines > 200
    trace = frame[frame["provenance"] == f"{path}:4"].iloc[0]  # event 3, after 3 lines
    assert trace["message"].endswith("Caused by: java.net.SocketTimeoutException: 30 s")
    assert trace["message"].count("\n") == 5 and trace["severity"] == "debug"


@pytest.mark.parametrize(
    "spoil, fewer",
    [
        pytest.param(lambda line: line + "\n", True, id="blank line"),
        pytest.param(lambda line: line.replace("order", "or\udcffder"), True, id="invalid UTF-8"),
        pytest.param(lambda line: line.replace("2026-10-14", "2026-13-14"), True, id="month 13"),
        # a continuation line of the event before: a block still takes it
        pytest.param(lambda line: "no time at all\n", False, id="a line without a time"),
    ],
)
def test_spoilt_lines_go_the_general_way(tmp_path, spoil, fewer):
    events = [_event(i) for i in range(500)]
    clean = _write(tmp_path / "clean.log", events)
    events[250] = spoil(events[250])
    path = tmp_path / "app.log"
    path.write_bytes("".join(events).encode("utf-8", "surrogateescape"))
    assert 10 < _fast_blocks(path) == _fast_blocks(clean) - fewer
    frame = assert_same(path, "text")
    report = frame.attrs["import_report"].files[0]
    assert report.lines_read == report.rows + sum(report.rejects.values()) + (
        report.continuation_lines
    )


def test_lines_before_the_first_event(tmp_path):
    events = ["orphan one\n", "orphan two\n", *(_event(i) for i in range(300))]
    path = _write(tmp_path / "app.log", events)
    assert _fast_blocks(path) > 10
    frame = assert_same(path, "text")
    assert frame.attrs["import_report"].files[0].rejects == {
        "no timestamp, and no event before it to attach to": 2
    }


def test_a_dst_repeat_goes_the_general_way(tmp_path):
    # Berlin's clock goes back at 03:00 on 2026-10-25: 02:00-03:00 happens twice
    clock = [dt.datetime(2026, 10, 25, 1, 0) + dt.timedelta(seconds=15 * i) for i in range(960)]
    naive = [t for t in clock if t.hour < 3] + [t for t in clock if t.hour == 2]
    naive += [t for t in clock if t.hour >= 3]
    path = _write(tmp_path / "app.log", [_event(i, t) for i, t in enumerate(naive)])
    fast = _fast_blocks(path, tz="Europe/Berlin")
    assert 10 < fast < _fast_blocks(path, tz="UTC")
    frame = assert_same(path, "text", tz="Europe/Berlin")
    assert frame["time_note"].notna().sum() == 2 * 240
    lines = frame["provenance"].str.rsplit(":", n=1).str[1].astype(int)
    assert lines.is_monotonic_increasing  # read right, the times only go forward


def test_a_style_without_a_year_goes_the_general_way(tmp_path):
    # years are inferred with state carried from block to block (a New Year's rollover)
    events = [
        f"{START + dt.timedelta(seconds=i):%b %d %H:%M:%S} web-1 app: request {i}\n"
        for i in range(400)
    ]
    path = _write(tmp_path / "app.log", events)
    assert _fast_blocks(path) == 0
    frame = assert_same(path, "text", year=2026)
    assert frame["timestamp"].iloc[0] == pd.Timestamp("2026-10-14T14:00:00Z")


def test_window_on_fast_text_blocks(tmp_path):
    path = _write(tmp_path / "app.log", [_event(i) for i in range(500)])
    window = ("2026-10-14T14:03:00Z", "2026-10-14T14:05:00Z")
    assert _fast_blocks(path) > 10
    frame = assert_same(path, "text", window=window)
    assert 0 < len(frame) < 500 and frame["timestamp"].min() >= pd.Timestamp(window[0])


def test_the_first_blocks_are_read_the_fast_way_too(tmp_path):
    """The reader chooses the file's style on its first block before it hands any block
    out (``LogFormat.prime``), so the first blocks too are read by ``read_block``, in the
    workers, not left to the general way; a gzipped file, whose format is chosen on that
    block too, as well."""
    fmt = get_format("text")
    taken: list[int] = []

    def counting(data, *, first_line, ctx, following):
        rows = fmt.read_block(data, first_line=first_line, ctx=ctx, following=following)
        if rows is not None:
            taken.append(first_line)
        return rows

    register_format(
        dataclasses.replace(fmt, name="text-counted", aliases=(), read_block=counting),
        replace=True,
    )
    plain = _write(tmp_path / "app.log", [_clean_event("comma millis", i) for i in range(400)])
    packed = tmp_path / "app.log.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    for path in (plain, packed):
        taken.clear()
        frame = read(path, "text-counted")
        assert sorted(taken)[:2] == [1, 1 + _first_block_lines(plain.read_bytes())]
        assert len(frame) == 400
    assert_same(plain, "text")


def _first_block_lines(data: bytes) -> int:
    """Lines in the first block the reader cuts (``BLOCK`` bytes, up to a line break)."""
    return data[: data.find(b"\n", BLOCK - 1) + 1].count(b"\n")


def test_the_fast_reader_takes_no_block_that_an_event_spans(tmp_path):
    path = _write(tmp_path / "app.log", [_event(i) for i in range(500)])
    data = path.read_bytes()
    ctx = ParseContext(
        name=path.name, tz=None, year=None, last_known=dt.date.today(),
        report=FileReport(path.name), raw=RawFile(path, path.name, b""),
    )  # fmt: skip
    lines, _ = split_lines(data)
    parse_text(number_lines(lines, 1), ctx)
    read = get_format("text").read_block
    assert read(data, first_line=1, ctx=ctx, following=None) is not None
    assert read(data, first_line=1, ctx=ctx, following=b"\tat com.shop.Pool.take") is None
    assert read(data, first_line=1, ctx=ctx, following=b"   ") is None
    trace = data.index(b"java.lang")  # a block that starts inside an event
    assert read(data[trace:], first_line=5, ctx=ctx, following=None) is None


#: Layouts of clean lines (every line an event): the time with a fraction after a comma, with
#: an offset or Z, naive and read in Berlin; the level word right after it, or further on.
LAYOUTS = {
    "comma millis": (lambda t, i: f"{t:%Y-%m-%d %H:%M:%S},{t.microsecond // 1000:03d}", None),
    "Z micros": (lambda t, i: f"{t:%Y-%m-%dT%H:%M:%S.%f}Z", None),
    "offset, pipes": (lambda t, i: f"{t:%Y-%m-%dT%H:%M:%S}+02:00 |", None),
    "naive in Berlin": (lambda t, i: f"{t:%Y-%m-%d %H:%M:%S}", "Europe/Berlin"),
    "a word first": (lambda t, i: f"{t:%Y-%m-%d %H:%M:%S} {('web', 'db')[i % 2]}", None),
    "a thread first": (lambda t, i: f"{t:%Y-%m-%d %H:%M:%S},{t.microsecond // 1000:03d}", None),
}


def _clean_event(layout: str, i: int) -> str:
    stamp = LAYOUTS[layout][0](START + dt.timedelta(seconds=i * 1.37), i)
    level = ("INFO", "WARN", "ERROR", "DEBUG", "Notice")[i % 5]
    if layout == "a word first":  # the level is searched for, after the program
        return f"{stamp} app[{i % 50}]: [{level}] order {i} ünï  \n"
    if layout == "a thread first":  # log4j's and logback's usual layout
        return f"{stamp} [worker-{i % 3}] {level} c.s.OrderService - order {i} ünï  \n"
    return f"{stamp} {level} [worker-{i % 3}] OrderService: order {i} ünï  \n"


@pytest.mark.parametrize("layout", LAYOUTS)
def test_clean_blocks_are_read_by_one_query_as_the_general_way_reads_them(tmp_path, layout):
    path = _write(tmp_path / "app.log", [_clean_event(layout, i) for i in range(600)])
    tz = LAYOUTS[layout][1]
    blocks = _fast_blocks(path, tz)
    assert blocks > 20 and _fast_blocks(path, tz, clean=True) == blocks
    frame = assert_same(path, "text", tz=tz)
    assert len(frame) == 600 and frame["message"].str.endswith("ünï").all()
    assert set(frame["severity"]) == {"info", "warning", "error", "debug", "notice"}


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(lambda line: line + "\tat com.shop.Pool.take(Pool.java:40)\n", id="trace"),
        pytest.param(lambda line: line.replace(",", ".", 1), id="another fraction"),
        pytest.param(lambda line: line.replace(" INFO", " UTC INFO", 1), id="a zone word"),
        pytest.param(lambda line: line.replace(" INFO", " 42 INFO", 1), id="a number first"),
    ],
)
def test_a_block_less_clean_goes_the_way_of_the_others(tmp_path, spoil):
    events = [_clean_event("comma millis", i) for i in range(600)]
    events[300] = spoil(events[300])
    path = _write(tmp_path / "app.log", events)
    # the fast reader takes every block, the one-query way all but the spoilt one
    assert _fast_blocks(path, clean=True) == _fast_blocks(path) - 1 > 20
    assert_same(path, "text")


def test_a_line_of_white_space_in_a_clean_block_is_a_blank_line(tmp_path):
    # the one-query way reads lines without making white space null; the block must still
    # go the general way, which rejects the line as blank
    events = [_clean_event("comma millis", i) for i in range(600)]
    events[300] += " \t \n"
    path = _write(tmp_path / "app.log", events)
    assert _fast_blocks(path, clean=True) == _fast_blocks(path) > 20
    frame = assert_same(path, "text")
    report = frame.attrs["import_report"].files[0]
    assert report.rejects == {"blank line": 1} and report.rows == 600


def test_a_level_after_a_colon_in_a_clean_block(tmp_path):
    # a level word right after the time, whatever separates the two (here ":"), is the
    # level: the one-query way reads it as the general way does
    events = [(line := _clean_event("comma millis", i))[:23] + ":" + line[24:] for i in range(600)]
    assert events[0].startswith("2026-10-14 14:00:00,000:INFO [worker-0]")
    path = _write(tmp_path / "app.log", events)
    assert _fast_blocks(path, clean=True) == _fast_blocks(path) > 20
    assert_same(path, "text")


def test_a_dst_repeat_is_no_clean_block(tmp_path):
    clock = [dt.datetime(2026, 10, 25, 1, 0) + dt.timedelta(seconds=15 * i) for i in range(960)]
    naive = [t for t in clock if t.hour < 3] + [t for t in clock if t.hour == 2]
    naive += [t for t in clock if t.hour >= 3]
    events = [f"{t:%Y-%m-%d %H:%M:%S} INFO tick {i}\n" for i, t in enumerate(naive)]
    path = _write(tmp_path / "app.log", events)
    assert 10 < _fast_blocks(path, "Europe/Berlin", clean=True) < _fast_blocks(path, clean=True)
    frame = assert_same(path, "text", tz="Europe/Berlin")
    assert frame["time_note"].notna().sum() == 2 * 240


def test_a_time_out_of_range_first_leaves_later_clean_blocks_clean(tmp_path, monkeypatch):
    from postmortem_kit.ingest import blocktime

    monkeypatch.setattr(blocktime, "_FORMATS", {})  # nothing found for the shape yet
    good = [_clean_event("comma millis", i) for i in range(600)]
    path = _write(tmp_path / "app.log", good)
    bad = _write(tmp_path / "bad.log", [good[0].replace("2026-10-14", "2026-13-14"), *good[1:]])
    ctx = ParseContext(
        name=path.name, tz=None, year=None, last_known=dt.date.today(),
        report=FileReport(path.name), raw=RawFile(path, path.name, b""),
    )  # fmt: skip
    parse_text(split_lines(path.read_bytes())[0], ctx)
    style, _ = ctx.state["text_style"]
    shape = ctx.state["text_shape"]
    for file, taken in ((bad, False), (path, True)):  # the month-13 line first, then clean
        data = file.read_bytes()
        rows, _ = read_clean_block(data, first_line=1, ctx=ctx, style=style, shape=shape)
        assert (rows is not None) is taken


def test_clean_blocks_of_crlf_lines(tmp_path):
    events = [_clean_event("comma millis", i).replace("\n", "\r\n") for i in range(600)]
    path = _write(tmp_path / "app.log", events)
    assert _fast_blocks(path, clean=True) == _fast_blocks(path) > 20
    frame = assert_same(path, "text", window=("2026-10-14T14:03:00Z", "2026-10-14T14:09:00Z"))
    assert 0 < len(frame) < 600 and not frame["message"].str.contains("\r").any()


#: Pieces of random timestamped-text files: time shapes, separators, the words after the
#: time (levels, threads, hosts, zones, numbers, odd spaces) and the rest of the line.
FUZZ_STAMPS = (
    lambda t: f"{t:%Y-%m-%d %H:%M:%S},{t.microsecond // 1000:03d}",
    lambda t: f"{t:%Y-%m-%dT%H:%M:%S}.{t.microsecond:06d}Z",
    lambda t: f"{t:%Y-%m-%dT%H:%M:%S}+02:00",
    lambda t: f"{t:%Y-%m-%d %H:%M:%S}",
    lambda t: f"{t:%d/%b/%Y:%H:%M:%S} +0000",
)
FUZZ_SEPARATORS = (" ", " ", " ", "  ", " - ", " | ", "\t", ": ", ",", " :: ", "] ", ":", " [")
FUZZ_WORDS = (
    "INFO", "WARN", "ERROR", "debug", "Notice", "[main]", "web-1", "UTC", "EST", "42", "+0200",
    "-0500", ".5", ",123", "\u00a0INFO", "\u2003x", "PM", "fatal:", "(x)", "app[12]:", "ünï", "",
    "E", "[ERROR]", "<warn>", "level=info", "[pool ERROR]", "[info]", "[worker-1]",
)  # fmt: skip
FUZZ_TAILS = (
    "", " order 1", " c.s.Svc - did it", "  trailing  ", " [ERROR] later", " ünï ok",
    " INFO c.s.Svc - x", " WARNING", "\tERROR x",
)  # fmt: skip


def _random_file(rnd: random.Random) -> list[str]:
    """A file of one layout (time shape, separator, three words), with some odd lines of
    another (stack trace lines, other shapes, other separators and words), across the hour
    Berlin's clock goes back (02:00-03:00 on 2026-10-25 happens twice)."""
    stamp, sep = rnd.choice(FUZZ_STAMPS), rnd.choice(FUZZ_SEPARATORS)
    words, odd = rnd.sample(FUZZ_WORDS, 3), rnd.random() * 0.03
    t = dt.datetime(2026, 10, 25, 1, 30) + dt.timedelta(seconds=rnd.random() * 100)
    lines = []
    for _ in range(rnd.randint(200, 400)):
        t += dt.timedelta(seconds=rnd.random() * 30)
        if rnd.random() < odd:
            lines.append("\tat com.x.Y(Y.java:1)")
        elif rnd.random() < odd:
            lines.append(rnd.choice(FUZZ_STAMPS)(t) + rnd.choice(FUZZ_SEPARATORS)
                         + rnd.choice(FUZZ_WORDS) + rnd.choice(FUZZ_TAILS))  # fmt: skip
        else:
            lines.append(stamp(t) + sep + rnd.choice(words) + rnd.choice(FUZZ_TAILS))
    return lines


def test_random_files_read_alike_both_ways(tmp_path):
    rnd = random.Random(2041)
    clean = 0
    for case in range(24):
        path = _write(tmp_path / f"app{case}.log", [line + "\n" for line in _random_file(rnd)])
        tz = rnd.choice([None, "Europe/Berlin", "Europe/Berlin", "America/New_York"])
        assert_same(path, "text", tz=tz)
        clean += _fast_blocks(path, tz, clean=True)
    assert clean > 20  # the one-query way was among those compared


@pytest.mark.parametrize(
    ("layout", "strip"),
    [
        ("[{ts}] GC({i}) Pause Young 24M->8M(256M) {i}ms", "[{ts}] "),  # JVM unified logging
        ("({ts}) worker {i} done", "({ts}) "),
        ("<{ts}> worker {i} done", "<{ts}> "),
        ("app-{i} [{ts}] worker done", "[{ts}] "),  # a word before the brackets stays
        ("I, [{ts} #1234]  INFO -- : Completed {i}", "{ts}"),  # Ruby's Logger: not a pair
    ],
)
def test_brackets_around_a_timestamp_go_with_it(tmp_path, layout, strip):
    times = [START + dt.timedelta(seconds=i * 1.37) for i in range(400)]
    stamps = [t.isoformat(timespec="milliseconds") + "Z" for t in times]
    lines = [layout.format(ts=ts, i=i) for i, ts in enumerate(stamps)]
    path = tmp_path / "app.log"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    frame = assert_same(path, "text")
    want = [" ".join(line.replace(strip.format(ts=ts), " ").split()) for line, ts in zip(
        lines, stamps, strict=True)]  # fmt: skip
    got = [" ".join(m.split()) for m in frame["message"]]
    assert got == want

"""NUL padding in text logs (``ingest.padding``): a log truncated in place by logrotate's
copytruncate starts with a run of NUL bytes, and a crash leaves NUL-filled blocks where the
last lines were. Such runs are space, not text: the file is read, not called binary, every
line keeps its number, and the import report says where the padding was. A binary file
(short NUL runs between other bytes) is still refused."""

from __future__ import annotations

import datetime as dt
import gzip
import random
import re

import pandas as pd
import pytest

from postmortem_kit.errors import IngestError
from postmortem_kit.ingest import load_logs
from postmortem_kit.ingest.padding import PADDING_BYTES, drop_padding
from postmortem_kit.ingest.source import check_text

START = dt.datetime(2026, 10, 14, 12, 0, 0)


def _text(i: int) -> str:
    t = START + dt.timedelta(seconds=i)
    return f"{t:%Y-%m-%d %H:%M:%S},{i % 1000:03d} INFO [main] OrderService - order {i}\n"


def _access(i: int) -> str:
    t = START + dt.timedelta(seconds=i)
    request = f"GET /o/{i} HTTP/1.1"
    return f'10.0.0.{i % 9} - - [{t:%d/%b/%Y:%H:%M:%S} +0000] "{request}" 200 {i} "-" "curl"\n'


def _syslog(i: int) -> str:
    t = START + dt.timedelta(seconds=i)
    return f"{t:%b %d %H:%M:%S} web-1 app[{i % 50}]: order {i}\n"


LAYOUTS = {"text": _text, "combined": _access, "syslog-rfc3164": _syslog}


def _reference(text: bytes, first_line: int = 1) -> tuple[bytes, list[tuple[int, int]]]:
    """What dropping the runs from the whole text at once gives: the text, (line, size)."""
    runs = [
        (first_line + text.count(b"\n", 0, m.start()), m.end() - m.start())
        for m in re.finditer(b"\0{%d,}" % PADDING_BYTES, text)
    ]
    return re.sub(b"\0{%d,}" % PADDING_BYTES, b"", text), runs


@pytest.mark.parametrize("seed", range(12))
def test_runs_are_dropped_however_the_text_is_cut(seed):
    rnd = random.Random(seed)
    parts = []
    for i in range(300):
        parts.append(_text(i).encode())
        if rnd.random() < 0.08:  # a run: padding, or short NULs that stay, in or between lines
            size = rnd.choice([1, 7, PADDING_BYTES - 1, PADDING_BYTES, 4096, 70_000])
            parts.insert(rnd.randrange(len(parts) + 1), b"\0" * size)
    if rnd.random() < 0.5:
        parts.append(b"\0" * rnd.choice([3, PADDING_BYTES, 5000]))  # NULs at the very end
    text = b"".join(parts)
    cuts = sorted(rnd.sample(range(1, len(text)), 40))
    chunks = [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True)]
    found: list = []
    kept = b"".join(drop_padding(chunks, 7, found))
    want, runs = _reference(text, 7)
    assert kept == want
    assert found == runs
    assert kept.count(b"\n") == text.count(b"\n")  # every line keeps its number


@pytest.mark.parametrize("fmt", sorted(LAYOUTS))
@pytest.mark.parametrize("lines", [400, 9000], ids=["small file", "over the sniffed head"])
def test_a_log_truncated_in_place_is_read_after_its_padding(tmp_path, fmt, lines):
    text = "".join(LAYOUTS[fmt](i) for i in range(lines)).encode()
    plain = tmp_path / "plain.log"
    plain.write_bytes(text)
    padded = tmp_path / "padded.log"
    with padded.open("wb") as out:  # what copytruncate leaves: a sparse hole, then text
        out.truncate(3 << 20)
        out.seek(3 << 20)
        out.write(text)
    options = {"format": "auto", "year": 2026, "tz": "UTC"}
    a, b = load_logs(plain, **options), load_logs(padded, **options)
    report = b.attrs["import_report"].files[0]
    assert report.format == fmt
    assert report.lines_read == report.rows == lines
    assert any("starts with 3,145,728 NUL bytes of padding" in n for n in report.notes)
    for column in ("timestamp", "message", "severity"):
        pd.testing.assert_series_equal(a[column], b[column])
    assert (
        b["provenance"].str.rsplit(":", n=1).str[1] == a["provenance"].str.rsplit(":", n=1).str[1]
    ).all()
    assert b["provenance"].iloc[0] == f"{padded}:1"


def test_a_window_is_bisected_after_the_padding(tmp_path):
    text = "".join(_access(i) for i in range(20_000)).encode()
    padded = tmp_path / "access.log"
    with padded.open("wb") as out:
        out.truncate(1 << 20)
        out.seek(1 << 20)
        out.write(text)
    window = ("2026-10-14T13:00:00Z", "2026-10-14T13:10:00Z")
    frame = load_logs(padded, window=window, seek_min_bytes=0)
    report = frame.attrs["import_report"].files[0]
    assert any("window found by bisection" in n for n in report.notes)
    assert len(frame) == 601  # 13:00:00 to 13:10:00, a line a second
    assert frame["provenance"].iloc[0] == f"{padded}:3601"


def test_space_a_crash_left_is_removed_and_named(tmp_path):
    lines = [_text(i).encode() for i in range(3000)]
    # in the first 64 KiB, which are checked for a binary file's NUL bytes
    lines[300] = lines[300][:40] + b"\0" * 8192 + lines[301]  # a line cut off, then more
    lines[301] = b"\0" * 4096 + b"\n"  # a line of padding alone: a blank line then
    path = tmp_path / "app.log"
    path.write_bytes(b"".join(lines))
    frame = load_logs(path, tz="UTC")
    report = frame.attrs["import_report"].files[0]
    assert report.lines_read == 3000 == report.rows + sum(report.rejects.values())
    assert report.rejects == {"blank line": 1}
    assert any("12,288 NUL bytes of padding" in n and "line(s) 301, 302" in n for n in report.notes)
    glued = frame.loc[frame["provenance"] == f"{path}:301", "message"].iloc[0]
    assert "\0" not in glued and glued.endswith("order 301")  # both halves kept


def test_a_gzipped_log_with_padding(tmp_path):
    text = "".join(_syslog(i) for i in range(5000)).encode()
    path = tmp_path / "syslog.1.gz"
    path.write_bytes(gzip.compress(b"\0" * (2 << 20) + text))
    frame = load_logs(path, year=2026)
    report = frame.attrs["import_report"].files[0]
    assert report.lines_read == report.rows == 5000
    assert any("2,097,152 NUL bytes of padding" in n and "line(s) 1:" in n for n in report.notes)
    assert frame["message"].iloc[0] == "order 0"


@pytest.mark.parametrize(
    "head",
    [
        pytest.param(b"\x7fELF\x02\x01\x01\x00\x00\x00" + bytes(range(1, 200)), id="ELF"),
        pytest.param(b"\0" * 4096 + b"SQLite format 3\x00\x10\x00", id="padding then binary"),
        pytest.param(b"ok line\n" + b"\0" * (PADDING_BYTES - 1) + b"x\n", id="a short run"),
        pytest.param(b"\0\0\0", id="NUL bytes first, too few for padding"),
    ],
)
def test_binary_files_are_still_refused(tmp_path, head):
    path = tmp_path / "blob.log"
    path.write_bytes(head + b"2026-10-14 12:00:00 INFO x\n" * 50)
    with pytest.raises(IngestError, match="looks binary"):
        load_logs(path)


def test_a_run_across_the_checked_head_is_padding():
    start = (1 << 16) - 100  # a long run that begins just before the 64 KiB checked
    data = b"a\n" * (start // 2) + b"\0" * 4096 + b"b\n"
    check_text(data, "x.log")  # no error
    past = b"a\n" * ((1 << 16) // 2 + 50) + b"c\0d\n"  # a short run just past the 64 KiB
    check_text(past, "x.log")  # not checked: read as text, its line rejected or kept
    with pytest.raises(IngestError, match=f"offset {start}"):
        check_text(data[: start + 10] + b"x" + data[start + 10 :], "x.log")

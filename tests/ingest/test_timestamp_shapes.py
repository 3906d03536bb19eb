"""The generic text reader's one-pass shape pattern (:mod:`postmortem_kit.ingest.tsshape`)
gives, line by line, what its full pattern gives: timestamp, message and level, for lines
of the shape and for every way a line can leave it (zones, fractions, other shapes)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from postmortem_kit.ingest.text import _at_start
from postmortem_kit.ingest.timestamps import STYLE_BY_NAME, sniff_style
from postmortem_kit.ingest.tsshape import (
    SHAPE_STYLES,
    bracket_pattern,
    fast_pattern,
    shape_way,
    timestamp_shape,
)

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"

STAMPS = {
    "iso8601": ["2026-10-14 14:07:19,120", "2026-10-14 09:00:00,001", "2026-10-14T14:07:19.5"],
    "clf": ["14/Oct/2026:14:07:19 -0400", "01/Nov/2026:00:00:00 +0100"],
    "bsd": ["Oct 14 14:07:19", "Oct  4 09:00:55", "Nov 30 23:59:59"],
}
TAILS = [
    " INFO [w-1] OrderService: pool exhausted", " ERROR: boom", "\tWARN\tslow", " - DEBUG - x",
    " [INFO] x", "|INFO|x", " INFO", " ", "", ",x", "\u00a0INFO x", "  INFO  two spaces",
    " EST INFO zone word", " UTC x", " utc x", "EST attached", "Z INFO", "+02:00 INFO",
    " +0200 INFO", "-05:00 INFO", " -05:00 x", ",5 INFO", ".123456789 INFO", ",0401 INFO",
    " INFO2 x", " PM INFO", " GMT", " Z INFO", " warning: lower case", " 123 numbers first",
    " :: INFO", " > ERROR >", " ) INFO", "] INFO",
    # a word of another kind first: a thread, a host, a program (log4j's and syslog's layouts)
    " [main] INFO c.s.OrderService - x", " web-1 api[12]: ERROR x", " (x) INFO", " {json}",
    " \u00a0INFO x", " \u2003", " - 0400 x", " 5 x", " UTC-5 x", " -", "- INFO", " =x", " 'q'",
    # a bracketed thread, then the level word (log4j's and logback's layouts), and every way
    # a level word can be found before that one, or not be found at all
    " [pool ERROR] INFO x", " [info] WARN x", " [x|ERROR] INFO x", " [main-ERROR] INFO x",
    " [<WARN>] INFO x", " [(Fatal)] INFO", " [ERROR]", " [main] ERROR]", " [a]  WARN two",
    " [a]\tERROR", " [a]\u00a0ERROR", " [main] INFO2 x", " [main] c.s.X - ERROR x", " [main]",
    " [main] ", " [] INFO", " [[x] INFO", " [a]] INFO", " - [main] ERROR x", " [main]INFO x",
    " [main] (x) INFO", " [main] info x", " [main] Warning: x", " [main] 42 INFO", " [a] -ERROR",
    " [a]-ERROR x", " [a] | ERROR x",
    *(f" [{'t' * n}] WARNING x" for n in range(105, 114)),  # the level word at the 120th
]  # fmt: skip


def _lines(texts: list[str | None]) -> pl.DataFrame:
    return pl.DataFrame(
        {"line_no": range(1, len(texts) + 1), "line": texts},
        schema={"line_no": pl.Int64, "line": pl.String},
    )


def _same(lines: pl.DataFrame, style, shape: str) -> None:
    fast = _at_start(lines, style, shape)
    full = _at_start(lines, style, None)
    assert fast.columns == full.columns
    for column in full.columns:
        assert fast[column].to_list() == full[column].to_list(), column


def _hits(texts: list[str], pattern: str) -> int:
    found = pl.Series(texts, dtype=pl.String).str.extract_groups(pattern)
    return int(found.struct.field("ts").is_not_null().sum())


@pytest.mark.parametrize("name", sorted(SHAPE_STYLES))
def test_shape_pattern_equals_the_full_pattern_line_by_line(name):
    style = STYLE_BY_NAME[name]
    texts: list[str | None] = [s + t for s in STAMPS[name] for t in TAILS]
    texts += ["    at com.example.Frame.call(Frame.java:12)", "no timestamp", None]
    shape = timestamp_shape([t for t in texts if t], style)
    assert shape is not None
    _same(_lines(texts), style, shape)
    # the ordinary lines take the narrow patterns (else they would be dead weight)
    assert _hits([STAMPS[name][0] + TAILS[0], STAMPS[name][0] + TAILS[1]], fast_pattern(shape)) == 2
    log4j = [STAMPS[name][0] + t for t in (" [main] INFO c.s.OrderService - x", " [a] ERROR")]
    assert _hits(log4j, bracket_pattern(shape)) == 2
    assert [shape_way(shape, line)[0] for line in log4j] == [bracket_pattern(shape)] * 2


def test_styles_with_digit_ranges_get_no_shape():
    for name in ("yymmdd", "md-time", "md-bracket", "epoch"):
        style = STYLE_BY_NAME[name]
        assert timestamp_shape([style.example + " INFO x"], style) is None


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data is absent")
def test_shape_pattern_equals_the_full_pattern_on_real_logs():
    checked = 0
    for path in sorted(SHARED.rglob("*.log")):
        texts = path.read_text(encoding="utf-8", errors="replace").splitlines()[:2000]
        style, _ = sniff_style(texts[:200], limit=160)
        shape = timestamp_shape(texts[:200], style) if style else None
        if shape is None:
            continue
        _same(_lines(texts), style, shape)
        checked += 1
    assert checked >= 3  # loghub's syslog-style and Java-style logs at least

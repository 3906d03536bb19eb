"""The one-pass fast patterns tried before a format's full regex (access logs, RFC 3164
syslog): whatever they match, they split exactly as the full regex does, and they do take
the ordinary lines (else the fast path would be dead weight)."""

from __future__ import annotations

import itertools
import random

import polars as pl
import pytest

from postmortem_kit.ingest import text
from postmortem_kit.ingest.source import split_lines
from tests.conftest import SHARED_DATA

ACCESS_SAMPLES = [
    SHARED_DATA / "formats" / "elastic-beats" / "nginx-access" / "test.log",
    SHARED_DATA / "formats" / "lnav" / "logfile_access_log.0",
    SHARED_DATA / "formats" / "lnav" / "logfile_shop_access_log.0",
]

CLIENTS = ["10.0.0.1", "2001:db8::7", "-", "10.0.0.1, 10.0.0.2", '"10.1.1.1"', "host.example"]
REQUESTS = [
    "GET /api/orders?id=1 HTTP/1.1",
    "POST /login HTTP/2.0",
    'GET /a\\"b HTTP/1.1',
    "GET /path with space HTTP/1.1",
    "",
    "-",
    "\\x16\\x03\\x01",
    "PROPFIND /dav/ HTTP/1.1",
    "GET /only-path",
]
TAILS = [
    "",
    ' "-" "-"',
    ' "https://shop.example/" "Mozilla/5.0 (X11; Linux x86_64)"',
    ' "-" "curl/8.5.0" 0.123',
    ' "-" "agent with \\"quotes\\"" 1.500',
    ' "-" "ua" "203.0.113.9, 10.0.0.1"',
    ' "-" "ua" rt=0.042 uct="0.000"',
    ' "-" "ua" request_time=2.5',
    ' "-" "ua" 0.123 extra',
    ' "-" "ua\\"',
]


def _generated() -> list[str]:
    """Lines crossing every client, request and tail shape (and a few broken ones)."""
    lines = []
    for client, request, tail in itertools.product(CLIENTS, REQUESTS, TAILS):
        status, size = random.Random(f"{client}{request}{tail}").choice(
            [("200", "512"), ("404", "-"), ("502", "0")]
        )
        lines.append(
            f'{client} - frank [10/Oct/2026:13:55:36 -0700] "{request}" {status} {size}{tail}'
        )
    lines += ["not an access log line", '1.2.3.4 - - [x] "GET / HTTP/1.1" 2000 1', ""]
    return lines


def _frame(lines: list[str]) -> pl.DataFrame:
    return split_lines(("\n".join(lines) + "\n").encode())[0]


def _shared_lines(paths: list) -> list[str]:
    """Every line of those of ``paths`` that exist (none when ../shared/data is absent)."""
    out = []
    for path in paths:
        if path.is_file():
            out += path.read_text(encoding="utf-8", errors="replace").splitlines()
    return out


def _assert_same_split(lines: list[str], full: str, fast: str, derive=None) -> None:
    """``fast`` then ``full`` gives, column by column, what ``full`` alone gives (after
    ``derive``, the format's columns from its groups, when given: a fast pattern may leave
    out a group that ``derive`` drops or makes from others)."""
    if not lines:
        pytest.skip("../shared/data is absent")
    frame = _frame(lines)
    fast_then_full = text.extract_lines(frame, full, fast)
    alone = text.extract_lines(frame, full)
    if derive is not None:
        fast_then_full, alone = derive(fast_then_full), derive(alone)
    assert fast_then_full.columns == alone.columns
    for column in alone.columns:
        assert fast_then_full[column].to_list() == alone[column].to_list(), column


def _fast_hits(lines: list[str], fast: str | tuple[str, ...]) -> list[bool]:
    """Which lines ``fast`` (or one of several) matches by itself."""
    patterns = fast if isinstance(fast, tuple) else (fast,)
    hits = _frame(lines).select(
        pl.any_horizontal(
            pl.col("line").str.extract_groups(p).struct.field("ts").is_not_null() for p in patterns
        )
    )
    return hits.to_series().to_list()


@pytest.mark.parametrize("source", ["generated", "shared data"])
def test_the_access_fast_path_splits_every_line_as_the_full_regex_does(source):
    lines = _generated() if source == "generated" else _shared_lines(ACCESS_SAMPLES)
    _assert_same_split(lines, text.ACCESS, text.ACCESS_FAST, text.derive_access)


def test_ordinary_access_lines_take_the_fast_path_and_odd_ones_do_not():
    ordinary = [
        '10.0.0.1 - - [10/Oct/2026:13:55:36 -0700] "GET /a HTTP/1.1" 200 512',
        '10.0.0.1 - - [10/Oct/2026:13:55:36 -0700] "GET /a HTTP/1.1" 200 512 "-" "curl/8"',
        '10.0.0.1 - bob [10/Oct/2026:13:55:36 +0000] "GET /a HTTP/1.1" 502 - "-" "x" 0.250',
    ]
    odd = [
        '10.0.0.1, 10.0.0.2 - - [10/Oct/2026:13:55:36 -0700] "GET /a HTTP/1.1" 200 512',
        '10.0.0.1 - - [10/Oct/2026:13:55:36 -0700] "GET /a HTTP/1.1" 200 512 "-" "x" "1.1.1.1"',
        '10.0.0.1 - - [10/Oct/2026:13:55:36 -0700] "-" 400 0',
    ]
    hits = _fast_hits(ordinary + odd, text.ACCESS_FAST)
    assert hits == [True] * len(ordinary) + [False] * len(odd)
    # and the full regex reads the odd ones
    full = text.extract_lines(_frame(odd), text.ACCESS)
    assert full["ts"].null_count() == 0


SYSLOG_SAMPLES = [
    SHARED_DATA / "loghub" / "Linux" / "Linux_2k.log",
    SHARED_DATA / "loghub" / "OpenSSH" / "OpenSSH_2k.log",
    SHARED_DATA / "formats" / "elastic-beats" / "system-syslog" / "tz-offset.log",
    SHARED_DATA / "formats" / "lnav" / "logfile_syslog.0",
    SHARED_DATA / "formats" / "lnav" / "logfile_syslog_with_mixed_times.0",
]
STAMPS = [
    "Oct 14 14:07:00", "Oct  4 04:07:00.123456", "2026-10-14T14:07:00.5+02:00",
    "2026-10-14T14:07:00Z", "2026-10-14T14:07:00.123456-0400", "2026-10-14T14:07:00",
    "2026-10-14T14:07:00+02", "2026-10-14 14:07:00",
]  # fmt: skip
HOSTS = ["db-1", "höst", "10.0.0.1", "a\tb"]
TAGS = [
    "postgres[123]: ", "sshd(pam_unix)[19939]: ", "kernel: ", "prog[abc]: ", "prog]x: ",
    "prog: ", "prögram[1]: ", "no tag here ", "CRON[7]:", "",
]  # fmt: skip
MESSAGES = ["LOG:  checkpoint", "a: b [c] d=e", "", "trailing space ", "ünïcode \u00a0nbsp"]


def _syslog_generated() -> list[str]:
    lines = [
        f"{pri}{stamp} {host} {tag}{message}"
        for pri, stamp, host, tag, message in itertools.product(
            ["", "<34>"], STAMPS, HOSTS, TAGS, MESSAGES
        )
    ]
    return lines + ["Octo 14 14:07:00 h p: m", "not syslog", "Oct 14 14:07:00"]


@pytest.mark.parametrize("source", ["generated", "shared data"])
def test_the_syslog_fast_path_splits_every_line_as_the_full_regex_does(source):
    lines = _syslog_generated() if source == "generated" else _shared_lines(SYSLOG_SAMPLES)
    _assert_same_split(lines, text.RFC3164, text.RFC3164_FAST)
    for fast in text.RFC3164_FAST:  # each by itself too
        _assert_same_split(lines, text.RFC3164, fast)


def test_ordinary_syslog_lines_take_the_fast_path():
    ordinary = [
        "Oct 14 14:07:00 db-1 postgres[123]: LOG:  checkpoint starting: time",
        "<13>Oct  4 04:07:00 combo sshd(pam_unix)[19939]: authentication failure;",
        "Jun 14 15:16:01 combo kernel: ",
        "2026-10-14T14:07:00.123456+02:00 db-1 postgres[1]: rsyslog's precise stamps",
    ]
    odd = [
        "Oct 14 14:07:00 db-1 a message without a program tag",
        "Oct 14 14:07:00 höst prog: a non-ASCII host",
    ]
    hits = _fast_hits(ordinary + odd, text.RFC3164_FAST)
    assert hits == [True] * len(ordinary) + [False] * len(odd)

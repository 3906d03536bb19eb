"""Reading typed times and dates, and list fields written as Markdown lists."""

from __future__ import annotations

import datetime as dt

import pytest

from postmortem_kit.capture.markdown import items_to_text, render_markdown, text_to_items
from postmortem_kit.capture.timefmt import describe, parse_date, parse_moment

UTC = dt.UTC


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-10-14 16:07", dt.datetime(2026, 10, 14, 14, 7, tzinfo=UTC)),
        ("2026-10-14T16:07:05", dt.datetime(2026, 10, 14, 14, 7, 5, tzinfo=UTC)),
        ("2026-10-14 14:07Z", dt.datetime(2026, 10, 14, 14, 7, tzinfo=UTC)),
        ("2026-10-14 09:07-05:00", dt.datetime(2026, 10, 14, 14, 7, tzinfo=UTC)),
        ("2026-10-14 14:07 UTC", dt.datetime(2026, 10, 14, 14, 7, tzinfo=UTC)),
        ("2026-01-14 16:07", dt.datetime(2026, 1, 14, 15, 7, tzinfo=UTC)),  # winter: +01:00
        ("", None),
    ],
)
def test_typed_times_are_read_in_the_chosen_zone(text, expected):
    assert parse_moment(text, "Europe/Berlin") == expected


def test_a_time_alone_takes_the_given_day():
    day = dt.date(2026, 10, 15)
    assert parse_moment("00:20", "UTC", default_date=day) == dt.datetime(
        2026, 10, 15, 0, 20, tzinfo=UTC
    )
    with pytest.raises(ValueError, match="add the date"):
        parse_moment("00:20", "UTC")


def test_a_repeated_hour_asks_for_the_offset():
    with pytest.raises(ValueError, match=r"happens twice.*\+02:00 or .*\+01:00"):
        parse_moment("2026-10-25 02:30", "Europe/Berlin")
    assert parse_moment("2026-10-25 02:30+01:00", "Europe/Berlin") is not None


def test_nonsense_is_refused_with_an_example():
    with pytest.raises(ValueError, match="type e.g. 2026-10-14 14:07"):
        parse_moment("half past two", "UTC")


def test_dates():
    assert parse_date(" 2026-11-02 ") == dt.date(2026, 11, 2)
    assert parse_date("") is None
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        parse_date("02/11/2026")


def test_describe_shows_utc_and_the_zone_with_dates():
    moment = dt.datetime(2026, 10, 14, 23, 30, tzinfo=UTC)
    assert describe(moment, "Asia/Tokyo") == (
        "UTC Wed 2026-10-14 23:30:00 · Asia/Tokyo Thu 2026-10-15 08:30:00 JST"
    )
    assert describe(None, "UTC") == "not set"


@pytest.mark.parametrize(
    "items",
    [
        [],
        ["one"],
        ["one", "two\nsecond line", "three"],
        ["a\n\nnew paragraph", "- starts with a dash"],
    ],
)
@pytest.mark.parametrize("ordered", [False, True])
def test_list_text_round_trips(items, ordered):
    assert text_to_items(items_to_text(items, ordered=ordered)) == items


def test_list_text_as_people_type_it():
    assert text_to_items("first\n\n* second\n2) third\n   more") == [
        "first",
        "second",
        "third\nmore",
    ]


def test_markdown_renders_and_neutralises_html_and_scripts():
    out = render_markdown("# Title\n\n<img src=x onerror=alert(1)> [x](javascript:alert(1))")
    assert "<h1>Title</h1>" in out
    assert "<img" not in out and "javascript:" not in out

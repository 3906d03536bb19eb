"""The fast timestamp paths agree with the generic one: Arrow's ISO 8601 reader
(:func:`arrow_iso`) and the styles' strptime formats give, wherever they read a value, what
the style's own regex path gives, and leave the values they cannot read to it."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import polars as pl
import pyarrow as pa
import pytest

from postmortem_kit.ingest.timestamps import (
    STYLE_BY_NAME,
    STYLES,
    arrow_iso,
    match_starts,
    parse_timestamps,
    uniform_shape,
)

ISO = STYLE_BY_NAME["iso8601"]
#: The same style without its fast paths: the regex, then the parts assembled.
GENERIC = dataclasses.replace(ISO, fast=(), arrow_iso=False)

ZONED = [
    "2026-10-14T14:07:19Z",
    "2026-10-14T14:07:19.5Z",
    "2026-10-14T14:07:19.123Z",
    "2026-10-14T14:07:19.123456Z",
    "2026-10-14T14:07:19.123456789Z",
    "2026-10-14T14:07:19+02:00",
    "2026-10-14T14:07:19.25-0330",
    "2026-10-14T14:07:19+05",
    "2026-10-14T14:07:19-00:00",
    "2026-10-14 14:07:19,250+01:00",
    "2024-02-29T23:59:59.999999999Z",
]
NAIVE = [
    "2026-10-14 14:07:19",
    "2026-10-14T14:07:19.1",
    "2026-10-14 14:07:19,120",
    "2026-10-14 14:07:19,123456",
    "2026-10-14T00:00:00.000000001",
]
#: Values Arrow is not given (or refuses): each list falls back as a whole.
ODD = {
    "mixed zoned and naive": ["2026-10-14T14:07:19Z", "2026-10-14 14:07:19"],
    "no seconds": ["2026-10-14T14:07Z", "2026-10-14T14:07:19Z"],
    "no minutes": ["2026-10-14T14:07:19Z", "2026-10-14T14Z"],
    "no seconds, an offset": ["2026-10-14T14:07:19Z", "2026-10-14T14:07+01:00"],
    "no minutes, an offset": ["2026-10-14T14:07:19+01:00", "2026-10-14T14+01:00"],
    "naive, no seconds": ["2026-10-14 14:07:19", "2026-10-14 14:07"],
    "ten fraction digits": ["2026-10-14T14:07:19.1234567891Z"],
    "February 30": ["2026-02-30T00:00:00Z", "2026-10-14T14:07:19Z"],
    "month 13": ["2026-13-01T00:00:00Z"],
    "hour 24": ["2026-10-14T24:00:00Z"],
    "lower-case z": ["2026-10-14T14:07:19z"],
    "space before the zone": ["2026-10-14T14:07:19 +02:00"],
    "text around it": ["at 2026-10-14T14:07:19Z", "2026-10-14T14:07:19Z!"],
    "a null among them": [None, "2026-10-14T14:07:19.5Z"],
}


def _parse(values: list[str | None], style) -> tuple[list, list, dict]:
    utc, note, info = parse_timestamps(pl.Series(values, dtype=pl.String), [style], tz="UTC")
    return utc.to_list(), note.to_list(), info


@pytest.mark.parametrize("values", [ZONED, NAIVE], ids=["zoned", "naive"])
def test_arrow_reads_the_iso_shapes_as_the_generic_path_does(values):
    found = arrow_iso(pl.Series(values))
    assert found is not None, "Arrow's reader is not used for these values"
    times, aware = found
    assert aware is (values is ZONED)
    if not aware:
        times = times.dt.replace_time_zone("UTC")
    want, _, _ = _parse(values, GENERIC)
    assert None not in want
    assert times.to_list() == want


@pytest.mark.parametrize("values", [ZONED, NAIVE, *ODD.values()], ids=["zoned", "naive", *ODD])
def test_style_with_fast_paths_equals_the_generic_path(values):
    fast_utc, fast_note, fast_info = _parse(values, ISO)
    utc, note, info = _parse(values, GENERIC)
    assert fast_utc == utc and fast_note == note
    assert fast_info["naive"] == info["naive"]
    assert fast_info["styles"] == info["styles"]


@pytest.mark.parametrize("name", [n for n in ODD if n != "a null among them"])
def test_arrow_declines_the_odd_lists(name):
    assert arrow_iso(pl.Series(ODD[name], dtype=pl.String)) is None


BSD = STYLE_BY_NAME["bsd"]
BSD_GENERIC = dataclasses.replace(BSD, fast=())
BSD_LISTS = {
    "whole seconds": ["Oct 14 14:07:19", "Oct  4 09:00:55", "Oct 4 09:00:55", "oct 14 14:07:19"],
    "fractions": ["Oct 14 14:07:19.5", "Oct 14 14:07:19.123456"],
    "some with fractions": ["Oct 14 14:07:19", "Oct 14 14:07:19.250", "Oct  4 09:00:55"],
    "odd": ["October 14 14:07:19", "Feb 30 00:00:00", "Oct 14 24:00:00", "Oct 14 9:00:55"],
}


@pytest.mark.parametrize("values", BSD_LISTS.values(), ids=list(BSD_LISTS))
def test_bsd_fast_formats_equal_the_generic_path(values):
    fast = parse_timestamps(pl.Series(values), [BSD], tz="UTC", year=2026)
    generic = parse_timestamps(pl.Series(values), [BSD_GENERIC], tz="UTC", year=2026)
    assert fast[0].to_list() == generic[0].to_list()
    assert fast[1].to_list() == generic[1].to_list()


# --- sniffing: the positions polars finds equal Python's -----------------------------------

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"


def _sniff_values() -> list[str]:
    """Every style's example inside and around text, odd near-misses, non-ASCII lines, and
    (when ../shared is present) the first lines of every real log there."""
    values = []
    for style in STYLES:
        values += [style.example, f"[INFO] {style.example} worker-3: done", f"x{style.example}9"]
    values += [
        "no timestamp here", "2026-10-14", "14:07:19", "1234567890123456789012", "Oct 14",
        "ééé 2026-10-14 14:07:19 déjà vu", "2026-10-14T14:07:19Z — ok", "\t2026/10/14 14:07:19",
        "12/31/2026 11:59:59 PM EST", "20261014-14:07:19:120 step", "[10.30 16:49:06] boot",
    ]  # fmt: skip
    if SHARED.is_dir():
        for path in sorted(SHARED.rglob("*")):
            if path.is_file() and path.suffix in {".log", ".txt", ""} and path.stat().st_size:
                lines = path.read_bytes()[:20_000].decode("utf-8", "replace").splitlines()
                values += [line for line in lines[:40] if line.strip()]
    return values


@pytest.mark.parametrize("style", STYLES, ids=[s.name for s in STYLES])
def test_match_starts_equal_pythons_search(style):
    values = _sniff_values()
    assert sum(v.isascii() for v in values) > 8  # the polars path is taken
    want = [m.start() if (m := style.regex.search(v)) else None for v in values]
    assert match_starts(values, style) == want


@pytest.mark.parametrize("sign", ["-", "+"])
def test_a_signed_number_is_no_epoch_time(sign):
    # -1791986822 is a time in 1913 (or no time at all), not 2026-10-14 read without its sign
    values = pl.Series([f"{sign}1791986822", f"id {sign}1791986822123 x", "at 1791986822 ok"])
    utc, _, _ = parse_timestamps(values, [STYLE_BY_NAME["epoch"]], tz="UTC")
    expected = dt.datetime.fromtimestamp(1791986822, dt.UTC)
    assert utc.to_list() == [None, None, expected]


#: Lists of one width, each value shaped as the first (digits swapped for other digits): the
#: shape is then told from the bytes (:func:`uniform_shape`), not by a regex.
UNIFORM = {
    "zoned, milliseconds": ["2026-10-14T14:07:19.120Z", "2025-01-01T00:00:00.000Z",
                            "2024-02-29T23:59:59.999Z"],
    "offset": ["2026-10-14T14:07:19+02:00", "2026-03-29T01:30:00+05:30"],
    "naive, comma fraction": ["2026-10-14 14:07:19,250", "2026-10-15 00:00:01,001"],
    "naive, nanoseconds": ["2026-10-14T14:07:19.123456789", "2026-10-14T14:07:19.000000001"],
}  # fmt: skip
#: Lists of one width that are not of one shape, or not ISO 8601: the regex decides.
UNEVEN = {
    "a letter where a digit was": ["2026-10-14T14:07:19Z", "2026-10-1xT14:07:19Z"],
    "a space for the T": ["2026-10-14T14:07:19Z", "2026-10-14 14:07:19Z"],
    "a digit where a colon was": ["2026-10-14T14:07:19Z", "2026-10-14T14:07419Z"],
    "offset sign flipped": ["2026-10-14T14:07:19+02:00", "2026-10-14T14:07:19-02:00"],
    "a zone letter for a digit": ["2026-10-14T14:07:19.5Z", "2026-10-14T14:07:19.5Z"[:-2] + "Z5"],
}


@pytest.mark.parametrize("values", UNIFORM.values(), ids=list(UNIFORM))
def test_uniform_lists_are_told_by_their_bytes_and_read_as_the_generic_path_does(values):
    arrow = pl.Series(values).to_arrow()
    assert uniform_shape(arrow) and uniform_shape(pa.chunked_array([arrow]))
    times, aware = arrow_iso(arrow)
    if not aware:
        times = times.dt.replace_time_zone("UTC")
    want, _, _ = _parse(values, GENERIC)
    assert None not in want and times.to_list() == want


@pytest.mark.parametrize("values", UNEVEN.values(), ids=list(UNEVEN))
def test_uneven_lists_of_one_width_are_left_to_the_regex(values):
    assert len({len(v) for v in values}) == 1
    assert not uniform_shape(pl.Series(values).to_arrow())
    found = arrow_iso(pl.Series(values))  # by the regex: read as the generic path reads them
    want, _, _ = _parse(values, GENERIC)
    if found is not None:
        assert found[0].to_list() == want


@pytest.mark.parametrize(
    "arrow",
    [
        pytest.param(pa.array(["2026-10-14T14:07:19Z", None]), id="a null"),
        pytest.param(pa.array(["2026-10-14T14:07:19Z", "2026-10-14T14:07:19.5Z"]), id="widths"),
        pytest.param(
            pa.array(["2026-10-14T14:07:19Z", "2026-10-14 14:07:19", "2026-10-14T14:07:19.5"]),
            id="widths that add up",
        ),
        pytest.param(pa.array(["12", "1", "123"]), id="digits whose widths add up"),
        pytest.param(pa.array([], pa.string()), id="empty"),
        pytest.param(pa.chunked_array([["2026-10-14T14:07:19Z"]] * 2), id="two chunks"),
    ],
)
def test_uniform_shape_declines_what_it_cannot_tell_cheaply(arrow):
    assert uniform_shape(arrow) is False


def test_uniform_shape_reads_a_slice_at_its_offset():
    values = pa.array(["14:07", "2026-10-14T14:07:19Z", "2026-10-14T14:07:20Z"])
    assert uniform_shape(values.slice(1)) is True  # the value before it has another width


def test_arrow_iso_refuses_one_uniform_list_out_of_range():
    # one shape throughout, but February 30: Arrow's own range check sends it back
    assert arrow_iso(pa.array(["2026-02-28T00:00:00Z", "2026-02-30T00:00:00Z"])) is None

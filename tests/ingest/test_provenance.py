"""``line_references``: the ``name:line`` text of a run of lines, as an f-string writes it."""

from __future__ import annotations

import random

import polars as pl
import pyarrow as pa
import pytest

from postmortem_kit.ingest.chunks import pack_rows
from postmortem_kit.ingest.columns import conform
from postmortem_kit.ingest.provenance import line_references

RUNS = [
    (1, 0),
    (1, 1),
    (1, 15_000),
    (7, 5),  # 7 … 11: one digit to two
    (95_000, 15_000),  # five digits to six
    (999_999_990, 30),  # nine to ten
    (123_456_789_012, 3),
    (10**17, 2),
]


@pytest.mark.parametrize("first, n", RUNS)
def test_line_references_are_what_an_f_string_writes(first, n):
    got = line_references("logs/app é.log", first, n)
    got.validate(full=True)
    assert got.type == pa.large_string()
    assert got.to_pylist() == [f"logs/app é.log:{i}" for i in range(first, first + n)]


def test_random_runs():
    rnd = random.Random(7)
    for _ in range(200):
        first = rnd.randrange(1, 10 ** rnd.randrange(1, 13))
        n = rnd.randrange(0, 3000)
        got = line_references("x.csv", first, n).to_pylist()
        assert got == [f"x.csv:{i}" for i in range(first, first + n)], (first, n)


@pytest.mark.parametrize(
    "numbers",
    [
        pytest.param([41, 42, 43, 44], id="every line a row"),
        pytest.param([41, 43, 44, 45], id="a line rejected"),
        pytest.param([41, 44, 45, 46], id="a gap that the count makes up for"),
        pytest.param([44, 43, 42, 41], id="backwards"),
        pytest.param([41, 43, 42, 44], id="out of order, first and last a run's"),
    ],
)
def test_packed_rows_name_their_own_lines(numbers):
    events = conform(
        pl.DataFrame({"line_no": numbers, "message": ["a", "b", "c", "d"]}),
    )
    table = pack_rows(events, "app.log")
    assert table["provenance"].to_pylist() == [f"app.log:{n}" for n in numbers]
    assert "line_no" not in table.column_names


def test_packed_rows_from_a_first_line():
    events = conform(pl.DataFrame({"message": ["a", "b", "c"], "status": [200, 404, 502]}))
    table = pack_rows(events, "app.log", first_line=99)
    assert table["provenance"].to_pylist() == ["app.log:99", "app.log:100", "app.log:101"]
    assert table.column_names == ["message", "provenance", "status"]  # the frame's order

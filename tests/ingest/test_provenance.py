"""``line_references``: the ``name:line`` text of a run of lines, as an f-string writes it."""

from __future__ import annotations

import random

import pyarrow as pa
import pytest

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

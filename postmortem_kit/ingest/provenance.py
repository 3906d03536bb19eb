"""The ``provenance`` column of a block's rows, ``name:line``, for a run of consecutive lines,
written byte by byte with numpy.

A block's lines are numbered ``first``, ``first + 1`` …: the digit in each place repeats in
runs (the last digit changes every line, the one before it every ten), so each place is one
``repeat`` of ten digits, with no division per row. 15,600 lines: 0.15 ms, against 0.43 ms
for Arrow's cast of the numbers to text and a join.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

_DIGITS = np.arange(ord("0"), ord("9") + 1, dtype=np.uint8)


def _place(lo: int, hi: int, step: int) -> np.ndarray:
    """The digit (as an ASCII byte) in the place worth ``step`` of each number ``lo``…``hi``."""
    runs = np.arange(lo // step, hi // step + 1, dtype=np.int64)  # the numbers // step
    if step == 1:
        return _DIGITS[runs % 10]
    # each run's numbers within lo…hi: the first and last runs may be cut short
    counts = np.minimum(hi, (runs + 1) * step - 1) - np.maximum(lo, runs * step) + 1
    return np.repeat(_DIGITS[runs % 10], counts)


def line_references(name: str, first: int, n: int) -> pa.Array:
    """``name:line`` for the lines ``first`` … ``first + n - 1`` (``first`` ≥ 1), as Arrow's
    ``large_string``: what ``f"{name}:{line}"`` gives for each."""
    prefix = np.frombuffer(f"{name}:".encode(), np.uint8)
    parts, widths = [], []
    lo, last = first, first + n - 1
    while lo <= last:  # one part per count of digits (9 → 10 adds one)
        digits = len(str(lo))
        hi = min(last, 10**digits - 1)
        part = np.empty((hi - lo + 1, len(prefix) + digits), np.uint8)
        part[:, : len(prefix)] = prefix
        for place in range(digits):
            part[:, len(prefix) + digits - 1 - place] = _place(lo, hi, 10**place)
        parts.append(part.ravel())
        widths.append(np.full(len(part), part.shape[1], np.int64))
        lo = hi + 1
    offsets = np.zeros(n + 1, np.int64)
    if n:
        np.cumsum(np.concatenate(widths), out=offsets[1:])
    data = np.concatenate(parts) if parts else np.zeros(0, np.uint8)
    return pa.LargeStringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data))

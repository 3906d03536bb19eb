"""``release_free_heap``: memory the C heap holds free goes back to the system."""

from __future__ import annotations

import sys

import pytest

from postmortem_kit.ingest.heap import _malloc_trim, release_free_heap


def _rss() -> int:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * 4096


@pytest.mark.skipif(
    not sys.platform.startswith("linux") or _malloc_trim() is None,
    reason="malloc_trim is glibc's: other C libraries have none",
)
def test_what_block_sized_allocations_left_on_the_heap_goes_back():
    first = b"y" * (8 << 20)  # mmapped; freed, it raises glibc's mmap threshold
    del first
    blocks = [b"x" * (4 << 20) for _ in range(12)]  # as an import's blocks: from the heap
    del blocks[::2]  # free pages between pages in use: the heap cannot shrink by itself
    before = _rss()
    release_free_heap()
    assert before - _rss() > 16 << 20  # of the 24 MiB freed
    assert len(blocks) == 6

"""Reading a file the fast way and the general way (the same format without ``read_block``,
registered as ``NAME-general`` by ``conftest.general_formats``) and checking that the two
agree: frames and import reports."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from postmortem_kit.ingest import load_logs

BLOCK = 1024  # bytes per block: every file the tests write spans many


def read(path: Path, fmt: str, block: int = BLOCK, **options) -> pd.DataFrame:
    """``path`` read as ``fmt`` in blocks of ``block`` bytes."""
    return load_logs(path, format=fmt, chunk_bytes=block, **options)


def assert_same(path: Path, fmt: str, block: int = BLOCK, **options) -> pd.DataFrame:
    """Check that ``fmt`` and ``fmt-general`` read ``path`` alike; returns the frame."""
    fast = read(path, fmt, block, **options)
    general = read(path, f"{fmt}-general", block, **options)
    assert list(fast.columns) == list(general.columns)
    assert (general["format"] == f"{fmt}-general").all()
    general["format"] = general["format"].cat.rename_categories([fmt])
    pd.testing.assert_frame_equal(fast, general, check_exact=True)
    a, b = fast.attrs["import_report"].files[0], general.attrs["import_report"].files[0]
    for field in ("lines_read", "rows", "rejects", "examples", "timezone", "first", "last",
                  "continuation_lines", "invalid_utf8_lines"):  # fmt: skip
        assert getattr(a, field) == getattr(b, field), field
    assert a.notes == b.notes
    return fast

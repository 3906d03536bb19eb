"""Reading a file the fast way and the general way (the same format without ``read_block``,
registered as ``NAME-general`` by ``conftest.general_formats``) and checking that the two
agree: frames and import reports."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from postmortem_kit.ingest import load_logs
from postmortem_kit.ingest.importreport import FileReport
from postmortem_kit.ingest.registry import ParseContext, get_format, merge_state
from postmortem_kit.ingest.source import RawFile

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


def fast_blocks(path: Path, fmt: str = "json", block: int = BLOCK, **ctx_options) -> int:
    """How many of the file's blocks (of ``block`` bytes) the fast reader reads (one after
    another, as the reader passes them on)."""
    data = path.read_bytes()
    ctx = ParseContext(
        name=path.name, tz=ctx_options.get("tz"), year=None, last_known=dt.date.today(),
        report=FileReport(path.name), raw=RawFile(path, path.name, b""),
        fields=ctx_options.get("mapping"),
    )  # fmt: skip
    fast, line, start = 0, 1, 0
    while start < len(data):
        end = data.find(b"\n", start + block)
        end = len(data) if end < 0 else end + 1
        rows = get_format(fmt).read_block(data[start:end], first_line=line, ctx=ctx)
        if rows is not None:
            fast += 1
            merge_state(ctx.state, rows.state)
        line += data.count(b"\n", start, end)
        start = end
    return fast

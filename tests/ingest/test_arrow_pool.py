"""An import allocates its Arrow memory from jemalloc's pool (see ``ingest.arrowpool``) and
puts the default pool back; a pool the user chose is left alone."""

from __future__ import annotations

import json

import pyarrow as pa
import pytest

from postmortem_kit.ingest import load_logs


def _jemalloc() -> pa.MemoryPool:
    try:
        return pa.jemalloc_memory_pool()
    except NotImplementedError:
        pytest.skip("this pyarrow was built without jemalloc")


def _write(tmp_path):
    path = tmp_path / "app.jsonl"
    rows = (
        {"ts": f"2026-10-14T14:{i // 60 % 60:02d}:{i % 60:02d}.{i % 1000:03d}Z",
         "level": "info", "msg": f"order {i} " + "x" * (i % 50)}
        for i in range(20_000)
    )  # fmt: skip
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_the_import_allocates_from_jemalloc_and_puts_the_default_back(tmp_path, monkeypatch):
    monkeypatch.delenv("ARROW_DEFAULT_MEMORY_POOL", raising=False)
    pool = _jemalloc()
    path = _write(tmp_path)
    before, default = pool.bytes_allocated(), pa.default_memory_pool().backend_name
    frame = load_logs(path)
    held = pool.bytes_allocated() - before
    assert held > 500_000  # the frame's text columns live in jemalloc's pool
    assert pa.default_memory_pool().backend_name == default
    assert len(frame) == 20_000 and frame["message"].str.startswith("order ").all()
    del frame
    assert pool.bytes_allocated() - before < held  # and go back to it with the frame


def test_a_pool_the_user_chose_is_left_alone(tmp_path, monkeypatch):
    monkeypatch.setenv("ARROW_DEFAULT_MEMORY_POOL", "system")
    pool = _jemalloc()
    path = _write(tmp_path)
    before = pool.bytes_allocated()
    frame = load_logs(path)
    assert pool.bytes_allocated() - before < 100_000
    assert len(frame) == 20_000

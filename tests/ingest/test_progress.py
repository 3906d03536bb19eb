"""Progress bars for large files: shown over :data:`.source.PROGRESS_BYTES`, reaching the
bytes read, never for a small file, and made only once the first block is handed on."""

from __future__ import annotations

from postmortem_kit.ingest import chunks, source


def _log(tmp_path, lines: int = 400):
    path = tmp_path / "app.log"
    path.write_text(
        "".join(f"2026-10-14 14:07:{i % 60:02d} INFO event {i}\n" for i in range(lines))
    )
    return path


def test_a_large_read_shows_a_bar_that_reaches_the_bytes_read(tmp_path, monkeypatch, capsys):
    path = _log(tmp_path)
    size = path.stat().st_size
    monkeypatch.setattr(source, "PROGRESS_BYTES", size // 2)
    blocks = list(chunks.file_blocks(path, 0, size, 1024))
    assert b"".join(blocks) == path.read_bytes()
    assert "reading app.log" in capsys.readouterr().err


def test_a_bar_counts_every_byte_it_is_told_of_the_first_too(monkeypatch):
    monkeypatch.setattr(source, "PROGRESS_BYTES", 10)
    bar = source.Progress(300, "reading x")
    assert bar.bar is None  # made at the first update
    for n in (100, 100, 100):
        bar.update(n)
    assert bar.bar.n == 300 and bar.bar.total == 300
    bar.close()


def test_a_small_read_shows_no_bar(tmp_path, monkeypatch, capsys):
    path = _log(tmp_path)
    size = path.stat().st_size
    monkeypatch.setattr(source, "PROGRESS_BYTES", size)
    assert b"".join(chunks.file_blocks(path, 0, size, 1024)) == path.read_bytes()
    assert "reading" not in capsys.readouterr().err


def test_the_first_block_is_handed_on_before_the_bar_is_made(tmp_path, monkeypatch, capsys):
    path = _log(tmp_path)
    size = path.stat().st_size
    monkeypatch.setattr(source, "PROGRESS_BYTES", 0)
    blocks = chunks.file_blocks(path, 0, size, 1024)
    first = next(blocks)
    assert first and "reading" not in capsys.readouterr().err
    rest = list(blocks)
    assert first + b"".join(rest) == path.read_bytes()
    assert "reading app.log" in capsys.readouterr().err

"""Reading as a stream: compressed files decompressed piece by piece (members, padding,
truncation, corruption), text cut into line blocks, and blocks read ahead by a thread give
exactly what reading everything at once gives."""

from __future__ import annotations

import bz2
import gzip
import lzma
import threading

import pytest

from postmortem_kit.ingest import chunks, load_logs
from postmortem_kit.ingest.compression import CODECS, codec_of, decompress

TEXT = b"".join(
    b"2026-10-14T14:%02d:%02dZ web-%d app[7]: event %d %s\n"
    % (i // 60 % 60, i % 60, i % 3, i, b"x" * (i % 37))
    for i in range(4000)
)


def _pieces(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


def _stream(data: bytes, size: int, *, fast: bool = False) -> tuple[bytes, list[str]]:
    """``data`` decompressed in pieces of ``size``; ``fast``: with a way to read it again,
    which lets gzip go through ISA-L (zlib reads a member again where it meets trouble)."""
    notes: list[str] = []
    codec = codec_of(data[:6])
    assert codec is not None
    replay = (lambda offset: _pieces(data[offset:], size)) if fast else None
    return b"".join(decompress(_pieces(data, size), codec, notes, replay=replay)), notes


#: Both ways of reading gzip: zlib alone, and ISA-L with zlib to read a troubled member again.
BOTH = pytest.mark.parametrize("fast", [False, True], ids=["zlib", "isa-l"])


@BOTH
@pytest.mark.parametrize("size", [1, 7, 4096, 1 << 20])
@pytest.mark.parametrize("name", ["gzip", "bz2", "xz"])
def test_members_in_any_pieces_decompress_to_the_whole_text(name, size, fast):
    compress = {"gzip": gzip.compress, "bz2": bz2.compress, "xz": lzma.compress}[name]
    first, second = TEXT[:50_000], TEXT[50_000:]
    data = compress(first) + compress(second)  # two members, as `cat a.gz b.gz` makes
    if name == "gzip":
        data = compress(first) + b"\0" * 9 + compress(second) + b"\0" * 5  # padded
    out, notes = _stream(data, size, fast=fast)
    assert out == TEXT and notes == []


@BOTH
@pytest.mark.parametrize("size", [3, 4096])
def test_truncated_and_corrupt_data_keep_what_came_before_with_a_note(size, fast):
    data = gzip.compress(TEXT)
    out, notes = _stream(data[: len(data) // 2], size, fast=fast)
    assert 0 < len(out) < len(TEXT) and TEXT.startswith(out)
    assert notes == ["gzip file is truncated; kept what was readable before the cut"]
    assert out == _stream(data[: len(data) // 2], size)[0]  # as much as zlib gives
    whole = gzip.compress(TEXT[:30_000])
    out, notes = _stream(whole + b"garbage after the member", size, fast=fast)
    assert out == TEXT[:30_000]
    assert len(notes) == 1 and notes[0].startswith("gzip data is corrupt (")
    assert notes[0].endswith("kept everything before it")  # the member before was whole


def test_every_codec_is_told_by_its_magic_bytes():
    for codec in CODECS:
        assert codec_of(codec.magic + b"rest") is codec
    assert codec_of(b"2026-10-14 plain text") is None


@pytest.mark.parametrize("size", [1, 100, 5000])
def test_line_blocks_end_at_line_breaks_and_lose_nothing(size):
    text = TEXT[:20_000] + b"y" * 12_000 + b"\nlast line without a break"
    blocks = list(chunks.line_blocks(_pieces(text, 333), size))
    assert b"".join(blocks) == text
    assert all(b.endswith(b"\n") for b in blocks[:-1])
    assert all(len(b) >= min(size, 1) for b in blocks)
    assert any(b"y" * 12_000 in b for b in blocks)  # the long line is never split


@pytest.mark.parametrize("size", [1, 100, 5000, 50_000])
def test_file_blocks_end_at_line_breaks_and_lose_nothing(tmp_path, size):
    text = TEXT[:20_000] + b"y" * 12_000 + b"\n" + TEXT[:3000] + b"last line without a break"
    path = tmp_path / "app.log"
    path.write_bytes(text)
    blocks = list(chunks.file_blocks(path, 0, len(text), size))
    assert b"".join(blocks) == text
    assert all(b.endswith(b"\n") for b in blocks[:-1])
    # each is at most ``size`` bytes, but for one that holds a longer line (never split),
    # and the lines of the next would not have fitted in
    assert all(len(b) <= size or max(map(len, b.split(b"\n"))) >= size for b in blocks)
    pairs = zip(blocks, blocks[1:], strict=False)
    assert all(len(a) + len(b.split(b"\n")[0]) + 1 > size for a, b in pairs)
    assert any(b"y" * 12_000 in b for b in blocks)
    start = text.index(b"\n", 5000) + 1  # a range, as a window's bisection finds it
    end = text.index(b"\n", 25_000) + 1
    part = list(chunks.file_blocks(path, start, end, size))
    assert b"".join(part) == text[start:end] and all(b.endswith(b"\n") for b in part)


def test_read_ahead_gives_every_item_in_order_and_raises_the_producers_error():
    assert list(chunks.prefetched(iter([b"a", b"b", b"c"]), depth=1)) == [b"a", b"b", b"c"]

    def failing():
        yield b"first"
        raise OSError("disk gone")

    got = chunks.prefetched(failing())
    assert next(got) == b"first"
    with pytest.raises(OSError, match="disk gone"):
        next(got)


def test_read_ahead_thread_ends_when_the_consumer_stops_early():
    closed = threading.Event()

    def endless():
        try:
            while True:
                yield b"block"
        finally:
            closed.set()

    before = threading.active_count()
    got = chunks.prefetched(endless(), depth=2)
    assert next(got) == b"block"
    got.close()  # the parser failed: the reader thread must not run on
    assert closed.is_set() and threading.active_count() == before


def test_large_compressed_file_equals_the_plain_file(tmp_path):
    plain = tmp_path / "app.log"
    plain.write_bytes(TEXT * 3)
    (tmp_path / "z").mkdir()
    packed = tmp_path / "z" / "app.log"
    packed.write_bytes(gzip.compress(TEXT * 3))
    want = load_logs(plain, chunk_bytes=16_384)
    got = load_logs(packed, chunk_bytes=16_384)
    report = got.attrs["import_report"].files[0]
    assert report.compression == "gzip" and report.rows == 12_000 and report.balanced
    assert got["message"].tolist() == want["message"].tolist()
    assert got["timestamp"].tolist() == want["timestamp"].tolist()
    assert [p.split(":")[-1] for p in got["provenance"]] == [
        p.split(":")[-1] for p in want["provenance"]
    ]


def test_truncated_large_gzip_keeps_whole_lines_before_the_cut(tmp_path):
    data = gzip.compress(TEXT * 3)
    path = tmp_path / "cut.log.gz"
    path.write_bytes(data[: len(data) * 2 // 3])
    frame = load_logs(path, chunk_bytes=16_384)
    report = frame.attrs["import_report"].files[0]
    assert any("truncated" in n for n in report.notes) and report.balanced
    assert 0 < report.rows < 12_000
    (tmp_path / "plain.log").write_bytes(TEXT * 3)
    plain = load_logs(tmp_path / "plain.log")
    whole = dict(zip(plain["provenance"].str.split(":").str[-1], plain["message"], strict=True))
    kept = dict(zip(frame["provenance"].str.split(":").str[-1], frame["message"], strict=True))
    last = str(report.rows)  # lines 1 … rows were kept; the last one may be cut short
    assert sorted(kept, key=int) == [str(n) for n in range(1, report.rows + 1)]
    assert all(kept[n] == whole[n] for n in kept if n != last)
    assert whole[last].startswith(kept[last])


def test_compressed_binary_file_is_skipped_as_binary(tmp_path):
    (tmp_path / "core.gz").write_bytes(gzip.compress(b"\x7fELF\x00\x01" * 50_000))
    (tmp_path / "ok.log").write_bytes(TEXT[:1000])
    frame = load_logs(tmp_path)
    report = frame.attrs["import_report"]
    assert "looks binary (a NUL byte at offset 4)" in report.files[0].skipped
    assert report.files[1].rows > 0


@BOTH
def test_gzip_with_a_bad_checksum_or_bad_bytes_keeps_the_text_before_them(tmp_path, fast):
    data = bytearray(gzip.compress(TEXT))
    data[-8] ^= 0xFF  # the CRC-32 in the trailer: every byte of text was read before it
    out, notes = _stream(bytes(data), 1 << 20, fast=fast)
    assert out == TEXT and len(notes) == 1 and "corrupt" in notes[0]
    data = bytearray(gzip.compress(TEXT, compresslevel=1))
    middle = len(data) // 2
    data[middle : middle + 16] = b"\xff" * 16  # bad bytes mid-stream
    out, notes = _stream(bytes(data), 1 << 20, fast=fast)
    quarter = len(TEXT) // 4  # deflate has no checksum per block: text after bad bytes
    assert out[:quarter] == TEXT[:quarter]  # may be damaged until the end's check fails
    assert len(notes) == 1 and "corrupt" in notes[0] and "may be damaged" in notes[0]
    (tmp_path / "bad.log.gz").write_bytes(bytes(data))
    report = load_logs(tmp_path / "bad.log.gz").attrs["import_report"].files[0]
    assert report.rows > 1000 and report.balanced


@BOTH
def test_bad_bytes_in_a_member_after_padding_keep_that_members_text_before_them(fast):
    first, second, third = TEXT[:30_000], TEXT[30_000:60_000], TEXT[60_000:]
    damaged = bytearray(gzip.compress(third, compresslevel=1))
    middle = len(damaged) // 2
    damaged[middle : middle + 16] = b"\xff" * 16
    data = (  # the third member is read again from its start, past both runs of padding
        gzip.compress(first) + b"\0" * 9 + gzip.compress(second) + b"\0" * 30 + bytes(damaged)
    )
    out, notes = _stream(data, 4096, fast=fast)
    assert out.startswith(first + second + third[: len(third) // 4])
    assert len(notes) == 1 and "may be damaged" in notes[0]


def test_gzip_goes_through_isa_l_where_it_can_be_read_again():
    assert codec_of(b"\x1f\x8b\x08").fast is not None  # python-isal is a dependency

"""Text in UTF-16 or UTF-32 with a byte-order mark (Windows PowerShell's ``>`` and
``Out-File``, Excel's "Unicode text") is decoded as it is read; without the mark it is
refused with a message that says what it is and how to convert it."""

from __future__ import annotations

import bz2
import codecs
import gzip

import pytest

from postmortem_kit.errors import IngestError
from postmortem_kit.ingest import load_logs
from postmortem_kit.ingest.events import load_events

TEXT = "".join(
    f"2026-10-14 12:{i // 60:02d}:{i % 60:02d},000 ERROR [main] Svc - naïve café 日本 {i}\r\n"
    for i in range(3000)
)


@pytest.mark.parametrize(
    ("mark", "encoding", "label"),
    [
        (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16 text"),
        (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16 text"),
        (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32 text"),
        (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32 text"),
    ],
)
@pytest.mark.parametrize("chunk_bytes", [None, 4096], ids=["whole", "in blocks"])
def test_text_with_a_byte_order_mark_is_decoded(tmp_path, mark, encoding, label, chunk_bytes):
    plain = tmp_path / "plain.log"
    plain.write_bytes(TEXT.encode("utf-8"))
    wide = tmp_path / "wide.log"
    wide.write_bytes(mark + TEXT.encode(encoding))
    a = load_logs(plain, tz="UTC", chunk_bytes=chunk_bytes)
    b = load_logs(wide, tz="UTC", chunk_bytes=chunk_bytes)
    report = b.attrs["import_report"].files[0]
    assert report.compression == label
    assert report.lines_read == report.rows == 3000
    assert b["message"].tolist() == a["message"].tolist()
    assert b["timestamp"].tolist() == a["timestamp"].tolist()
    assert b["message"].iloc[7] == "ERROR [main] Svc - naïve café 日本 7"


@pytest.mark.parametrize(
    ("compress", "label"), [(gzip.compress, "gzip"), (bz2.compress, "bz2")], ids=["gz", "bz2"]
)
@pytest.mark.parametrize("chunk_bytes", [None, 4096], ids=["whole", "in blocks"])
def test_compressed_wide_text_is_decompressed_then_decoded(tmp_path, compress, label, chunk_bytes):
    # what logrotate makes of a PowerShell transcript: UTF-16 with its mark, then gzipped
    path = tmp_path / "wide.log.1.gz"
    path.write_bytes(compress(codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le")))
    frame = load_logs(path, tz="UTC", chunk_bytes=chunk_bytes)
    report = frame.attrs["import_report"].files[0]
    assert report.compression == f"{label} + UTF-16 text"
    assert report.lines_read == report.rows == 3000
    expected = [line.split(" ", 2)[2].removesuffix("\r\n") for line in TEXT.splitlines(True)]
    assert frame["message"].tolist() == expected


def test_a_last_odd_byte_becomes_a_replacement_character(tmp_path):
    path = tmp_path / "cut.log"
    path.write_bytes(codecs.BOM_UTF16_LE + TEXT[:200].encode("utf-16-le") + b"x")
    frame = load_logs(path, tz="UTC")
    assert frame["message"].iloc[-1].endswith("\ufffd")  # kept, visibly, not dropped
    assert frame.attrs["import_report"].files[0].invalid_utf8_lines == 1


@pytest.mark.parametrize("chunk_bytes", [None, 4096], ids=["whole", "in blocks"])
@pytest.mark.parametrize("compress", [None, gzip.compress], ids=["plain", "gz"])
def test_invalid_utf16_is_counted_by_line_and_named(tmp_path, chunk_bytes, compress):
    lines = TEXT.splitlines(True)
    spoilt = {5, 1234, 2999}  # an unpaired surrogate (D800, little-endian) after " - "
    data = codecs.BOM_UTF16_LE + b"".join(
        b"\x00\xd8".join(part.encode("utf-16-le") for part in line.split(" - ", 1))
        if i in spoilt
        else line.encode("utf-16-le")
        for i, line in enumerate(lines)
    )
    path = tmp_path / "wide.log"
    path.write_bytes(data if compress is None else compress(data))
    frame = load_logs(path, tz="UTC", chunk_bytes=chunk_bytes)
    report = frame.attrs["import_report"]
    assert report.files[0].lines_read == report.files[0].rows == 3000
    assert report.files[0].invalid_utf8_lines == len(spoilt)
    hit = frame["message"].str.contains("\ufffd", regex=False)
    assert sorted(frame.loc[hit, "provenance"]) == sorted(f"{path}:{i + 1}" for i in spoilt)
    for i in spoilt:  # the rest of the line is kept, the bad unit visibly replaced
        row = frame.loc[frame["provenance"] == f"{path}:{i + 1}", "message"].item()
        assert row == f"ERROR [main] Svc\ufffdnaïve café 日本 {i}"
    assert any("3 line(s) had invalid UTF-16" in w for w in report.warnings)


def test_an_excel_unicode_text_export_of_deploys(tmp_path):
    # Excel's "Unicode text": UTF-16LE with its mark, tab-separated
    rows = "time\tservice\tversion\tactor\r\n2026-10-14T14:02:00Z\tcheckout-api\tv2.41.0\tmaria\r\n"
    path = tmp_path / "deploys.tsv"
    path.write_bytes(codecs.BOM_UTF16_LE + rows.encode("utf-16-le"))
    events = load_events(path, format="deploys")
    assert len(events) == 1
    assert events["actor"].iloc[0] == "maria"
    gz = tmp_path / "deploys.tsv.gz"
    gz.write_bytes(gzip.compress(path.read_bytes()))
    assert load_events(gz, format="deploys")["actor"].tolist() == ["maria"]


@pytest.mark.parametrize(
    ("encoding", "name"), [("utf-16-le", "UTF-16LE"), ("utf-16-be", "UTF-16BE")]
)
def test_without_the_mark_the_message_says_how_to_convert(tmp_path, encoding, name):
    path = tmp_path / "wide.log"
    path.write_bytes(TEXT[:4000].encode(encoding))
    with pytest.raises(IngestError, match=f"looks like {name} text without a byte-order mark"):
        load_logs(path)


def test_gzipped_binary_is_still_binary(tmp_path):
    path = tmp_path / "blob.gz"
    path.write_bytes(gzip.compress(b"\x7fELF\x02\x01\x01\x00\x00\x00" + bytes(range(256)) * 8))
    with pytest.raises(IngestError, match="looks binary"):
        load_logs(path)

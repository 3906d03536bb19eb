"""journalctl -o json writes a field that is not printable UTF-8 (ANSI colours, invalid
bytes) as an array of byte values; the reader decodes it back to text. Expected messages
are the bytes written, decoded here with Python's ``bytes.decode``."""

from __future__ import annotations

import json

import pytest

from postmortem_kit.ingest import load_logs

T0 = 1792073220123456  # µs


def _entry(i: int, message: bytes | str, **more) -> str:
    value = list(message) if isinstance(message, bytes) else message
    return json.dumps({"__REALTIME_TIMESTAMP": str(T0 + i * 1_000_000), "PRIORITY": "6",
                       "_HOSTNAME": "web-1", "SYSLOG_IDENTIFIER": "api", "MESSAGE": value,
                       **more})  # fmt: skip


COLOURED = "\x1b[31mERROR\x1b[0m payment declined ünï".encode()
INVALID = b"half a character: \xc3 and done"


@pytest.mark.parametrize("layout", ["every message bytes", "mixed"])
@pytest.mark.parametrize("chunk_bytes", [None, 1024], ids=["whole", "in blocks"])
def test_byte_arrays_are_decoded(tmp_path, layout, chunk_bytes):
    messages: list[bytes | str] = []
    for i in range(60):
        if layout == "every message bytes":
            messages.append(COLOURED if i % 7 else INVALID)
        else:
            messages.append(COLOURED if i % 5 == 1 else INVALID if i % 9 == 4 else f"plain {i}")
    path = tmp_path / "journal.json"
    path.write_text(
        "".join(_entry(i, m, CODE_LINE=["12", "13"]) + "\n" for i, m in enumerate(messages))
    )
    frame = load_logs(path, chunk_bytes=chunk_bytes)
    want = [m.decode("utf-8", errors="replace") if isinstance(m, bytes) else m for m in messages]
    assert frame["message"].tolist() == want
    arrays = sum(isinstance(m, bytes) for m in messages)
    invalid = sum(m is INVALID for m in messages)
    notes = frame.attrs["import_report"].files[0].notes
    assert f"{arrays:,} field value(s) were byte arrays" in " ".join(notes)
    assert f"{invalid:,} with invalid bytes replaced by U+FFFD" in " ".join(notes)
    # a field given twice is a list of texts, not bytes: left as it is (a list, or its JSON)
    lists = [json.loads(v) if isinstance(v, str) else list(v) for v in frame["CODE_LINE"]]
    assert lists == [["12", "13"]] * 60

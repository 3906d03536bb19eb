"""CRI container logs: the pieces a runtime split a long line into (tag ``P``, then ``F``)
come back as the line that was written, whatever the blocks the file is read in."""

from __future__ import annotations

import datetime as dt
import json
import random

import pandas as pd
import pytest

from postmortem_kit.ingest import load_logs

START = dt.datetime(2026, 10, 14, 14, 7, 0, tzinfo=dt.UTC)


def _written(n: int) -> list[tuple[str, str]]:
    """``n`` lines as an application wrote them: (stream, text), some of them long."""
    rnd = random.Random(7)
    lines = []
    for i in range(n):
        stream = ("stdout", "stderr")[i % 3 == 2]
        if i % 4 == 1:  # a long JSON line with a stack trace in it
            text = json.dumps({"msg": f"request {i} failed", "trace": "x" * rnd.randrange(50, 400)})
        else:
            text = f"line {i} of {stream}"
        lines.append((stream, text))
    return lines


def _runtime_log(lines: list[tuple[str, str]], piece: int = 64) -> str:
    """The CRI log a runtime writes for ``lines``: each longer than ``piece`` characters
    split into P pieces and an F one, the two streams' pieces woven together at random
    (each stream's in order), every piece with a later time."""
    rnd = random.Random(11)
    queues: dict[str, list[tuple[str, str]]] = {"stdout": [], "stderr": []}
    for stream, text in lines:
        pieces = [text[k : k + piece] for k in range(0, len(text), piece)] or [""]
        queues[stream] += [("P", part) for part in pieces[:-1]] + [("F", pieces[-1])]
    out, t = [], START
    while queues["stdout"] or queues["stderr"]:
        stream = rnd.choice([s for s in queues if queues[s]])
        tag, part = queues[stream].pop(0)
        t += dt.timedelta(microseconds=rnd.randrange(1, 900))
        out.append(f"{t:%Y-%m-%dT%H:%M:%S.%f}123Z {stream} {tag} {part}\n")
    return "".join(out)


def test_the_generated_log_weaves_pieces_of_both_streams():
    rows = [line.split(" ", 3) for line in _runtime_log(_written(200)).splitlines()]
    woven = sum(1 for a, b in zip(rows, rows[1:], strict=False) if a[2] == "P" and b[1] != a[1])
    assert woven > 20


@pytest.mark.parametrize("block", [1 << 26, 700], ids=["whole", "in blocks"])
def test_split_lines_come_back_whole(tmp_path, block):
    written = _written(200)
    path = tmp_path / "app.log"
    text = _runtime_log(written)
    path.write_text(text, encoding="utf-8")
    frame = load_logs(path, format="cri", chunk_bytes=block)
    for stream in ("stdout", "stderr"):
        got = frame[frame["stream"] == stream].sort_values("provenance", key=_line_no)
        texts = [t for s, t in written if s == stream]
        # a JSON line comes back whole, or it would not be unpacked (see ingest.payload)
        records = [json.loads(t) if t.startswith("{") else None for t in texts]
        want = [r["msg"] if r else t for r, t in zip(records, texts, strict=True)]
        assert list(got["message"]) == want
        traces = got["trace"].astype(object).where(got["trace"].notna(), None)
        assert list(traces) == [r["trace"] if r else None for r in records]
    assert not frame["partial"].any()
    report = frame.attrs["import_report"].files[0]
    pieces = text.count(" P ")
    assert report.lines_read == len(text.splitlines()) == report.rows + pieces
    assert report.continuation_lines == pieces and report.balanced
    assert any(f"{pieces:,} piece(s) of split lines" in note for note in report.notes)


def _line_no(provenance: pd.Series) -> pd.Series:
    return provenance.str.rsplit(":", n=1).str[1].astype(int)


def test_the_first_piece_gives_time_and_provenance(tmp_path):
    path = tmp_path / "app.log"
    path.write_text(
        "2026-10-14T14:07:00.000000001Z stdout F starting\n"
        '2026-10-14T14:07:01.000000001Z stdout P {"msg": "a very\n'
        "2026-10-14T14:07:01.000000002Z stderr F warn: the other stream between\n"
        "2026-10-14T14:07:01.000000003Z stdout P  long line\n"
        '2026-10-14T14:07:01.000000004Z stdout F  ends here"}\n'
        "2026-10-14T14:07:02.000000001Z stderr P cut off\n",
        encoding="utf-8",
    )
    frame = load_logs(path, format="cri")
    joined = frame[frame["provenance"] == f"{path}:2"].iloc[0]
    assert joined["message"] == "a very long line ends here"  # whole JSON, then unpacked
    assert joined["timestamp"] == pd.Timestamp("2026-10-14T14:07:01.000000001Z")
    assert not joined["partial"]
    last = frame[frame["provenance"] == f"{path}:6"].iloc[0]
    assert last["message"] == "cut off" and last["partial"]  # the file ends inside it
    assert len(frame) == 4
    report = frame.attrs["import_report"].files[0]
    unfinished = "1 line(s) still unfinished where the file (or the window) ends"
    assert any(unfinished in note for note in report.notes)


def test_a_log_without_split_lines_is_left_as_it_is(tmp_path):
    path = tmp_path / "app.log"
    path.write_text("2026-10-14T14:07:00.1Z stdout F one\n2026-10-14T14:07:00.2Z stderr F two\n")
    frame = load_logs(path, format="cri")
    assert list(frame["message"]) == ["one", "two"]
    report = frame.attrs["import_report"].files[0]
    assert report.continuation_lines == 0 and not any("piece" in n for n in report.notes)

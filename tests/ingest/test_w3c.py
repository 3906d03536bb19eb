"""The W3C extended log format (``ingest.w3c``): IIS access logs and CloudFront standard
logs. Expected values are worked out here from the lines with Python's ``str.split`` and
the ``#Fields`` directive in force, not by the reader."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from postmortem_kit.errors import IngestError
from postmortem_kit.ingest import load_logs
from postmortem_kit.ingest.registry import get_format

START = dt.datetime(2026, 10, 14, 14, 0, 0)
IIS_FIELDS = [
    "date", "time", "s-ip", "cs-method", "cs-uri-stem", "cs-uri-query", "s-port", "cs-username",
    "c-ip", "cs(User-Agent)", "cs(Referer)", "sc-status", "sc-substatus", "sc-win32-status",
    "time-taken",
]  # fmt: skip
#: After a restart IIS writes its directives again, here with more fields.
RESTART_FIELDS = [*IIS_FIELDS, "sc-bytes", "cs(Cookie)"]
CLOUDFRONT_FIELDS = [
    "date", "time", "x-edge-location", "sc-bytes", "c-ip", "cs-method", "cs(Host)",
    "cs-uri-stem", "sc-status", "cs(Referer)", "cs(User-Agent)", "cs-uri-query", "cs(Cookie)",
    "x-edge-result-type", "x-edge-request-id", "x-host-header", "cs-protocol", "cs-bytes",
    "time-taken",
]  # fmt: skip


def _directives(fields: list[str], when: dt.datetime) -> list[str]:
    return [
        "#Software: Microsoft Internet Information Services 10.0",
        "#Version: 1.0",
        f"#Date: {when:%Y-%m-%d %H:%M:%S}",
        "#Fields: " + " ".join(fields),
    ]


def _iis(i: int, fields: list[str]) -> str:
    t = START + dt.timedelta(seconds=7 * i)
    values = {
        "date": f"{t:%Y-%m-%d}", "time": f"{t:%H:%M:%S}", "s-ip": "10.0.0.5",
        "cs-method": ("GET", "POST", "PUT")[i % 3], "cs-uri-stem": f"/api/orders/{i}",
        "cs-uri-query": "-" if i % 4 else f"page={i}", "s-port": "443",
        "cs-username": "-" if i % 5 else "CORP\\alice", "c-ip": f"203.0.113.{i % 250}",
        "cs(User-Agent)": "Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)", "cs(Referer)": "-",
        "sc-status": str((200, 200, 404, 500, 502)[i % 5]), "sc-substatus": "0",
        "sc-win32-status": "0", "time-taken": str(15 + i * 13 % 30000), "sc-bytes": str(512 + i),
        "cs(Cookie)": f"ASP.NET_SessionId={i:06x}",
    }  # fmt: skip
    return " ".join(values[f] for f in fields)


def _expected(lines: list[str]) -> pd.DataFrame:
    """What the reader must give for the data lines, by the directives in force."""
    fields, rows = None, []
    for n, line in enumerate(lines, start=1):
        if line.startswith("#Fields:"):
            fields = line.split()[1:]
        if line.startswith("#") or fields is None:
            continue
        values = line.split("\t") if "\t" in line else line.split(" ")
        if len(values) != len(fields):
            continue
        v = dict(zip(fields, values, strict=True))
        taken = v["time-taken"]
        rows.append({
            "line": n,
            "timestamp": pd.Timestamp(f"{v['date']}T{v['time']}", tz="UTC"),
            "method": v["cs-method"], "path": v["cs-uri-stem"], "status": int(v["sc-status"]),
            "latency": float(taken) if "." in taken else int(taken) / 1000,
            "client": v["c-ip"],
        })  # fmt: skip
    return pd.DataFrame(rows)


def _check(frame: pd.DataFrame, lines: list[str], path) -> None:
    want = _expected(lines)
    got = frame.assign(line=frame["provenance"].str.rsplit(":", n=1).str[1].astype(int))
    got = got.sort_values("line").reset_index(drop=True)
    assert got["line"].tolist() == want["line"].tolist()
    for column in ("timestamp", "method", "path", "status", "latency", "client"):
        assert got[column].tolist() == want[column].tolist(), column
    report = frame.attrs["import_report"].files[0]
    assert report.format == "w3c"
    assert report.lines_read == len(lines) == report.rows + sum(report.rejects.values())
    directives = sum(line.startswith("#") for line in lines)
    assert report.rejects["W3C directive (#Software, #Version, #Date, #Fields …)"] == directives


@pytest.mark.parametrize("chunk_bytes", [None, 2048], ids=["whole", "in blocks"])
def test_an_iis_log_with_a_restart_that_changes_the_fields(tmp_path, chunk_bytes):
    lines = _directives(IIS_FIELDS, START) + [_iis(i, IIS_FIELDS) for i in range(150)]
    lines += _directives(RESTART_FIELDS, START + dt.timedelta(hours=1))
    lines += [_iis(i, RESTART_FIELDS) for i in range(150, 300)]
    path = tmp_path / "u_ex261014.log"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    frame = load_logs(path, chunk_bytes=chunk_bytes, strict=True)  # directives: no error
    _check(frame, lines, path)
    first = frame.iloc[0]
    assert first["severity"] == "info" and first["message"] == "GET /api/orders/0?page=0 200"
    assert first["user_agent"] == "Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)"  # as IIS wrote it
    assert frame["user"].dropna().unique().tolist() == ["CORP\\alice"]
    assert frame["cs_cookie"].notna().sum() == 150 and frame["bytes"].notna().sum() == 150
    assert set(frame.loc[frame["status"] >= 500, "severity"]) == {"error"}
    assert "time: every timestamp carries its offset" in str(frame.attrs["import_report"])


def test_a_cloudfront_log_is_tab_separated_with_seconds(tmp_path):
    lines = ["#Version: 1.0", "#Fields: " + " ".join(CLOUDFRONT_FIELDS)]
    for i in range(200):
        t = START + dt.timedelta(seconds=i)
        lines.append("\t".join([
            f"{t:%Y-%m-%d}", f"{t:%H:%M:%S}", "FRA56-P1", str(900 + i), f"198.51.100.{i % 200}",
            "GET", "d111111abcdef8.cloudfront.net", f"/img/{i}.png", ("200", "304", "503")[i % 3],
            "-", "Mozilla/5.0%20(X11;%20Linux)", "-", "-", ("Hit", "Miss", "Error")[i % 3],
            f"req{i:08d}", "shop.example", "https", "120", f"0.{i % 1000:03d}",
        ]))  # fmt: skip
    path = tmp_path / "E2EXAMPLE.2026-10-14-14.log"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    frame = load_logs(path)
    _check(frame, lines, path)
    assert frame["edge_location"].iloc[0] == "FRA56-P1"
    assert frame["edge_result"].tolist()[:3] == ["Hit", "Miss", "Error"]
    assert frame["vhost"].iloc[0] == "d111111abcdef8.cloudfront.net"


def test_odd_lines_are_counted_with_their_reason(tmp_path):
    lines = [_iis(0, IIS_FIELDS)]  # a data line before any #Fields directive
    lines += _directives(IIS_FIELDS, START) + [_iis(i, IIS_FIELDS) for i in range(1, 40)]
    lines[10] = lines[10] + " extra"  # one field too many
    lines[20] = lines[20].replace("2026-10-14", "2026-13-14", 1)  # no such month
    path = tmp_path / "iis.log"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    frame = load_logs(path, format="iis")
    report = frame.attrs["import_report"].files[0]
    assert report.lines_read == 44 == report.rows + sum(report.rejects.values())
    assert report.rejects["a data line before any #Fields directive"] == 1
    assert report.rejects["another number of fields than the #Fields directive names (15)"] == 1
    assert report.rejects["timestamp not understood"] == 1
    assert len(frame) == 44 - 4 - 3
    with pytest.raises(IngestError, match=r"iis\.log:1: a data line before any #Fields"):
        load_logs(path, format="iis", strict=True)


def test_the_registry_example_reads(tmp_path):
    path = tmp_path / "example.log"
    path.write_text(get_format("w3c").example + "\n", encoding="utf-8")
    frame = load_logs(path)
    assert frame["message"].tolist() == ["GET /api/orders 502"]
    assert frame["latency"].tolist() == [30.012]


def test_a_csv_header_is_no_error_under_strict(tmp_path):
    path = tmp_path / "events.csv"
    path.write_text("timestamp,level,message\n2026-10-14T14:07:00Z,ERROR,db timeout\n")
    frame = load_logs(path, strict=True)
    assert len(frame) == 1
    assert frame.attrs["import_report"].files[0].rejects == {"CSV header row (column names)": 1}


def _restarted_log(tmp_path, n: int = 2500):
    """An IIS log with a restart half-way that changes the fields (15, then 17)."""
    lines = _directives(IIS_FIELDS, START) + [_iis(i, IIS_FIELDS) for i in range(n)]
    lines += _directives(RESTART_FIELDS, START + dt.timedelta(seconds=7 * n))
    lines += [_iis(i, RESTART_FIELDS) for i in range(n, 2 * n)]
    path = tmp_path / "u_ex261014.log"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, lines


@pytest.mark.parametrize("first", ["#Software", "#Fields"], ids=["directives", "#Fields first"])
@pytest.mark.parametrize("back_bytes", [None, 97], ids=["1 MiB back", "97 bytes back"])
def test_the_fields_in_force_at_every_line(tmp_path, monkeypatch, back_bytes, first):
    from postmortem_kit.ingest import w3c

    if back_bytes is not None:  # marks cut between two backward reads, many times over
        monkeypatch.setattr(w3c, "_BACK_BYTES", back_bytes)
    path, lines = _restarted_log(tmp_path, 60)
    if first == "#Fields":  # the file's first line is the directive
        lines = lines[3:]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    offset, fields = 0, None
    for line in lines:
        assert w3c.fields_at(path, offset) == ({} if fields is None else {"w3c_fields": fields})
        if line.startswith("#Fields:"):
            fields = line.split()[1:]
        offset += len(line.encode()) + 1


@pytest.mark.parametrize(
    ("lo", "hi"),
    [(600, 900), (2400, 2600), (4000, 4100), (4990, None), (None, 10)],
    ids=["before the restart", "across it", "after it", "to the end", "from the start"],
)
def test_a_window_is_found_by_bisection_with_the_fields_in_force(tmp_path, lo, hi):
    path, lines = _restarted_log(tmp_path)
    window = tuple(None if i is None else START + dt.timedelta(seconds=7 * i) for i in (lo, hi))
    whole = load_logs(path)
    frame = load_logs(path, window=window, seek_min_bytes=0)
    report = frame.attrs["import_report"].files[0]
    assert any(n.startswith("window found by bisection") for n in report.notes), report.notes
    assert report.rejects.keys() <= {"W3C directive (#Software, #Version, #Date, #Fields …)"}
    assert report.lines_read < len(lines) / 2  # only about the window was read
    inside = whole["timestamp"].between(
        pd.Timestamp(window[0] or START, tz="UTC"), pd.Timestamp(window[1] or "2100", tz="UTC")
    )
    want = whole[inside].reset_index(drop=True)
    assert len(want) == (4999 if hi is None else hi) - (lo or 0) + 1  # ends included
    # the same rows and values (a column only the other segment has is not in the window's
    # frame, and categories are in the order they were met)
    kept = [c for c in want.columns if want[c].notna().any()]
    assert set(kept) <= set(frame.columns)
    plain = [df[kept].astype(object).where(df[kept].notna(), None) for df in (frame, want)]
    assert plain[0].to_dict("records") == plain[1].to_dict("records")

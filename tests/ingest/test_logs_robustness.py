"""Nothing lost, nothing crashes: compression, broken bytes, empty and binary files, DST,
windows (with byte-offset bisection), options, the registry and the CLI commands."""

from __future__ import annotations

import bz2
import gzip
import json
from importlib.metadata import EntryPoint

import pandas as pd
import polars as pl
import pytest
from click.testing import CliRunner

from postmortem_kit.errors import IngestError, OptionsError
from postmortem_kit.ingest import (
    CORE_COLUMNS,
    LOG_FORMATS,
    FormatRegistry,
    LogFormat,
    format_table,
    load_logs,
    registry,
    window,
)
from postmortem_kit.ingest.cli import formats_command, import_logs_command

LINES = "".join(f"2026-10-14T14:{m:02d}:00Z web-1 app[1]: event {m}\n" for m in range(60))


def report_of(frame):
    return frame.attrs["import_report"]


def test_gzip_and_bz2_are_read_transparently(tmp_path):
    (tmp_path / "a.log.gz").write_bytes(gzip.compress(LINES.encode()))
    (tmp_path / "b.log.bz2").write_bytes(bz2.compress(LINES.encode()))
    frame = load_logs(tmp_path)
    report = report_of(frame)
    assert [f.compression for f in report.files] == ["gzip", "bz2"]
    assert report.rows == 120 and report.rejected == 0


def test_truncated_gzip_keeps_what_was_readable(tmp_path):
    data = gzip.compress(LINES.encode() * 50)
    (tmp_path / "cut.log.gz").write_bytes(data[: len(data) // 2])
    frame = load_logs(tmp_path / "cut.log.gz")
    f = report_of(frame).files[0]
    assert any("truncated" in n for n in f.notes)
    assert 0 < f.rows < 3000 and f.balanced


def test_binary_file_is_skipped_with_a_clear_message(tmp_path):
    (tmp_path / "core.dump").write_bytes(b"\x7fELF\x00\x01\x02" * 100)
    (tmp_path / "ok.log").write_text(LINES)
    frame = load_logs(tmp_path)
    report = report_of(frame)
    assert report.rows == 60
    assert "looks binary (a NUL byte at offset 4)" in report.files[0].skipped
    assert any("NOT IMPORTED" in w for w in report.warnings)
    with pytest.raises(IngestError, match="nothing imported: .*core.dump: looks binary"):
        load_logs(tmp_path / "core.dump")


def test_empty_file_gives_an_empty_frame_with_the_core_columns(tmp_path):
    (tmp_path / "empty.log").write_bytes(b"")
    frame = load_logs(tmp_path / "empty.log")
    assert len(frame) == 0
    assert list(frame.columns)[: len(CORE_COLUMNS)] == list(CORE_COLUMNS)
    assert "empty file" in report_of(frame).files[0].notes


@pytest.mark.parametrize(
    ("data", "lines", "blank"),
    [(b"\xef\xbb\xbf", 0, 0), (b"\xef\xbb\xbf\n", 1, 1), (b"\xef\xbb\xbf \r\n\n", 2, 2)],
)
def test_a_file_of_byte_order_marks_is_accounted_for(tmp_path, data, lines, blank):
    # an editor saving an empty file as "UTF-8 with BOM" once crashed the CSV line splitter
    (tmp_path / "bom.log").write_bytes(data)
    f = report_of(load_logs(tmp_path / "bom.log")).files[0]
    assert f.skipped is None
    assert (f.lines_read, f.rejects["blank line"]) == (lines, blank)
    assert f.balanced and ("empty file" in f.notes) == (lines == 0)


def test_invalid_utf8_is_replaced_and_counted(tmp_path):
    (tmp_path / "bad.log").write_bytes(
        b"2026-10-14T14:00:00Z caf\xe9 ok\n2026-10-14T14:00:01Z fine\n\xff\xfe2026-10-14T14:00:02Z x\n"  # noqa: E501
    )
    frame = load_logs(tmp_path / "bad.log")
    report = report_of(frame)
    assert report.files[0].invalid_utf8_lines == 2
    assert report.rows == 3
    assert "\ufffd" in frame["message"].iloc[0]
    assert any("invalid UTF-8" in w for w in report.warnings)


def test_a_one_megabyte_line_is_imported(tmp_path):
    big = "x" * (1 << 20)
    text = f'{{"ts": "2026-10-14T14:00:00Z", "msg": "{big}"}}\n{{"ts": "2026-10-14T14:00:01Z", "msg": "small"}}\n'  # noqa: E501
    (tmp_path / "big.jsonl").write_text(text)
    frame = load_logs(tmp_path / "big.jsonl")
    assert len(frame["message"].iloc[0]) == 1 << 20
    (tmp_path / "big.log").write_text(f"2026-10-14T14:00:00Z {big}\n")
    assert len(load_logs(tmp_path / "big.log")["message"].iloc[0]) > 1 << 20 - 1


def test_lines_without_any_timestamp_are_rejected_not_guessed(tmp_path):
    (tmp_path / "notes.txt").write_text("hello\nworld\n")
    with pytest.raises(IngestError, match="no known log format recognises") as raised:
        load_logs(tmp_path / "notes.txt", strict=True)
    assert "kubectl logs --timestamps" in str(raised.value)  # how to get a log with times
    with pytest.raises(IngestError, match="nothing imported"):
        load_logs(tmp_path / "notes.txt")


def test_dst_gap_and_repeat_are_flagged_not_crashed(tmp_path):
    (tmp_path / "dst.log").write_text(
        "2026-03-29 02:30:00 in the spring gap\n"
        "2026-10-25 02:30:00 first pass\n"
        "2026-10-25 02:10:00 second pass\n"
    )
    frame = load_logs(tmp_path / "dst.log", tz="Europe/Berlin")
    by_msg = frame.set_index("message")
    assert by_msg.loc["in the spring gap", "timestamp"] == pd.Timestamp("2026-03-29T01:30:00Z")
    assert by_msg.loc["first pass", "timestamp"] == pd.Timestamp("2026-10-25T00:30:00Z")
    assert by_msg.loc["second pass", "timestamp"] == pd.Timestamp("2026-10-25T01:10:00Z")
    assert by_msg["time_note"].notna().all()
    notes = " ".join(report_of(frame).files[0].notes)
    assert "DST gap" in notes and "DST repeat" in notes


def test_tz_mapping_per_file(tmp_path):
    (tmp_path / "berlin.log").write_text("2026-10-14 16:00:00 b\n")
    (tmp_path / "ny.log").write_text("2026-10-14 10:00:00 n\n")
    frame = load_logs(tmp_path, tz={"berlin.log": "Europe/Berlin", "*ny*": "America/New_York"})
    assert list(frame["timestamp"]) == [pd.Timestamp("2026-10-14T14:00:00Z")] * 2


def test_window_filters_and_counts(tmp_path):
    (tmp_path / "app.log").write_text(LINES)
    frame = load_logs(tmp_path / "app.log", window=("2026-10-14T14:10:00Z", "2026-10-14 14:19:00"))
    report = report_of(frame)
    assert len(frame) == 10 and frame["message"].iloc[0].endswith("event 10")
    assert report.outside_window == 50 and report.files[0].balanced


def test_window_bisects_a_large_time_ordered_file(tmp_path, monkeypatch):
    rows = [f"2026-10-14T{h:02d}:{m:02d}:{s:02d}Z host app[1]: tick {h}:{m}:{s} {'x' * 40}\n"
            for h in range(0, 12) for m in range(60) for s in range(0, 60, 5)]  # fmt: skip
    path = tmp_path / "big.log"
    path.write_text("".join(rows))
    monkeypatch.setattr(window, "PROBE_BYTES", 4096)
    span = ("2026-10-14T06:00:00Z", "2026-10-14T06:59:59Z")
    seeked = load_logs(path, window=span, seek_min_bytes=1)
    report = report_of(seeked).files[0]
    assert any("bisection" in n for n in report.notes)
    full = load_logs(path, window=span, seek_min_bytes=1 << 60)
    assert not any("bisection" in n for n in report_of(full).files[0].notes)
    expected = [r for r in rows if r.startswith("2026-10-14T06:")]
    assert len(seeked) == len(expected) == 720
    assert list(seeked["message"]) == list(full["message"])
    assert report.lines_read < len(rows) / 2  # read about the window, not the whole file
    assert report.balanced
    # Provenance after a seek still names the line of the whole file: 6 hours of 720 lines
    # come before the window.
    assert seeked["provenance"].iloc[0] == f"{path.as_posix()}:{6 * 720 + 1}"
    assert list(seeked["provenance"]) == list(full["provenance"])
    numbered = path.read_text().splitlines()
    for prov, message in zip(seeked["provenance"], seeked["message"], strict=True):
        line = int(prov.rsplit(":", 1)[1])
        assert numbered[line - 1].endswith(message)


def test_unknown_option_format_and_zone_are_clear_errors(tmp_path):
    (tmp_path / "a.log").write_text(LINES)
    with pytest.raises(OptionsError, match="'tzz' \\(did you mean 'tz'\\?\\)"):
        load_logs(tmp_path / "a.log", tzz="UTC")
    with pytest.raises(IngestError, match="unknown log format 'nginxx'; known formats: .*combined"):
        load_logs(tmp_path / "a.log", format="nginxx")
    with pytest.raises(IngestError, match="not an IANA time zone"):
        load_logs(tmp_path / "a.log", tz="Mars/Olympus")
    with pytest.raises(IngestError, match="no such file"):
        load_logs(tmp_path / "missing.log")


def test_aliases_resolve_to_their_format(tmp_path):
    (tmp_path / "a.log").write_text(
        '1.2.3.4 - - [14/Oct/2026:14:00:00 +0000] "GET / HTTP/1.1" 200 1 "-" "-"\n'
    )
    frame = load_logs(tmp_path / "a.log", format="nginx")
    assert frame["format"].iloc[0] == "combined"
    assert LOG_FORMATS.get("jsonl").name == "json"
    assert LOG_FORMATS.get("syslog").name == "syslog-rfc3164"


def _kv_format() -> LogFormat:
    def sniff(sample, name):
        return (1.0, "pipes") if sample and all(s.count("|") == 2 for s in sample) else (0.0, "")

    def parse(lines, ctx):
        parts = lines.with_columns(pl.col("line").str.split_exact("|", 2).alias("p")).unnest("p")
        return parts.select(
            "line_no",
            pl.col("field_0").str.to_datetime(time_zone="UTC", time_unit="ns").alias("timestamp"),
            pl.col("field_1").alias("severity_raw"),
            pl.col("field_2").alias("message"),
        )

    return LogFormat(
        "pipes", "t|level|msg", sniff, parse, "ISO 8601 UTC", "2026-10-14T14:00:00Z|E|x"
    )


def test_a_third_party_format_registers_through_an_entry_point(tmp_path, monkeypatch):
    fresh = FormatRegistry()
    for fmt in LOG_FORMATS:
        fresh.register(fmt)
    ep = EntryPoint("pipes", f"{__name__}:_kv_format", registry.ENTRY_POINT_GROUP)
    monkeypatch.setattr(registry, "entry_points", lambda group: [ep] if group == ep.group else [])
    fresh._loaded_entry_points = False
    monkeypatch.setattr(registry, "LOG_FORMATS", fresh)
    monkeypatch.setattr("postmortem_kit.ingest.logs.LOG_FORMATS", fresh)
    (tmp_path / "p.txt").write_text("2026-10-14T14:00:00|E|boom\n")
    frame = load_logs(tmp_path / "p.txt")
    assert frame["format"].iloc[0] == "pipes"
    assert frame["message"].iloc[0] == "boom"
    assert "pipes" in fresh.names()


def test_format_table_lists_every_format_with_an_example():
    rows = format_table()
    names = [r["name"] for r in rows]
    for name in ("combined", "common", "json", "ecs-json", "docker-json", "cri", "logfmt",
                 "syslog-rfc3164", "syslog-rfc5424", "journald-json", "csv", "text"):  # fmt: skip
        assert name in names
    assert all(r["example"] and r["timestamp"] for r in rows)


def test_cli_import_logs_and_formats(tmp_path):
    (tmp_path / "a.log").write_text(LINES)
    out = tmp_path / "out" / "a.parquet"
    result = CliRunner().invoke(
        import_logs_command,
        [str(tmp_path / "a.log"), "--since", "2026-10-14T14:30:00Z", "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    assert "60 lines read → 30 rows" in result.output
    assert len(pd.read_parquet(out)) == 30
    result = CliRunner().invoke(formats_command, [])
    assert (
        result.exit_code == 0 and "syslog-rfc3164" in result.output and "example:" in result.output
    )
    # every family is listed: logs, events (Slack, Alertmanager, ...) and metrics
    for name in ("combined", "slack", "alertmanager", "pagerduty", "k8s-events", "metrics-csv"):
        assert f"\n{name}" in result.output, name
    bad = CliRunner().invoke(import_logs_command, [str(tmp_path / "nope.log")])
    assert bad.exit_code != 0 and "no such file" in bad.output and "Traceback" not in bad.output


def test_report_json_round_trip(tmp_path):
    (tmp_path / "a.log").write_text(LINES + "\n")
    data = report_of(load_logs(tmp_path / "a.log")).to_dict()
    assert json.loads(json.dumps(data))["rows"] == 60


def test_syslog_with_iso_timestamps_has_no_year_note(tmp_path):
    # RFC 3164 layout with ISO 8601 stamps (rsyslog's high-precision template): the year
    # is in every line, so no year is inferred or noted; a BSD-stamped file gets the note.
    (tmp_path / "iso.log").write_text(LINES)
    notes = report_of(load_logs(tmp_path / "iso.log")).files[0].notes
    assert not [n for n in notes if "year" in n], notes
    bsd = "".join(f"Oct 14 14:{m:02d}:00 web-1 app[1]: event {m}\n" for m in range(60))
    (tmp_path / "bsd.log").write_text(bsd)
    assert report_of(load_logs(tmp_path / "bsd.log", year=2026)).files[0].notes == [
        "year 2026 given"
    ]


@pytest.mark.parametrize(
    "options", [{"chunk_bytes": 0}, {"chunk_bytes": -5}, {"chunk_bytes": 1.5},
                {"chunk_bytes": "2MB"}, {"seek_min_bytes": -1}, {"chunk_bytes": True}],
)  # fmt: skip
def test_block_sizes_that_would_hang_or_crash_are_refused(tmp_path, options):
    # chunk_bytes=0 used to loop for ever cutting empty blocks
    path = tmp_path / "app.log"
    path.write_text("2026-10-14 14:07:00 INFO ok\n")
    name = next(iter(options))
    with pytest.raises(OptionsError, match=f"{name}= must be a whole number of bytes"):
        load_logs(path, **options)

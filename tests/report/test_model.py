"""The report model: validation messages with lines, round trip, atomic writes, durations."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from postmortem_kit.errors import ReportError, ReportValidationError
from postmortem_kit.report import (
    Report,
    compute_durations,
    dump_report,
    format_duration,
    load_report,
    parse_report,
    save_report,
    store,
)

MINIMAL = """\
schema_version: 1
id: INC-1
title: Checkout down   # a comment people write by hand
summary:
  impact_start: 2026-10-14T14:10:00Z
  detected: 2026-10-14T14:15:30Z
  acknowledged: 2026-10-14T16:20:00+02:00
  mitigated: 2026-10-14T14:40:00Z
  resolved: 2026-10-14T15:10:00Z
"""


def test_out_of_order_key_time_names_both_fields_and_the_line():
    text = MINIMAL.replace("14:15:30Z", "14:05:00Z")
    with pytest.raises(ReportValidationError) as info:
        parse_report(text, path="p.yaml")
    message = str(info.value)
    assert "summary.detected 14:05Z is before summary.impact_start 14:10Z" in message
    assert "line 6" in message


def test_unknown_key_is_named_with_its_line():
    text = MINIMAL + "  usres_affected: 10\n"
    with pytest.raises(ReportValidationError) as info:
        parse_report(text, path="p.yaml")
    assert info.value.problems == [("summary.usres_affected", 10, info.value.problems[0][2])]
    assert "unknown key" in str(info.value)


def test_wrong_type_is_named_with_its_line():
    text = MINIMAL + "  users_affected: lots\n"
    with pytest.raises(ReportValidationError) as info:
        parse_report(text)
    field, line, message = info.value.problems[0]
    assert (field, line) == ("summary.users_affected", 10)
    assert "'lots'" in message


def test_naive_time_is_rejected_with_a_hint():
    text = MINIMAL.replace("2026-10-14T14:10:00Z", "2026-10-14T14:10:00")
    with pytest.raises(ReportValidationError) as info:
        parse_report(text)
    assert "summary.impact_start" in str(info.value)
    assert "offset" in str(info.value)


def test_list_row_error_points_at_the_row():
    text = MINIMAL + "actions:\n  - id: A1\n    description: add alert\n    type: prevnt\n"
    with pytest.raises(ReportValidationError) as info:
        parse_report(text)
    field, line, _ = info.value.problems[0]
    assert (field, line) == ("actions[0].type", 13)


def test_newer_schema_version_is_refused():
    with pytest.raises(ReportError, match="schema_version 9"):
        parse_report(MINIMAL.replace("schema_version: 1", "schema_version: 9"))


def test_not_yaml_gives_line():
    with pytest.raises(ReportError, match="line 2"):
        parse_report("id: a\n  title: [unclosed\n")


def test_round_trip_keeps_values_offsets_and_comments(tmp_path: Path):
    (tmp_path / "postmortem.yaml").write_text(MINIMAL)
    report = load_report(tmp_path)
    report.root_cause.five_whys = ["why one", "why two"]
    report.summary.narrative = "Line one.\n\nLine **two**."
    save_report(report, tmp_path)
    text = (tmp_path / "postmortem.yaml").read_text()
    assert "# a comment people write by hand" in text
    assert "acknowledged: 2026-10-14T16:20:00+02:00" in text
    assert "narrative: |-" in text
    again = load_report(tmp_path)
    assert again == report
    assert again.summary.acknowledged.utcoffset() == dt.timedelta(hours=2)


def test_dump_of_fresh_report_loads_back():
    report = Report(id="INC-9", title="t")
    assert parse_report(dump_report(report))[0] == report


def test_save_refuses_out_of_order_times_and_leaves_file(tmp_path: Path):
    (tmp_path / "postmortem.yaml").write_text(MINIMAL)
    report = load_report(tmp_path)
    report.summary.resolved = dt.datetime(2026, 10, 14, 14, 0, tzinfo=dt.UTC)
    with pytest.raises(ReportValidationError, match="summary.resolved"):
        save_report(report, tmp_path)
    assert (tmp_path / "postmortem.yaml").read_text() == MINIMAL


def test_atomic_write_survives_an_exception_mid_write(tmp_path: Path, monkeypatch):
    target = tmp_path / "postmortem.yaml"
    target.write_text(MINIMAL)
    real_fsync = os.fsync

    def crash(fd):
        real_fsync(fd)
        raise OSError("disk full")

    monkeypatch.setattr(store.os, "fsync", crash)
    with pytest.raises(OSError, match="disk full"):
        store.atomic_write_text(target, "half a report")
    assert target.read_text() == MINIMAL
    assert sorted(p.name for p in tmp_path.iterdir()) == ["postmortem.yaml"]


def test_durations_are_per_incident_ttx():
    report = parse_report(MINIMAL)[0]
    got = {d.label: d.value for d in compute_durations(report.summary)}
    assert got == {
        "TTD": dt.timedelta(minutes=5, seconds=30),
        "TTA": dt.timedelta(minutes=10),
        "TTM": dt.timedelta(minutes=30),
        "TTR": dt.timedelta(minutes=60),
        "Repair": dt.timedelta(minutes=54, seconds=30),
    }
    assert not any(label.startswith("MTT") for label in got)


def test_missing_time_gives_unknown_duration():
    report = parse_report(MINIMAL.replace("  resolved: 2026-10-14T15:10:00Z\n", ""))[0]
    got = {d.label: d.value for d in compute_durations(report.summary)}
    assert got["TTR"] is None and got["TTM"] == dt.timedelta(minutes=30)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(45, "45s"), (750, "12m 30s"), (3900, "1h 05m"), (90000, "1d 1h 00m"), (-60, "-1m 00s")],
)
def test_format_duration(seconds, text):
    assert format_duration(dt.timedelta(seconds=seconds)) == text


def test_audiences_are_part_of_the_report_and_typos_are_named():
    text = MINIMAL + "audiences:\n  external:\n    internal_domains: [corp.example]\n"
    report = parse_report(text)[0]
    assert report.audiences["external"].internal_domains == ["corp.example"]
    with pytest.raises(ReportValidationError) as info:
        parse_report(text.replace("internal_domains", "internal_domain"))
    assert info.value.problems[0][:2] == ("audiences.external.internal_domain", 12)


def test_prometheus_source_needs_url_and_query():
    base = MINIMAL + "sources:\n  - name: prom\n    kind: metrics\n    format: prometheus\n"
    with pytest.raises(ReportValidationError, match="url and a query"):
        parse_report(base + "    url: http://127.0.0.1:9090\n")
    report = parse_report(base + "    url: http://127.0.0.1:9090\n    query: up\n")[0]
    assert (report.sources[0].query, report.sources[0].path) == ("up", None)


def test_audiences_round_trip_only_what_was_set(tmp_path: Path):
    from postmortem_kit.report import Audience

    report = Report(id="INC-1", title="t")
    assert "audiences" not in dump_report(report)
    report.audiences = {"external": Audience(internal_domains=["corp.example"])}
    save_report(report, tmp_path)
    text = (tmp_path / "postmortem.yaml").read_text()
    assert "internal_domains:" in text and "kinds" not in text
    assert load_report(tmp_path) == report

"""load_events as a whole: options, errors, inputs, sorting, provenance, the report, plugins."""

from __future__ import annotations

import bz2
import gzip
import json
import shutil
import textwrap
from pathlib import Path
from typing import get_args

import pandas as pd
import pytest

from postmortem_kit.errors import IngestError, OptionsError
from postmortem_kit.ingest.events import (
    COLUMNS,
    FORMATS,
    SUGGESTED_KIND,
    EventFormat,
    event_format_table,
    get_event_format,
    load_events,
    load_plugins,
)
from postmortem_kit.report.model import EventKind

DATA = Path(__file__).resolve().parents[1] / "data" / "events"


def test_frame_has_the_contract_columns_even_when_empty(tmp_path):
    path = tmp_path / "empty-list.json"
    path.write_text("[]")
    df = load_events(path, format="deploys")
    for column in ("time", "source", "kind", "description", "actor", "provenance"):
        assert column in df.columns
    for column in ("severity", "url", "suggested_kind"):
        assert column in df.columns
    assert list(df.columns) == list(COLUMNS)
    assert df.empty
    assert str(df["time"].dtype) == "datetime64[us, UTC]"


def test_unknown_keyword_is_rejected_with_a_suggestion():
    with pytest.raises(OptionsError, match="did you mean 'tz'"):
        load_events(DATA / "deploys" / "deploys.json", tzz="UTC")


def test_unknown_format_and_zone_are_clear_errors():
    with pytest.raises(IngestError, match="unknown event format 'jira'.*slack"):
        load_events(DATA / "deploys" / "deploys.json", format="jira")
    with pytest.raises(IngestError, match="Mars/Olympus"):
        load_events(DATA / "deploys" / "deploys.json", tz="Mars/Olympus")


def test_missing_path_and_unmatched_glob_are_clear_errors(tmp_path):
    with pytest.raises(IngestError, match="no such file"):
        load_events(tmp_path / "nope.json")
    with pytest.raises(IngestError, match="matches no file"):
        load_events(str(tmp_path / "*.json"))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "file is empty"),
        (b"  \n", "file is empty"),
        (b"\xef\xbb\xbf\n", "file is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
        (gzip.compress(b'[{"time": "2026-10-14T13:00:00Z"}]')[:-12], "truncated or corrupt gzip"),
    ],
)
def test_bad_files_raise_one_line_ingest_errors(tmp_path, content, message):
    path = tmp_path / "evidence.json"
    path.write_bytes(content)
    with pytest.raises(IngestError, match=message) as caught:
        load_events(path)
    assert str(path) in str(caught.value)
    assert "\n" not in str(caught.value)


def test_invalid_json_names_file_line_and_column(tmp_path):
    path = tmp_path / "deploys.json"
    path.write_text('[\n  {"time": "2026-10-14T13:00:00Z",\n   "service" "api"}\n]\n')
    with pytest.raises(IngestError, match=r"deploys\.json:3: invalid JSON at column 14"):
        load_events(path, format="deploys")


def test_wrong_shape_names_the_file_and_what_was_expected(tmp_path):
    path = tmp_path / "pd.json"
    path.write_text('{"log_entries": {"oops": true}}')
    with pytest.raises(IngestError, match="expected a JSON list at log_entries"):
        load_events(path, format="pagerduty")


def test_unrecognised_file_given_by_name_is_an_error_listing_the_formats(tmp_path):
    path = tmp_path / "notes.json"
    path.write_text('{"hello": "world"}')
    with pytest.raises(IngestError, match="no event format recognised.*alertmanager.*format="):
        load_events(path)


def test_gzip_and_bzip2_files_are_read_transparently(tmp_path):
    text = (DATA / "deploys" / "deploys.json").read_bytes()
    (tmp_path / "a.json.gz").write_bytes(gzip.compress(text))
    (tmp_path / "b.json.bz2").write_bytes(bz2.compress(text))
    df = load_events([tmp_path / "a.json.gz", tmp_path / "b.json.bz2"])
    assert len(df) == 6
    assert set(df["source"]) == {"a.json.gz", "b.json.bz2"}


def test_invalid_utf8_is_replaced_and_counted(tmp_path):
    path = tmp_path / "d.csv"
    path.write_bytes(b"time,service,description\n2026-10-14T13:00:00Z,api,caf\xe9 fix\n")
    df = load_events(path)
    assert df["description"].iloc[0] == "deploy api: caf\ufffd fix"
    assert any("1 invalid UTF-8" in w for w in df.attrs["import_report"].warnings)


def test_several_inputs_merge_sorted_by_time_stably_with_sources_and_a_report():
    df = load_events(
        [DATA / "pagerduty" / "log_entries.json", DATA / "alertmanager" / "api_v2_alerts.json"],
        relative_to=DATA,
    )
    assert df["time"].is_monotonic_increasing
    report = df.attrs["import_report"]
    assert [i.format for i in report.inputs] == ["pagerduty", "alertmanager"]
    assert report.records_read == 10
    assert report.events_made == len(df) == 9
    assert len(report.rejects) == 2
    assert set(df["source"]) == {"log_entries.json", "api_v2_alerts.json"}


def test_equal_times_keep_reading_order(tmp_path):
    rows = "".join(f"2026-10-14T13:00:00Z,svc{i},deploy\n" for i in range(5))
    path = tmp_path / "same.csv"
    path.write_text("time,service,kind\n2026-10-14T14:00:00Z,late,deploy\n" + rows)
    df = load_events(path)
    assert list(df["description"]) == [f"deploy svc{i}" for i in range(5)] + ["deploy late"]


def test_source_option_and_provenance_relative_to_a_folder():
    df = load_events(DATA / "deploys" / "deploys.json", source="change-log", relative_to=DATA)
    assert set(df["source"]) == {"change-log"}
    assert df["provenance"].iloc[0] == "deploys/deploys.json:2"
    outside = load_events(DATA / "deploys" / "deploys.json", relative_to=DATA / "slack")
    assert outside["provenance"].iloc[0] == "../deploys/deploys.json:2"


def test_glob_and_plain_folder_inputs(tmp_path):
    df = load_events(str(DATA / "deploys" / "*.json"))
    assert set(df["source"]) == {"deploys.json", "github_deployments.json"}
    folder = load_events(DATA / "deploys", tz="UTC")
    assert len(folder) == 3 + 3 + 2
    assert folder.attrs["import_report"].skipped == []


def test_format_given_skips_sniffing_and_says_so(tmp_path):
    df = load_events(DATA / "deploys" / "deploys.json", format="deploys")
    assert df.attrs["import_report"].inputs[0].reason == "format= given"


def test_dst_repeat_and_gap_are_flagged_not_crashed(tmp_path):
    path = tmp_path / "dst.csv"
    path.write_text(
        "time,service,kind\n"
        "2026-10-25 02:30:00,api,deploy\n"  # Berlin falls back 03:00 -> 02:00: twice
        "2026-03-29 02:30:00,api,deploy\n"  # Berlin springs forward 02:00 -> 03:00: never
    )
    df = load_events(path, tz="Europe/Berlin")
    assert list(df["time"]) == [
        pd.Timestamp("2026-03-29T01:30:00Z"),  # read with +01:00, the offset before the gap
        pd.Timestamp("2026-10-25T00:30:00Z"),  # first reading, +02:00
    ]
    text = str(df.attrs["import_report"])
    assert "DST repeat (ambiguous)" in text and "2026-10-25 02:30:00" in text
    assert "DST gap" in text and "2026-03-29 02:30:00" in text


def test_report_prints_readably_and_renders_html():
    df = load_events(DATA / "slack", relative_to=DATA)
    report = df.attrs["import_report"]
    text = str(report)
    assert text.splitlines()[0] == (
        "Event import: 1 input(s), 8 record(s) read, 7 event(s) made, 1 rejected"
    )
    assert "slack/inc-2041/2026-10-14.json:57" in text
    html = report._repr_html_()
    assert html.startswith("<p><b>Event import</b>")
    assert "<table>" in html and "slack/inc-2041/2026-10-14.json:57" in html


def test_format_table_lists_every_format_with_sniff_time_rule_and_example():
    table = event_format_table()
    names = [row["name"] for row in table]
    assert names[:6] == [
        "slack", "pagerduty", "alertmanager", "k8s-events", "deploys", "cloudtrail"
    ]  # fmt: skip
    for row in table:
        assert row["sniffed by"] and row["time rule"] and row["example"]
    assert get_event_format("k8s-events").name == "k8s-events"


def test_examples_in_the_table_are_recognised_by_their_own_format(tmp_path):
    for row in FORMATS[:6]:
        path = tmp_path / f"{row.name}.json"
        path.write_text(row.example)
        df = load_events(path)
        assert df.attrs["import_report"].inputs[0].format == row.name, row.name
        assert len(df) >= 1, row.name


def test_entry_point_plugin_adds_a_format(tmp_path, monkeypatch):
    (tmp_path / "pmk_opsgenie_plugin.py").write_text(
        textwrap.dedent(
            """
            import json
            from postmortem_kit.ingest.events import Event, EventFormat

            def sniff(path, document):
                if document is not None and document.text.startswith('{"opsgenie"'):
                    return "starts with an opsgenie key"
                return None

            def parse(path, ctx):
                doc = ctx.document(path)
                ctx.convert(
                    path,
                    doc.items("opsgenie"),
                    lambda r: [Event(time=ctx.time.parse(r["at"], "at"), kind="page",
                                     description=r["what"])],
                )

            FORMAT = EventFormat(
                name="opsgenie", sniffed_by="an opsgenie key", sniff=sniff, parse=parse,
                time_rule="at: ISO 8601", maps="alerts -> page",
                example='{"opsgenie": []}',
            )
            """
        )
    )
    dist = tmp_path / "pmk_opsgenie_plugin-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: pmk-opsgenie-plugin\nVersion: 0.1\n"
    )
    (dist / "entry_points.txt").write_text(
        "[postmortem_kit.event_formats]\nopsgenie = pmk_opsgenie_plugin:FORMAT\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    saved = list(FORMATS)
    try:
        assert "opsgenie" in load_plugins()
        evidence = tmp_path / "og.json"
        evidence.write_text(
            json.dumps({"opsgenie": [{"at": "2026-10-14T13:00:00Z", "what": "P1"}]})
        )
        df = load_events(evidence)
        assert df.attrs["import_report"].inputs[0].format == "opsgenie"
        assert (df["kind"].iloc[0], df["description"].iloc[0]) == ("page", "P1")
        assert isinstance(get_event_format("opsgenie"), EventFormat)
    finally:
        FORMATS[:] = saved


def test_evidence_folder_reads_event_files_and_slack_and_skips_logs_and_metrics(tmp_path):
    shutil.copytree(DATA / "slack", tmp_path / "slack")
    shutil.copy(DATA / "deploys" / "deploys.json", tmp_path / "deploys.json")
    (tmp_path / "metrics.csv").write_text(
        "timestamp,metric,service,value\n2026-10-14T13:00:00Z,http_5xx_ratio,checkout-api,0.08\n"
    )
    (tmp_path / "app.jsonl").write_text(
        '{"ts": "2026-10-14T13:00:00Z", "level": "error", "msg": "boom"}\n' * 3
    )
    (tmp_path / "access.log").write_text('10.0.0.1 - - [14/Oct/2026:09:00:00 -0400] "GET /"\n')
    df = load_events(tmp_path, relative_to=tmp_path)
    report = df.attrs["import_report"]
    assert [(i.path, i.format) for i in report.inputs] == [
        ("deploys.json", "deploys"),
        ("slack", "slack"),
    ]
    assert len(df) == 3 + 7
    assert sorted(s.split(":")[0] for s in report.skipped) == [
        "access.log",
        "app.jsonl",
        "metrics.csv",
    ]


def test_every_suggested_kind_is_a_timeline_kind_of_the_report_model():
    timeline_kinds = set(get_args(EventKind))
    assert set(SUGGESTED_KIND.values()) <= timeline_kinds
    frames = [load_events(DATA / name) for name in ("slack", "pagerduty", "alertmanager")]
    for df in frames:
        assert set(df["suggested_kind"]) <= timeline_kinds
        assert set(df["kind"]) <= set(SUGGESTED_KIND)

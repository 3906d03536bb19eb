"""accept_* and promote_to_timeline write through save_report, say what they wrote,
and never overwrite what is set without being told."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from postmortem_kit.errors import ReportError
from postmortem_kit.explore import (
    accept_anomaly,
    accept_impact,
    accept_key_times,
    computed_impact,
    promote_to_timeline,
)
from postmortem_kit.report import Report, Summary, load_report, save_report
from tests.explore.conftest import at


@pytest.fixture
def report_file(tmp_path):
    path = tmp_path / "postmortem.yaml"
    save_report(Report(id="INC-1", title="t", summary=Summary(detected=at(14, 12))), path)
    text = path.read_text()
    path.write_text("# written by hand: keep me\n" + text)
    return path


def test_accept_anomaly_sets_impact_start_and_mitigated(report_file, capsys):
    hint = pd.Series(
        {"start": pd.Timestamp(at(14, 7)), "end": pd.Timestamp(at(14, 41)), "evidence": "e"}
    )
    accept_anomaly(report_file, hint)
    saved = load_report(report_file)
    assert saved.summary.impact_start == at(14, 7)
    assert saved.summary.mitigated == at(14, 41)
    assert saved.summary.detected == at(14, 12)  # untouched
    out = capsys.readouterr().out
    assert "impact_start: unset → 2026-10-14T14:07:00+00:00" in out
    assert "mitigated: unset → 2026-10-14T14:41:00+00:00" in out
    assert report_file.read_text().startswith("# written by hand: keep me")


def test_set_key_times_are_not_overwritten_silently(report_file):
    with pytest.raises(ReportError, match="detected is already .*overwrite=True"):
        accept_key_times(report_file, detected=at(14, 13))
    assert load_report(report_file).summary.detected == at(14, 12)
    accept_key_times(report_file, detected=at(14, 13), overwrite=True)
    assert load_report(report_file).summary.detected == at(14, 13)
    with pytest.raises(ValueError, match="unknown key time"):
        accept_key_times(report_file, started=at(14, 0))


def test_out_of_order_key_times_are_refused_by_the_report(report_file):
    # resolved before detected: save_report validates the order; the file is unchanged.
    before = report_file.read_text()
    with pytest.raises(ReportError):
        accept_key_times(report_file, resolved=at(14, 0))
    assert report_file.read_text() == before


def test_promote_log_row_event_and_pattern(report_file, capsys):
    log_row = pd.Series(
        {
            "timestamp": pd.Timestamp(at(14, 7, 36)),
            "message": "QueuePool limit of size 5 overflow 0 reached",
            "source": "checkout-api",
            "provenance": "evidence/checkout-api.jsonl:8576",
        }
    )
    promote_to_timeline(report_file, log_row, kind="impact", pinned=True)
    event = {"time": at(14, 2, 11), "description": "CHG-8812 pool 50 -> 5",
             "source": "deploys", "provenance": "evidence/deploys.json:4"}  # fmt: skip
    promote_to_timeline(report_file, event, kind="trigger")
    pattern = pd.Series(
        {"first_seen": pd.Timestamp(at(14, 8)), "template": "slow connection <*>",
         "first_provenance": "app.log:9", "sources": "app"}
    )  # fmt: skip
    promote_to_timeline(report_file, pattern)
    timeline = load_report(report_file).timeline
    assert [(e.time, e.kind, e.provenance, e.pinned) for e in timeline] == [
        (at(14, 7, 36), "impact", "evidence/checkout-api.jsonl:8576", True),
        (at(14, 2, 11), "trigger", "evidence/deploys.json:4", False),
        (at(14, 8), "observation", "app.log:9", False),
    ]
    assert timeline[0].source == "checkout-api"
    assert timeline[2].description == "log pattern first seen: slow connection <*>"
    assert "timeline += 2026-10-14T14:07:36+00:00 impact" in capsys.readouterr().out
    promote_to_timeline(report_file, log_row, kind="impact", pinned=True)  # same row again
    assert len(load_report(report_file).timeline) == 3
    assert "already on the timeline" in capsys.readouterr().out


def test_accept_impact(report_file):
    rows = pd.DataFrame(
        {
            "timestamp": pd.to_datetime([at(14, 10), at(14, 11), at(14, 12)], utc=True),
            "status": pd.array([200, 503, 500], dtype="Int64"),
            "client": ["a", "b", "c"],
        }
    )
    impact = computed_impact(None, rows, show=False, window=(at(14, 0), at(15, 0)))
    accept_impact(report_file, impact)
    saved = load_report(report_file)
    assert saved.summary.users_affected == 2
    assert "failed requests: 2" in saved.summary.impact
    other = computed_impact(None, rows.iloc[:2], show=False, window=(at(14, 0), at(15, 0)))
    with pytest.raises(ReportError, match="users_affected is already 2"):
        accept_impact(report_file, other)


def test_unrecognised_rows_are_refused(report_file):
    with pytest.raises(ValueError, match="cannot tell what this row is"):
        promote_to_timeline(report_file, {"when": dt.datetime.now(dt.UTC)})

"""``check`` as a whole: loading from disk, the text/HTML/JSON views, the CLI exit codes, and
the publish gate."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from postmortem_kit.publish.check import CheckFailedError, check, check_report, publish_gate
from postmortem_kit.publish.commands import check_command
from postmortem_kit.report import save_report
from tests.check.conftest import TODAY, clean_report


def write(tmp_path: Path, report) -> Path:
    folder = tmp_path / report.id
    folder.mkdir()
    save_report(report, folder)
    return folder


def with_warning():
    report = clean_report()
    report.root_cause.five_whys = ["Why? The team was careless."]
    return report


def with_error():
    report = clean_report()
    report.summary.impact = "It was bad."
    return report


def test_check_loads_the_folder(tmp_path):
    folder = write(tmp_path, with_error())
    result = check(folder, today=TODAY)
    assert [(f.rule, f.field) for f in result.findings] == [("impact-quantified", "summary.impact")]
    assert not result.ok


def test_text_listing_names_rule_field_and_quote():
    text = str(check_report(with_warning(), today=TODAY))
    lines = text.splitlines()
    assert lines[0] == "check INC-100: 0 errors, 1 warning (as of 2026-10-20)"
    assert lines[1].split()[:3] == ["warning", "blameless-language", "root_cause.five_whys[0]:"]
    assert lines[2].strip() == '"The team was careless."'  # the sentence, not the item


def test_html_view_escapes_quotes():
    report = clean_report()
    report.lessons.went_wrong = ["<script>alert(1)</script> was careless"]
    page = check_report(report, today=TODAY)._repr_html_()
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; was careless" in page
    assert page.count("<tr") == 2  # header + one finding


def test_json_view_round_trips():
    data = json.loads(check_report(with_error(), today=TODAY).to_json())
    assert data["ok"] is False and data["errors"] == 1 and data["warnings"] == 0
    assert data["findings"][0]["rule"] == "impact-quantified"


@pytest.mark.parametrize(
    ("make", "args", "code"),
    [
        (clean_report, [], 0),
        (with_warning, [], 0),
        (with_warning, ["--strict"], 1),
        (with_error, [], 1),
    ],
)
def test_cli_exit_codes(tmp_path, make, args, code):
    folder = write(tmp_path, make())
    result = CliRunner().invoke(check_command, [str(folder), "--today", "2026-10-20", *args])
    assert result.exit_code == code, result.output
    assert result.output.startswith("check INC-100:")


def test_cli_today_decides_overdue(tmp_path):
    folder = write(tmp_path, clean_report())
    late = CliRunner().invoke(check_command, [str(folder), "--today", "2026-12-01", "--json"])
    data = json.loads(late.output)
    assert [f["rule"] for f in data["findings"]] == ["overdue-actions", "overdue-actions"]
    assert late.exit_code == 0


def test_cli_disable_option(tmp_path):
    folder = write(tmp_path, with_error())
    args = [str(folder), "--disable", "impact-quantified", "--today", "2026-10-20"]
    assert CliRunner().invoke(check_command, args).exit_code == 0


def test_cli_missing_report_is_one_error_line(tmp_path):
    result = CliRunner().invoke(check_command, [str(tmp_path)])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ") and "no report file here" in lines[0]


def test_publish_gate_refuses_published_report_with_errors():
    report = with_error()
    report.status = "published"
    with pytest.raises(CheckFailedError, match="impact-quantified"):
        publish_gate(report, today=TODAY)
    gate = publish_gate(report, override=True, today=TODAY)
    assert gate.overridden
    assert gate.mark == (
        "Published despite 1 unresolved review error (impact-quantified) — check overridden"
    )


@pytest.mark.parametrize("status", ["draft", "in review"])
def test_publish_gate_lets_drafts_through(status):
    report = with_error()
    report.status = status
    gate = publish_gate(report, today=TODAY)
    assert not gate.overridden and gate.mark is None and not gate.result.ok


def test_publish_gate_passes_clean_published_report():
    report = clean_report()
    report.status = "published"
    gate = publish_gate(report, today=dt.date(2026, 10, 20))
    assert gate.result.ok and gate.mark is None

"""The `postmortem` command: new incidents, one-line errors, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from postmortem_kit.cli import main
from postmortem_kit.report import load_report


def test_new_creates_folder_report_and_notebook(tmp_path: Path):
    folder = tmp_path / "INC-7"
    result = CliRunner().invoke(main, ["new", str(folder), "--id", "INC-7", "--title", "DNS"])
    assert result.exit_code == 0, result.output
    report = load_report(folder)
    assert (report.id, report.title, report.status) == ("INC-7", "DNS", "draft")
    assert (folder / "evidence").is_dir() and (folder / "report").is_dir()
    nb = json.loads((folder / "postmortem.ipynb").read_text())
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    assert all(not c.get("outputs") for c in nb["cells"] if c["cell_type"] == "code")
    params = [c for c in nb["cells"] if "parameters" in c["metadata"].get("tags", [])]
    assert len(params) == 1 and "incident_dir" in "".join(params[0]["source"])


def test_new_refuses_to_overwrite(tmp_path: Path):
    runner = CliRunner()
    args = ["new", str(tmp_path), "--id", "INC-7", "--title", "first"]
    assert runner.invoke(main, args).exit_code == 0
    result = runner.invoke(main, ["new", str(tmp_path), "--id", "INC-8", "--title", "second"])
    assert result.exit_code == 1
    assert "already exists" in result.output
    assert load_report(tmp_path).title == "first"


def test_publish_with_invalid_report_is_one_line_and_nonzero(tmp_path: Path):
    text = "schema_version: 1\nid: X\ntitle: t\nseverity: high\n"
    (tmp_path / "postmortem.yaml").write_text(text)
    proc = subprocess.run(
        [sys.executable, "-m", "postmortem_kit.cli", "publish", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1
    assert "line 4" in lines[0] and "severity" in lines[0]


def test_publish_missing_report_is_clear(tmp_path: Path):
    result = CliRunner().invoke(main, ["publish", str(tmp_path)])
    assert result.exit_code == 1
    assert "no report file here" in result.output


def test_help_lists_every_command_without_importing_the_data_stack():
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from postmortem_kit.cli import main\n"
        "out = CliRunner().invoke(main, ['--help']).output\n"
        "print(sorted(m for m in ('pandas', 'polars', 'plotly') if m in sys.modules))\n"
        "print(out)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    first, _, help_text = proc.stdout.partition("\n")
    assert first == "[]"
    for command in ("new", "publish", "demo", "check", "trends", "import-logs", "formats"):
        assert f"  {command} " in help_text, command

"""Regenerate the PNG of each section editor (and of the conflict panel) in this folder.

Run from anywhere: ``.venv/bin/python docs/screenshots/capture.py``. It runs the browser tests
that drive JupyterLab in Debian's Chromium with ``PMK_SCREENSHOTS_DIR`` pointing here: the
five editors show the sample incident (``data/INC-2041``); the conflict panel comes from the
test that edits ``postmortem.yaml`` behind an open form.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]


def main() -> int:
    """Run the screenshot-taking browser tests; returns pytest's exit code."""
    env = {**os.environ, "PMK_SCREENSHOTS_DIR": str(HERE)}
    command = [
        sys.executable, "-m", "pytest", "tests/browser/test_capture_browser.py",
        "-k", "sample_report or own", "-q", "-p", "no:cacheprovider",
    ]  # fmt: skip
    return subprocess.call(command, cwd=REPO, env=env)


if __name__ == "__main__":
    sys.exit(main())

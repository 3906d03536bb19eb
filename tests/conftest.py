"""Shared test helpers: paths, and skipping (or failing in CI) when a system tool is missing."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
SAMPLE_INCIDENT = REPO / "data" / "INC-2041"
IN_CI = os.environ.get("CI", "").lower() == "true"


def require_binary(name: str, why: str) -> str:
    """Path of a system binary; skip the test when it is missing, fail in CI (CI=true)."""
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed ({why}); .ci/run installs it"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Debian's chromium (never a downloaded browser build)."""
    return require_binary("chromium", "Debian package `chromium`, needed for browser tests")


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def published_sample(tmp_path_factory) -> Path:
    """The sample incident copied to a temp folder and published once per test session."""
    from postmortem_kit.incident import copy_sample_incident
    from postmortem_kit.publish import publish

    folder = copy_sample_incident(tmp_path_factory.mktemp("sample"))
    return publish(folder, build_time="TEST BUILD")

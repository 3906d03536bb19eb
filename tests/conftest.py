"""Shared test helpers: paths, and skipping (or failing in CI) when a system tool is missing."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from postmortem_kit.publish.browser import CHROMIUM_ARGS

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


@pytest.fixture(scope="session")
def browser(chromium_path):
    """One headless Chromium for the whole session, driven by Playwright's sync API.

    Shared by every browser test: Playwright's sync API allows one instance per thread, so
    a second ``sync_playwright()`` while this one lives would fail.
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium_path, args=list(CHROMIUM_ARGS), headless=True
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    """A fresh page in its own browser context."""
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    yield context.new_page()
    context.close()


@pytest.fixture(scope="session")
def published_sample(tmp_path_factory) -> Path:
    """The sample incident copied to a temp folder and published once per test session."""
    from postmortem_kit.incident import copy_sample_incident
    from postmortem_kit.publish import publish

    folder = copy_sample_incident(tmp_path_factory.mktemp("sample"))
    return publish(folder, build_time="TEST BUILD")

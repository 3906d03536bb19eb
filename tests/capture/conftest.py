"""Fixtures for the capture tests: a fresh incident folder, a hand-stepped scheduler and clock."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from postmortem_kit.capture.binding import close_all
from postmortem_kit.report import Report, save_report
from tests.capture.helpers import ManualClock, ManualScheduler


@pytest.fixture
def scheduler() -> ManualScheduler:
    return ManualScheduler()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def opts(scheduler, clock) -> dict:
    """Options every test passes: hand-stepped time, no file watching unless asked."""
    return {"scheduler": scheduler, "clock": clock, "watch": None, "debounce": 1.0}


@pytest.fixture
def incident(tmp_path: Path) -> Path:
    """A fresh incident folder with a minimal report."""
    folder = tmp_path / "INC-7"
    folder.mkdir()
    save_report(Report(id="INC-7", title="Checkout errors"), folder)
    return folder


@pytest.fixture(autouse=True)
def _forget_bindings() -> Iterator[None]:
    """Each test starts with no shared bindings and leaves none behind."""
    yield
    close_all()

"""Small constructed reports for the exploration tests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from postmortem_kit.report import Report, Summary, TimelineEvent

UTC = dt.UTC
DATA = Path(__file__).resolve().parents[1] / "data" / "explore"


def at(hour: int, minute: int, second: int = 0) -> dt.datetime:
    """2026-10-14 hh:mm:ss UTC, the sample incident's day."""
    return dt.datetime(2026, 10, 14, hour, minute, second, tzinfo=UTC)


@pytest.fixture
def report() -> Report:
    """Key times of the sample story: impact 14:07, detected 14:12, ack 14:15,
    mitigated 14:41, resolved 15:05; two pinned timeline rows and one not pinned."""
    return Report(
        id="INC-TEST",
        title="pool exhaustion",
        summary=Summary(
            impact_start=at(14, 7),
            detected=at(14, 12),
            acknowledged=at(14, 15),
            mitigated=at(14, 41),
            resolved=at(15, 5),
        ),
        timeline=[
            TimelineEvent(
                time=at(14, 2),
                description="config push: pool 50 -> 5",
                kind="trigger",
                pinned=True,
                provenance="deploys.json:3",
            ),
            TimelineEvent(time=at(14, 36), description="rollback", kind="mitigation", pinned=True),
            TimelineEvent(time=at(14, 20), description="not pinned", kind="observation"),
        ],
    )

"""A report that passes every review rule, to be spoiled one field at a time by the tests."""

from __future__ import annotations

import datetime as dt

import pytest

from postmortem_kit.report import (
    Action,
    Lessons,
    Report,
    RootCause,
    Summary,
    TimelineEvent,
)

TODAY = dt.date(2026, 10, 20)


def at(hour: int, minute: int = 0) -> dt.datetime:
    """2026-10-14 hh:mm UTC."""
    return dt.datetime(2026, 10, 14, hour, minute, tzinfo=dt.UTC)


def clean_report() -> Report:
    """Complete, quantified, blameless, with a preventive action and full timeline."""
    return Report(
        id="INC-100",
        title="Checkout errors after connection pool exhaustion",
        severity="SEV2",
        status="in review",
        authors=["Alice Johnson"],
        services=["checkout-api"],
        summary=Summary(
            narrative="Checkout requests failed for two hours while the payment database "
            "connection pool was exhausted.",
            impact_start=at(13, 0),
            detected=at(13, 10),
            acknowledged=at(13, 15),
            mitigated=at(14, 0),
            resolved=at(15, 0),
            impact="About 12% of checkout requests failed with HTTP 503.",
            users_affected=None,
            trigger="A configuration change lowered the pool size from 50 to 5.",
            detection="The checkout error-rate alert fired.",
        ),
        timeline=[
            TimelineEvent(
                time=at(13, 0),
                description="Error rate rises",
                source="nginx",
                kind="impact",
                provenance="evidence/access.log.gz:1200",
            ),
            TimelineEvent(
                time=at(13, 10),
                description="Alert CheckoutErrors fires",
                source="alerts",
                kind="detection",
                provenance="evidence/alerts.json:3",
            ),
            TimelineEvent(
                time=at(15, 0), description="Error rate back to normal", kind="resolution"
            ),
        ],  # fmt: skip
        root_cause=RootCause(
            root_cause="The pool size is read from a shared configuration file that has no "
            "validation and no staged rollout, so a typo reached every instance at once. "
            "The service also had no alert on pool saturation.",
            contributing_factors=["No canary for configuration changes."],
        ),
        actions=[
            Action(
                id="A1",
                description="Validate pool size in config CI",
                type="prevent",
                owner="payments team",
                due=dt.date(2026, 11, 1),
            ),
            Action(
                id="A2",
                description="Alert on pool saturation",
                type="mitigate",
                owner="sre team",
                due=dt.date(2026, 10, 25),
                status="in progress",
            ),
        ],  # fmt: skip
        lessons=Lessons(
            went_well=["The rollback runbook worked."],
            went_wrong=["The alert fired ten minutes after impact began."],
            got_lucky=["Traffic was low."],
        ),
    )


@pytest.fixture
def report() -> Report:
    """A fresh clean report per test."""
    return clean_report()

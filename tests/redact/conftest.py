"""Planted secrets of every kind, a Slack ``users.json``, and a report carrying them all."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from postmortem_kit.publish.redact import RedactionProfile, Redactor
from postmortem_kit.report import (
    Action,
    Lessons,
    Link,
    Report,
    RootCause,
    Source,
    Summary,
    TimelineEvent,
)

#: kind → a planted value (all fake). Every one must vanish from anything redacted.
SECRETS: dict[str, str] = {
    "email": "alice.johnson@corp.example.com",
    "email-mixed-case": "Bob.Kowalski@Example.ORG",
    "ipv4": "10.20.30.40",
    "ipv6": "2001:db8:85a3::8a2e:370:7334",
    "internal-host": "db-primary-3.corp.example.com",
    "bearer-token": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N",
    "aws-key": "AKIAIOSFODNN7EXAMPLE",
    "github-token": "ghp_aB3dE5fG7hI9jK1lM3nO5pQ7rS9tU1vW3xY5",
    "github-pat": "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz",
    "slack-token": "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
    "keyword-secret": "S3cr3tP4ss!",
    "random-string": "Zq8vN3xL0pR7tY2wK5mB9cD4",
    "url-password": "hunter2hunter2",
    "slack-user-full-name": "Alice Johnson",
    "slack-user-handle": "alice.j",
    "slack-user-display": "Ally",
    "custom": "CUST-004211",
}
#: Each secret in the context that gives it away.
IN_CONTEXT: dict[str, str] = {
    "bearer-token": f"Authorization: Bearer {SECRETS['bearer-token']}",
    "keyword-secret": f"db password={SECRETS['keyword-secret']}",
    "url-password": f"https://deploy:{SECRETS['url-password']}@ci.example.net/job/7",
    "github-pat": f"cloned with {SECRETS['github-pat']}",
}

USERS = [
    {
        "id": "U01",
        "name": "alice.j",
        "real_name": "Alice Johnson",
        "profile": {"display_name": "Ally", "real_name": "Alice Johnson"},
    },
    {"id": "U02", "name": "bkowalski", "real_name": "Will Kowalski", "profile": {}},
    {"id": "B01", "name": "deploybot", "real_name": "Deploy Bot", "is_bot": True},
]


def planted(kind: str) -> str:
    """The secret of ``kind`` in a sentence."""
    return f"see {IN_CONTEXT.get(kind, SECRETS[kind])} here"


def all_secrets_text() -> str:
    """One line holding every planted secret."""
    return " ; ".join(planted(kind) for kind in SECRETS)


def at(minute: int) -> dt.datetime:
    return dt.datetime(2026, 10, 14, 13, minute, tzinfo=dt.UTC)


def leaks(text: str) -> list[str]:
    """Planted secrets (and their distinctive parts) still present in ``text``."""
    parts = [*SECRETS.values(), "Alice", "Johnson", "Kowalski", "corp.example.com",
             "8a2e:370:7334", "hunter2"]  # fmt: skip
    return [p for p in parts if p.lower() in text.lower()]


@pytest.fixture
def users_json(tmp_path: Path) -> Path:
    """A Slack export's users.json (two people and a bot)."""
    path = tmp_path / "users.json"
    path.write_text(json.dumps(USERS), encoding="utf-8")
    return path


@pytest.fixture
def profile(users_json: Path) -> RedactionProfile:
    """The external profile with an internal domain, the users, a custom pattern."""
    return RedactionProfile(
        internal_domains=("corp.example.com",),
        slack_users=(str(users_json),),
        patterns={"customer": r"CUST-\d{6}"},
    )


@pytest.fixture
def redactor(profile: RedactionProfile) -> Redactor:
    """A fresh redactor for one report."""
    return Redactor(profile)


def secret_report() -> Report:
    """A report with every kind of secret in every section, the timeline and provenance."""
    text = all_secrets_text()
    return Report(
        id="INC-9",
        title=f"Outage of {SECRETS['internal-host']}",
        authors=["Alice Johnson", "bkowalski"],
        services=["checkout"],
        summary=Summary(
            narrative=f"Ally saw 10.20.30.40 fail. {text}",
            impact=f"{SECRETS['email']} and 2001:DB8:85A3:0:0:8A2E:370:7334 were hit",
            trigger=text,
            detection="alice.j noticed errors from 10.20.30.40",
            impact_start=at(0),
            resolved=at(30),
        ),
        timeline=[
            TimelineEvent(
                time=at(1),
                description=text,
                source="slack",
                kind="communication",
                provenance="evidence/slack/inc/2026-10-14.json:3",
            ),
            TimelineEvent(
                time=at(2),
                description="connect to 10.20.30.40 refused",
                source="app",
                provenance="evidence/10.20.30.40-app.log:12",
            ),
            TimelineEvent(
                time=at(3),
                description="db down",
                provenance=f"evidence/{SECRETS['internal-host']}.log:7",
            ),
        ],  # fmt: skip
        root_cause=RootCause(
            root_cause=text,
            contributing_factors=[f"{SECRETS['aws-key']} leaked"],
            five_whys=[text],
            recommendations=[text],
        ),
        actions=[
            Action(
                id="A1",
                description=text,
                type="prevent",
                owner="Alice Johnson",
                due=dt.date(2026, 11, 1),
                ticket=f"https://jira.corp.example.com/{text}",
            ),
        ],  # fmt: skip
        lessons=Lessons(
            went_well=[text], went_wrong=[text], got_lucky=[text], recommendations=[text]
        ),  # fmt: skip
        links=[Link(title=text, url=IN_CONTEXT["url-password"])],
        sources=[
            Source(
                name="db",
                kind="logs",
                path=f"evidence/{SECRETS['internal-host']}.log",
                timezone="Europe/Berlin",
            )
        ],  # fmt: skip
    )

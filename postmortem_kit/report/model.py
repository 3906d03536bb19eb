"""The postmortem document: five sections in the seed's order, plus metadata and sources.

The model is the single source of truth for a report. It is written to ``postmortem.yaml``
by :mod:`postmortem_kit.report.store` and rendered by the publisher; the notebook's widgets
edit it. Every model forbids unknown keys, so a typo in the YAML is an error naming the key.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

SCHEMA_VERSION = 1

Severity = Literal["SEV1", "SEV2", "SEV3", "SEV4", "SEV5"]
Status = Literal["draft", "in review", "published"]
EventKind = Literal[
    "trigger",
    "impact",
    "detection",
    "escalation",
    "investigation",
    "action",
    "mitigation",
    "resolution",
    "observation",
    "communication",
]
ActionType = Literal["mitigate", "prevent", "process"]
ActionStatus = Literal["open", "in progress", "done", "won't do"]
Priority = Literal["P1", "P2", "P3", "P4"]
SourceKind = Literal["logs", "events", "metrics"]

#: The key times of an incident, in the order they happen.
KEY_TIMES: tuple[str, ...] = ("impact_start", "detected", "acknowledged", "mitigated", "resolved")

#: key time field → label for people
KEY_TIME_LABELS: dict[str, str] = {
    "impact_start": "Impact start",
    "detected": "Detected",
    "acknowledged": "Acknowledged",
    "mitigated": "Mitigated",
    "resolved": "Resolved",
}

#: The five sections of a postmortem, in the seed's order: (model field, heading).
SECTIONS: tuple[tuple[str, str], ...] = (
    ("summary", "Summary"),
    ("timeline", "Timeline"),
    ("root_cause", "Root cause analysis"),
    ("actions", "Corrective and preventive actions"),
    ("lessons", "Lessons learned"),
)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True, str_strip_whitespace=False)


class Summary(_Model):
    """Section 1: what happened, when, and to whom."""

    narrative: str = ""
    impact_start: AwareDatetime | None = None
    detected: AwareDatetime | None = None
    acknowledged: AwareDatetime | None = None
    mitigated: AwareDatetime | None = None
    resolved: AwareDatetime | None = None
    impact: str = ""
    users_affected: int | None = Field(default=None, ge=0)
    trigger: str = ""
    detection: str = ""


class TimelineEvent(_Model):
    """One row of section 2. ``provenance`` says where it came from (``file:line``, a query,
    or ``manual`` for a hand-written row)."""

    time: AwareDatetime
    description: str
    source: str = "manual"
    kind: EventKind = "observation"
    pinned: bool = False
    provenance: str = "manual"


class RootCause(_Model):
    """Section 3: the underlying cause, what contributed, and what to change."""

    root_cause: str = ""
    contributing_factors: list[str] = Field(default_factory=list)
    five_whys: list[str] = Field(default_factory=list)
    recommendations: list[str] = Field(default_factory=list)


class Action(_Model):
    """One corrective or preventive action of section 4."""

    id: str
    description: str
    type: ActionType
    owner: str = ""
    due: dt.date | None = None
    status: ActionStatus = "open"
    ticket: str = ""
    priority: Priority | None = None

    def is_overdue(self, today: dt.date) -> bool:
        """True when the action is not finished and its due date has passed."""
        return self.due is not None and self.status in ("open", "in progress") and self.due < today


class Lessons(_Model):
    """Section 5: what the incident taught, and how to respond better next time."""

    went_well: list[str] = Field(default_factory=list)
    went_wrong: list[str] = Field(default_factory=list)
    got_lucky: list[str] = Field(default_factory=list)
    recommendations: list[str] = Field(default_factory=list)


class Link(_Model):
    """A supporting link (dashboard, ticket, chat channel, runbook)."""

    title: str
    url: str


class Source(_Model):
    """An evidence source the notebook loads.

    A file or folder (``path``, relative to the incident folder), or for metrics a live
    Prometheus query (``format: prometheus`` with ``url`` and ``query``; ``step`` optional),
    re-run every time the notebook runs. Credentials never live here: they come from the
    environment (``PROMETHEUS_TOKEN`` or ``PROMETHEUS_USERNAME``/``PROMETHEUS_PASSWORD``).
    """

    name: str
    kind: SourceKind
    path: str | None = None
    format: str = "auto"
    timezone: str | None = None
    #: Logs: slash dates (03/04/2026) are day first (true) or month first (false); unset:
    #: as each file shows.
    dayfirst: bool | None = None
    url: str | None = None
    query: str | None = None
    step: str | None = None

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is None:
            return value
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown IANA time zone {value!r} (e.g. Europe/Berlin)") from exc
        return value

    @model_validator(mode="after")
    def _path_or_query(self) -> Source:
        if self.format == "prometheus":
            if self.kind != "metrics" or not self.url or not self.query:
                raise ValueError("a prometheus source is kind: metrics with a url and a query")
        elif not self.path:
            raise ValueError(f"source {self.name!r} needs a path (file or folder)")
        if self.dayfirst is not None and self.kind != "logs":
            raise ValueError(f"source {self.name!r}: dayfirst is for logs sources")
        return self


class Audience(_Model):
    """A publishing audience's redaction settings (``audiences:`` in ``postmortem.yaml``).

    Only the settings written here replace those of the built-in profile of the same name
    (``internal``: credentials; ``external`` and new names: every kind). See
    :mod:`postmortem_kit.publish.redact` for what each kind matches.
    """

    kinds: list[str] | None = None
    internal_domains: list[str] | None = None
    patterns: dict[str, str] | None = None
    allow: list[str] | None = None
    allow_patterns: list[str] | None = None
    slack_users: list[str] | str | None = None
    names: list[str] | None = None


class Report(_Model):
    """A whole postmortem: metadata, the five sections, links and evidence sources."""

    schema_version: int = SCHEMA_VERSION
    id: str
    title: str
    severity: Severity = "SEV3"
    status: Status = "draft"
    authors: list[str] = Field(default_factory=list)
    services: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    summary: Summary = Field(default_factory=Summary)
    timeline: list[TimelineEvent] = Field(default_factory=list)
    root_cause: RootCause = Field(default_factory=RootCause)
    actions: list[Action] = Field(default_factory=list)
    lessons: Lessons = Field(default_factory=Lessons)
    links: list[Link] = Field(default_factory=list)
    sources: list[Source] = Field(default_factory=list)
    audiences: dict[str, Audience] = Field(default_factory=dict)

    def sorted_timeline(self) -> list[TimelineEvent]:
        """The timeline sorted by time; equal times keep their written order."""
        return sorted(self.timeline, key=lambda e: e.time)

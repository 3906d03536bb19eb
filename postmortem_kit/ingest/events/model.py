"""What an imported event is: its kinds, the timeline kind each suggests, and the frame columns.

Parsers turn records into :class:`Event` objects (or raise :class:`RecordError` to reject one);
:func:`events_frame` turns the events of every input into the frame :func:`load_events` returns.
"""

from __future__ import annotations

import dataclasses
import re
from typing import get_args

import pandas as pd

from postmortem_kit.report.model import EventKind

#: The timeline kinds of the report model, which ``suggested_kind`` must be one of.
TIMELINE_KINDS: tuple[str, ...] = get_args(EventKind)

#: Event kinds and the timeline kind (``postmortem_kit.report.model.EventKind``) each suggests
#: when promoted. A parser may suggest another kind for one event (a rollback is a mitigation).
SUGGESTED_KIND: dict[str, str] = {
    "deploy": "trigger",
    "change": "trigger",
    "alert_firing": "detection",
    "alert_resolved": "observation",
    "page": "detection",
    "acknowledge": "action",
    "escalate": "escalation",
    "resolve": "resolution",
    "note": "observation",
    "chat": "communication",
    "k8s_event": "observation",
}

#: Every event kind, in the order of :data:`SUGGESTED_KIND`.
EVENT_KINDS: tuple[str, ...] = tuple(SUGGESTED_KIND)

#: Normalised severities, least to most severe; ``""`` means the source has none.
SEVERITIES: tuple[str, ...] = ("debug", "info", "notice", "warning", "error", "critical")

#: Raw severity words (lower case) and the normalised severity they mean.
SEVERITY_WORDS: dict[str, str] = {
    **{s: s for s in SEVERITIES},
    "trace": "debug",
    "verbose": "debug",
    "information": "info",
    "informational": "info",
    "normal": "info",
    "low": "info",
    "ticket": "info",
    "none": "info",
    "warn": "warning",
    "minor": "warning",
    "medium": "warning",
    "moderate": "warning",
    "err": "error",
    "major": "error",
    "high": "error",
    "failure": "error",
    "failed": "error",
    "crit": "critical",
    "page": "critical",
    "fatal": "critical",
    "emergency": "critical",
    "emerg": "critical",
    "alert": "critical",
    "disaster": "critical",
    "p1": "critical",
    "p2": "error",
    "p3": "warning",
    "p4": "info",
    "p5": "info",
    "sev1": "critical",
    "sev2": "error",
    "sev3": "warning",
    "sev4": "info",
    "sev5": "info",
}

#: The frame's columns, in order.
COLUMNS: tuple[str, ...] = (
    "time",
    "source",
    "kind",
    "description",
    "actor",
    "provenance",
    "severity",
    "url",
    "suggested_kind",
    "record_id",
    "count",
)


class RecordError(Exception):
    """A record cannot become an event; the message is the reject reason (one line)."""


@dataclasses.dataclass(frozen=True)
class Event:
    """One timeline candidate event, before it gets its source and provenance.

    ``suggested_kind`` left empty takes the default of :data:`SUGGESTED_KIND` for ``kind``.
    """

    time: pd.Timestamp
    kind: str
    description: str
    actor: str = ""
    severity: str = ""
    url: str = ""
    suggested_kind: str = ""
    record_id: str = ""
    count: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in SUGGESTED_KIND:
            raise ValueError(f"unknown event kind {self.kind!r}; known: {', '.join(EVENT_KINDS)}")
        if self.suggested_kind and self.suggested_kind not in TIMELINE_KINDS:
            raise ValueError(
                f"unknown timeline kind {self.suggested_kind!r}; known: {', '.join(TIMELINE_KINDS)}"
            )


def normalise_severity(raw: object) -> str:
    """Map a raw severity word (``crit``, ``Warning``, ``P2``) to a normalised one, else ``""``."""
    if raw is None:
        return ""
    return SEVERITY_WORDS.get(str(raw).strip().lower(), "")


_SPACE = re.compile(r"\s+")


def one_line(text: object, limit: int = 500) -> str:
    """Collapse whitespace (newlines included) to single spaces and cut at ``limit`` chars."""
    line = _SPACE.sub(" ", str(text or "")).strip()
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def events_frame(rows: list[tuple[Event, str, str]]) -> pd.DataFrame:
    """Build the event frame from ``(event, source, provenance)`` rows, sorted stably by time.

    Parameters
    ----------
    rows
        The events of every input in reading order, each with its source name and
        ``file:line`` provenance.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COLUMNS`; ``time`` is ``datetime64[us, UTC]``, ``count`` is ``Int64``.
    """
    times = pd.DatetimeIndex([e.time for e, _, _ in rows], dtype="datetime64[us, UTC]")
    frame = pd.DataFrame(
        {
            "time": times,
            "source": [s for _, s, _ in rows],
            "kind": [e.kind for e, _, _ in rows],
            "description": [e.description for e, _, _ in rows],
            "actor": [e.actor for e, _, _ in rows],
            "provenance": [p for _, _, p in rows],
            "severity": [e.severity for e, _, _ in rows],
            "url": [e.url for e, _, _ in rows],
            "suggested_kind": [e.suggested_kind or SUGGESTED_KIND[e.kind] for e, _, _ in rows],
            "record_id": [e.record_id for e, _, _ in rows],
            "count": pd.array([e.count for e, _, _ in rows], dtype="Int64"),
        },
        columns=list(COLUMNS),
    )
    for column in COLUMNS[1:-1]:
        frame[column] = frame[column].astype("str")
    return frame.sort_values("time", kind="stable").reset_index(drop=True)

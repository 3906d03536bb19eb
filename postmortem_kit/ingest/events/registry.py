"""The event formats, as one table: name, how it is sniffed, parser, time rule, example.

Adding a format is adding a row. Third parties add rows through the entry point group
``postmortem_kit.event_formats``: each entry point names an :class:`EventFormat` object; one
with the name of a built-in format replaces it. Automatic detection tries the rows in order.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Callable
from importlib.metadata import entry_points
from pathlib import Path

from postmortem_kit.errors import IngestError
from postmortem_kit.ingest.events import (
    alertmanager,
    cloudtrail,
    deploys,
    kubernetes,
    pagerduty,
    slack,
)
from postmortem_kit.ingest.events.context import ParseContext
from postmortem_kit.ingest.events.documents import Document

ENTRY_POINT_GROUP = "postmortem_kit.event_formats"


@dataclasses.dataclass(frozen=True)
class EventFormat:
    """One row of the format table.

    Attributes
    ----------
    name
        The name for ``format=``.
    sniffed_by
        How automatic detection recognises it, in words.
    sniff
        ``sniff(path, document)`` returns the reason it matched, or ``None``; ``document`` is
        the file read once, or ``None`` when ``path`` is a folder.
    parse
        ``parse(path, ctx)`` reads the input and reports every record to ``ctx``.
    time_rule
        Which field gives the event time, and how it is read.
    maps
        What becomes which event kind.
    example
        A short example of the input.
    folder
        True when the format reads a whole folder as one input.
    """

    name: str
    sniffed_by: str
    sniff: Callable[[Path, Document | None], str | None]
    parse: Callable[[Path, ParseContext], None]
    time_rule: str
    maps: str
    example: str
    folder: bool = False


FORMATS: list[EventFormat] = [
    EventFormat(
        name="slack",
        sniffed_by="a folder with users.json/channels.json and channel folders of YYYY-MM-DD.json "
        "files; a channel folder; or a JSON list of messages with type 'message' and 'ts'",
        sniff=slack.sniff,
        parse=slack.parse,
        time_rule="ts: epoch seconds with microseconds, UTC",
        maps="messages -> chat (actor from users.json; <@U1> mentions resolved; bots by "
        "username/bot_profile); join/leave/topic/purpose subtypes -> note",
        example='[{"type": "message", "user": "U01AB", "text": "rolling back <@U02CD>", '
        '"ts": "1791983160.000300"}]',
        folder=True,
    ),
    EventFormat(
        name="pagerduty",
        sniffed_by="a JSON object with a 'log_entries' list, or a list of objects whose type "
        "ends in '_log_entry'",
        sniff=pagerduty.sniff,
        parse=pagerduty.parse,
        time_rule="created_at: RFC 3339 with offset",
        maps="trigger, notify -> page; acknowledge -> acknowledge; escalate, assign, delegate, "
        "responder_request -> escalate; resolve -> resolve; annotate and the rest -> note",
        example='{"log_entries": [{"type": "acknowledge_log_entry", "created_at": '
        '"2026-10-14T13:21:30Z", "agent": {"summary": "Dana Reyes"}}]}',
    ),
    EventFormat(
        name="alertmanager",
        sniffed_by="a JSON list of alerts with labels and startsAt (API v2 GET /api/v2/alerts), "
        "or webhook payload(s) with an alerts list and version/receiver/groupKey",
        sniff=alertmanager.sniff,
        parse=alertmanager.parse,
        time_rule="startsAt (firing) and endsAt (resolved): RFC 3339; an API v2 alert is "
        "resolved only when endsAt <= updatedAt, a webhook alert when status is resolved",
        maps="each alert -> alert_firing at startsAt, plus alert_resolved at endsAt if resolved",
        example='{"version": "4", "status": "resolved", "alerts": [{"status": "resolved", '
        '"labels": {"alertname": "HighErrorRate"}, "startsAt": "2026-10-14T13:12:00Z", '
        '"endsAt": "2026-10-14T15:05:00Z"}]}',
    ),
    EventFormat(
        name="k8s-events",
        sniffed_by="kubectl get events -o json (EventList or List of Event), a single Event, "
        "or a watch stream of {type, object} lines",
        sniff=kubernetes.sniff,
        parse=kubernetes.parse,
        time_rule="eventTime if set, else lastTimestamp, else firstTimestamp, else "
        "metadata.creationTimestamp (RFC 3339)",
        maps="each Event -> k8s_event (Warning -> warning, Normal -> info; count kept)",
        example='{"kind": "EventList", "items": [{"type": "Warning", "reason": "BackOff", '
        '"involvedObject": {"kind": "Pod", "name": "checkout-api-7d9f"}, '
        '"lastTimestamp": "2026-10-14T13:05:00Z", "count": 12}]}',
    ),
    EventFormat(
        name="deploys",
        sniffed_by="a JSON list (or an object with a deploys/deployments/changes list) of "
        "records with a time field and id/service/kind/description/author/status; a CSV with "
        "such columns; or GitHub deployments (sha, ref, environment, creator)",
        sniff=deploys.sniff,
        parse=deploys.parse,
        time_rule="the first of time, timestamp, created_at, deployed_at: ISO 8601 (offset "
        "honoured; without one tz= or UTC assumed) or epoch seconds/ms",
        maps="deploy/release/rollback records and GitHub deployments -> deploy; other kinds "
        "(config, flag, migration) -> change; rollbacks suggest mitigation",
        example='[{"id": "D-88", "time": "2026-10-14T14:58:00+02:00", "service": '
        '"checkout-api", "kind": "deploy", "description": "v2.14.0", "author": "sam"}]',
    ),
    EventFormat(
        name="cloudtrail",
        sniffed_by="a JSON object with a 'Records' list of records with eventTime and "
        "eventSource (the files CloudTrail delivers, gzipped or not), or an 'Events' list "
        "(aws cloudtrail lookup-events)",
        sniff=cloudtrail.sniff,
        parse=cloudtrail.parse,
        time_rule="eventTime: RFC 3339 UTC",
        maps="each call that changes something -> change (actor: the caller; a failed call "
        "is a warning with its errorCode); read-only calls make no event and are counted",
        example='{"Records": [{"eventTime": "2026-10-14T14:02:11Z", "eventSource": '
        '"ec2.amazonaws.com", "eventName": "RevokeSecurityGroupIngress", "awsRegion": '
        '"us-east-1", "readOnly": false, "userIdentity": {"type": "AssumedRole", "arn": '
        '"arn:aws:sts::123456789012:assumed-role/Admin/alice"}, "requestParameters": '
        '{"groupId": "sg-0a1b2c3d"}}]}',
    ),
]

_plugins_loaded = False


def register(event_format: EventFormat) -> None:
    """Add a format to the table; one with the same name as an existing row replaces it."""
    if not isinstance(event_format, EventFormat):
        raise TypeError(f"register() takes an EventFormat, got {type(event_format).__name__}")
    for index, row in enumerate(FORMATS):
        if row.name == event_format.name:
            FORMATS[index] = event_format
            return
    FORMATS.append(event_format)


def load_plugins() -> list[str]:
    """Register the formats of the ``postmortem_kit.event_formats`` entry points (again).

    A plugin that fails to load is skipped with a warning naming it, so one broken package
    cannot break the built-in formats. Returns the names registered.
    """
    global _plugins_loaded
    _plugins_loaded = True
    names = []
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        try:
            register(entry.load())
        except Exception as exc:  # noqa: BLE001 - any plugin failure is reported, not raised
            warnings.warn(
                f"event format plugin {entry.name!r} ({entry.value}) not loaded: {exc}",
                stacklevel=2,
            )
            continue
        names.append(entry.name)
    return names


def event_formats() -> list[EventFormat]:
    """Every format, built-in and from entry points, in detection order."""
    if not _plugins_loaded:
        load_plugins()
    return list(FORMATS)


def get_event_format(name: str) -> EventFormat:
    """The format called ``name``; :class:`IngestError` listing the known names otherwise."""
    for row in event_formats():
        if row.name == name:
            return row
    known = ", ".join(row.name for row in event_formats())
    raise IngestError(f"unknown event format {name!r}; known formats: auto, {known}")


def detect_format(path: Path, ctx: ParseContext) -> tuple[EventFormat, str] | None:
    """The first format whose sniff matches ``path``, with its reason; ``None`` if none does."""
    document = None if path.is_dir() else ctx.document(path)
    for row in event_formats():
        if path.is_dir() and not row.folder:
            continue
        reason = row.sniff(path, document)
        if reason:
            return row, reason
    return None


def event_format_table() -> list[dict[str, str]]:
    """The format table as rows of text, for ``postmortem formats`` and the docs."""
    return [
        {
            "name": row.name,
            "sniffed by": row.sniffed_by,
            "time rule": row.time_rule,
            "maps": row.maps,
            "example": row.example,
        }
        for row in event_formats()
    ]

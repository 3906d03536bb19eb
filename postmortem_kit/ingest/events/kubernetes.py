"""Kubernetes events: ``kubectl get events -o json`` (an ``EventList`` or ``List``), a single
Event, or a watch stream (``kubectl get events -w -o json`` or the API's
``{"type": "ADDED", "object": {...}}`` lines).

The event time is ``eventTime`` if set, else ``lastTimestamp``, else ``firstTimestamp``, else
``metadata.creationTimestamp`` (``events.k8s.io/v1`` objects: ``deprecatedLastTimestamp`` and
``deprecatedFirstTimestamp``). ``count`` is kept: a repeated event is one row with its count.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from postmortem_kit.ingest.events.context import ParseContext, require_object, text_field
from postmortem_kit.ingest.events.documents import Document
from postmortem_kit.ingest.events.model import Event, RecordError, normalise_severity, one_line
from postmortem_kit.ingest.events.times import is_unset_time

#: Where the event time comes from: key paths, tried in order.
TIME_FIELDS: tuple[tuple[str, ...], ...] = (
    ("eventTime",),
    ("lastTimestamp",),
    ("deprecatedLastTimestamp",),
    ("firstTimestamp",),
    ("deprecatedFirstTimestamp",),
    ("metadata", "creationTimestamp"),
)
_LISTS = ("EventList", "List")


def sniff(path: Path, document: Document | None) -> str | None:
    """Recognise an event list, a single event, or a watch stream."""
    if document is None:
        return None
    if document.is_json:
        value = document.json()
        if isinstance(value, dict) and value.get("kind") in _LISTS:
            items = value.get("items")
            if isinstance(items, list) and (not items or _is_event(items[0])):
                return f"{value['kind']} of Kubernetes Events (kubectl get events -o json)"
        if _is_event(value):
            return "a single Kubernetes Event object"
        if isinstance(value, dict) and _is_event(value.get("object")):
            return "a single Kubernetes watch event ({type, object})"
        return None
    first = document.first_values(1)
    if first and isinstance(first[0], dict):
        inner = first[0].get("object") if "type" in first[0] else None
        if _is_event(inner) or _is_event(first[0]):
            return "stream of Kubernetes watch events / Event objects (one JSON after another)"
    return None


def parse(path: Path, ctx: ParseContext) -> None:
    """Read every Event of the list, object or stream."""
    document = ctx.document(path)
    if document.is_json:
        value = document.json()
        if isinstance(value, dict) and value.get("kind") in _LISTS:
            ctx.convert(path, document.items("items"), lambda e: [_event(e, ctx)])
        else:
            records = [(document.line_of_key(), value)]
            ctx.convert(path, records, lambda v: [_event(_unwrap_watch(v), ctx)])
        return
    for line, value, error in document.stream():
        if error:
            ctx.reject(path, line, error)
        else:
            ctx.convert(path, [(line, value)], lambda v: [_event(_unwrap_watch(v), ctx)])


def _is_event(value: Any) -> bool:
    return isinstance(value, dict) and (
        value.get("kind") == "Event" or "involvedObject" in value or "regarding" in value
    )


def _unwrap_watch(value: Any) -> Any:
    """The Event inside a watch notice; watch types that are not occurrences are rejects."""
    if isinstance(value, dict) and "object" in value and "type" in value:
        watch_type = value.get("type")
        if watch_type == "DELETED":
            raise RecordError("watch DELETED notice: the Event object expired, not an occurrence")
        if watch_type in ("BOOKMARK", "ERROR"):
            raise RecordError(f"watch {watch_type} notice, not an Event")
        return value["object"]
    return value


def _event(value: Any, ctx: ParseContext) -> Event:
    event = require_object(value, "a Kubernetes Event")
    if not _is_event(event):
        raise RecordError("not a Kubernetes Event (no involvedObject/regarding)")
    time = _event_time(event, ctx)
    target = event.get("involvedObject") or event.get("regarding") or {}
    target = target if isinstance(target, dict) else {}
    where = "/".join(p for p in (text_field(target, "kind"), text_field(target, "name")) if p)
    namespace = text_field(target, "namespace") or text_field(event, "metadata", "namespace")
    if namespace:
        where += f" in {namespace}"
    count = _count(event)
    event_type = text_field(event, "type")
    message = text_field(event, "message") or text_field(event, "note")
    head = " ".join(p for p in (event_type, text_field(event, "reason"), where) if p)
    description = f"{head}: {message}" if message else head
    if count and count > 1:
        first = text_field(event, "firstTimestamp") or text_field(event, "deprecatedFirstTimestamp")
        description += f" (x{count}" + (f", first at {first})" if first else ")")
    return Event(
        time=time,
        kind="k8s_event",
        description=one_line(description),
        actor=text_field(event, "source", "component")
        or text_field(event, "reportingComponent")
        or text_field(event, "reportingController"),
        severity=normalise_severity(event_type),
        record_id=text_field(event, "metadata", "uid"),
        count=count,
    )


def _event_time(event: dict[str, Any], ctx: ParseContext):
    for path in TIME_FIELDS:
        value: Any = event
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        if not is_unset_time(value):
            return ctx.time.parse(value, ".".join(path))
    raise RecordError("no time: eventTime, lastTimestamp, firstTimestamp, creationTimestamp unset")


def _count(event: dict[str, Any]) -> int | None:
    series = event.get("series") if isinstance(event.get("series"), dict) else {}
    for value in (event.get("count"), event.get("deprecatedCount"), series.get("count")):
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return None

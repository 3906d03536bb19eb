"""Alertmanager alerts: the API v2 list (``GET /api/v2/alerts``) and webhook payloads.

An alert that fired becomes an ``alert_firing`` event at ``startsAt``; an alert that resolved
also becomes an ``alert_resolved`` event at ``endsAt``. In a webhook payload (``version`` 4)
the alert says ``status: resolved``. In the API v2 list an active alert carries an ``endsAt``
in the future (when it would expire without a refresh), so only an ``endsAt`` at or before
``updatedAt`` means resolved. A file may hold one payload or a stream of payloads (one JSON
per line, as a webhook receiver logs them); a notification repeating an alert already seen in
the same input is counted as a duplicate reject.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from postmortem_kit.ingest.events.context import ParseContext, require_object, text_field
from postmortem_kit.ingest.events.documents import Document
from postmortem_kit.ingest.events.model import Event, RecordError, normalise_severity, one_line
from postmortem_kit.ingest.events.times import is_unset_time

#: Labels shown after the alert name, when present.
SHOWN_LABELS: tuple[str, ...] = ("service", "job", "instance", "namespace", "severity")


def sniff(path: Path, document: Document | None) -> str | None:
    """Recognise an API v2 alert list or one or more webhook payloads."""
    if document is None:
        return None
    values = [document.json()] if document.is_json else document.first_values()
    first = values[0] if values else None
    if isinstance(first, list) and first and _is_alert(first[0]):
        return "JSON list of alerts with labels and startsAt (Alertmanager API v2)"
    if _is_payload(first):
        version = first.get("version", "?")
        many = "" if document.is_json else "a stream of "
        return f"{many}webhook payload(s) with an alerts list (version {version})"
    return None


def parse(path: Path, ctx: ParseContext) -> None:
    """Read alerts from an API v2 list or webhook payload(s)."""
    document = ctx.document(path)
    seen: dict[tuple[str, str, str], int] = {}
    if document.is_json and isinstance(document.json(), list):
        ctx.convert(path, document.items(), lambda a: _alert_events(a, ctx, None, seen))
        return
    if document.is_json:
        payloads = [(document.line_of_key(), document.json(), "")]
    else:
        payloads = document.stream()
    for line, payload, error in payloads:
        if error or not _is_payload(payload):
            ctx.reject(path, line, error or "not an Alertmanager webhook payload")
            continue
        truncated = payload.get("truncatedAlerts") or 0
        if truncated:
            ctx.report.notes.append(
                f"line {line}: Alertmanager left {truncated} alert(s) out of this payload "
                "(max_alerts): they are not in the file"
            )
        items = _payload_items(document, line, payload)
        ctx.convert(path, items, lambda a, p=payload: _alert_events(a, ctx, p, seen))


def _payload_items(document: Document, line: int, payload: dict[str, Any]) -> list[tuple[int, Any]]:
    if document.is_json:
        return document.items("alerts")
    return [(line, alert) for alert in payload.get("alerts") or []]


def _is_alert(value: Any) -> bool:
    return isinstance(value, dict) and "labels" in value and "startsAt" in value


def _is_payload(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and isinstance(value.get("alerts"), list)
        and bool({"version", "receiver", "groupKey"} & value.keys())
    )


def _alert_events(
    alert: Any,
    ctx: ParseContext,
    payload: dict[str, Any] | None,
    seen: dict[tuple[str, str, str], int],
) -> list[Event]:
    alert = require_object(alert, "an alert")
    labels = alert.get("labels")
    if not isinstance(labels, dict):
        raise RecordError("field 'labels' is missing or not an object")
    starts = ctx.time.parse(alert.get("startsAt"), "startsAt")
    name = str(labels.get("alertname") or "unnamed alert")
    fingerprint = text_field(alert, "fingerprint") or _label_key(labels)
    shown = ", ".join(f"{k}={labels[k]}" for k in SHOWN_LABELS if labels.get(k))
    annotations = alert.get("annotations") if isinstance(alert.get("annotations"), dict) else {}
    summary = str(annotations.get("summary") or annotations.get("description") or "")
    common = {
        "actor": "alertmanager",
        "severity": normalise_severity(labels.get("severity")),
        "url": text_field(alert, "generatorURL"),
        "record_id": fingerprint,
    }

    muted = _muted(alert)

    def describe(state: str) -> str:
        head = f"{name} {state}" + (f" ({shown})" if shown else "") + muted
        return one_line(f"{head}: {summary}" if summary else head)

    events = []
    if (fingerprint, str(starts), "firing") not in seen:
        seen[(fingerprint, str(starts), "firing")] = 1
        firing = Event(time=starts, kind="alert_firing", description=describe("firing"), **common)
        events.append(firing)
    ends = _resolved_at(alert, ctx, payload)
    if ends is not None and (fingerprint, str(starts), "resolved") not in seen:
        seen[(fingerprint, str(starts), "resolved")] = 1
        events.append(
            Event(time=ends, kind="alert_resolved", description=describe("resolved"), **common)
        )
    if not events:
        raise RecordError(f"repeat notification of alert {name} ({fingerprint}) already imported")
    return events


def _resolved_at(alert: dict[str, Any], ctx: ParseContext, payload: dict[str, Any] | None):
    """``endsAt`` as a UTC time when the alert is resolved, else ``None``."""
    ends_raw = alert.get("endsAt")
    if payload is not None:
        status = str(alert.get("status") or payload.get("status") or "")
        if status != "resolved":
            return None
        if is_unset_time(ends_raw):
            raise RecordError("resolved alert without an 'endsAt' time")
        return ctx.time.parse(ends_raw, "endsAt")
    if is_unset_time(ends_raw) or is_unset_time(alert.get("updatedAt")):
        return None
    ends = ctx.time.parse(ends_raw, "endsAt")
    updated = ctx.time.parse(alert.get("updatedAt"), "updatedAt")
    return ends if ends <= updated else None


def _muted(alert: dict[str, Any]) -> str:
    """`` [silenced]`` or `` [inhibited]`` for an API v2 alert nobody was notified of."""
    status = alert.get("status") if isinstance(alert.get("status"), dict) else {}
    if status.get("silencedBy"):
        return " [silenced]"
    if status.get("inhibitedBy"):
        return " [inhibited]"
    return ""


def _label_key(labels: dict[str, Any]) -> str:
    return ",".join(f"{k}={labels[k]}" for k in sorted(labels))

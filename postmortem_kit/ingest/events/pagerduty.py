"""PagerDuty incident log entries (REST API ``GET /incidents/{id}/log_entries`` or
``GET /log_entries``): ``{"log_entries": [...], "limit": ..., "more": ...}`` or a bare list.

Each log entry becomes one event at ``created_at``; its ``type`` (``trigger_log_entry``,
``acknowledge_log_entry``, ...) picks the kind. The actor is the ``agent`` (a user, a service
or an integration); for ``notify_log_entry`` the person notified is named in the description.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from postmortem_kit.ingest.events.context import ParseContext, require_object, text_field
from postmortem_kit.ingest.events.documents import Document
from postmortem_kit.ingest.events.model import Event, RecordError, one_line

#: Log entry type (without ``_log_entry``) to (event kind, suggested timeline kind or "").
ENTRY_KINDS: dict[str, tuple[str, str]] = {
    "trigger": ("page", "detection"),
    "notify": ("page", "escalation"),
    "acknowledge": ("acknowledge", ""),
    "escalate": ("escalate", ""),
    "assign": ("escalate", ""),
    "delegate": ("escalate", ""),
    "responder_request": ("escalate", ""),
    "resolve": ("resolve", ""),
    "annotate": ("note", "investigation"),
}
#: Any other log entry type (snooze, unacknowledge, priority_change, urgency_change, link, ...).
OTHER_KIND: tuple[str, str] = ("note", "")


def sniff(path: Path, document: Document | None) -> str | None:
    """Recognise a log entries response or a list of log entries."""
    if document is None or not document.is_json:
        return None
    value = document.json()
    if isinstance(value, dict) and isinstance(value.get("log_entries"), list):
        return "JSON object with a 'log_entries' list (REST API response)"
    if isinstance(value, list) and value and _is_log_entry(value[0]):
        return "JSON list of objects whose type ends in '_log_entry'"
    return None


def parse(path: Path, ctx: ParseContext) -> None:
    """Read every log entry of the file."""
    document = ctx.document(path)
    value = document.json()
    items = document.items("log_entries") if isinstance(value, dict) else document.items()
    ctx.convert(path, items, lambda entry: [_entry_event(entry, ctx)])


def _is_log_entry(value: Any) -> bool:
    return isinstance(value, dict) and str(value.get("type", "")).endswith("_log_entry")


def _entry_event(entry: Any, ctx: ParseContext) -> Event:
    entry = require_object(entry, "a PagerDuty log entry")
    entry_type = text_field(entry, "type")
    if not entry_type.endswith("_log_entry"):
        raise RecordError(f"field 'type' is not a log entry type: {entry_type!r}")
    name = entry_type.removesuffix("_log_entry")
    kind, suggested = ENTRY_KINDS.get(name, OTHER_KIND)
    time = ctx.time.parse(entry.get("created_at"), "created_at")
    summary = text_field(entry, "summary") or name.replace("_", " ")
    note = _note(entry)
    if note and note not in summary:
        summary = f"{summary}: {note}"
    if name == "notify" and "user" in entry:
        who = text_field(entry, "user", "summary")
        how = text_field(entry, "channel", "type") or text_field(entry, "notification", "type")
        if who and who not in summary:
            summary = f"{summary} ({who}" + (f" via {how})" if how else ")")
    incident = text_field(entry, "incident", "summary")
    description = f"PagerDuty {incident}: {summary}" if incident else f"PagerDuty: {summary}"
    return Event(
        time=time,
        kind=kind,
        description=one_line(description),
        actor=text_field(entry, "agent", "summary") or "PagerDuty",
        url=text_field(entry, "html_url") or text_field(entry, "incident", "html_url"),
        suggested_kind=suggested,
        record_id=text_field(entry, "id"),
    )


def _note(entry: dict[str, Any]) -> str:
    """The text an annotate entry carries (channel summary or note content), if any."""
    if entry.get("type") != "annotate_log_entry":
        return ""
    return (
        text_field(entry, "channel", "summary")
        or text_field(entry, "channel", "content")
        or text_field(entry, "note", "content")
    )

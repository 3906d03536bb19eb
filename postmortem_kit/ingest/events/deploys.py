"""Deploy and change records: CSV or JSON rows, and GitHub's deployments API response.

A change record is an object (or CSV row) with a time field (``time``, ``timestamp``,
``created_at`` or ``deployed_at``) and any of ``id``, ``service``, ``kind``, ``description``,
``author``, ``status``, ``url``, ``version``, ``environment``. A GitHub deployment is an
object of ``GET /repos/{owner}/{repo}/deployments`` (``sha``, ``ref``, ``environment``,
``creator.login``, ``created_at``) with its ``statuses`` list when the exporter added it.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

from postmortem_kit.ingest.events.context import ParseContext, require_object, text_field
from postmortem_kit.ingest.events.documents import Document
from postmortem_kit.ingest.events.model import Event, RecordError, normalise_severity, one_line

#: The fields that may hold a change record's time, in the order they are tried.
TIME_FIELDS: tuple[str, ...] = ("time", "timestamp", "created_at", "deployed_at")
#: Keys of a JSON object that may hold the list of records.
LIST_KEYS: tuple[str, ...] = ("deploys", "deployments", "changes", "records", "items", "data")
#: A record needs one of these besides its time (a metrics CSV has a time and a service too).
_RECORD_FIELDS = {"kind", "description", "author", "status", "version", "sha", "ref"}
_GITHUB_FIELDS = {"sha", "ref", "environment", "creator"}
_DEPLOY_WORDS = re.compile(r"deploy|release|rollout|roll-out|rollback|roll back|revert|hotfix")
_ROLLBACK_WORDS = re.compile(r"\b(rollback|roll(ed|ing)? back|revert(ed|ing)?|undo)\b", re.I)
#: Columns that name who made a change, first found first.
_ACTOR_FIELDS = ("actor", "author", "user", "deployed_by", "deployer")
_URL_FIELDS = ("url", "link", "html_url")
_FAILED = {"failed", "failure", "error", "errored", "aborted", "cancelled", "canceled"}


def sniff(path: Path, document: Document | None) -> str | None:
    """Recognise change records (JSON or CSV) and GitHub deployments."""
    if document is None:
        return None
    if document.is_json:
        records = _json_records_value(document.json())
        first = records[0] if records and isinstance(records[0], dict) else None
        if first is None:
            return None
        if first.keys() >= _GITHUB_FIELDS:
            return "JSON list of GitHub deployments (sha, ref, environment, creator)"
        time_field = next((f for f in TIME_FIELDS if f in first), None)
        if time_field and _RECORD_FIELDS & first.keys():
            return f"JSON list of change records with a {time_field!r} field"
        return None
    header = document.text.split("\n", 1)[0]
    dialect = _csv_dialect(header)
    if dialect is not None:
        return f"CSV with a time column ({dialect[1]!r}) and change record columns"
    return None


def parse(path: Path, ctx: ParseContext) -> None:
    """Read change records or GitHub deployments from a JSON or CSV file."""
    document = ctx.document(path)
    if not document.is_json and _csv_dialect(document.text.split("\n", 1)[0]) is not None:
        ctx.convert(path, _csv_rows(document), lambda row: [_csv_event(row, ctx)])
        return
    value = document.json()
    key = next((k for k in LIST_KEYS if isinstance(value, dict) and k in value), None)
    items = document.items(key) if key else document.items()
    ctx.convert(path, items, lambda record: [_record_event(record, ctx)])


def _csv_event(row: dict[str, str] | str, ctx: ParseContext) -> Event:
    if isinstance(row, str):
        raise RecordError(row)
    return _change_event(row, ctx)


def _json_records_value(value: Any) -> list[Any] | None:
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        for key in LIST_KEYS:
            if isinstance(value.get(key), list):
                return value[key]
    return None


def _record_event(record: Any, ctx: ParseContext) -> Event:
    record = require_object(record, "a change record or GitHub deployment")
    if record.keys() >= _GITHUB_FIELDS:
        return _github_event(record, ctx)
    return _change_event(record, ctx)


def _change_event(record: dict[str, Any], ctx: ParseContext) -> Event:
    time_field = next((f for f in TIME_FIELDS if record.get(f) not in (None, "")), None)
    if time_field is None:
        raise RecordError(f"no time field (one of {', '.join(TIME_FIELDS)})")
    time = ctx.time.parse(record[time_field], time_field)
    service = text_field(record, "service")
    raw_kind = text_field(record, "kind") or text_field(record, "type")
    text = text_field(record, "description") or text_field(record, "summary")
    version = text_field(record, "version") or text_field(record, "ref")
    status = text_field(record, "status")
    environment = text_field(record, "environment")
    words = f"{raw_kind} {text}".lower()
    kind = "deploy" if not raw_kind or _DEPLOY_WORDS.search(raw_kind.lower()) else "change"
    head = " ".join(p for p in (raw_kind or kind, service) if p)
    details = ", ".join(p for p in (version, environment and f"to {environment}") if p)
    description = f"{head}: {text}" if text else head
    if details:
        description += f" ({details})"
    if status:
        description += f" [{status}]"
    severity = "error" if status.lower() in _FAILED else normalise_severity(record.get("severity"))
    return Event(
        time=time,
        kind=kind,
        description=one_line(description),
        actor=next((text_field(record, k) for k in _ACTOR_FIELDS if record.get(k)), "")
        or _login(record),
        severity=severity,
        url=next((text_field(record, k) for k in _URL_FIELDS if record.get(k)), ""),
        suggested_kind="mitigation" if _ROLLBACK_WORDS.search(words) else "",
        record_id=text_field(record, "id"),
    )


def _github_event(record: dict[str, Any], ctx: ParseContext) -> Event:
    time = ctx.time.parse(record.get("created_at"), "created_at")
    sha, ref = text_field(record, "sha"), text_field(record, "ref")
    environment = text_field(record, "environment")
    text = text_field(record, "description")
    status = _latest_status(record.get("statuses"))
    state = text_field(status, "state")
    revision = f"{ref} ({sha[:7]})" if ref and sha and not sha.startswith(ref) else ref or sha[:7]
    description = f"deploy {revision} to {environment}" + (f": {text}" if text else "")
    if state:
        description += f" [{state}]"
    url = next(
        (text_field(status, k) for k in ("log_url", "target_url", "environment_url") if status),
        "",
    )
    return Event(
        time=time,
        kind="deploy",
        description=one_line(description),
        actor=_login(record),
        severity="error" if state in _FAILED else "",
        url=url,
        suggested_kind="mitigation" if _ROLLBACK_WORDS.search(f"{text} {ref}") else "",
        record_id=text_field(record, "id"),
    )


def _login(record: dict[str, Any]) -> str:
    return text_field(record, "creator", "login") or text_field(record, "creator", "name")


def _latest_status(statuses: Any) -> dict[str, Any]:
    """The newest deployment status (GitHub lists them newest first; ISO times sort)."""
    if not isinstance(statuses, list):
        return {}
    objects = [s for s in statuses if isinstance(s, dict)]
    return max(objects, key=lambda s: str(s.get("created_at") or ""), default={})


def _csv_dialect(header: str) -> tuple[str, str] | None:
    """``(delimiter, time column)`` when the first line is a CSV header with a time column."""
    for delimiter in (",", "\t", ";", "|"):
        names = [n.strip().strip('"').lower() for n in header.strip().split(delimiter)]
        time_field = next((f for f in TIME_FIELDS if f in names), None)
        if len(names) > 1 and time_field and _RECORD_FIELDS & set(names):
            return delimiter, time_field
    return None


def _csv_rows(document: Document) -> list[tuple[int, Any]]:
    """Each data row as ``(line, dict)``; a row with the wrong field count as ``(line, reason)``."""
    delimiter, _ = _csv_dialect(document.text.split("\n", 1)[0]) or (",", "")
    reader = csv.reader(io.StringIO(document.text, newline=""), delimiter=delimiter)
    names = [n.strip().lower() for n in next(reader)]
    rows: list[tuple[int, Any]] = []
    start = reader.line_num + 1
    for fields in reader:
        if any(f.strip() for f in fields):
            if len(fields) != len(names):
                reason = f"row has {len(fields)} field(s), the header has {len(names)}"
                rows.append((start, reason))
            else:
                rows.append((start, dict(zip(names, (f.strip() for f in fields), strict=True))))
        start = reader.line_num + 1
    return rows

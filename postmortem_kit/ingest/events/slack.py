"""Slack export folders: ``users.json``, ``channels.json`` and one folder per channel with one
JSON file per day (a list of messages).

Every message becomes an event at its ``ts`` (epoch seconds, UTC). User ids resolve to display
names from ``users.json`` (also inside the text: ``<@U123>``); bot messages take ``username``
or ``bot_profile.name``. Join, leave, topic and similar subtypes become ``note`` events. The
input may be the export folder, one channel folder or one day file; ``users.json`` is looked
for up to two folders above.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

from postmortem_kit.ingest.events.context import ParseContext, require_object, text_field
from postmortem_kit.ingest.events.documents import Document
from postmortem_kit.ingest.events.model import Event, RecordError, one_line

#: Files at the root of an export that describe the workspace rather than hold messages.
EXPORT_FILES: tuple[str, ...] = (
    "users.json",
    "org_users.json",
    "channels.json",
    "groups.json",
    "dms.json",
    "mpims.json",
)
#: Message subtypes that are channel housekeeping: kept, as ``note`` events.
NOTE_SUBTYPES: frozenset[str] = frozenset(
    {
        "channel_join",
        "channel_leave",
        "channel_topic",
        "channel_purpose",
        "channel_name",
        "channel_archive",
        "channel_unarchive",
        "group_join",
        "group_leave",
        "group_topic",
        "group_purpose",
        "group_name",
        "pinned_item",
        "unpinned_item",
        "bot_add",
        "bot_remove",
        "tombstone",
    }
)
_DAY_FILE = re.compile(r"^\d{4}-\d{2}-\d{2}\.json$")
_MARKUP = re.compile(r"<([^<>]+)>")


def sniff(path: Path, document: Document | None) -> str | None:
    """Recognise an export folder, a channel folder, or a day file of messages."""
    if path.is_dir():
        found = [name for name in EXPORT_FILES if (path / name).is_file()]
        if found and _channel_dirs(path):
            return f"folder with {', '.join(found)} and channel folders of daily JSON files"
        if any(_DAY_FILE.match(p.name) for p in path.glob("*.json")):
            return "folder of daily JSON files (YYYY-MM-DD.json): one Slack channel"
        return None
    if document is not None and document.is_json:
        value = document.json()
        if isinstance(value, list) and value and isinstance(value[0], dict):
            first = value[0]
            if first.get("type") == "message" and "ts" in first:
                return "JSON list of messages with type 'message' and 'ts'"
    return None


def parse(path: Path, ctx: ParseContext) -> None:
    """Read every message of the export, channel folder or day file at ``path``."""
    root = _export_root(path)
    users = _users(root, ctx) if root else {}
    channels = _channels(root, ctx) if root else {}
    if root is None:
        ctx.report.notes.append("no users.json found: user ids are shown as ids")
    if path.is_file():
        days = [path]
    elif path == root:
        days = [day for folder in _channel_dirs(path) for day in _day_files(folder)]
    else:
        days = _day_files(path)
    for day in days:
        channel = day.parent.name
        document = ctx.document(day)
        ctx.convert(
            day, document.items(), lambda m, c=channel: [_message_event(m, c, ctx, users, channels)]
        )


def _message_event(
    message: Any, channel: str, ctx: ParseContext, users: dict[str, str], channels: dict[str, str]
) -> Event:
    message = require_object(message, "a Slack message")
    ts = message.get("ts")
    if not isinstance(ts, str) or not ts.replace(".", "", 1).isdigit():
        raise RecordError(f"field 'ts' is missing or not a Slack timestamp: {ts!r}")
    subtype = text_field(message, "subtype")
    actor = _actor(message, users)
    text = render_text(text_field(message, "text"), users, channels)
    if not text:
        text = _attachment_text(message, users, channels)
    files = [text_field(f, "name") or text_field(f, "title") for f in message.get("files") or []]
    if any(files):
        text = (text + " " if text else "") + " ".join(f"[file: {f}]" for f in files if f)
    thread = text_field(message, "thread_ts")
    if thread and thread != ts:
        text = f"(thread reply) {text}"
    if subtype in NOTE_SUBTYPES:
        description = f"#{channel}: {text or subtype.replace('_', ' ')}"
    else:
        description = f"#{channel} {actor}: {text}" if actor else f"#{channel}: {text}"
    return Event(
        time=ctx.time.epoch_seconds(ts, "ts"),
        kind="note" if subtype in NOTE_SUBTYPES else "chat",
        description=one_line(description),
        actor=actor,
        url=text_field(message, "permalink"),
        record_id=f"{channel}/{ts}",
    )


def render_text(text: str, users: dict[str, str], channels: dict[str, str]) -> str:
    """Slack markup to readable text: ``<@U1>`` to ``@Name``, ``<url|label>`` to ``label (url)``."""

    def replace(match: re.Match[str]) -> str:
        target, _, label = match.group(1).partition("|")
        if target.startswith("@"):
            return "@" + users.get(target[1:], label or target[1:])
        if target.startswith("#"):
            return "#" + (channels.get(target[1:]) or label or target[1:])
        if target.startswith("!"):
            return label or ("@" + target[1:].split("^")[0])
        if label and label != target:
            return f"{label} ({target.removeprefix('mailto:')})"
        return target.removeprefix("mailto:")

    return html.unescape(_MARKUP.sub(replace, text))


def _actor(message: dict[str, Any], users: dict[str, str]) -> str:
    user = text_field(message, "user")
    if user and user in users:
        return users[user]
    profile = message.get("user_profile") or {}
    for name in (
        text_field(profile, "display_name"),
        text_field(profile, "real_name"),
        text_field(message, "username"),
        text_field(message, "bot_profile", "name"),
    ):
        if name:
            return name
    return user or text_field(message, "bot_id")


def _attachment_text(message: dict[str, Any], users: dict[str, str], chans: dict[str, str]) -> str:
    parts = []
    for attachment in message.get("attachments") or []:
        if isinstance(attachment, dict):
            for key in ("fallback", "pretext", "title", "text"):
                if attachment.get(key):
                    parts.append(render_text(str(attachment[key]), users, chans))
                    break
    return " | ".join(parts)


def _export_root(path: Path) -> Path | None:
    folder = path if path.is_dir() else path.parent
    for candidate in (folder, folder.parent, folder.parent.parent):
        if any((candidate / name).is_file() for name in EXPORT_FILES[:2]):
            return candidate
    return None


def _channel_dirs(root: Path) -> list[Path]:
    return sorted(d for d in root.iterdir() if d.is_dir() and _day_files(d))


def _day_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.json") if _DAY_FILE.match(p.name))


def _users(root: Path, ctx: ParseContext) -> dict[str, str]:
    """User id to display name (display name, else real name, else handle)."""
    names: dict[str, str] = {}
    for file in (root / "users.json", root / "org_users.json"):
        if not file.is_file():
            continue
        for _, user in ctx.document(file).items():
            if isinstance(user, dict) and user.get("id"):
                profile = user.get("profile") if isinstance(user.get("profile"), dict) else {}
                names[str(user["id"])] = (
                    text_field(profile, "display_name")
                    or text_field(profile, "real_name")
                    or text_field(user, "real_name")
                    or text_field(user, "name")
                    or str(user["id"])
                )
    return names


def _channels(root: Path, ctx: ParseContext) -> dict[str, str]:
    """Channel id to name, from channels.json and groups.json."""
    names: dict[str, str] = {}
    for file in (root / "channels.json", root / "groups.json"):
        if file.is_file():
            for _, channel in ctx.document(file).items():
                if isinstance(channel, dict) and channel.get("id") and channel.get("name"):
                    names[str(channel["id"])] = str(channel["name"])
    return names

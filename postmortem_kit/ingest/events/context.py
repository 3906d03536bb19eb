"""What a format parser gets: the input, a time reader, and a place to put events and rejects.

A parser walks its records and, for each one, calls :meth:`ParseContext.convert` with a
function that returns the record's events or raises :class:`RecordError`; the context counts
the record as imported or rejected, so nothing can be dropped without a count.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from postmortem_kit.ingest.events.documents import Document, read_document
from postmortem_kit.ingest.events.model import Event, RecordError
from postmortem_kit.ingest.events.report import InputReport, Reject
from postmortem_kit.ingest.events.times import TimeReader


@dataclasses.dataclass
class ParseContext:
    """State shared by a parser and :func:`load_events` for one input.

    Attributes
    ----------
    path
        The input: a file, or a folder for folder formats (Slack export).
    time
        Parses timestamps and records time zone assumptions.
    report
        This input's part of the import report.
    display
        Turns a file path into the path written in provenance.
    rows
        ``(event, file, line)`` for every event made, in reading order.
    """

    path: Path
    time: TimeReader
    report: InputReport
    display: Callable[[Path], str] = lambda p: p.as_posix()
    rows: list[tuple[Event, Path, int]] = dataclasses.field(default_factory=list)
    _documents: dict[Path, Document] = dataclasses.field(default_factory=dict)

    def document(self, file: Path) -> Document:
        """The file read once (cached); sniffing and parsing share it."""
        if file not in self._documents:
            document = read_document(file)
            self.report.files += 1
            if document.replaced:
                self.report.notes.append(
                    f"{self.display(file)}: {document.replaced} invalid UTF-8 sequence(s) "
                    "replaced by U+FFFD"
                )
            self._documents[file] = document
        return self._documents[file]

    def convert(
        self,
        file: Path,
        records: Iterable[tuple[int, Any]],
        to_events: Callable[[Any], list[Event]],
    ) -> None:
        """Turn each ``(line, record)`` into events, counting it as imported or rejected."""
        for line, record in records:
            self.report.records_read += 1
            try:
                events = to_events(record)
                if not events:
                    raise RecordError("record makes no event")
            except RecordError as exc:
                self.reject(file, line, str(exc), counted=True)
                continue
            self.report.records_imported += 1
            self.report.events_made += len(events)
            self.rows.extend((event, file, line) for event in events)

    def reject(self, file: Path, line: int, reason: str, *, counted: bool = False) -> None:
        """Record a reject; ``counted=False`` also counts it as a record read."""
        if not counted:
            self.report.records_read += 1
        self.report.rejects.append(Reject(self.display(file), line, reason))


def require_object(record: Any, what: str) -> dict[str, Any]:
    """The record as a dict, or a :class:`RecordError` saying what was expected."""
    if not isinstance(record, dict):
        raise RecordError(f"expected a JSON object ({what}), found {type(record).__name__}")
    return record


def text_field(record: dict[str, Any], *path: str) -> str:
    """The string at a key path (``"creator", "login"``), or ``""`` when absent or null."""
    value: Any = record
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return "" if value is None or isinstance(value, dict | list) else str(value)

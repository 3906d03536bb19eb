"""The import report of :func:`load_events`: every record accounted for, every assumption said.

It lives on ``df.attrs["import_report"]``, prints as plain text and renders as HTML in a
notebook. Invariant per input: ``records_read == records_imported + len(rejects)``.
"""

from __future__ import annotations

import dataclasses
import html
from collections import Counter


@dataclasses.dataclass(frozen=True)
class Reject:
    """A record that did not become an event: where it starts and why."""

    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"


@dataclasses.dataclass
class InputReport:
    """What happened to one input (a file, or a folder such as a Slack export).

    Attributes
    ----------
    path
        The input as shown in provenance.
    format
        The format name used.
    reason
        Why that format: the sniff that matched, or ``format=`` given.
    files
        How many files were read for this input.
    records_read
        Records found (messages, log entries, alerts, events, deploy rows).
    records_imported
        Records that became one or more events.
    events_made
        Events made (an alert that fired and resolved makes two).
    rejects
        Records that did not become events.
    notes
        Time zone assumptions and other things the reader should know.
    """

    path: str
    format: str
    reason: str
    files: int = 0
    records_read: int = 0
    records_imported: int = 0
    events_made: int = 0
    rejects: list[Reject] = dataclasses.field(default_factory=list)
    notes: list[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class EventImportReport:
    """The report of one :func:`load_events` call: one :class:`InputReport` per input, and the
    files of a plain folder that were skipped because no event format recognised them."""

    inputs: list[InputReport] = dataclasses.field(default_factory=list)
    skipped: list[str] = dataclasses.field(default_factory=list)

    @property
    def records_read(self) -> int:
        """Records read over all inputs."""
        return sum(i.records_read for i in self.inputs)

    @property
    def events_made(self) -> int:
        """Events made over all inputs."""
        return sum(i.events_made for i in self.inputs)

    @property
    def rejects(self) -> list[Reject]:
        """Every rejected record, input by input."""
        return [r for i in self.inputs for r in i.rejects]

    @property
    def warnings(self) -> list[str]:
        """The notes that need attention (UTC assumed, DST problems, replaced bytes)."""
        return [f"{i.path}: {n}" for i in self.inputs for n in i.notes if _is_loud(n)]

    def __str__(self) -> str:
        lines = [
            f"Event import: {len(self.inputs)} input(s), {self.records_read} record(s) read, "
            f"{self.events_made} event(s) made, {len(self.rejects)} rejected"
        ]
        for item in self.inputs:
            lines.append(
                f"- {item.path} [{item.format}: {item.reason}] {item.files} file(s), "
                f"{item.records_read} read, {item.records_imported} imported, "
                f"{item.events_made} event(s), {len(item.rejects)} rejected"
            )
            lines.extend(f"    {n}" for n in item.notes)
            for reason, count in _reasons(item.rejects):
                lines.append(f"    rejected {count}x: {reason}")
            lines.extend(f"      e.g. {r}" for r in item.rejects[:5])
        lines.extend(f"- skipped {s}" for s in self.skipped)
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        e = html.escape
        head = (
            f"<p><b>Event import</b>: {len(self.inputs)} input(s), {self.records_read} "
            f"record(s) read, {self.events_made} event(s) made, "
            f"<b>{len(self.rejects)} rejected</b></p>"
        )
        rows = []
        for item in self.inputs:
            notes = "".join(
                f"<div style='color:#b00;font-weight:bold'>{e(n)}</div>"
                if _is_loud(n)
                else f"<div>{e(n)}</div>"
                for n in item.notes
            )
            rejects = "".join(
                f"<div>{count}× {e(reason)}</div>" for reason, count in _reasons(item.rejects)
            )
            examples = "".join(f"<div><code>{e(str(r))}</code></div>" for r in item.rejects[:5])
            rows.append(
                f"<tr><td><code>{e(item.path)}</code></td><td>{e(item.format)}</td>"
                f"<td>{e(item.reason)}</td><td>{item.records_read}</td>"
                f"<td>{item.events_made}</td><td>{len(item.rejects)}{rejects}{examples}</td>"
                f"<td>{notes}</td></tr>"
            )
        table = (
            "<table><thead><tr><th>input</th><th>format</th><th>why</th><th>records</th>"
            "<th>events</th><th>rejected</th><th>time zones and notes</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>"
        )
        skipped = "".join(f"<div>skipped {e(s)}</div>" for s in self.skipped)
        return head + table + skipped


def _reasons(rejects: list[Reject]) -> list[tuple[str, int]]:
    return Counter(r.reason for r in rejects).most_common()


def _is_loud(note: str) -> bool:
    return note.startswith("WARNING") or "DST" in note or "replaced" in note

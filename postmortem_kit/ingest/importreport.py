"""The import report: what was read, what became rows, what was rejected and why, which
format each file was read as and what was assumed about its time.

Every line read is accounted for::

    lines_read == rows + outside_window + continuation_lines + rejected
"""

from __future__ import annotations

import dataclasses
import html
from collections import Counter

EXAMPLES_PER_REASON = 3


@dataclasses.dataclass
class FileReport:
    """What happened to one file."""

    name: str
    format: str | None = None
    why: str = ""
    compression: str | None = None
    lines_read: int = 0
    rows: int = 0
    continuation_lines: int = 0
    outside_window: int = 0
    rejects: Counter = dataclasses.field(default_factory=Counter)
    examples: dict[str, list[tuple[str, str]]] = dataclasses.field(default_factory=dict)
    #: Lines with bytes invalid in the file's text encoding (:attr:`encoding`), decoded with
    #: replacement characters (the name is from when every file was UTF-8).
    invalid_utf8_lines: int = 0
    timezone: str = ""
    utc_assumed: bool = False
    notes: list[str] = dataclasses.field(default_factory=list)
    #: Notes a reader must not miss (among the report's warnings): times read by a guess,
    #: such as a zone abbreviation that names more than one zone.
    cautions: list[str] = dataclasses.field(default_factory=list)
    skipped: str | None = None
    first: str | None = None
    last: str | None = None

    @property
    def rejected(self) -> int:
        return sum(self.rejects.values())

    @property
    def encoding(self) -> str:
        """The file's text encoding: UTF-16 or UTF-32 when it was decoded from that (see
        :attr:`compression`), else UTF-8."""
        for wide in ("UTF-16", "UTF-32"):
            if self.compression and wide in self.compression:
                return wide
        return "UTF-8"

    @property
    def balanced(self) -> bool:
        """True when every line read is a row, a continuation, outside the window or a reject."""
        return self.lines_read == (
            self.rows + self.outside_window + self.continuation_lines + self.rejected
        )

    def reject(self, reason: str, count: int, examples: list[tuple[str, str]]) -> None:
        """Count ``count`` rejected lines for ``reason``, keeping a few (where, text) examples."""
        if count <= 0:
            return
        self.rejects[reason] += count
        kept = self.examples.setdefault(reason, [])
        for where, text in examples:
            if len(kept) >= EXAMPLES_PER_REASON:
                break
            shown = text if text is not None else ""
            kept.append((where, shown[:200] + ("…" if len(shown) > 200 else "")))


@dataclasses.dataclass
class ImportReport:
    """The import report of one :func:`~postmortem_kit.load_logs` call."""

    files: list[FileReport] = dataclasses.field(default_factory=list)
    window: tuple[str, str] | None = None

    @property
    def lines_read(self) -> int:
        return sum(f.lines_read for f in self.files)

    @property
    def rows(self) -> int:
        return sum(f.rows for f in self.files)

    @property
    def rejected(self) -> int:
        return sum(f.rejected for f in self.files)

    @property
    def continuation_lines(self) -> int:
        return sum(f.continuation_lines for f in self.files)

    @property
    def outside_window(self) -> int:
        return sum(f.outside_window for f in self.files)

    @property
    def rejects(self) -> Counter:
        total: Counter = Counter()
        for f in self.files:
            total.update(f.rejects)
        return total

    @property
    def warnings(self) -> list[str]:
        """The things a reader must not miss: UTC assumed, skipped files, bad bytes."""
        out = []
        for f in self.files:
            if f.skipped:
                out.append(f"{f.name}: NOT IMPORTED: {f.skipped}")
            if f.utc_assumed:
                out.append(
                    f"{f.name}: timestamps carry no UTC offset and no tz= was given: "
                    "ASSUMED UTC. Pass tz='Area/City' (or set the source's timezone) if wrong."
                )
            out.extend(f"{f.name}: {caution}" for caution in f.cautions)
            if f.invalid_utf8_lines:
                out.append(
                    f"{f.name}: {f.invalid_utf8_lines} line(s) had invalid {f.encoding}, "
                    "decoded with replacement characters"
                )
        return out

    def to_dict(self) -> dict:
        """Plain data (for JSON or a test)."""
        return {
            "lines_read": self.lines_read,
            "rows": self.rows,
            "continuation_lines": self.continuation_lines,
            "outside_window": self.outside_window,
            "rejected": self.rejected,
            "window": self.window,
            "warnings": self.warnings,
            "files": [
                {**dataclasses.asdict(f), "rejects": dict(f.rejects), "rejected": f.rejected}
                for f in self.files
            ],
        }

    def __str__(self) -> str:
        lines = [
            f"Import report: {len(self.files)} file(s), {self.lines_read:,} lines read → "
            f"{self.rows:,} rows, {self.continuation_lines:,} continuation lines, "
            f"{self.rejected:,} rejected"
            + (f", {self.outside_window:,} outside the window" if self.window else "")
        ]
        if self.window:
            lines.append(f"Window: {self.window[0]} → {self.window[1]}")
        for w in self.warnings:
            lines.append(f"!! {w}")
        for f in self.files:
            lines.append("")
            head = f"{f.name}: " + (f"skipped ({f.skipped})" if f.skipped else f"format {f.format}")
            if f.why:
                head += f" — {f.why}"
            lines.append(head)
            if f.skipped:
                continue
            comp = f", {f.compression}" if f.compression else ""
            lines.append(
                f"  {f.lines_read:,} lines{comp} → {f.rows:,} rows"
                + (f", {f.continuation_lines:,} continuation" if f.continuation_lines else "")
                + (f", {f.outside_window:,} outside window" if f.outside_window else "")
                + f", {f.rejected:,} rejected"
            )
            if f.first:
                lines.append(f"  time span (UTC): {f.first} → {f.last}")
            if f.timezone:
                lines.append(f"  time: {f.timezone}")
            for note in f.notes:
                lines.append(f"  note: {note}")
            for reason, count in f.rejects.most_common():
                lines.append(f"  rejected {count:,}: {reason}")
                for where, text in f.examples.get(reason, []):
                    lines.append(f"      {where}: {text}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        e = html.escape
        out = [
            "<div class='pmk-import-report'>",
            f"<p><b>Import report</b>: {len(self.files)} file(s), {self.lines_read:,} lines read "
            f"→ <b>{self.rows:,} rows</b>, {self.continuation_lines:,} continuation lines, "
            f"<b>{self.rejected:,} rejected</b>"
            + (f", {self.outside_window:,} outside the window" if self.window else "")
            + "</p>",
        ]
        if self.warnings:
            out.append("<ul style='color:#b00020'>")
            out += [f"<li><b>{e(w)}</b></li>" for w in self.warnings]
            out.append("</ul>")
        out.append(
            "<table><thead><tr><th>file</th><th>format (why)</th><th>lines</th><th>rows</th>"
            "<th>rejected</th><th>time</th></tr></thead><tbody>"
        )
        for f in self.files:
            fmt = f"skipped: {f.skipped}" if f.skipped else f"{f.format} ({f.why})"
            out.append(
                f"<tr><td>{e(f.name)}</td><td>{e(fmt)}</td><td>{f.lines_read:,}</td>"
                f"<td>{f.rows:,}</td><td>{f.rejected:,}</td><td>{e(f.timezone)}</td></tr>"
            )
        out.append("</tbody></table>")
        details = []
        for f in self.files:
            for reason, count in f.rejects.most_common():
                examples = "<br>".join(
                    f"<code>{e(w)}</code>: <code>{e(t)}</code>"
                    for w, t in f.examples.get(reason, [])
                )
                details.append(
                    f"<tr><td>{e(f.name)}</td><td>{e(reason)}</td><td>{count:,}</td><td>{examples}</td></tr>"
                )
            for note in f.notes:
                details.append(f"<tr><td>{e(f.name)}</td><td colspan='3'>note: {e(note)}</td></tr>")
        if details:
            out.append(
                "<details><summary>Rejected lines and notes</summary><table><thead><tr>"
                "<th>file</th>"
                "<th>reason</th><th>lines</th><th>examples</th></tr></thead><tbody>"
            )
            out += details
            out.append("</tbody></table></details>")
        out.append("</div>")
        return "\n".join(out)

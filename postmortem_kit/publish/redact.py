"""Redaction for external audiences: every published string, with consistent placeholders.

A :class:`Redactor` is built from a :class:`RedactionProfile` (which kinds are on, internal
domains, the profile's own patterns and names, an allow-list, Slack ``users.json`` files).
One redactor serves one published report: the same IP gets the same placeholder in the
summary, the timeline and a figure's hover text, so the story stays readable.

Where profiles come from: :mod:`postmortem_kit.publish.redact_profile`.

Redaction fails closed: any error raises :class:`RedactionError`, and every redacted string is
scanned again; anything still detectable raises instead of being published.
"""

from __future__ import annotations

import dataclasses
import html
import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel

from postmortem_kit.publish import redact_patterns as rp
from postmortem_kit.publish.redact_profile import (  # noqa: F401 - re-exported
    BUILTIN_PROFILES,
    DEFAULT_ALLOW,
    PROFILE_FILE,
    RedactionError,
    RedactionProfile,
    _compile,
    load_profile,
)
from postmortem_kit.report import Report, atomic_write_text

#: Figure keys whose string values are plotly enumerations or ids, not text.
FIGURE_STRUCTURE_KEYS = frozenset(
    {"type", "mode", "xaxis", "yaxis", "xref", "yref", "axref", "ayref", "hovermode",
     "dragmode", "barmode", "boxmode", "uid", "dtype", "fill", "orientation"}
)  # fmt: skip
# --------------------------------------------------------------------------- the report


@dataclasses.dataclass(frozen=True)
class RedactionEntry:
    """What was redacted of one kind: how many, how many distinct values, and where."""

    kind: str
    placeholder: str
    count: int
    distinct: int
    where: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class RedactionReport:
    """What redaction did, never the secrets: kind, counts, fields. Written beside the
    published file by the publisher."""

    audience: str
    entries: tuple[RedactionEntry, ...]

    @property
    def total(self) -> int:
        """Replacements made."""
        return sum(e.count for e in self.entries)

    def to_dict(self) -> dict:
        """Plain data: audience, total, and one row per kind."""
        return {
            "audience": self.audience,
            "total": self.total,
            "kinds": [dataclasses.asdict(e) for e in self.entries],
        }

    def to_json(self) -> str:
        """The report as indented JSON (stable order)."""
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"

    def write(self, path: str | os.PathLike) -> Path:
        """Write :meth:`to_json` atomically to ``path``."""
        atomic_write_text(path, self.to_json())
        return Path(path)

    def __str__(self) -> str:
        lines = [f"redaction for audience {self.audience!r}: {self.total} replacement(s)"]
        for e in self.entries:
            more = f" and {len(e.where) - 5} more" if len(e.where) > 5 else ""
            fields = ", ".join(e.where[:5]) + more
            lines.append(f"  {e.kind}: {e.count} ({e.distinct} distinct) in {fields}")
        return "\n".join(lines)


# --------------------------------------------------------------------------- the redactor


def _is_literal(annotation: Any) -> bool:
    if get_origin(annotation) is Literal:
        return True
    return any(get_origin(a) is Literal for a in get_args(annotation))


#: Report fields kept as they are: identifiers that must stay valid (a time zone name).
_KEEP_FIELDS = frozenset({("Source", "timezone"), ("Source", "format")})


class Redactor:
    """Redact texts, reports and figures for one audience, with consistent placeholders.

    Parameters
    ----------
    profile
        What to redact; see :func:`load_profile`.

    Raises
    ------
    RedactionError
        If a ``users.json`` file cannot be read.
    """

    def __init__(self, profile: RedactionProfile | None = None):
        self.profile = profile or RedactionProfile()
        try:
            self._kinds = self._build_kinds()
        except (OSError, ValueError, re.error) as exc:
            raise RedactionError(f"cannot build the redaction profile: {exc}") from None
        self._allow = {a.lower() for a in self.profile.allow}
        self._allow_rx = [re.compile(p) for p in self.profile.allow_patterns]
        self._placeholders: dict[tuple[str, str], str] = {}
        self._counters: dict[str, int] = {}
        self._literals: dict[str, tuple[tuple[str, str], str]] = {}
        self._literal_kind: rp.PatternKind | None = None
        self._counts: dict[str, list] = {}

    @classmethod
    def for_audience(cls, incident_dir: str | os.PathLike, audience: str = "external") -> Redactor:
        """A redactor with the profile :func:`load_profile` finds for the incident."""
        return cls(load_profile(incident_dir, audience))

    def _build_kinds(self) -> list[rp.PatternKind]:
        on = set(self.profile.kinds)
        configured: list[rp.PatternKind | None] = []
        if "internal-host" in on:
            configured.append(rp.internal_host_kind(self.profile.internal_domains))
        if "slack-user" in on:
            people: dict = {}
            for file in self.profile.slack_users:
                try:
                    people.update(rp.slack_people(file))
                except (OSError, ValueError) as exc:
                    raise ValueError(f"{file}: cannot read Slack users: {exc}") from None
            configured.append(rp.people_kind("slack-user", people))
        if "name" in on:
            configured.append(rp.people_kind("name", rp.listed_people(self.profile.names)))
        kinds = [rp.custom_kind(word, pattern) for word, pattern in self.profile.patterns]
        for kind in rp.BUILTIN_KINDS:
            if kind.name == rp.CONFIGURED_BEFORE:
                kinds += [k for k in configured if k is not None]
            if kind.name in on:
                kinds.append(kind)
        return kinds

    # ----------------------------------------------------------------- matching

    def _allowed(self, value: str) -> bool:
        return value.lower() in self._allow or any(r.fullmatch(value) for r in self._allow_rx)

    def _spans(self, text: str) -> list[tuple[int, int, rp.PatternKind, bool]]:
        """Hits as ``(start, end, kind, allowed)``, earlier kinds winning overlaps."""
        taken: list[tuple[int, int]] = []
        spans = []
        kinds = [*self._kinds, *([self._literal_kind] if self._literal_kind else [])]
        for kind in kinds:
            if kind.needs and not any(n in text for n in kind.needs):
                continue
            for match in kind.regex.finditer(text):
                start, end = match.span(kind.group)
                if start == end or any(s < end and start < e for s, e in taken):
                    continue
                value = text[start:end]
                if rp.PLACEHOLDER.fullmatch(value) or not kind.accept(match):
                    continue
                taken.append((start, end))
                spans.append((start, end, kind, self._allowed(value)))
        return sorted(spans, key=lambda s: s[0])

    def _learn(self, text: str) -> bool:
        """Remember secrets found by context (a URL password, a ``token=`` value) so that the
        same value is redacted wherever else it appears. True when something new was learnt."""
        new = False
        for start, end, kind, allowed in self._spans(text):
            value = text[start:end]
            if kind.group != 0 and not allowed and len(value) >= 6 and value not in self._literals:
                self._literals[value] = ((kind.placeholder, kind.key(value)), kind.name)
                new = True
        if new:
            self._literal_kind = rp.literal_kind(self._literals)
        return new

    def _slot(self, kind: rp.PatternKind, value: str) -> tuple[tuple[str, str], str]:
        if kind.name == "known-secret":
            return self._literals[value]
        return (kind.placeholder, kind.key(value)), kind.name

    def _placeholder(self, slot: tuple[str, str]) -> str:
        if slot not in self._placeholders:
            word = slot[0]
            self._counters[word] = self._counters.get(word, 0) + 1
            self._placeholders[slot] = f"[{word}-{self._counters[word]}]"
        return self._placeholders[slot]

    def _count(self, name: str, word: str, placeholder: str, where: str) -> None:
        entry = self._counts.setdefault(name, [0, set(), {}, word])
        entry[0] += 1
        entry[1].add(placeholder)
        entry[2].setdefault(where, None)

    def redact_text(self, text: str, *, where: str = "text") -> str:
        """Replace every sensitive value in ``text`` with its placeholder.

        Parameters
        ----------
        text
            Any text.
        where
            Field path recorded in the redaction report (``summary.narrative``).

        Raises
        ------
        RedactionError
            If ``text`` is not a string, or anything detectable is left after redaction.
        """
        if not isinstance(text, str):
            raise RedactionError(f"{where}: expected text, got {type(text).__name__}")
        try:
            self._learn(text)
        except Exception as exc:  # noqa: BLE001 - fail closed on any error
            raise RedactionError(f"{where}: redaction failed: {type(exc).__name__}") from None
        return self._replace(text, where)

    def _replace(self, text: str, where: str) -> str:
        """Replace the hits of ``text`` (secrets already learnt), then scan the result again."""
        try:
            out, last = [], 0
            for start, end, kind, allowed in self._spans(text):
                if allowed:
                    continue
                slot, name = self._slot(kind, text[start:end])
                placeholder = self._placeholder(slot)
                self._count(name, slot[0], placeholder, where)
                out += [text[last:start], placeholder]
                last = end
            if not out:
                return text  # nothing replaced: the scan just done is the verification
            result = "".join([*out, text[last:]])
            left = [k.name for _, _, k, allowed in self._spans(result) if not allowed]
        except RedactionError:
            raise
        except Exception as exc:  # noqa: BLE001 - fail closed on any error
            # the exception's text may quote the secret: name only its type
            raise RedactionError(f"{where}: redaction failed: {type(exc).__name__}") from None
        if left:
            raise RedactionError(
                f"{where}: a value of kind {left[0]!r} is still detectable after redaction; "
                "nothing is published (allow-list the value if it is not sensitive)"
            )
        return result

    # ----------------------------------------------------------------- structures

    def _strings(self, value: Any, key: str | None = None):
        """Every string :meth:`redact_report` or :meth:`redact_figure` would redact."""
        if isinstance(value, BaseModel):
            for name, field in type(value).model_fields.items():
                keep = _is_literal(field.annotation) or (type(value).__name__, name) in _KEEP_FIELDS
                if not keep:
                    yield from self._strings(getattr(value, name))
        elif isinstance(value, Mapping):
            if not ("bdata" in value and "dtype" in value):
                for k, v in value.items():
                    yield from self._strings(v, k)
        elif isinstance(value, list | tuple):
            for v in value:
                yield from self._strings(v, key)
        elif isinstance(value, str) and key not in FIGURE_STRUCTURE_KEYS:
            yield value

    def scan(self, *objects: Any) -> None:
        """Learn the secrets found by context in reports, figures or texts, before redacting.

        :meth:`redact_report` and :meth:`redact_figure` scan what they are given; call this
        first with *everything* to be published (the report and every figure) so that a
        password seen only in a figure is also redacted where it appears bare in the report.
        """
        try:
            for obj in objects:
                obj = obj.to_plotly_json() if hasattr(obj, "to_plotly_json") else obj
                for text in self._strings(obj):
                    self._learn(text)
        except Exception as exc:  # noqa: BLE001 - fail closed
            raise RedactionError(f"redaction scan failed: {type(exc).__name__}") from None

    def _model(self, model: BaseModel, path: str) -> dict:
        out = {}
        for name, field in type(model).model_fields.items():
            value = getattr(model, name)
            where = f"{path}.{name}" if path else name
            keep = _is_literal(field.annotation) or (type(model).__name__, name) in _KEEP_FIELDS
            out[name] = value if keep else self._value(value, where)
        return out

    def _value(self, value: Any, where: str) -> Any:
        if isinstance(value, BaseModel):
            return self._model(value, where)
        if isinstance(value, list):
            return [self._value(v, f"{where}[{i}]") for i, v in enumerate(value)]
        if isinstance(value, str):
            return self._replace(value, where)
        return value

    def redact_report(self, report: Report) -> Report:
        """A copy of the report with every text field redacted (sections, timeline rows and
        their provenance, actions, links, sources, metadata). Enumerated fields (severity,
        status, kinds) and times are kept.

        Raises
        ------
        RedactionError
            On any failure, including a redacted report that no longer validates.
        """
        self.scan(report)
        data = self._model(report, "")
        try:
            return Report.model_validate(data)
        except Exception as exc:  # noqa: BLE001 - fail closed
            raise RedactionError(f"the redacted report is not valid: {exc}") from None

    def _figure(self, value: Any, where: str, key: str | None) -> Any:
        if isinstance(value, Mapping):
            if "bdata" in value and "dtype" in value:  # numeric array, base64: not text
                return dict(value)
            for k in value:
                hits = [kind.name for *_, kind, allowed in self._spans(str(k)) if not allowed]
                if hits:  # keys are schema names; one holding data must not slip through
                    raise RedactionError(
                        f"{where}: a key of this object holds a value of kind {hits[0]!r}"
                    )
            return {k: self._figure(v, f"{where}.{k}", k) for k, v in value.items()}
        if isinstance(value, list | tuple):
            scalars = all(not isinstance(v, dict | list | tuple) for v in value)
            return [
                self._figure(v, where if scalars else f"{where}[{i}]", key)
                for i, v in enumerate(value)
            ]
        if isinstance(value, str) and key not in FIGURE_STRUCTURE_KEYS:
            return self._replace(value, where)
        return value

    def redact_figure(self, figure: Mapping, *, name: str = "figure") -> dict:
        """A redacted copy of a plotly figure (its JSON dict): every string anywhere — trace
        names, x/y/text/hovertext/customdata values, hovertemplate, annotations, titles.

        Numeric arrays (``{"dtype", "bdata"}``) and plotly enumerations (``type``, ``mode``,
        axis references) are kept. ``name`` prefixes the field paths in the report.
        """
        if hasattr(figure, "to_plotly_json"):
            figure = figure.to_plotly_json()
        if not isinstance(figure, Mapping):
            raise RedactionError(f"{name}: expected a plotly figure dict, got {type(figure)}")
        self.scan(figure)
        return self._figure(dict(figure), name, None)

    def redact_html_fragment(self, fragment: str, *, where: str = "html") -> str:
        """Redact the text and quoted attribute values of an HTML fragment (no scripts).

        Raises
        ------
        RedactionError
            If the fragment holds a ``<script>``: redact figures as dicts with
            :meth:`redact_figure` before rendering them.
        """
        if re.search(r"<\s*script", fragment, re.IGNORECASE):
            raise RedactionError(f"{where}: cannot redact inside <script>; redact the figure dict")

        def text(segment: str, quote: bool) -> str:
            plain = html.unescape(segment)
            redacted = self.redact_text(plain, where=where)
            return segment if redacted == plain else html.escape(redacted, quote=quote)

        def tag(match: re.Match[str]) -> str:
            return re.sub(
                r"""(=\s*)(["'])(.*?)\2""",
                lambda a: f"{a.group(1)}{a.group(2)}{text(a.group(3), True)}{a.group(2)}",
                match.group(0),
                flags=re.DOTALL,
            )

        parts = re.split(r"(<[^>]*>)", fragment)
        return "".join(
            re.sub(r"<[^>]*>", tag, p) if p.startswith("<") else text(p, False) for p in parts
        )

    def findings(self) -> RedactionReport:
        """What this redactor replaced so far: kind, count, distinct values, fields."""
        entries = tuple(
            RedactionEntry(kind, word, count, len(values), tuple(where))
            for kind, (count, values, where, word) in sorted(self._counts.items())
        )
        return RedactionReport(self.profile.name, entries)

"""Timeline candidates: imported events and log rows the author can pick for the timeline.

Accepts the frame of ``load_events`` (``time, source, kind, description, actor, provenance,
suggested_kind``) or of ``load_logs`` (``timestamp, source, message, provenance``). A picked
row becomes a :class:`TimelineEvent` that keeps its source and provenance.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
from collections.abc import Callable
from typing import Any, get_args

import ipywidgets as widgets
import pandas as pd

from postmortem_kit.capture.fields import STYLE, wide
from postmortem_kit.capture.timefmt import format_in_zone
from postmortem_kit.report.model import EventKind, TimelineEvent

EVENT_KINDS: tuple[str, ...] = get_args(EventKind)
_TIME_COLUMNS = ("time", "timestamp")
_TEXT_COLUMNS = ("description", "message")


@dataclasses.dataclass(frozen=True)
class Candidate:
    """One row that can be added to the timeline."""

    time: dt.datetime
    description: str
    source: str
    kind: str
    provenance: str

    def event(self) -> TimelineEvent:
        """The timeline event for this row, with its source and provenance."""
        return TimelineEvent(
            time=self.time,
            description=self.description,
            source=self.source,
            kind=self.kind,
            provenance=self.provenance,
        )

    def key(self) -> tuple:
        """Identity used to tell whether the row is already in the timeline."""
        return (self.time, self.description, self.provenance)


def _pick(frame: pd.DataFrame, names: tuple[str, ...], what: str) -> str:
    for name in names:
        if name in frame.columns:
            return name
    raise ValueError(
        f"candidates: no {what} column (expected one of {', '.join(names)}; "
        f"got {', '.join(map(str, frame.columns))})"
    )


def _kind(row: dict[str, Any]) -> str:
    for column in ("suggested_kind", "kind"):
        value = row.get(column)
        if isinstance(value, str) and value in EVENT_KINDS:
            return value
    return "observation"


def _text(value: Any, default: str = "") -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return default
    return str(value)


def candidates_from_frame(frame: pd.DataFrame) -> list[Candidate]:
    """Read candidate rows from an events or logs frame, sorted by time.

    Times without a zone are read as UTC (the importers always write UTC).

    Raises
    ------
    ValueError
        If the frame has no time column or no description/message column.
    """
    if frame.empty:
        return []
    time_col = _pick(frame, _TIME_COLUMNS, "time")
    text_col = _pick(frame, _TEXT_COLUMNS, "description")
    times = pd.to_datetime(frame[time_col], utc=True, errors="coerce")
    out = []
    for position, (stamp, row) in enumerate(zip(times, frame.to_dict("records"), strict=True)):
        if pd.isna(stamp):
            continue
        source = _text(row.get("source"), "candidates")
        provenance = _text(row.get("provenance"), f"{source}:row {position + 1}")
        description = _text(row.get(text_col)).strip()
        actor = _text(row.get("actor")).strip()
        if actor and actor not in description:
            description = f"{actor}: {description}"
        out.append(Candidate(stamp.to_pydatetime(), description, source, _kind(row), provenance))
    out.sort(key=lambda c: c.time)
    return out


class CandidatePicker(widgets.VBox):
    """Filter, select and add candidate rows to the timeline.

    Parameters
    ----------
    candidates
        The rows to offer.
    on_add
        Called with the selected rows when the user presses *Add selected to timeline*;
        returns a message to show.
    zone
        Returns the zone to show times in.
    limit
        How many matching rows to list at once.
    """

    def __init__(
        self,
        candidates: list[Candidate],
        on_add: Callable[[list[Candidate]], str],
        zone: Callable[[], str],
        *,
        limit: int = 200,
    ):
        self.candidates = candidates
        self._on_add, self._zone, self.limit = on_add, zone, limit
        self.in_timeline: set[tuple] = set()
        sources = sorted({c.source for c in candidates})
        self.filter = widgets.Text(
            description="Filter candidates",
            placeholder="words in the description, source or kind",
            continuous_update=True,
            style=STYLE,
            layout=wide(),
        )
        self.source = widgets.Dropdown(
            description="Candidate source", options=["all", *sources], value="all", style=STYLE
        )
        self.select = widgets.SelectMultiple(
            description="Candidates", rows=10, style=STYLE, layout=wide()
        )
        self.add_button = widgets.Button(
            description="Add selected to timeline",
            icon="plus",
            button_style="primary",
            layout=widgets.Layout(width="auto"),
        )
        self.count = widgets.HTML()
        self.message = widgets.HTML()
        self.filter.observe(lambda _: self.update(), "value")
        self.source.observe(lambda _: self.update(), "value")
        self.add_button.on_click(self._add)
        super().__init__(
            [
                widgets.HTML("<h4 style='margin:0.4em 0'>Pick from imported events and logs</h4>"),
                widgets.HBox([self.filter, self.source]),
                self.count,
                self.select,
                widgets.HBox([self.add_button, self.message]),
            ],
            layout=wide(),
        )
        self.add_class("pmk-candidates")
        self.update()

    def matching(self) -> list[int]:
        """Indices of the candidates matching the filter and source."""
        words = self.filter.value.lower().split()
        out = []
        for index, c in enumerate(self.candidates):
            if self.source.value != "all" and c.source != self.source.value:
                continue
            haystack = f"{c.description} {c.source} {c.kind} {c.provenance}".lower()
            if all(word in haystack for word in words):
                out.append(index)
        return out

    def update(self) -> None:
        """List the matching candidates (a ✓ marks rows already in the timeline)."""
        matches = self.matching()
        shown = matches[: self.limit]
        zone = self._zone()
        options = []
        for index in shown:
            c = self.candidates[index]
            mark = "✓ " if c.key() in self.in_timeline else ""
            text = " ".join(c.description.split())[:140]
            options.append(
                (f"{mark}{format_in_zone(c.time, zone)} · {c.source} · {c.kind} · {text}", index)
            )
        self.select.options = options
        more = (
            f"; showing the first {len(shown)}, narrow the filter"
            if len(matches) > len(shown)
            else ""
        )
        self.count.value = html.escape(f"{len(matches)} of {len(self.candidates)} candidates{more}")

    def _add(self, _button=None) -> None:
        picked = [self.candidates[i] for i in self.select.value]
        if not picked:
            self.message.value = "Select one or more candidates first."
            return
        self.message.value = html.escape(self._on_add(picked))
        self.select.value = ()
        self.update()

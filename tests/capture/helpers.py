"""Test helpers: a hand-stepped scheduler and clock, and finding controls by their visible
label, as a screen reader or a browser test would."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterator

import ipywidgets as widgets


@dataclasses.dataclass
class _Call:
    due: float
    callback: Callable[[], None]
    cancelled: bool = False

    def cancel(self) -> None:
        self.cancelled = True


class ManualScheduler:
    """A scheduler whose time only moves when the test calls :meth:`advance`."""

    def __init__(self) -> None:
        self.now = 0.0
        self.calls: list[_Call] = []

    def call_later(self, delay: float, callback: Callable[[], None]) -> _Call:
        call = _Call(self.now + delay, callback)
        self.calls.append(call)
        return call

    def pending(self) -> list[_Call]:
        return [c for c in self.calls if not c.cancelled]

    def advance(self, seconds: float) -> None:
        end = self.now + seconds
        while True:
            due = sorted((c for c in self.pending() if c.due <= end), key=lambda c: c.due)
            if not due:
                break
            call = due[0]
            self.now = call.due
            call.cancelled = True
            call.callback()
        self.now = end


class ManualClock:
    """Wall-clock time for the "saved at" status, set by the test."""

    def __init__(self) -> None:
        self.value = dt.datetime(2026, 10, 15, 9, 30, 5, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.value


def walk(widget: widgets.Widget) -> Iterator[widgets.Widget]:
    """Every widget under ``widget``, depth first (the visible and the hidden)."""
    yield widget
    for child in getattr(widget, "children", ()) or ():
        yield from walk(child)


def controls(widget: widgets.Widget, label: str) -> list[widgets.Widget]:
    """Controls whose visible label (description) is ``label``."""
    return [w for w in walk(widget) if getattr(w, "description", None) == label]


def control(widget: widgets.Widget, label: str) -> widgets.Widget:
    """The one control labelled ``label``."""
    found = controls(widget, label)
    assert len(found) == 1, f"expected one control labelled {label!r}, found {len(found)}"
    return found[0]


def click(widget: widgets.Widget, label: str) -> None:
    """Press the button labelled ``label``."""
    button = control(widget, label)
    assert isinstance(button, widgets.Button)
    button.click()


def visible_text(widget: widgets.Widget) -> str:
    """The text of every HTML and Label widget under ``widget``."""
    return "\n".join(w.value for w in walk(widget) if isinstance(w, widgets.HTML | widgets.Label))

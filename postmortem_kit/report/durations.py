"""Per-incident durations (TTD, TTA, TTM, TTR) and the ordering rules of the key times.

These are durations of *one* incident, labelled TTx. Means over many incidents (MTTx) belong
to a trends view, never to a single report.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from postmortem_kit.report.model import Summary

#: label, description, (from key time, to key time)
DURATIONS: tuple[tuple[str, str, str, str], ...] = (
    ("TTD", "time to detect", "impact_start", "detected"),
    ("TTA", "time to acknowledge", "impact_start", "acknowledged"),
    ("TTM", "time to mitigate", "impact_start", "mitigated"),
    ("TTR", "time to resolve", "impact_start", "resolved"),
    ("Repair", "repair after detection", "detected", "resolved"),
)

#: (earlier, later): the later key time may not come before the earlier one.
ORDER_RULES: tuple[tuple[str, str], ...] = (
    ("impact_start", "detected"),
    ("detected", "acknowledged"),
    ("impact_start", "mitigated"),
    ("mitigated", "resolved"),
    ("detected", "resolved"),
    ("impact_start", "resolved"),
)


@dataclasses.dataclass(frozen=True)
class Duration:
    """One computed duration; ``value`` is ``None`` when a key time is missing."""

    label: str
    description: str
    start: str
    end: str
    value: dt.timedelta | None

    def __str__(self) -> str:
        return f"{self.label} {format_duration(self.value)}"


def format_duration(value: dt.timedelta | None) -> str:
    """Format a duration as ``1h 05m``, ``12m 30s`` or ``45s``; ``—`` when unknown."""
    if value is None:
        return "—"
    seconds = int(round(value.total_seconds()))
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{sign}{days}d {hours:d}h {minutes:02d}m"
    if hours:
        return f"{sign}{hours}h {minutes:02d}m"
    if minutes:
        return f"{sign}{minutes}m {secs:02d}s"
    return f"{sign}{secs}s"


def compute_durations(summary: Summary) -> list[Duration]:
    """Compute TTD, TTA, TTM, TTR and repair-after-detection from a summary's key times.

    Parameters
    ----------
    summary
        The report's summary section.

    Returns
    -------
    list of Duration
        In the order of :data:`DURATIONS`; a duration is ``None`` if either time is missing.
    """
    out = []
    for label, description, start, end in DURATIONS:
        a, b = getattr(summary, start), getattr(summary, end)
        value = b - a if a is not None and b is not None else None
        out.append(Duration(label, description, start, end, value))
    return out


def _short(moment: dt.datetime, other: dt.datetime) -> str:
    utc, other_utc = moment.astimezone(dt.UTC), other.astimezone(dt.UTC)
    fmt = "%H:%M:%SZ" if utc.second or other_utc.second else "%H:%MZ"
    if utc.date() != other_utc.date():
        fmt = "%Y-%m-%d " + fmt
    return utc.strftime(fmt)


def key_time_problems(summary: Summary) -> list[tuple[str, str]]:
    """Check that the key times are in order.

    Returns
    -------
    list of (field, message)
        e.g. ``("summary.detected", "summary.detected 14:05Z is before summary.impact_start
        14:10Z")``; empty when the times are consistent.
    """
    problems = []
    for earlier, later in ORDER_RULES:
        a, b = getattr(summary, earlier), getattr(summary, later)
        if a is not None and b is not None and b < a:
            problems.append(
                (
                    f"summary.{later}",
                    f"summary.{later} {_short(b, a)} is before summary.{earlier} {_short(a, b)}",
                )
            )
    return problems

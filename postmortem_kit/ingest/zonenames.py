"""Zone abbreviations at the end of a timestamp (``14:07:00 CEST``, ``Wed Oct 14 14:07:00
CST 2026``): the offsets they are read as, the ones that name more than one zone, and how
``tz=`` settles those."""

from __future__ import annotations

import datetime as dt
import functools
from zoneinfo import ZoneInfo

#: Zone abbreviations read as fixed offsets (seconds east of UTC). Those that name more than
#: one zone (:data:`AMBIGUOUS_ZONES`) are read so only by convention (CST as US Central, BST
#: as British Summer Time), or not at all (IST), unless ``tz=`` is a zone that uses
#: them (see :func:`zone_offsets`).
ZONE_ABBREVIATIONS: dict[str, int] = {
    "Z": 0, "UT": 0, "UTC": 0, "GMT": 0, "WET": 0,
    "BST": 3600, "CET": 3600, "WEST": 3600, "MET": 3600,
    "CEST": 7200, "EET": 7200, "MEST": 7200, "SAST": 7200,
    "EEST": 10800, "MSK": 10800,
    "JST": 32400, "KST": 32400, "HKT": 28800, "SGT": 28800, "AWST": 28800,
    "ACST": 34200, "AEST": 36000, "AEDT": 39600, "NZST": 43200, "NZDT": 46800,
    "EST": -18000, "EDT": -14400, "CST": -21600, "CDT": -18000,
    "MST": -25200, "MDT": -21600, "PST": -28800, "PDT": -25200,
    "AKST": -32400, "AKDT": -28800, "HST": -36000,
}  # fmt: skip
#: Abbreviations that name more than one zone, and which. A time marked with one is read in
#: ``tz=`` when that zone uses the abbreviation (``date`` on a host in Asia/Shanghai writes
#: CST, in Asia/Kolkata IST); otherwise as the convention of :data:`ZONE_ABBREVIATIONS`
#: says, if it has one, else as a time without an offset. The import report says which.
#: AST (Atlantic or Arabia) is left out: after a time it is as likely a word of the
#: message (an abstract syntax tree).
AMBIGUOUS_ZONES: dict[str, str] = {
    "IST": "India +05:30, Israel +02:00, Irish Summer Time +01:00",
    "CST": "US Central −06:00, China +08:00, Cuba −05:00",
    "BST": "British Summer Time +01:00, Bangladesh +06:00",
}
#: Every abbreviation a timestamp may end with, longest first (for a regex's alternation).
ABBREVIATIONS = sorted(
    {*(k for k in ZONE_ABBREVIATIONS if k != "Z"), *AMBIGUOUS_ZONES}, key=len, reverse=True
)


@functools.cache
def _used_by(tz: str) -> dict[str, int]:
    """The abbreviations zone ``tz`` has used since 1990 (as ``tzname``), each with its
    latest offset (seconds east of UTC)."""
    zone, used = ZoneInfo(tz), {}
    for year in range(1990, dt.date.today().year + 2):
        for month in (1, 4, 7, 10):
            moment = dt.datetime(year, month, 15, 12, tzinfo=zone)
            used[moment.tzname()] = int(moment.utcoffset().total_seconds())
    return used


def zone_offsets(tz: str | None) -> dict[str, int]:
    """The offset (seconds east of UTC) each abbreviation is read as, for times whose
    source is in ``tz``: :data:`ZONE_ABBREVIATIONS`, and an ambiguous one that ``tz`` uses
    as ``tz`` uses it (CST in Asia/Shanghai: +08:00). An abbreviation not in it (IST without
    a zone that uses it) gives no offset: the time is read in ``tz``."""
    offsets = dict(ZONE_ABBREVIATIONS)
    if tz:
        used = _used_by(tz)
        offsets.update({abbr: used[abbr] for abbr in AMBIGUOUS_ZONES if abbr in used})
    return offsets


def _offset_text(seconds: int) -> str:
    sign = "−" if seconds < 0 else "+"
    return f"{sign}{abs(seconds) // 3600:02d}:{abs(seconds) % 3600 // 60:02d}"


def settles(tz: str | None, abbr: str) -> bool:
    """Whether zone ``tz`` uses ``abbr``, so that a time marked with it is read as there."""
    return bool(tz) and abbr in _used_by(tz)


def ambiguous_note(abbr: str, count: int, tz: str | None) -> str:
    """What the import report says of ``count`` times marked ``abbr`` (one of
    :data:`AMBIGUOUS_ZONES`) in a source read with ``tz``: a note when ``tz`` uses it
    (:func:`settles`), else a warning (read by convention, or in a zone that does not)."""
    names = AMBIGUOUS_ZONES[abbr]
    if settles(tz, abbr):
        return (
            f"{count:,} time(s) marked {abbr} read as {tz}'s {abbr} "
            f"({_offset_text(_used_by(tz)[abbr])}), one of the zones it names ({names})"
        )
    hint = f"pass tz= with the hosts' zone to read them as that zone's {abbr}"
    if abbr in ZONE_ABBREVIATIONS:
        return (
            f"{count:,} time(s) marked {abbr}, which names more than one zone ({names}), read "
            f"as {_offset_text(ZONE_ABBREVIATIONS[abbr])} by convention; {hint}"
        )
    where = f"in {tz}, which does not use it" if tz else "as UTC (ASSUMED)"
    return (
        f"{count:,} time(s) marked {abbr}, which names more than one zone ({names}), read "
        f"as times without an offset, {where}; {hint}"
    )

"""Times and dates as the forms show and read them: in a chosen zone, with UTC beside it.

Typed times without an offset are read in the chosen zone; a time that does not exist there
(a daylight-saving gap) or happens twice (the hour repeated in autumn) is an error asking for
an explicit offset, never a silent guess.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

_TIME_ONLY = re.compile(r"^\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")
EXAMPLE = "2026-10-14 14:07 or 2026-10-14T14:07:00+02:00"


@lru_cache(maxsize=1)
def _all_zones() -> tuple[str, ...]:
    return tuple(sorted(z for z in available_timezones() if "/" in z and not z.startswith("Etc/")))


def zone_choices(*preferred: str | None) -> list[str]:
    """UTC, the preferred zones, then every IANA zone (for a time-zone dropdown)."""
    out = ["UTC"]
    for zone in (*preferred, *_all_zones()):
        if zone and zone not in out:
            out.append(zone)
    return out


def format_in_zone(moment: dt.datetime | None, zone: str) -> str:
    """``2026-10-14 16:07:00`` in ``zone``; empty for ``None``."""
    if moment is None:
        return ""
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M:%S")


def describe(moment: dt.datetime | None, zone: str) -> str:
    """``UTC Wed 2026-10-14 14:07:00 · Europe/Berlin Wed 2026-10-14 16:07:00 CEST``."""
    if moment is None:
        return "not set"
    utc = moment.astimezone(dt.UTC).strftime("UTC %a %Y-%m-%d %H:%M:%S")
    if zone == "UTC":
        return utc
    local = moment.astimezone(ZoneInfo(zone))
    return f"{utc} · {zone} {local.strftime('%a %Y-%m-%d %H:%M:%S %Z')}"


def parse_moment(
    text: str, zone: str, *, default_date: dt.date | None = None
) -> dt.datetime | None:
    """Read a typed time.

    Parameters
    ----------
    text
        ``2026-10-14 14:07[:05]``, ISO 8601 with ``T``, ``Z`` or an offset, or ``14:07`` alone
        (then ``default_date`` gives the day). Empty means "not set".
    zone
        IANA zone for times typed without an offset.
    default_date
        The day of a time typed without a date, in ``zone``.

    Returns
    -------
    datetime or None
        Aware; in UTC when typed without an offset.

    Raises
    ------
    ValueError
        With a message saying what to type instead.
    """
    text = text.strip()
    if not text:
        return None
    if _TIME_ONLY.match(text):
        if default_date is None:
            raise ValueError(f"add the date: {EXAMPLE}")
        text = f"{default_date.isoformat()} {text}"
    try:
        value = dt.datetime.fromisoformat(text.replace(" UTC", "Z"))
    except ValueError:
        raise ValueError(f"not a date and time: {text!r}; type e.g. {EXAMPLE}") from None
    if value.tzinfo is not None:
        return value
    tz = ZoneInfo(zone)
    early, late = value.replace(tzinfo=tz, fold=0), value.replace(tzinfo=tz, fold=1)
    if early.astimezone(dt.UTC).astimezone(tz).replace(tzinfo=None) != value:
        raise ValueError(f"{text} does not exist in {zone} (clocks jump forward)")
    if early.utcoffset() != late.utcoffset():
        offsets = " or ".join(_offset(x) for x in (early, late))
        raise ValueError(
            f"{text} happens twice in {zone} (clocks go back); add the offset: {offsets}"
        )
    return early.astimezone(dt.UTC)


def _offset(moment: dt.datetime) -> str:
    return moment.isoformat(sep=" ", timespec="minutes")


def parse_date(text: str) -> dt.date | None:
    """Read a typed date ``YYYY-MM-DD``; empty means "no date".

    Raises
    ------
    ValueError
        Naming the expected layout.
    """
    text = text.strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"not a date: {text!r}; type YYYY-MM-DD, e.g. 2026-11-02") from None


def today_in(zone: str) -> dt.date:
    """Today's date in ``zone``."""
    return dt.datetime.now(ZoneInfo(zone)).date()

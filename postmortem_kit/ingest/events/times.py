"""Reading event timestamps as tz-aware UTC, and counting every assumption made on the way.

ISO 8601 / RFC 3339 with an offset is taken as written. A time without an offset is read in
the ``tz=`` zone, else as UTC, and the import report says so (loudly for UTC). Local times in
a DST repeat are flagged as ambiguous (the first reading is taken); times in a DST gap are
flagged and read with the offset before the gap. Epoch numbers are UTC by definition.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import email.utils
import re
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd

from postmortem_kit.errors import IngestError
from postmortem_kit.ingest.events.model import RecordError

_EPOCH = re.compile(r"^\d{9,13}(\.\d+)?$")


def resolve_zone(tz: str | dt.tzinfo | None) -> dt.tzinfo | None:
    """Turn the ``tz=`` option into a tzinfo; raise :class:`IngestError` for an unknown name."""
    if tz is None or isinstance(tz, dt.tzinfo):
        return tz
    try:
        return ZoneInfo(str(tz))
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise IngestError(
            f"tz={tz!r} is not a known IANA time zone; use a name such as 'Europe/Berlin'"
        ) from exc


@dataclasses.dataclass
class TimeReader:
    """Parses the timestamps of one input and remembers what it had to assume.

    Parameters
    ----------
    zone
        The zone for times without an offset (the ``tz=`` option), or ``None`` for UTC.
    """

    zone: dt.tzinfo | None = None
    with_offset: int = 0
    epoch: int = 0
    naive: int = 0
    ambiguous: list[str] = dataclasses.field(default_factory=list)
    nonexistent: list[str] = dataclasses.field(default_factory=list)

    def parse(self, value: object, field: str) -> pd.Timestamp:
        """Parse one timestamp to a UTC :class:`pandas.Timestamp`.

        Parameters
        ----------
        value
            An ISO 8601 / RFC 3339 string, an RFC 2822 date, or epoch seconds/milliseconds
            (number or numeric string).
        field
            The field name, used in the reject reason.

        Raises
        ------
        RecordError
            If the value is missing or not a timestamp.
        """
        if value is None or value == "":
            raise RecordError(f"field {field!r} is missing or empty")
        if isinstance(value, bool):
            raise RecordError(f"field {field!r} is not a timestamp: {value!r}")
        if isinstance(value, int | float) or (isinstance(value, str) and _EPOCH.match(value)):
            return self.epoch_seconds(value, field)
        if not isinstance(value, str):
            raise RecordError(f"field {field!r} is not a timestamp: {value!r}")
        parsed = _parse_text(value.strip())
        if parsed is None:
            raise RecordError(f"field {field!r} is not an ISO 8601 timestamp: {value!r}")
        if parsed.tzinfo is not None:
            self.with_offset += 1
            return pd.Timestamp(parsed).tz_convert("UTC")
        return self._localise(parsed, value)

    def epoch_seconds(self, value: object, field: str) -> pd.Timestamp:
        """Parse epoch seconds (or milliseconds when above 10^11), exact to the microsecond."""
        try:
            number = Decimal(str(value))
        except InvalidOperation as exc:
            raise RecordError(f"field {field!r} is not an epoch timestamp: {value!r}") from exc
        if not number.is_finite() or number < 0:
            raise RecordError(f"field {field!r} is not an epoch timestamp: {value!r}")
        if number > 10**11:
            number = number / 1000
        self.epoch += 1
        micros = int((number * 1_000_000).to_integral_value())
        return pd.Timestamp(micros, unit="us", tz="UTC")

    def _localise(self, naive: dt.datetime, raw: str) -> pd.Timestamp:
        self.naive += 1
        if self.zone is None:
            return pd.Timestamp(naive, tz="UTC")
        first = naive.replace(tzinfo=self.zone, fold=0)
        second = naive.replace(tzinfo=self.zone, fold=1)
        if first.utcoffset() != second.utcoffset():
            round_trip = first.astimezone(dt.UTC).astimezone(self.zone).replace(tzinfo=None)
            if round_trip == naive:
                self.ambiguous.append(raw)
            else:
                self.nonexistent.append(raw)
        return pd.Timestamp(first).tz_convert("UTC")

    def notes(self) -> list[str]:
        """What was assumed about time zones, one line each; the UTC assumption is loud."""
        notes = []
        if self.with_offset:
            notes.append(f"{self.with_offset} time(s) carried a UTC offset: taken as written")
        if self.epoch:
            notes.append(f"{self.epoch} epoch time(s): UTC by definition")
        if self.naive and self.zone is None:
            notes.append(
                f"WARNING: {self.naive} time(s) had NO UTC offset and were ASSUMED UTC; "
                "pass tz='Area/City' if they are local times"
            )
        elif self.naive:
            notes.append(f"{self.naive} time(s) without offset read in {self.zone} (tz=)")
        if self.ambiguous:
            notes.append(
                f"{len(self.ambiguous)} local time(s) fall in a DST repeat (ambiguous), "
                f"first reading taken: {', '.join(self.ambiguous[:3])}"
            )
        if self.nonexistent:
            notes.append(
                f"{len(self.nonexistent)} local time(s) fall in a DST gap (do not exist), "
                f"read with the offset before the gap: {', '.join(self.nonexistent[:3])}"
            )
        return notes


def _parse_text(text: str) -> dt.datetime | None:
    """ISO 8601 (any fraction length, ``Z``) or RFC 2822; ``None`` when neither."""
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        pass
    try:
        return email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None


def is_unset_time(value: object) -> bool:
    """True for the ways APIs write "no time": missing, empty, or Go's zero time (year 1)."""
    return value is None or value == "" or (isinstance(value, str) and value.startswith("0001-"))

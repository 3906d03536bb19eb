"""Keyword options of the section editors (``edit_report(path, debounce=2.0, ...)``)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from postmortem_kit.capture.scheduling import Scheduler
from postmortem_kit.errors import OptionsError
from postmortem_kit.options import Options


@dataclasses.dataclass(frozen=True)
class CaptureOptions(Options):
    """Options of :func:`edit_report` and the per-section editors.

    Attributes
    ----------
    debounce
        Seconds between a change and its save. Typing saves at least this often, so killing
        the kernel loses at most this much typing. ``0`` saves on every change.
    watch
        Seconds between checks of ``postmortem.yaml`` for changes made elsewhere (git, another
        notebook or browser tab); ``None`` checks only before each save.
    local_tz
        IANA zone shown next to UTC for key times and timeline rows (e.g. ``"Europe/Berlin"``).
        Default: the first source's ``timezone`` in the report, else UTC.
    today
        The date overdue actions are judged against (default: today in ``local_tz``).
    candidate_limit
        How many matching timeline candidates the picker lists at once.
    scheduler
        What runs delayed saves (default: the kernel's event loop, else a timer thread).
        Tests pass a manual scheduler to step time without sleeping.
    clock
        Returns the current aware time for the "saved at" status (default: the system clock).
    """

    debounce: float = 1.0
    watch: float | None = 2.0
    local_tz: str | None = None
    today: dt.date | None = None
    candidate_limit: int = 200
    scheduler: Scheduler | None = None
    clock: Callable[[], dt.datetime] | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.debounce, int | float) or self.debounce < 0:
            raise OptionsError(f"debounce must be a number of seconds >= 0, got {self.debounce!r}")
        if self.watch is not None and (not isinstance(self.watch, int | float) or self.watch <= 0):
            raise OptionsError(f"watch must be seconds > 0 or None, got {self.watch!r}")
        if self.local_tz is not None:
            try:
                ZoneInfo(self.local_tz)
            except (ZoneInfoNotFoundError, ValueError, TypeError):
                raise OptionsError(
                    f"local_tz: unknown IANA time zone {self.local_tz!r} (e.g. 'Europe/Berlin')"
                ) from None
        if not isinstance(self.candidate_limit, int) or self.candidate_limit < 1:
            raise OptionsError(
                f"candidate_limit must be a positive integer, got {self.candidate_limit!r}"
            )

    def now(self) -> dt.datetime:
        """The current time, aware, from :attr:`clock` or the system clock."""
        return self.clock() if self.clock is not None else dt.datetime.now().astimezone()

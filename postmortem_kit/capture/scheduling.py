"""Running a callback later: on the kernel's event loop when there is one, else on a timer.

The binding never sleeps; it asks a :class:`Scheduler` to call it back. Tests inject a
scheduler whose clock they advance by hand, so the debounce logic is tested without waiting.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Protocol


class Handle(Protocol):
    """A scheduled call that can still be cancelled."""

    def cancel(self) -> None:
        """Cancel the call if it has not run yet."""


class Scheduler(Protocol):
    """Something that calls ``callback()`` once, ``delay`` seconds from now."""

    def call_later(self, delay: float, callback: Callable[[], None]) -> Handle:
        """Schedule ``callback`` and return a handle that cancels it."""


class KernelScheduler:
    """Schedule on the running asyncio loop (the kernel's, inside a widget callback).

    Inside a Jupyter kernel, widget callbacks run on the kernel's event loop in the main
    thread, so a save scheduled there never races with the next keystroke. Outside a loop
    (plain Python, a script) a daemon :class:`threading.Timer` is used instead.
    """

    def call_later(self, delay: float, callback: Callable[[], None]) -> Handle:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            timer = threading.Timer(delay, callback)
            timer.daemon = True
            timer.start()
            return timer
        return loop.call_later(delay, callback)

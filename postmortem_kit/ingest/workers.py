"""The import's worker threads: pools kept for the life of the process, their threads started
once, when a pool is first asked for.

A ``ThreadPoolExecutor`` made per file starts a thread at each of its first submits, and a
starting thread waits for the GIL, which a worker reading a block holds for up to a switch
interval (5 ms): on 1M nginx lines the five starts held the first blocks back by 26 ms, in
every import, not only the first one of a kernel. A kept pool's threads are idle between
imports (a blocked thread costs no CPU) and end with the interpreter.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor

_LOCK = threading.Lock()
#: Pools by number of threads, each with the process it was made in: a child made by
#: ``fork`` has none of its parent's threads, so it makes its own.
_POOLS: dict[int, tuple[int, ThreadPoolExecutor]] = {}


def worker_pool(threads: int) -> ThreadPoolExecutor:
    """The process's pool of ``threads`` worker threads (all of them started). Its tasks
    must not wait for other tasks of the same pool: it is shared by every import, also by
    imports run at once from several threads."""
    with _LOCK:
        pid, pool = _POOLS.get(threads, (None, None))
        if pool is None or pid != os.getpid():
            pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="pmk-import")
            _start_threads(pool, threads)
            _POOLS[threads] = (os.getpid(), pool)
        return pool


def _start_threads(pool: ThreadPoolExecutor, threads: int) -> None:
    """Start every thread of ``pool`` now: each of ``threads`` tasks holds its thread until
    all have one (an idle thread would take the next task instead of a new one starting)."""
    ready = threading.Barrier(threads + 1)
    for _ in range(threads):
        pool.submit(ready.wait)
    ready.wait()

"""The import's kept worker pools: started whole, shared, remade after ``fork``, and left with
nothing of a failed file running."""

from __future__ import annotations

import multiprocessing
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from postmortem_kit.ingest.fileread import _settle
from postmortem_kit.ingest.workers import worker_pool


def test_a_pool_has_all_its_threads_before_its_first_task_and_is_kept():
    pool = worker_pool(3)
    assert len(pool._threads) == 3 and all(t.is_alive() for t in pool._threads)
    assert worker_pool(3) is pool
    assert worker_pool(2) is not pool


def _submit_in_child(out) -> None:
    out.put(worker_pool(2).submit(sum, [1, 2, 3]).result(timeout=30))


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="no fork here")
def test_a_forked_child_gets_a_pool_of_its_own():
    worker_pool(2).submit(int).result()  # the parent's pool exists before the fork
    ctx = multiprocessing.get_context("fork")
    out = ctx.Queue()
    child = ctx.Process(target=_submit_in_child, args=(out,))
    child.start()
    child.join(60)
    hung = child.is_alive()
    if hung:
        child.kill()
    assert not hung, "the child's task never ran: it was handed the parent's pool"
    assert child.exitcode == 0 and out.get(timeout=5) == 6


def test_settle_cancels_queued_tasks_and_waits_for_running_ones():
    release, started = threading.Event(), threading.Event()
    order = []

    def running():
        started.set()
        release.wait(30)  # set once the queued task is cancelled
        order.append("task ended")
        return "ran"

    with ThreadPoolExecutor(max_workers=1) as pool:
        first = pool.submit(running)
        queued = pool.submit(str, "never")
        queued.add_done_callback(lambda _: release.set())
        started.wait()

        def settle():
            _settle([first, queued, "a table"])
            order.append("settled")

        settler = threading.Thread(target=settle)
        settler.start()
        settler.join()
    assert queued.cancelled() and first.result() == "ran"
    assert order == ["task ended", "settled"]

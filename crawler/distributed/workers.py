"""Run N worker processes of one distributed crawl on this machine.

Each worker is a forked process with its own Twisted reactor and its own worker id
(``<host>-<pid>``, or ``<id>-<i>`` from ``--worker-id``); the work itself is split through
Redis, so starting the same command on other machines adds workers to the same crawl.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import sys
from collections.abc import Callable

from crawler.distributed.keys import default_worker_id

logger = logging.getLogger(__name__)


def _child(target: Callable[[str], int], worker: str | None) -> None:
    code = target(worker or default_worker_id())
    sys.stdout.flush()
    os._exit(code)  # no atexit handlers of the parent in a forked child


def run_workers(count: int, target: Callable[[str], int], worker_id: str | None = None) -> int:
    """Run ``target(worker_id)`` in *count* processes; the worst exit code (0 when all are 0).

    With ``count == 1`` the target runs in this process under *worker_id* (or ``<host>-<pid>``).
    """
    if count == 1:
        return target(worker_id or default_worker_id())
    context = multiprocessing.get_context("fork")
    processes = [
        context.Process(
            target=_child,
            args=(target, f"{worker_id}-{index}" if worker_id else None),
            name=f"ecopolicy-worker-{index}",
        )
        for index in range(count)
    ]
    for process in processes:
        process.start()
    codes = []
    for process in processes:
        process.join()
        code = process.exitcode if process.exitcode is not None else 1
        if code:
            print(f"ecopolicy crawl: worker process {process.pid} exited with {code}", file=sys.stderr)
        codes.append(1 if code < 0 else code)
    return max(codes)

"""A run lock that a killed run cannot leave stale: ``fcntl.flock`` on a file in the state folder.

The kernel releases a flock when its holder dies, however it dies, so there is no stale-lock
clean-up and no PID guessing. The file keeps the holder's PID and start time for the message
a second run prints.
"""

from __future__ import annotations

import datetime
import fcntl
import os
from pathlib import Path
from types import TracebackType

LOCK_FILE = "crawl.lock"


class LockedError(RuntimeError):
    """Another run holds the lock; the message names it."""


class RunLock:
    """Exclusive, non-blocking lock on ``<state dir>/crawl.lock`` for the life of a run."""

    def __init__(self, state_dir: Path) -> None:
        self.path = Path(state_dir) / LOCK_FILE
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock or raise :class:`LockedError` at once."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "another run"
            os.close(fd)
            raise LockedError(f"{self.path} is held by {holder}") from None
        started = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} since {started}\n".encode(), 0)
        self._fd = fd

    def release(self) -> None:
        """Give the lock up (also happens when the process dies)."""
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> RunLock:
        self.acquire()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()

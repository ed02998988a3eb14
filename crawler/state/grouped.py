"""One SQLite connection per state file and process, its writes committed in groups.

Why groups: a commit costs more than the lookup and insert of one record it closes (the WAL
frames of every touched page are written again), so the near-duplicate index and the
furniture counts commit every ``every`` writes or ``seconds``, on :meth:`GroupedWrites.flush`
(before an output file is delivered) and when the last user releases the file.

Why one shared connection: ``ecopolicy crawl`` runs one crawler per source in one process, on
one reactor thread, and they share the state folder's files. A second connection asking for the
write lock while the first holds a group open would wait on a transaction that cannot end (its
owner runs on the same, now blocked, thread) and fail after the busy timeout. Every user of a
file in the process therefore writes through the same connection, and each also reads what the
others wrote, committed or not (the furniture judge sees the counts learned a moment before).
Users call from the thread that opened the file (the reactor's).

A killed process loses the open group, never part of a write: each write is a savepoint, and a
write that fails is rolled back alone.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import ClassVar

from crawler.state.sqlite import open_wal


class GroupedWrites:
    """The shared connection of one state file, with its open group of writes."""

    _open: ClassVar[dict[Path, GroupedWrites]] = {}

    def __init__(self, path: Path, schema: str, every: int, seconds: float) -> None:
        self.path = path
        self.db = open_wal(path, schema)
        self.every = every
        self.seconds = seconds
        self._users = 0
        self._pending = 0  # writes in the open group
        self._began = 0.0

    @classmethod
    def acquire(cls, path: Path, schema: str, *, every: int = 64, seconds: float = 2.0) -> GroupedWrites:
        """The file's shared connection (opened, with *schema* applied, by its first user; the
        group size and interval are the first user's too)."""
        key = path.resolve()
        shared = cls._open.get(key)
        if shared is None:
            shared = cls._open[key] = cls(path, schema, every, seconds)
        shared._users += 1
        return shared

    def release(self) -> None:
        """One user is done: its writes are committed (with the rest of the open group); the
        last user closes the connection."""
        self.flush()
        self._users -= 1
        if self._users > 0:
            return
        self._open.pop(self.path.resolve(), None)
        self.db.close()

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One write (any number of statements), all or nothing, in the open group."""
        db = self.db
        if not db.in_transaction:
            db.execute("BEGIN IMMEDIATE")
            self._began = time.monotonic()
        db.execute("SAVEPOINT grouped_write")
        try:
            yield db
        except BaseException:
            if db.in_transaction:  # some errors (a full disk) make SQLite roll back the whole group
                db.execute("ROLLBACK TO grouped_write")
                db.execute("RELEASE grouped_write")
            raise
        db.execute("RELEASE grouped_write")
        self._pending += 1
        if self._pending >= self.every or time.monotonic() - self._began >= self.seconds:
            self.flush()

    def flush(self) -> None:
        """Commit the open group, if any."""
        if self.db.in_transaction:
            self.db.execute("COMMIT")
        self._pending = 0

"""The SQLite seen-store: one file under the state folder, safe against SIGKILL.

Write-ahead logging with ``synchronous=NORMAL``: every write is a short transaction, so a
process killed at any instant leaves the last committed state readable and intact (an
operating-system crash may lose the last transactions, never corrupt the file). Staged
observations live in their own table until the run's output file is in place.
"""

from __future__ import annotations

import contextlib
import datetime
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from itertools import islice
from pathlib import Path

from crawler.state.base import Observation, SeenEntry, Validators

_SCHEMA = """
CREATE TABLE IF NOT EXISTS seen (
    key TEXT PRIMARY KEY, content_hash TEXT NOT NULL, version INTEGER NOT NULL,
    first_seen TEXT NOT NULL, last_seen TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS staged (
    batch TEXT NOT NULL, key TEXT NOT NULL, content_hash TEXT NOT NULL, version INTEGER NOT NULL,
    seen_at TEXT NOT NULL, PRIMARY KEY (batch, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS validators (
    key TEXT PRIMARY KEY, etag TEXT, last_modified TEXT
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS staged_validators (
    batch TEXT NOT NULL, key TEXT NOT NULL, etag TEXT, last_modified TEXT, PRIMARY KEY (batch, key)
) WITHOUT ROWID;
"""
_CHUNK = 500


def open_wal(path: Path, schema: str) -> sqlite3.Connection:
    """An autocommit connection to *path* in WAL mode with *schema* applied (tables made if absent).

    Shared by the state stores: ``synchronous=NORMAL``, so a killed process leaves the last
    committed state readable. The seen-store commits each write; the near-duplicate index and
    the furniture counts commit in groups (:mod:`crawler.state.grouped`).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, isolation_level=None, timeout=30.0)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.executescript(schema)
    return db


@contextmanager
def transaction(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One ``BEGIN IMMEDIATE`` transaction on an autocommit connection, rolled back on any error."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def _iso(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).isoformat(timespec="seconds")


def _chunks(values: Iterable[str], size: int = _CHUNK) -> Iterator[list[str]]:
    iterator = iter(values)
    while chunk := list(islice(iterator, size)):
        yield chunk


class SqliteSeenStore:
    """:class:`crawler.state.base.SeenStore` over one SQLite file (created on first use)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._db = open_wal(self.path, _SCHEMA)

    def _transaction(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        return transaction(self._db)

    def lookup(self, url_key: str) -> SeenEntry | None:
        row = self._db.execute(
            "SELECT s.content_hash, s.version, s.first_seen, s.last_seen, v.etag, v.last_modified "
            "FROM seen s LEFT JOIN validators v ON v.key = s.key WHERE s.key = ?",
            (url_key,),
        ).fetchone()
        if row is None:
            return None
        return SeenEntry(
            content_hash=row[0],
            version=row[1],
            first_seen=datetime.datetime.fromisoformat(row[2]),
            last_seen=datetime.datetime.fromisoformat(row[3]),
            etag=row[4],
            last_modified=row[5],
        )

    def observe(self, url_key: str, content_hash: str, now: datetime.datetime, *, batch: str) -> Observation:
        with self._transaction() as db:
            staged = db.execute(
                "SELECT content_hash, version FROM staged WHERE batch = ? AND key = ?", (batch, url_key)
            ).fetchone()
            if staged is not None and staged[0] == content_hash:
                return Observation(status="unchanged", version=staged[1])
            committed = db.execute(
                "SELECT content_hash, version FROM seen WHERE key = ?", (url_key,)
            ).fetchone()
            if committed is not None and committed[0] == content_hash:
                db.execute("UPDATE seen SET last_seen = ? WHERE key = ?", (_iso(now), url_key))
                return Observation(status="unchanged", version=committed[1])
            observation = (
                Observation(status="new", version=1)
                if committed is None
                else Observation(status="changed", version=committed[1] + 1)
            )
            db.execute(
                "INSERT OR REPLACE INTO staged (batch, key, content_hash, version, seen_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (batch, url_key, content_hash, observation.version, _iso(now)),
            )
            return observation

    def commit(self, batch: str, keys: Iterable[str] | None = None) -> int:
        with self._transaction() as db:
            if keys is None:
                return self._commit_where(db, batch, "")
            db.execute("CREATE TEMP TABLE IF NOT EXISTS commit_keys (key TEXT PRIMARY KEY) WITHOUT ROWID")
            db.execute("DELETE FROM commit_keys")
            for chunk in _chunks(keys):
                db.executemany("INSERT OR IGNORE INTO commit_keys VALUES (?)", [(k,) for k in chunk])
            written = self._commit_where(db, batch, "AND key IN (SELECT key FROM commit_keys)")
            db.execute("DELETE FROM commit_keys")
            return written

    @staticmethod
    def _commit_where(db: sqlite3.Connection, batch: str, condition: str) -> int:
        # ``condition`` is one of two fixed strings above, never user input.
        cursor = db.execute(
            "INSERT INTO seen (key, content_hash, version, first_seen, last_seen) "
            f"SELECT key, content_hash, version, seen_at, seen_at FROM staged WHERE batch = ? {condition} "
            "ON CONFLICT (key) DO UPDATE SET content_hash = excluded.content_hash, "
            "version = excluded.version, last_seen = excluded.last_seen",
            (batch,),
        )
        written = cursor.rowcount
        db.execute(f"DELETE FROM staged WHERE batch = ? {condition}", (batch,))
        db.execute(
            "INSERT INTO validators (key, etag, last_modified) "
            f"SELECT key, etag, last_modified FROM staged_validators WHERE batch = ? {condition} "
            "ON CONFLICT (key) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified",
            (batch,),
        )
        db.execute(f"DELETE FROM staged_validators WHERE batch = ? {condition}", (batch,))
        return written

    def discard(self, batch: str) -> int:
        with self._transaction() as db:
            count = db.execute("DELETE FROM staged WHERE batch = ?", (batch,)).rowcount
            count += db.execute("DELETE FROM staged_validators WHERE batch = ?", (batch,)).rowcount
            return count

    def staged_batches(self) -> list[str]:
        rows = self._db.execute(
            "SELECT batch FROM staged UNION SELECT batch FROM staged_validators ORDER BY 1"
        ).fetchall()
        return [row[0] for row in rows]

    def validators(self, url_key: str) -> Validators | None:
        row = self._db.execute(
            "SELECT etag, last_modified FROM validators WHERE key = ?", (url_key,)
        ).fetchone()
        return None if row is None else Validators(etag=row[0], last_modified=row[1])

    def save_validators(
        self, url_key: str, etag: str | None, last_modified: str | None, *, batch: str | None = None
    ) -> None:
        if batch is None:
            self._db.execute(
                "INSERT OR REPLACE INTO validators (key, etag, last_modified) VALUES (?, ?, ?)",
                (url_key, etag, last_modified),
            )
        else:
            self._db.execute(
                "INSERT OR REPLACE INTO staged_validators (batch, key, etag, last_modified) "
                "VALUES (?, ?, ?, ?)",
                (batch, url_key, etag, last_modified),
            )

    def count(self) -> int:
        """Committed entries (for reports and benchmarks)."""
        return int(self._db.execute("SELECT count(*) FROM seen").fetchone()[0])

    def close(self) -> None:
        self._db.close()

"""Per-source counts of recurring lines (page furniture), kept in SQLite under the state folder.

A line that recurs across many articles of one source (a paywall stub, a share bar, a
disclaimer, a footer blurb) is that source's furniture whatever its wording. The store keeps,
per source, how many distinct articles it has counted, and per line key (a hash of the
normalised line, see :func:`pipelines.furniture.furniture_key`) how many distinct articles
carried it and the article number (``first_seq``) of the first one.

Writes are committed in groups through the file's one shared connection
(:mod:`crawler.state.grouped`), which the crawl's furniture judge reads through too: it sees the
counts learned from the articles before, committed or not. A run killed before its output
appeared loses at most the open group, which the next run counts again.

Counts are per distinct article: an article (record id) re-fetched, or a line repeated within
one page, is counted once; a changed article adds only its new lines. So counts need no
staging like the seen-store's: a run killed before its output appeared leaves counts that a
re-run would have made anyway.

Tables (created when absent, in ``furniture.sqlite3``): ``furniture_sources`` (source ->
articles counted), ``furniture_articles`` (source, article id -> seq), ``furniture_article_lines``
(which lines an article was counted for) and ``furniture_lines`` (source, line -> articles,
first_seq). Redis keeps the same counts (:class:`crawler.state.redis_store.RedisFurnitureStore`);
the interface is :class:`crawler.state.base.FurnitureStore`.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path

from crawler.state.base import FurnitureCounts, LineCount
from crawler.state.grouped import GroupedWrites

_SCHEMA = """
CREATE TABLE IF NOT EXISTS furniture_sources (
    source TEXT PRIMARY KEY, articles INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS furniture_articles (
    ref INTEGER PRIMARY KEY, source TEXT NOT NULL, article TEXT NOT NULL, seq INTEGER NOT NULL,
    UNIQUE (source, article)
);
CREATE TABLE IF NOT EXISTS furniture_article_lines (
    ref INTEGER NOT NULL, line INTEGER NOT NULL, PRIMARY KEY (ref, line)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS furniture_lines (
    source TEXT NOT NULL, line INTEGER NOT NULL, articles INTEGER NOT NULL, first_seq INTEGER NOT NULL,
    PRIMARY KEY (source, line)
) WITHOUT ROWID;
"""
_CHUNK = 400


def line_int(key: str) -> int:
    """A 16-hex-digit line key as a signed 64-bit integer (an SQLite INTEGER).

    >>> line_int("0000000000000001"), line_int("ffffffffffffffff")
    (1, -1)
    """
    value = int(key, 16)
    return value - (1 << 64) if value >= 1 << 63 else value


def line_hex(value: int) -> str:
    """The inverse of :func:`line_int`.

    >>> line_hex(line_int("8000000000000abc"))
    '8000000000000abc'
    """
    return f"{value & ((1 << 64) - 1):016x}"


def _chunks(values: list[int], size: int = _CHUNK) -> Iterator[list[int]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


class SqliteFurnitureStore:
    """:class:`crawler.state.base.FurnitureStore` over one SQLite file.

    ``read_only`` (``ecopolicy extract``) never creates the file and never writes to it.
    """

    def __init__(
        self, path: Path | str, *, read_only: bool = False, commit_every: int = 64,
        commit_seconds: float = 2.0,
    ) -> None:  # fmt: skip
        self.path = Path(path)
        self.read_only = read_only
        self._writes: GroupedWrites | None = None
        if read_only:
            if not self.path.is_file():
                raise FileNotFoundError(
                    f"no furniture counts at {self.path} (crawl with this state folder first)"
                )
            self._db = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True, timeout=30.0)
            return
        self._writes = GroupedWrites.acquire(self.path, _SCHEMA, every=commit_every, seconds=commit_seconds)
        self._db = self._writes.db

    def _transaction(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        if self._writes is None:
            raise PermissionError(f"{self.path} is open read-only or closed")
        return self._writes.write()

    def flush(self) -> None:
        """Commit the counts not yet committed."""
        if self._writes is not None:
            self._writes.flush()

    def learn(self, source: str, article: str, keys: Iterable[str]) -> int:
        if self.read_only:
            raise PermissionError(f"{self.path} is open read-only")
        lines = sorted({line_int(k) for k in keys})
        with self._transaction() as db:
            ref, seq, is_new = self._article(db, source, article)
            # A new article has no line counted yet; a re-fetched or changed one adds only new lines.
            added = lines if is_new else self._lines_not_counted(db, ref, lines)
            db.executemany("INSERT INTO furniture_article_lines VALUES (?, ?)", [(ref, n) for n in added])
            db.executemany(
                "INSERT INTO furniture_lines (source, line, articles, first_seq) VALUES (?, ?, 1, ?) "
                "ON CONFLICT (source, line) DO UPDATE SET articles = articles + 1",
                [(source, line, seq) for line in added],
            )
            return len(added)

    @staticmethod
    def _lines_not_counted(db: sqlite3.Connection, ref: int, lines: list[int]) -> list[int]:
        """Those of *lines* not yet counted for the article numbered *ref* (re-fetched or changed)."""
        rows = db.execute("SELECT line FROM furniture_article_lines WHERE ref = ?", (ref,))
        counted = {row[0] for row in rows}
        return [line for line in lines if line not in counted]

    @staticmethod
    def _article(db: sqlite3.Connection, source: str, article: str) -> tuple[int, int, bool]:
        """The row id and per-source number of *article*, numbering it when it is new, and
        whether it was new."""
        row = db.execute(
            "SELECT ref, seq FROM furniture_articles WHERE source = ? AND article = ?", (source, article)
        ).fetchone()
        if row is not None:
            return int(row[0]), int(row[1]), False
        db.execute(
            "INSERT INTO furniture_sources (source, articles) VALUES (?, 1) "
            "ON CONFLICT (source) DO UPDATE SET articles = articles + 1",
            (source,),
        )
        seq = int(
            db.execute("SELECT articles FROM furniture_sources WHERE source = ?", (source,)).fetchone()[0]
        )
        cursor = db.execute(
            "INSERT INTO furniture_articles (source, article, seq) VALUES (?, ?, ?)", (source, article, seq)
        )
        return int(cursor.lastrowid or 0), seq, True

    def counts(self, source: str, article: str, keys: Iterable[str]) -> FurnitureCounts:
        db = self._db
        total = db.execute("SELECT articles FROM furniture_sources WHERE source = ?", (source,)).fetchone()
        known = db.execute(
            "SELECT 1 FROM furniture_articles WHERE source = ? AND article = ?", (source, article)
        ).fetchone()
        lines: dict[str, LineCount] = {}
        for chunk in _chunks(sorted({line_int(k) for k in keys})):
            marks = ",".join("?" * len(chunk))
            rows = db.execute(
                "SELECT line, articles, first_seq FROM furniture_lines "
                f"WHERE source = ? AND line IN ({marks})",
                (source, *chunk),
            )
            lines.update((line_hex(line), LineCount(int(n), int(first))) for line, n, first in rows)
        return FurnitureCounts(int(total[0]) if total else 0, known is not None, lines)

    def close(self) -> None:
        writes, self._writes = self._writes, None
        if writes is not None:
            writes.release()
        elif self.read_only:
            self._db.close()

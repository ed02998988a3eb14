"""The seen-store and near-duplicate index interfaces, shared by every backend.

A scheduled crawl must emit only new or changed articles and must never lose one when it is
killed. Both needs meet here: the store classifies each article against what earlier runs
*committed*, and a run's own observations stay *staged* under a batch id until the output
file that holds those records has been renamed into place (see :mod:`crawler.state.commit`).
A staged batch of a run that died is discarded, so its articles are fetched and emitted again.

The furniture counts (:class:`FurnitureStore`, per-source recurring lines) need no staging:
they are per distinct article, so a killed run leaves counts a re-run would make anyway.

Backends: SQLite under ``ECOPOLICY_STATE_DIR`` (:mod:`crawler.state.sqlite`), Redis under
``ECOPOLICY_REDIS_URL`` (the distributed crawl). :func:`crawler.state.open_seen_store` chooses.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal, Protocol, runtime_checkable

Status = Literal["new", "changed", "unchanged"]


@dataclass(frozen=True, slots=True, kw_only=True)
class SeenEntry:
    """What the store knows about one article URL (committed state only).

    Times are aware UTC datetimes; ``etag``/``last_modified`` are the validators of the last
    200 answer, as the server sent them (``None`` when it sent none).
    """

    content_hash: str
    version: int
    first_seen: datetime.datetime
    last_seen: datetime.datetime
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Observation:
    """The verdict of :meth:`SeenStore.observe`: what to do with the record, and its version.

    ``status`` is ``"new"`` (never committed), ``"changed"`` (committed with another content
    hash; ``version`` is the committed version + 1) or ``"unchanged"`` (``version`` is the
    committed one; the record is not emitted again).
    """

    status: Status
    version: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Validators:
    """HTTP validators of a list page, feed or sitemap, for a conditional request."""

    etag: str | None = None
    last_modified: str | None = None


@runtime_checkable
class SeenStore(Protocol):
    """Per canonical URL key: content hash, version, first/last seen and HTTP validators.

    Keys are :func:`crawler.urls.url_key` values. Every method is safe to call from the
    reactor thread; writes are atomic (a crash leaves the previous committed state intact).
    """

    def lookup(self, url_key: str) -> SeenEntry | None:
        """The committed entry for *url_key*, or None."""

    def observe(self, url_key: str, content_hash: str, now: datetime.datetime, *, batch: str) -> Observation:
        """Classify *content_hash* against the committed entry and stage the result under *batch*.

        Atomic per key. The staged write is invisible to :meth:`lookup` and to other batches
        until :meth:`commit`; a second observe of the same key in the same batch sees the
        first one (so it is "unchanged" the second time). Unchanged articles only refresh
        ``last_seen`` when committed.
        """

    def commit(self, batch: str, keys: Iterable[str] | None = None) -> int:
        """Make the staged observations and validators of *batch* (only *keys*, if given) committed.

        Staged entries not in *keys* stay staged (a run may deliver its records in several
        files); :meth:`discard` drops what is left. Idempotent: committing keys that have
        nothing staged does nothing. Returns the number of observations written.
        """

    def discard(self, batch: str) -> int:
        """Forget everything staged under *batch* (its output never appeared). Returns the count."""

    def staged_batches(self) -> list[str]:
        """Batches with staged observations: after a crash, the runs that never committed."""

    def validators(self, url_key: str) -> Validators | None:
        """The committed validators of a list page, feed or sitemap URL, or None."""

    def save_validators(
        self, url_key: str, etag: str | None, last_modified: str | None, *, batch: str | None = None
    ) -> None:
        """Record validators; staged under *batch* when given (committed with it), else at once.

        A run stages them so that a run killed before its output appears fetches the page
        in full again and rediscovers every link on it.
        """

    def close(self) -> None:
        """Flush and release the backend. Further calls are errors."""


@runtime_checkable
class NearDuplicateIndex(Protocol):
    """Finds earlier records with near-identical text (syndicated copies).

    The verdict for a record id is decided once, when it is first added, and stored: asking
    again returns the same answer, so a re-run after a crash cannot turn an original into
    a copy of its own copy.
    """

    scheme: str
    """How the index turns a shingle into a hash (``rolling`` or ``sha1``, see
    :mod:`crawler.state.neardup`): recorded in the index, since two schemes never match."""

    def query_or_add(self, record_id: str, text: str) -> str | None:
        """The id of the earliest indexed record whose text is near-identical, else None.

        Adds *record_id* to the index in either case (once).
        """

    def flush(self) -> None:
        """Persist every addition so far (before records that carry its verdicts are delivered)."""

    def close(self) -> None:
        """Persist and release the index."""


@dataclass(frozen=True, slots=True)
class LineCount:
    """How many distinct articles of a source carried a line, and when it first appeared."""

    articles: int
    first_seq: int


@dataclass(frozen=True, slots=True)
class FurnitureCounts:
    """What the store knows about one article's lines: the answer of :meth:`FurnitureStore.counts`.

    ``articles`` is the number of distinct articles of the source counted so far; ``known``
    tells whether the asking article is among them (a read-only caller whose page was never
    counted adds it in thought, see :meth:`including_unknown`).
    """

    articles: int
    known: bool
    lines: dict[str, LineCount] = field(default_factory=dict)

    def including_unknown(self, keys: Iterable[str]) -> FurnitureCounts:
        """The counts as if the asking article (not yet counted) had been counted with *keys*.

        ``ecopolicy extract`` does not learn; this keeps its verdict the crawl's: "seen on N
        articles" always includes the page being judged.

        >>> c = FurnitureCounts(2, False, {"a": LineCount(2, 1)}).including_unknown(["a", "b"])
        >>> c.articles, c.lines["a"], c.lines["b"]
        (3, LineCount(articles=3, first_seq=1), LineCount(articles=1, first_seq=3))
        """
        if self.known:
            return self
        seq = self.articles + 1
        lines = dict(self.lines)
        for key in set(keys):
            known = lines.get(key)
            lines[key] = LineCount(known.articles + 1, known.first_seq) if known else LineCount(1, seq)
        return FurnitureCounts(seq, True, lines)


@runtime_checkable
class FurnitureStore(Protocol):
    """Per-source line counts over distinct articles (SQLite or Redis); see :mod:`pipelines.furniture`."""

    def learn(self, source: str, article: str, keys: Iterable[str]) -> int:
        """Count *keys* for *article* of *source*, each at most once per article.

        Returns how many line counts went up (0 for a page already counted as it is).
        """

    def counts(self, source: str, article: str, keys: Iterable[str]) -> FurnitureCounts:
        """The source's article count and the counts of *keys* (lines never seen are absent)."""

    def flush(self) -> None:
        """Persist every count learned so far."""

    def close(self) -> None:
        """Release the backend."""

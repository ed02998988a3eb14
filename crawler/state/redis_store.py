"""Redis backends of the seen-store and the near-duplicate index, shared by every worker.

Same contract as the SQLite backends (:mod:`crawler.state.base`): observations are staged under
a batch and become visible only when committed after the output file holding their records
was renamed into place. As with the SQLite journal (:mod:`crawler.state.journal`), the keys of
a file are written to a journal entry in Redis before its rename; the commit after the rename
removes the entry in the same script. When Redis is unreachable between the two (a restart),
the entry survives (AOF) and :meth:`RedisSeenStore.reconcile` finishes it later: a delivered
file is committed, one that never appeared is forgotten.

Several workers run under one run id on a machine, so a batch is kept per worker
(``<batch>@<worker id>``): one worker's commit or discard never touches another's, and the
scheduler discards a dead worker's staged batches when it gives back its requests.

Keys (``<prefix>`` = ``ECOPOLICY_REDIS_PREFIX``):
``<prefix>:seen`` hash url key -> JSON entry; ``<prefix>:validators`` hash url key -> JSON;
``<prefix>:seen:staged:<batch>@<worker>`` hash of staged entries (validators under ``v|<key>``);
``<prefix>:seen:journal:<batch>@<worker>`` hash output file -> JSON list of the url keys it holds
(the delivery journal: written before the file's rename, removed by the commit that follows it);
``<prefix>:neardup:{seq,dup,sig}`` hashes record id -> order, verdict, MinHash signature;
``<prefix>:neardup:band:<band>:<hash>`` sets of record ids (LSH buckets);
``<prefix>:furniture:<source>:{n,articles,lines,first}`` the furniture counts (articles counted,
article id -> seq, line -> articles, line -> first seq) and ``<prefix>:furniture:<source>:a:<seq>``
the set of lines counted for one article.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from crawler.state.base import FurnitureCounts, LineCount, Observation, SeenEntry, Validators

if TYPE_CHECKING:
    import numpy as np
    from redis import Redis
    from scrapy.settings import BaseSettings

VALIDATOR_FIELD = "v|"
REDIS_ERRORS = (RedisConnectionError, RedisTimeoutError, ConnectionError, TimeoutError)

# Move staged fields (all when ARGV is empty) into the committed hashes.
# KEYS: staged hash, seen hash, validators hash. ARGV: fields.
_COMMIT = """
local fields = ARGV
if #fields == 0 then fields = redis.call('HKEYS', KEYS[1]) end
local n = 0
for _, field in ipairs(fields) do
  local value = redis.call('HGET', KEYS[1], field)
  if value then
    if string.sub(field, 1, 2) == 'v|' then
      redis.call('HSET', KEYS[3], string.sub(field, 3), value)
    else
      redis.call('HSET', KEYS[2], field, value)
    end
    redis.call('HDEL', KEYS[1], field)
    n = n + 1
  end
end
return n
"""

# Commit the keys a journal entry names (as _COMMIT with those fields) and remove the entry,
# atomically. KEYS: staged hash, seen hash, validators hash (unused), journal hash.
# ARGV[1]: the entry (the output file's path).
_COMPLETE = """
local raw = redis.call('HGET', KEYS[4], ARGV[1])
if not raw then return -1 end
local n = 0
for _, field in ipairs(cjson.decode(raw)) do
  local value = redis.call('HGET', KEYS[1], field)
  if value then
    redis.call('HSET', KEYS[2], field, value)
    redis.call('HDEL', KEYS[1], field)
    n = n + 1
  end
end
redis.call('HDEL', KEYS[4], ARGV[1])
return n
"""


# Count an article's lines once each: number the article if new, add each line to its set and
# bump the line's count only when the set did not hold it yet.
# KEYS: articles hash, counter, lines hash, first hash. ARGV: article id, set key prefix, lines...
_LEARN = """
local seq = redis.call('HGET', KEYS[1], ARGV[1])
if not seq then
  seq = redis.call('INCR', KEYS[2])
  redis.call('HSET', KEYS[1], ARGV[1], seq)
end
local set = ARGV[2] .. seq
local added = 0
for i = 3, #ARGV do
  if redis.call('SADD', set, ARGV[i]) == 1 then
    redis.call('HINCRBY', KEYS[3], ARGV[i], 1)
    redis.call('HSETNX', KEYS[4], ARGV[i], seq)
    added = added + 1
  end
end
return added
"""


def _server(settings: BaseSettings) -> Redis:
    from scrapy.settings import Settings
    from scrapy_redis.connection import get_redis_from_settings

    return get_redis_from_settings(
        Settings(
            {
                "REDIS_URL": settings.get("ECOPOLICY_REDIS_URL"),
                "REDIS_PARAMS": settings.getdict("REDIS_PARAMS"),
            }
        )
    )


def _time(value: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(value)


def _entry(raw: bytes | str | None) -> SeenEntry | None:
    if raw is None:
        return None
    data = json.loads(raw)
    return SeenEntry(
        content_hash=data["h"], version=data["v"], first_seen=_time(data["f"]), last_seen=_time(data["l"]),
        etag=data.get("e"), last_modified=data.get("m"),
    )  # fmt: skip


def _dump(entry: SeenEntry) -> str:
    data = {"h": entry.content_hash, "v": entry.version, "f": entry.first_seen.isoformat(),
            "l": entry.last_seen.isoformat()}  # fmt: skip
    if entry.etag:
        data["e"] = entry.etag
    if entry.last_modified:
        data["m"] = entry.last_modified
    return json.dumps(data, separators=(",", ":"))


class RedisSeenStore:
    """:class:`crawler.state.base.SeenStore` in Redis, one instance per worker process."""

    def __init__(self, server: Redis, *, prefix: str = "ecopolicy", worker: str = "main") -> None:
        self.server = server
        self.prefix = prefix
        self.worker = worker
        self._seen = f"{prefix}:seen"
        self._validators = f"{prefix}:validators"
        self._commit = server.register_script(_COMMIT)
        self._complete = server.register_script(_COMPLETE)
        self._closed = False

    def _name(self, batch: str) -> str:
        return batch if "@" in batch else f"{batch}@{self.worker}"

    def _staged(self, batch: str) -> str:
        return f"{self.prefix}:seen:staged:{self._name(batch)}"

    def _journal(self, batch: str) -> str:
        return f"{self.prefix}:seen:journal:{self._name(batch)}"

    def _check(self) -> None:
        if self._closed:
            raise RuntimeError("the seen-store is closed")

    def lookup(self, url_key: str) -> SeenEntry | None:
        self._check()
        return _entry(self.server.hget(self._seen, url_key))

    def observe(self, url_key: str, content_hash: str, now: datetime.datetime, *, batch: str) -> Observation:
        self._check()
        staged_key = self._staged(batch)
        staged = _entry(self.server.hget(staged_key, url_key))
        if staged is not None:
            return Observation(status="unchanged", version=staged.version)
        committed = self.lookup(url_key)
        if committed is None:
            status, entry = (
                "new",
                SeenEntry(content_hash=content_hash, version=1, first_seen=now, last_seen=now),
            )
        elif committed.content_hash == content_hash:
            status, entry = "unchanged", SeenEntry(
                content_hash=content_hash, version=committed.version, first_seen=committed.first_seen,
                last_seen=now, etag=committed.etag, last_modified=committed.last_modified,
            )  # fmt: skip
        else:
            status, entry = "changed", SeenEntry(
                content_hash=content_hash, version=committed.version + 1, first_seen=committed.first_seen,
                last_seen=now,
            )  # fmt: skip
        self.server.hset(staged_key, url_key, _dump(entry))
        return Observation(status=status, version=entry.version)  # type: ignore[arg-type]

    def commit(self, batch: str, keys: Iterable[str] | None = None) -> int:
        self._check()
        fields = list(keys) if keys is not None else []
        if keys is not None and not fields:
            return 0
        return int(self._commit(keys=[self._staged(batch), self._seen, self._validators], args=fields))

    def discard(self, batch: str) -> int:
        self._check()
        staged = self._staged(batch)
        pipe = self.server.pipeline(transaction=True)
        pipe.hlen(staged)
        pipe.delete(staged)
        count, _ = pipe.execute()
        return int(count)

    # --- the delivery journal ---------------------------------------------------------------
    def prepare(self, batch: str, target: str, keys: Iterable[str]) -> None:
        """Before the rename of *target*: note which keys it delivers (raises if Redis is down)."""
        self._check()
        self.server.hset(self._journal(batch), target, json.dumps(sorted(set(keys))))

    def complete(self, batch: str, target: str) -> int:
        """After the rename: commit the keys noted for *target* and drop its entry.

        Returns the observations committed; -1 when no entry was left (already completed).
        """
        self._check()
        keys = [self._staged(batch), self._seen, self._validators, self._journal(batch)]
        return int(self._complete(keys=keys, args=[target]))

    def journal_batches(self) -> list[str]:
        """``<batch>@<worker>`` of every batch with a journal entry still open."""
        start = len(f"{self.prefix}:seen:journal:")
        return sorted(
            (key.decode() if isinstance(key, bytes) else key)[start:]
            for key in self.server.scan_iter(match=f"{self.prefix}:seen:journal:*", count=500)
        )

    def reconcile(self, batch: str, delivered: Callable[[str], bool]) -> tuple[list[str], list[str]]:
        """Settle a dead worker's open entries: commit files that were delivered, forget the rest.

        Then its staged observations are discarded (they belong to no delivered file). Returns
        the files completed and the files abandoned. Call only for a batch whose worker is dead.
        """
        self._check()
        completed, abandoned = [], []
        for raw in self.server.hkeys(self._journal(batch)):
            target = raw.decode() if isinstance(raw, bytes) else raw
            if delivered(target):
                self.complete(batch, target)
                completed.append(target)
            else:
                self.server.hdel(self._journal(batch), target)
                abandoned.append(target)
        self.discard(batch)
        return completed, abandoned

    def staged_batches(self) -> list[str]:
        self._check()
        start = len(f"{self.prefix}:seen:staged:")
        return sorted(
            (key.decode() if isinstance(key, bytes) else key)[start:]
            for key in self.server.scan_iter(match=f"{self.prefix}:seen:staged:*", count=500)
        )

    def validators(self, url_key: str) -> Validators | None:
        self._check()
        raw = self.server.hget(self._validators, url_key)
        if raw is None:
            return None
        data = json.loads(raw)
        return Validators(etag=data.get("e"), last_modified=data.get("m"))

    def save_validators(
        self, url_key: str, etag: str | None, last_modified: str | None, *, batch: str | None = None
    ) -> None:
        self._check()
        value = json.dumps({"e": etag, "m": last_modified}, separators=(",", ":"))
        if batch is None:
            self.server.hset(self._validators, url_key, value)
        else:
            self.server.hset(self._staged(batch), VALIDATOR_FIELD + url_key, value)

    def close(self) -> None:
        self._closed = True


class RedisNearDuplicateIndex:
    """:class:`crawler.state.base.NearDuplicateIndex` with MinHash LSH buckets in Redis.

    The same signatures and banding as the SQLite index. Two near-identical articles indexed
    at the same instant by two workers may both be taken as originals (no lock is held
    across the query and the insert); the verdict, once stored, never changes.
    """

    def __init__(
        self, server: Redis, *, prefix: str = "ecopolicy", threshold: float = 0.8, num_perm: int = 128,
        shingle: int = 5,
    ) -> None:  # fmt: skip
        self.server = server
        self.base = f"{prefix}:neardup"
        self.threshold = threshold
        self.num_perm = num_perm
        self.shingle = shingle
        # numpy loads here, not with the module: a crawl without this index (the seen-store
        # alone, or no state) does not pay for importing it.
        from crawler.state.minhash import band_split

        self._bands, self._rows = band_split(threshold, num_perm)
        self.scheme = self._recorded_scheme()

    def _recorded_scheme(self) -> str:
        """The index's signature scheme (see :mod:`crawler.state.neardup`): set by the first
        worker to open it; ``sha1`` for an index that holds records but no scheme."""
        from crawler.state.neardup import ROLLING, SHA1

        key = f"{self.base}:scheme"
        held = bool(self.server.exists(f"{self.base}:counter"))
        self.server.setnx(key, SHA1 if held else ROLLING)
        scheme = self.server.get(key)
        return scheme.decode() if isinstance(scheme, bytes) else str(scheme)

    def signature(self, text: str) -> np.ndarray | None:
        """MinHash values of *text*, or None when it has no shingles."""
        from crawler.state.neardup import minhash_signature

        return minhash_signature(text, num_perm=self.num_perm, shingle=self.shingle, scheme=self.scheme)

    def query_or_add(self, record_id: str, text: str) -> str | None:
        known = self.server.hget(f"{self.base}:dup", record_id)
        if known is not None:
            return (known.decode() if isinstance(known, bytes) else known) or None
        from crawler.state.neardup import _band_hash

        signature = self.signature(text)
        bands = (
            [f"{self.base}:band:{b}:{_band_hash(signature[b * self._rows : (b + 1) * self._rows])}"
             for b in range(self._bands)]
            if signature is not None else []
        )  # fmt: skip
        original = self._best_match(signature, bands) if signature is not None else None
        seq = self.server.incr(f"{self.base}:counter")
        pipe = self.server.pipeline(transaction=True)
        pipe.hsetnx(f"{self.base}:seq", record_id, seq)
        pipe.hsetnx(f"{self.base}:dup", record_id, original or "")
        if signature is not None:
            pipe.hsetnx(f"{self.base}:sig", record_id, signature.tobytes())
        for band in bands:
            pipe.sadd(band, record_id)
        pipe.execute()
        return original

    def _best_match(self, signature: np.ndarray, bands: list[str]) -> str | None:
        """The earliest confirmed near-duplicate's original (an original is never itself a copy)."""
        candidates = sorted(self.server.sunion(bands)) if bands else []
        if not candidates:
            return None
        pipe = self.server.pipeline(transaction=False)
        for candidate in candidates:
            pipe.hget(f"{self.base}:seq", candidate)
            pipe.hget(f"{self.base}:dup", candidate)
            pipe.hget(f"{self.base}:sig", candidate)
        values = pipe.execute()
        import numpy as np

        best: tuple[int, str] | None = None
        for index, candidate in enumerate(candidates):
            seq, duplicate_of, blob = values[3 * index : 3 * index + 3]
            if seq is None or blob is None:
                continue
            if float(np.mean(np.frombuffer(blob, dtype=np.uint64) == signature)) < self.threshold:
                continue
            name = candidate.decode() if isinstance(candidate, bytes) else candidate
            original = (duplicate_of.decode() if isinstance(duplicate_of, bytes) else duplicate_of) or name
            if best is None or int(seq) < best[0]:
                best = (int(seq), original)
        return best[1] if best else None

    def flush(self) -> None:
        """Nothing to flush: every write went to Redis at once."""

    def close(self) -> None:
        """Nothing to flush: every write went to Redis at once."""


class RedisFurnitureStore:
    """:class:`crawler.state.base.FurnitureStore` in Redis, shared by every worker.

    A Lua script counts one article atomically, so two workers that fetch the same article
    at once still count its lines once. The per-article set key is built inside the script
    (one Redis server, not a cluster).
    """

    def __init__(self, server: Redis, *, prefix: str = "ecopolicy") -> None:
        self.server = server
        self.prefix = prefix
        self._learn = server.register_script(_LEARN)

    def _keys(self, source: str) -> list[str]:
        base = f"{self.prefix}:furniture:{source}"
        return [f"{base}:articles", f"{base}:n", f"{base}:lines", f"{base}:first"]

    def learn(self, source: str, article: str, keys: Iterable[str]) -> int:
        lines = sorted(set(keys))
        set_prefix = f"{self.prefix}:furniture:{source}:a:"
        return int(self._learn(keys=self._keys(source), args=[article, set_prefix, *lines]))

    def counts(self, source: str, article: str, keys: Iterable[str]) -> FurnitureCounts:
        articles, counter, lines_key, first_key = self._keys(source)
        lines = sorted(set(keys))
        pipe = self.server.pipeline(transaction=False)
        pipe.get(counter)
        pipe.hexists(articles, article)
        if lines:
            pipe.hmget(lines_key, lines)
            pipe.hmget(first_key, lines)
        total, known, *rest = pipe.execute()
        found: dict[str, LineCount] = {}
        if lines:
            for line, n, first in zip(lines, rest[0], rest[1], strict=True):
                if n is not None and first is not None:
                    found[line] = LineCount(int(n), int(first))
        return FurnitureCounts(int(total or 0), bool(known), found)

    def flush(self) -> None:
        """Nothing to flush: every write went to Redis at once."""

    def close(self) -> None:
        """Nothing to flush: every write went to Redis at once."""


def open_redis_furniture_store(settings: BaseSettings) -> RedisFurnitureStore:
    """The furniture counts in the Redis of ``ECOPOLICY_REDIS_URL``."""
    return RedisFurnitureStore(_server(settings), prefix=settings.get("ECOPOLICY_REDIS_PREFIX", "ecopolicy"))


def open_redis_seen_store(settings: BaseSettings) -> RedisSeenStore:
    """The seen-store of this worker in the Redis of ``ECOPOLICY_REDIS_URL``."""
    from crawler.distributed.keys import default_worker_id

    return RedisSeenStore(
        _server(settings),
        prefix=settings.get("ECOPOLICY_REDIS_PREFIX", "ecopolicy"),
        worker=str(settings.get("ECOPOLICY_WORKER_ID") or default_worker_id()),
    )


def open_redis_near_duplicate_index(settings: BaseSettings, **options: Any) -> RedisNearDuplicateIndex:
    """The near-duplicate index in the Redis of ``ECOPOLICY_REDIS_URL``."""
    return RedisNearDuplicateIndex(
        _server(settings), prefix=settings.get("ECOPOLICY_REDIS_PREFIX", "ecopolicy"), **options
    )

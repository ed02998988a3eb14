"""A reliable shared request queue: scrapy-redis' priority queue plus per-worker in-flight hashes.

scrapy-redis pops a request with ``ZRANGE``/``ZREMRANGEBYRANK``: once popped it exists only in
the worker's memory, so a worker that dies loses every request it had taken. Here a pop moves
the request, in one Lua script, from the shared sorted set into the worker's in-flight hash
(the reliable-queue pattern). The worker commits its finished tasks when its output file is
stored; whatever a dead worker (no heartbeat within the time to live) still holds is put back
in the queue by any other worker, and a later run does the same for workers that died last.

Enqueueing checks the dupe filter and pushes in one script too, so a kill between the two
never leaves a URL marked seen but not queued.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from scrapy_redis.queue import PriorityQueue

if TYPE_CHECKING:
    from redis import Redis
    from scrapy import Request, Spider

    from crawler.distributed.keys import CrawlKeys

logger = logging.getLogger(__name__)

# KEYS: dupefilter, queue. ARGV: fingerprint, score, data, dont_filter (0|1).
_ENQUEUE = """
local added = redis.call('SADD', KEYS[1], ARGV[1])
if added == 0 and ARGV[4] ~= '1' then return 0 end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
return 1
"""

# KEYS: queue, inflight hash, workers hash, task sequence. ARGV: worker id.
_POP = """
local item = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #item == 0 then return false end
redis.call('ZREM', KEYS[1], item[1])
local field = redis.call('INCR', KEYS[4]) .. ':' .. item[2]
redis.call('HSET', KEYS[2], field, item[1])
redis.call('HSET', KEYS[3], ARGV[1], 'busy')
return {field, item[1]}
"""

# Put the in-flight entries named in ARGV (all of them when ARGV is empty) back in the queue.
# KEYS: inflight hash, queue.
_REQUEUE = """
local fields = ARGV
if #fields == 0 then fields = redis.call('HKEYS', KEYS[1]) end
local moved = 0
for _, field in ipairs(fields) do
  local data = redis.call('HGET', KEYS[1], field)
  if data then
    redis.call('ZADD', KEYS[2], string.match(field, ':(.*)$'), data)
    redis.call('HDEL', KEYS[1], field)
    moved = moved + 1
  end
end
return moved
"""

# Give back a dead worker's tasks, unless its heartbeat came back.
# KEYS: inflight hash, queue, workers hash, alive key. ARGV: worker id.
_RECLAIM = """
if redis.call('EXISTS', KEYS[4]) == 1 then return -1 end
local moved = 0
for _, field in ipairs(redis.call('HKEYS', KEYS[1])) do
  redis.call('ZADD', KEYS[2], string.match(field, ':(.*)$'), redis.call('HGET', KEYS[1], field))
  moved = moved + 1
end
redis.call('DEL', KEYS[1])
redis.call('HDEL', KEYS[3], ARGV[1])
return moved
"""

# Seed once. KEYS: seeded marker, dupefilter, queue. ARGV: marker value, then (fp, score, data)*.
_SEED = """
if redis.call('SET', KEYS[1], ARGV[1], 'NX') == false then return -1 end
local n = 0
for i = 2, #ARGV, 3 do
  redis.call('SADD', KEYS[2], ARGV[i])
  redis.call('ZADD', KEYS[3], ARGV[i + 1], ARGV[i + 2])
  n = n + 1
end
return n
"""


def _text(value: bytes | str) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else value


class ReliablePriorityQueue(PriorityQueue):
    """scrapy-redis' ``PriorityQueue`` (same key, same encoding) with reliable pops.

    ``pop`` tags the request with :data:`TASK_META` so that the scheduler can tell when it is
    finished; :meth:`commit` then forgets finished tasks and gives back all the others.
    """

    TASK_META = "ecopolicy_task"

    def __init__(
        self,
        server: Redis,
        spider: Spider,
        key: str,
        serializer: Any = None,
        *,
        keys: CrawlKeys,
        worker: str,
    ) -> None:
        super().__init__(server, spider, key, serializer)
        self.keys = keys
        self.worker = worker
        self._enqueue = server.register_script(_ENQUEUE)
        self._pop = server.register_script(_POP)
        self._requeue = server.register_script(_REQUEUE)
        self._reclaim = server.register_script(_RECLAIM)
        self._seed = server.register_script(_SEED)

    # --- encoding --------------------------------------------------------------------------
    def encode(self, request: Request) -> tuple[str, bytes]:
        """``(score, data)`` of *request*, without our task tag (a retry is a new task)."""
        request.meta.pop(self.TASK_META, None)
        return str(-request.priority), self._encode_request(request)

    # --- the queue ---------------------------------------------------------------------------
    def push_unique(self, request: Request, fingerprint: str) -> bool:
        """Push *request* unless its fingerprint was seen (``dont_filter`` always pushes)."""
        score, data = self.encode(request)
        dont_filter = "1" if request.dont_filter else "0"
        return bool(
            self._enqueue(keys=[self.keys.dupefilter, self.key], args=[fingerprint, score, data, dont_filter])
        )

    def push(self, request: Request) -> None:
        """Push without the dupe filter (scrapy-redis' interface)."""
        score, data = self.encode(request)
        self.server.zadd(self.key, {data: float(score)})

    def pop(self, timeout: int = 0) -> Request | None:
        """Take the best request into this worker's in-flight hash and return it."""
        taken = self._pop(
            keys=[self.key, self.keys.inflight(self.worker), self.keys.workers, self.keys.sequence],
            args=[self.worker],
        )
        if not taken:
            return None
        field, data = taken
        request = self._decode_request(data)
        request.meta[self.TASK_META] = _text(field)
        return request

    def seed(self, requests: Iterable[tuple[str, Request]], marker: str) -> int:
        """Queue *requests* (``(fingerprint, request)``) once per crawl; -1 when already seeded."""
        args: list[str | bytes] = [marker]
        for fingerprint, request in requests:
            args.extend((fingerprint, *self.encode(request)))
        return int(self._seed(keys=[self.keys.seeded, self.keys.dupefilter, self.key], args=args))

    # --- tasks of this worker ----------------------------------------------------------------
    def requeue(self, fields: Iterable[str] = ()) -> int:
        """Give back this worker's in-flight *fields* (all when empty)."""
        fields = list(fields)
        if not fields and not self.server.exists(self.keys.inflight(self.worker)):
            return 0
        return int(self._requeue(keys=[self.keys.inflight(self.worker), self.key], args=fields))

    def commit(self, finished: Iterable[str]) -> tuple[int, int]:
        """Forget the *finished* tasks and give back every other in-flight task of this worker:
        ``(forgotten, given back)``.

        "Every other" includes a task this worker never received: when Redis goes away during
        a pop, the script may have run with its reply lost, leaving the request in the in-flight
        hash but not in the worker. Forgetting the whole hash lost such a request for good (its
        fingerprint is in the dupe filter; a list page lost that way took its articles with it).
        """
        inflight = self.keys.inflight(self.worker)
        fields = list(finished)
        forgotten = int(self.server.hdel(inflight, *fields)) if fields else 0
        given_back = self.requeue([])  # all that is left
        return forgotten, given_back

    def reclaim(self, worker: str) -> int:
        """Give back a dead *worker*'s tasks; -1 if it is alive after all."""
        return int(
            self._reclaim(
                keys=[self.keys.inflight(worker), self.key, self.keys.workers, self.keys.alive(worker)],
                args=[worker],
            )
        )

    def clear(self) -> None:
        """Delete the pending requests (scrapy-redis' interface)."""
        self.server.delete(self.key)

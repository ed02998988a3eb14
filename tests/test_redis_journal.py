"""The Redis seen-store's delivery journal: prepare before the rename, complete or reconcile after.

Uses Redis on 127.0.0.1:6379 db 15 under its own key prefix (deleted afterwards); skipped with
the reason when no Redis answers.
"""

from __future__ import annotations

import datetime

import pytest

from crawler.state.redis_store import RedisSeenStore

redis = pytest.importorskip("redis")
pytestmark = pytest.mark.redis
NOW = datetime.datetime(2026, 12, 1, tzinfo=datetime.UTC)


@pytest.fixture
def server(redis_prefixed):
    return redis_prefixed


def stage(store: RedisSeenStore, batch: str, keys: list[str]) -> None:
    for key in keys:
        store.observe(key, f"hash-{key}", NOW, batch=batch)


def test_complete_commits_exactly_the_journalled_keys_and_removes_the_entry(server):
    client, prefix = server
    store = RedisSeenStore(client, prefix=prefix, worker="w1")
    stage(store, "src:run", ["a", "b", "c"])
    store.prepare("src:run", "/out/f1.jsonl", ["a", "b"])
    assert store.complete("src:run", "/out/f1.jsonl") == 2
    assert store.lookup("a") is not None
    assert store.lookup("c") is None  # staged, in no delivered file
    assert store.journal_batches() == []
    assert store.complete("src:run", "/out/f1.jsonl") == -1  # a second completion finds nothing


def test_a_dead_workers_entries_are_committed_if_delivered_and_forgotten_if_not(server):
    client, prefix = server
    dead = RedisSeenStore(client, prefix=prefix, worker="dead")
    stage(dead, "src:run", ["a", "b", "c"])
    dead.prepare("src:run", "/out/delivered.jsonl", ["a", "b"])
    dead.prepare("src:run", "/out/never-renamed.jsonl", ["c"])
    other = RedisSeenStore(client, prefix=prefix, worker="w2")
    assert other.journal_batches() == ["src:run@dead"]
    completed, abandoned = other.reconcile("src:run@dead", lambda target: target.endswith("delivered.jsonl"))
    assert completed == ["/out/delivered.jsonl"]
    assert abandoned == ["/out/never-renamed.jsonl"]
    assert [k for k in "abc" if other.lookup(k)] == ["a", "b"]
    assert other.staged_batches() == []  # what no delivered file holds is discarded
    assert other.journal_batches() == []


def test_a_commit_gives_back_a_task_whose_pop_reply_never_arrived(server):
    """Redis went away during a pop: the script ran, the worker never saw the request."""
    from scrapy import Request, Spider

    from crawler.distributed.keys import CrawlKeys
    from crawler.distributed.queue import ReliablePriorityQueue

    client, prefix = server
    keys = CrawlKeys(prefix, "src")
    queue = ReliablePriorityQueue(client, Spider("s"), keys.queue, keys=keys, worker="w1")
    for n in (1, 2, 3):
        assert queue.push_unique(Request(f"http://127.0.0.1/{n}.html"), f"fp{n}")
    received = queue.pop()
    queue._pop(keys=[keys.queue, keys.inflight("w1"), keys.workers, keys.sequence], args=["w1"])  # lost reply
    assert client.hlen(keys.inflight("w1")) == 2
    forgotten, given_back = queue.commit([received.meta[ReliablePriorityQueue.TASK_META]])
    assert (forgotten, given_back) == (1, 1)
    assert client.hlen(keys.inflight("w1")) == 0
    left = {queue.pop().url for _ in range(2)}
    assert received.url not in left  # the finished task is forgotten, the unseen one is back
    assert len(left) == 2

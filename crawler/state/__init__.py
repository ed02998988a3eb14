"""Persistent crawl state: the seen-store, the near-duplicate index and the furniture counts.

Settings: ECOPOLICY_STATE_DIR (path; SQLite backends live there), ECOPOLICY_REDIS_URL (when
set, the Redis backends of the distributed crawl are used instead), ECOPOLICY_REDIS_PREFIX.
ECOPOLICY_NEARDUP_THRESHOLD (float, default 0.8), ECOPOLICY_NEARDUP_NUM_PERM (int, default 128),
ECOPOLICY_NEARDUP_SHINGLE (int, characters, default 5).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from crawler.sources.base import source_key
from crawler.state.base import (
    FurnitureStore,
    NearDuplicateIndex,
    Observation,
    SeenEntry,
    SeenStore,
    Validators,
)

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

__all__ = [
    "FurnitureStore",
    "NearDuplicateIndex",
    "Observation",
    "SeenEntry",
    "SeenStore",
    "Validators",
    "open_furniture_store",
    "open_near_duplicate_index",
    "open_seen_store",
    "run_batch",
    "state_configured",
    "state_key",
    "validators_batch",
]

SEEN_DB = "seen.sqlite3"
NEARDUP_DB = "neardup.sqlite3"
FURNITURE_DB = "furniture.sqlite3"


def run_batch(spider: object) -> str:
    """The batch id under which a crawl stages its observations: source key and run id.

    Several sources may run in one process with one run id, so the key is part of it.
    """
    source = source_key(spider)
    run_id = getattr(spider, "run_id", None) or "run"
    return f"{source}:{run_id}"


def state_key(spider: object, url: str) -> str:
    """The seen-store key of *url* in this crawl: its :func:`crawler.urls.url_key`.

    A bundled offline site is served on a new loopback port each run, so for such a source
    the host is replaced by the source key and the key stays the same from run to run.

    >>> from types import SimpleNamespace
    >>> demo = SimpleNamespace(source=SimpleNamespace(key="demo", offline_site="sources/demo/site"))
    >>> state_key(demo, "http://127.0.0.1:40123/news/t1.html")
    'demo/news/t1.html'
    """
    from crawler.urls import url_key

    key = url_key(url)
    source = getattr(spider, "source", None)
    if source is not None and getattr(source, "offline_site", None):
        key = f"{source.key}/{key.partition('/')[2]}"
    return key


def validators_batch(batch: str) -> str:
    """The batch of a run's list-page validators: committed only when the run finished cleanly."""
    return f"{batch}/validators"


def state_configured(settings: BaseSettings) -> bool:
    """True when a crawl has persistent state (a state folder or a Redis URL) and is not offline."""
    if settings.getbool("ECOPOLICY_OFFLINE"):
        return False
    return bool(settings.get("ECOPOLICY_STATE_DIR") or settings.get("ECOPOLICY_REDIS_URL"))


def open_seen_store(settings: BaseSettings) -> SeenStore:
    """The seen-store the settings name: Redis when ECOPOLICY_REDIS_URL is set, else SQLite.

    Raises ValueError when neither is configured.
    """
    if settings.get("ECOPOLICY_REDIS_URL"):
        from crawler.state.redis_store import open_redis_seen_store

        return open_redis_seen_store(settings)
    state_dir = settings.get("ECOPOLICY_STATE_DIR")
    if not state_dir:
        raise ValueError("no ECOPOLICY_STATE_DIR or ECOPOLICY_REDIS_URL: the crawl has no seen-store")
    from crawler.state.sqlite import SqliteSeenStore

    return SqliteSeenStore(Path(state_dir).expanduser() / SEEN_DB)


def signature_options(settings: BaseSettings) -> dict[str, int]:
    """What a near-duplicate signature depends on: permutations and shingle size."""
    return {
        "num_perm": settings.getint("ECOPOLICY_NEARDUP_NUM_PERM", 128),
        "shingle": settings.getint("ECOPOLICY_NEARDUP_SHINGLE", 5),
    }


def open_near_duplicate_index(settings: BaseSettings) -> NearDuplicateIndex:
    """The near-duplicate index the settings name (same choice as :func:`open_seen_store`)."""
    options = {
        "threshold": settings.getfloat("ECOPOLICY_NEARDUP_THRESHOLD", 0.8),
        **signature_options(settings),
    }
    if settings.get("ECOPOLICY_REDIS_URL"):
        from crawler.state.redis_store import open_redis_near_duplicate_index

        return open_redis_near_duplicate_index(settings, **options)
    state_dir = settings.get("ECOPOLICY_STATE_DIR")
    if not state_dir:
        raise ValueError("no ECOPOLICY_STATE_DIR or ECOPOLICY_REDIS_URL: no near-duplicate index")
    from crawler.state.neardup import SqliteNearDuplicateIndex

    return SqliteNearDuplicateIndex(Path(state_dir).expanduser() / NEARDUP_DB, **options)


def open_furniture_store(settings: BaseSettings, *, read_only: bool = False) -> FurnitureStore:
    """The per-source line counts the settings name (same choice as :func:`open_seen_store`).

    *read_only* (``ecopolicy extract``) reads the SQLite file under ECOPOLICY_STATE_DIR only,
    never creates or writes it, and raises FileNotFoundError when no crawl has made it yet.
    """
    state_dir = settings.get("ECOPOLICY_STATE_DIR")
    if settings.get("ECOPOLICY_REDIS_URL") and not (read_only and state_dir):
        from crawler.state.redis_store import open_redis_furniture_store

        return open_redis_furniture_store(settings)
    if not state_dir:
        raise ValueError("no ECOPOLICY_STATE_DIR or ECOPOLICY_REDIS_URL: no furniture counts")
    from crawler.state.furniture import SqliteFurnitureStore

    return SqliteFurnitureStore(Path(state_dir).expanduser() / FURNITURE_DB, read_only=read_only)

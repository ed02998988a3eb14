"""Mark syndicated copies: ``duplicate_of`` points to the first record with near-identical text.

MinHash over character shingles with LSH banding (:mod:`crawler.state.neardup`), persisted in
the state folder so a copy found weeks later still points to the original. The verdict for a
record id is stored when it is first seen, so later versions and re-runs keep it.

Settings: ECOPOLICY_NEARDUP_ENABLED (bool, default True), ECOPOLICY_NEARDUP_THRESHOLD (float,
estimated Jaccard similarity, default 0.8), ECOPOLICY_NEARDUP_NUM_PERM (default 128),
ECOPOLICY_NEARDUP_SHINGLE (characters, default 5); stands down without ECOPOLICY_STATE_DIR /
ECOPOLICY_REDIS_URL or with ECOPOLICY_OFFLINE.
Stats: neardup/checked, neardup/duplicates.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter
from scrapy.exceptions import NotConfigured

from crawler.feeds import feed_prepared
from crawler.state import open_near_duplicate_index, signature_options, state_configured

if TYPE_CHECKING:
    from pathlib import Path
    from typing import Self

    from scrapy.crawler import Crawler

    from crawler.pool import AheadTask
    from crawler.state.base import NearDuplicateIndex

logger = logging.getLogger(__name__)


class NearDuplicatePipeline:
    """Set ``duplicate_of`` on records whose text an earlier record already carried."""

    def __init__(self, crawler: Crawler) -> None:
        self._crawler = crawler
        self._index: NearDuplicateIndex | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.getbool("ECOPOLICY_NEARDUP_ENABLED", True):
            raise NotConfigured("ECOPOLICY_NEARDUP_ENABLED is False")
        if not state_configured(settings):
            # The default, stateless mode: stand down quietly (a NotConfigured message is a WARNING).
            raise NotConfigured
        pipeline = cls(crawler)
        crawler.signals.connect(pipeline._feed_prepared, signal=feed_prepared)
        return pipeline

    def open_spider(self) -> None:
        self._index = open_near_duplicate_index(self._crawler.settings)

    def _feed_prepared(self, target: Path, part: Path) -> None:
        """Persist the verdicts of the records in a file about to be delivered (the index
        commits additions in groups)."""
        if self._index is not None:
            self._index.flush()

    def ahead_tasks(self) -> list[AheadTask]:
        """The text's signature, computed by an extraction worker (see :mod:`crawler.pool`)."""
        from crawler.pool import AheadTask
        from crawler.state.neardup import signature_ahead

        options: dict[str, int | str] = dict(signature_options(self._crawler.settings))
        if self._index is not None:  # the index decides how its signatures are made
            options["scheme"] = self._index.scheme
        return [AheadTask("cleaned", signature_ahead, tuple(options.items()))]

    def close_spider(self) -> None:
        if self._index is not None:
            self._index.close()
            self._index = None

    def process_item(self, item: Any) -> Any:
        assert self._index is not None, "open_spider was not called"
        adapter = ItemAdapter(item)
        self._crawler.stats.inc_value("neardup/checked")
        original = self._index.query_or_add(adapter["id"], adapter.get("text") or "")
        if original and original != adapter["id"]:
            adapter["duplicate_of"] = original
            self._crawler.stats.inc_value("neardup/duplicates")
            logger.debug("%s is a copy of record %s", adapter.get("url"), original)
        return item

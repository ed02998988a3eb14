"""Skip articles published before a date: ``ecopolicy crawl --since DATE``.

A first scheduled run of a large portal need not go back years. Records without a
``published`` date are kept (their age is unknown, and dropping them would lose them silently).

Settings: ECOPOLICY_SINCE (``YYYY-MM-DD``; unset: the step stands down).
Stats: since/dropped/older.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem, NotConfigured

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler


def published_before(published: str | None, since: datetime.date) -> bool:
    """Whether an ISO 8601 *published* value falls on a day before *since* (its own calendar day).

    >>> published_before("2026-02-28T23:00:00+08:00", datetime.date(2026, 3, 1))
    True
    >>> published_before(None, datetime.date(2026, 3, 1))
    False
    """
    if not published:
        return False
    try:
        return datetime.date.fromisoformat(published[:10]) < since
    except ValueError:
        return False


class SincePipeline:
    """Drop records published before ECOPOLICY_SINCE."""

    def __init__(self, crawler: Crawler, since: datetime.date) -> None:
        self._stats = crawler.stats
        self._since = since

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        value = crawler.settings.get("ECOPOLICY_SINCE")
        if not value:
            # The default, stateless mode: stand down quietly (a NotConfigured message is a WARNING).
            raise NotConfigured
        return cls(crawler, datetime.date.fromisoformat(value))

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        # An attachment is fetched only for an article inside the horizon; its own older date
        # (a plan signed before the notice that publishes it) does not make it old news.
        if adapter.get("kind", "article") == "article" and published_before(
            adapter.get("published"), self._since
        ):
            self._stats.inc_value("since/dropped/older")
            raise DropItem(
                f"Published {adapter['published']}, before {self._since}: {adapter['url']}", log_level="DEBUG"
            )
        return item

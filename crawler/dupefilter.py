"""Name the article a redirect merged into another: the dupe filter drops it without a word.

Two article URLs that redirect (HTTP or meta refresh) to one final URL are fetched once: the
second redirect's request is filtered as a duplicate, and Scrapy logs the first such drop at
DEBUG and counts it in ``dupefilter/filtered`` only. Discovery found that article and the run
will not emit it under its own URL, so the drop is named: one INFO line with the URL discovery
found, the final URL and the reason, and the stat ``redirect/dropped/duplicate`` (a drop of
the summary's ``drops``). Used by the single-process dupe filter below and by the distributed
one (:mod:`crawler.distributed.dupefilter`).

Stats: redirect/dropped/duplicate.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from scrapy.dupefilters import RFPDupeFilter

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.settings import Settings
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

SCRAPY_DUPEFILTER = "scrapy.dupefilters.RFPDupeFilter"

REDIRECT_DUPLICATE = "redirect/dropped/duplicate"


def name_redirect_duplicate(request: Request, stats: StatsCollector | None) -> bool:
    """Count and log *request* if it is an article's redirect to a URL already requested.

    Returns whether it was one (a plain link found twice is no loss: it is fetched once).
    """
    chain = request.meta.get("redirect_urls") or []
    if not chain or request.meta.get("ecopolicy_kind") != "article":
        return False
    if stats is not None:
        stats.inc_value(REDIRECT_DUPLICATE)
    logger.info(
        "No record from %s: redirect_duplicate (redirected to %s, which this run already requested;"
        " its record carries that URL)",
        chain[0], request.url,
    )  # fmt: skip
    return True


class NamingDupeFilter(RFPDupeFilter):
    """Scrapy's dupe filter; a filtered redirect of an article is named (see the module)."""

    def log(self, request: Request, spider: Spider) -> None:
        name_redirect_duplicate(request, spider.crawler.stats)
        super().log(request, spider)


class NamingDupeFilterAddon:
    """Use :class:`NamingDupeFilter` where a crawl would use Scrapy's default dupe filter.

    An add-on (run after the scale-out add-on) rather than a ``DUPEFILTER_CLASS`` setting, which
    would outrank the scale-out add-on's shared filter.
    """

    def update_settings(self, settings: Settings) -> None:
        if settings.get("DUPEFILTER_CLASS") == SCRAPY_DUPEFILTER:
            settings.set("DUPEFILTER_CLASS", f"{__name__}.NamingDupeFilter", priority="addon")

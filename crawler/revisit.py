"""Polite repeat runs: a known article is fetched again only when there is a reason to.

A scheduled crawl rediscovers every article its feeds, sitemaps and list pages still offer.
For an article the seen-store already holds, this middleware decides before the request
leaves:

* ``new``: never stored; fetched as usual.
* ``skipped_unchanged``: the discovery entry carries a date (feed ``updated``/``pubDate``,
  sitemap ``lastmod``, list-page date) that is older than the day the article was last
  fetched in full, and the revisit interval has not passed. Nothing is sent.
* ``due``: the revisit interval since the last full fetch has passed; fetched in full,
  without validators, so a page whose previous answer gave no record is read again.
* ``listed_newer`` / ``undated``: the entry is dated the day of the last fetch or later, or
  carries no date. Sent as a conditional request with the article's ``ETag`` /
  ``Last-Modified``; a ``304 Not Modified`` ends it here (``revisit/conditional_304``).

The comparison is by calendar day and strict (an entry dated the same day as the last fetch
is asked again), because listings print days and an article may be corrected later that day.
``last_seen`` in the store is the time of the last full fetch that gave the same or a new
record, so "not newer than what was stored" means "not newer than the copy we hold".

Validators of a 200 answer are staged with the run's list-page validators and kept only when
the run finished cleanly (:mod:`crawler.middlewares.conditional`); they are sent only for articles whose
record is committed, so an article whose record never reached the output is fetched in full.

Settings: ECOPOLICY_REVISIT_ENABLED (bool, default True), ECOPOLICY_REVISIT_DAYS (float, days
between full fetches of a known article, default 30; a source may set its own under
``[politeness]``). Stands down without ECOPOLICY_STATE_DIR / ECOPOLICY_REDIS_URL or with
ECOPOLICY_OFFLINE. Stats: ``revisit/<decision>`` for each decision above,
``revisit/conditional_304``, ``revisit/validators_staged``.
"""

from __future__ import annotations

import datetime
import logging
from typing import TYPE_CHECKING, Any, Literal

from scrapy import signals
from scrapy.exceptions import IgnoreRequest, NotConfigured

from crawler.state import open_seen_store, run_batch, state_configured, state_key, validators_batch

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

    from crawler.state.base import SeenEntry, SeenStore

logger = logging.getLogger(__name__)

Decision = Literal["new", "skipped_unchanged", "due", "listed_newer", "undated"]
DEFAULT_REVISIT_DAYS = 30.0
_SENT = "ecopolicy_revisit_conditional"


class NotRefetched(IgnoreRequest):
    """A known article not fetched again: unchanged by its listing, or answered 304.

    A policy decision, not a fetch failure: spiders' errbacks let it pass uncounted (the
    decision is counted under ``revisit/*``).
    """


CLOCK_SKEW = datetime.timedelta(days=1)


def revisit_decision(
    entry: SeenEntry | None,
    listed: datetime.date | None,
    now: datetime.datetime,
    interval: datetime.timedelta,
) -> Decision:
    """What to do with an article the discovery offers again (see the module docstring).

    >>> from crawler.state.base import SeenEntry
    >>> fetched = datetime.datetime(2026, 3, 10, 8, tzinfo=datetime.UTC)
    >>> entry = SeenEntry(content_hash="h", version=1, first_seen=fetched, last_seen=fetched)
    >>> now, month = fetched + datetime.timedelta(days=2), datetime.timedelta(days=30)
    >>> revisit_decision(entry, datetime.date(2026, 3, 9), now, month)
    'skipped_unchanged'
    >>> revisit_decision(entry, datetime.date(2026, 3, 10), now, month)
    'listed_newer'
    >>> revisit_decision(entry, None, now, month), revisit_decision(None, None, now, month)
    ('undated', 'new')
    >>> revisit_decision(entry, datetime.date(2026, 3, 9), now, datetime.timedelta(days=1))
    'due'

    A last fetch dated after now (beyond a day's skew) means the clock was set back since: the
    entry's age is unknown, so the article is due rather than skipped until the clock catches up.

    >>> revisit_decision(entry, datetime.date(2026, 3, 9), fetched - datetime.timedelta(days=365), month)
    'due'
    """
    if entry is None:
        return "new"
    if now - entry.last_seen >= interval or entry.last_seen - now > CLOCK_SKEW:
        return "due"
    if listed is None:
        return "undated"
    if listed < entry.last_seen.astimezone(datetime.UTC).date():
        return "skipped_unchanged"
    return "listed_newer"


def listing_date(request: Request) -> datetime.date | None:
    """The date the discovery entry of *request* printed (``meta["listing"].date``), if any."""
    value = getattr(request.meta.get("listing"), "date", None)
    return value if isinstance(value, datetime.date) else None


class RevisitMiddleware:
    """Skip, condition or send article requests by what the seen-store holds for them."""

    def __init__(self, crawler: Crawler) -> None:
        self._crawler = crawler
        self._store: SeenStore | None = None
        self._batch = ""
        self._interval = datetime.timedelta(days=DEFAULT_REVISIT_DAYS)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.getbool("ECOPOLICY_REVISIT_ENABLED", True):
            raise NotConfigured("ECOPOLICY_REVISIT_ENABLED is False")
        if not state_configured(settings):
            raise NotConfigured  # stateless crawl: every article is new, stand down quietly
        middleware = cls(crawler)
        crawler.signals.connect(middleware._spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(middleware._spider_closed, signal=signals.spider_closed)
        return middleware

    def _spider_opened(self) -> None:
        # Read here, not in from_crawler: a source's [politeness] table is applied by the spider.
        days = self._crawler.settings.getfloat("ECOPOLICY_REVISIT_DAYS", DEFAULT_REVISIT_DAYS)
        if days < 0:
            raise ValueError(f"ECOPOLICY_REVISIT_DAYS must be >= 0, not {days}")
        self._interval = datetime.timedelta(days=days)
        self._store = open_seen_store(self._crawler.settings)
        self._batch = validators_batch(run_batch(self._crawler.spider))

    def _spider_closed(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    def _applies(self, request: Request) -> bool:
        return self._store is not None and request.meta.get("ecopolicy_kind") == "article"

    def process_request(self, request: Request) -> None:
        if not self._applies(request) or b"If-None-Match" in request.headers:
            return
        assert self._store is not None
        entry = self._store.lookup(state_key(self._crawler.spider, request.url))
        now = datetime.datetime.now(datetime.UTC)
        decision = revisit_decision(entry, listing_date(request), now, self._interval)
        self._crawler.stats.inc_value(f"revisit/{decision}")
        if decision == "skipped_unchanged":
            raise NotRefetched(f"Listed as unchanged since the last fetch: {request.url}")
        if decision in ("listed_newer", "undated") and entry is not None:
            self._send_validators(request, entry)

    def _send_validators(self, request: Request, entry: SeenEntry) -> None:
        if entry.etag:
            request.headers[b"If-None-Match"] = entry.etag
        if entry.last_modified:
            request.headers[b"If-Modified-Since"] = entry.last_modified
        if entry.etag or entry.last_modified:
            request.meta[_SENT] = True
            self._crawler.stats.inc_value("revisit/conditional_requests")

    def process_response(self, request: Request, response: Response) -> Any:
        if not self._applies(request):
            return response
        if response.status == 304 and request.meta.get(_SENT):
            self._crawler.stats.inc_value("revisit/conditional_304")
            raise NotRefetched(f"Not modified since the last run: {request.url}")
        if response.status == 200:
            self._stage_validators(request, response)
        return response

    def _stage_validators(self, request: Request, response: Response) -> None:
        etag = response.headers.get(b"ETag")
        modified = response.headers.get(b"Last-Modified")
        if not (etag or modified):
            return
        assert self._store is not None
        self._store.save_validators(
            state_key(self._crawler.spider, request.url),
            etag.decode("latin-1") if etag else None,
            modified.decode("latin-1") if modified else None,
            batch=self._batch,
        )
        self._crawler.stats.inc_value("revisit/validators_staged")

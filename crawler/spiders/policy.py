"""The one generic spider: discovery from a registry entry, extraction, then the pipelines.

``scrapy crawl policy -a source=KEY [-a since=YYYY-MM-DD]`` crawls one source. Feeds, sitemaps,
list pages, JSON list APIs and Hanweb XML lists are read together; every article is requested
once (the fingerprint is keyed on the canonical URL), attachments are never fetched, and a page
that cannot give a record is counted and logged with its reason, never lost silently.

Settings: ECOPOLICY_SOURCES_FILES (user source files), ECOPOLICY_SINCE (date horizon, the
``since`` argument wins), ECOPOLICY_DISCOVERY_MAX_PAGES (cap on pages per start point),
ECOPOLICY_DISCOVERY_MAX_URLS (cap on article links taken from one sitemap or feed, newest
first; default 50,000, the sitemap protocol's own limit), ECOPOLICY_DISCOVERY_MAX_ARTICLES (cap
on distinct article URLs one run takes from all its discovery, 0 = none; each worker of a
scale-out crawl has its own), ECOPOLICY_CHECK_ARTICLES /
ECOPOLICY_CHECK_LIST_PAGES (health-check mode of ``sources --check``), and the extraction
limits of :mod:`crawler.extraction.bounds`.
Stats: ``discovery/<kind>/pages``, ``discovery/<kind>/links``, ``discovery/skipped/{older,
attachment,offsite,not_article}``, ``discovery/stopped/{horizon,max_pages}``, ``check/*``
(check mode), ``extraction/*``, ``fetch/failed/<error>``, ``start/fetched``, ``start/failed/<error>``
(start points: feeds, sitemaps, first list/API pages; ``not_a_feed`` / ``not_a_sitemap`` when one
answered something else, such as an HTML page), ``discovery/<kind>/over_cap``,
``discovery/over_run_cap`` (article links not taken once the per-run cap was reached).
"""

from __future__ import annotations

import datetime
import logging
import sys
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy import Request, Spider, signals
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.utils.gz import gunzip

from crawler.discovery import (
    Link,
    api_page_url,
    hanweb_request,
    is_attachment,
    is_older,
    next_page_urls,
    parse_api,
    parse_feed,
    parse_hanweb,
    parse_list_page,
    parse_since,
    parse_sitemap,
    past_horizon,
)
from crawler.discovery.base import FEED_ROOTS, SITEMAP_ROOTS, root_name
from crawler.extraction.bounds import configure as configure_extraction_limits
from crawler.feeds import feeds_setting, new_run_id, safe_path_component
from crawler.middlewares.blocked import BlockedAnswer
from crawler.middlewares.compression import gzip_complete, trailer_matches
from crawler.politeness import apply_politeness
from crawler.pool import ExtractionPool
from crawler.records import build_record
from crawler.revisit import NotRefetched
from crawler.sources.base import ApiList, HanwebList, ListPage, Source
from crawler.sources.check import field_report
from crawler.sources.registry import get_source, load_registry, offline_site_root, user_source_files
from crawler.sources.server import LoopbackSite
from crawler.urls import canonicalize_url

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler
    from twisted.python.failure import Failure

    from crawler.items import ArticleRecord

logger = logging.getLogger(__name__)

START_POINT = "ecopolicy_start"
"""Request meta flag of a source's start points (feeds, sitemaps, first list/API pages)."""


class PolicySpider(Spider):
    """Crawl one registry source: ``-a source=KEY`` (required), ``-a since=YYYY-MM-DD`` (optional)."""

    name = "policy"

    def __init__(self, source: str | Source = "", run_id: str = "", since: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not source:
            # A usage mistake, not a crawl to close: one line and exit code 2 instead of an
            # asyncio "Task exception was never retrieved" traceback.
            print("policy: missing -a source=KEY (scrapy crawl policy -a source=KEY)", file=sys.stderr)
            raise SystemExit(2)
        # A Source object (not only a registry key) lets a site known only at run time be
        # crawled from Python: ``process.crawl(PolicySpider, source=Source(...))``.
        self._source_arg = source
        self.source: Source = None  # type: ignore[assignment]  # resolved in from_crawler
        self.since: datetime.date | None = parse_since(since)
        # Refused here, before anything is fetched: a run id that fails only when the feed
        # opens would let the crawl run on and lose every record it makes.
        self.run_id = safe_path_component("run_id", run_id or new_run_id())
        self.started_at = datetime.datetime.now(datetime.UTC)
        self.allowed_domains: list[str] = []
        self._site: LoopbackSite | None = None
        self._max_pages = 0
        self._max_urls = 0
        self._check_articles = 0
        self._articles_requested = 0
        self._max_articles = 0
        self._taken: set[str] = set()
        self._extraction = ExtractionPool(0, None)  # in-process unless from_crawler configures a pool

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        if isinstance(spider._source_arg, Source):
            spider.source = spider._source_arg
        else:
            files = user_source_files(settings.get("ECOPOLICY_SOURCES_FILES"))
            spider.source = get_source(spider._source_arg, load_registry(files))
        spider.allowed_domains = list(spider.source.allowed_domains)
        if spider.since is None:
            spider.since = parse_since(settings.get("ECOPOLICY_SINCE") or None)
        else:  # ``-a since=`` also drives the record-level date filter (pipelines.since)
            settings.set("ECOPOLICY_SINCE", spider.since.isoformat(), priority="spider")
        spider._max_pages = settings.getint("ECOPOLICY_DISCOVERY_MAX_PAGES", 0)
        spider._max_urls = settings.getint("ECOPOLICY_DISCOVERY_MAX_URLS", 50_000)
        spider._max_articles = settings.getint("ECOPOLICY_DISCOVERY_MAX_ARTICLES", 0)
        spider._check_articles = settings.getint("ECOPOLICY_CHECK_ARTICLES", 0)
        if spider._check_articles:
            spider._max_pages = settings.getint("ECOPOLICY_CHECK_LIST_PAGES", 1)
        if spider.source.offline_site is not None:
            spider._serve_offline_site()
        apply_politeness(settings, spider.source)
        configure_extraction_limits(settings)
        output = settings.getbool("ECOPOLICY_OUTPUT_ENABLED", True) and not spider._check_articles
        if not settings.getdict("FEEDS") and output:
            settings.set("FEEDS", feeds_setting(settings), priority="spider")
        crawler.signals.connect(spider._stop_offline_site, signal=signals.spider_closed)
        spider._extraction = ExtractionPool.from_crawler(crawler)
        return spider

    # --- offline sources -------------------------------------------------------------------
    def _serve_offline_site(self) -> None:
        """Serve the source's bundled site on loopback and point the source at it."""
        root = offline_site_root(self.source)
        try:  # a fixed port keeps the records' URLs, hence their ids, the same from run to run
            site = LoopbackSite(root, self.settings.getint("ECOPOLICY_OFFLINE_PORT", 0))
        except OSError as exc:  # taken (another offline crawl): any free port, other ids
            logger.info("Offline site port taken (%s); serving on a free port", exc)
            site = LoopbackSite(root)
        self._site = site.start()
        base = self._site.base_url
        self.source = self.source.rebased(base, urlsplit(base).hostname or "127.0.0.1")
        self.allowed_domains = list(self.source.allowed_domains)

    def _stop_offline_site(self) -> None:
        if self._site is not None:
            self._site.stop()
            self._site = None

    # --- discovery ------------------------------------------------------------------------------
    async def start(self) -> AsyncIterator[Request]:
        requests: list[Request] = [
            *(
                Request(url, callback=self.parse_feed, meta={"ecopolicy_kind": "feed"})
                for url in self.source.feeds
            ),
            *(
                Request(url, callback=self.parse_sitemap, meta={"ecopolicy_kind": "sitemap"})
                for url in self.source.sitemaps
            ),
            *(self._list_request(page.url, page, 0) for page in self.source.list_pages),
            *(self._api_request(api, api.first_page) for api in self.source.apis),
            *(self._hanweb_request(column, 0) for column in self.source.hanweb),
        ]
        for request in requests:
            request.meta[START_POINT] = True
            yield request.replace(errback=self.start_failed)

    def _reached(self, response: Response) -> None:
        """Count a start point that answered: a source with none is a failed run."""
        if response.meta.get(START_POINT):
            self.crawler.stats.inc_value("start/fetched")

    def start_failed(self, failure: Failure) -> None:
        """Count and name a start point that could not be fetched (DNS, refused, HTTP error...)."""
        request = failure.request  # type: ignore[attr-defined]
        if failure.check(IgnoreRequest) and str(failure.value).startswith("Not modified"):
            self.crawler.stats.inc_value("start/fetched")  # a 304: known, unchanged
            return
        reason = failure_reason(failure)
        stats = self.crawler.stats
        stats.inc_value("start/failed")
        stats.inc_value(f"start/failed/{reason}")
        stats.inc_value(f"fetch/failed/{reason}")
        logger.warning("Could not fetch start point %s: %s", request.url, failure.getErrorMessage())

    def _page_limit(self, own: int) -> int:
        return min(own, self._max_pages) if self._max_pages > 0 else own

    def _list_request(self, url: str, page: ListPage, number: int) -> Request:
        return Request(
            url,
            callback=self.parse_list,
            meta={"ecopolicy_kind": "list", "list_page": page, "page_number": number},
        )

    def _api_request(self, api: ApiList, page: int) -> Request:
        return Request(
            api_page_url(api, page),
            method=api.method,
            body=api.body.format(page=page, size=api.page_size) if api.body else None,
            headers={"Accept": "application/json", **api.headers},
            callback=self.parse_api,
            meta={"ecopolicy_kind": "api", "api": api, "page_number": page},
        )

    def _hanweb_request(self, column: HanwebList, group: int) -> Request:
        url, form = hanweb_request(column, group)
        return Request(
            url,
            method="POST",
            body=form,
            headers={"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8"},
            callback=self.parse_hanweb,
            meta={"ecopolicy_kind": "hanweb", "hanweb": column, "page_number": group},
        )

    def _in_scope(self, url: str) -> bool:
        """An http(s) URL whose host (port ignored) is an allowed domain or below one."""
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        return parts.scheme in {"http", "https"} and any(
            host == domain or host.endswith("." + domain) for domain in self.allowed_domains
        )

    def _article_requests(self, links: list[Link], via: str) -> Iterator[Request]:
        stats = self.crawler.stats
        for link in links:
            url = canonicalize_url(link.url)
            if not self._in_scope(url):
                stats.inc_value("discovery/skipped/offsite")
                continue
            if is_attachment(url) and not self.source.fetch_attachments:
                stats.inc_value("discovery/skipped/attachment")
                continue
            if not self.source.is_article_url(url):
                stats.inc_value("discovery/skipped/not_article")
                continue
            if is_older(link, self.since):
                stats.inc_value("discovery/skipped/older")
                continue
            if self._check_articles and self._articles_requested >= self._check_articles:
                return
            if self._over_run_cap(url):
                continue
            self._articles_requested += 1
            stats.inc_value(f"discovery/{via}/links")
            yield Request(
                url,
                callback=self.parse_article,
                errback=self.article_failed,
                meta={"ecopolicy_kind": "article", "listing": link},
            )

    def _over_run_cap(self, url: str) -> bool:
        """Whether *url* is a new article URL past ECOPOLICY_DISCOVERY_MAX_ARTICLES (then named).

        A URL already taken (found again by another feed or list) is no new work. The set of
        taken URLs is only kept when the cap is set, and never holds more than the cap.
        """
        cap = self._max_articles
        if cap <= 0 or url in self._taken:
            return False
        if len(self._taken) < cap:
            self._taken.add(url)
            return False
        stats = self.crawler.stats
        if not stats.get_value("discovery/over_run_cap"):
            logger.warning(
                "%d article URLs taken: the per-run cap is reached (ECOPOLICY_DISCOVERY_MAX_ARTICLES);"
                " later links are named and counted in discovery/over_run_cap",
                cap,
            )
        stats.inc_value("discovery/over_run_cap")
        logger.info("No record from %s: over_run_cap (ECOPOLICY_DISCOVERY_MAX_ARTICLES=%d)", url, cap)
        return True

    def _continue_paging(self, links: list[Link], number: int, limit: int) -> bool:
        """Whether to read the page after page *number* (0-based) of a walk limited to *limit* pages."""
        if past_horizon(links, self.since):
            self.crawler.stats.inc_value("discovery/stopped/horizon")
            return False
        if number + 1 >= self._page_limit(limit):
            self.crawler.stats.inc_value("discovery/stopped/max_pages")
            return False
        return True

    def _capped(self, links: list[Link], response: Response, kind: str) -> list[Link]:
        """At most ECOPOLICY_DISCOVERY_MAX_URLS links of one document, the newest first.

        The sitemap protocol allows 50,000 URLs per file; a larger document (or a feed as
        large) would queue work without bound. What is left out is counted and named.
        """
        cap = self._max_urls
        if cap <= 0 or len(links) <= cap:
            return links
        self.crawler.stats.inc_value(f"discovery/{kind}/over_cap", len(links) - cap)
        logger.warning(
            "%s lists %d URLs; the newest %d are taken (ECOPOLICY_DISCOVERY_MAX_URLS)",
            response.url,
            len(links),
            cap,
        )
        return sorted(links, key=lambda link: link.date or datetime.date.min, reverse=True)[:cap]

    def _not_a_document(
        self, response: Response, kind: str, roots: frozenset[str], body: bytes | None = None
    ) -> bool:
        """Whether *response* (or its decompressed *body*) is not the *kind* of document asked for.

        Such an answer (an HTML page, an error page) gave no links; counted as a failed fetch
        (and a failed start point, so a source whose only feed turned into an HTML page fails
        instead of reporting success).
        """
        body = response.body if body is None else body
        found = root_name(body)
        if found in roots:
            return False
        reason = f"not_a_{kind}"
        stats = self.crawler.stats
        stats.inc_value(f"fetch/failed/{reason}")
        if response.meta.get(START_POINT):
            stats.inc_value("start/failed")
            stats.inc_value(f"start/failed/{reason}")
        logger.warning(
            "No links from %s: not a %s (root element %s, %d bytes)",
            response.url, kind, f"<{found}>" if found else "none", len(body),
        )  # fmt: skip
        return True

    def parse_feed(self, response: Response) -> Iterator[Request]:
        """Article links of an RSS or Atom feed (entries older than the horizon skipped)."""
        if self._not_a_document(response, "feed", FEED_ROOTS):
            return
        self._reached(response)
        self.crawler.stats.inc_value("discovery/feed/pages")
        links = self._capped(parse_feed(response.body, response.url), response, "feed")
        yield from self._article_requests(links, "feed")

    def _sitemap_body(self, response: Response) -> bytes:
        """The sitemap's XML: a gzip file (``sitemap.xml.gz`` served without Content-Encoding,
        as the sitemap protocol allows) is decompressed within ``DOWNLOAD_MAXSIZE``.

        A gzip file that does not decompress gives ``b""`` (then named as not a sitemap); one
        cut short gives the entries before the cut, counted in ``discovery/sitemap/truncated``.
        """
        body = response.body
        if body[:2] != b"\x1f\x8b":
            return body
        limit = self.crawler.settings.getint("DOWNLOAD_MAXSIZE", 0)
        try:
            xml = gunzip(body, max_size=limit)
        except Exception as exc:  # a damaged file or one past the size limit
            logger.warning("Sitemap %s does not decompress: %s", response.url, exc)
            return b""
        if not trailer_matches(body, xml) and not gzip_complete(body):
            self.crawler.stats.inc_value("discovery/sitemap/truncated")
            logger.warning("Sitemap %s is cut short: only the entries before the cut are read", response.url)
        return xml

    def parse_sitemap(self, response: Response) -> Iterator[Request]:
        """Article links of a sitemap (plain or a ``.xml.gz`` file), and the sitemaps of an index."""
        body = self._sitemap_body(response)
        if self._not_a_document(response, "sitemap", SITEMAP_ROOTS, body):
            return
        self._reached(response)
        self.crawler.stats.inc_value("discovery/sitemap/pages")
        pages, children = parse_sitemap(body, response.url)
        pages = self._capped(pages, response, "sitemap")
        for child in self._capped(children, response, "sitemap_index"):
            if is_older(child, self.since):
                self.crawler.stats.inc_value("discovery/skipped/older_sitemap")
            elif self._in_scope(child.url):
                yield Request(child.url, callback=self.parse_sitemap, meta={"ecopolicy_kind": "sitemap"})
        yield from self._article_requests(pages, "sitemap")

    def parse_list(self, response: Response) -> Iterator[Request]:
        """Article links of a list page, then the next list page unless the walk is over."""
        self._reached(response)
        if not isinstance(response, TextResponse):
            return
        self.crawler.stats.inc_value("discovery/list/pages")
        page: ListPage = response.meta["list_page"]
        number: int = response.meta["page_number"]
        selector = page.link_selector or self.source.selectors.list_links
        links = parse_list_page(response.text, response.url, selector)
        articles = [link for link in links if self.source.is_article_url(canonicalize_url(link.url))]
        yield from self._article_requests(links, "list")
        if not self._continue_paging(articles, number, page.max_pages):
            return
        for url in next_page_urls(response.text, response.url, page, number):
            yield self._list_request(url, page, number + 1)

    def parse_api(self, response: Response) -> Iterator[Request]:
        """Article links of one page of a JSON list API, then its next page."""
        self._reached(response)
        self.crawler.stats.inc_value("discovery/api/pages")
        api: ApiList = response.meta["api"]
        number: int = response.meta["page_number"]
        links = parse_api(response.body, response.url, api)
        if not links:
            self.crawler.stats.inc_value("discovery/api/empty")
            return
        yield from self._article_requests(links, "api")
        if self._continue_paging(links, number - api.first_page, api.max_pages):
            yield self._api_request(api, number + 1)

    def parse_hanweb(self, response: Response) -> Iterator[Request]:
        """Article links of a Hanweb ``dataproxy.jsp`` answer, then the next group of records."""
        self._reached(response)
        self.crawler.stats.inc_value("discovery/hanweb/pages")
        column: HanwebList = response.meta["hanweb"]
        group: int = response.meta["page_number"]
        links, total = parse_hanweb(response.body, response.url)
        if not links:
            self.crawler.stats.inc_value("discovery/hanweb/empty")
            return
        yield from self._article_requests(links, "hanweb")
        size = column.perpage * column.group
        more = total is None or (group + 1) * size < total
        if more and self._continue_paging(links, group, column.max_pages):
            yield self._hanweb_request(column, group + 1)

    # --- articles ---------------------------------------------------------------------------------
    async def parse_article(self, response: Response) -> AsyncIterator[ArticleRecord]:
        """Extract a record (in a worker process when there is a pool); a page that cannot
        give one is counted with its reason."""
        stats = self.crawler.stats
        header = response.headers.get("Content-Type", b"").decode("latin-1").lower()
        if header and "html" not in header and "xml" not in header and "text/plain" not in header:
            self._drop(response, "not_html", header)
            return
        charset = header.partition("charset=")[2].split(";")[0].strip() or None
        if self._check_articles:
            stats.inc_value("check/articles")
        status, extracted, detail = await self._extraction.extract(
            response.body, response.url, self.source, charset
        )
        if status == "error":
            self._drop(response, extracted, detail)
            return
        for event in extracted.pop("events", ()):
            stats.inc_value(f"extraction/{event}")
        stats.inc_value("extraction/records")
        if self._check_articles:
            for field_name, outcome in field_report(response.body, self.source, extracted).items():
                stats.inc_value(f"check/{field_name}/{outcome}")
            return
        now = datetime.datetime.now(datetime.UTC)
        yield build_record(extracted, url=response.url, source_key=self.source.key, crawled_at=now)

    def _drop(self, response: Response, reason: str, detail: str) -> None:
        self.crawler.stats.inc_value(f"extraction/dropped/{reason}")
        logger.info(
            "No record from %s: %s (%s)", _discovered_url(response.meta, response.url), reason, detail
        )

    def article_failed(self, failure: Failure) -> None:
        """Count an article that could not be fetched (after retries), by error type.

        Blocked answers and known articles not fetched again are already counted by their
        middlewares.
        """
        if failure.check(BlockedAnswer, NotRefetched):
            return
        request = failure.request  # type: ignore[attr-defined]
        reason = failure_reason(failure)
        self.crawler.stats.inc_value(f"fetch/failed/{reason}")
        # IgnoreRequest is policy (robots.txt, offsite, size limits), not a fault of the site.
        level = logging.INFO if failure.check(IgnoreRequest) else logging.WARNING
        url = _discovered_url(request.meta, request.url)
        logger.log(level, "Could not fetch %s: %s", url, failure.getErrorMessage())


def failure_reason(failure: Failure) -> str:
    """The stats name of a failed fetch: the exception's class, or what Scrapy's robots.txt
    middleware said (its plain ``IgnoreRequest`` would name every policy refusal alike).

    >>> from twisted.python.failure import Failure
    >>> failure_reason(Failure(IgnoreRequest("Forbidden by robots.txt")))
    'forbidden_by_robots_txt'
    >>> failure_reason(Failure(TimeoutError()))
    'TimeoutError'
    """
    if failure.check(IgnoreRequest) and str(failure.value).startswith("Forbidden by robots.txt"):
        return "forbidden_by_robots_txt"
    return failure.type.__name__ if failure.type else "error"


def _discovered_url(meta: dict[str, Any], url: str) -> str:
    """The URL discovery found, and where redirects (HTTP or meta refresh) took it, if elsewhere.

    >>> _discovered_url({"redirect_urls": ["http://a.org/1", "http://a.org/2"]}, "http://a.org:9/3")
    'http://a.org/1 (redirected to http://a.org:9/3)'
    >>> _discovered_url({}, "http://a.org/1")
    'http://a.org/1'
    """
    chain = meta.get("redirect_urls") or []
    if chain and chain[0] != url:
        return f"{chain[0]} (redirected to {url})"
    return url

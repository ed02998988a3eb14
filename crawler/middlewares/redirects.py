"""Refuse redirects that leave the source or go round in circles, and say so per article.

Scrapy follows a redirect by scheduling a new request. When the target is outside the
spider's ``allowed_domains`` the offsite middleware drops it without calling the article's
errback, and when the target was already requested (a loop) the dupe filter drops it
silently: either way the article is gone with no reason attached to its URL. This
middleware looks at the 3xx answer before :class:`~scrapy.downloadermiddlewares.redirect.
RedirectMiddleware` does and fails the original request instead, with :class:`OffsiteRedirect`
or :class:`RedirectLoop`, so the errback counts it (``fetch/failed/<reason>``) and logs the
URL. Targets that are not http(s) (``file:``, ``ftp:``) count as offsite. A link-local or
loopback address is only followed when it is itself an allowed domain.

Settings: ECOPOLICY_REDIRECT_GUARD_ENABLED (bool, default True).
Stats: redirect/refused/offsite, redirect/refused/loop.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from scrapy.exceptions import IgnoreRequest, NotConfigured

from crawler.urls import canonicalize_url

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


class OffsiteRedirect(IgnoreRequest):
    """A redirect to a host outside the source's allowed domains (by host name, any port) or not http(s)."""


class RedirectLoop(IgnoreRequest):
    """A redirect back to a URL already in this request's redirect chain."""


def redirect_verdict(location: str, chain: list[str], allowed_domains: list[str]) -> str | None:
    """``"offsite"``, ``"loop"`` or ``None`` (follow) for a redirect to *location*.

    *chain* holds the URLs requested so far in this redirect chain, the current one last.

    >>> redirect_verdict("http://169.254.169.254/latest/", ["http://a.org/x"], ["a.org"])
    'offsite'
    >>> redirect_verdict("/x#top", ["http://a.org/x", "http://a.org/y"], ["a.org"])
    'loop'
    >>> redirect_verdict("http://www.a.org:8080/z", ["http://a.org/x"], ["a.org"]) is None
    True
    >>> redirect_verdict("file:///etc/passwd", ["http://a.org/x"], ["a.org"])
    'offsite'

    """
    target = urljoin(chain[-1], location)
    parts = urlsplit(target)
    host = (parts.hostname or "").lower()
    if parts.scheme not in {"http", "https"}:
        return "offsite"
    if allowed_domains and not any(host == d or host.endswith("." + d) for d in allowed_domains):
        return "offsite"
    key = canonicalize_url(target)
    if any(canonicalize_url(url) == key for url in chain):
        return "loop"
    return None


class RedirectGuardMiddleware:
    """Fail a request whose redirect leaves the source or loops; see the module docstring."""

    def __init__(self, crawler: Crawler, stats: StatsCollector) -> None:
        self._crawler = crawler
        self._stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("ECOPOLICY_REDIRECT_GUARD_ENABLED", True):
            raise NotConfigured("ECOPOLICY_REDIRECT_GUARD_ENABLED is False")
        assert crawler.stats is not None
        return cls(crawler, crawler.stats)

    def process_response(self, request: Request, response: Response) -> Response:
        if response.status not in REDIRECT_STATUSES or request.meta.get("dont_redirect"):
            return response
        location = response.headers.get("Location")
        if not location:
            return response
        target = location.decode("latin-1")
        spider = self._crawler.spider
        allowed = list(getattr(spider, "allowed_domains", None) or [])
        chain = [*request.meta.get("redirect_urls", []), request.url]
        verdict = redirect_verdict(target, chain, allowed)
        if verdict is None:
            return response
        self._stats.inc_value(f"redirect/refused/{verdict}")
        original = chain[0]
        if verdict == "offsite":
            raise OffsiteRedirect(
                f"redirect to {urljoin(request.url, target)} is outside the source ({original})"
            )
        raise RedirectLoop(f"redirect loop back to {urljoin(request.url, target)} ({original})")

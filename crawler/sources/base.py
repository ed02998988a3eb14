"""The registry entry: what a source is, as data.

A source is declarative: where to start (feeds, sitemaps, list pages), which URLs are
articles, and optional selectors that override generic extraction. Code lives in the
generic spider and extraction; a source only needs a Python hook when data cannot say it.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

LANGUAGES = frozenset({"zh", "en"})
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,63}$")
STRUCTURES = frozenset({"documented", "partial", "guess"})


class SourceError(ValueError):
    """A registry entry is invalid; the message names the entry and the field."""

    def __init__(self, key: str, field_name: str, problem: str) -> None:
        super().__init__(f"source {key!r}: field {field_name!r}: {problem}")
        self.key = key
        self.field_name = field_name
        self.problem = problem


@dataclass(frozen=True, kw_only=True)
class Selectors:
    """CSS (or XPath, when starting with ``/`` or ``(``) selectors overriding generic extraction.

    Each is optional: a missing or failing selector falls back to the generic extractor,
    and the fallback is counted so a stale selector shows up in the stats.
    """

    title: str | None = None
    date: str | None = None
    body: str | None = None
    list_links: str | None = None


@dataclass(frozen=True, kw_only=True)
class ListPage:
    """A paginated list page.

    ``pagination`` is a URL template with ``{n}`` for the page number (TRS sites use
    ``index_{n}.html`` for the second page onwards, numbered from 1); ``first_page_number``
    is the ``n`` of the second page. ``max_pages`` bounds the walk.
    """

    url: str
    pagination: str | None = None
    first_page_number: int = 1
    max_pages: int = 50
    link_selector: str | None = None
    """Anchors of this list's items (CSS or XPath); overrides ``Selectors.list_links``."""


@dataclass(frozen=True, kw_only=True)
class ApiList:
    """A JSON list endpoint, paged by number or offset (State Council search, EC press corner).

    ``url`` is a template with ``{page}`` (numbered from ``first_page``), ``{offset}``
    (``(page - first_page) * page_size``) and ``{size}``. ``items`` is a dotted path to the list
    of entries (``*`` matches any key or index); empty means "every object holding
    ``url_field``", which survives a reshuffled envelope. ``url_template`` builds the article URL
    from an entry's fields (``{reference}``) when the API gives no URL.
    """

    url: str
    items: str = ""
    url_field: str = "url"
    url_template: str | None = None
    title_field: str = "title"
    date_field: str = "date"
    first_page: int = 1
    page_size: int = 20
    max_pages: int = 50
    method: str = "GET"
    body: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class HanwebList:
    """A Hanweb (大汉) CMS column, whose list page is drawn by JavaScript from ``dataproxy.jsp``.

    The endpoint answers a form POST (``col=1&appid=1&webid=…&columnid=…&unitid=…``) with XML
    whose ``<record>`` elements wrap the HTML of one list item each; records are paged by
    ``startrecord``/``endrecord`` in groups of ``perpage``.
    """

    url: str
    """The ``/module/web/jpage/dataproxy.jsp`` endpoint."""
    columnid: str
    unitid: str
    webid: str = "1"
    perpage: int = 15
    group: int = 3
    """Pages fetched per request: ``endrecord - startrecord + 1 == perpage * group``."""
    max_pages: int = 20
    """Requests (groups), not list pages."""


def source_key(spider: Any) -> str:
    """The registry key of the source *spider* crawls, else the spider's name.

    Components (stats, state batches, Redis keys, summaries) are keyed by source; a spider
    without a registry source (a test or ad-hoc spider) is keyed by its name.

    >>> class Spider: name = "sitegen"
    >>> source_key(Spider())
    'sitegen'
    """
    key = getattr(getattr(spider, "source", None), "key", None)
    return str(key or getattr(spider, "name", None) or "spider")


_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_duration(text: str) -> datetime.timedelta:
    """A positive span written as a number and a unit (s, m, h, d, w), as in cron-minded configs.

    >>> parse_duration("36h"), parse_duration("2d") == datetime.timedelta(days=2)
    (datetime.timedelta(days=1, seconds=43200), True)
    >>> parse_duration("soon")
    Traceback (most recent call last):
    ...
    ValueError: 'soon' is not a duration like 12h, 2d or 1w
    """
    match = _DURATION.match(str(text))
    if not match or float(match[1]) <= 0:
        raise ValueError(f"{text!r} is not a duration like 12h, 2d or 1w")
    return datetime.timedelta(seconds=float(match[1]) * _UNIT_SECONDS[match[2]])


@dataclass(frozen=True, kw_only=True)
class Source:
    """One registry entry. Validated on construction: a bad entry fails loudly at load time."""

    key: str
    name: str
    language: str
    timezone: str
    allowed_domains: tuple[str, ...]
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    list_pages: tuple[ListPage, ...] = ()
    apis: tuple[ApiList, ...] = ()
    hanweb: tuple[HanwebList, ...] = ()
    article_pattern: str | None = None
    selectors: Selectors = field(default_factory=Selectors)
    paywall_markers: tuple[str, ...] = ()
    politeness: dict[str, Any] = field(default_factory=dict)
    verified: datetime.date | None = None
    offline_site: str | None = None
    """Package-relative folder served on loopback for offline sources (the demo)."""
    notes: str = ""
    family: str | None = None
    """CMS family whose rules filled the gaps of this entry (``trs``, ``hanweb``), if any."""
    structure: str = "guess"
    """``documented`` (selectors and URLs from cited public code), ``partial`` or ``guess``."""
    citations: tuple[str, ...] = ()
    """Where the structure comes from (``owner/repo:path`` or a URL)."""
    fetch_attachments: bool | None = None
    """Fetch the documents articles link to (PDF, Word, spreadsheets, OFD) as attachment records.
    Unset: on for the registry's government sources, off for user sources (``registry``)."""
    attachment_hosts: tuple[str, ...] = ()
    """Hosts besides ``allowed_domains`` that attachments may be fetched from (a file server)."""
    expected_interval: str = "7d"
    """Longest normal wait between two new articles (``12h``, ``3d``, ``2w``): ``ecopolicy status``
    calls the source stale after it. A week by default: most policy sites publish weekly or more."""

    def __post_init__(self) -> None:
        if not KEY_PATTERN.match(self.key):
            raise SourceError(self.key, "key", "must match [a-z][a-z0-9_]{1,63}")
        if self.language not in LANGUAGES:
            raise SourceError(self.key, "language", f"{self.language!r} not in {sorted(LANGUAGES)}")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise SourceError(self.key, "timezone", f"unknown time zone {self.timezone!r}") from exc
        if not self.allowed_domains and self.offline_site is None:
            raise SourceError(self.key, "allowed_domains", "at least one domain is required")
        if not (self.feeds or self.sitemaps or self.list_pages or self.apis or self.hanweb):
            raise SourceError(self.key, "feeds/sitemaps/list_pages/apis/hanweb", "no start point")
        if self.structure not in STRUCTURES:
            raise SourceError(self.key, "structure", f"{self.structure!r} not in {sorted(STRUCTURES)}")
        if self.offline_site is None:
            self._check_start_hosts()
        self._check_limits()
        try:
            parse_duration(self.expected_interval)
        except ValueError as exc:
            raise SourceError(self.key, "expected_interval", str(exc)) from None
        if self.article_pattern is not None:
            try:
                re.compile(self.article_pattern)
            except re.error as exc:
                raise SourceError(self.key, "article_pattern", f"invalid regex: {exc}") from exc

    def _check_start_hosts(self) -> None:
        """Every start point must be inside ``allowed_domains``, or the offsite filter drops it."""
        points = (
            [("feeds", u) for u in self.feeds]
            + [("sitemaps", u) for u in self.sitemaps]
            + [("list_pages", p.url) for p in self.list_pages]
            + [("apis", a.url) for a in self.apis]
            + [("hanweb", h.url) for h in self.hanweb]
        )
        for field_name, url in points:
            parts = urlsplit(url)
            host = (parts.hostname or "").lower()
            if parts.scheme not in {"http", "https"} or not host:
                raise SourceError(self.key, field_name, f"{url!r} is not an absolute http(s) URL")
            if not any(host == d or host.endswith("." + d) for d in self.allowed_domains):
                raise SourceError(
                    self.key, field_name, f"host {host!r} of {url!r} is outside allowed_domains"
                )

    def _check_limits(self) -> None:
        for index, page in enumerate(self.list_pages):
            if page.max_pages < 1:
                raise SourceError(self.key, f"list_pages[{index}].max_pages", "must be >= 1")
            if page.pagination is not None and "{n}" not in page.pagination:
                raise SourceError(self.key, f"list_pages[{index}].pagination", "needs a {n} placeholder")
        for index, api in enumerate(self.apis):
            if api.max_pages < 1 or api.page_size < 1:
                raise SourceError(self.key, f"apis[{index}]", "max_pages and page_size must be >= 1")
            if api.method not in {"GET", "POST"}:
                raise SourceError(self.key, f"apis[{index}].method", f"{api.method!r} is not GET or POST")
            if api.url_template is None and not api.url_field:
                raise SourceError(self.key, f"apis[{index}]", "needs url_field or url_template")
        for index, column in enumerate(self.hanweb):
            if column.perpage < 1 or column.group < 1 or column.max_pages < 1:
                raise SourceError(self.key, f"hanweb[{index}]", "perpage, group and max_pages must be >= 1")

    @cached_property
    def zone(self) -> ZoneInfo:
        """The source's time zone, used for dates a page gives without an offset."""
        return ZoneInfo(self.timezone)

    @cached_property
    def article_regex(self) -> re.Pattern[str] | None:
        """Compiled ``article_pattern``."""
        return re.compile(self.article_pattern) if self.article_pattern else None

    def is_article_url(self, url: str) -> bool:
        """Whether *url* is an article of this source (every URL is, without a pattern)."""
        regex = self.article_regex
        return regex is None or regex.search(url) is not None

    def rebased(self, base_url: str, domain: str) -> Source:
        """Return a copy whose relative start points resolve against *base_url*.

        Used for offline sources, whose site is served on a loopback port chosen at run time.
        """
        return dataclasses.replace(
            self,
            allowed_domains=(domain,),
            feeds=tuple(urljoin(base_url, u) for u in self.feeds),
            sitemaps=tuple(urljoin(base_url, u) for u in self.sitemaps),
            list_pages=tuple(
                dataclasses.replace(page, url=urljoin(base_url, page.url)) for page in self.list_pages
            ),
            apis=tuple(dataclasses.replace(api, url=urljoin(base_url, api.url)) for api in self.apis),
            hanweb=tuple(dataclasses.replace(h, url=urljoin(base_url, h.url)) for h in self.hanweb),
        )

    @property
    def start_kinds(self) -> tuple[str, ...]:
        """Kinds of start points this source has, for listings (``feed``, ``list``, ``api`` …)."""
        kinds = (
            ("feed", self.feeds), ("sitemap", self.sitemaps), ("list", self.list_pages),
            ("api", self.apis), ("hanweb", self.hanweb),
        )  # fmt: skip
        return tuple(name for name, points in kinds if points)

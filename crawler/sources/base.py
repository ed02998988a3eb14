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
from urllib.parse import urljoin
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

LANGUAGES = frozenset({"zh", "en"})
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,63}$")


class SourceError(ValueError):
    """A registry entry is invalid; the message names the entry and the field."""

    def __init__(self, key: str, field_name: str, problem: str) -> None:
        super().__init__(f"source {key!r}: field {field_name!r}: {problem}")
        self.key = key
        self.field_name = field_name


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
    article_pattern: str | None = None
    selectors: Selectors = field(default_factory=Selectors)
    paywall_markers: tuple[str, ...] = ()
    politeness: dict[str, Any] = field(default_factory=dict)
    verified: datetime.date | None = None
    offline_site: str | None = None
    """Package-relative folder served on loopback for offline sources (the demo)."""
    notes: str = ""

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
        if not (self.feeds or self.sitemaps or self.list_pages):
            raise SourceError(self.key, "feeds/sitemaps/list_pages", "no start point")
        if self.article_pattern is not None:
            try:
                re.compile(self.article_pattern)
            except re.error as exc:
                raise SourceError(self.key, "article_pattern", f"invalid regex: {exc}") from exc

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
        )

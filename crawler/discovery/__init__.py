"""Discovery: turn feeds, sitemaps and list pages into article links.

Pure functions over response bytes; the spider decides what to request. Each returns
:class:`Link` objects so a date horizon can stop the walk once items get older.
"""

from __future__ import annotations

from crawler.discovery.base import Link
from crawler.discovery.feeds import parse_feed
from crawler.discovery.listing import next_page_urls, parse_list_page
from crawler.discovery.sitemaps import parse_sitemap

__all__ = ["Link", "next_page_urls", "parse_feed", "parse_list_page", "parse_sitemap"]

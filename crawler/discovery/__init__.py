"""Discovery: turn feeds, sitemaps, list pages and list APIs into article links.

Pure functions over response bytes; the spider decides what to request. Each returns
:class:`Link` objects (URL, listing title, listing date) so a date horizon can stop the walk
once items get older.
"""

from __future__ import annotations

from crawler.discovery.api import api_page_url, parse_api
from crawler.discovery.base import Link
from crawler.discovery.hanweb import hanweb_request, parse_hanweb
from crawler.discovery.horizon import is_attachment, is_older, parse_since, past_horizon
from crawler.discovery.listing import next_page_urls, parse_list_page
from crawler.discovery.sitemaps import parse_sitemap
from crawler.discovery.syndication import parse_feed

__all__ = [
    "Link", "api_page_url", "hanweb_request", "is_attachment", "is_older", "next_page_urls",
    "parse_api", "parse_feed", "parse_hanweb", "parse_list_page", "parse_since", "parse_sitemap",
    "past_horizon",
]  # fmt: skip

"""Sitemaps and sitemap indexes."""

from __future__ import annotations

from urllib.parse import urljoin

from crawler.discovery.base import Link, local_name, parse_xml
from crawler.discovery.dates import parse_listing_date


def parse_sitemap(body: bytes, base_url: str) -> tuple[list[Link], list[Link]]:
    """Return ``(pages, child_sitemaps)`` of a ``urlset`` or ``sitemapindex`` document.

    >>> xml = b'<urlset><url><loc>/a.html</loc><lastmod>2023-05-22</lastmod></url></urlset>'
    >>> parse_sitemap(xml, "http://x.org/sitemap.xml")
    ([Link(url='http://x.org/a.html', title='', date=datetime.date(2023, 5, 22))], [])
    """
    root = parse_xml(body)
    if root is None:
        return [], []
    pages: list[Link] = []
    children: list[Link] = []
    is_index = local_name(root) == "sitemapindex"
    for entry in root:
        if local_name(entry) not in {"url", "sitemap"}:
            continue
        loc = lastmod = None
        for child in entry:
            name = local_name(child)
            if name == "loc":
                loc = (child.text or "").strip()
            elif name == "lastmod":
                lastmod = child.text
        if not loc:
            continue
        link = Link(urljoin(base_url, loc), "", parse_listing_date(lastmod))
        (children if is_index or local_name(entry) == "sitemap" else pages).append(link)
    return pages, children

"""RSS 2.0, RSS 1.0 (RDF) and Atom feeds: article links for discovery (output feeds are crawler.feeds)."""

from __future__ import annotations

from urllib.parse import urljoin

from crawler.discovery.base import Link, local_name, parse_xml
from crawler.discovery.dates import parse_listing_date

_ENTRY_TAGS = frozenset({"item", "entry"})
_DATE_TAGS = ("pubdate", "published", "updated", "date", "issued")


def parse_feed(body: bytes, base_url: str) -> list[Link]:
    """Links of a feed's entries, in feed order.

    >>> rss = b'<rss><channel><item><title>A</title><link>/a.html</link></item></channel></rss>'
    >>> parse_feed(rss, "http://x.org/feed.xml")
    [Link(url='http://x.org/a.html', title='A', date=None)]
    """
    root = parse_xml(body)
    if root is None:
        return []
    links: list[Link] = []
    for entry in root.iter():
        if local_name(entry) not in _ENTRY_TAGS:
            continue
        fields: dict[str, str] = {}
        href = ""
        for child in entry:
            name = local_name(child)
            if name == "link":
                rel = child.get("rel", "alternate")
                candidate = child.get("href") or (child.text or "").strip()
                if candidate and rel == "alternate" and not href:
                    href = candidate
            elif name and name not in fields:
                fields[name] = (child.text or "").strip()
        if not href and fields.get("guid", "").startswith("http"):
            href = fields["guid"]
        if not href:
            continue
        date = next((d for t in _DATE_TAGS if (d := parse_listing_date(fields.get(t)))), None)
        links.append(Link(urljoin(base_url, href), fields.get("title", ""), date))
    return links

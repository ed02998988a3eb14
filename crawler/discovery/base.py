"""What discovery yields, and the XML parser every discovery step shares."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from io import BytesIO

from lxml import etree


@dataclass(frozen=True, slots=True)
class Link:
    """A discovered URL with what the listing said about it (title, date), when it said it."""

    url: str
    title: str = ""
    date: datetime.date | None = None


def safe_xml_parser() -> etree.XMLParser:
    """An XML parser for untrusted feeds and sitemaps.

    Entities are not resolved (no billion laughs, no external files), nothing is fetched
    from the network, and huge trees are refused.
    """
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        recover=True,
        remove_comments=True,
        remove_pis=True,
        load_dtd=False,
        dtd_validation=False,
    )


def parse_xml(body: bytes) -> etree._Element | None:
    """Parse *body* as XML with :func:`safe_xml_parser`; ``None`` when it is not XML at all."""
    try:
        root = etree.fromstring(body.lstrip(), parser=safe_xml_parser())
    except etree.XMLSyntaxError:
        return None
    return root


FEED_ROOTS = frozenset({"rss", "feed", "rdf"})
SITEMAP_ROOTS = frozenset({"urlset", "sitemapindex"})


def root_name(body: bytes) -> str:
    """Local name of the document's root element, read from its first tag only; ``""`` if none.

    Tells a feed or sitemap from an HTML page, an error page or an empty answer served at
    its URL, without parsing the whole document twice.

    >>> root_name(b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"/>')
    'urlset'
    >>> root_name(b"<!DOCTYPE html><html><body>Not found</body></html>"), root_name(b"")
    ('html', '')
    """
    events = etree.iterparse(
        BytesIO(body.lstrip()), events=("start",), recover=True, resolve_entities=False,
        no_network=True, huge_tree=False, load_dtd=False,
    )  # fmt: skip
    try:
        for _event, element in events:
            return local_name(element)
    except etree.XMLSyntaxError:
        return ""
    return ""


def local_name(element: etree._Element) -> str:
    """Tag name without namespace (``{http://...}loc`` -> ``loc``)."""
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2].lower()

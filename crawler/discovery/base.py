"""What discovery yields, and the XML parser every discovery step shares."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

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


def local_name(element: etree._Element) -> str:
    """Tag name without namespace (``{http://...}loc`` -> ``loc``)."""
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2].lower()

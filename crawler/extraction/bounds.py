"""Limits on one page's work: size, element count, paragraph count and nesting depth.

A 10 MB page of 100,000 paragraphs cost minutes and most of a gigabyte for one record, and a
page nested deeper than libxml2's limit (256 levels) parses only down to that level, so
what is left is the navigation around the article. Oversized pages are refused with a reason
before the engines run (``too_large``, ``too_many_elements``, ``too_many_paragraphs``); a page
nested too deep is parsed again, whole, by the tolerant parser, or dropped as ``too_deep``
when that fails too (counted as ``extraction/dropped/<reason>``). ``ecopolicy extract`` reads
saved pages through :func:`read_page_file`, which refuses devices, pipes (``/dev/zero``) and
oversized files.

The defaults are far above real pages (the development pages reach 9,888 elements, 302
paragraphs and 2.9 MB) and can be changed for a crawl with ECOPOLICY_EXTRACT_MAX_BYTES,
ECOPOLICY_EXTRACT_MAX_ELEMENTS and ECOPOLICY_EXTRACT_MAX_PARAGRAPHS (:func:`configure`).
"""

from __future__ import annotations

import stat
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lxml import etree

from crawler.extraction.errors import EmptyPageError, ExtractionError

if TYPE_CHECKING:
    from lxml.html import HtmlElement


@dataclass(frozen=True)
class Limits:
    """The largest page extraction reads (characters or bytes, elements, ``<p>`` elements)."""

    max_bytes: int = 16 * 1024 * 1024
    max_elements: int = 50_000
    max_paragraphs: int = 10_000


LIMITS = Limits()


def configure(settings: Any) -> Limits:
    """Take the limits from Scrapy *settings* for this process (the spider calls it once)."""
    global LIMITS
    LIMITS = replace(
        LIMITS,
        max_bytes=settings.getint("ECOPOLICY_EXTRACT_MAX_BYTES", Limits.max_bytes),
        max_elements=settings.getint("ECOPOLICY_EXTRACT_MAX_ELEMENTS", Limits.max_elements),
        max_paragraphs=settings.getint("ECOPOLICY_EXTRACT_MAX_PARAGRAPHS", Limits.max_paragraphs),
    )
    return LIMITS


def check_size(page: str | bytes) -> None:
    """Refuse a page longer than the limit before it is decoded or parsed."""
    if len(page) > LIMITS.max_bytes:
        raise ExtractionError(
            f"the page has {len(page):,} bytes, over the limit of {LIMITS.max_bytes:,}", reason="too_large"
        )


def too_deep(parse_errors: Any) -> bool:
    """Whether libxml2 stopped at its nesting limit (it reports it and drops what lies below)."""
    return any("Excessive depth" in getattr(error, "message", "") for error in parse_errors)


def reparse_too_deep(text: str) -> HtmlElement:
    """The whole tree of a page nested past libxml2's limit, by the tolerant parser.

    What libxml2 kept of such a page is the navigation above the deep part, which must not
    become the article; when the tolerant parser fails too, the page is dropped as ``too_deep``.
    """
    from crawler.extraction import parse_html_tolerant

    tree = parse_html_tolerant(text)
    if tree is None:
        raise EmptyPageError("the page is nested deeper than the parsers read", reason="too_deep")
    return tree


# The nodes ``tree.iter()`` yields (elements, comments, processing instructions), counted by
# libxml2 instead of one Python object per node.
_NODES = etree.XPath(
    "count(descendant-or-self::*) + count(descendant::comment())"
    " + count(descendant::processing-instruction())"
)
_PARAGRAPHS = etree.XPath("count(descendant-or-self::p)")


def check_tree(tree: HtmlElement) -> None:
    """Refuse a parsed page with too many elements or paragraphs."""
    if int(_NODES(tree)) > LIMITS.max_elements:
        raise ExtractionError(
            f"the page has over {LIMITS.max_elements:,} elements", reason="too_many_elements"
        )
    paragraphs = int(_PARAGRAPHS(tree))
    if paragraphs > LIMITS.max_paragraphs:
        raise ExtractionError(
            f"the page has {paragraphs:,} paragraphs, over the limit of {LIMITS.max_paragraphs:,}",
            reason="too_many_paragraphs",
        )


def read_page_file(path: Path) -> bytes:
    """A saved page's bytes; refuse a device, pipe or folder, and a file over the size limit.

    Reading ``/dev/zero`` or a 200 MB dump would otherwise take all memory before any check.
    """
    info = path.stat()
    if not stat.S_ISREG(info.st_mode):
        raise ExtractionError("not a regular file (a device, pipe or folder)", reason="not_a_file")
    with path.open("rb") as page:
        data = page.read(LIMITS.max_bytes + 1)  # the file may be growing: never trust st_size alone
    check_size(data)
    return data

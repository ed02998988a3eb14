"""Extraction: a fetched page to the raw fields of an article record.

Pure functions over one lxml tree per page; the crawl and ``ecopolicy extract`` call
:func:`extract_article`. One job per module: :mod:`.decode` (bytes to text), :mod:`.title`,
:mod:`.body`, :mod:`.dates`, :mod:`.language`, :mod:`.metadata` (authors, origin, canonical URL,
attachments) and :mod:`.docnumbers`.

Failures raise :class:`ExtractionError` subclasses with a ``reason`` slug
(:class:`UndecodableError` ``undecodable``, :class:`EmptyPageError` ``empty_page``); the caller
counts ``extraction/dropped/<reason>`` and logs the URL. What went less than ideally but still
gave a record is listed in ``events``, which the crawl adds to its stats as
``extraction/<event>``:

``selector_fallback``     a source selector yielded nothing or too little; the generic engine ran
``date_assumed_utc``      a date without offset on a page with no known zone was read as UTC
``date_zone_from_host``   … was read in Asia/Shanghai because the host is under ``.cn``
``date_zone_from_language`` … was read in Asia/Shanghai because the headline is Chinese
``date_rejected_future``  a date later than now + 1 day was ignored
``date_rejected_old``     a date before 1990 was ignored
``date_from_htmldate``    no date of our own patterns; htmldate's wider search gave it
``no_date``               no usable published date
``decode_replaced``       a few undecodable bytes became U+FFFD
``body_density``          no known content container; the text-density scorer chose the body
``soup_fallback``         lxml's parse gave no body; BeautifulSoup's more tolerant parse did
``body_trafilatura``      neither parse gave a body our engines trust; trafilatura's did
``body_script_payload``   no engine found a body in the markup; the article came from the page's
                          scripts (escaped HTML in a JavaScript or JSON string)
``body_page_text``        no engine found a body; the page's visible text (chrome left out) is it
``title_from_body``       the page names no headline anywhere; the body's first sentence is the title
"""

from __future__ import annotations

import datetime
import re
import warnings
from typing import TYPE_CHECKING, Any

import lxml.html
from lxml import etree

from crawler.extraction._dom import drop_permalink_anchors, one_page, select_text
from crawler.extraction._lines import visible_lines
from crawler.extraction.access import paywall_markup
from crawler.extraction.body import Body, find_body, page_text
from crawler.extraction.bounds import check_size, check_tree, reparse_too_deep, too_deep
from crawler.extraction.dates import PageDates, find_dates
from crawler.extraction.decode import decode_html
from crawler.extraction.docnumbers import find_doc_numbers
from crawler.extraction.errors import EmptyPageError, ExtractionError, UndecodableError
from crawler.extraction.language import detect_language
from crawler.extraction.metadata import (
    base_url,
    find_attachments,
    find_authors,
    find_canonical,
    find_origin,
)
from crawler.extraction.payload import payload_paragraphs
from crawler.extraction.title import find_title, title_from_body

if TYPE_CHECKING:
    from lxml.html import HtmlElement

    from crawler.sources.base import Selectors, Source

__all__ = [
    "RECORD_KEYS",
    "EmptyPageError",
    "ExtractionError",
    "UndecodableError",
    "extract_article",
    "parse_html",
]

RECORD_KEYS: tuple[str, ...] = (
    "title",
    "paragraphs",
    "published",
    "modified",
    "date_source",
    "language",
    "authors",
    "origin",
    "canonical_url",
    "doc_numbers",
    "attachments",
    "paywall_markup",
    "events",
)


def _page_parser() -> etree.HTMLParser:
    """lxml.html's parser with its element classes chosen in C, not by a Python call per node.

    lxml.html's own lookup calls a Python method each time an element object is made, over a
    thousand times per page; extraction reads no form or input methods, so every element is a
    plain :class:`lxml.html.HtmlElement` (comments and instructions keep their html classes).
    """
    parser = etree.HTMLParser(remove_comments=True, remove_pis=True, collect_ids=False)
    parser.set_element_class_lookup(
        etree.ElementDefaultClassLookup(
            element=lxml.html.HtmlElement,
            comment=lxml.html.HtmlComment,
            pi=lxml.html.HtmlProcessingInstruction,
            entity=lxml.html.HtmlEntity,
        )
    )
    return parser


_PARSER = _page_parser()
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_DOC_NUMBER_LINE = re.compile(r"(?:发文字号|文\s*号|Document No)\s*[:：]")


def parse_html(text: str) -> HtmlElement:
    """Parse page text once into an lxml tree, or raise :class:`EmptyPageError`."""
    text = _XML_DECL.sub("", text, count=1).replace("\x00", "")
    if not text.strip():
        raise EmptyPageError("the page is empty")
    try:
        return lxml.html.document_fromstring(text, parser=_PARSER)
    except (etree.ParserError, ValueError) as exc:
        raise EmptyPageError(f"the page does not parse as HTML: {exc}") from exc


def parse_html_tolerant(text: str) -> HtmlElement | None:
    """Parse *text* through BeautifulSoup into an lxml tree; ``None`` when even that fails."""
    from lxml.html import soupparser  # deferred: only pages lxml could not read need it

    markup = _XML_DECL.sub("", text, count=1).replace("\x00", "")
    try:
        with warnings.catch_warnings():
            # BeautifulSoup warns when markup looks like XML or a file name; here it is a page
            # we already know is HTML, read as HTML on purpose.
            warnings.simplefilter("ignore", UserWarning)
            return soupparser.fromstring(markup)
    except (RecursionError, ValueError, etree.ParserError):
        return None


_MIN_FALLBACK_LINE = 40


def _trafilatura_paragraphs(text: str, url: str) -> list[str]:
    """trafilatura's body of a page, one paragraph per line (``[]`` when it finds none either)."""
    import trafilatura  # deferred: only pages our engines found no text on need it

    try:
        found = trafilatura.extract(text, url=url, include_comments=False, include_tables=True)
    except (ValueError, TypeError):  # pragma: no cover - trafilatura reports bad markup as None
        return []
    lines = [line for line in (" ".join(part.split()) for part in (found or "").splitlines()) if line]
    # a menu or a stub is no article: ask for one line of prose length
    return lines if any(len(line) >= _MIN_FALLBACK_LINE for line in lines) else []


def _body_paragraphs(tree: HtmlElement, title: str) -> list[str]:
    """The body engine's paragraphs of a tree built apart from the page (its own text cache)."""
    with one_page():
        return find_body(tree, title).paragraphs


def _find_body_or_fallback(
    text: str, tree: HtmlElement, url: str, title: str, selector: str | None, events: list[str]
) -> tuple[HtmlElement, Body, list[str]]:
    """The body by our engines, else through the fallbacks in order (BeautifulSoup's parse,
    trafilatura, the page's visible text), each counted in *events*; the tree it came from is
    returned too. Raises :class:`EmptyPageError` when no text is left anywhere."""
    body = find_body(tree, title, selector)
    if not body.paragraphs and (soup_tree := parse_html_tolerant(text)) is not None:
        # libxml2 gave up on this markup (too deep, badly broken); BeautifulSoup's parser is
        # slower but keeps going, so it gets a second look before the page is dropped.
        drop_permalink_anchors(soup_tree)
        retry = find_body(soup_tree, title, selector)
        if retry.paragraphs:
            tree, body = soup_tree, retry
            events.append("soup_fallback")
    events += body.events
    if body.engine == "density":
        events.append("body_density")
    paragraphs = body.paragraphs
    if not paragraphs:
        # Our engines found nothing they trust; trafilatura's own heuristics get a last look
        # before the page is dropped (counted).
        paragraphs = _trafilatura_paragraphs(text, url)
        if paragraphs:
            events.append("body_trafilatura")
    if not paragraphs:
        # a client-rendered page: the article is data in its scripts, not markup
        paragraphs = payload_paragraphs(tree, title, _body_paragraphs)
        if paragraphs:
            events.append("body_script_payload")
    if not paragraphs:
        # a page of a few short lines ("Test", a list of three words) is still its own text
        body = page_text(tree, title)
        paragraphs = body.paragraphs
        if paragraphs:
            events.append("body_page_text")
    if not paragraphs:
        raise EmptyPageError("no article text found on the page")
    return tree, body, paragraphs


_SURROGATE = re.compile("[\ud800-\udfff]")


def _without_lone_surrogates(text: str, events: list[str]) -> str:
    """*text* with each surrogate code point replaced by U+FFFD, counted as ``decode_replaced``.

    A surrogate is no character: lxml stops reading a text at the first one, so a page holding
    one (a str built from broken JSON or a bad ``surrogateescape`` round trip) lost every
    paragraph after it.
    """
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        events.append("decode_replaced")
        return _SURROGATE.sub("\ufffd", text)
    return text


def _decoded(html: str | bytes, encoding: str | None, events: list[str]) -> str:
    """The page as text (bytes are decoded by declared, sniffed or guessed charset)."""
    if not isinstance(html, bytes):
        return _without_lone_surrogates(html, events)
    decoded = decode_html(html, encoding)
    if decoded.replaced:
        events.append("decode_replaced")
    return decoded.text


def _selected_title(tree: HtmlElement, selectors: Selectors | None, events: list[str]) -> str:
    """The source selector's title when it gives one, else the generic title finder's."""
    if selectors is not None and selectors.title:
        title = select_text(tree, selectors.title)
        if title:
            return title
        events.append("selector_fallback")
    return find_title(tree)


def _page_dates(
    tree: HtmlElement,
    url: str,
    lines: list[str],
    title: str,
    paragraphs: list[str],
    text: str,
    source: Source | None,
    now: datetime.datetime | None,
    events: list[str],
) -> PageDates:
    """Published and modified dates, the source's date selector first."""
    selectors = source.selectors if source is not None else None
    date_text = None
    if selectors is not None and selectors.date:
        date_text = select_text(tree, selectors.date) or None
        if date_text is None:
            events.append("selector_fallback")
    dates = find_dates(
        tree,
        url,
        lines,
        title,
        source_zone=source.zone if source is not None else None,
        now=now or datetime.datetime.now(datetime.UTC),
        selector_text=date_text,
        paragraphs=paragraphs,
        page_text=text,
    )
    events += dates.events
    return dates


def _language(tree: HtmlElement, paragraphs: list[str], title: str, source: Source | None) -> str:
    fallback = (
        source.language
        if source is not None
        else ("zh" if (tree.get("lang") or "").lower().startswith("zh") else "en")
    )
    return detect_language("".join(paragraphs[:40]) or title, fallback=fallback)


def _attachments_near(body: Body, tree: HtmlElement, url: str) -> list[dict[str, str]]:
    """Attachment links in the body and the two levels around it (附件 lists sit just below)."""
    scope = body.container
    for _ in range(2):
        if scope is not None and scope.getparent() is not None and scope.getparent().tag != "html":
            scope = scope.getparent()
    return find_attachments(scope if scope is not None else tree, base_url(tree, url))


def extract_article(
    html: str | bytes,
    url: str,
    source: Source | None = None,
    *,
    encoding: str | None = None,
    now: datetime.datetime | None = None,
) -> dict[str, Any]:
    """Extract the raw record fields (see :data:`RECORD_KEYS`) from one page.

    *encoding* is the charset from the HTTP ``Content-Type`` header, if any; *now* freezes the
    clock used to reject future dates (default: the current UTC time).
    """
    with one_page():
        return _extract(html, url, source, encoding, now)


def _extract(
    html: str | bytes,
    url: str,
    source: Source | None,
    encoding: str | None,
    now: datetime.datetime | None,
) -> dict[str, Any]:
    events: list[str] = []
    check_size(html)  # bounds: size before decoding, depth and element counts after parsing
    text = _decoded(html, encoding, events)
    tree = parse_html(text)
    if too_deep(_PARSER.error_log):  # libxml2 stopped at 256 levels: read the whole page or drop it
        tree = reparse_too_deep(text)
        events.append("soup_fallback")
    check_tree(tree)
    drop_permalink_anchors(tree)
    selectors = source.selectors if source is not None else None
    title = _selected_title(tree, selectors, events)
    body_selector = selectors.body if selectors is not None else None
    tree, body, paragraphs = _find_body_or_fallback(text, tree, url, title, body_selector, events)
    if not title:
        # no <title>, og:title or heading: the body's first sentence names the record
        title = title_from_body(paragraphs)
        events.append("title_from_body")
    lines = visible_lines(tree)
    dates = _page_dates(tree, url, lines, title, paragraphs, text, source, now, events)
    doc_lines = [line for line in lines if _DOC_NUMBER_LINE.search(line) and len(line) < 200]
    return {
        "title": title,
        "paragraphs": paragraphs,
        "published": dates.published,
        "modified": dates.modified,
        "date_source": dates.date_source,
        "language": _language(tree, paragraphs, title, source),
        "authors": find_authors(tree, lines),
        "origin": find_origin(tree, lines),
        "canonical_url": find_canonical(tree, url),
        "doc_numbers": find_doc_numbers([*doc_lines, title, *paragraphs]),
        "attachments": _attachments_near(body, tree, url),
        "paywall_markup": paywall_markup(tree),
        "events": list(dict.fromkeys(events)),
    }

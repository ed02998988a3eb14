"""Paginated list pages: the article links they carry and the pages after them."""

from __future__ import annotations

import re
from urllib.parse import urljoin

from lxml import html as lxml_html

from crawler.discovery.base import Link
from crawler.discovery.dates import parse_listing_date
from crawler.sources.base import ListPage

# "next" in words with an arrow or two after it ("Next »", "下一页 >", "Older posts →"), or an
# arrow alone; « and < point back and are not taken.
_NEXT_TEXT = re.compile(
    r"^\s*(?:(?:下一页|下页|next(?:\s+page)?|older(?:\s+(?:posts|entries|news))?)\s*[›»>→]{0,2}|[›»>→]{1,2})\s*$",
    re.IGNORECASE,
)


def _select(tree: lxml_html.HtmlElement, selector: str) -> list[lxml_html.HtmlElement]:
    if selector.startswith(("/", "(")):
        return [e for e in tree.xpath(selector) if isinstance(e, lxml_html.HtmlElement)]
    return list(tree.cssselect(selector))


def parse_list_page(body: bytes | str, base_url: str, link_selector: str | None = None) -> list[Link]:
    """Links on a list page with their titles and dates (the date printed in the same item).

    *link_selector* (CSS or XPath) picks the anchors; without one every anchor is taken and the
    caller filters by the source's article pattern.

    >>> page = '<ul><li><a href="t1.html">A</a><span>[2023-05-22]</span></li></ul>'
    >>> parse_list_page(page, "http://x.org/news/")
    [Link(url='http://x.org/news/t1.html', title='A', date=datetime.date(2023, 5, 22))]
    """
    tree = lxml_html.fromstring(body, base_url=base_url)
    anchors = _select(tree, link_selector) if link_selector else tree.iter("a")
    links: list[Link] = []
    for anchor in anchors:
        href = anchor.get("href")
        if not href or href.startswith(("javascript:", "mailto:", "#")):
            continue
        item = anchor.getparent()
        date = None
        if item is not None:
            date = parse_listing_date(item.text_content())
        title = (anchor.get("title") or anchor.text_content()).strip()
        links.append(Link(urljoin(base_url, href), title, date))
    return links


def next_page_urls(body: bytes | str, page_url: str, list_page: ListPage, page_number: int) -> list[str]:
    """URLs of the next list page: by the source's pagination template, else by a "next" link.

    *page_number* is 0 for the first page. A template (TRS ``index_{n}.html``) is preferred
    because it keeps working when the "next" link is drawn by JavaScript.
    """
    if page_number + 1 >= list_page.max_pages:
        return []
    if list_page.pagination:
        n = list_page.first_page_number + page_number
        return [urljoin(list_page.url, list_page.pagination.format(n=n))]
    tree = lxml_html.fromstring(body, base_url=page_url)
    return [
        urljoin(page_url, href)
        for anchor in tree.iter("a")
        if (href := anchor.get("href"))
        and (
            _NEXT_TEXT.match(anchor.text_content() or "")
            or "next" in (anchor.get("rel") or "").lower().split()
        )
    ][:1]

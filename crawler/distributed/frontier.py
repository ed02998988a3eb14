"""The seed frontier of a source: start requests plus every predictable list page.

Feeds, sitemaps and the first list pages come from the spider's own ``start()``. A list page
with a pagination template (``index_{n}.html``) names its later pages in advance, so they are
seeded together up to ``max_pages`` instead of being discovered one after another: a queue
that grows by one list page per response keeps all workers but one waiting.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

if TYPE_CHECKING:
    from scrapy import Request

    from crawler.sources.base import ListPage


def paginated_urls(page: ListPage) -> list[str]:
    """URLs of list pages 2.. of *page* from its template, the same walk as the spider's.

    >>> from crawler.sources.base import ListPage
    >>> paginated_urls(ListPage(url="http://a.org/news/index.html", pagination="index_{n}.html", max_pages=3))
    ['http://a.org/news/index_1.html', 'http://a.org/news/index_2.html']
    >>> paginated_urls(ListPage(url="http://a.org/news/", max_pages=3))
    []
    """
    if not page.pagination:
        return []
    return [
        urljoin(page.url, page.pagination.format(n=page.first_page_number + number))
        for number in range(page.max_pages - 1)
    ]


def frontier_requests(spider: Any, start: list[Request]) -> list[Request]:
    """*start*, then list pages 2.. of every paginated list page, each URL once, seeds unfiltered.

    Seeds carry ``dont_filter`` so that an explicit re-seed (the seed marker deleted, see
    docs/scale-out.md) reads feeds and list pages again; articles they link to still pass the
    shared dupe filter.
    """
    requests = list(start)
    for page in getattr(spider.source, "list_pages", ()):
        for number, url in enumerate(paginated_urls(page), start=1):
            requests.append(spider._list_request(url, page, number))
    unique: dict[str, Request] = {}
    for request in requests:
        unique.setdefault(request.url, request.replace(dont_filter=True))
    return list(unique.values())

"""The baseline: a plain Scrapy spider that takes title and paragraphs with parsel and writes JSONL.

It walks the same start points as the full crawler (feed, sitemap index, paginated list
pages) so both crawls fetch the same pages; what it leaves out is exactly what the full
crawler adds: extraction, cleaning, the record's bookkeeping and schema validation.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from scrapy import Request, Spider
from scrapy.http import Response


class BaselineSpider(Spider):
    """``feeds``, ``sitemaps`` and ``list_pages`` are lists of absolute URLs."""

    name = "baseline"

    def __init__(
        self, feeds: list[str], sitemaps: list[str], list_pages: list[str], max_pages: int, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.feeds, self.sitemaps, self.list_pages = feeds, sitemaps, list_pages
        self.max_pages = max_pages

    async def start(self):  # type: ignore[no-untyped-def]
        for url in self.feeds:
            yield Request(url, callback=self.parse_feed)
        for url in self.sitemaps:
            yield Request(url, callback=self.parse_sitemap)
        for url in self.list_pages:
            yield Request(url, callback=self.parse_list, cb_kwargs={"number": 0})

    def parse_feed(self, response: Response) -> Iterator[Request]:
        response.selector.remove_namespaces()
        for href in response.xpath("//item/link/text()").getall():
            yield Request(response.urljoin(href.strip()), callback=self.parse_article)

    def parse_sitemap(self, response: Response) -> Iterator[Request]:
        response.selector.remove_namespaces()
        for loc in response.xpath("//sitemap/loc/text()").getall():
            yield Request(response.urljoin(loc.strip()), callback=self.parse_sitemap)
        for loc in response.xpath("//url/loc/text()").getall():
            yield Request(response.urljoin(loc.strip()), callback=self.parse_article)

    def parse_list(self, response: Response, number: int) -> Iterator[Request]:
        for href in response.css(".newsList a::attr(href)").getall():
            yield Request(response.urljoin(href), callback=self.parse_article)
        if number + 1 < self.max_pages:
            yield Request(
                response.urljoin(f"index_{number + 1}.html"),
                callback=self.parse_list,
                cb_kwargs={"number": number + 1},
            )

    def parse_article(self, response: Response) -> Iterator[dict[str, Any]]:
        title = response.css("h1::text").get() or response.css("title::text").get() or ""
        paragraphs = [p.strip() for p in response.css("p::text").getall() if p.strip()]
        yield {"url": response.url, "title": title.strip(), "paragraphs": paragraphs}

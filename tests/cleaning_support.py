"""Shared helpers for the cleaning tests: run the real pipelines built by Scrapy's factory."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from scrapy import Spider
from scrapy.exceptions import NotConfigured
from scrapy.utils.misc import build_from_crawler, load_object
from scrapy.utils.test import get_crawler

from crawler.items import ArticleRecord
from pipelines import CLEANING_PIPELINES

FIXTURES = Path(__file__).parent / "fixtures" / "cleaning"


class StubSpider(Spider):
    name = "stub"


def build_chain(settings: dict[str, Any] | None = None):
    """The cleaning pipelines in ITEM_PIPELINES order, built through the real factory.

    Steps that stand down (NotConfigured, such as the stateful furniture steps without a state
    store) are left out, as Scrapy leaves them out of a crawl.
    """
    crawler = get_crawler(StubSpider, settings or {})
    chain = []
    for path, _ in sorted(CLEANING_PIPELINES.items(), key=lambda kv: kv[1]):
        try:
            chain.append(build_from_crawler(load_object(path), crawler))
        except NotConfigured:
            continue
    return crawler, chain


def run_chain(chain, item):
    for pipeline in chain:
        item = pipeline.process_item(item)
    return item


def record(paragraphs: list[str], *, language: str = "en", **fields: Any) -> ArticleRecord:
    item = ArticleRecord(
        url=fields.pop("url", "https://example.org/a/1.html"),
        source=fields.pop("source", "demo"),
        language=language,
        paragraphs=list(paragraphs),
        origin=fields.pop("origin", None),
        paywalled=False,
        truncated=False,
    )
    for key, value in fields.items():
        item[key] = value
    return item


def load_json(path: Path) -> Any:
    with path.open(encoding="utf-8") as f:
        return json.load(f)

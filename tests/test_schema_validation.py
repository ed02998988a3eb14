"""The compiled record check agrees with jsonschema, and the pipeline drops what it must.

Records are real: made by ``ecopolicy extract``'s code path from stored pages, then spoiled
one field at a time in the ways a bug upstream would spoil them.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.settings import Settings
from scrapy.statscollectors import MemoryStatsCollector

from crawler.extraction import ExtractionError
from crawler.items import ArticleRecord
from crawler.offline import OfflineExtractor
from crawler.schema import record_is_valid, record_validator
from pipelines.validate import SchemaValidationPipeline
from tests.extraction_fixtures import load_pages

SPOILERS: dict[str, Any] = {
    "id": ["not-a-sha1", 5, None],
    "url": ["ftp://example.org/a", "", None, "http://" + "a" * 4100],
    "canonical_url": ["example.org/a"],
    "source": ["Bad Key", "a", 7],
    "title": ["", None, ["t"]],
    "published": ["2023-05-22", "2023-05-22T10:00", "yesterday", 20230522],
    "modified": ["2023-05-22 10:00:00+08:00"],
    "date_source": ["html", 1],
    "crawled_at": ["2023-05-22T10:00:00+08:00", "2023-05-22T10:00:00"],
    "language": ["Chinese", "z", ""],
    "authors": ["Wang Li", [""], [1], None],
    "origin": [3, ["a"]],
    "doc_numbers": [[""], "环办〔2023〕1号"],
    "attachments": [
        [{"url": "x.pdf", "title": "x"}],
        [{"url": "https://a.org/x.pdf"}],
        [{"url": "https://a.org/x", "title": "x", "size": 1}],
    ],
    "paragraphs": [[], [""], "text", [None]],
    "text": ["", None],
    "paywalled": ["no", 0, None],
    "truncated": [1],
    "cleaning": [{"dedupe/near_removed": -1}, {"x": "1"}, {"x": 1.5}, []],
    "content_hash": ["ABC"],
    "version": [0, "1", 1.5, True],
    "duplicate_of": ["x"],
    "schema_version": [2, "1"],
}


@pytest.fixture(scope="module")
def records() -> list[dict[str, Any]]:
    extractor = OfflineExtractor()
    out = []
    for page in load_pages()[::6]:
        try:
            item = extractor.extract(page.raw, page.url, page.source, now=page.now)
        except (ExtractionError, DropItem):  # a page that yields no record is not used here
            continue
        out.append(dict(item))
    assert len(out) >= 5
    return out


def _agree(record: dict[str, Any]) -> tuple[bool, bool]:
    return record_is_valid(record), not any(True for _ in record_validator().iter_errors(record))


def test_valid_records_pass_both_checks(records):
    for record in records:
        assert _agree(record) == (True, True), record["url"]


def test_every_spoiled_field_fails_both_checks(records):
    record = records[0]
    cases = [(field, bad) for field, bads in SPOILERS.items() for bad in bads]
    cases += [(field, "<missing>") for field in ("id", "url", "title", "paragraphs", "cleaning", "version")]
    cases += [("unexpected_field", "x")]
    for field, bad in cases:
        spoiled = copy.deepcopy(record)
        if bad == "<missing>":
            del spoiled[field]
        else:
            spoiled[field] = bad
        assert _agree(spoiled) == (False, False), (field, bad)


def test_optional_fields_may_be_absent_or_null(records):
    record = copy.deepcopy(records[0])
    for field in ("date_source", "doc_numbers", "attachments"):
        record.pop(field, None)
    record["published"] = record["modified"] = record["origin"] = record["duplicate_of"] = None
    assert _agree(record) == (True, True)


def test_pipeline_passes_items_and_drops_spoiled_ones_with_counts(records):
    stats = MemoryStatsCollector(Crawler(Spider, Settings()))
    pipeline = SchemaValidationPipeline(stats)
    item = ArticleRecord(**records[0])
    assert pipeline.process_item(item) is item
    bad = ArticleRecord(**{**records[0], "version": 0, "title": ""})
    with pytest.raises(DropItem, match=records[0]["url"]):
        pipeline.process_item(bad)
    assert stats.get_value("validate/dropped") == 1
    assert stats.get_value("validate/error/version") == 1
    assert stats.get_value("validate/error/title") == 1

"""Assemble a record from what extraction found on a page.

Cleaning happens later, in the item pipelines; this only fills the identity and bookkeeping
fields so every pipeline sees a complete record.
"""

from __future__ import annotations

import datetime
from typing import Any

from crawler.extraction import RECORD_KEYS
from crawler.items import RECORD_FIELDS, SCHEMA_VERSION, ArticleRecord
from crawler.urls import canonicalize_url, record_id

# Everything extraction returns except what build_record derives itself (the canonical URL
# goes into id/canonical_url) or the crawl consumes (events become stats).
EXTRACTED_FIELDS = tuple(key for key in RECORD_KEYS if key not in {"canonical_url", "events"})


def utc_timestamp(moment: datetime.datetime) -> str:
    """ISO 8601 UTC with ``Z``, to the second.

    >>> beijing = datetime.timezone(datetime.timedelta(hours=8))
    >>> utc_timestamp(datetime.datetime(2026, 11, 26, 8, 4, 52, 9, tzinfo=beijing))
    '2026-11-26T00:04:52Z'
    """
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def build_record(
    extracted: dict[str, Any], *, url: str, source_key: str, crawled_at: datetime.datetime
) -> ArticleRecord:
    """A record with the extracted fields and fresh bookkeeping (version 1, not yet cleaned)."""
    canonical = canonicalize_url(extracted.get("canonical_url") or url)
    record = ArticleRecord(
        id=record_id(canonical),
        kind="article",
        url=url,
        canonical_url=canonical,
        source=source_key,
        crawled_at=utc_timestamp(crawled_at),
        text="",
        paywalled=False,
        truncated=False,
        cleaning={},
        content_hash="",
        version=1,
        duplicate_of=None,
        schema_version=SCHEMA_VERSION,
    )
    for field in EXTRACTED_FIELDS:
        value = extracted.get(field)
        if value is None and field in {"authors", "doc_numbers", "attachments", "paragraphs"}:
            value = []
        elif value is None and field == "paywall_markup":
            value = False  # a page read by selectors alone was not checked for paywall markup
        record[field] = value
    return record


def build_attachment_record(
    fields: dict[str, Any], *, url: str, source_key: str, crawled_at: datetime.datetime, parent_ids: list[str]
) -> ArticleRecord:
    """An attachment record from :func:`crawler.documents.document_fields` (not yet finalised)."""
    canonical = canonicalize_url(url)
    values = {
        "id": record_id(canonical),
        "url": url,
        "canonical_url": canonical,
        "source": source_key,
        "modified": None,
        "crawled_at": utc_timestamp(crawled_at),
        "authors": [],
        "origin": None,
        "attachments": [],
        "text": "",
        "paywalled": False,
        "truncated": False,
        "content_hash": "",
        "version": 1,
        "duplicate_of": None,
        "schema_version": SCHEMA_VERSION,
        "parent_ids": sorted(parent_ids),
        **fields,
    }
    return ArticleRecord({name: values[name] for name in RECORD_FIELDS if name in values})

"""The article record (schema version 1), one JSONL line per article.

Every field's exact format is documented here and published as JSON Schema in
``crawler/schema/record-v1.json``; ``ecopolicy validate`` checks files against it.
Fields added after version 1 was first published are additive: optional in the schema,
so files written before them still validate.
"""

from __future__ import annotations

import scrapy

SCHEMA_VERSION = 1


class ArticleRecord(scrapy.Item):
    """One article, as written to the dated JSONL output."""

    id = scrapy.Field()
    """str: ``sha1`` hex of ``canonical_url`` (stable across runs and machines)."""
    url = scrapy.Field()
    """str: the URL as fetched (after redirects)."""
    canonical_url = scrapy.Field()
    """str: the URL canonicalised (fragment and tracking parameters removed, host lower-cased,
    ``rel=canonical`` honoured when on the same site)."""
    source = scrapy.Field()
    """str: registry key of the source."""
    title = scrapy.Field()
    """str: the headline, without a site-name suffix."""
    published = scrapy.Field()
    """str | None: ISO 8601 with UTC offset (``2023-05-22T13:17:00+08:00``); the source's time
    zone when the page gives none."""
    modified = scrapy.Field()
    """str | None: same format as ``published``."""
    date_source = scrapy.Field()
    """str | None: where ``published`` came from: ``jsonld``, ``meta``, ``text`` or ``url``."""
    crawled_at = scrapy.Field()
    """str: ISO 8601 UTC with ``Z`` (``2026-11-26T00:04:52Z``)."""
    language = scrapy.Field()
    """str: BCP 47 primary tag of the body (``zh``, ``en``)."""
    authors = scrapy.Field()
    """list[str]: bylines, in page order, deduplicated."""
    origin = scrapy.Field()
    """str | None: the publishing body from the page's own "Source:" / 来源 line."""
    doc_numbers = scrapy.Field()
    """list[str]: official document numbers the text cites (豫环办〔2022〕61号), in order."""
    attachments = scrapy.Field()
    """list[{"url": str, "title": str}]: linked policy files (PDF, DOC, ...), not fetched."""
    paragraphs = scrapy.Field()
    """list[str]: the cleaned body, in order; headings and list items are paragraphs."""
    text = scrapy.Field()
    """str: ``paragraphs`` joined by a blank line (``"\\n\\n"``)."""
    paywalled = scrapy.Field()
    """bool: a paywall or login stub was found (and removed)."""
    truncated = scrapy.Field()
    """bool: the body visibly ends before the article does."""
    paywall_markup = scrapy.Field()
    """bool: the page's markup declares restricted access (JSON-LD ``isAccessibleForFree: false``,
    a metered or locked content tier, a container named for a paywall). Evidence that a gate may
    stand on the page, not that the text is cut: ``paywalled`` says a stub was found."""
    cleaning = scrapy.Field()
    """dict[str, int]: ``<step>/<what>`` -> count of what each cleaning step removed or repaired."""
    removed = scrapy.Field()
    """list[{"text": str, "step": str, "reason": str, "index": int}]: what cleaning removed, in
    the order the steps ran: the text, the step (``normalise``, ``boilerplate``, ``paywall``, ``furniture``,
    ``dedupe``), why, and ``index``, the paragraph's position in the body as extracted. A text
    cut off the end of a kept paragraph has a reason starting ``trimmed``. Absent when
    ``ECOPOLICY_AUDIT_REMOVED`` is False; see :func:`pipelines.audit.restore` to put text back."""
    content_hash = scrapy.Field()
    """str: ``sha1`` hex of the normalised text; changes when the article's text changes."""
    version = scrapy.Field()
    """int: 1 for a new article, +1 each time its ``content_hash`` changes."""
    duplicate_of = scrapy.Field()
    """str | None: ``id`` of an earlier record with near-identical text (a syndicated copy)."""
    schema_version = scrapy.Field()
    """int: ``1``."""

    # --- attachments (policy documents): records of kind "attachment" -----------------------
    kind = scrapy.Field()
    """str: ``article``, or ``attachment`` for a document an article links to."""
    parent_ids = scrapy.Field()
    """list[str]: (attachment) ``id`` of every article of the run that links the document, sorted."""
    filename = scrapy.Field()
    """str: (attachment) file name, from the URL path."""
    media_type = scrapy.Field()
    """str: (attachment) media type read from the bytes (``application/pdf``, ``application/ofd``)."""
    pages = scrapy.Field()
    """int | None: (attachment) pages (PDF, OFD, DOCX when it says), sheets of a workbook."""
    sha256 = scrapy.Field()
    """str: (attachment) sha256 hex of the file's bytes."""
    needs_ocr = scrapy.Field()
    """bool: (attachment) no text layer (a scan); ``paragraphs`` is empty until OCR."""


RECORD_FIELDS: tuple[str, ...] = tuple(ArticleRecord.fields)

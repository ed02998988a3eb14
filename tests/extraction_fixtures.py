"""Loading the stored evaluation pages (shared by the tests and the quality benchmark)."""

from __future__ import annotations

import datetime
import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from benchmarks._realpages import multiset_scores
from crawler.sources.base import Selectors, Source

PAGES = Path(__file__).resolve().parent / "fixtures" / "pages"
# Families written apart from the extractor, to measure how it does on pages it was not tuned on.
# They are scored (``python -m benchmarks.extraction_quality --families heldout_``), not pinned
# field by field like the development set.
HELD_OUT_PREFIX = "heldout_"
COMPARED_FIELDS = (
    "title",
    "paragraphs",
    "published",
    "modified",
    "date_source",
    "language",
    "authors",
    "origin",
    "doc_numbers",
)


@dataclass(frozen=True)
class StoredPage:
    """One stored page: raw bytes, its meta.json and expected.json."""

    case_id: str
    folder: Path
    raw: bytes
    url: str
    now: datetime.datetime
    source: Source | None
    expected: dict[str, Any]


def source_from_meta(meta: dict[str, Any]) -> Source | None:
    """Build the minimal registry entry a page's ``meta.json`` describes under ``source``."""
    spec = meta.get("source")
    if not spec:
        return None
    host = urlsplit(meta["url"]).hostname or "example.org"
    return Source(
        key=spec["key"],
        name=spec["key"],
        language=spec["language"],
        timezone=spec["timezone"],
        allowed_domains=(host,),
        feeds=(f"https://{host}/feed",),
        selectors=Selectors(**spec.get("selectors", {})),
    )


def load_pages(families: tuple[str, ...] | None = None) -> list[StoredPage]:
    """Stored pages, sorted by family and case.

    ``families`` keeps the families whose name starts with one of the given prefixes; by default
    the development set, i.e. every family but the held-out ones.
    """
    pages = []
    for folder in sorted(p.parent for p in PAGES.glob("*/*/page.html")):
        family = folder.parent.name
        if families is None:
            if family.startswith(HELD_OUT_PREFIX):
                continue
        elif not family.startswith(families):
            continue
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
        pages.append(
            StoredPage(
                case_id=f"{folder.parent.name}/{folder.name}",
                folder=folder,
                raw=(folder / "page.html").read_bytes(),
                url=meta["url"],
                now=datetime.datetime.fromisoformat(meta["crawl_date"]),
                source=source_from_meta(meta),
                expected=expected,
            )
        )
    return pages


def tokens(text: str, language: str) -> Counter[str]:
    """Word tokens (English) or non-space characters (Chinese), as a multiset."""
    if language == "zh":
        return Counter(c for c in text if not c.isspace())
    return Counter(re.findall(r"\w+", text.lower()))


def token_scores(got: str, expected: str, language: str) -> tuple[float, float, float]:
    """Precision, recall and F1 of *got*'s tokens against *expected*'s (one scorer for the
    held-out floors and the quality benchmark, so both measure the same thing).

    >>> token_scores("a b c", "a b d", "en")
    (0.6666666666666666, 0.6666666666666666, 0.6666666666666666)
    """
    return multiset_scores(tokens(got, language), tokens(expected, language))

"""Real saved pages with their expected records, and the scores the project is judged by.

Shared by ``benchmarks.extraction_realworld`` and the real-page tests. The pages live in
``tests/fixtures/realpages/<family>/<name>/`` (see that folder's README for provenance).

Scores:

- body: precision, recall and F1 of the extracted text against the expected paragraphs, over a
  multiset of word 4-gram shingles for space-separated languages and of characters for Chinese,
  Japanese and Korean (word segmentation would make the score depend on a segmenter);
- title: the normalised titles are equal, or one contains the other and the shorter has at least
  60 % of the longer's length (site names appended to ``<title>`` do not count against it);
- date: the publication day, both instants read in the expected value's own offset; the minute too.
"""

from __future__ import annotations

import datetime
import gzip
import json
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "realpages"
CHARACTER_LANGUAGES = frozenset({"zh", "ja", "ko"})
_WORD = re.compile(r"\w+")
_CHAR_KEEP = re.compile(r"[\w\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
SHINGLE = 4


@dataclass(frozen=True)
class RealPage:
    """One stored real page and the record it should give."""

    key: str  # "<family>/<name>"
    family: str
    part: str  # "dev" or "test"
    site: str
    url: str
    raw: bytes
    expected: dict[str, Any]

    @property
    def language(self) -> str:
        return self.expected.get("language") or "other"

    @property
    def has_body_truth(self) -> bool:
        return bool(self.expected.get("paragraphs"))


def load_pages(folder: Path = FIXTURES, part: str | None = None) -> list[RealPage]:
    """Every page folder with an ``expected.json``, optionally only one ``part``.

    A page whose expectation is marked ``excluded`` (the stored bytes are another article than the
    upstream truth) is left out, with its reason kept in the fixture.
    """
    pages = []
    for expected_file in sorted(folder.glob("*/*/expected.json")):
        page_dir = expected_file.parent
        meta = json.loads((page_dir / "meta.json").read_text(encoding="utf-8"))
        if part is not None and meta["part"] != part:
            continue
        expected = json.loads(expected_file.read_text(encoding="utf-8"))
        if expected.get("excluded"):
            continue
        pages.append(
            RealPage(
                key=f"{page_dir.parent.name}/{page_dir.name}",
                family=page_dir.parent.name,
                part=meta["part"],
                site=meta["site"],
                url=meta.get("url") or f"https://{meta['site'].split(':')[-1]}.invalid/{page_dir.name}",
                raw=gzip.decompress((page_dir / "page.html.gz").read_bytes()),
                expected=expected,
            )
        )
    return pages


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def units(text: str, language: str) -> Counter[str]:
    """The multiset the body score compares: word 4-gram shingles, or characters for CJK."""
    text = _fold(text)
    if language in CHARACTER_LANGUAGES:
        return Counter(_CHAR_KEEP.findall(text))
    words = _WORD.findall(text)
    if len(words) < SHINGLE:
        return Counter(words)
    return Counter(" ".join(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1))


def body_scores(got: str, expected: str, language: str) -> tuple[float, float, float]:
    """Precision, recall and F1 of *got* against *expected*."""
    return multiset_scores(units(got, language), units(expected, language))


def multiset_scores(got: Counter[str], expected: Counter[str]) -> tuple[float, float, float]:
    """Precision, recall and F1 of one multiset against another (0.0 each when nothing is shared).

    >>> multiset_scores(Counter("aab"), Counter("abc"))
    (0.6666666666666666, 0.6666666666666666, 0.6666666666666666)
    """
    overlap = sum((got & expected).values())
    if not overlap:
        return 0.0, 0.0, 0.0
    precision, recall = overlap / sum(got.values()), overlap / sum(expected.values())
    return precision, recall, 2 * precision * recall / (precision + recall)


def _title_key(title: str) -> str:
    return " ".join(re.findall(r"\w+", _fold(title)))


def title_matches(got: str | None, expected: str | None) -> bool:
    """Whether an extracted title is the expected one (see the module docstring)."""
    a, b = _title_key(got or ""), _title_key(expected or "")
    if not a or not b:
        return False
    if a == b:
        return True
    short, long_ = sorted((a, b), key=len)
    return short in long_ and len(short) >= 0.6 * len(long_)


def parse_instant(value: str | None) -> datetime.datetime | None:
    """An ISO 8601 instant (``Z``, an offset, or none) as a datetime, or ``None``."""
    if not value:
        return None
    try:
        return datetime.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None


def date_matches(got: str | None, expected: str | None, *, to_minute: bool = False) -> bool:
    """The publication day (or minute) of *got*, read in the offset of *expected*."""
    want, have = parse_instant(expected), parse_instant(got)
    if want is None or have is None:
        return False
    if want.tzinfo is not None and have.tzinfo is not None:
        have = have.astimezone(want.tzinfo)
    if to_minute:
        return have.replace(second=0, microsecond=0, tzinfo=None) == want.replace(
            second=0, microsecond=0, tzinfo=None
        )
    return have.date() == want.date()

"""Remove a source's page furniture: lines that recur across its articles, whatever their wording.

The rule-based steps (:mod:`pipelines.boilerplate`, :mod:`pipelines.paywall`) know the phrasings
someone wrote down; a site's new stub phrasing, share bar or disclaimer slips past them. A crawl
sees many pages of one source, and a line carried by several distinct articles of it is
furniture almost by definition: article text is not repeated from article to article.

Two item pipelines share the counts in the state store (:mod:`crawler.state.furniture`, Redis in scale-out):

* :class:`FurnitureLearnPipeline` (before ``normalise``) counts each article's lines *as
  extracted*, so it learns stubs the rules remove as well, each line once per distinct article
  (record id): a page fetched again, or a line repeated within a page, adds nothing.
* :class:`FurniturePipeline` (after ``paywall``, before ``dedupe`` and ``repair``) removes the
  lines seen on at least ``ECOPOLICY_FURNITURE_MIN_ARTICLES`` articles of the source. A page is
  counted before it is judged, so the count includes the page itself: with a minimum of 2, a
  stub no rule knows is removed from the second article that carries it on. Records already
  written are not rewritten: the first article keeps its stub, until a later run fetches it
  again and emits it cleaned, as a new version (its content hash changed). It runs after the
  rules so that a stub they know is removed with their own reason (and sets ``paywalled``),
  and before ``repair`` so that a furniture line is never glued to an article sentence.

What a line is, for counting (:func:`line_form`): NFKC, case folded, spaces folded, and in a
short line every number one symbol (``Views: 1,024`` and ``Views: 88`` are one line). In a
longer line (weight over 30, see below) the figures stay as written: a template sentence whose
figures differ from article to article (``第1批项目名单将另行公布……``) is each article's own
content, while a stub with a fixed figure still recurs as it is. Lines are never counted, so
never removed, when they are:

* too short (weight under 6, a Chinese character weighing 2, a letter or a number 1): ``Share``
  or ``(完)`` are cheap chrome that the rules handle, and short lines collide by chance;
* long prose (over 200 characters, or three sentences or more);
* dated (``2024年3月1日``, ``新华社北京3月1日电``, ``March 3, 2024``): folding the digits would make
  every article's dateline or signature date one line, yet each carries that article's date;
* document structure or formulae every policy document of a source shares: numbered headings
  (``一、总体要求``, ``（二）``, ``第三条``, ``1.``, ``Article 4``), closing formulae (``特此通知。``),
  the issuing body's name alone on a line (``生态环境部办公厅``), and an addressee or lead-in line
  ending in a colon (``各省、自治区、直辖市生态环境厅（局）：``).

A counted line is removed only when all of these hold (:func:`find_furniture`):

* seen on at least ``min_articles`` distinct articles of the source, this one included;
* carried by at least ``min_share`` of the source's articles counted since the line first
  appeared: a line that stops being common (a heading two related articles happen to share)
  is not furniture, while a stub that appears on every page from today on is caught at once
  however long the store's history;
* where furniture stands: among the first or last ``edge`` paragraphs, or in a run of two or
  more consecutive furniture lines (a share bar or disclaimer block inside the body);
* and the removals together take at most ``max_removed_share`` of the body's characters and
  leave at least one paragraph. Otherwise the record is kept whole and counted
  ``furniture/refused``: when learned furniture would take most of a body, the counts are
  wrong for this record, not the body.

A copy of an article counted under another URL (a syndicated or print version) carries every
short line of the original, so each would look like furniture. The learning step therefore
also counts, in another hash domain, the article's five longest paragraphs (60 characters or
more, figures as written); a record two of whose three longest paragraphs were seen on another
article keeps its furniture lines, counted ``furniture/copy_kept`` (the near-duplicate step
marks the copy).
Two, because one long paragraph every article of a source carries (an "About the agency"
blurb) is no evidence of a copy.

Each removal is recorded in the record's ``removed`` list as ``{"text", "step": "furniture",
"reason": "seen on N articles of SOURCE", "index"}``, ``index`` being the paragraph's position
in the body as extracted (see :mod:`pipelines.audit`).

``ecopolicy extract --source KEY --state DIR`` reads the counts of earlier crawls (read-only,
the page being judged added in thought): extract never learns.

Settings: ECOPOLICY_FURNITURE_ENABLED (bool, default True), ECOPOLICY_FURNITURE_MIN_ARTICLES
(int, default 3), ECOPOLICY_FURNITURE_MIN_SHARE (float, default 0.2),
ECOPOLICY_FURNITURE_MAX_REMOVED_SHARE (float, default 0.5), ECOPOLICY_FURNITURE_EDGE (int,
default 3). Stands down without ECOPOLICY_STATE_DIR / ECOPOLICY_REDIS_URL; with ECOPOLICY_OFFLINE
only the removal step runs, and only with ECOPOLICY_STATE_DIR.
Stats: furniture/learned/articles, furniture/learned/lines, furniture/errors (learning),
cleaning/furniture/removed, cleaning/furniture/refused, cleaning/furniture/copy_kept,
cleaning/furniture/errors (also in the record's ``cleaning``).
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter
from scrapy.exceptions import NotConfigured

from crawler.feeds import feed_prepared
from crawler.state import open_furniture_store, state_configured
from pipelines._step import CleaningPipeline, StepResult, computed_ahead
from pipelines._text import CJK_CLASS, PARAGRAPH_CACHE
from pipelines.normalise import normalise_text

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path
    from typing import Self

    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings
    from scrapy.statscollectors import StatsCollector

    from crawler.pool import AheadTask
    from crawler.state.base import FurnitureCounts, FurnitureStore

logger = logging.getLogger(__name__)

MIN_WEIGHT = 6
PROSE_MIN_CHARS = 60
PROSE_LEARNED = 5
PROSE_JUDGED = 3
MAX_FOLDED_WEIGHT = 30
MAX_CHARS = 200
MAX_SENTENCES = 2

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_CJK = re.compile(f"[{CJK_CLASS}]")
_LETTER = re.compile(r"[^\W\d_]")
_SENTENCE_END = re.compile(r"[。！？]|[.!?](?=\s|$)")
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b\.?"
)
_DATED = re.compile(
    rf"\d\s*[年月日号]|\d{{4}}[-/.]\d{{1,2}}[-/.]\d{{1,2}}|\b{_MONTH}\s+\d{{1,2}}\b|\b\d{{1,2}}\s+{_MONTH}"
)
_ORDINAL = "一二三四五六七八九十百千零〇"
_STRUCTURE = re.compile(
    rf"^(?:\(?[{_ORDINAL}]+[)、.]|第[{_ORDINAL}#]+[章节条款部篇编]|\(?#[).、]"
    r"|(?:article|section|chapter|part|annex|appendix|schedule)\s+#)"
)
_FORMULA = re.compile(r"^特此(?:通知|公告|通告|批复|函告|函复|报告|通报|决定|证明)")
_ISSUER = re.compile(
    f"^[{CJK_CLASS}]{{2,24}}(?:部|厅|局|委|委员会|办公室|政府|中心|院|署|处|站|所|协会|学会|联合会|小组)$"
)
_LEAD_IN_MIN = 12
_COUNTER = re.compile(r"\bpage # of #|第#页|共#页|^# ?/ ?#$")


def line_form(text: str) -> str | None:
    """The counted form of a body line, or None when the line is never furniture (see module doc).

    >>> line_form("Views: 1,024") == line_form("views:\\u00a088")
    True
    >>> line_form("第1批名单将另行公布，请各单位做好准备工作。")
    '第1批名单将另行公布,请各单位做好准备工作。'
    >>> line_form("本文为付费内容，订阅后可阅读全文")
    '本文为付费内容,订阅后可阅读全文'
    >>> [line_form(t) for t in ("Share", "(完)", "2024年3月1日", "一、总体要求", "特此通知。")]
    [None, None, None, None, None]
    """
    if len(text) > 2 * MAX_CHARS:  # prose however much space or invisible characters it holds
        return None
    folded = " ".join(unicodedata.normalize("NFKC", normalise_text(text)).casefold().split())
    if not folded or len(folded) > MAX_CHARS or _DATED.search(folded):
        return None
    if len(_SENTENCE_END.findall(folded)) > MAX_SENTENCES:
        return None
    numbered = _NUMBER.sub("#", folded)
    if _protected(numbered):
        return None
    # A figure in a sentence is the article's own, and so is the number in "Notice 550" or
    # 第550号公告: only a short line that gives a value to a label ("Views: 1,024", 评论(12))
    # has its numbers folded.
    labelled = ":" in numbered or "(#)" in numbered or bool(_COUNTER.search(numbered))
    form = numbered if labelled and _weight(numbered) <= MAX_FOLDED_WEIGHT else folded
    return form if _weight(form) >= MIN_WEIGHT else None


def _weight(form: str) -> int:
    """Letters in *form*, a Chinese character counting two (it carries about a word), a number one.

    >>> _weight("views: #"), _weight("share"), _weight("(完)")
    (6, 5, 2)
    """
    cjk = len(_CJK.findall(form))
    return len(_LETTER.findall(form)) + cjk + form.count("#")


def _protected(form: str) -> bool:
    """Document structure and formulae that every policy document of a source shares."""
    if _STRUCTURE.match(form) or _FORMULA.match(form) or _ISSUER.match(form):
        return True
    return form.endswith(":") and len(form) >= _LEAD_IN_MIN


@lru_cache(maxsize=PARAGRAPH_CACHE)
def furniture_key(text: str) -> str | None:
    """The store key of a body line: 16 hex digits of a hash of :func:`line_form`, or None.

    Cached: both steps ask for the keys of the same lines, learning on the body as extracted
    and removal on the body as cleaned, and most lines come through cleaning unchanged.

    >>> furniture_key("Views: 1,024") == furniture_key("Views: 88")
    True
    >>> furniture_key("Share") is None
    True
    """
    form = line_form(text)
    if form is None:
        return None
    return hashlib.blake2b(form.encode("utf-8"), digest_size=8).hexdigest()


def page_keys(paragraphs: Sequence[str]) -> list[str | None]:
    """The key of every paragraph (None where it is never furniture), in order."""
    return [furniture_key(p) for p in paragraphs]


def _title_form(title: object) -> str:
    return " ".join(unicodedata.normalize("NFKC", str(title or "")).casefold().split())


def without_headline(paragraphs: Sequence[str], keys: list[str | None], title: object) -> list[str | None]:
    """*keys* with the lines that repeat the record's headline left out: the article's own line."""
    headline = _title_form(title)
    if not headline:
        return keys
    # A line without a key is never furniture: its form need not be compared.
    return [
        key and (None if _title_form(p) == headline else key) for p, key in zip(paragraphs, keys, strict=True)
    ]


@lru_cache(maxsize=PARAGRAPH_CACHE)
def prose_key(text: str) -> str | None:
    """The store key of an article paragraph as evidence of copies, or None when it is short.

    Kept apart from line keys (another hash domain), figures as written: only a copy of the
    paragraph shares it.
    """
    folded = " ".join(unicodedata.normalize("NFKC", normalise_text(text)).casefold().split())
    if len(folded) < PROSE_MIN_CHARS:
        return None
    return hashlib.blake2b(b"prose\0" + folded.encode("utf-8"), digest_size=8).hexdigest()


def prose_keys(paragraphs: Sequence[str], n: int) -> list[str]:
    """The prose keys of the *n* longest paragraphs (fewer when the body has fewer long ones)."""
    longest = sorted(paragraphs, key=len, reverse=True)[:n]
    return [key for p in longest if (key := prose_key(p))]


def shares_prose(counts: FurnitureCounts, keys: Sequence[str]) -> bool:
    """Whether the article's own paragraphs were seen on another article: it is a copy.

    Two of its longest paragraphs must be shared (its only one, for a short body): one long
    paragraph every release of a source ends with ("About the agency ...") is not a copy.

    >>> from crawler.state.base import FurnitureCounts, LineCount
    >>> shares_prose(FurnitureCounts(5, True, {"a": LineCount(5, 1)}), ["a", "b", "c"])
    False
    >>> shares_prose(FurnitureCounts(5, True, {"a": LineCount(5, 1), "b": LineCount(2, 4)}), ["a", "b", "c"])
    True
    """
    shared = sum(1 for key in keys if (line := counts.lines.get(key)) is not None and line.articles > 1)
    return bool(keys) and shared >= min(2, len(keys))


@dataclass(frozen=True, slots=True)
class FurnitureOptions:
    """Thresholds of :func:`find_furniture` (see the module docstring for why each exists)."""

    min_articles: int = 3
    min_share: float = 0.2
    max_removed_share: float = 0.5
    edge: int = 3

    def __post_init__(self) -> None:
        """Refuse settings that would cut article text wholesale, with the setting named.

        >>> FurnitureOptions(min_articles=1)
        Traceback (most recent call last):
        ...
        ValueError: ECOPOLICY_FURNITURE_MIN_ARTICLES must be at least 2 (one article's line is its text)
        """
        if self.min_articles < 2:
            raise ValueError(
                "ECOPOLICY_FURNITURE_MIN_ARTICLES must be at least 2 (one article's line is its text)"
            )
        if not 0.0 <= self.min_share <= 1.0:
            raise ValueError("ECOPOLICY_FURNITURE_MIN_SHARE must be between 0 and 1")
        if not 0.0 < self.max_removed_share < 1.0:
            raise ValueError("ECOPOLICY_FURNITURE_MAX_REMOVED_SHARE must be between 0 and 1 (exclusive)")
        if self.edge < 0:
            raise ValueError("ECOPOLICY_FURNITURE_EDGE must not be negative")


@dataclass
class FurnitureVerdict:
    """Which paragraphs are furniture (index -> articles that carried the line), or a refusal."""

    removed: dict[int, int] = field(default_factory=dict)
    refused: bool = False


def _common(counts: FurnitureCounts, key: str | None, options: FurnitureOptions) -> int:
    """Articles that carried the line *key*, when it passes both thresholds; else 0."""
    line = counts.lines.get(key) if key else None
    if line is None or line.articles < options.min_articles:
        return 0
    since_first = max(1, counts.articles - line.first_seq + 1)
    return line.articles if line.articles / since_first >= options.min_share else 0


def find_furniture(
    paragraphs: Sequence[str], keys: Sequence[str | None], counts: FurnitureCounts, options: FurnitureOptions
) -> FurnitureVerdict:
    """The furniture lines of one body, judged on *counts* (which include this article).

    >>> from crawler.state.base import FurnitureCounts, LineCount
    >>> body = ["Lead.", "Body " * 40, "Close.", "Stub line"]
    >>> counts = FurnitureCounts(4, True, {"k": LineCount(3, 1)})
    >>> find_furniture(body, [None, None, None, "k"], counts, FurnitureOptions())
    FurnitureVerdict(removed={3: 3}, refused=False)
    >>> find_furniture(["Stub line"], ["k"], counts, FurnitureOptions())
    FurnitureVerdict(removed={}, refused=True)
    """
    common = {i: n for i, key in enumerate(keys) if (n := _common(counts, key, options))}
    last = len(paragraphs) - options.edge
    removed = {
        i: n for i, n in common.items() if i < options.edge or i >= last or i - 1 in common or i + 1 in common
    }
    if not removed:
        return FurnitureVerdict()
    total = sum(len(p) for p in paragraphs)
    cut = sum(len(paragraphs[i]) for i in removed)
    if len(removed) >= len(paragraphs) or cut > options.max_removed_share * total:
        return FurnitureVerdict(refused=True)
    return FurnitureVerdict(removed)


def _article_id(adapter: ItemAdapter) -> str:
    return str(adapter.get("id") or adapter.get("canonical_url") or adapter.get("url") or "")


def learned_keys(paragraphs: list[str]) -> frozenset[str]:
    """The keys an article adds to its source's counts: its lines' and its longest paragraphs'.

    Computed ahead by an extraction worker when there is one (see :mod:`crawler.pool`).
    """

    def compute() -> frozenset[str]:
        return frozenset(k for k in page_keys(paragraphs) if k) | frozenset(
            prose_keys(paragraphs, PROSE_LEARNED)
        )

    return computed_ahead("furniture_learn", paragraphs, {}, compute)  # type: ignore[no-any-return]


def judged_keys(paragraphs: list[str]) -> tuple[list[str | None], list[str]]:
    """The line keys and the prose keys :class:`FurniturePipeline` looks up for a body.

    Computed ahead by an extraction worker when there is one (see :mod:`crawler.pool`).
    """

    def compute() -> tuple[list[str | None], list[str]]:
        return page_keys(paragraphs), prose_keys(paragraphs, PROSE_JUDGED)

    return computed_ahead("furniture_judged", paragraphs, {}, compute)  # type: ignore[no-any-return]


def learned_keys_ahead(paragraphs: list[str]) -> None:
    """What a worker computes ahead for :class:`FurnitureLearnPipeline`."""
    learned_keys([p for p in paragraphs if isinstance(p, str)])


class FurnitureLearnPipeline:
    """Count each article's lines, as extracted, in the source's furniture counts."""

    def __init__(self, crawler: Crawler) -> None:
        self._crawler = crawler
        self._store: FurnitureStore | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("ECOPOLICY_FURNITURE_ENABLED", True):
            raise NotConfigured("ECOPOLICY_FURNITURE_ENABLED is False")
        if not state_configured(crawler.settings):
            # No state store, or offline (extract never learns): stand down quietly.
            raise NotConfigured
        pipeline = cls(crawler)
        crawler.signals.connect(pipeline._feed_prepared, signal=feed_prepared)
        return pipeline

    def open_spider(self) -> None:
        self._store = open_furniture_store(self._crawler.settings)

    def _feed_prepared(self, target: Path, part: Path) -> None:
        """Persist the counts learned from the records of a file about to be delivered (the
        store commits in groups): a run killed after delivery never revisits those articles."""
        if self._store is not None:
            self._store.flush()

    def ahead_tasks(self) -> list[AheadTask]:
        """The article's keys, computed by an extraction worker (see :mod:`crawler.pool`)."""
        from crawler.pool import AheadTask

        return [AheadTask("extracted", learned_keys_ahead)]

    def close_spider(self) -> None:
        store, self._store = self._store, None
        if store is not None:
            store.close()

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        source, article = adapter.get("source"), _article_id(adapter)
        paragraphs = adapter.get("paragraphs") or []
        if not source or not article or not isinstance(paragraphs, list):
            return item
        texts = [p for p in paragraphs if isinstance(p, str)]
        keys = set(learned_keys(texts))
        stats = self._crawler.stats
        try:
            if self._store is None:
                self.open_spider()
            assert self._store is not None
            added = self._store.learn(str(source), article, keys)
        except Exception as exc:  # a store error must not cost the article; counted and logged
            stats.inc_value("furniture/errors")
            logger.warning("Furniture counts not updated for %s: %s", adapter.get("url"), exc)
            return item
        stats.inc_value("furniture/learned/articles")
        stats.inc_value("furniture/learned/lines", added)
        return item


class FurniturePipeline(CleaningPipeline):
    """Remove the lines the source's counts mark as furniture; record each removal."""

    step = "furniture"
    stateless = False  # reads and writes the per-source counts

    def __init__(
        self, stats: StatsCollector | None = None, *, settings: BaseSettings, read_only: bool, **options: Any
    ) -> None:
        super().__init__(stats, **options)
        self._settings = settings
        self._read_only = read_only
        self._store: FurnitureStore | None = None
        self._judge = FurnitureOptions(**options)

    @classmethod
    def options_from_settings(cls, settings: BaseSettings) -> dict[str, Any]:
        defaults = FurnitureOptions()
        return {
            "min_articles": settings.getint("ECOPOLICY_FURNITURE_MIN_ARTICLES", defaults.min_articles),
            "min_share": settings.getfloat("ECOPOLICY_FURNITURE_MIN_SHARE", defaults.min_share),
            "max_removed_share": settings.getfloat(
                "ECOPOLICY_FURNITURE_MAX_REMOVED_SHARE", defaults.max_removed_share
            ),
            "edge": settings.getint("ECOPOLICY_FURNITURE_EDGE", defaults.edge),
        }

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.getbool("ECOPOLICY_FURNITURE_ENABLED", True):
            raise NotConfigured("ECOPOLICY_FURNITURE_ENABLED is False")
        offline = settings.getbool("ECOPOLICY_OFFLINE")
        if offline and not settings.get("ECOPOLICY_STATE_DIR"):
            raise NotConfigured
        if not offline and not state_configured(settings):
            raise NotConfigured
        options = cls.options_from_settings(settings)
        return cls(crawler.stats, settings=settings, read_only=offline, **options)

    def open_spider(self) -> None:
        if self._store is None:
            self._store = open_furniture_store(self._settings, read_only=self._read_only)

    def ahead_tasks(self) -> list[AheadTask]:
        """The body's keys, computed by an extraction worker (see :mod:`crawler.pool`)."""
        from crawler.pool import AheadTask

        return [AheadTask("here", judged_keys)]

    def close_spider(self) -> None:
        store, self._store = self._store, None
        if store is not None:
            store.close()

    def clean(self, adapter: ItemAdapter, paragraphs: list[str]) -> StepResult:
        source, article = adapter.get("source"), _article_id(adapter)
        result = StepResult(list(paragraphs), {}, [(i,) for i in range(len(paragraphs))], {})
        if not source or not article or not paragraphs:
            return result
        line_keys, prose = judged_keys(paragraphs)
        keys = without_headline(paragraphs, line_keys, adapter.get("title"))
        present = [k for k in keys if k] + prose
        try:
            self.open_spider()
            assert self._store is not None
            counts = self._store.counts(str(source), article, present).including_unknown(present)
        except Exception as exc:  # a store error must not cost the article; counted and logged
            result.count("errors")
            logger.warning("Furniture counts not read for %s: %s", adapter.get("url"), exc)
            return result
        verdict = find_furniture(paragraphs, keys, counts, self._judge)
        if (verdict.removed or verdict.refused) and shares_prose(counts, prose):
            result.count("copy_kept")
            logger.debug("%s shares its prose with another article: kept whole", adapter.get("url"))
            return result
        if verdict.refused:
            result.count("refused")
            logger.debug("Furniture would take most of %s: kept whole", adapter.get("url"))
            return result
        return self._remove(adapter, paragraphs, verdict, str(source), result)

    @staticmethod
    def _remove(
        adapter: ItemAdapter,
        paragraphs: list[str],
        verdict: FurnitureVerdict,
        source: str,
        result: StepResult,
    ) -> StepResult:
        if not verdict.removed:
            return result
        result.paragraphs = [p for i, p in enumerate(paragraphs) if i not in verdict.removed]
        result.sources = [(i,) for i in range(len(paragraphs)) if i not in verdict.removed]
        # the base class writes the audit entries, at the paragraphs' extraction positions
        for index, articles in sorted(verdict.removed.items()):
            result.removed[index] = f"seen on {articles} articles of {source}"
        result.count("removed", len(verdict.removed))
        return result

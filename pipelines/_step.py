"""What every cleaning step shares: the result of a pure core and the thin Scrapy shell.

A step's pure core returns a :class:`StepResult`: the new paragraph list, counts of what it
did, and for each output paragraph the input indices it came from (so benchmarks and logs can
tell which paragraphs a step removed or joined). :class:`CleaningPipeline` turns a core into
a Scrapy item pipeline: ``ECOPOLICY_<STEP>_ENABLED`` switch, stats ``cleaning/<step>/<what>``,
the same counts added into the record's ``cleaning`` dict as ``"<step>/<what>": n``, and
(unless ``ECOPOLICY_AUDIT_REMOVED`` is False) each removed paragraph, with the step's reason,
into the record's ``removed`` list (see :mod:`pipelines.audit`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from itemadapter import ItemAdapter
from scrapy.exceptions import NotConfigured

from pipelines.audit import AUDIT_SETTING, TRIMMED, entries, extracted_positions

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from typing import Self

    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings
    from scrapy.statscollectors import StatsCollector


@dataclass
class StepResult:
    """Output of one pure cleaning core."""

    paragraphs: list[str]
    counts: dict[str, int] = field(default_factory=dict)
    sources: list[tuple[int, ...]] = field(default_factory=list)
    """For each output paragraph, the indices of the input paragraphs it was made from."""
    removed: dict[int, str] = field(default_factory=dict)
    """Input index -> reason, for every input paragraph that does not survive."""
    notes: dict[int, str] = field(default_factory=dict)
    """Input index -> why, in words, for removed paragraphs whose step says more than the reason."""
    trimmed: dict[int, str] = field(default_factory=dict)
    """Input index -> text cut off the end of a paragraph that otherwise stays."""

    def count(self, what: str, n: int = 1) -> None:
        """Add *n* to the count *what* (zero counts are not stored)."""
        if n:
            self.counts[what] = self.counts.get(what, 0) + n


def keep_all(paragraphs: list[str]) -> StepResult:
    """A result that keeps *paragraphs* as they are.

    >>> keep_all(["a", "b"]).sources
    [(0,), (1,)]
    """
    return StepResult(list(paragraphs), {}, [(i,) for i in range(len(paragraphs))], {})


def filter_result(paragraphs: list[str], removed: dict[int, str]) -> StepResult:
    """A result keeping every paragraph except the indices in *removed* (index -> reason).

    >>> r = filter_result(["a", "b", "c"], {1: "teaser"})
    >>> r.paragraphs, r.sources, r.counts
    (['a', 'c'], [(0,), (2,)], {'teaser_removed': 1})
    """
    result = StepResult([], {}, [], dict(removed))
    for i, text in enumerate(paragraphs):
        if i in removed:
            result.count(f"{removed[i]}_removed")
        else:
            result.paragraphs.append(text)
            result.sources.append((i,))
    return result


CoreKey = tuple[str, tuple[str, ...], tuple[tuple[str, Any], ...]]
"""``(step, input paragraphs, core keyword arguments)``: everything a pure core's result depends on."""

_PRECOMPUTED: dict[CoreKey, Any] = {}
"""Core results computed ahead in an extraction worker, each used once (see :func:`precompute`)."""
_PRECOMPUTED_LIMIT = 4096
_recording: list[tuple[CoreKey, Any]] | None = None
AHEAD_TAKEN: Counter[str] = Counter()
"""How many results of :func:`computed_ahead` were taken from a worker, by name, in this process."""


def _core_key(step: str, paragraphs: Sequence[str], options: dict[str, Any]) -> CoreKey | None:
    """The key of one core call, or None when an option cannot be hashed (then never shared)."""
    key = (step, tuple(paragraphs), tuple(sorted(options.items())))
    try:
        hash(key)
    except TypeError:
        return None
    return key


def computed_ahead(
    step: str, inputs: Sequence[str], options: dict[str, Any], compute: Callable[[], Any]
) -> Any:
    """``compute()``, a pure function of *inputs* and *options*, or its result computed ahead.

    The same sharing as the cleaning cores' (:meth:`CleaningPipeline.run_core`) for the other
    per-record work that depends on the text alone (the content hash, the near-duplicate
    signature, per-source furniture keys): a worker computes it while recording, the crawl
    process uses the result when its inputs are exactly the same.
    """
    value, taken = _taken_or_computed(step, inputs, options, compute)
    if taken:
        AHEAD_TAKEN[step] += 1
    return value


def _taken_or_computed(
    step: str, inputs: Sequence[str], options: dict[str, Any], compute: Callable[[], Any]
) -> tuple[Any, bool]:
    """The result offered for exactly these inputs (and True), else ``compute()``'s (and False),
    recorded when a worker is recording."""
    key = _core_key(step, inputs, options)
    if key is not None and key in _PRECOMPUTED:
        return _PRECOMPUTED.pop(key), True
    value = compute()
    if _recording is not None and key is not None:
        _recording.append((key, value))
    return value, False


@contextmanager
def recording() -> Iterator[list[tuple[CoreKey, Any]]]:
    """Collect every core result computed inside the block, with its key (an extraction worker
    cleans ahead this way, see :mod:`crawler.pool`)."""
    global _recording
    outer, _recording = _recording, []
    try:
        yield _recording
    finally:
        _recording = outer


def precompute(results: Sequence[tuple[CoreKey, Any]]) -> None:
    """Offer core results computed elsewhere; a step uses one only for exactly the same inputs.

    Cores are pure functions of their key, so a result found here is the result the step would
    compute; one whose inputs differ (a stateful step in between changed the paragraphs) is
    never asked for and ages out, oldest first, past ``_PRECOMPUTED_LIMIT`` entries.
    """
    for key, result in results:
        _PRECOMPUTED[key] = result
    while len(_PRECOMPUTED) > _PRECOMPUTED_LIMIT:
        del _PRECOMPUTED[next(iter(_PRECOMPUTED))]


class CleaningPipeline:
    """Base of the cleaning item pipelines: one pure core, wrapped for Scrapy.

    Subclasses set ``step`` and implement :meth:`clean` (call the pure core, write any
    record field the step owns) and, when they read settings, :meth:`options_from_settings`.
    """

    step: ClassVar[str] = ""
    stateless: ClassVar[bool] = True
    """Whether the step's result depends on the record alone, so a worker may compute it ahead."""
    audit: bool = True
    """Whether removed text goes into the record's ``removed`` list (``ECOPOLICY_AUDIT_REMOVED``)."""

    def __init__(self, stats: StatsCollector | None = None, **options: Any) -> None:
        self._stats = stats
        self.options = options

    @classmethod
    def options_from_settings(cls, settings: BaseSettings) -> dict[str, Any]:
        """Plain option values read from ``ECOPOLICY_<STEP>_*`` settings."""
        return {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        prefix = f"ECOPOLICY_{cls.step.upper()}"
        if not crawler.settings.getbool(f"{prefix}_ENABLED", True):
            raise NotConfigured(f"{prefix}_ENABLED is False")
        pipeline = cls(crawler.stats, **cls.options_from_settings(crawler.settings))
        pipeline.audit = crawler.settings.getbool(AUDIT_SETTING, True)
        return pipeline

    def clean(self, adapter: ItemAdapter, paragraphs: list[str]) -> StepResult:
        raise NotImplementedError

    def run_core(self, core: Callable[..., StepResult], paragraphs: list[str], **options: Any) -> StepResult:
        """``core(paragraphs, **options)``, or the same result computed ahead by a worker."""
        result, taken = _taken_or_computed(
            self.step, paragraphs, options, lambda: core(paragraphs, **options)
        )
        if taken and self._stats is not None:
            self._stats.inc_value(f"extraction/pool/cleaned_ahead/{self.step}")
        return result  # type: ignore[no-any-return]

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        if adapter.get("kind", "article") != "article":
            return item  # attachment records are cleaned as documents (crawler.documents.clean)
        paragraphs = adapter.get("paragraphs") or []
        if isinstance(paragraphs, str):
            paragraphs = [paragraphs]
        paragraphs = [p if isinstance(p, str) else str(p) for p in paragraphs if p is not None]
        result = self.clean(adapter, paragraphs)
        if self.audit:
            self._record_removed(adapter, paragraphs, result)
        adapter["paragraphs"] = result.paragraphs
        cleaning = adapter.get("cleaning")
        if not isinstance(cleaning, dict):
            cleaning = {}
        for what, n in result.counts.items():
            key = f"{self.step}/{what}"
            cleaning[key] = cleaning.get(key, 0) + n
            if self._stats is not None:
                self._stats.inc_value(f"cleaning/{key}", n)
        adapter["cleaning"] = cleaning
        return item

    def _record_removed(self, adapter: ItemAdapter, paragraphs: list[str], result: StepResult) -> None:
        """Add this step's removals to the record's ``removed`` list, at extraction positions."""
        if not (result.removed or result.trimmed) and isinstance(adapter.get("removed"), list):
            return  # nothing to add, and the field is there: the trail is already right
        trail = adapter.get("removed")
        trail = list(trail) if isinstance(trail, list) else []
        positions = extracted_positions(len(paragraphs), trail)
        trail += entries(self.step, paragraphs, result.removed, result.notes, positions)
        for i, text in sorted(result.trimmed.items()):
            reason = f"{TRIMMED}: {result.notes.get(i) or 'cut off the end of this paragraph'}"
            trail.append({"text": text, "step": self.step, "reason": reason, "index": positions[i]})
        adapter["removed"] = trail

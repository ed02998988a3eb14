"""Cleaning stage: one item pipeline per step, and the same steps as one pure function.

Order, and why:

1. ``normalise`` (100): every later comparison needs clean whitespace and no invisible
   characters; empty paragraphs would break position rules.
2. ``boilerplate`` (200): cuts related blocks and trailing teasers first, so that a teaser
   repeating the lead is removed as part of its block (not counted as an article
   duplicate), and so that ``repair`` can never glue a chrome line to the body.
3. ``paywall`` (300): runs on the body without the related block, so a stub is seen at the
   tail where it stands; before ``repair`` so a stub is never joined to an unfinished last
   sentence, and ``truncated`` is judged on the body as the page left it.
4. ``dedupe`` (400): before ``repair``: a copy that ends in mid-sentence (the seed's
   paraphrased lead ends with a comma, its corrupted continuation starts in lower case)
   would otherwise be joined to the next copy and become one stitched paragraph.
5. ``repair`` (500): last, on the body that remains, joins broken sentences and headings.

With a state store, per-source furniture (:mod:`pipelines.furniture`) adds two steps:
``furniture_learn`` (50) counts the lines as extracted, before any step cuts them, so it learns
stubs the rules remove too, and counts a page before it is judged; ``furniture`` (350) removes
lines recurring across the source's articles after ``paywall`` (a stub the rules know keeps
their reason and sets ``paywalled``) and before ``dedupe`` and ``repair`` (never glued to a
sentence). Being stateful, neither is part of :func:`clean_paragraphs`.

``CLEANING_PIPELINES`` is merged into ``ITEM_PIPELINES`` by the project settings;
:func:`clean_paragraphs` runs the same pure cores in the same order for ``ecopolicy
extract``, benchmarks and offline use.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pipelines.boilerplate import strip_boilerplate
from pipelines.dedupe import dedupe_paragraphs
from pipelines.normalise import normalise_paragraphs
from pipelines.paywall import strip_paywall, truncation_after_removals
from pipelines.repair import repair_paragraphs

if TYPE_CHECKING:
    from collections.abc import Sequence

    from pipelines._step import StepResult

CLEANING_PIPELINES: dict[str, int] = {
    "pipelines.furniture.FurnitureLearnPipeline": 50,
    "pipelines.normalise.NormalisePipeline": 100,
    "pipelines.boilerplate.BoilerplatePipeline": 200,
    "pipelines.paywall.PaywallPipeline": 300,
    "pipelines.furniture.FurniturePipeline": 350,
    "pipelines.dedupe.DedupePipeline": 400,
    "pipelines.repair.RepairPipeline": 500,
}

STEPS: tuple[str, ...] = ("normalise", "boilerplate", "paywall", "dedupe", "repair")


@dataclass
class CleanResult:
    """What the cleaning stage made of one body."""

    paragraphs: list[str]
    origin: str | None = None
    paywalled: bool = False
    truncated: bool = False
    counts: dict[str, int] = field(default_factory=dict)
    """``"<step>/<what>" -> n``, as in the record's ``cleaning`` field."""
    sources: list[tuple[int, ...]] = field(default_factory=list)
    """For each output paragraph, the input paragraphs it was made from."""
    removed: dict[int, tuple[str, str]] = field(default_factory=dict)
    """Input index -> (step, reason) for input paragraphs no output paragraph came from."""
    trimmed: dict[int, tuple[str, str]] = field(default_factory=dict)
    """Input index -> (step, text) cut off the end of a paragraph that otherwise stays."""


def clean_paragraphs(
    paragraphs: Sequence[str], *, language: str = "en", paywall_markers: Sequence[str] = ()
) -> CleanResult:
    """Run the cleaning steps over *paragraphs*, in pipeline order.

    *language* is accepted for callers that know it; every step decides per paragraph
    whether it is Chinese, so mixed bodies are handled too.

    >>> lead = "The plan was issued by the ministry on Monday after a year of consultation."
    >>> more = "It covers 12 provinces and runs until 2030, the ministry said."
    >>> r = clean_paragraphs(["\\u3000来源：生态环境部", lead, more, "Share: Facebook | X", lead,
    ...                       "Subscribe to continue reading"])
    >>> r.paragraphs == [lead, more], r.origin, r.paywalled, r.truncated
    (True, '生态环境部', True, True)
    >>> r.removed[4]
    ('dedupe', 'exact copy of “The plan was issued by the ministry on M…”')
    """
    del language
    current = list(paragraphs)
    origin_of: list[tuple[int, ...]] = [(i,) for i in range(len(current))]
    result = CleanResult([])

    def apply(step: str, step_result: StepResult) -> None:
        nonlocal current, origin_of
        for index, reason in step_result.removed.items():
            for original in origin_of[index]:
                result.removed.setdefault(original, (step, step_result.notes.get(index) or reason))
        for index, text in step_result.trimmed.items():
            result.trimmed[origin_of[index][-1]] = (step, text)
        origin_of = [tuple(o for k in src for o in origin_of[k]) for src in step_result.sources]
        current = step_result.paragraphs
        for what, n in step_result.counts.items():
            result.counts[f"{step}/{what}"] = result.counts.get(f"{step}/{what}", 0) + n

    apply("normalise", normalise_paragraphs(current))
    boilerplate = strip_boilerplate(current)
    apply("boilerplate", boilerplate)
    paywall = strip_paywall(current, markers=paywall_markers)
    apply("paywall", paywall)
    apply("dedupe", dedupe_paragraphs(current))
    truncated = truncation_after_removals(paywall.truncated, paywall.paywalled, current)
    apply("repair", repair_paragraphs(current))
    result.paragraphs = current
    result.sources = origin_of
    result.origin = boilerplate.origin
    result.paywalled = paywall.paywalled
    result.truncated = truncated
    return result


__all__ = ["CLEANING_PIPELINES", "STEPS", "CleanResult", "clean_paragraphs"]

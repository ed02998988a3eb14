"""Remove duplicate and near-duplicate paragraphs, keeping the most complete version once.

Portals repeat paragraphs in three ways: an exact copy, a near copy (a second machine
translation of the lead, a section repeated with small edits, a copy corrupted by words
swapped or dropped) and a copy stitched together from pieces of other paragraphs. All are
found through overlapping shingles of comparison tokens (word pairs in Latin script,
character trigrams in Chinese), so punctuation, width and case never matter.

Cost stays about linear in the number of paragraphs: candidate pairs come from an inverted
index of shingles that ignores shingles shared by many paragraphs (common phrases say
nothing about copying), and only candidate pairs are compared in full.

Paragraphs that are merely alike are not merged: when each of two similar paragraphs holds
a number or a name the other lacks ("In Ohio, 64 buses ..." / "In Kentucky, 58 buses ...")
they state different facts and both stay. A copy is dropped only in favour of a paragraph
that keeps (nearly) everything it says; the survivor stays where it stands.

Settings: ECOPOLICY_DEDUPE_ENABLED (bool, default True), ECOPOLICY_DEDUPE_THRESHOLD (float,
default 0.75: share of a paragraph's shingles found in the other for a near copy),
ECOPOLICY_DEDUPE_MIN_TOKENS (int, default 8: shorter paragraphs are only removed as exact
copies).
Stats / ``cleaning`` keys: cleaning/dedupe/exact_removed, cleaning/dedupe/near_removed,
cleaning/dedupe/stitched_removed.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pipelines._step import CleaningPipeline, StepResult, filter_result
from pipelines._text import (
    CJK_CLASS,
    EN_STOPWORDS,
    comparison_key,
    ends_sentence,
    is_cjk_text,
    numbers,
    starts_lowercase,
    tokens,
)

if TYPE_CHECKING:
    from itemadapter import ItemAdapter
    from scrapy.settings import BaseSettings

_MAX_POSTINGS = 6
_SENTENCE_START = re.compile(r"(?:^|[.!?。！？:：;；]\s*[\"'“‘(]?)\s*([A-Z][\w-]*)")
_CAPITALISED = re.compile(r"\b[A-Z][\w-]*")
_ZH_PLACE = re.compile(rf"[{CJK_CLASS}]{{2}}(?:省|市|县|区|州|镇|乡|村|盟|旗)")


@dataclass
class _Para:
    index: int
    key: str
    tokens: tuple[str, ...]
    shingles: frozenset[int]
    content: frozenset[str]
    long_shingles: frozenset[int]
    numbers: frozenset[str]
    entities: frozenset[str]
    well_formed: bool


def _shingle_set(toks: tuple[str, ...], k: int) -> frozenset[int]:
    if len(toks) < k:
        return frozenset({hash(toks)}) if toks else frozenset()
    return frozenset(hash(toks[i : i + k]) for i in range(len(toks) - k + 1))


def _entities(text: str, cjk: bool) -> frozenset[str]:
    """Names a paragraph mentions: capitalised words not opening a sentence, Chinese place names."""
    if cjk:
        return frozenset(_ZH_PLACE.findall(text))
    starts = {m.start(1) for m in _SENTENCE_START.finditer(text)}
    return frozenset(m.group(0).casefold() for m in _CAPITALISED.finditer(text) if m.start() not in starts)


def _profile(index: int, text: str) -> _Para:
    toks = tokens(text)
    cjk = is_cjk_text(text)
    k, k_long = (3, 6) if cjk else (2, 5)
    if cjk:
        content = frozenset("".join(toks[i : i + 2]) for i in range(len(toks) - 1))
    else:
        content = frozenset(t for t in toks if t not in EN_STOPWORDS)
    return _Para(
        index=index,
        key=comparison_key(text),
        tokens=toks,
        shingles=_shingle_set(toks, k),
        content=content,
        long_shingles=_shingle_set(toks, k_long),
        numbers=numbers(text),
        entities=_entities(text, cjk),
        well_formed=ends_sentence(text) and not starts_lowercase(text),
    )


def _covered(a: _Para, b: _Para, threshold: float) -> bool:
    """Whether (nearly) everything *a* says is also in *b*."""
    if not a.shingles or not a.content:
        return False
    shingle_share = len(a.shingles & b.shingles) / len(a.shingles)
    content_share = len(a.content & b.content) / len(a.content)
    return shingle_share >= threshold and content_share >= min(0.95, threshold + 0.1)


def _distinct_facts(a: _Para, b: _Para) -> bool:
    """Whether *a* and *b* each state a number or name the other lacks (alike, not copies)."""
    a_tokens, b_tokens = set(a.tokens), set(b.tokens)
    a_only_numbers = a.numbers - b.numbers
    b_only_numbers = b.numbers - a.numbers
    if a_only_numbers and b_only_numbers:
        return True
    a_names = {e for e in a.entities if e not in b_tokens and e not in b.entities}
    b_names = {e for e in b.entities if e not in a_tokens and e not in a.entities}
    if a.key and any(ch for ch in a.key if "\u4e00" <= ch <= "\u9fff"):
        a_names = {e for e in a.entities if e not in b.key}
        b_names = {e for e in b.entities if e not in a.key}
    return bool(a_names and b_names) or bool((a_only_numbers and b_names) or (b_only_numbers and a_names))


def _rank(p: _Para) -> tuple[bool, int, int]:
    return (p.well_formed, len(p.tokens), -p.index)


def _better(a: _Para, b: _Para) -> bool:
    """Whether *a* is the more complete of two mutual near copies (ties: the earlier)."""
    if a.well_formed != b.well_formed:
        return a.well_formed
    la, lb = len(a.tokens), len(b.tokens)
    if abs(la - lb) > 0.05 * max(la, lb):
        return la > lb
    return a.index < b.index


def _candidates(paras: list[_Para]) -> set[tuple[int, int]]:
    """Pairs sharing enough rare shingles to be worth comparing (inverted index, no all-pairs)."""
    postings: dict[int, list[int]] = defaultdict(list)
    for p in paras:
        for s in p.shingles:
            postings[s].append(p.index)
    shared: dict[tuple[int, int], int] = defaultdict(int)
    for members in postings.values():
        if len(members) < 2 or len(members) > _MAX_POSTINGS:
            continue
        for x in range(len(members)):
            for y in range(x + 1, len(members)):
                shared[members[x], members[y]] += 1
    by_index = {p.index: p for p in paras}
    out = set()
    for (i, j), n in shared.items():
        smaller = min(len(by_index[i].shingles), len(by_index[j].shingles))
        if n >= max(2, 0.25 * smaller):
            out.add((i, j))
    return out


def _stitched(p: _Para, others: list[_Para], threshold: float) -> bool:
    """Whether *p* is pieced together from two or more other paragraphs."""
    if not p.long_shingles:
        return False
    union: set[int] = set()
    contributors = 0
    for q in others:
        overlap = p.long_shingles & q.long_shingles
        if len(overlap) >= 0.15 * len(p.long_shingles):
            contributors += 1
        union |= overlap
    return contributors >= 2 and len(union) / len(p.long_shingles) >= threshold + 0.1


def dedupe_paragraphs(paragraphs: list[str], *, threshold: float = 0.75, min_tokens: int = 8) -> StepResult:
    """Drop exact, near and stitched copies of paragraphs; the most complete version stays in place.

    >>> lead = "On May 19, the department issued its reply to the proposal on pollution and carbon."
    >>> again = "On May 19, the Department issued a reply to the proposal on pollution and carbon,"
    >>> r = dedupe_paragraphs([lead, "Other text about waste-free cities here.", again])
    >>> r.paragraphs == [lead, "Other text about waste-free cities here."], r.counts
    (True, {'near_removed': 1})
    >>> ohio = "In Ohio, 64 buses will be replaced with electric school buses by 2025."
    >>> kentucky = "In Kentucky, 58 buses will be replaced with electric school buses by 2025."
    >>> dedupe_paragraphs([ohio, kentucky]).paragraphs == [ohio, kentucky]
    True
    """
    removed: dict[int, str] = {}
    paras = [_profile(i, text) for i, text in enumerate(paragraphs)]

    # Exact copies (after normalisation): the first one stays.
    first_by_key: dict[str, int] = {}
    for p in paras:
        if len(p.key) < 4:
            continue
        if p.key in first_by_key:
            removed[p.index] = "exact"
        else:
            first_by_key[p.key] = p.index

    live = [p for p in paras if p.index not in removed and len(p.tokens) >= min_tokens]
    pairs = _candidates(live)
    neighbours: dict[int, list[int]] = defaultdict(list)
    for i, j in pairs:
        neighbours[i].append(j)
        neighbours[j].append(i)

    # Stitched copies: covered by several others together, by none alone.
    by_index = {p.index: p for p in paras}
    covered_by: dict[int, list[int]] = defaultdict(list)
    losers: list[tuple[int, int]] = []  # (loser, winner)
    for i, j in pairs:
        a, b = by_index[i], by_index[j]
        if _distinct_facts(a, b):
            continue
        a_in_b, b_in_a = _covered(a, b, threshold), _covered(b, a, threshold)
        if a_in_b:
            covered_by[i].append(j)
        if b_in_a:
            covered_by[j].append(i)
        if a_in_b and b_in_a:
            losers.append((j, i) if _better(a, b) else (i, j))
        elif a_in_b and not (a.numbers - b.numbers):
            losers.append((i, j))
        elif b_in_a and not (b.numbers - a.numbers):
            losers.append((j, i))
    for p in live:
        if p.index in covered_by or len(neighbours[p.index]) < 2:
            continue
        others = [by_index[j] for j in neighbours[p.index] if not _distinct_facts(p, by_index[j])]
        if _stitched(p, others, threshold):
            removed[p.index] = "stitched"

    # Near copies: strongest winners first, so a chain keeps its best member.
    losers.sort(key=lambda lw: _rank(by_index[lw[1]]), reverse=True)
    for loser, winner in losers:
        if winner in removed or loser in removed:
            continue
        removed[loser] = "near"
    result = filter_result(paragraphs, removed)
    result.counts = {
        f"{what}_removed": n
        for what in ("exact", "near", "stitched")
        if (n := result.counts.get(f"{what}_removed", 0))
    }
    result.removed = dict.fromkeys(removed, "duplicate")
    return result


class DedupePipeline(CleaningPipeline):
    """Remove exact, near and stitched duplicate paragraphs from ``paragraphs``."""

    step = "dedupe"

    @classmethod
    def options_from_settings(cls, settings: BaseSettings) -> dict[str, Any]:
        return {
            "threshold": settings.getfloat("ECOPOLICY_DEDUPE_THRESHOLD", 0.75),
            "min_tokens": settings.getint("ECOPOLICY_DEDUPE_MIN_TOKENS", 8),
        }

    def clean(self, adapter: ItemAdapter, paragraphs: list[str]) -> StepResult:
        return dedupe_paragraphs(paragraphs, **self.options)

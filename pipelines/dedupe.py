"""Remove duplicate and near-duplicate paragraphs, keeping the most complete version once.

Portals repeat paragraphs in three ways: an exact copy, a near copy (a second machine
translation of the lead, a section repeated with small edits, a copy corrupted by words
swapped or dropped) and a copy stitched together from pieces of other paragraphs. All are
found through overlapping shingles of comparison tokens (word pairs in Latin script,
character trigrams in Chinese), so punctuation, width and case never matter.

Cost stays about linear in the number of paragraphs: candidate pairs come from an inverted
index of shingles that ignores shingles shared by many paragraphs (common phrases say
nothing about copying), and only candidate pairs are compared in full.

Two paragraphs are copies only when their content agrees, not their template: the numbers,
dates, places and organisations of one mostly recur in the other (a copy may drop a clause
or corrupt a word or a digit). Paragraphs filled from one template with other names or
figures ("In Ohio, 64 buses ..." / "In Kentucky, 58 buses ...", an air-quality bulletin's
"<region>: N cities, X% good days, PM2.5 Z" lines) state different facts and all stay, and so
do two paragraphs about different things: the name each opens with is missing from the other
("Dunkirk is currently streaming on ..." / "Lady Macbeth is currently streaming on ..."), or
two short lines each carry a word the other lacks (entries of a reference list). Short
lines that are not sentences (rows of a list or a table, captions, credits) are never taken
for copies, exact or near: they repeat on purpose. A copy is dropped only in favour of a
paragraph that keeps (nearly) everything it says; the survivor stays where it stands. A
retelling right next to its original (fewer shared word runs, same figures) is a near copy
too; a stitched copy is judged by the share of its tokens inside borrowed runs; the short
heading above a repeated section goes with the section. A lead broken over two paragraphs is
compared with its retelling as repair will join it. When all that would be left of the
page's prose is one paragraph, the repeats are the page (filler, a refrain, a page of
identical entries) and nothing is removed.

Settings: ECOPOLICY_DEDUPE_ENABLED (bool, default True), ECOPOLICY_DEDUPE_THRESHOLD (float,
default 0.75: share of a paragraph's shingles found in the other for a near copy),
ECOPOLICY_DEDUPE_MIN_TOKENS (int, default 8: shorter paragraphs are rows, never removed).
Stats / ``cleaning`` keys: cleaning/dedupe/exact_removed, cleaning/dedupe/near_removed,
cleaning/dedupe/stitched_removed, cleaning/dedupe/repetition_kept (copies left because the
page is made of them).
"""

from __future__ import annotations

import operator
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import cached_property
from itertools import chain
from typing import TYPE_CHECKING, Any

from pipelines._step import CleaningPipeline, StepResult, filter_result, keep_all
from pipelines._text import (
    CJK_CLASS,
    EN_STOPWORDS,
    comparison_key,
    ends_sentence,
    is_cjk_text,
    is_table_row,
    length_units,
    numbers,
    starts_lowercase,
    tokens,
)
from pipelines.paywall import truncation_after_removals
from pipelines.repair import continues_sentence

if TYPE_CHECKING:
    from collections.abc import Sequence

    from itemadapter import ItemAdapter
    from scrapy.settings import BaseSettings

_MAX_POSTINGS = 6
_SENTENCE_START = re.compile(r"(?:^|[.!?。！？:：;；]\s*[\"'“‘(]?)\s*([A-Z][\w-]*)")
_CAPITALISED = re.compile(r"\b[A-Z][\w-]*")
_ZH_PLACE = re.compile(rf"[{CJK_CLASS}]{{2}}(?:省|市|县|区|州|镇|乡|村|盟|旗)")


@dataclass
class _Para:
    """One paragraph's comparison material. What only candidate pairs need is built on first
    use: most paragraphs of a page pair with nothing."""

    index: int
    text: str
    key: str
    tokens: tuple[str, ...]
    cjk: bool
    shingles: frozenset[int]
    numbers: frozenset[str]
    well_formed: bool

    @cached_property
    def content(self) -> frozenset[str]:
        """Content words (Latin script) or character pairs (Chinese)."""
        toks = self.tokens
        if self.cjk:
            return frozenset(map(operator.add, toks, toks[1:]))  # character pairs
        return frozenset(t for t in toks if t not in EN_STOPWORDS)

    @cached_property
    def long_shingles(self) -> frozenset[int]:
        """Longer shingles, for the stitched-copy check."""
        return _shingle_set(self.tokens, 6 if self.cjk else 5)

    @cached_property
    def entities(self) -> frozenset[str]:
        return _entities(self.text, self.cjk)

    @cached_property
    def bag(self) -> Counter[str]:
        """Token counts, for the bound of the fact check."""
        return Counter(self.tokens)


def _shingle_set(toks: tuple[str, ...], k: int) -> frozenset[int]:
    if len(toks) < k:
        return frozenset({hash(toks)}) if toks else frozenset()
    # zip yields the same k-tuples as slicing, without a Python-level loop.
    return frozenset(map(hash, zip(*(toks[j:] for j in range(k)), strict=False)))


def _entities(text: str, cjk: bool) -> frozenset[str]:
    """Names a paragraph mentions: capitalised words not opening a sentence, Chinese place names."""
    if cjk:
        return frozenset(_ZH_PLACE.findall(text))
    starts = {m.start(1) for m in _SENTENCE_START.finditer(text)}
    return frozenset(m.group(0).casefold() for m in _CAPITALISED.finditer(text) if m.start() not in starts)


def _profile(index: int, text: str) -> _Para:
    toks = tokens(text)
    cjk = is_cjk_text(text)
    return _Para(
        index=index,
        text=text,
        key=comparison_key(text),
        tokens=toks,
        cjk=cjk,
        shingles=_shingle_set(toks, 3 if cjk else 2),
        numbers=numbers(text),
        well_formed=ends_sentence(text) and not starts_lowercase(text),
    )


def _share(a: frozenset[Any], b: frozenset[Any]) -> float:
    return len(a & b) / len(a) if a else 0.0


_SHORT_COPY = 16


def _contained(a: _Para, b: _Para, threshold: float) -> bool:
    """Whether *a* is copied (nearly word for word) inside *b*.

    A long copy may corrupt a word or two; a short English line with a word of its own is
    another statement that names the same thing ("Agenda of the <event>." under a paragraph
    about the event), so under ``_SHORT_COPY`` tokens every content word must recur in *b*.
    Chinese content is character pairs: a changed character there is a small share, as in a
    long copy.
    """
    if _share(a.shingles, b.shingles) < threshold:
        return False
    missing = len(a.content - b.content)
    if len(a.tokens) < _SHORT_COPY and not a.cjk:
        return missing == 0
    return missing <= 0.15 * len(a.content)


def _mutual(a: _Para, b: _Para) -> bool:
    """Whether *a* and *b* say the same thing in other words (a second translation, an edited copy)."""
    la, lb = len(a.tokens), len(b.tokens)
    if min(la, lb) < 0.7 * max(la, lb):
        return False
    return (
        min(_share(a.content, b.content), _share(b.content, a.content)) >= 0.6
        and min(_share(a.shingles, b.shingles), _share(b.shingles, a.shingles)) >= 0.35
    )


_SLOT_SUFFIX = frozenset("市县区州镇乡村")
_NOT_PLACES = frozenset(
    {"联合", "会同", "全市", "本市", "该市", "各市", "我市", "城市", "全县", "各区", "本区", "社区"}
)


def _slot_value(toks: tuple[str, ...], start: int, end: int, cjk: bool, names: frozenset[str]) -> bool:
    """Whether the replaced span holds a number or a name (a slot of a template sentence)."""
    span = toks[start:end]
    if any(t[:1].isdigit() for t in span):
        return True
    if cjk:
        return (
            end - start >= 2
            and end < len(toks)
            and toks[end] in _SLOT_SUFFIX
            and "".join(span) not in _NOT_PLACES
        )
    return any(t in names for t in span)


def _distinct_facts(a: _Para, b: _Para) -> bool:
    """Whether *a* and *b* are one template filled with different names or numbers.

    "In Ohio, 64 buses ..." / "In Kentucky, 58 buses ...": every difference is a short
    substitution, and they substitute a name, or two numbers or more, on both sides. Such
    paragraphs state different facts and both stay. A paraphrase differs by insertions,
    deletions and reordered words, and is not protected by this rule.
    """
    if a.numbers == b.numbers and a.entities == b.entities:
        return False
    # Every token outside the matched blocks counts as changed, and the matched blocks can
    # hold no more than the tokens both sides have in common: when that bound already
    # exceeds the allowance plus the most that filled slots may change (at most four
    # differences of at most ``limit`` tokens, not counted), the alignment below could only say no.
    la, lb = len(a.tokens), len(b.tokens)
    cjk = is_cjk_text(a.key)
    limit = 4 if cjk else 3
    bound = 0.2 * min(la, lb) + 4 * limit
    if abs(la - lb) > bound:
        return False
    common = (a.bag & b.bag).total()
    if max(la, lb) - common > bound:
        return False
    matcher = SequenceMatcher(None, a.tokens, b.tokens, autojunk=False)
    changed = 0
    slots = 0
    named = False
    differences = [op for op in matcher.get_opcodes() if op[0] != "equal"]
    if len(differences) > 4:
        return False
    for op, i1, i2, j1, j2 in differences:
        if i2 - i1 > limit or j2 - j1 > limit:
            return False
        if (
            op == "replace"
            and _slot_value(a.tokens, i1, i2, cjk, a.entities)
            and _slot_value(b.tokens, j1, j2, cjk, b.entities)
        ):
            slots += 1  # a filled slot ("Toledo, 12" / "Lorain, 7") is the fact, not an edit
            named = named or not all(t[:1].isdigit() for t in a.tokens[i1:i2])
            continue
        changed += max(i2 - i1, j2 - j1)
    # One number changed and nothing else: a copy with a corrupted digit, not another fact.
    return (slots >= 2 or named) and changed <= 0.2 * min(len(a.tokens), len(b.tokens))


def _nearby_paraphrase(a: _Para, b: _Para) -> bool:
    """Whether *b* retells *a* right next to it (a second translation of the lead).

    A retelling reorders words, so fewer shingles match than for an edited copy; being next
    to each other, of like length, and with no number of one missing from the other on both
    sides (different figures are different facts) makes up for it.
    """
    if abs(a.index - b.index) > 2 or ((a.numbers - b.numbers) and (b.numbers - a.numbers)):
        return False
    la, lb = len(a.tokens), len(b.tokens)
    if min(la, lb) < 0.7 * max(la, lb):
        return False
    content = (_share(a.content, b.content), _share(b.content, a.content))
    shingles = (_share(a.shingles, b.shingles), _share(b.shingles, a.shingles))
    return min(content) >= 0.5 and max(content) >= 0.6 and min(shingles) >= 0.3


def _retelling(p: _Para, q: _Para) -> bool:
    """Whether *p* retells its neighbour *q* at about its length (a second translation).

    Such a copy may quote phrases found elsewhere on the page too; it is a near copy of *q*,
    not a stitched one. A stitched copy is longer than any one of its pieces.
    """
    lp, lq = len(p.tokens), len(q.tokens)
    return abs(p.index - q.index) == 1 and min(lp, lq) >= 0.85 * max(lp, lq) and _mutual(p, q)


def _rank(p: _Para) -> tuple[bool, int, int]:
    return (p.well_formed, len(p.tokens), -p.index)


def _better(a: _Para, b: _Para) -> bool:
    """Whether *a* is the more complete of two mutual near copies.

    A well-formed paragraph beats one cut mid-sentence; then the one that holds more of the
    other's wording; then the earlier one (it stands where the article put it).
    """
    if a.well_formed != b.well_formed:
        return a.well_formed
    a_in_b, b_in_a = _share(a.shingles, b.shingles), _share(b.shingles, a.shingles)
    gap = abs(a_in_b - b_in_a)
    if gap >= 0.15 or (min(a_in_b, b_in_a) >= 0.6 and gap >= 0.08):
        return b_in_a > a_in_b
    return a.index < b.index


def _fragment(paragraphs: list[str], index: int) -> bool:
    """A short piece of a sentence split over paragraphs: it belongs to its neighbour, not a copy."""
    text = paragraphs[index]
    opens_mid_sentence = starts_lowercase(text) or text[:1].isdigit()
    return len(tokens(text)) < 30 and (opens_mid_sentence or not ends_sentence(text))


_ALL_PAIRS_UP_TO = 48


def _candidates(paras: list[_Para]) -> set[tuple[int, int]]:
    """Pairs sharing enough rare shingles to be worth comparing (inverted index, no all-pairs).

    Only shingles held by 2 to ``_MAX_POSTINGS`` paragraphs count. On a page of a few dozen
    paragraphs, intersecting each pair's rare shingles (set operations in C) is cheaper than
    building the index in Python; both count the same shared shingles.
    """
    counts = Counter(chain.from_iterable(p.shingles for p in paras))
    rare = {s for s, n in counts.items() if 2 <= n <= _MAX_POSTINGS}
    if not rare:
        return set()
    held = [(p, p.shingles & rare) for p in paras]
    held = [(p, r) for p, r in held if r]
    shared: dict[tuple[int, int], int] = {}
    if len(held) <= _ALL_PAIRS_UP_TO:
        for x, (p, rp) in enumerate(held):
            for q, rq in held[x + 1 :]:
                if n := len(rp & rq):
                    shared[p.index, q.index] = n
    else:
        postings: dict[int, list[int]] = defaultdict(list)
        for p, rp in held:
            for s in rp:
                postings[s].append(p.index)
        counter: dict[tuple[int, int], int] = defaultdict(int)
        for members in postings.values():
            for x in range(len(members)):
                for y in range(x + 1, len(members)):
                    counter[members[x], members[y]] += 1
        shared = counter
    size = {p.index: len(p.shingles) for p in paras}
    out = set()
    for (i, j), n in shared.items():
        if n >= max(2, 0.25 * min(size[i], size[j])):
            out.add((i, j))
    return out


def _stitched(p: _Para, others: list[_Para], threshold: float) -> bool:
    """Whether *p* is pieced together from two or more other paragraphs.

    Coverage counts the tokens inside a borrowed run, not the shingles: shingles across the
    seams between pieces match nothing, which would make a copy stitched from three short
    pieces look original. Borrowed runs that are mostly names (a list entry giving the full
    names of a council and a task force the page names elsewhere) are mentions, not copied
    prose.
    """
    if not p.long_shingles:
        return False
    k = 6 if p.cjk else 5
    starts = [hash(p.tokens[t : t + k]) for t in range(len(p.tokens) - k + 1)]

    def covered(shared: set[int] | frozenset[int]) -> bytearray:
        mask = bytearray(len(p.tokens))
        for t, shingle in enumerate(starts):
            if shingle in shared:
                mask[t : t + k] = b"\x01" * k
        return mask

    union: set[int] = set()
    contributors = 0
    for q in others:
        overlap = p.long_shingles & q.long_shingles
        if len(overlap) >= 0.15 * len(p.long_shingles):
            if sum(covered(overlap)) >= 0.8 * len(p.tokens):
                return False  # a copy of one paragraph: a near copy, judged pairwise
            contributors += 1
        union |= overlap
    if contributors < 2:
        return False
    mask = covered(union)
    return sum(mask) >= (threshold + 0.1) * len(p.tokens) and not _borrows_names(p, mask)


def _contributors_at_most_one(p: _Para, candidates: list[_Para]) -> bool:
    """Whether fewer than two paragraphs share enough long shingles with *p* to be pieces of it:
    then :func:`_stitched` says no whatever the other tests say, and they are not run."""
    floor = 0.15 * len(p.long_shingles)
    return not p.long_shingles or sum(len(p.long_shingles & q.long_shingles) >= floor for q in candidates) < 2


def _borrows_names(p: _Para, mask: bytearray) -> bool:
    """Whether most content words of the borrowed runs are names (capitalised mid-sentence)."""
    if p.cjk or not p.entities:
        return False
    borrowed = [t for t, hit in zip(p.tokens, mask, strict=True) if hit and t not in EN_STOPWORDS]
    return bool(borrowed) and sum(t in p.entities for t in borrowed) >= 0.5 * len(borrowed)


def _join_pieces(first: str, second: str) -> str:
    sep = "" if is_cjk_text(first) and is_cjk_text(second) else " "
    return first + sep + second


def _same_heading(a: str, b: str) -> bool:
    """Whether two short lines are one heading with a small edit ("conflict" / "conflicts").

    >>> _same_heading("ii reducing human elephant conflicts", "ii reducing human elephant conflict")
    True
    >>> _same_heading("section 2 scope", "section 3 compliance")
    False
    """
    return bool(a) and SequenceMatcher(None, a, b, autojunk=False).ratio() >= 0.85


def _first_name(p: _Para, lower_words: frozenset[str]) -> str | None:
    """The first name *p* mentions, case-folded: a capitalised word, also one opening a sentence
    when the page never writes it in lower case ("Dunkirk is streaming …", but not "The" or
    "Prosecutors" when the page says "prosecutors" elsewhere); for Chinese, the first place."""
    if p.cjk:
        places = _ZH_PLACE.findall(p.text)
        return places[0] if places else None
    starts = {m.start(1) for m in _SENTENCE_START.finditer(p.text)}
    for match in _WORD.finditer(p.text):
        if not match.group(0)[0].isupper():
            continue
        word = match.group(0).casefold()
        if match.start() not in starts or (word not in lower_words and word not in EN_STOPWORDS):
            return word
    return None


def _other_subjects(a: _Para, b: _Para, lower_words: frozenset[str]) -> bool:
    """Whether *a* and *b* are about different things: the first name of each is missing from
    the other. One template filled for two films, two villages or two references ("Dunkirk is
    currently streaming on …" / "Lady Macbeth is currently streaming on …") shares its wording
    and most of its other names; a copy or a retelling keeps its subject somewhere."""
    first_a, first_b = _first_name(a, lower_words), _first_name(b, lower_words)
    if first_a is None or first_b is None or first_a == first_b:
        return False
    if a.cjk or b.cjk:
        return first_a not in b.text and first_b not in a.text
    return first_a not in b.tokens and first_b not in a.tokens


def _short_and_each_says_more(a: _Para, b: _Para) -> bool:
    """Whether two short lines (under ``_SHORT_COPY`` tokens, Latin script) each carry a content
    word the other lacks: two entries of a reference list or a schedule ("… votes cast by Chris
    Cannon. Retrieved 2014-07-01." / "… Chris Cannon on Abortion. Retrieved 2014-07-01."), whose
    shared site names and dates make them look alike. A copy of a short line keeps its words (a
    corrupted word in one is a copy left in place: a duplicate kept costs less than a line lost)."""
    if a.cjk or b.cjk or max(len(a.tokens), len(b.tokens)) >= _SHORT_COPY:
        return False
    return bool(a.content - b.content) and bool(b.content - a.content)


_WORD = re.compile(r"\b[^\W\d_][\w-]*")  # a word of letters in any script
_LOWER_WORD = re.compile(r"\b[a-z][\w-]*")


def _lower_words(paragraphs: Sequence[str]) -> frozenset[str]:
    """Every word the page writes in lower case: a capitalised word opening a sentence is a
    name only when it is never among them."""
    return frozenset(word for text in paragraphs for word in _LOWER_WORD.findall(text))


def _facts(p: _Para) -> frozenset[str]:
    """What a paragraph states that a template would fill in: its numbers and its names."""
    return p.numbers | p.entities


def _facts_agree(a: _Para, b: _Para) -> bool:
    """Whether the numbers, dates and names of the one with fewer mostly recur in the other.

    A copy may drop a clause (fewer facts, all found in the original) or corrupt a word or a
    digit (one fact lost), or be cut off mid-sentence (its facts are then judged by its
    wording, as the rest of it is missing); a template filled twice ("North China: 12 cities
    ... 80%" / "East China: 11 cities ... 75%") shares its wording but hardly any of its facts,
    and is two statements.

    >>> one = _profile(0, "North China: 12 cities averaged 80.1% good days; PM2.5 at 41, up 4.2%.")
    >>> two = _profile(1, "East China: 11 cities averaged 75.6% good days; PM2.5 at 37, up 2.9%.")
    >>> _facts_agree(one, two), _facts_agree(one, one)
    (False, True)
    """
    if not (a.well_formed and b.well_formed):
        return True  # a copy cut off mid-sentence lost facts with its end: judged by wording
    fa, fb = _facts(a), _facts(b)
    fewer = min(len(fa), len(fb))
    if fewer < 2:
        return True
    return len(fa & fb) >= 0.5 * fewer


def _row(p: _Para, min_tokens: int) -> bool:
    """A short line that is not a sentence: a row of a list or a table, a caption, a credit.

    Such lines repeat on purpose (a meal plan's "Breakfast: oats", a table's "Total"), so a
    repeat of one is not taken for a copy. A line whose cells extraction set apart with " | "
    is a table row whatever its length: rows of one table share their template by design (a
    glossary's "… order | an order requiring a financial institution to …").
    """
    if is_table_row(p.text):
        return True
    return len(p.tokens) < min_tokens or (not p.well_formed and length_units(p.text) <= 20)


@dataclass
class _Dedupe:
    """The decisions of the passes over one page."""

    paragraphs: list[str]
    paras: list[_Para]
    threshold: float
    min_tokens: int
    removed: dict[int, str] = field(default_factory=dict)
    winner_of: dict[int, int] = field(default_factory=dict)
    notes: dict[int, str] = field(default_factory=dict)
    facts: dict[tuple[int, int], bool] = field(default_factory=dict)

    @cached_property
    def lower_words(self) -> frozenset[str]:
        """Words the page writes in lower case somewhere (read once, for the first pair that asks)."""
        return _lower_words(self.paragraphs)

    def drop(self, loser: int, kind: str, winner: int | None, note: str) -> None:
        self.removed[loser] = kind
        if winner is not None:
            self.winner_of[loser] = winner
            note = f"{note} {_quote(self.paragraphs[winner])}"
        self.notes[loser] = note

    def distinct(self, a: _Para, b: _Para) -> bool:
        """Different statements: one template with other names or figures, facts that disagree,
        or two rows of a list or table.

        The stitched pass and the pairwise pass ask about the same pairs: each is aligned once.
        """
        pair = (a.index, b.index)
        if pair not in self.facts:
            rows = _row(a, self.min_tokens) and _row(b, self.min_tokens)  # two entries of one list
            # The cheap tests first: the alignment in _distinct_facts only when they leave it open.
            self.facts[pair] = (
                rows
                or not _facts_agree(a, b)
                or _other_subjects(a, b, self.lower_words)
                or _short_and_each_says_more(a, b)
                or _distinct_facts(a, b)
            )
        return self.facts[pair]


def _quote(text: str, size: int = 40) -> str:
    text = text.strip()
    return f"“{text[:size]}…”" if len(text) > size else f"“{text}”"


def _exact_pass(state: _Dedupe) -> None:
    """Exact copies (after normalisation): the first one stays; repeated rows all stay."""
    first_by_key: dict[str, int] = {}
    for p in state.paras:
        if len(p.key) < 4:
            continue
        if p.key not in first_by_key:
            first_by_key[p.key] = p.index
        elif not _row(p, state.min_tokens):
            state.drop(p.index, "exact", first_by_key[p.key], "exact copy of")


_SENTENCE_END = re.compile(r"[。！？；.!?;][\"”’)）]*$")
_HEADING_CHARS = 40


def _heading_shaped(text: str) -> bool:
    """A short line that ends without a sentence's closing mark: a heading, not a retelling.

    >>> _heading_shaped("生态优先、绿色发展，推进黄河生态保护治理"), _heading_shaped("The plan was approved.")
    (True, False)
    """
    stripped = text.strip()
    return len(stripped) <= _HEADING_CHARS and not _SENTENCE_END.search(stripped)


def _stitched_pass(state: _Dedupe, live: list[_Para], neighbours: dict[int, list[int]]) -> None:
    """Stitched copies: covered by several others together, by none alone."""
    by_index = {p.index: p for p in state.paras}
    for p in live:
        candidates = [by_index[j] for j in neighbours[p.index]]
        if _contributors_at_most_one(p, candidates) or _heading_shaped(p.text):
            continue  # a heading sums up its section in the section's own words
        others = [q for q in candidates if not state.distinct(p, q)]
        if any(_retelling(p, q) for q in others):
            continue  # a near copy, judged pairwise
        if _stitched(p, others, state.threshold):
            state.drop(p.index, "stitched", None, "pieced together from other paragraphs of the page")


def _pairwise_pass(state: _Dedupe, pairs: set[tuple[int, int]]) -> list[tuple[int, int, bool]]:
    """Near copies, as (loser, winner, loser only contained in winner): retellings and edited copies."""
    losers: list[tuple[int, int, bool]] = []
    for i, j in pairs:
        if i in state.removed or j in state.removed:
            continue
        a, b = state.paras[i], state.paras[j]
        if state.distinct(a, b):
            continue
        if _mutual(a, b) or _nearby_paraphrase(a, b):
            losers.append((j, i, False) if _better(a, b) else (i, j, False))
            continue
        if _contained(a, b, state.threshold) and not (a.numbers - b.numbers):
            losers.append((i, j, True))
        elif _contained(b, a, state.threshold) and not (b.numbers - a.numbers):
            losers.append((j, i, True))
    return losers


def _split_lead_pass(state: _Dedupe, losers: list[tuple[int, int, bool]]) -> list[tuple[int, int, bool]]:
    """A retelling of a lead split over two paragraphs ("...同比下降" / "12.5%，...") matches
    neither piece alone: compare it with the pieces joined, as repair will join them."""
    retold: list[tuple[int, int, bool]] = []
    copies = {loser for loser, winner, _ in losers if winner < loser}  # pieces that are copies themselves
    paragraphs, paras, removed = state.paragraphs, state.paras, state.removed
    for a in range(len(paras) - 1):
        if a in removed or a + 1 in removed or a in copies or a + 1 in copies:
            continue
        if not continues_sentence(paragraphs[a], paragraphs[a + 1]):
            continue
        joined = _profile(a + 1, _join_pieces(paragraphs[a], paragraphs[a + 1]))
        for p in paras[a + 2 : a + 4]:
            if p.index in removed or len(p.tokens) < state.min_tokens:
                continue
            if _distinct_facts(joined, p) or not _facts_agree(joined, p):
                continue
            if _mutual(joined, p) or _nearby_paraphrase(joined, p):
                retold.append((p.index, a, False))
    return retold


def _near_pass(
    state: _Dedupe, losers: list[tuple[int, int, bool]], retold: list[tuple[int, int, bool]]
) -> None:
    """Near copies: retellings of a split lead first (the pieces are the original, however
    broken they look), then strongest winners first, so a chain keeps its best member."""
    losers = sorted(losers, key=lambda lw: _rank(state.paras[lw[1]]), reverse=True)
    for loser, winner, contained in retold + losers:
        if winner in state.removed or loser in state.removed:
            continue
        if contained and _fragment(state.paragraphs, loser):
            continue
        what = "contained in" if contained else "near copy (same facts, other wording) of"
        state.drop(loser, "near", winner, what)


def _section_heading_pass(state: _Dedupe) -> None:
    """A repeated section: the short heading above a copy repeats the one above the original."""
    paras = state.paras
    for loser, winner in sorted(state.winner_of.items()):
        above, original_above = loser - 1, winner - 1
        if above <= winner or original_above < 0 or above in state.removed:
            continue
        heading = paras[above]
        short = len(heading.tokens) < state.min_tokens or _row(heading, state.min_tokens)
        if short and _same_heading(heading.key, paras[original_above].key):
            state.drop(above, "near", original_above, "heading of a repeated section, as")


def _repetition_is_the_page(state: _Dedupe) -> bool:
    """Whether the copies are all the page has: one paragraph of prose would be left.

    A copy is told by the article around it; when every paragraph of prose but one would go,
    there is no article apart from the repeats (a refrain, filler text, a page of identical
    entries) and nothing is removed.
    """
    prose = [p for p in state.paras if not _row(p, state.min_tokens)]
    kept = [p for p in prose if p.index not in state.removed]
    return bool(state.removed) and len(kept) <= 1 and len(prose) - len(kept) >= 1


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
    state = _Dedupe(
        list(paragraphs), [_profile(i, t) for i, t in enumerate(paragraphs)], threshold, min_tokens
    )
    _exact_pass(state)
    live = [p for p in state.paras if p.index not in state.removed and len(p.tokens) >= min_tokens]
    pairs = _candidates(live)
    neighbours: dict[int, list[int]] = defaultdict(list)
    for i, j in pairs:
        neighbours[i].append(j)
        neighbours[j].append(i)
    _stitched_pass(state, live, neighbours)
    losers = _pairwise_pass(state, pairs)
    _near_pass(state, losers, _split_lead_pass(state, losers))
    _section_heading_pass(state)
    if _repetition_is_the_page(state):
        result = keep_all(state.paragraphs)
        result.count("repetition_kept", len(state.removed))
        return result
    result = filter_result(state.paragraphs, state.removed)
    result.counts = {
        f"{what}_removed": n
        for what in ("exact", "near", "stitched")
        if (n := result.counts.get(f"{what}_removed", 0))
    }
    result.removed = dict.fromkeys(state.removed, "duplicate")
    result.notes = state.notes
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
        result = self.run_core(dedupe_paragraphs, paragraphs, **self.options)
        adapter["truncated"] = truncation_after_removals(
            bool(adapter.get("truncated")), bool(adapter.get("paywalled")), result.paragraphs
        )
        return result

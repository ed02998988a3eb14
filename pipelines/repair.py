"""Repair paragraphs split in the wrong place: join broken sentences and headings.

Body extraction breaks paragraphs where the page had a line break, a ``<br>`` or a span
boundary: a sentence continues in the next paragraph ("Since" / "2020, the central ..."; in
Chinese "同比下降" / "4.8%，..." which joins without a space), and a numbered heading is
broken over two paragraphs with the body glued to its second half ("I. Implementing the
Synergy" / "of Pollution Reduction and Carbon Reduction The provincial Party Committee ...").
This step joins the pieces and, where the heading's end can be told (a capitalised sentence
opener after a title-case run, a capitalised word after a sentence-case phrase, a space in
Chinese), separates heading and body again.

A paragraph is only joined to the one before when that one does not end a sentence and the
next one cannot start one (lower-case start, or a number after a dangling word), so
headings followed by their body stay apart.

Settings: ECOPOLICY_REPAIR_ENABLED (bool, default True), ECOPOLICY_REPAIR_MAX_HEADING_WORDS
(int, default 20).
Stats / ``cleaning`` keys: cleaning/repair/sentences_joined, cleaning/repair/headings_joined,
cleaning/repair/headings_split.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from pipelines._step import CleaningPipeline, StepResult
from pipelines._text import CJK_CLASS, ends_sentence, is_cjk_text, starts_lowercase

if TYPE_CHECKING:
    from itemadapter import ItemAdapter
    from scrapy.settings import BaseSettings

_ORDINALS = "first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth"
_EN_NUMBERING = re.compile(
    rf"^(?:[IVXLC]{{1,6}}[.、)]|\d{{1,2}}(?:\.\d{{1,2}})*[.、)]?|\(\s*(?:\d{{1,2}}|[ivxlc]{{1,5}}|[a-z])\s*\)|"
    rf"[A-Za-z][.)]|(?:part|section|chapter|article)\s+[\dIVXLC]+[.:]?|(?:{_ORDINALS})(?:ly)?[,.:])\s+",
    re.IGNORECASE,
)
_ZH_NUMBERING = re.compile(
    r"^(?:[一二三四五六七八九十百]+[、.．]|[（(][一二三四五六七八九十\d]+[)）]|\d{1,2}[.、．](?!\d)|第[一二三四五六七八九十\d]+[章节条部分])"
)
_FUNCTION_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "of",
        "to",
        "in",
        "on",
        "at",
        "by",
        "for",
        "with",
        "from",
        "as",
        "into",
        "onto",
        "over",
        "under",
        "about",
        "than",
        "via",
        "per",
        "nor",
    ]
)
_DANGLING = _FUNCTION_WORDS | frozenset(
    [
        "since",
        "until",
        "till",
        "after",
        "before",
        "between",
        "during",
        "including",
        "include",
        "includes",
        "nearly",
        "approximately",
        "around",
        "almost",
        "reached",
        "reach",
        "reaching",
        "totalled",
        "totaling",
        "was",
        "were",
        "is",
        "are",
        "be",
        "been",
        "of",
    ]
)
_STARTERS = frozenset(
    [
        "the",
        "in",
        "we",
        "our",
        "this",
        "these",
        "those",
        "since",
        "to",
        "a",
        "an",
        "it",
        "its",
        "on",
        "at",
        "according",
        "as",
        "by",
        "for",
        "from",
        "with",
        "after",
        "over",
        "last",
        "under",
        "through",
        "there",
        "local",
        "all",
        "each",
        "some",
        "more",
        "meanwhile",
        "moreover",
        "furthermore",
        "however",
        "first",
        "second",
        "third",
        "next",
        "currently",
        "recently",
        "so",
        "far",
        "up",
        "starting",
        "based",
        "following",
        "during",
        "while",
    ]
)
_ZH_STARTS_SENTENCE_BAD = "，、。；：！？%）)」』"


def _words(text: str) -> list[str]:
    return text.split()


def is_numbered_heading(text: str, max_words: int = 20) -> bool:
    """Whether *text* is a short numbered heading without closing punctuation.

    >>> is_numbered_heading("I. Implementing the Synergy"), is_numbered_heading("一、深入推进减污降碳")
    (True, True)
    >>> is_numbered_heading("2. The plan was issued in 2021 and runs until 2025.")
    False
    """
    stripped = text.strip()
    if ends_sentence(stripped) and not stripped.endswith((":", "：")):
        return False
    if is_cjk_text(stripped):
        return bool(_ZH_NUMBERING.match(stripped)) and len(stripped) <= 40 and "。" not in stripped
    return bool(_EN_NUMBERING.match(stripped)) and len(_words(stripped)) <= max_words


def _is_title_case(heading: str) -> bool:
    body = _EN_NUMBERING.sub("", heading, count=1)
    content = [w for w in _words(body) if w.strip("\"'“”()").lower() not in _FUNCTION_WORDS]
    return bool(content) and all(w[:1].isupper() or not w[:1].isalpha() for w in content)


def split_heading_tail(heading: str, continuation: str, max_words: int = 20) -> tuple[str, str]:
    """Split *continuation* into the rest of *heading* and the body glued after it.

    Returns ``(tail, body)``; *body* is empty when the whole continuation is heading.

    >>> split_heading_tail("I. Implementing the Synergy",
    ...     "of Pollution Reduction and Carbon Reduction The provincial Party Committee agrees.")
    ('of Pollution Reduction and Carbon Reduction', 'The provincial Party Committee agrees.')
    >>> split_heading_tail("2. Actively promoting the construction",
    ...     "of waste-free cities In recent years, our province has taken the construction as the guide.")
    ('of waste-free cities', 'In recent years, our province has taken the construction as the guide.')
    >>> split_heading_tail("3. Promoting", "cleaner production in enterprises, increasing the use of it.")
    ('', 'cleaner production in enterprises, increasing the use of it.')
    """
    words = _words(continuation)
    budget = max_words - len(_words(heading))
    title_case = _is_title_case(heading)
    limit = min(len(words), max(budget, 0) + 1)
    split_at: int | None = None
    for i in range(limit):
        word = words[i]
        if i > 0 and re.search(r"[,.;:!?，。；：]$", words[i - 1]):
            break  # punctuation inside: this is a sentence, not a heading
        bare = word.strip("\"'“‘(")
        if i == 0 or not bare[:1].isupper():
            continue
        nxt = words[i + 1].strip("\"'“‘(") if i + 1 < len(words) else ""
        lower_next = bool(nxt) and (nxt[:1].islower() or nxt[:1].isdigit())
        if title_case:
            if bare.lower() in _STARTERS and bare.lower() in _FUNCTION_WORDS | {
                "we",
                "our",
                "this",
                "these",
                "it",
            }:
                split_at = i
                break
            if lower_next and nxt.lower() not in _FUNCTION_WORDS:
                split_at = i
                break
        elif bare.lower() in _STARTERS or lower_next:
            split_at = i
            break
    if split_at is not None and len(words) - split_at >= 4:
        return " ".join(words[:split_at]), " ".join(words[split_at:])
    if (
        len(words) <= budget
        and not ends_sentence(continuation)
        and not re.search(r"[,.;，。；]", continuation)
    ):
        return continuation, ""
    return "", continuation


def _zh_heading_tail(continuation: str) -> tuple[str, str] | None:
    """Chinese: the heading's end is a short unpunctuated run before a space or the end."""
    first, _, rest = continuation.partition(" ")
    if len(first) <= 16 and not re.search(r"[，。；：、！？]", first):
        if not rest:
            return (first, "") if not ends_sentence(first) else None
        return first, rest
    return None


def _continues(prev: str, nxt: str) -> bool:
    """Whether *nxt* is the rest of a sentence that *prev* left open."""
    if ends_sentence(prev) or not nxt:
        return False
    if is_cjk_text(prev) or is_cjk_text(nxt):
        if _ZH_NUMBERING.match(nxt):
            return False
        if nxt[0] in _ZH_STARTS_SENTENCE_BAD:
            return True
        # Only prose (with a comma inside) is left open; titles and signature lines are not.
        return re.search(r"[，；,]", prev) is not None
    if starts_lowercase(nxt):
        return True
    last = prev.split()[-1].strip("\"'”’(").lower() if prev.split() else ""
    return bool(re.match(r"\d", nxt)) and (last in _DANGLING or prev.rstrip().endswith(","))


def _glue(prev: str, nxt: str) -> str:
    cjk_edge = re.search(rf"[{CJK_CLASS}\d%，、]$", prev) and re.match(rf"[{CJK_CLASS}\d，、。；]", nxt)
    if cjk_edge and (is_cjk_text(prev) or is_cjk_text(nxt)):
        return prev + nxt
    return f"{prev} {nxt}"


def repair_paragraphs(paragraphs: list[str], *, max_heading_words: int = 20) -> StepResult:
    """Join sentences and headings broken over two paragraphs; separate glued heading bodies.

    >>> r = repair_paragraphs(["It will help the industry grow. Since", "2020, the government has invested."])
    >>> r.paragraphs, r.counts
    (['It will help the industry grow. Since 2020, the government has invested.'], {'sentences_joined': 1})
    >>> repair_paragraphs(["全省PM2.5平均浓度为38微克，同比下降", "4.8%，优良天数比例上升。"]).paragraphs
    ['全省PM2.5平均浓度为38微克，同比下降4.8%，优良天数比例上升。']
    >>> repair_paragraphs(["一、深入推进减污降碳", "协同增效", "省委省政府高度重视。"]).paragraphs
    ['一、深入推进减污降碳协同增效', '省委省政府高度重视。']
    """
    result = StepResult([], {}, [], {})
    out = result.paragraphs
    sources = result.sources
    for i, text in enumerate(paragraphs):
        if out:
            prev = out[-1]
            if is_numbered_heading(prev, max_heading_words) and not ends_sentence(prev):
                pieces: tuple[str, str] | None = None
                if is_cjk_text(prev):
                    if not _ZH_NUMBERING.match(text):
                        pieces = _zh_heading_tail(text)
                elif starts_lowercase(text):
                    pieces = split_heading_tail(prev, text, max_heading_words)
                if pieces is not None:
                    tail, body = pieces
                    merged = sources[-1] + (i,)
                    if tail:
                        out[-1] = _glue(prev, tail)
                        sources[-1] = merged
                        result.count("headings_joined")
                        if body:
                            out.append(body)
                            sources.append(merged)
                            result.count("headings_split")
                        continue
                    if body and starts_lowercase(body):
                        out[-1] = f"{prev} {body}"
                        sources[-1] = merged
                        result.count("headings_joined")
                        continue
            elif _continues(prev, text):
                out[-1] = _glue(prev, text)
                sources[-1] = sources[-1] + (i,)
                result.count("sentences_joined")
                continue
        out.append(text)
        sources.append((i,))
    return result


class RepairPipeline(CleaningPipeline):
    """Join paragraphs split in mid-sentence or mid-heading; separate a glued heading body."""

    step = "repair"

    @classmethod
    def options_from_settings(cls, settings: BaseSettings) -> dict[str, Any]:
        return {"max_heading_words": settings.getint("ECOPOLICY_REPAIR_MAX_HEADING_WORDS", 20)}

    def clean(self, adapter: ItemAdapter, paragraphs: list[str]) -> StepResult:
        return repair_paragraphs(paragraphs, **self.options)

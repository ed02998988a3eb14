"""Text helpers shared by the cleaning steps: comparison keys, tokens, shapes.

Every step compares paragraphs through the same normalised form (NFKC width folding,
case folding, punctuation removed) while the article text itself is never rewritten by
these helpers. Chinese is tokenised by character, other scripts by word, so one code path
serves both languages and mixed paragraphs.

Several steps ask the same questions of the same paragraph (its key, tokens, length,
script), so the pure helpers keep a bounded cache of recent answers.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

CJK_CLASS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(rf"[{CJK_CLASS}]|\d+(?:[.,]\d+)*|[^\W\d_]+")
_CJK = re.compile(rf"[{CJK_CLASS}]")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_NON_WORD = re.compile(r"[^\w.]+|_+")
# A dot that is not between two digits. Each pattern opens with its literal so the engine
# jumps from candidate to candidate instead of trying lookbehinds at every character.
_LONE_DOT = re.compile(r"\.(?:(?<!\d\.)|(?!\d))")
_CJK_SPACE = re.compile(rf" (?:(?<=[{CJK_CLASS}] )(?=[{CJK_CLASS}\d])|(?<=\d )(?=[{CJK_CLASS}]))")
_WORD = re.compile(r"[A-Za-z\u00c0-\u024f][A-Za-z\u00c0-\u024f0-9'’-]*")

# Closing characters that may follow the sentence-final mark (quotes, brackets).
_CLOSERS = "\"'”’」』）)]】》>"
TERMINAL = ".!?。！？…;；:："
"""Characters that may end a complete sentence or a lead-in (colon)."""

EN_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
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
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "this",
        "that",
        "these",
        "those",
        "it",
        "its",
        "their",
        "his",
        "her",
        "our",
        "we",
        "you",
        "they",
        "he",
        "she",
        "i",
        "which",
        "who",
        "whom",
        "whose",
        "what",
        "when",
        "where",
        "how",
        "than",
        "then",
        "there",
        "here",
        "into",
        "onto",
        "over",
        "under",
        "about",
        "after",
        "before",
        "between",
        "through",
        "during",
        "not",
        "no",
        "so",
        "such",
        "also",
        "will",
        "would",
        "shall",
        "should",
        "can",
        "could",
        "may",
        "might",
        "must",
        "has",
        "have",
        "had",
        "do",
        "does",
        "did",
        "all",
        "any",
        "each",
        "other",
        "more",
        "most",
        "some",
        "only",
        "own",
        "same",
        "very",
        "just",
        "up",
        "out",
        "off",
        "per",
        "via",
    ]
)


PARAGRAPH_CACHE = 1024
"""Entries of each per-paragraph cache (tokens, keys, numbers). The cleaning steps ask about the
same paragraphs one after another, so the reuse is within a record and between a site's
recurring lines; a crawl's paragraphs are otherwise all distinct, and a larger cache holds text
that will not come again while the process grows with the corpus until it is full."""


@lru_cache(maxsize=PARAGRAPH_CACHE)
def nfkc(text: str) -> str:
    """*text* in NFKC form; the quick check spares the rewrite for text already in it.

    >>> nfkc("Ｈｅｎａｎ４．８"), nfkc("Henan")
    ('Henan4.8', 'Henan')
    """
    return text if unicodedata.is_normalized("NFKC", text) else unicodedata.normalize("NFKC", text)


def _cjk_count(text: str) -> int:
    # Counting by removal builds one string instead of a list with one string per character.
    return len(text) - len(_CJK.sub("", text))


@lru_cache(maxsize=PARAGRAPH_CACHE)
def comparison_key(text: str) -> str:
    """Return *text* folded for comparison: NFKC width, case, no punctuation, single spaces.

    >>> comparison_key("Ｈｅｎａｎ： ＣＯ２，“Synergy”!")
    'henan co2 synergy'
    >>> comparison_key("同比下降４．８％，")
    '同比下降4.8'
    """
    folded = nfkc(text).casefold()
    # Punctuation and symbols become spaces; a dot stays only inside a number ("4.8").
    joined = _LONE_DOT.sub(" ", _NON_WORD.sub(" ", folded))
    joined = " ".join(joined.split())
    return _CJK_SPACE.sub("", joined)


@lru_cache(maxsize=PARAGRAPH_CACHE)
def tokens(text: str) -> tuple[str, ...]:
    """Return comparison tokens: one per Chinese character, one per word or number elsewhere.

    >>> tokens("In Ohio, 64 buses")
    ('in', 'ohio', '64', 'buses')
    >>> tokens("减排4.8%")
    ('减', '排', '4.8')
    """
    return tuple(_TOKEN.findall(nfkc(text).casefold()))


def cjk_ratio(text: str) -> float:
    """Share of Chinese characters among non-space characters.

    >>> cjk_ratio("同比下降4.8%")
    0.5
    """
    size = len(text) - sum(text.count(c) for c in " \t\n\u3000\xa0")
    return _cjk_count(text) / size if size > 0 else 0.0


@lru_cache(maxsize=PARAGRAPH_CACHE)
def is_cjk_text(text: str) -> bool:
    """Whether *text* is mostly Chinese (decides word versus character handling).

    >>> is_cjk_text("生态环境厅 2023"), is_cjk_text("Henan 生态")
    (True, False)
    """
    return cjk_ratio(text) >= 0.4


@lru_cache(maxsize=PARAGRAPH_CACHE)
def numbers(text: str) -> frozenset[str]:
    """Numbers in *text*, width-folded, thousands separators removed.

    >>> sorted(numbers("In Ohio, 1,064 buses by 2025 (４.８%)"))
    ['1064', '2025', '4.8']
    """
    folded = nfkc(text)
    return frozenset(n.replace(",", "") for n in _NUMBER.findall(folded))


def words(text: str) -> list[str]:
    """Latin-script words of *text* as written (case kept).

    >>> words("of Pollution Reduction The provincial")
    ['of', 'Pollution', 'Reduction', 'The', 'provincial']
    """
    return _WORD.findall(text)


@lru_cache(maxsize=PARAGRAPH_CACHE)
def length_units(text: str) -> int:
    """Length in comparable units: words for Latin text, characters / 2 for Chinese.

    >>> length_units("one two three"), length_units("生态环境保护工作")
    (3, 4)
    """
    return len(words(text)) + _cjk_count(text) // 2


def ends_sentence(text: str) -> bool:
    """Whether *text* ends with sentence-final punctuation (closing quotes allowed).

    >>> ends_sentence("It was done.”"), ends_sentence("同比下降"), ends_sentence("as follows:")
    (True, False, True)
    """
    stripped = text.rstrip().rstrip(_CLOSERS)
    return bool(stripped) and stripped[-1] in TERMINAL


def starts_lowercase(text: str) -> bool:
    """Whether *text* starts with a lower-case Latin letter (a continuation, not a sentence).

    >>> starts_lowercase("of waste-free cities"), starts_lowercase("The plan")
    (True, False)
    """
    stripped = text.lstrip(" \"'“‘(")
    return bool(stripped) and stripped[0].isalpha() and stripped[0].islower() and stripped[0].isascii()


TABLE_CELL_SEPARATOR = " | "  # how extraction and the document readers join a table row's cells


def is_table_row(text: str) -> bool:
    """A line extraction built from a table row: a whole unit, never part of a sentence or a copy."""
    return TABLE_CELL_SEPARATOR in text

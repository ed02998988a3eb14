"""Normalise paragraph whitespace and strip invisible characters; drop empty paragraphs.

Pages carry every kind of space (no-break, ideographic U+3000 used as indentation, thin and
em spaces), zero-width characters, byte-order marks, soft hyphens, bidi marks and stray
control characters. They break comparison in later steps and leak into the corpus. This
step maps every space to one ASCII space, removes the invisible characters, and removes
paragraphs that are left empty. It never touches punctuation or letter width: the
article's own full-width punctuation stays as it is (comparisons use
:func:`pipelines._text.comparison_key` instead).

Settings: ECOPOLICY_NORMALISE_ENABLED (bool, default True).
Stats / ``cleaning`` keys: cleaning/normalise/paragraphs_changed, cleaning/normalise/empty_removed.
"""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING

from pipelines._step import CleaningPipeline, StepResult
from pipelines._text import CJK_CLASS

if TYPE_CHECKING:
    from itemadapter import ItemAdapter

_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f\u202a-\u202e\u2066-\u2069\u180e]")
# Control, format and private-use characters (tabs and line breaks are spaces, handled below).
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x84\x86-\x9f\ue000-\uf8ff\U000f0000-\U0010ffff]")
_LINE_BREAK = re.compile("\r\n?|[\x85\u2028\u2029\x0c]")
_ENTITY = re.compile(r"&(?:nbsp|ensp|emsp|amp|lt|gt|quot|apos|#\d{1,6}|#x[0-9a-fA-F]{1,6});")


def normalise_text(text: str) -> str:
    """Return *text* with every space run as one space and invisible characters removed.

    A line break inside a paragraph between two Chinese characters disappears (Chinese
    is written without spaces); elsewhere it becomes a space.

    >>> normalise_text("\\u3000\\u3000各市\\u00a0生态环境局：\\u200b")
    '各市 生态环境局：'
    >>> normalise_text("Carbon\\u200b\\u00a0 peak\\x07 &nbsp;plan\\n")
    'Carbon peak plan'
    >>> normalise_text("减污降碳\\n协同增效")
    '减污降碳协同增效'
    """
    if "&" in text and _ENTITY.search(text):
        text = _ENTITY.sub(lambda m: html.unescape(m.group(0)), text)
    text = _CONTROL.sub("", _INVISIBLE.sub("", text))
    text = _LINE_BREAK.sub("\n", text)
    text = re.sub(rf"(?<=[{CJK_CLASS}，。；：、]) *\n *(?=[{CJK_CLASS}])", "", text)
    return " ".join(text.split())


def normalise_paragraphs(paragraphs: list[str]) -> StepResult:
    """Normalise every paragraph; drop those left empty.

    >>> r = normalise_paragraphs(["\\u3000\\u3000各市：", " \\u200b ", "Plan\\u00a0A"])
    >>> r.paragraphs, r.counts, r.sources
    (['各市：', 'Plan A'], {'paragraphs_changed': 2, 'empty_removed': 1}, [(0,), (2,)])
    """
    result = StepResult([], {}, [], {})
    for i, text in enumerate(paragraphs):
        clean = normalise_text(text)
        if not clean:
            result.removed[i] = "empty"
            result.count("empty_removed")
            continue
        if clean != text:
            result.count("paragraphs_changed")
        result.paragraphs.append(clean)
        result.sources.append((i,))
    # Keep stable key order for readers of the cleaning dict.
    result.counts = {
        k: result.counts[k] for k in ("paragraphs_changed", "empty_removed") if k in result.counts
    }
    return result


class NormalisePipeline(CleaningPipeline):
    """Normalise whitespace and invisible characters of ``paragraphs``; drop empty ones."""

    step = "normalise"

    def clean(self, adapter: ItemAdapter, paragraphs: list[str]) -> StepResult:
        return self.run_core(normalise_paragraphs, paragraphs)

"""Turn a document's page lines into the paragraphs of a record.

A PDF or OFD page gives lines, not paragraphs: the letterhead or running title repeats at the
top of every page, the page number at the bottom, and every paragraph is cut where the line
ran out of width (inside a Chinese sentence, or inside an English word with a hyphen). In
order:

1. page numbers ("— 3 —", "- 3 -", "第3页 共12页", "Page 3 of 12", a bare "3") are removed
   where they stand at the top or bottom of a page;
2. running lines, the same text (digits aside) in the first or last lines of at least half
   of the pages (two at least), are removed;
3. lines are joined into paragraphs: a line as wide as the text block continues on the next
   one; a short line ends its paragraph; a heading (一、 （一） 第三条 1. Article 3 Chapter 2)
   stands alone; Chinese joins without a space, English with one, a hyphen broken at the line
   end joins the word again.

Word documents and spreadsheets already have paragraphs and rows: only steps 1 and the
whitespace rules apply. Counts go to the record's ``cleaning`` as ``document/<what>``.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from crawler.documents.record import date_line
from crawler.extraction.docnumbers import find_doc_numbers

_DASH = r"[-—–－―~～]"
PAGE_NUMBER = re.compile(
    rf"^(?:{_DASH}*\s*\d{{1,4}}\s*{_DASH}*"
    r"|第\s*\d{1,4}\s*页\s*[,，/、]?\s*(?:共\s*\d{1,4}\s*页)?"
    r"|共\s*\d{1,4}\s*页\s*[,，/、]?\s*第\s*\d{1,4}\s*页"
    r"|(?:page|p\.)\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?"
    r"|\d{1,4}\s*/\s*\d{1,4})$",
    re.IGNORECASE,
)
HEADING = re.compile(
    r"^(?:[一二三四五六七八九十百]+[、.．]"
    r"|[（(][一二三四五六七八九十百]+[）)]"
    r"|第[一二三四五六七八九十百零〇\d]+[章节条部分篇]"
    r"|附件\s*\d*[:：]?\s*$"
    r"|\d{1,2}(?:\.\d{1,2})*[.．、]\s*\S"
    r"|[（(]\d{1,2}[）)]"
    r"|(?:Article|Section|Chapter|Part|Annex)\s+[\dIVXLC]+\b)",
    re.IGNORECASE,
)
_CJK = r"\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
_CJK_CHAR = re.compile(f"[{_CJK}]")
_SPACE_IN_CJK = re.compile(f"(?<=[{_CJK}])[ \t]+(?=[{_CJK}])")
_SENTENCE_END = tuple("。！？；：.!?;:…”’\"')）")
_EDGE = 3
"""Lines at each end of a page where running headers, footers and page numbers stand."""


@dataclass
class Cleaned:
    """Paragraphs made from a document, and what was removed or repaired."""

    paragraphs: list[str]
    counts: dict[str, int] = field(default_factory=dict)
    headings: set[int] = field(default_factory=set)

    def count(self, what: str, n: int = 1) -> None:
        if n:
            self.counts[what] = self.counts.get(what, 0) + n


def normalise_line(text: str) -> str:
    """NFC, soft hyphens and PDFium's line-break hyphen marks out, spaces collapsed, none between
    Chinese characters (letter-spaced titles such as "通  知").

    >>> normalise_line("通  知\\u00ad ")
    '通知'
    """
    text = unicodedata.normalize("NFC", text).replace("\u00ad", "").replace("\ufffe", "")
    text = " ".join(text.replace("\u3000", " ").split())
    return _SPACE_IN_CJK.sub("", text)


def width(text: str) -> int:
    """Display width: two for a wide (Chinese) character, one for others.

    >>> width("环保 ok")
    7
    """
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _shape(line: str) -> str:
    return re.sub(r"\d+", "#", line)


def strip_page_furniture(pages: list[list[str]], cleaned: Cleaned) -> list[list[str]]:
    """Remove page numbers and running lines from the edges of each page."""
    out = []
    for page in pages:
        keep = []
        for i, line in enumerate(page):
            at_edge = i < _EDGE or i >= len(page) - _EDGE
            if at_edge and PAGE_NUMBER.match(line):
                cleaned.count("page_numbers_removed")
            else:
                keep.append(line)
        out.append(keep)
    if len(out) < 2:
        return out
    seen: Counter[str] = Counter()
    for page in out:
        seen.update({_shape(line) for line in page[:_EDGE] + page[-_EDGE:]})
    need = max(2, (len([p for p in out if p]) + 1) // 2)
    running = {shape for shape, n in seen.items() if n >= need}
    result = []
    for page in out:
        edge = set(range(min(_EDGE, len(page)))) | set(range(max(0, len(page) - _EDGE), len(page)))
        kept = [ln for i, ln in enumerate(page) if not (i in edge and _shape(ln) in running)]
        cleaned.count("running_lines_removed", len(page) - len(kept))
        result.append(kept)
    return result


def _join(left: str, right: str, cleaned: Cleaned) -> str:
    if len(left) > 1 and left[-1] == "-" and left[-2].isalpha() and right[:1].islower():
        cleaned.count("hyphens_joined")
        return left[:-1] + right
    tail = left[-12:]
    if _CJK_CHAR.match(left[-1]) or _CJK_CHAR.match(right[0]) or len(_CJK_CHAR.findall(tail)) * 3 > len(tail):
        return left + right  # inside Chinese text, a wrap between digits or letters adds no space
    return f"{left} {right}"


def _full_width(lines: Sequence[str]) -> int:
    """Width of a full line of the text block: the widest lines, ignoring a few outliers."""
    widths = sorted(width(line) for line in lines)
    return widths[int(len(widths) * 0.9)] if widths else 0


def is_heading(line: str) -> bool:
    """A numbered heading or clause start: kept as the start of a paragraph.

    >>> [is_heading(s) for s in ("一、总体要求", "（三）加强监测", "第五条 本办法", "Article 3", "2023年")]
    [True, True, True, True, False]
    """
    return HEADING.match(line) is not None


def stands_alone(line: str) -> bool:
    """A line that is a paragraph of its own: a date line or a bare document number.

    >>> stands_alone("2022年9月26日"), stands_alone("豫环文〔2022〕105号"), stands_alone("各省辖市：")
    (True, True, False)
    """
    return date_line(line) is not None or find_doc_numbers([line]) == [line]


def _is_short(line: str, full: int) -> bool:
    """Shorter than a full line: by two Chinese characters, or by 15% in Latin text."""
    slack = 4 if _CJK_CHAR.search(line[-4:]) else max(4, full * 15 // 100)
    return width(line) < full - slack


def join_lines(lines: Sequence[str], cleaned: Cleaned) -> list[str]:
    """Paragraphs from wrapped lines: a full-width line continues, a short one ends."""
    full = _full_width(lines)
    paragraphs: list[str] = []
    heading_at: set[int] = set()
    open_paragraph = False
    for line in lines:
        alone = stands_alone(line)
        starts = alone or is_heading(line)
        if open_paragraph and not starts:
            paragraphs[-1] = _join(paragraphs[-1], line, cleaned)
            cleaned.count("lines_joined")
        else:
            if starts:
                heading_at.add(len(paragraphs))
            paragraphs.append(line)
        short = alone or _is_short(line, full)
        open_paragraph = not short or (line.endswith("-") and not line.endswith(_SENTENCE_END))
        if short and not line.endswith(_SENTENCE_END) and len(line) > 1 and line[-1] in "，、,（(":
            open_paragraph = True  # a short line cut after a comma still continues
    cleaned.headings = heading_at
    return paragraphs


def clean_document(pages: list[list[str]], *, flow: bool = False) -> Cleaned:
    """The paragraphs of a document given as lines per page (or paragraphs when *flow*)."""
    cleaned = Cleaned([])
    pages = [[n for n in (normalise_line(line) for line in page) if n] for page in pages]
    if flow:
        kept = [p for p in (pages[0] if pages else []) if not PAGE_NUMBER.match(p)]
        cleaned.count("page_numbers_removed", sum(len(p) for p in pages[:1]) - len(kept))
        cleaned.paragraphs = kept
        return cleaned
    pages = strip_page_furniture(pages, cleaned)
    lines = [line for page in pages for line in page]
    cleaned.paragraphs = join_lines(lines, cleaned)
    return cleaned

"""Turn a document's page lines into the paragraphs of a record.

A PDF or OFD page gives lines, not paragraphs: the letterhead or running title repeats at the
top of every page, the page number at the bottom, and every paragraph is cut where the line
ran out of width (inside a Chinese sentence, or inside an English word with a hyphen). In
order:

1. page numbers ("— 3 —", "- 3 -", "第3页 共12页", "Page 3 of 12", a bare "3") are removed
   where they stand at the top or bottom of a page;
2. running lines, the same text (digits aside) in the first or last lines of two pages in
   five at least (two pages at least: odd and even pages may alternate), are removed;
3. lines are joined into paragraphs: a line as wide as the text block continues on the next
   one; a short line ends its paragraph; an indented line, or one after a wider gap than the
   usual line spacing, starts one; a heading (一、 （一） 第三条 1. Article 3 Chapter 2)
   starts one; Chinese joins without a space, English with one, a hyphen broken at the line
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
from itertools import pairwise

from crawler.documents.base import Line
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
_FIRST_TOKEN = re.compile(f"[{_CJK}]|[^\\s{_CJK}]+")
_TYPED_INDENT = re.compile(r"^[ \t\u3000\u00a0]{2,}\S")
_TITLE_OPEN = re.compile(r"关于")
_TITLE_CLOSE = re.compile(
    r"(?:通知|意见|决定|批复|公告|通告|函|报告|请示|方案|办法|规定|细则|规划|计划|纲要|指南)$"
)
_EDGE = 3
"""Lines at each end of a page where running headers, footers and page numbers stand."""


@dataclass
class Cleaned:
    """Paragraphs made from a document, and what was removed or repaired."""

    paragraphs: list[str]
    counts: dict[str, int] = field(default_factory=dict)
    running_head: str | None = None
    """The first page's top line when it was removed as a running line: often the document's
    title, repeated as the header of every page."""
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


def _edges(page: Sequence[Line]) -> set[int]:
    """Indices of the lines at the top and the bottom of a page."""
    count = len(page)
    return set(range(min(_EDGE, count))) | set(range(max(0, count - _EDGE), count))


def strip_page_furniture(pages: list[list[Line]], cleaned: Cleaned) -> list[list[Line]]:
    """Remove page numbers and running lines from the edges of each page."""
    out = []
    for page in pages:
        edges = _edges(page)
        keep = [ln for i, ln in enumerate(page) if not (i in edges and PAGE_NUMBER.match(ln.text))]
        cleaned.count("page_numbers_removed", len(page) - len(keep))
        out.append(keep)
    if len(out) < 2:
        return out
    seen: Counter[str] = Counter()
    for page in out:
        seen.update({_shape(page[i].text) for i in _edges(page)})
    # two in five pages: a header that alternates between odd and even pages still counts
    need = max(2, -(-len([p for p in out if p]) * 2 // 5))
    running = {shape for shape, n in seen.items() if n >= need}
    first = next((page for page in out if page), [])
    if first and _shape(first[0].text) in running:
        cleaned.running_head = first[0].text
    result = []
    for page in out:
        edges = _edges(page)
        kept = [ln for i, ln in enumerate(page) if not (i in edges and _shape(ln.text) in running)]
        cleaned.count("running_lines_removed", len(page) - len(kept))
        result.append(kept)
    return _strip_isolated_edges(result, cleaned)


def _strip_isolated_edges(pages: list[list[Line]], cleaned: Cleaned) -> list[list[Line]]:
    """Remove a header set apart above the text of a page after the first, and a short footer set
    apart below it: furniture even when it does not repeat (odd and even pages alternating).

    Only with positions (PDF), and only where the gap is more than twice the line spacing; the
    first page keeps its top lines, which are often the document's own title block, and a date
    or document-number line (the signing date set apart under the text) is never furniture.
    """
    gap = _line_gap([line for page in pages for line in page])
    if gap is None:
        return pages
    out = []
    for number, page in enumerate(pages):
        page = list(page)
        if number and len(page) >= 2 and _apart(page[0], page[1], gap) and not stands_alone(page[0].text):
            page.pop(0)
            cleaned.count("edge_lines_removed")
        footer = page[-1].text if page else ""
        if (
            len(page) >= 2
            and _apart(page[-2], page[-1], gap)
            and width(footer) <= 40
            and not stands_alone(footer)
        ):
            page.pop()
            cleaned.count("edge_lines_removed")
        out.append(page)
    return out


def _apart(upper: Line, lower: Line, gap: float) -> bool:
    return upper.y is not None and lower.y is not None and upper.y - lower.y > 2 * gap


def _join(left: str, right: str, cleaned: Cleaned) -> str:
    if len(left) > 1 and left[-1] == "-" and left[-2].isalpha() and right[:1].islower():
        cleaned.count("hyphens_joined")
        return left[:-1] + right
    tail = left[-12:]
    if _CJK_CHAR.match(left[-1]) or _CJK_CHAR.match(right[0]) or len(_CJK_CHAR.findall(tail)) * 3 > len(tail):
        return left + right  # inside Chinese text, a wrap between digits or letters adds no space
    return f"{left} {right}"


def _full_width(lines: Sequence[str]) -> int | None:
    """Width of a full line of the text block: the widest lines, ignoring a few outliers.

    ``None`` when too few lines reach it to call it the block's width (a short note whose lines
    are all short): then no line is taken for a wrapped one.
    """
    widths = sorted(width(line) for line in lines)
    if not widths:
        return None
    full = widths[int(len(widths) * 0.9)]
    near = sum(1 for w in widths if w >= full - 4)
    return full if near >= 2 and near * 5 >= len(widths) else None


@dataclass(frozen=True)
class _Block:
    """The text block of a laid-out document: its margins and the width of one character."""

    left: float
    right: float
    unit: float

    @classmethod
    def of(cls, lines: Sequence[Line]) -> _Block | None:
        placed = [ln for ln in lines if ln.left is not None and ln.right is not None]
        if len(placed) < 3 or len(placed) < len(lines):
            return None
        lefts = sorted(ln.left for ln in placed)  # type: ignore[misc]
        rights = sorted(ln.right for ln in placed)  # type: ignore[misc]
        units = sorted((ln.right - ln.left) / max(width(ln.text), 1) for ln in placed)  # type: ignore[operator]
        right = rights[int(len(rights) * 0.9)]
        unit = units[len(units) // 2]
        near = sum(1 for r in rights if r >= right - 3 * unit)
        if near < 2 or near * 5 < len(rights):
            return None
        return cls(lefts[len(lefts) // 10], right, unit)

    def short(self, line: Line, following: Line | None) -> bool:
        """Stops before the right margin with room for the first word of the next line.

        A wrapped line ends only where the next word did not fit, so a line with that much room
        left ended its paragraph (ragged-right English as well as justified Chinese).
        """
        if line.right is None:
            return False
        room = self.right - line.right
        if following is None or following.left is None or following.right is None:
            return room > 3 * self.unit
        unit = (following.right - following.left) / max(width(following.text), 1)
        token = _FIRST_TOKEN.match(following.text)
        need = unit * (width(token.group(0)) + 1) if token else 3 * self.unit
        return room > max(need, 3 * self.unit)

    def indented(self, line: Line) -> bool:
        """Starts right of the left margin by more than about one Chinese character."""
        return line.left is not None and line.left > self.left + 3 * self.unit


def _title_wrap(previous: Line | None, line: Line) -> bool:
    """Whether *line* ends a Chinese document title wrapped over lines (关于印发…文件 / …的通知).

    Official documents title themselves 关于…的通知 (意见, 决定, 批复 …): a short line ending so,
    after a line that opened with 关于 and did not yet close, is the same title.
    """
    if previous is None or len(previous.text) > 40 or len(line.text) > 40:
        return False
    opened = _TITLE_OPEN.search(previous.text[:12]) is not None and not _TITLE_CLOSE.search(previous.text)
    return (
        opened
        and _TITLE_CLOSE.search(line.text) is not None
        and not previous.text.endswith(_SENTENCE_END)
        and not any(mark in line.text for mark in "。；：")
    )


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


def _is_short(line: str, full: int | None) -> bool:
    """Shorter than a full line: by two Chinese characters, or by 15% in Latin text."""
    if full is None:
        return True
    slack = 4 if _CJK_CHAR.search(line[-4:]) else max(4, full * 15 // 100)
    return width(line) < full - slack


def join_lines(lines: Sequence[Line], cleaned: Cleaned) -> list[str]:
    """Paragraphs from wrapped lines: a full-width line continues, a short one ends.

    With the lines' extent (PDF), "short" is measured against the right margin and an indented
    line starts a paragraph; without it, in characters against the widest lines.
    """
    block = _Block.of(lines)
    full = None if block else _full_width([ln.text for ln in lines])
    paragraphs: list[str] = []
    heading_at: set[int] = set()
    open_paragraph = False
    gap = _line_gap(lines)
    for index, placed in enumerate(lines):
        line = placed.text
        alone = stands_alone(line)
        previous = lines[index - 1] if index else None
        starts = _starts_paragraph(placed, previous, block, gap)
        if _title_wrap(previous, placed):
            starts, open_paragraph = False, True
        if open_paragraph and not starts:
            paragraphs[-1] = _join(paragraphs[-1], line, cleaned)
            cleaned.count("lines_joined")
        else:
            if starts and is_heading(line):
                heading_at.add(len(paragraphs))
            paragraphs.append(line)
        following = lines[index + 1] if index + 1 < len(lines) else None
        short = alone or (block.short(placed, following) if block else _is_short(line, full))
        open_paragraph = not short or (line.endswith("-") and not line.endswith(_SENTENCE_END))
        if short and not line.endswith(_SENTENCE_END) and len(line) > 1 and line[-1] in "，、,（(":
            open_paragraph = True  # a short line cut after a comma still continues
    cleaned.headings = heading_at
    return paragraphs


def _lines(page: Sequence[str | Line]) -> list[Line]:
    out = []
    for line in page:
        placed = line if isinstance(line, Line) else Line(line)
        text = normalise_line(placed.text)
        if text:
            indent = _TYPED_INDENT.match(placed.text) is not None
            out.append(Line(text, placed.left, placed.right, placed.y, indent))
    return out


def _line_gap(lines: Sequence[Line]) -> float | None:
    """The usual distance between two lines of a paragraph (the lower quartile of downward steps:
    most steps are inside paragraphs, the wider ones come before paragraphs and headings)."""
    steps = sorted(a.y - b.y for a, b in pairwise(lines) if a.y is not None and b.y is not None and a.y > b.y)
    return steps[len(steps) // 4] if len(steps) >= 3 else None


def _starts_paragraph(line: Line, previous: Line | None, block: _Block | None, gap: float | None) -> bool:
    """A heading, a date or number line, an indented line, or one after a wider gap than usual."""
    if stands_alone(line.text) or is_heading(line.text) or line.indent:
        return True
    if block is not None and block.indented(line):
        return True
    return (
        gap is not None
        and previous is not None
        and previous.y is not None
        and line.y is not None
        and previous.y > line.y
        and previous.y - line.y > gap * 1.4
    )


def clean_document(pages: Sequence[Sequence[str | Line]], *, flow: bool = False) -> Cleaned:
    """The paragraphs of a document given as lines per page (or paragraphs when *flow*)."""
    cleaned = Cleaned([])
    laid = [_lines(page) for page in pages]
    if flow:
        first = [ln.text for ln in laid[0]] if laid else []
        kept = [p for p in first if not PAGE_NUMBER.match(p)]
        cleaned.count("page_numbers_removed", len(first) - len(kept))
        cleaned.paragraphs = kept
        return cleaned
    laid = strip_page_furniture(laid, cleaned)
    cleaned.paragraphs = join_lines([line for page in laid for line in page], cleaned)
    return cleaned

"""Repair paragraphs split in the wrong place: join broken sentences and headings.

Body extraction breaks paragraphs where the page had a line break, a ``<br>`` or a span
boundary: a sentence continues in the next paragraph ("Since" / "2020, the central ..."; in
Chinese "同比下降" / "4.8%，..." which joins without a space), and a numbered heading is
broken over two paragraphs with the body glued to its second half ("I. Implementing the
Synergy" / "of Pollution Reduction and Carbon Reduction The provincial Party Committee ...").
This step joins the pieces and, where the heading's end can be told (a capitalised sentence
opener after a title-case run, a capitalised word after a sentence-case phrase, a space in
Chinese), separates heading and body again. A Chinese heading cut after a verb ("（三）加强")
takes its continuation even when no space tells where the heading ends, and a Chinese
numbered heading with its body glued on after a space in one paragraph is separated too. A
label-only heading ("Article 3") takes the short unpunctuated title line under it.

A paragraph is only joined to the one before when that one does not end a sentence and the
next one cannot start one (lower-case start, or a number after a dangling word), so
headings followed by their body stay apart.

Settings: ECOPOLICY_REPAIR_ENABLED (bool, default True), ECOPOLICY_REPAIR_MAX_HEADING_WORDS
(int, default 20).
Stats / ``cleaning`` keys: cleaning/repair/sentences_joined, cleaning/repair/headings_joined,
cleaning/repair/headings_split (also counts glued headings separated within one paragraph).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from pipelines._step import CleaningPipeline, StepResult
from pipelines._text import CJK_CLASS, ends_sentence, is_cjk_text, is_table_row, starts_lowercase
from pipelines.paywall import gate_line, stub_strength

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
# A count cut from the sentence that states it ("已关停退出矿山企业" / "1042家，..."): a number
# with a measure word cannot open a sentence; years and dates ("2023年，") can and are left out.
_ZH_COUNT_START = re.compile(
    r"^\d[\d.,]*\s*(?:%|％|个百分点|[万亿千百]?(?:家|个|座|处|项|件|名|人次|人|台|辆|吨|公里|千米|米|亩|公顷|"
    r"平方米|立方米|千瓦|元|户|次|条|所|只|头|株|倍|套|批|宗|起))"
)


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
    if is_cjk_text(stripped) or _ZH_NUMBERING.match(stripped):
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
    >>> split_heading_tail("2. Cooling", "infrastructure Cities with many people should open centres.")
    ('infrastructure', 'Cities with many people should open centres.')
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
        if bare[:1].islower() and bare.lower() not in _FUNCTION_WORDS:
            title_case = False  # "2. Cooling" / "infrastructure Cities ...": a sentence-case heading
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


_OPENERS = frozenset(
    [
        "the",
        "in",
        "we",
        "our",
        "this",
        "it",
        "since",
        "according",
        "under",
        "on",
        "at",
        "by",
        "from",
        "to",
        "as",
    ]
)


def _title_case_tail(heading: str, continuation: str, max_words: int) -> tuple[str, str] | None:
    """A title-case heading whose second half starts in capitals and runs into its body.

    ("1. Expanding the Control", "Areas to Inland Waterways The ministry said ...") gives
    ("Areas to Inland Waterways", "The ministry said ..."). Only a run of title-case words
    ended by a capitalised sentence opener qualifies, so a heading followed by its own
    body ("By 2025, the country will ...") is left alone.

    >>> _title_case_tail("1. Expanding the Control",
    ...     "Areas to Inland Waterways The ministry said it would study the limits.", 20)
    ('Areas to Inland Waterways', 'The ministry said it would study the limits.')
    >>> _title_case_tail("I. Background", "The plan was issued in 2021 by the ministry.", 20) is None
    True
    """
    words = _words(continuation)
    budget = max_words - len(_words(heading))
    for i, word in enumerate(words[: max(budget, 0) + 1]):
        if i == 0:
            if not word[:1].isupper() or word.lower() in _OPENERS:
                return None
            continue
        bare = word.strip("\"'“‘(")
        if re.search(r"[,.;:!?]$", words[i - 1]):
            return None
        if bare.lower() in _OPENERS and bare[:1].isupper():
            nxt = words[i + 1] if i + 1 < len(words) else ""
            if nxt[:1].islower() and len(words) - i >= 4:
                return " ".join(words[:i]), " ".join(words[i:])
            return None
        if not (bare[:1].isupper() or bare.lower() in _FUNCTION_WORDS):
            return None
    return None


# A Chinese heading cut after a verb or a linking character cannot end there ("（三）加强").
_ZH_OPEN_END = re.compile(
    r"(?:加强|强化|推进|推动|严格|完善|加快|提升|实施|深化|持续|全面|建立|健全|开展|落实|做好|抓好|坚持|"
    r"统筹|优化|积极|大力|切实|着力|聚焦|突出|促进|构建|打好|深入|进一步|[的和与及对在等])$"
)


def _label_only(heading: str) -> bool:
    """A heading that is a number and nothing else ("Article 3", "Part II"): its title follows.

    >>> _label_only("Article 3"), _label_only("Article 3 Scope"), _label_only("2.")
    (True, False, False)
    """
    stripped = heading.strip()
    m = _EN_NUMBERING.match(stripped + " ")
    return m is not None and not stripped[m.end() :].strip() and bool(re.search(r"[A-Za-z]{2}", stripped))


def _title_line(text: str) -> bool:
    """A short line without closing punctuation, not numbered: the title under a label-only heading.

    >>> _title_line("Scope of application"), _title_line("Plants must release 10 percent of the flow.")
    (True, False)
    """
    stripped = text.strip()
    return (
        0 < len(stripped.split()) <= 8
        and not re.search(r"[.!?;:,]$", stripped)
        and not _EN_NUMBERING.match(stripped)
        and stripped[:1].isupper()
    )


def _zh_heading_tail(continuation: str, heading: str = "") -> tuple[str, str] | None:
    """Chinese: the heading's end is a short unpunctuated run before a space or the end.

    When the heading stops on a verb and its continuation is a whole sentence with no space
    to tell where the heading ends, the continuation is joined as it stands, as in English.

    >>> _zh_heading_tail("截污治污 截至目前，已建成管网420公里。")
    ('截污治污', '截至目前，已建成管网420公里。')
    >>> _zh_heading_tail("秸秆禁烧和扬尘管控，各地累计出动巡查人员3.6万人次。", "（三）加强")
    ('秸秆禁烧和扬尘管控，各地累计出动巡查人员3.6万人次。', '')
    >>> _zh_heading_tail("我厅已会同有关部门完成排查。", "一、关于排污口整治") is None
    True
    """
    first, _, rest = continuation.partition(" ")
    if len(first) <= 16 and not re.search(r"[，。；：、！？]", first):
        if not rest:
            return (first, "") if not ends_sentence(first) else None
        return first, rest
    if _ZH_OPEN_END.search(heading.strip()) and not _ZH_NUMBERING.match(continuation):
        return continuation, ""
    return None


_ZH_GLUED = re.compile(
    r"^(?P<head>(?:[一二三四五六七八九十百]+[、.．]|[（(][一二三四五六七八九十\d]+[)）])\s*"
    r"[^\s，。；：、！？,;:]{2,30})\s+(?P<body>\S.{9,})$"
)


def split_glued_zh_heading(text: str) -> tuple[str, str] | None:
    """A Chinese numbered heading with its body glued on after a space, as heading and body.

    >>> split_glued_zh_heading("一、提升源头分类质量 各区要推进居住区垃圾箱房改造，年底前完成。")
    ('一、提升源头分类质量', '各区要推进居住区垃圾箱房改造，年底前完成。')
    >>> split_glued_zh_heading("第一条 为了保护和改善生态环境，制定本条例。") is None
    True
    >>> split_glued_zh_heading("（二）推进工业源深度治理。对重点行业实施改造。") is None
    True
    """
    m = _ZH_GLUED.match(text.strip())
    if m is None or not is_cjk_text(text) or not ends_sentence(m.group("body")):
        return None
    return m.group("head"), m.group("body")


_ZH_HEADING_MAX = 30
_ZH_PROSE_MIN = 60


def _zh_heading_above_prose(prev: str, nxt: str) -> bool:
    """A short Chinese line of two phrases ("生态优先、绿色发展，推进黄河生态保护治理") above a long
    paragraph that is whole on its own (it ends a sentence and opens with a name or a clause of
    its own, not a word's second half): a section heading, not the first half of a sentence.
    """
    head = prev.strip()
    return (
        len(head) <= _ZH_HEADING_MAX
        and head[-1] not in "，、,；;：:"
        and len(nxt) >= _ZH_PROSE_MIN
        and ends_sentence(nxt)
        and re.search(r"[，,][^，,]{4,}$", head) is not None
        and re.match(
            r"[\u4e00-\u9fff]{2,}(?:省|市|县|区|部|局|厅|委|会|院)|[\u4e00-\u9fff]{2,4}(?:介绍|表示|说|指出)",
            nxt,
        )
        is not None
    )


def continues_sentence(prev: str, nxt: str) -> bool:
    """Whether *nxt* is the rest of a sentence that *prev* left open."""
    if ends_sentence(prev) or not nxt:
        return False
    if is_cjk_text(prev) or is_cjk_text(nxt):
        if _ZH_NUMBERING.match(nxt):
            return False
        if nxt[0] in _ZH_STARTS_SENTENCE_BAD or _ZH_COUNT_START.match(nxt) or prev.rstrip()[-1] in "，、,":
            return True
        if not ends_sentence(nxt) and len(nxt) <= 20 and not re.search(r"[，、；,;]", nxt):
            return False  # a title line (a teaser, a heading) is not the rest of a sentence
        if _zh_heading_above_prose(prev, nxt):
            return False
        # Only prose (with a comma inside) is left open; titles and signature lines are not.
        return re.search(r"[，；,]", prev) is not None
    if starts_lowercase(nxt):
        return True
    last = prev.split()[-1].strip("\"'”’(").lower() if prev.split() else ""
    if last in _FUNCTION_WORDS and last not in {"as", "than", "via", "per"} and nxt[:1].isupper():
        return not _EN_NUMBERING.match(nxt)  # "signed by the" / "Provincial Department of ..."
    return bool(re.match(r"\d", nxt)) and (last in _DANGLING or prev.rstrip().endswith(","))


def _is_stub(text: str) -> bool:
    """A paywall notice or a gate line: never the rest of the article's last sentence."""
    return stub_strength(text) is not None or gate_line(text)


def _glue(prev: str, nxt: str) -> str:
    # Chinese pieces meet without a space, quotes and title marks included ("推进" + "“无废园区”建设").
    cjk_edge = re.search(rf"[{CJK_CLASS}\d%，、“”「」《》（）]$", prev) and re.match(
        rf"[{CJK_CLASS}\d，、。；“「《（]", nxt
    )
    if cjk_edge and (is_cjk_text(prev) or is_cjk_text(nxt)):
        return prev + nxt
    return f"{prev} {nxt}"


def _heading_pieces(prev: str, text: str, max_heading_words: int) -> tuple[str, str] | None:
    """The rest of the numbered heading *prev* found at the start of *text*, and the body after it."""
    if is_cjk_text(prev) or is_cjk_text(text):
        return None if _ZH_NUMBERING.match(text) else _zh_heading_tail(text, prev)
    if starts_lowercase(text):
        return split_heading_tail(prev, text, max_heading_words)
    if _is_title_case(prev):
        return _title_case_tail(prev, text, max_heading_words)
    return None


def _join_heading(result: StepResult, i: int, text: str, max_heading_words: int) -> bool:
    """Join the rest of a numbered heading (input *i*) to the last output paragraph; True if done."""
    out, sources = result.paragraphs, result.sources
    prev = out[-1]
    pieces = _heading_pieces(prev, text, max_heading_words)
    if pieces is None:
        return False
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
        return True
    if body and starts_lowercase(body):
        out[-1] = f"{prev} {body}"
        sources[-1] = merged
        result.count("headings_joined")
        return True
    return False


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
        if out and not (is_table_row(out[-1]) or is_table_row(text)):  # a table's rows are whole
            prev = out[-1]
            if _label_only(prev) and _title_line(text):
                out[-1] = f"{prev} {text}"
                sources[-1] = sources[-1] + (i,)
                result.count("headings_joined")
                continue
            if is_numbered_heading(prev, max_heading_words) and not ends_sentence(prev):
                if _join_heading(result, i, text, max_heading_words):
                    continue
            elif continues_sentence(prev, text) and not _is_stub(text):
                out[-1] = _glue(prev, text)
                sources[-1] = sources[-1] + (i,)
                result.count("sentences_joined")
                continue
        glued = split_glued_zh_heading(text)
        if glued is not None:
            out.extend(glued)
            sources.extend([(i,), (i,)])
            result.count("headings_split")
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
        return self.run_core(repair_paragraphs, paragraphs, **self.options)

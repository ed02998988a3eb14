"""Strip page chrome, metadata lines, related-item blocks and trailing teasers from the body.

Body extraction on portals keeps what sits inside the article container: share bars, print
and font-size controls, view counters, editor and source lines, "related" blocks with a
teaser list, previous/next links and teasers of other items after the body. This step
removes them by the shape of the whole paragraph (a short line made only of chrome, a
labelled metadata line), never by a word found somewhere in a sentence.

- Related blocks: a heading such as "Correlation", "Related articles", 相关阅读, 延伸阅读
  removes itself and the run of teaser-shaped entries under it (titles, dates, titles with
  dates, "The title is ..." blurbs, a blurb dated on the next line, repeats of the body).
  The block ends at the first paragraph that reads as article prose. An inline "Read more:
  <link>" / "Related: ..." line is one line: the text after it stays.
- A 来源 / "Source:" line at the head or tail of the body (or inside a metadata line) gives
  the record's ``origin`` when it has none, and is removed. The value ends at the next
  metadata label ("Source: X Views: 1,024" gives "X"); an ``origin`` extraction took from the
  page is cut the same way.
- Lines about the piece rather than of it (:func:`reader_note_kind`): credit lines and bylines,
  editor's notes at the head or foot, keyword and print-edition lines, a dateline left without
  its paragraph, picture captions and agency credits, series notes, and the publisher promoting
  its own channels (a newsletter, an app, a podcast: an imperative opening the line and a
  channel named; mid-body only when it speaks as "we" or stands in a run of such lines).
- Trailing teasers: after the body, stray date lines and blurbs of other items ("The title
  is ...", 标题为……) are removed; an unrelated paragraph is removed only after such a
  boundary (a date line, or a related block with that one paragraph left under it).

The words (headings, controls, labels, dates) come from :mod:`crawler.vocabulary`, shared
with body extraction. Each removed paragraph gets a note saying why, for the audit trail.

Settings: ECOPOLICY_BOILERPLATE_ENABLED (bool, default True),
ECOPOLICY_BOILERPLATE_RELATED_HEADINGS (list[str], extra related-block headings).
Stats / ``cleaning`` keys: cleaning/boilerplate/boilerplate_removed,
cleaning/boilerplate/related_removed, cleaning/boilerplate/teaser_removed,
cleaning/boilerplate/origin_found.
"""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from crawler import vocabulary
from pipelines._step import CleaningPipeline, StepResult, filter_result
from pipelines._text import (
    EN_STOPWORDS,
    PARAGRAPH_CACHE,
    comparison_key,
    is_cjk_text,
    length_units,
    tokens,
    words,
)

if TYPE_CHECKING:
    from collections.abc import Iterable

    from itemadapter import ItemAdapter
    from scrapy.settings import BaseSettings

RELATED_HEADINGS = frozenset(comparison_key(h) for h in vocabulary.RELATED_HEADINGS)

_DATE = vocabulary.DATE_PATTERN
_TIME = vocabulary.TIME_PATTERN
_DATE_LABEL = rf"(?:{vocabulary.alternation(vocabulary.DATE_LABELS)})"
# A date with a time, a numeric date, or any labelled date: portal metadata, not text.
_DATE_LINE = re.compile(
    rf"^[\[(（【]?\s*(?:{_DATE_LABEL}\s*[:：]?\s*)?(?:{_DATE}{_TIME}|\d{{4}}[-/.]\d{{1,2}}[-/.]\d{{1,2}}{_TIME}?)"
    rf"\s*[\])）】]?$|^[\[(（【]?\s*{_DATE_LABEL}\s*[:：]?\s*{_DATE}{_TIME}?\s*[\])）】]?$",
    re.IGNORECASE,
)
_LABELS = vocabulary.alternation(vocabulary.METADATA_LABELS, boundary=True)
_LABEL_ENDINGS = tuple(
    sorted({label.casefold() for label in vocabulary.METADATA_LABELS}, key=len, reverse=True)
)
_COLON = re.compile(r"\s*[:：]")


@lru_cache(maxsize=PARAGRAPH_CACHE)
def metadata_labels(text: str) -> int:
    """How many "label:" fields *text* holds (发布时间：, Source:, Views:).

    Found from each colon backwards, so the cost follows the colons, not the size of the list.

    >>> metadata_labels("发布时间：2023-05-22 来源：生态环境部"), metadata_labels("Reviews: 4")
    (2, 0)
    """
    folded = text.casefold()
    count = 0
    for m in _COLON.finditer(folded):
        head = folded[: m.start()]
        if not head.endswith(_LABEL_ENDINGS):
            continue
        label = next(label for label in _LABEL_ENDINGS if head.endswith(label))
        before = head[: -len(label)][-1:]
        latin = label[0].isascii() and label[0].isalpha()
        if not (latin and before.isalnum()):
            count += 1
    return count


_SOURCE_LINE = re.compile(
    rf"^[\[(（【]?\s*(?:{vocabulary.alternation(vocabulary.SOURCE_LABELS, boundary=True)})"
    r"\s*[:：]\s*(?P<origin>[^\])）】]{1,80}?)\s*[\])）】]?\s*$",
    re.IGNORECASE,
)
# The next field of a metadata line: a label with its colon or its number ("Views: 1,024",
# "浏览次数12"), or a field separator. A value such as ``origin`` ends there.
_NEXT_FIELD = re.compile(rf"\s*(?:(?:{_LABELS})\s*(?:[:：]|\d)|[|｜])", re.IGNORECASE)
_SOURCE_IN_META = re.compile(
    rf"(?:{vocabulary.alternation(vocabulary.SOURCE_LABELS, boundary=True)})\s*[:：]\s*(?P<origin>.+)",
    re.IGNORECASE,
)
_CREDIT_LINE = re.compile(
    rf"^[\[(（【]?\s*(?:{vocabulary.alternation(vocabulary.CREDIT_LABELS, boundary=True)})"
    r"\s*[:：]?\s*[\w\s·,，、.\-/|]{0,40}[\])）】]?$",
    re.IGNORECASE,
)
_VIEWS_LINE = re.compile(
    rf"(?:{vocabulary.alternation(vocabulary.VIEWS_LABELS, boundary=True)})\s*[:：]?\s*\d[\d,]*|"
    r"\d[\d,]*\s*(?:views|reads|次浏览|人阅读|次阅读)",
    re.IGNORECASE,
)
_DIGIT = re.compile(r"\d")  # every views count has one: a quick test before the long pattern
_CHROME_WORDS = re.compile(vocabulary.alternation(vocabulary.CHROME_WORDS), re.IGNORECASE)
_FOOTER = re.compile(
    rf"{vocabulary.alternation(vocabulary.FOOTER_PHRASES)}|copyright\b|"
    r"^(?:sign up|subscribe|register) (?:for|to) (?:our|the|this) (?:[\w-]+ ){0,3}"
    r"(?:newsletters?|daily|weekly|briefing)|"
    rf"^(?:{vocabulary.alternation(vocabulary.LOCATION_LABELS)})\s*[:：>]|"
    r"^(?:点击查看原文|点击查看|阅读原文|原文链接|查看原文|click here|click to view|view original)|"
    r"^scan (?:the |this )?(?:qr )?code\b",
    re.IGNORECASE,
)
_BREADCRUMB = re.compile(r"^(?:[^<>»/]{1,16}\s*[>»›]\s*){2,}[^<>»]{0,30}$")
_NAV_LINE = re.compile(
    rf"^[\[(（【]?\s*(?:{vocabulary.alternation(vocabulary.NAV_WORDS)})\s*[\])）】]?\s*(?:[:：]|$)",
    re.IGNORECASE,
)
_TEASER_SHAPE = re.compile(
    r"^(?:the title is|titled\b|title:|标题为|题为|标题：|this (?:article|item|report|page|document) "
    r"(?:is about|introduces|describes|covers|presents)|this is about|本文(?:介绍|讲述|主要)|"
    r"该文(?!章)|这是关于|"
    r"the (?:table|chart|data set|dataset) (?:lists|gives|presents)|"
    r"该(?:数据表|表格|图表|数据集)(?:列出|给出|介绍|统计))",
    re.IGNORECASE,
)
# Related-block headings by their make-up ("Related coverage", "More from this section",
# 相关稿件, 往期回顾): a qualifier and a list noun, nothing else on the line.
_RELATED_SHAPE = re.compile(
    rf"^(?:(?:{vocabulary.alternation(vocabulary.RELATED_QUALIFIERS)})\s+"
    rf"(?:{vocabulary.alternation(vocabulary.RELATED_NOUNS)}|"
    r"from (?:this|the|our) (?:section|site|author|desk)|"
    r"on this (?:topic|story|subject|issue)|like this|for you)|(?:read|up|what to read|watch) next|"
    r"you (?:may|might) (?:also )?(?:like|enjoy|be interested in)|don'?t miss|also on [\w\s]{1,30}|"
    r"(?:(?:explore|discover) )?more (?:from|in|on|about) [\w\s']{1,30}|"
    r"also (?:in|from) [\w\s']{1,30})$|"
    rf"^(?:{vocabulary.alternation(vocabulary.RELATED_ZH_PREFIXES)})"
    rf"(?:{vocabulary.alternation(vocabulary.RELATED_ZH_SUFFIXES)})$",
    re.IGNORECASE,
)
_INLINE_RELATED = re.compile(
    r"^[\[(（【]?\s*(?P<head>[^:：\])）】]{1,20})[\])）】]?\s*[:：]\s*(?P<rest>.*)$",
)


# A line naming a list of other items: at the foot of the page, above nothing but teasers, it
# heads a related block whatever its exact wording ("In other news", "Stories you might have
# missed", 阅读推荐).
_LIST_NAME = re.compile(
    rf"\b(?:{vocabulary.alternation(vocabulary.LIST_NAME_WORDS)})\b|"
    rf"{vocabulary.alternation(vocabulary.LIST_NAME_ZH)}",
    re.IGNORECASE,
)


def _names_a_list(text: str) -> bool:
    """A short unpunctuated line with a word that names a list of items.

    >>> _names_a_list("In other news"), _names_a_list("阅读推荐"), _names_a_list("生态环境部召开新闻发布会")
    (True, True, False)
    """
    stripped = text.strip().strip("【】[]")
    short = len(words(stripped)) <= 6 if not is_cjk_text(stripped) else len(stripped) <= 8
    return short and not re.search(r"[.!?。！？；;,，]$", stripped) and bool(_LIST_NAME.search(stripped))


def _heading_key(text: str) -> str:
    return comparison_key(text)


def is_related_heading(text: str, extra: frozenset[str] = frozenset()) -> bool:
    """Whether *text* is the heading of a related-items block (alone, or leading a teaser).

    >>> is_related_heading("Correlation"), is_related_heading("【相关阅读】")
    (True, True)
    >>> is_related_heading("相关阅读：《通知》")
    True
    >>> is_related_heading("Related policies were issued in 2022.")
    False
    """
    key = _heading_key(text)
    if key in RELATED_HEADINGS or key in extra or _NAV_LINE.match(text.strip()):
        return True
    if _RELATED_SHAPE.match(key):
        return True
    m = _INLINE_RELATED.match(text.strip())
    if m and length_units(m.group("rest")) <= 40:
        head = _heading_key(m.group("head"))
        return head in RELATED_HEADINGS or head in extra
    return False


def is_date_line(text: str) -> bool:
    """Whether *text* is only a publication timestamp (portal metadata).

    A bare Chinese date without a time ("2023年5月22日") is the signature date of a
    document and stays.

    >>> is_date_line("2023-05-22 13:17:00"), is_date_line("发布时间：2023年05月22日")
    (True, True)
    >>> is_date_line("2023年5月22日")
    False
    >>> is_date_line("Published: May 22, 2023"), is_date_line("On May 22, 2023, the plan was issued.")
    (True, False)
    """
    return len(text) <= 60 and bool(_DATE_LINE.match(text.strip()))


def is_chrome_line(text: str) -> bool:
    """Whether *text* is made only of page controls (print, share, font size, close).

    >>> is_chrome_line("【打印本页】【关闭窗口】"), is_chrome_line("字号：大 中 小")
    (True, True)
    >>> is_chrome_line("Share: Facebook | X")
    True
    >>> is_chrome_line("Print shops were closed."), is_chrome_line("大气污染防治")
    (False, False)
    """
    if len(text) > 80:
        return False
    rest = _CHROME_WORDS.sub(" ", text)
    rest = re.sub(r"[\W_\d]+", "", rest)
    return not rest and bool(_CHROME_WORDS.search(text))


def source_value(text: str) -> str | None:
    """The publishing body named by a source line or a metadata line, if any.

    >>> source_value("来源：河南省生态环境厅"), source_value("Source: Ministry of Ecology and Environment")
    ('河南省生态环境厅', 'Ministry of Ecology and Environment')
    >>> source_value("发布时间：2023-05-22 来源：生态环境部 浏览次数：12")
    '生态环境部'
    >>> source_value("Source: Xinhua Views: 1,024"), source_value("来源：中国环境报点击数：36")
    ('Xinhua', '中国环境报')
    """
    m = _SOURCE_IN_META.search(text) if metadata_labels(text) >= 2 else None
    m = m or _SOURCE_LINE.match(text.strip())
    if m is None:
        return None
    return origin_value(m.group("origin"))


def origin_value(value: str) -> str | None:
    """*value* cut where the next field of its metadata line starts, or None when nothing is left.

    The value after "Source:" / 来源 runs to the next label ("Views:", 浏览次数, 点击数, 作者,
    发布时间, ...), a field separator, a wide gap or a trailing date. Also applied to an
    ``origin`` that extraction took from the page, which may run on the same way.

    >>> origin_value("X Views: 1,024"), origin_value("宁夏日报　作者：马丽")
    ('X', '宁夏日报')
    >>> origin_value("Reuters | 2024-04-18")
    'Reuters'
    >>> origin_value("生态环境部 2023-05-22 10:30"), origin_value("Views: 12")
    ('生态环境部', None)
    """
    value = _NEXT_FIELD.split(value.strip(), maxsplit=1)[0]
    value = re.split(r"\s{2,}|\u3000", value.strip())[0]
    value = re.sub(rf"\s*{_DATE}{_TIME}?$", "", value)
    value = value.strip(" \t|·,，;；[]()（）【】")
    return value or None


def boilerplate_kind(text: str, *, at_edge: bool) -> str | None:
    """Why *text* is page furniture, or None when it is article text.

    *at_edge*: whether the paragraph sits at the head or tail of the body, where source and
    credit lines are metadata (inside the body a "Source:" line is a figure credit).

    >>> boilerplate_kind("责任编辑：王丽", at_edge=False), boilerplate_kind("浏览次数：1234", at_edge=False)
    ('boilerplate', 'boilerplate')
    >>> boilerplate_kind("Residents can subscribe to air-quality alerts.", at_edge=True) is None
    True
    """
    stripped = text.strip()
    units = length_units(stripped)
    if units > 45:
        return None
    if is_date_line(stripped) or is_chrome_line(stripped) or _NAV_LINE.match(stripped):
        return "boilerplate"
    if units <= 30 and _FOOTER.search(stripped):
        return "boilerplate"
    if _BREADCRUMB.match(stripped) and units <= 20:
        return "boilerplate"
    if metadata_labels(stripped) >= 2:
        return "boilerplate"
    if units <= 12 and _DIGIT.search(stripped) and _VIEWS_LINE.search(stripped):
        return "boilerplate"
    if (_CREDIT_LINE.match(stripped) and units <= 12) or _credit_pairs(stripped):
        return "boilerplate"
    if _SOURCE_LINE.match(stripped) and at_edge:
        return "boilerplate"
    if (_BYLINE.match(stripped) or _ORIGINAL_TITLE.match(stripped)) and at_edge:
        return "boilerplate"
    if _END_MARK.match(stripped):
        return "boilerplate"
    return None


_CREDIT_LABEL = re.compile(
    r"(?:责任编辑|编辑|责编|审核|审校|校对|初审|复审|终审|编审|监制|美编|作者|撰稿|记者|通讯员|供稿|摄影|翻译|"
    r"\beditors?\b|\breviewer\b|\bproofreader\b|\bauthors?\b|\breporters?\b|\bphotos?\b)\s*[:：]",
    re.IGNORECASE,
)


def _credit_pairs(text: str) -> bool:
    """A line of several credits ("责任编辑：杨帆　审核：刘强"): labels with short names only.

    >>> _credit_pairs("责任编辑：杨帆　审核：刘强"), _credit_pairs("Editor: Li Wen | Reviewer: Zhang Hua")
    (True, True)
    >>> _credit_pairs("编辑：本报。记者：今天，省里召开会议研究部署工作")
    False
    """
    if not _CREDIT_LABEL.match(text.lstrip(" [(（【")):
        return False
    marks = list(_CREDIT_LABEL.finditer(text))
    if len(marks) < 2 or text[: marks[0].start()].strip(" [(（【"):
        return False
    ends = [m.start() for m in marks[1:]] + [len(text)]
    spans = zip(marks, ends, strict=True)
    values = [text[m.end() : end].strip(" |｜/\u3000[]()（）【】") for m, end in spans]
    return all(0 < len(v) <= 20 and not re.search(r"[。，；！？.!?]", v) for v in values)


# "By Jane Smith", "By Jane Smith and Li Wen, Reuters": a byline at the head or foot of the body.
_NAME = r"[A-Z][\w'.-]+(?:\s+[A-Z][\w'.-]+){0,3}"
_BYLINE = re.compile(rf"^[Bb]y\s+{_NAME}(?:\s*(?:,|and|&)\s*{_NAME}){{0,3}}$")
# A reprint's "原标题：《...》" line and a wire story's end mark "（完）".
_ORIGINAL_TITLE = re.compile(r"^[\[(（【]?\s*(?:原标题|原题|original title)\s*[:：]", re.IGNORECASE)
_END_MARK = re.compile(r"^[\[(（【]\s*(?:完|全文完|end)\s*[\])）】]$", re.IGNORECASE)
_BARE_DATE = re.compile(rf"^[\[(（【]?\s*{_DATE}\s*[\])）】]?$", re.IGNORECASE)


# Lines about the piece rather than of it, each told by its whole shape (a label or a role at
# its start, a short length, no sentence of the article around the label).
_V = vocabulary
_CREDIT_ROLE_LINE = re.compile(
    rf"^[—–-]*\s*[\[(]?\s*(?:{_V.alternation(_V.CREDIT_ROLES)})\s+by\s+[A-Z]", re.IGNORECASE
)
_PRODUCED_BY = re.compile(
    r"^(?:the |this )?(?:[\w ]{0,20}\b)?(?:episode|story|article|report|segment|piece|update)\b[\w ]{0,20}?"
    r"\bwas (?:produced|edited|reported|written|updated)(?: and (?:produced|edited|reported|written))? by\b",
    re.IGNORECASE,
)
_SLASH_BYLINE = re.compile(rf"^(?:{_V.alternation(_V.BYLINE_MARKS)})\s*[/／|｜]\s*[\w·•\s、,，]{{1,24}}$")
_EDITOR_NOTE = re.compile(
    rf"^[\[(（【]?\s*(?:{_V.alternation(_V.EDITOR_NOTE_LABELS)})\s*[:：]", re.IGNORECASE
)
_KEYWORD_LINE = re.compile(
    rf"^[\[(（【]?\s*(?:{_V.alternation(_V.KEYWORD_LABELS, boundary=True)})\s*[:：]", re.IGNORECASE
)
_PRINT_EDITION = re.compile(
    rf"^《\s*[^》]{{2,15}}?\s*》\s*[（(]\s*{_DATE}\s*(?:第\s*)?\d{{1,3}}\s*版\s*[)）]$"
)
_DATELINE_STUB = re.compile(r"^[A-Z][\w.&'-]*(?:\s+[A-Z][\w.&'-]*){0,3}\s*(?:—|–|--)$")
_CAPTION_LINE = re.compile(
    rf"^(?:图为|(?:{_V.alternation(_V.CAPTION_LABELS, boundary=True)})\s*"
    r"(?:(?:来自|来源于|来源|由|credits?|courtesy(?: of)?|by)\b\s*[:：]?|[:：|｜]))",
    re.IGNORECASE,
)
_AGENCY_CREDIT = re.compile(
    r"^[A-Z][\w.&'-]*(?: [A-Z][\w.&'-]*){0,2}(?:\s*/\s*[A-Z][\w.&'-]*(?: [A-Z][\w.&'-]*){0,2}){1,2}$"
)
_ACRONYM = re.compile(r"\b[A-Z]{2,}\b")
# The imperative opens the line, or follows a label ("On Twitter: Follow …") or a question put
# to the reader ("Want us to cover more? Email us at …", 喜欢这篇文章？去 App 商店搜……).
_PROMO_VERB = re.compile(
    r"^(?:[^.!?。！？:：]{1,60}[?？]\s*|[\w ]{1,20}[:：]\s*)?"
    rf"(?:{_V.alternation(_V.PROMO_VERBS, boundary=True)})",
    re.IGNORECASE,
)
# A channel: a named one, an e-mail address, or a web address the reader is sent to.
_PROMO_CHANNEL = re.compile(
    rf"{_V.alternation(_V.PROMO_CHANNELS, boundary=True)}|[\w.+-]+@[\w-]+\.[\w.]+|"
    r"\b(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|org|net|gov|edu|cn|uk|au|io)\b",
    re.IGNORECASE,
)
# A series note speaks of the piece itself ("This story is part of a series …", 本文系……系列报道之一).
_SERIES_NOTE = re.compile(
    r"^(?:(?:this|the) (?:story|article|report|piece|post|episode|interview|feature)\b.{0,30}?|本文.{0,30}?)"
    rf"(?:{_V.alternation(_V.SERIES_NOTES)})",
    re.IGNORECASE,
)
_SENTENCE_MARKS = re.compile(r"[.!?。！？；;]\s*\S")  # a second sentence after the first
_SOURCE_LABEL_AT = re.compile(
    rf"(?:{_V.alternation(_V.SOURCE_LABELS, boundary=True)})\s*[:：]", re.IGNORECASE
)
_CREDIT_LABEL_WORD = re.compile(rf"{_V.alternation(_V.CREDIT_LABELS, boundary=True)}", re.IGNORECASE)


def promotion(text: str) -> bool:
    """A line shaped like a promotion of channels: an imperative opening a sentence ("Get …",
    "Listen to … on Spotify", 去 App 商店搜……), a channel named, a short line. Article text
    reports what others do ("Residents can follow alerts on Twitter") and is not opened by the
    imperative.

    >>> promotion("Listen to Short Wave on Spotify and Apple Podcasts."), promotion("Follow the law.")
    (True, False)
    """
    return length_units(text) <= 30 and bool(_PROMO_VERB.search(text)) and bool(_PROMO_CHANNEL.search(text))


def _own_promotion(text: str, at_edge: bool) -> bool:
    """A promotion by the publisher of its own channels: it speaks as "we" ("Get our newsletter",
    "Email us at …", 我们) or stands at the head or foot of the body. An account the article
    itself points to in mid-body ("Follow @Agency on Twitter for updates on the event") stays,
    unless it stands in a run of such lines (:func:`_promotion_run_pass`)."""
    return promotion(text) and (at_edge or bool(_FIRST_PERSON.search(text)))


_FIRST_PERSON = re.compile(r"\b(?:our|us|we)\b|我们|本报|本刊|本台", re.IGNORECASE)


def _credit_with_source(text: str, units: int) -> bool:
    """A reporter credit and a source field on one line ("本报记者 张三 来源：中国青年报")."""
    m = _SOURCE_LABEL_AT.search(text)
    if m is None or units > 40 or not m.start():
        return False
    head = text[: m.start()]
    return (
        length_units(head) <= 12
        and not re.search(r"[。，；！？,.;!?]", head)
        and bool(_CREDIT_LABEL_WORD.search(head))
    )


def reader_note_kind(text: str, *, at_edge: bool) -> str | None:
    """Why *text* is a line about the piece (credit, caption, promotion, note), or None.

    >>> reader_note_kind("Reporting by Jane Doe; Editing by John Roe", at_edge=False)
    'a credit line'
    >>> reader_note_kind("图为浦东新区合庆镇益民村民委员会", at_edge=False)
    'a picture caption or credit'
    >>> reader_note_kind("Get our free weekly newsletter", at_edge=False)
    "a promotion of the publisher's channels"
    >>> reader_note_kind("Residents can follow flood alerts on Twitter.", at_edge=True) is None
    True
    """
    stripped = text.strip()
    units = length_units(stripped)
    if _EDITOR_NOTE.match(stripped) and at_edge and units <= 120:
        return "an editor's note about the piece"
    if units > 45:
        return None
    if _CREDIT_ROLE_LINE.match(stripped) or _SLASH_BYLINE.match(stripped):
        return "a credit line"
    if at_edge and (_PRODUCED_BY.match(stripped) or _credit_with_source(stripped, units)):
        return "a credit line"
    if (_KEYWORD_LINE.match(stripped) and units <= 20) or _PRINT_EDITION.match(stripped):
        return "a keyword or print-edition line"
    if _DATELINE_STUB.match(stripped):
        return "a dateline left without its paragraph"
    if (_CAPTION_LINE.match(stripped) and units <= 25 and not _SENTENCE_MARKS.search(stripped)) or (
        _AGENCY_CREDIT.match(stripped) and _ACRONYM.search(stripped)
    ):
        return "a picture caption or credit"
    if _own_promotion(stripped, at_edge):
        return "a promotion of the publisher's channels"
    if _SERIES_NOTE.match(stripped) and units <= 40:
        return "a note placing the piece in a series"
    return None


@lru_cache(maxsize=PARAGRAPH_CACHE)
def _content(text: str) -> frozenset[str]:
    toks = tokens(text)
    if is_cjk_text(text):
        return frozenset(map(operator.add, toks, toks[1:]))  # character pairs
    return frozenset(t for t in toks if t not in EN_STOPWORDS and not t.isdigit())


def _overlap(text: str, vocabulary: set[str] | frozenset[str]) -> float:
    content = _content(text)
    return len(content & vocabulary) / len(content) if content else 1.0


def _repeats(text: str, earlier: Iterable[str]) -> bool:
    """Whether *text* mostly repeats one earlier paragraph (a teaser of this very article)."""
    content = _content(text)
    if not content:
        return False
    return any(len(content & _content(e)) >= 0.8 * len(content) for e in earlier)


def _is_teaser_item(text: str) -> bool:
    """A list entry of a related block: a title, a date, a title with a date."""
    stripped = text.strip()
    if is_date_line(stripped) or _TEASER_SHAPE.match(stripped):
        return True
    units = length_units(stripped)
    if units <= 30 and _dated(stripped):
        return True
    return units <= 25 and not re.search(r"[.!?。！？；;]\s*[\"”’」]?$", stripped)


def _dated(text: str) -> bool:
    """A teaser that carries its date at the end ("... 2023-03-01")."""
    return bool(re.search(rf"{_DATE}{_TIME}?\s*[\])）】]?$", text.strip()))


@dataclass
class BoilerplateResult(StepResult):
    origin: str | None = None


@dataclass
class _Cuts:
    """What the passes decided so far: input index -> kind, and a note on why for the audit."""

    paragraphs: list[str]
    removed: dict[int, str] = field(default_factory=dict)
    notes: dict[int, str] = field(default_factory=dict)
    origin: str | None = None

    def cut(self, index: int, kind: str, note: str) -> None:
        self.removed[index] = kind
        self.notes[index] = note

    def kept(self) -> list[int]:
        return [k for k in range(len(self.paragraphs)) if k not in self.removed]


def _quote(text: str, size: int = 40) -> str:
    text = text.strip()
    return f"“{text[:size]}…”" if len(text) > size else f"“{text}”"


def _furniture_pass(cuts: _Cuts, edge: int) -> None:
    """Chrome, metadata, credit, navigation lines, each judged alone by its whole shape."""
    n = len(cuts.paragraphs)
    for i, text in enumerate(cuts.paragraphs):
        at_edge = i < edge or i >= n - edge
        kind = boilerplate_kind(text, at_edge=at_edge)
        note = "page furniture: a metadata, control or navigation line"
        if kind is None and len(cuts.removed) == i and _BARE_DATE.match(text.strip()):
            kind = "boilerplate"  # a date alone above the body is its dateline (at the foot: a signature)
        if kind is None and (why := reader_note_kind(text, at_edge=at_edge)):
            kind, note = "boilerplate", f"page furniture: {why}"
        if kind is None:
            continue
        cuts.cut(i, kind, note)
        if cuts.origin is None:
            cuts.origin = source_value(text)


def _promotion_run_pass(cuts: _Cuts) -> None:
    """Promotion-shaped lines next to a removed promotion are one notice with it ("Email us at …" /
    "Listen to <show> on Spotify" / "Support us by signing up …")."""
    changed = True
    while changed:
        changed = False
        for i, text in enumerate(cuts.paragraphs):
            if i in cuts.removed or not promotion(text):
                continue
            beside = (cuts.notes.get(i - 1, ""), cuts.notes.get(i + 1, ""))
            if any("promotion" in note for note in beside):
                cuts.cut(i, "boilerplate", "page furniture: a promotion next to another")
                changed = True


def _is_inline_related(text: str, extra: frozenset[str]) -> bool:
    """A "Read more: <title>" line: the heading and its one link on one line."""
    m = _INLINE_RELATED.match(text.strip())
    return bool(m and m.group("rest").strip()) and _heading_key(text) not in RELATED_HEADINGS | extra


def _block_items(cuts: _Cuts, start: int, extra: frozenset[str], body_before: list[str]) -> list[int]:
    """The run of teaser-shaped paragraphs from *start*: the block a related heading introduces.

    Entries are titles, dates, titles with dates, teaser blurbs ("The title is ..."), repeats of
    this article's own text and a blurb right above a date line (an item with its date). The
    run ends at the first paragraph that reads as article prose.
    """
    items: list[int] = []
    paragraphs = cuts.paragraphs
    for j in range(start, len(paragraphs)):
        text = paragraphs[j]
        if j in cuts.removed:
            if cuts.removed[j] != "boilerplate":
                break
            items.append(j)
            continue
        if is_related_heading(text, extra) or _is_teaser_item(text) or _repeats(text, body_before):
            items.append(j)
            continue
        following = paragraphs[j + 1] if j + 1 < len(paragraphs) else ""
        if following and (is_date_line(following) or _BARE_DATE.match(following.strip())):
            items.append(j)  # a blurb, dated on the next line
            continue
        break
    return items


def _related_pass(cuts: _Cuts, extra: frozenset[str]) -> None:
    """Related blocks: a heading and the list it introduces, when the list has the shape of one.

    A heading alone on its line ("Related articles", 相关阅读) takes the run of teaser-shaped
    paragraphs under it; the block ends at the first paragraph that reads as article prose.
    An inline "Read more: <title>" line is one entry by itself: what follows it stays, unless
    it is furniture or another related line in its own right.
    """
    n = len(cuts.paragraphs)
    i = 0
    while i < n:
        text = cuts.paragraphs[i]
        if cuts.removed.get(i, "boilerplate") != "boilerplate" or not is_related_heading(text, extra):
            i += 1
            continue
        inline = _is_inline_related(text, extra)
        what = "inline related link (this line only)" if inline else "related-items heading"
        cuts.cut(i, "related", f"{what} {_quote(text)}")
        if inline:
            i += 1  # one line; a related heading under it is judged in its own turn
            continue
        body_before = [cuts.paragraphs[k] for k in range(i) if k not in cuts.removed]
        items = _block_items(cuts, i + 1, extra, body_before)
        if items:
            for j in items:
                cuts.cut(j, "related", f"entry of the related block under {_quote(text, 24)}")
            _unrelated_tail(cuts, items[-1] + 1, body_before)
            i = items[-1] + 1
        else:
            i += 1


_BLURB_MIN_CONTENT = 12
"""Content words (or character pairs) a trailing line needs before its vocabulary can say it is
unrelated to the article."""


def _unrelated_tail(cuts: _Cuts, start: int, body_before: list[str]) -> None:
    """The one paragraph left after a related block, when it is a blurb unrelated to the article.

    Below a related block, a blurb of another item ("该报告列出了…") reads as prose; what tells
    it from the article is that it stands alone at the very end, in one sentence or two, and
    says nothing the article says. Two paragraphs or more after the block are the article, and
    so is a short line: a closing sentence of a few content words ("The preliminary hearing is
    scheduled for June 26 at 9 am.") often shares none with the article, so its vocabulary is
    no evidence either way.
    """
    rest = [k for k in range(start, len(cuts.paragraphs)) if k not in cuts.removed]
    if len(rest) != 1 or not body_before:
        return
    text = cuts.paragraphs[rest[0]]
    if len(re.findall(r"[.!?。！？]", text.rstrip(".!?。！？ "))) > 1:
        return  # several sentences: prose, not a blurb
    if len(_content(text)) < _BLURB_MIN_CONTENT:
        return
    vocabulary_before = set().union(*(_content(p) for p in body_before))
    if _overlap(text, vocabulary_before) < 0.35:
        cuts.cut(rest[0], "related", "one blurb after a related block at the foot, unrelated to the article")


def _foot_list_pass(cuts: _Cuts) -> None:
    """A block at the foot under a heading no list holds: teasers up to the end of the page,
    under a short line that names a list ("In other news", 阅读推荐)."""
    items: list[int] = []
    for k in range(len(cuts.paragraphs) - 1, 0, -1):
        if cuts.removed.get(k, "boilerplate") != "boilerplate":
            break  # an already found block: anything above it is judged by the rules above
        text = cuts.paragraphs[k]
        if items and _names_a_list(text):
            for q in (k, *items):
                cuts.cut(q, "related", f"teaser list at the foot under {_quote(text, 24)}")
            return
        if k in cuts.removed:
            continue
        if not _is_teaser_item(text):
            return
        items.append(k)


def _trailing_teaser_pass(cuts: _Cuts) -> None:
    """Teasers of other items after the body, read from the end: stray date lines, blurbs shaped
    like teasers, and a paragraph right after a stray date line that shares little wording
    with the body above it."""
    kept = cuts.kept()
    for pos in range(len(kept) - 1, 0, -1):
        k = kept[pos]
        text = cuts.paragraphs[k]
        if is_date_line(text) or _TEASER_SHAPE.match(text.strip()):
            cuts.cut(k, "teaser", "teaser of another item after the body")
            continue
        if is_date_line(cuts.paragraphs[k - 1]):
            above = [cuts.paragraphs[q] for q in kept[:pos] if q < k - 1]
            vocabulary_above = set().union(*(_content(p) for p in above))
            if _overlap(text, vocabulary_above) < 0.3:
                cuts.cut(k, "teaser", "blurb of another item after a date line, unrelated to the body")
                continue
        return


def _foot_metadata_pass(cuts: _Cuts, edge: int) -> None:
    """Source and credit lines right above a removed block stand at the foot of the body too."""
    n = len(cuts.paragraphs)
    foot = n
    while foot > 0 and foot - 1 in cuts.removed:
        foot -= 1
    if foot == n:
        return
    for k in range(foot - 1, max(foot - 1 - edge, -1), -1):
        kind = boilerplate_kind(cuts.paragraphs[k], at_edge=True)
        if kind is None:
            return
        cuts.cut(k, kind, "page furniture at the foot of the body: a source or credit line")
        cuts.origin = cuts.origin or source_value(cuts.paragraphs[k])


def strip_boilerplate(paragraphs: list[str], *, related_headings: Iterable[str] = ()) -> BoilerplateResult:
    """Remove chrome, metadata lines, related blocks and trailing teasers; find the origin.

    >>> r = strip_boilerplate([
    ...     "来源：河南省生态环境厅", "5月19日，河南省生态环境厅发布答复。", "分享到：微信 微博",
    ...     "相关阅读", "关于印发通知的通知 2023-05-12", "责任编辑：王丽"])
    >>> r.paragraphs, r.origin
    (['5月19日，河南省生态环境厅发布答复。'], '河南省生态环境厅')
    >>> r.counts
    {'boilerplate_removed': 2, 'related_removed': 3, 'origin_found': 1}
    """
    extra = frozenset(comparison_key(h) for h in related_headings)
    cuts = _Cuts(list(paragraphs))
    edge = 2
    _furniture_pass(cuts, edge)
    _promotion_run_pass(cuts)
    _related_pass(cuts, extra)
    _foot_list_pass(cuts)
    _trailing_teaser_pass(cuts)
    _foot_metadata_pass(cuts, edge)

    result = filter_result(paragraphs, cuts.removed)
    counts: dict[str, int] = {}
    for what in ("boilerplate", "related", "teaser"):
        if m := sum(1 for r in cuts.removed.values() if r == what):
            counts[f"{what}_removed"] = m
    if cuts.origin:
        counts["origin_found"] = 1
    return BoilerplateResult(
        result.paragraphs, counts, result.sources, result.removed, notes=dict(cuts.notes), origin=cuts.origin
    )


class BoilerplatePipeline(CleaningPipeline):
    """Strip chrome, metadata lines, related blocks and trailing teasers; fill ``origin``."""

    step = "boilerplate"

    @classmethod
    def options_from_settings(cls, settings: BaseSettings) -> dict[str, Any]:
        return {"related_headings": tuple(settings.getlist("ECOPOLICY_BOILERPLATE_RELATED_HEADINGS"))}

    def clean(self, adapter: ItemAdapter, paragraphs: list[str]) -> StepResult:
        result = self.run_core(strip_boilerplate, paragraphs, **self.options)
        extracted = adapter.get("origin")
        if isinstance(extracted, str) and extracted:
            # The page's own value may run on into the next field ("X Views: 1,024").
            adapter["origin"] = origin_value(extracted) or result.origin
        elif result.origin:
            adapter["origin"] = result.origin
        return result

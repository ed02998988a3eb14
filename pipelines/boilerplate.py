"""Strip page chrome, metadata lines, related-item blocks and trailing teasers from the body.

Body extraction on portals keeps what sits inside the article container: share bars, print
and font-size controls, view counters, editor and source lines, "related" blocks with a
teaser list, previous/next links and teasers of other items after the body. This step
removes them by the shape of the whole paragraph (a short line made only of chrome, a
labelled metadata line), never by a word found somewhere in a sentence.

- Related blocks: a heading such as "Correlation", "Related articles", 相关阅读, 延伸阅读
  removes itself and the teasers after it (titles, dates, blurbs, repeats of the body).
  The block ends where body text that belongs to this article resumes.
- A 来源 / "Source:" line at the head or tail of the body (or inside a metadata line) gives
  the record's ``origin`` when it has none, and is removed.
- Trailing teasers: after the body, stray date lines and blurbs of other items ("The title
  is ...", 标题为……) are removed; an unrelated paragraph is removed only after such a
  boundary.

Settings: ECOPOLICY_BOILERPLATE_ENABLED (bool, default True),
ECOPOLICY_BOILERPLATE_RELATED_HEADINGS (list[str], extra related-block headings).
Stats / ``cleaning`` keys: cleaning/boilerplate/boilerplate_removed,
cleaning/boilerplate/related_removed, cleaning/boilerplate/teaser_removed,
cleaning/boilerplate/origin_found.
"""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from pipelines._step import CleaningPipeline, StepResult, filter_result
from pipelines._text import EN_STOPWORDS, comparison_key, is_cjk_text, length_units, tokens, words

if TYPE_CHECKING:
    from collections.abc import Iterable

    from itemadapter import ItemAdapter
    from scrapy.settings import BaseSettings

RELATED_HEADINGS = frozenset(
    comparison_key(h)
    for h in [
        "correlation",
        "correlations",
        "related",
        "related articles",
        "related article",
        "related news",
        "related stories",
        "related reading",
        "related readings",
        "related links",
        "related content",
        "related posts",
        "related topics",
        "related items",
        "related documents",
        "related reports",
        "related information",
        "relevant articles",
        "relevant news",
        "recommended",
        "recommended reading",
        "recommended articles",
        "recommended for you",
        "read more",
        "read also",
        "also read",
        "more news",
        "more stories",
        "more on this topic",
        "further reading",
        "extended reading",
        "see also",
        "you may also like",
        "you might also like",
        "popular articles",
        "hot recommendations",
        "guess you like",
        "most read",
        "most popular",
        "latest news",
        "相关",
        "相关阅读",
        "相关新闻",
        "相关链接",
        "相关文章",
        "相关报道",
        "相关推荐",
        "相关文档",
        "相关稿件",
        "相关内容",
        "相关专题",
        "相关资讯",
        "相关信息",
        "延伸阅读",
        "推荐阅读",
        "热点推荐",
        "热门推荐",
        "热门文章",
        "猜你喜欢",
        "更多新闻",
        "更多阅读",
        "更多资讯",
        "热点新闻",
        "热门新闻",
        "精彩推荐",
        "往期回顾",
        "往期推荐",
        "扩展阅读",
        "拓展阅读",
        "相关政策",
        "相关解读",
        "最新新闻",
        "最新资讯",
    ]
)

_DATE = (
    r"(?:\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?"
    r"|\d{1,2}\s+(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?,?\s+\d{4}"
    r"|(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2},?\s+\d{4})"
)
_TIME = (
    r"(?:\s*\d{1,2}[:：时]\d{2}(?:[:：分]\d{2}秒?)?\s*(?:分)?(?:\s*[AaPp]\.?[Mm]\.?)?"
    r"(?:\s*(?:GMT|UTC|CST|BST|CET|CEST|EST|EDT|PST|PDT|BJT)(?:\s*[+-]\s*\d{1,2}(?::?\d{2})?)?)?)"
)
_DATE_LABEL = (
    r"(?:发布时间|发布日期|更新时间|更新日期|时间|日期|发稿时间|成稿时间|"
    r"published(?: on| at)?|updated(?: on| at)?|"
    r"posted(?: on)?|release (?:time|date)|date(?: of release)?|time)"
)
# A date with a time, a numeric date, or any labelled date: portal metadata, not text.
_DATE_LINE = re.compile(
    rf"^[\[(（【]?\s*(?:{_DATE_LABEL}\s*[:：]?\s*)?(?:{_DATE}{_TIME}|\d{{4}}[-/.]\d{{1,2}}[-/.]\d{{1,2}}{_TIME}?)"
    rf"\s*[\])）】]?$|^[\[(（【]?\s*{_DATE_LABEL}\s*[:：]?\s*{_DATE}{_TIME}?\s*[\])）】]?$",
    re.IGNORECASE,
)
_META_LABEL = re.compile(
    r"(发布时间|发布日期|发布机构|信息来源|文章来源|稿件来源|来源|作者|浏览次数|浏览量|阅读量|阅读数|点击数|点击量|访问量|"
    r"字号|责任编辑|编辑|索引号|主题分类|发文机关|\bsource\b|\bauthor\b|\bpublished\b|\bupdated\b|\bviews\b|"
    r"\beditor\b|release time|release date|font size|\bclicks\b|\bhits\b)\s*[:：]",
    re.IGNORECASE,
)
_SOURCE_LINE = re.compile(
    r"^[\[(（【]?\s*(?:信息来源|文章来源|稿件来源|新闻来源|本文来源|本稿来源|消息来源|来源|source|"
    r"information source|news source)"
    r"\s*[:：]\s*(?P<origin>[^\])）】]{1,80}?)\s*[\])）】]?\s*$",
    re.IGNORECASE,
)
_SOURCE_IN_META = re.compile(
    r"(?:信息来源|文章来源|稿件来源|来源|\bsource\b)\s*[:：]\s*(?P<origin>.+?)\s*"
    r"(?=(?:发布|作者|编辑|责任编辑|浏览|阅读|点击|访问|字号|时间|日期|\bauthor\b|\beditor\b|\bviews\b|"
    r"\bpublished\b|\bupdated\b|\bfont\b|\|)|$)",
    re.IGNORECASE,
)
_CREDIT_LINE = re.compile(
    r"^[\[(（【]?\s*(?:责任编辑|编辑|责编|审核|审校|校对|初审|复审|终审|编审|监制|美编|值班编辑|网络编辑|"
    r"作者|撰稿|记者|通讯员|供稿|摄影|翻译|editor|editors|editor in charge|responsible editor|edited by|"
    r"proofread(?:ed)? by|reviewed by|author|authors|reporter|written by|translated by|"
    r"translator|photo|photos)"
    r"\s*[:：]?\s*[\w\s·,，、.\-/|]{0,40}[\])）】]?$",
    re.IGNORECASE,
)
_VIEWS_LINE = re.compile(
    r"(?:浏览次数|浏览量|阅读量|阅读数|阅读次数|点击数|点击量|点击率|访问量|访问次数|"
    r"\bviews?\b|page views|\bvisits\b|"
    r"\bhits\b|\breads\b|\bclicks\b)\s*[:：]?\s*\d[\d,]*|\d[\d,]*\s*(?:views|reads|次浏览|人阅读|次阅读)",
    re.IGNORECASE,
)
_CHROME_WORDS = re.compile(
    r"我要|打印本页|打印文章|打印|关闭窗口|关闭本页|关闭|收藏本页|收藏|加入收藏|分享到|分享至|分享|转发|微信|微博|"
    r"qq空间|qq|朋友圈|豆瓣|人人网|字号|字体|默认|大|中|小|返回顶部|顶部|返回|扫一扫在手机打开当前页|"
    r"扫一扫在手机上打开当前页|扫一扫|在手机打开当前页|手机打开|二维码|纠错|我要纠错|"
    r"print this page|print this article|print|close window|close|email this|email|e-mail|share this article|"
    r"share this page|share this story|share this|share on|share to|share via|share|"
    r"facebook|twitter|x|linkedin|"
    r"whatsapp|weibo|wechat|reddit|copy link|copy url|link copied|font size|text size|font|a\+|a-|aa|a|"
    r"increase|decrease|reset|large|medium|small|bookmark|save|favorite|favourite|back to top|top|"
    r"read aloud|listen|comments?|tweet|pin it|like",
    re.IGNORECASE,
)
_FOOTER = re.compile(
    r"版权所有|©|copyright|all rights reserved|icp备|icp证|网站标识码|公网安备|主办单位|承办单位|技术支持|"
    r"联系我们|网站地图|privacy policy|terms of use|terms and conditions|cookie (?:policy|settings)|"
    r"^(?:sign up|subscribe|register) (?:for|to) (?:our|the|this) (?:[\w-]+ ){0,3}"
    r"(?:newsletters?|daily|weekly|briefing)|"
    r"^(?:当前位置|您的位置|您现在的位置|所在位置|current location|you are here)\s*[:：>]|"
    r"^(?:点击查看原文|点击查看|阅读原文|原文链接|查看原文|click here|click to view|view original)|"
    r"^scan (?:the |this )?(?:qr )?code\b",
    re.IGNORECASE,
)
_BREADCRUMB = re.compile(r"^(?:[^>»/]{1,16}\s*[>»›]\s*){2,}[^>»]{0,30}$")
_NAV_LINE = re.compile(
    r"^[\[(（【]?\s*(?:上一篇|下一篇|上一条|下一条|上一页|下一页|前一篇|后一篇|"
    r"previous(?: article| post| story| item)?|"
    r"next(?: article| post| story| item)?|prev)\s*[\])）】]?\s*(?:[:：]|$)",
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
    r"^(?:(?:related|relevant|recommended|suggested|similar|further|extended|more|other|popular|"
    r"trending|latest|top|most read|editor'?s'? picks?)\s+(?:coverage|articles?|stories|story|news|"
    r"reading|readings|links?|content|posts?|topics?|items?|reports?|information|videos?|features?|"
    r"documents?|policies|headlines|from (?:this|the|our) (?:section|site|author|desk)|"
    r"on this (?:topic|story|subject|issue)|like this|for you)|(?:read|up|what to read|watch) next|"
    r"you (?:may|might) (?:also )?(?:like|enjoy|be interested in)|don'?t miss|also on [\w\s]{1,30}|"
    r"more (?:from|in|on) [\w\s']{1,30}|also (?:in|from) [\w\s']{1,30})$|"
    r"^(?:相关|延伸|推荐|热点|热门|更多|精彩|往期|扩展|拓展|最新|其他|同类|本站|编辑|阅读)"
    r"(?:阅读|新闻|链接|文章|报道|推荐|稿件|内容|专题|资讯|信息|回顾|文档|政策|解读|视频|图片|话题|动态|精选)$",
    re.IGNORECASE,
)
_INLINE_RELATED = re.compile(
    r"^[\[(（【]?\s*(?P<head>[^:：\])）】]{1,20})[\])）】]?\s*[:：]\s*(?P<rest>.*)$",
)


# A line naming a list of other items: at the foot of the page, above nothing but teasers, it
# heads a related block whatever its exact wording ("In other news", "Stories you might have
# missed", 阅读推荐).
_LIST_NAME = re.compile(
    r"\b(?:news|stories|reading|coverage|articles|recommended|recommendations|popular|trending|"
    r"headlines|picks|missed)\b|推荐|阅读|相关|新闻|热门|热点|专题|往期|精选|资讯|报道|文章|猜你|更多|精彩|"
    r"在看|想看|感兴趣",
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
    """
    m = _SOURCE_IN_META.search(text) if len(_META_LABEL.findall(text)) >= 2 else None
    m = m or _SOURCE_LINE.match(text.strip())
    if m is None:
        return None
    # The name ends where another field starts: "Reuters | 2024-04-18 06:30", "宁夏日报　作者：马丽".
    value = re.split(r"\s*[|｜]\s*|\s{2,}|\u3000", m.group("origin").strip())[0]
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
    if _FOOTER.search(stripped) and units <= 30:
        return "boilerplate"
    if _BREADCRUMB.match(stripped) and units <= 20:
        return "boilerplate"
    if len(_META_LABEL.findall(stripped)) >= 2:
        return "boilerplate"
    if _VIEWS_LINE.search(stripped) and units <= 12:
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


@lru_cache(maxsize=8192)
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
    if units <= 30 and re.search(rf"{_DATE}{_TIME}?\s*[\])）】]?$", stripped):
        return True
    return units <= 25 and not re.search(r"[.!?。！？；;]\s*[\"”’」]?$", stripped)


@dataclass
class BoilerplateResult(StepResult):
    origin: str | None = None


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
    n = len(paragraphs)
    removed: dict[int, str] = {}
    origin: str | None = None
    edge = 2

    for i, text in enumerate(paragraphs):
        at_edge = i < edge or i >= n - edge
        kind = boilerplate_kind(text, at_edge=at_edge)
        if kind is None and len(removed) == i and _BARE_DATE.match(text.strip()):
            kind = "boilerplate"  # a date alone above the body is its dateline (at the foot: a signature)
        if kind is None:
            continue
        removed[i] = kind
        if origin is None:
            origin = source_value(text)

    # Related blocks: the heading, then its teasers until this article's text resumes.
    i = 0
    while i < n:
        if removed.get(i, "boilerplate") != "boilerplate" or not is_related_heading(paragraphs[i], extra):
            i += 1
            continue
        removed[i] = "related"
        body_before = [paragraphs[k] for k in range(i) if k not in removed]
        vocabulary: set[str] = set().union(*(_content(p) for p in body_before)) if body_before else set()
        j = i + 1
        while j < n:
            text = paragraphs[j]
            if j in removed:
                if removed[j] == "boilerplate":
                    removed[j] = "related"
                j += 1
                continue
            if is_related_heading(text, extra) or _is_teaser_item(text) or _repeats(text, body_before):
                removed[j] = "related"
                j += 1
                continue
            resumes = length_units(text) >= 25 and _overlap(text, vocabulary) >= 0.35
            if resumes:
                break
            removed[j] = "related"
            j += 1
        i = j

    # A block at the foot under a heading no list holds: teasers up to the end of the page,
    # under a short line that names a list.
    items: list[int] = []
    for k in range(n - 1, 0, -1):
        if removed.get(k, "boilerplate") != "boilerplate":
            break  # an already found block: anything above it is judged by the rules above
        text = paragraphs[k]
        if items and _names_a_list(text):
            for q in (k, *items):
                removed[q] = "related"
            break
        if k in removed:
            continue
        if not _is_teaser_item(text):
            break
        items.append(k)

    # Trailing teasers of other items after the body, read from the end: stray date lines,
    # blurbs shaped like teasers, and an unrelated paragraph right after a stray date line.
    kept = [k for k in range(n) if k not in removed]
    for pos in range(len(kept) - 1, 0, -1):
        k = kept[pos]
        text = paragraphs[k]
        if is_date_line(text) or _TEASER_SHAPE.match(text.strip()):
            removed[k] = "teaser"
            continue
        if is_date_line(paragraphs[k - 1]):
            vocabulary = set().union(*(_content(paragraphs[q]) for q in kept[:pos] if q < k - 1))
            if _overlap(text, vocabulary) < 0.3:
                removed[k] = "teaser"
                continue
        break

    # Source and credit lines right above a removed block stand at the foot of the body too.
    foot = n
    while foot > 0 and foot - 1 in removed:
        foot -= 1
    if foot < n:
        for k in range(foot - 1, max(foot - 1 - edge, -1), -1):
            kind = boilerplate_kind(paragraphs[k], at_edge=True)
            if kind is None:
                break
            removed[k] = kind
            origin = origin or source_value(paragraphs[k])

    result = filter_result(paragraphs, removed)
    counts: dict[str, int] = {}
    for what in ("boilerplate", "related", "teaser"):
        if m := sum(1 for r in removed.values() if r == what):
            counts[f"{what}_removed"] = m
    if origin:
        counts["origin_found"] = 1
    return BoilerplateResult(result.paragraphs, counts, result.sources, result.removed, origin)


class BoilerplatePipeline(CleaningPipeline):
    """Strip chrome, metadata lines, related blocks and trailing teasers; fill ``origin``."""

    step = "boilerplate"

    @classmethod
    def options_from_settings(cls, settings: BaseSettings) -> dict[str, Any]:
        return {"related_headings": tuple(settings.getlist("ECOPOLICY_BOILERPLATE_RELATED_HEADINGS"))}

    def clean(self, adapter: ItemAdapter, paragraphs: list[str]) -> StepResult:
        result = strip_boilerplate(paragraphs, **self.options)
        if result.origin and not adapter.get("origin"):
            adapter["origin"] = result.origin
        return result

"""The article body as paragraphs, without navigation, sidebars, footers, banners or share bars.

Engine, chosen by measurement (``benchmarks/extraction_quality.py``):

1. a source's own body selector, when it yields enough text;
2. the content containers of the CMS families this corpus meets, in order (TRS ``.TRS_Editor``,
   ``.Custom_UnionStyle``, ``.TRS_UEDITOR``, ``#UCAP-CONTENT``, ``.pages_content``, ``#zoom`` …;
   news portals ``#rwb_zw``, ``.rm_txt_con``, ``#Content``, ``#detail``; ``[itemprop=articleBody]``,
   Drupal ``.field--name-body``, WordPress ``.entry-content``, GOV.UK ``.govspeak``, EU ``.ecl``
   rich text), the largest match that holds enough text and few links;
3. otherwise a text-density scorer (readability's idea: paragraphs vote for their parent and
   grandparent, weighted by length and punctuation, discounted by link density).

Inside the container a walker emits one paragraph per block (``p``, headings, list items, table
rows, ``br``-separated runs) and skips chrome: ``nav``/``footer``/``aside``, elements whose class
or id says share, related, cookie, breadcrumb, byline …, hidden elements, link-only lists, and
short lines that are page furniture (打印本页, 字号, Share this page) or metadata (来源：…).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from crawler.extraction._dom import SKIP_TAGS, is_boilerplate, is_hidden, norm, select, text_of

if TYPE_CHECKING:
    from lxml.html import HtmlElement

CONTAINER_SELECTORS: tuple[str, ...] = (
    ".TRS_Editor",
    ".Custom_UnionStyle",
    ".TRS_UEDITOR",
    "#UCAP-CONTENT",
    "#BodyLabel",
    ".neiright_JPZ_GK_CP",
    ".content_body_box",
    ".pages_content",
    "#zoom",
    ".TRS_PreAppend",
    "#rwb_zw",
    ".rm_txt_con",
    "#p_content",
    ".box_con",
    "#detail",
    "#p-detail",
    "#Content",
    "#contentText",
    ".jgzn_content",
    ".zwcontent",
    ".article-con",
    ".bt_content",
    "#ozoom",
    "[itemprop=articleBody]",
    ".field--name-body",
    ".entry-content",
    ".post-content",
    ".article-body",
    ".article__body",
    ".article-content",
    ".story-body",
    ".gem-c-govspeak",
    ".govspeak",
    ".ecl-editor",
    ".ecl-content",
    ".content_wrap",
    ".c-article__body",
)
_BLOCK = frozenset(
    {
        "p",
        "div",
        "section",
        "article",
        "main",
        "ul",
        "ol",
        "li",
        "dl",
        "dt",
        "dd",
        "table",
        "thead",
        "tbody",
        "tfoot",
        "tr",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "pre",
        "address",
        "hr",
        "center",
        "details",
        "summary",
        "caption",
        "header",
    }
)
_SKIP_IN_BODY = frozenset({"figure", "figcaption", "nav", "footer", "aside", "form", "header"})
_RELATED_HEADING = re.compile(
    r"^(?:相关(?:阅读|新闻|文章|链接|推荐|稿件|附件)?|延伸阅读|推荐阅读|热点推荐|猜你喜欢|热门文章|更多|"
    r"related(?: articles| content| news| stories| links| posts)?|read more|more on this topic|"
    r"you may also like|recommended(?: for you)?|see also|further reading)\s*[:：]?$",
    re.IGNORECASE,
)
_CHROME_LINE = re.compile(
    r"^(?:[【\[]?\s*(?:打印本页|打印|关闭窗口|关闭|收藏|返回顶部|保存本页|纠错|加入收藏|我要纠错)\s*[】\]]?\s*)+$|"
    r"^(?:字号|字体)\s*[:：]?\s*[【\[]?\s*大\s*中\s*小\s*[】\]]?|^分享到\s*[:：]?|^扫一扫在手机打开当前页|"
    r"^(?:share(?: this(?: page| article| story)?)?|print(?: this page)?|back to top|"
    r"email this page|tweet|share on (?:facebook|twitter|x|linkedin))\s*[:：]?$|^上一篇|^下一篇",
    re.IGNORECASE,
)
_META_LINE = re.compile(
    r"^(?:[（(]?\s*(?:发布时间|发布日期|时间|日期|来源|信息来源|文章来源|作者|字号|浏览次数|点击数|阅读量|"
    r"访问量|责任编辑|责编|编辑|审核|校对|索引号|主题分类|发布机构|Published|Last updated|Updated|Source|"
    r"Editor|Posted|Date)\s*[:：]?)",
    re.IGNORECASE,
)
_DATE_ONLY = re.compile(
    r"^[\s(（\[]*(?:\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?"
    r"|\d{1,2}\s+[A-Z][a-z]{2,8}\s+\d{4}|[A-Z][a-z]{2,8}\.?\s+\d{1,2},?\s+\d{4})"
    r"(?:\s*[T ]?\s*\d{1,2}[:：]\d{2}(?:[:：]\d{2})?)?[\s)）\]]*$"
)
_MIN_CONTAINER_CHARS = 40
_MIN_SELECTOR_CHARS = 30


@dataclass(slots=True)
class Body:
    """What :func:`find_body` returns."""

    paragraphs: list[str]
    container: HtmlElement | None
    engine: str
    events: list[str] = field(default_factory=list)


def _link_density(el: HtmlElement) -> float:
    total = len(text_of(el))
    if not total:
        return 1.0
    linked = sum(len(text_of(a)) for a in el.iter("a"))
    return min(1.0, linked / total)


def _in_chrome(el: HtmlElement) -> bool:
    return any(
        is_boilerplate(anc) or is_hidden(anc) for anc in el.iterancestors() if anc.tag not in ("body", "html")
    )


def _is_link_list(el: HtmlElement) -> bool:
    """A list whose every item is just a link (related stories, document lists, menus)."""
    items = [li for li in el if li.tag == "li"]
    if len(items) < 2:
        return False
    for li in items:
        text = text_of(li)
        linked = sum(len(text_of(a)) for a in li.iter("a"))
        if not text or linked < 0.8 * len(re.sub(r"[\s\d:：\-/.()（）\[\]]", "", text) or text) - 1:
            return False
    return True


def paragraphs_of(container: HtmlElement, title: str = "") -> list[str]:
    """One paragraph per block of *container*, chrome and metadata lines left out."""
    out: list[str] = []
    buf: list[str] = []
    title_key = re.sub(r"\W+", "", title).lower()

    def flush() -> None:
        if buf:
            text = norm("".join(buf))
            buf.clear()
            if text:
                out.append(text)

    def walk(el: HtmlElement, top: bool = False) -> None:
        tag = el.tag
        if not isinstance(tag, str) or tag in SKIP_TAGS:
            return
        if not top and (tag in _SKIP_IN_BODY or is_boilerplate(el) or is_hidden(el)):
            return
        if tag in ("ul", "ol") and _is_link_list(el):
            flush()
            if out and _RELATED_HEADING.match(out[-1]):
                out.pop()
            return
        if tag == "br":
            flush()
            return
        block = tag in _BLOCK
        cell = tag in ("td", "th")
        if block:
            flush()
        elif cell and buf:
            buf.append(" ")
        if el.text:
            buf.append(el.text)
        for child in el:
            walk(child)
            if child.tail:
                buf.append(child.tail)
        if block:
            flush()

    walk(container, top=True)
    kept: list[str] = []
    for index, text in enumerate(out):
        if len(text) <= 80 and (
            _CHROME_LINE.search(text) or _META_LINE.match(text) or (index < 2 and _DATE_ONLY.match(text))
        ):
            continue
        if title_key and re.sub(r"\W+", "", text).lower() == title_key:
            continue
        kept.append(text)
    while kept and _RELATED_HEADING.match(kept[-1]):
        kept.pop()
    return kept


def _text_len(paragraphs: list[str]) -> int:
    return sum(len(p) for p in paragraphs)


def _known_container(tree: HtmlElement) -> HtmlElement | None:
    for selector in CONTAINER_SELECTORS:
        best: tuple[int, HtmlElement] | None = None
        for el in select(tree, selector):
            if _in_chrome(el):
                continue
            size = len(text_of(el))
            if size >= _MIN_CONTAINER_CHARS and _link_density(el) < 0.5 and (best is None or size > best[0]):
                best = (size, el)
        if best is not None:
            return best[1]
    return None


_PUNCT = re.compile(r"[,，。；;、.!?！？:：]")
_GOOD_MARKER = re.compile(
    r"article|content|main|body|text|post|story|entry|zhengwen|detail|news", re.IGNORECASE
)


def _density_container(tree: HtmlElement) -> HtmlElement | None:
    """Readability-style scoring: text blocks vote for their parent and grandparent."""
    scores: dict[HtmlElement, float] = {}
    body = tree.find(".//body")
    root = body if body is not None else tree
    chrome_cache: dict[HtmlElement, bool] = {}

    def chrome(el: HtmlElement) -> bool:
        if el not in chrome_cache:
            parent = el.getparent()
            chrome_cache[el] = (
                is_boilerplate(el)
                or is_hidden(el)
                or (parent is not None and parent is not root and chrome(parent))
            )
        return chrome_cache[el]

    for el in root.iter("p", "pre", "td", "blockquote", "div", "section", "li"):
        if el.tag in ("div", "section", "li"):
            own = norm((el.text or "") + "".join(c.tail or "" for c in el))
            if len(own) < 25:
                continue
            text = own
        else:
            text = text_of(el)
        if len(text) < 25 or chrome(el):
            continue
        score = 1.0 + len(_PUNCT.findall(text)) + min(len(text) / 100.0, 3.0)
        parent = el.getparent()
        if el.tag in ("div", "section"):
            parent = el
        if parent is None:
            continue
        scores[parent] = scores.get(parent, 0.0) + score
        grand = parent.getparent()
        if grand is not None:
            scores[grand] = scores.get(grand, 0.0) + score / 2
    best: tuple[float, HtmlElement] | None = None
    for el, score in scores.items():
        if el.tag in ("html",) or chrome(el):
            continue
        weighted = score * (1.0 - _link_density(el))
        marker = f"{el.get('class') or ''} {el.get('id') or ''}"
        if el.tag == "article" or _GOOD_MARKER.search(marker):
            weighted *= 1.25
        if best is None or weighted > best[0]:
            best = (weighted, el)
    return best[1] if best else None


_LEAD = re.compile(r"lead|summary|intro|standfirst|description|abstract|dek|daoyu|zhaiyao", re.IGNORECASE)


def _lead_paragraphs(container: HtmlElement, title: str) -> list[str]:
    """A lead paragraph set just before the body container (GOV.UK, news standfirsts)."""
    leads: list[str] = []
    for sib in container.itersiblings(preceding=True):
        if not isinstance(sib.tag, str):
            continue
        if sib.tag == "p" and _LEAD.search(f"{sib.get('class') or ''} {sib.get('id') or ''}"):
            leads = paragraphs_of(sib, title) + leads
        elif leads or sib.tag in ("h1", "h2") or len(leads) > 2:
            break
    return leads


def find_body(tree: HtmlElement, title: str = "", selector: str | None = None) -> Body:
    """Paragraphs of the article body, the container they came from and the engine used."""
    events: list[str] = []
    if selector:
        found = select(tree, selector)
        paragraphs = [p for el in found for p in paragraphs_of(el, title)]
        if _text_len(paragraphs) >= _MIN_SELECTOR_CHARS:
            return Body(paragraphs, found[0], "selector", events)
        events.append("selector_fallback")
    container = _known_container(tree)
    if container is not None:
        paragraphs = _lead_paragraphs(container, title) + paragraphs_of(container, title)
        if _text_len(paragraphs) >= _MIN_CONTAINER_CHARS:
            return Body(paragraphs, container, "container", events)
    container = _density_container(tree)
    if container is not None:
        return Body(paragraphs_of(container, title), container, "density", events)
    return Body([], None, "none", events)

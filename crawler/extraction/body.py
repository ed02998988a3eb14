"""The article body as paragraphs, without navigation, sidebars, footers, banners or share bars.

Engine, chosen by measurement (``benchmarks/extraction_quality.py`` and, on real pages with
independent ground truth, ``benchmarks/extraction_realworld.py``):

1. a source's own body selector, when it yields enough text;
2. the content containers of the CMS families this corpus meets, in order (TRS ``.TRS_Editor``,
   ``.Custom_UnionStyle``, ``.TRS_UEDITOR``, ``#UCAP-CONTENT``, ``.pages_content``, ``#zoom`` …;
   news portals ``#rwb_zw``, ``.rm_txt_con``, ``#Content``, ``#detail``; ``[itemprop=articleBody]``,
   Drupal ``.field--name-body``, WordPress ``.entry-content``, GOV.UK ``.govspeak``, EU ``.ecl``
   rich text), found in one walk of the tree: the largest match that holds enough text and few
   links, joined by the other chunks of the same body (same class, or same tag and parent) that
   sites cut apart with ad slots;
3. otherwise a text-density scorer (readability's idea: paragraphs vote for their parent and
   grandparent, weighted by length and punctuation, discounted by link density). The best
   candidates are widened to the whole body (wrappers that add no text are climbed; sibling blocks
   of the same tag and class, or prose siblings, are joined; the closest ancestor of several strong
   candidates is taken for an article cut into wrapped chunks; a sibling panel of the same class
   family made of prose paragraphs with next to no links joins too, as a summary above a
   transcript), a part nested in a candidate with half again its prose gives way to it (any
   more prose, when the whole is made of three or more chunks of one kind), and a candidate in
   the title heading's column beats a sidebar of teasers unless it holds a fifth of its text or
   less. A body of table rows takes its table.

A standfirst set between the headline and the body container (the dek in the article's header),
or under the headline in a ``<header>`` inside the container, opens the body when it is running
text and little else stands between the two.

Chrome is judged by content before name. Landmarks (``nav``/``footer``/``aside``, ARIA roles) are
chrome; a class or id word (matched as a whole token, see :mod:`._dom`), ``hidden`` or a ``form``
wrapper is weak evidence that loses to the content: an element holding the headline and a quarter
of the page's prose, or half of it with few links, is the article's (comments, consent and related
stories excepted).

Inside the container a walker emits one paragraph per block (``p``, headings, list items,
``br``-separated runs; a table row of short cells is one line with its cells set apart by " | ",
even when each cell wraps its text in a paragraph, and the links of a labelled row's value cell
are its value) and skips chrome: landmarks (but not a ``<header>`` holding only the heading of
the text after it), hidden elements (a paragraph of prose hidden only from screen readers is
shown, and stays), link-only lists, blocks headed "Related"/"相关", teaser cards for other stories
(picture, linked heading, blurb) unless cards make up the body, chrome-named elements that hold
little of the container's text (never a heading, a table part or a paragraph of prose for a mere
layout word), and short lines that are page furniture (打印本页, 字号, Share this page, lines
repeated between paragraphs) or metadata (来源：…, dates and bylines at the top, photo credits,
publication stamps such as "Stand: 28.04.2023" or "Publié le …").

:func:`page_text` is the last resort for pages with no block long enough to score.
"""

from __future__ import annotations

import enum
import itertools
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from crawler import vocabulary
from crawler.extraction._dom import (
    SKIP_TAGS,
    chrome_name,
    has_hard_name,
    is_boilerplate,
    is_hard_chrome,
    is_hidden,
    is_landmark_chrome,
    is_out_of_sight,
    name_tokens,
    named_elements,
    norm,
    select,
    text_of,
)

if TYPE_CHECKING:
    from collections.abc import Callable

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
_INLINE = frozenset({"span", "font", "b", "strong", "i", "em", "u", "a", "sup", "sub", "br", "small", "big"})
_SKIP_IN_BODY = frozenset({"figure", "figcaption", "nav", "footer", "aside", "form", "header"})
# A line that heads a list of links to other items, or the comments: the project's one list of
# such headings (shared with the cleaning step), plus the forms only a whole line can show.
_RELATED_HEADING = re.compile(
    rf"^(?:{vocabulary.alternation(vocabulary.RELATED_HEADINGS)}|"
    r"related(?: articles| content| news| stories| links| posts)?|you may also like|recommended(?: for you)?|"
    r"(?:\d+\s+)?(?:comments?|responses?|replies|thoughts)(?: on [^.!?]{0,80})?|leave a (?:reply|comment)|"
    r"(?:网友|发表|最新|全部)?评论)\s*[:：]?$",
    re.IGNORECASE,
)
_CHROME_LINE = re.compile(
    r"^(?:[【\[]?\s*(?:打印本页|打印|关闭窗口|关闭|收藏|返回顶部|保存本页|纠错|加入收藏|我要纠错)\s*[】\]]?\s*)+$|"
    r"^(?:字号|字体)\s*[:：]?\s*[【\[]?\s*大\s*中\s*小\s*[】\]]?|^分享到\s*[:：]?|^扫一扫在手机打开当前页|"
    r"^点击(?:进入|查看)[^。！？]{0,30}$|^(?:您现在的位置|您的位置|当前位置|所在位置|现在位置|位置)\s*[:：]|"
    r"^you are here\s*:|^back to\b[^.!?]{0,40}$|^[^.!?。！？]{1,40}(?:\s[>»›]\s[^.!?。！？]{1,40})+$|"
    r"^follow (?:us|[A-Z][\w ]{1,30}) on (?:twitter|facebook|x|instagram|linkedin)(?!.*://)|"
    r"^(?:扫码)?关注[^。！？]{0,20}(?:微信|微博|客户端|公众号)|^返回\S{1,10}查看更多$|尽在\S{0,12}(?:APP|客户端)$|"
    r"^\d+\s*(?:min(?:ute)?s?\.?)\s*(?:read|reading time|lesezeit|lesedauer|de lecture|de lectura)$|"
    r"^(?:drucken|imprimir|imprimer|stampa|anzeige|werbung|publicité|publicidad|pubblicità|video|"
    r"read more|auch interessant|lesen sie auch)\s*[:：]?$|"
    r"^(?:advertisement|advertising|sponsored|(?:continue reading|story continues|article continues) below)$|"
    r"^(?:share(?: this(?: page| article| story)?)?|print(?: this page)?|back to top|"
    r"email this page|tweet|share on (?:facebook|twitter|x|linkedin)|for immediate release|"
    r"(?:press|news|media) release)\s*[:：]?$|"
    r"^(?:打印|关闭|收藏|纠错)(?:\s*[|｜/]\s*(?:打印|关闭|收藏|纠错|返回顶部))+$|^上一篇|^下一篇",
    re.IGNORECASE,
)
_META_LINE = re.compile(
    r"^(?:[【\[][^】\]]{0,6}[】\]]\s*)*(?:[（(【\[]?\s*(?:本文来源|特别声明|平台声明|免责声明|版权声明|发布时间|发布日期|时间|日期|来源|信息来源|文章来源|作者|字号|浏览次数|点击数|阅读量|"
    r"访问量|责任编辑|责编|编辑|审核|校对|索引号|主题分类|发布机构|成文日期|"
    r"Published|Last updated|Updated|Source|"
    r"Editor|Web editor|Posted|Date|Released|Release date|Contacts?|Media contacts?|Press contacts?)"
    r"\s*[:：]?)",
    re.IGNORECASE,
)
_DATE_ONLY = re.compile(
    r"^[\s(（\[]*(?:\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?"
    r"|\d{1,2}\.\s?\d{1,2}\.\s?\d{4}"
    r"|\d{1,2}\s+[A-Z][a-z]{2,8}\s+\d{4}|[A-Z][a-z]{2,8}\.?\s+\d{1,2},?\s+\d{4})"
    r"(?:\s*[T |,｜]*\s*\d{1,2}[:：]\d{2}(?:[:：]\d{2})?(?:\s*(?:Uhr|h|[AaPp]\.?[Mm]\.?))?)?[\s)）\]]*$"
)
# A publication or update stamp in the languages of the European press, a date right after its
# label: "Stand: 28.04.2023 17:23 Uhr", "Aktualisiert am 07.01.2026", "Publié le 18 juil. 2024".
_DATED_LABEL = re.compile(
    r"^(?:stand|(?:zuletzt )?aktualisiert|veröffentlicht|publié|mis à jour|actualizado|publicado|"
    r"aggiornato|pubblicato|gepubliceerd|bijgewerkt)\b[\s:：]*(?:am|le|el|em|il|op)?\s*\d",
    re.IGNORECASE,
)
# A byline set as its own line near the top: "By Jane Doe", "von Katja Belousova", "par Jean Dupont".
_BYLINE = re.compile(
    r"^(?:by|von|par|por|di|door|av|af)\s+[A-ZÀ-Þ][\w.'’-]+(?:\s+(?:[A-ZÀ-Þ][\w.'’-]+|and|und|et|y|e|og|en))"
    r"{0,6}(?:\s*[,|]\s*[^.!?]{0,40})?$",
    re.IGNORECASE,
)
# A photo or source credit line: "Quelle: AFP", "Foto: dpa", "Image: Reuters".
_CREDIT_LINE = re.compile(
    r"^(?:quelle|foto|fotos|bild|photo|photos|image|credit|credits|fuente|crédit|crédits)\s*[:：]",
    re.IGNORECASE,
)
_WORDISH = re.compile(r"\w")
# The heading of a block of links to other stories ("Related", "Mehr zum Thema Hitze", "相关新闻").
_RELATED_BLOCK_HEADING = re.compile(
    r"^(?:related\b|more (?:on|from|about)\b|read more\b|see also\b|you (?:may|might) also like|"
    r"recommended\b|mehr zum thema|lesen sie auch|das könnte sie auch interessieren|auch interessant|"
    r"weitere (?:artikel|nachrichten|themen)|相关|推荐阅读|延伸阅读|更多)",
    re.IGNORECASE,
)
# A row of a document's metadata table, two labels or more: "答复单位 市生态环境局 发布日期 2023-08-17".
_META_ROW = re.compile(
    r"(?:索\s*引\s*号|发布机构|发文机关|成文日期|发布日期|文\s*号|发文字号|主题分类|提案号|建议号|提案人|"
    r"答复单位|承办单位|主办单位|办理结果|办理类型|有效性)"
)
# A date opening a short line that goes on with metadata: "2023年05月22日08:15 | 来源：人民网".
_DATE_LEAD = re.compile(
    r"^[\s(（\[]*(?:\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?"
    r"|\d{1,2}\s+[A-Z][a-z]{2,8}\s+\d{4}|[A-Z][a-z]{2,8}\.?\s+\d{1,2},?\s+\d{4})"
    r"(?:\s*[T ]?\s*\d{1,2}[:：]\d{2}(?:[:：]\d{2})?)?[\s)）\]|｜/]*"
)
_NEWSLETTER_PROMO = re.compile(
    r"subscribe to (?:our|the) [\w ]{0,20}newsletters?|"
    r"sign up (?:for|to) (?:our|the) [\w ]{0,20}newsletters?",
    re.IGNORECASE,
)
# Platform disclaimers closing a syndicated article ("特别声明：以上内容…仅提供信息存储服务").
_DISCLAIMER = re.compile(r"(?:特别声明|平台声明|免责声明|版权声明)\s*[:：]|声明[:：]该文观点仅代表作者本人")
# Photo captions: by class, or by the credit that closes them ("…。资料图", "[Photo/Xinhua]").
_CAPTION_CLASS = re.compile(
    r"caption|pictext|pic_?txt|imgtxt|img_?desc|img_?text|photo_?text|tuzhu", re.IGNORECASE
)
_CAPTION_CREDIT = re.compile(
    r"(?:资料图|资料图片|供图|(?<!拍)摄|图片来源[:：].{0,20}|\[Photo[^\]]{0,40}\])\s*[）)]?$"
)
_MIN_CONTAINER_CHARS = 10
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
    """Whether *el* sits inside navigation, a footer or a hidden block.

    A "chrome" ancestor that holds most of the page is not chrome but a mis-nested tag: an
    unclosed ``<div class="header">`` swallows the whole page in the parsed tree, and must not
    hide the article container inside it.
    """
    page_size = 0
    for anc in el.iterancestors():
        if anc.tag in ("body", "html") or not (is_boilerplate(anc) or is_hidden(anc)):
            continue
        if not page_size:
            page_size = len(text_of(el.getroottree().getroot()))
        if len(text_of(anc)) < 0.6 * page_size:
            return True
    return False


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


def text_of_pre(el: HtmlElement) -> str:
    """The text of a ``pre`` with its line breaks (``text_of`` would collapse them)."""
    return "".join(el.itertext())


_SEPARATOR_CHARS = " \n\t\r\xa0\u3000·•|｜>›»-"


def _is_link_block(el: HtmlElement) -> bool:
    """A block of three or more links and little else: a menu or a list of other pages set in
    ``div``/``td`` soup (old table layouts, br-separated side menus) rather than in a list."""
    # C-level text_content and str.count keep this cheap: it runs on every div/td of a body.
    # Most blocks hold fewer than three links, found without reading any text; past that
    # count, the lengths of all links' text are measured at once (separators are counted one
    # character at a time).
    if next(itertools.islice(el.iter("a"), 2, None), None) is None:
        return False
    texts = [text for text in (a.text_content() for a in el.iter("a")) if text and not text.isspace()]
    if len(texts) < 3:
        return False
    total = _solid_len(el.text_content())
    return total > 0 and _solid_len("".join(texts)) >= 0.75 * total


def _solid_len(text: str) -> int:
    """Length of *text* without spaces and list/menu separators."""
    return len(text) - sum(text.count(c) for c in _SEPARATOR_CHARS)


def _is_field_list(el: HtmlElement) -> bool:
    """A ``dl`` of short label/value pairs (Publication date / Author): page metadata, not text."""
    values = [text_of(dd) for dd in el if dd.tag == "dd"]
    labels = [dt for dt in el if dt.tag == "dt"]
    return len(labels) >= 2 and bool(values) and all(len(v) <= 60 for v in values)


def _inside_sentence(el: HtmlElement) -> bool:
    """Whether *el* is running text (a custom element such as a formula, or a part of a
    paragraph's sentence): a class word such as "menu" in ``CtxtMenu_Attached`` names a script's hook
    there, not page chrome."""
    if "-" in el.tag:
        return True
    parent = el.getparent()
    if parent is None or parent.tag not in ("p", "h1", "h2", "h3", "h4", "h5", "h6"):
        return False
    # a share button alone in its paragraph is still a share button
    return _solid_len(parent.text_content()) > _solid_len(el.text_content()) + 2


def _headed_by_related(el: HtmlElement) -> bool:
    """A block that opens with a "Related" / "Mehr zum Thema" / "相关新闻" heading: links to other
    stories, whatever its class says."""
    for child in el:
        if not isinstance(child.tag, str) or child.tag in SKIP_TAGS:
            continue
        if child.tag not in ("h2", "h3", "h4", "h5", "h6", "div", "p", "span", "strong"):
            return False
        text = text_of(child)
        if not text:
            continue
        # a heading alone ("See also: X and Y" is a hatnote, not a block's heading), and a block of
        # teaser size: a related heading cannot stand for a whole article
        heading = len(text) <= 40 and ": " not in text and _RELATED_BLOCK_HEADING.match(text) is not None
        return heading and len(el.text_content()) < 3000
    return False


# Class words that say where a block sits or how it prints, not what it is: inside a body they
# also name sub-headings ("widget-title") and paragraph wrappers ("article-dropcap-print").
_LAYOUT_WORDS = frozenset(
    {"print", "widget", "side", "header", "foot", "banner", "overlay", "toolbar", "tools"}
)


def _named_chrome_in(container: HtmlElement) -> Callable[[HtmlElement], bool]:
    """Chrome inside a body container: by tag, role or a hard name always; by a weak class/id
    word only when the element holds less than half the container's text or is mostly links
    (a wrapper named "…-tag-selector" around every paragraph is the article, not a tag list),
    never inside a paragraph's running text, and not by a layout word when it is a heading, a
    part of a table or holds a paragraph of prose. Chunks of one kind (tag and class) that
    together hold half the text are the article cut around ad slots, whatever their name."""
    size = 0
    kin_sizes: dict[tuple[str, str], int] = {}

    def judge(el: HtmlElement) -> bool:
        nonlocal size
        if is_hard_chrome(el):
            return True
        word = chrome_name(el) if el.tag not in ("article", "main") else ""
        if not word or _inside_sentence(el):
            return False
        if word in _LAYOUT_WORDS and (el.tag in _HEADINGS or el.tag in _TABLE_PARTS or _holds_prose(el)):
            return False
        if not size:
            size = _solid_len(container.text_content()) or 1
        if _link_density(el) > 0.5:
            return True
        if _solid_len(el.text_content()) >= 0.5 * size:
            return False
        return not (_link_density(el) < 0.3 and _kin_size(container, el, kin_sizes) >= 0.5 * size)

    return judge


def _kin_size(container: HtmlElement, el: HtmlElement, cache: dict[tuple[str, str], int]) -> int:
    """Text held by the elements of *el*'s kind (tag and class) in *container*, each counted once."""
    kind = _signature(el)
    if kind not in cache:
        members = [m for m in container.iter(el.tag) if m.get("class") and _signature(m) == kind]
        outer = [m for m in members if not any(_signature(a) == kind for a in m.iterancestors())]
        cache[kind] = sum(_solid_len(m.text_content()) for m in outer)
    return cache[kind]


_HEADINGS = frozenset({"h2", "h3", "h4", "h5", "h6"})
# Parts of a table: a layout word names the table's own heading row or cell there ("header_cell",
# "thead-side"), never the page's banner or sidebar.
_TABLE_PARTS = frozenset({"thead", "tbody", "tfoot", "tr", "th", "td", "caption"})


def _reads_as_prose(text: str, min_chars: int = 80) -> bool:
    """Whether *text* is running text: at least *min_chars* long, with a sentence in it."""
    return len(text) >= min_chars and _SENTENCE.search(text) is not None


def _holds_prose(el: HtmlElement) -> bool:
    """Whether *el* holds a paragraph of running text: sentence-length, punctuated, few links."""
    return _reads_as_prose(text_of(el), 150) and _link_density(el) < 0.3


_CARD_MAX_CHARS = 400


def _is_teaser_card(el: HtmlElement) -> bool:
    """A card pointing to another story inside the body: a picture, a heading that is wholly a
    link, and a short blurb; the article's own sections have headings of plain text."""
    if len(el.text_content()) > _CARD_MAX_CHARS * 2 or next(el.iter("img", "picture"), None) is None:
        return False
    heading = next(el.iter(*_HEADINGS), None)
    if heading is None:
        return False
    head_len = _solid_len(heading.text_content())
    linked = sum(_solid_len(a.text_content()) for a in heading.iter("a"))
    return head_len > 0 and linked >= 0.9 * head_len and len(text_of(el)) <= _CARD_MAX_CHARS


def _cards_are_asides(container: HtmlElement) -> Callable[[], bool]:
    """Whether the teaser cards of *container* hold a small part of its text (judged once, when
    the first card is met): cards that make up the body are a listing, and stay."""
    verdict: list[bool] = []

    def judge() -> bool:
        if not verdict:
            cards = [
                el
                for el in container.iter("div", "section", "li")
                if _is_teaser_card(el)
                and not any(_is_teaser_card(a) for a in el.iterancestors("div", "section", "li"))
            ]
            held = sum(len(text_of(card)) for card in cards)
            verdict.append(held <= 0.3 * len(text_of(container)))
        return verdict[0]

    return judge


_DISCLOSURE_WORDS = frozenset(
    {
        "accordion",
        "collapse",
        "collapsible",
        "expandable",
        "expander",
        "faq",
        "answer",
        "tabpanel",
        "pane",
        "drawer",
        "disclosure",
        "toggle",
    }
)
_TOGGLE_ATTRIBUTES = ("aria-expanded", "aria-controls", "data-toggle", "data-bs-toggle", "data-target")


def _is_toggle(el: HtmlElement) -> bool:
    """A control wired to open a folded panel (``aria-expanded``, ``aria-controls``, a
    collapse toggle), or a ``<summary>``; a bare button (follow, share, info) is not one."""
    return el.tag == "summary" or any(el.get(a) is not None for a in _TOGGLE_ATTRIBUTES)


def _opened_by_toggle(el: HtmlElement) -> bool:
    """Whether the element right before *el* is its toggle, or a heading holding it (the shape
    of an accordion item, a FAQ entry or a tab)."""
    prev = el.getprevious()
    while prev is not None and not isinstance(prev.tag, str):
        prev = prev.getprevious()
    if prev is None:
        return False
    if _is_toggle(prev):
        return True
    return prev.tag in (*_HEADINGS, "dt") and any(_is_toggle(c) for c in prev.iterdescendants())


def _folded_prose(el: HtmlElement) -> bool:
    """A hidden panel of running text that a reader opens with a click (accordion items, FAQ
    answers, glossary definitions, tabs): it is the page's content, folded, not chrome. Known by
    a disclosure name or role, or a toggle right before it, and by prose inside with few links."""
    if el.get("role") in ("dialog", "alertdialog") or has_hard_name(el):
        return False
    named = el.get("role") == "tabpanel" or any(t in _DISCLOSURE_WORDS for t in name_tokens(el))
    if not (named or _opened_by_toggle(el)):
        return False
    return _SENTENCE.search(text_of(el)) is not None and _link_density(el) < 0.5


def _labels_folded_panel(el: HtmlElement) -> bool:
    """A button whose panel of folded prose follows it: its text is that entry's heading (the
    term of a glossary, the question of a FAQ), not a control's label."""
    if el.tag != "button":
        return False
    for node in (el, el.getparent()):
        if node is None:
            return False
        nxt = node.getnext()
        while nxt is not None and not isinstance(nxt.tag, str):
            nxt = nxt.getnext()
        if nxt is not None:
            return is_hidden(nxt) and _folded_prose(nxt)
        if len(node) > 1 or node is not el:
            break
    return False


def _unvoiced_prose(el: HtmlElement) -> bool:
    """A paragraph of running text hidden only from screen readers (``aria-hidden``, which
    metered paywalls put on the paragraphs they may later blur): it is on the screen."""
    if el.tag not in ("p", *_HEADINGS) or is_out_of_sight(el):
        return False
    return _SENTENCE.search(text_of(el)) is not None


def paragraphs_of(container: HtmlElement, title: str = "") -> list[str]:
    """One paragraph per block of *container*, chrome and metadata lines left out."""
    title_key = re.sub(r"\W+", "", title).lower()
    return _body_lines(_BlockReader(container, title_key).read(), title_key)


class _Mark(enum.Enum):
    """What the walk of a container still has to do, besides reading an element or a text run."""

    FLUSH = "a block ends: its run of text becomes a line"
    END_ROW = "a data row ends: its cells, read as one line, become that line"


class _BlockReader:
    """The lines of a body container, one per block, chrome left out.

    The tree is walked with an explicit stack, not by recursion: the tolerant parser builds
    trees nested hundreds of levels deep, and a Python frame per level would hit the
    recursion limit on them.
    """

    __slots__ = (
        "_buf",
        "_cards_are_asides",
        "_container",
        "_named_chrome",
        "_out",
        "_row",
        "_title_key",
        "_todo",
    )

    def __init__(self, container: HtmlElement, title_key: str) -> None:
        self._container = container
        self._title_key = title_key
        self._named_chrome = _named_chrome_in(container)
        self._cards_are_asides = _cards_are_asides(container)
        self._out: list[str] = []
        self._buf: list[str] = []  # the text run of the line being read
        self._row: list[HtmlElement] = []  # the data row being read as one line, if any
        # pending work, next last: elements to read, text runs and end marks
        self._todo: list[HtmlElement | str | _Mark] = []

    def read(self) -> list[str]:
        """The container's lines in document order, before the metadata lines are dropped."""
        todo, buf, visit = self._todo, self._buf, self._visit
        flush, end_row = _Mark.FLUSH, _Mark.END_ROW
        todo.append(self._container)
        while todo:
            item = todo.pop()
            if isinstance(item, str):
                buf.append(item)
            elif item is flush:
                self._flush()
            elif item is end_row:
                self._row.clear()
                self._flush()
            else:
                visit(item)
        self._flush()  # a container that is no block itself (a td, the body) ends with its last run
        return self._out

    def _flush(self) -> None:
        """End the current line: its text, normalised, is a line unless it is blank."""
        if self._buf:
            text = norm("".join(self._buf))
            self._buf.clear()
            if text:
                self._out.append(text)

    def _visit(self, el: HtmlElement) -> None:
        """Read *el*: leave it out, end a line on it, or open it with what ends it queued."""
        tag = el.tag
        if not isinstance(tag, str) or (tag in SKIP_TAGS and not _labels_folded_panel(el)):
            return
        row = self._row
        value = bool(row) and _in_value_cell(el, row[0])
        if el is not self._container and self._is_chrome(el, tag, value):
            if tag == "dl":
                self._drop_block_heading()
            return
        if tag in ("ul", "ol") and not value and _is_link_list(el):
            self._flush()
            if self._out and _RELATED_HEADING.match(self._out[-1]):
                self._out.pop()
            return
        if row and (tag == "br" or tag in _BLOCK):
            # inside a data row a block or a break only sets words apart: the row stays one line
            self._buf.append(" ")
            self._open(el, " ")
        elif tag == "tr" and _is_data_row(el):
            self._flush()
            row.append(el)
            self._open(el, _Mark.END_ROW)
        elif tag == "br":
            self._flush()
        elif tag == "pre" and el is not self._container:
            # plain-text releases: paragraphs are separated by blank lines, lines are hard-wrapped
            self._flush()
            self._out.extend(t for t in (norm(chunk) for chunk in re.split(r"\n\s*\n", text_of_pre(el))) if t)
        elif tag in _BLOCK:
            self._flush()
            self._open(el, _Mark.FLUSH)
        else:
            if self._buf and tag in ("td", "th"):
                # cells of one row stay one line, set apart as the document readers set them
                self._buf.append(" | " if any(not part.isspace() for part in self._buf) else " ")
            self._open(el, None)

    def _is_chrome(self, el: HtmlElement, tag: str, value: bool) -> bool:
        """Whether *el*, inside the container, is chrome, a caption, a link block, a field list,
        a related-stories block or a teaser card; an attribution footer of a quote is none.
        *value*: *el* sits in the value cell of a labelled row, where links are the value."""
        parent = el.getparent()
        if tag == "footer" and parent is not None and parent.tag == "blockquote":
            return False
        return bool(
            (tag in _SKIP_IN_BODY and not _heads_section(el, self._container, self._title_key))
            or self._named_chrome(el)
            or (is_hidden(el) and not _unvoiced_prose(el) and not _folded_prose(el))
            or _CAPTION_CLASS.search(el.get("class") or "")
            or (tag in ("div", "td", "table", "section") and not value and _is_link_block(el))
            or (tag == "dl" and _is_field_list(el))
            or (tag in ("div", "section", "aside") and _headed_by_related(el))
            or (tag in ("div", "section", "li") and _is_teaser_card(el) and self._cards_are_asides())
        )

    def _drop_block_heading(self) -> None:
        """Drop the short heading line ("Details") of a field list that was left out."""
        out = self._out
        if out and len(out[-1]) <= 30 and not out[-1].endswith(("。", ".", ":", "：")):
            self._flush()
            out.pop()

    def _open(self, el: HtmlElement, closing: str | _Mark | None) -> None:
        """Read *el*'s own text now, then queue its children with their tails, then *closing*
        (a text run or an end mark; ``None`` for none)."""
        todo = self._todo
        if closing is not None:
            todo.append(closing)
        for child in reversed(el):
            if child.tail:
                todo.append(child.tail)
            todo.append(child)
        if el.text:
            self._buf.append(el.text)


_ROW_MAX_CHARS = 1000
_CELL_BLOCKS = ("p", "div", "li", "h2", "h3", "h4", "h5", "h6", "blockquote")


def _is_data_row(tr: HtmlElement) -> bool:
    """A table row of two cells or more, short enough to be one record (unit | address | date):
    it is read as one line with its cells set apart even when each cell wraps its text in a
    paragraph, as pasted documents' tables do. A row of a layout table, whose cell holds a page
    column (a nested table, two paragraphs of prose or more), or a row of links only is read
    block by block."""
    cells = [c for c in tr if c.tag in ("td", "th")]
    if len(cells) < 2 or len(text_of(tr)) > _ROW_MAX_CHARS or _is_link_row(cells):
        return False
    return not any(_holds_column(cell) for cell in cells)


def _is_link_row(cells: list[HtmlElement]) -> bool:
    """A row whose every cell with text is a link (promotion tiles, a menu set as a table): no
    record, it is read block by block and its lines judged as furniture."""
    filled = [c for c in cells if _solid_len(c.text_content())]
    return all(
        sum(_solid_len(a.text_content()) for a in c.iter("a")) >= 0.9 * _solid_len(c.text_content())
        for c in filled
    )


def _holds_column(cell: HtmlElement) -> bool:
    """Whether a table cell holds a part of the page rather than a value: a nested table, or two
    paragraphs of sentence-length prose."""
    if next(cell.iterdescendants("table"), None) is not None:
        return True
    prose = 0
    for block in cell.iterdescendants(*_CELL_BLOCKS):
        if any(child.tag in _CELL_BLOCKS for child in block):
            continue  # a wrapper: its paragraphs count, not it
        if _reads_as_prose(text_of(block)):
            prose += 1
            if prose >= 2:
                return True
    return False


def _in_value_cell(el: HtmlElement, tr: HtmlElement) -> bool:
    """Whether *el* is (or sits in) the ``td`` of a labelled row (``th`` label, ``td`` value, as
    in an infobox or a notice's fact sheet): links there are the value ("Official languages:
    English, Māori"), not a menu."""
    if not any(c.tag == "th" for c in tr):
        return False
    return any(node.tag == "td" and node.getparent() is tr for node in (el, *el.iterancestors()))


def _heads_section(el: HtmlElement, container: HtmlElement, title_key: str) -> bool:
    """A ``<header>`` inside the body that holds nothing but one sub-heading (``h2``–``h6``) and
    is followed by the prose it heads: the heading of an entry or a part of the body (a
    listing's item, a report's section). A banner carries a logo, links or a byline besides; a
    teaser card's header sits in a link or heads a blurb; the article's own header repeats the
    title or opens the container."""
    if el.tag != "header" or next(el.iterancestors("a"), None) is not None:
        return False
    headings = list(el.iter(*_HEADINGS))
    if len(headings) != 1 or next(el.iter("a", "img", "nav", "form", "time"), None) is not None:
        return False
    text = text_of(el)
    if not text or text != text_of(headings[0]) or _repeats_title(text, title_key):
        return False
    # the next block with text (a picture may stand between a heading and its text)
    following = next((s for s in el.itersiblings() if isinstance(s.tag, str) and text_of(s)), None)
    return following is not None and _heads_prose(following) and _text_before(el, container)


def _heads_prose(el: HtmlElement) -> bool:
    """Whether *el* is running text a heading can head: a sentence of some length, few links."""
    return _reads_as_prose(text_of(el), 60) and _link_density(el) < 0.3


def _text_before(el: HtmlElement, container: HtmlElement) -> bool:
    """Whether some text of *container* comes before *el*."""
    node = el
    while node is not container and node is not None:
        parent = node.getparent()
        if parent is None:
            return False
        before = (sib for sib in node.itersiblings(preceding=True) if isinstance(sib.tag, str))
        if norm(parent.text) or any(text_of(sib) or norm(sib.tail) for sib in before):
            return True
        node = parent
    return False


def _body_lines(lines: list[str], title_key: str) -> list[str]:
    """*lines* without page furniture and metadata lines (chrome, 来源/Published labels, dates
    and bylines near the top, credits, promos, the title repeated), and without a trailing
    "Related" heading."""
    kept: list[str] = []
    for index, text in enumerate(lines):
        if len(text) <= 80 and (
            _CHROME_LINE.search(text)
            or _META_LINE.match(text)
            or _DATED_LABEL.match(text)
            or (index < 5 and (_DATE_ONLY.match(text) or _BYLINE.match(text) or _dated_furniture(text)))
            or _CREDIT_LINE.match(text)
            or not _WORDISH.search(text)
            or _META_LINE.match(_DATE_LEAD.sub("", text, count=1))
            or _CAPTION_CREDIT.search(text)
            or len(_META_ROW.findall(text)) >= 2
        ):
            continue
        if len(text) <= 160 and (_NEWSLETTER_PROMO.search(text) or _DISCLAIMER.match(text)):
            continue
        if title_key and re.sub(r"\W+", "", text).lower() == title_key:
            continue
        kept.append(text)
    while kept and _RELATED_HEADING.match(kept[-1]):
        kept.pop()
    return kept


def _dated_furniture(text: str) -> bool:
    """A date followed by page furniture on one line: "Oct 18, 2019 · 8 min read"."""
    rest = _DATE_LEAD.sub("", text, count=1).lstrip(_SEPARATOR_CHARS)
    return bool(rest) and rest != text and _CHROME_LINE.search(rest) is not None


def _text_len(paragraphs: list[str]) -> int:
    return sum(len(p) for p in paragraphs)


def _selector_index() -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
    """:data:`CONTAINER_SELECTORS` as lookups (class, id, itemprop -> rank), so one walk of the
    tree finds every container instead of one tree search per selector."""
    classes: dict[str, int] = {}
    ids: dict[str, int] = {}
    props: dict[str, int] = {}
    for rank, selector in enumerate(CONTAINER_SELECTORS):
        if selector.startswith("."):
            classes.setdefault(selector[1:], rank)
        elif selector.startswith("#"):
            ids.setdefault(selector[1:], rank)
        elif selector.startswith("[itemprop="):
            props.setdefault(selector[len("[itemprop=") : -1], rank)
        else:  # pragma: no cover - a new selector of another form fails at import
            raise ValueError(f"container selector not of the indexed forms: {selector}")
    return classes, ids, props


_BY_CLASS, _BY_ID, _BY_ITEMPROP = _selector_index()


def _container_matches(tree: HtmlElement) -> dict[int, list[HtmlElement]]:
    """Elements matching each container selector, by the selector's rank, in document order."""
    found: dict[int, list[HtmlElement]] = {}
    for el in named_elements(tree):
        get = el.get
        ranks = []
        cls = get("class")
        if cls:
            ranks += [_BY_CLASS[c] for c in cls.split() if c in _BY_CLASS]
        ident = get("id")
        if ident and ident in _BY_ID:
            ranks.append(_BY_ID[ident])
        prop = get("itemprop")
        if prop and prop in _BY_ITEMPROP:
            ranks.append(_BY_ITEMPROP[prop])
        for rank in set(ranks):
            found.setdefault(rank, []).append(el)
    return found


def _known_container(tree: HtmlElement) -> list[HtmlElement]:
    """The first CMS content container that matches with enough text and few links, with the
    other chunks of the same article: sites cut a body into sibling containers of one class
    around ad slots and widgets, and every chunk belongs to the body (empty when none)."""
    matches = _container_matches(tree)
    for rank in sorted(matches):
        found: list[tuple[int, HtmlElement]] = []
        for el in matches[rank]:
            if _in_chrome(el):
                continue
            size = len(text_of(el))
            if size >= _MIN_CONTAINER_CHARS and _link_density(el) < 0.5:
                found.append((size, el))
        if found:
            best = max(found, key=lambda pair: pair[0])[1]
            return _chunks(best, [el for _, el in found])
    return []


def _chunks(best: HtmlElement, matches: list[HtmlElement]) -> list[HtmlElement]:
    """*best* and the matches that are further chunks of it, in document order: same tag and
    class, or same tag and parent (``p.par1``, ``p.par2`` …), neither inside the other, each a
    real piece of prose with few links (a row of sidebar boxes sharing a "content" class is not
    an article)."""
    sig = _signature(best)
    parent = best.getparent()

    def chunk(el: HtmlElement) -> bool:
        kin = _signature(el) == sig or (el.tag == best.tag and el.getparent() is parent)
        return kin and len(text_of(el)) >= 50 and _link_density(el) < 0.3

    kept = [el for el in matches if el is best or chunk(el)]
    outer = [el for el in kept if not any(other is not el and _contains(other, el) for other in kept)]
    return outer if best in outer else [best]


def _contains(outer: HtmlElement, inner: HtmlElement) -> bool:
    return any(anc is outer for anc in inner.iterancestors())


_PUNCT = re.compile(r"[,，。；;、.!?！？:：]")
_SENTENCE = re.compile(r"[，。；！？]|[a-z]{2}[.!?;](?:\s|$)|[a-z], [a-z]")
_GOOD_MARKER = re.compile(
    r"article|content|main|body|text|post|story|entry|zhengwen|detail|news", re.IGNORECASE
)


def _block_scores(
    root: HtmlElement, chrome: Callable[[HtmlElement], bool], para_divs: set[HtmlElement]
) -> dict[HtmlElement, float]:
    """Score of each text block: one point, one per punctuation mark, up to three for length.
    Divs that are really paragraphs (inline runs only) are added to *para_divs*."""
    blocks: dict[HtmlElement, float] = {}
    for el in root.iter("p", "pre", "td", "blockquote", "div", "section", "li"):
        if el.tag in ("div", "section", "li"):
            text = norm((el.text or "") + "".join(c.tail or "" for c in el))
            if len(text) < 25 and len(el) and all(c.tag in _INLINE for c in el):
                # Word-pasted bodies: the text sits in <span>/<font> runs inside a bare <div>,
                # one div per paragraph; it votes for its parent like a <p>
                text = text_of(el)
                if not _SENTENCE.search(text) or _link_density(el) > 0.3:
                    continue  # a byline or a link bar set in spans, not prose
                if len(text) >= 25 and not chrome(el):
                    para_divs.add(el)
        else:
            text = text_of(el)
        if len(text) < 25 or chrome(el):
            continue
        blocks[el] = 1.0 + len(_PUNCT.findall(text)) + min(len(text) / 100.0, 3.0)
    return blocks


def _title_heading(root: HtmlElement, title: str) -> HtmlElement | None:
    """The heading that carries the article title (or the page's only ``h1``)."""
    key = re.sub(r"\W+", "", title).lower()
    h1s = list(root.iter("h1"))
    for heading in h1s + list(root.iter("h2")):
        text = re.sub(r"\W+", "", text_of(heading)).lower()
        if key and text and ((text in key and len(text) * 5 >= len(key) * 2) or key in text):
            return heading
    return h1s[0] if len(h1s) == 1 else None


def _title_depths(heading: HtmlElement | None) -> dict[HtmlElement, int]:
    """Depth of each ancestor of the title heading (the page root is 0)."""
    if heading is None:
        return {}
    chain = [heading, *heading.iterancestors()]
    return {el: len(chain) - 1 - i for i, el in enumerate(chain)}


def _title_affinity(el: HtmlElement, depths: dict[HtmlElement, int]) -> int:
    """Depth of the closest element that holds both *el* and the title heading: the body sits
    in the title's column, deeper than any sidebar's meeting point with it."""
    for node in (el, *el.iterancestors()):
        if node in depths:
            return -1 if node.tag in ("body", "html") else depths[node]
    return -1


def _signature(el: HtmlElement) -> tuple[str, str]:
    return el.tag, " ".join(sorted((el.get("class") or "").split()))


def _cached_len(el: HtmlElement, lengths: dict[HtmlElement, int]) -> int:
    if el not in lengths:
        lengths[el] = len(text_of(el))
    return lengths[el]


def _group(
    top: HtmlElement,
    chrome: Callable[[HtmlElement], bool],
    content: dict[HtmlElement, float],
    lengths: dict[HtmlElement, int],
    joined: set[HtmlElement],
) -> list[HtmlElement]:
    """The body around a winning block: wrappers that add nothing are climbed, then siblings cut
    apart by ads or "companion column" markup (same tag and class, text inside) are joined. A
    parent taken because such chunks hold its prose is added to *joined*."""
    node = _climb(top, chrome, lengths)
    parent = node.getparent()
    if parent is None or parent.tag in ("body", "html"):
        return [node]
    sig = _signature(node)
    classes = set(sig[1].split())
    members = []
    for sib in parent:
        # the same component, maybe with a modifier class ("ecl-paragraph" / "ecl-paragraph quotes")
        sib_classes = set((sib.get("class") or "").split()) if isinstance(sib.tag, str) else set()
        kin = sib_classes == classes or (
            bool(sib_classes) and (sib_classes < classes or classes < sib_classes)
        )
        # classless <section>s are the parts of one story; classless divs may be anything
        named = bool(classes) or node.tag == "section"
        same = (
            isinstance(sib.tag, str)
            and named
            and sib.tag == node.tag
            and kin
            and content.get(sib, 0.0) > 0
            and not chrome(sib)
        )
        if sib is node or same or _prose_sibling(sib, node, chrome, content) or _kin_panel(sib, node, chrome):
            members.append(sib)
    if len(members) > 2 and sum(content.get(m, 0.0) for m in members) >= 0.8 * content.get(parent, 0.0):
        # the parent is the body: taking it keeps the headings, lists and tables between chunks
        whole = _table_of(parent)
        if sum(_signature(m) == sig for m in members) > 2:
            joined.add(whole)
        return [whole]
    return members


def _climb(
    node: HtmlElement, chrome: Callable[[HtmlElement], bool], lengths: dict[HtmlElement, int]
) -> HtmlElement:
    """The outermost wrapper of *node* that adds next to no text."""
    size = _cached_len(node, lengths)
    while True:
        parent = node.getparent()
        if parent is None or parent.tag in ("body", "html") or chrome(parent):
            return node
        if _cached_len(parent, lengths) > size * 1.1 + 20:
            return node
        node = parent


def _table_of(rows: HtmlElement) -> HtmlElement:
    """The table around a body of rows: its heading row and caption belong with them."""
    parent = rows.getparent()
    return parent if rows.tag in ("tbody", "thead", "tfoot") and parent is not None else rows


def _prose_sibling(
    sib: HtmlElement,
    node: HtmlElement,
    chrome: Callable[[HtmlElement], bool],
    content: dict[HtmlElement, float],
) -> bool:
    """A sibling of the body block that carries on its prose (readability's sibling rule): a
    block scoring a fifth of the body's, or a paragraph of sentence length, with few links."""
    if not isinstance(sib.tag, str) or sib is node or chrome(sib):
        return False
    score = content.get(sib, 0.0)
    if score <= 0:
        return False
    if score >= 0.2 * content.get(node, 0.0):
        return _link_density(sib) < 0.3
    if sib.tag != "p":
        return False
    text = text_of(sib)
    return _reads_as_prose(text) and _link_density(sib) < 0.25


def _kin_panel(sib: HtmlElement, node: HtmlElement, chrome: Callable[[HtmlElement], bool]) -> bool:
    """A sibling panel of the body's own component family (same tag, a class word in common:
    "panel-pane pane-entity-field …") made of two paragraphs of prose or more with next to no
    links: the other part of one page's text (a release's summary above its transcript, an
    attachment section below a notice). Teaser lists, captions, media links and the family's
    header panes hold fewer prose paragraphs or are link-heavy."""
    if not isinstance(sib.tag, str) or sib is node or sib.tag != node.tag or chrome(sib):
        return False
    if not set((sib.get("class") or "").split()) & set((node.get("class") or "").split()):
        return False
    if _link_density(sib) >= 0.1:
        return False
    paragraphs = [text_of(p) for p in sib.iter("p")]
    prose = [t for t in paragraphs if _reads_as_prose(t)]
    return len(prose) >= 2 and sum(map(len, paragraphs)) >= 0.8 * len(text_of(sib))


def _inherited(root: HtmlElement, own: Callable[[HtmlElement], bool]) -> Callable[[HtmlElement], bool]:
    """*own* extended to descendants (an element inside chrome is chrome), memoised per page."""
    cache: dict[HtmlElement, bool] = {}

    def judge(el: HtmlElement) -> bool:
        if el not in cache:
            parent = el.getparent()
            cache[el] = own(el) or (parent is not None and parent is not root and judge(parent))
        return cache[el]

    return judge


def _content_sums(blocks: dict[HtmlElement, float]) -> dict[HtmlElement, float]:
    """Prose score held by each element: its own blocks' and its descendants'."""
    content: dict[HtmlElement, float] = {}
    for el, score in blocks.items():
        for anc in el.iterancestors():
            content[anc] = content.get(anc, 0.0) + score
        content[el] = content.get(el, 0.0) + score
    return content


def _named_chrome_judge(
    prose: dict[HtmlElement, float], heading: HtmlElement | None
) -> Callable[[HtmlElement], bool]:
    """Chrome by landmark tag or role; by class/id word, ``hidden`` or a ``form`` wrapper only
    when the content does not say otherwise. Names are weak evidence ("main-no-ads-col",
    "content-news-tag-selector", ``id=article class="comments-enabled"`` wrap whole articles):
    an element holding the headline and a quarter of the page's prose is the article's, and one
    holding half of it with few links is content unless its name says comments, consent or
    related stories."""
    held = _content_sums(prose)
    total = sum(prose.values()) or 1.0
    kin_shares = _kin_shares(held, total)

    def own(el: HtmlElement) -> bool:
        if is_landmark_chrome(el):
            return True
        if not (el.tag == "form" or is_boilerplate(el) or is_hidden(el)):
            return False
        share = held.get(el, 0.0) / total
        if share >= 0.25 and heading is not None and _contains(el, heading):
            return False
        if has_hard_name(el):
            return True
        if share < 0.5 and kin_shares.get(_signature(el), 0.0) >= 0.5 and _link_density(el) < 0.3:
            return False  # one chunk of an article cut around ad slots ("sidebar-grid__content")
        # a wrapper of nearly all the prose is no chrome even when menus inside make it link-heavy
        return share < 0.5 or (share < 0.8 and _link_density(el) > 0.5)

    return own


def _kin_shares(held: dict[HtmlElement, float], total: float) -> dict[tuple[str, str], float]:
    """Share of the page's prose held by each kind of element (tag and class): a site that cuts
    its article into chunks around ad slots gives every chunk one class, and together they hold
    most of the prose whatever each chunk's name says. An element inside another of its kind
    is counted with that one."""
    shares: dict[tuple[str, str], float] = {}
    for el, score in held.items():
        if not el.get("class"):
            continue
        kind = _signature(el)
        if any(_signature(anc) == kind for anc in el.iterancestors()):
            continue
        shares[kind] = shares.get(kind, 0.0) + score / total
    return shares


def _density_groups(tree: HtmlElement, title: str = "") -> list[list[HtmlElement]]:
    """Readability-style scoring: text blocks vote for their parent and grandparent; the best
    candidates are widened to the whole body (see :func:`_group`) and ranked by the text the
    group holds, with a bonus for following the title heading."""
    scores: dict[HtmlElement, float] = {}
    body = tree.find(".//body")
    root = body if body is not None else tree
    para_divs: set[HtmlElement] = set()
    landmark = _inherited(root, is_landmark_chrome)
    prose = _block_scores(root, landmark, para_divs)
    heading = _title_heading(root, title)
    chrome = _inherited(root, _named_chrome_judge(prose, heading))
    blocks = {el: score for el, score in prose.items() if not chrome(el)}
    content = _content_sums(blocks)
    for el, score in blocks.items():
        parent = el if el.tag in ("div", "section") and el not in para_divs else el.getparent()
        if parent is None:
            continue
        scores[parent] = scores.get(parent, 0.0) + score
        grand = parent.getparent()
        if grand is not None:
            scores[grand] = scores.get(grand, 0.0) + score / 2
    ranked: list[tuple[float, HtmlElement]] = []
    for el, score in scores.items():
        if el.tag in ("html",) or chrome(el):
            continue
        ranked.append((score * _quality(el), el))
    ranked.sort(key=lambda pair: -pair[0])
    ranked = _promote_common_ancestor(ranked, chrome)
    depths = _title_depths(heading)
    candidates = []
    seen: set[HtmlElement] = set()
    lengths: dict[HtmlElement, int] = {}  # candidates share ancestors: measure each once
    joined: set[HtmlElement] = set()
    for _, el in ranked[:8]:
        members = _group(el, chrome, content, lengths, joined)
        if members[0] in seen:
            continue
        seen.add(members[0])
        total = sum(content.get(m, 0.0) * (1.0 - _link_density(m)) for m in members)
        affinity = _title_affinity(members[0], depths)
        candidates.append((total * _marker_bonus(members[0]), len(candidates), members, affinity))
        if len(candidates) == 5:
            break
    return _order_candidates(_drop_nested_parts(candidates, content, heading, joined))


def _promote_common_ancestor(
    ranked: list[tuple[float, HtmlElement]], chrome: Callable[[HtmlElement], bool]
) -> list[tuple[float, HtmlElement]]:
    """Put first the closest ancestor of the best candidate that also holds two other strong,
    separate candidates: an article cut into chunks (each between ad slots, in its own wrapper)
    shows up as several candidates of similar weight, and their common ancestor is the body."""
    if len(ranked) < 3:
        return ranked
    top_score, top = ranked[0]
    others = [
        el
        for score, el in ranked[1:10]
        if score >= 0.4 * top_score and not _contains(el, top) and not _contains(top, el)
    ]
    if len(others) < 2:
        return ranked
    for anc in top.iterancestors():
        if anc.tag in ("body", "html") or chrome(anc):
            break
        if sum(1 for other in others if _contains(anc, other)) >= 2:
            return [(top_score, anc), *ranked]
    return ranked


_WHOLE_OVER_PART = 1.5


def _drop_nested_parts(
    candidates: list[tuple[float, int, list[HtmlElement], int]],
    content: dict[HtmlElement, float],
    heading: HtmlElement | None,
    joined: set[HtmlElement],
) -> list[tuple[float, int, list[HtmlElement], int]]:
    """Leave out a candidate that lies inside another one holding clearly more prose: it is a
    part of that body (its first section, the lead block of a live blog), and its deeper
    position next to the headline must not win over the whole. A whole made of chunks of one
    kind (see :func:`_group`) needs only to hold more: its other chunks are the article's
    continuation, not the other column of the page."""
    kept = []
    for cand in candidates:
        part = sum(content.get(m, 0.0) for m in cand[2])
        if not any(
            other is not cand and _holds_part(other[2][0], cand[2][0], part, content, heading, joined)
            for other in candidates
        ):
            kept.append(cand)
    return kept


def _holds_part(
    whole: HtmlElement,
    part: HtmlElement,
    part_prose: float,
    content: dict[HtmlElement, float],
    heading: HtmlElement | None,
    joined: set[HtmlElement],
) -> bool:
    """Whether *part* is a part of the body *whole* (see :func:`_drop_nested_parts`)."""
    if whole in joined and _contains(whole, part):
        return content.get(whole, 0.0) > part_prose
    return _whole_prose(whole, part, content, heading) >= _WHOLE_OVER_PART * part_prose


def _whole_prose(
    whole: HtmlElement, part: HtmlElement, content: dict[HtmlElement, float], heading: HtmlElement | None
) -> float:
    """Prose of *whole* that can belong with *part* (0 when it does not contain it). When the
    part shares a branch of the whole with the headline, only that branch counts: the whole is
    then the page's two columns, and the other column's teasers are not more of the article."""
    if not _contains(whole, part):
        return 0.0
    branch = part
    while branch.getparent() is not whole:
        branch = branch.getparent()
    if heading is not None and (branch is heading or _contains(branch, heading)):
        return content.get(branch, 0.0)
    return content.get(whole, 0.0)


def _order_candidates(
    candidates: list[tuple[float, int, list[HtmlElement], int]],
) -> list[list[HtmlElement]]:
    """Groups in the title's column come first, in score order, unless they hold a fifth of the
    best group's text or less (a sidebar of teasers can outweigh a short release, not the other
    way round); the rest follow by the text they hold."""
    best = max((c[0] for c in candidates), default=0.0)
    closest = max((c[3] for c in candidates if c[0] > 0.2 * best), default=-1)
    groups = []
    for total, order, members, affinity in candidates:
        if closest >= 0 and affinity == closest and total > 0.2 * best:
            groups.append((0, float(order), members))
        else:
            groups.append((1, -total, members))
    groups.sort(key=lambda g: (g[0], g[1]))
    return [g[2] for g in groups]


def _quality(el: HtmlElement) -> float:
    return (1.0 - _link_density(el)) * _marker_bonus(el)


def _marker_bonus(el: HtmlElement) -> float:
    marker = f"{el.get('class') or ''} {el.get('id') or ''}"
    return 1.25 if el.tag == "article" or _GOOD_MARKER.search(marker) else 1.0


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
    if leads:
        return leads
    # GOV.UK-style grids put the lead in its own row: look in the rows just above the container's
    # column, up to the row holding the headline.
    node = container
    for _ in range(3):
        node = node.getparent()
        if node is None or node.tag in ("body", "html", "main", "article"):
            break
        for sib in node.itersiblings(preceding=True):
            if not isinstance(sib.tag, str) or sib.find(".//h1") is not None or sib.tag == "h1":
                break
            found = [p for p in sib.iter("p") if _LEAD.search(f"{p.get('class') or ''} {p.get('id') or ''}")]
            if found:
                return [t for p in found for t in paragraphs_of(p, title)]
    return leads


_STANDFIRST_TAGS = frozenset({"p", "div", "h2", "h3", "h4", "span"})
_STANDFIRST_MAX_REGION = 1500  # more text than this between headline and body is no standfirst
_STANDFIRST_MAX_BLOCKS = 2


def _standfirst(tree: HtmlElement, container: HtmlElement, title: str) -> list[str]:
    """The summary paragraph set between the headline and the body container ("dek",
    "standfirst", "excerpt"): sites print it in the article's header, outside the body's wrapper.
    Only running text qualifies (sentence-shaped, few links, not the text of a picture's box,
    not the headline again), and only when little else stands between headline and body: a
    region full of text is a teaser block or a second column, not a lead. When the container
    holds the headline in its own ``<header>`` (``article > header > h1 + p.dek``), the walker
    leaves that header out as a banner, and the standfirst is looked for there."""
    body = tree.find(".//body")
    heading = _title_heading(body if body is not None else tree, title)
    if heading is None or _contains(heading, container):
        return []
    if _contains(container, heading):
        shared = _header_below(heading, container)
    else:
        shared = next((a for a in heading.iterancestors() if _contains(a, container)), None)
    if shared is None or shared.tag in ("body", "html"):
        return []
    region = _between(shared, heading, container)
    members = set(region)
    if _text_len([text_of(el) for el in region if el.getparent() not in members]) > _STANDFIRST_MAX_REGION:
        return []
    title_key = re.sub(r"\W+", "", title).lower()
    leads = [el for el in region if _is_standfirst(el) and not _repeats_title(text_of(el), title_key)]
    if not leads or len(leads) > _STANDFIRST_MAX_BLOCKS:
        return []
    return list(dict.fromkeys(t for el in leads for t in paragraphs_of(el, title)))


def _header_below(heading: HtmlElement, container: HtmlElement) -> HtmlElement | None:
    """The ``<header>`` holding *heading* inside *container*, if any."""
    for anc in heading.iterancestors():
        if anc is container:
            return None
        if anc.tag == "header":
            return anc
    return None


def _repeats_title(text: str, title_key: str) -> bool:
    """Whether *text* is the headline again, maybe with a kicker ("Meinung …") or a site name."""
    key = re.sub(r"\W+", "", text).lower()
    if not key or not title_key:
        return False
    short, long_ = sorted((key, title_key), key=len)
    return short in long_ or _title_overlap(key, title_key) >= 0.8


def _between(shared: HtmlElement, heading: HtmlElement, container: HtmlElement) -> list[HtmlElement]:
    """Elements of *shared* after the heading (not in it) and before the container (not
    around it)."""
    found: list[HtmlElement] = []
    passed = False
    skip = set(heading.iterdescendants()) | set(container.iterancestors())
    for el in shared.iter():
        if el is container:
            break
        if el is heading:
            passed = True
        elif passed and isinstance(el.tag, str) and el not in skip:
            found.append(el)
    return found


def _is_standfirst(el: HtmlElement) -> bool:
    """A leaf block of running text with few links, not the text of a picture's box, in no
    caption or chrome."""
    if el.tag not in _STANDFIRST_TAGS or any(c.tag in _BLOCK for c in el if isinstance(c.tag, str)):
        return False
    text = text_of(el)
    if not 40 <= len(text) <= 500 or not _running_text(text) or _link_density(el) > 0.2:
        return False
    parent = el.getparent()
    pictured = parent is not None and next(parent.iter("img", "picture", "video", "figure"), None) is not None
    if pictured and len(text_of(parent)) <= 2 * len(text) + 20:
        return False  # the text of a small box around a picture: its caption
    return not any(
        a.tag in ("h1", "figure", "figcaption", "nav", "aside", "footer", "form", "button", "noscript")
        or _CAPTION_CLASS.search(a.get("class") or "")
        or is_hidden(a)
        or has_hard_name(a)
        for a in _block_ancestry(el)
    )


def _block_ancestry(el: HtmlElement) -> list[HtmlElement]:
    """*el* and its ancestors below ``<body>``: the class words of ``body`` and ``html`` name the
    page's template and plugins (WordPress's ``wp-featherlight-captions``, ``single-post``), not a
    block of it."""
    chain = [el]
    for anc in el.iterancestors():
        if anc.tag in ("body", "html"):
            break
        chain.append(anc)
    return chain


_MARKUP = re.compile(r"<\w+[^>]*>")


def _running_text(text: str) -> bool:
    """Prose rather than a label, a dateline or markup shown as text: a sentence mark, or eight
    words or more of which most start in lower case; few digits, no tags."""
    if sum(c.isdigit() for c in text) > 0.1 * len(text) or _MARKUP.search(text):
        return False
    if _SENTENCE.search(text):
        return True
    words = text.split()
    return len(words) >= 8 and sum(w[0].islower() for w in words) * 2 >= len(words)


def _title_overlap(key: str, title_key: str) -> float:
    """Share of *key*'s character bigrams that are the title's: a headline re-set with a kicker."""
    grams = {title_key[i : i + 2] for i in range(len(title_key) - 1)}
    return sum(key[i : i + 2] in grams for i in range(len(key) - 1)) / max(1, len(key) - 1)


def find_body(tree: HtmlElement, title: str = "", selector: str | None = None) -> Body:
    """Paragraphs of the article body, the container they came from and the engine used."""
    events: list[str] = []
    if selector:
        found = select(tree, selector)
        paragraphs = [p for el in found for p in paragraphs_of(el, title)]
        if _text_len(paragraphs) >= _MIN_SELECTOR_CHARS:
            return Body(paragraphs, found[0], "selector", events)
        events.append("selector_fallback")
    chunks = _known_container(tree)
    if chunks:
        leads = _lead_paragraphs(chunks[0], title)
        texts = [p for chunk in chunks for p in paragraphs_of(chunk, title)]
        paragraphs = drop_repeated_furniture(leads + texts)
        if paragraphs and not leads:
            paragraphs = [t for t in _standfirst(tree, chunks[0], title) if t not in paragraphs] + paragraphs
        if _text_len(paragraphs) >= _MIN_CONTAINER_CHARS:
            return Body(paragraphs, chunks[0], "container", events)
    for members in _density_groups(tree, title):
        paragraphs = drop_repeated_furniture([p for member in members for p in paragraphs_of(member, title)])
        if paragraphs:
            lead = [t for t in _standfirst(tree, members[0], title) if t not in paragraphs]
            return Body(lead + paragraphs, members[0], "density", events)
    return Body([], None, "none", events)


_FURNITURE_LEN = 30
_FURNITURE_REPEATS = 3


def drop_repeated_furniture(paragraphs: list[str]) -> list[str]:
    """Leave out short lines a body repeats three times or more between other paragraphs
    ("Article content" before every chunk, a "新規登録" button under every teaser): page
    furniture, never the article's prose. Repeats that mostly follow each other are a list, and
    stay."""
    positions: dict[str, list[int]] = {}
    for index, text in enumerate(paragraphs):
        if len(text) <= _FURNITURE_LEN:
            positions.setdefault(text, []).append(index)
    furniture = {
        text
        for text, seen in positions.items()
        if len(seen) >= _FURNITURE_REPEATS
        and sum(b - a == 1 for a, b in itertools.pairwise(seen)) * 2 < len(seen) - 1
    }
    return [p for p in paragraphs if p not in furniture] if furniture else paragraphs


def page_text(tree: HtmlElement, title: str = "") -> Body:
    """The visible text of the whole page, chrome left out: the last resort for a page with no
    block long enough to score ("Test", three short list items), so that text on a page is never
    dropped for want of a container."""
    body = tree.find(".//body")
    if body is None:
        return Body([], None, "none")
    paragraphs = paragraphs_of(body, title)
    return Body(paragraphs, body if paragraphs else None, "page_text" if paragraphs else "none")

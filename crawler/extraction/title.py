"""The article's headline, not the ``<title>`` with its site-name suffix.

Evidence, in order: a source selector; TRS's ``meta[name=ArticleTitle]``; a visible heading
(``h1``, or a title-classed block) that agrees with ``og:title`` or ``<title>``; then
``og:title`` or ``<title>`` with the site suffix stripped ("…_工作动态_河南省生态环境厅",
"… - Eco Policy Daily", "… | GOV.UK").
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from lxml import etree

from crawler.extraction._dom import meta_elements, norm, text_of

if TYPE_CHECKING:
    from lxml.html import HtmlElement

_SEPARATORS = re.compile(r"\s+[-|–—:·»]\s+|\s*[|｜_—–－»]\s*|\s+-\s*|--")
_SITE_WORDS = re.compile(
    r"(?:网|政府|人民政府|生态环境(?:厅|局|部)|厅|部|局|委员会|办公室|中心|频道|门户|首页|新闻|"
    r"gov\.uk|\bGOV\.UK\b|\bEPA\b|Agency|Commission|Daily|News|Times|Post|Brief|Programme|Ministry|"
    r"Department|\.com|\.org|\.cn)\s*$",
    re.IGNORECASE,
)
_TITLE_BLOCK_TAGS = ("div", "p", "span", "td")
_TITLE_CLASS_WORDS = ("title", "Title", "biaoti", "headline")


def _title_blocks(tree: HtmlElement) -> list[HtmlElement]:
    """``div``, ``p``, ``span`` and ``td`` elements of the page whose class holds "title",
    "Title", "biaoti" or "headline" or whose id holds "title", in document order.

    lxml picks the four tags in C and Python reads two attributes of those only: an XPath
    testing every element of the page for the four tags and five substrings took longer.
    """
    found = []
    for el in tree.getroottree().iter(*_TITLE_BLOCK_TAGS):
        cls = el.get("class")
        if (cls and any(word in cls for word in _TITLE_CLASS_WORDS)) or "title" in (el.get("id") or ""):
            found.append(el)
    return found


_HEADINGS = (etree.XPath("//h1"), etree.XPath("//h2"), _title_blocks)


def strip_site_suffix(title: str) -> str:
    """Remove site names and section names appended to a headline.

    >>> strip_site_suffix("关于政协提案的答复_建议提案_河南省生态环境厅")
    '关于政协提案的答复'
    >>> strip_site_suffix("Coal power falls in China for first time | Carbon Brief")
    'Coal power falls in China for first time'
    >>> strip_site_suffix("New rules on air quality - GOV.UK")
    'New rules on air quality'
    >>> strip_site_suffix("A-level results: what changed")
    'A-level results: what changed'
    """
    title = norm(title)
    parts = [p for p in _SEPARATORS.split(title) if p.strip()]
    if len(parts) < 2:
        return title
    head = parts[0]
    # Keep separators that are part of the headline when the first piece is short or the tail is long.
    tail = parts[1:]
    if all(len(p) <= max(30, len(head)) or _SITE_WORDS.search(p) for p in tail) and len(head) >= 4:
        return head.strip()
    return title


def _meta(tree: HtmlElement, names: tuple[str, ...]) -> str:
    for name in names:
        for el in meta_elements(tree):
            key = (el.get("name") or el.get("property") or "").lower()
            if key == name:
                value = norm(el.get("content"))
                if value:
                    return value
    return ""


def _similar(a: str, b: str) -> bool:
    """Whether heading *a* is the headline inside page title *b* (or the reverse)."""
    if not a or not b:
        return False
    a_key, b_key = re.sub(r"\W+", "", a).lower(), re.sub(r"\W+", "", b).lower()
    if not a_key or not b_key:
        return False
    if a_key in b_key:
        return len(a_key) * 5 >= len(b_key) * 3
    return len(b_key) >= 8 and b_key in a_key


_GENERIC = re.compile(
    r"^\s*(?:press release|news release|media release|news|untitled(?: document)?|document|"
    r"新闻稿|新闻发布|无标题(?:文档)?)?\s*$",
    re.IGNORECASE,
)
_PIECE_SEPARATOR = re.compile(r"^\s*[-_|｜:：–—－»·]+\s*|\s*[-_|｜:：–—－»·]+\s*$")


_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
_DOMAIN = re.compile(r"^[\w-]+(?:\.[\w-]+)+$")


def _shown_piece(tree: HtmlElement, titles: list[str], site_names: frozenset[str] = frozenset()) -> str:
    """The headline as the page shows it, when no heading tag carries it: the longest visible
    line that is the page title minus a site name or a kicker joined by any separator
    ("…-河南省生态环境厅" without spaces, "DEC Press Release: …", "浙江省生态环境厅 工作动态 …"),
    e.g. in a styled ``div`` or ``font``."""
    from crawler.extraction._lines import visible_lines  # deferred: only pages without headings

    best = ""
    for line in visible_lines(tree):
        if len(line) < 6 or len(line) <= len(best) or len(line) > 300:
            continue
        if _key(line) in site_names or _DOMAIN.match(line):
            continue  # the site's name in its logo ("日本経済新聞", "MDR.DE") is no headline
        for title in titles:
            if line == title or line not in title:
                continue
            rest = title.replace(line, "", 1)
            spaced = len(line) >= 8 and (rest[:1].isspace() or rest[-1:].isspace())
            if (
                rest.strip()
                and (_PIECE_SEPARATOR.search(rest) or spaced)
                and (title.startswith(line) or title.endswith(line))
                and not _brand_before_tagline(line, rest)
            ):
                best = line
    return best


def _heading_piece(tree: HtmlElement, titles: list[str], site_names: frozenset[str]) -> str:
    """An ``h1`` whose text is one whole piece of the page title split at its separators
    ("„Unermüdlicher Einsatz“ - Die Neue Südtiroler Tageszeitung").

    The site's name may be the longer piece, so the title's tail cannot be stripped by length,
    and the headline is then too short a part of the title to agree with it; an ``h1`` equal to
    a piece settles which piece is the headline. A site's name in a logo ``h1`` is passed over:
    it matches ``og:site_name``, or the whole heading is one link (to the home page).
    """
    pieces = {_key(piece) for title in titles for piece in _SEPARATORS.split(norm(title))} - {""}
    if len(pieces) < 2:
        return ""
    for el in _HEADINGS[0](tree):
        text = text_of(el)
        key = _key(text)
        if len(text) < 4 or key not in pieces or key in site_names:
            continue
        if any(text_of(link) == text for link in el.iter("a")):
            continue
        return text
    return ""


def _brand_before_tagline(line: str, rest: str) -> bool:
    """Whether *line* is one word and the rest of the title is a phrase of three words or more
    ("Firefox — Customize and make it your own — …"): the word is a product or site name shown
    in the navigation, and the title describes the page. A one-word title next to a code or a
    site name ("remoteStorage" after "draft-dejong-remotestorage-04") stays a headline."""
    if " " in line or _CJK.search(line):
        return False
    return sum(1 for word in rest.split() if any(c.isalpha() for c in word)) >= 3


def _key(text: str) -> str:
    return re.sub(r"\W+", "", text).lower()


def _document_title(tree: HtmlElement) -> str:
    """The page's ``<title>``: the first one with text that names no inline SVG icon. A template
    may leave the head's ``<title>`` empty and print the filled one later, and every icon of a
    sprite carries a ``<title>`` of its own ("aoc-share")."""
    for el in tree.iter("title"):
        text = norm(el.text_content())
        if text and next(el.iterancestors("svg", "symbol"), None) is None:
            return text
    return ""


def find_title(tree: HtmlElement) -> str:
    """The headline of the page, or ``""`` when it has none."""
    article_title = _meta(tree, ("articletitle",))
    if article_title:
        return article_title
    og = _meta(tree, ("og:title", "twitter:title"))
    head_title = _document_title(tree)
    reference = [strip_site_suffix(t) for t in (og, head_title) if t]
    headings: list[str] = []
    for xpath in _HEADINGS:
        for el in xpath(tree):
            text = text_of(el)
            if 4 <= len(text) <= 300:
                headings.append(text)
    # the site's name in a logo heading is no headline, though the page title contains it
    site_names = frozenset({_key(_meta(tree, ("og:site_name",)))} - {""})
    for text in headings:
        if _key(text) not in site_names and any(_similar(text, ref) for ref in reference):
            return text
    piece_heading = _heading_piece(tree, [t for t in (og, head_title) if t], site_names)
    if piece_heading:
        return piece_heading
    shown = _shown_piece(tree, [t for t in (og, head_title) if t], site_names)
    if shown:
        return shown
    if not og and _GENERIC.match(head_title):
        # Word exports and CMS defaults title every page "PRESS RELEASE": the headline is then the
        # first bold line of some length
        for el in tree.iter("b", "strong"):
            text = text_of(el)
            if 15 <= len(text) <= 200 and not _GENERIC.match(text):
                return text
    if og:
        return strip_site_suffix(og)
    if head_title:
        return strip_site_suffix(head_title)
    h1 = tree.find(".//h1")
    if h1 is not None:
        return text_of(h1)
    return headings[0] if headings else ""


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"“‘(])|(?<=[。！？])")
_MAX_BODY_TITLE = 120


def title_from_body(paragraphs: list[str]) -> str:
    """A headline for a page that names none (no ``<title>``, ``og:title`` or heading): the first
    sentence of its first paragraph, cut at a word boundary when long, or ``""``.

    >>> title_from_body(["Council approves the plan. It takes effect in May."])
    'Council approves the plan.'
    >>> title_from_body(["河道治理方案获批。五月起施行。"])
    '河道治理方案获批。'
    """
    first = next((p for p in paragraphs if p.strip()), "")
    sentence = _SENTENCE_END.split(norm(first), maxsplit=1)[0]
    if len(sentence) <= _MAX_BODY_TITLE:
        return sentence
    cut = sentence[:_MAX_BODY_TITLE]
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut) + "…"

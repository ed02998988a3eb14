"""Small helpers over lxml trees shared by the extraction modules."""

from __future__ import annotations

import re
from contextlib import contextmanager
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from cssselect import SelectorError
from lxml import etree
from lxml.cssselect import CSSSelector

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from lxml.html import HtmlElement

SKIP_TAGS = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "iframe",
        "object",
        "embed",
        "svg",
        "canvas",
        "select",
        "option",
        "button",
        "input",
        "textarea",
        "head",
        "title",
        "link",
        "meta",
        "map",
    }
)
# Class/id words that mark page chrome rather than article text, matched as whole tokens of the
# class and id (split on ``-``, ``_``, spaces and camelCase), never as substrings: "metadata",
# "beside" or "gradient" say nothing. Two-word entries match adjacent tokens ("more news").
CHROME_WORDS = frozenset(
    {
        "nav",
        "navbar",
        "navigation",
        "menu",
        "breadcrumb",
        "breadcrumbs",
        "crumb",
        "crumbs",
        "footer",
        "foot",
        "sidebar",
        "side",
        "aside",
        "widget",
        "share",
        "sharing",
        "social",
        "sns",
        "bdshare",
        "jiathis",
        "related",
        "relate",
        "recommend",
        "recommended",
        "cookie",
        "cookies",
        "consent",
        "gdpr",
        "banner",
        "ad",
        "ads",
        "advert",
        "advertisement",
        "promo",
        "subscribe",
        "newsletter",
        "comment",
        "comments",
        "commentlist",
        "disqus",
        "respond",
        "replies",
        "reply",
        "tag",
        "tags",
        "print",
        "toolbar",
        "tools",
        "pagination",
        "pager",
        "prevnext",
        "skip",
        "modal",
        "popup",
        "popover",
        "tooltip",
        "overlay",
        "login",
        "search",
        "header",
        "masthead",
        "topbar",
        "copyright",
        "byline",
        "author",
        "meta",
        "dateline",
        "xgyd",
        "xgxw",
        "fenxiang",
        "dayin",
        "guanbi",
        "readmore",
        "recirculation",
        "outbrain",
        "taboola",
        "embed",
        "tweet",
        "instagram",
        "tiktok",
        "more|news",
        "prev|next",
        "skip|link",
        "article|info",
        "infobox",  # a box of figures or background beside the story (not a table: see below)
        "info|box",
        "info|bar",
        "read|more",
        "rich|link",
    }
)
# An info box laid out as a table of labelled rows is a fact sheet of the article's subject (an
# encyclopedia's infobox), read as the article's rows; a box of text so named stands beside it.
_FACT_SHEET_WORDS = frozenset({"infobox", "info|box"})

# Names that are chrome whatever they hold: a comment stream, a consent wall or a block of related
# stories with their standfirsts can outweigh a short article, and must still never become it.
# Each is also in CHROME_WORDS.
HARD_CHROME_WORDS = frozenset(
    {
        "comment",
        "comments",
        "commentlist",
        "disqus",
        "respond",
        "replies",
        "reply",
        "cookie",
        "cookies",
        "consent",
        "gdpr",
        "modal",
        "popup",
        "login",
        "related",
        "relate",
        "recommend",
        "recommended",
        "readmore",
    }
)
_TOKEN_SPLIT = re.compile(r"[-_./]+|(?<=[a-z0-9])(?=[A-Z])")
_LANDMARKS = frozenset({"article", "main", "body", "html"})
# Page-builder wrappers whose names contain chrome words but wrap any widget, content included.
_NEUTRAL_PREFIX = re.compile(r"(?:^|(?<=\s))elementor-widget(?:-container)?(?=[-\s]|$)-?")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)


def norm(text: str | None) -> str:
    """Collapse all whitespace (including full-width and NBSP) to single spaces and strip.

    >>> norm("  a\\u3000 b\\n c ")
    'a b c'
    """
    if not text:
        return ""
    # str.split() splits on exactly the characters \s matches; the two invisible ones it
    # keeps (zero-width space, BOM) become spaces first. Same result as the pattern, faster.
    if "\u200b" in text or "\ufeff" in text:
        text = text.replace("\u200b", " ").replace("\ufeff", " ")
    return " ".join(text.split())


@lru_cache(maxsize=256)
def compile_selector(selector: str) -> etree.XPath:
    """Compile a CSS selector, or an XPath one when it starts with ``/`` or ``(``, once."""
    if selector.startswith(("/", "(")):
        return etree.XPath(selector)
    return CSSSelector(selector, translator="html")


def select(root: HtmlElement, selector: str) -> list[HtmlElement]:
    """Elements matching *selector* (CSS or XPath); text/attribute results are ignored."""
    try:
        found = compile_selector(selector)(root)
    except (etree.XPathError, SelectorError, SyntaxError, ValueError):
        return []
    if not isinstance(found, list):
        return []
    return [el for el in found if isinstance(el, etree.ElementBase)]


def select_text(root: HtmlElement, selector: str) -> str:
    """Text of the first match of *selector*; XPath string results are returned as text."""
    try:
        found = compile_selector(selector)(root)
    except (etree.XPathError, SelectorError, SyntaxError, ValueError):
        return ""
    if isinstance(found, str):
        return norm(found)
    for item in found if isinstance(found, list) else []:
        text = norm(item if isinstance(item, str) else text_of(item))
        if text:
            return text
    return ""


def is_hidden(el: HtmlElement) -> bool:
    """Whether the element is hidden by attribute, inline style or a bare ``hidden`` class.

    A ``hidden`` class with a responsive variant beside it (``hidden md:block``) shows the
    element on wide screens, so it does not count.
    """
    return el.get("aria-hidden") == "true" or is_out_of_sight(el)


def is_out_of_sight(el: HtmlElement) -> bool:
    """Hidden from the eye (attribute, inline style, bare ``hidden`` class), not only from
    screen readers as ``aria-hidden`` is."""
    get = el.get
    cls = get("class") or ""
    return (
        get("hidden") is not None
        or bool(_HIDDEN_STYLE.search(get("style") or ""))
        or (bool(cls) and "hidden" in cls.split() and ":" not in cls)
    )


def name_tokens(el: HtmlElement) -> tuple[str, ...]:
    """Lower-case words of the element's class and id ("articleBody main-col" -> article, body,
    main, col), after page-builder prefixes that name any widget are dropped.

    An id of five words or more is a slug of the section's heading ("sharing-with-a-single-
    developer"), not a name chosen for the block, and is left out."""
    cls, ident = el.get("class"), el.get("id")
    if not cls and not ident:
        return ()
    tokens = _tokens(cls) if cls else ()
    if ident:
        words = _tokens(ident)
        if len(words) < _SLUG_WORDS:
            tokens += words
    return tokens


_SLUG_WORDS = 5


@lru_cache(maxsize=8192)
def _tokens(marker: str) -> tuple[str, ...]:
    marker = _NEUTRAL_PREFIX.sub(" ", marker)
    # a utility class's variant prefix ("print:", "dark:", "md:") is a condition, not a name
    names = (name.rpartition(":")[2] for name in marker.split())
    return tuple(t.lower() for name in names for t in _TOKEN_SPLIT.split(name) if t)


def chrome_name(el: HtmlElement) -> str:
    """The chrome word the class or id carries ("ads" in ``main-no-ads-col``), or ``""``.

    Weak evidence on its own: callers that can weigh the element's content do so first.
    """
    tokens = name_tokens(el)
    for i, token in enumerate(tokens):
        word = token if token in CHROME_WORDS else f"{tokens[i - 1]}|{token}" if i else ""
        if word in CHROME_WORDS and not (word in _FACT_SHEET_WORDS and el.tag == "table"):
            return token
    return ""


def is_chrome_tag(el: HtmlElement) -> bool:
    """Whether the element's tag or ARIA role marks it as page chrome (strong evidence).

    ``form`` counts here but is weak elsewhere: ASP.NET pages wrap the whole page in one."""
    if el.tag in ("nav", "footer", "aside", "form"):
        return True
    return el.get("role") in ("navigation", "contentinfo", "complementary", "banner", "search", "dialog")


def is_landmark_chrome(el: HtmlElement) -> bool:
    """Navigation, footer or complementary content by tag or role, whatever it holds."""
    if el.tag in ("nav", "footer", "aside"):
        return True
    return el.get("role") in ("navigation", "contentinfo", "complementary", "banner", "search", "dialog")


def is_boilerplate(el: HtmlElement) -> bool:
    """Whether the element's tag, role, class or id marks it as page chrome."""
    if is_chrome_tag(el):
        return True
    if el.tag in _LANDMARKS:
        # WordPress puts taxonomy classes (tag-coal, category-news) on <article>; landmarks are
        # judged by tag and role only.
        return False
    return bool(chrome_name(el))


def is_hard_chrome(el: HtmlElement) -> bool:
    """Chrome by tag, role or a name that much prose cannot redeem (comments, consent, login)."""
    if is_chrome_tag(el):
        return True
    return has_hard_name(el)


def has_hard_name(el: HtmlElement) -> bool:
    """Whether the class or id carries a word of :data:`HARD_CHROME_WORDS`."""
    return el.tag not in _LANDMARKS and any(t in HARD_CHROME_WORDS for t in name_tokens(el))


_PERMALINK_SYMBOLS = frozenset("¶§#🔗⚓")
_short_fragment_links = etree.XPath("//a[starts-with(@href, '#') and string-length(normalize-space(.)) <= 2]")


def drop_permalink_anchors(tree: HtmlElement) -> None:
    """Remove the permalink anchors documentation and blog engines put after headings.

    Sphinx, MkDocs and many blog themes end each heading with a link to its own fragment shown
    as a lone symbol ("Setting up¶"); read as text it sticks to the heading and to a title taken
    from it. Only a link to a fragment of this page whose whole text is one such symbol and that
    ends its block's text goes: a "§" linked inside a sentence ("see § 2") is a reference and
    stays. One libxml2 query finds the candidates.
    """
    for anchor in _short_fragment_links(tree):
        if anchor.text_content().strip() in _PERMALINK_SYMBOLS and _ends_its_text(anchor):
            anchor.drop_tree()


def _ends_its_text(el: HtmlElement) -> bool:
    """Whether no text follows *el* inside its parent."""
    if el.tail and el.tail.strip():
        return False
    return not any(
        isinstance(sibling.tag, str) and (sibling.text_content().strip() or (sibling.tail or "").strip())
        for sibling in el.itersiblings()
    )


def _read(el: HtmlElement, skip_chrome: bool) -> bool:
    """Whether :func:`iter_text` reads *el*: an element that is no script or style (nor chrome or
    hidden when asked); comments and processing instructions give only their tails."""
    if not isinstance(el.tag, str) or el.tag in SKIP_TAGS:
        return False
    return not (skip_chrome and (is_boilerplate(el) or is_hidden(el)))


def iter_text(el: HtmlElement, *, skip_chrome: bool = False) -> Iterator[str]:
    """Text pieces of *el* in order, skipping scripts and styles (and chrome if asked).

    The walk keeps its own stack of open elements instead of recursing: the tolerant parser
    builds trees thousands of levels deep, past Python's recursion limit.
    """
    if not _read(el, skip_chrome):
        return
    if el.text:
        yield el.text
    stack: list[tuple[HtmlElement, Iterator[HtmlElement]]] = [(el, iter(el))]
    while stack:
        parent, children = stack[-1]
        child = next(children, None)
        if child is None:  # *parent* is read to its end; its tail follows it in its own parent
            stack.pop()
            if stack and parent.tail:
                yield parent.tail
        elif _read(child, skip_chrome):
            if child.text:
                yield child.text
            stack.append((child, iter(child)))
        elif child.tail:
            yield child.tail


named_elements = etree.XPath("descendant-or-self::*[@class or @id or @itemprop]")
"""Elements with a class, id or itemprop, in document order (found by libxml2, not a Python walk)."""

_page_texts: dict[HtmlElement, str] | None = None
_page_memo: dict[tuple[str, HtmlElement], list[Any]] | None = None


@contextmanager
def one_page() -> Iterator[None]:
    """Within the block, :func:`text_of` answers each element once: the body, chrome and link
    checks ask for the text of the same nested blocks many times; the visible lines, the
    JSON-LD blocks and the ``meta`` elements of a tree (:func:`once_per_page`) are kept too. The
    tree must not change inside the block (extraction only reads it)."""
    global _page_texts, _page_memo
    outer = _page_texts, _page_memo
    _page_texts, _page_memo = {}, {}
    try:
        yield
    finally:
        _page_texts, _page_memo = outer


def once_per_page(what: str, tree: HtmlElement, read: Callable[[], list[Any]]) -> list[Any]:
    """``read()``, done once per *tree* and *what* within :func:`one_page` (every time outside
    one); each caller gets its own copy of the list, free to change it."""
    memo = _page_memo
    if memo is None:
        return read()
    found = memo.get((what, tree))
    if found is None:
        found = memo[what, tree] = read()
    return list(found)


_JSONLD = etree.XPath("//script[contains(translate(@type,'JSONLD','jsonld'),'ld+json')]/text()")


def meta_elements(tree: HtmlElement) -> list[HtmlElement]:
    """The ``meta`` elements of *tree* in document order, found once per page within
    :func:`one_page`."""
    return once_per_page("meta", tree, lambda: list(tree.iter("meta")))


def jsonld_blobs(tree: HtmlElement) -> list[str]:
    """The text of the page's JSON-LD scripts, found once per page within :func:`one_page`."""
    return once_per_page("jsonld", tree, lambda: _JSONLD(tree))


def text_of(el: HtmlElement) -> str:
    """Normalised visible text of *el* (scripts and styles excluded)."""
    texts = _page_texts
    if texts is None:
        return norm(" ".join(iter_text(el)))
    text = texts.get(el)
    return _composed_text(el, texts) if text is None else text


def _composed_text(el: HtmlElement, texts: dict[HtmlElement, str]) -> str:
    """:func:`text_of` built from the children's (each computed once): normalising joins the
    pieces' words with single spaces, so joining the normalised pieces gives the same string.

    Children are composed before their parent from a stack of pending elements, not by
    recursion, so a tree thousands of levels deep is read like any other.
    """
    pending = [el]
    while pending:
        node = pending[-1]
        if not isinstance(node.tag, str) or node.tag in SKIP_TAGS:
            texts[node] = ""
            pending.pop()
            continue
        unknown = [child for child in node if child not in texts]
        if unknown:  # compose the children first; *node* is finished when it is on top again
            pending.extend(reversed(unknown))
            continue
        pending.pop()
        parts = [norm(node.text)] if node.text else []
        for child in node:
            parts.append(texts[child])
            if child.tail:
                parts.append(norm(child.tail))
        texts[node] = " ".join(filter(None, parts))
    return texts[el]

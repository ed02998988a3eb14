"""Small helpers over lxml trees shared by the extraction modules."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from cssselect import SelectorError
from lxml import etree
from lxml.cssselect import CSSSelector

if TYPE_CHECKING:
    from collections.abc import Iterator

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
# Class/id words that mark page chrome rather than article text.
BOILERPLATE = re.compile(
    r"(?:^|[-_\s])(?:nav|navbar|navigation|menu|breadcrumbs?|crumbs?|footer|foot|sidebar|side|aside|widget|"
    r"share|sharing|social|sns|bdshare|jiathis|related|relate|recommend|recommended|more-news|"
    r"cookie|cookies|consent|gdpr|banner|ad|ads|advert|advertisement|promo|subscribe|newsletter|"
    r"comment|comments|commentlist|disqus|respond|replies|tags?|print|toolbar|tools|pagination|pager|prev-next|prevnext|skip|skip-link|"
    r"modal|popup|overlay|login|search|header|masthead|topbar|copyright|byline|author|meta|"
    r"dateline|article-info|info-bar|xgyd|xgxw|fenxiang|dayin|guanbi)(?:$|[-_\s])",
    re.IGNORECASE,
)
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
    """Whether the element is hidden by attribute or inline style."""
    get = el.get
    return (
        get("hidden") is not None
        or get("aria-hidden") == "true"
        or bool(_HIDDEN_STYLE.search(get("style") or ""))
    )


def is_boilerplate(el: HtmlElement) -> bool:
    """Whether the element's tag, role, class or id marks it as page chrome."""
    tag = el.tag
    if tag in ("nav", "footer", "aside", "form"):
        return True
    role = el.get("role")
    if role in ("navigation", "contentinfo", "complementary", "banner", "search", "dialog"):
        return True
    if tag in _LANDMARKS:
        # WordPress puts taxonomy classes (tag-coal, category-news) on <article>; landmarks are
        # judged by tag and role only.
        return False
    marker = f"{el.get('class') or ''} {el.get('id') or ''}"
    if not marker.strip():
        return False
    marker = _NEUTRAL_PREFIX.sub(" ", marker)
    return BOILERPLATE.search(marker) is not None


def iter_text(el: HtmlElement, *, skip_chrome: bool = False) -> Iterator[str]:
    """Text pieces of *el* in order, skipping scripts and styles (and chrome if asked)."""
    if not isinstance(el.tag, str) or el.tag in SKIP_TAGS:
        return
    if skip_chrome and (is_boilerplate(el) or is_hidden(el)):
        return
    if el.text:
        yield el.text
    for child in el:
        yield from iter_text(child, skip_chrome=skip_chrome)
        if child.tail:
            yield child.tail


def text_of(el: HtmlElement) -> str:
    """Normalised visible text of *el* (scripts and styles excluded)."""
    return norm(" ".join(iter_text(el)))

"""The article of a page that carries it only inside its scripts, not in its markup.

Client-rendered news sites (Next.js, React Query, Arc Fusion and the like) often ship the article
body as data for the browser to draw: escaped HTML inside a JavaScript string
(``self.__next_f.push([1,"\\u003cp\\u003e..."])``, a React Query cache, a Fusion store). A reader
that looks at the markup alone finds a header, a menu and a footer, and drops the page. This
module is the last look before that drop: it decodes the script strings that hold paragraph
markup and hands back the richest candidate. (JSON-LD's ``articleBody`` needs no code here:
trafilatura, the fallback before this one, reads it.)

It runs only when no engine found a body in the markup, so its cost (a regular expression over
the page's scripts) is never paid by an ordinary page.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator

import lxml.html
from lxml import etree
from lxml.html import HtmlElement

# A JSON/JavaScript double-quoted string literal with its escapes.
_STRING_LITERAL = re.compile(r'"(?:[^"\\\n]|\\.)*"')
# Paragraph markup, raw or \u-escaped once or twice (a JSON string inside a JavaScript string).
_PARAGRAPH_MARK = re.compile(r"(?:<|\\u003c|\\\\u003c)p[\s>\\]", re.IGNORECASE)
_RAW_PARAGRAPH = re.compile(r"<p[\s>]", re.IGNORECASE)
_MIN_LITERAL_CHARS = 200
_MAX_DEPTH = 3
# What a candidate must hold to be taken for an article rather than a teaser or a template.
MIN_PAYLOAD_CHARS = 200
_MIN_LONGEST_PARAGRAPH = 60


def payload_candidates(tree: HtmlElement) -> Iterator[str]:
    """HTML fragments carried as string literals by the page's scripts."""
    for script in tree.iter("script"):
        text = script.text or ""
        if _PARAGRAPH_MARK.search(text):
            yield from _html_strings(text, depth=0)


def _html_strings(text: str, depth: int) -> Iterator[str]:
    """Decoded string literals of *text* that hold paragraph markup, unwrapping nested strings."""
    for match in _STRING_LITERAL.finditer(text):
        literal = match.group()
        if len(literal) < _MIN_LITERAL_CHARS or not _PARAGRAPH_MARK.search(literal):
            continue
        try:
            decoded = json.loads(literal)
        except ValueError:
            continue
        # JSON kept as a string (``"{\"html\": \"<p>…\"}"``): its own strings hold the HTML
        is_json = decoded.lstrip()[:1] in ("{", "[")
        if not is_json and _RAW_PARAGRAPH.search(decoded):
            yield decoded
        elif depth < _MAX_DEPTH:
            yield from _html_strings(decoded, depth + 1)


ReadBody = Callable[[HtmlElement, str], list[str]]


def payload_paragraphs(tree: HtmlElement, title: str, read_body: ReadBody) -> list[str]:
    """The paragraphs of the richest script-held article, ``[]`` when none looks like one.

    *read_body* turns a tree into paragraphs (the body engine, so captions, bylines and
    related lists inside the carried markup are left out as they are on any page).
    """
    best: list[str] = []
    for fragment in payload_candidates(tree):
        paragraphs = _fragment_paragraphs(fragment, title, read_body)
        if _looks_like_article(paragraphs) and _chars(paragraphs) > _chars(best):
            best = paragraphs
    return best


def _fragment_paragraphs(fragment: str, title: str, read_body: ReadBody) -> list[str]:
    """Paragraphs of an HTML fragment, read as the article element of a page of its own."""
    try:
        page = lxml.html.document_fromstring(f"<html><body><article>{fragment}</article></body></html>")
    except (etree.ParserError, ValueError):
        return []
    return read_body(page, title)


def _chars(paragraphs: list[str]) -> int:
    return sum(len(paragraph) for paragraph in paragraphs)


def _looks_like_article(paragraphs: list[str]) -> bool:
    """Enough prose to be an article: a total length and one paragraph of sentence length."""
    return (
        _chars(paragraphs) >= MIN_PAYLOAD_CHARS
        and max((len(p) for p in paragraphs), default=0) >= _MIN_LONGEST_PARAGRAPH
    )

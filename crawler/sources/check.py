"""Health of a source: did discovery find articles, and did title, date and body come out?

Selectors copied from public code go stale when a portal is redesigned. A check crawl
(``ecopolicy sources --check``) reads one list page per start point and a few articles, and
this module turns what it saw into a verdict per source:

``ok``        articles found; title, date and body came out of every checked article
``degraded``  records came out, but a field was missing on some page, or a source selector
              missed and the generic extractor had to take over (the selector is stale)
``broken``    no article found, every article blocked or unreadable, or a field missing everywhere
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from lxml import etree
from lxml import html as lxml_html
from lxml.cssselect import CSSSelector

if TYPE_CHECKING:
    from crawler.sources.base import Source

FIELDS = ("title", "date", "body")
_MIN_BODY_CHARS = 50


def _matched_text(tree: lxml_html.HtmlElement, selector: str) -> str:
    """Text of the nodes *selector* (CSS, or XPath starting with ``/`` or ``(``) finds; ``""`` if none."""
    try:
        found = (etree.XPath(selector) if selector.startswith(("/", "(")) else CSSSelector(selector))(tree)
    except (etree.XPathError, SyntaxError, ValueError):
        return ""
    if isinstance(found, str):
        return found.strip()
    parts = []
    for item in found if isinstance(found, list) else []:
        parts.append(item if isinstance(item, str) else item.text_content())
    return " ".join(" ".join(parts).split())


def field_report(body: bytes, source: Source, extracted: dict[str, Any]) -> dict[str, str]:
    """Per field: ``selector`` (the source's selector found it), ``generic`` (fallback) or ``missing``.

    >>> from crawler.sources.base import Selectors, Source
    >>> source = Source(key="xx", name="X", language="en", timezone="UTC", allowed_domains=("x.org",),
    ...                 feeds=("https://x.org/f",), selectors=Selectors(title="h1.t"))
    >>> page = b"<html><body><h1 class='t'>Title</h1><p>Text</p></body></html>"
    >>> field_report(page, source, {"title": "Title", "published": None, "paragraphs": ["Text"]})
    {'title': 'selector', 'date': 'missing', 'body': 'generic'}
    """
    try:
        tree = lxml_html.fromstring(body)
    except (etree.ParserError, ValueError):
        tree = None
    found = {
        "title": bool(extracted.get("title")),
        "date": bool(extracted.get("published")),
        "body": bool(extracted.get("paragraphs")),
    }
    report = {}
    for name in FIELDS:
        selector = getattr(source.selectors, name)
        if not found[name]:
            report[name] = "missing"
            continue
        text = _matched_text(tree, selector) if (selector and tree is not None) else ""
        enough = len(text) >= _MIN_BODY_CHARS if name == "body" else bool(text)
        report[name] = "selector" if enough else "generic"
    return report


@dataclass
class SourceHealth:
    """What a check crawl of one source found, and the verdict."""

    key: str
    structure: str
    links: int = 0
    articles: int = 0
    records: int = 0
    blocked: int = 0
    dropped: dict[str, int] = field(default_factory=dict)
    fields: dict[str, dict[str, int]] = field(default_factory=dict)
    status: str = "broken"
    problems: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict."""
        return asdict(self)


def health_from_stats(source: Source, stats: dict[str, Any]) -> SourceHealth:
    """Judge a source from the stats of its check crawl.

    >>> from crawler.sources.base import Source
    >>> s = Source(key="xx", name="X", language="en", timezone="UTC", allowed_domains=("x.org",),
    ...            feeds=("https://x.org/f",))
    >>> health_from_stats(s, {"discovery/feed/links": 0}).problems
    ['discovery found no article links']
    """
    health = SourceHealth(key=source.key, structure=source.structure)
    for name, value in stats.items():
        if not isinstance(value, int):
            continue
        if name.startswith("discovery/") and name.endswith("/links"):
            health.links += value
        elif name == f"blocked/{source.key}/total":
            health.blocked = value
        elif name.startswith("extraction/dropped/"):
            health.dropped[name.rpartition("/")[2]] = value
        elif name.startswith("fetch/failed/"):
            health.dropped[f"fetch_{name.rpartition('/')[2]}"] = value
    health.articles = int(stats.get("check/articles", 0))
    health.records = int(stats.get("extraction/records", 0))
    for name in FIELDS:
        health.fields[name] = {
            outcome: int(stats.get(f"check/{name}/{outcome}", 0))
            for outcome in ("selector", "generic", "missing")
        }
    if health.blocked:
        health.problems.append(f"{health.blocked} answer(s) blocked")
    if health.links == 0:
        health.problems.append("discovery found no article links")
    elif health.records == 0:
        health.problems.append("no article gave a record")
    for name in FIELDS:
        counts = health.fields[name]
        if health.records and counts["missing"] == health.records:
            health.problems.append(f"{name} missing on every article")
        elif counts["missing"]:
            health.problems.append(f"{name} missing on {counts['missing']} of {health.records} article(s)")
        configured = getattr(source.selectors, name)
        if configured and counts["generic"]:
            health.problems.append(
                f"{name} selector missed on {counts['generic']} article(s); generic fallback"
            )
    broken = (
        health.links == 0
        or health.records == 0
        or any(health.fields[name]["missing"] == health.records for name in FIELDS)
    )
    health.status = "broken" if broken else ("degraded" if health.problems else "ok")
    return health

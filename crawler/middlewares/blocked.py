"""Anti-bot answers are counted as blocked, never parsed as articles.

Government portals sit behind WAFs that answer a crawler with a status (403, 405, 406, 412,
521) or with a 200 page holding only a JavaScript challenge (Ruishu ``$_ts``, Jiasule
``__jsl_clearance``, "请开启JavaScript"). Parsed as an article, such a page becomes an empty or
junk record; counted, it tells the operator which source needs attention.

Settings: ECOPOLICY_BLOCKED_ENABLED (bool, default True), ECOPOLICY_BLOCKED_STATUSES (list[int],
default 403 405 406 412 521), ECOPOLICY_BLOCKED_MAX_BODY (int, bytes of a page searched for
challenge text; default 20000: real articles are longer than challenge pages).
Stats: ``blocked/<source>/<reason>`` (reason ``http_403`` …, ``js_challenge``, ``ruishu``,
``jiasule``, ``waf``), ``blocked/<source>/total``.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

from scrapy.exceptions import IgnoreRequest, NotConfigured

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)

BLOCKED_STATUSES = (403, 405, 406, 412, 521)
# Marks of challenge pages. Scripts of Ruishu (瑞数) and Jiasule (加速乐) appear anywhere in the
# page; the human-readable phrases only count on a short page, since an article may quote them.
# Each mark comes with literals one of which any match contains: a page holding none of them
# (nearly every page) is passed over with fast substring searches instead of the expression.
_SCRIPT_MARKS: tuple[tuple[str, tuple[bytes, ...], re.Pattern[bytes]], ...] = (
    (
        "ruishu",
        (b"$_ts", b"r='m", b'r="m'),
        re.compile(rb"\$_ts\s*=\s*window\[|\$_ts\.(?:nsd|cd)\b|\br=['\"]m['\"]"),
    ),
    ("jiasule", (b"jsl_clearance",), re.compile(rb"__jsl_clearance|jsl_clearance_s")),
    (
        "waf",
        (
            b"cf-browser-verification",
            b"/cdn-cgi/challenge-platform/",
            b"_waf_bd8ce2ce37",
            b"safedog",
            b"yunsuo_session_verify",
        ),
        re.compile(
            rb"cf-browser-verification|/cdn-cgi/challenge-platform/|_waf_bd8ce2ce37|"
            rb"safedog|yunsuo_session_verify"
        ),
    ),
)
_SCRIPT_WINDOW = 65536
_PHRASE_TEXTS = (
    "请开启JavaScript",
    "请启用JavaScript",
    "请打开JavaScript",
    "开启JavaScript",
    "启用JavaScript",
    "您的浏览器不支持JavaScript",
    "Please enable JavaScript",
    "enable JavaScript and cookies",
    "Just a moment...",
    "Checking your browser",
    "您的访问请求可能对网站造成安全威胁",
    "当前访问疑似黑客攻击",
    "网站防火墙",
    "创宇盾",
    "访问被拒绝",
    "Access Denied",
)
_GB_PHRASE_TEXTS = ("请开启JavaScript", "网站防火墙", "访问被拒绝")
_PHRASE_BYTES = tuple(p.encode("utf-8") for p in _PHRASE_TEXTS) + tuple(
    p.encode("gb18030") for p in _GB_PHRASE_TEXTS
)
_PHRASES = re.compile(b"|".join(re.escape(p) for p in _PHRASE_BYTES), re.IGNORECASE)
# A bytes pattern ignores case for ASCII letters only, as bytes.lower() does: a page whose
# lower-cased bytes hold none of the lower-cased phrases cannot match, and is passed over
# with substring searches instead of the expression (which tries every phrase at every byte).
_PHRASES_LOWER = tuple(p.lower() for p in _PHRASE_BYTES)


def _has_phrase(body: bytes) -> bool:
    """Whether *body* holds a challenge phrase (case ignored for ASCII letters)."""
    lowered = body.lower()
    if not any(phrase in lowered for phrase in _PHRASES_LOWER):
        return False
    return _PHRASES.search(body) is not None


def blocked_reason(
    status: int, body: bytes, statuses: tuple[int, ...] = BLOCKED_STATUSES, max_body: int = 20000
) -> str | None:
    """Why an answer is an anti-bot answer, or ``None`` when it looks like the site's own page.

    >>> blocked_reason(412, b"")
    'http_412'
    >>> blocked_reason(200, "<html><body>请开启JavaScript并刷新该页</body></html>".encode())
    'js_challenge'
    >>> blocked_reason(202, b"<script>$_ts=window['$_ts'];if(!$_ts)$_ts={};</script>")
    'ruishu'
    >>> blocked_reason(200, b"<p>" + b"An article that mentions JavaScript. " * 800 + b"</p>") is None
    True
    """
    for reason, literals, pattern in _SCRIPT_MARKS:
        if any(body.find(literal, 0, _SCRIPT_WINDOW) >= 0 for literal in literals) and pattern.search(
            body, 0, _SCRIPT_WINDOW
        ):
            return reason
    if status in statuses:
        return f"http_{status}"
    if len(body) <= max_body and _has_phrase(body):
        return "js_challenge"
    return None


class BlockedAnswer(IgnoreRequest):
    """The site answered with an anti-bot status or challenge page."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"blocked ({reason}): {url}")
        self.reason = reason


class BlockedAnswerMiddleware:
    """Count anti-bot answers per source and reason, and drop them before any callback."""

    def __init__(self, crawler: Crawler, statuses: tuple[int, ...], max_body: int) -> None:
        self._crawler = crawler
        self._statuses = statuses
        self._max_body = max_body
        self._logged: set[tuple[str, str]] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.getbool("ECOPOLICY_BLOCKED_ENABLED", True):
            raise NotConfigured("ECOPOLICY_BLOCKED_ENABLED is False")
        statuses = tuple(int(s) for s in settings.getlist("ECOPOLICY_BLOCKED_STATUSES", BLOCKED_STATUSES))
        return cls(crawler, statuses, settings.getint("ECOPOLICY_BLOCKED_MAX_BODY", 20000))

    def _source_key(self) -> str:
        spider = self._crawler.spider
        source = getattr(spider, "source", None)
        return getattr(source, "key", None) or getattr(spider, "name", "unknown")

    def process_response(self, request: Request, response: Response) -> Response:
        if request.meta.get("dont_obey_robotstxt") or response.url.endswith("/robots.txt"):
            return response
        reason = blocked_reason(response.status, response.body, self._statuses, self._max_body)
        if reason is None:
            return response
        key = self._source_key()
        stats = self._crawler.stats
        assert stats is not None
        stats.inc_value(f"blocked/{key}/{reason}")
        stats.inc_value(f"blocked/{key}/total")
        if (key, reason) not in self._logged:
            self._logged.add((key, reason))
            logger.warning(
                "Blocked by %s (%s): %s; further blocks of this kind counted in stats",
                key,
                reason,
                response.url,
            )
        raise BlockedAnswer(response.url, reason)

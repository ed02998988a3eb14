"""A synthetic, deterministic portal-like site for benchmarks, served from memory on loopback.

``SyntheticSite(n, seed)`` answers any path of a TRS-style government portal with *n* article
pages (two thirds Chinese under ``/news/``, one third English under ``/en/news/``), paginated
list pages (``index.html``, ``index_1.html``, ...), an RSS feed, a sitemap index with child
sitemaps and a robots.txt. Pages are generated on request from ``(seed, article number)``, so a
site of 50,000 articles costs no memory and every run serves byte-identical pages.

Each article carries the defects of the seed item real portals served: a paraphrased
duplicate of the lead, a repeated (slightly corrupted) section, a heading split over two
paragraphs and glued to its body, a sentence broken in two, a paywall stub, a "related" block
repeating the lead, and a trailing teaser of an unrelated item. :meth:`SyntheticSite.article`
also returns the clean paragraphs the page should give, for quality benchmarks.

Served by :func:`serve` (an asyncio HTTP/1.1 server with keep-alive, run in its own process
by ``python -m benchmarks.sitegen --articles N``, so it does not take CPU from the crawl it
serves) or by :class:`ThreadedSite` (the stdlib threaded server inside the caller's process).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime
import html
import random
import subprocess
import sys
import threading
from dataclasses import dataclass
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

PER_LIST_PAGE = 20
PER_SITEMAP = 5000
FEED_ITEMS = 100
FIRST_ID = 100_000
EPOCH = datetime.datetime(2021, 1, 4, 8, 30)
ARTICLE_PATTERN = r"/t\d{8}_\d+\.html$"

# --- vocabulary ------------------------------------------------------------------------------
_EN_BODIES = (
    "Department of Ecology and Environment",
    "Provincial People's Government",
    "Ministry of Ecology and Environment",
    "Municipal Bureau of Ecology and Environment",
    "Development and Reform Commission",
)
_EN_PLACES = (
    "Henan",
    "Hebei",
    "Jiangsu",
    "Zhejiang",
    "Shandong",
    "Guangdong",
    "Hubei",
    "Sichuan",
    "Yunnan",
    "Jiangxi",
)
_EN_TOPICS = (
    "pollution reduction and carbon reduction",
    "solid waste management",
    "river basin protection",
    "air quality improvement",
    "cleaner production audits",
    "ecological restoration of mines",
    "hazardous waste identification",
    "climate investment and financing",
    "groundwater protection",
    "volatile organic compound control",
    "coal consumption substitution",
    "green manufacturing",
)
_EN_VERBS = (
    "promote",
    "strengthen",
    "accelerate",
    "improve",
    "implement",
    "support",
    "standardise",
    "expand",
)
_EN_OBJECTS = (
    "the supervision of key enterprises",
    "the joint review mechanism for new projects",
    "the monitoring network for surface water",
    "the withdrawal of backward production capacity",
    "the transformation of traditional industries",
    "the green development investment fund",
    "the identification system for hazardous wastes",
    "the reduction of emissions at the source",
    "the construction of waste-free cities",
    "the treatment of industrial wastewater",
)
_EN_TAILS = (
    "in accordance with the law and regulations",
    "in key industries and key regions",
    "along the main stream of the Yellow River",
    "before the end of the 14th Five-Year Plan",
    "with the support of provincial finance",
    "in cooperation with relevant departments",
)
_EN_PARAPHRASE = (
    ("issued", "released"),
    ("promote", "advance"),
    ("strengthen", "reinforce"),
    ("key", "major"),
)
_EN_HEADINGS = (
    "Implementing the Synergy of {t}",
    "Actively promoting {t}",
    "Strengthening {t}",
    "Improving {t}",
)
_EN_NUMERALS = ("I.", "II.", "III.", "IV.", "V.", "VI.")
_EN_STUBS = (
    "All can be viewed after purchase",
    "Subscribe to continue reading",
    "Log in to read the full text",
)
_EN_RELATED = ("Correlation", "Related", "Related news")

_ZH_PLACES = ("河南", "河北", "江苏", "浙江", "山东", "广东", "湖北", "四川", "云南", "江西")
_ZH_BODIES = ("省生态环境厅", "省人民政府", "生态环境部", "市生态环境局", "省发展改革委")
_ZH_TOPICS = (
    "减污降碳协同增效",
    "固体废物污染防治",
    "流域生态保护",
    "大气环境质量改善",
    "清洁生产审核",
    "矿山生态修复",
    "危险废物鉴别",
    "气候投融资试点",
    "地下水污染防治",
    "挥发性有机物治理",
    "煤炭消费替代",
    "绿色制造体系建设",
)
_ZH_VERBS = ("推进", "加强", "加快", "完善", "落实", "支持", "规范", "扩大")
_ZH_OBJECTS = (
    "重点企业监管",
    "新建项目会商联审机制",
    "地表水监测网络",
    "落后产能退出",
    "传统产业转型升级",
    "绿色发展投资基金",
    "危险废物鉴别体系",
    "源头减排",
    "无废城市建设",
    "工业废水治理",
)
_ZH_TAILS = (
    "依法依规",
    "在重点行业和重点区域",
    "在黄河干流沿线",
    "在十四五期间",
    "在省级财政支持下",
    "会同有关部门",
)
_ZH_PARAPHRASE = (("印发", "发布"), ("推进", "推动"), ("加强", "强化"), ("重点", "主要"))
_ZH_NUMERALS = ("一、", "二、", "三、", "四、", "五、", "六、")
_ZH_STUBS = ("购买后可查看全文", "以上内容需登录后查看", "订阅后继续阅读")
_ZH_RELATED = ("相关阅读", "相关新闻", "相关链接")


@dataclass(frozen=True)
class Article:
    """One generated article: its page and what a perfect extractor and cleaner would return."""

    number: int
    path: str
    language: str
    title: str
    published: datetime.datetime
    origin: str
    paragraphs: tuple[str, ...]
    """The clean body, in order: what the page should give after cleaning."""
    html: str


class SyntheticSite:
    """All pages of the synthetic portal, generated on demand from ``(seed, path)``."""

    def __init__(self, articles: int, seed: int = 1) -> None:
        if articles < 1:
            raise ValueError("a site needs at least one article")
        self.size = articles
        self.seed = seed
        # Newest first, as portals list them; ids per column for list pages and feeds.
        self._columns = {
            "/news/": [i for i in reversed(range(articles)) if self.language_of(i) == "zh"],
            "/en/news/": [i for i in reversed(range(articles)) if self.language_of(i) == "en"],
        }
        self._by_path_cache = lru_cache(maxsize=256)(self._render)

    # --- structure -------------------------------------------------------------------------
    @staticmethod
    def language_of(number: int) -> str:
        """Two articles in three are Chinese."""
        return "en" if number % 3 == 2 else "zh"

    def published(self, number: int) -> datetime.datetime:
        """Publication time: one article every 41 minutes from the epoch (Beijing time)."""
        return EPOCH + datetime.timedelta(minutes=41 * number)

    def article_path(self, number: int) -> str:
        """``/news/202305/t20230522_100123.html`` (TRS layout)."""
        moment = self.published(number)
        column = "/en/news/" if self.language_of(number) == "en" else "/news/"
        return f"{column}{moment:%Y%m}/t{moment:%Y%m%d}_{FIRST_ID + number}.html"

    def number_of(self, path: str) -> int | None:
        """The article number of an article path, ``None`` for other paths."""
        stem = path.rpartition("/")[2]
        if not (stem.startswith("t") and stem.endswith(".html") and "_" in stem):
            return None
        try:
            number = int(stem[:-5].rpartition("_")[2]) - FIRST_ID
        except ValueError:
            return None
        if not 0 <= number < self.size or self.article_path(number) != path:
            return None
        return number

    def list_pages(self) -> list[tuple[str, int]]:
        """``(column, page count)`` of each list column."""
        return [(column, max(1, -(-len(ids) // PER_LIST_PAGE))) for column, ids in self._columns.items()]

    def start_points(self) -> dict[str, Any]:
        """Relative feeds, sitemaps and list pages, as a registry entry names them."""
        return {
            "feeds": ("/feed.xml",),
            "sitemaps": ("/sitemap.xml",),
            "list_pages": [(f"{column}index.html", pages) for column, pages in self.list_pages()],
        }

    # --- pages -------------------------------------------------------------------------------
    def respond(self, path: str) -> tuple[int, str, bytes]:
        """``(status, content type, body)`` for *path* (query strings ignored)."""
        path = path.split("?", 1)[0].split("#", 1)[0]
        found = self._by_path_cache(path)
        if found is None:
            return 404, "text/html; charset=utf-8", b"<html><body><h1>404 Not Found</h1></body></html>"
        return found

    def _render(self, path: str) -> tuple[int, str, bytes] | None:
        if path == "/robots.txt":
            return 200, "text/plain", b"User-agent: *\nDisallow: /admin/\nAllow: /\n"
        if path == "/feed.xml":
            return 200, "application/rss+xml", self.feed().encode()
        if path == "/sitemap.xml":
            return 200, "application/xml", self.sitemap_index().encode()
        if path.startswith("/sitemap-") and path.endswith(".xml"):
            part = path[len("/sitemap-") : -len(".xml")]
            xml = self.sitemap(int(part)) if part.isdigit() else None
            return None if xml is None else (200, "application/xml", xml.encode())
        for column in self._columns:
            if path.startswith(column) and path.rpartition("/")[0] + "/" == column:
                name = path.rpartition("/")[2]
                page = 0 if name == "index.html" else _index_number(name)
                if page is not None:
                    listing = self.list_page(column, page)
                    return None if listing is None else (200, "text/html; charset=utf-8", listing.encode())
        number = self.number_of(path)
        if number is None:
            return None
        return 200, "text/html; charset=utf-8", self.article(number).html.encode()

    def list_page(self, column: str, page: int) -> str | None:
        """TRS list page *page* (0 = ``index.html``) of *column*, 20 items a page."""
        ids = self._columns[column][page * PER_LIST_PAGE : (page + 1) * PER_LIST_PAGE]
        if not ids:
            return None
        english = column.startswith("/en/")
        items = "\n".join(
            f'<li><a href="{self.article_path(i)}" title="{html.escape(self._title(i))}" target="_blank">'
            f'{html.escape(self._title(i))}</a><span class="date">{self.published(i):%Y-%m-%d}</span></li>'
            for i in ids
        )
        pages = dict(self.list_pages())[column]
        more = (
            f'<a href="index_{page + 1}.html">{"Next" if english else "下一页"}</a>'
            if page + 1 < pages
            else ""
        )
        return _chrome(
            "News" if english else "地方快讯",
            f'<div class="newsList"><ul>\n{items}\n</ul></div><div class="page">{more}</div>',
            english,
        )

    def feed(self) -> str:
        """RSS 2.0 with the newest articles of both columns."""
        newest = sorted((i for ids in self._columns.values() for i in ids[:FEED_ITEMS]), reverse=True)
        items = "".join(
            f"<item><title>{html.escape(self._title(i))}</title><link>{self.article_path(i)}</link>"
            f"<pubDate>{self.published(i):%a, %d %b %Y %H:%M:%S} +0800</pubDate></item>"
            for i in newest[:FEED_ITEMS]
        )
        return f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Portal</title>{items}</channel></rss>'  # noqa: E501

    def sitemap_index(self) -> str:
        """A sitemap index naming one child sitemap per 5,000 articles."""
        parts = -(-self.size // PER_SITEMAP)
        entries = "".join(f"<sitemap><loc>/sitemap-{k}.xml</loc></sitemap>" for k in range(parts))
        return f'<?xml version="1.0" encoding="utf-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</sitemapindex>'

    def sitemap(self, part: int) -> str | None:
        """Child sitemap *part*: articles ``5000*part`` to ``5000*(part+1)-1``."""
        numbers = range(part * PER_SITEMAP, min(self.size, (part + 1) * PER_SITEMAP))
        if not numbers:
            return None
        urls = "".join(
            f"<url><loc>{self.article_path(i)}</loc><lastmod>{self.published(i):%Y-%m-%d}</lastmod></url>"
            for i in numbers
        )
        return f'<?xml version="1.0" encoding="utf-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'

    # --- articles ----------------------------------------------------------------------------
    def _rng(self, number: int) -> random.Random:
        return random.Random(f"{self.seed}:{number}")

    def _title(self, number: int) -> str:
        rng = self._rng(number)
        if self.language_of(number) == "en":
            place, topic = rng.choice(_EN_PLACES), rng.choice(_EN_TOPICS)
            return f"{place}: Implementation of {topic[0].upper()}{topic[1:]} ({FIRST_ID + number})"
        place, topic = rng.choice(_ZH_PLACES), rng.choice(_ZH_TOPICS)
        return f"{place}{rng.choice(_ZH_BODIES)}关于{topic}工作的答复（{FIRST_ID + number}）"

    def article(self, number: int) -> Article:
        """Article *number*: its page and its clean paragraphs."""
        english = self.language_of(number) == "en"
        title = self._title(number)
        rng = self._rng(number)
        rng.random()  # the title's draws come first, so a title never depends on the body
        text = _English(rng) if english else _Chinese(rng)
        published = self.published(number)
        origin = text.origin()
        lead = text.paragraph(3)
        sections = [(text.heading(k), text.paragraph(rng.randint(3, 6))) for k in range(rng.randint(3, 5))]
        clean = [lead]
        for heading, body in sections:
            clean += [heading, body]
        raw = [lead, text.paraphrase(lead)]
        split_at = rng.randrange(len(sections))
        repeat_at = rng.randrange(len(sections))
        for k, (heading, body) in enumerate(sections):
            if k == split_at:  # heading split over two paragraphs, its tail glued to the body
                head, tail = text.split_heading(heading)
                raw += [head, f"{tail} {body}" if english else tail + body]
            elif k == repeat_at and len(raw) > 2:  # a sentence broken in two
                first, second = text.split_sentence(body)
                raw += [heading, first, second]
            else:
                raw += [heading, body]
        raw.append(text.corrupt(sections[repeat_at][1]))  # the repeated section
        raw.append(rng.choice(_EN_STUBS if english else _ZH_STUBS))
        raw += [rng.choice(_EN_RELATED if english else _ZH_RELATED), lead, f"{published:%Y-%m-%d %H:%M:%S}"]
        raw.append(text.teaser())
        page = _article_page(title, published, origin, raw, english, self._neighbours(number))
        return Article(
            number,
            self.article_path(number),
            "en" if english else "zh",
            title,
            published,
            origin,
            tuple(clean),
            page,
        )

    def _neighbours(self, number: int) -> list[tuple[str, str]]:
        others = [n for n in (number - 1, number - 2, number + 1) if 0 <= n < self.size]
        return [(self.article_path(n), self._title(n)) for n in others]


def _index_number(name: str) -> int | None:
    if name.startswith("index_") and name.endswith(".html") and name[6:-5].isdigit():
        return int(name[6:-5])
    return None


class _English:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.place = rng.choice(_EN_PLACES)

    def origin(self) -> str:
        return f"{self.place} Provincial {self.rng.choice(_EN_BODIES)}"

    def sentence(self) -> str:
        r = self.rng
        return (
            f"We will {r.choice(_EN_VERBS)} {r.choice(_EN_OBJECTS)} and {r.choice(_EN_VERBS)} "
            f"{r.choice(_EN_TOPICS)} {r.choice(_EN_TAILS)}, with {r.randint(2, 980)} projects "
            f"and {r.randint(1, 90)}.{r.randint(0, 9)} billion yuan in {r.randint(2019, 2025)}."
        )

    def paragraph(self, sentences: int) -> str:
        return " ".join(self.sentence() for _ in range(sentences))

    def heading(self, k: int) -> str:
        return f"{_EN_NUMERALS[k]} {self.rng.choice(_EN_HEADINGS).format(t=self.rng.choice(_EN_TOPICS))}"

    def paraphrase(self, text: str) -> str:
        for a, b in _EN_PARAPHRASE:
            text = text.replace(a, b)
        return f"On the same day, {text[0].lower()}{text[1:]}"

    def split_heading(self, heading: str) -> tuple[str, str]:
        words = heading.split(" ")
        cut = max(2, len(words) // 2)
        return " ".join(words[:cut]), " ".join(words[cut:])

    def split_sentence(self, body: str) -> tuple[str, str]:
        words = body.split(" ")
        cut = len(words) // 2
        return " ".join(words[:cut]), " ".join(words[cut:])

    def corrupt(self, body: str) -> str:
        words = body.split(" ")
        drop = self.rng.randrange(len(words) // 3, len(words) // 2)
        return " ".join(words[:drop] + words[drop + 4 :])

    def teaser(self) -> str:
        return (
            f'The title is "Statistics of {self.rng.choice(_EN_TOPICS)} from January to June". This is about '
            "the statistics of the first half of the year, including the data of the whole country."
        )


class _Chinese(_English):
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.place = rng.choice(_ZH_PLACES)

    def origin(self) -> str:
        return f"{self.place}{self.rng.choice(_ZH_BODIES)}"

    def sentence(self) -> str:
        r = self.rng
        return (
            f"{r.choice(_ZH_TAILS)}{r.choice(_ZH_VERBS)}{r.choice(_ZH_OBJECTS)}，{r.choice(_ZH_VERBS)}"
            f"{r.choice(_ZH_TOPICS)}，共安排项目{r.randint(2, 980)}个、资金{r.randint(1, 90)}.{r.randint(0, 9)}"  # noqa: E501
            f"亿元（{r.randint(2019, 2025)}年）。"
        )

    def paragraph(self, sentences: int) -> str:
        return "".join(self.sentence() for _ in range(sentences))

    def heading(self, k: int) -> str:
        return f"{_ZH_NUMERALS[k]}{self.rng.choice(_ZH_VERBS)}{self.rng.choice(_ZH_TOPICS)}"

    def paraphrase(self, text: str) -> str:
        for a, b in _ZH_PARAPHRASE:
            text = text.replace(a, b)
        return f"同日，{text}"

    def split_heading(self, heading: str) -> tuple[str, str]:
        cut = max(3, len(heading) // 2)
        return heading[:cut], heading[cut:]

    def split_sentence(self, body: str) -> tuple[str, str]:
        cut = len(body) // 2
        return body[:cut], body[cut:]

    def corrupt(self, body: str) -> str:
        drop = self.rng.randrange(len(body) // 3, len(body) // 2)
        return body[:drop] + body[drop + 6 :]

    def teaser(self) -> str:
        return (
            f"标题为《1-6月{self.rng.choice(_ZH_TOPICS)}情况统计》，内容为上半年全国及各省级行政区数据，"
            "包括年初以来累计值和累计同比情况。"
        )


_NAV_ZH = (
    "首页",
    "机构设置",
    "新闻中心",
    "信息公开",
    "政策法规",
    "政务服务",
    "互动交流",
    "专题专栏",
    "环境质量",
    "数据发布",
)
_NAV_EN = (
    "Home",
    "About",
    "News",
    "Policies",
    "Services",
    "Interaction",
    "Topics",
    "Data",
    "Contact",
    "Sitemap",
)


def _chrome(heading: str, content: str, english: bool, head: str = "") -> str:
    """The portal's frame: header, navigation, scripts and footer around *content*."""
    nav_words = _NAV_EN if english else _NAV_ZH
    nav = "".join(f'<li><a href="/{k}/index.html">{w}</a></li>' for k, w in enumerate(nav_words * 3))
    footer = (
        "Copyright Provincial Department of Ecology and Environment. All rights reserved. ICP 05001234"
        if english
        else "版权所有：省生态环境厅 主办单位：省生态环境厅 网站标识码4100000001 豫ICP备05001234号"
    )
    return (
        f'<!DOCTYPE html><html lang="{"en" if english else "zh-CN"}"><head><meta charset="utf-8">'
        f"<title>{html.escape(heading)}</title>{head}"
        '<link rel="stylesheet" href="/css/style.css"><script src="/js/jquery.min.js"></script>'
        "<script>var _hmt=_hmt||[];(function(){var hm=document.createElement('script');"
        "hm.src='/js/stat.js';var s=document.getElementsByTagName('script')[0];"
        "s.parentNode.insertBefore(hm,s);})();</script></head><body>"
        f'<div class="header"><div class="logo"><img src="/img/logo.png" alt="logo"></div>'
        f'<div class="search"><form action="/search"><input name="q"><button>{"Search" if english else "搜索"}'  # noqa: E501
        f'</button></form></div><ul class="nav">{nav}</ul></div>'
        f'<div class="main">{content}</div>'
        f'<div class="footer"><p>{footer}</p><p><a href="/sitemap.html">{"Site map" if english else "网站地图"}</a>'  # noqa: E501
        "</p></div></body></html>"
    )


def _article_page(
    title: str,
    published: datetime.datetime,
    origin: str,
    paragraphs: list[str],
    english: bool,
    neighbours: list[tuple[str, str]],
) -> str:
    e = html.escape
    head = (
        f'<meta name="ArticleTitle" content="{e(title)}"><meta name="PubDate" content="{published:%Y-%m-%d %H:%M}">'  # noqa: E501
        f'<meta name="ContentSource" content="{e(origin)}">'
    )
    crumbs = "Home &gt; News &gt; Local news" if english else "首页 &gt; 新闻中心 &gt; 地方快讯"
    info = (
        f"Release time: {published:%Y-%m-%d %H:%M} Source: {e(origin)}"
        if english
        else f"发布时间：{published:%Y-%m-%d %H:%M} 来源：{e(origin)}"
    )
    body = "".join(f"<p>{e(p)}</p>" for p in paragraphs)
    related = "".join(f'<li><a href="{path}">{e(t)}</a></li>' for path, t in neighbours)
    share = "Share to: WeChat Weibo" if english else "分享到：微信 微博"
    content = (
        f'<div class="crumb">{crumbs}</div><div class="article"><h1 class="title">{e(title)}</h1>'
        f'<div class="info">{info}</div><div class="TRS_Editor">{body}</div>'
        f'<div class="share">{share}</div><div class="editor">{"Editor: Li Ming" if english else "责任编辑：李明"}</div>'  # noqa: E501
        f'</div><div class="related"><h3>{"Related" if english else "相关阅读"}</h3><ul>{related}</ul></div>'
    )
    return _chrome(title, content, english, head)


# --- serving -----------------------------------------------------------------------------------
_REASONS = {200: "OK", 404: "Not Found", 400: "Bad Request"}


def _head(status: int, content_type: str, length: int, keep_alive: bool) -> bytes:
    return (
        f"HTTP/1.1 {status} {_REASONS.get(status, 'OK')}\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {length}\r\nConnection: {'keep-alive' if keep_alive else 'close'}\r\n\r\n"
    ).encode("ascii")


class _SiteProtocol(asyncio.Protocol):
    """Minimal HTTP/1.1 for GET: pipelining-safe, keep-alive, no request bodies."""

    def __init__(self, site: SyntheticSite) -> None:
        self.site = site
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while self.transport is not None and b"\r\n\r\n" in self.buffer:
            head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
            request_line, _, headers = head.partition(b"\r\n")
            parts = request_line.split(b" ")
            keep_alive = b"connection: close" not in headers.lower()
            if len(parts) != 3:
                status, ctype, body, keep_alive = 400, "text/plain", b"bad request", False
            else:
                status, ctype, body = self.site.respond(parts[1].decode("latin-1"))
            self.transport.write(_head(status, ctype, len(body), keep_alive) + body)
            if not keep_alive:
                self.transport.close()
                self.transport = None


def serve(site: SyntheticSite, port: int = 0, ready: Any = None) -> None:
    """Serve *site* on ``127.0.0.1:port`` until killed; *ready(port)* is called once listening."""

    async def run() -> None:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(lambda: _SiteProtocol(site), "127.0.0.1", port, backlog=512)
        bound = server.sockets[0].getsockname()[1]
        if ready is not None:
            ready(bound)
        async with server:
            await server.serve_forever()

    asyncio.run(run())


class SiteProcess:
    """:func:`serve` in a child process (``python -m benchmarks.sitegen``), stopped on exit."""

    def __init__(self, articles: int, seed: int = 1) -> None:
        self._process = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.sitegen", "--articles", str(articles), "--seed", str(seed)],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._process.stdout is not None
        line = self._process.stdout.readline()
        if not line.startswith("http://"):
            self._process.kill()
            raise RuntimeError(f"site server did not start: {line!r}")
        self.base_url = line.strip()
        self.pid = self._process.pid

    def stop(self) -> None:
        """Terminate the server process."""
        self._process.terminate()
        self._process.wait(timeout=10)

    def __enter__(self) -> SiteProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class _ThreadedHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    site: SyntheticSite

    def do_GET(self) -> None:
        status, ctype, body = self.site.respond(self.path)
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        return


class ThreadedSite:
    """The stdlib threaded server in the caller's process (the cheaper-to-set-up alternative)."""

    def __init__(self, site: SyntheticSite) -> None:
        handler = type("Handler", (_ThreadedHandler,), {"site": site})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}/"
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and release the port."""
        self._server.shutdown()
        self._server.server_close()


def _cli(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve the synthetic portal on 127.0.0.1.")
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    site = SyntheticSite(args.articles, args.seed)

    def ready(port: int) -> None:
        print(f"http://127.0.0.1:{port}/", flush=True)

    with contextlib.suppress(KeyboardInterrupt):
        serve(site, args.port, ready)


if __name__ == "__main__":
    _cli()

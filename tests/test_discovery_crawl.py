"""Real crawls over loopback HTTP: every discovery kind, the date horizon, canonicalisation,
attachments, blocked answers and polite retries.

All scenarios are sources of one user sources file, crawled together in one subprocess
(``tests.crawl_runner``) against one :class:`tests.loopback.LoopbackServer`; the server's request
log says what was fetched, the crawl's stats and records say what came of it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from .conftest import REPO
from .loopback import LoopbackServer, Route

pytestmark = pytest.mark.slow

POLITE_FAST = """
[politeness]
DOWNLOAD_DELAY = 0
AUTOTHROTTLE_ENABLED = false
CONCURRENT_REQUESTS_PER_DOMAIN = 16
"""


def article(title: str, date: str, extra: str = "") -> str:
    """A TRS-style article page (ArticleTitle/PubDate meta, TRS_Editor body)."""
    paragraphs = "".join(
        f"<p>{title}：第{i}段。生态环境部门持续推进大气、水、土壤污染防治，改善区域环境质量，"
        f"落实减污降碳协同增效的各项任务要求。</p>"
        for i in range(1, 4)
    )
    return (
        f'<html><head><meta charset="utf-8"><title>{title}</title>'
        f'<meta name="ArticleTitle" content="{title}"><meta name="PubDate" content="{date} 10:00">'
        f'</head><body><div class="nav"><a href="/">首页</a></div><h1>{title}</h1>'
        f'<div class="TRS_Editor">{paragraphs}{extra}</div></body></html>'
    )


def list_page(items: list[tuple[str, str, str]], next_link: str = "") -> str:
    rows = "".join(
        f'<li><a href="{href}">{title}</a><span class="date">{date}</span></li>'
        for href, title, date in items
    )
    return f'<html><body><ul class="list">{rows}</ul>{next_link}</body></html>'


def rss(entries: list[tuple[str, str, str]]) -> str:
    items = "".join(
        f"<item><title>{t}</title><link>{link}</link><pubDate>{d}</pubDate></item>" for link, t, d in entries
    )
    return f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>{items}</channel></rss>'


def sitemap(locs: list[tuple[str, str]], index: bool = False) -> str:
    tag, item = ("sitemapindex", "sitemap") if index else ("urlset", "url")
    body = "".join(f"<{item}><loc>{loc}</loc><lastmod>{mod}</lastmod></{item}>" for loc, mod in locs)
    return f'<?xml version="1.0"?><{tag} xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{body}</{tag}>'


def hanweb_xml(records: list[tuple[str, str, str]], total: int) -> str:
    recs = "".join(
        f'<record><![CDATA[<li><a href="{href}" title="{t}">{t}</a><span>{d}</span></li>]]></record>'
        for href, t, d in records
    )
    return f'<?xml version="1.0" encoding="utf-8"?><datastore><totalrecord>{total}</totalrecord><recordset>{recs}</recordset></datastore>'  # noqa: E501


def source_toml(key: str, base: str, body: str) -> str:
    return (
        f'[[source]]\nkey = "{key}"\nname = "Loopback {key}"\nlanguage = "zh"\n'
        f'timezone = "Asia/Shanghai"\nallowed_domains = ["127.0.0.1"]\n{body}\n'
        + POLITE_FAST.replace("[politeness]", "[source.politeness]")
    )


@pytest.fixture(scope="module")
def crawl(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("loopback")
    server = LoopbackServer().start()
    b = server.base_url
    r = server.routes
    # --- feed: RSS with tracking parameters and one entry older than the horizon
    r["/feed/rss.xml"] = Route(
        rss(
            [
                (
                    f"{b}/feed/202405/t20240522_1.html?utm_source=rss",
                    "Feed one",
                    "Wed, 22 May 2024 10:00:00 +0800",
                ),
                (f"{b}/feed/202405/t20240523_2.html", "Feed two", "Thu, 23 May 2024 10:00:00 +0800"),
                (f"{b}/feed/202301/t20230101_3.html", "Feed old", "Sun, 01 Jan 2023 10:00:00 +0800"),
            ]
        ),
        content_type="application/rss+xml",
    )
    r["/feed/202405/t20240522_1.html"] = article("订阅源文章一", "2024-05-22")
    r["/feed/202405/t20240523_2.html"] = article("订阅源文章二", "2024-05-23")
    r["/feed/202301/t20230101_3.html"] = article("订阅源旧文章", "2023-01-01")
    # --- sitemap index with two children, one of them entirely older than the horizon
    r["/sm/sitemap.xml"] = Route(
        sitemap([(f"{b}/sm/s1.xml", "2024-06-01"), (f"{b}/sm/s2.xml", "2022-01-01")], index=True),
        content_type="application/xml",
    )
    r["/sm/s1.xml"] = Route(
        sitemap(
            [
                (f"{b}/sm/202406/t20240601_1.html", "2024-06-01"),
                (f"{b}/sm/202406/t20240602_2.html", "2024-06-02"),
            ]
        ),
        content_type="application/xml",
    )
    r["/sm/s2.xml"] = Route(
        sitemap([(f"{b}/sm/202201/t20220101_9.html", "2022-01-01")]), content_type="application/xml"
    )
    for path, day in (("/sm/202406/t20240601_1.html", "01"), ("/sm/202406/t20240602_2.html", "02")):
        r[path] = article(f"站点地图文章{day}", f"2024-06-{day}")
    # --- TRS pagination: index.html, index_1.html, index_2.html (limit 3 pages), index_3 never read
    for n in range(4):
        name = "index.html" if n == 0 else f"index_{n}.html"
        r[f"/trs/{name}"] = list_page(
            [
                (f"./20240{n + 1}/t20240{n + 1}1{k}_{n}{k}.html", f"列表{n}-{k}", f"2024-0{n + 1}-1{k}")
                for k in range(2)
            ]
        )
        for k in range(2):
            r[f"/trs/20240{n + 1}/t20240{n + 1}1{k}_{n}{k}.html"] = article(
                f"分页文章{n}{k}", f"2024-0{n + 1}-1{k}"
            )
    # --- date horizon on a list: page 1 new, page 2 older (stop), page 3 never read
    r["/hz/index.html"] = list_page(
        [("202403/t20240301_1.html", "新", "2024-03-01"), ("202312/t20231201_2.html", "旧", "2023-12-01")]
    )
    r["/hz/index_1.html"] = list_page(
        [("202311/t20231101_3.html", "旧", "2023-11-01"), ("202310/t20231001_4.html", "旧", "2023-10-01")]
    )
    r["/hz/index_2.html"] = list_page([("202309/t20230901_5.html", "旧", "2023-09-01")])
    r["/hz/202403/t20240301_1.html"] = article("期限内文章", "2024-03-01")
    for path in ("202312/t20231201_2.html", "202311/t20231101_3.html", "202310/t20231001_4.html"):
        r[f"/hz/{path}"] = article("期限外文章", "2023-10-01")
    # --- Hanweb dataproxy.jsp: two groups of records, then totalrecord says stop
    groups = {
        "1": hanweb_xml(
            [(f"/art/2024/5/{d}/art_42_{d}.html", f"大汉{d}", f"2024-05-{d:02d}") for d in (1, 2)], 4
        ),
        "3": hanweb_xml(
            [(f"/art/2024/5/{d}/art_42_{d}.html", f"大汉{d}", f"2024-05-{d:02d}") for d in (3, 4)], 4
        ),
    }
    r["/module/web/jpage/dataproxy.jsp"] = lambda hit: Route(
        groups.get(dict(p.split("=") for p in hit.query.split("&"))["startrecord"], "<datastore/>"),
        content_type="text/xml; charset=utf-8",
    )
    for d in (1, 2, 3, 4):
        r[f"/art/2024/5/{d}/art_42_{d}.html"] = article(f"大汉文章{d}", f"2024-05-{d:02d}")

    # --- JSON API (State Council style envelope): two pages, then an empty page
    def api_page(n: int) -> str:
        items = [
            {
                "title": f"关于<em>生态</em>{n}{k}",
                "url": f"{b}/zhengce/content/2024-0{n}/0{k + 1}/content_{n}{k}.htm",
                "pubtimeStr": f"2024.0{n}.0{k + 1}",
                "pcode": f"国办发〔2024〕{n}{k}号",
            }
            for k in range(2)
        ]
        return json.dumps(
            {"code": 200, "searchVO": {"catMap": {"gongwen": {"listVO": items if n < 3 else []}}}}
        )

    for n in (1, 2, 3):
        r[f"/search-gov/data?p={n}&n=2"] = Route(api_page(n), content_type="application/json")
    for n in (1, 2):
        for k in range(2):
            r[f"/zhengce/content/2024-0{n}/0{k + 1}/content_{n}{k}.htm"] = article(
                f"政策文件{n}{k}", f"2024-0{n}-0{k + 1}"
            )
    # --- canonicalisation: one article linked five ways from a list and a feed; attachments listed
    canon = "/canon/202405/t20240520_7.html"
    r["/canon/index.html"] = list_page(
        [
            ("202405/t20240520_7.html", "同一篇", "2024-05-20"),
            ("./202405/t20240520_7.html#content", "同一篇", "2024-05-20"),
            ("202405/t20240520_7.html?utm_source=weibo&utm_medium=share", "同一篇", "2024-05-20"),
            (f"https://127.0.0.1:{server.port}{canon}", "同一篇", "2024-05-20"),
            ("202405/W020240520_plan.pdf", "附件", "2024-05-20"),
        ]
    )
    r["/canon/feed.xml"] = Route(
        rss([(f"{b}{canon}?from=rss#x", "同一篇", "Mon, 20 May 2024 10:00:00 +0800")]),
        content_type="application/rss+xml",
    )
    r[canon] = article(
        "一篇文章五种链接", "2024-05-20", extra='<p>附件：<a href="W020240520_plan.pdf">实施方案.pdf</a></p>'
    )
    r["/canon/202405/W020240520_plan.pdf"] = Route(b"%PDF-1.4", content_type="application/pdf")
    # --- blocked answers: a 412 Ruishu shell, a 200 JS-challenge page, a 403; one good article
    r["/blk/index.html"] = list_page(
        [(f"202405/t2024050{i}_{i}.html", f"b{i}", "2024-05-01") for i in range(1, 5)]
    )
    r["/blk/202405/t20240501_1.html"] = Route(
        "<html><script>$_ts=window['$_ts'];if(!$_ts)$_ts={};</script></html>", status=412
    )
    r["/blk/202405/t20240502_2.html"] = "<html><body><p>请开启JavaScript并刷新该页.</p></body></html>"
    r["/blk/202405/t20240503_3.html"] = Route("Forbidden", status=403, content_type="text/plain")
    r["/blk/202405/t20240504_4.html"] = article("未被拦截的文章", "2024-05-04")
    # --- retry: 429 with Retry-After: 1, then the page
    r["/rty/index.html"] = list_page([("202405/t20240505_1.html", "r", "2024-05-05")])
    r["/rty/202405/t20240505_1.html"] = [
        Route("slow down", status=429, headers={"Retry-After": "1"}, content_type="text/plain"),
        Route(article("重试后的文章", "2024-05-05")),
    ]

    sources = tmp / "sources.toml"
    sources.write_text(
        "\n".join(
            [
                source_toml("lb_feed", b, f'feeds = ["{b}/feed/rss.xml"]'),
                source_toml("lb_sitemap", b, f'sitemaps = ["{b}/sm/sitemap.xml"]'),
                source_toml(
                    "lb_trs",
                    b,
                    f'family = "trs"\n[[source.list_pages]]\nurl = "{b}/trs/index.html"\nmax_pages = 3',
                ),
                source_toml(
                    "lb_horizon", b, f'family = "trs"\n[[source.list_pages]]\nurl = "{b}/hz/index.html"'
                ),
                source_toml(
                    "lb_hanweb",
                    b,
                    f'family = "hanweb"\n[[source.hanweb]]\nurl = "{b}/module/web/jpage/dataproxy.jsp"\n'
                    'columnid = "42"\nunitid = "7"\nperpage = 1\ngroup = 2',
                ),
                source_toml(
                    "lb_api",
                    b,
                    'article_pattern = "content_\\\\d+\\\\.htm$"\n[[source.apis]]\n'
                    f'url = "{b}/search-gov/data?p={{page}}&n={{size}}"\ndate_field = "pubtimeStr"\n'
                    'page_size = 2\nheaders = { Referer = "https://sousuo.www.gov.cn/" }',
                ),
                source_toml(
                    "lb_canon",
                    b,
                    f'family = "trs"\nfeeds = ["{b}/canon/feed.xml"]\n'
                    f'[[source.list_pages]]\nurl = "{b}/canon/index.html"\nmax_pages = 1',
                ),
                source_toml(
                    "lb_blocked",
                    b,
                    f'family = "trs"\n[[source.list_pages]]\nurl = "{b}/blk/index.html"\nmax_pages = 1',
                ),
                source_toml(
                    "lb_retry",
                    b,
                    f'family = "trs"\n[[source.list_pages]]\nurl = "{b}/rty/index.html"\nmax_pages = 1',
                ),
            ]
        ),
        encoding="utf-8",
    )
    keys = [
        "lb_feed",
        "lb_sitemap",
        "lb_trs",
        "lb_horizon",
        "lb_hanweb",
        "lb_api",
        "lb_canon",
        "lb_blocked",
        "lb_retry",
    ]
    since = {"lb_feed": "2024-01-01", "lb_sitemap": "2024-01-01", "lb_horizon": "2024-01-01"}
    spec = {
        "settings": {
            "ECOPOLICY_SOURCES_FILES": [str(sources)],
            "ECOPOLICY_OUTPUT_ENABLED": False,
            "LOG_LEVEL": "INFO",
            "ECOPOLICY_RETRY_BASE_DELAY": 0.1,
        },
        "crawls": [{"source": k, "args": {"since": since[k]} if k in since else {}} for k in keys],
    }
    (tmp / "spec.json").write_text(json.dumps(spec), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    done = subprocess.run(
        [sys.executable, "-m", "tests.crawl_runner", str(tmp / "spec.json"), str(tmp / "out.json")],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    server.stop()
    assert done.returncode == 0, done.stderr[-4000:]
    return server, json.loads((tmp / "out.json").read_text(encoding="utf-8")), done.stderr


def titles(result: dict, key: str) -> set[str]:
    return {item["title"] for item in result[key]["items"]}


def test_feed_entries_fetched_and_older_entries_skipped(crawl):
    server, result, _ = crawl
    assert titles(result, "lb_feed") == {"订阅源文章一", "订阅源文章二"}
    assert server.count("/feed/202301/t20230101_3.html") == 0
    assert result["lb_feed"]["stats"]["discovery/skipped/older"] == 1
    assert result["lb_feed"]["items"][0]["canonical_url"].endswith(".html")  # utm_source removed
    assert all("utm_" not in i["canonical_url"] for i in result["lb_feed"]["items"])


def test_sitemap_index_children_followed_and_old_child_skipped(crawl):
    server, result, _ = crawl
    assert titles(result, "lb_sitemap") == {"站点地图文章01", "站点地图文章02"}
    assert server.count("/sm/s1.xml") == 1
    assert server.count("/sm/s2.xml") == 0  # lastmod before the horizon
    assert result["lb_sitemap"]["stats"]["discovery/sitemap/pages"] == 2


def test_trs_pagination_follows_index_n_up_to_the_page_limit(crawl):
    server, result, _ = crawl
    assert [
        server.count(f"/trs/{p}") for p in ("index.html", "index_1.html", "index_2.html", "index_3.html")
    ] == [1, 1, 1, 0]
    assert len(result["lb_trs"]["items"]) == 6
    assert result["lb_trs"]["stats"]["discovery/stopped/max_pages"] == 1


def test_date_horizon_stops_paging_and_skips_older_items(crawl):
    server, result, _ = crawl
    assert titles(result, "lb_horizon") == {"期限内文章"}
    assert server.count("/hz/index_1.html") == 1  # page 0 still had a new item
    assert server.count("/hz/index_2.html") == 0  # page 1 was entirely older
    assert server.count("/hz/202312/t20231201_2.html") == 0
    assert result["lb_horizon"]["stats"]["discovery/stopped/horizon"] == 1


def test_hanweb_xml_list_posts_the_column_and_pages_by_records(crawl):
    server, result, _ = crawl
    posts = [h for h in server.hits if h.path == "/module/web/jpage/dataproxy.jsp"]
    assert [h.method for h in posts] == ["POST", "POST"]
    assert [h.query for h in posts] == [
        "startrecord=1&endrecord=2&perpage=1",
        "startrecord=3&endrecord=4&perpage=1",
    ]
    assert b"columnid=42" in posts[0].body
    assert b"unitid=7" in posts[0].body
    assert titles(result, "lb_hanweb") == {f"大汉文章{d}" for d in (1, 2, 3, 4)}


def test_json_api_pages_until_empty_with_headers(crawl):
    server, result, _ = crawl
    api_hits = [h for h in server.hits if h.path == "/search-gov/data"]
    assert [h.query for h in api_hits] == ["p=1&n=2", "p=2&n=2", "p=3&n=2"]
    assert api_hits[0].headers.get("Referer") == "https://sousuo.www.gov.cn/"
    assert titles(result, "lb_api") == {"政策文件10", "政策文件11", "政策文件20", "政策文件21"}


def test_one_article_linked_five_ways_is_fetched_once(crawl):
    server, result, _ = crawl
    assert server.count("/canon/202405/t20240520_7.html") == 1
    items = result["lb_canon"]["items"]
    assert len(items) == 1
    assert items[0]["canonical_url"] == server.url("/canon/202405/t20240520_7.html")


def test_attachments_are_listed_not_fetched(crawl):
    server, result, _ = crawl
    assert server.count("/canon/202405/W020240520_plan.pdf") == 0
    (item,) = result["lb_canon"]["items"]
    assert [a["url"] for a in item["attachments"]] == [server.url("/canon/202405/W020240520_plan.pdf")]
    assert result["lb_canon"]["stats"]["discovery/skipped/attachment"] == 1


def test_blocked_answers_are_counted_per_source_and_not_parsed(crawl):
    _, result, _ = crawl
    stats = result["lb_blocked"]["stats"]
    assert stats["blocked/lb_blocked/ruishu"] == 1
    assert stats["blocked/lb_blocked/js_challenge"] == 1
    assert stats["blocked/lb_blocked/http_403"] == 1
    assert stats["blocked/lb_blocked/total"] == 3
    assert titles(result, "lb_blocked") == {"未被拦截的文章"}
    assert not any(k.startswith("extraction/dropped/") for k in stats)


def test_retry_after_is_honoured_before_retrying(crawl):
    server, result, _ = crawl
    hits = [h for h in server.hits if h.path == "/rty/202405/t20240505_1.html"]
    assert len(hits) == 2
    assert hits[1].at - hits[0].at >= 0.9  # waited for Retry-After: 1 (a lower bound, not a speed test)
    assert titles(result, "lb_retry") == {"重试后的文章"}
    assert result["lb_retry"]["stats"]["retry/backoff/retry_after"] == 1


def test_user_agent_names_the_contact(crawl):
    server, _, _ = crawl
    agents = {h.headers.get("User-Agent") for h in server.hits}
    assert len(agents) == 1
    assert agents.pop().startswith("ecopolicy-crawler/0.1 (research corpus of environmental policy; +")

"""The bundled offline demo source: a portal-like site shipped with the package.

It is served on a loopback port during a crawl, so the whole path (HTTP, robots.txt, feed,
sitemap, pagination, extraction, cleaning, output) runs on a machine with no internet.
"""

from __future__ import annotations

from crawler.sources.base import ListPage, Source

SOURCE = Source(
    key="demo",
    name="Demo: offline environmental-policy portal",
    language="zh",
    timezone="Asia/Shanghai",
    allowed_domains=(),
    offline_site="sources/demo/site",
    feeds=("/feed.xml",),
    sitemaps=("/sitemap.xml",),
    list_pages=(
        ListPage(url="/news/index.html", pagination="index_{n}.html", max_pages=10),
        ListPage(url="/en/news/index.html", pagination="index_{n}.html", max_pages=10),
    ),
    article_pattern=r"/t\d{8}_\d+\.html$",
    politeness={"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "CONCURRENT_REQUESTS_PER_DOMAIN": 8},
    notes=(
        "Offline copy of portal-like pages. Like english.mee.gov.cn, the English section is in Beijing"
        " time: pages that print no offset are read as Asia/Shanghai."
    ),
    structure="documented",
    fetch_attachments=True,  # the portal's notices link PDF, Word, spreadsheet and OFD files
)

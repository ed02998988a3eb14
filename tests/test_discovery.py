import datetime

import pytest

from crawler.discovery import next_page_urls, parse_feed, parse_list_page, parse_sitemap
from crawler.sources.base import ListPage

BASE = "http://127.0.0.1:8000/"


def test_rss_and_atom_entries_with_dates():
    rss = b"""<?xml version="1.0"?><rss version="2.0"><channel>
      <item><title>A</title><link>http://127.0.0.1:8000/a.html?utm_source=rss</link>
      <pubDate>Mon, 22 May 2023 13:17:00 +0800</pubDate></item>
      <item><title>B</title><guid>http://127.0.0.1:8000/b.html</guid></item></channel></rss>"""
    links = parse_feed(rss, BASE + "feed.xml")
    assert [link.url for link in links] == [
        "http://127.0.0.1:8000/a.html?utm_source=rss",
        "http://127.0.0.1:8000/b.html",
    ]
    assert links[0].date == datetime.date(2023, 5, 22)
    atom = b"""<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>C</title>
      <link rel="alternate" href="/c.html"/><updated>2024-01-02T03:04:05Z</updated></entry></feed>"""
    assert parse_feed(atom, BASE) == [parse_feed(atom, BASE)[0]]
    assert parse_feed(atom, BASE)[0].url == BASE + "c.html"


def test_sitemap_index_and_urlset():
    index = b"""<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
      <sitemap><loc>/sitemap-1.xml</loc></sitemap></sitemapindex>"""
    pages, children = parse_sitemap(index, BASE + "sitemap.xml")
    assert pages == []
    assert [c.url for c in children] == [BASE + "sitemap-1.xml"]


def test_entity_expansion_and_external_entities_are_not_resolved(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">'
        b'<!ENTITY xxe SYSTEM "' + secret.as_uri().encode() + b'">]>'
        b"<urlset><url><loc>http://127.0.0.1:8000/&lol3;&xxe;</loc></url></urlset>"
    )
    pages, _ = parse_sitemap(laughs, BASE)
    assert all("TOP-SECRET" not in p.url and "lollol" not in p.url for p in pages)


def test_list_page_links_dates_and_trs_pagination():
    page = """<ul class="list"><li><a href="./202305/t20230522_1.html" title="Full title">Short</a>
      <span>2023-05-22</span></li><li><a href="javascript:void(0)">x</a></li></ul>
      <a href="index_1.html">下一页</a>"""
    links = parse_list_page(page, BASE + "news/index.html")
    assert links[0].url == BASE + "news/202305/t20230522_1.html"
    assert links[0].title == "Full title"
    assert links[0].date == datetime.date(2023, 5, 22)
    assert len(links) == 2
    rule = ListPage(url=BASE + "news/index.html", pagination="index_{n}.html", max_pages=3)
    assert next_page_urls(page, BASE + "news/index.html", rule, 0) == [BASE + "news/index_1.html"]
    assert next_page_urls(page, BASE + "news/index_1.html", rule, 1) == [BASE + "news/index_2.html"]
    assert next_page_urls(page, BASE + "news/index_2.html", rule, 2) == []
    by_link = ListPage(url=BASE + "news/index.html", max_pages=3)
    assert next_page_urls(page, BASE + "news/index.html", by_link, 0) == [BASE + "news/index_1.html"]


@pytest.mark.parametrize(
    "anchor",
    ['<a href="p2.html">Next »</a>', '<a href="p2.html">Next&nbsp;&raquo;</a>',
     '<a href="p2.html">下一页 &gt;</a>', '<a href="p2.html">Older posts →</a>',
     '<a rel="next" href="p2.html">2</a>', '<a href="p2.html">›</a>'],
)  # fmt: skip
def test_a_next_link_written_with_arrows_or_rel_next_is_followed(anchor):
    page = f'<a href="p0.html">« Previous</a> <a href="p9.html">Next steps for the basin</a> {anchor}'
    by_link = ListPage(url=BASE + "news/", max_pages=3)
    assert next_page_urls(page, BASE + "news/p1.html", by_link, 0) == [BASE + "news/p2.html"]


def test_a_previous_link_is_not_taken_for_the_next_one():
    page = '<a href="p0.html">« Previous</a> <a href="p0.html">&lt;</a>'
    assert next_page_urls(page, BASE + "news/p1.html", ListPage(url=BASE + "news/", max_pages=3), 0) == []

# ruff: noqa: E501  (inline page snippets read best unwrapped)
"""extract_article as a whole: keys, errors, selectors and fallbacks, metadata fields."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from crawler.extraction import RECORD_KEYS, EmptyPageError, ExtractionError, extract_article
from crawler.sources.base import Selectors, Source

NOW = datetime.datetime(2024, 12, 1, tzinfo=datetime.UTC)
PAGE = """<html><head><title>Agency fines water firm - Example News</title>
<link rel="canonical" href="/news/fine?utm_campaign=x">
</head><body><nav><a href="/">Home</a><a href="/docs/guide.pdf">Site guide (PDF)</a></nav>
<h1>Agency fines water firm</h1><p class="meta">By Jane Doe and John Smith</p>
<div class="story"><p>The Environment Agency fined a water company on Tuesday for repeated sewage spills.</p>
<p>Read the <a href="/files/judgment.pdf#page=2">court judgment</a> and the
<a href="https://example.org/files/permit.docx">permit</a>.</p></div>
<div class="side-box"><h3>Related</h3><ul><li><a href="/a">Other story one</a></li><li><a href="/b">Two</a></li></ul></div>
<footer>Example News. All rights reserved.</footer></body></html>"""


def src(**selectors: str) -> Source:
    return Source(
        key="example",
        name="Example",
        language="en",
        timezone="Europe/London",
        allowed_domains=("example.org",),
        feeds=("https://example.org/feed",),
        selectors=Selectors(**selectors),
    )


def test_keys_and_metadata():
    got = extract_article(PAGE, "https://www.example.org/news/fine?id=1&utm_source=tw#top", now=NOW)
    assert tuple(got) == RECORD_KEYS
    assert got["title"] == "Agency fines water firm"
    assert got["canonical_url"] == "https://www.example.org/news/fine"
    assert got["authors"] == ["Jane Doe", "John Smith"]
    assert got["attachments"] == [
        {"url": "https://www.example.org/files/judgment.pdf", "title": "court judgment"},
        {"url": "https://example.org/files/permit.docx", "title": "permit"},
    ]
    assert got["language"] == "en"
    assert not any("Other story" in p or "rights reserved" in p for p in got["paragraphs"])


def test_canonical_to_another_site_is_ignored():
    html = PAGE.replace('href="/news/fine?utm_campaign=x"', 'href="https://aggregator.example.com/x"')
    got = extract_article(html, "https://www.example.org/news/fine?utm_medium=email&page=2", now=NOW)
    assert got["canonical_url"] == "https://www.example.org/news/fine?page=2"


def test_source_selectors_come_first():
    got = extract_article(PAGE, "https://example.org/n", src(title="p.meta", body="div.story"), now=NOW)
    assert got["title"] == "By Jane Doe and John Smith"
    assert got["paragraphs"][0].startswith("The Environment Agency fined")
    assert "selector_fallback" not in got["events"]


@pytest.mark.parametrize(
    "selectors",
    [
        {"body": "div.gone"},
        {"body": "//div[@id='gone']"},
        {"title": "h5.none"},
        {"date": "span.none"},
        {"body": "p.meta"},  # yields too little text
    ],
)
def test_stale_selectors_fall_back_and_are_counted(selectors: dict[str, str]):
    got = extract_article(PAGE, "https://example.org/n", src(**selectors), now=NOW)
    assert "selector_fallback" in got["events"]
    assert got["title"] == "Agency fines water firm"
    assert got["paragraphs"][0].startswith("The Environment Agency fined")


@pytest.mark.parametrize(
    "html",
    [
        "",
        "   ",
        b"",
        "<html><body></body></html>",
        "<html><body><noscript>请开启JavaScript并刷新该页</noscript><script>var a=1;</script></body></html>",
        "<html><body><nav><a href='/'>Home</a> <a href='/b'>Blog</a></nav></body></html>",
    ],
)
def test_pages_without_article_raise_empty_page(html: str | bytes):
    with pytest.raises(ExtractionError) as info:  # what callers catch
        extract_article(html, "https://example.org/a", now=NOW)
    assert type(info.value) is EmptyPageError
    assert info.value.reason == "empty_page"
    assert str(info.value)


def test_chinese_origin_authors_and_doc_numbers():
    html = (
        "<html><head><title>关于印发方案的通知_通知公告_某省生态环境厅</title></head><body>"
        "<div class='xx'>发布日期：2024-01-05　信息来源：某省生态环境厅　作者：王芳、李强　浏览次数：88</div>"
        "<div class='xxgk'><table><tr><td>文号：</td><td>某环发〔2024〕3号</td></tr></table></div>"
        "<h1>关于印发方案的通知</h1><div id='zoom'><p>各市生态环境局：</p>"
        "<p>根据环大气〔2019〕35号文件，现将方案印发给你们，请认真贯彻执行。</p>"
        "<p><a href='./P020240105.wps'>附件：实施方案.wps</a></p></div></body></html>"
    )
    got = extract_article(html, "https://sthjt.example.gov.cn/tzgg/202401/t20240105_1.html", now=NOW)
    assert got["origin"] == "某省生态环境厅"
    assert got["authors"] == ["王芳", "李强"]
    assert got["doc_numbers"] == ["某环发〔2024〕3号", "环大气〔2019〕35号"]
    assert got["attachments"] == [
        {"url": "https://sthjt.example.gov.cn/tzgg/202401/P020240105.wps", "title": "附件：实施方案.wps"}
    ]
    assert got["published"] == "2024-01-05T00:00:00+08:00"
    assert got["language"] == "zh"


def test_language_follows_the_body_on_mixed_pages():
    zh = (
        "<html lang='en'><head><title>t</title></head><body><article><p>国际能源署（IEA）发布《Global Methane Tracker"
        " 2024》报告，指出能源行业甲烷排放仍接近历史高位，各国需加快行动。</p></article></body></html>"
    )
    en = (
        "<html lang='zh-CN'><head><title>t</title></head><body><article><p>The Ministry of Ecology and Environment "
        "(生态环境部) released its annual bulletin on Monday, showing further improvement in air quality.</p>"
        "</article></body></html>"
    )
    assert extract_article(zh, "https://example.org/a", now=NOW)["language"] == "zh"
    assert extract_article(en, "https://example.org/a", now=NOW)["language"] == "en"


def test_wordpress_taxonomy_and_page_builder_classes_are_not_chrome():
    html = (
        "<html><head><title>Coal output falls | Site</title></head><body>"
        "<article class='post-12 post type-post hentry category-news tag-coal tag-china'>"
        "<h1>Coal output falls</h1><div class='elementor-widget elementor-widget-theme-post-content'>"
        "<div class='elementor-widget-container'><p>China's coal output fell in March for the first time "
        "this year, official data showed.</p></div></div>"
        "<div class='elementor-widget elementor-widget-share-buttons'><div class='elementor-widget-container'>"
        "<a>Share on Facebook</a></div></div></article></body></html>"
    )
    got = extract_article(html, "https://example.org/a", now=NOW)
    assert got["paragraphs"] == [
        "China's coal output fell in March for the first time this year, official data showed."
    ]


@pytest.mark.parametrize("selector", ["div::first-line", "p:nth-child(", "//div[", "(//p)[", "a::attr(href)"])
def test_broken_selectors_fall_back_instead_of_crashing(selector: str):
    got = extract_article(
        PAGE, "https://example.org/n", src(body=selector, title=selector, date=selector), now=NOW
    )
    assert "selector_fallback" in got["events"]
    assert got["title"] == "Agency fines water firm"


_FRAGMENTS = st.sampled_from(
    [
        "<p>",
        "</p>",
        "<div class='TRS_Editor'>",
        "</div>",
        "<h1>标题</h1>",
        "发布时间：2023-05-22 13:17",
        "<br>",
        "Published: 8 November 2023",
        "<script>var x = '<p>';</script>",
        "<table><tr><td>",
        "</td></tr></table>",
        "<meta name='PubDate' content='2099-01-01'>",
        "环大气〔2019〕35号",
        "<a href='x.pdf'>附件</a>",
        "<nav>",
        "</nav>",
        "The agency said on Monday that emissions fell.",
        "生态环境部发布公报，空气质量持续改善。",
        "\x00",
        "\ufeff",
        "&nbsp;",
        "<?xml version='1.0' encoding='gbk'?>",
        "<!-- c -->",
        "<footer>",
        "</footer>",
        "<ul><li>",
        "</li></ul>",
    ]
)


@given(st.lists(_FRAGMENTS, max_size=30), st.sampled_from([None, "utf-8", "gbk", "latin-1", "bogus"]))
@example(["</p>", "<?xml version='1.0' encoding='gbk'?>", "<p>"], None)  # XML declaration on a retried page
@settings(max_examples=60, deadline=None)
def test_any_markup_gives_a_record_or_an_extraction_error(parts: list[str], charset: str | None):
    html = "".join(parts)
    for payload in (html, html.encode("utf-8")):
        try:
            got = extract_article(payload, "https://example.org/t20230522_1.html", encoding=charset, now=NOW)
        except ExtractionError:
            continue
        assert tuple(got) == RECORD_KEYS
        assert got["paragraphs"]
        assert all(isinstance(p, str) and p for p in got["paragraphs"])


LONE_SURROGATE = " \ud800"
LONG_PAGE = "<html><head><title>T</title></head><body><article>{}</article></body></html>".format(
    "".join(
        f"<p>Paragraph {i} of the notice sets out what the agency requires of water firms{LONE_SURROGATE if i == 3 else ''} this year.</p>"
        for i in range(9)
    )
)


def test_a_lone_surrogate_costs_one_character_not_the_rest_of_the_page():
    got = extract_article(LONG_PAGE, "https://example.org/notice", now=NOW)
    assert len(got["paragraphs"]) == 9
    assert "\ufffd" in got["paragraphs"][3]
    assert "decode_replaced" in got["events"]


def test_the_public_api_strips_line_endings_from_the_url_and_refuses_non_pages():
    import crawler

    record = crawler.extract(LONG_PAGE.replace(LONE_SURROGATE, ""), " https://example.org/notice\r\n")
    assert record["url"] == "https://example.org/notice"
    with pytest.raises(TypeError, match="html must be str or bytes, got NoneType"):
        crawler.extract(None, "https://example.org/notice")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="url must be str, got NoneType"):
        crawler.extract(LONG_PAGE, None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="url is empty"):
        crawler.extract(LONG_PAGE, "\r\n")

# ruff: noqa: E501  (inline page snippets read best unwrapped)
"""Titles: the headline, without site and section suffixes."""

from __future__ import annotations

import pytest

from crawler.extraction import extract_article
from crawler.extraction.title import strip_site_suffix

BODY = "<div class='entry-content'><p>Some article text that is long enough to be the body of the page.</p></div>"


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        (
            "关于政协河南省十三届一次会议第1310004号提案的答复_建议提案办理_河南省生态环境厅",
            "关于政协河南省十三届一次会议第1310004号提案的答复",
        ),
        ("省生态环境厅召开推进会_工作动态_河南省生态环境厅", "省生态环境厅召开推进会"),
        ("我省发布公报--环保频道--人民网", "我省发布公报"),
        ("Coal power falls in China | Carbon Brief", "Coal power falls in China"),
        ("New rules on sewage - GOV.UK", "New rules on sewage"),
        ("EPA finalizes methane rule | US EPA", "EPA finalizes methane rule"),
        ("Beijing air hits record – Chinadaily.com.cn", "Beijing air hits record"),
        ("Net zero: the long road ahead", "Net zero: the long road ahead"),
        ("Cross-border carbon tax explained", "Cross-border carbon tax explained"),
    ],
)
def test_strip_site_suffix(title: str, expected: str):
    assert strip_site_suffix(title) == expected


def test_visible_headline_preferred_to_title_tag():
    html = (
        "<html><head><title>EU agrees methane law - Eco Policy Daily</title></head><body>"
        "<div class='logo'><h1>Eco Policy Daily</h1></div><h1>EU agrees methane law, with import rules</h1>"
        f"{BODY}</body></html>"
    )
    assert (
        extract_article(html, "https://example.org/a")["title"] == "EU agrees methane law, with import rules"
    )


def test_trs_article_title_meta_wins():
    html = (
        "<html><head><title>x_y_z</title><meta name='ArticleTitle' content='生态环境部召开新闻发布会'></head>"
        f"<body><h1>首页</h1>{BODY}</body></html>"
    )
    assert extract_article(html, "https://example.org/a")["title"] == "生态环境部召开新闻发布会"


def test_icon_titles_and_an_empty_head_title_are_no_page_title() -> None:
    html = (
        "<html><head><title></title><meta property='og:title' content='Why the river plan matters'>"
        "</head><body>"
        "<svg><symbol id='i'><title>icon-share</title></symbol></svg>"
        "<title>River plan approved - Eco Daily</title>"
        f"<h1>River plan approved</h1>{BODY}</body></html>"
    )
    assert extract_article(html, "https://example.org/a")["title"] == "River plan approved"


def test_permalink_anchors_leave_headings_and_links_to_text_alone():
    html = (
        "<html><head><title>Setting up the store — Docs</title></head><body><article>"
        '<h1>Setting up the store<a class="headerlink" href="#setting-up">¶</a></h1>'
        "<p>The store keeps one row per article and is opened by the crawl when it starts.</p>"
        '<h2>Options<a href="#options" title="Permalink">§</a></h2>'
        '<p>See <a href="#options">§</a> 2 and <a href="#limits">the limits</a> for the settings it reads.</p>'
        "</article></body></html>"
    )
    record = extract_article(html, "https://docs.example.org/store.html")
    assert record["title"] == "Setting up the store"
    assert "Options" in record["paragraphs"]
    assert "See § 2 and the limits for the settings it reads." in record["paragraphs"]  # a reference stays


URL = "https://news.example.org/2024/harbour"


def test_h1_equal_to_a_title_piece_wins_over_a_longer_site_name_line() -> None:
    html = (
        "<html><head><title>Quiet harbour - The Southern Valley Morning Gazette</title>"
        '<meta property="og:title" content="Quiet harbour - The Southern Valley Morning Gazette"></head>'
        '<body><div class="widget"><p><strong>The Southern Valley Morning Gazette</strong></p></div>'
        "<h1>Quiet harbour</h1><p>The harbour was quiet all week after the storm passed.</p></body></html>"
    )
    assert extract_article(html, URL)["title"] == "Quiet harbour"


def test_a_logo_h1_linking_home_is_not_taken_as_the_title_piece() -> None:
    html = (
        "<html><head><title>Quiet harbour after the storm passed - Gazette</title></head><body>"
        '<h1 class="logo"><a href="/">Gazette</a></h1><p>Quiet harbour after the storm passed</p>'
        "</body></html>"
    )
    assert extract_article(html, URL)["title"] == "Quiet harbour after the storm passed"


def test_a_one_word_product_line_before_a_tagline_is_not_the_headline() -> None:
    html = (
        "<html><head><title>Lumenix — Browse the whole web in your very own way — Lumenix Labs</title>"
        '</head><body><nav><a href="/lumenix/">Lumenix</a></nav><h1>Make it yours</h1></body></html>'
    )
    assert extract_article(html, URL)["title"] == (
        "Lumenix — Browse the whole web in your very own way — Lumenix Labs"
    )

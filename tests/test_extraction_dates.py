# ruff: noqa: E501  (inline page snippets read best unwrapped)
"""Dates: parsing, label anchoring, time zones, rejection of future and ancient dates."""

from __future__ import annotations

import datetime

import pytest

from crawler.extraction import extract_article
from crawler.sources.base import Source

NOW = datetime.datetime(2024, 12, 1, 8, 0, tzinfo=datetime.UTC)
BODY = "<div class='TRS_Editor'><p>生态环境部召开例行新闻发布会，介绍全国生态环境质量状况，并回答记者提问。</p></div>"
EN_BODY = (
    "<div class='entry-content'><p>The agency announced new standards for methane emissions from oil and "
    "gas operations today.</p></div>"
)


def source(tz: str, language: str = "zh") -> Source:
    return Source(
        key="t_src",
        name="t",
        language=language,
        timezone=tz,
        allowed_domains=("example.org",),
        feeds=("https://example.org/feed",),
    )


def page(head: str = "", body: str = "", main: str = BODY) -> str:
    return f"<html><head><title>标题</title>{head}</head><body><h1>标题</h1>{body}{main}</body></html>"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("发布时间：2024年03月15日 09:30", "2024-03-15T09:30:00+08:00"),
        ("发布日期：2023-05-22 13:17:00", "2023-05-22T13:17:00+08:00"),
        ("时间：2023年5月22日 来源：生态环境部", "2023-05-22T00:00:00+08:00"),
        ("发布时间：2023-05-22 13:17:00 浏览次数：1234", "2023-05-22T13:17:00+08:00"),
        ("成文日期：2023年05月18日 发布日期：2023年05月22日", "2023-05-22T00:00:00+08:00"),
        ("2023年05月22日13:17 | 来源：人民网", "2023-05-22T13:17:00+08:00"),
    ],
)
def test_chinese_label_lines_in_source_zone(line: str, expected: str):
    got = extract_article(
        page(body=f"<div class='info'>{line}</div>"),
        "https://example.org/a",
        source("Asia/Shanghai"),
        now=NOW,
    )
    assert got["published"] == expected
    assert got["date_source"] == "text"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Published: 8 November 2023", "2023-11-08T00:00:00+00:00"),
        ("Published 22 May 2023", "2023-05-22T00:00:00+01:00"),
        ("Release Date: May 22, 2023", "2023-05-22T00:00:00+01:00"),
        ("Posted on May 22, 2023 10:30 PM", "2023-05-22T22:30:00+01:00"),
        ("Published: 22 May 2023 10:30 GMT", "2023-05-22T10:30:00+00:00"),
    ],
)
def test_english_label_lines_use_source_zone_unless_page_gives_offset(line: str, expected: str):
    got = extract_article(
        page(body=f"<p class='x'>{line}</p>", main=EN_BODY),
        "https://example.org/a",
        source("Europe/London", "en"),
        now=NOW,
    )
    assert got["published"] == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Datum 28.04.2023", "2023-04-28T00:00:00+02:00"),
        ("Veröffentlicht am 05.04.2024, 14:07 Uhr", "2024-04-05T14:07:00+02:00"),
        ("Publié le 12/03/2024", "2024-03-12T00:00:00+01:00"),
        ("Pubblicato il 3 maggio 2024 · Aggiornato il 4 maggio 2024", "2024-05-03T00:00:00+02:00"),
    ],
)
def test_publication_labels_of_other_languages(line: str, expected: str):
    """A day-first date under a German, French or Spanish label is the publication date."""
    got = extract_article(
        page(body=f"<p class='x'>{line}</p>", main=EN_BODY),
        "https://example.org/a",
        source("Europe/Berlin", "en"),
        now=NOW,
    )
    assert got["published"] == expected


def test_timezone_precedence_page_offset_then_source_then_utc():
    """The page's own offset wins; the source zone completes naive values; else UTC, counted."""
    head_offset = '<meta property="article:published_time" content="2023-05-22T13:17:00-04:00">'
    head_naive = '<meta property="article:published_time" content="2023-05-22T13:17:00">'
    url = "https://example.org/a"
    with_offset = extract_article(page(head_offset), url, source("Asia/Shanghai"), now=NOW)
    assert with_offset["published"] == "2023-05-22T13:17:00-04:00"
    in_zone = extract_article(page(head_naive), url, source("Asia/Shanghai"), now=NOW)
    assert in_zone["published"] == "2023-05-22T13:17:00+08:00"
    assert "date_assumed_utc" not in in_zone["events"]
    summer = extract_article(page(head_naive), url, source("Europe/London"), now=NOW)
    assert summer["published"] == "2023-05-22T13:17:00+01:00"  # BST, not a fixed +00:00
    english = page(head_naive).replace("标题", "A headline in English")
    no_zone = extract_article(english, url, None, now=NOW)
    assert no_zone["published"] == "2023-05-22T13:17:00+00:00"
    assert "date_assumed_utc" in no_zone["events"]
    chinese_headline = extract_article(page(head_naive), "https://www.xinhuanet.com/a.htm", None, now=NOW)
    assert chinese_headline["published"] == "2023-05-22T13:17:00+08:00"
    assert "date_zone_from_language" in chinese_headline["events"]
    cn_host = extract_article(page(head_naive), "https://www.mee.gov.cn/a.html", None, now=NOW)
    assert cn_host["published"] == "2023-05-22T13:17:00+08:00"
    assert "date_zone_from_host" in cn_host["events"]


def test_future_and_ancient_dates_are_rejected_and_counted():
    head = '<meta name="PubDate" content="2042-01-03 09:00">'
    got = extract_article(
        page(head, "<p class='i'>发布日期：2024-01-03</p>"),
        "https://example.org/a",
        source("Asia/Shanghai"),
        now=NOW,
    )
    assert got["published"] == "2024-01-03T00:00:00+08:00"
    assert "date_rejected_future" in got["events"]
    old = extract_article(
        page('<meta name="PubDate" content="1970-01-01">'),
        "https://example.org/a",
        source("Asia/Shanghai"),
        now=NOW,
    )
    assert old["published"] is None
    assert {"date_rejected_old", "no_date"} <= set(old["events"])


def test_a_day_of_clock_skew_is_tolerated():
    head = '<meta name="PubDate" content="2024-12-02 07:00">'
    got = extract_article(page(head), "https://example.org/a", source("Asia/Shanghai"), now=NOW)
    assert got["published"] == "2024-12-02T07:00:00+08:00"


def test_priority_jsonld_over_meta_over_text_over_url():
    jsonld = '<script type="application/ld+json">{"@type":"NewsArticle","datePublished":"2023-05-20T08:00:00Z"}</script>'
    meta = '<meta name="PubDate" content="2023-05-21 09:00">'
    text = "<p class='i'>发布时间：2023-05-22 10:00</p>"
    url = "https://example.org/ywdt/202305/t20230523_1.html"
    src = source("Asia/Shanghai")
    assert extract_article(page(jsonld + meta, text), url, src, now=NOW)["date_source"] == "jsonld"
    assert extract_article(page(meta, text), url, src, now=NOW)["date_source"] == "meta"
    got = extract_article(page("", text), url, src, now=NOW)
    assert (got["date_source"], got["published"]) == ("text", "2023-05-22T10:00:00+08:00")
    got = extract_article(page(), url, src, now=NOW)
    assert (got["date_source"], got["published"]) == ("url", "2023-05-23T00:00:00+08:00")


def test_date_only_value_is_upgraded_by_a_same_day_value_with_time():
    meta = '<meta name="PubDate" content="2023-05-22">'
    text = "<p class='i'>发布时间：2023-05-22 13:17</p>"
    got = extract_article(page(meta, text), "https://example.org/a", source("Asia/Shanghai"), now=NOW)
    assert got["published"] == "2023-05-22T13:17:00+08:00"


def test_view_counter_is_not_read_as_a_year_and_no_date_is_counted():
    got = extract_article(
        page(body="<p class='i'>浏览次数：1234 点击数：2051</p>"),
        "https://example.org/a",
        source("Asia/Shanghai"),
        now=NOW,
    )
    assert got["published"] is None
    assert got["date_source"] is None
    assert "no_date" in got["events"]


def test_modified_from_meta_and_labels():
    head = (
        '<meta property="article:published_time" content="2023-05-22T10:00:00+00:00">'
        '<meta property="article:modified_time" content="2023-05-23T11:00:00+00:00">'
    )
    got = extract_article(page(head), "https://example.org/a", None, now=NOW)
    assert got["modified"] == "2023-05-23T11:00:00+00:00"
    got = extract_article(
        page(
            body="<p class='i'>Published: 8 November 2023</p><p class='j'>Last updated: 9 November 2023</p>",
            main=EN_BODY,
        ),
        "https://example.org/a",
        source("Europe/London", "en"),
        now=NOW,
    )
    assert (got["published"], got["modified"]) == ("2023-11-08T00:00:00+00:00", "2023-11-09T00:00:00+00:00")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.mee.gov.cn/ywdt/202305/t20230522_1030778.shtml", "2023-05-22"),
        ("https://example.org/2023/05/22/slug/", "2023-05-22"),
        ("https://sthjt.jiangxi.gov.cn/art/2023/5/22/art_42150_1.html", "2023-05-22"),
        ("https://www.chinadaily.com.cn/a/202305/22/WS646a.html", "2023-05-22"),
        ("http://env.people.com.cn/n1/2023/0522/c1010-40000000.html", "2023-05-22"),
        ("https://www.gov.cn/zhengce/content/2023-05/22/content_5757.htm", "2023-05-22"),
    ],
)
def test_url_patterns(url: str, expected: str):
    got = extract_article(page(), url, source("Asia/Shanghai"), now=NOW)
    assert got["published"][:10] == expected
    assert got["date_source"] == "url"


def test_htmldate_is_the_last_resort_and_counted():
    """A date only htmldate's wider search reads (an abbr title) is used, and counted; a page with
    a date of our own never asks it."""
    body = "<p>" + "The council approved the new recycling plan after a debate about costs. " * 3 + "</p>"
    only_htmldate = (
        f"<html><head><title>Plan approved</title></head><body><h1>Plan approved</h1>"
        f'<abbr class="published" title="2023-05-22T10:00:00">last spring</abbr>{body}</body></html>'
    )
    got = extract_article(only_htmldate, "https://example.org/news/plan", None, now=NOW)
    assert got["published"] == "2023-05-22T10:00:00+00:00"
    assert "date_from_htmldate" in got["events"]
    assert "no_date" not in got["events"]
    ours = extract_article(
        only_htmldate.replace("</h1>", "</h1><p>Published: 3 June 2023</p>"),
        "https://example.org/news/plan",
        None,
        now=NOW,
    )
    assert ours["published"] == "2023-06-03T00:00:00+00:00"
    assert "date_from_htmldate" not in ours["events"]

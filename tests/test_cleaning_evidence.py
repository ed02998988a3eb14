# ruff: noqa: E501
"""Cleaning cuts only on evidence: real pages it used to cut into, reported cases, the audit trail."""

from __future__ import annotations

import gzip
import json
from collections import Counter

import pytest

from crawler import vocabulary
from crawler.schema import record_errors
from pipelines import clean_paragraphs
from pipelines._text import comparison_key
from pipelines.audit import restore
from pipelines.boilerplate import is_related_heading
from tests.cleaning_support import FIXTURES, build_chain, load_json, record, run_chain

from .conftest import FIXTURES as ALL_FIXTURES
from .conftest import run_cli

REAL = load_json(FIXTURES / "realpages_dev.json")["pages"]


@pytest.mark.parametrize("page", REAL, ids=[p["page"] for p in REAL])
def test_real_page_text_that_cleaning_used_to_delete_stays(page):
    result = clean_paragraphs(page["paragraphs"], language=page["language"])
    kept = Counter(comparison_key(p) for p in result.paragraphs)
    text = comparison_key("\n".join(result.paragraphs))
    assert page["wrongly_removed"]
    for paragraph in page["wrongly_removed"]:
        key = comparison_key(paragraph)
        assert kept[key] or key in text, paragraph[:80]
    # A paragraph repeated on the page stays as often as the page repeats it.
    wanted = Counter(comparison_key(p) for p in page["wrongly_removed"])
    on_page = Counter(comparison_key(p) for p in page["paragraphs"])
    for key in wanted:
        assert kept[key] >= min(on_page[key], wanted[key] + 1) or key in text, key[:80]


# A WordPress analysis: an inline "Read more: <link>" mid-article, then the next section.
WORDPRESS = [
    "Cities across the region have cut their coal use faster than their national plans required.",
    "The analysis compares 42 cities over the decade to 2023, using fuel data reported to the ministry.",
    "Read more: How district heating became the quiet climate win of the decade",
    "What drove the decline",
    "Most of the fall came from closing small boilers that heated single blocks of flats.",
    "Where boilers were replaced by heat pumps, winter PM2.5 fell by a fifth within two years.",
    "The biggest gains were in mid-sized cities, where one utility runs the whole network.",
    "Related: Ten charts that explain the winter smog season",
    "The authors say the next step is harder: the remaining boilers serve hospitals and schools.",
]


def test_inline_read_more_line_goes_alone_and_the_next_section_stays():
    result = clean_paragraphs(WORDPRESS)
    assert result.paragraphs == [p for i, p in enumerate(WORDPRESS) if i not in (2, 7)]
    assert result.counts == {"boilerplate/related_removed": 2}


def test_a_related_heading_still_takes_its_list_of_teasers():
    page = [
        *WORDPRESS[:2],
        "Related articles",
        "How district heating became the quiet climate win of the decade",
        "Ten charts that explain the winter smog season",
        *WORDPRESS[4:7],
    ]
    assert clean_paragraphs(page).paragraphs == [*WORDPRESS[:2], *WORDPRESS[4:7]]


BULLETIN_ZH = [
    "生态环境部通报2024年1—6月全国环境空气质量状况。",
    "京津冀及周边地区“2+36”城市平均优良天数比例为60.9%，同比下降3.8个百分点；PM2.5平均浓度为46微克/立方米，同比上升4.5%。",
    "长三角地区41个城市平均优良天数比例为79.2%，同比下降1.4个百分点；PM2.5平均浓度为35微克/立方米，同比上升2.9%。",
    "汾渭平原11个城市平均优良天数比例为62.7%，同比下降2.1个百分点；PM2.5平均浓度为47微克/立方米，同比上升6.8%。",
    "下一步，生态环境部将指导各地持续深入打好蓝天保卫战。",
]
BULLETIN_EN = [
    "The ministry published the air quality bulletin for the first half of the year on Monday.",
    "North China Plain: 38 cities averaged a good-days ratio of 60.9%, down 3.8 points; PM2.5 averaged 46 µg/m³, up 4.5%.",
    "Yangtze River Delta: 41 cities averaged a good-days ratio of 79.2%, down 1.4 points; PM2.5 averaged 35 µg/m³, up 2.9%.",
    "Fenwei Plain: 11 cities averaged a good-days ratio of 62.7%, down 2.1 points; PM2.5 averaged 47 µg/m³, up 6.8%.",
    "The ministry said it would guide local governments to keep improving air quality.",
]


@pytest.mark.parametrize("bulletin", [BULLETIN_ZH, BULLETIN_EN], ids=["zh", "en"])
def test_template_paragraphs_with_other_regions_and_figures_all_stay(bulletin):
    assert clean_paragraphs(bulletin).paragraphs == bulletin


@pytest.mark.parametrize("bulletin", [BULLETIN_ZH, BULLETIN_EN], ids=["zh", "en"])
def test_a_real_copy_of_a_bulletin_line_with_a_corrupted_digit_still_goes(bulletin):
    copy = bulletin[2].replace("79.2", "79.3")
    result = clean_paragraphs([*bulletin, copy])
    assert result.paragraphs == bulletin
    assert result.counts == {"dedupe/near_removed": 1}


STUB_PAGE = [
    "The ministry released its assessment of the river basin plan on Tuesday, covering 14 provinces.",
    "Officials said the plan would be reviewed again in 2026, after the monitoring network is complete and the",
    "The full text is available to subscribers only.",
    "Subscribe now to read the complete article and download the original document.",
]


def test_two_stub_lines_at_the_foot_both_go_and_nothing_is_welded():
    result = clean_paragraphs(STUB_PAGE)
    assert result.paragraphs == STUB_PAGE[:2]
    assert (result.paywalled, result.truncated) == (True, True)
    assert result.counts["paywall/stub_removed"] == 2


def test_a_gate_line_at_the_tail_is_a_stub_when_the_markup_showed_a_paywall():
    page = [*WORDPRESS[:2], "Become a member to see the figures."]
    assert clean_paragraphs(page).paragraphs == page  # no phrase, no markup: article text
    _, chain = build_chain()
    item = run_chain(chain, record(page, paywall_markup=True))
    assert item["paragraphs"] == WORDPRESS[:2]
    assert item["removed"][0]["step"] == "paywall"
    assert item["paywalled"] is True


@pytest.mark.parametrize("restricted", [True, False])
def test_the_page_markup_decides_a_gate_line_no_rule_knows(restricted: bool):
    """JSON-LD ``isAccessibleForFree: false`` on the page is the evidence; without it the line is text."""
    import crawler

    flag = "false" if restricted else "true"
    html = (
        "<html><head><title>Permit reform</title>"
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Permit reform",'
        f' "isAccessibleForFree": {flag}}}</script></head><body><h1>Permit reform</h1>'
        f"<div class='entry-content'>{''.join(f'<p>{p}</p>' for p in WORDPRESS[:2])}"
        "<p>Become a member to see the figures.</p></div></body></html>"
    )
    record = crawler.extract(html, "https://example.org/permits")
    assert record["paywall_markup"] is restricted
    assert ("Become a member to see the figures." in record["paragraphs"]) is not restricted
    assert record["paywalled"] is restricted


def _gate_markup(attributes: str) -> bool:
    """What :func:`paywall_markup` says of a page whose one gate-like block has *attributes*."""
    import lxml.html

    from crawler.extraction.access import paywall_markup

    page = lxml.html.fromstring(f"<html><body><p>Text.</p><div {attributes}>Sign in</div></body></html>")
    return paywall_markup(page)


@pytest.mark.parametrize(
    ("names", "restricted"),
    [
        ("regwall-container", True),
        ("article-body js-subscription-wall", True),
        ("content-locked", True),
        ("SubscriptionRequiredNotice", True),
        ("wall-of-fame", False),
        ("locked-scroll content", False),
        ("subscription-form newsletter", False),
    ],
)
def test_gate_containers_are_told_by_their_whole_name(names: str, restricted: bool):
    """A registration or subscription wall named in the markup is the evidence; a word alone is not."""
    assert _gate_markup(f"class='{names}'") is restricted


@pytest.mark.parametrize(
    ("attributes", "restricted"),
    [
        ("class='box vip' id='only-panel'", True),
        ("class='SiteLogin' id='Mask'", True),
        ("class='content' id='LockedNote'", True),
        ("class='vip' id='panel-only'", False),
        ("class='only' id='vip'", False),
    ],
)
def test_a_gate_name_split_between_class_and_id_counts(attributes: str, restricted: bool):
    """The class's last word and the id's first are read side by side, as in one name."""
    assert _gate_markup(attributes) is restricted


@pytest.mark.parametrize(
    ("line", "origin"),
    [
        ("Source: Xinhua Views: 1,024", "Xinhua"),
        ("来源：中国环境报 浏览次数：356", "中国环境报"),
        ("来源：河南日报点击数：88", "河南日报"),
        ("信息来源：省生态环境厅 作者：李明", "省生态环境厅"),
    ],
)
def test_origin_ends_at_the_next_label(line, origin):
    assert clean_paragraphs([line, *WORDPRESS[:2]]).origin == origin
    _, chain = build_chain()
    item = run_chain(chain, record([*WORDPRESS[:2]], origin=line.split("：", 1)[-1].split(": ", 1)[-1]))
    assert item["origin"] == origin  # a value extraction took from the page is cut the same way


MEAL_PLAN = [
    "The school canteen menu for the week follows the new low-salt guidelines.",
    "Monday: rice, steamed fish, greens",
    "Tuesday: noodles, tofu, greens",
    "Wednesday: rice, steamed fish, greens",
    "Thursday: rice, steamed fish, greens",
    "Each meal stays under 1.5 grams of salt per child, the education bureau said.",
]


def test_repeated_rows_of_a_list_or_table_stay():
    rows = ["Total", "12", "Total", "12"]
    page = [*MEAL_PLAN, "District | Schools", *rows]
    assert clean_paragraphs(page).paragraphs == page
    same_rows = ["Rice, steamed fish, greens", "Rice, steamed fish, greens", "Rice, steamed fish, greens"]
    assert clean_paragraphs([MEAL_PLAN[0], *same_rows, MEAL_PLAN[-1]]).paragraphs == [
        MEAL_PLAN[0],
        *same_rows,
        MEAL_PLAN[-1],
    ]


def test_the_record_says_what_was_removed_where_and_why_and_can_be_restored():
    page = ["Share: Facebook | X", *WORDPRESS, WORDPRESS[1], *STUB_PAGE[2:]]
    _, chain = build_chain()
    item = run_chain(chain, record(page))
    removed = item["removed"]
    assert {(e["index"], e["step"]) for e in removed} == {
        (0, "boilerplate"),
        (3, "boilerplate"),
        (8, "boilerplate"),
        (10, "dedupe"),
        (11, "paywall"),
        (12, "paywall"),
    }
    by_index = {e["index"]: e for e in removed}
    assert by_index[3]["text"] == WORDPRESS[2]
    assert "inline related link" in by_index[3]["reason"]
    assert "exact copy" in by_index[10]["reason"]
    assert all(page[e["index"]] == e["text"] for e in removed)
    assert restore(item) == page
    assert restore(item, which=[3]) == [p for i, p in enumerate(page) if i not in (0, 8, 10, 11, 12)]
    full = {
        **dict(item),
        "id": "0" * 40,
        "canonical_url": item["url"],
        "title": "t",
        "published": None,
        "modified": None,
        "crawled_at": "2026-12-07T00:00:00Z",
        "authors": [],
        "text": "\n\n".join(item["paragraphs"]),
        "content_hash": "0" * 40,
        "version": 1,
        "duplicate_of": None,
        "schema_version": 1,
    }
    assert list(record_errors(full)) == []
    assert list(record_errors({**full, "removed": [{"text": "x", "step": "dedupe"}]}))


def test_audit_trail_can_be_switched_off():
    _, chain = build_chain({"ECOPOLICY_AUDIT_REMOVED": False})
    item = run_chain(chain, record(["Share: Facebook | X", *WORDPRESS]))
    assert "removed" not in item
    assert item["cleaning"]["boilerplate/boilerplate_removed"] == 1


def test_extract_explain_marks_every_paragraph(tmp_path):
    page = ALL_FIXTURES / "realpages" / "readability" / "cnn" / "page.html.gz"
    html = tmp_path / "cnn.html"
    html.write_bytes(gzip.decompress(page.read_bytes()))
    url = json.loads((page.parent / "meta.json").read_text(encoding="utf-8")).get("url")
    result = run_cli("extract", "--explain", str(html), *(["--url", url] if url else []))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    marks = [line for line in lines if line.startswith("[")]
    assert len(marks) > 20
    assert any("removed  boilerplate: inline related link" in line for line in marks)
    assert sum("kept" in line for line in marks) > len(marks) // 2


@pytest.mark.parametrize(
    "heading", ["往期回顾", "扩展阅读", "Read next", "相关附件", "评论", "Leave a reply", "更多", "Comments"]
)
def test_related_headings_come_from_the_one_vocabulary(heading):
    # Words extraction knew and cleaning did not (and the reverse) are in one list now.
    assert comparison_key(heading) in {comparison_key(h) for h in vocabulary.RELATED_HEADINGS}
    assert is_related_heading(heading)
    assert (
        clean_paragraphs(
            [*WORDPRESS[:2], heading, "Ten charts that explain the winter smog season"]
        ).paragraphs
        == (WORDPRESS[:2])
    )


@pytest.mark.parametrize(
    "line", ["For immediate release", "Advertisement", "【保存本页】【打印】", "版权所有：生态环境部"]
)
def test_chrome_and_footer_lines_from_the_vocabulary(line):
    assert clean_paragraphs([line, *WORDPRESS[:2]]).paragraphs == WORDPRESS[:2]


def test_a_section_heading_made_of_its_sections_words_is_not_a_stitched_copy():
    """people.com.cn (real dev page): 生态优先、绿色发展，推进黄河生态保护治理 heads a section whose
    paragraphs use the same phrases; it is the article's own heading, not a retelling."""
    import gzip

    import crawler
    from tests.conftest import FIXTURES

    page = FIXTURES / "realpages" / "cn_news" / "people_finance_20240510" / "page.html.gz"
    url = "http://finance.people.com.cn/n1/2024/0510/c1004-40232587.html"
    record = crawler.extract(gzip.decompress(page.read_bytes()), url)
    assert "生态优先、绿色发展，推进黄河生态保护治理" in record["paragraphs"]  # its own paragraph
    assert not any(entry["step"] == "dedupe" for entry in record["removed"])


def test_a_chinese_sentence_split_across_paragraphs_still_joins():
    """The heading guard above a speaker's paragraph leaves real split sentences to repair."""
    from pipelines.repair import repair_paragraphs

    split = ["2020年以来，中央生态环境保护督察组先后进驻各省，", "督促解决了一批突出生态环境问题。"]
    assert repair_paragraphs(split).paragraphs == ["".join(split)]

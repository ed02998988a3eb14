# ruff: noqa: E501
from __future__ import annotations

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from pipelines.boilerplate import BoilerplatePipeline, strip_boilerplate
from tests.cleaning_support import StubSpider, record

BODY_EN = [
    "The ministry issued a plan to cut methane emissions from coal mines by 2030.",
    "Mines with gas concentrations above 8 percent must install utilisation facilities.",
    "Local authorities will report progress every six months.",
]
BODY_ZH = [
    "生态环境部近日印发《甲烷排放控制行动方案》。",
    "方案要求，瓦斯浓度高于8%的煤矿须建设利用设施。",
    "各地每半年报告一次工作进展。",
]


@pytest.mark.parametrize(
    "line",
    [
        "Share: Facebook | X | LinkedIn",
        "[Print] [Close]",
        "Font size: A A A",
        "Views: 1,254",
        "Editor: Wang Lei",
        "Responsible editor: Li Na",
        "Back to top",
        "Print this page | Email this",
        "2023-05-22 13:17:00",
        "Published: May 22, 2023",
        "分享到：微信 微博 QQ空间",
        "【打印本页】【关闭窗口】",
        "字号：大 中 小",
        "【字体：大 中 小】",
        "浏览次数：1234",
        "责任编辑：王丽",
        "（责任编辑：张明）",
        "编辑：李强",
        "扫一扫在手机打开当前页",
        "当前位置：首页 > 新闻中心 > 工作动态",
        "发布时间：2023年05月22日 10:30",
        "版权所有：河南省生态环境厅 豫ICP备05000000号",
    ],
)
def test_chrome_and_metadata_lines_are_removed(line):
    for body in (BODY_EN, BODY_ZH):
        result = strip_boilerplate([line, *body, line])
        assert result.paragraphs == body, line
        assert result.counts["boilerplate_removed"] == 2


@pytest.mark.parametrize(
    ("line", "origin"),
    [
        ("来源：河南省生态环境厅", "河南省生态环境厅"),
        ("信息来源：中国环境报", "中国环境报"),
        ("Source: Ministry of Ecology and Environment", "Ministry of Ecology and Environment"),
        ("发布时间：2023-05-22 10:30 来源：生态环境部 浏览次数：2351", "生态环境部"),
        ("（来源：人民日报）", "人民日报"),
    ],
)
def test_source_line_becomes_origin(line, origin):
    result = strip_boilerplate([line, *BODY_ZH])
    assert result.origin == origin
    assert result.paragraphs == BODY_ZH


def test_origin_is_not_overwritten_and_is_filled_when_empty():
    pipeline = build_from_crawler(BoilerplatePipeline, get_crawler(StubSpider))
    item = pipeline.process_item(
        record(["Source: Xinhua", *BODY_EN], origin="Ministry of Ecology and Environment")
    )
    assert item["origin"] == "Ministry of Ecology and Environment"
    assert item["paragraphs"] == BODY_EN
    item = pipeline.process_item(record(["Source: Xinhua", *BODY_EN]))
    assert item["origin"] == "Xinhua"


def test_source_credit_inside_the_body_stays():
    body = [
        *BODY_EN[:2],
        "Source: National Bureau of Statistics",
        *BODY_EN[2:],
        "Officials gave no date.",
        "The plan follows a 2021 pledge.",
    ]
    assert strip_boilerplate(body).paragraphs == body


@pytest.mark.parametrize("heading", ["Correlation", "Related articles", "You may also like", "Read more"])
def test_related_block_at_the_tail_goes_with_its_teasers(heading):
    teasers = [
        heading,
        BODY_EN[0],  # the lead repeated as a teaser
        "Ministry releases the 2022 bulletin on the ecological environment",
        "2023-05-22 13:17:00",
        'The title is "Statistics of Highway Construction Investment from January to June 2025". This is '
        "about highway investment in the first half of 2025 in every province.",
    ]
    result = strip_boilerplate([*BODY_EN, *teasers])
    assert result.paragraphs == BODY_EN
    assert result.counts["related_removed"] == len(teasers)


@pytest.mark.parametrize(
    "heading", ["相关阅读", "【相关新闻】", "延伸阅读", "推荐阅读", "相关链接", "下一篇："]
)
def test_chinese_related_block(heading):
    tail = [heading, "生态环境部发布《2022中国生态环境状况公报》", "全国碳市场12月成交量创新高 2022-12-30"]
    assert strip_boilerplate([*BODY_ZH, *tail]).paragraphs == BODY_ZH


def test_related_block_inside_the_body_ends_where_the_article_resumes():
    body = [
        "The ministry issued a plan to cut methane emissions from coal mines, oil fields and landfills.",
        "相关阅读：《甲烷排放控制行动方案》全文",
        "Related",
        "Carbon market sees record trading volume",
        "Under the plan, coal mines with methane concentrations above 8 percent must install facilities "
        "to use the methane, and oil fields must cut flaring and venting of methane by 2030.",
    ]
    result = strip_boilerplate(body)
    assert result.paragraphs == [body[0], body[4]]


def test_trailing_blurb_after_a_stray_date_goes_but_a_last_body_paragraph_stays():
    unrelated = (
        "Port cargo throughput reached 1.4 billion tonnes in March, with container volumes up at Ningbo."
    )
    assert strip_boilerplate([*BODY_EN, "2023-05-22 13:17:00", unrelated]).paragraphs == BODY_EN
    assert strip_boilerplate([*BODY_EN, unrelated]).paragraphs == [*BODY_EN, unrelated]
    zh_blurb = "标题为《2024年3月全国港口货物吞吐量》。该文列出了沿海和内河港口货物吞吐量。"
    assert strip_boilerplate([*BODY_ZH, zh_blurb]).paragraphs == BODY_ZH


def test_after_a_related_block_a_long_unrelated_blurb_goes_but_a_short_closing_line_stays():
    """A lone sentence after a related block at the foot is cut only when it has enough words
    for its vocabulary to show it is about something else; a short closing line of the article
    shares no word with it as often as not."""
    article = [
        "Prosecutors said the suspect will appear in court next month on four counts of murder.",
        "His defense team issued a subpoena to the surviving roommate, who agreed to an interview.",
        "The roommate's lawyers had filed a motion to quash the subpoena before the agreement.",
    ]
    block = [
        "More from NBC's TODAY:",
        "Click here to read the probable cause affidavit and our analysis of it.",
        "Click here to read the unsealed search warrant for the suspect's apartment.",
    ]
    closing = "The preliminary hearing is scheduled for June 26 at 9 am."
    blurb = (
        "The title is Statistics of Highway Construction Investment from January to June 2025, listing "
        "cumulative values for every province, with Hainan prominent and Jilin relatively flat overall"
    )
    kept = strip_boilerplate([*article, *block, closing])
    assert closing in kept.paragraphs
    cut = strip_boilerplate([*article, *block, blurb])
    assert blurb not in cut.paragraphs
    assert cut.paragraphs[: len(article)] == article


def test_body_sentences_that_mention_chrome_words_stay():
    body = [
        "Residents can subscribe to air-quality alerts and share them with neighbours.",
        "Print shops and dry cleaners must register their solvent use with the bureau.",
        "The source of the pollution was traced to a chemical plant upstream.",
        "2023年5月22日",
    ]
    assert strip_boilerplate(body).paragraphs == body


def test_extra_related_headings_from_settings_and_switch():
    crawler = get_crawler(StubSpider, {"ECOPOLICY_BOILERPLATE_RELATED_HEADINGS": ["Mehr zum Thema"]})
    pipeline = build_from_crawler(BoilerplatePipeline, crawler)
    item = pipeline.process_item(record([*BODY_EN, "Mehr zum Thema", "Another item title"]))
    assert item["paragraphs"] == BODY_EN
    assert crawler.stats.get_value("cleaning/boilerplate/related_removed") == 2
    with pytest.raises(NotConfigured):
        build_from_crawler(
            BoilerplatePipeline, get_crawler(StubSpider, {"ECOPOLICY_BOILERPLATE_ENABLED": False})
        )


# Lines about the piece rather than of it, as real development pages print them (tests/fixtures/
# realpages: Reuters, Bloomberg, NPR, CNN, NatGeo, The West Australian, Guardian, 163.com,
# people.com.cn, youth.cn, caijing, qdaily), each at the head or the foot of a body and mid-body.
FOOT_LINES = [
    "Reporting by Gopal Sharma, additional reporting by Lisa Barrington, writing by Shilpa Jamkhandikar, Editing by Alex Richardson",
    "— With assistance by Kevin Cirilli, Jennifer Jacobs, Anthony Capaccio, Mike Dorning and Alan Levin",
    "The update to this episode was produced and edited by Rebecca Ramirez. Regina G. Barber checked the facts.",
    "On Twitter: Follow Wendy Koch and get more environment and energy coverage at NatGeoEnergy.",
    "Get the latest news from thewest.com.au in your inbox.",
    "The story is part of a special series that explores energy issues. For more, visit The Great Energy Challenge.",
    "Our Standards: The Thomson Reuters Trust Principles.",
    "Reuse this content",
    "Email link",
    "中青报·中青网记者 魏其濛 来源：中国青年报",
    "喜欢这篇文章？去 App 商店搜 好奇心日报 ，每天看点不一样的。",
    "文/栗思",
]
HEAD_LINES = [
    "Editor’s Note: Moriba Jah, an astrodynamicist, is a winner of the MacArthur Fellowship. The views expressed here are his own.",
    "CNN —",
    "May 12, 2024, 9:00 PM GMT+8",
    "关键字： CPI",
    "《 人民日报 》（ 2024年05月10日 04 版）",
    "NASA/SDO",
]
ANYWHERE_LINES = [
    "图为浦东新区合庆镇益民村民委员会",
    "题图来自 Hater",
    "Photo: Reuters",
    "Get our free weekly newsletter",
    "CNN —",
    "文/栗思",
]


@pytest.mark.parametrize("line", FOOT_LINES)
def test_credit_promotion_and_note_lines_at_the_foot_go(line):
    for body in (BODY_EN, BODY_ZH):
        result = strip_boilerplate([*body, line])
        assert result.paragraphs == body, line
        assert "page furniture" in result.notes[len(body)]


@pytest.mark.parametrize("line", HEAD_LINES)
def test_note_dateline_and_keyword_lines_at_the_head_go(line):
    for body in (BODY_EN, BODY_ZH):
        assert strip_boilerplate([line, *body]).paragraphs == body, line


@pytest.mark.parametrize("line", ANYWHERE_LINES)
def test_caption_and_own_promotion_lines_go_mid_body(line):
    for body in (BODY_EN, BODY_ZH):
        result = strip_boilerplate([*body[:2], line, *body[2:], *body])
        assert result.paragraphs == [*body, *body], line


def test_a_run_of_promotions_goes_together_mid_body():
    """NPR: the first promotion speaks as "us"; the ones next to it go with it."""
    run = [
        "Want us to cover more about the sun? Email us at shortwave@npr.org.",
        "Listen to Short Wave on Spotify, Apple Podcasts and Google Podcasts.",
        "Listen to every episode of Short Wave sponsor-free and support our work at NPR by signing up at plus.npr.org/shortwave.",
    ]
    body = [*BODY_EN, *BODY_EN]
    assert strip_boilerplate([*body[:3], *run, *body[3:]]).paragraphs == body


@pytest.mark.parametrize(
    "line",
    [
        # data.gov: an account the article points to, in mid-body, speaking of no "us"
        "Follow @SafetyDataGov on Twitter and #SafetyData #DisasterTech for the latest information about the event.",
        # Breitbart: an author's bio opens with a sentence about him, not with the imperative
        "Lucas Nolan is a reporter for Breitbart Tech covering free speech. Follow him on Twitter @LucasNolan_.",
        "Read more about ad blocking here.",
        "Residents can follow flood alerts on Twitter and download the city's app.",
        "Photos show the river after the spill, the bureau said.",
        "The agency said the plan is part of a series of measures to cut emissions.",
        "图为上海市某小区。记者了解到，该小区去年完成了雨污分流改造。",
    ],
)
def test_article_sentences_shaped_a_little_like_notes_stay_mid_body(line):
    body = [*BODY_EN[:2], line, *BODY_EN[2:], *BODY_EN]
    assert strip_boilerplate(body).paragraphs == body

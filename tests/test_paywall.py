# ruff: noqa: E501
from __future__ import annotations

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from pipelines.paywall import STRONG_PHRASES, PaywallPipeline, stops_early, strip_paywall
from tests.cleaning_support import StubSpider, record

BODY = [
    "The province will close 18 coal mines with a combined capacity of 9.6 million tonnes a year.",
    "Workers affected by the closures will be offered retraining and jobs in renewable energy.",
    "Land at the closed mines will be restored.",
]
BODY_ZH = [
    "山东省近日启动近岸海域综合治理攻坚行动。",
    "行动聚焦入海河流总氮治理和入海排污口整治。",
    "省生态环境厅将每季度通报进展。",
]

STUBS = [
    "All can be viewed after purchase",
    "The full text is available to subscribers only.",
    "Subscribe to continue reading",
    "Log in to read more",
    "Already a subscriber? Sign in to continue reading.",
    "This content is for subscribers only.",
    "You have reached your limit of free articles.",
    "The above is an excerpt.",
    "To read the full text, please log in.",
    "Register to continue reading",
    "Buy this article to read the rest",
    "Continue reading with a paid subscription",
    "Subscribe now to read the full story",
    "Members only content",
    "This is a free preview. Unlock the full article.",
    "购买后可查看全文",
    "以上内容为节选，购买后可查看全部内容",
    "登录后查看全文",
    "开通会员，阅读全文",
    "本文为付费内容，请订阅后阅读",
    "剩余70%未读",
    "试读结束，购买后可继续阅读",
    "该内容为付费隐藏内容，购买后可查看完整内容",
    "请登录后查看完整内容",
    "VIP会员专享内容",
    "阅读全文请登录",
    "订阅后继续阅读",
    "您还没有购买此内容，购买后可查看！",
    "付费阅读",
    "免费试读已结束",
    "会员可见",
    "查看全文请登录",
]


def test_at_least_thirty_phrasings():
    assert len(STUBS) >= 30
    assert len(STRONG_PHRASES) >= 30


@pytest.mark.parametrize("stub", STUBS)
def test_stub_at_the_tail_is_removed_and_flags_set(stub):
    body = BODY_ZH if any("\u4e00" <= c <= "\u9fff" for c in stub) else BODY
    result = strip_paywall([*body, stub])
    assert result.paragraphs == body
    assert result.paywalled is True
    assert result.truncated is True
    assert result.counts["stub_removed"] == 1


@pytest.mark.parametrize(
    "body",
    [
        [*BODY, "Residents can subscribe to air-quality alerts."],
        ["Residents can subscribe to air-quality alerts.", *BODY],
        [
            BODY[0],
            "Users can log in to read more about their district's air and sign in to report leaks.",
            BODY[2],
        ],
        [*BODY_ZH, "市民可以订阅每日空气质量预报，登录后还可以上传照片举报违法排污。"],
        [*BODY, "The ministry said premium content such as satellite data would be free to researchers."],
    ],
)
def test_body_sentences_with_paywall_words_stay(body):
    result = strip_paywall(body)
    assert result.paragraphs == body
    assert result.paywalled is False


def test_weak_phrase_only_at_the_tail_of_the_body():
    middle = [BODY[0], "Read more", BODY[1], BODY[2], BODY[0] + " More text.", BODY[1] + " More."]
    assert strip_paywall(middle).paragraphs == middle
    assert strip_paywall([*BODY, "Read more"]).paragraphs == BODY


def test_stub_glued_after_the_last_sentence_is_cut_off():
    glued = "Land at the closed mines will be restored, and subsidence areas will be used for. Subscribe to continue reading"
    result = strip_paywall([*BODY[:2], glued])
    assert (
        result.paragraphs[-1]
        == "Land at the closed mines will be restored, and subsidence areas will be used for."
    )
    assert result.paywalled
    assert result.truncated
    assert result.counts["stub_trimmed"] == 1


@pytest.mark.parametrize(
    ("last", "early"),
    [
        ("which is expected to drive carbon emission reduction of 35.", True),
        ("The province plans to expand rail freight for bulk goods such as coal and", True),
        ("省生态环境厅将每季度通报各市攻坚行动进展情况，对进展滞后的", True),
        ("主要任务包括以下几个方面……", True),
        ("The plan runs until 2030.", False),
        ("河南省生态环境厅", False),
        ("2023年5月19日", False),
        ("Annex: list of pilot cities", False),
        ("联系人：王磊，联系电话：0371-66309999", False),
        ("Contact: Li Na, press office, tel. 010-65645010", False),
    ],
)
def test_body_that_stops_early(last, early):
    assert stops_early(last) is early


def test_truncated_without_a_stub():
    result = strip_paywall(
        [*BODY[:2], "Land at the closed mines will be restored and subsidence areas will be"]
    )
    assert (result.paywalled, result.truncated) == (False, True)


CAIXIN_SOURCE = """
key = "caixin"
name = "Caixin"
language = "zh"
timezone = "Asia/Shanghai"
allowed_domains = ["caixin.com"]
feeds = ["https://www.caixin.com/rss.xml"]
paywall_markers = ["仅限财新通订户"]
"""


def test_source_markers_are_merged_with_settings_markers(tmp_path):
    sources = tmp_path / "sources.toml"
    sources.write_text(CAIXIN_SOURCE, encoding="utf-8")
    crawler = get_crawler(
        StubSpider,
        {"ECOPOLICY_PAYWALL_MARKERS": ["Réservé aux abonnés"], "ECOPOLICY_SOURCES_FILES": str(sources)},
    )
    pipeline = build_from_crawler(PaywallPipeline, crawler)
    item = pipeline.process_item(record([*BODY_ZH, "本文仅限财新通订户阅读"], language="zh", source="caixin"))
    assert item["paragraphs"] == BODY_ZH
    assert item["paywalled"] is True
    item = pipeline.process_item(record([*BODY, "Réservé aux abonnés"], source="other"))
    assert item["paragraphs"] == BODY
    # Another source's marker does not apply.
    item = pipeline.process_item(record([*BODY_ZH, "本文仅限财新通订户阅读"], language="zh", source="other"))
    assert item["paywalled"] is False
    assert crawler.stats.get_value("cleaning/paywall/stub_removed") == 2


def test_switch_off():
    with pytest.raises(NotConfigured):
        build_from_crawler(PaywallPipeline, get_crawler(StubSpider, {"ECOPOLICY_PAYWALL_ENABLED": False}))


@pytest.mark.parametrize(
    "stub",
    [
        "Get unlimited digital access",
        "Want to read more? Subscribe to The Times",
        "Read the full story in the app",
        "This story is available exclusively to Business Insider subscribers. Become an Insider and start reading now.",
    ],
)
def test_gate_wordings_no_phrase_list_holds_are_stubs_at_the_tail(stub):
    """Access, the app and "available to <publisher> subscribers" are gates offered for this text."""
    result = strip_paywall([*BODY, stub])
    assert result.paragraphs == BODY
    assert result.paywalled is True


@pytest.mark.parametrize(
    "line",
    [
        "The report is available to Reuters subscribers, the agency said.",
        "Farmers get unlimited access to the irrigation data through the province's app.",
        "Researchers want to read more of the archive before the hearing.",
    ],
)
def test_article_sentences_about_access_and_apps_stay_at_the_tail(line):
    result = strip_paywall([*BODY, line])
    assert result.paragraphs == [*BODY, line]
    assert result.paywalled is False

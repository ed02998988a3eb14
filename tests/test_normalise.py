from __future__ import annotations

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from pipelines.normalise import NormalisePipeline, normalise_paragraphs
from tests.cleaning_support import StubSpider, record


def test_every_kind_of_space_and_invisible_character():
    raw = [
        "\u3000\u3000各市生态环境局：\u200b",
        "Carbon\u00a0peak\u2009and\u202fneutrality\ufeff",
        "\u200b\u200c\u200d",
        "   \t\n  ",
        "Control\x07 char\x1b and soft\u00adhyphen",
        "",
        "全角标点保留：“减污降碳”，（一）！",
    ]
    result = normalise_paragraphs(raw)
    assert result.paragraphs == [
        "各市生态环境局：",
        "Carbon peak and neutrality",
        "Control char and softhyphen",
        "全角标点保留：“减污降碳”，（一）！",
    ]
    assert result.counts == {"paragraphs_changed": 3, "empty_removed": 3}
    assert result.sources == [(0,), (1,), (4,), (6,)]


def test_line_break_inside_chinese_disappears_and_becomes_space_in_english():
    assert normalise_paragraphs(["减污降碳\n协同增效", "carbon\npeak"]).paragraphs == [
        "减污降碳协同增效",
        "carbon peak",
    ]


def test_pipeline_counts_into_record_and_stats():
    crawler = get_crawler(StubSpider)
    pipeline = build_from_crawler(NormalisePipeline, crawler)
    item = pipeline.process_item(record(["\u00a0A\u00a0plan.", "\u3000"]))
    assert item["paragraphs"] == ["A plan."]
    assert item["cleaning"] == {"normalise/paragraphs_changed": 1, "normalise/empty_removed": 1}
    assert crawler.stats.get_value("cleaning/normalise/empty_removed") == 1


def test_dict_items_and_missing_cleaning_field_are_handled():
    pipeline = build_from_crawler(NormalisePipeline, get_crawler(StubSpider))
    item = pipeline.process_item({"url": "u", "paragraphs": ["a\u200b"]})
    expected = {"url": "u", "paragraphs": ["a"], "cleaning": {"normalise/paragraphs_changed": 1}}
    assert item == {**expected, "removed": []}
    lean = get_crawler(StubSpider, {"ECOPOLICY_AUDIT_REMOVED": False})
    item = build_from_crawler(NormalisePipeline, lean).process_item({"url": "u", "paragraphs": ["a\u200b"]})
    assert item == expected


def test_switch_off():
    with pytest.raises(NotConfigured):
        build_from_crawler(NormalisePipeline, get_crawler(StubSpider, {"ECOPOLICY_NORMALISE_ENABLED": False}))

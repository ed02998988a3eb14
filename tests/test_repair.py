from __future__ import annotations

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from pipelines.repair import RepairPipeline, repair_paragraphs
from tests.cleaning_support import StubSpider, record


@pytest.mark.parametrize(
    ("pieces", "joined"),
    [
        (
            [
                "and help the industry grow. Since",
                "2020, the provincial governments invested 5 billion yuan.",
            ],
            "and help the industry grow. Since 2020, the provincial governments invested 5 billion yuan.",
        ),
        (
            ["The bureau will inspect all plants that", "fail to meet the new limits before June."],
            "The bureau will inspect all plants that fail to meet the new limits before June.",
        ),
        (
            ["全省PM2.5平均浓度为46.2微克/立方米，同比下降", "4.8%，优良天数比例为67.1%。"],
            "全省PM2.5平均浓度为46.2微克/立方米，同比下降4.8%，优良天数比例为67.1%。",
        ),
        (
            ["今年全省秸秆综合利用率要稳定在93%以上，秸秆离田", "利用量达到1000万吨。"],
            "今年全省秸秆综合利用率要稳定在93%以上，秸秆离田利用量达到1000万吨。",
        ),
    ],
)
def test_sentence_split_over_two_paragraphs_is_joined(pieces, joined):
    result = repair_paragraphs(pieces)
    assert result.paragraphs == [joined]
    assert result.counts == {"sentences_joined": 1}
    assert result.sources == [(0, 1)]


@pytest.mark.parametrize(
    ("pieces", "expected"),
    [
        (
            [
                "I. Implementing the Synergy",
                "of Pollution Reduction and Carbon Reduction The provincial Party "
                "Committee attaches great importance to carbon peaking.",
            ],
            [
                "I. Implementing the Synergy of Pollution Reduction and Carbon Reduction",
                "The provincial Party Committee attaches great importance to carbon peaking.",
            ],
        ),
        (
            [
                "2. Actively promoting the construction",
                "of waste-free cities In recent years, our province has "
                "taken waste-free cities as the guide.",
            ],
            [
                "2. Actively promoting the construction of waste-free cities",
                "In recent years, our province has taken waste-free cities as the guide.",
            ],
        ),
        (
            [
                "1. Expanding the Control",
                "Areas to Inland Waterways The ministry said it would study extending the limits by 2026.",
            ],
            [
                "1. Expanding the Control Areas to Inland Waterways",
                "The ministry said it would study extending the limits by 2026.",
            ],
        ),
        (
            ["III. Building a Long-term Mechanism", "for Ecological Compensation"],
            ["III. Building a Long-term Mechanism for Ecological Compensation"],
        ),
        (
            ["一、深入推进减污降碳", "协同增效", "省委、省政府高度重视碳达峰碳中和工作。"],
            ["一、深入推进减污降碳协同增效", "省委、省政府高度重视碳达峰碳中和工作。"],
        ),
        (
            ["（二）加快补齐城镇污水", "收集处理短板 到2025年，全省新增污水管网2000公里。"],
            ["（二）加快补齐城镇污水收集处理短板", "到2025年，全省新增污水管网2000公里。"],
        ),
    ],
)
def test_numbered_heading_split_over_two_paragraphs(pieces, expected):
    assert repair_paragraphs(pieces).paragraphs == expected


@pytest.mark.parametrize(
    "paragraphs",
    [
        ["1. Screening and assessment", "By 2025, the country will screen high-volume chemicals."],
        ["The four priorities are:", "reducing coal use by 5 percent;", "and restoring 30 mines."],
        ["一、强化源头管控", "严格落实“两高一低”项目会商联审机制。"],
        ["感谢你们对生态环境保护工作的关心和支持。", "河南省生态环境厅", "2023年5月19日"],
        ["关于印发《河南省减污降碳协同增效行动方案》的通知", "各省辖市人民政府："],
        ["Beijing issued an alert on Sunday.", "Outdoor construction was suspended."],
    ],
)
def test_paragraphs_that_are_not_split_stay_apart(paragraphs):
    result = repair_paragraphs(paragraphs)
    assert result.paragraphs == paragraphs
    assert result.counts == {}


def test_pipeline_through_factory():
    crawler = get_crawler(StubSpider)
    pipeline = build_from_crawler(RepairPipeline, crawler)
    item = pipeline.process_item(record(["The plan covers", "nine provinces."]))
    assert item["paragraphs"] == ["The plan covers nine provinces."]
    assert crawler.stats.get_value("cleaning/repair/sentences_joined") == 1
    with pytest.raises(NotConfigured):
        build_from_crawler(RepairPipeline, get_crawler(StubSpider, {"ECOPOLICY_REPAIR_ENABLED": "0"}))


def test_a_tables_rows_are_never_joined():
    """The heading row "Expression | Meaning" is no open sentence, and a row starting in lower
    case is no rest of one: each row of a table stays a paragraph of its own."""
    rows = [
        "Expression | Meaning",
        "account monitoring order | an order requiring a bank to provide account information;",
        "affidavit | a written, sworn, statement of evidence",
    ]
    assert repair_paragraphs(rows).paragraphs == rows

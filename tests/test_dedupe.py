# ruff: noqa: E501
from __future__ import annotations

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from pipelines import dedupe
from pipelines.dedupe import DedupePipeline, dedupe_paragraphs
from tests.cleaning_support import StubSpider, record

LEAD = (
    "On March 14, the Hebei Provincial Department of Ecology and Environment released the work plan for the "
    "comprehensive control of volatile organic compounds in key industries, setting out 26 tasks for "
    "petrochemical, coating and printing enterprises."
)
PARAPHRASE = (
    "On 14 March, the Department of Ecology and Environment of Hebei Province issued the Work Plan for "
    "Comprehensive Control of Volatile Organic Compounds in Key Industries, which sets 26 tasks for enterprises "
    "in petrochemicals, coatings and printing,"
)
SECTION = (
    "The plan requires enterprises in Shijiazhuang, Tangshan and Handan to complete leak detection and repair of "
    "all sealing points before the end of June. Storage tanks with a volume above 100 cubic metres must be "
    "fitted with floating roofs or vapour recovery units. Enterprises that fail inspections will be listed for "
    "key supervision, and their emission permits will be reviewed."
)
CORRUPTED = (
    "the plan requires enterprises in Shijiazhuang, Tangshan and Handan to finish leak detection and repair for "
    "all sealing points before the end of June. Storage tanks with a volume above 100 cubic metres shall be "
    "fitted with floating roofs. Enterprises that fail inspections will be listed"
)
OTHER = (
    "Local bureaus are asked to report progress each month, and spot checks will follow in July and October."
)


def test_paraphrased_second_translation_of_the_lead_goes():
    result = dedupe_paragraphs([LEAD, PARAPHRASE, SECTION, OTHER])
    assert result.paragraphs == [LEAD, SECTION, OTHER]
    assert result.counts == {"near_removed": 1}


def test_corrupted_copy_before_the_original_goes_and_the_original_stays_where_it_stands():
    result = dedupe_paragraphs([LEAD, CORRUPTED, OTHER, SECTION])
    assert result.paragraphs == [LEAD, OTHER, SECTION]


def test_exact_copy_after_normalisation_goes_first_one_stays():
    again = SECTION.replace(",", "，").upper()
    result = dedupe_paragraphs([LEAD, SECTION, OTHER, again])
    assert result.paragraphs == [LEAD, SECTION, OTHER]
    assert result.counts == {"exact_removed": 1}


def test_stitched_copy_goes():
    first = (
        "Guangdong will invest 12.6 billion yuan in sewage networks this year. The money goes to 21 cities."
    )
    second = (
        "Cities along the Maozhou River will separate rain and sewage. Old districts and parks come first."
    )
    stitched = "Guangdong will invest 12.6 billion yuan in sewage networks this year. Old districts and parks come first."
    result = dedupe_paragraphs([first, stitched, second, OTHER])
    assert result.paragraphs == [first, second, OTHER]
    assert sum(result.counts.values()) == 1


@pytest.mark.parametrize(
    "alike",
    [
        [
            "In Ohio, 64 buses will be replaced with electric school buses by the end of 2025 under the program.",
            "In Kentucky, 58 buses will be replaced with electric school buses by the end of 2025 under the program.",
        ],
        [
            "In Ohio, the state will plug abandoned wells and restore the surrounding land by the end of 2024.",
            "In Kentucky, the state will plug abandoned wells and restore the surrounding land by the end of 2024.",
        ],
        [
            "郑州市新增城市绿地面积1200公顷，建成区绿化覆盖率达到41.2%。",
            "洛阳市新增城市绿地面积860公顷，建成区绿化覆盖率达到42.5%。",
        ],
        [
            "郑州市入选国家生态文明建设示范区，成为全省首批入选城市之一。",
            "洛阳市入选国家生态文明建设示范区，成为全省首批入选城市之一。",
        ],
    ],
)
def test_paragraphs_that_are_merely_alike_both_stay(alike):
    assert dedupe_paragraphs([LEAD, *alike, OTHER]).paragraphs == [LEAD, *alike, OTHER]


@pytest.mark.parametrize(
    "alike",
    [
        # one template for two films: the name that tells them apart opens the sentence
        [
            "Lady Macbeth is currently streaming on HBO Go and HBO Now, and it is available to digitally rent on Amazon Prime, Vudu, YouTube, iTunes, and Google Play.",
            "Dunkirk is currently streaming on HBO Go and HBO Now, and available to digitally rent on Google Play and YouTube.",
        ],
        # two villages in a fire report, in a script outside ASCII
        [
            "Beşyol Mahallesi'ndeki ormanlık alanda henüz belirlenemeyen nedenle yangın çıktı.",
            "Şanlıuşağı Mahallesi kırsalında henüz belirlenemeyen nedenle yangın çıktı.",
        ],
        # entries of a reference list: the site name and the date make them look alike
        [
            '^ "ontheissues.org listing of votes cast by Chris Cannon". ontheissues.org. Retrieved 2014-07-01.',
            '^ "ontheissues.org: Chris Cannon on Abortion". ontheissues.org. Retrieved 2014-07-01.',
        ],
    ],
)
def test_template_sentences_about_different_things_both_stay(alike):
    """Real pages of the development part lost these as "near copies (same facts, other wording)"."""
    assert dedupe_paragraphs([LEAD, *alike, OTHER]).paragraphs == [LEAD, *alike, OTHER]


def test_a_retelling_keeps_its_subject_and_still_goes():
    """The lead told twice names the same department first: still one statement."""
    retold = (
        "The Hebei Provincial Department of Ecology and Environment on March 14 released a work plan for the "
        "comprehensive control of volatile organic compounds in key industries, with 26 tasks for "
        "petrochemical, coating and printing enterprises."
    )
    result = dedupe_paragraphs([LEAD, retold, SECTION, OTHER])
    assert result.paragraphs == [LEAD, SECTION, OTHER]


def test_chinese_near_copies():
    original = "省生态环境厅有关负责人表示，空气质量改善得益于淘汰老旧车辆120万辆、完成清洁取暖改造68万户以及钢铁企业超低排放改造。"
    edited = "省生态环境厅有关负责人说，空气质量的改善得益于淘汰老旧车辆120万辆、完成68万户清洁取暖改造。"
    lead = "1月18日，河南省生态环境厅召开新闻发布会，通报2022年全省环境空气质量状况。"
    paraphrase = "1月18日，河南省生态环境厅举行新闻发布会，通报了2022年全省环境空气质量情况，"
    result = dedupe_paragraphs([lead, paraphrase, edited, "2023年，全省将推动大宗货物“公转铁”。", original])
    assert result.paragraphs == [lead, "2023年，全省将推动大宗货物“公转铁”。", original]


def test_a_split_sentence_fragment_is_not_taken_for_a_copy():
    ohio = (
        "In Ohio, 64 buses will be replaced with electric school buses by the end of 2025 under the program."
    )
    pieces = [
        "In Kentucky, 58 buses will be replaced with electric school buses by",
        "the end of 2025 under the program.",
    ]
    assert dedupe_paragraphs([ohio, *pieces]).paragraphs == [ohio, *pieces]


def test_headings_repeated_in_sections_are_short_and_stay_unless_exact():
    paragraphs = ["1. Background", LEAD, "2. Background and targets", SECTION]
    assert dedupe_paragraphs(paragraphs).paragraphs == paragraphs


def test_cost_grows_about_linearly_candidate_pairs_stay_few(monkeypatch):
    # 500 distinct paragraphs of one page: the shingle index proposes few pairs, not all 124,750.
    topics = ["coal", "water", "soil", "waste", "noise", "ozone", "methane", "plastic", "rivers", "forests"]
    page = [
        f"Measure {i}: the {topics[i % 10]} office in district {i} will inspect {i * 7} sites and report "
        f"to the bureau before week {i % 52}, covering {i * 3} enterprises and {i % 17} parks."
        for i in range(500)
    ]
    calls = []
    original = dedupe._candidates
    monkeypatch.setattr(dedupe, "_candidates", lambda paras: calls.append(r := original(paras)) or r)
    result = dedupe_paragraphs(page)
    assert result.paragraphs == page
    assert len(calls[0]) < 10 * len(page)


def test_pipeline_through_factory_and_settings():
    crawler = get_crawler(StubSpider, {"ECOPOLICY_DEDUPE_MIN_TOKENS": 4})
    pipeline = build_from_crawler(DedupePipeline, crawler)
    item = pipeline.process_item(record([LEAD, PARAPHRASE, SECTION, SECTION]))
    assert item["paragraphs"] == [LEAD, SECTION]
    assert item["cleaning"] == {"dedupe/exact_removed": 1, "dedupe/near_removed": 1}
    assert crawler.stats.get_value("cleaning/dedupe/near_removed") == 1
    with pytest.raises(NotConfigured):
        build_from_crawler(DedupePipeline, get_crawler(StubSpider, {"ECOPOLICY_DEDUPE_ENABLED": False}))


def test_a_short_line_with_a_word_of_its_own_is_not_a_copy_of_the_paragraph_naming_the_same_thing():
    """A real data.gov page: an agenda's caption line under the paragraph about the event."""
    event = (
        "On September 28 the White House Open Data Innovation Summit will highlight the Administration's "
        "work in opening government data and discuss the path forward to continue this progress."
    )
    caption = "Agenda of the White House Open Data Innovation Summit."
    result = dedupe_paragraphs([event, OTHER, caption])
    assert result.paragraphs == [event, OTHER, caption]


def test_a_short_line_dropping_a_clause_of_a_paragraph_is_still_a_copy():
    lead = (
        "The ministry issued the plan on Monday after a year of consultation, and the provinces welcomed it."
    )
    copy = "The ministry issued the plan on Monday after a year of consultation."
    result = dedupe_paragraphs([lead, OTHER, copy])
    assert result.paragraphs == [lead, OTHER]


def test_a_list_entry_naming_bodies_the_page_names_elsewhere_is_not_a_stitched_copy():
    """A real EPA page: the entry gives full names that two paragraphs below also use."""
    council = (
        "The Interagency Council on Climate Preparedness and Resilience comprises representatives from "
        "across the federal government and works to integrate climate resiliency into federal programs."
    )
    task_force = (
        "The Council addresses key cross-cutting issues, including the national strategies developed by "
        "the previous Interagency Climate Change Adaptation Task Force."
    )
    entry = (
        "The Interagency Council on Climate Preparedness and Resilience, replacing the previous Interagency "
        "Climate Change Adaptation Task Force"
    )
    result = dedupe_paragraphs([entry, OTHER, council, task_force])
    assert result.paragraphs == [entry, OTHER, council, task_force]


def test_rows_of_one_table_are_never_copies_of_each_other():
    """A glossary table's rows share their template (a real legislation glossary lost a row as a
    "near copy" of the row above it); extraction sets cells apart with " | "."""
    rows = [
        "account monitoring order | an order requiring a financial institution to provide account"
        " information of a specified description for the purposes of an investigation;",
        "customer information order | an order requiring a financial institution to provide certain"
        " information held by them relating to a customer for the purposes of an investigation;",
        "Term | Meaning",
        "Term | Meaning",
    ]
    intro = "This glossary is a guide to the meaning of certain legal expressions used in the rules."
    assert dedupe_paragraphs([intro, *rows]).paragraphs == [intro, *rows]

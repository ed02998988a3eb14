"""The seed item as a portal served it, cleaned by the real pipelines, against its expected record."""

from __future__ import annotations

import re

from pipelines import clean_paragraphs
from tests.cleaning_support import FIXTURES, build_chain, load_json, record, run_chain

SEED = FIXTURES / "seed"
INPUT = load_json(SEED / "input.json")
EXPECTED = load_json(SEED / "expected.json")
FIX = "inspect the diff; if the new output is right, rewrite tests/fixtures/cleaning/seed/expected.json"


def _cleaned():
    crawler, chain = build_chain()
    item = run_chain(chain, record(INPUT["paragraphs"], url=INPUT["url"], source=INPUT["source"]))
    return crawler, item


def test_seed_matches_expected_record():
    _, item = _cleaned()
    for field in ("paragraphs", "paywalled", "truncated", "origin"):
        assert item[field] == EXPECTED[field], f"field {field!r} differs: {FIX}"


def test_pure_function_gives_the_same_record():
    result = clean_paragraphs(INPUT["paragraphs"], language="en")
    _, item = _cleaned()
    assert result.paragraphs == item["paragraphs"]
    assert (result.paywalled, result.truncated, result.origin) == (True, True, None)
    assert result.counts == item["cleaning"]


def test_every_article_sentence_appears_exactly_once():
    # The article proper: the lead, the reply's opening and sections 1-3 (input order).
    paragraphs = INPUT["paragraphs"]
    article = " ".join([paragraphs[1], *paragraphs[4:14]])
    sentences = [s for s in re.split(r"(?<=[.:])\s+(?=[A-Z0-9\"])", article) if len(s.split()) >= 4]
    assert len(sentences) > 40
    _, item = _cleaned()
    text = " ".join(item["paragraphs"])
    for sentence in sentences:
        assert text.count(sentence) == 1, sentence[:80]


def test_copies_stub_related_block_and_teasers_are_gone():
    _, item = _cleaned()
    text = "\n".join(item["paragraphs"])
    for gone in (
        "In response to the Proposal on Vigorously",  # the paraphrased second translation of the lead
        "Comprehensive standards should be used",  # the corrupted copy stitched from section I
        "to add new steel",
        "All can be viewed after purchase",
        "Correlation",
        "2023-05-22",
        "Statistics of Highway Construction Investment",
    ):
        assert gone not in text, gone
    lead = item["paragraphs"][0]
    assert lead.startswith("On May 19, the Henan Provincial Department")
    assert text.count(lead) == 1


def test_headings_are_joined_and_separated_from_their_body():
    _, item = _cleaned()
    paragraphs = item["paragraphs"]
    heading_1 = "I. Implementing the Synergy of Pollution Reduction and Carbon Reduction"
    heading_2 = "2. Actively promoting the construction of waste-free cities"
    assert heading_1 in paragraphs
    assert paragraphs[paragraphs.index(heading_1) + 1].startswith("The provincial Party Committee")
    assert heading_2 in paragraphs
    assert paragraphs[paragraphs.index(heading_2) + 1].startswith("In recent years, our province")
    assert any("continue to grow. Since 2020, the central and provincial" in p for p in paragraphs)


def test_counts_go_to_the_record_and_the_crawl_stats():
    crawler, item = _cleaned()
    cleaning = item["cleaning"]
    assert cleaning["paywall/stub_removed"] == 1
    assert cleaning["dedupe/near_removed"] == 2
    assert cleaning["boilerplate/related_removed"] == 4
    assert cleaning["repair/headings_split"] == 2
    stats = crawler.stats.get_stats()
    for key, value in cleaning.items():
        assert stats[f"cleaning/{key}"] == value

"""Per-source furniture: the line form, the judgement, the SQLite and Redis counts, the Scrapy shells.

The Redis cases use their own key prefix in db 15 of a Redis on 127.0.0.1:6379 and delete their
keys afterwards; without one they are skipped with the reason.
"""

from __future__ import annotations

import sqlite3
import uuid

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from crawler.items import ArticleRecord
from crawler.state.base import FurnitureCounts, LineCount
from crawler.state.furniture import SqliteFurnitureStore
from pipelines.furniture import (
    FurnitureLearnPipeline,
    FurnitureOptions,
    FurniturePipeline,
    find_furniture,
    furniture_key,
    line_form,
)
from tests.cleaning_support import StubSpider

REDIS_URL = "redis://127.0.0.1:6379/15"
PROSE = (
    "The ministry said the revised permit rules would cut sulphur emissions from coastal "
    "refineries by a third within five years, and that audits begin in the spring."
)

# --- the line form --------------------------------------------------------------------------------


def test_line_form_folds_width_case_space_and_numbers_of_short_lines():
    assert line_form("ＶＩＥＷＳ：\u3000１，０２４") == line_form("views:  88") == "views: #"
    assert line_form("阅读次数：1024") == line_form("阅读次数：7")
    assert line_form("Page 2 of 5") == line_form("page 11 of 12")
    assert line_form("第2页 共5页") == line_form("第11页 共12页")


def test_a_number_that_names_the_item_is_not_folded():
    """ "Notice 550" and "Notice 551" are two articles' own lines, not one recurring line."""
    assert line_form("Ecology notice 550") != line_form("Ecology notice 551")
    assert line_form("环境简报第550期") != line_form("环境简报第551期")
    assert furniture_key("\u200bShare this article\u00a0") == furniture_key("share this ARTICLE")


def test_figures_stay_in_long_lines_so_template_sentences_with_other_numbers_differ():
    first = "第1批项目名单将另行公布，请各单位做好准备工作。"
    assert line_form(first) != line_form(first.replace("1", "2"))
    stub = "Subscribe for 5 dollars a month to keep reading every story on this website"
    assert line_form(stub) == line_form(stub)  # a fixed figure still recurs as written


@pytest.mark.parametrize(
    "line",
    [
        "Share",  # short chrome: weight 5
        "(完)",
        "图片",
        PROSE * 2,  # long prose
        "First sentence here. Second one follows. A third closes the thought.",
        "2024年3月1日",  # dated lines: digits folded would merge every article's date
        "新华社北京3月1日电",
        "Updated March 3, 2024",
        "一、总体要求",  # document structure
        "（二）强化组织保障",
        "第三条 本办法自发布之日起施行",
        "1. Scope of the regulation",
        "Article 12 Transitional provisions",
        "2. The operator of each coastal refinery shall report its sulphur emissions to the agency",
        "第十二条 排污单位应当按照国家有关规定和监测规范，对所排放的污染物自行监测",
        "特此通知。",  # formulae and signatures every notice of a source shares
        "生态环境部办公厅",
        "各省、自治区、直辖市生态环境厅（局）：",
    ],
)
def test_lines_that_are_never_furniture_are_not_counted(line):
    assert line_form(line) is None


@pytest.mark.parametrize(
    "line",
    ["分享到：", "Read more", "Views: 88", "本文为付费内容，订阅后可阅读全文", "责任编辑：王小明",
     "Riverwatch Circle members can open the remaining pages of this dossier",
     "Market data delayed 15 minutes", "Sign up for the newsletter: 3 stories a day"],
)  # fmt: skip
def test_chrome_and_stub_lines_are_counted(line):
    assert line_form(line)


# --- the judgement --------------------------------------------------------------------------------


def counts(total: int, **lines: tuple[int, int]) -> FurnitureCounts:
    return FurnitureCounts(total, True, {key: LineCount(*value) for key, value in lines.items()})


def judge(paragraphs, keys, found, **options):
    return find_furniture(paragraphs, keys, found, FurnitureOptions(**options))


BODY = ["Top line", PROSE, PROSE + " Again.", PROSE + " More.", PROSE + " Last.", "Tail line"]


def test_a_line_on_enough_articles_at_an_edge_is_removed():
    keys = ["t", None, None, None, None, "s"]
    found = counts(3, t=(3, 1), s=(2, 2))
    assert judge(BODY, keys, found).removed == {0: 3}  # s is on 2 articles only
    assert judge(BODY, keys, found, min_articles=2).removed == {0: 3, 5: 2}


def test_share_is_taken_over_the_articles_since_the_line_first_appeared():
    keys = [None, None, None, None, None, "s"]
    # a new stub on every page since article 1,000: caught however long the history
    assert judge(BODY, keys, counts(1003, s=(4, 1000))).removed == {5: 4}
    # a line three articles of a thousand happened to share: not furniture
    assert judge(BODY, keys, counts(1003, s=(3, 2))).removed == {}
    assert judge(BODY, keys, counts(1003, s=(3, 2)), min_share=0.0).removed == {5: 3}


def test_a_recurring_line_inside_the_body_needs_a_neighbour_that_recurs_too():
    body = [PROSE + str(i) for i in range(9)]
    lone = [None] * 9
    lone[4] = "a"
    assert judge(body, lone, counts(5, a=(5, 1))).removed == {}
    block = list(lone)
    block[5] = "b"
    assert judge(body, block, counts(5, a=(5, 1), b=(4, 1))).removed == {4: 5, 5: 4}


def test_removing_most_of_a_body_is_refused():
    keys = ["a", "b", "c", None]
    short = ["Share bar line", "Disclaimer line", "Stub line", "Short."]
    found = counts(4, a=(4, 1), b=(4, 1), c=(4, 1))
    assert judge(short, keys, found).refused
    assert judge(["Stub line"], ["c"], found).refused  # never an empty body
    assert not judge([*short[:3], PROSE], keys, found).refused


def test_an_unknown_article_is_counted_in_thought_when_the_store_is_only_read():
    found = FurnitureCounts(2, False, {"s": LineCount(2, 1)}).including_unknown(["s", "n"])
    assert found.articles == 3
    assert found.lines == {"s": LineCount(3, 1), "n": LineCount(1, 3)}


# --- the stores -----------------------------------------------------------------------------------


@pytest.fixture
def redis_store():
    redis = pytest.importorskip("redis")
    from crawler.state.redis_store import RedisFurnitureStore

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as exc:
        pytest.skip(f"no Redis answers on {REDIS_URL}: {exc}")
    prefix = f"ecotest-{uuid.uuid4().hex[:10]}"
    yield RedisFurnitureStore(client, prefix=prefix)
    for key in client.scan_iter(match=f"{prefix}:*", count=1000):
        client.delete(key)


@pytest.fixture
def sqlite_store(tmp_path):
    store = SqliteFurnitureStore(tmp_path / "furniture.sqlite3")
    yield store
    store.close()


@pytest.fixture(params=["sqlite", "redis"])
def store(request):
    return request.getfixturevalue(f"{request.param}_store")


STUB, BAR, OTHER = (furniture_key(t) for t in ("Stub line here", "Share bar: X | Y", "Another line"))


def test_each_line_is_counted_once_per_distinct_article(store):
    assert store.learn("src", "a1", [STUB, BAR, STUB]) == 2  # a repeat within the page counts once
    assert store.learn("src", "a1", [STUB, BAR]) == 0  # the same article fetched again
    assert store.learn("src", "a1", [STUB, BAR, OTHER]) == 1  # a changed article adds its new line
    assert store.learn("src", "a2", [STUB]) == 1
    found = store.counts("src", "a2", [STUB, BAR, OTHER, furniture_key("never seen line")])
    assert found.articles == 2
    assert found.known
    assert found.lines == {STUB: LineCount(2, 1), BAR: LineCount(1, 1), OTHER: LineCount(1, 1)}


def test_counts_are_per_source_and_remember_where_a_line_first_appeared(store):
    store.learn("one", "a1", [])
    store.learn("one", "a2", [])
    store.learn("one", "a3", [STUB])
    store.learn("two", "a3", [STUB])
    assert store.counts("one", "zz", [STUB]) == FurnitureCounts(3, False, {STUB: LineCount(1, 3)})
    assert store.counts("two", "a3", [STUB]) == FurnitureCounts(1, True, {STUB: LineCount(1, 1)})
    assert store.counts("three", "a1", [STUB]) == FurnitureCounts(0, False, {})


def test_read_only_sqlite_neither_creates_nor_writes(tmp_path):
    path = tmp_path / "furniture.sqlite3"
    with pytest.raises(FileNotFoundError, match="no furniture counts"):
        SqliteFurnitureStore(path, read_only=True)
    assert not path.exists()
    writer = SqliteFurnitureStore(path)
    writer.learn("src", "a1", [STUB])
    writer.close()
    before = path.read_bytes()
    reader = SqliteFurnitureStore(path, read_only=True)
    assert reader.counts("src", "a9", [STUB]).lines == {STUB: LineCount(1, 1)}
    with pytest.raises(PermissionError):
        reader.learn("src", "a9", [STUB])
    reader.close()
    assert path.read_bytes() == before


def test_opening_an_older_state_file_adds_the_tables(tmp_path):
    path = tmp_path / "furniture.sqlite3"
    sqlite3.connect(path).execute("CREATE TABLE furniture_sources (source TEXT PRIMARY KEY, articles INT)")
    store = SqliteFurnitureStore(path)
    assert store.learn("src", "a1", [STUB]) == 1
    store.close()


# --- the Scrapy shells ----------------------------------------------------------------------------


def crawler_with(**settings):
    return get_crawler(StubSpider, settings)


@pytest.mark.parametrize("cls", [FurnitureLearnPipeline, FurniturePipeline])
def test_both_steps_stand_down_without_a_state_store_or_when_disabled(cls, tmp_path):
    with pytest.raises(NotConfigured):
        cls.from_crawler(crawler_with())
    with pytest.raises(NotConfigured):
        cls.from_crawler(crawler_with(ECOPOLICY_STATE_DIR=str(tmp_path), ECOPOLICY_FURNITURE_ENABLED=False))


def test_offline_with_a_state_folder_only_reads(tmp_path):
    offline = {"ECOPOLICY_OFFLINE": True, "ECOPOLICY_STATE_DIR": str(tmp_path)}
    with pytest.raises(NotConfigured):
        FurnitureLearnPipeline.from_crawler(crawler_with(**offline))
    assert FurniturePipeline.from_crawler(crawler_with(**offline))._read_only


def record(article: str, paragraphs: list[str], **fields) -> ArticleRecord:
    return ArticleRecord(id=article, source="src", url=f"http://x/{article}", paragraphs=paragraphs, **fields)


def test_the_second_page_loses_the_stub_and_the_removal_is_recorded(tmp_path):
    crawler = crawler_with(ECOPOLICY_STATE_DIR=str(tmp_path), ECOPOLICY_FURNITURE_MIN_ARTICLES=2)
    crawler.spider = None
    learn, remove = FurnitureLearnPipeline.from_crawler(crawler), FurniturePipeline.from_crawler(crawler)
    stub = "Riverwatch Circle members can open the remaining pages of this dossier"
    first = record("a1", [PROSE, stub])
    second = record(
        "a2",
        [PROSE + " Other.", stub],
        removed=[{"text": "x", "step": "boilerplate", "reason": "r", "index": 0}],
    )
    for item in (first, second):
        remove.process_item(learn.process_item(item))
    assert first["paragraphs"] == [PROSE, stub]
    assert first["removed"] == []
    assert second["paragraphs"] == [PROSE + " Other."]
    # index: the stub's position as extracted (boilerplate had removed extracted paragraph 0)
    assert second["removed"][1] == {"text": stub, "step": "furniture", "reason": "seen on 2 articles of src",
                                    "index": 2}  # fmt: skip
    assert second["cleaning"] == {"furniture/removed": 1}
    assert crawler.stats.get_value("cleaning/furniture/removed") == 1
    assert crawler.stats.get_value("furniture/learned/articles") == 2
    plain = {"id": "a3", "source": "src", "paragraphs": [PROSE + " Third.", stub]}  # a dict item
    remove.process_item(learn.process_item(plain))
    assert [e["reason"] for e in plain["removed"]] == ["seen on 3 articles of src"]
    assert plain["paragraphs"] == [PROSE + " Third."]
    learn.close_spider()
    remove.close_spider()


def test_a_copy_of_an_article_under_another_url_is_kept_whole(tmp_path):
    crawler = crawler_with(ECOPOLICY_STATE_DIR=str(tmp_path), ECOPOLICY_FURNITURE_MIN_ARTICLES=2)
    learn, remove = FurnitureLearnPipeline.from_crawler(crawler), FurniturePipeline.from_crawler(crawler)
    long_one, long_two = PROSE + " " + PROSE, PROSE.replace("ministry", "agency") + " " + PROSE
    body = ["A short heading line", long_one, long_two, "Closing short line"]  # only short lines are lines
    original, copy = record("a1", list(body)), record("a2", list(body))
    for item in (original, copy):
        remove.process_item(learn.process_item(item))
    assert copy["paragraphs"] == body
    assert copy["cleaning"] == {"furniture/copy_kept": 1}
    # one long paragraph every article of the source ends with does not make a copy
    about = "About the agency: " + PROSE
    third = record("a3", ["A short heading line", PROSE + " New.", PROSE + " Also new.", about])
    fourth = record("a4", ["A short heading line", PROSE + " Four.", PROSE + " Also four.", about])
    for item in (third, fourth):
        remove.process_item(learn.process_item(item))
    assert "A short heading line" not in fourth["paragraphs"]
    learn.close_spider()
    remove.close_spider()


def test_thresholds_that_would_cut_article_text_are_a_clear_error(tmp_path):
    state = {"ECOPOLICY_STATE_DIR": str(tmp_path)}
    with pytest.raises(ValueError, match="ECOPOLICY_FURNITURE_MIN_ARTICLES must be at least 2"):
        FurniturePipeline.from_crawler(crawler_with(**state, ECOPOLICY_FURNITURE_MIN_ARTICLES=1))
    with pytest.raises(ValueError, match="ECOPOLICY_FURNITURE_MAX_REMOVED_SHARE"):
        FurniturePipeline.from_crawler(crawler_with(**state, ECOPOLICY_FURNITURE_MAX_REMOVED_SHARE=1.0))

"""The seen-store, two-phase delivery, the near-duplicate index and the stateful components' switches."""

from __future__ import annotations

import contextlib
import datetime
import itertools
import json
import subprocess
import sys
from pathlib import Path

import pytest
from scrapy import Spider
from scrapy.exceptions import NotConfigured
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from crawler.commands.report import articles_per_day, format_table, html_report, table_rows
from crawler.middlewares.conditional import ConditionalRequestMiddleware
from crawler.state.journal import prepare, recover, register_run
from crawler.state.lock import LockedError, RunLock
from crawler.state.neardup import ROLLING, SHA1, SqliteNearDuplicateIndex, minhash_signature, shingles
from crawler.state.sqlite import SqliteSeenStore
from pipelines.neardup import NearDuplicatePipeline
from pipelines.seen import SeenPipeline

NOW = datetime.datetime(2026, 3, 1, 8, 0, tzinfo=datetime.UTC)


@pytest.fixture
def store(tmp_path):
    opened = SqliteSeenStore(tmp_path / "seen.sqlite3")
    yield opened
    opened.close()


def test_observations_count_only_after_commit(store):
    assert store.observe("ex.org/a", "h1", NOW, batch="r1").status == "new"
    assert store.observe("ex.org/a", "h1", NOW, batch="r1").status == "unchanged"  # same run, once
    assert store.lookup("ex.org/a") is None  # staged, not delivered
    assert store.observe("ex.org/a", "h1", NOW, batch="r2").status == "new"
    store.discard("r2")
    assert store.commit("r1", ["ex.org/a"]) == 1
    entry = store.lookup("ex.org/a")
    assert (entry.content_hash, entry.version) == ("h1", 1)
    assert store.observe("ex.org/a", "h1", NOW, batch="r3").status == "unchanged"
    changed = store.observe("ex.org/a", "h2", NOW, batch="r3")
    assert (changed.status, changed.version) == ("changed", 2)
    store.commit("r3", ["ex.org/other"])  # not this key: stays staged
    assert store.lookup("ex.org/a").version == 1
    assert store.staged_batches() == ["r3"]
    store.commit("r3")
    assert store.lookup("ex.org/a").version == 2


def test_validators_of_a_run_apply_with_its_batch(store):
    store.save_validators("ex.org/news", '"e1"', "Sun, 01 Mar 2026 08:00:00 GMT", batch="r1/validators")
    assert store.validators("ex.org/news") is None
    store.commit("r1/validators")
    assert store.validators("ex.org/news").etag == '"e1"'


def test_survives_a_writer_killed_mid_transaction(tmp_path):
    path = tmp_path / "seen.sqlite3"
    code = (
        "import datetime, os, signal, sys\n"
        "from crawler.state.sqlite import SqliteSeenStore\n"
        f"s = SqliteSeenStore({str(path)!r})\n"
        "now = datetime.datetime.now(datetime.UTC)\n"
        "for i in range(500): s.observe(f'k{i}', 'h', now, batch='b')\n"
        "s.commit('b')\n"
        "s._db.execute('BEGIN IMMEDIATE')\n"
        "s._db.execute(\"UPDATE seen SET content_hash = 'torn'\")\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], check=False, cwd=str(tmp_path.parent), env=_env())
    assert result.returncode == -9
    reopened = SqliteSeenStore(path)
    assert reopened.count() == 500
    assert reopened.lookup("k7").content_hash == "h"
    reopened.close()


def _env():
    import os
    from pathlib import Path

    return {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}


def test_recovery_finishes_delivered_files_and_forgets_the_rest(tmp_path, store):
    state, out = tmp_path / "state", tmp_path / "out"
    (out / "2026-03-01").mkdir(parents=True)
    register_run(state, "RUN", out)
    for name, key in (("delivered", "ex.org/d"), ("lost", "ex.org/l")):
        store.observe(key, "h", NOW, batch=f"{name}:RUN")
        part = out / "2026-03-01" / f".{name}-RUN.jsonl.part"
        part.write_text(json.dumps({"url": f"http://{key}"}) + "\n", encoding="utf-8")
        prepare(state, f"{name}:RUN", out / "2026-03-01" / f"{name}-RUN.jsonl", part)
    (out / "2026-03-01" / ".delivered-RUN.jsonl.part").rename(out / "2026-03-01" / "delivered-RUN.jsonl")
    found = recover(state, store)
    assert found.completed_files == [str(out / "2026-03-01" / "delivered-RUN.jsonl")]
    assert found.discarded_batches == ["lost:RUN"]
    assert store.lookup("ex.org/d") is not None
    assert store.lookup("ex.org/l") is None
    assert list(out.rglob("*.part")) == []
    assert not recover(state, store)  # idempotent


def test_lock_is_exclusive_and_released_by_a_dead_holder(tmp_path):
    code = "import os\nfrom crawler.state.lock import RunLock\n"
    code += f"RunLock({str(tmp_path)!r}).acquire()\nos._exit(0)"
    subprocess.run([sys.executable, "-c", code], check=True, env=_env())
    with RunLock(tmp_path), pytest.raises(LockedError, match="held by pid"):
        RunLock(tmp_path).acquire()
    RunLock(tmp_path).acquire()


def test_near_duplicate_index_finds_a_chinese_copy_and_keeps_its_verdicts(tmp_path):
    index = SqliteNearDuplicateIndex(tmp_path / "nd.sqlite3")
    text = (
        "生态环境部召开新闻发布会，通报全国生态环境质量状况，介绍大气污染防治攻坚战进展情况和下一步工作安排。"
        * 3
    )
    assert index.query_or_add("orig", text) is None
    assert (
        index.query_or_add(
            "other", "国家林业和草原局发布湿地保护规划，明确到二〇三〇年的保护目标与重点任务。" * 3
        )
        is None
    )
    assert index.query_or_add("copy", "【转载】" + text + "（来源：生态环境部）") == "orig"
    assert index.query_or_add("copy2", text + "责任编辑：王某") == "orig"  # the original, not the copy
    assert index.query_or_add("orig", text) is None  # asked again after a crash: same verdict
    index.close()
    reopened = SqliteNearDuplicateIndex(tmp_path / "nd.sqlite3")
    assert reopened.query_or_add("copy", text) == "orig"
    reopened.close()


def _committed_ids(path: Path) -> set[str]:
    """Record ids another process would read from the index file (committed rows only)."""
    import sqlite3

    with contextlib.closing(sqlite3.connect(path)) as reader:
        return {row[0] for row in reader.execute("SELECT record_id FROM docs")}


def test_near_duplicate_additions_are_committed_in_groups_and_on_flush(tmp_path):
    """A commit a record cost more than the lookup itself: additions are grouped. What another
    reader (or a run after a kill) sees is every group committed, never a part of one record."""
    path = tmp_path / "nd.sqlite3"
    index = SqliteNearDuplicateIndex(path, commit_every=3, commit_seconds=3600)
    texts = [
        "生态环境部关于开展二〇二四年度生态环境执法检查的通知，请各地认真组织实施并按时报送结果。",
        "国家林业和草原局发布湿地保护规划，明确到二〇三〇年的保护目标、重点任务和保障措施。",
        "水利部公布全国水土保持公报：水土流失面积连续下降，生态系统质量稳步提升。",
        "自然资源部公布第三次全国国土调查主要数据成果，耕地保有量总体保持稳定。",
    ]
    for n, text in enumerate(texts[:4]):
        assert index.query_or_add(f"r{n}", text) is None
    assert _committed_ids(path) == {"r0", "r1", "r2"}  # one group of three; r3 still pending
    assert index.query_or_add("c3", "【转载】" + texts[3]) == "r3"  # pending rows answer lookups
    index.flush()
    assert _committed_ids(path) == {"r0", "r1", "r2", "r3", "c3"}
    assert index.query_or_add("copy", "【转载】" + texts[0]) == "r0"
    index.close()
    assert "copy" in _committed_ids(path)
    reopened = SqliteNearDuplicateIndex(path)
    assert reopened.query_or_add("copy", "") == "r0"
    reopened.close()


def test_a_failed_near_duplicate_addition_leaves_the_rest_of_its_group(tmp_path, monkeypatch):
    path = tmp_path / "nd.sqlite3"
    index = SqliteNearDuplicateIndex(path, commit_every=10, commit_seconds=3600)
    index.query_or_add("kept", "国务院办公厅印发《空气质量持续改善行动计划》的通知全文。" * 3)

    def broken(*args):
        raise RuntimeError("disk said no")

    monkeypatch.setattr(index, "_best_match", broken)
    with pytest.raises(RuntimeError):
        index.query_or_add("failed", "水利部发布二〇二三年全国水土保持公报，水土流失面积继续减少。" * 3)
    monkeypatch.undo()
    index.query_or_add("after", "自然资源部公布第三次全国国土调查主要数据成果，耕地保有量稳定。" * 3)
    index.close()
    assert _committed_ids(path) == {"kept", "after"}


def test_the_pipeline_commits_verdicts_before_an_output_file_is_delivered(tmp_path):
    """Records carrying verdicts may be delivered mid-run (one file a date): their verdicts must be
    on disk first, or a kill right after delivery would lose them for good."""
    from crawler.feeds import feed_prepared

    crawler = get_crawler(Spider, {"ECOPOLICY_STATE_DIR": str(tmp_path)})
    pipeline = build_from_crawler(NearDuplicatePipeline, crawler)
    pipeline.open_spider()
    text = "生态环境部通报二〇二四年第一季度全国地表水环境质量状况，优良水质断面比例上升。" * 2
    pipeline.process_item({"id": "a", "url": "https://example.org/a", "text": text})
    path = tmp_path / "neardup.sqlite3"
    assert _committed_ids(path) == set()
    crawler.signals.send_catch_log(feed_prepared, target=tmp_path / "out.jsonl", part=tmp_path / "out.part")
    assert _committed_ids(path) == {"a"}
    pipeline.close_spider()


def test_two_users_of_one_index_file_in_one_process_share_its_open_group(tmp_path):
    """``ecopolicy crawl`` runs one crawler per source on one thread, all on the state folder's
    index: a second connection would wait on the first one's open group until its busy timeout.
    Both write through one connection, and a copy on one source finds the original on the other."""
    path = tmp_path / "nd.sqlite3"
    ministry = SqliteNearDuplicateIndex(path, commit_every=100, commit_seconds=3600)
    province = SqliteNearDuplicateIndex(path, commit_every=100, commit_seconds=3600)
    release = "生态环境部发布《关于加强生态环境分区管控的指导意见》，到二〇二五年基本建立分区管控制度。" * 2
    assert ministry.query_or_add("mee-1", release) is None
    assert province.query_or_add("prov-7", "【转载】" + release) == "mee-1"  # no lock wait, no error
    assert _committed_ids(path) == set()  # one open group for both
    ministry.close()  # a user leaving commits the group; the other keeps the connection
    assert _committed_ids(path) == {"mee-1", "prov-7"}
    assert province.query_or_add("prov-8", "长江保护修复攻坚战行动计划实施情况通报。" * 3) is None
    province.close()
    assert "prov-8" in _committed_ids(path)


def test_sha1_signatures_stay_those_of_datasketch_so_indexes_written_before_schemes_keep_matching():
    """Signatures persist in the state folder: an index written before signature schemes were
    recorded holds ``sha1`` signatures, whose values must not move.

    The reference is datasketch's MinHash with its ``affine32`` scheme (its default since 2.0).
    """
    from datasketch import MinHash

    english = "The ministry issued its reply to the proposal on pollution and carbon reduction. " * 4
    chinese = "生态环境部发布《关于加强生态环境分区管控的指导意见》，到2025年基本建立分区管控制度。"
    for text in (english, chinese, "短"):
        for num_perm in (64, 128):
            fresh = MinHash(num_perm=num_perm, scheme="affine32")
            fresh.update_batch([gram.encode("utf-8") for gram in shingles(text, 5)])
            for _ in range(2):  # the second call reuses what the first one prepared
                signature = minhash_signature(text, num_perm=num_perm, shingle=5, scheme=SHA1)
                assert signature.tolist() == list(fresh.hashvalues)


def _real_texts() -> list[str]:
    """Article texts of stored real pages (English, Chinese and others), from their expectations."""
    texts = []
    for expected in sorted((Path(__file__).parent / "fixtures" / "realpages").glob("*/*/expected.json"))[::6]:
        paragraphs = json.loads(expected.read_text(encoding="utf-8")).get("paragraphs") or []
        if len(text := "\n".join(paragraphs)) > 400:
            texts.append(text[:6000])
    return texts


def _edited(text: str, seed: int) -> str:
    """A copy as portals make them: a sentence dropped, a few characters changed, a prefix added."""
    import random

    rng = random.Random(seed)
    cut = rng.randrange(len(text) // 2)
    copy = text[:cut] + text[cut + rng.randrange(20, 200) :]
    for _ in range(3):
        at = rng.randrange(len(copy))
        copy = copy[:at] + "x" + copy[at + 1 :]
    return "【转载】" + copy


def test_rolling_signatures_estimate_similarity_as_well_as_sha1_on_real_texts():
    """The scheme of new indexes must judge copies as well as the one it replaces: on copies and
    on unrelated pairs of real article texts, its estimate of the shingle sets' Jaccard similarity
    is as close to the exact value, and it takes the same side of the 0.8 threshold."""
    texts = _real_texts()
    assert len(texts) >= 30
    pairs = [(text, _edited(text, n)) for n, text in enumerate(texts)]
    pairs += list(itertools.pairwise(texts))
    errors: dict[str, list[float]] = {ROLLING: [], SHA1: []}
    sides_differ = 0
    for one, other in pairs:
        exact = len(shingles(one) & shingles(other)) / len(shingles(one) | shingles(other))
        for scheme, found in errors.items():
            a, b = (minhash_signature(t, num_perm=128, shingle=5, scheme=scheme) for t in (one, other))
            found.append(abs(float((a == b).mean()) - exact))
        sides_differ += abs(exact - 0.8) > 0.1 and (errors[ROLLING][-1] > abs(exact - 0.8))
    mean = {scheme: sum(found) / len(found) for scheme, found in errors.items()}
    assert mean[ROLLING] <= max(0.03, mean[SHA1] * 1.25), mean
    assert sides_differ == 0


def test_a_new_index_signs_with_the_rolling_scheme_and_records_it(tmp_path):
    index = SqliteNearDuplicateIndex(tmp_path / "nd.sqlite3")
    assert index.scheme == ROLLING
    release = "生态环境部发布《关于加强生态环境分区管控的指导意见》，到二〇二五年基本建立分区管控制度。" * 2
    assert index.query_or_add("a", release) is None
    assert index.query_or_add("b", "【转载】" + release) == "a"
    index.close()
    assert SqliteNearDuplicateIndex(tmp_path / "nd.sqlite3").scheme == ROLLING


def test_an_index_written_before_schemes_keeps_sha1_and_finds_copies_of_its_records(tmp_path):
    """A state folder from an earlier version: records signed with ``sha1``, no scheme recorded.
    Signing its new texts another way would make every stored record unfindable."""
    import sqlite3

    path = tmp_path / "nd.sqlite3"
    earlier = SqliteNearDuplicateIndex(path)
    earlier.scheme = SHA1  # what every index signed with before schemes were recorded
    release = "The ministry issued its reply to the proposal on pollution and carbon reduction. " * 4
    assert earlier.query_or_add("old-1", release) is None
    earlier.close()
    with contextlib.closing(sqlite3.connect(path)) as db, db:
        db.execute("DROP TABLE meta")  # the earlier layout

    reopened = SqliteNearDuplicateIndex(path)
    assert reopened.scheme == SHA1
    assert reopened.query_or_add("new-1", "Reposted: " + release) == "old-1"
    reopened.close()
    assert SqliteNearDuplicateIndex(path).scheme == SHA1  # now recorded


def test_the_worker_computes_the_signature_with_the_index_scheme(tmp_path):
    """The signature a worker computes ahead is used only if made the index's way."""
    crawler = get_crawler(Spider, {"ECOPOLICY_STATE_DIR": str(tmp_path)})
    pipeline = build_from_crawler(NearDuplicatePipeline, crawler)
    pipeline.open_spider()
    (task,) = pipeline.ahead_tasks()
    assert dict(task.options)["scheme"] == ROLLING
    pipeline.close_spider()


def test_the_redis_index_records_its_scheme_and_keeps_sha1_for_records_stored_before(redis_prefixed):
    from crawler.state.redis_store import RedisNearDuplicateIndex

    server, prefix = redis_prefixed
    release = "生态环境部发布《关于加强生态环境分区管控的指导意见》，到二〇二五年基本建立分区管控制度。" * 2
    fresh = RedisNearDuplicateIndex(server, prefix=prefix)
    assert fresh.scheme == ROLLING
    assert fresh.query_or_add("a", release) is None
    assert RedisNearDuplicateIndex(server, prefix=prefix).query_or_add("b", "【转载】" + release) == "a"

    earlier = f"{prefix}-earlier"
    written_before = RedisNearDuplicateIndex(server, prefix=earlier)
    written_before.scheme = SHA1
    written_before.query_or_add("old-1", release)
    server.delete(f"{earlier}:neardup:scheme")  # the earlier layout recorded none
    reopened = RedisNearDuplicateIndex(server, prefix=earlier)
    assert reopened.scheme == SHA1
    assert reopened.query_or_add("new-1", "【转载】" + release) == "old-1"


@pytest.mark.parametrize("num_perm", [32, 128, 256])
def test_band_split_is_datasketch_lsh_optimum_for_every_threshold(num_perm):
    """The band/row split decides which stored bands a new text is looked up in: it must be
    datasketch's ``MinHashLSH`` choice, including its refusal of a single band."""
    from datasketch import MinHashLSH

    from crawler.state.minhash import band_split

    for threshold in [step / 20 for step in range(1, 20)] + [0.83, 0.97]:
        try:
            lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
            expected: object = (lsh.b, lsh.r)
        except ValueError:
            expected = ValueError
        try:
            got: object = band_split(threshold, num_perm)
        except ValueError:
            got = ValueError
        assert got == expected, threshold


@pytest.mark.parametrize("component", [SeenPipeline, NearDuplicatePipeline, ConditionalRequestMiddleware])
def test_stateful_components_stand_down_without_state_or_offline(tmp_path, component):
    with pytest.raises(NotConfigured):
        build_from_crawler(component, get_crawler(Spider, {}))
    offline = {"ECOPOLICY_STATE_DIR": str(tmp_path), "ECOPOLICY_OFFLINE": True}
    with pytest.raises(NotConfigured):
        build_from_crawler(component, get_crawler(Spider, offline))
    built = build_from_crawler(component, get_crawler(Spider, {"ECOPOLICY_STATE_DIR": str(tmp_path)}))
    assert isinstance(built, component)


def test_report_table_and_html_from_summaries():
    summaries = [
        {"run_id": "r1", "source": "demo", "started": "2026-03-01T00:00:00+00:00",
         "finish_reason": "finished",
         "duration_s": 3.2, "pages_fetched": 40, "not_modified": 0, "drops": {"seen/unchanged": 2},
         "articles": {"emitted": 38, "new": 38, "changed": 0, "unchanged": 2}, "errors": {"log_errors": 1}},
        {"run_id": "r2", "source": "demo", "started": "2026-03-02T00:00:00+00:00",
         "finish_reason": "finished",
         "articles": {"emitted": 3, "new": 1, "changed": 2, "unchanged": 35}},
    ]  # fmt: skip
    rows = table_rows(summaries)
    assert rows[0] == ("r1", "demo", "ok", "3", "40", "0", "38", "0", "2", "2", "1", "-")
    assert "r2" in format_table(rows).splitlines()[3]
    assert articles_per_day(summaries) == {"demo": {"2026-03-01": 38, "2026-03-02": 3}}
    now = datetime.datetime(2026, 3, 3, tzinfo=datetime.UTC)
    page = html_report([], summaries, summaries, Path(), now)
    assert "<svg" in page
    assert "<td>r2</td>" in page

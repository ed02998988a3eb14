"""The output storage: dated file names, atomic rename, refusal of unsafe names."""

import datetime
from types import SimpleNamespace

import pytest
from scrapy import Spider
from scrapy.utils.test import get_crawler

from crawler.feeds import AtomicFileFeedStorage, new_run_id, uri_params


def test_file_appears_only_when_complete(tmp_path):
    target = tmp_path / "2026-11-26" / "demo-run.jsonl"
    storage = AtomicFileFeedStorage(target.as_uri())
    handle = storage.open(SimpleNamespace())
    handle.write(b'{"a": 1}\n')
    assert not target.exists()
    assert [p.name for p in target.parent.iterdir()] == [".demo-run.jsonl.part"]
    storage.store(handle)
    assert target.read_bytes() == b'{"a": 1}\n'
    assert [p.name for p in target.parent.iterdir()] == ["demo-run.jsonl"]


def test_uri_params_refuse_paths_outside_the_output_folder():
    started = datetime.datetime(2026, 11, 26, 23, 59, tzinfo=datetime.UTC)
    crawler = get_crawler(Spider, {"ECOPOLICY_WORKER_ID": "w1"})
    good = SimpleNamespace(
        started_at=started, source=SimpleNamespace(key="demo"), run_id=new_run_id(), crawler=crawler
    )
    params = uri_params({}, good)
    assert params["crawl_date"] == "2026-11-26"
    assert params["worker"] == "w1"
    for bad_key, bad_run in (("../etc", "r1"), ("demo", "../../x"), ("a/b", "r1")):
        spider = SimpleNamespace(
            started_at=started, source=SimpleNamespace(key=bad_key), run_id=bad_run, crawler=crawler
        )
        with pytest.raises(ValueError, match="unsafe"):
            uri_params({}, spider)

"""Pending requests wait on disk in a stateless crawl, and other schedulers are left alone."""

from __future__ import annotations

import datetime
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from scrapy import Request, Spider
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from crawler.discovery import Link
from crawler.scheduler import DISK_SCHEDULER, SCRAPY_SCHEDULER, DiskQueueAddon, DiskQueueScheduler
from crawler.sources.base import ListPage

from .conftest import REPO


class _Spider(Spider):
    name = "queue-test"

    def parse_article(self, response: object) -> None:
        pass

    def article_failed(self, failure: object) -> None:
        pass


def test_the_addon_replaces_only_scrapys_default_scheduler():
    plain = Settings()  # Scrapy's defaults, as a crawl without a scheduler of its own has them
    DiskQueueAddon().update_settings(plain)
    assert plain["SCHEDULER"] == DISK_SCHEDULER
    redis = Settings()
    redis.set("SCHEDULER", "crawler.distributed.scheduler.DistributedScheduler", priority="addon")
    DiskQueueAddon().update_settings(redis)
    assert redis["SCHEDULER"] == "crawler.distributed.scheduler.DistributedScheduler"
    off = Settings({"ECOPOLICY_DISK_QUEUE": False})
    DiskQueueAddon().update_settings(off)
    assert off["SCHEDULER"] == SCRAPY_SCHEDULER


def test_article_and_list_requests_round_trip_through_the_disk_queue_and_the_folder_goes():
    parent = Path(tempfile.mkdtemp())
    settings = {
        "ECOPOLICY_DISK_QUEUE_DIR": str(parent),
        "SCHEDULER_PRIORITY_QUEUE": "scrapy.pqueues.ScrapyPriorityQueue",
    }
    crawler = get_crawler(_Spider, settings)
    spider = _Spider()
    crawler.spider = spider
    scheduler = DiskQueueScheduler.from_crawler(crawler)
    scheduler.open(spider)
    link = Link("http://x.test/a.html?utm_source=rss", "关于加强监测的通知", datetime.date(2024, 5, 22))
    page = ListPage(url="http://x.test/news/index.html", pagination="index_{n}.html", max_pages=3)
    scheduler.enqueue_request(Request("http://x.test/a.html", callback=spider.parse_article,
                                      errback=spider.article_failed, meta={"listing": link}))  # fmt: skip
    scheduler.enqueue_request(Request(page.url, callback=spider.parse_article, meta={"list_page": page}))
    assert [p.name for p in parent.iterdir()]  # the private folder exists while the crawl runs
    got = [scheduler.next_request(), scheduler.next_request()]
    assert {r.url for r in got} == {"http://x.test/a.html", page.url}
    metas = {r.url: r.meta for r in got}
    assert metas["http://x.test/a.html"]["listing"] == link
    assert metas[page.url]["list_page"] == page
    assert all(r.callback == spider.parse_article for r in got)
    stats = crawler.stats.get_stats()
    assert stats["scheduler/enqueued/disk"] == 2
    assert "scheduler/enqueued/memory" not in stats
    scheduler.close("finished")
    assert list(parent.iterdir()) == []


@pytest.mark.slow
def test_a_stateless_crawl_queues_on_disk():
    with tempfile.TemporaryDirectory() as tmp:
        spec = Path(tmp, "spec.json")
        spec.write_text(json.dumps({"settings": {"ECOPOLICY_OUTPUT_ENABLED": False, "LOG_LEVEL": "WARNING"},
                                    "crawls": [{"source": "demo"}]}))  # fmt: skip
        out = Path(tmp, "out.json")
        done = subprocess.run([sys.executable, "-m", "tests.crawl_runner", str(spec), str(out)],
                              cwd=REPO, capture_output=True, text=True, timeout=240, check=False)  # fmt: skip
        assert done.returncode == 0, done.stderr[-3000:]
        demo = json.loads(out.read_text())["demo"]
    assert demo["items"]
    assert demo["stats"]["scheduler/enqueued/disk"] == demo["stats"]["scheduler/enqueued"]


def test_the_project_queue_writes_callbacks_by_name_as_scrapy_does_and_keeps_others_in_memory(tmp_path):
    from crawler import settings as project

    crawler = get_crawler(_Spider, {
        "ECOPOLICY_DISK_QUEUE_DIR": str(tmp_path),
        "SCHEDULER_PRIORITY_QUEUE": "scrapy.pqueues.ScrapyPriorityQueue",
        "SCHEDULER_DISK_QUEUE": project.SCHEDULER_DISK_QUEUE,
    })  # fmt: skip
    spider = _Spider()
    crawler.spider = spider
    scheduler = DiskQueueScheduler.from_crawler(crawler)
    scheduler.open(spider)
    for n in range(3):  # the name is looked up once and reused
        scheduler.enqueue_request(Request(f"http://x.test/{n}.html", callback=spider.parse_article,
                                          errback=spider.article_failed))  # fmt: skip
    scheduler.enqueue_request(Request("http://x.test/lambda.html", callback=lambda response: None))
    got = [scheduler.next_request() for _ in range(4)]
    by_url = {r.url: r for r in got}
    for n in range(3):
        request = by_url[f"http://x.test/{n}.html"]
        assert request.callback == spider.parse_article
        assert request.errback == spider.article_failed
    assert callable(by_url["http://x.test/lambda.html"].callback)
    stats = crawler.stats.get_stats()
    assert stats["scheduler/enqueued/disk"] == 3
    assert stats["scheduler/unserializable"] == 1
    scheduler.close("finished")

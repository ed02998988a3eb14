"""Which failures finish a shared-queue task, and which give it another go.

A download that failed at the site is done: the spider's errback names it and the task is
forgotten at commit. A request that failed because Redis did (a middleware asked the shared
seen-store for validators during an outage) never reached the site: counted done, its article
was lost for good; the crawl schedules it again instead.
"""

from __future__ import annotations

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from scrapy import Request
from scrapy.utils.test import get_crawler
from twisted.internet.error import ConnectionRefusedError as SiteRefused

from crawler.distributed.middlewares import MAX_REDIS_RESCHEDULES, TaskDoneMiddleware
from crawler.distributed.queue import ReliablePriorityQueue
from crawler.distributed.signals import task_left_downloader


def middleware_and_finished() -> tuple[TaskDoneMiddleware, list[Request], object]:
    crawler = get_crawler(settings_dict={"ECOPOLICY_REDIS_URL": "redis://127.0.0.1:1/0"})
    finished: list[Request] = []
    crawler.signals.connect(lambda request: finished.append(request), signal=task_left_downloader, weak=False)
    return TaskDoneMiddleware.from_crawler(crawler), finished, crawler.stats


def task_request() -> Request:
    return Request("https://example.org/news/a.html", meta={ReliablePriorityQueue.TASK_META: "7:-0"})


def test_a_redis_failure_schedules_the_request_again_and_finishes_nothing():
    middleware, finished, stats = middleware_and_finished()
    request = task_request()
    again = middleware.process_exception(request, RedisConnectionError("Error 111 connecting"))
    assert isinstance(again, Request)
    assert again.url == request.url
    assert again.dont_filter
    assert again.meta[ReliablePriorityQueue.TASK_META] == "7:-0"  # the scheduler retires the old task
    assert finished == []
    assert stats.get_value("distributed/rescheduled_after_redis_error") == 1


def test_a_failure_at_the_site_finishes_the_task():
    middleware, finished, _ = middleware_and_finished()
    request = task_request()
    assert middleware.process_exception(request, SiteRefused()) is None
    assert finished == [request]


def test_a_request_is_scheduled_again_a_bounded_number_of_times():
    middleware, finished, _ = middleware_and_finished()
    request = task_request()
    for _ in range(MAX_REDIS_RESCHEDULES):
        request = middleware.process_exception(request, RedisConnectionError("Error 111 connecting"))
        assert isinstance(request, Request)
    assert middleware.process_exception(request, RedisConnectionError("Error 111 connecting")) is None
    assert finished == [request]


def test_an_error_answer_from_a_reachable_redis_is_not_waited_for():
    middleware, finished, _ = middleware_and_finished()
    request = task_request()
    assert middleware.process_exception(request, ResponseError("WRONGTYPE")) is None
    assert finished == [request]

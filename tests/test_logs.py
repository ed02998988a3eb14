"""The crawl's logging: debug records are not built when no handler would emit them."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from scrapy.crawler import Crawler
from scrapy.utils.test import get_crawler

from crawler.logs import SkipUnemittedRecords, lowest_emitted_level


def _only(root: logging.Logger, *handlers: logging.Handler) -> None:
    """Leave *handlers* alone on *root* at level NOTSET, as Scrapy leaves it (pytest's own log
    capture, a handler taking everything, is added after fixtures run, so it goes here)."""
    root.handlers = list(handlers)
    root.setLevel(logging.NOTSET)


class _Counting(logging.Handler):
    """Counts the records that reach it (after its own level)."""

    def __init__(self, level: int) -> None:
        super().__init__(level)
        self.seen: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.seen.append(record)


@pytest.fixture
def bare_root() -> Iterator[tuple[logging.Logger, Crawler]]:
    """The root logger, its handlers and level restored after the test.

    The crawler is made here: making one installs Scrapy's own root handler, which the tests
    replace with their own.
    """
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    yield root, get_crawler()
    root.handlers = saved_handlers
    root.setLevel(saved_level)


def test_root_raised_to_the_handlers_level_so_debug_calls_build_no_record(
    bare_root: tuple[logging.Logger, Crawler], monkeypatch: pytest.MonkeyPatch
) -> None:
    root, crawler = bare_root
    handler = _Counting(logging.INFO)
    _only(root, handler)
    built: list[str] = []
    original = logging.Logger.makeRecord

    def counting_make_record(self: logging.Logger, *args: object, **kwargs: object) -> logging.LogRecord:
        if self.name == "pipelines.example":
            built.append(str(args[4]))  # makeRecord(name, level, fn, lno, msg, ...)
        return original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(logging.Logger, "makeRecord", counting_make_record)
    log = logging.getLogger("pipelines.example")
    log.debug("before: built and dropped")
    SkipUnemittedRecords.from_crawler(crawler)
    log.debug("after: not built")
    log.info("after: still emitted")
    assert built == ["before: built and dropped", "after: still emitted"]
    assert [r.getMessage() for r in handler.seen] == ["after: still emitted"]
    assert root.level == logging.INFO


def test_a_handler_taking_everything_keeps_the_root_open(bare_root: tuple[logging.Logger, Crawler]) -> None:
    root, crawler = bare_root
    everything, info = _Counting(logging.NOTSET), _Counting(logging.INFO)
    _only(root, everything, info)
    assert lowest_emitted_level(root) == logging.NOTSET
    SkipUnemittedRecords.from_crawler(crawler)
    logging.getLogger("crawler.example").debug("kept for the capture")
    assert [r.getMessage() for r in everything.seen] == ["kept for the capture"]
    assert info.seen == []


def test_a_level_chosen_for_the_root_is_left_alone(bare_root: tuple[logging.Logger, Crawler]) -> None:
    root, crawler = bare_root
    _only(root, _Counting(logging.WARNING))
    root.setLevel(logging.DEBUG)
    SkipUnemittedRecords.from_crawler(crawler)
    assert root.level == logging.DEBUG

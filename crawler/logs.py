"""Quiet crawl logs for people: progress lines and warnings, not Scrapy's start-up and stats dumps.

Scrapy logs, at INFO, its versions, every overridden setting, every enabled extension,
middleware and pipeline, and at the end the whole stats dictionary: some 170 lines for a demo
crawl that a person at a terminal does not read (the run summary file holds the same facts
for machines). Unless the log level was chosen (``--loglevel`` or ``-s LOG_LEVEL=...``) or
the log goes to a file (``LOG_FILE``, complete for machines), Scrapy's handler passes only
warnings and errors, and the project's own INFO lines (progress, files written) go to stderr
through a handler of their own on the loggers named in ECOPOLICY_INFO_LOGGERS. Errors of the
loggers in ECOPOLICY_QUIET_TRACEBACKS keep their message but lose the traceback (robots.txt
of an unreachable host: some 70 lines of Twisted frames for one DNS failure).
"""

from __future__ import annotations

import logging
import sys
from typing import Any

from scrapy.settings import SETTINGS_PRIORITIES


class NoTraceback(logging.Filter):
    """Keep the one-line message of an error, drop its traceback (a DNS failure is not a bug)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.exc_info = None
        record.exc_text = None
        return True


class BelowWarning(logging.Filter):
    """Pass only records below WARNING: warnings already reach Scrapy's own handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno < logging.WARNING


def chosen_log_level(settings: Any) -> bool:
    """True when LOG_LEVEL was set on the command line rather than left at the project default."""
    priority = settings.getpriority("LOG_LEVEL")
    return priority is not None and priority >= SETTINGS_PRIORITIES["cmdline"]


def quiet_logging(settings: Any) -> bool:
    """Make the crawl's log quiet (see the module); return whether it did.

    Call it before the CrawlerProcess is created: it lowers LOG_LEVEL to WARNING in *settings*.
    """
    if chosen_log_level(settings) or settings.get("LOG_FILE") or not settings.getbool("LOG_ENABLED", True):
        return False
    settings.set("LOG_LEVEL", "WARNING", priority="project")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(settings.get("LOG_FORMAT"), settings.get("LOG_DATEFORMAT")))
    handler.addFilter(BelowWarning())
    handler.setLevel(logging.INFO)
    for name in settings.getlist("ECOPOLICY_INFO_LOGGERS"):
        logger = logging.getLogger(name)
        if not any(isinstance(h.filters[0] if h.filters else None, BelowWarning) for h in logger.handlers):
            logger.addHandler(handler)
        if logger.level == logging.NOTSET or logger.level > logging.INFO:
            logger.setLevel(logging.INFO)
    for name in settings.getlist("ECOPOLICY_QUIET_TRACEBACKS"):
        logger = logging.getLogger(name)  # a filter: Scrapy's logging set-up keeps it
        if not any(isinstance(f, NoTraceback) for f in logger.filters):
            logger.addFilter(NoTraceback())
    return True


def lowest_emitted_level(root: logging.Logger) -> int:
    """The lowest level any handler of *root* emits (NOTSET when one takes everything)."""
    levels = [handler.level for handler in root.handlers]
    return min(levels) if levels else logging.NOTSET


class SkipUnemittedRecords:
    """Raise the root logger's level to the lowest level its handlers emit.

    Scrapy sets the root logger to NOTSET and filters by level in its handler, so every
    ``logger.debug`` call of a crawl at LOG_LEVEL INFO still builds a record (caller lookup,
    time stamp) only for the handler to drop it: per page and per item, in Scrapy's engine and in
    the project's pipelines. With the root at the handlers' lowest level the call returns at once;
    what reaches the log does not change. A handler that takes everything (level NOTSET, such as a
    test's log capture) leaves the root as it is.
    """

    @classmethod
    def from_crawler(cls, crawler: Any) -> SkipUnemittedRecords:
        root = logging.getLogger()
        if root.level == logging.NOTSET:
            root.setLevel(lowest_emitted_level(root))
        return cls()

"""A scheduler whose pending requests wait on disk, so a crawl's memory does not grow with the site.

Discovery reads a sitemap of 5,000 URLs or a long list walk in a few seconds and yields every
article request at once; Scrapy's default scheduler keeps them all in memory until the
downloader drains them (about 1 KB each, with their listing metadata). This scheduler is
Scrapy's own, given a private folder for its disk queues: requests are pickled to a file as
they are scheduled and read back as they are downloaded, so memory holds only the requests in
flight. The folder is created when the crawl starts and removed when it closes; it is not a
``JOBDIR`` (a killed crawl is resumed by the journal and seen-store, not by this queue).

A request that cannot be pickled (a callback that is not a spider method) stays in memory, as
Scrapy does for a ``JOBDIR`` crawl (stat ``scheduler/unserializable``).

Requests are written as Scrapy writes them (:meth:`scrapy.Request.to_dict`: callbacks by the
spider method's name), by :class:`MethodNameLifoDiskQueue`, which looks each callback's name up
once per method instead of listing the spider's members for every request.

Settings: ECOPOLICY_DISK_QUEUE (bool, default True; False keeps Scrapy's memory queues),
ECOPOLICY_DISK_QUEUE_DIR (parent folder of the private queue folder; default: the system's
temporary folder). When ``JOBDIR`` is set, Scrapy's own persistent queues are used unchanged.
The distributed crawl's scheduler (Redis) is not affected: the add-on below only replaces
Scrapy's default scheduler.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from scrapy.http.request import _find_method
from scrapy.squeues import PickleLifoDiskQueue
from scrapy.utils.job import job_dir
from scrapy.utils.misc import build_from_crawler, load_object

from crawler.state.jobdir import FailFastScheduler

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.settings import Settings
    from twisted.internet.defer import Deferred

SCRAPY_SCHEDULER = "scrapy.core.scheduler.Scheduler"
DISK_SCHEDULER = "crawler.scheduler.DiskQueueScheduler"


class MethodNameLifoDiskQueue(PickleLifoDiskQueue):  # type: ignore[misc,valid-type]
    """Scrapy's pickle LIFO disk queue, naming callbacks from a per-method cache.

    Scrapy finds a callback's name by listing every method of the spider (``inspect.getmembers``)
    for each request it writes, twice with an errback: over a millisecond a request on a large
    spider. The name of a method does not change during a crawl, so it is found once; the
    dict written, and a callback that is not a spider method (``ValueError``, kept in memory by
    the scheduler), are as Scrapy's.
    """

    _names: dict[Any, str]

    def push(self, request: Request) -> None:
        names = self.__dict__.setdefault("_names", {})
        callbacks = {"callback": request.callback, "errback": request.errback}
        request.callback = request.errback = None  # named below; put back whatever happens
        try:
            request_dict = request.to_dict(spider=self.spider)
        finally:
            request.callback, request.errback = callbacks["callback"], callbacks["errback"]
        for key, func in callbacks.items():
            request_dict[key] = self._method_name(names, func) if callable(func) else func
        super(PickleLifoDiskQueue, self).push(request_dict)

    def _method_name(self, names: dict[Any, str], func: Callable[..., Any]) -> str:
        """The spider's name for the method *func*, as :func:`scrapy.http.request._find_method` gives it."""
        key = getattr(func, "__func__", None)
        name = names.get(key) if key is not None else None
        if name is None:
            name = _find_method(self.spider, func)
            if key is not None:
                names[key] = name
        return name


class DiskQueueScheduler(FailFastScheduler):
    """Scrapy's scheduler with its pending requests in a private, temporary disk queue.

    A disk that fills under the queue closes the crawl (``state_write_failed``) instead of
    failing every push and pop forever, as a JOBDIR queue does.
    """

    _private_dir: str | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.getbool("ECOPOLICY_DISK_QUEUE", True) or job_dir(settings):
            return super().from_crawler(crawler)
        parent = settings.get("ECOPOLICY_DISK_QUEUE_DIR") or None
        folder = tempfile.mkdtemp(prefix="ecopolicy-queue-", dir=parent)
        scheduler = cls(
            dupefilter=build_from_crawler(load_object(settings["DUPEFILTER_CLASS"]), crawler),
            jobdir=folder,
            dqclass=load_object(settings["SCHEDULER_DISK_QUEUE"]),
            mqclass=load_object(settings["SCHEDULER_MEMORY_QUEUE"]),
            logunser=settings.getbool("SCHEDULER_DEBUG"),
            stats=crawler.stats,
            pqclass=load_object(settings["SCHEDULER_PRIORITY_QUEUE"]),
            crawler=crawler,
        )
        scheduler._private_dir = folder
        return scheduler

    def close(self, reason: str) -> Deferred[None] | None:
        try:
            return super().close(reason)
        finally:
            if self._private_dir is not None:
                shutil.rmtree(self._private_dir, ignore_errors=True)
                self._private_dir = None


class DiskQueueAddon:
    """Use :class:`DiskQueueScheduler` where a crawl would use Scrapy's default scheduler.

    An add-on (run after the scale-out add-on) rather than a ``SCHEDULER`` setting, so that a
    scheduler chosen by another add-on or by the user is left alone.
    """

    def update_settings(self, settings: Settings) -> None:
        if settings.get("SCHEDULER") == SCRAPY_SCHEDULER and settings.getbool("ECOPOLICY_DISK_QUEUE", True):
            settings.set("SCHEDULER", DISK_SCHEDULER, priority="addon")

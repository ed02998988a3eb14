"""Dated, atomic JSONL output through Scrapy's feed exports.

``FEEDS`` points at ``<output dir>/<crawl date>/<source>-<run id>.jsonl``. The storage below
writes to a hidden ``.part`` file beside the target and renames it only when the feed is
complete, so a reader (or a downstream ingester watching the folder) never sees a half file,
and a killed run leaves no ``.jsonl`` behind.
"""

from __future__ import annotations

import datetime
import logging
import os
import re
import secrets
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from scrapy.extensions.feedexport import FileFeedStorage

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)

PART_SUFFIX = ".part"
_SAFE_COMPONENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def new_run_id(now: datetime.datetime | None = None) -> str:
    """A run id that sorts by start time and does not collide between concurrent runs.

    >>> new_run_id(datetime.datetime(2026, 11, 26, 0, 4, 52, tzinfo=datetime.UTC))[:17]
    '20261126T000452Z-'
    """
    now = now or datetime.datetime.now(datetime.UTC)
    return f"{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


def _safe(name: str, value: str) -> str:
    """Refuse URI parameters that could escape the output folder (``../``, ``/``)."""
    if not _SAFE_COMPONENT.match(value) or ".." in value:
        raise ValueError(f"unsafe {name} for an output path: {value!r}")
    return value


def uri_params(params: dict[str, Any], spider: Spider) -> dict[str, Any]:
    """``FEED_URI_PARAMS``: the crawl date (UTC), source key, run id and worker id of this crawl."""
    started: datetime.datetime = spider.started_at
    return {
        **params,
        "crawl_date": started.strftime("%Y-%m-%d"),
        "source": _safe("source", spider.source.key),
        "run_id": _safe("run_id", spider.run_id),
        "worker": _safe("worker", str(spider.crawler.settings.get("ECOPOLICY_WORKER_ID") or "main")),
    }


def feeds_setting(settings: BaseSettings) -> dict[str, dict[str, Any]]:
    """``FEEDS`` for the output folder and file-name template in the settings."""
    output_dir = Path(settings.get("ECOPOLICY_OUTPUT_DIR", "output")).expanduser().resolve()
    template = settings.get("ECOPOLICY_OUTPUT_TEMPLATE")
    options: dict[str, Any] = {"format": "jsonlines", "encoding": "utf-8"}
    if settings.getbool("ECOPOLICY_OUTPUT_GZIP"):
        template += ".gz"
        options["postprocessing"] = ["scrapy.extensions.postprocessing.GzipPlugin"]
    # Not ``(output_dir / template).as_uri()``: it percent-quotes the ``%(name)s`` parameters,
    # which Scrapy then no longer fills in.
    return {f"{output_dir.as_uri()}/{template}": options}


class AtomicFileFeedStorage(FileFeedStorage):
    """A file feed storage that appears under its final name only when complete."""

    def __init__(self, uri: str, *, feed_options: dict[str, Any] | None = None) -> None:
        super().__init__(uri, feed_options=feed_options)
        target = Path(self.path)
        self._target = target
        self._part = target.with_name(f".{target.name}{PART_SUFFIX}")

    def open(self, spider: Spider) -> IO[bytes]:
        self._part.parent.mkdir(parents=True, exist_ok=True)
        return self._part.open("wb")

    def store(self, file: IO[bytes]) -> None:
        file.flush()
        os.fsync(file.fileno())
        file.close()
        if self._target.exists() and self.write_mode == "ab":
            with self._target.open("ab") as out, self._part.open("rb") as part:
                while chunk := part.read(1 << 20):
                    out.write(chunk)
            self._part.unlink()
        else:
            self._part.replace(self._target)
        logger.info("Wrote %s", self._target)

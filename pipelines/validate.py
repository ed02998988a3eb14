"""Check every record against the published JSON Schema before it is written.

A record that does not validate is a bug upstream (extraction or cleaning), so it is dropped
with the schema's own words in the log and counted, instead of reaching downstream ingesters.
Every record first goes through the compiled check (:func:`crawler.schema.record_is_valid`,
tens of microseconds); jsonschema judges and explains only the records it rejects.

Settings: ``ECOPOLICY_VALIDATE_ENABLED`` (bool, default True).
Stats: ``validate/dropped``, ``validate/error/<field>``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem, NotConfigured

from crawler.schema import record_is_valid, record_validator

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)


class SchemaValidationPipeline:
    """Drop (and count) records that do not match ``crawler/schema/record-v1.json``."""

    def __init__(self, stats: StatsCollector) -> None:
        self._stats = stats
        self._validator = record_validator()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("ECOPOLICY_VALIDATE_ENABLED", True):
            raise NotConfigured("ECOPOLICY_VALIDATE_ENABLED is False")
        return cls(crawler.stats)

    def process_item(self, item: Any) -> Any:
        # The compiled check reads the record in place (no deep copy); only a record it
        # rejects is copied and judged by jsonschema, which has the last word and the message.
        if record_is_valid(item if isinstance(item, dict) else dict(ItemAdapter(item))):
            return item
        record = ItemAdapter(item).asdict()
        errors = list(self._validator.iter_errors(record))
        if not errors:
            return item
        self._stats.inc_value("validate/dropped")
        for error in errors:
            field = str(error.path[0]) if error.path else "record"
            self._stats.inc_value(f"validate/error/{field}")
        first = errors[0]
        where = "/".join(str(p) for p in first.path) or "record"
        raise DropItem(f"Invalid record {record.get('url')}: {where}: {first.message}")

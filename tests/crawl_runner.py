"""Run several ``policy`` crawls in one process and write their stats and records as JSON.

A Twisted reactor starts once per process, so loopback crawl tests run their crawls here, in
a subprocess, all at once: ``python -m tests.crawl_runner SPEC.json RESULT.json`` where SPEC is
``{"settings": {...}, "crawls": [{"source": KEY, "args": {...}}]}`` and RESULT maps each source
key to ``{"stats": {...}, "items": [...]}``.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any


def main(spec_path: str, result_path: str) -> int:
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    from itemadapter import ItemAdapter
    from scrapy import signals
    from scrapy.crawler import CrawlerProcess

    from crawler.offline import project_settings

    spec = json.loads(Path(spec_path).read_text(encoding="utf-8"))
    # Records and run summaries beside the result, never in the repository's ./output.
    settings = {"ECOPOLICY_OUTPUT_DIR": str(Path(result_path).resolve().parent / "output")}
    process = CrawlerProcess(project_settings({**settings, **spec.get("settings", {})}))
    results: dict[str, dict[str, Any]] = {}
    crawlers = []
    handlers = []  # signal connections are weak references: keep the handlers alive
    for crawl in spec["crawls"]:
        key = crawl["source"]
        crawler = process.create_crawler("policy")
        entry: dict[str, Any] = {"items": [], "stats": {}}
        results[key] = entry

        def collect(item: Any, entry: dict[str, Any] = entry) -> None:
            entry["items"].append(ItemAdapter(item).asdict())

        handlers.append(collect)
        crawler.signals.connect(collect, signal=signals.item_scraped)
        crawlers.append((key, crawler))
        process.crawl(crawler, source=key, **crawl.get("args", {}))
    process.start()
    for key, crawler in crawlers:
        results[key]["stats"] = crawler.stats.get_stats() if crawler.stats else {}
    Path(result_path).write_text(json.dumps(results, default=str, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))

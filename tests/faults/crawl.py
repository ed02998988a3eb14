"""Run the policy spider against the fault server: ``python -m tests.faults.crawl BASE_URL OUTPUT``.

A Twisted reactor runs once per process, so the test starts this in a subprocess. The source
is built at run time for the server's port; timeouts and retries are short so the whole
crawl takes seconds.
"""

from __future__ import annotations

import sys

from scrapy.crawler import CrawlerProcess

from benchmarks.sitegen import ARTICLE_PATTERN
from crawler.offline import project_settings
from crawler.sources.base import Source
from crawler.spiders.policy import PolicySpider

SETTINGS = {
    "DOWNLOAD_TIMEOUT": 1.0,
    # The 50 MB pages must meet the size limit well before the timeout, also on a loaded
    # machine (16 MB did not always stream in under a second there).
    "DOWNLOAD_MAXSIZE": 4 * 1024 * 1024,
    "DOWNLOAD_WARNSIZE": 1024 * 1024,
    "RETRY_TIMES": 2,
    "CONCURRENT_REQUESTS": 32,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 32,
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "LOG_LEVEL": "DEBUG",
}


def fault_source(base_url: str) -> Source:
    return Source(
        key="faults",
        name="Misbehaving loopback site",
        language="zh",
        timezone="Asia/Shanghai",
        allowed_domains=("127.0.0.1",),
        feeds=(f"{base_url}/feed.xml", f"{base_url}/laughs.xml", f"{base_url}/xxe-feed.xml"),
        sitemaps=(f"{base_url}/sitemap.xml", f"{base_url}/xxe-sitemap.xml"),
        article_pattern=ARTICLE_PATTERN,
    )


def main(base_url: str, output: str) -> None:
    settings = project_settings(
        {**SETTINGS, "ECOPOLICY_OUTPUT_DIR": output, "LOG_FILE": f"{output}/crawl.log"}
    )
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(PolicySpider)
    process.crawl(crawler, source=fault_source(base_url), run_id="faults")
    process.start()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    import json

    with open(f"{output}/stats.json", "w", encoding="utf-8") as out:
        json.dump(stats, out, default=str, indent=1)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

"""Peak memory of the full crawler as the corpus grows: it must stay flat.

Crawls of 10,000 and 50,000 articles of the synthetic portal (each in a fresh process, the
site in its own process); peak RSS is the crawling process's ``ru_maxrss``. The baseline
spider's peak at the smaller size is given for scale. Target: the larger crawl's peak within
1.15 times the smaller one's (flat, not growing with the corpus).

``python -m benchmarks.memory [--quick] [--sizes 10000,50000]`` (quick: 1,000 and 5,000)
writes ``benchmarks/results/memory.json``.

``python -m benchmarks.memory --queue`` (seconds) measures one cause of growth on its own: the
peak RSS a scheduler adds while holding 10,000 and 50,000 pending article requests (with their
listing metadata, and the dupe filter's fingerprints), with Scrapy's memory queues and with the
crawl's disk queue (:mod:`crawler.scheduler`); each in a fresh process. Writes
``benchmarks/results/memory_queue.json``.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from benchmarks._harness import crawl, quick_mode, table, write_result
from benchmarks.sitegen import SiteProcess

TARGET_GROWTH = 1.15
COMMAND = "python -m benchmarks.memory"


def _sizes(argv: list[str] | None, quick: bool) -> tuple[int, ...]:
    args = list(argv or [])
    if "--sizes" in args:
        return tuple(int(n) for n in args[args.index("--sizes") + 1].split(","))
    return (1000, 5000) if quick else (10_000, 50_000)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    quick = quick_mode(argv)
    sizes = _sizes(argv, quick)
    runs: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="ecopolicy-mem-") as tmp:
        for size in sizes:
            with SiteProcess(size) as site:
                run = crawl("policy", size, Path(tmp) / f"policy-{size}", base_url=site.base_url)
                if size == sizes[0]:
                    baseline = crawl("baseline", size, Path(tmp) / f"baseline-{size}", base_url=site.base_url)
            runs.append(run)
    growth = runs[-1]["maxrss_mb"] / runs[0]["maxrss_mb"]
    met = growth <= TARGET_GROWTH
    rows = [
        [
            r["articles"],
            r["items"],
            round(r["maxrss_mb"], 1),
            round(r["stats"].get("scheduler/enqueued", 0)),
            round(r["wall_s"], 1),
        ]
        for r in runs
    ]
    command = COMMAND + (" --quick" if quick else "")
    markdown = "\n\n".join(
        [
            f"Command: `{command}`. Peak RSS of the crawling process (`ru_maxrss`).",
            table(["articles", "records", "peak RSS MB", "requests scheduled", "wall s"], rows),
            f"Growth {growth:.2f}x from {sizes[0]:,} to {sizes[-1]:,} articles (target <= {TARGET_GROWTH}x); "
            f"the baseline spider peaked at {baseline['maxrss_mb']:.1f} MB at {sizes[0]:,} articles.",
        ]
    )
    result = {
        "title": "Memory: peak RSS of the full crawler",
        "command": command,
        "quick": quick,
        "targets": [
            {
                "name": "peak RSS growth, largest/smallest crawl",
                "target": f"<= {TARGET_GROWTH}",
                "value": round(growth, 3),
                "met": met,
            }
        ],
        "runs": runs,
        "baseline": baseline,
        "markdown": markdown,
    }
    write_result("memory", result)
    return result


def queue_peak(count: int, disk: bool) -> float:
    """MB of peak RSS a scheduler adds holding *count* article requests (run in this process)."""
    import datetime
    import resource

    from scrapy import Request, Spider
    from scrapy.utils.test import get_crawler

    from crawler.discovery import Link
    from crawler.scheduler import DiskQueueScheduler

    class QueueSpider(Spider):
        name = "queue"

        def parse_article(self, response: object) -> None:
            pass

    settings = {
        "ECOPOLICY_DISK_QUEUE": disk,
        "SCHEDULER_PRIORITY_QUEUE": "scrapy.pqueues.ScrapyPriorityQueue",
        "REQUEST_FINGERPRINTER_CLASS": "crawler.fingerprint.CanonicalUrlFingerprinter",
    }
    crawler = get_crawler(QueueSpider, settings)
    crawler.spider = spider = QueueSpider()
    scheduler = DiskQueueScheduler.from_crawler(crawler)
    scheduler.open(spider)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for i in range(count):
        url = f"http://127.0.0.1:8000/news/2024{i % 12 + 1:02d}/t20240101_{100000 + i}.html"
        link = Link(url + "?utm_source=rss", "关于加强生态环境保护工作的通知 " * 2, datetime.date(2024, 1, 1))
        meta = {"ecopolicy_kind": "article", "listing": link}
        scheduler.enqueue_request(Request(url, callback=spider.parse_article, meta=meta))
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - before
    scheduler.close("finished")
    return grown


def queue_main() -> dict[str, Any]:
    """Scheduler memory at 10,000 and 50,000 pending requests, memory queue against disk queue."""
    import json
    import subprocess
    import sys

    from benchmarks._harness import REPO, python_env

    rows = []
    for disk in (False, True):
        peaks = []
        for count in (10_000, 50_000):
            code = f"from benchmarks.memory import queue_peak; print(queue_peak({count}, {disk}))"
            done = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=python_env(),
                                  capture_output=True, text=True, check=True)  # fmt: skip
            peaks.append(float(done.stdout.strip().splitlines()[-1]))
        rows.append(["disk" if disk else "memory (Scrapy's default)", *(round(p, 1) for p in peaks),
                     round(peaks[1] - peaks[0], 1)])  # fmt: skip
    markdown = "\n\n".join([
        f"Command: `{COMMAND} --queue`. Peak RSS a scheduler adds while 10,000 / 50,000 article requests "
        "wait (listing metadata and dupe-filter fingerprints included), each in a fresh process:",
        table(["queue", "MB at 10,000", "MB at 50,000", "growth MB"], rows),
    ])  # fmt: skip
    result = {"title": "Memory: scheduler queue", "command": f"{COMMAND} --queue", "rows": rows,
              "markdown": markdown, "raw": json.loads(json.dumps(rows))}  # fmt: skip
    write_result("memory_queue", result)
    return result


if __name__ == "__main__":
    import sys

    if "--queue" in sys.argv[1:]:
        print(queue_main()["markdown"])
    else:
        print(main(sys.argv[1:])["markdown"])

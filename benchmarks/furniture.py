"""Per-source furniture on real pages: what it removes, whether that was article text, what it costs.

Every real page with ground truth (``tests/fixtures/realpages``, one part) is processed the way a
crawl with a state folder processes it: extraction, then the item pipelines (cleaning, finalise,
schema check; the seen-store and near-duplicate steps off, so the only difference is furniture),
each page's site taken as its source, pages of a site in a fixed order. Two configurations are
timed alternately in the same run, each round with a fresh state folder: furniture off, and
furniture on (SQLite counts). Extraction is timed once (it does not depend on furniture); the
cost per page is given as the ratio of the pipelines' time and as the ratio of extraction plus
pipelines (best round of each).

Quality, for ``--min-articles`` (default 2, the "caught by the second page" setting, so sites
with two pages can show anything): every line furniture removed is looked up in the page's
expected body; one found there is a false cut. Body F1 with and without furniture is given for
the pages of sites with more than one page.

``--crawl N`` also times whole ``ecopolicy crawl --state`` processes of a generated loopback
site of N articles (:mod:`tests.sitegen`, plain selectors, so an upper bound of the share
furniture takes) without and with furniture: CPU seconds of the crawl process, best round.

``python -m benchmarks.furniture [--part dev] [--rounds 2] [--min-articles 2] [--crawl N]``
writes ``benchmarks/results/furniture.json``.
"""

from __future__ import annotations

import argparse
import copy
import datetime
import os
import re
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any

from itemadapter import ItemAdapter
from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.conf import build_component_list
from scrapy.utils.misc import build_from_crawler, load_object

from benchmarks._harness import REPO, python_env, table, write_result
from benchmarks._realpages import RealPage, body_scores, load_pages
from crawler.extraction import ExtractionError, extract_article
from crawler.offline import project_settings
from crawler.records import build_record
from pipelines.furniture import furniture_key

NOW = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
COMMAND = "python -m benchmarks.furniture"
_SPACE = re.compile(r"\s+")
CRAWL_SETTINGS = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "ROBOTSTXT_OBEY=False",
                  "-s", "SPIDER_MODULES=['tests.sitegen']", "-s", "REMOTE_CONTROL_ENABLED=False",
                  "-s", "CONCURRENT_REQUESTS=32", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=32",
                  "-s", "ECOPOLICY_NEARDUP_ENABLED=False", "-s", "LOGSTATS_INTERVAL=0",
                  "--loglevel", "WARNING"]  # fmt: skip


def source_key(site: str) -> str:
    """A registry-shaped key for a page's site (``site:163.com`` -> ``s_163_com``)."""
    return "s_" + re.sub(r"[^a-z0-9]+", "_", site.split(":", 1)[-1].casefold()).strip("_")[:60]


def build_chain(state_dir: Path | None, min_articles: int) -> tuple[Crawler, list[Any]]:
    """The crawl's item pipelines, with or without furniture, built through their factories."""
    overrides: dict[str, Any] = {
        "ECOPOLICY_SEEN_ENABLED": False,
        "ECOPOLICY_NEARDUP_ENABLED": False,
        "ECOPOLICY_REDIS_URL": "",
        "ECOPOLICY_FURNITURE_MIN_ARTICLES": min_articles,
        "ECOPOLICY_FURNITURE_ENABLED": state_dir is not None,
        "ECOPOLICY_STATE_DIR": str(state_dir) if state_dir else None,
    }
    settings = project_settings(overrides)
    crawler = Crawler(Spider, settings)
    crawler.stats = MemoryStatsCollector(crawler)
    chain = []
    for path in build_component_list(settings.getwithbase("ITEM_PIPELINES")):
        try:
            chain.append(build_from_crawler(load_object(path), crawler))
        except NotConfigured:
            continue
    return crawler, chain


def extract_all(pages: list[RealPage]) -> tuple[dict[str, dict[str, Any]], float]:
    """Every page's extraction (pages that give none are left out), and the seconds it took."""
    extracted: dict[str, dict[str, Any]] = {}
    started = time.perf_counter()
    for page in pages:
        try:
            fields = extract_article(page.raw, page.url, None, now=NOW)
        except ExtractionError:
            continue
        fields.pop("events", None)
        extracted[page.key] = fields
    return extracted, time.perf_counter() - started


def process(
    pages: list[RealPage], extracted: dict[str, dict[str, Any]], chain: list[Any]
) -> tuple[dict[str, dict[str, Any] | None], float]:
    """The record of every page (None where a pipeline dropped it) and the pipelines' seconds."""
    items = {
        page.key: build_record(
            copy.deepcopy(extracted[page.key]), url=page.url, source_key=source_key(page.site), crawled_at=NOW
        )
        for page in pages
        if page.key in extracted
    }
    records: dict[str, dict[str, Any] | None] = {}
    furniture_key.cache_clear()  # each round meets the lines for the first time, as a crawl does
    started = time.perf_counter()
    for key, item in items.items():
        try:
            for pipeline in chain:
                item = pipeline.process_item(item)
        except DropItem:
            records[key] = None
            continue
        records[key] = item
    for pipeline in chain:
        if hasattr(pipeline, "close_spider"):
            pipeline.close_spider()
    seconds = time.perf_counter() - started
    return {key: ItemAdapter(r).asdict() if r is not None else None for key, r in records.items()}, seconds


def timed_rounds(pages: list[RealPage], rounds: int, min_articles: int) -> dict[str, Any]:
    """Best-of-*rounds* pipeline seconds per configuration, alternating, a fresh state folder each.

    A first untimed round of each warms the caches both share (regexes, the text helpers').
    """
    extracted, extraction = extract_all(pages)
    best = {"off": float("inf"), "on": float("inf")}
    records: dict[str, dict[str, dict[str, Any] | None]] = {}
    for round_ in range(rounds + 1):
        for name in ("off", "on"):
            with tempfile.TemporaryDirectory() as tmp:
                _, chain = build_chain(Path(tmp) if name == "on" else None, min_articles)
                records[name], seconds = process(pages, extracted, chain)
            if round_:
                best[name] = min(best[name], seconds)
    return {"seconds": best, "extraction": extraction, "records": records, "pages": len(extracted)}


def crawl_cpu(base_url: str, work: Path, furniture: bool) -> dict[str, Any]:
    """One ``ecopolicy crawl --state`` process of the generated site: CPU and wall seconds."""
    command = [sys.executable, "-m", "crawler.cli", "crawl", "--spider", "sitegen", "--source", "gen",
               "--output", str(work / "out"), "--state", str(work / "state"), *CRAWL_SETTINGS,
               "-s", f"ECOPOLICY_FURNITURE_ENABLED={furniture}",
               "-s", f"SITEGEN_SITES={{'gen': {base_url!r}}}"]  # fmt: skip
    with tempfile.TemporaryFile() as stderr:
        started = time.perf_counter()
        process = subprocess.Popen(
            command, cwd=REPO, env=python_env(), stdout=subprocess.DEVNULL, stderr=stderr
        )
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
        if os.waitstatus_to_exitcode(status) != 0:
            stderr.seek(0)
            raise RuntimeError(f"crawl failed: {stderr.read().decode()[-2000:]}")
    return {"cpu": usage.ru_utime + usage.ru_stime, "wall": elapsed}


def crawl_rounds(articles: int, rounds: int) -> dict[str, Any]:
    """Best-of-*rounds* CPU seconds of whole crawls without and with furniture, alternating.

    The generated site's spider reads pages with plain selectors (no extraction), so the
    furniture steps weigh more here than in a crawl of real pages: an upper bound.
    """
    from tests.sitegen import GeneratedSite, make_articles

    site = GeneratedSite().start()
    best = {"off": float("inf"), "on": float("inf")}
    try:
        site.publish(make_articles(articles), per_page=200)
        for _ in range(rounds):
            for name in ("off", "on"):
                with tempfile.TemporaryDirectory() as tmp:
                    best[name] = min(best[name], crawl_cpu(site.base_url, Path(tmp), name == "on")["cpu"])
    finally:
        site.stop()
    return {"articles": articles, "cpu_seconds": best, "ratio": best["on"] / best["off"]}


def _fold(text: str) -> str:
    return _SPACE.sub("", unicodedata.normalize("NFKC", text).casefold())


def quality(pages: list[RealPage], on: dict[str, Any], off: dict[str, Any]) -> dict[str, Any]:
    """Removals, false cuts (removed text that is in the expected body) and body F1 on shared sites."""
    per_site = Counter(page.site for page in pages)
    removals, false_cuts, scores = [], [], {"off": [], "on": []}
    for page in pages:
        record = on.get(page.key)
        truth = "\n".join(page.expected["paragraphs"])
        for entry in (record or {}).get("removed") or []:
            if entry.get("step") != "furniture":
                continue
            cut = {"page": page.key, "text": entry["text"], "reason": entry["reason"]}
            removals.append(cut)
            if _fold(entry["text"]) in _fold(truth):
                false_cuts.append(cut)
        if per_site[page.site] > 1:
            for name, records in (("off", off), ("on", on)):
                body = "\n".join((records.get(page.key) or {}).get("paragraphs") or [])
                scores[name].append(body_scores(body, truth, page.language)[2])
    mean = {name: sum(v) / len(v) if v else 0.0 for name, v in scores.items()}
    shared = sum(n for n in per_site.values() if n > 1)
    return {"removals": removals, "false_cuts": false_cuts, "shared_site_pages": shared, "body_f1": mean}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", default="dev", choices=["dev", "test"])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--min-articles", type=int, default=2)
    parser.add_argument(
        "--crawl", type=int, default=0, metavar="N", help="also time whole crawls of N articles"
    )
    args = parser.parse_args(argv)
    pages = sorted((p for p in load_pages(part=args.part) if p.has_body_truth), key=lambda p: (p.site, p.key))
    timing = timed_rounds(pages, args.rounds, args.min_articles)
    seconds, extraction, n = timing["seconds"], timing["extraction"], timing["pages"]
    found = quality(pages, timing["records"]["on"], timing["records"]["off"])
    per_page = {name: 1000 * s / n for name, s in seconds.items()}
    per_page["extraction"] = 1000 * extraction / n
    page_ratio = (extraction + seconds["on"]) / (extraction + seconds["off"])
    print(
        f"{n} {args.part} pages extracted, {found['shared_site_pages']} of them on sites with several pages"
    )
    rows = [["extraction", per_page["extraction"]], ["pipelines, furniture off", per_page["off"]],
            ["pipelines, furniture on (SQLite)", per_page["on"]],
            ["furniture's own cost", per_page["on"] - per_page["off"]]]  # fmt: skip
    print(table(["per page", "ms"], rows))
    print(f"pipelines ratio (on / off): {seconds['on'] / seconds['off']:.3f}; "
          f"page ratio with extraction: {page_ratio:.3f}")  # fmt: skip
    print(
        f"furniture removals: {len(found['removals'])}, false cuts (text in the expected body): "
        f"{len(found['false_cuts'])}; body F1 on shared-site pages: off {found['body_f1']['off']:.3f}, "
        f"on {found['body_f1']['on']:.3f}"
    )
    if args.part == "dev":  # individual test pages are never shown
        for cut in found["removals"]:
            mark = "FALSE CUT" if cut in found["false_cuts"] else "ok"
            print(f"  [{mark}] {cut['page']}: {cut['text'][:80]!r} ({cut['reason']})")
    crawls = crawl_rounds(args.crawl, args.rounds) if args.crawl else None
    if crawls:
        cpu = crawls["cpu_seconds"]
        print(f"whole crawls of {args.crawl} generated articles (CPU s): off {cpu['off']:.2f}, "
              f"on {cpu['on']:.2f}, ratio {crawls['ratio']:.3f}")  # fmt: skip
    write_result(
        "furniture",
        {"command": COMMAND, "part": args.part, "pages": len(pages), "pages_extracted": n,
         "min_articles": args.min_articles,
         "ms_per_page": per_page, "pipelines_ratio": seconds["on"] / seconds["off"], "page_ratio": page_ratio,
         "removals": len(found["removals"]), "false_cuts": len(found["false_cuts"]),
         "body_f1_shared_sites": found["body_f1"], "crawls": crawls},
    )  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

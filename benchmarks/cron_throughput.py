"""Scheduled-run throughput: the crawler with a state folder against a plain Scrapy baseline.

A cron run (``ecopolicy crawl --state DIR``) adds the seen-store, the per-source furniture
counts, the near-duplicate index and conditional requests to the stateless crawl. This measures
its first run over a new site (every article new, so every article is extracted, cleaned,
checked and stored) as a ratio to the plain Scrapy spider of :mod:`benchmarks.baseline_spider`
on the same 3,000-article site, at 16 and 64 concurrent requests, in interleaved rounds
(baseline, stateless crawl, cron crawl; order rotated each round), each with a fresh state
folder. Extraction workers: the default (the machine's cores minus one). Targets: cron >= 0.4
and stateless >= 0.5 of the baseline's articles per second.

``python -m benchmarks.cron_throughput [--quick] [--turns N]`` (quick: 1,000 articles, one
round; default three rounds) writes ``benchmarks/results/throughput_cron.json``.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

from benchmarks._harness import quick_mode, table, write_result
from benchmarks._rounds import ROWS_HEADER, Variant, interleaved_rounds, mean_ratio, ratio_rows
from benchmarks.sitegen import SiteProcess

COMMAND = "python -m benchmarks.cron_throughput"
TARGETS = {"stateless": 0.5, "cron": 0.4}
CONCURRENCY = (16, 64)

VARIANTS: dict[str, Variant] = {
    "baseline": lambda out: ("baseline", {}),
    "stateless": lambda out: ("policy", {}),
    "cron": lambda out: ("policy", {"ECOPOLICY_STATE_DIR": str(out / "state")}),  # a fresh state folder
}
RUNS = tuple(VARIANTS)


def _targets(rows: list[list[Any]]) -> list[dict[str, Any]]:
    """Mean ratio per crawl kind and concurrency against its target."""
    targets = []
    for name, target in TARGETS.items():
        for concurrency in CONCURRENCY:
            mean = mean_ratio(rows, name, concurrency)
            targets.append({"name": f"{name}/baseline at {concurrency}", "target": f">= {target}",
                            "value": round(mean, 3), "met": mean >= target})  # fmt: skip
    return targets


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = list(sys.argv[1:] if argv is None else argv)
    quick = quick_mode(args)
    size, turns = (1000, 1) if quick else (3000, 3)
    if "--turns" in args:
        turns = int(args[args.index("--turns") + 1])
    with tempfile.TemporaryDirectory(prefix="ecopolicy-bench-") as tmp, SiteProcess(size) as site:
        raw = interleaved_rounds(size, VARIANTS, concurrencies=CONCURRENCY, turns=turns, work=Path(tmp),
                                 base_url=site.base_url)  # fmt: skip
    rows = ratio_rows(raw, RUNS)
    targets = _targets(rows)
    command = f"{COMMAND}{' --quick' if quick else ''} --turns {turns}"
    means = "; ".join(f"{t['name']}: {t['value']:.2f} (target {t['target']})" for t in targets)
    markdown = "\n\n".join(
        [
            f"Command: `{command}`. {size:,} articles, site served by its own process, a fresh state "
            "folder for each cron crawl (its first run: every article new); CPU ms/article includes "
            "the extraction workers.",
            table(ROWS_HEADER, rows),
            f"Mean ratio to the baseline: {means}.",
        ]
    )
    result = {"title": "Scheduled-run throughput: cron mode vs plain Scrapy baseline", "command": command,
              "quick": quick, "targets": targets, "rows": raw, "markdown": markdown}  # fmt: skip
    write_result("throughput_cron", result)
    return result


if __name__ == "__main__":
    if {"-h", "--help"} & set(sys.argv[1:]):
        print(__doc__)
        sys.exit(0)
    print(main()["markdown"])

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

from benchmarks._harness import crawl, quick_mode, table, write_result
from benchmarks.sitegen import SiteProcess

COMMAND = "python -m benchmarks.cron_throughput"
TARGETS = {"stateless": 0.5, "cron": 0.4}
RUNS = ("baseline", "stateless", "cron")
CONCURRENCY = (16, 64)


def _rate(run: dict[str, Any]) -> float:
    return run["items"] / run["wall_s"] if run["wall_s"] else 0.0


def _round(size: int, concurrency: int, turn: int, work: Path, base_url: str) -> dict[str, Any]:
    """One crawl of each kind, in an order rotated by *turn*; the cron crawl starts from no state."""
    order = RUNS[turn % len(RUNS) :] + RUNS[: turn % len(RUNS)]
    runs: dict[str, Any] = {}
    for name in order:
        out = work / f"{concurrency}-{turn}-{name}"
        settings: dict[str, Any] = {"CONCURRENT_REQUESTS": concurrency}
        if name == "cron":
            settings["ECOPOLICY_STATE_DIR"] = str(out / "state")
        spider = "baseline" if name == "baseline" else "policy"
        runs[name] = crawl(spider, size, out, base_url=base_url, settings=settings)
    return runs


def _rows(raw: list[dict[str, Any]]) -> list[list[Any]]:
    rows = []
    for entry in raw:
        base = _rate(entry["runs"]["baseline"])
        for name in RUNS:
            run = entry["runs"][name]
            cpu_ms = 1000 * run["cpu_s"] / max(run["items"], 1)
            ratio = round(_rate(run) / base, 3) if base else 0.0
            rows.append([entry["concurrency"], entry["turn"], name, run["items"], round(_rate(run), 1),
                         round(cpu_ms, 2), ratio])  # fmt: skip
    return rows


def _targets(rows: list[list[Any]]) -> list[dict[str, Any]]:
    """Mean ratio per crawl kind and concurrency against its target."""
    targets = []
    for name, target in TARGETS.items():
        for concurrency in CONCURRENCY:
            ratios = [row[6] for row in rows if row[0] == concurrency and row[2] == name]
            mean = sum(ratios) / len(ratios) if ratios else 0.0
            targets.append({"name": f"{name}/baseline at {concurrency}", "target": f">= {target}",
                            "value": round(mean, 3), "met": mean >= target})  # fmt: skip
    return targets


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = list(sys.argv[1:] if argv is None else argv)
    quick = quick_mode(args)
    size, turns = (1000, 1) if quick else (3000, 3)
    if "--turns" in args:
        turns = int(args[args.index("--turns") + 1])
    raw: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="ecopolicy-bench-") as tmp, SiteProcess(size) as site:
        for concurrency in CONCURRENCY:
            for turn in range(turns):
                runs = _round(size, concurrency, turn, Path(tmp), site.base_url)
                raw.append({"concurrency": concurrency, "turn": turn, "runs": runs})
    rows = _rows(raw)
    targets = _targets(rows)
    command = f"{COMMAND}{' --quick' if quick else ''} --turns {turns}"
    means = "; ".join(f"{t['name']}: {t['value']:.2f} (target {t['target']})" for t in targets)
    markdown = "\n\n".join(
        [
            f"Command: `{command}`. {size:,} articles, site served by its own process, a fresh state "
            "folder for each cron crawl (its first run: every article new); CPU ms/article includes "
            "the extraction workers.",
            table(["concurrency", "turn", "crawl", "items", "art/s", "CPU ms/art", "ratio"], rows),
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

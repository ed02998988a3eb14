"""Peak memory of the full crawler as the corpus grows: it must stay flat.

Crawls of 10,000 and 50,000 articles of the synthetic portal (each in a fresh process, the
site in its own process); peak RSS is the crawling process's ``ru_maxrss``. The baseline
spider's peak at the smaller size is given for scale. Target: the larger crawl's peak within
1.25 times the smaller one's (flat, not growing with the corpus).

``python -m benchmarks.memory [--quick] [--sizes 10000,50000]`` (quick: 1,000 and 5,000)
writes ``benchmarks/results/memory.json``.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from benchmarks._harness import crawl, quick_mode, table, write_result
from benchmarks.sitegen import SiteProcess

TARGET_GROWTH = 1.25
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
            round(r["stats"].get("scheduler/enqueued/memory", 0)),
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


if __name__ == "__main__":
    import sys

    print(main(sys.argv[1:])["markdown"])

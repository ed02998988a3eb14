"""Shared plumbing of the benchmarks: running measured crawls and reading their profiles."""

from __future__ import annotations

import json
import os
import pstats
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"


def quick_mode(argv: list[str] | None) -> bool:
    """``--quick`` on the command line or ``ECOPOLICY_BENCH_QUICK=1`` in the environment."""
    return "--quick" in (argv or []) or os.environ.get("ECOPOLICY_BENCH_QUICK") == "1"


def python_env() -> dict[str, str]:
    """The environment for child processes, with the repository importable."""
    return {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}


def crawl(
    spider: str,
    articles: int,
    output: Path,
    *,
    base_url: str = "",
    server: str = "process",
    profile: Path | None = None,
    seed: int = 1,
    settings: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Run one crawl in a fresh process (:mod:`benchmarks._crawl`) and return its measurements.

    *settings* override the crawl's Scrapy settings (e.g. ``CONCURRENT_REQUESTS``,
    ``ECOPOLICY_EXTRACT_WORKERS``), for both spiders alike.
    """
    cmd = [
        sys.executable,
        "-m",
        "benchmarks._crawl",
        "--spider",
        spider,
        "--articles",
        str(articles),
        "--seed",
        str(seed),
        "--output",
        str(output),
        "--server",
        server,
    ]
    if base_url:
        cmd += ["--base-url", base_url]
    if profile:
        cmd += ["--profile", str(profile)]
    if settings:
        cmd += ["--settings", json.dumps(settings)]
    done = subprocess.run(cmd, cwd=REPO, env=python_env(), capture_output=True, text=True, check=False)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"crawl {spider} failed ({done.returncode}): {done.stderr[-2000:]}")
    return json.loads(lines[-1])


# --- profile attribution ---------------------------------------------------------------------------
# Stages measured as the cumulative time of their entry point (file suffix, function name).
ENTRY_POINTS: dict[str, tuple[str, str]] = {
    "extraction": ("crawler/extraction/__init__.py", "extract_article"),
    "record assembly": ("crawler/records.py", "build_record"),
    "cleaning: normalise": ("pipelines/normalise.py", "clean"),
    "cleaning: boilerplate": ("pipelines/boilerplate.py", "clean"),
    "cleaning: paywall": ("pipelines/paywall.py", "clean"),
    "cleaning: dedupe": ("pipelines/dedupe.py", "clean"),
    "cleaning: repair": ("pipelines/repair.py", "clean"),
    "cleaning: pipeline wrapper": ("pipelines/_step.py", "process_item"),
    "finalise (text, hash)": ("pipelines/finalise.py", "process_item"),
    "schema validation": ("pipelines/validate.py", "process_item"),
    "output (JSONL export)": ("scrapy/extensions/feedexport.py", "item_scraped"),
    "discovery: feed": ("crawler/spiders/policy.py", "parse_feed"),
    "discovery: sitemap": ("crawler/spiders/policy.py", "parse_sitemap"),
    "discovery: list pages": ("crawler/spiders/policy.py", "parse_list"),
}
# What is left is split by the module whose Python code (or whose call of a C function) ran.
REMAINDER: tuple[tuple[str, str], ...] = (
    ("engine: asyncio event loop", "/asyncio/"),
    ("download: HTTP client, Twisted reactor", "/twisted/"),
    ("download: Scrapy downloader and middlewares", "/scrapy/core/downloader/"),
    ("download: Scrapy downloader and middlewares", "/scrapy/downloadermiddlewares/"),
    ("download: response objects, decoding", "/scrapy/http/"),
    ("download: response objects, decoding", "/scrapy/responsetypes"),
    ("download: response objects, decoding", "/w3lib/"),
    ("engine, scheduler, scraper", "/scrapy/core/"),
    ("engine, scheduler, scraper", "/scrapy/utils/"),
    ("engine, scheduler, scraper", "/scrapy/"),
    ("spider callbacks (other)", "crawler/spiders/"),
    ("spider callbacks (other)", "/parsel/"),
)


def _bucket(path: str) -> str:
    for name, fragment in REMAINDER:
        if fragment in path:
            return name
    return "other (logging, stdlib, GC)"


def attribute_profile(path: Path) -> dict[str, float]:
    """Share of profiled CPU time per stage (shares add up to 1).

    Named stages take the cumulative time of their entry point; the rest is split by the
    file of the Python function that spent it, a C function's time going to its callers in
    proportion to their calls' time.
    """
    stats = pstats.Stats(str(path)).stats  # type: ignore[attr-defined]
    total = sum(entry[2] for entry in stats.values())
    shares: dict[str, float] = {}
    inside: set[tuple[str, int, str]] = set()
    keys = {
        stage: [k for k in stats if k[0].endswith(suffix) and k[2] == func]
        for stage, (suffix, func) in ENTRY_POINTS.items()
    }
    roots = {k for found in keys.values() for k in found}
    for stage, found in keys.items():
        cumulative = sum(stats[k][3] for k in found)
        # A stage calling another (the pipeline wrapper calling a step) keeps only its own share.
        nested = sum(v[3] for other in roots for caller, v in stats[other][4].items() if caller in found)
        shares[stage] = max(cumulative - nested, 0.0)
    # Functions reached from a named stage must not be counted again in the remainder.
    children: dict[tuple[str, int, str], list[tuple[str, int, str]]] = {}
    for callee, entry in stats.items():
        for caller in entry[4]:
            children.setdefault(caller, []).append(callee)
    stack = list(roots)
    while stack:
        key = stack.pop()
        if key in inside:
            continue
        inside.add(key)
        stack.extend(children.get(key, ()))
    named = sum(shares.values())
    remainder: dict[str, float] = {}
    for key, entry in stats.items():
        if key in inside:
            continue
        if key[0] == "~":  # a C function: charge its callers' files
            spent = sum(v[2] for v in entry[4].values()) or 1.0
            for caller, v in entry[4].items():
                if caller in inside:
                    continue
                bucket = _bucket(caller[0])
                remainder[bucket] = remainder.get(bucket, 0.0) + entry[2] * v[2] / spent
        else:
            bucket = _bucket(key[0])
            remainder[bucket] = remainder.get(bucket, 0.0) + entry[2]
    rest = sum(remainder.values()) or 1.0
    scale = max(total - named, 0.0) / rest  # callers inside named stages were excluded above
    for bucket, value in remainder.items():
        shares[bucket] = shares.get(bucket, 0.0) + value * scale
    return {k: v / total for k, v in sorted(shares.items(), key=lambda kv: -kv[1]) if v > 0}


def write_result(name: str, result: dict[str, Any]) -> Path:
    """Write ``benchmarks/results/<name>.json``."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    return path


def table(header: list[str], rows: list[list[Any]]) -> str:
    """A Markdown table."""

    def cell(v: Any) -> str:
        return f"{v:,.2f}" if isinstance(v, float) else f"{v:,}" if isinstance(v, int) else str(v)

    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)

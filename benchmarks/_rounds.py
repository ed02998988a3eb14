"""Interleaved crawl rounds: plain Scrapy and variants of the full crawler on one site.

Each round crawls every variant once, in an order rotated from round to round, so a noisy
neighbour on a shared machine weighs on all of them alike; a variant's rate is divided by the
baseline's rate of the same round (the variant named ``"baseline"``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks._harness import crawl

Variant = Callable[[Path], tuple[str, dict[str, Any]]]
"""Given the crawl's output folder: the spider to run and the settings it adds."""

ROWS_HEADER = ["concurrency", "turn", "crawl", "items", "art/s", "CPU ms/art", "ratio"]


def rate(run: dict[str, Any]) -> float:
    """Articles per second of one measured crawl."""
    return run["items"] / run["wall_s"] if run["wall_s"] else 0.0


def interleaved_rounds(
    size: int,
    variants: dict[str, Variant],
    *,
    concurrencies: tuple[int, ...],
    turns: int,
    work: Path,
    base_url: str,
) -> list[dict[str, Any]]:
    """``turns`` rounds at each concurrency: ``{"concurrency", "turn", "runs": {name: crawl}}``."""
    names = tuple(variants)
    raw = []
    for concurrency in concurrencies:
        for turn in range(turns):
            shift = turn % len(names)
            runs: dict[str, Any] = {}
            for name in names[shift:] + names[:shift]:
                out = work / f"{concurrency}-{turn}-{name.replace(' ', '')}"
                spider, settings = variants[name](out)
                settings = {"CONCURRENT_REQUESTS": concurrency, **settings}
                runs[name] = crawl(spider, size, out, base_url=base_url, settings=settings)
            raw.append({"concurrency": concurrency, "turn": turn, "runs": runs})
    return raw


def ratio_rows(raw: list[dict[str, Any]], names: tuple[str, ...]) -> list[list[Any]]:
    """One table row per crawl (``ROWS_HEADER``), in round order, then in the order of *names*."""
    rows = []
    for entry in raw:
        base = rate(entry["runs"]["baseline"])
        for name in names:
            run = entry["runs"][name]
            cpu_ms = 1000 * run["cpu_s"] / max(run["items"], 1)
            ratio = round(rate(run) / base, 3) if base else 0.0
            rows.append([entry["concurrency"], entry["turn"], name, run["items"], round(rate(run), 1),
                         round(cpu_ms, 2), ratio])  # fmt: skip
    return rows


def mean_ratio(rows: list[list[Any]], name: str, concurrency: int) -> float:
    """The mean over rounds of *name*'s ratio to the baseline at *concurrency*."""
    ratios = [row[6] for row in rows if row[0] == concurrency and row[2] == name]
    return sum(ratios) / len(ratios) if ratios else 0.0

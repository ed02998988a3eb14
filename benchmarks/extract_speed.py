"""Extraction and cleaning alone: ``ecopolicy extract``'s code path against trafilatura.

Pages per second of :class:`crawler.offline.OfflineExtractor` (extraction, then every
cleaning pipeline, finalisation and schema validation: the exact path of ``ecopolicy
extract``) over the stored evaluation pages (``tests/fixtures/pages``), as a ratio to
``trafilatura.extract()`` on the same page bytes, timed alternately in the same run (best of
several rounds, so a noisy neighbour on a shared machine hurts both alike). Synthetic
portal pages (:mod:`benchmarks.sitegen`) are timed the same way as a second set.
Target: ratio >= 1.0.

``python -m benchmarks.extract_speed [--quick]`` writes ``benchmarks/results/extract_speed.json``.
"""

from __future__ import annotations

import datetime
import logging
import time
from collections.abc import Callable
from typing import Any

import trafilatura
from scrapy.exceptions import DropItem

from benchmarks._harness import quick_mode, table, write_result
from benchmarks.sitegen import SyntheticSite
from crawler.extraction import ExtractionError
from crawler.offline import OfflineExtractor

TARGET = 1.0
COMMAND = "python -m benchmarks.extract_speed"
NOW = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)


def _stored_pages() -> list[tuple[bytes, str, Any]]:
    from tests.extraction_fixtures import load_pages

    return [(page.raw, page.url, page.source) for page in load_pages()]


def _synthetic_pages(n: int) -> list[tuple[bytes, str, Any]]:
    site = SyntheticSite(n, seed=3)
    return [
        (site.article(i).html.encode(), "http://127.0.0.1" + site.article_path(i), None) for i in range(n)
    ]


def _time(run: Callable[[], int], rounds: int) -> tuple[float, int]:
    best, ok = float("inf"), 0
    for _ in range(rounds):
        start = time.perf_counter()
        ok = run()
        best = min(best, time.perf_counter() - start)
    return best, ok


def compare(pages: list[tuple[bytes, str, Any]], rounds: int) -> dict[str, Any]:
    """Best-of-*rounds* seconds for both engines over *pages*, alternating engines each round."""
    extractor = OfflineExtractor()

    def ours() -> int:
        done = 0
        for raw, url, source in pages:
            try:
                extractor.extract(raw, url, source, now=NOW)
                done += 1
            except (ExtractionError, DropItem):  # a drop still cost the time; quality is measured elsewhere
                pass
        return done

    def theirs() -> int:
        return sum(trafilatura.extract(raw, url=url) is not None for raw, url, _ in pages)

    ours()  # warm both (imports, caches, compiled selectors)
    theirs()
    ours_s, theirs_s = float("inf"), float("inf")
    ours_ok = theirs_ok = 0
    for _ in range(rounds):
        t, ours_ok = _time(ours, 1)
        ours_s = min(ours_s, t)
        t, theirs_ok = _time(theirs, 1)
        theirs_s = min(theirs_s, t)
    n = len(pages)
    return {
        "pages": n,
        "ours_s": ours_s,
        "trafilatura_s": theirs_s,
        "ours_pps": n / ours_s,
        "trafilatura_pps": n / theirs_s,
        "ratio": theirs_s / ours_s,
        "ours_records": ours_ok,
        "trafilatura_records": theirs_ok,
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    quick = quick_mode(argv)
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
    rounds = 2 if quick else 5
    sets = {
        "stored evaluation pages": _stored_pages(),
        "synthetic portal pages": _synthetic_pages(60 if quick else 300),
    }
    rows = {name: compare(pages, rounds) for name, pages in sets.items()}
    met = rows["stored evaluation pages"]["ratio"] >= TARGET
    markdown = "\n\n".join(
        [
            f"Command: `{COMMAND}{' --quick' if quick else ''}` (best of {rounds} alternating rounds).",
            table(
                [
                    "pages",
                    "n",
                    "ours pages/s",
                    "trafilatura pages/s",
                    "ratio ours/trafilatura",
                    f"target >= {TARGET}",
                ],
                [
                    [
                        name,
                        r["pages"],
                        round(r["ours_pps"], 1),
                        round(r["trafilatura_pps"], 1),
                        round(r["ratio"], 2),
                        "yes" if r["ratio"] >= TARGET else "no",
                    ]
                    for name, r in rows.items()
                ],
            ),
        ]
    )
    result = {
        "title": "Extraction and cleaning alone vs trafilatura.extract()",
        "command": COMMAND + (" --quick" if quick else ""),
        "quick": quick,
        "targets": [
            {
                "name": "ours/trafilatura pages per second (stored pages)",
                "target": f">= {TARGET}",
                "value": round(rows["stored evaluation pages"]["ratio"], 3),
                "met": met,
            }
        ],
        "rows": rows,
        "markdown": markdown,
    }
    write_result("extract_speed", result)
    return result


if __name__ == "__main__":
    import sys

    print(main(sys.argv[1:])["markdown"])

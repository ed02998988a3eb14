"""How cost grows with input size: paragraph dedupe per page, and the cross-article index.

1. ``pipelines.dedupe.dedupe_paragraphs`` on synthetic bodies of 10, 100 and 1,000
   paragraphs (one in five a near copy of an earlier one, as portals repeat sections):
   time per paragraph should stay about flat (linear total), not grow with the page.
2. The cross-article near-duplicate index (``crawler.state.neardup.SqliteNearDuplicateIndex``,
   ``query_or_add``) with 10k, 100k and 1M records indexed: time of one lookup of a fresh
   article (and of a syndicated copy) should stay about flat or grow slowly. The index is
   filled with random MinHash signatures (what unrelated articles look like to it); the probes
   go through ``query_or_add`` with generated article texts.

``python -m benchmarks.growth [--quick]`` (quick: index sizes 1k and 10k) writes
``benchmarks/results/growth.json``.
"""

from __future__ import annotations

import math
import random
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks._harness import quick_mode, table, write_result
from benchmarks.sitegen import _Chinese, _English

COMMAND = "python -m benchmarks.growth"
TARGET_EXPONENT = 1.25
"""Total time ~ size ** exponent; 1.0 is linear. Above 1.25 is reported as missed."""


def _body(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    paragraphs: list[str] = []
    for i in range(n):
        text = _Chinese(rng) if i % 2 else _English(rng)
        if i >= 5 and rng.random() < 0.2:
            paragraphs.append(text.corrupt(rng.choice(paragraphs[: i - 1]) + " " + text.sentence()))
        else:
            paragraphs.append(text.paragraph(rng.randint(1, 4)))
    return paragraphs


def _exponent(sizes: list[int], seconds: list[float]) -> float:
    """Least-squares slope of log(time) on log(size)."""
    xs, ys = [math.log(s) for s in sizes], [math.log(max(t, 1e-9)) for t in seconds]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum((x - mx) ** 2 for x in xs)


def dedupe_growth(sizes: tuple[int, ...] = (10, 100, 1000)) -> dict[str, Any]:
    from pipelines.dedupe import dedupe_paragraphs

    rows = []
    for size in sizes:
        body = _body(size, seed=size)
        repeats = max(1, 2000 // size)
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            for _ in range(repeats):
                result = dedupe_paragraphs(body)
            best = min(best, (time.perf_counter() - start) / repeats)
        rows.append({"paragraphs": size, "seconds": best, "removed": len(body) - len(result.paragraphs)})
    exponent = _exponent([r["paragraphs"] for r in rows], [r["seconds"] for r in rows])
    return {"rows": rows, "exponent": exponent}


def _fill_unrelated(index: Any, start: int, count: int, rng: random.Random) -> None:
    """Add *count* records as unrelated articles would add them, without computing MinHash.

    MinHash values of unrelated texts are independent uniform draws, so random signatures
    give the index the same rows, band hashes and table sizes; computing real signatures for
    a million texts would take over an hour here and measure MinHash, not the lookup.
    """
    import numpy as np

    generator = np.random.default_rng(rng.getrandbits(32))
    index.flush()  # the index commits in groups: its open group ends before this bulk transaction
    db = index._db
    db.execute("BEGIN")
    for chunk_start in range(start, start + count, 50_000):
        chunk = min(50_000, start + count - chunk_start)
        signatures = generator.integers(0, 2**32, size=(chunk, index.num_perm), dtype=np.uint64)
        docs, bands = [], []
        for offset, signature in enumerate(signatures):
            record_id = f"r{chunk_start + offset}"
            docs.append((record_id, chunk_start + offset + 1, signature.tobytes()))
            bands.extend((band, value, record_id) for band, value in index._band_hashes(signature))
        db.executemany(
            "INSERT INTO docs (record_id, seq, duplicate_of, signature) VALUES (?, ?, NULL, ?)", docs
        )
        db.executemany("INSERT INTO bands (band, hash, record_id) VALUES (?, ?, ?)", bands)
    db.execute("COMMIT")


def neardup_growth(sizes: tuple[int, ...], probes: int = 100) -> dict[str, Any]:
    from crawler.state.neardup import SqliteNearDuplicateIndex

    rows = []
    with tempfile.TemporaryDirectory(prefix="ecopolicy-neardup-") as tmp:
        index = SqliteNearDuplicateIndex(Path(tmp) / "neardup.sqlite")
        filled, rng = 0, random.Random(5)
        fill_start = time.perf_counter()
        for size in sizes:
            _fill_unrelated(index, filled, size - filled, rng)
            filled = size
            texts = [" ".join(_English(rng).paragraph(3) for _ in range(2)) for _ in range(probes)]
            # A lookup of a fresh article (query, no match, add), and of a syndicated copy.
            start = time.perf_counter()
            for k, text in enumerate(texts):
                index.query_or_add(f"probe-{size}-{k}", text)
            fresh = (time.perf_counter() - start) / probes
            start = time.perf_counter()
            copies = sum(
                index.query_or_add(f"copy-{size}-{k}", text + " Source: Xinhua") is not None
                for k, text in enumerate(texts)
            )
            copy = (time.perf_counter() - start) / probes
            rows.append(
                {
                    "indexed": size,
                    "lookup_ms": 1000 * fresh,
                    "copy_lookup_ms": 1000 * copy,
                    "copies_found": copies,
                    "fill_s": time.perf_counter() - fill_start,
                }
            )
            filled += 2 * probes
        index.close()
    exponent = (
        _exponent([r["indexed"] for r in rows], [r["lookup_ms"] for r in rows]) if len(rows) > 1 else 0.0
    )
    return {"rows": rows, "exponent": exponent, "probes": probes}


def _dedupe_section(dedupe: dict[str, Any]) -> list[str]:
    """The report's part on paragraph dedupe: per-page cost by body size, and its exponent."""
    rows = [
        [
            r["paragraphs"],
            round(1000 * r["seconds"], 3),
            round(1e6 * r["seconds"] / r["paragraphs"], 1),
            r["removed"],
        ]
        for r in dedupe["rows"]
    ]
    return [
        "Near-duplicate paragraph removal (`pipelines.dedupe.dedupe_paragraphs`), best of 3:",
        table(["paragraphs", "ms per page", "µs per paragraph", "removed"], rows),
        f"Growth exponent (time ~ n^k): k = {dedupe['exponent']:.2f} (target <= {TARGET_EXPONENT}).",
    ]


def _neardup_section(neardup: dict[str, Any]) -> list[str]:
    """The report's part on the cross-article index: lookup cost by records indexed."""
    rows = [
        [
            r["indexed"],
            round(r["lookup_ms"], 3),
            round(r["copy_lookup_ms"], 3),
            f"{r['copies_found']}/{neardup['probes']}",
            round(r["fill_s"], 1),
        ]
        for r in neardup["rows"]
    ]
    return [
        "Cross-article near-duplicate lookup (`SqliteNearDuplicateIndex.query_or_add`), "
        f"{neardup['probes']} probes per size: a fresh article (no match, added) and a syndicated "
        "copy of it (found). The index is filled with random signatures, which is what unrelated "
        "articles look like to MinHash:",
        table(
            ["records indexed", "ms per fresh lookup", "ms per copy lookup", "copies found", "fill s"], rows
        ),
        f"Growth exponent of one lookup: k = {neardup['exponent']:.2f} (flat is 0).",
    ]


def _targets(dedupe: dict[str, Any], neardup: dict[str, Any]) -> list[dict[str, Any]]:
    """Each growth exponent against its target, as the results file records targets."""
    return [
        {
            "name": "dedupe time growth exponent",
            "target": f"<= {TARGET_EXPONENT}",
            "value": round(dedupe["exponent"], 3),
            "met": dedupe["exponent"] <= TARGET_EXPONENT,
        },
        {
            "name": "near-duplicate lookup growth exponent",
            "target": "<= 0.25",
            "value": round(neardup["exponent"], 3),
            "met": neardup["exponent"] <= 0.25,
        },
    ]


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Measure both growths, write ``results/growth.json`` and return it."""
    quick = quick_mode(argv)
    dedupe = dedupe_growth()
    neardup = neardup_growth((1000, 10_000) if quick else (10_000, 100_000, 1_000_000))
    command = COMMAND + (" --quick" if quick else "")
    parts = [f"Command: `{command}`.", *_dedupe_section(dedupe), *_neardup_section(neardup)]
    result = {
        "title": "Cost growth: paragraph dedupe and cross-article duplicate lookup",
        "command": command,
        "quick": quick,
        "targets": _targets(dedupe, neardup),
        "dedupe": dedupe,
        "neardup": neardup,
        "markdown": "\n\n".join(parts),
    }
    write_result("growth", result)
    return result


if __name__ == "__main__":
    import sys

    print(main(sys.argv[1:])["markdown"])

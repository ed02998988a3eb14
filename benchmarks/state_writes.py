"""State writes of a scheduled run: grouped commits against one commit per record, same run.

A cron crawl writes three state files per article: the seen-store's staged observation, the
furniture counts of its lines and its near-duplicate verdict. This measures the CPU time those
writes take per record when the near-duplicate index and the furniture counts commit each
record in its own transaction (``commit_every=1``, as before grouping) and when they commit in groups
(the defaults of :mod:`crawler.state.grouped`), in interleaved rounds on fresh files, as a
ratio (grouped / one per record). The near-duplicate signatures are computed once before the
clock starts (extraction workers compute them in a crawl), so only the index's own work counts.

``python -m benchmarks.state_writes [--quick]`` (quick: 1,000 records, one round; default
3,000 records, three rounds) writes ``benchmarks/results/state_writes.json``.
"""

from __future__ import annotations

import datetime
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks._harness import quick_mode, table, write_result
from crawler.state.furniture import SqliteFurnitureStore
from crawler.state.neardup import SqliteNearDuplicateIndex, minhash_signature
from crawler.state.sqlite import SqliteSeenStore

COMMAND = "python -m benchmarks.state_writes"
WORDS = ("生态", "环境", "空气", "质量", "水体", "排放", "监测", "治理", "policy", "carbon", "water")
VARIANTS = {"one commit per record": 1, "grouped": 64}


def _records(count: int) -> list[tuple[str, str, list[str]]]:
    """(record id, text, line keys) of *count* synthetic records, the same in every round."""
    rng = random.Random(7)
    records = []
    for n in range(count):
        text = "".join(rng.choice(WORDS) + str(rng.randint(0, 99)) for _ in range(220))
        keys = [f"{rng.getrandbits(64):016x}" for _ in range(12)]
        records.append((f"r{n}", text, keys))
    return records


def _one_round(folder: Path, records: list[tuple[str, str, list[str]]], every: int) -> dict[str, float]:
    """CPU microseconds per record of each store's writes, on fresh files."""
    signatures = {text: minhash_signature(text, num_perm=128, shingle=5) for _, text, _ in records}
    seen = SqliteSeenStore(folder / "seen.sqlite3")
    furniture = SqliteFurnitureStore(folder / "furniture.sqlite3", commit_every=every)
    index = SqliteNearDuplicateIndex(folder / "neardup.sqlite3", commit_every=every)
    index.signature = signatures.__getitem__  # type: ignore[method-assign]
    now = datetime.datetime.now(datetime.UTC)
    spent = {"seen": 0.0, "furniture": 0.0, "neardup": 0.0}
    for record_id, text, keys in records:
        started = time.process_time()
        seen.observe(record_id, "hash", now, batch="bench")
        learned = time.process_time()
        furniture.learn("bench", record_id, keys)
        furniture.counts("bench", record_id, keys)
        judged = time.process_time()
        index.query_or_add(record_id, text)
        done = time.process_time()
        spent["seen"] += learned - started
        spent["furniture"] += judged - learned
        spent["neardup"] += done - judged
    for store in (seen, furniture, index):
        store.close()
    return {name: 1e6 * seconds / len(records) for name, seconds in spent.items()}


def _rows(rounds: list[dict[str, dict[str, float]]]) -> list[list[Any]]:
    rows = []
    for turn, by_variant in enumerate(rounds):
        base = sum(by_variant["one commit per record"].values())
        for variant, cost in by_variant.items():
            total = sum(cost.values())
            rows.append([turn, variant, round(cost["seen"], 1), round(cost["furniture"], 1),
                         round(cost["neardup"], 1), round(total, 1), round(total / base, 3)])  # fmt: skip
    return rows


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = list(sys.argv[1:] if argv is None else argv)
    quick = quick_mode(args)
    count, turns = (1000, 1) if quick else (3000, 3)
    records = _records(count)
    rounds: list[dict[str, dict[str, float]]] = []
    with tempfile.TemporaryDirectory(prefix="ecopolicy-state-") as tmp:
        for turn in range(turns):
            order = list(VARIANTS.items())[:: 1 if turn % 2 == 0 else -1]
            by_variant = {}
            for name, every in order:
                folder = Path(tmp) / f"{turn}-{every}"
                folder.mkdir()
                by_variant[name] = _one_round(folder, records, every)
            rounds.append({name: by_variant[name] for name in VARIANTS})
    rows = _rows(rounds)
    ratios = [row[6] for row in rows if row[1] == "grouped"]
    ratio = sum(ratios) / len(ratios)
    header = ["turn", "writes", "seen µs", "furniture µs", "near-dup µs", "total µs/record", "ratio"]
    command = f"{COMMAND}{' --quick' if quick else ''}"
    markdown = "\n\n".join(
        [
            f"Command: `{command}`. {count:,} records a round, fresh SQLite files each round, CPU time "
            "per record of the state writes of a scheduled run (seen-store observation, furniture "
            "counts learned and read, near-duplicate lookup and insert). The seen-store commits every "
            "record in both variants.",
            table(header, rows),
            f"Mean ratio, grouped / one commit per record: {ratio:.2f}.",
        ]
    )
    result = {"title": "State writes: grouped commits vs one commit per record", "command": command,
              "quick": quick, "ratio": round(ratio, 3), "rows": rows, "markdown": markdown}  # fmt: skip
    write_result("state_writes", result)
    return result


if __name__ == "__main__":
    if {"-h", "--help"} & set(sys.argv[1:]):
        print(__doc__)
    else:
        main()

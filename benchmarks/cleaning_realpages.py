"""Cleaning on real pages: no article sentence lost, furniture removed, paywalls flagged.

Run from the repository root (offline)::

    python -m benchmarks.cleaning_realpages [--part test|dev|all] [--json OUT] [--fixtures DIR]

Scores the record a crawl would emit (:meth:`crawler.offline.OfflineExtractor.extract`) on the
real pages whose expectations were written for this project (``truth: ecopolicy``), which list the
article's paragraphs and the furniture standing next to it (stubs, related blocks, share bars,
metadata lines, repeated copies):

- article sentences kept: each sentence of the expected paragraphs must appear in the record's
  text (compared without spaces, case or width); a lost sentence is listed with its page;
- furniture removed, per kind: a furniture line must not stand in the record as a paragraph of its
  own, nor make up most of one;
- ``paywalled`` agreement with the expectation.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks._realpages import FIXTURES, RealPage, load_pages  # noqa: E402
from crawler.offline import OfflineExtractor  # noqa: E402

_SENTENCE_END = re.compile(r"(?<=[。！？；!?])|(?<=[.])\s+(?=[A-Z\"“‘(])")
_DROP = re.compile(r"[\s\u00a0\u3000]+")
_MIN_SENTENCE = 8


def squash(text: str) -> str:
    """Text compared without white space, case or full-width forms."""
    return _DROP.sub("", unicodedata.normalize("NFKC", text)).casefold()


def sentences(paragraph: str) -> list[str]:
    """The sentences of *paragraph* long enough to be checked on their own."""
    parts = (part.strip() for part in _SENTENCE_END.split(paragraph))
    return [part for part in parts if len(squash(part)) >= _MIN_SENTENCE]


def _standing(key: str, paragraphs: list[str]) -> int:
    """How many of *paragraphs* are the line *key* (alone or as most of the paragraph)."""
    return sum(1 for p in paragraphs if key in squash(p) and len(key) >= 0.6 * len(squash(p)))


def furniture_kept(line: dict[str, str], paragraphs: list[str], expected: list[str]) -> bool:
    """Whether a furniture line still stands in the record.

    A ``duplicate`` is the second copy of article text: it is kept when the text stands in the
    record more often than in the expected article, not merely when it stands there.
    """
    key = squash(line["text"])
    if not key:
        return False
    allowed = _standing(key, expected) if line["kind"] == "duplicate" else 0
    return _standing(key, paragraphs) > allowed


def _cut_by(sentence: str, removed: list[dict[str, Any]]) -> str | None:
    """The cleaning step whose audit entry holds *sentence* (None: extraction never found it)."""
    key = squash(sentence)
    return next((str(e.get("step")) for e in removed if key in squash(str(e.get("text", "")))), None)


def score_page(page: RealPage, record: dict[str, Any] | None) -> dict[str, Any]:
    """What one record kept and removed against its page's expectation."""
    paragraphs = list((record or {}).get("paragraphs") or [])
    text = squash("".join(paragraphs))
    wanted = [s for p in page.expected["paragraphs"] for s in sentences(p)]
    lost = [s for s in wanted if squash(s) not in text]
    removed = (record or {}).get("removed") or []
    cut = {s: _cut_by(s, removed) for s in lost}
    furniture = page.expected.get("furniture") or []
    kept = [f for f in furniture if furniture_kept(f, paragraphs, page.expected["paragraphs"])]
    return {
        "page": page.key,
        "part": page.part,
        "sentences": len(wanted),
        "lost": lost,
        "cut_by_cleaning": {s: step for s, step in cut.items() if step},
        "furniture": Counter(f["kind"] for f in furniture),
        "furniture_kept": [f"{f['kind']}: {f['text']}" for f in kept],
        "furniture_kept_kinds": Counter(f["kind"] for f in kept),
        "paywalled_ok": bool((record or {}).get("paywalled")) == bool(page.expected.get("paywalled")),
        "removed": [(r.get("step"), r.get("reason")) for r in (record or {}).get("removed") or []],
    }


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    total_sentences = sum(r["sentences"] for r in rows)
    lost = sum(len(r["lost"]) for r in rows)
    cut_steps = Counter(step for r in rows for step in r["cut_by_cleaning"].values())
    per_kind: dict[str, dict[str, int]] = defaultdict(lambda: {"lines": 0, "kept": 0})
    for row in rows:
        for kind, n in row["furniture"].items():
            per_kind[kind]["lines"] += n
            per_kind[kind]["kept"] += row["furniture_kept_kinds"].get(kind, 0)
    lines = sum(k["lines"] for k in per_kind.values())
    kept = sum(k["kept"] for k in per_kind.values())
    return {
        "pages": len(rows),
        "sentences": total_sentences,
        "sentences_lost": lost,
        "sentence_recall": round(1 - lost / total_sentences, 4) if total_sentences else None,
        "pages_losing_text": sum(1 for r in rows if r["lost"]),
        "sentences_cut_by_cleaning": dict(cut_steps),
        "pages_losing_text_to_cleaning": sum(1 for r in rows if r["cut_by_cleaning"]),
        "furniture_lines": lines,
        "furniture_recall": round(1 - kept / lines, 4) if lines else None,
        "furniture_by_kind": {
            kind: {**v, "recall": round(1 - v["kept"] / v["lines"], 4)}
            for kind, v in sorted(per_kind.items())
        },
        "paywalled_agreement": round(sum(r["paywalled_ok"] for r in rows) / len(rows), 4) if rows else None,
    }


def run(part: str | None, fixtures: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    extractor = OfflineExtractor()
    rows = []
    for page in load_pages(fixtures, part=part):
        if page.expected.get("truth") != "ecopolicy":
            continue
        try:
            record = extractor.extract(page.raw, page.url)
        except Exception:  # a dropped page loses every sentence; that is what the score shows
            record = None
        rows.append(score_page(page, record))
    return summarise(rows), rows


def print_report(summary: dict[str, Any], rows: list[dict[str, Any]], label: str) -> None:
    print(f"## Cleaning on real pages, {label}: {summary['pages']} pages\n")
    print(
        f"article sentences kept: {summary['sentences'] - summary['sentences_lost']}/{summary['sentences']}"
        f" ({summary['sentence_recall']}); pages losing text: {summary['pages_losing_text']}"
    )
    print(
        f"of the lost, cut by cleaning: {summary['sentences_cut_by_cleaning'] or 'none'}"
        f" on {summary['pages_losing_text_to_cleaning']} pages; the rest were never extracted"
    )
    print(f"furniture removed: recall {summary['furniture_recall']} of {summary['furniture_lines']} lines")
    for kind, v in summary["furniture_by_kind"].items():
        print(f"  {kind}: {v['lines'] - v['kept']}/{v['lines']} removed ({v['recall']})")
    print(f"paywalled flag agrees: {summary['paywalled_agreement']}\n")
    for row in rows:
        if row["lost"] or row["furniture_kept"] or not row["paywalled_ok"]:
            print(f"- {row['page']} [{row['part']}]: lost {len(row['lost'])}/{row['sentences']} sentences")
            for sentence in row["lost"][:5]:
                how = row["cut_by_cleaning"].get(sentence) or "not extracted"
                print(f"    lost ({how}): {sentence[:100]}")
            for line in row["furniture_kept"][:8]:
                print(f"    kept furniture: {line[:100]}")
            if not row["paywalled_ok"]:
                print("    paywalled flag wrong")


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=("dev", "test", "all"), default="all")
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--fixtures", type=Path, default=FIXTURES, help="folder of real-page fixtures")
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)
    summary, rows = run(None if args.part == "all" else args.part, args.fixtures)
    print_report(summary, rows, f"part {args.part}")
    if args.json:
        out = {"summary": summary, "pages": rows}
        args.json.write_text(
            json.dumps(out, ensure_ascii=False, indent=1, default=list) + "\n", encoding="utf-8"
        )
    return summary


if __name__ == "__main__":
    main()

"""Extraction on real pages with independent ground truth: the project against trafilatura and
readability-lxml, interleaved page by page in one run.

Run from the repository root (offline)::

    python -m benchmarks.extraction_realworld [--part test|dev|all] [--repeat 3] [--json OUT]

The pages are the fixtures under ``tests/fixtures/realpages`` (Fundus publisher pages,
Mozilla Readability's test pages, and Chinese/English news and government pages with
expectations written for this project); ``--part`` picks the development or the test sites.
"ours" is :meth:`crawler.offline.OfflineExtractor.extract`, the record a crawl would emit
(extraction and cleaning). Scores are defined in :mod:`benchmarks._realpages`; speed is the
sum over pages of each engine's best time per page, given as a ratio to trafilatura.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import lxml.html  # noqa: E402
import trafilatura  # noqa: E402
from htmldate import find_date  # noqa: E402
from readability import Document  # noqa: E402

from benchmarks._realpages import (  # noqa: E402
    RealPage,
    body_scores,
    date_matches,
    load_pages,
    title_matches,
)
from crawler.extraction import ExtractionError  # noqa: E402
from crawler.offline import OfflineExtractor  # noqa: E402

Output = dict[str, Any]  # {"body": str, "title": str, "published": str | None, "events": [...]}
FALLBACK_EVENTS = (
    "body_density",
    "soup_fallback",
    "body_trafilatura",
    "body_script_payload",
    "body_page_text",
    "date_from_htmldate",
)


class OursEngine:
    """The crawl's own record; events are read from the stats the extraction adds."""

    def __init__(self) -> None:
        self.extractor = OfflineExtractor()

    def __call__(self, page: RealPage) -> Output:
        before = dict(self.extractor.stats)
        try:
            record = self.extractor.extract(page.raw, page.url)
        except (ExtractionError, Exception) as exc:  # a dropped page scores zero; the reason is kept
            return {"body": "", "title": "", "published": None, "events": [f"dropped:{type(exc).__name__}"]}
        after = self.extractor.stats
        events = [
            k.split("/", 1)[1] for k, v in after.items() if k.startswith("extraction/") and v != before.get(k)
        ]
        return {
            "body": "\n".join(record.get("paragraphs") or []),
            "title": record.get("title") or "",
            "published": record.get("published"),
            "events": events,
        }


def trafilatura_engine(page: RealPage) -> Output:
    body = trafilatura.extract(page.raw, url=page.url) or ""
    meta = trafilatura.extract_metadata(page.raw, default_url=page.url)
    return {"body": body, "title": (meta.title if meta else "") or "", "published": None, "events": []}


def htmldate_engine(page: RealPage) -> str | None:
    try:
        return find_date(page.raw, url=page.url, original_date=True)
    except Exception:  # htmldate raises on a few odd pages; a miss scores as a wrong date
        return None


def readability_engine(page: RealPage) -> Output:
    try:
        doc = Document(page.raw)
        summary = doc.summary(html_partial=True)
        title = doc.short_title()
    except Exception:  # readability raises bare exceptions on odd pages; count as empty
        return {"body": "", "title": "", "published": None, "events": []}
    body = lxml.html.fromstring(summary).text_content() if summary.strip() else ""
    return {"body": body, "title": title or "", "published": None, "events": []}


def run_engines(pages: list[RealPage], repeat: int) -> tuple[dict[str, list[Output]], dict[str, float]]:
    """Each engine on each page, interleaved; outputs of the first round, best time per page summed."""
    engines: dict[str, Callable[[RealPage], Output]] = {
        "ours": OursEngine(),
        "trafilatura": trafilatura_engine,
        "readability": readability_engine,
    }
    outputs: dict[str, list[Output]] = {name: [] for name in engines}
    seconds: dict[str, float] = dict.fromkeys(engines, 0.0)
    for page in pages:
        best: dict[str, float] = dict.fromkeys(engines, float("inf"))
        for round_ in range(repeat):
            for name, engine in engines.items():
                start = time.perf_counter()
                out = engine(page)
                best[name] = min(best[name], time.perf_counter() - start)
                if round_ == 0:
                    outputs[name].append(out)
        for name in engines:
            seconds[name] += best[name]
    outputs["trafilatura"] = [
        {**out, "published": htmldate_engine(page)}
        for out, page in zip(outputs["trafilatura"], pages, strict=True)
    ]
    return outputs, seconds


def language_group(page: RealPage) -> str:
    return (
        page.language
        if page.language in {"en", "zh"}
        else ("cjk" if page.language in {"ja", "ko"} else "other")
    )


def score(pages: list[RealPage], outputs: dict[str, list[Output]]) -> dict[str, Any]:
    """Per group and engine: mean body P/R/F1, title and date accuracy, page counts."""
    groups: dict[str, list[int]] = defaultdict(list)
    for i, page in enumerate(pages):
        if page.has_body_truth:
            groups[language_group(page)].append(i)
            groups["all"].append(i)
    table: dict[str, Any] = {}
    for group, idx in groups.items():
        table[group] = {"pages": len(idx)}
        for name, outs in outputs.items():
            prf = [
                body_scores(outs[i]["body"], "\n".join(pages[i].expected["paragraphs"]), pages[i].language)
                for i in idx
            ]
            titled = [i for i in idx if pages[i].expected.get("title")]
            dated = [i for i in idx if pages[i].expected.get("published")]
            table[group][name] = {
                "precision": round(statistics.fmean(p for p, _, _ in prf), 4),
                "recall": round(statistics.fmean(r for _, r, _ in prf), 4),
                "f1": round(statistics.fmean(f for _, _, f in prf), 4),
                "title": _share(
                    titled, lambda i, o=outs: title_matches(o[i]["title"], pages[i].expected["title"])
                ),
                "day": _share(
                    dated, lambda i, o=outs: date_matches(o[i]["published"], pages[i].expected["published"])
                ),
                "dated_pages": len(dated),
            }
    return table


def _share(idx: list[int], ok: Callable[[int], bool]) -> float | None:
    return round(sum(map(ok, idx)) / len(idx), 4) if idx else None


def per_page_rows(pages: list[RealPage], outputs: dict[str, list[Output]]) -> list[dict[str, Any]]:
    rows = []
    for i, page in enumerate(pages):
        if not page.has_body_truth:
            continue
        expected = "\n".join(page.expected["paragraphs"])
        row: dict[str, Any] = {"page": page.key, "part": page.part, "language": page.language}
        for name, outs in outputs.items():
            row[name] = [round(x, 3) for x in body_scores(outs[i]["body"], expected, page.language)]
        row["events"] = outputs["ours"][i]["events"]
        row["day_ok"] = date_matches(outputs["ours"][i]["published"], page.expected.get("published"))
        rows.append(row)
    return rows


def summarise(pages: list[RealPage], repeat: int) -> dict[str, Any]:
    outputs, seconds = run_engines(pages, repeat)
    events = Counter(e for out in outputs["ours"] for e in out["events"])
    return {
        "pages": len(pages),
        "groups": score(pages, outputs),
        "speed_vs_trafilatura": {n: round(seconds["trafilatura"] / s, 3) for n, s in seconds.items() if s},
        "fallback_share": {e: round(events[e] / len(pages), 4) for e in FALLBACK_EVENTS},
        "dropped": sorted(
            p.key
            for p, o in zip(pages, outputs["ours"], strict=True)
            if any(e.startswith("dropped") for e in o["events"])
        ),
        "per_page": per_page_rows(pages, outputs),
    }


def print_summary(summary: dict[str, Any], label: str) -> None:
    print(f"## Real pages, {label}: {summary['pages']} pages\n")
    print("| language | pages | engine | P | R | F1 | title | day (pages) |")
    print("|---|---:|---|---:|---:|---:|---:|---:|")
    order = [g for g in ("en", "zh", "cjk", "other", "all") if g in summary["groups"]]
    for group in order:
        cell = summary["groups"][group]
        for name in ("ours", "trafilatura", "readability"):
            e = cell[name]
            day = "-" if e["day"] is None else f"{e['day']:.3f} ({e['dated_pages']})"
            title = "-" if e["title"] is None else f"{e['title']:.3f}"
            if name == "readability":  # it reads no dates
                day = "-"
            scores = f"{e['precision']:.3f} | {e['recall']:.3f} | {e['f1']:.3f}"
            print(f"| {group} | {cell['pages']} | {name} | {scores} | {title} | {day} |")
    print(f"\nspeed, pages/s as a ratio to trafilatura: {summary['speed_vs_trafilatura']}")
    print(f"fallback use (share of pages): {summary['fallback_share']}")
    print(f"pages dropped by ours: {summary['dropped'] or 'none'}")
    losses = [
        r for r in summary["per_page"] if r["ours"][2] < max(r["trafilatura"][2], r["readability"][2]) - 0.05
    ]
    print(f"\npages where ours trails the best other engine by > 0.05 F1: {len(losses)}")
    for row in sorted(losses, key=lambda r: r["ours"][2]):
        where = f"{row['page']} [{row['part']}/{row['language']}]"
        others = f"trafilatura {row['trafilatura']} readability {row['readability']}"
        print(f"  {where}: ours {row['ours']} {others} {row['events']}")


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=("dev", "test", "all"), default="all")
    parser.add_argument("--repeat", type=int, default=3, help="timing rounds per page (best is kept)")
    parser.add_argument("--json", type=Path, default=None, help="also write the summary here")
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)
    pages = load_pages(part=None if args.part == "all" else args.part)
    summary = summarise(pages, args.repeat)
    summary["part"] = args.part
    print_summary(summary, f"part {args.part}")
    if args.json:
        args.json.write_text(json.dumps(summary, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return summary


if __name__ == "__main__":
    main()

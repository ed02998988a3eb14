"""Quality and cost of the cleaning stage on the labelled pages.

Quality: for each step, precision and recall of the paragraphs it removed (``repair``: of the
paragraphs it joined to the one before) against the labels in
``tests/fixtures/cleaning/labelled/*.json`` and the seed, and the number of paragraphs removed
or joined on pages labelled clean. Cost: time of :func:`pipelines.clean_paragraphs` per page
as a ratio to lxml parsing the same page as HTML (measured in the same run), for the small
labelled pages and for 500-paragraph pages built from them.

Run from the repository root: ``python -m benchmarks.cleaning_quality``. Writes
``benchmarks/results/cleaning.json`` and prints a Markdown table.
"""

from __future__ import annotations

import html
import json
import platform
import statistics
import time
from pathlib import Path

import lxml.html

from pipelines import STEPS, clean_paragraphs
from pipelines._text import is_cjk_text, tokens
from pipelines.boilerplate import _content

ROOT = Path(__file__).resolve().parent.parent
LABELLED = ROOT / "tests" / "fixtures" / "cleaning" / "labelled"
SEED = ROOT / "tests" / "fixtures" / "cleaning" / "seed"
RESULTS = ROOT / "benchmarks" / "results" / "cleaning.json"

REASON_STEP = {
    "empty": "normalise",
    "boilerplate": "boilerplate",
    "related": "boilerplate",
    "teaser": "boilerplate",
    "paywall": "paywall",
    "duplicate": "dedupe",
    "split_sentence": "repair",
    "split_heading": "repair",
}
TARGET = 0.98


def load_pages() -> list[dict]:
    pages = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(LABELLED.glob("*.json"))]
    seed_labels = json.loads((SEED / "labels.json").read_text(encoding="utf-8"))
    pages.append(seed_labels)
    return pages


def predicted(page: dict) -> tuple[dict[int, str], set[int]]:
    """Input index -> step that removed it; and input indices joined to the paragraph before."""
    texts = [p["text"] for p in page["paragraphs"]]
    result = clean_paragraphs(texts, language=page["language"])
    removed = {i: step for i, (step, _reason) in result.removed.items()}
    joined = {i for src in result.sources for i in src[1:]}
    return removed, joined


def quality(pages: list[dict]) -> dict:
    counts = {step: {"tp": 0, "fp": 0, "fn": 0} for step in STEPS}
    clean_removed = 0
    clean_pages = 0
    wrong: list[str] = []
    for page in pages:
        removed, joined = predicted(page)
        for i, para in enumerate(page["paragraphs"]):
            gold = REASON_STEP.get(para.get("reason", "")) if para["label"] != "keep" else None
            got = "repair" if i in joined else removed.get(i)
            if gold is not None and got == gold:
                counts[gold]["tp"] += 1
                continue
            if got is not None:
                counts[got]["fp"] += 1
                wrong.append(f"{page['id']}#{i}: {got} but labelled {para['label']}/{para.get('reason')}")
            if gold is not None:
                counts[gold]["fn"] += 1
                if got is None:
                    wrong.append(f"{page['id']}#{i}: missed ({para.get('reason')})")
        if page.get("clean"):
            clean_pages += 1
            clean_removed += len(removed) + len(joined)
    steps = {}
    for step, c in counts.items():
        positives = c["tp"] + c["fn"]
        steps[step] = {
            **c,
            "precision": round(c["tp"] / (c["tp"] + c["fp"]), 4) if c["tp"] + c["fp"] else None,
            "recall": round(c["tp"] / positives, 4) if positives else None,
        }
    return {
        "steps": steps,
        "clean_pages": clean_pages,
        "clean_paragraphs_removed": clean_removed,
        "errors": wrong,
    }


def _as_html(paragraphs: list[str]) -> str:
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return f"<html><head><title>t</title></head><body><div class='article'>{body}</div></body></html>"


def _time(fn, repeat: int) -> float:
    best = []
    for _ in range(7):
        start = time.perf_counter()
        for _ in range(repeat):
            fn()
        best.append((time.perf_counter() - start) / repeat)
    return statistics.median(best)


def _cold_clean(texts: list[str]) -> None:
    """Clean one page with empty memo caches, as a page never seen before would be."""
    for cached in (tokens, is_cjk_text, _content):
        cached.cache_clear()
    clean_paragraphs(texts)


def cost(pages: list[dict]) -> dict:
    small = [[p["text"] for p in page["paragraphs"]] for page in pages]
    big_pages = []
    pool = [t for texts in small for t in texts]
    for k in range(3):
        rotated = pool[k * 37 :] + pool[: k * 37]
        big_pages.append((rotated * (500 // len(rotated) + 1))[:500])

    def ratio(texts_list: list[list[str]], repeat: int) -> dict:
        docs = [_as_html(t) for t in texts_list]
        t_lxml = _time(lambda: [lxml.html.document_fromstring(d) for d in docs], repeat * 50)
        t_clean = _time(lambda: [_cold_clean(t) for t in texts_list], repeat)
        return {
            "pages": len(texts_list),
            "paragraphs_per_page": round(statistics.mean(len(t) for t in texts_list), 1),
            "lxml_ms_per_page": round(1000 * t_lxml / len(docs), 3),
            "cleaning_ms_per_page": round(1000 * t_clean / len(docs), 3),
            "ratio": round(t_clean / t_lxml, 1),
        }

    return {"small": ratio(small, 3), "500_paragraphs": ratio(big_pages, 1)}


def main() -> None:
    pages = load_pages()
    q = quality(pages)
    c = cost(pages)
    report = {
        "pages": len(pages),
        "languages": {lang: sum(1 for p in pages if p["language"] == lang) for lang in ("en", "zh")},
        "quality": q,
        "cost": c,
        "python": platform.python_version(),
        "target": TARGET,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"Cleaning quality on {len(pages)} labelled pages ({report['languages']})\n")
    print("| step | removed/joined (tp) | false positives | missed | precision | recall |")
    print("|---|---:|---:|---:|---:|---:|")
    for step, s in q["steps"].items():
        print(f"| {step} | {s['tp']} | {s['fp']} | {s['fn']} | {s['precision']} | {s['recall']} |")
    print(
        f"\nParagraphs removed or joined on {q['clean_pages']} clean pages: {q['clean_paragraphs_removed']}\n"
    )
    print("| pages | paragraphs/page | lxml parse ms/page | cleaning ms/page | cleaning / lxml |")
    print("|---|---:|---:|---:|---:|")
    for name, r in c.items():
        print(
            f"| {name} ({r['pages']}) | {r['paragraphs_per_page']} | {r['lxml_ms_per_page']} | "
            f"{r['cleaning_ms_per_page']} | {r['ratio']} |"
        )
    if q["errors"]:
        print("\nErrors:\n" + "\n".join(f"- {e}" for e in q["errors"]))


if __name__ == "__main__":
    main()

"""Body extraction on real-world pages with their ground truth: ours against trafilatura and
readability-lxml on the same pages, in the same run.

Run from the repository root (offline)::

    python -m benchmarks.extraction_realworld [FOLDER] [--repeat 3] [--json OUT]

FOLDER (default ``$ECOPOLICY_REALPAGES`` or ``/tmp/realpages``) holds one sub-folder per page. Third-party
pages are not stored in the repository; the folder is filled from public evaluation sets (trafilatura's
test pages, readability's ``test-pages``, GeneralNewsExtractor's Chinese pages …). A page folder has:

- the page: ``page.html`` or ``source.html`` (readability's layout);
- its ground truth, one of: ``expected.json`` with ``paragraphs`` (list of str) and/or ``with`` /
  ``without`` snippet lists (trafilatura's real-world test style); ``expected.html`` (readability's
  expected output, its text is the truth); ``expected.txt``;
- optionally ``meta.json`` with ``url`` and ``language`` (``zh``/``en``; guessed from the text otherwise).

Scores: body precision / recall / F1 over a bag of word tokens (English) or non-space characters
(Chinese) against the expected text, averaged over pages; snippet checks: the share of ``with``
snippets found and of ``without`` snippets absent. Pages where ours trails the best other engine
by more than 0.05 F1 are listed. With no folder the benchmark says so and exits 0.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import lxml.html  # noqa: E402
import trafilatura  # noqa: E402
from readability import Document  # noqa: E402

from crawler.extraction import ExtractionError, extract_article  # noqa: E402

DEFAULT_FOLDER = Path(os.environ.get("ECOPOLICY_REALPAGES", "/tmp/realpages"))
_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass
class RealPage:
    """One real page and what it should yield."""

    name: str
    raw: bytes
    url: str
    language: str
    expected_text: str | None
    with_snippets: list[str] = field(default_factory=list)
    without_snippets: list[str] = field(default_factory=list)


def _html_text(raw: bytes | str) -> str:
    doc = lxml.html.fromstring(raw)
    for bad in doc.iter("script", "style", "noscript"):
        bad.drop_tree()
    return "\n".join(t.strip() for t in doc.itertext() if t.strip())


def guess_language(text: str) -> str:
    """``zh`` when CJK characters make up a tenth of the letters, else ``en``.

    >>> guess_language("生态环境部发布通知"), guess_language("Ministry of Ecology")
    ('zh', 'en')
    """
    letters = sum(ch.isalpha() for ch in text) or 1
    return "zh" if len(_CJK.findall(text)) / letters > 0.1 else "en"


def load_real_pages(folder: Path) -> list[RealPage]:
    """Every page folder under *folder* that has a page and some ground truth."""
    pages = []
    for sub in sorted(p for p in folder.iterdir() if p.is_dir()):
        page_file = next((sub / n for n in ("page.html", "source.html") if (sub / n).exists()), None)
        if page_file is None:
            continue
        meta_file = sub / "meta.json"
        meta = json.loads(meta_file.read_text(encoding="utf-8")) if meta_file.exists() else {}
        expected_text, with_s, without_s = None, [], []
        if (sub / "expected.json").exists():
            exp = json.loads((sub / "expected.json").read_text(encoding="utf-8"))
            if exp.get("paragraphs"):
                expected_text = "\n".join(exp["paragraphs"])
            with_s, without_s = list(exp.get("with", [])), list(exp.get("without", []))
        elif (sub / "expected.html").exists():
            expected_text = _html_text((sub / "expected.html").read_bytes())
        elif (sub / "expected.txt").exists():
            expected_text = (sub / "expected.txt").read_text(encoding="utf-8")
        if expected_text is None and not with_s:
            continue
        raw = page_file.read_bytes()
        language = meta.get("language") or guess_language(expected_text or " ".join(with_s))
        pages.append(
            RealPage(
                sub.name,
                raw,
                meta.get("url", f"https://example.org/{sub.name}"),
                language,
                expected_text,
                with_s,
                without_s,
            )
        )
    return pages


def tokens(text: str, language: str) -> Counter[str]:
    """Word tokens (English) or non-space characters (Chinese), as a multiset."""
    if language == "zh":
        return Counter(c for c in text if not c.isspace() and (c.isalnum() or _CJK.match(c)))
    return Counter(re.findall(r"\w+", text.lower()))


def prf(got: str, expected: str, language: str) -> tuple[float, float, float]:
    g, e = tokens(got, language), tokens(expected, language)
    overlap = sum((g & e).values())
    if not overlap:
        return 0.0, 0.0, 0.0
    precision, recall = overlap / sum(g.values()), overlap / sum(e.values())
    return precision, recall, 2 * precision * recall / (precision + recall)


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def ours(page: RealPage) -> str:
    try:
        return "\n".join(extract_article(page.raw, page.url)["paragraphs"])
    except ExtractionError:
        return ""


def trafilatura_body(page: RealPage) -> str:
    return trafilatura.extract(page.raw, url=page.url) or ""


def readability_body(page: RealPage) -> str:
    try:
        summary = Document(page.raw).summary(html_partial=True)
    except Exception:  # readability raises bare exceptions on odd pages; count as empty
        return ""
    return lxml.html.fromstring(summary).text_content() if summary.strip() else ""


ENGINES = {"ours": ours, "trafilatura": trafilatura_body, "readability-lxml": readability_body}


def run(pages: list[RealPage], repeat: int) -> dict[str, Any]:
    outputs: dict[str, list[str]] = {}
    speeds: dict[str, float] = {}
    for name, func in ENGINES.items():
        best = float("inf")
        for _ in range(repeat):
            start = time.perf_counter()
            outputs[name] = [func(p) for p in pages]
            best = min(best, time.perf_counter() - start)
        speeds[name] = len(pages) / best
    summary: dict[str, Any] = {"pages": len(pages), "engines": {}, "per_page": [], "losses": []}
    scored = [i for i, p in enumerate(pages) if p.expected_text]
    snip = [i for i, p in enumerate(pages) if p.with_snippets or p.without_snippets]
    for name, bodies in outputs.items():
        scores = [prf(bodies[i], pages[i].expected_text or "", pages[i].language) for i in scored]
        found = [_squash(s) in _squash(bodies[i]) for i in snip for s in pages[i].with_snippets]
        absent = [_squash(s) not in _squash(bodies[i]) for i in snip for s in pages[i].without_snippets]
        n = max(len(scores), 1)
        summary["engines"][name] = {
            "precision": round(sum(s[0] for s in scores) / n, 4),
            "recall": round(sum(s[1] for s in scores) / n, 4),
            "f1": round(sum(s[2] for s in scores) / n, 4),
            "with_found": round(sum(found) / len(found), 4) if found else None,
            "without_absent": round(sum(absent) / len(absent), 4) if absent else None,
            "pages_per_second": round(speeds[name], 1),
        }
    for i in scored:
        p = pages[i]
        row = {"page": p.name, "language": p.language}
        for name in ENGINES:
            row[name] = [round(x, 3) for x in prf(outputs[name][i], p.expected_text or "", p.language)]
        summary["per_page"].append(row)
        best_other = max(row[n][2] for n in ENGINES if n != "ours")
        if row["ours"][2] < best_other - 0.05:
            summary["losses"].append(row)
    return summary


def main(argv: list[str] | None = None) -> dict[str, Any] | None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT_FOLDER)
    parser.add_argument("--repeat", type=int, default=3, help="timing runs per engine (best is kept)")
    parser.add_argument("--json", type=Path, default=None, help="also write the summary here")
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)
    if not args.folder.is_dir():
        print(
            f"no real-world pages at {args.folder}: skipped (fill it from public evaluation sets, "
            "see the module docstring)"
        )
        return None
    pages = load_real_pages(args.folder)
    if not pages:
        print(f"no page with ground truth under {args.folder}: skipped")
        return None
    summary = run(pages, args.repeat)
    langs = Counter(p.language for p in pages)
    print(f"Body extraction on {len(pages)} real pages ({dict(langs)}), best of {args.repeat} timing runs\n")
    print("| engine | P | R | F1 | with found | without absent | pages/s |")
    print("|---|---|---|---|---|---|---|")
    for name, e in summary["engines"].items():
        wf = "-" if e["with_found"] is None else f"{e['with_found']:.3f}"
        wa = "-" if e["without_absent"] is None else f"{e['without_absent']:.3f}"
        print(
            f"| {name} | {e['precision']:.3f} | {e['recall']:.3f} | {e['f1']:.3f} | {wf} | {wa} |"
            f" {e['pages_per_second']:.1f} |"
        )
    print("\nper page (P, R, F1):")
    for row in summary["per_page"]:
        cells = "  ".join(f"{n}={row[n][2]:.3f} (P {row[n][0]:.2f} R {row[n][1]:.2f})" for n in ENGINES)
        print(f"  {row['page']:<40} {cells}")
    print(f"\npages where ours trails by > 0.05 F1: {len(summary['losses'])}")
    for row in summary["losses"]:
        print(
            f"  {row['page']}: ours {row['ours']} vs trafilatura {row['trafilatura']}"
            f" / readability {row['readability-lxml']}"
        )
    if args.json:
        args.json.write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return summary


if __name__ == "__main__":
    main()

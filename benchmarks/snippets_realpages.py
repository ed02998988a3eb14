"""Snippet scores on real pages: is each piece of the article in the output, and each piece of
page furniture out of it?

Run from the repository root (offline)::

    python -m benchmarks.snippets_realpages [--part test|dev|all] [--json OUT]

Body F1 over shingles rewards an output for its bulk; a snippet score asks yes/no questions
instead, the way extraction evaluations built from hand-picked "with" and "without" snippets
do. Here the snippets are drawn mechanically from each real page and its independent ground
truth, so anyone can rebuild them and nobody picked them to suit an engine:

- *with* snippets: up to four paragraphs of the expected body (first, last and two between),
  each cut to its opening words (10 words; 24 characters for Chinese, Japanese, Korean);
- *without* snippets: up to four text blocks of the page (leaf-like block elements of at least
  6 words or 16 CJK characters) whose text shares nothing with the expected title and body,
  spread over the page from top to bottom.

A snippet is "in" an output when its folded text (NFKC, lower case, runs of non-word
characters made one space) is a substring of the folded output. Counts are pooled over pages
(precision = found *with* / all found, recall = found *with* / all *with*), per language group,
for the project, trafilatura and readability-lxml run interleaved.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
import unicodedata
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import lxml.etree  # noqa: E402
import lxml.html  # noqa: E402

from benchmarks._realpages import CHARACTER_LANGUAGES, RealPage, load_pages  # noqa: E402
from benchmarks.extraction_realworld import language_group, run_engines  # noqa: E402

SNIPPETS_PER_KIND = 4
_NON_WORD = re.compile(r"[\W_]+")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
_BLOCK_TAGS = ("p", "li", "td", "th", "dd", "dt", "h1", "h2", "h3", "h4", "h5", "h6", "div", "span", "a")
_DROP_TAGS = ("script", "style", "noscript", "template", "svg")


def fold(text: str) -> str:
    """Text reduced to what a snippet comparison should see."""
    return _NON_WORD.sub(" ", unicodedata.normalize("NFKC", text).lower()).strip()


def _is_cjk(language: str) -> bool:
    return language in CHARACTER_LANGUAGES


def opening(text: str, language: str) -> str:
    """The opening words (or characters) of a paragraph, folded."""
    folded = fold(text)
    if _is_cjk(language):
        return folded.replace(" ", "")[:24]
    return " ".join(folded.split()[:10])


def long_enough(text: str, language: str) -> bool:
    """Whether a block says enough to be a fair snippet (not a one-word label)."""
    if _is_cjk(language) or len(_CJK.findall(text)) > len(text) / 3:
        return len(_CJK.findall(text)) >= 16
    return len(fold(text).split()) >= 6


def spread(items: list[str], count: int = SNIPPETS_PER_KIND) -> list[str]:
    """Up to *count* items spread evenly from the first to the last."""
    if len(items) <= count:
        return items
    step = (len(items) - 1) / (count - 1)
    return [items[round(i * step)] for i in range(count)]


def with_snippets(page: RealPage) -> list[str]:
    paragraphs = [p for p in page.expected["paragraphs"] if long_enough(p, page.language)]
    return [opening(p, page.language) for p in spread(paragraphs)]


def _leaf_blocks(raw: bytes) -> list[str]:
    """Texts of block elements that hold no block child with text of its own."""
    try:
        root = lxml.html.fromstring(raw)
    except (ValueError, lxml.etree.ParserError):
        return []
    for bad in root.iter(*_DROP_TAGS):
        bad.drop_tree()
    blocks = []
    for element in root.iter(*_BLOCK_TAGS):
        children = (child for child in element.iter(*_BLOCK_TAGS) if child is not element)
        if any(len(child.text_content().strip()) > 20 for child in children):
            continue
        text = " ".join(element.text_content().split())
        if text:
            blocks.append(text)
    return blocks


def _shares_text(folded: str, truth: str, language: str) -> bool:
    """Whether a folded block overlaps the folded truth (any 4-word or 8-character run)."""
    if _is_cjk(language):
        flat, truth_flat = folded.replace(" ", ""), truth.replace(" ", "")
        return any(flat[i : i + 8] in truth_flat for i in range(0, max(1, len(flat) - 7), 4))
    words = folded.split()
    return any(" ".join(words[i : i + 4]) in truth for i in range(max(1, len(words) - 3)))


def without_snippets(page: RealPage) -> list[str]:
    truth = fold(" ".join([page.expected.get("title") or "", *page.expected["paragraphs"]]))
    seen: set[str] = set()
    candidates = []
    for block in _leaf_blocks(page.raw):
        folded = fold(block)
        if folded in seen or not long_enough(block, page.language):
            continue
        seen.add(folded)
        if not _shares_text(folded, truth, page.language):
            candidates.append(opening(block, page.language))
    return spread(candidates)


def found(snippet: str, output: str, language: str) -> bool:
    folded = fold(output)
    if _is_cjk(language):
        return snippet in folded.replace(" ", "")
    return snippet in folded


def tally(pages: list[RealPage], outputs: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """Pooled with/without counts per language group and engine, and the scores they give."""
    counts: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))
    for i, page in enumerate(pages):
        if not page.has_body_truth:
            continue
        snippets = {"with": with_snippets(page), "without": without_snippets(page)}
        for group in (language_group(page), "all"):
            counts[group]["_"]["pages"] += 1
            for engine, outs in outputs.items():
                cell = counts[group][engine]
                for kind, items in snippets.items():
                    hits = sum(found(s, outs[i]["body"], page.language) for s in items)
                    cell[f"{kind}_found"] += hits
                    cell[f"{kind}_total"] += len(items)
    return {group: _scores(cells) for group, cells in counts.items()}


def _scores(cells: dict[str, dict[str, int]]) -> dict[str, Any]:
    result: dict[str, Any] = {"pages": cells["_"]["pages"]}
    for engine, c in cells.items():
        if engine == "_":
            continue
        true_pos, false_pos = c["with_found"], c["without_found"]
        precision = true_pos / (true_pos + false_pos) if true_pos + false_pos else 0.0
        recall = true_pos / c["with_total"] if c["with_total"] else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        result[engine] = {
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
            "with": c["with_total"],
            "without": c["without_total"],
        }
    return result


def print_table(table: dict[str, Any], label: str) -> None:
    print(f"## Snippets on real pages, {label}\n")
    print("| language | pages | engine | with | without | P | R | F1 |")
    print("|---|---:|---|---:|---:|---:|---:|---:|")
    for group in [g for g in ("en", "zh", "cjk", "other", "all") if g in table]:
        cell = table[group]
        for engine in ("ours", "trafilatura", "readability"):
            e = cell[engine]
            scores = f"{e['precision']:.3f} | {e['recall']:.3f} | {e['f1']:.3f}"
            print(f"| {group} | {cell['pages']} | {engine} | {e['with']} | {e['without']} | {scores} |")


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=("dev", "test", "all"), default="all")
    parser.add_argument("--json", type=Path, default=None, help="also write the table here")
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)
    pages = load_pages(part=None if args.part == "all" else args.part)
    outputs, _ = run_engines(pages, repeat=1)
    table = tally(pages, outputs)
    print_table(table, f"part {args.part}")
    if args.json:
        args.json.write_text(json.dumps(table, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return table


if __name__ == "__main__":
    main()

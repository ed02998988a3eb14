"""Write ``benchmarks/results/realpages/HEADLINE.md``, the real-page section that opens RESULTS.md.

Run after refreshing the real-page results (``R=benchmarks/results/realpages``)::

    python -m benchmarks.extraction_realworld --part test --json $R/after-test.json
    python -m benchmarks.extraction_realworld --part dev --json $R/after-dev.json
    python -m benchmarks.cleaning_realpages --part test --json $R/after-cleaning-test.json
    python -m benchmarks.cleaning_realpages --part dev --json $R/after-cleaning-dev.json
    python -m benchmarks.snippets_realpages --part test --json $R/after-snippets-test.json
    python -m benchmarks.snippets_realpages --part dev --json $R/after-snippets-dev.json
    python -m benchmarks.realpages_headline

The ``first-sight-*`` files were measured once, before any rule was changed for these pages, and
are never rewritten: they are what the project scored on the pages when it first saw them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

FOLDER = Path(__file__).resolve().parent / "results" / "realpages"
GROUPS = ("en", "zh", "cjk", "other", "all")
LABELS = {"en": "en", "zh": "zh", "cjk": "ja/ko", "other": "other languages", "all": "all"}


def _load(name: str) -> dict[str, Any]:
    return json.loads((FOLDER / name).read_text(encoding="utf-8"))


def _f1_table(first: dict[str, Any], after: dict[str, Any], bold: bool) -> list[str]:
    rows = [
        "| language | pages | ours first sight | ours after fixes | trafilatura | readability |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for group in GROUPS:
        a, b = first["groups"][group], after["groups"][group]
        ours = f"**{b['ours']['f1']:.3f}**" if bold else f"{b['ours']['f1']:.3f}"
        rows.append(
            f"| {LABELS[group]} | {b['pages']} | {a['ours']['f1']:.3f} | {ours} |"
            f" {b['trafilatura']['f1']:.3f} | {b['readability']['f1']:.3f} |"
        )
    return rows


def _extraction_section() -> list[str]:
    first_t, after_t = _load("first-sight-test.json"), _load("after-test.json")
    first_d, after_d = _load("first-sight-dev.json"), _load("after-dev.json")
    a, b = first_t["groups"]["all"], after_t["groups"]["all"]
    return [
        "### Test part (sites never looked at while changing rules)",
        "",
        *_f1_table(first_t, after_t, bold=True),
        "",
        f"Title right: first sight {a['ours']['title']:.3f}, after {b['ours']['title']:.3f}"
        f" (trafilatura {b['trafilatura']['title']:.3f}, readability {b['readability']['title']:.3f})."
        f" Publication day right ({b['ours']['dated_pages']} dated pages): first sight"
        f" {a['ours']['day']:.3f}, after {b['ours']['day']:.3f} (htmldate {b['trafilatura']['day']:.3f}).",
        f"Speed, pages/s as a ratio to trafilatura in the same run: first sight"
        f" {first_t['speed_vs_trafilatura']['ours']}, after {after_t['speed_vs_trafilatura']['ours']}.",
        f"Fallback use after fixes (share of test pages): {after_t['fallback_share']}; pages dropped:"
        f" {after_t['dropped'] or 'none'}.",
        "",
        "### Development part (rules were changed looking at these pages: not evidence)",
        "",
        *_f1_table(first_d, after_d, bold=False),
        "",
        f"Speed ratio to trafilatura: first sight {first_d['speed_vs_trafilatura']['ours']}, after"
        f" {after_d['speed_vs_trafilatura']['ours']} (the machine was shared; the ratio moves with its"
        " load).",
        "",
    ]


def _cleaning_section() -> list[str]:
    rows = [
        "### Cleaning on the 66 pages with hand-written expectations",
        "",
        "| part | pages | sentences kept, first sight | after | sentences cut by cleaning, after |"
        " furniture removed, first sight | after |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for part in ("test", "dev"):
        a = _load(f"first-sight-cleaning-{part}.json")["summary"]
        b = _load(f"after-cleaning-{part}.json")["summary"]
        cut = sum(b.get("sentences_cut_by_cleaning", {}).values())
        rows.append(
            f"| {part} | {b['pages']} | {a['sentence_recall']} | {b['sentence_recall']} | {cut} |"
            f" {a['furniture_recall']} | {b['furniture_recall']} |"
        )
    after = _load("after-cleaning-test.json")["summary"]
    kinds = ", ".join(f"{k} {v['recall']}" for k, v in after["furniture_by_kind"].items())
    return [
        *rows,
        "",
        f"Furniture removed per kind on the test part after fixes: {kinds}. Nearly every sentence not kept"
        " was never extracted (a glossary page and a table-heavy notice weigh most); the benchmark lists"
        " the sentences cleaning cut, by step, from the records' audit trail (the code seen at first sight"
        " had no audit trail, so its cuts are not attributed).",
        "",
    ]


SNIPPET_BASELINE = "snippets-at-d553ed4"  # the code before the snippet score existed


def _snippet_section() -> list[str]:
    rows = [
        "### Snippets: is each opening of an article paragraph in, each furniture block out?",
        "",
        "Pooled precision/recall/F1 of up to four *with* and four *without* snippets a page, drawn"
        " mechanically from the truth (`python -m benchmarks.snippets_realpages`, method in its"
        " docstring). Before = the code at the commit the score was introduced at.",
        "",
        "| part | language | pages | ours before | ours after | trafilatura | readability |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for part in ("test", "dev"):
        before, after = _load(f"{SNIPPET_BASELINE}-{part}.json"), _load(f"after-snippets-{part}.json")
        for group in GROUPS:
            b, a = before[group], after[group]
            rows.append(
                f"| {part} | {LABELS[group]} | {a['pages']} | {b['ours']['f1']:.3f} | {a['ours']['f1']:.3f} |"
                f" {a['trafilatura']['f1']:.3f} | {a['readability']['f1']:.3f} |"
            )
    return [*rows, ""]


def headline() -> str:
    return "\n".join(
        [
            "## Real pages (the yardstick)",
            "",
            "Extraction and cleaning on 401 real pages saved by public projects"
            " (`tests/fixtures/realpages`, provenance and licences in its README): the project"
            " (`crawler.extract`, the record a crawl emits) against trafilatura and readability-lxml,"
            " interleaved page by page in one run. Body F1 over word 4-gram shingles (characters for"
            " Chinese, Japanese, Korean), averaged over pages. Rules were changed looking at the"
            " development part only; the test part is the evidence. First sight = before any rule was"
            " changed for these pages. One exception, for a page the test part dropped outright:"
            " reading an article held only in the page's scripts (`body_script_payload`) came from"
            " seeing fundus/HankookIlbo_V2 dropped, and moves the ja/ko row (without that page:"
            " 0.926 before and after, 4 pages).",
            "",
            "Commands: `python -m benchmarks.extraction_realworld --part test` and"
            " `python -m benchmarks.cleaning_realpages --part test` (`--part dev` for the development part).",
            "",
            *_extraction_section(),
            *_cleaning_section(),
            *_snippet_section(),
        ]
    )


def main(argv: list[str] | None = None) -> None:
    (FOLDER / "HEADLINE.md").write_text(headline(), encoding="utf-8")
    print(f"wrote {FOLDER / 'HEADLINE.md'}")


if __name__ == "__main__":
    main()
